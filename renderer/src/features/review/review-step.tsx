import { useEffect, useId } from 'react'
import type { ChangeSummaryDto, FileChangeDto, PlanDto, PreviewFile, RoutingBasis, TunnelSummaryDto } from '../../../../preload/api'
import { AppErrorAlert, Notice } from '../../components/app-error-alert'
import { HelpPanel } from '../../components/help-panel'
import { JobActions } from '../../components/job-actions'
import { StepHeading } from '../../components/step-heading'
import { STEP_HELP } from '../../help/help-texts'
import { useChecksStore } from '../checks/checks-store'
import { useGatewayStore } from '../gateway/gateway-store'
import { DEVICE_LABELS } from '../request/request-model'
import { maskIps, useIpMasked } from '../safe-mode/safe-mode-store'
import { StepNav } from '../wizard/step-nav'
import { STEPS, useWizard } from '../wizard/wizard-store'
import { DiffView } from './diff-view'
import { VendorConfigSection } from './vendor-config'
import { CONFIRM_WINDOWS, usePlanStore } from './plan-store'

const ACTIONS = { create: 'New file', update: 'Changed', unchanged: 'Unchanged', remove: 'Removed', 'append-line': 'One line added' } as const
const BASIS_WORDS: Readonly<Record<RoutingBasis, string>> = { details: 'as the details say', override: 'as chosen', gateway: "chosen from the gateway's kernel", assumed: 'assumed (no gateway inspected)' }

/** "8 h (28,800 s)" */
function toLifetime(sec: number): string {
  const h = sec / 3600
  const words = Number.isInteger(h) ? `${h} h` : sec % 60 === 0 ? `${sec / 60} min` : `${sec} s`
  return `${words} (${sec.toLocaleString('en-US')} s)`
}

