// Live status: events from charon (VICI over SSH stream-local forwarding) when the gateway allows it,
// polling otherwise; a reading is emitted whenever a tunnel's state changes, with the alerts it raises.
import type { Duplex } from 'node:stream'
import type { GatewayShell } from '../gateway/shell'
import type { Details } from '../details/model'
import type { GatewayFacts } from '../gateway/detect'
import { ViciClient, type ViciSubscription } from '../vici/client'
import { toAlerts, type AlertEvent } from './alerts'
import { diagnose } from './diagnosis'
import { toSnapshot, type StatusSnapshot, type TunnelStatus } from './model'
import { keepBgpSessions } from './frr-bgp'
import { holdsOneTunnel, readStatus, type StatusReading } from './read'
import { parseViciListSas } from './vici-sas'

/** One emitted change: the reading, what raised it, and the alerts (tunnel down/up, one-way, SA count). */
export interface StatusChange extends StatusReading {
  readonly trigger: 'initial' | 'event' | 'poll'
  readonly alerts: readonly AlertEvent[]
  /** Which mechanism delivers changes: charon's own events, or periodic polling. */
  readonly mode: 'events' | 'polling'
}

/** The part of a tunnel whose change is worth an emitted reading (counters alone are not; a BGP session going down or up is). */
function stateKey(t: TunnelStatus): string {
  return [t.peer, t.up, t.standby === true, t.ikeState, t.childState, t.childUniqueId, t.ikeSaCount, t.childSaCount, t.probe?.ok, t.bgp?.established].join('|')
}

function changed(a: StatusSnapshot | undefined, b: StatusSnapshot): boolean {
  return a === undefined || a.tunnels.map(stateKey).join('\n') !== b.tunnels.map(stateKey).join('\n')
}

/**
 * Watches until `signal` aborts. With `openVici` (a stream to charon's VICI socket), charon's ike/child
 * up-down and rekey events trigger a fresh sample at once; `intervalMs` polling refreshes counters and
 * catches what events cannot (a peer that silently stopped answering). Resolves when stopped.
 */
export async function watchStatus(
  shell: GatewayShell,
  details: Details,
  facts: GatewayFacts,
  opts: {
    readonly signal: AbortSignal
    readonly onChange: (c: StatusChange) => void
    readonly openVici?: () => Promise<Duplex>
    readonly intervalMs?: number
    readonly names?: readonly [string, string]
    /** Emit every sample, not only changes (the UI's counters and chart). */
    readonly everySample?: boolean
  },
): Promise<void> {
  const history: StatusSnapshot[] = []
  /** The kernel's XfrmInTmplMismatch at the last polled sample: a rise between samples is a drop happening now. */
  let lastXfrm: number | undefined
  let vici: ViciClient | undefined
  let events: ViciClient | undefined
  if (opts.openVici) {
    try {
      vici = new ViciClient(await opts.openVici(), { timeoutMs: 15_000 })
      events = new ViciClient(await opts.openVici(), { timeoutMs: 15_000 })
    } catch {
      vici?.close()
      vici = undefined
      events = undefined
    }
  }
  // Subscribed before the first reading: a change right after it waits in the subscription's queue instead
  // of going unseen until the next poll (measured: the first flip after a watch started took 14.6 s).
  let sub: ViciSubscription | undefined
  if (events) {
    try {
      sub = await events.subscribe(['ike-updown', 'child-updown', 'ike-rekey', 'child-rekey'])
    } catch {
      events.close()
      events = undefined
    }
  }
  const mode = sub ? 'events' : 'polling'
  const peers = details.remote.tunnels.map((t) => t.outsideIp)
  const expected = peers.map((peer, i) => ({ peer, name: opts.names?.[i] ?? `tunnel ${i + 1}` }))
  const oneActive = holdsOneTunnel(facts, details)

  const sample = async (trigger: StatusChange['trigger']) => {
    let reading: StatusReading
    // charon's events get a quick VICI sample; the initial sample and every poll read the whole picture in one
    // round trip (probes through each tunnel, the daemon log, the kernel's drop counters).
    if (vici && !vici.isClosed && trigger === 'event') {
      const sas = parseViciListSas(await vici.listSas()).filter((s) => peers.includes(s.remoteHost))
      const prev = history[history.length - 1]
      const snapshot = keepBgpSessions(toSnapshot(sas, { at: Date.now(), source: 'vici', expected, oneActive, ...(prev ? { previous: prev } : {}) }), prev)
      reading = { snapshot, diagnoses: diagnose({ snapshots: [...history, snapshot] }) }
    } else {
      reading = await readStatus(shell, details, facts, { previous: history, ...(opts.names ? { names: opts.names } : {}), ...(lastXfrm === undefined ? {} : { previousXfrmInTmplMismatch: lastXfrm }) })
      if (reading.xfrmInTmplMismatch !== undefined) lastXfrm = reading.xfrmInTmplMismatch
    }
    const prev = history[history.length - 1]
    const alerts = toAlerts(prev, reading.snapshot)
    const isChange = changed(prev, reading.snapshot)
    history.push(reading.snapshot)
    if (history.length > 120) history.shift()
    if (isChange || alerts.length > 0 || opts.everySample || trigger === 'initial') opts.onChange({ ...reading, trigger, alerts, mode })
  }

  // One sample at a time; a burst of events while one runs collapses into a single follow-up sample.
  let running: Promise<void> | undefined
  let again: StatusChange['trigger'] | undefined
  const kick = (trigger: StatusChange['trigger']) => {
    if (running) {
      again = again === 'event' ? 'event' : trigger
      return
    }
    running = sample(trigger)
      .catch(() => undefined)
      .finally(() => {
        running = undefined
        if (again && !opts.signal.aborted) {
          const t = again
          again = undefined
          kick(t)
        }
      })
  }

  await sample('initial')
  const timer = setInterval(() => kick('poll'), opts.intervalMs ?? (mode === 'events' ? 10_000 : 3_000))
  const stop = new Promise<void>((resolve) => (opts.signal.aborted ? resolve() : opts.signal.addEventListener('abort', () => resolve(), { once: true })))
  if (sub) {
    const subscription = sub
    void (async () => {
      try {
        for await (const _ev of subscription) kick('event')
      } catch {
        /* the channel closed: polling continues */
      }
    })()
    await stop
    await subscription.close().catch(() => undefined)
  } else {
    await stop
  }
  clearInterval(timer)
  await running
  vici?.close()
  events?.close()
}
