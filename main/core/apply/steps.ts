// The steps of a change as both faces name them: the markers the gateway-side transaction writes as it
// goes (the contract's ApplyStep), and the names of the step a failed change stopped at.

/** Progress and end markers the transaction writes, one per line, in the order they can appear. */
export const APPLY_STEPS = [
  'STARTED', 'SETTLED', 'BACKED-UP', 'WRITTEN', 'VALIDATED', 'ACTIVATED', 'INITIATED', 'VERIFIED', 'VERIFY-TIMEOUT',
  'COMMITTED', 'REVERTED', 'FAILED', 'ROLLED-BACK', 'BUSY',
] as const
/** One marker of the transaction. */
export type ApplyStep = (typeof APPLY_STEPS)[number]

/**
 * Where a change can stop: the transaction's own steps (it writes `FAILED <step>`), then what the app
 * decides around it (health: the traffic probe failed; confirm: the confirmation was lost; lock: another
 * change holds the gateway).
 */
export const FAILED_STEPS = ['prevalidate', 'backup', 'write', 'validate', 'activate', 'initiate', 'verify', 'health', 'confirm', 'lock', 'unknown'] as const
/** One step a change can stop at. */
export type FailedStep = (typeof FAILED_STEPS)[number]

/** The failed step named in a gateway's `FAILED` line, or 'unknown' for anything else it wrote. */
export function toFailedStep(text: string | undefined): FailedStep {
  return (FAILED_STEPS as readonly string[]).includes(text ?? '') ? (text as FailedStep) : 'unknown'
}
