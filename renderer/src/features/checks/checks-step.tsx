import { useEffect, useMemo } from 'react'
import type { CheckFinding, CheckFix } from '../../../../preload/api'
import { AppErrorAlert, Notice } from '../../components/app-error-alert'
import { CopyButton } from '../../components/copy-button'
import { HelpPanel } from '../../components/help-panel'
import { JobActions } from '../../components/job-actions'
import { StepHeading } from '../../components/step-heading'
import { STEP_HELP, toFindingHelp } from '../../help/help-texts'
import { useProfileStore } from '../profile/profile-store'
import { maskIps, useIpMasked } from '../safe-mode/safe-mode-store'
import { StepNav } from '../wizard/step-nav'
import { STEPS } from '../wizard/wizard-store'
import { useChecksStore, type ShownCause } from './checks-store'
import { FIREWALL_NAMES, FLOW_NAMES, SETTINGS, toCauseTitle, toDirectionsWords, toFindingLine, toFlowCell, toPeersWords, toPrimaryFix, toProbeCell, toSettingCell, type CellWord, type PeerNames } from './checks-words'
import { FixApply } from './fix-apply'

/** The DOM id of a cause's card (a matrix cell and Apply's "show this problem" jump to it). */
export function toCauseAnchor(causeId: string): string {
  return `cause-${causeId.replace(/[^A-Za-z0-9_-]/g, '-')}`
}

const TONE_MARK: Readonly<Record<CellWord['tone'], string>> = { ok: '✓', bad: '✕', warn: '!', none: '–' }

/** One cell of the matrix: a mark and a word (never colour alone); a problem links to its cause. */
function Cell({ cell, causeId }: { readonly cell: CellWord; readonly causeId?: string | undefined }) {
  const body = (
    <>
      <span className="tw-mark" aria-hidden="true">
        {TONE_MARK[cell.tone]}
      </span>{' '}
      <span className="tw-cell__word">{cell.word}</span>
    </>
  )
  return (
    <td className={`tw-cell tw-cell--${cell.tone}`}>
      {causeId && cell.tone !== 'ok' ? (
        <a className="tw-cell__link" href={`#${toCauseAnchor(causeId)}`} onClick={(e) => {
          e.preventDefault()
          focusCause(causeId)
        }}>
          {body}
        </a>
      ) : (
        body
      )}
    </td>
  )
}

function focusCause(causeId: string): void {
  const el = document.getElementById(toCauseAnchor(causeId))
  el?.scrollIntoView({ block: 'center' })
  el?.focus()
}

/** One cause: what is wrong, where, the one fix (with copy and apply), and the details on demand. */
function CauseCard({ c, findings, names, masked }: { readonly c: ShownCause; readonly findings: readonly CheckFinding[]; readonly names: PeerNames; readonly masked: boolean }) {
  const show = (t: string) => (masked ? maskIps(t) : t)
  const title = toCauseTitle(c)
  // A fixed cause keeps its place and says what it was.
  const shownTitle = c.resolved ? title.replace(' is blocked', ' was blocked').replace(' may be blocked', ' may have been blocked').replace(/ is (off|not clamped)/, ' was $1') : title
  const outcome = useChecksStore((s) => s.fixOutcomes[c.id])
  const members = findings.filter((f) => c.findingIds.includes(f.id))
  const primary = toPrimaryFix(c.fix)
  const others = (Object.entries(c.fix ?? {}) as [keyof CheckFix, string][]).filter(([k, v]) => v && k !== primary?.kind && k !== 'upstream' && k !== 'details')
  const where = [c.peers.length > 0 ? `Affects ${toPeersWords(c.peers, names, show)}` : '', toDirectionsWords(c.directions)].filter(Boolean).join(', ')
  const lead = members[0]
  const help = lead ? toFindingHelp(lead) : undefined
  const tone = c.resolved ? 'success' : c.severity === 'error' ? 'error' : 'warning'
  return (
    <li className={`tw-cause tw-cause--${tone}`}>
      <h4 className="tw-cause__title" id={toCauseAnchor(c.id)} tabIndex={-1}>
        <span className={`tw-badge tw-badge--${c.resolved ? 'ok' : c.severity}`}>{c.resolved ? 'Fixed' : c.severity === 'error' ? 'Problem' : 'Warning'}</span> {shownTitle}
      </h4>
      {where ? <p className="tw-cause__line">{where}.</p> : null}
      {c.blockedBy.length > 0 ? (
        <p className="tw-cause__line">
          Dropped by {c.blockedBy.map((b, i) => (
            <span key={b}>
              {i > 0 ? '; ' : ''}
              <code>{show(b)}</code>
            </span>
          ))}
          .
        </p>
      ) : c.kind !== 'flow' && lead ? (
        <p className="tw-cause__line">{show(lead.why)}</p>
      ) : null}
      {outcome ? <Notice type={outcome.ok ? 'success' : 'warning'}>{show(outcome.text)}</Notice> : null}
      {!c.resolved && primary ? (
        primary.kind === 'upstream' || primary.kind === 'details' ? (
          <p className="tw-cause__fix">
            <strong>{primary.kind === 'upstream' ? 'Ask upstream: ' : 'Change the details: '}</strong>
            {show(primary.text)}
          </p>
        ) : (
          <>
            <p className="tw-cause__fix-label">
              <strong>Fix with {FIREWALL_NAMES[primary.kind]}</strong>
              {c.findingIds.length > 1 ? ` (one fix for ${c.findingIds.length} checks)` : ''}:
            </p>
            <pre className="tw-pre tw-pre--fix" aria-label={`Fix command for ${FIREWALL_NAMES[primary.kind]}`}>
              {show(primary.text)}
            </pre>
          </>
        )
      ) : null}
      {!c.resolved ? <FixApply cause={c} title={title} masked={masked} before={primary && primary.kind !== 'upstream' && primary.kind !== 'details' ? <CopyButton text={primary.text} label={`Copy ${FIREWALL_NAMES[primary.kind]} command`} /> : null} /> : null}
      <details className="tw-more">
        <summary>Details: why, evidence{others.length > 0 ? ', other firewalls' : ''}</summary>
        {members.map((f) => (
          <div key={f.id} className="tw-more__item">
            <p className="margin-y-05">
              <strong>{toFindingLine(f, names, show)}:</strong> {show(f.why)}
            </p>
            {f.evidence.length > 0 ? <pre className="tw-pre tw-pre--small">{f.evidence.map(show).join('\n')}</pre> : null}
          </div>
        ))}
        {others.map(([k, v]) => (
          <div key={k}>
            <p className="margin-bottom-0">
              <strong>With {FIREWALL_NAMES[k as keyof typeof FIREWALL_NAMES]}:</strong>
            </p>
            <pre className="tw-pre tw-pre--small" aria-label={`Fix command for ${FIREWALL_NAMES[k as keyof typeof FIREWALL_NAMES]}`}>
              {show(v)}
            </pre>
          </div>
        ))}
        {help ? <p className="tw-more__help">{[...help.paragraphs, ...(help.why ? [help.why] : [])].join(' ')}</p> : null}
      </details>
    </li>
  )
}

