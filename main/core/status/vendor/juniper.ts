// Junos (SRX) show commands → the status model.
//
// Formats from published outputs: AWS's Juniper troubleshooting page (older column order: Index, Remote
// Address, State…; ID, Gateway, Port, Algorithm…) and Google Cloud's SRX interop guide (newer order: Index,
// State, cookies, Mode, Remote Address; ID, Algorithm, SPI, Life, Mon, lsys, Port, Gateway). Columns are
// found by what a token is, not by position, so both orders read the same.
import type { ChildSaStatus, IkeSaStatus } from '../model'
import { isIpv4, toLines, toNumber } from './text'

/** `show security ike security-associations`: one row per IKE SA (State UP, or DOWN while it is negotiated). */
export function parseJunosIkeSa(text: string): IkeSaStatus[] {
  const out: IkeSaStatus[] = []
  for (const line of toLines(text)) {
    const t = line.trim().split(/\s+/)
    if (!/^\d+$/.test(t[0] ?? '')) continue
    const peer = t.find((x) => isIpv4(x))
    const state = t.find((x) => x === 'UP' || x === 'DOWN')
    if (!peer || !state) continue
    const mode = t.find((x) => /^(Main|Aggressive|IKEv2)$/.test(x))
    // Junos lists a DOWN row for an SA it is negotiating and has not got (Juniper: "SA has not been negotiated
    // with the peer"; IBM's vSRX page shows one with a zero responder cookie): the tunnel is still being tried.
    out.push({ name: peer, uniqueId: t[0]!, state: state === 'UP' ? 'ESTABLISHED' : 'CONNECTING', ...(state === 'DOWN' ? { deviceState: 'DOWN' } : {}), remoteHost: peer, natT: false, version: mode === 'IKEv2' ? 2 : 1, ...(mode ? { algorithms: mode } : {}), children: [] })
  }
  return out
}

/** `show security ipsec security-associations`: an inbound (<) and outbound (>) row per tunnel id. */
export function parseJunosIpsecSa(text: string): Map<string, ChildSaStatus[]> {
  const rows = new Map<string, { peer: string; id: string; spiIn?: string; spiOut?: string; alg?: string; life?: number; port?: string }>()
  for (const line of toLines(text)) {
    const m = /^\s*([<>])(\d+)\s+(.*)$/.exec(line)
    if (!m) continue
    const t = m[3]!.trim().split(/\s+/)
    const peer = t.find((x) => isIpv4(x))
    const algIndex = t.findIndex((x) => x.startsWith('ESP:') || x.startsWith('AH:'))
    if (!peer || algIndex < 0) continue
    const spi = t[algIndex + 1]?.replace(/^0x/i, '').toLowerCase()
    const life = t.find((x) => /^\d+\/$/.test(x))
    const port = t.find((x) => x === '500' || x === '4500')
    const key = `${peer} ${m[2]}`
    const row = rows.get(key) ?? { peer, id: m[2]! }
    if (m[1] === '<') row.spiIn = spi
    else row.spiOut = spi
    row.alg = t[algIndex]
    if (life) row.life = Number(life.slice(0, -1))
    if (port) row.port = port
    rows.set(key, row)
  }
  const byPeer = new Map<string, ChildSaStatus[]>()
  for (const r of rows.values()) {
    const c: ChildSaStatus = { name: r.peer, uniqueId: `${r.id}:${r.spiIn ?? ''}`, state: 'INSTALLED', encap: r.port === '4500', spiIn: r.spiIn ?? '', spiOut: r.spiOut ?? '', bytesIn: 0, packetsIn: 0, bytesOut: 0, packetsOut: 0, localTs: [], remoteTs: [], ...(r.alg ? { algorithms: r.alg } : {}), ...(r.life === undefined ? {} : { expiresInSec: r.life }) }
    byPeer.set(r.peer, [...(byPeer.get(r.peer) ?? []), c])
  }
  return byPeer
}

