// The apply in words: each phase the gateway-side transaction goes through, and why it stops where it stops.
import type { ApplyFailedStep, ApplyStep } from '../../../../preload/api'

/**
 * The phases an apply goes through, in the words the user sees: the step name the engine reports on
 * failure (failedStep), the marker the gateway-side transaction writes when the phase is done, and the label.
 */
export const APPLY_PHASES: readonly (readonly [ApplyFailedStep, ApplyStep, string])[] = [
  ['backup', 'BACKED-UP', 'Back up the current configuration'],
  ['write', 'WRITTEN', 'Write the new files'],
  ['validate', 'VALIDATED', 'Validate them with the IPsec software'],
  ['activate', 'ACTIVATED', 'Activate the new configuration'],
  ['initiate', 'INITIATED', 'Start the tunnels'],
  ['verify', 'VERIFIED', 'Verify the tunnels'],
  ['confirm', 'COMMITTED', 'Confirm the change'],
]

/** Failed steps that are reported under another phase's name (prevalidation is validation; health is verification). */
export const FAILED_AS: Readonly<Partial<Record<ApplyFailedStep, ApplyFailedStep>>> = { prevalidate: 'validate', health: 'verify', lock: 'backup' }

/** What each marker means, for the live region (screen readers hear words, not markers). */
export const APPLY_WORDS: Readonly<Partial<Record<ApplyStep, string>>> = {
  'BACKED-UP': 'The current configuration is backed up.',
  WRITTEN: 'The new files are written.',
  VALIDATED: 'The IPsec software accepted the configuration.',
  ACTIVATED: 'The new configuration is active.',
  INITIATED: 'The tunnels are starting.',
  VERIFIED: 'The tunnels are up.',
  'VERIFY-TIMEOUT': 'The tunnels did not come up in time.',
  COMMITTED: 'The change is confirmed.',
  REVERTED: 'The gateway put the previous configuration back.',
  FAILED: 'A step failed.',
}

/** Why an apply stopped at a step, in words, and which check findings would explain it. */
export const FAILED_WORDS: Readonly<Record<ApplyFailedStep, { readonly what: string; readonly flows: readonly ('udp500' | 'udp4500' | 'esp')[] }>> = {
  prevalidate: { what: 'the IPsec software rejected the new configuration before anything was changed', flows: [] },
  validate: { what: 'the IPsec software rejected the new configuration', flows: [] },
  backup: { what: 'the current configuration could not be backed up', flows: [] },
  lock: { what: 'another change was running on the gateway', flows: [] },
  write: { what: 'the new files could not be written', flows: [] },
  activate: { what: 'the IPsec software could not load the new configuration', flows: [] },
  initiate: { what: 'the tunnels could not be started', flows: ['udp500', 'udp4500'] },
  verify: { what: 'the tunnels did not come up in time', flows: ['udp500', 'udp4500', 'esp'] },
  health: { what: 'the health check through the tunnels got no answer', flows: ['esp', 'udp4500'] },
  confirm: { what: 'the app could not confirm the change in time', flows: [] },
  unknown: { what: 'a step failed', flows: ['udp500', 'udp4500', 'esp'] },
}

/** "14:32:05" for an epoch-ms time. */
export function toClock(ms: number): string {
  return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' })
}

/** "the change made at 22:34:26" from a transaction id that starts with its UTC time (20261204T223426Z-…), else the id. */
export function toChangeWords(txnId: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/.exec(txnId)
  if (!m) return `change ${txnId}`
  const at = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]))
  const d = new Date(at)
  const today = d.toDateString() === new Date().toDateString()
  return `the change made ${today ? 'at ' : ''}${today ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' }) : d.toLocaleString([], { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' })}`
}
