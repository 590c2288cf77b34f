// Cisco ASA and IOS show commands → the status model (IKE SAs with their IPsec SAs, per AWS peer).
//
// Formats from published outputs: AWS's troubleshooting pages (Cisco_ASA_Troubleshooting.md,
// Cisco_Troubleshooting_NoBGP.md) and ntc-templates' captured ASA/IOS outputs (test/fixtures/status/vendors/).
import type { ChildSaStatus, IkeSaStatus } from '../model'
import { isIpv4, toLines, toMatch, toNumber, toSections, toSpi } from './text'

/** One peer as a show command tells it; merged across commands by peer. */
interface PeerState {
  peer: string
  ikeState?: string
  /** The device's own word for the state (MM_ACTIVE, QM_IDLE, UP-ACTIVE…), for evidence. */
  rawState?: string
  version?: 1 | 2
  natT?: boolean
  children: ChildSaStatus[]
}

// ASA IKEv1 (show crypto isakmp sa / ikev1 sa): MM_ACTIVE / AM_ACTIVE is up; MM_WAIT_MSGn is negotiating.
// IKEv2 (show crypto ikev2 sa): READY is up, IN-NEG negotiating, DELETE leaving.
function toModelIkeState(raw: string): string {
  const s = raw.toUpperCase()
  if (/^(MM|AM)_ACTIVE$|^QM_IDLE$|^READY$|^UP-ACTIVE$|^UP-IDLE$/.test(s)) return 'ESTABLISHED'
  if (/^(MM|AM)_|^IN-NEG$|NEGOTIATING|^MM_NO_STATE$/.test(s)) return 'CONNECTING'
  if (/DELETE/.test(s)) return 'DELETING'
  return s
}

function child(name: string, c: Partial<ChildSaStatus>): ChildSaStatus {
  return { name, uniqueId: c.uniqueId ?? `${name}:${c.spiIn ?? ''}`, state: c.state ?? 'INSTALLED', encap: c.encap ?? false, spiIn: c.spiIn ?? '', spiOut: c.spiOut ?? '', bytesIn: c.bytesIn ?? 0, packetsIn: c.packetsIn ?? 0, bytesOut: c.bytesOut ?? 0, packetsOut: c.packetsOut ?? 0, localTs: c.localTs ?? [], remoteTs: c.remoteTs ?? [], ...(c.algorithms ? { algorithms: c.algorithms } : {}), ...(c.expiresInSec === undefined ? {} : { expiresInSec: c.expiresInSec }) }
}

/** `show crypto isakmp sa` / `show crypto ikev1 sa` on the ASA: one block per IKE peer with its state. */
export function parseAsaIsakmpSa(text: string): PeerState[] {
  const out: PeerState[] = []
  for (const sec of toSections(text, /^\s*\d+\s+IKE Peer:\s*\S+/)) {
    const peer = /IKE Peer:\s*(\S+)/.exec(sec[0]!)?.[1]
    const raw = toMatch(sec, /State\s*:\s*(\S+)/)
    if (!peer) continue
    out.push({ peer, ...(raw ? { ikeState: toModelIkeState(raw), rawState: raw } : {}), version: 1, children: [] })
  }
  // ASA 9.x `show crypto ikev1 sa detail` prints one table row per peer instead ("1 209.165.200.225 User Resp No AM_Active …").
  for (const line of toLines(text)) {
    const m = /^\s*\d+\s+(\d+\.\d+\.\d+\.\d+)\s+\S+\s+\S+\s+\S+\s+((?:MM|AM)_\w+)/.exec(line)
    if (m && !out.some((p) => p.peer === m[1])) out.push({ peer: m[1]!, ikeState: toModelIkeState(m[2]!), rawState: m[2]!, version: 1, children: [] })
  }
  return out
}

