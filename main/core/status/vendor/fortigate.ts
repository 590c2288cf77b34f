// FortiOS `get vpn ipsec tunnel summary` → the status model: one line per phase-1 with the peer, how many
// of its phase-2 selectors are up, and packet counters ('name' ip:port selectors(total,up): t/u
// rx(pkt,err): a/b tx(pkt,err): c/d).
import type { IkeSaStatus } from '../model'
import { isIpv4, toLines } from './text'

/** One line per tunnel; up when at least one selector is up. */
export function parseFortiosTunnelSummary(text: string): IkeSaStatus[] {
  const out: IkeSaStatus[] = []
  for (const line of toLines(text)) {
    const m = /'([^']+)'\s+(\d+\.\d+\.\d+\.\d+):(\d+)\s+selectors\(total,up\):\s*(\d+)\/(\d+)\s+rx\(pkt,err\):\s*(\d+)\/(\d+)\s+tx\(pkt,err\):\s*(\d+)\/(\d+)/.exec(line)
    if (!m || !isIpv4(m[2]!)) continue
    const [, name, peer, port, total, up, rx, , tx] = m
    const children = Array.from({ length: Number(up) }, (_, i) => ({ name: name!, uniqueId: `${name}:${i}`, state: 'INSTALLED', encap: port === '4500', spiIn: '', spiOut: '', bytesIn: 0, packetsIn: i === 0 ? Number(rx) : 0, bytesOut: 0, packetsOut: i === 0 ? Number(tx) : 0, localTs: [], remoteTs: [] }))
    // The summary says nothing of phase 1 when no selector is up: the tunnel is down, cause unknown here.
    out.push({ name: name!, uniqueId: name!, state: Number(up) > 0 ? 'ESTABLISHED' : 'DOWN', deviceState: `selectors(total,up): ${total}/${up}`, remoteHost: peer!, natT: port === '4500', children })
  }
  return out
}
