// Does a connection already on the gateway collide with ours?
import type { Details } from '../details/model'
import { overlaps, parsePrefix } from '../net/cidr'
import type { ConnectionSummary } from './detect'

/** An existing connection that would fight ours for the same peer or the same traffic. */
export interface ConnectionOverlap {
  readonly name: string
  readonly reason: string
}

function prefixes(ts: readonly string[]) {
  return ts.map((t) => parsePrefix(t.replace(/\[.*$/, ''))).filter((p) => p !== undefined)
}

/** Existing connections (not ours, not our probes) that target an AWS tunnel or overlap our selectors. */
export function findOverlaps(conns: readonly ConnectionSummary[], details: Details, ours: readonly string[]): ConnectionOverlap[] {
  const peers = new Set(details.remote.tunnels.map((t) => t.outsideIp))
  const agency = prefixes(details.gateway.privateCidrs)
  const dedicated = prefixes(details.remote.dedicatedCidrs)
  const out: ConnectionOverlap[] = []
  for (const c of conns) {
    if (ours.includes(c.name) || c.name.startsWith('tw-probe-')) continue
    const peer = c.remoteAddrs.find((a) => peers.has(a))
    if (peer) {
      out.push({ name: c.name, reason: `it connects to AWS tunnel endpoint ${peer} too: two connections to one AWS tunnel make extra SAs that AWS deletes, and the tunnels flap. Remove or disable it once ours is up.` })
      continue
    }
    const local = prefixes(c.localTs)
    const remote = prefixes(c.remoteTs)
    const hitsRemote = remote.some((r) => dedicated.some((d) => overlaps(r, d)))
    const hitsLocal = local.length === 0 || local.some((l) => agency.some((a) => overlaps(l, a)))
    if (hitsRemote && hitsLocal) {
      out.push({ name: c.name, reason: `its selectors (${c.localTs.join(',') || 'dynamic'} ↔ ${c.remoteTs.join(',')}) overlap ours: the kernel sends the matching traffic into whichever SA it installed last, so some of it would leave through the wrong tunnel.` })
    }
  }
  return out
}
