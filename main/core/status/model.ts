// The live status model: what every source (VICI, swanctl text, stroke statusall, Libreswan) is parsed
// into, and the per-tunnel view built from it (one AWS outside IP = one tunnel).
import type { BgpSessionStatus } from './frr-bgp'

/** Where a status came from ('vendor': a Cisco/Palo Alto/Fortinet/Juniper device's show commands, polled). */
export type StatusSource = 'vici' | 'swanctl' | 'stroke' | 'libreswan' | 'vendor'

/** One CHILD SA (IPsec SA pair) as the daemon reports it. Times are seconds relative to the snapshot. */
export interface ChildSaStatus {
  readonly name: string
  /** Daemon-unique id of this CHILD SA instance (a rekey creates a new one). */
  readonly uniqueId: string
  readonly state: string
  readonly mode?: string
  readonly protocol?: string
  /** ESP in UDP (NAT-T or kernel-libipsec). */
  readonly encap: boolean
  readonly spiIn: string
  readonly spiOut: string
  /** Algorithms as one string, e.g. `AES_CBC-128/HMAC_SHA2_256_128/MODP_2048`. */
  readonly algorithms?: string
  readonly bytesIn: number
  readonly packetsIn: number
  readonly bytesOut: number
  readonly packetsOut: number
  /** Seconds since the last inbound/outbound packet, when the daemon says. */
  readonly lastInSec?: number
  readonly lastOutSec?: number
  readonly installedSec?: number
  readonly rekeyInSec?: number
  readonly expiresInSec?: number
  readonly localTs: readonly string[]
  readonly remoteTs: readonly string[]
}

/** One IKE SA (phase 1) with its CHILD SAs. */
export interface IkeSaStatus {
  /** The connection name. */
  readonly name: string
  readonly uniqueId: string
  readonly version?: 1 | 2
  readonly state: string
  readonly localHost?: string
  readonly localPort?: number
  readonly localId?: string
  readonly remoteHost: string
  readonly remotePort?: number
  readonly remoteId?: string
  readonly initiator?: boolean
  readonly ikeSpiInitiator?: string
  readonly ikeSpiResponder?: string
  /** NAT detected on either side (UDP 4500 in use). */
  readonly natT: boolean
  readonly algorithms?: string
  /** The IKE state in the device's own words (vendor devices: "MM_ACTIVE", "QM_IDLE", "UP-ACTIVE"). */
  readonly deviceState?: string
  readonly establishedSec?: number
  readonly rekeyInSec?: number
  readonly reauthInSec?: number
  readonly children: readonly ChildSaStatus[]
}

/** Per-second rates computed within one CHILD SA instance. */
export interface Rates {
  readonly bytesInPerSec: number
  readonly bytesOutPerSec: number
  readonly packetsInPerSec: number
  readonly packetsOutPerSec: number
}

/** What the last health probe (ping through the tunnel) found. */
export interface ProbeResult {
  readonly at: number
  readonly ok: boolean
  readonly rttMs?: number
  readonly detail?: string
}

/** Why a tunnel's state last changed. */
export interface StateChange {
  readonly at: number
  readonly cause: string
}

