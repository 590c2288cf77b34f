// pfSense renderer: a PHP script that edits $config['ipsec'] on the box and applies it (research/pfsense.md §0–§2).
import { parsePrefix } from '../net/cidr'
import type { RenderInput } from '../details/resolve'
import { UserError } from '../base/result'
import { Secret } from '../base/secret'
import { escapeInt, escapePhp, escapePhpB64 } from './escape'
import { fillTemplate, loadKindTemplates } from './templates'
import type { FileLayout, RenderedConfig } from './types'
import { compareVersions } from '../base/version'
import { toNameMarkerLine, toNameMarkerValue } from '../details/slug'
import { AWS_BGP_TIMERS, toFrrBgpPlan, type FrrBgpPlan } from './frr'

/** A value the PHP literal encoder can write. */
export type PhpValue = string | number | boolean | Secret | readonly PhpValue[] | { readonly [k: string]: PhpValue }

/** Encodes a value as a PHP literal: strings single-quoted, secrets as base64_decode('…'), arrays as array(...). */
export function toPhpLiteral(v: PhpValue, indent = ''): string {
  if (v instanceof Secret) return escapePhpB64(v)
  if (typeof v === 'string') return escapePhp(v)
  if (typeof v === 'number') return escapeInt(v)
  if (typeof v === 'boolean') return v ? 'true' : 'false'
  const inner = `${indent}\t`
  const entries = Array.isArray(v) ? (v as readonly PhpValue[]).map((x) => `${inner}${toPhpLiteral(x, inner)}`) : Object.entries(v).map(([k, x]) => `${inner}${escapePhp(k)} => ${toPhpLiteral(x as PhpValue, inner)}`)
  return entries.length === 0 ? 'array()' : `array(\n${entries.join(',\n')}\n${indent})`
}

const P1_ENC: Readonly<Record<string, { name: string; keylen?: string }>> = {
  aes256: { name: 'aes', keylen: '256' },
  aes128: { name: 'aes', keylen: '128' },
  aes256gcm16: { name: 'aes256gcm', keylen: '256' },
  aes128gcm16: { name: 'aes128gcm', keylen: '128' },
  '3des': { name: '3des' },
}

function toIdinfo(cidr: string): { type: string; address: string; netbits: string } {
  const p = parsePrefix(cidr)
  if (!p) throw new UserError('selector', `Not a prefix: ${cidr}`)
  const [address, netbits] = p.cidr.split('/') as [string, string]
  return { type: 'network', address, netbits }
}

/** The description marker of one tunnel's entries: `[tunnelwright:<slug>:t<N>]`. */
export function toPfsenseMarker(slug: string, index: 1 | 2): string {
  return `[tunnelwright:${slug}:t${index}]`
}

/** The description prefix of our entries in pfSense's FRR package (neighbours, prefix lists, network rows). */
export function toPfsenseFrrMarker(slug: string): string {
  return `[tunnelwright-bgp:${slug}:`
}

/**
 * A BGP VPN's entries for pfSense's FRR package (research/pfsense.md §8: its config.xml sections and how
 * frr_generate_config() turns them into frr.conf): both AWS neighbours with AWS's timers, a prefix list per
 * direction (out: the agency CIDRs, exactly; in: the dedicated CIDRs and anything inside them) and a network
 * row per agency CIDR, so BGP originates them. The script merges these into the package's sections.
 */
