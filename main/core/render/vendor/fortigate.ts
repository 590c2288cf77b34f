// FortiGate (FortiOS 6.x–7.x CLI): interface-mode (route-based) IPsec; policy-based renders phase 2
// selectors narrowed to the one selector pair (FortiOS 6.2+ hides policy-based tunnels by default).
//
// Sources: AWS's FortiGate template (awsdocs amazon-vpc-network-administrator-guide fortinet.md,
// test/fixtures/vendors/fortigate/: "Name must be shorter than 15 chars", dpd, tcp-mss 1387, mtu 1427);
// FortiOS CLI reference: `config vpn ipsec phase1-interface` (psksecret 6–128 characters, dpd on-idle,
// dpd-retryinterval/retrycount, nattraversal), `phase2-interface` (pfs, auto-negotiate, keepalive),
// `config system link-monitor` (update-static-route), "CLI command syntax" (quotes in pairs).
import { escapeFortiosString, escapeIpv4Mask } from './escape'
import { fillTemplate, loadKindTemplates } from '../templates'
import { toProposalSummary } from './cisco-asa'
import { toBgpNote, toFortiosBgp, toVendorBgp } from './bgp'
import { spell, toMss, toVendorFile, toVendorName, type VendorContext, type VendorRenderedConfig } from './common'

const ENC = { aes256: 'aes256', aes128: 'aes128', aes256gcm16: 'aes256gcm', aes128gcm16: 'aes128gcm', '3des': '3des' } as const
const HASH = { sha256: 'sha256', sha384: 'sha384', sha512: 'sha512', sha1: 'sha1', md5: 'md5' } as const

/** The tunnel interface MTU AWS's FortiGate template sets. */
export const FORTIOS_TUNNEL_MTU = 1427
/** FortiOS interface names (and so phase1-interface names) are at most 15 characters. */
export const FORTIOS_NAME_MAX = 15

const trimEnd = (s: string) => s.replace(/\n+$/, '')
const q = escapeFortiosString

