// Route-based mode on Linux: interface names, XFRM if_ids, MTU and the route.sh artifact.
import type { RenderInput } from '../details/resolve'
import { loadKindTemplates, fillTemplate } from './templates'
import type { FileLayout, RenderedFile } from './types'
import { toNameMarkerLine } from '../details/slug'

/** Interface name, if_id and inside address of one tunnel in route-based mode. */
export interface TunnelInterface {
  readonly iface: string
  readonly ifId: number
  readonly insideLocal: string
  readonly insideAws: string
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5
  for (const ch of text) h = Math.imul(h ^ (ch.codePointAt(0) ?? 0), 0x01000193) >>> 0
  return h
}

/**
 * Two distinct if_ids per connection set, stable across renders and unlikely to collide with other
 * sets on the same gateway (derived from the slug): tunnel 1 even, tunnel 2 the next odd number.
 */
export function toTunnelInterfaces(input: RenderInput, kind: 'xfrm' | 'vti'): readonly [TunnelInterface, TunnelInterface] {
  const base = 10000 + (fnv1a(input.slug) % 40000) * 2
  return [0, 1].map((i) => {
    const t = input.tunnels[i]!
    // Names stay within 15 characters: tw<if_id> for XFRM interfaces, twv<key> for VTIs (strongSwan starter, Libreswan).
    const ifId = base + i
    return { iface: kind === 'vti' ? `twv${ifId}` : `tw${ifId}`, ifId, insideLocal: t.insideLocal, insideAws: t.insideAws }
  }) as unknown as readonly [TunnelInterface, TunnelInterface]
}

/** Which interfaces a stack's route-based tunnels get: XFRM interfaces on swanctl; a VTI per conn on starter and Libreswan (pluto cannot route two 0/0 conns on XFRM interfaces). */
export function toInterfaceKind(kind: string): 'xfrm' | 'vti' {
  return kind === 'strongswan' ? 'xfrm' : 'vti'
}

/** Tunnel MTU from AWS's table (AES-CBC/SHA2: 1438, 1422 with NAT-T; GCM: 1446, 1438); AWS does no PMTUD. */
export function toTunnelMtu(input: RenderInput): number {
  const natted = input.localAddress !== input.localId
  const gcm = input.details.crypto.encryption.endsWith('gcm16')
  return gcm ? (natted ? 1438 : 1446) : natted ? 1422 : 1438
}

/** Where route.sh lives on the gateway. */
export function toRouteScriptPath(input: RenderInput, layout: FileLayout): string {
  return layout === 'rhel' ? `/etc/strongswan/tunnelwright/${input.slug}-route.sh` : `/etc/tunnelwright/${input.slug}-route.sh`
}

/** Renders route.sh (template strongswan/route.sh) for the given interfaces. */
export function renderRouteScript(templatesDir: string, input: RenderInput, ifaces: readonly [TunnelInterface, TunnelInterface], opts: { path: string; link: 'xfrm' | 'vti' }): RenderedFile {
  const t = loadKindTemplates(templatesDir, 'strongswan')
  const content = fillTemplate(t, 'route.sh', {
    comment: input.details.name,
    nameMarker: toNameMarkerLine(input.slug, input.details.name),
    slug: input.slug,
    linkType: opts.link,
    localAddress: input.localAddress,
    peer1: input.tunnels[0].outsideIp,
    peer2: input.tunnels[1].outsideIp,
    mtu: toTunnelMtu(input),
    dedicatedCidrs: input.dedicatedCidrs,
    routesBy: input.details.bgp ? 'bgp' : 'static',
    iface1: ifaces[0].iface,
    ifId1: ifaces[0].ifId,
    insideLocal1: ifaces[0].insideLocal,
    iface2: ifaces[1].iface,
    ifId2: ifaces[1].ifId,
    insideLocal2: ifaces[1].insideLocal,
  })
  return { path: opts.path, mode: 0o700, content, secret: false, plumbing: true, role: 'route-based plumbing: XFRM interfaces, inside addresses, routes that follow the SAs (run by the IKE daemon as updown)' }
}
