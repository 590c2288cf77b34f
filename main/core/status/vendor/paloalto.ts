// PAN-OS show commands → the status model.
//
// Formats from published output: VyOS's PAN-OS interop example (vyos-documentation
// docs/configexamples/ipsec-pa-route-based.rst, IKEv1) and Cloudflare's PAN-OS guide (cloudflare-docs
// content/magic-wan/third-party/palo-alto.md, IKEv2, PAN-OS 9.1): `show vpn ike-sa` lists phase-1 SAs per
// gateway with the peer address (IKEv2 rows end with their state, "Established"); `show vpn ipsec-sa` lists one
// row per tunnel with the peer, SPIs and lifetime.
import type { ChildSaStatus, IkeSaStatus } from '../model'
import { isIpv4, toLines } from './text'

/** `show vpn ike-sa`: IKEv1 phase-1 rows (GwID, peer, gateway, role, mode, algorithm, …) and IKEv2 rows. */
export function parsePanosIkeSa(text: string): IkeSaStatus[] {
  const out: IkeSaStatus[] = []
  let section: 'v1' | 'v2' | 'other' = 'other'
  for (const line of toLines(text)) {
    if (/IKEv1 phase-1 SAs/.test(line)) section = 'v1'
    else if (/IKEv1 phase-2 SAs|IPSec Child SAs/i.test(line)) section = 'other'
    else if (/IKEv2 SAs/.test(line)) section = 'v2'
    if (section === 'other') continue
    const t = line.trim().split(/\s+/)
    const peer = t[1]
    if (!/^\d+$/.test(t[0] ?? '') || !peer || !isIpv4(peer)) continue
    const gateway = t[2] ?? peer
    const alg = t.find((x) => /^PSK\/|\/DH\d+\//.test(x))
    // IKEv2 rows end with the SA state (ST column); an IKEv1 row's ST is a number, and a listed phase-1 SA is up.
    const st = section === 'v2' ? t.at(-1) : undefined
    const up = st === undefined || /^established$/i.test(st)
    out.push({ name: gateway, uniqueId: `${t[0]}:${peer}`, state: up ? 'ESTABLISHED' : 'CONNECTING', remoteHost: peer, natT: false, version: section === 'v2' ? 2 : 1, ...(st ? { deviceState: st } : {}), ...(alg ? { algorithms: alg } : {}), children: [] })
  }
  return out
}

/** `show vpn ipsec-sa`: GwID, TnID, peer, tunnel(gateway), algorithm, SPI in, SPI out, life, remaining. */
export function parsePanosIpsecSa(text: string): Map<string, ChildSaStatus[]> {
  const byPeer = new Map<string, ChildSaStatus[]>()
  for (const line of toLines(text)) {
    const t = line.trim().split(/\s+/)
    if (!/^\d+$/.test(t[0] ?? '') || !/^\d+$/.test(t[1] ?? '') || !isIpv4(t[2] ?? '')) continue
    const [, tnid, peer, tunnel, alg, spiIn, spiOut, , remain] = t
    const c: ChildSaStatus = { name: (tunnel ?? '').replace(/\(.*\)$/, ''), uniqueId: `${tnid}:${(spiIn ?? '').toLowerCase()}`, state: 'INSTALLED', encap: false, spiIn: (spiIn ?? '').toLowerCase(), spiOut: (spiOut ?? '').toLowerCase(), bytesIn: 0, packetsIn: 0, bytesOut: 0, packetsOut: 0, localTs: [], remoteTs: [], ...(alg ? { algorithms: alg } : {}), ...(remain && /^\d+$/.test(remain) ? { expiresInSec: Number(remain) } : {}) }
    byPeer.set(peer!, [...(byPeer.get(peer!) ?? []), c])
  }
  return byPeer
}

/** IKE SAs with their IPsec SAs by peer. */
export function mergePanos(ike: readonly IkeSaStatus[], ipsec: ReadonlyMap<string, ChildSaStatus[]>): IkeSaStatus[] {
  const out = ike.map((s) => ({ ...s, children: ipsec.get(s.remoteHost) ?? [] }))
  for (const [peer, children] of ipsec) {
    if (!out.some((s) => s.remoteHost === peer)) out.push({ name: peer, uniqueId: `ipsec:${peer}`, state: 'ESTABLISHED', remoteHost: peer, natT: false, children })
  }
  return out
}
