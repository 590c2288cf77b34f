// Libreswan (3.x, 4.x, 5.x) and Openswan 2.6 renderer: /etc/ipsec.d/<slug>.conf and .secrets (+ Libreswan's keep-up).
import { toTunnelNames } from '../base/vocabulary'
import type { RenderInput } from '../details/resolve'
import { UserError } from '../base/result'
import { toLibreswanEsp, toLibreswanIke } from './crypto'
import { escapeInt, escapePath } from './escape'
import { LIBRESWAN_STANDBY_NOTE, renderIpsecServiceDropIn, renderLibreswanKeepup, toKeepupNote, toKeepupPath } from './keepup'
import { renderRouteScript, toRouteScriptPath, toTunnelInterfaces } from './route-plumbing'
import { fillTemplate, loadKindTemplates } from './templates'
import type { FileLayout, RenderedConfig, RenderedFile } from './types'
import { compareVersions } from '../base/version'
import { toNameMarkerLine } from '../details/slug'

/** The include file paths (stock ipsec.conf/ipsec.secrets include /etc/ipsec.d/*.conf|*.secrets). */
export function toIpsecDPaths(slug: string): { conf: string; secrets: string } {
  return { conf: `/etc/ipsec.d/tunnelwright-${slug}.conf`, secrets: `/etc/ipsec.d/tunnelwright-${slug}.secrets` }
}

/**
 * Renders the conn and secrets includes for Libreswan or Openswan, shaped for the given version; for
 * Libreswan also keepup.sh (the conns' leftupdown), the ipsec.service drop-in that starts it at boot and,
 * route-based, route.sh.
 *
 * Route-based Libreswan: one VTI per tunnel, each conn with its own mark (mark=, vti-interface=). Two conns
 * with 0.0.0.0/0 selectors on XFRM interfaces (ipsec-interface=) cannot both be routed by pluto: the second
 * fails with "cannot route -- route already in use" (4.10, measured on a real kernel); pluto tells two
 * eroutes apart only by their marks. Policy-based: tunnel 2 stands by (auto=add), keepup.sh holds one
 * tunnel up, because the second conn with the same selectors cannot be routed either.
 */
