// Keep-up on the gateway without the app: keepup.sh (re-initiation watchdog + keepalive pings), swanctl,
// starter or Libreswan (its own template, through `ipsec whack`).
//
// AWS never initiates and drops idle tunnels (domain.md). charon's dpd_action=restart and close_action=start
// re-initiate once; when the peer refuses that one attempt (NO_PROPOSAL_CHOSEN from an endpoint under
// maintenance, measured in the lab) the tunnel stays down for good, so a small loop on the gateway
// re-initiates it and pings across the tunnels every 5 s, as AWS's own heartbeat.sh does.
import type { RenderInput } from '../details/resolve'
import { parsePrefix, toIpv4 } from '../net/cidr'
import type { TunnelInterface } from './route-plumbing'
import { fillTemplate, loadKindTemplates } from './templates'
import type { FileLayout, RenderedFile } from './types'
import { toNameMarkerLine } from '../details/slug'

/** Seconds between the loop's checks and keepalive pings (AWS's templates ping every 5 s). */
export const KEEPUP_INTERVAL = 5

/** Policy-based: rounds with no tunnel up before keepup.sh initiates the standby (three: an IKE retransmit fits). */
export const KEEPUP_FAILOVER_ROUNDS = 3

/** What the plan says about policy-based mode on strongSwan (both renderers). */
export const POLICY_STANDBY_NOTE =
  `Policy-based: both tunnels carry the same selectors and AWS allows only one of them up at a time (on Linux, what AWS sends back on the other is dropped: XfrmInTmplMismatch). Tunnel 1 is active and tunnel 2 stands by: keepup.sh brings tunnel 2 up when no tunnel has been up for about ${KEEPUP_FAILOVER_ROUNDS * KEEPUP_INTERVAL} s, closes whichever comes up beside the active one, and does not fail back.`

/** What the plan says about policy-based mode on Libreswan. */
export const LIBRESWAN_STANDBY_NOTE =
  `Policy-based: both tunnels carry the same selectors and AWS allows only one of them up at a time (Libreswan cannot even route the second one: "cannot route -- route already in use"). Tunnel 1 is active and tunnel 2 stands by (auto=add): keepup.sh takes tunnel 1 down and brings tunnel 2 up when no tunnel has been up for about ${KEEPUP_FAILOVER_ROUNDS * KEEPUP_INTERVAL} s, and does not fail back.`

/**
 * How a rendered set runs its two tunnels: policy-based on strongSwan (swanctl, starter) and Libreswan, keepup.sh
 * holds one up with the other standing by (AWS answering on the other would be dropped); otherwise both are up.
 */
export function toTunnelsMode(kind: string, routing: string): 'both-up' | 'active-standby' {
  return routing === 'policy' && (kind === 'strongswan' || kind === 'strongswan-legacy' || kind === 'libreswan') ? 'active-standby' : 'both-up'
}

/** The plan's line about keepup.sh. */
export function toKeepupNote(input: RenderInput, path: string): string {
  const what = input.routing === 'route' ? 're-initiates a tunnel left down and pings across each tunnel every 5 s' : 'holds one tunnel up with the other standing by, and pings across the active one every 5 s'
  return `${path} keeps the tunnels up without the app: it ${what} (logs to syslog as tunnelwright-${input.slug}).`
}

/** Where keepup.sh lives on the gateway (beside route.sh). */
export function toKeepupPath(input: RenderInput, layout: FileLayout): string {
  return layout === 'rhel' ? `/etc/strongswan/tunnelwright/${input.slug}-keepup.sh` : `/etc/tunnelwright/${input.slug}-keepup.sh`
}

/**
 * What each tunnel's keepalive pings, and from where. Route-based: AWS's inside address from ours, so
 * each ping crosses its own tunnel. Policy-based: the health target (else the first host of the remote
 * selector) with no source: the tunnel's route picks our address inside the local selector.
 */
export function toKeepaliveTargets(input: RenderInput, ifaces?: readonly [TunnelInterface, TunnelInterface]): readonly [{ target: string; source: string }, { target: string; source: string }] {
  if (input.routing === 'route' && ifaces) return [0, 1].map((i) => ({ target: ifaces[i]!.insideAws, source: ifaces[i]!.insideLocal })) as unknown as readonly [{ target: string; source: string }, { target: string; source: string }]
  const remote = parsePrefix(input.remoteSelectors[0] ?? '')
  const target = input.details.health?.target ?? (remote ? toIpv4(remote.bits >= 31 ? remote.first : remote.first + 1n) : input.tunnels[0].insideAws)
  return [
    { target, source: '' },
    { target, source: '' },
  ]
}

/**
 * Where the charon snippet lives: strongswan.d/ at the top level (strongswan.conf includes strongswan.d/*.conf
 * outside any section; strongswan.d/charon/*.conf lands inside charon.plugins, where charon settings are ignored).
 */
export function toCharonSnippetPath(slug: string, layout: FileLayout): string {
  return `${layout === 'rhel' ? '/etc/strongswan' : '/etc'}/strongswan.d/tunnelwright-${slug}.conf`
}

/**
 * Renders the charon snippet (template strongswan/charon.conf): charon starts keepup.sh when it starts, so the
 * loop runs after a reboot even when no tunnel comes up by itself; `installRoutesOff` adds install_routes = no
 * (the legacy renderer's route-based 0/0 policies with marks).
 */