/** `show interfaces st0.N`: the unit, its /30 and packet counters (the per-tunnel traffic the SA table lacks). */
export function parseJunosSt0(text: string): { readonly unit: string; readonly destination?: string; readonly local?: string; readonly packetsIn: number; readonly packetsOut: number } | undefined {
  const lines = toLines(text)
  const unit = lines.map((l) => /Logical interface (st0\.\d+)/.exec(l)?.[1]).find(Boolean)
  if (!unit) return undefined
  const addr = lines.map((l) => /Destination:\s*([\d.]+\/\d+),\s*Local:\s*([\d.]+)/.exec(l)).find(Boolean)
  return { unit, ...(addr ? { destination: addr[1]!, local: addr[2]! } : {}), packetsIn: toNumber(lines, /Input packets\s*:\s*(\d+)/) ?? 0, packetsOut: toNumber(lines, /Output packets\s*:\s*(\d+)/) ?? 0 }
}

/** One row of `show security ipsec inactive-tunnels`: a configured tunnel without its SAs, and why. */
export interface JunosInactiveTunnel {
  readonly id: string
  readonly peer: string
  readonly reason: string
}

/** `show security ipsec inactive-tunnels`: ID, Port, Gateway, Pending SAs, Tunnel Down Reason (the rest of the line). */
export function parseJunosInactiveTunnels(text: string): JunosInactiveTunnel[] {
  const out: JunosInactiveTunnel[] = []
  for (const line of toLines(text)) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(\d+)\s+(.*\S)\s*$/.exec(line)
    if (!m || !isIpv4(m[3]!)) continue
    out.push({ id: m[1]!, peer: m[3]!, reason: m[5]! })
  }
  return out
}

/** The IPsec SA indexes (the ID column, e.g. 131073) in `show security ipsec security-associations`, each once, in order. */
export function toJunosSaIndexes(text: string): string[] {
  const ids: string[] = []
  for (const line of toLines(text)) {
    const id = /^\s*[<>](\d{1,10})\s/.exec(line)?.[1]
    if (id && !ids.includes(id)) ids.push(id)
  }
  return ids
}

/** ESP counters of `show security ipsec statistics [index N]` (Encrypted = sent into the tunnel, Decrypted = received). */
export interface JunosIpsecCounters {
  readonly bytesOut: number
  readonly bytesIn: number
  readonly packetsOut: number
  readonly packetsIn: number
}

/** `show security ipsec statistics`: the ESP block's four counters, or undefined when the output has no ESP block. */
export function parseJunosIpsecStatistics(text: string): JunosIpsecCounters | undefined {
  const lines = toLines(text)
  const start = lines.findIndex((l) => /^\s*ESP Statistics:/.test(l))
  if (start < 0) return undefined
  // Only the ESP block: the AH block below it uses other labels, but stop at the next heading all the same.
  const end = lines.findIndex((l, i) => i > start && /^\S.*:\s*$/.test(l))
  const esp = lines.slice(start + 1, end < 0 ? undefined : end)
  const n = (re: RegExp) => toNumber(esp, re)
  const [bytesOut, bytesIn, packetsOut, packetsIn] = [n(/Encrypted bytes:\s*(\d+)/), n(/Decrypted bytes:\s*(\d+)/), n(/Encrypted packets:\s*(\d+)/), n(/Decrypted packets:\s*(\d+)/)]
  if (bytesOut === undefined || bytesIn === undefined || packetsOut === undefined || packetsIn === undefined) return undefined
  return { bytesOut, bytesIn, packetsOut, packetsIn }
}

/** IKE SAs with their IPsec SAs; a peer with IPsec SAs but no IKE row (IKEv1 after phase 1 expired) stays up. */
export function mergeJunos(ike: readonly IkeSaStatus[], ipsec: ReadonlyMap<string, ChildSaStatus[]>): IkeSaStatus[] {
  const out = ike.map((s) => ({ ...s, children: ipsec.get(s.remoteHost) ?? [], natT: (ipsec.get(s.remoteHost) ?? []).some((c) => c.encap) }))
  for (const [peer, children] of ipsec) {
    if (!out.some((s) => s.remoteHost === peer)) out.push({ name: peer, uniqueId: `ipsec:${peer}`, state: 'ESTABLISHED', remoteHost: peer, natT: children.some((c) => c.encap), children })
  }
  return out
}
