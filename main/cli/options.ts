// Options several commands share, checked the same way everywhere.
import { CONFIRM_WITHIN, DeviceKind, isConfirmWithin } from '../core'
import { UsageError } from './cli-io'

/** --device KIND, when given. */
export function deviceOption(text: string | undefined): DeviceKind | undefined {
  if (text === undefined) return undefined
  const parsed = DeviceKind.safeParse(text)
  if (!parsed.success) throw new UsageError(`--device must be one of ${DeviceKind.options.join(', ')}`)
  return parsed.data
}

/** --details FILE, required by every command that reads details. */
export function requireDetails(path: string | undefined): string {
  if (path === undefined) throw new UsageError('--details FILE is required')
  return path
}

/** --confirm-within SECONDS (the core's bounds), default CONFIRM_WITHIN.default. */
export function confirmWithinOption(text: string | undefined): number {
  if (text === undefined) return CONFIRM_WITHIN.default
  const n = Number(text)
  if (!/^\d+$/.test(text) || !isConfirmWithin(n)) throw new UsageError(`--confirm-within takes whole seconds from ${CONFIRM_WITHIN.min} to ${CONFIRM_WITHIN.max}`)
  return n
}

/** The usage line of --confirm-within. */
export const CONFIRM_USAGE = `--confirm-within SECONDS  the gateway reverts by itself unless the change is confirmed within this
                            (${CONFIRM_WITHIN.min}–${CONFIRM_WITHIN.max} s, default ${CONFIRM_WITHIN.default}); it is confirmed only once the tunnels are up`
