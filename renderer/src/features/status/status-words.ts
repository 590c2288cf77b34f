// Live status in words a network admin reads at a glance: human times, algorithms by their common names,
// the state of the whole connection in one line.
import type { TunnelStatusDto } from '../../../../preload/api'

/** "12 s", "5 min", "2 h 3 min", "3 d 4 h" for a span in seconds. */
export function toSpan(sec: number): string {
  const s = Math.max(0, Math.round(sec))
  if (s < 60) return `${s} s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m} min`
  const h = Math.floor(m / 60)
  if (h < 48) return `${h} h${m % 60 ? ` ${m % 60} min` : ''}`
  return `${Math.floor(h / 24)} d${h % 24 ? ` ${h % 24} h` : ''}`
}

/** "14:32:05" today, "Tue 14:32" this week, "3 Dec 2026, 14:32" otherwise. */
export function toWhen(ms: number, now = Date.now()): string {
  const d = new Date(ms)
  const today = new Date(now)
  const sameDay = d.toDateString() === today.toDateString()
  if (sameDay) return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' })
  const yesterday = new Date(now - 86_400_000).toDateString() === d.toDateString()
  if (yesterday) return `yesterday ${d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}`
  return d.toLocaleString([], { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' })
}

/** "5 min ago" / "just now". */
export function toAgo(ms: number, now = Date.now()): string {
  const sec = (now - ms) / 1000
  return sec < 5 ? 'just now' : `${toSpan(sec)} ago`
}

const ALG_WORDS: readonly (readonly [RegExp, (m: RegExpExecArray) => string])[] = [
  [/^AES_GCM_(\d+)-(\d+)$/, (m) => `AES-${m[2]}-GCM`],
  [/^AES_CBC-(\d+)$/, (m) => `AES-${m[1]}`],
  [/^AES_CBC_(\d+)$/, (m) => `AES-${m[1]}`],
  [/^3DES_CBC$/, () => '3DES'],
  [/^HMAC_SHA2_(\d+)_\d+$/, (m) => `SHA-${m[1]}`],
  [/^HMAC_SHA1_96$/, () => 'SHA-1'],
  [/^HMAC_MD5_96$/, () => 'MD5'],
  [/^PRF_/, () => ''],
  [/^MODP_(\d+)$/, (m) => `DH ${({ 1024: 2, 1536: 5, 2048: 14, 3072: 15, 4096: 16 } as Record<string, number>)[m[1]!] ?? ''} (MODP ${m[1]})`.replace('DH  (', 'DH (')],
  [/^ECP_(\d+)$/, (m) => `DH ${({ 256: 19, 384: 20, 521: 21 } as Record<string, number>)[m[1]!] ?? ''} (ECP ${m[1]})`],
  [/^CURVE_25519$/, () => 'DH 31 (Curve25519)'],
]

/** "AES_CBC-256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048" → "AES-256 · SHA-256 · DH 14 (MODP 2048)". */
export function toAlgorithmWords(text: string | undefined): string {
  if (!text) return '—'
  const parts = text
    .split('/')
    .map((tok) => {
      for (const [re, f] of ALG_WORDS) {
        const m = re.exec(tok)
        if (m) return f(m)
      }
      return tok
    })
    .filter((p) => p !== '')
  return parts.join(' · ')
}

/** "1.2 KB/s"-style rate. */
export function toRate(bytesPerSec: number | undefined): string {
  if (bytesPerSec === undefined) return '—'
  const units = ['B/s', 'KB/s', 'MB/s', 'GB/s']
  let v = bytesPerSec
  let u = 0
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024
    u++
  }
  // Bytes are whole, but a chart's tick between 0 and 1 B/s is not: "0.5 B/s", never a second "1 B/s".
  return `${v.toFixed(v >= 10 || (u === 0 && Number.isInteger(v)) ? 0 : 1)} ${units[u]}`
}

/** "12.3 MB"-style byte count. */
export function toBytes(n: number): string {
  return toRate(n).replace('/s', '')
}

/** A tunnel's state word. */
export function toStateWord(t: Pick<TunnelStatusDto, 'up' | 'standby'>): 'Up' | 'Standing by' | 'Down' {
  return t.up ? 'Up' : t.standby ? 'Standing by' : 'Down'
}

/** Why a tunnel last changed, as the status model words it, in a sentence. */
export function toChangeWords(cause: string): string {
  if (cause === 'up') return 'Came up'
  if (cause === 'IKE SA gone') return 'Went down: the IKE SA closed'
  if (cause === 'CHILD SA rekeyed') return 'Rekeyed'
  if (cause.startsWith('CHILD SA')) return `Went down: ${cause.replace('CHILD SA', 'the child SA is')}`
  return cause.charAt(0).toUpperCase() + cause.slice(1)
}

/** When a tunnel entered its state (epoch ms), if known: up from the IKE SA's age, otherwise from the last change. */
export function toSince(t: TunnelStatusDto, snapshotAt: number): number | undefined {
  if (t.up && t.ikeAgeSec !== undefined) return snapshotAt - t.ikeAgeSec * 1000
  return t.lastChange?.at
}

/** The one line about the whole connection: healthy, degraded or down, and what that means for traffic. */
export function toOverall(tunnels: readonly TunnelStatusDto[], label: (t: TunnelStatusDto) => string, snapshotAt: number, now = Date.now()): { readonly tone: 'success' | 'warning' | 'error'; readonly text: string } {
  const up = tunnels.filter((t) => t.up)
  const standby = tunnels.filter((t) => !t.up && t.standby)
  const down = tunnels.filter((t) => !t.up && !t.standby)
  const list = (ts: readonly TunnelStatusDto[]) => ts.map(label).join(' and ')
  const oneWay = up.filter((t) => t.bytesIn === 0 && t.bytesOut > 0)
  const extra = tunnels.filter((t) => t.childSaCount > 1 || t.ikeSaCount > 1)
  // A BGP VPN routes only over a tunnel whose BGP session is Established: an up tunnel without one carries nothing.
  const noBgp = up.filter((t) => t.bgp !== undefined && !t.bgp.established)
  const tail = [
    oneWay.length > 0 ? ` But ${list(oneWay)}: traffic leaves and nothing comes back.` : '',
    extra.length > 0 ? ` ${list(extra)}: more than one SA (AWS keeps one pair).` : '',
    noBgp.length > 0 ? ` But ${list(noBgp)}: the BGP session is not Established, so no traffic is routed there.` : '',
  ].join('')
  if (up.length === 0) {
    const since = down.map((t) => t.lastChange?.at).filter((x): x is number => x !== undefined)
    const at = since.length > 0 ? Math.max(...since) : undefined
    return { tone: 'error', text: `Down: no tunnel is up${at !== undefined ? ` since ${toWhen(at, now)} (${toSpan((now - at) / 1000)})` : ''}. Nothing reaches the dedicated subnet.` }
  }
  if (down.length > 0) {
    const at = down.map((t) => t.lastChange?.at).filter((x): x is number => x !== undefined)
    return { tone: 'warning', text: `Degraded: ${list(down)} ${down.length === 1 ? 'is' : 'are'} down${at.length > 0 ? ` since ${toWhen(Math.max(...at), now)}` : ''}; traffic flows through ${list(up)}.${tail}` }
  }
  void snapshotAt
  const tone = oneWay.length > 0 || extra.length > 0 || noBgp.length > 0 ? 'warning' : 'success'
  if (standby.length > 0) return { tone, text: `${tone === 'success' ? 'Healthy' : 'Up, with a warning'}: ${list(up)} up and carrying the traffic, ${list(standby)} standing by to take over.${tail}` }
  return { tone, text: `${tone === 'success' ? 'Healthy' : 'Up, with a warning'}: ${up.length === 2 ? 'both tunnels' : list(up)} up.${tail}` }
}

/**
 * A tunnel's BGP session in two short lines (they sit in the board's narrow State column): the state and how
 * long, then the prefixes each way while Established, or what a session down means for traffic.
 */
export function toBgpWords(b: NonNullable<TunnelStatusDto['bgp']>): { readonly head: string; readonly detail: string } {
  if (b.established) return { head: `BGP Established${b.uptimeSec !== undefined ? ` ${toSpan(b.uptimeSec)}` : ''}`, detail: `prefixes: ${b.prefixesReceived ?? '?'} received, ${b.prefixesSent ?? '?'} advertised` }
  return { head: `BGP ${b.state}${b.downSec !== undefined ? ` for ${toSpan(b.downSec)}` : ''}`, detail: 'no routes through this tunnel' }
}
