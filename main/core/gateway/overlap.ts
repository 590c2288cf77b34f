// Does a connection already on the gateway collide with ours?
import type { Details } from '../details/model'
import { toSlug, type NameMarker } from '../details/slug'
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

/**
 * Existing connections (not ours, not our probes) that target an AWS tunnel or overlap our selectors, and
 * connection sets with our names whose name marker (`markers`, parsed from the gateway's files with
 * parseNameMarkers) was written for a different full name: those are someone else's, not ours.
 */
export function findOverlaps(conns: readonly ConnectionSummary[], details: Details, ours: readonly string[], markers: readonly NameMarker[] = []): ConnectionOverlap[] {
  const peers = new Set(details.remote.tunnels.map((t) => t.outsideIp))
  const agency = prefixes(details.gateway.privateCidrs)
  const dedicated = prefixes(details.remote.dedicatedCidrs)
  const out: ConnectionOverlap[] = []
  const slug = toSlug(details.name)
  for (const m of markers) {
    if (m.slug !== slug || m.name === details.name.normalize('NFC')) continue
    const other = JSON.stringify(m.name.length > 100 ? `${m.name.slice(0, 100)}…` : m.name)
    out.push({ name: ours.join(', '), reason: `the gateway already has the connection set "${slug}" (these connection names and files), made by Tunnelwright for ${other}, not for ${JSON.stringify(details.name)}: applying would overwrite it. Give one of the two a different details "name" (names that differ only in case or punctuation share a slug).` })
  }
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
