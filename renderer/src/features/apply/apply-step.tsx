import type { ApplyFailedStep, ApplyStep } from '../../../../preload/api'
import { AppErrorAlert, Notice } from '../../components/app-error-alert'
import { HelpPanel } from '../../components/help-panel'
import { StepHeading } from '../../components/step-heading'
import { STEP_HELP } from '../../help/help-texts'
import { usePlanStore } from '../review/plan-store'
import { StepNav } from '../wizard/step-nav'
import { STEPS } from '../wizard/wizard-store'

/**
 * The phases an apply goes through, in the words the user sees: the step name the engine reports on
 * failure (failedStep), and the marker the gateway-side transaction writes when the phase is done.
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
const FAILED_AS: Readonly<Partial<Record<ApplyFailedStep, ApplyFailedStep>>> = { prevalidate: 'validate', health: 'verify', lock: 'backup' }

/** Step 6: the apply, step by step, with live events; on failure what was rolled back and why. */
export default function ApplyStep() {
  const { plan, applying, progress, result, applyError, rollback, rollingBack, confirmWithinSec, apply, cancel, rollBack } = usePlanStore()
  // main holds a plan for one apply only: after that it must be prepared again.
  const used = result !== undefined || applyError !== undefined
  const seen = new Set<string>(progress.map((p) => p.step))
  const failedRaw = result?.failedStep
  const failed = failedRaw === undefined ? undefined : (FAILED_AS[failedRaw] ?? failedRaw)
  return (
    <section aria-labelledby="step-apply">
      <StepHeading id="step-apply" number={6} total={STEPS.length}>
        Apply the change
      </StepHeading>
      <HelpPanel topic={STEP_HELP.apply} />
      {!plan ? <Notice type="info">Prepare the change in the Review step first.</Notice> : null}
      <ul className="usa-button-group">
        <li className="usa-button-group__item">
          <button type="button" className="usa-button" disabled={!plan || used || applying !== undefined} onClick={() => void apply()}>
            Apply now (revert unless confirmed within {confirmWithinSec} s)
          </button>
        </li>
        {applying ? (
          <li className="usa-button-group__item">
            <button type="button" className="usa-button usa-button--secondary" onClick={() => void cancel()}>
              Cancel and revert
            </button>
          </li>
        ) : null}
      </ul>
      <ol className="tw-progress" aria-label="Apply progress">
        {APPLY_PHASES.map(([id, marker, label]) => {
          const state = failed === id ? 'failed' : seen.has(marker) ? 'done' : applying ? 'waiting' : 'not started'
          const last = progress.filter((p) => p.step === marker).at(-1)
          return (
            <li key={id}>
              <strong>{label}</strong> — {state}
              {last?.detail ? `: ${last.detail}` : ''}
            </li>
          )
        })}
      </ol>
      {applying ? <p role="status">Applying… you can cancel until the change is confirmed.</p> : null}
      {used && !applying ? <p className="usa-hint">To apply again, prepare the change again in the Review step.</p> : null}
      {result ? (
        result.outcome === 'committed' || result.outcome === 'no-change' ? (
          <Notice type="success">{result.outcome === 'committed' ? 'The change is applied, verified and confirmed.' : 'Nothing needed to change.'}</Notice>
        ) : (
          <div className="usa-alert usa-alert--error" role="alert">
            <div className="usa-alert__body">
              <h3 className="usa-alert__heading">The change was {result.outcome === 'failed' ? 'not applied' : result.outcome.replace('-', ' ')}</h3>
              <p className="usa-alert__text">
                {result.failedStep ? `It failed at ${result.failedStep}. ` : ''}
                {result.detail ?? ''}
              </p>
              <p className="usa-alert__text">The gateway is back on its previous configuration. Steps that had run: {result.steps.map((s) => s.step).join(', ') || 'none'}.</p>
            </div>
          </div>
        )
      ) : null}
      {applyError ? <AppErrorAlert error={applyError} heading="The change could not be applied" /> : null}
      {result?.outcome === 'committed' && !rollback ? (
        <button type="button" className="usa-button usa-button--outline" disabled={rollingBack} onClick={() => void rollBack()}>
          Roll back this change
        </button>
      ) : null}
      {rollingBack ? <p role="status">Rolling back: restoring the previous configuration on the gateway…</p> : null}
      {rollback ? <Notice type="success">Rolled back to {rollback.restored}: {rollback.files.join(', ')}.</Notice> : null}
      <StepNav step="apply" continueLabel="Continue to Status" />
    </section>
  )
}
