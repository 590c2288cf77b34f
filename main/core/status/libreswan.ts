// Libreswan/Openswan status text → IkeSaStatus: `ipsec whack --status` (conn lines, state lines, Traffic),
// `ipsec trafficstatus` and the kernel's SA counters. Libreswan has no machine-readable status, so this
// parses text; it counts bytes but never packets, which only the kernel's SAs (`ip -s xfrm state`) hold.
import { type ChildSaStatus, type IkeSaStatus } from './model'

type MutableChild = { -readonly [K in keyof ChildSaStatus]: ChildSaStatus[K] }
type MutableIke = { -readonly [K in keyof IkeSaStatus]: IkeSaStatus[K] }

// Libreswan 4.x prefixes every line with a 3-digit code (000, 006); 5.x dropped it.
function stripCode(line: string): string {
  return line.replace(/^\d{3} /, '')
}

const CONN = /^"([^"]+)"(?:\[\d+\])?: (\S+?)===(\S+?)\.\.\.(\S+?)(?:===(\S+?))?;/
// Libreswan 5.x names states without the STATE_ prefix: `ESTABLISHED_IKE_SA (established IKE SA)`.
const STATE = /^#(\d+): "([^"]+)"(?:\[\d+\])?(?::(\d+))? (?:((?:STATE_)?[A-Z][A-Z0-9_]*) \(([^)]*)\)|([A-Za-z ]+ established|[A-Za-z ]+?));\s*(.*)$/
// Some NICs make 5.x print `type=ESP(nic-offload=unknown)` (libreswan issue #1652).
const TRAFFIC_STATUS = /^#(\d+): "([^"]+)"(?:\[\d+\])?,.*?type=(\w+)(?:\([^)]*\))?, add_time=(\d+), inBytes=(\d+), outBytes=(\d+)(?:, maxBytes=[^,]+)?(?:, id='([^']*)')?/
const SA_TRAFFIC = /^#(\d+): "([^"]+)"(?:\[\d+\])? (.*?)Traffic: ESPin=(\d+)([KMG]?)B ESPout=(\d+)([KMG]?)B/
const SPIS = /esp\.([0-9a-f]+)@(\S+) esp\.([0-9a-f]+)@(\S+)/

const MULT: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }

function isIkeState(name: string, desc: string): boolean {
  return /MAIN|AGGR|PARENT|IKE_SA|ISAKMP/.test(name) || /ISAKMP SA|IKE SA/.test(desc)
}

