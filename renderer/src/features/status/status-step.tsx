import { useEffect, useState } from 'react'
import type { AppError, ChangeRecordSummary, ProfileId, Result, SaveOutcome, StatusSnapshotDto, TunnelStatusDto } from '../../../../preload/api'
import { call, hasBridge } from '../../bridge/bridge'
import { AppErrorAlert, Notice } from '../../components/app-error-alert'
import { HelpPanel } from '../../components/help-panel'
import { StepHeading } from '../../components/step-heading'
import { STEP_HELP } from '../../help/help-texts'
import { useProfileStore } from '../profile/profile-store'
import { MASK, maskIps, useIpMasked } from '../safe-mode/safe-mode-store'
import { STEPS, useWizard } from '../wizard/wizard-store'
import { toAlertWords, useStatusStore, type Sample, type SeenState } from './status-store'
import { toAgo, toAlgorithmWords, toBgpWords, toBytes, toChangeWords, toOverall, toRate, toSince, toSpan, toStateWord, toWhen } from './status-words'
import { ThroughputChart } from './throughput-chart'
import { toVendorCommandWords, VENDOR_STATUS_LABELS, VendorWatchForm } from './vendor-watch'

/** Where polled status comes from, in words. */
const SOURCE_NAMES = { vici: 'VICI', swanctl: 'swanctl --list-sas', stroke: 'ipsec statusall', libreswan: 'ipsec status', vendor: "the device's show commands" } as const
const STATE_MARK = { Up: '✓', 'Standing by': '◐', Down: '✕' } as const
/** A tunnel's verdict in words (decided in the core, as the CLI's). */
const VERDICT_WORDS = { healthy: 'Healthy', standby: 'Standing by on purpose', down: 'Down: see the diagnosis below', unhealthy: 'Unhealthy: see the diagnosis below' } as const

/** Opens the activity log and moves focus to it (the down notice points there). */
function openActivity(): void {
  const d = document.getElementById('activity-details') as HTMLDetailsElement | null
  if (d) d.open = true
  document.getElementById('activity-heading')?.focus()
}

/** A change record in words. */
function toRecordWords(r: ChangeRecordSummary): string {
  if (r.action === 'rollback') return r.outcome === 'rolled-back' ? 'Rolled back to the previous configuration' : `Rollback ${r.outcome}`
  return { committed: 'Change applied and confirmed', 'no-change': 'Applied: nothing needed to change', reverted: 'Change reverted by the gateway (not confirmed in time)', 'rolled-back': 'Change rolled back', failed: 'Change failed: nothing kept' }[r.outcome] ?? `Change ${r.outcome}`
}

