import { useEffect, useRef, useState } from 'react'
import { AppErrorAlert, Notice } from '../../components/app-error-alert'
import { HelpPanel } from '../../components/help-panel'
import { StepHeading } from '../../components/step-heading'
import { STEP_HELP } from '../../help/help-texts'
import { useChecksStore } from '../checks/checks-store'
import { toCauseTitle } from '../checks/checks-words'
import { useProfileStore } from '../profile/profile-store'
import { APPLY_PHASES, FAILED_AS, FAILED_WORDS, toChangeWords, toClock } from '../review/apply-words'
import { usePlanStore } from '../review/plan-store'
import { maskIps, useIpMasked } from '../safe-mode/safe-mode-store'
import { StepNav } from '../wizard/step-nav'
import { STEPS, useWizard } from '../wizard/wizard-store'

/** Step 6: the gate (what the checks say), the apply step by step, its outcome, and a rollback that asks first. */
export default function ApplyStep() {
  const { plan, planUsed, applying, progress, result, applyError, rollback, rollbackPreview, previewing, rollbackError, rollingBack, confirmWithinSec, apply, cancel, askRollback, dismissRollback, rollBack } = usePlanStore()
  const checks = useChecksStore()
  const profile = useProfileStore((s) => s.current)
  const goTo = useWizard((s) => s.goTo)
  const masked = useIpMasked()
  const show = (t: string) => (masked ? maskIps(t) : t)
  const [anyway, setAnyway] = useState(false)
  const outcomeRef = useRef<HTMLDivElement>(null)

  // The gate: checks that never ran for this connection, or found what stops the tunnels, need an explicit "apply anyway".
  const ran = checks.report !== undefined && checks.profileId === profile?.id
  const blocking = ran ? checks.causes.filter((c) => !c.resolved && c.severity === 'error') : []
  const gated = !ran || blocking.length > 0
  const reason = !ran ? 'Applied without running the checks.' : blocking.length > 0 ? `Applied although the checks found: ${blocking.map((c) => toCauseTitle(c)).join('; ')}.` : undefined
  const seen = new Set<string>(progress.map((p) => p.step))
  const failedRaw = result?.failedStep
  const failed = failedRaw === undefined ? undefined : (FAILED_AS[failedRaw] ?? failedRaw)
  const kept = result?.outcome === 'committed' || result?.outcome === 'no-change'
  // What most likely stopped it: a problem the checks found on a flow this step needs.
  const likely = result && !kept && failedRaw ? checks.causes.filter((c) => !c.resolved && c.flow !== undefined && FAILED_WORDS[failedRaw].flows.includes(c.flow)) : []

  // An outcome that arrives while the step is open takes focus; reopening the step lands on its heading as usual.
  const opened = useRef(true)
  useEffect(() => {
    if (opened.current) {
      opened.current = false
      return
    }
    if (result || rollback) outcomeRef.current?.focus()
  }, [result, rollback])

  const showInChecks = (causeId?: string) => {
    checks.setFocusCause(causeId)
    goTo('checks')
  }

  return (
    <section aria-labelledby="step-apply">
      <StepHeading id="step-apply" number={6} total={STEPS.length}>
        Apply the change
      </StepHeading>
      <HelpPanel topic={STEP_HELP.apply} />
      {!plan ? <Notice type="info">Prepare the change in the Review step first.</Notice> : null}
      {plan && !planUsed ? (
        <p className="tw-summary-line">
          Ready to apply: {plan.changes.filter((c) => c.action !== 'unchanged').length} of {plan.changes.length} files change on the gateway ({plan.kind} {plan.version}, {plan.routing === 'route' ? 'route-based' : 'policy-based'}
          {plan.tunnels === 'active-standby' ? ', tunnel 1 active and tunnel 2 standing by' : ', both tunnels up'}).
        </p>
      ) : null}

      {plan && !planUsed && gated ? (
        <section className="usa-alert usa-alert--warning tw-gate" aria-labelledby="gate-heading">
          <div className="usa-alert__body">
            <h3 className="usa-alert__heading" id="gate-heading">
              {ran ? `The checks found ${blocking.length === 1 ? 'a problem' : `${blocking.length} problems`} that can stop the tunnels` : 'The checks have not run for this gateway'}
            </h3>
            {ran ? (
              <ul className="usa-list">
                {blocking.map((c) => (
                  <li key={c.id}>
                    {toCauseTitle(c)}.{' '}
                    <button type="button" className="usa-button usa-button--unstyled" onClick={() => showInChecks(c.id)}>
                      Show it in Checks
                    </button>
                  </li>
                ))}
              </ul>
            ) : (
              <p className="usa-alert__text">
                Without them, a blocked UDP 500, UDP 4500 or ESP shows up only as a failed apply.{' '}
                <button type="button" className="usa-button usa-button--unstyled" onClick={() => showInChecks()}>
                  Run the checks first
                </button>
              </p>
            )}
            <div className="usa-checkbox tw-gate__check">
              <input className="usa-checkbox__input" id="apply-anyway" type="checkbox" checked={anyway} onChange={(e) => setAnyway(e.target.checked)} aria-describedby="apply-anyway-hint" />
              <label className="usa-checkbox__label" htmlFor="apply-anyway">
                Apply anyway
              </label>
              <span className="usa-checkbox__label-description" id="apply-anyway-hint">
                The change record notes why: “{reason}”
              </span>
            </div>
          </div>
        </section>
      ) : null}

      <ul className="usa-button-group margin-top-2">
        <li className="usa-button-group__item">
          <button type="button" className="usa-button" disabled={!plan || planUsed || applying !== undefined || (gated && !anyway)} aria-describedby="apply-hint" onClick={() => void apply(gated ? reason : undefined)}>
            Apply now
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
      <p className="usa-hint" id="apply-hint">
        {plan && !planUsed ? `The gateway reverts by itself unless the change is confirmed within ${confirmWithinSec} s; Tunnelwright confirms it as soon as the tunnels are verified.` : planUsed && !applying ? 'This prepared change has been used. To apply again, prepare the change again in the Review step.' : ''}
      </p>

      {progress.length > 0 || applying || result ? (
        <ol className="tw-progress" aria-label="Apply progress">
          {APPLY_PHASES.map(([id, marker, label]) => {
            const last = progress.filter((p) => p.step === marker).at(-1)
            const state = failed === id ? 'failed' : seen.has(marker) ? 'done' : applying ? 'waiting' : 'not started'
            return (
              <li key={id} className={`tw-progress__item tw-progress__item--${state.replace(' ', '-')}`}>
                <span className="tw-mark" aria-hidden="true">
                  {state === 'done' ? '✓' : state === 'failed' ? '✕' : '·'}
                </span>{' '}
                <strong>{label}</strong> — {state}
                {state === 'done' && last ? <span className="tw-progress__time"> at {toClock(last.at)}</span> : null}
              </li>
            )
          })}
        </ol>
      ) : null}
      {applying ? <p role="status">Applying… you can cancel until the change is confirmed.</p> : null}

      <div ref={outcomeRef} tabIndex={-1} className="tw-focus-target">
        {result && kept ? <Notice type="success">{result.outcome === 'committed' ? 'The change is applied, verified and confirmed.' : 'Nothing needed to change.'}</Notice> : null}
        {result && !kept ? (
          <div className="usa-alert usa-alert--error" role="alert">
            <div className="usa-alert__body">
              <h3 className="usa-alert__heading">The change was not kept: {failedRaw ? FAILED_WORDS[failedRaw].what : 'it did not complete'}</h3>
              <p className="usa-alert__text">The gateway is back on its previous configuration{result.outcome === 'failed' ? ' (nothing was changed)' : ''}.</p>
              {likely.length > 0 ? (
                <>
                  <p className="usa-alert__text">
                    <strong>Likely cause, found by the checks:</strong>
                  </p>
                  <ul className="usa-list">
                    {likely.map((c) => (
                      <li key={c.id}>
                        {toCauseTitle(c)}.{' '}
                        <button type="button" className="usa-button usa-button--unstyled" onClick={() => showInChecks(c.id)}>
                          Show this problem in Checks
                        </button>
                      </li>
                    ))}
                  </ul>
                </>
              ) : failedRaw && FAILED_WORDS[failedRaw].flows.length > 0 ? (
                <p className="usa-alert__text">
                  {ran ? 'The checks found nothing on this path: ask whoever runs the network in front of the gateway, and check the PSKs and proposal in Details.' : 'Run the checks: a blocked UDP 500, UDP 4500 or ESP is the usual cause.'}{' '}
                  <button type="button" className="usa-button usa-button--unstyled" onClick={() => showInChecks()}>
                    Go to Checks
                  </button>
                </p>
              ) : null}
              {result.detail ? (
                <details className="tw-more">
                  <summary>What the gateway reported</summary>
                  <pre className="tw-pre tw-pre--small">{show(result.detail)}</pre>
                </details>
              ) : null}
            </div>
          </div>
        ) : null}
        {applyError ? <AppErrorAlert error={applyError} heading="The change could not be applied" /> : null}
        {rollback ? (
          <Notice type="success">
            Rolled back: the configuration from before {toChangeWords(rollback.restored)} is restored ({rollback.files.length === 1 ? 'one file' : `${rollback.files.length} files`}: {rollback.files.join(', ')}).
          </Notice>
        ) : null}
      </div>

      {result?.outcome === 'committed' && !rollback && !rollbackPreview ? (
        <button type="button" className="usa-button usa-button--outline margin-top-2" disabled={previewing} onClick={() => void askRollback()}>
          {previewing ? 'Reading what a rollback would restore…' : 'Roll back this change…'}
        </button>
      ) : null}
      {rollbackPreview ? (
        <section className="usa-alert usa-alert--warning tw-rollback" aria-labelledby="rollback-heading">
          <div className="usa-alert__body">
            <h3 className="usa-alert__heading" id="rollback-heading" tabIndex={-1}>
              {rollbackPreview.available ? 'Roll back to before this change?' : 'Nothing to roll back'}
            </h3>
            {rollbackPreview.available ? (
              <>
                <p className="usa-alert__text">The gateway puts back its backup from before {toChangeWords(rollbackPreview.txnId)}; the tunnels that change set up go down.</p>
                <ul className="usa-list" aria-label="What the rollback restores">
                  {rollbackPreview.files.map((f) => (
                    <li key={f.path}>
                      <code>{f.path}</code> — {f.action === 'restore' ? 'restored to its earlier content' : 'removed (it did not exist before)'}
                    </li>
                  ))}
                </ul>
                <ul className="usa-button-group">
                  <li className="usa-button-group__item">
                    <button type="button" className="usa-button usa-button--secondary" disabled={rollingBack} onClick={() => void rollBack()}>
                      {rollingBack ? 'Rolling back…' : 'Roll back now'}
                    </button>
                  </li>
                  <li className="usa-button-group__item">
                    <button type="button" className="usa-button usa-button--outline" disabled={rollingBack} onClick={dismissRollback}>
                      Keep the change
                    </button>
                  </li>
                </ul>
              </>
            ) : (
              <>
                <p className="usa-alert__text">The gateway holds no backup of a change by Tunnelwright.</p>
                <button type="button" className="usa-button usa-button--outline" onClick={dismissRollback}>
                  Close
                </button>
              </>
            )}
          </div>
        </section>
      ) : null}
      {rollingBack ? <p role="status">Rolling back: restoring the previous configuration on the gateway…</p> : null}
      {rollbackError ? <AppErrorAlert error={rollbackError} heading="The rollback could not run" /> : null}
      <StepNav step="apply" continueLabel="Continue to Status" />
    </section>
  )
}