function endpointIp(text: string): string {
  // "192.168.50.2[203.0.113.1]" (address[id]) or "%any" → the address part.
  return text.replace(/\[.*$/, '').replace(/^.*?---/, '')
}

/**
 * The kernel's SA counters without the keys: `ip -s xfrm state` prints each SA's keys too, so the gateway
 * keeps only the lines this needs (the SA's addresses, its SPI, its current bytes and packets) and the
 * keys never leave it. Run as root, like `ipsec status`.
 */
export const XFRM_COUNTERS_ARGV: readonly string[] = [
  'sh',
  '-c',
  "ip -s xfrm state 2>/dev/null | grep -E '^src |^[[:space:]]+proto [a-z0-9]+ spi 0x[0-9a-f]+|^[[:space:]]+[0-9]+[(]bytes[)], [0-9]+[(]packets[)]$'",
]

/** One kernel SA's counters, by SPI. */
export interface XfrmCounters {
  readonly src: string
  readonly dst: string
  readonly bytes: number
  readonly packets: number
}

/** Parses the filtered `ip -s xfrm state` (XFRM_COUNTERS_ARGV) into counters keyed by SPI (a number). */
export function parseXfrmCounters(text: string): Map<number, XfrmCounters> {
  const out = new Map<number, XfrmCounters>()
  let sa: { src: string; dst: string; spi?: number } | undefined
  for (const line of text.split('\n')) {
    const head = /^src (\S+) dst (\S+)/.exec(line)
    if (head) {
      sa = { src: head[1]!, dst: head[2]! }
      continue
    }
    const spi = /^\s+proto \w+ spi 0x([0-9a-f]+)/.exec(line)
    if (spi && sa) {
      sa.spi = parseInt(spi[1]!, 16)
      continue
    }
    const cur = /^\s+(\d+)\(bytes\), (\d+)\(packets\)$/.exec(line)
    if (cur && sa?.spi !== undefined) {
      out.set(sa.spi, { src: sa.src, dst: sa.dst, bytes: Number(cur[1]), packets: Number(cur[2]) })
      sa = undefined
    }
  }
  return out
}

/**
 * Parses `ipsec whack --status` (and optionally `ipsec trafficstatus` and the kernel's counters from
 * XFRM_COUNTERS_ARGV) into IKE SAs with their IPsec SAs. Packets come only from the kernel: without its
 * counters they stay 0.
 */
export function parseLibreswanStatus(status: string, trafficstatus = '', nowEpochSec?: number, xfrmCounters = ''): IkeSaStatus[] {
  const peers = new Map<string, { local: string; remote: string; localTs: string; remoteTs: string }>()
  const ikes = new Map<string, MutableIke>()
  const childs = new Map<string, MutableChild>()
  const childOwner = new Map<string, string>()
  for (const raw of status.split('\n')) {
    const line = stripCode(raw.trim())
    const conn = CONN.exec(line)
    if (conn && !line.startsWith('#')) {
      const [, name, left, leftHost, rightHost, right] = conn as unknown as string[]
      peers.set(name as string, { local: endpointIp(leftHost as string), remote: endpointIp(rightHost as string), localTs: left as string, remoteTs: right ?? '' })
      continue
    }
    const tr = SA_TRAFFIC.exec(line)
    if (tr) {
      const c = childs.get(tr[1] as string)
      if (c) {
        c.bytesIn = Number(tr[4]) * (MULT[tr[5] as string] ?? 1)
        c.bytesOut = Number(tr[6]) * (MULT[tr[7] as string] ?? 1)
        const spis = SPIS.exec(tr[3] as string)
        // whack prints the outbound SA (esp.X@peer) first, then the inbound one (esp.Y@us).
        if (spis) {
          c.spiOut = spis[1] as string
          c.spiIn = spis[3] as string
        }
      }
      continue
    }
    const st = STATE.exec(line)
    if (!st) continue
    const [, serial, name, port, stateName, stateDesc, v5desc, rest] = st as unknown as (string | undefined)[]
    const desc = stateDesc ?? v5desc ?? ''
    const isIke = stateName ? isIkeState(stateName, desc) : /ISAKMP SA|IKE SA/.test(desc)
    // 4.x+ prints `REKEY in Ns; REPLACE in Ms`: the SA is rekeyed at REKEY; REPLACE is its hard expiry.
    const replace =
      /(?:^|; )REKEY in (\d+)s/.exec(rest ?? '') ?? /(?:REPLACE|EVENT_SA_REPLACE|EVENT_v1_REPLACE) in (\d+)s/.exec(rest ?? '')
    const established = /established/i.test(desc)
    const peer = peers.get(name as string)
    if (isIke) {
      const ike: MutableIke = {
        name: name as string,
        uniqueId: serial as string,
        version: /PARENT|IKE_SA|IKEv2/.test(`${stateName} ${desc}`) ? 2 : 1,
        state: established ? 'ESTABLISHED' : 'CONNECTING',
        remoteHost: peer?.remote ?? '',
        ...(peer ? { localHost: peer.local } : {}),
        natT: port === '4500',
        children: [],
      }
      if (replace) ike.rekeyInSec = Number(replace[1])
      ikes.set(serial as string, ike)
    } else {
      const child: MutableChild = {
        name: name as string,
        uniqueId: serial as string,
        state: established ? 'INSTALLED' : 'INSTALLING',
        encap: port === '4500',
        spiIn: '',
        spiOut: '',
        bytesIn: 0,
        packetsIn: 0,
        bytesOut: 0,
        packetsOut: 0,
        localTs: peer?.localTs ? [peer.localTs] : [],
        remoteTs: peer?.remoteTs ? [peer.remoteTs] : [],
      }
      if (replace) child.rekeyInSec = Number(replace[1])
      childs.set(serial as string, child)
      const parent = /(?:ISAKMP SA|isakmp|IKE SA) ?#(\d+)/.exec(rest ?? '')
      childOwner.set(serial as string, parent?.[1] ?? '')
    }
  }
  for (const raw of trafficstatus.split('\n')) {
    const t = TRAFFIC_STATUS.exec(stripCode(raw.trim()))
    if (!t) continue
    const c = childs.get(t[1] as string) ?? newChildFromTraffic(t, peers, childs, childOwner)
    c.bytesIn = Number(t[5])
    c.bytesOut = Number(t[6])
    if (nowEpochSec !== undefined) c.installedSec = Math.max(0, nowEpochSec - Number(t[4]))
  }
  // The kernel's own counters for the SAs whose SPIs whack showed: exact bytes and the packets whack lacks.
  const kernel = parseXfrmCounters(xfrmCounters)
  for (const c of childs.values()) {
    const inbound = c.spiIn ? kernel.get(parseInt(c.spiIn, 16)) : undefined
    const outbound = c.spiOut ? kernel.get(parseInt(c.spiOut, 16)) : undefined
    if (inbound) {
      c.bytesIn = inbound.bytes
      c.packetsIn = inbound.packets
    }
    if (outbound) {
      c.bytesOut = outbound.bytes
      c.packetsOut = outbound.packets
    }
  }
  for (const [serial, c] of childs) {
    const owner = ikes.get(childOwner.get(serial) ?? '') ?? [...ikes.values()].find((i) => i.name === c.name)
    if (owner) owner.children = [...owner.children, c]
    else {
      // An IPsec SA whose IKE SA is gone (IKEv1 allows that): show it under a placeholder IKE SA.
      const peer = peers.get(c.name)
      ikes.set(`orphan-${serial}`, { name: c.name, uniqueId: '', state: 'DELETED', remoteHost: peer?.remote ?? '', natT: c.encap, children: [c] })
    }
  }
  return [...ikes.values()]
}

function newChildFromTraffic(
  t: RegExpExecArray,
  peers: Map<string, { local: string; remote: string; localTs: string; remoteTs: string }>,
  childs: Map<string, MutableChild>,
  owner: Map<string, string>,
): MutableChild {
  const peer = peers.get(t[2] as string)
  const c: MutableChild = {
    name: t[2] as string,
    uniqueId: t[1] as string,
    state: 'INSTALLED',
    protocol: t[3] as string,
    encap: false,
    spiIn: '',
    spiOut: '',
    bytesIn: 0,
    packetsIn: 0,
    bytesOut: 0,
    packetsOut: 0,
    localTs: peer?.localTs ? [peer.localTs] : [],
    remoteTs: peer?.remoteTs ? [peer.remoteTs] : [],
  }
  childs.set(t[1] as string, c)
  owner.set(t[1] as string, '')
  return c
}
