// strongSwan swanctl (VICI) renderer: one conf.d file with both tunnels and their PSKs.
import { toTunnelNames } from '../base/vocabulary'
import type { RenderInput } from '../details/resolve'
import { toStrongswanEsp, toStrongswanIke } from './crypto'
import { escapeInt } from './escape'
import { POLICY_STANDBY_NOTE, renderCharonSnippet, renderKeepupScript, toKeepupNote, toKeepupPath } from './keepup'
import { renderRouteScript, toRouteScriptPath, toTunnelInterfaces } from './route-plumbing'
import { fillTemplate, loadKindTemplates } from './templates'
import type { FileLayout, RenderedConfig } from './types'
import { toNameMarkerLine } from '../details/slug'

/** The swanctl conf.d file path for a connection set. */
export function toSwanctlPath(slug: string, layout: FileLayout): string {
  return `${layout === 'rhel' ? '/etc/strongswan/swanctl' : '/etc/swanctl'}/conf.d/tunnelwright-${slug}.conf`
}

/** Renders the swanctl configuration, keepup.sh (its updown hook) and route.sh in route-based mode. */
export function renderStrongswan(input: RenderInput, opts: { templatesDir: string; layout: FileLayout; version: string }): RenderedConfig {
  const t = loadKindTemplates(opts.templatesDir, 'strongswan')
  const c = input.details.crypto
  const names = toTunnelNames(input.slug)
  const route = input.routing === 'route'
  const ifaces = toTunnelInterfaces(input, 'xfrm')
  const scriptPath = toRouteScriptPath(input, opts.layout)
  const keepupPath = toKeepupPath(input, opts.layout)
  const confPath = toSwanctlPath(input.slug, opts.layout)
  const connections = input.tunnels.map((tn, i) =>
    fillTemplate(t, 'connection.conf', {
      name: names[i]!,
      ikeVersion: c.ikeVersion,
      localAddress: input.localAddress,
      remoteAddress: tn.outsideIp,
      proposals: toStrongswanIke(c),
      dpdDelay: c.dpd.delay,
      dpdTimeout: c.dpd.timeout,
      // IKEv1 has no IKE rekey: charon reauthenticates, so the phase 1 lifetime is reauth_time.
      ikeLifetime: { fragment: c.ikeVersion === 1 ? `reauth_time = ${escapeInt(c.ikeLifetime)}s` : `rekey_time = ${escapeInt(c.ikeLifetime)}s` },
      localId: input.localId,
      remoteId: tn.outsideIp,
      localTs: input.localSelectors,
      remoteTs: input.remoteSelectors,
      espProposals: toStrongswanEsp(c),
      ipsecRekey: Math.floor(c.ipsecLifetime * 0.9),
      ipsecLifetime: c.ipsecLifetime,
      // Policy-based, tunnel 2 is the standby: loaded, started by keepup.sh only when tunnel 1 is down.
      startAction: route || i === 0 ? 'start' : 'none',
      // keepup.sh is the updown hook in both modes (route-based it runs route.sh first).
      updown: keepupPath,
      tunnelIndex: tn.index,
      // 0/0 selectors are safe only bound to an XFRM interface (distinct if_id per tunnel).
      routeOptions: { fragment: route ? [`if_id_in = ${escapeInt(ifaces[i]!.ifId)}`, `if_id_out = ${escapeInt(ifaces[i]!.ifId)}`].join('\n') : '' },
    }),
  )
  const secrets = input.tunnels.map((tn, i) => fillTemplate(t, 'secret.conf', { name: names[i]!, localId: input.localId, remoteId: tn.outsideIp, psk: tn.psk }))
  const content = fillTemplate(t, 'swanctl.conf', {
    comment: input.details.name,
    nameMarker: toNameMarkerLine(input.slug, input.details.name),
    slug: input.slug,
    connections: { fragment: connections.join('\n') },
    secrets: { fragment: secrets.join('\n') },
  })
  const files = [{ path: confPath, mode: 0o600, content, secret: true, role: 'swanctl connections and PSKs (include conf.d/*.conf)' }]
  files.push(renderKeepupScript(opts.templatesDir, input, { path: keepupPath, confPath, connectionNames: names, ...(route ? { routeScript: scriptPath, ifaces } : {}) }))
  files.push(renderCharonSnippet(opts.templatesDir, input, { layout: opts.layout, keepupPath, installRoutesOff: false }))
  const notes: string[] = [toKeepupNote(input, keepupPath)]
  if (route) {
    files.push(renderRouteScript(opts.templatesDir, input, ifaces, { path: scriptPath, link: 'xfrm' }))
    notes.push(`Route-based: ${scriptPath} creates ${ifaces[0].iface}/${ifaces[1].iface} when each tunnel comes up.`)
  } else {
    notes.push(POLICY_STANDBY_NOTE)
  }
  return { kind: 'strongswan', version: opts.version, routing: input.routing, files, connectionNames: names, notes }
}
