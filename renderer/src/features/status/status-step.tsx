import { useEffect, useId, useState } from 'react'
import type { AppError, Result, SaveOutcome } from '../../../../preload/api'
import type { ProfileId, TunnelStatusDto } from '../../../../preload/api'
import { call, hasBridge } from '../../bridge/bridge'
import { AppErrorAlert, Notice } from '../../components/app-error-alert'
import { HelpPanel } from '../../components/help-panel'
import { StepHeading } from '../../components/step-heading'
import { STEP_HELP } from '../../help/help-texts'
import { useProfileStore } from '../profile/profile-store'
import { MASK, useIpMasked } from '../safe-mode/safe-mode-store'
import { STEPS } from '../wizard/wizard-store'
import { toBytes, toDuration, toRate, useStatusStore, type Sample } from './status-store'
import { ThroughputChart } from './throughput-chart'

/** Where polled status comes from, in words. */
const SOURCE_NAMES = { vici: 'VICI', swanctl: 'swanctl --list-sas', stroke: 'ipsec statusall', libreswan: 'ipsec status' } as const

/** One tunnel's card: state, uptime, throughput, counters, SA count, probe, and what to do when it is not healthy. */
function TunnelCard({ t, samples, masked }: { readonly t: TunnelStatusDto; readonly samples: readonly Sample[]; readonly masked: boolean }) {
  const peer = masked ? MASK : t.peer
  const extraSas = t.childSaCount > 1 || t.ikeSaCount > 1
  // An id from React, not from the name: a name with a space ("tunnel 1") broke aria-labelledby.
  const headingId = useId()
  return (
    <article className="tw-card" aria-labelledby={headingId}>
      <h3 id={headingId}>
        {t.name} ({peer}): <span className={t.up ? 'text-green' : t.standby ? 'text-base-dark' : 'text-secondary-dark'}>{t.up ? 'up' : t.standby ? 'standing by' : 'down'}</span>
      </h3>
      <dl className="tw-facts">
        <dt>State</dt>
        <dd>
          IKE {t.ikeState ?? '—'}, child {t.childState ?? '—'}
          {t.natT ? ', behind NAT' : ''}
        </dd>
        <dt>Up for</dt>
        <dd>{toDuration(t.ikeAgeSec)}</dd>
        <dt>Now</dt>
        <dd>
          in {toRate(t.rates?.bytesInPerSec)}, out {toRate(t.rates?.bytesOutPerSec)}
        </dd>
        <dt>Since the last rekey</dt>
        <dd>
          in {toBytes(t.bytesIn)} ({t.packetsIn} packets), out {toBytes(t.bytesOut)} ({t.packetsOut} packets)
        </dd>
        <dt>Security associations</dt>
        <dd>
          {t.ikeSaCount} IKE, {t.childSaCount} child
        </dd>
        <dt>Health probe</dt>
        <dd>{t.probe ? (t.probe.ok ? `answers${t.probe.rttMs !== undefined ? ` in ${t.probe.rttMs} ms` : ''}` : `no answer${t.probe.detail ? `: ${t.probe.detail}` : ''}`) : 'no result yet'}</dd>
      </dl>
      {samples.length > 1 ? <ThroughputChart samples={samples} label={`${t.name} throughput`} /> : null}
      {t.standby ? <Notice type="info">Standing by: with policy-based routing AWS allows one tunnel up at a time. The other tunnel carries the traffic; your gateway brings this one up within about 15 seconds if the active one fails.</Notice> : null}
      {!t.up && !t.standby ? <Notice type="error">This tunnel is down. Your gateway must start it: check Checks for blocked UDP 500/4500 or ESP, and the activity log for a proposal or key mismatch.</Notice> : null}
      {t.up && t.bytesIn === 0 && t.bytesOut > 0 ? <Notice type="warning">Traffic leaves but nothing comes back: ESP is probably blocked inbound, or AWS has no route back to your network.</Notice> : null}
      {extraSas ? <Notice type="warning">More than one SA on this tunnel: AWS keeps one pair and deletes the rest after about 10 seconds. Summarize your CIDRs into one selector pair or use route-based routing.</Notice> : null}
    </article>
  )
}