/** One tunnel (one peer outside IP) as the UI and CLI show it. */
export interface TunnelStatus {
  /** The peer's outside IP (AWS tunnel endpoint). */
  readonly peer: string
  /** Connection name of the primary IKE SA (or the configured name when down). */
  readonly name: string
  /** An established IKE SA with an installed CHILD SA. */
  readonly up: boolean
  /**
   * Down on purpose: policy-based on strongSwan, the gateway holds one tunnel up and this one stands by
   * (keepup.sh brings it up when the active one fails). Set only while the other tunnel is up.
   */
  readonly standby?: boolean
  readonly ikeState?: string
  readonly ikeAgeSec?: number
  readonly childState?: string
  readonly childUniqueId?: string
  readonly spiIn?: string
  readonly spiOut?: string
  readonly ikeAlgorithms?: string
  readonly childAlgorithms?: string
  /** The IKE state in the device's own words, when a vendor device reported one. */
  readonly deviceState?: string
  readonly bytesIn: number
  readonly bytesOut: number
  readonly packetsIn: number
  readonly packetsOut: number
  /** Undefined on the first sample of an SA (a new SPI resets the baseline). */
  readonly rates?: Rates
  /** Seconds until the next rekey of the CHILD SA (or IKE SA when no CHILD). */
  readonly nextRekeySec?: number
  readonly natT: boolean
  /** IKE SAs to this peer that are not on their way out. */
  readonly ikeSaCount: number
  /** Installed CHILD SAs to this peer (a REKEYED predecessor does not count). */
  readonly childSaCount: number
  readonly lastChange?: StateChange
  readonly probe?: ProbeResult
  /** The tunnel's BGP session (a BGP VPN only; status/frr-bgp.ts). */
  readonly bgp?: BgpSessionStatus
}

/** The status of every tunnel at one moment. */
export interface StatusSnapshot {
  /** Epoch ms of the sample. */
  readonly at: number
  readonly source: StatusSource
  readonly tunnels: readonly TunnelStatus[]
}

const LEAVING_IKE = new Set(['DELETING', 'DESTROYING', 'REKEYED'])
const COUNTED_CHILD = new Set(['INSTALLED', 'INSTALLING', 'UPDATING', 'REKEYING'])

/** True for an IKE SA that is established (or rekeying, still usable). */
export function isIkeUp(state: string | undefined): boolean {
  return state === 'ESTABLISHED' || state === 'REKEYING' || state === 'PASSIVE'
}

/** True for a CHILD SA that carries traffic. */
export function isChildUp(state: string | undefined): boolean {
  return state === 'INSTALLED' || state === 'REKEYING' || state === 'UPDATING'
}

function newest<T>(items: readonly T[], age: (t: T) => number | undefined): T | undefined {
  let best: T | undefined
  for (const it of items) {
    if (best === undefined || (age(it) ?? Infinity) < (age(best) ?? Infinity)) best = it
  }
  return best
}

/** Rates between two samples of the same CHILD SA; undefined when the SA changed (counters restarted). */
export function toRates(prev: TunnelStatus | undefined, next: Omit<TunnelStatus, 'rates'>, dtMs: number): Rates | undefined {
  if (!prev || dtMs <= 0) return undefined
  // Counters restart at 0 after each rekey: only subtract within one SA (same unique id and SPI).
  if (prev.childUniqueId === undefined || prev.childUniqueId !== next.childUniqueId || prev.spiIn !== next.spiIn) return undefined
  const dt = dtMs / 1000
  const d = (a: number, b: number) => Math.max(0, a - b) / dt
  return {
    bytesInPerSec: d(next.bytesIn, prev.bytesIn),
    bytesOutPerSec: d(next.bytesOut, prev.bytesOut),
    packetsInPerSec: d(next.packetsIn, prev.packetsIn),
    packetsOutPerSec: d(next.packetsOut, prev.packetsOut),
  }
}

/** What toSnapshot needs besides the SAs. */
export interface SnapshotOptions {
  readonly at: number
  readonly source: StatusSource
  /** Peers that should have a tunnel (AWS outside IP → name); listed as down when they have no SA. */
  readonly expected?: readonly { readonly peer: string; readonly name: string }[]
  /** The previous snapshot: gives rates, lastChange and keeps the probe result. */
  readonly previous?: StatusSnapshot
  /** The gateway holds one tunnel up at a time (policy-based on strongSwan): a down tunnel beside an up one stands by. */
  readonly oneActive?: boolean
}

