// IPv4 parsing and prefix maths for instant, as-you-type validation in the renderer.
//
// The renderer may not import main/core (the rings), so this is a small browser-side twin of
// main/core/net/cidr.ts. The core's lint stays the authority; this only gives feedback per keystroke.

/** A parsed IPv4 prefix: first and last address as numbers, and the prefix length. */
export interface Prefix {
  readonly text: string
  readonly first: number
  readonly last: number
  readonly bits: number
}

const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)'
const IPV4 = new RegExp(`^${OCTET}(\\.${OCTET}){3}$`)

/** The address as an unsigned 32-bit number, or undefined when it is not a dotted quad. */
export function parseIpv4(text: string): number | undefined {
  if (!IPV4.test(text)) return undefined
  return text.split('.').reduce((n, o) => n * 256 + Number(o), 0)
}

/** The dotted quad of a 32-bit number. */
export function toIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.')
}

/** Parses "a.b.c.d/n" (host bits cleared in `first`), or undefined when it is not one. */
export function parsePrefix(text: string): Prefix | undefined {
  const m = /^([^/]+)\/(3[0-2]|[12]?\d)$/.exec(text.trim())
  if (!m) return undefined
  const addr = parseIpv4(m[1]!)
  if (addr === undefined) return undefined
  const bits = Number(m[2])
  const size = 2 ** (32 - bits)
  const first = addr - (addr % size)
  return { text: `${toIpv4(first)}/${bits}`, first, last: first + size - 1, bits }
}

/** The corrected prefix when `text` has host bits set (10.0.0.1/24 → 10.0.0.0/24), else undefined. */
export function hostBitsFix(text: string): string | undefined {
  const p = parsePrefix(text)
  if (!p) return undefined
  return p.text === text.trim() ? undefined : p.text
}

/** True when the two prefixes share any address. */
export function overlaps(a: Prefix, b: Prefix): boolean {
  return a.first <= b.last && b.first <= a.last
}

/** The smallest prefix covering all of `ps` (ps non-empty). */
export function coveringSupernet(ps: readonly Prefix[]): Prefix {
  const first = Math.min(...ps.map((p) => p.first))
  const last = Math.max(...ps.map((p) => p.last))
  for (let bits = 32; bits >= 0; bits--) {
    const size = 2 ** (32 - bits)
    const start = first - (first % size)
    if (start + size - 1 >= last) return parsePrefix(`${toIpv4(start)}/${bits}`)!
  }
  return parsePrefix('0.0.0.0/0')!
}

/** The number of addresses in the prefix. */
export function toSize(p: Prefix): number {
  return p.last - p.first + 1
}

/** Kinds of address blocks that matter to a VPN request. */
export type AddressKind = 'public' | 'private' | 'shared' | 'loopback' | 'link-local' | 'documentation' | 'benchmarking' | 'multicast' | 'reserved'

const SPECIAL: ReadonlyArray<{ cidr: string; kind: AddressKind; name: string }> = [
  { cidr: '0.0.0.0/8', kind: 'reserved', name: '"this network" (RFC 791)' },
  { cidr: '10.0.0.0/8', kind: 'private', name: 'private (RFC 1918)' },
  { cidr: '100.64.0.0/10', kind: 'shared', name: 'carrier-grade NAT shared space (RFC 6598)' },
  { cidr: '127.0.0.0/8', kind: 'loopback', name: 'loopback' },
  { cidr: '169.254.0.0/16', kind: 'link-local', name: 'link-local (RFC 3927)' },
  { cidr: '172.16.0.0/12', kind: 'private', name: 'private (RFC 1918)' },
  { cidr: '192.0.0.0/24', kind: 'reserved', name: 'IETF protocol assignments (RFC 6890)' },
  { cidr: '192.0.2.0/24', kind: 'documentation', name: 'documentation TEST-NET-1 (RFC 5737)' },
  { cidr: '192.168.0.0/16', kind: 'private', name: 'private (RFC 1918)' },
  { cidr: '198.18.0.0/15', kind: 'benchmarking', name: 'benchmarking (RFC 2544)' },
  { cidr: '198.51.100.0/24', kind: 'documentation', name: 'documentation TEST-NET-2 (RFC 5737)' },
  { cidr: '203.0.113.0/24', kind: 'documentation', name: 'documentation TEST-NET-3 (RFC 5737)' },
  { cidr: '224.0.0.0/4', kind: 'multicast', name: 'multicast' },
  { cidr: '240.0.0.0/4', kind: 'reserved', name: 'reserved (RFC 1112)' },
]
const SPECIAL_PARSED = SPECIAL.map((s) => ({ ...s, prefix: parsePrefix(s.cidr)! }))

/** What kind of block a prefix (or address as /32) falls in; 'public' when none. */
export function classifyPrefix(p: Prefix): { kind: AddressKind; name?: string; block?: string } {
  for (const s of SPECIAL_PARSED) if (s.prefix.first <= p.first && p.last <= s.prefix.last) return { kind: s.kind, name: s.name, block: s.cidr }
  return { kind: 'public' }
}