/** `show crypto ikev2 sa` (ASA and IOS): a table of tunnels with local/remote address:port and status. */
export function parseIkev2Sa(text: string): PeerState[] {
  const out: PeerState[] = []
  for (const line of toLines(text)) {
    const m = /^\s*\d+\s+(\S+?)\/(\d+)\s+(\S+?)\/(\d+)\s+(?:\S+\/\S+\s+)?(READY|IN-NEG|DELETE|UNKNOWN)\b/.exec(line)
    if (!m) continue
    out.push({ peer: m[3]!, ikeState: toModelIkeState(m[5]!), rawState: m[5]!, version: 2, natT: m[4] === '4500', children: [] })
  }
  return out
}

/** `show crypto ipsec sa` (ASA and IOS): one section per crypto-map entry / tunnel with the peer, counters and SPIs. */
export function parseCiscoIpsecSa(text: string): PeerState[] {
  const out: PeerState[] = []
  for (const sec of toSections(text, /^\s*current_peer[: ]/)) {
    const currentPeer = /current_peer:?\s+([^\s,]+)/.exec(sec[0]!)?.[1]
    const remoteEndpoint = toMatch(sec, /remote crypto endpt\.:\s*(\S+)/)
    // The crypto endpoint is the address IKE and ESP go to (the AWS outside IP); current_peer is the same on a
    // device, but AWS's published IOS and ASA examples name different placeholders there, so the endpoint wins.
    const peer = remoteEndpoint?.replace(/\/\d+$/, '') ?? currentPeer
    if (!peer) continue
    const outSpi = toMatch(sec, /current outbound spi\s*:\s*(\S+)/)
    const inSpi = toMatch(sec, /current inbound spi\s*:\s*(\S+)/) ?? toMatch(sec.slice(sec.findIndex((l) => /inbound esp sas/.test(l))), /^\s*spi:\s*(0x[0-9A-Fa-f]+)/)
    const encap = /\/4500$/.test(remoteEndpoint ?? '') || sec.some((l) => /NAT-T-Encaps|port 4500/.test(l))
    const packetsOut = toNumber(sec, /#pkts encaps:\s*(\d+)/) ?? 0
    const packetsIn = toNumber(sec, /#pkts decaps:\s*(\d+)/) ?? 0
    const transform = toMatch(sec, /transform:\s*([^,\n]+?)\s*(?:no compression|,|$)/)
    const remaining = toMatch(sec, /remaining key lifetime \((?:kB\/sec|k\/sec|sec)\):\s*\(?(?:\d+\/)?(\d+)\)?/)
    const hasSa = outSpi !== undefined && toSpi(outSpi) !== '0' && toSpi(outSpi) !== '00000000'
    out.push({
      peer,
      ...(encap ? { natT: true } : {}),
      children: hasSa ? [child(peer, { spiIn: toSpi(inSpi), spiOut: toSpi(outSpi), packetsIn, packetsOut, encap, ...(transform ? { algorithms: transform.trim() } : {}), ...(remaining ? { expiresInSec: Number(remaining) } : {}) })] : [],
    })
  }
  return out
}

/** ASA `show vpn-sessiondb detail l2l`: one section per connection with its IKE and IPsec tunnels and byte counters. */
export function parseAsaSessiondbL2l(text: string): PeerState[] {
  const out: PeerState[] = []
  for (const sec of toSections(text, /^Connection\s*:/)) {
    const peer = toMatch(sec, /IP Addr\s*:\s*(\S+)/) ?? toMatch(sec, /^Connection\s*:\s*(\S+)/)
    if (!peer) continue
    const protocol = toMatch(sec, /^Protocol\s*:\s*(.+)$/) ?? ''
    const version: 1 | 2 = /IKEv2/.test(protocol) ? 2 : 1
    const natT = /NatT/i.test(protocol)
    // Each IPsec tunnel is a sub-section "IPsec:" / "IPsecOverNatT:" with its own counters.
    const subs = toSections(sec.join('\n'), /^(IPsec|IPsecOverNatT):\s*$/).filter((s) => /^(IPsec|IPsecOverNatT):/.test(s[0]!))
    const children = subs.map((s) => {
      const id = toMatch(s, /Tunnel ID\s*:\s*(\S+)/) ?? `${peer}:${subs.indexOf(s)}`
      const m = s.map((l) => /Bytes Tx\s*:\s*(\d+)\s+Bytes Rx\s*:\s*(\d+)/.exec(l)).find(Boolean)
      const p = s.map((l) => /Pkts Tx\s*:\s*(\d+)\s+Pkts Rx\s*:\s*(\d+)/.exec(l)).find(Boolean)
      const left = toNumber(s, /Rekey Left\(T\)\s*:\s*(\d+)/)
      const enc = toMatch(s, /Encryption\s*:\s*(\S+)/)
      const hash = toMatch(s, /Hashing\s*:\s*(\S+)/)
      return child(peer, { uniqueId: id, bytesOut: Number(m?.[1] ?? 0), bytesIn: Number(m?.[2] ?? 0), packetsOut: Number(p?.[1] ?? 0), packetsIn: Number(p?.[2] ?? 0), encap: natT, ...(enc ? { algorithms: `${enc}/${hash ?? '?'}` } : {}), ...(left === undefined ? {} : { expiresInSec: left }) })
    })
    out.push({ peer, ikeState: 'ESTABLISHED', rawState: 'L2L session', version, natT, children })
  }
  return out
}

/**
 * IOS `show crypto session detail`: per tunnel interface the session status (UP-ACTIVE, UP-IDLE: IKE up
 * without IPsec SA, UP-NO-IKE, DOWN-NEGOTIATING, DOWN), the peer, the IKE SA and the IPsec flow counters.
 */
export function parseIosCryptoSession(text: string): PeerState[] {
  const out: PeerState[] = []
  for (const sec of toSections(text, /^Interface:\s*\S+/)) {
    const status = toMatch(sec, /^Session status:\s*(\S+)/)
    const peerLine = toMatch(sec, /^Peer:\s*(\S+ port \d+)/)
    const peer = peerLine?.split(' ')[0]
    if (!peer || !status) continue
    // Older IOS prints "IKE SA:" without the version (IKEv1); newer "IKEv1 SA:" / "IKEv2 SA:".
    const ikeActive = sec.some((l) => /IKE(?:v[12])? SA: .* Active\s*$/.test(l))
    const version: 1 | 2 = sec.some((l) => /IKEv2 SA:/.test(l)) ? 2 : 1
    const ikeState = status.startsWith('UP') && ikeActive ? 'ESTABLISHED' : status === 'DOWN-NEGOTIATING' ? 'CONNECTING' : status === 'UP-NO-IKE' ? 'NONE' : 'DOWN'
    const iface = /^Interface:\s*(\S+)/.exec(sec[0]!)?.[1] ?? peer
    // One peer can carry several IPsec flows (a GRE flow and an IP flow, say), each with its own "Active SAs"
    // and counters: every flow counts, not only the first. Active SAs counts inbound and outbound: 2 is one pair.
    const flows = toSections(sec.join('\n'), /^\s*IPSEC FLOW:/).filter((f) => /^\s*IPSEC FLOW:/.test(f[0]!))
    const children: ChildSaStatus[] = []
    for (const flow of flows) {
      const pairs = Math.floor((toNumber(flow, /Active SAs:\s*(\d+)/) ?? 0) / 2)
      const packetsIn = toNumber(flow, /#pkts dec'ed\s+(\d+)/) ?? 0
      const packetsOut = toNumber(flow, /#pkts enc'ed\s+(\d+)/) ?? 0
      for (let i = 0; i < pairs; i++) {
        const n = children.length
        children.push(child(iface, { uniqueId: `${iface}:${n}`, packetsIn: i === 0 ? packetsIn : 0, packetsOut: i === 0 ? packetsOut : 0, encap: /port 4500/.test(peerLine ?? '') }))
      }
    }
    // IOS can list one peer in two sessions (a crypto-map session DOWN with its flows, and the IKE session
    // DOWN-NEGOTIATING): one peer, the furthest state of the two, every child.
    const prev = out.find((p) => p.peer === peer)
    if (!prev) {
      out.push({ peer, ikeState, rawState: status, version, natT: /port 4500/.test(peerLine ?? ''), children })
      continue
    }
    if (IKE_RANK.indexOf(ikeState) > IKE_RANK.indexOf(prev.ikeState ?? 'DOWN')) Object.assign(prev, { ikeState, rawState: status, version })
    prev.natT = prev.natT || /port 4500/.test(peerLine ?? '')
    prev.children.push(...children)
  }
  return out
}

/** How far IKE got, least to most: which of two sessions of one peer says more. */
const IKE_RANK = ['DOWN', 'NONE', 'CONNECTING', 'ESTABLISHED']

/** IOS `show crypto isakmp sa`: dst, src, state per row; the peer is whichever end is not us. */
export function parseIosIsakmpSa(text: string, expectedPeers: readonly string[] = []): PeerState[] {
  const out: PeerState[] = []
  for (const line of toLines(text)) {
    const m = /^\s*(\d+\.\d+\.\d+\.\d+)\s+(\d+\.\d+\.\d+\.\d+)\s+(\S+)\s+\d+/.exec(line)
    if (!m) continue
    const peer = expectedPeers.includes(m[1]!) ? m[1]! : m[2]!
    const deleted = /\(deleted\)/.test(line)
    out.push({ peer, ikeState: deleted ? 'DELETING' : toModelIkeState(m[3]!), rawState: m[3]!, version: 1, children: [] })
  }
  return out
}

/** IOS `show interfaces TunnelN` (first line): admin and line-protocol state of a VTI. */
export function parseIosInterfaceState(text: string): { readonly name: string; readonly up: boolean; readonly lineUp: boolean; readonly packetsIn?: number; readonly packetsOut?: number } | undefined {
  const lines = toLines(text)
  const m = lines.map((l) => /^(\S+) is (up|down|administratively down), line protocol is (up|down)/.exec(l)).find(Boolean)
  if (!m) return undefined
  const pin = toNumber(lines, /^\s*(\d+) packets input/)
  const pout = toNumber(lines, /^\s*(\d+) packets output/)
  return { name: m[1]!, up: m[2] === 'up', lineUp: m[3] === 'up', ...(pin === undefined ? {} : { packetsIn: pin }), ...(pout === undefined ? {} : { packetsOut: pout }) }
}

/** Merges what several commands said about the peers into IKE SAs of the status model. */
export function mergeCiscoPeers(...lists: ReadonlyArray<readonly PeerState[]>): IkeSaStatus[] {
  const byPeer = new Map<string, PeerState>()
  for (const list of lists) {
    for (const p of list) {
      const prev = byPeer.get(p.peer)
      if (!prev) {
        byPeer.set(p.peer, { ...p, children: [...p.children] })
        continue
      }
      // The first command that names an IKE state wins (the session/IKE views come first); children with
      // counters replace empty ones, and SPIs fill in where the session view had none.
      if (prev.ikeState === undefined && p.ikeState !== undefined) Object.assign(prev, { ikeState: p.ikeState, rawState: p.rawState })
      if (prev.version === undefined && p.version !== undefined) prev.version = p.version
      prev.natT = prev.natT || p.natT
      if (prev.children.length === 0) prev.children = [...p.children]
      else if (p.children[0] && !prev.children[0]!.spiIn) prev.children[0] = { ...prev.children[0]!, spiIn: p.children[0].spiIn, spiOut: p.children[0].spiOut, ...(prev.children[0]!.packetsIn === 0 && prev.children[0]!.packetsOut === 0 ? { packetsIn: p.children[0].packetsIn, packetsOut: p.children[0].packetsOut } : {}) }
    }
  }
  return [...byPeer.values()].map((p) => ({
    name: p.peer,
    uniqueId: `${p.peer}:${p.rawState ?? ''}`,
    ...(p.version ? { version: p.version } : {}),
    // IPsec SAs without an IKE line (ipsec sa alone): the IKE SA that made them is up.
    state: p.ikeState ?? (p.children.length > 0 ? 'ESTABLISHED' : 'NONE'),
    remoteHost: p.peer,
    natT: p.natT ?? false,
    ...(p.rawState ? { deviceState: p.rawState } : {}),
    children: p.children,
  }))
}

export { isIpv4 }