export function renderCharonSnippet(templatesDir: string, input: RenderInput, opts: { readonly layout: FileLayout; readonly keepupPath: string; readonly installRoutesOff: boolean }): RenderedFile {
  const t = loadKindTemplates(templatesDir, 'strongswan')
  const routes = opts.installRoutesOff ? '  # Route-based: 0.0.0.0/0 selectors with marks; charon would otherwise route all traffic into table 220.\n  # This setting applies to every connection of this charon.\n  install_routes = no' : ''
  const content = fillTemplate(t, 'charon.conf', { comment: input.details.name, nameMarker: toNameMarkerLine(input.slug, input.details.name), slug: input.slug, keepup: opts.keepupPath, routes: { fragment: routes } })
  return {
    path: toCharonSnippetPath(input.slug, opts.layout),
    mode: 0o644,
    content,
    secret: false,
    role: `charon setting: start keepup.sh when charon starts (boot)${opts.installRoutesOff ? '; no table-220 routes for the 0/0 route-based policies' : ''}`,
  }
}

/** Where the ipsec.service drop-in that starts Libreswan's keep-up loop lives (systemd reads drop-ins at boot). */
export function toIpsecServiceDropInPath(slug: string): string {
  return `/etc/systemd/system/ipsec.service.d/tunnelwright-${slug}.conf`
}

/**
 * Renders the ipsec.service drop-in (template libreswan/ipsec-service.conf): pluto has no start-scripts,
 * so the service starts keepup.sh once pluto is up (boot, restart), as charon's start-scripts do for strongSwan.
 */
export function renderIpsecServiceDropIn(templatesDir: string, input: RenderInput, opts: { readonly keepupPath: string }): RenderedFile {
  const t = loadKindTemplates(templatesDir, 'libreswan')
  const content = fillTemplate(t, 'ipsec-service.conf', { comment: input.details.name, nameMarker: toNameMarkerLine(input.slug, input.details.name), slug: input.slug, keepup: opts.keepupPath })
  return { path: toIpsecServiceDropInPath(input.slug), mode: 0o644, content, secret: false, role: 'systemd drop-in for ipsec.service: start keepup.sh once pluto is up (boot, restart)' }
}

/** The values every stack's keepup.sh template takes (the stack-specific ones are added by its renderer). */
function toKeepupValues(
  input: RenderInput,
  opts: { readonly path: string; readonly confPath: string; readonly connectionNames: readonly [string, string]; readonly routeScript?: string; readonly ifaces?: readonly [TunnelInterface, TunnelInterface] },
): Record<string, string | number> {
  const [k1, k2] = toKeepaliveTargets(input, opts.ifaces)
  return {
    comment: input.details.name,
    nameMarker: toNameMarkerLine(input.slug, input.details.name),
    slug: input.slug,
    self: opts.path,
    conf: opts.confPath,
    routeScript: opts.routeScript ?? '',
    routing: input.routing,
    interval: KEEPUP_INTERVAL,
    failover: KEEPUP_FAILOVER_ROUNDS,
    conn1: opts.connectionNames[0],
    conn2: opts.connectionNames[1],
    target1: k1.target,
    source1: k1.source,
    target2: k2.target,
    source2: k2.source,
  }
}

/** Renders keepup.sh for Libreswan (template libreswan/keepup.sh): the same design as strongSwan's, through `ipsec whack`. */
export function renderLibreswanKeepup(
  templatesDir: string,
  input: RenderInput,
  opts: {
    readonly path: string
    readonly confPath: string
    readonly connectionNames: readonly [string, string]
    readonly routeScript?: string
    readonly ifaces?: readonly [TunnelInterface, TunnelInterface]
  },
): RenderedFile {
  const t = loadKindTemplates(templatesDir, 'libreswan')
  const content = fillTemplate(t, 'keepup.sh', { ...toKeepupValues(input, opts), localTs: input.localSelectors[0] ?? '0.0.0.0/0' })
  return { path: opts.path, mode: 0o700, content, secret: false, role: 'keep-up without the app: re-initiates a tunnel left down, keepalive pings every 5 s (started by pluto as leftupdown and by ipsec.service at start; ends when removed)' }
}

/** Renders keepup.sh (template strongswan/keepup.sh) for a swanctl connection set, or a starter one given its ipsec command. */
export function renderKeepupScript(
  templatesDir: string,
  input: RenderInput,
  opts: {
    readonly path: string
    readonly confPath: string
    readonly connectionNames: readonly [string, string]
    readonly routeScript?: string
    readonly ifaces?: readonly [TunnelInterface, TunnelInterface]
    /** The stroke front end's command (strongswan-legacy); absent for swanctl. */
    readonly starterCommand?: 'ipsec' | 'strongswan'
  },
): RenderedFile {
  const t = loadKindTemplates(templatesDir, 'strongswan')
  const content = fillTemplate(t, 'keepup.sh', { ...toKeepupValues(input, opts), stack: opts.starterCommand ? 'starter' : 'swanctl', ipsec: opts.starterCommand ?? 'ipsec' })
  return { path: opts.path, mode: 0o700, content, secret: false, role: `keep-up without the app: re-initiates a tunnel left down, keepalive pings every 5 s (started by charon as ${opts.starterCommand ? 'leftupdown' : 'updown'}; ends when removed)` }
}
