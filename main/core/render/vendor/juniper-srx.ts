// Juniper SRX (Junos `set` commands): route-based st0 VPNs; policy-based peers get a traffic selector
// with the one selector pair (Junos 12.1X46+), which keeps st0 routing and both tunnels.
//
// Sources: AWS's SRX template (awsdocs amazon-vpc-network-administrator-guide juniper-srx.md,
// test/fixtures/vendors/juniper-srx/: proposals, `df-bit clear`, st0 MTU 1436, `tcp-mss ipsec-vpn mss
// 1387`, `host-inbound-traffic system-services ike`, `no-nat-traversal`); Junos security CLI reference:
// `dead-peer-detection interval/threshold`, `establish-tunnels immediately`, `vpn-monitor`,
// `traffic-selector`, `qualified-next-hop … preference`, `pre-shared-key ascii-text`.
import { fillTemplate, loadKindTemplates } from '../templates'
import { toBgpNote, toJunosBgp, toVendorBgp } from './bgp'
import { spell, TUNNEL_MTU, toMss, toVendorFile, toVendorName, type VendorContext, type VendorRenderedConfig } from './common'

const ENC = { aes256: 'aes-256-cbc', aes128: 'aes-128-cbc', aes256gcm16: 'aes-256-gcm', aes128gcm16: 'aes-128-gcm', '3des': '3des-cbc' } as const
const IKE_AUTH = { sha256: 'sha-256', sha384: 'sha-384', sha1: 'sha1', md5: 'md5' } as const
const ESP_AUTH = { sha256: 'hmac-sha-256-128', sha384: 'hmac-sha-384', sha512: 'hmac-sha-512', sha1: 'hmac-sha1-96', md5: 'hmac-md5-96' } as const

/** The WAN zone (AWS's SRX template: untrust). */
export const JUNOS_WAN_ZONE = 'untrust'

const trimEnd = (s: string) => s.replace(/\n+$/, '')