export function renderLibreswan(input: RenderInput, kind: 'libreswan' | 'openswan', opts: { templatesDir: string; layout: FileLayout; version: string }): RenderedConfig {
  const t = loadKindTemplates(opts.templatesDir, kind)
  const c = input.details.crypto
  const v5 = kind === 'libreswan' && compareVersions(opts.version, '5') >= 0
  const route = input.routing === 'route'
  const names = toTunnelNames(input.slug)
  const notes: string[] = []
  if (input.localSelectors.length !== 1 || input.remoteSelectors.length !== 1) {
    throw new UserError('selectors-several', `${kind} takes one subnet per side per conn; the details give ${input.localSelectors.length} local and ${input.remoteSelectors.length} remote.`, { fix: 'Use route-based mode, or summarize the CIDRs into one supernet per side.' })
  }
  if (route && kind === 'openswan') {
    throw new UserError('openswan-route', 'Openswan 2.6 has no route-based mode (no mark/VTI/ipsec-interface).', { fix: 'Render with --routing policy (one summarized selector pair; one tunnel active at a time).' })
  }
  const libreswan = kind === 'libreswan'
  const ifaces = toTunnelInterfaces(input, 'vti')
  // Libreswan keeps its files in /etc/ipsec.d on every distribution: our scripts go beside, in /etc/tunnelwright.
  const scriptPath = toRouteScriptPath(input, 'debian')
  const keepupPath = toKeepupPath(input, 'debian')
  const paths = toIpsecDPaths(input.slug)
  const ikeVersionLine =
    kind === 'openswan' ? (c.ikeVersion === 1 ? 'ikev2=never' : 'ikev2=insist') : v5 ? (c.ikeVersion === 1 ? 'keyexchange=ikev1' : 'keyexchange=ikev2') : c.ikeVersion === 1 ? 'ikev2=no' : 'ikev2=yes'
  const conns = input.tunnels.map((tn, i) => {
    const ifc = ifaces[i]!
    // The VTI (made by route.sh) and the conn's policies and SAs share the mark; our own updown replaces
    // ipsec _updown, which would route 0.0.0.0/0 into the interface and capture all traffic.
    const routeLines = route ? [`mark=${escapeInt(ifc.ifId)}/0xffffffff`, `vti-interface=${ifc.iface}`, 'vti-routing=no'] : []
    // pluto runs leftupdown even after a rollback removed the script (it lets go of the conn only on the
    // reload that follows): run it only while it exists, so that is not a failure (exit 127).
    // keepup.sh is the hook in both modes (route-based it runs route.sh first).
    const hookLines = libreswan ? [`leftupdown="sh -c '[ -x $0 ] || exit 0; exec $0 updown ${escapeInt(tn.index)}' ${escapePath(keepupPath)}"`] : []
    return fillTemplate(t, 'conn.conf', {
      name: names[i]!,
      ikeVersionLine: { fragment: ikeVersionLine },
      // Policy-based Libreswan: tunnel 2 stands by, started only by keepup.sh when tunnel 1 fails.
      auto: libreswan && !route && i === 1 ? 'add' : 'start',
      localAddress: input.localAddress,
      localId: input.localId,
      localTs: input.localSelectors[0]!,
      remoteAddress: tn.outsideIp,
      remoteId: tn.outsideIp,
      remoteTs: input.remoteSelectors[0]!,
      ike: toLibreswanIke(c),
      espKey: v5 ? 'esp' : 'phase2alg',
      esp: toLibreswanEsp(c),
      pfs: c.pfsGroup === 0 ? 'no' : 'yes',
      ikeLifetime: c.ikeLifetime,
      ipsecLifetime: c.ipsecLifetime,
      dpdDelay: c.dpd.delay,
      dpdTimeout: c.dpd.timeout,
      // Libreswan 5 ignores dpdaction/keyingtries (revival re-establishes on its own).
      versionOptions: { fragment: v5 ? '' : 'dpdaction=restart\nkeyingtries=%forever' },
      routeOptions: { fragment: routeLines.join('\n') },
      hookOptions: { fragment: hookLines.join('\n') },
    })
  })
  const secrets = input.tunnels.map((tn) => fillTemplate(t, 'secret.line', { localId: input.localId, remoteId: tn.outsideIp, psk: tn.psk }).trimEnd())
  const flavour = `${kind}-${opts.version}`.replace(/[^A-Za-z0-9_.-]/g, '-')
  const files: RenderedFile[] = [
    { path: paths.conf, mode: 0o644, content: fillTemplate(t, 'ipsec.conf', { comment: input.details.name, nameMarker: toNameMarkerLine(input.slug, input.details.name), slug: input.slug, flavour, conns: { fragment: conns.join('\n') } }), secret: false, role: 'ipsec.d conn include: one conn per AWS tunnel' },
    { path: paths.secrets, mode: 0o600, content: fillTemplate(t, 'ipsec.secrets', { comment: input.details.name, nameMarker: toNameMarkerLine(input.slug, input.details.name), slug: input.slug, secrets: { fragment: secrets.join('\n') } }), secret: true, role: 'ipsec.d secrets include: the PSKs' },
  ]
  if (libreswan) {
    files.push(renderLibreswanKeepup(opts.templatesDir, input, { path: keepupPath, confPath: paths.conf, connectionNames: names, ...(route ? { routeScript: scriptPath, ifaces } : {}) }))
    files.push(renderIpsecServiceDropIn(opts.templatesDir, input, { keepupPath }))
    notes.push(toKeepupNote(input, keepupPath))
  }
  if (route) {
    files.push(renderRouteScript(opts.templatesDir, input, ifaces, { path: scriptPath, link: 'vti' }))
    notes.push(`Route-based: one VTI per tunnel (${ifaces[0].iface}/${ifaces[1].iface}, made by ${scriptPath} when each tunnel comes up), each conn with its own mark; clamp TCP MSS for forwarded traffic (≤ 1382 with NAT-T, ≤ 1398 without).`)
  }
  if (libreswan && c.ikeVersion === 1 && (v5 || compareVersions(opts.version, '4.5') >= 0)) {
    notes.push('IKEv1 needs ikev1-policy=accept in config setup (default drop on Libreswan 5 and Debian ≥ 4.5-2); enabling it needs a pluto restart, which drops every tunnel on this host.')
  }
  if (kind === 'openswan') notes.push('Openswan: behind NAT, config setup needs nat_traversal=yes (default no).')
  if (!route) notes.push(libreswan ? LIBRESWAN_STANDBY_NOTE : 'Policy-based: both tunnels carry the same selectors; only one can carry traffic at a time on Linux.')
  return { kind, version: opts.version, routing: input.routing, files, connectionNames: names, notes }
}
