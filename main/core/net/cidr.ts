// IPv4 prefix arithmetic for lint and rendering, on ip-cidr.
import IPCIDR from 'ip-cidr'

/** An IPv4 prefix with its numeric range. */
export interface Prefix {
  /** Canonical text, network address (host bits cleared) and length. */
  readonly cidr: string
  readonly first: bigint
  readonly last: bigint
  readonly bits: number
}

const V4_BITS = 32

/** Parses "a.b.c.d/n"; undefined when it is not a valid IPv4 CIDR. */
export function parsePrefix(text: string): Prefix | undefined {
  if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(text) || !IPCIDR.isValidCIDR(text)) return undefined
  const c = new IPCIDR(text)
  const first = c.start<bigint>({ type: 'bigInteger' })
  const last = c.end<bigint>({ type: 'bigInteger' })
  const bits = Number(text.split('/')[1])
  return { cidr: `${toIpv4(first)}/${bits}`, first: BigInt(first), last: BigInt(last), bits }
}

/** Parses a dotted-quad address to a number; undefined when invalid. */
export function parseIpv4(text: string): bigint | undefined {
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(text) || !IPCIDR.isValidAddress(text)) return undefined
  return BigInt(new IPCIDR(`${text}/32`).start<bigint>({ type: 'bigInteger' }))
}

/** Formats a number as a dotted quad. */
export function toIpv4(n: bigint): string {
  const x = Number(n)
  return [x >>> 24, (x >>> 16) & 255, (x >>> 8) & 255, x & 255].join('.')
}

/** True when the text has host bits set (10.40.0.1/24): returns the network it should be. */
export function hostBitsFix(text: string): string | undefined {
  const p = parsePrefix(text)
  return p && p.cidr !== text ? p.cidr : undefined
}

/** True when the two prefixes share any address. */
export function overlaps(a: Prefix, b: Prefix): boolean {
  return a.first <= b.last && b.first <= a.last
}

/** True when `outer` contains all of `inner`. */
export function covers(outer: Prefix, inner: Prefix): boolean {
  return outer.first <= inner.first && inner.last <= outer.last
}

/** True when the address lies in the prefix. */
export function containsAddress(p: Prefix, ip: string): boolean {
  const n = parseIpv4(ip)
  return n !== undefined && p.first <= n && n <= p.last
}

function prefixOf(first: bigint, bits: number): Prefix {
  const size = 1n << BigInt(V4_BITS - bits)
  const start = (first / size) * size
  return { cidr: `${toIpv4(start)}/${bits}`, first: start, last: start + size - 1n, bits }
}

/** The smallest single prefix that covers every given prefix (IKEv1 allows one selector pair). */
export function coveringSupernet(prefixes: readonly Prefix[]): Prefix {
  if (prefixes.length === 0) throw new Error('coveringSupernet of nothing')
  const lo = prefixes.reduce((m, p) => (p.first < m ? p.first : m), prefixes[0]!.first)
  const hi = prefixes.reduce((m, p) => (p.last > m ? p.last : m), prefixes[0]!.last)
  let bits = Math.min(...prefixes.map((p) => p.bits))
  while (bits > 0 && !covers(prefixOf(lo, bits), { cidr: '', first: lo, last: hi, bits: 0 })) bits--
  return prefixOf(lo, bits)
}

/** The address ranges inside `outer` that none of `inner` covers, as a minimal list of prefixes. */
export function uncovered(outer: Prefix, inner: readonly Prefix[]): Prefix[] {
  const sorted = [...inner].filter((p) => overlaps(p, outer)).sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0))
  const gaps: Array<[bigint, bigint]> = []
  let cursor = outer.first
  for (const p of sorted) {
    if (p.first > cursor) gaps.push([cursor, p.first - 1n])
    if (p.last + 1n > cursor) cursor = p.last + 1n
  }
  if (cursor <= outer.last) gaps.push([cursor, outer.last])
  return gaps.flatMap(([a, b]) => rangeToPrefixes(a, b))
}

/** Splits an address range into the fewest aligned prefixes. */
export function rangeToPrefixes(first: bigint, last: bigint): Prefix[] {
  const out: Prefix[] = []
  let cur = first
  while (cur <= last) {
    let bits = V4_BITS
    while (bits > 0) {
      const size = 1n << BigInt(V4_BITS - bits + 1)
      if (cur % size !== 0n || cur + size - 1n > last) break
      bits--
    }
    const p = prefixOf(cur, bits)
    out.push(p)
    cur = p.last + 1n
  }
  return out
}

/** Address blocks that are not public unicast (RFC 6890 and friends), most specific meaning first. */
export const SPECIAL_BLOCKS: ReadonlyArray<{ readonly cidr: string; readonly kind: AddressKind; readonly name: string }> = [
  { cidr: '0.0.0.0/8', kind: 'reserved', name: '"this network" (RFC 791)' },
  { cidr: '10.0.0.0/8', kind: 'private', name: 'private (RFC 1918)' },
  { cidr: '100.64.0.0/10', kind: 'shared', name: 'carrier-grade NAT shared space (RFC 6598)' },
  { cidr: '127.0.0.0/8', kind: 'loopback', name: 'loopback' },
  { cidr: '169.254.0.0/16', kind: 'link-local', name: 'link-local (RFC 3927)' },
  { cidr: '172.16.0.0/12', kind: 'private', name: 'private (RFC 1918)' },
  { cidr: '192.0.0.0/24', kind: 'reserved', name: 'IETF protocol assignments (RFC 6890)' },
  { cidr: '192.0.2.0/24', kind: 'documentation', name: 'documentation TEST-NET-1 (RFC 5737)' },
  { cidr: '192.88.99.0/24', kind: 'reserved', name: 'deprecated 6to4 relay anycast (RFC 7526)' },
  { cidr: '192.168.0.0/16', kind: 'private', name: 'private (RFC 1918)' },
  { cidr: '198.18.0.0/15', kind: 'benchmarking', name: 'network benchmarking (RFC 2544)' },
  { cidr: '198.51.100.0/24', kind: 'documentation', name: 'documentation TEST-NET-2 (RFC 5737)' },
  { cidr: '203.0.113.0/24', kind: 'documentation', name: 'documentation TEST-NET-3 (RFC 5737)' },
  { cidr: '224.0.0.0/4', kind: 'multicast', name: 'multicast' },
  { cidr: '240.0.0.0/4', kind: 'reserved', name: 'reserved (RFC 1112)' },
]

export type AddressKind = 'public' | 'private' | 'shared' | 'loopback' | 'link-local' | 'documentation' | 'benchmarking' | 'multicast' | 'reserved'

const SPECIAL_PARSED = SPECIAL_BLOCKS.map((b) => ({ ...b, prefix: parsePrefix(b.cidr)! }))

/** What kind of address this is, and the block it belongs to when it is not public. */
export function classifyIpv4(ip: string): { kind: AddressKind; block?: string; name?: string } {
  for (const b of SPECIAL_PARSED) if (containsAddress(b.prefix, ip)) return { kind: b.kind, block: b.cidr, name: b.name }
  return { kind: 'public' }
}

/** The two usable addresses of a /30 inside CIDR: [AWS side (first), customer side (second)]. */
export function insideAddresses(insideCidr: string): { aws: string; customer: string } | undefined {
  const p = parsePrefix(insideCidr)
  if (!p || p.bits !== 30) return undefined
  return { aws: toIpv4(p.first + 1n), customer: toIpv4(p.first + 2n) }
}