/** Renders the Junos set commands for both tunnels. */
export function renderJuniperSrx(ctx: VendorContext): VendorRenderedConfig {
  const { input, version } = ctx
  const t = loadKindTemplates(ctx.templatesDir, 'juniper-srx')
  const c = input.details.crypto
  const route = input.routing === 'route'
  const gcm = c.encryption.endsWith('gcm16')
  const slug = input.slug
  // BGP runs on the st0 units (refused policy-based, with its fix); its routes replace the static ones.
  const bgp = toVendorBgp(ctx, { outName: toVendorName(slug, '-bgp-out'), inName: toVendorName(slug, '-bgp-in') })
  const name = toVendorName(slug, '')
  const zone = toVendorName(slug, '-vpn')
  const blocks: string[] = [
    fillTemplate(t, 'proposals.txt', {
      name,
      dhGroup: c.dhGroup,
      ikeAuthLine: { fragment: gcm && c.ikeVersion === 2 ? '' : `set security ike proposal ${name} authentication-algorithm ${spell('juniper-srx', IKE_AUTH, c.integrity as keyof typeof IKE_AUTH, 'IKE authentication')}` },
      encryption: spell('juniper-srx', ENC, c.encryption, 'IKE encryption'),
      ikeLifetime: c.ikeLifetime,
      espAuthLine: { fragment: gcm ? '' : `set security ipsec proposal ${name} authentication-algorithm ${spell('juniper-srx', ESP_AUTH, c.integrity, 'ESP authentication')}` },
      espEncryption: spell('juniper-srx', ENC, c.encryption, 'ESP encryption'),
      ipsecLifetime: c.ipsecLifetime,
      pfsGroup: c.pfsGroup,
      mss: toMss(ctx.behindNat),
      wanZone: JUNOS_WAN_ZONE,
      wan: ctx.site.wan,
    }),
  ]
  const units = [101, 102] as const
  for (const tn of input.tunnels) {
    const tunnel = toVendorName(slug, `-t${tn.index}`)
    const selectorLines = route ? '' : trimEnd(fillTemplate(t, 'selector.txt', { tunnel, selector: toVendorName(slug, '-sel'), local: input.localSelectors[0]!, remote: input.remoteSelectors[0]! }))
    blocks.push(
      fillTemplate(t, 'tunnel.txt', {
        tunnel,
        modeLine: { fragment: c.ikeVersion === 1 ? `set security ike policy ${tunnel} mode main` : '' },
        name,
        psk: tn.psk,
        peer: tn.outsideIp,
        wan: ctx.site.wan,
        localId: input.localId,
        dpdDelay: c.dpd.delay,
        dpdThreshold: Math.max(2, Math.ceil(c.dpd.timeout / c.dpd.delay)),
        versionKeyword: c.ikeVersion === 1 ? 'v1-only' : 'v2-only',
        // AWS: "If not behind NAT, we recommend disabling NAT-T" (its SRX template sets no-nat-traversal).
        natLine: { fragment: ctx.behindNat ? '' : `set security ike gateway ${tunnel} no-nat-traversal` },
        unit: units[tn.index - 1]!,
        insideLocalCidr: `${tn.insideLocal}/30`,
        mtu: TUNNEL_MTU,
        description: `Tunnelwright ${tunnel}`,
        zone,
        insideAws: tn.insideAws,
        selectorLines: { fragment: selectorLines },
      }),
    )
  }
  if (bgp) blocks.push(toJunosBgp(bgp, { group: toVendorName(slug, '-aws'), zone }))
  else {
    for (const d of input.dedicatedCidrs) {
      for (const tn of input.tunnels) blocks.push(fillTemplate(t, 'route.txt', { destination: d, insideAws: tn.insideAws, preference: tn.index === 1 ? 5 : 10 }))
    }
  }
  blocks.push(fillTemplate(t, 'policy.txt', { lan: ctx.site.lan, zone, out: toVendorName(slug, '-out'), in: toVendorName(slug, '-in') }))
  const content = `${blocks.map(trimEnd).join('\n')}\n`
  const steps = [
    'Enter configuration mode with configure private (Junos keeps the previous commits as rollback points: show system commit).',
    'load set terminal, paste the commands, then Ctrl-D.',
    'show | compare to review, then commit check and commit confirmed 5 (rolls back by itself unless you confirm with commit within 5 minutes).',
    `Check: show security ike security-associations, show security ipsec security-associations, show interfaces st0.${units[0]} terse${bgp ? ', show bgp summary, show route protocol bgp' : ''}; then commit to confirm.`,
  ]
  const notes = [
    bgp
      ? `st0 units ${units[0]}/${units[1]} (AWS's template uses st0.1/st0.2; these avoid clashing with existing units); ${toBgpNote(bgp, 'the SRX')} BGP is let in on zone ${zone} (host-inbound-traffic protocols bgp).`
      : `st0 units ${units[0]}/${units[1]} (AWS's template uses st0.1/st0.2; these avoid clashing with existing units). Tunnel 1 is the preferred next hop (preference 5), tunnel 2 the backup (10); VPN monitoring pings AWS's inside addresses, keeping the tunnels busy and taking a dead one down.`,
    `The WAN ${ctx.site.wan} is assumed to be in zone ${JUNOS_WAN_ZONE} (IKE host-inbound is added there) and the LAN in zone ${ctx.site.lan}.`,
    ...(route ? [] : ['Policy-based: each st0 VPN carries a traffic selector with the one selector pair, which a policy-based peer negotiates the same way.']),
  ]
  return { kind: 'juniper-srx', version, routing: input.routing, files: [toVendorFile('juniper-srx', slug, 'set', content, 'Junos set commands for load set terminal (holds the PSKs)')], connectionNames: [toVendorName(slug, '-t1'), toVendorName(slug, '-t2')], steps, notes }
}
