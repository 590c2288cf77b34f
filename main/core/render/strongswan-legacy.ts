// strongSwan legacy (stroke/starter, ipsec.conf) renderer: conn and secrets includes.
import { toTunnelNames } from '../base/vocabulary'
import type { RenderInput } from '../details/resolve'
import { toStrongswanEsp, toStrongswanIke } from './crypto'
import { escapeInt } from './escape'
import { POLICY_STANDBY_NOTE, renderCharonSnippet, renderKeepupScript, toKeepupNote, toKeepupPath } from './keepup'
import { renderRouteScript, toRouteScriptPath, toTunnelInterfaces } from './route-plumbing'
import { fillTemplate, loadKindTemplates } from './templates'
import type { FileLayout, RenderedConfig, RenderedFile } from './types'
import { toNameMarkerLine } from '../details/slug'

/** Paths of the include files (the stock ipsec.conf/ipsec.secrets include /etc/ipsec.d/*.conf|*.secrets on Debian). */
export function toLegacyPaths(slug: string, layout: FileLayout): { conf: string; secrets: string } {
  const etc = layout === 'rhel' ? '/etc/strongswan' : '/etc'
  return {
    conf: `${etc}/ipsec.d/tunnelwright-${slug}.conf`,
    secrets: `${etc}/ipsec.d/tunnelwright-${slug}.secrets`,
  }
}

/** Renders the ipsec.conf and ipsec.secrets includes, keepup.sh (their leftupdown) and VTI plumbing in route-based mode. */
export function renderStrongswanLegacy(input: RenderInput, opts: { templatesDir: string; layout: FileLayout; version: string }): RenderedConfig {
  const t = loadKindTemplates(opts.templatesDir, 'strongswan-legacy')
  const c = input.details.crypto
  const names = toTunnelNames(input.slug)
  const route = input.routing === 'route'
  const ifaces = toTunnelInterfaces(input, 'vti')
  const paths = toLegacyPaths(input.slug, opts.layout)
  const scriptPath = toRouteScriptPath(input, opts.layout)
  const keepupPath = toKeepupPath(input, opts.layout)
  const conns = input.tunnels.map((tn, i) =>
    fillTemplate(t, 'conn.conf', {
      name: names[i]!,
      keyExchange: c.ikeVersion === 1 ? 'ikev1' : 'ikev2',
      localAddress: input.localAddress,
      localId: input.localId,
      localTs: input.localSelectors,
      remoteAddress: tn.outsideIp,
      remoteId: tn.outsideIp,
      remoteTs: input.remoteSelectors,
      ike: toStrongswanIke(c),
      esp: toStrongswanEsp(c),
      ikeLifetime: c.ikeLifetime,
      ipsecLifetime: c.ipsecLifetime,
      // Policy-based, tunnel 2 is the standby: added, brought up by keepup.sh only when tunnel 1 is down.
      auto: route || i === 0 ? 'start' : 'add',
      dpdDelay: c.dpd.delay,
      dpdTimeout: c.dpd.timeout,
      // keepup.sh is the leftupdown hook in both modes (route-based it runs route.sh first).
      updown: keepupPath,
      tunnelIndex: tn.index,
      // stroke has no if_id: route-based uses a mark per tunnel matched by a VTI with the same key.
      routeOptions: { fragment: route ? `mark=${escapeInt(ifaces[i]!.ifId)}` : '' },
    }),
  )
  const secrets = input.tunnels.map((tn) => fillTemplate(t, 'secret.line', { localId: input.localId, remoteId: tn.outsideIp, psk: tn.psk }).trimEnd())
  const files: RenderedFile[] = [
    { path: paths.conf, mode: 0o644, content: fillTemplate(t, 'ipsec.conf', { comment: input.details.name, nameMarker: toNameMarkerLine(input.slug, input.details.name), slug: input.slug, conns: { fragment: conns.join('\n') } }), secret: false, role: 'ipsec.conf include: one conn per AWS tunnel' },
    { path: paths.secrets, mode: 0o600, content: fillTemplate(t, 'ipsec.secrets', { comment: input.details.name, nameMarker: toNameMarkerLine(input.slug, input.details.name), slug: input.slug, secrets: { fragment: secrets.join('\n') } }), secret: true, role: 'ipsec.secrets include: the PSKs' },
  ]
  const ipsec = opts.layout === 'rhel' ? 'strongswan' : 'ipsec'
  files.push(renderKeepupScript(opts.templatesDir, input, { path: keepupPath, confPath: paths.conf, connectionNames: names, starterCommand: ipsec, ...(route ? { routeScript: scriptPath, ifaces } : {}) }))
  files.push(renderCharonSnippet(opts.templatesDir, input, { layout: opts.layout, keepupPath, installRoutesOff: route }))
  const notes = [
    toKeepupNote(input, keepupPath),
    `ipsec.conf must include ${paths.conf} and ipsec.secrets ${paths.secrets} (the Debian defaults include /etc/ipsec.d/*.conf only on some releases: check).`,
  ]
  if (route) {
    files.push(renderRouteScript(opts.templatesDir, input, ifaces, { path: scriptPath, link: 'vti' }))
    notes.push('Route-based (VTI): charon.install_routes=no applies to every connection of this charon, and charon reads it only when it starts: the first apply restarts starter and charon, so every tunnel of this gateway drops for a few seconds. After a rollback charon keeps the setting until its next restart.')
  } else {
    notes.push(POLICY_STANDBY_NOTE)
  }
  return { kind: 'strongswan-legacy', version: opts.version, routing: input.routing, files, connectionNames: names, notes }
}
