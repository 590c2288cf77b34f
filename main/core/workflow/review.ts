// What a person reviews before a change: a plain summary of each tunnel (peer, what it carries, crypto,
// lifetimes, what starts it and keeps it up) and every file the gateway gets, secret-bearing ones with the
// pre-shared keys cut out and everything else shown. Built from what was rendered; reads nothing, sends nothing.
import { toSecretForms } from '../base/redact'
import type { Secret } from '../base/secret'
import { compareVersions } from '../base/version'
import type { DeviceKind, RoutingMode } from '../base/vocabulary'
import type { Details } from '../details/model'
import { toRenderInput, type RenderInput, type SecretSources } from '../details/resolve'
import { escapePhpB64, escapePsk0s } from '../render/escape'
import { KEEPUP_FAILOVER_ROUNDS, KEEPUP_INTERVAL, toKeepaliveTargets, toTunnelsMode } from '../render/keepup'
import { AWS_BGP_TIMERS, cutFrrSecrets, FRR_CONF, toFrrBgpPlan } from '../render/frr'
import { toInterfaceKind, toTunnelInterfaces } from '../render/route-plumbing'
import type { RenderedConfig } from '../render'
import { toProfileDetails, toProfileSecretSources, type ProfileDetails } from '../app-data/profiles'
import type { GatewayFacts } from '../gateway/detect'
import type { PreparedChange } from './change'
import { PSK_CUT, renderConfig, type RenderPreview } from './details'

/** One tunnel as a reviewer reads it. */
export interface TunnelSummary {
  readonly index: 1 | 2
  /** The connection name on the gateway. */
  readonly name: string
  /** The AWS endpoint (outside IP). */
  readonly peer: string
  readonly insideCidr: string
  /** Our address and AWS's inside the /30. */
  readonly insideLocal: string
  readonly insideAws: string
  /** Policy-based: the traffic selectors, ours then AWS's. */
  readonly selectors?: { readonly local: readonly string[]; readonly remote: readonly string[] }
  /** Route-based: the interface the tunnel gets and the networks routed into it (none of ours with BGP: BGP routes). */
  readonly tunnelInterface?: { readonly name: string; readonly routes: readonly string[] }
  /** A BGP VPN: this tunnel's session (AWS's inside address and ASN, 'external' when the export names none). */
  readonly bgp?: { readonly neighbor: string; readonly remoteAs: number | 'external' }
  /** Phase 1 in words, e.g. "IKEv1 main mode, AES-256, SHA-256, DH group 14 (MODP 2048)". */
  readonly ike: string
  /** Phase 2 in words, e.g. "ESP AES-256, SHA-256, PFS DH group 14 (MODP 2048)". */
  readonly esp: string
  readonly ikeLifetimeSec: number
  readonly ipsecLifetimeSec: number
  readonly dpd: { readonly delaySec: number; readonly timeoutSec: number }
  /** How the tunnel runs: both up, or (policy-based strongSwan) the active one or the one standing by. */
  readonly role: 'both-up' | 'active' | 'standby'
  /** What brings it up, in one sentence. */
  readonly starts: string
  /** What keeps it up without the app, one item each. */
  readonly keepsUp: readonly string[]
}

/** The change in plain words: the device, how traffic is routed, and both tunnels. */
export interface ChangeSummary {
  readonly kind: DeviceKind
  readonly version: string
  readonly routing: RoutingMode
  /** Our IKE identity (the public IP AWS knows) and the address IKE is sent from. */
  readonly localId: string
  readonly localAddress: string
  /** The agency's networks and the provider's dedicated ones, as given. */
  readonly agencyCidrs: readonly string[]
  readonly dedicatedCidrs: readonly string[]
  /** Where the keepalive/health pings go. */
  readonly keepalive?: string
  /** A BGP VPN: FRR's speaker on the gateway, what it advertises and accepts, AWS's timers. */
  readonly bgp?: { readonly asn: number; readonly advertise: readonly string[]; readonly accept: readonly string[]; readonly keepaliveSec: number; readonly holdSec: number }
  readonly tunnels: readonly [TunnelSummary, TunnelSummary]
}