/** The board of one watched gateway: one line for the whole connection, one row per tunnel, charts on one scale. */
function Board({ snap, samples, seen, tunnelNo, healthTarget, masked }: { readonly snap: StatusSnapshotDto; readonly samples: Readonly<Record<string, readonly Sample[]>>; readonly seen: Readonly<Record<string, SeenState>>; readonly tunnelNo: (peer: string) => number | undefined; readonly healthTarget: string | undefined; readonly masked: boolean }) {
  const goTo = useWizard((s) => s.goTo)
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 5000)
    return () => clearInterval(t)
  }, [])
  const show = (t: string) => (masked ? maskIps(t) : t)
  const label = (t: TunnelStatusDto) => (tunnelNo(t.peer) ? `tunnel ${tunnelNo(t.peer)}` : t.name)
  const overall = toOverall(snap.tunnels, label, snap.at, now)
  const down = snap.tunnels.filter((t) => !t.up && !t.standby).map((t) => (tunnelNo(t.peer) ? `Tunnel ${tunnelNo(t.peer)}` : t.name))
  // Each tunnel's diagnoses once (a diagnosis about no tunnel in particular is listed under the first).
  const seenIds = new Set<string>()
  const diagnosed = snap.tunnels.flatMap((t) => (t.health?.diagnoses ?? []).map((d) => ({ t, d }))).filter(({ d }) => {
    const key = `${d.id}|${d.cause}`
    const fresh = !seenIds.has(key)
    seenIds.add(key)
    return fresh
  })
  const yMax = Math.max(1, ...Object.values(samples).flatMap((ss) => ss.flatMap((s) => [s[1], s[2]])))
  const probeWords = (t: TunnelStatusDto) => (!t.up ? '—' : snap.device ? 'None: read-only, nothing is sent into the tunnel' : t.probe ? (t.probe.ok ? `Answers${t.probe.rttMs !== undefined ? ` in ${t.probe.rttMs} ms` : ''} (${toWhen(t.probe.at, now)})` : `No answer${t.probe.detail ? `: ${t.probe.detail}` : ''} (${toWhen(t.probe.at, now)})`) : healthTarget ? `Waiting for the first probe of ${show(healthTarget)}` : 'Not set up (add a health-check target in Details)')
  return (
    <>
      <div className={`usa-alert usa-alert--${overall.tone} usa-alert--slim tw-overall`} data-testid="overall">
        <div className="usa-alert__body">
          <p className="usa-alert__text">
            <strong>{overall.text}</strong>
          </p>
        </div>
      </div>
      {snap.device ? (
        <p className="tw-readonly" data-testid="vendor-readonly">
          <span className="tw-badge tw-badge--info">Read-only</span> <span className="tw-badge tw-badge--info">Polling every {snap.device.intervalSec} s</span> {VENDOR_STATUS_LABELS[snap.device.kind]}: Tunnelwright runs {toVendorCommandWords(snap.device.kind)} over SSH and writes nothing to it.{' '}
          {snap.device.legacyAlgorithms.length > 0 ? <strong>Older SSH algorithms allowed for this device: {snap.device.legacyAlgorithms.join(', ')}.</strong> : 'Only current SSH algorithms are allowed.'}
        </p>
      ) : null}
      <table className="usa-table usa-table--compact tw-board">
        <caption className="usa-sr-only">Each tunnel's state, changes, traffic, algorithms, next rekey and health probe</caption>
        <thead>
          <tr>
            <th scope="col">Tunnel</th>
            <th scope="col">State</th>
            <th scope="col">Last change</th>
            <th scope="col">Traffic</th>
            <th scope="col">Algorithms</th>
            <th scope="col">Next rekey</th>
            <th scope="col">Health probe</th>
          </tr>
        </thead>
        <tbody>
          {snap.tunnels.map((t) => {
            const state = toStateWord(t)
            const watched = seen[t.peer]
            // Up: from the IKE SA's age. Otherwise: when this watch saw the state begin, else the daemon's last change for it.
            // A vendor device that reports no SA age: the first sample says only that it was up when the watch began.
            const ageUnknown = snap.device !== undefined && t.up && t.ikeAgeSec === undefined && watched?.since === undefined
            const since = ageUnknown ? undefined : t.up ? toSince(t, snap.at) : (watched?.since ?? (t.lastChange && toStateWord({ up: false, standby: t.lastChange.cause.startsWith('standing by') }) === state ? t.lastChange.at : undefined))
            // The daemon records no change from standing by to down: the watch does.
            const change = ageUnknown ? undefined : watched?.since !== undefined && (!t.lastChange || t.lastChange.at < watched.since) ? { at: watched.since, cause: `${watched.from === 'standby' ? 'Stopped standing by' : watched.from === 'up' ? 'Went down' : 'Changed'}: now ${state.toLowerCase()}` } : t.lastChange
            const no = tunnelNo(t.peer)
            return (
              <tr key={t.peer} className={`tw-board__row tw-board__row--${state === 'Up' ? 'up' : state === 'Down' ? 'down' : 'standby'}`} data-peer={t.peer} data-name={t.name} data-state={state === 'Up' ? 'up' : state === 'Down' ? 'down' : 'standby'}>
                <th scope="row">
                  {no ? `Tunnel ${no}` : t.name}
                  <span className="tw-board__sub">
                    {t.name} · {masked ? MASK : t.peer}
                  </span>
                  {t.bgp ? (
                    <span className="tw-board__sub" data-testid="bgp-neighbour">
                      BGP neighbour <span className="tw-nowrap">{t.bgp.neighbor}</span>
                      {t.bgp.remoteAs !== undefined ? (
                        <>
                          , <span className="tw-nowrap">AS {t.bgp.remoteAs}</span>
                        </>
                      ) : null}
                    </span>
                  ) : null}
                </th>
                <td>
                  <span className={`tw-state tw-state--${state === 'Up' ? 'up' : state === 'Down' ? 'down' : 'standby'}`}>
                    <span aria-hidden="true">{STATE_MARK[state]}</span> {state}
                  </span>
                  <span className="tw-board__sub">{since !== undefined ? `since ${toWhen(since, now)} (${toSpan((now - since) / 1000)})` : state === 'Down' ? 'since before this watch began' : ageUnknown ? 'since before this watch began (the device does not say when)' : ''}</span>
                  {t.deviceState ? <span className="tw-board__sub">device says {t.deviceState}</span> : null}
                  {/* The verdict judges IPsec; a BGP VPN's session has its own line below, so the verdict says which layer it speaks for. */}
                  {t.health && t.health.verdict !== 'down' && t.health.verdict !== 'standby' ? <span className={`tw-board__sub tw-verdict tw-verdict--${t.health.verdict}`}>{t.bgp && t.health.verdict === 'healthy' ? 'IPsec healthy' : VERDICT_WORDS[t.health.verdict]}</span> : null}
                  {t.bgp ? (
                    <span className="tw-bgp" data-testid="bgp">
                      <span className={`tw-board__sub tw-bgp__head${t.bgp.established ? '' : ' tw-board__sub--alert'}`}>{toBgpWords(t.bgp).head}</span>
                      <span className="tw-board__sub tw-bgp__detail">{toBgpWords(t.bgp).detail}</span>
                    </span>
                  ) : null}
                </td>
                <td>
                  {change ? (
                    <>
                      {toChangeWords(change.cause)}
                      <span className="tw-board__sub">
                        {toWhen(change.at, now)}, {toAgo(change.at, now)}
                      </span>
                    </>
                  ) : ageUnknown ? (
                    <span className="tw-board__sub">none seen since this watch began</span>
                  ) : (
                    '—'
                  )}
                </td>
                <td>
                  {t.up ? (
                    <>
                      in {toRate(t.rates?.bytesInPerSec)}, out {toRate(t.rates?.bytesOutPerSec)}
                      <span className="tw-board__sub">
                        since rekey: in {toBytes(t.bytesIn)} ({t.packetsIn} packets), out {toBytes(t.bytesOut)} ({t.packetsOut} packets)
                      </span>
                    </>
                  ) : (
                    '—'
                  )}
                </td>
                <td>
                  {t.ikeAlgorithms || t.childAlgorithms ? (
                    <>
                      IKE {snap.device && !t.ikeAlgorithms ? 'not in the device output' : toAlgorithmWords(t.ikeAlgorithms)}
                      <span className="tw-board__sub">
                        ESP {toAlgorithmWords(t.childAlgorithms)}
                        {t.natT ? ', in UDP 4500' : ''}
                      </span>
                    </>
                  ) : (
                    '—'
                  )}
                </td>
                <td>{t.up && t.nextRekeySec !== undefined ? <>in {toSpan(t.nextRekeySec)}<span className="tw-board__sub">at {toWhen(snap.at + t.nextRekeySec * 1000, now)}</span></> : '—'}</td>
                <td>{probeWords(t)}</td>
              </tr>
            )
          })}
        </tbody>
      </table>
      <p className="usa-hint tw-board__source">{snap.mode === 'events' ? "Live: the gateway's IPsec daemon reports each change as it happens; counters refresh every 5 seconds." : snap.device ? `Polled every ${snap.device.intervalSec} seconds (the device's ${toVendorCommandWords(snap.device.kind).replace(/^its /, '')}; the device has no event feed).` : `Read from the gateway every 5 seconds (${SOURCE_NAMES[snap.source]}).`} Last update {toWhen(snap.at, now)}.</p>
      {diagnosed.length > 0 ? (
        <section aria-labelledby={`diag-${snap.watchId}`} className="tw-diagnosis">
          <h4 id={`diag-${snap.watchId}`} className="tw-card__title">
            Diagnosis
          </h4>
          <ul className="usa-list usa-list--unstyled">
            {diagnosed.map(({ t, d }) => (
              <li key={`${t.peer}-${d.id}`} className={`tw-diagnosis__item tw-diagnosis__item--${d.severity}`}>
                <strong>
                  {tunnelNo(t.peer) ? `Tunnel ${tunnelNo(t.peer)}` : t.name}: {show(d.cause)}
                </strong>
                <span className="tw-diagnosis__fix">Fix: {show(d.fix)}</span>
                {d.evidence.length > 0 ? <span className="tw-board__sub">Seen: {show(d.evidence.join(' · '))}</span> : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {down.length > 0 && !snap.device ? (
        <Notice type="error">
          {down.length === 1 ? `${down[0]} is down. Your gateway must start it` : `${down.join(' and ')} are down. Your gateway must start them`}: look for a blocked UDP 500, UDP 4500 or ESP in{' '}
          <button type="button" className="usa-button usa-button--unstyled" onClick={() => goTo('checks')}>
            Checks
          </button>
          , and for a proposal or key mismatch in the{' '}
          <button type="button" className="usa-button usa-button--unstyled" onClick={openActivity}>
            activity log below
          </button>
          .
        </Notice>
      ) : null}
      {snap.tunnels.map((t) => {
        const no = tunnelNo(t.peer)
        const name = no ? `Tunnel ${no}` : t.name
        if (t.up && t.bytesIn === 0 && t.bytesOut > 0)
          return (
            <Notice type="warning" key={`${t.peer}-oneway`}>
              {name}: traffic leaves but nothing comes back. ESP (or UDP 4500) is probably blocked inbound, or AWS has no route back to your network.
            </Notice>
          )
        if (t.childSaCount > 1 || t.ikeSaCount > 1)
          return (
            <Notice type="warning" key={`${t.peer}-sas`}>
              {name}: more than one SA ({t.ikeSaCount} IKE, {t.childSaCount} child). AWS keeps one pair and deletes the rest after about 10 seconds: summarize your CIDRs into one selector pair or use route-based routing.
            </Notice>
          )
        return null
      })}
      <div className="tw-charts" role="group" aria-label="Throughput">
        {snap.tunnels.map((t) => {
          const no = tunnelNo(t.peer)
          const ss = samples[t.peer] ?? []
          return ss.length > 1 ? <ThroughputChart key={t.peer} samples={ss} label={`${no ? `Tunnel ${no}` : t.name} throughput`} yMax={yMax} /> : null
        })}
      </div>
      <details className="tw-more">
        <summary>Security associations and SPIs</summary>
        <table className="usa-table usa-table--compact usa-table--borderless" aria-label="Security associations">
          <thead>
            <tr>
              <th scope="col">Tunnel</th>
              <th scope="col">IKE SA</th>
              <th scope="col">Child SA</th>
              <th scope="col">SPIs (in / out)</th>
              <th scope="col">SA count</th>
            </tr>
          </thead>
          <tbody>
            {snap.tunnels.map((t) => (
              <tr key={t.peer}>
                <th scope="row">{tunnelNo(t.peer) ? `Tunnel ${tunnelNo(t.peer)}` : t.name}</th>
                <td>{t.ikeState ?? '—'}</td>
                <td>{t.childState ?? '—'}</td>
                <td>{t.spiIn && t.spiOut ? `${t.spiIn} / ${t.spiOut}` : '—'}</td>
                <td>
                  {t.ikeSaCount} IKE, {t.childSaCount} child
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </>
  )
}

/** Step 7: live status — a board per watched gateway, then events, history and the activity log. */
export default function StatusStep() {
  const { current, list, refreshList } = useProfileStore()
  const { watches, alerts, records, activity, error, start, stop, loadRecords } = useStatusStore()
  const masked = useIpMasked()
  const show = (t: string) => (masked ? maskIps(t) : t)
  // Where the last export went (or why it did not): the save happens in main, so say so here.
  const [saved, setSaved] = useState<{ readonly text: string } | { readonly error: AppError } | undefined>(undefined)
  const showSaved = (what: string) => (r: Result<SaveOutcome>) => setSaved(r.ok ? { text: r.value.saved ? `${what} saved to ${r.value.path}.` : `${what}: not saved (cancelled).` } : { error: r.error })
  useEffect(() => {
    void refreshList()
    void loadRecords()
  }, [refreshList, loadRecords])
  const ids = new Set<string>([...(current ? [current.id] : []), ...Object.keys(watches)])
  const name = (id: string) => list.find((p) => p.id === id)?.name ?? (current?.id === id ? current.name : id)
  const tunnelNo = (id: string) => (peer: string) => {
    const i = current?.id === id ? current.details.remote.tunnels.findIndex((t) => t.outsideIp === peer) : -1
    return i >= 0 ? i + 1 : undefined
  }

  return (
    <section aria-labelledby="step-status">
      <StepHeading id="step-status" number={7} total={STEPS.length}>
        Live status
      </StepHeading>
      <HelpPanel topic={STEP_HELP.status} />
      {error ? <AppErrorAlert error={error} heading="Status could not start" /> : null}
      {ids.size === 0 ? <Notice type="info">No gateway yet. Save a connection in Details and connect in Gateway; it then appears here.</Notice> : null}
      {[...ids].map((id) => {
        const w = watches[id]
        return (
          <section key={id} aria-label={`Status of ${name(id)}`} className="margin-top-2">
            <div className="tw-board__head">
              <h3 className="tw-section-title">{name(id)}</h3>
              {w ? (
                <button type="button" className="usa-button usa-button--unstyled" onClick={() => void stop(id as ProfileId)}>
                  Stop watching
                </button>
              ) : null}
            </div>
            {!w ? (
              <>
                <button type="button" className="usa-button" onClick={() => void start(id as ProfileId)}>
                  Start watching
                </button>
                <span className="usa-hint margin-left-1">a Linux or pfSense gateway connected in step 3</span>
                <VendorWatchForm profileId={id as ProfileId} />
              </>
            ) : w.error ? (
              <>
                <AppErrorAlert error={w.error} heading="Status stopped" />
                <VendorWatchForm profileId={id as ProfileId} />
              </>
            ) : !w.snapshot ? (
              <p role="status">Waiting for the first status from the gateway…</p>
            ) : (
              <Board snap={w.snapshot} samples={w.samples} seen={w.seen} tunnelNo={tunnelNo(id)} healthTarget={current?.id === id ? current.details.health?.target : undefined} masked={masked} />
            )}
          </section>
        )
      })}
      {list.filter((p) => !ids.has(p.id)).length > 0 ? (
        <section aria-labelledby="saved-heading" className="margin-top-3">
          <h3 id="saved-heading" className="tw-section-title">
            Other saved gateways
          </h3>
          <ul className="usa-list usa-list--unstyled">
            {list
              .filter((p) => !ids.has(p.id))
              .map((p) => (
                <li key={p.id} className="margin-bottom-1">
                  {p.name} ({masked ? MASK : p.host}){' '}
                  <button type="button" className="usa-button usa-button--unstyled" onClick={() => void start(p.id)}>
                    Watch {p.name}
                  </button>
                </li>
              ))}
          </ul>
        </section>
      ) : null}
      <section aria-labelledby="alerts-heading" className="margin-top-3">
        <h3 id="alerts-heading" className="tw-section-title">
          Recent events
        </h3>
        {alerts.length === 0 ? (
          <p className="usa-hint">No events yet: a tunnel going down or coming back shows here (and as a desktop notification).</p>
        ) : (
          <ul className="usa-list usa-list--unstyled tw-events" aria-live="polite">
            {alerts.map((a) => (
              <li key={`${a.at}-${a.peer}-${a.kind}`}>
                <span className="tw-events__time">{toWhen(a.at)}</span> {a.name}: {show(toAlertWords(a))}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="history-heading" className="margin-top-3">
        <h3 id="history-heading" className="tw-section-title">
          History of changes
        </h3>
        {records.length === 0 ? (
          <p className="usa-hint">No changes recorded yet.</p>
        ) : (
          <table className="usa-table usa-table--compact usa-table--borderless tw-history">
            <caption className="usa-sr-only">Changes made to gateways, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">What</th>
                <th scope="col">Connection</th>
                <th scope="col">Record</th>
              </tr>
            </thead>
            <tbody>
              {records.map((r) => (
                <tr key={r.id}>
                  <td>
                    {toWhen(Date.parse(r.at))}
                    <span className="tw-board__sub">{toAgo(Date.parse(r.at))}</span>
                  </td>
                  <td>
                    {toRecordWords(r)}
                    {r.via === 'cli' ? <span className="tw-badge tw-badge--info">command line</span> : null}
                  </td>
                  <td>{r.profileName}</td>
                  <td>
                    <button type="button" className="usa-button usa-button--unstyled" aria-label={`Export the record of ${toRecordWords(r).toLowerCase()}, ${toWhen(Date.parse(r.at))}`} onClick={() => void call('exportChangeRecord', { recordId: r.id, format: 'markdown' }).then(showSaved('Change record'))}>
                      Export
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="activity-heading" className="margin-top-3">
        <h3 id="activity-heading" className="tw-section-title" tabIndex={-1}>
          Activity log
        </h3>
        {activity.length === 0 ? <p className="usa-hint">Nothing recorded yet: connects, checks, fixes and changes are written here.</p> : null}
        <details className="tw-more" id="activity-details" hidden={activity.length === 0}>
          <summary>The last {activity.length} entries (connects, checks, fixes, changes; secrets removed)</summary>
          <ul className="usa-list usa-list--unstyled tw-events">
            {activity.map((e, i) => (
              <li key={`${e.at}-${i}`}>
                <span className="tw-events__time">{toWhen(Date.parse(e.at))}</span> {e.action}: {e.outcome}
                {e.detail ? ` — ${show(e.detail)}` : ''}
              </li>
            ))}
          </ul>
        </details>
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