function toPfsenseFrr(plan: FrrBgpPlan): Record<string, PhpValue> {
  const marker = toPfsenseFrrMarker(plan.slug)
  const out = `tw-${plan.slug}-out`
  const inn = `tw-${plan.slug}-in`
  const rows = (cidrs: readonly string[], le: boolean) => cidrs.map((c, i) => ({ seq: String((i + 1) * 5), action: 'permit', source: c, ...(le ? { le: '32' } : {}) }))
  return {
    asn: String(plan.asn),
    routerId: plan.neighbours[0]!.localIp,
    neighbours: plan.neighbours.map((n) => ({
      peer: n.ip,
      descr: `${marker}t${n.tunnel}] AWS tunnel ${n.tunnel}`,
      asnum: String(n.remoteAs),
      timers_keepalive: String(AWS_BGP_TIMERS.keepalive),
      timers_holdtime: String(AWS_BGP_TIMERS.hold),
      timers_connect: '10',
      prefixfilter_in: inn,
      prefixfilter_out: out,
    })),
    prefixLists: [
      { iptype: 'IPv4', name: out, descr: `${marker}out] advertised to AWS`, row: rows(plan.advertise, false) },
      { iptype: 'IPv4', name: inn, descr: `${marker}in] accepted from AWS`, row: rows(plan.accept, true) },
    ],
    networks: [...plan.advertise],
  }
}

