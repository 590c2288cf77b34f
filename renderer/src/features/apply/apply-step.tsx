import { AppErrorAlert, Notice } from '../../components/app-error-alert'
import { HelpPanel } from '../../components/help-panel'
import { StepHeading } from '../../components/step-heading'
import { STEP_HELP } from '../../help/help-texts'
import { usePlanStore } from '../review/plan-store'
import { StepNav } from '../wizard/step-nav'
import { STEPS } from '../wizard/wizard-store'

/** The phases an apply goes through, in the words the user sees. */
export const APPLY_PHASES = [
  ['BACKUP', 'Back up the current configuration'],
  ['WRITE', 'Write the new files'],
  ['VALIDATE', 'Validate them with the IPsec software'],
  ['ACTIVATE', 'Activate the new configuration'],
  ['INITIATE', 'Start both tunnels'],
  ['VERIFY', 'Verify both tunnels'],
  ['CONFIRM', 'Confirm the change'],
] as const

/** Step 6: the apply, step by step, with live events; on failure what was rolled back and why. */
export default function ApplyStep() {
  const { plan, applying, progress, result, applyError, rollback, confirmWithinSec, apply, cancel, rollBack } = usePlanStore()
  const seen = new Set(progress.map((p) => p.step.toUpperCase()))
  const failed = result?.failedStep?.toUpperCase()
  return (
    <section aria-labelledby="step-apply">
      <StepHeading id="step-apply" number={6} total={STEPS.length}>
        Apply the change
      </StepHeading>
      <HelpPanel topic={STEP_HELP.apply} />
      {!plan ? <Notice type="info">Prepare the change in the Review step first.</Notice> : null}
      <ul className="usa-button-group">
        <li className="usa-button-group__item">
          <button type="button" className="usa-button" disabled={!plan || applying !== undefined} onClick={() => void apply()}>
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
        {APPLY_PHASES.map(([id, label]) => {
          const state = failed === id ? 'failed' : seen.has(id) ? 'done' : applying ? 'waiting' : 'not started'
          const last = progress.filter((p) => p.step.toUpperCase() === id).at(-1)
          return (
            <li key={id}>
              <strong>{label}</strong> — {state}
              {last ? `: ${last.detail}` : ''}
            </li>
          )
        })}
      </ol>
      {applying ? <p role="status">Applying… you can cancel until the change is confirmed.</p> : null}
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
      {result?.outcome === 'committed' ? (
        <button type="button" className="usa-button usa-button--outline" onClick={() => void rollBack()}>
          Roll back this change
        </button>
      ) : null}
      {rollback ? <Notice type="success">Rolled back to {rollback.restored}: {rollback.files.join(', ')}.</Notice> : null}
      <StepNav step="apply" continueLabel="Continue to Status" />
    </section>
  )
}
