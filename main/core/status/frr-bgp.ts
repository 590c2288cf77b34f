// BGP session status from FRR: `vtysh -c 'show bgp summary json'` (FRR 7.x–10.x print the same ipv4Unicast
// peers object), parsed into one session per AWS neighbour and attached to its tunnel in a status snapshot.
// Fixtures: test/fixtures/frr (captured from a real bgpd 8.4.4 peering with an AWS-shaped bgpd).
import { UserError } from '../base/result'
import type { StatusSnapshot, TunnelStatus } from './model'

/** The vtysh command whose output parseFrrBgpSummary reads (fixed argv, no parameters). */
export const FRR_BGP_SUMMARY_ARGV = ['vtysh', '-c', 'show bgp summary json'] as const

/** One BGP session as FRR reports it. */
export interface BgpSessionStatus {
  /** AWS's inside address of the tunnel (the neighbour). */
  readonly neighbor: string
  /** FRR's state: Idle, Connect, Active, OpenSent, OpenConfirm, Established (or "not configured"). */
  readonly state: string
  readonly established: boolean
  /** Seconds the session has been Established (only while it is). */
  readonly uptimeSec?: number
  /** Seconds in the current down state (FRR's peerUptime while not Established; 0 right after a reset). */
  readonly downSec?: number
  /** Prefixes accepted from AWS (after the inbound route map) and advertised to it. */
  readonly prefixesReceived?: number
  readonly prefixesSent?: number
  readonly remoteAs?: number
  /** How often the session dropped since bgpd started. */
  readonly drops?: number
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined
}

/**
 * Parses `show bgp summary json` into sessions by neighbour address (IPv4 unicast, default VRF). `{}` (no BGP
 * instance) gives an empty map; anything that is not FRR's JSON is a UserError that quotes none of it.
 */
export function parseFrrBgpSummary(text: string): Map<string, BgpSessionStatus> {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch {
    throw new UserError('frr-json', "FRR's BGP summary was not JSON.", { likelyCause: 'bgpd is not running, or vtysh printed an error instead (e.g. "bgpd is not running").', fix: "Check FRR on the gateway: systemctl status frr, and bgpd=yes in /etc/frr/daemons." })
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new UserError('frr-json', "FRR's BGP summary is not the JSON object vtysh prints.", { fix: 'Check the FRR version on the gateway (7.x or later prints it).' })
  const out = new Map<string, BgpSessionStatus>()
  const v4 = (doc as Record<string, unknown>)['ipv4Unicast']
  if (v4 === undefined) return out
  const peers = v4 !== null && typeof v4 === 'object' ? (v4 as Record<string, unknown>)['peers'] : undefined
  if (peers === null || typeof peers !== 'object' || Array.isArray(peers)) throw new UserError('frr-json', "FRR's BGP summary has no peers list.", { fix: 'Check the FRR version on the gateway (7.x or later prints it).' })
  for (const [neighbor, raw] of Object.entries(peers as Record<string, unknown>)) {
    if (raw === null || typeof raw !== 'object' || !/^[0-9a-fA-F.:]{2,45}$/.test(neighbor)) continue
    const p = raw as Record<string, unknown>
    const state = typeof p['state'] === 'string' && /^[A-Za-z ()/-]{1,40}$/.test(p['state']) ? p['state'] : 'unknown'
    const established = state === 'Established'
    const ms = num(p['peerUptimeMsec'])
    const received = num(p['pfxRcd'])
    const sent = num(p['pfxSnt'])
    const remoteAs = num(p['remoteAs'])
    const drops = num(p['connectionsDropped'])
    out.set(neighbor, {
      neighbor,
      state,
      established,
      ...(ms === undefined ? {} : established ? { uptimeSec: Math.floor(ms / 1000) } : { downSec: Math.floor(ms / 1000) }),
      ...(received === undefined ? {} : { prefixesReceived: received }),
      ...(sent === undefined ? {} : { prefixesSent: sent }),
      ...(remoteAs === undefined ? {} : { remoteAs }),
      ...(drops === undefined ? {} : { drops }),
    })
  }
  return out
}

/** Each tunnel of a snapshot with its BGP session: paired by the tunnel's outside IP → AWS's inside address; `missing` is the state of a neighbour FRR does not list. */
export function withBgpSessions(snapshot: StatusSnapshot, sessions: ReadonlyMap<string, BgpSessionStatus>, neighbours: readonly { readonly outsideIp: string; readonly neighborIp: string }[], missing = 'not configured'): StatusSnapshot {
  const tunnels = snapshot.tunnels.map((t): TunnelStatus => {
    const n = neighbours.find((x) => x.outsideIp === t.peer)
    if (!n) return t
    return { ...t, bgp: sessions.get(n.neighborIp) ?? { neighbor: n.neighborIp, state: missing, established: false } }
  })
  return { ...snapshot, tunnels }
}

/**
 * The snapshot with each tunnel's BGP session from the previous snapshot where it has none: a sample taken on a
 * charon event reads only the SAs over VICI (no vtysh), and the board must not lose the session line until
 * the next full sample reads FRR again.
 */
export function keepBgpSessions(snapshot: StatusSnapshot, previous: StatusSnapshot | undefined): StatusSnapshot {
  if (!previous) return snapshot
  const tunnels = snapshot.tunnels.map((t): TunnelStatus => {
    const bgp = t.bgp ?? previous.tunnels.find((p) => p.peer === t.peer)?.bgp
    return bgp ? { ...t, bgp } : t
  })
  return { ...snapshot, tunnels }
}
