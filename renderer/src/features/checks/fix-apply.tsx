import { useState, type ReactNode } from 'react'
import type { AppError, CheckCauseDto, CheckFixPlanDto, CheckFixResultDto } from '../../../../preload/api'
import { call, newJobId } from '../../bridge/bridge'
import { AppErrorAlert } from '../../components/app-error-alert'
import { useProfileStore } from '../profile/profile-store'
import { maskIps } from '../safe-mode/safe-mode-store'
import { useChecksStore } from './checks-store'

/** How long the gateway waits for confirmation before it reverts the fix by itself (seconds). */
const CONFIRM_WITHIN = 120


type Phase = { readonly at: 'idle' } | { readonly at: 'planning' } | { readonly at: 'plan'; readonly plan: CheckFixPlanDto } | { readonly at: 'applying'; readonly plan: CheckFixPlanDto }

const OUTCOME_WORDS: Record<CheckFixResultDto['outcome'], string> = {
  committed: 'Applied and kept',
  reverted: 'Reverted by the gateway',
  'rolled-back': 'Rolled back',
  failed: 'Failed, nothing kept',
  'no-change': 'Nothing to change',
}

/** The outcome of a fix in words: what the gateway did, whether the check passes now, and what to do if it did not work. */
export function toFixOutcomeText(r: CheckFixResultDto): string {
  const now = r.ok ? ' — now allowed.' : r.after ? ` — still ${r.after.verdict === 'problem' ? 'a problem' : r.after.verdict}.` : '.'
  return `${OUTCOME_WORDS[r.outcome]}${now}${r.detail ? ` ${r.detail}` : ''}${r.fix ? ` ${r.fix}` : ''}`
}

/** "Apply fix" for a whole cause: plans first (the exact commands and what they change), asks, applies as one confirm-or-revert transaction; the outcome stays on the cause (announced by the step). */
export function FixApply({ cause, title, masked, before }: { readonly cause: CheckCauseDto; readonly title: string; readonly masked: boolean; readonly before?: ReactNode }) {
  const [phase, setPhase] = useState<Phase>({ at: 'idle' })
  const [error, setError] = useState<AppError | undefined>(undefined)
  const profile = useProfileStore((s) => s.current)
  const setReport = useChecksStore((s) => s.setReport)
  const noteFix = useChecksStore((s) => s.noteFix)
  const show = (t: string) => (masked ? maskIps(t) : t)
  const plan = async () => {
    if (!profile) return
    setError(undefined)
    setPhase({ at: 'planning' })
    const r = await call('planCheckFix', { profileId: profile.id, findingId: cause.id, ...(cause.findingIds.length > 1 ? { findingIds: cause.findingIds } : {}), jobId: newJobId() })
    if (r.ok) setPhase({ at: 'plan', plan: r.value })
    else {
      setError(r.error)
      setPhase({ at: 'idle' })
    }
  }
  const apply = async (p: CheckFixPlanDto) => {
    if (!profile) return
    setPhase({ at: 'applying', plan: p })
    const r = await call('applyCheckFix', { profileId: profile.id, findingId: cause.id, confirmWithinSec: CONFIRM_WITHIN, jobId: newJobId() })
    if (!r.ok) {
      setError(r.error)
      setPhase({ at: 'idle' })
      return
    }
    noteFix(cause.id, title, { ok: r.value.ok, text: toFixOutcomeText(r.value) })
    setPhase({ at: 'idle' })
    if (r.value.report) setReport(r.value.report)
  }
  const shown = phase.at === 'plan' || phase.at === 'applying' ? phase.plan : undefined
  return (
    <div>
      <div className="tw-actions">
        {before}
        {cause.fixable && (phase.at === 'idle' || phase.at === 'planning') ? (
          <button type="button" className="usa-button" disabled={phase.at === 'planning' || !profile} onClick={() => void plan()}>
            {phase.at === 'planning' ? 'Reading the gateway…' : 'Apply fix'}
          </button>
        ) : null}
      </div>
      {error ? <AppErrorAlert error={error} heading={error.code === 'fix-not-applicable' ? 'Tunnelwright cannot apply this fix' : 'The fix could not be applied'} /> : null}
      {shown ? (
        <section className="tw-card margin-top-1" aria-label={`Fix plan: ${title}`}>
          <p className="margin-bottom-0">
            <strong>Will run on the gateway:</strong>
          </p>
          <pre className="tw-pre">{shown.commands.map(show).join('\n')}</pre>
          <p className="usa-hint">This changes only the running ruleset (and kernel settings): nothing the gateway loads at boot is edited. The gateway undoes it by itself unless Tunnelwright confirms within {CONFIRM_WITHIN} s, and it confirms only once the check passes.</p>
          <ul className="usa-list">
            {shown.notes.map((n) => (
              <li key={n}>{show(n)}</li>
            ))}
          </ul>
          <ul className="usa-button-group">
            <li className="usa-button-group__item">
              <button type="button" className="usa-button" disabled={phase.at === 'applying'} onClick={() => void apply(shown)}>
                {phase.at === 'applying' ? 'Applying…' : 'Run these commands'}
              </button>
            </li>
            <li className="usa-button-group__item">
              <button type="button" className="usa-button usa-button--outline" disabled={phase.at === 'applying'} onClick={() => setPhase({ at: 'idle' })}>
                Do not apply
              </button>
            </li>
          </ul>
        </section>
      ) : null}
    </div>
  )
}