/** One tunnel in plain words: peer, what it carries, crypto, lifetimes, what starts it and keeps it up. */
function TunnelSummaryCard({ t, show }: { readonly t: TunnelSummaryDto; readonly show: (s: string) => string }) {
  const id = useId()
  return (
    <article className="tw-card tw-tunnel-summary" aria-labelledby={id}>
      <h4 id={id} className="tw-card__title">
        Tunnel {t.index}: {t.name}
        {t.role === 'active' ? <span className="tw-badge tw-badge--ok">active</span> : t.role === 'standby' ? <span className="tw-badge tw-badge--info">standing by</span> : null}
      </h4>
      <dl className="tw-dl">
        <dt>AWS endpoint</dt>
        <dd>{show(t.peer)}</dd>
        <dt>Inside /30</dt>
        <dd>
          {t.insideCidr}: gateway {t.insideLocal}, AWS {t.insideAws}
        </dd>
        {t.selectors ? (
          <>
            <dt>Carries</dt>
            <dd>
              {show(t.selectors.local.join(', '))} ↔ {show(t.selectors.remote.join(', '))}
              <span className="tw-dd-note"> (policy-based selectors: yours ↔ the provider's)</span>
            </dd>
          </>
        ) : t.tunnelInterface ? (
          <>
            <dt>Interface</dt>
            <dd>
              {t.tunnelInterface.name}, {t.bgp ? 'routes learned by BGP' : `routes ${show(t.tunnelInterface.routes.join(', '))}`}
            </dd>
            {t.bgp ? (
              <>
                <dt>BGP</dt>
                <dd>
                  neighbour {t.bgp.neighbor}, {t.bgp.remoteAs === 'external' ? 'any ASN but ours' : `AS ${t.bgp.remoteAs}`}
                </dd>
              </>
            ) : null}
          </>
        ) : null}
        <dt>Phase 1</dt>
        <dd>{t.ike}</dd>
        <dt>Phase 2</dt>
        <dd>{t.esp}</dd>
        <dt>Lifetimes</dt>
        <dd>
          phase 1 {toLifetime(t.ikeLifetimeSec)}, phase 2 {toLifetime(t.ipsecLifetimeSec)}
        </dd>
        <dt>Starts</dt>
        <dd>{t.starts}</dd>
        <dt>Kept up by</dt>
        <dd>
          <ul className="tw-dd-list">
            {t.keepsUp.map((k) => (
              <li key={k}>{k}</li>
            ))}
          </ul>
        </dd>
      </dl>
    </article>
  )
}

/** A BGP VPN's speaker at a glance: our ASN, the neighbours, what goes out and what comes in, the timers. */
function BgpSummaryCard({ bgp, tunnels, pfsense, show }: { readonly bgp: NonNullable<ChangeSummaryDto['bgp']>; readonly tunnels: ChangeSummaryDto['tunnels']; readonly pfsense: boolean; readonly show: (s: string) => string }) {
  const id = useId()
  const remote = [...new Set(tunnels.flatMap((t) => (t.bgp ? [t.bgp.remoteAs === 'external' ? 'any ASN but ours' : `AS ${t.bgp.remoteAs}`] : [])))]
  return (
    <article className="tw-card tw-bgp-summary" aria-labelledby={id}>
      <h4 id={id} className="tw-card__title">
        {pfsense ? "BGP in pfSense's FRR package" : 'BGP in FRR on the gateway'}
      </h4>
      <dl className="tw-dl">
        <dt>Our ASN</dt>
        <dd>AS {bgp.asn}</dd>
        <dt>Neighbours</dt>
        <dd>{tunnels.flatMap((t) => (t.bgp ? [`${t.bgp.neighbor} (tunnel ${t.index})`] : [])).join(', ')}</dd>
        <dt>AWS&apos;s ASN</dt>
        <dd>{remote.join(', ')}</dd>
        <dt>Advertises</dt>
        <dd>{show(bgp.advertise.join(', '))}</dd>
        <dt>Accepts only</dt>
        <dd>{show(bgp.accept.join(', '))}</dd>
        <dt>Timers</dt>
        <dd>
          keepalive {bgp.keepaliveSec} s, hold {bgp.holdSec} s
        </dd>
      </dl>
      <p className="tw-dd-note margin-bottom-0">
        BGP picks the tunnel and moves traffic when one fails.{' '}
        {pfsense
          ? "Only Tunnelwright's neighbours, prefix lists and networks in the package's settings change; the package restarts FRR to apply them, so the box's other BGP or OSPF sessions drop once."
          : "Only Tunnelwright's section of /etc/frr/frr.conf changes; FRR reloads without a restart."}
      </p>
    </article>
  )
}

/** The plan's summary: the device, routing and both tunnels. */
export function ChangeSummaryView({ s, basis, show }: { readonly s: ChangeSummaryDto; readonly basis: RoutingBasis; readonly show: (t: string) => string }) {
  return (
    <section aria-labelledby="summary-heading" className="margin-top-2">
      <h3 id="summary-heading" className="tw-section-title">
        What this change sets up
      </h3>
      <p className="tw-summary-line">
        {DEVICE_LABELS[s.kind]} {s.version} on the gateway, <strong>{s.routing === 'route' ? 'route-based' : 'policy-based'}</strong> ({BASIS_WORDS[basis]}).{' '}
        {s.tunnels[1].role === 'standby' ? 'Tunnel 1 carries the traffic; tunnel 2 stands by and takes over if tunnel 1 fails.' : 'Both tunnels come up and carry traffic.'} IKE identity {show(s.localId)}
        {s.localAddress !== s.localId ? `, sent from ${show(s.localAddress)} (behind NAT)` : ''}.{s.keepalive ? ` Keepalive: ${show(s.keepalive)}.` : ''}
      </p>
      {s.bgp ? <BgpSummaryCard bgp={s.bgp} tunnels={s.tunnels} pfsense={s.kind === 'pfsense'} show={show} /> : null}
      <div className="tw-grid-2">
        {s.tunnels.map((t) => (
          <TunnelSummaryCard key={t.index} t={t} show={show} />
        ))}
      </div>
    </section>
  )
}

function lineCount(text: string): number {
  return text === '' ? 0 : text.replace(/\n$/, '').split('\n').length
}

/** One file the change writes: its content or diff, on demand. Secret-bearing files show everything but the keys. */
function FileSection({ c, f, masked }: { readonly c: FileChangeDto; readonly f: PreviewFile | undefined; readonly masked: boolean }) {
  const show = (t: string) => (masked ? maskIps(t) : t)
  const content = f?.content
  const useContent = content !== undefined && (c.secret || c.action === 'create' || c.action === 'unchanged')
  return (
    <section className="tw-file-change" aria-label={`Change to ${c.path}`}>
      <h4 className="tw-file-change__title">
        <code>{c.path}</code> — {ACTIONS[c.action]}
      </h4>
      {f?.role ? <p className="tw-file-change__role">{f.role}</p> : null}
      <details className="tw-more">
        <summary>
          {useContent ? `Show the file (${lineCount(content)} lines)` : c.diff ? `Show the change (${lineCount(c.diff)} lines of diff)` : 'Nothing to show'}
          {c.secret ? ' — pre-shared keys cut' : ''}
        </summary>
        {c.secret ? <p className="usa-hint">This file holds the pre-shared keys: they are cut here ([redacted: the pre-shared key]); everything else is exactly what the gateway gets. The gateway's copy is compared by hash and never read back.</p> : null}
        {useContent ? (
          <pre className="tw-diff" aria-label={`Content of ${c.path}`} tabIndex={0}>
            {show(content)}
          </pre>
        ) : c.diff ? (
          <DiffView diff={c.diff} label={`Diff of ${c.path}`} masked={masked} />
        ) : null}
      </details>
      {!useContent && content !== undefined && c.diff ? (
        <details className="tw-more">
          <summary>Show the whole file after the change ({lineCount(content)} lines)</summary>
          <pre className="tw-diff" aria-label={`Content of ${c.path}`} tabIndex={0}>
            {show(content)}
          </pre>
        </details>
      ) : null}
    </section>
  )
}

/** The plan's files: a table to read at a glance, each file on demand below it. */
function FilesView({ plan, masked }: { readonly plan: PlanDto; readonly masked: boolean }) {
  const byPath = new Map((plan.files ?? []).map((f) => [f.path, f] as const))
  const changed = plan.changes.filter((c) => c.action !== 'unchanged').length
  return (
    <section aria-labelledby="files-heading" className="margin-top-3">
      <h3 id="files-heading" className="tw-section-title">
        Files on the gateway ({changed} of {plan.changes.length} change)
      </h3>
      <table className="usa-table usa-table--compact usa-table--borderless tw-files">
        <caption className="usa-sr-only">Every file the change writes, what it is for, and what happens to it</caption>
        <thead>
          <tr>
            <th scope="col">File</th>
            <th scope="col">What it is</th>
            <th scope="col">Change</th>
          </tr>
        </thead>
        <tbody>
          {plan.changes.map((c) => (
            <tr key={c.path}>
              <th scope="row">
                <code>{c.path}</code>
              </th>
              <td>{byPath.get(c.path)?.role ?? (c.action === 'append-line' ? 'includes our files from the main configuration' : '')}</td>
              <td>
                {ACTIONS[c.action]}
                {c.secret ? ', holds the keys' : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {plan.changes.map((c) => (
        <FileSection key={c.path} c={c} f={byPath.get(c.path)} masked={masked} />
      ))}
    </section>
  )
}

/** Step 5: the change in plain words first, then every file, and the confirm-or-revert window. */
export default function ReviewStep() {
  const { plan, planning, planError, confirmWithinSec, makePlan, setConfirmWithin, cancel } = usePlanStore()
  const connected = useGatewayStore((s) => s.phase === 'connected')
  const checks = useChecksStore()
  const complete = useWizard((s) => s.complete)
  const goTo = useWizard((s) => s.goTo)
  const masked = useIpMasked()
  const show = (t: string) => (masked ? maskIps(t) : t)
  const selectId = useId()
  // Review opens on the change itself: prepared as soon as the step opens on a connected gateway.
  useEffect(() => {
    if (!plan && !planning && !planError && connected) void makePlan()
  }, [])
  const blocking = checks.causes.filter((c) => !c.resolved && c.severity === 'error').length
  return (
    <section aria-labelledby="step-review">
      <StepHeading id="step-review" number={5} total={STEPS.length}>
        Review the change
      </StepHeading>
      <HelpPanel topic={STEP_HELP.review} />
      <JobActions startLabel={plan ? 'Prepare the change again' : 'Prepare the change'} startDisabled={planning !== undefined} running={planning !== undefined} onStart={() => void makePlan()} onCancel={() => void cancel()} />
      <p role="status" className="usa-hint">
        {planning ? 'Rendering the configuration and reading the current files on the gateway…' : plan ? (plan.noop ? 'Nothing to change: the gateway already has this configuration.' : `${plan.changes.filter((c) => c.action !== 'unchanged').length} files will change.`) : ''}
      </p>
      {planError ? (
        <>
          <AppErrorAlert error={planError} heading="The change could not be prepared" />
          {planError.code === 'details-lint-errors' ? (
            <button type="button" className="usa-button usa-button--outline margin-top-1" onClick={() => goTo('details')}>
              Go to Details
            </button>
          ) : planError.code === 'not-connected' ? (
            <button type="button" className="usa-button usa-button--outline margin-top-1" onClick={() => goTo('gateway')}>
              Go to Gateway
            </button>
          ) : null}
        </>
      ) : null}
      {plan ? (
        <>
          {plan.summary ? <ChangeSummaryView s={plan.summary} basis={plan.routingBasis} show={show} /> : null}
          {plan.warnings.length > 0 ? (
            <ul className="usa-list usa-list--unstyled margin-top-2" aria-label="Warnings about these details">
              {plan.warnings.map((w) => (
                <li key={`${w.id}${w.path}`}>
                  <Notice type="warning">
                    <strong>{show(w.message)}</strong> {show(w.fix)}
                  </Notice>
                </li>
              ))}
            </ul>
          ) : null}
          {plan.notes.length > 0 ? (
            <details className="tw-more margin-top-2">
              <summary>Notes on this configuration ({plan.notes.length})</summary>
              <ul className="usa-list">
                {plan.notes.map((n) => (
                  <li key={n}>{show(n)}</li>
                ))}
              </ul>
            </details>
          ) : null}
          <FilesView plan={plan} masked={masked} />
          <div className="usa-form-group">
            <label className="usa-label" htmlFor={selectId}>
              Confirm-or-revert window
            </label>
            <div className="usa-hint" id={`${selectId}-hint`}>
              Tunnelwright confirms the change by itself once the tunnels are verified. If it cannot (the change cut off the connection, the tunnels did not come up), the gateway restores the previous configuration by itself when this time runs out.
            </div>
            <select id={selectId} className="usa-select" aria-describedby={`${selectId}-hint`} value={confirmWithinSec} onChange={(e) => setConfirmWithin(Number(e.target.value))}>
              {CONFIRM_WINDOWS.map((s) => (
                <option key={s} value={s}>
                  {s < 120 ? `${s} seconds` : `${s / 60} minutes`}
                </option>
              ))}
            </select>
          </div>
          <p className="usa-hint margin-top-2">{checks.report === undefined ? 'The checks have not run: Apply will ask you to confirm before it changes anything.' : blocking > 0 ? `The checks found ${blocking === 1 ? 'a problem' : `${blocking} problems`} that can stop the tunnels: Apply will ask you to confirm.` : 'The checks found nothing that blocks the tunnels.'}</p>
        </>
      ) : null}
      <VendorConfigSection />
      <StepNav step="review" canContinue={plan !== undefined && !plan.noop} continueLabel="Continue to Apply" onContinue={() => complete('review')} />
    </section>
  )
}