/** Renders the FortiOS CLI script for both tunnels. */
export function renderFortigate(ctx: VendorContext): VendorRenderedConfig {
  const { input, version } = ctx
  const t = loadKindTemplates(ctx.templatesDir, 'fortigate')
  const c = input.details.crypto
  const route = input.routing === 'route'
  const gcm = c.encryption.endsWith('gcm16')
  const slug = input.slug
  // BGP runs on the tunnel interfaces (refused policy-based, with its fix); its routes replace the static ones.
  const bgp = toVendorBgp(ctx, { outName: toVendorName(slug, '-bgp-out'), inName: toVendorName(slug, '-bgp-in') })
  const enc = spell('fortigate', ENC, c.encryption, 'encryption')
  const hash = spell('fortigate', HASH, c.integrity, 'integrity')
  // AES-GCM carries its own integrity; FortiOS still names a PRF hash with it.
  const proposal = `${enc}-${hash}`
  const names: [string, string] = [toVendorName(slug, '-t1', FORTIOS_NAME_MAX), toVendorName(slug, '-t2', FORTIOS_NAME_MAX)]
  const blocks: string[] = [fillTemplate(t, 'header.txt', { comment: input.details.name, version, mode: route ? 'route-based (interface mode)' : 'policy-based selectors on interface-mode tunnels', proposalSummary: toProposalSummary(c) })]
  const section = (head: string, entries: readonly string[]) => [head, ...entries.map(trimEnd), 'end'].join('\n')
  blocks.push(
    section(
      'config vpn ipsec phase1-interface',
      input.tunnels.map((tn) =>
        fillTemplate(t, 'phase1.txt', {
          name: names[tn.index - 1]!,
          wan: ctx.site.wan,
          ikeVersion: c.ikeVersion,
          modeLine: { fragment: c.ikeVersion === 1 ? '        set mode main' : '' },
          proposal,
          dhGroup: c.dhGroup,
          ikeLifetime: c.ikeLifetime,
          localAddress: input.localAddress,
          peer: tn.outsideIp,
          psk: tn.psk,
          dpdDelay: c.dpd.delay,
          dpdRetry: Math.max(2, Math.ceil(c.dpd.timeout / c.dpd.delay)),
        }),
      ),
    ),
  )
  const selectors = route ? '' : [`        set src-subnet ${escapeIpv4Mask(input.localSelectors[0]!)}`, `        set dst-subnet ${escapeIpv4Mask(input.remoteSelectors[0]!)}`].join('\n')
  blocks.push(
    section(
      'config vpn ipsec phase2-interface',
      input.tunnels.map((tn) => fillTemplate(t, 'phase2.txt', { name: names[tn.index - 1]!, proposal: gcm ? enc : proposal, pfsGroup: c.pfsGroup, ipsecLifetime: c.ipsecLifetime, selectorLines: { fragment: selectors } })),
    ),
  )
  blocks.push(section('config system interface', input.tunnels.map((tn) => fillTemplate(t, 'interface.txt', { name: names[tn.index - 1]!, insideLocal: tn.insideLocal, insideAws: tn.insideAws, mss: toMss(ctx.behindNat), mtu: FORTIOS_TUNNEL_MTU, wan: ctx.site.wan }))))
  if (bgp) blocks.push(toFortiosBgp(bgp))
  else {
    blocks.push(
      section(
        'config router static',
        input.dedicatedCidrs.flatMap((d) => input.tunnels.map((tn) => fillTemplate(t, 'route.txt', { dedicated: d, name: names[tn.index - 1]!, insideAws: tn.insideAws, distance: tn.index * 10, comment: `Tunnelwright ${names[tn.index - 1]!}` }))),
      ),
    )
    blocks.push(section('config system link-monitor', input.tunnels.map((tn) => fillTemplate(t, 'monitor.txt', { name: names[tn.index - 1]!, tunnel: names[tn.index - 1]!, insideAws: tn.insideAws }))))
  }
  const localNames = input.agencyCidrs.map((_, i) => toVendorName(slug, `-l${i + 1}`))
  const remoteNames = input.dedicatedCidrs.map((_, i) => toVendorName(slug, `-r${i + 1}`))
  blocks.push(
    section('config firewall address', [
      ...input.agencyCidrs.map((cidr, i) => fillTemplate(t, 'address.txt', { name: localNames[i]!, subnet: cidr })),
      ...input.dedicatedCidrs.map((cidr, i) => fillTemplate(t, 'address.txt', { name: remoteNames[i]!, subnet: cidr })),
    ]),
  )
  const list = (xs: readonly string[]) => ({ fragment: xs.map((x) => q(x)).join(' ') })
  blocks.push(
    section('config firewall policy', [
      fillTemplate(t, 'policy.txt', { name: toVendorName(slug, '-out'), srcintf: list([ctx.site.lan]), dstintf: list(names), srcaddr: list(localNames), dstaddr: list(remoteNames) }),
      fillTemplate(t, 'policy.txt', { name: toVendorName(slug, '-in'), srcintf: list(names), dstintf: list([ctx.site.lan]), srcaddr: list(remoteNames), dstaddr: list(localNames) }),
    ]),
  )
  const content = `${blocks.map(trimEnd).join('\n')}\n`
  const steps = [
    'Back up the configuration first (execute backup config … or System > Configuration > Backup).',
    'Paste the script into the CLI console (or upload it as a CLI script); each config … end block applies when it ends.',
    `Move the policies ${toVendorName(slug, '-out')} and ${toVendorName(slug, '-in')} above any deny policy (new policies are appended).`,
    `Check: get vpn ipsec tunnel summary, diagnose vpn ike gateway list name ${names[0]}, diagnose vpn tunnel list name ${names[0]}${bgp ? ', get router info bgp summary, get router info routing-table bgp' : ''}.`,
  ]
  const notes = [
    bgp
      ? `Tunnel names ${names[0]}/${names[1]} stay within FortiOS's 15-character interface names; ${toBgpNote(bgp, 'the FortiGate')} config router bgp sets the FortiGate's one BGP AS (set as).`
      : `Tunnel names ${names[0]}/${names[1]} stay within FortiOS's 15-character interface names. Tunnel 1 routes at distance 10, tunnel 2 at 20; the link monitors ping AWS's inside addresses (keepalive) and withdraw a dead tunnel's route.`,
    ...(route ? [] : ['Policy-based: the tunnels stay interface-mode (FortiOS 6.2+ hides policy-based IPsec) with phase 2 selectors narrowed to the one selector pair, which a policy-based peer negotiates the same way.']),
  ]
  return { kind: 'fortigate', version, routing: input.routing, files: [toVendorFile('fortigate', slug, 'conf', content, 'FortiOS CLI script to paste (holds the PSKs)')], connectionNames: names, steps, notes }
}