/** Step 4: firewall, NAT and path checks — problems first (one per cause, one fix each), then the matrix. */
export default function ChecksStep() {
  const { report, job, error, run, cancel, lastFix, causes, focusCause: focusTarget, setFocusCause } = useChecksStore()
  const profile = useProfileStore((s) => s.current)
  const masked = useIpMasked()
  const show = (t: string) => (masked ? maskIps(t) : t)
  const findings = report?.findings ?? []
  const tunnels = profile?.details.remote.tunnels ?? []
  const names: PeerNames = useMemo(() => new Map(tunnels.map((t, i) => [t.outsideIp, i + 1] as const)), [tunnels])
  // Peers in tunnel order: the details' tunnels first, then any the report names besides.
  const peers = [...new Set([...tunnels.map((t) => t.outsideIp).filter((p) => findings.some((f) => f.subject.peer === p)), ...findings.map((f) => f.subject.peer).filter((p): p is string => p !== undefined)])]
  const open = causes.filter((c) => !c.resolved)
  const blocking = open.filter((c) => c.severity === 'error')
  const causeOf = (id: string | undefined) => (id ? causes.find((c) => !c.resolved && c.findingIds.includes(id))?.id : undefined)
  const byId = (id: string) => findings.find((f) => f.id === id)

  useEffect(() => {
    if (focusTarget && causes.some((c) => c.id === focusTarget)) {
      requestAnimationFrame(() => focusCause(focusTarget))
      setFocusCause(undefined)
    }
  }, [focusTarget, causes, setFocusCause])

  return (
    <section aria-labelledby="step-checks">
      <StepHeading id="step-checks" number={4} total={STEPS.length}>
        Firewall, NAT and path checks
      </StepHeading>
      <p className="usa-intro tw-intro">Can IKE (UDP 500), NAT traversal (UDP 4500) and ESP pass between this gateway and both AWS endpoints? Read-only: nothing changes until you apply a fix.</p>
      <HelpPanel topic={STEP_HELP.checks} />
      <JobActions startLabel={report ? 'Run the checks again' : 'Run the checks'} startDisabled={job !== undefined} running={job !== undefined} onStart={() => void run()} onCancel={() => void cancel()} />
      <p role="status" className="usa-hint">
        {job ? 'Reading the firewall and routes on the gateway, and probing both AWS endpoints…' : report ? `${findings.length} checks: ${open.length === 0 ? 'nothing needs attention' : [blocking.length > 0 ? `${blocking.length} ${blocking.length === 1 ? 'problem' : 'problems'}` : '', open.length - blocking.length > 0 ? `${open.length - blocking.length} ${open.length - blocking.length === 1 ? 'warning' : 'warnings'}` : ''].filter(Boolean).join(', ')}.${lastFix ? ` ${show(lastFix)}` : ''}` : ''}
      </p>
      {error ? <AppErrorAlert error={error} heading="The checks could not run" /> : null}
      {report ? (
        blocking.length === 0 ? (
          <Notice type="success">
            Nothing blocks IKE or ESP to either AWS endpoint.
            {open.length > 0 ? ` ${open.length === 1 ? 'One warning is' : `${open.length} warnings are`} worth a look below.` : ''}
          </Notice>
        ) : (
          <Notice type="error">
            {blocking.length === 1 ? 'One problem' : `${blocking.length} problems`} can stop the tunnels. Each has one fix below.
          </Notice>
        )
      ) : null}

      {causes.length > 0 ? (
        <section aria-labelledby="causes-heading" className="margin-top-2">
          <h3 id="causes-heading" className="tw-section-title">
            Needs attention
          </h3>
          <ul className="usa-list usa-list--unstyled tw-causes" aria-label="Problems found">
            {causes.map((c) => (
              <CauseCard key={c.id} c={c} findings={findings} names={names} masked={masked} />
            ))}
          </ul>
        </section>
      ) : null}

      {report ? (
        <section aria-labelledby="matrix-heading" className="margin-top-3 tw-matrix-wrap" data-testid="checks-matrix">
          <h3 id="matrix-heading" className="tw-section-title">
            Paths to the AWS endpoints
          </h3>
          <table className="usa-table usa-table--compact tw-matrix">
            <caption className="usa-sr-only">Whether each flow passes this gateway's firewall, per AWS endpoint and direction, and what the end-to-end probe saw</caption>
            <thead>
              <tr>
                <th scope="col" rowSpan={2}>
                  AWS endpoint
                </th>
                {(['udp500', 'udp4500', 'esp'] as const).map((flow) => (
                  <th scope="colgroup" colSpan={2} key={flow}>
                    {FLOW_NAMES[flow]}
                  </th>
                ))}
                <th scope="col" rowSpan={2}>
                  End to end
                </th>
              </tr>
              <tr>
                {(['udp500', 'udp4500', 'esp'] as const).flatMap((flow) => [
                  <th scope="col" key={`${flow}-in`}>
                    In<span className="usa-sr-only"> ({FLOW_NAMES[flow]} from AWS)</span>
                  </th>,
                  <th scope="col" key={`${flow}-out`}>
                    Out<span className="usa-sr-only"> ({FLOW_NAMES[flow]} to AWS)</span>
                  </th>,
                ])}
              </tr>
            </thead>
            <tbody>
              {peers.map((peer) => {
                const probe = toProbeCell(findings, peer)
                return (
                  <tr key={peer}>
                    <th scope="row">{toPeersWords([peer], names, show).replace(/^t/, 'T')}</th>
                    {(['udp500', 'udp4500', 'esp'] as const).flatMap((flow) =>
                      (['inbound', 'outbound'] as const).map((dir) => {
                        const id = `fw.${dir}.${flow}.${peer}`
                        return <Cell key={id} cell={toFlowCell(byId(id))} causeId={causeOf(id)} />
                      }),
                    )}
                    <Cell cell={probe} causeId={causeOf(probe.findingId)} />
                  </tr>
                )
              })}
            </tbody>
          </table>
          <p className="usa-hint tw-matrix__note">In: from AWS to the gateway. Out: from the gateway to AWS. End to end: a throwaway IKE exchange from the gateway (before apply), or the tunnel itself (after).</p>
          <h3 className="tw-section-title margin-top-2" id="settings-heading">
            On the gateway
          </h3>
          <table className="usa-table usa-table--compact tw-settings" aria-labelledby="settings-heading">
            <thead>
              <tr>
                {SETTINGS.map((s) => (
                  <th scope="col" key={s.id}>
                    {s.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              <tr>
                {SETTINGS.map((s) => (
                  <Cell key={s.id} cell={toSettingCell(byId(s.id), s.words)} causeId={causeOf(s.id)} />
                ))}
              </tr>
            </tbody>
          </table>
          <details className="tw-more margin-top-1">
            <summary>Every check ({findings.length}), with its evidence</summary>
            <ul className="usa-list usa-list--unstyled" aria-label="Check findings">
              {findings.map((f, i) => (
                <li key={`${f.id}#${i}`} className="tw-more__item">
                  <strong>
                    {toFindingLine(f, names, show)}: {f.verdict === 'allowed' || f.verdict === 'ok' ? 'passes' : f.verdict === 'blocked' ? 'blocked' : f.verdict === 'problem' ? 'problem' : 'undecided'}
                  </strong>{' '}
                  {show(f.why)}
                  {f.evidence.length > 0 ? <pre className="tw-pre tw-pre--small">{f.evidence.map(show).join('\n')}</pre> : null}
                </li>
              ))}
            </ul>
          </details>
        </section>
      ) : null}
      <StepNav step="checks" continueLabel="Continue to Review" />
    </section>
  )
}