/** A file as the review shows it: everything but the pre-shared keys, which are cut. */
export interface ShownFile {
  readonly path: string
  readonly mode: number
  readonly role: string
  /** True when the file holds the PSKs (they are cut from `content`). */
  readonly secret: boolean
  readonly content: string
}

const ENC_WORDS: Readonly<Record<string, string>> = { aes256: 'AES-256', aes128: 'AES-128', aes256gcm16: 'AES-256-GCM', aes128gcm16: 'AES-128-GCM', '3des': '3DES' }
const INT_WORDS: Readonly<Record<string, string>> = { sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512', sha1: 'SHA-1', md5: 'MD5' }
const DH_WORDS: Readonly<Record<number, string>> = { 2: 'MODP 1024', 5: 'MODP 1536', 14: 'MODP 2048', 15: 'MODP 3072', 16: 'MODP 4096', 19: 'ECP 256', 20: 'ECP 384', 21: 'ECP 521', 24: 'MODP 2048 with 256-bit subgroup' }

function dh(group: number): string {
  return `DH group ${group}${DH_WORDS[group] ? ` (${DH_WORDS[group]})` : ''}`
}

/** The proposals in words a network admin reads at a glance. */
export function toCryptoWords(c: Details['crypto']): { ike: string; esp: string } {
  const aead = c.encryption.endsWith('gcm16')
  const enc = ENC_WORDS[c.encryption] ?? c.encryption
  const integ = INT_WORDS[c.integrity] ?? c.integrity
  return {
    ike: `${c.ikeVersion === 1 ? 'IKEv1 main mode' : 'IKEv2'}, ${enc}, ${aead ? `PRF ${integ}` : integ}, ${dh(c.dhGroup)}`,
    esp: `ESP ${enc}${aead ? '' : `, ${integ}`}, ${c.pfsGroup === 0 ? 'no PFS' : `PFS ${dh(c.pfsGroup)}`}`,
  }
}

function toStartWords(kind: DeviceKind, version: string, role: TunnelSummary['role'], dpd: { delay: number; timeout: number }): { starts: string; keepsUp: string[] } {
  const dpdLine = `Dead-peer detection every ${dpd.delay} s; after ${dpd.timeout} s without an answer the gateway restarts the tunnel.`
  switch (kind) {
    case 'strongswan':
    case 'strongswan-legacy': {
      const keepup = `keepup.sh on the gateway checks every ${KEEPUP_INTERVAL} s and pings across the tunnel so AWS never sees it idle.`
      if (role === 'standby') {
        return {
          starts: `Stands by: loaded but not started. keepup.sh starts it when no tunnel has been up for about ${KEEPUP_FAILOVER_ROUNDS * KEEPUP_INTERVAL} s (AWS allows one policy-based tunnel up at a time).`,
          keepsUp: [keepup, 'Once active it stays active: no failback to tunnel 1.', dpdLine],
        }
      }
      return {
        starts: `The gateway starts it as soon as the configuration loads${kind === 'strongswan' ? ' (start_action = start)' : ' (auto=start)'}, and again after a reboot (charon starts keepup.sh).`,
        keepsUp: [dpdLine, `When AWS closes it, the gateway starts it again${kind === 'strongswan' ? ' (close_action = start)' : ''}.`, role === 'active' ? `${keepup} If this tunnel fails, keepup.sh brings tunnel 2 up.` : `${keepup} A tunnel left down is started again.`],
      }
    }
    case 'libreswan':
    case 'openswan': {
      const v5 = kind === 'libreswan' && compareVersions(version, '5') >= 0
      const pluto = v5 ? [dpdLine, 'Libreswan 5 revives a tunnel the peer closed on its own.'] : [dpdLine, 'dpdaction=restart and keyingtries=%forever: pluto keeps trying until AWS answers.']
      if (kind === 'openswan') return { starts: 'pluto starts it when the configuration loads (auto=start), and after a reboot.', keepsUp: pluto }
      const keepup = `keepup.sh on the gateway checks every ${KEEPUP_INTERVAL} s and pings across the tunnel so AWS never sees it idle.`
      if (role === 'standby') {
        return {
          starts: `Stands by: added but not started (auto=add). keepup.sh takes tunnel 1 down and starts this one when no tunnel has been up for about ${KEEPUP_FAILOVER_ROUNDS * KEEPUP_INTERVAL} s (AWS allows one policy-based tunnel up at a time).`,
          keepsUp: [keepup, 'Once active it stays active: no failback to tunnel 1.', dpdLine],
        }
      }
      return {
        starts: 'pluto starts it when the configuration loads (auto=start), and after a reboot (ipsec.service starts keepup.sh).',
        keepsUp: [...pluto, role === 'active' ? `${keepup} If this tunnel fails, keepup.sh brings tunnel 2 up.` : `${keepup} A tunnel left down is started again.`],
      }
    }
    case 'pfsense':
      return {
        starts: 'pfSense starts phase 1 when the IPsec service loads (start action: start).',
        keepsUp: [`Dead-peer detection every ${dpd.delay} s; pfSense restarts the tunnel when AWS stops answering.`, compareVersions(version, '2.6') >= 0 ? 'Phase 2 keep-alive: pfSense re-initiates the tunnel every 300 s if it is down.' : 'pfSense before 2.6 has no phase 2 keep-alive: set a health target so it pings across.'],
      }
  }
}

/** The plain summary of a change for a device: both tunnels with what starts and keeps them up. */
export function toChangeSummary(input: RenderInput, rendered: Pick<RenderedConfig, 'kind' | 'version' | 'connectionNames'>, tunnels: 'both-up' | 'active-standby'): ChangeSummary {
  const c = input.details.crypto
  const words = toCryptoWords(c)
  const route = input.routing === 'route'
  const ifaces = route ? toTunnelInterfaces(input, toInterfaceKind(rendered.kind)) : undefined
  const keep = toKeepaliveTargets(input, ifaces)
  const bgp = route ? toFrrBgpPlan(input) : undefined
  const summaries = input.tunnels.map((t, i): TunnelSummary => {
    const role: TunnelSummary['role'] = tunnels === 'both-up' ? 'both-up' : i === 0 ? 'active' : 'standby'
    const { starts, keepsUp } = toStartWords(rendered.kind, rendered.version, role, c.dpd)
    return {
      index: t.index,
      name: rendered.connectionNames[i]!,
      peer: t.outsideIp,
      insideCidr: t.insideCidr,
      insideLocal: t.insideLocal,
      insideAws: t.insideAws,
      ...(route && ifaces ? { tunnelInterface: { name: ifaces[i]!.iface, routes: bgp ? [] : input.dedicatedCidrs } } : { selectors: { local: input.localSelectors, remote: input.remoteSelectors } }),
      ...(bgp?.neighbours[i] ? { bgp: { neighbor: bgp.neighbours[i].ip, remoteAs: bgp.neighbours[i].remoteAs } } : {}),
      ike: words.ike,
      esp: words.esp,
      ikeLifetimeSec: c.ikeLifetime,
      ipsecLifetimeSec: c.ipsecLifetime,
      dpd: { delaySec: c.dpd.delay, timeoutSec: c.dpd.timeout },
      role,
      starts,
      keepsUp,
    }
  })
  const ping = keep[0].target
  return {
    kind: rendered.kind,
    version: rendered.version,
    routing: input.routing,
    localId: input.localId,
    localAddress: input.localAddress,
    agencyCidrs: input.agencyCidrs,
    dedicatedCidrs: input.dedicatedCidrs,
    ...(rendered.kind === 'strongswan' || rendered.kind === 'strongswan-legacy' || rendered.kind === 'libreswan' ? { keepalive: route ? 'each tunnel pings AWS\'s inside address every 5 s' : `the active tunnel pings ${ping} every 5 s` } : input.details.health ? { keepalive: `pings ${input.details.health.target}` } : {}),
    ...(bgp ? { bgp: { asn: bgp.asn, advertise: bgp.advertise, accept: bgp.accept, keepaliveSec: AWS_BGP_TIMERS.keepalive, holdSec: AWS_BGP_TIMERS.hold } } : {}),
    tunnels: [summaries[0]!, summaries[1]!],
  }
}

/** Cuts every form in which the renderers write a PSK (0s base64, PHP base64 literal), then any other encoding of one (raw, hex, base64 at any alignment). */
export function toPskCutter(psks: readonly Secret[]): (text: string) => string {
  const forms = [...new Set(psks.flatMap((p) => toSecretForms(p.reveal())))].sort((a, b) => b.length - a.length)
  return (text) => {
    let out = text
    for (const p of psks) out = out.split(escapePsk0s(p)).join(PSK_CUT).split(escapePhpB64(p)).join(`'${PSK_CUT}'`)
    for (const f of forms) if (out.includes(f)) out = out.split(f).join(PSK_CUT)
    return out
  }
}

/**
 * Every file a change writes as a reviewer may see it: secret-bearing files with the PSKs cut, nothing
 * withheld (pfSense's PHP script included). Files that carry no secret are shown as rendered.
 */
export function toShownFiles(details: Details, sources: SecretSources, routing: RoutingMode, rendered: RenderedConfig, phpScriptPath?: string): ShownFile[] {
  const input = toRenderInput(details, { routing, sources })
  const cut = toPskCutter(input.tunnels.map((t) => t.psk))
  const files = rendered.files.map((f) => ({ path: f.path, mode: f.mode, role: f.role, secret: f.secret, content: f.secret ? cut(f.content) : f.content }))
  const php = rendered.phpScript !== undefined ? [{ path: phpScriptPath ?? '(pfSense PHP script, run on the box)', mode: 0o600, role: 'configures IPsec through the pfSense configuration (the PSKs are cut here)', secret: true, content: cut(rendered.phpScript) }] : []
  return [...files, ...php]
}

/** A prepared change as the review shows it: the summary and every file it writes, PSKs cut. */
export function toChangeReview(change: PreparedChange): { readonly summary: ChangeSummary; readonly files: ShownFile[] } {
  const input = toRenderInput(change.details, { routing: change.routing, sources: change.sources })
  const php = change.kind === 'pfsense' ? change.plan.files[0]?.path : undefined
  // FRR's frr.conf is the admin's file with our section merged in (read from the gateway at plan time): shown whole, its secrets cut.
  const frr = change.frr ? change.plan.files.filter((f) => f.path === FRR_CONF).map((f) => ({ path: f.path, mode: f.mode, role: "FRR's configuration with this VPN's BGP section (the rest is the gateway's own, kept byte for byte)", secret: false, content: cutFrrSecrets(f.content) })) : []
  return { summary: toChangeSummary(input, change.rendered, change.tunnels), files: [...toShownFiles(change.details, change.sources, change.routing, change.rendered, php), ...frr] }
}

/** Placeholder PSKs a draft preview renders with, so no real key is ever in a preview's memory; they are cut like real ones. */
export const PREVIEW_PSKS = ['TunnelwrightPreviewPsk1', 'TunnelwrightPreviewPsk2'] as const

/**
 * Renders a profile draft for showing before any gateway is changed: every file, the secret-bearing ones with
 * the (placeholder) keys cut rather than withheld, plus the plain summary. Routing from the gateway's facts when given.
 */
export function previewDraftForReview(
  draft: ProfileDetails,
  opts: { readonly kind: DeviceKind; readonly version?: string; readonly routing?: RoutingMode; readonly facts?: GatewayFacts; readonly templatesDir?: string },
): RenderPreview & { readonly summary: ChangeSummary } {
  const details = toProfileDetails(draft)
  const sources = toProfileSecretSources({ psk1: PREVIEW_PSKS[0], psk2: PREVIEW_PSKS[1] })
  const { rendered, routing } = renderConfig({ details, sources }, opts)
  const input = toRenderInput(details, { routing: rendered.routing, sources })
  const tunnels = toTunnelsMode(rendered.kind, rendered.routing)
  return {
    kind: rendered.kind,
    version: rendered.version,
    routing: rendered.routing,
    routingBasis: routing.basis,
    files: toShownFiles(details, sources, rendered.routing, rendered),
    connectionNames: rendered.connectionNames,
    notes: [...rendered.notes],
    summary: toChangeSummary(input, rendered, tunnels),
  }
}
