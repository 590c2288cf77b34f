import { useId } from 'react'
import { JobActions } from '../../components/job-actions'
import { AppErrorAlert, Notice } from '../../components/app-error-alert'
import { HelpPanel } from '../../components/help-panel'
import { StepHeading } from '../../components/step-heading'
import { STEP_HELP } from '../../help/help-texts'
import { useIpMasked } from '../safe-mode/safe-mode-store'
import { StepNav } from '../wizard/step-nav'
import { STEPS, useWizard } from '../wizard/wizard-store'
import { DiffView } from './diff-view'
import { CONFIRM_WINDOWS, usePlanStore } from './plan-store'

const ACTIONS = { create: 'New file', update: 'Changed', unchanged: 'Unchanged', remove: 'Removed', 'append-line': 'One line added' } as const

/** Step 5: the plan as a readable diff per file, and the confirm-or-revert window. */
export default function ReviewStep() {
  const { plan, planning, planError, confirmWithinSec, makePlan, setConfirmWithin, cancel } = usePlanStore()
  const complete = useWizard((s) => s.complete)
  const masked = useIpMasked()
  const selectId = useId()
  return (
    <section aria-labelledby="step-review">
      <StepHeading id="step-review" number={5} total={STEPS.length}>
        Review the change
      </StepHeading>
      <HelpPanel topic={STEP_HELP.review} />
      <JobActions startLabel={plan ? 'Prepare the change again' : 'Prepare the change'} startDisabled={planning !== undefined} running={planning !== undefined} onStart={() => void makePlan()} onCancel={() => void cancel()} />
      <p role="status" className="usa-hint">
        {planning ? 'Rendering the configuration and reading the current files…' : plan ? (plan.noop ? 'Nothing to change: the gateway already has this configuration.' : `${plan.changes.filter((c) => c.action !== 'unchanged').length} files will change.`) : ''}
      </p>
      {planError ? <AppErrorAlert error={planError} heading="The change could not be prepared" /> : null}
      {plan ? (
        <>
          <p>
            {plan.kind} {plan.version}, {plan.routing === 'route' ? 'route-based' : 'policy-based'} routing.
          </p>
          {plan.notes.map((n) => (
            <Notice type="info" key={n}>
              {n}
            </Notice>
          ))}
          {plan.changes.map((c) => (
            <section key={c.path} className="margin-top-2" aria-label={`Change to ${c.path}`}>
              <h3 className="font-mono-sm">
                {c.path} — {ACTIONS[c.action]}
              </h3>
              {c.secret ? <p>Secret file: {c.diff || 'its content is not shown.'}</p> : c.action === 'unchanged' ? null : <DiffView diff={c.diff} label={`Diff of ${c.path}`} masked={masked} />}
            </section>
          ))}
          <div className="usa-form-group">
            <label className="usa-label" htmlFor={selectId}>
              Confirm-or-revert window
            </label>
            <div className="usa-hint" id={`${selectId}-hint`}>
              If you do not confirm within this time (for example because the change cut off the connection), the gateway restores the previous configuration by itself.
            </div>
            <select id={selectId} className="usa-select" aria-describedby={`${selectId}-hint`} value={confirmWithinSec} onChange={(e) => setConfirmWithin(Number(e.target.value))}>
              {CONFIRM_WINDOWS.map((s) => (
                <option key={s} value={s}>
                  {s < 120 ? `${s} seconds` : `${s / 60} minutes`}
                </option>
              ))}
            </select>
          </div>
        </>
      ) : null}
      <StepNav step="review" canContinue={plan !== undefined && !plan.noop} continueLabel="Continue to Apply" onContinue={() => complete('review')} />
    </section>
  )
}