function causeOf(prev: TunnelStatus | undefined, next: Omit<TunnelStatus, 'rates' | 'lastChange' | 'probe'>): string | undefined {
  if (!prev) return next.up ? 'up' : next.standby ? 'standing by' : undefined
  if (prev.up && !next.up) return next.standby ? 'standing by (closed: the other tunnel is active)' : next.ikeState ? `CHILD SA ${next.childState ?? 'gone'} (IKE ${next.ikeState})` : 'IKE SA gone'
  if (!prev.up && !next.up && next.standby && !prev.standby) return 'standing by (the other tunnel took over)'
  if (!prev.up && next.up) return 'up'
  if (prev.childUniqueId !== undefined && next.childUniqueId !== undefined && prev.childUniqueId !== next.childUniqueId) return 'CHILD SA rekeyed'
  if (prev.ikeState !== next.ikeState) return `IKE ${prev.ikeState ?? 'none'} → ${next.ikeState ?? 'none'}`
  return undefined
}

/** Groups IKE SAs by peer into tunnels (primary SA = newest usable one) and carries history from `previous`. */
export function toSnapshot(sas: readonly IkeSaStatus[], opts: SnapshotOptions): StatusSnapshot {
  const byPeer = new Map<string, IkeSaStatus[]>()
  for (const e of opts.expected ?? []) byPeer.set(e.peer, [])
  for (const sa of sas) byPeer.set(sa.remoteHost, [...(byPeer.get(sa.remoteHost) ?? []), sa])
  const bases = [...byPeer].map(([peer, list]) => {
    const live = list.filter((s) => !LEAVING_IKE.has(s.state))
    const ike = newest(live.filter((s) => isIkeUp(s.state)), (s) => s.establishedSec) ?? newest(live, (s) => s.establishedSec) ?? list[0]
    const children = list.flatMap((s) => s.children)
    const counted = children.filter((c) => COUNTED_CHILD.has(c.state))
    const child = newest(counted, (c) => c.installedSec) ?? newest(children, (c) => c.installedSec)
    return {
      peer,
      name: ike?.name ?? opts.expected?.find((e) => e.peer === peer)?.name ?? peer,
      up: isIkeUp(ike?.state) && isChildUp(child?.state),
      ...(ike ? { ikeState: ike.state } : {}),
      ...(ike?.establishedSec === undefined ? {} : { ikeAgeSec: ike.establishedSec }),
      ...(child ? { childState: child.state, childUniqueId: child.uniqueId, spiIn: child.spiIn, spiOut: child.spiOut } : {}),
      ...(ike?.algorithms === undefined ? {} : { ikeAlgorithms: ike.algorithms }),
      ...(ike?.deviceState === undefined ? {} : { deviceState: ike.deviceState }),
      ...(child?.algorithms === undefined ? {} : { childAlgorithms: child.algorithms }),
      bytesIn: child?.bytesIn ?? 0,
      bytesOut: child?.bytesOut ?? 0,
      packetsIn: child?.packetsIn ?? 0,
      packetsOut: child?.packetsOut ?? 0,
      ...(child?.rekeyInSec !== undefined ? { nextRekeySec: child.rekeyInSec } : ike?.rekeyInSec !== undefined ? { nextRekeySec: ike.rekeyInSec } : {}),
      natT: ike?.natT ?? false,
      ikeSaCount: live.length,
      childSaCount: counted.length,
    }
  })
  // Standing by is relative: a down tunnel beside one that is up (as decided above, per tunnel).
  const anyUp = bases.some((b) => b.up)
  const tunnels: TunnelStatus[] = bases.map((b) => {
    const base = opts.oneActive && !b.up && anyUp ? { ...b, standby: true } : b
    const prev = opts.previous?.tunnels.find((t) => t.peer === b.peer)
    const rates = toRates(prev, base, opts.previous ? opts.at - opts.previous.at : 0)
    const cause = causeOf(prev, base)
    const lastChange = cause === undefined ? prev?.lastChange : { at: opts.at, cause }
    return {
      ...base,
      ...(rates ? { rates } : {}),
      ...(lastChange ? { lastChange } : {}),
      ...(prev?.probe ? { probe: prev.probe } : {}),
    }
  })
  tunnels.sort((a, b) => a.name.localeCompare(b.name) || a.peer.localeCompare(b.peer))
  return { at: opts.at, source: opts.source, tunnels }
}