/** Renders the pfSense apply script (2.4 through 2.8 / Plus). */
export function renderPfsense(input: RenderInput, opts: { templatesDir: string; layout: FileLayout; version: string }): RenderedConfig {
  const t = loadKindTemplates(opts.templatesDir, 'pfsense')
  const c = input.details.crypto
  const v24 = compareVersions(opts.version, '2.5') < 0
  const hasStartaction = compareVersions(opts.version, '2.5.2') >= 0
  const route = input.routing === 'route'
  if (input.localSelectors.length !== 1 || input.remoteSelectors.length !== 1) {
    throw new UserError('selectors-several', 'The pfSense script writes one phase 2 per tunnel; the details give several selectors.', { fix: 'Use route-based mode, or summarize the CIDRs into one supernet per side.' })
  }
  const enc = P1_ENC[c.encryption]!
  if (enc.name === '3des' && compareVersions(opts.version, '2.7') >= 0) {
    throw new UserError('pfsense-3des', 'pfSense 2.7 and later removed 3DES.', { fix: 'Use aes256.' })
  }
  // The description keeps the full name as the marker value (lossless, inert in XML and the GUI), so the
  // overlap check can tell a set made for another name that happens to share this slug.
  const nameText = toNameMarkerValue(input.details.name)
  const tunnels = input.tunnels.map((tn) => {
    const marker = toPfsenseMarker(input.slug, tn.index)
    const phase1: Record<string, PhpValue> = {
      iketype: c.ikeVersion === 1 ? 'ikev1' : 'ikev2',
      ...(c.ikeVersion === 1 ? { mode: 'main' } : {}),
      interface: 'wan',
      'remote-gateway': tn.outsideIp,
      protocol: 'inet',
      // Behind NAT the WAN address is private: AWS identifies the customer gateway by its public IP.
      myid_type: 'address',
      myid_data: input.localId,
      peerid_type: 'address',
      peerid_data: tn.outsideIp,
      authentication_method: 'pre_shared_key',
      'pre-shared-key': tn.psk,
      encryption: { item: [{ 'encryption-algorithm': enc.keylen ? { name: enc.name, keylen: enc.keylen } : { name: enc.name }, 'hash-algorithm': c.integrity, dhgroup: String(c.dhGroup) }] },
      lifetime: String(c.ikeLifetime),
      ...(v24 ? {} : { rekey_time: '', reauth_time: '', rand_time: '' }),
      nat_traversal: 'on',
      mobike: 'off',
      // pfSense derives the IKEv1 DPD timeout as delay × (maxfail + 1).
      dpd_delay: String(c.dpd.delay),
      dpd_maxfail: String(Math.max(1, Math.ceil(c.dpd.timeout / c.dpd.delay) - 1)),
      ...(hasStartaction ? { startaction: 'start' } : {}),
      // 2.4 wrote ipsec.conf closeaction values; 2.5 converted them to none|start|trap.
      closeaction: v24 ? 'restart' : 'start',
      descr: `${marker} ${nameText}`,
    }
    const phase2: Record<string, PhpValue> = {
      mode: route ? 'vti' : 'tunnel',
      localid: route ? { type: 'network', address: tn.insideLocal, netbits: '30' } : toIdinfo(input.localSelectors[0]!),
      remoteid: route ? { type: 'address', address: tn.insideAws } : toIdinfo(input.remoteSelectors[0]!),
      protocol: 'esp',
      'encryption-algorithm-option': [enc.keylen ? { name: enc.name === 'aes' ? 'aes' : enc.name, keylen: enc.keylen } : { name: enc.name }],
      'hash-algorithm-option': [`hmac_${c.integrity}`],
      pfsgroup: String(c.pfsGroup),
      lifetime: String(c.ipsecLifetime),
      ...(input.details.health ? { pinghost: input.details.health.target } : {}),
      ...(compareVersions(opts.version, '2.6') >= 0 ? { keepalive: 'enabled' } : {}),
      descr: `${marker} ${nameText}`,
    }
    return { key: marker, phase1, phase2 }
  })
  const bgp = toFrrBgpPlan(input)
  if (bgp && bgp.neighbours.some((n) => n.remoteAs === 'external')) {
    throw new UserError('pfsense-bgp-aws-asn', "pfSense's FRR package needs AWS's ASN for each neighbour; the details give none.", { fix: "Import the export again (it names AWS's ASN), or set bgp.tunnels[].awsAsn (64512 unless the provider chose another)." })
  }
  const applyCalls = v24
    ? ['vpn_ipsec_configure();', 'if (function_exists(\'ipsec_reload_package_hook\')) { ipsec_reload_package_hook(); }', 'filter_configure();', 'clear_subsystem_dirty(\'ipsec\');']
    : ['ipsec_configure();', 'ipsec_reload_package_hook();', 'filter_configure();', 'clear_subsystem_dirty(\'ipsec\');']
  const script = fillTemplate(t, 'apply.php', {
    comment: input.details.name,
    nameMarker: toNameMarkerLine(input.slug, input.details.name),
    version: opts.version,
    slug: input.slug,
    requireVpnInc: { fragment: v24 ? 'require_once("vpn.inc");' : '' },
    marker: `[tunnelwright:${input.slug}:`,
    tunnels: { fragment: toPhpLiteral(tunnels) },
    writeDescr: `IPsec: AWS tunnels ${input.slug} set by Tunnelwright`,
    applyCalls: { fragment: applyCalls.join('\n') },
    frrMarker: toPfsenseFrrMarker(input.slug),
    frr: { fragment: bgp ? toPhpLiteral(toPfsenseFrr(bgp)) : 'null' },
  })
  const notes = bgp
    ? [
        "BGP: the script adds both AWS neighbours, two prefix lists and the agency CIDRs as networks to the FRR package's BGP settings (Services → FRR → BGP), marked with their descriptions, and regenerates FRR's configuration. The package restarts FRR to apply it: other BGP or OSPF sessions on this box drop once.",
        "Firewall → Rules → IPsec: pass TCP 179 from AWS's inside addresses, so AWS can open a session too (pfSense lets FRR's own connections out and their replies in without it).",
      ]
    : [route ? 'Route-based (VTI): assign the two ipsec interfaces, then add a gateway group / static routes to the dedicated CIDRs (not done by this script).' : 'Policy-based: both phase 2s carry the same selectors; pfSense uses one tunnel at a time.']
  return {
    kind: 'pfsense',
    version: opts.version,
    routing: input.routing,
    files: [{ path: `/tmp/tunnelwright-${input.slug}.php`, mode: 0o600, content: script, secret: true, role: 'PHP apply script: feed it on stdin to /usr/local/bin/php (do not leave it on the box)' }],
    phpScript: script,
    connectionNames: [toPfsenseMarker(input.slug, 1), toPfsenseMarker(input.slug, 2)],
    notes,
  }
}