/** Step 7: live status of every watched gateway — a standing dashboard. */
export default function StatusStep() {
  const { current, list, refreshList } = useProfileStore()
  const { watches, alerts, records, error, start, stop, loadRecords } = useStatusStore()
  const masked = useIpMasked()
  // Where the last export went (or why it did not): the save happens in main, so say so here.
  const [saved, setSaved] = useState<{ readonly text: string } | { readonly error: AppError } | undefined>(undefined)
  const showSaved = (what: string) => (r: Result<SaveOutcome>) => setSaved(r.ok ? { text: r.value.saved ? `${what} saved to ${r.value.path}.` : `${what}: not saved (cancelled).` } : { error: r.error })
  useEffect(() => {
    void refreshList()
    void loadRecords()
  }, [refreshList, loadRecords])
  const ids = new Set<string>([...(current ? [current.id] : []), ...Object.keys(watches)])
  const name = (id: string) => list.find((p) => p.id === id)?.name ?? (current?.id === id ? current.name : id)

  return (
    <section aria-labelledby="step-status">
      <StepHeading id="step-status" number={7} total={STEPS.length}>
        Live status
      </StepHeading>
      <HelpPanel topic={STEP_HELP.status} />
      {error ? <AppErrorAlert error={error} heading="Status could not start" /> : null}
      {list.length > 0 ? (
        <section aria-labelledby="saved-heading">
          <h3 id="saved-heading">Saved gateways</h3>
          <ul className="usa-list usa-list--unstyled">
            {list.map((p) => (
              <li key={p.id} className="margin-bottom-1">
                {p.name} ({masked ? MASK : p.host}){' '}
                {watches[p.id] ? (
                  <button type="button" className="usa-button usa-button--unstyled" onClick={() => void stop(p.id)}>
                    Stop watching {p.name}
                  </button>
                ) : (
                  <button type="button" className="usa-button usa-button--unstyled" onClick={() => void start(p.id)}>
                    Watch {p.name}
                  </button>
                )}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {ids.size === 0 ? <Notice type="info">No gateway yet. Save a connection in Details and connect in Gateway; it then appears here.</Notice> : null}
      {[...ids].map((id) => {
        const w = watches[id]
        return (
          <section key={id} aria-label={`Status of ${name(id)}`} className="margin-top-3">
            <h3>{name(id)}</h3>
            {!w ? (
              <button type="button" className="usa-button" onClick={() => void start(id as ProfileId)}>
                Start watching
              </button>
            ) : w.error ? (
              <AppErrorAlert error={w.error} heading="Status stopped" />
            ) : !w.snapshot ? (
              <p role="status">Waiting for the first status from the gateway…</p>
            ) : (
              <>
              <p className="usa-hint">{w.snapshot.source === 'vici' ? "Live: the gateway's IPsec daemon reports each change as it happens; counters refresh every 5 seconds." : `Read from the gateway every 5 seconds (${SOURCE_NAMES[w.snapshot.source]}).`}</p>
              <div className="tw-grid-2">
                {w.snapshot.tunnels.map((t) => (
                  <TunnelCard key={t.peer} t={t} samples={w.samples[t.peer] ?? []} masked={masked} />
                ))}
              </div>
              </>
            )}
          </section>
        )
      })}
      <section aria-labelledby="alerts-heading" className="margin-top-3">
        <h3 id="alerts-heading">Recent events</h3>
        {alerts.length === 0 ? (
          <p>No events yet.</p>
        ) : (
          <ul className="usa-list" aria-live="polite">
            {alerts.map((a) => (
              <li key={`${a.at}-${a.peer}-${a.kind}`}>
                {new Date(a.at).toLocaleTimeString()} — {a.name}: {a.detail}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="history-heading" className="margin-top-3">
        <h3 id="history-heading">History of changes</h3>
        {records.length === 0 ? (
          <p>No changes recorded yet.</p>
        ) : (
          <ul className="usa-list">
            {records.map((r) => (
              <li key={r.id}>
                {r.at}: {r.action} — {r.outcome}{' '}
                <button type="button" className="usa-button usa-button--unstyled" onClick={() => void call('exportChangeRecord', { recordId: r.id, format: 'markdown' }).then(showSaved('Change record'))}>
                  Export record of {r.at}
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>
      {hasBridge('exportDiagnostics') ? (
        <button type="button" className="usa-button usa-button--outline margin-top-3" onClick={() => void call('exportDiagnostics', current ? { profileId: current.id } : {}).then(showSaved('Diagnostics bundle'))}>
          Export diagnostics (secrets removed)
        </button>
      ) : null}
      <p role="status" className="usa-hint">
        {saved && 'text' in saved ? saved.text : ''}
      </p>
      {saved && 'error' in saved ? <AppErrorAlert error={saved.error} heading="The export failed" /> : null}
    </section>
  )
}
