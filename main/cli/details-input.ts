// Loading and linting a details file for the gateway commands (plan, apply, check, status).
import { hasErrors, lintDetails, type Finding } from '../core/details/lint'
import { loadDetailsFile, toDetailsSecretSources } from '../core/details/load'
import { DeviceKind, type Details } from '../core/details/model'
import type { SecretSources } from '../core/details/resolve'
import { UserError } from '../core/base/result'
import { UsageError, type CliIo } from './cli-io'

/** A details file ready to drive a gateway: parsed, PSK sources bound to its folder, lint clean of errors. */
export interface DetailsInput {
  readonly details: Details
  readonly sources: SecretSources
  readonly findings: readonly Finding[]
  readonly device?: DeviceKind
}

/** Reads --details and --device; refuses (exit 1) when lint finds errors, since AWS would reject the result. */
export function loadDetailsInput(opts: { details?: string; device?: string }, io: CliIo): DetailsInput {
  if (opts.details === undefined) throw new UsageError('--details FILE is required')
  const device = opts.device === undefined ? undefined : DeviceKind.safeParse(opts.device)
  if (device && !device.success) throw new UsageError(`--device must be one of ${DeviceKind.options.join(', ')}`)
  let loaded
  try {
    loaded = loadDetailsFile(opts.details)
  } catch (err) {
    if (err instanceof UserError) throw new UsageError(`${err.message}${err.fix ? ` ${err.fix}` : ''}`)
    throw err
  }
  const sources = toDetailsSecretSources(opts.details, io.env)
  const findings = [...loaded.findings, ...lintDetails(loaded.details, { sources, ...(device?.data ? { device: { kind: device.data } } : {}) })]
  if (hasErrors(findings)) {
    const errors = findings.filter((f) => f.severity === 'error')
    throw new UserError('details-lint-errors', `The details have ${errors.length} error(s) that AWS would reject; nothing was sent to the gateway:\n${errors.map((f) => `  ${f.path || '(file)'}: ${f.message}`).join('\n')}`, { fix: `Run 'tunnelwright lint --details ${opts.details}' for the fixes.` })
  }
  return { details: loaded.details, sources, findings, ...(device?.data ? { device: device.data } : {}) }
}
