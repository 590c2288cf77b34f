// Alert transitions shared by the UI and the CLI: (previous snapshot, next snapshot) → events.
import { type StatusSnapshot, type TunnelStatus } from './model'

/** Kinds of alert. */
export type AlertKind = 'tunnel-down' | 'tunnel-up' | 'one-way' | 'sa-count'

/** One alert event. */
export interface AlertEvent {
  readonly kind: AlertKind
  readonly peer: string
  readonly name: string
  readonly at: number
  readonly detail: string
}

/** True when, within one CHILD SA, outbound grew and inbound did not (rates need two samples of the same SA). */
export function isOneWay(t: TunnelStatus): boolean {
  return t.up && t.rates !== undefined && t.rates.bytesOutPerSec > 0 && t.rates.bytesInPerSec === 0
}

function saCountHigh(t: TunnelStatus | undefined): boolean {
  return t !== undefined && (t.ikeSaCount > 1 || t.childSaCount > 1)
}

/** Edge-triggered alerts between two snapshots (nothing fires again while a condition persists). */
export function toAlerts(prev: StatusSnapshot | undefined, next: StatusSnapshot): AlertEvent[] {
  const out: AlertEvent[] = []
  for (const t of next.tunnels) {
    const p = prev?.tunnels.find((x) => x.peer === t.peer)
    const base = { peer: t.peer, name: t.name, at: next.at }
    // A tunnel closed to stand by (policy-based: the other one carries the traffic) is not an outage.
    if (p?.up && !t.up && !t.standby) out.push({ ...base, kind: 'tunnel-down', detail: t.lastChange?.cause ?? 'tunnel down' })
    if (p !== undefined && !p.up && t.up) out.push({ ...base, kind: 'tunnel-up', detail: 'IKE SA established and CHILD SA installed' })
    if (isOneWay(t) && !(p && isOneWay(p))) out.push({ ...base, kind: 'one-way', detail: `outbound ${Math.round(t.rates?.bytesOutPerSec ?? 0)} B/s, inbound 0 B/s` })
    if (saCountHigh(t) && !saCountHigh(p)) out.push({ ...base, kind: 'sa-count', detail: `${t.ikeSaCount} IKE SA(s), ${t.childSaCount} CHILD SA(s) to ${t.peer}` })
  }
  for (const p of prev?.tunnels ?? []) {
    if (p.up && !next.tunnels.some((t) => t.peer === p.peer)) out.push({ kind: 'tunnel-down', peer: p.peer, name: p.name, at: next.at, detail: 'no SA to this peer any more' })
  }
  return out
}
