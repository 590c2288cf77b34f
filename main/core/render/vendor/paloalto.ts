// Palo Alto Networks PAN-OS 9–11: configure-mode `set` commands, route-based tunnel interfaces; a
// policy-based peer is matched with proxy IDs (PAN-OS has no policy-based IPsec of its own).
//
// Sources: AWS's PAN-OS template (awsdocs amazon-vpc-network-administrator-guide palo-alto.md,
// test/fixtures/vendors/paloalto/: crypto profile names and values, `dpd interval 10 retry 3`, tunnel
// interface MTU 1427, anti-replay); PAN-OS Administrator's Guide "Site-to-Site VPN" (IKE gateways,
// proxy IDs for policy-based peers, tunnel monitoring with a fail-over monitor profile) and
// "Adjust TCP MSS" on layer 3 interfaces (MSS = interface MTU − the adjustment).
import { escapeCidr4 } from '../escape'
import { fillTemplate, loadKindTemplates } from '../templates'
import { toBgpNote, toPanosBgp, toVendorBgp } from './bgp'
import { spell, toMss, toVendorFile, toVendorName, type VendorContext, type VendorRenderedConfig } from './common'

const ENC = { aes256: 'aes-256-cbc', aes128: 'aes-128-cbc', aes256gcm16: 'aes-256-gcm', aes128gcm16: 'aes-128-gcm', '3des': '3des' } as const
const HASH = { sha256: 'sha256', sha384: 'sha384', sha512: 'sha512', sha1: 'sha1', md5: 'md5' } as const

/** The tunnel interface MTU AWS's PAN-OS template sets. */
export const PANOS_TUNNEL_MTU = 1427
/** The WAN zone the rules use (AWS's templates call it untrust). */
export const PANOS_WAN_ZONE = 'untrust'
/** The virtual router the routes and tunnel interfaces go into. */
export const PANOS_VIRTUAL_ROUTER = 'default'

const trimEnd = (s: string) => s.replace(/\n+$/, '')

/** Renders the PAN-OS `set` commands for both tunnels. */
export function renderPaloalto(ctx: VendorContext): VendorRenderedConfig {
  const { input, version } = ctx
  const t = loadKindTemplates(ctx.templatesDir, 'paloalto')
  const c = input.details.crypto
  const route = input.routing === 'route'
  const gcm = c.encryption.endsWith('gcm16')
  const slug = input.slug
  // BGP runs on the tunnel interfaces (refused policy-based, with its fix); its routes replace the static ones.
  const bgp = toVendorBgp(ctx, { outName: toVendorName(slug, '-bgp-out'), inName: toVendorName(slug, '-bgp-in') })
  const profile = toVendorName(slug, '')
  const zone = toVendorName(slug, '-vpn')
  const blocks: string[] = [
    fillTemplate(t, 'crypto.txt', {
      name: profile,
      encryption: spell('paloalto', ENC, c.encryption, 'IKE encryption'),
      hash: spell('paloalto', HASH, c.integrity, 'IKE hash'),
      dhGroup: c.dhGroup,
      ikeLifetime: c.ikeLifetime,
      espEncryption: spell('paloalto', ENC, c.encryption, 'ESP encryption'),
      espAuthentication: gcm ? 'none' : spell('paloalto', HASH, c.integrity, 'ESP authentication'),
      pfsGroup: c.pfsGroup,
      ipsecLifetime: c.ipsecLifetime,
    }),
  ]
  const units: [string, string] = ['tunnel.101', 'tunnel.102']
  const retry = Math.max(2, Math.ceil(c.dpd.timeout / c.dpd.delay))
  for (const tn of input.tunnels) {
    const gateway = toVendorName(slug, `-t${tn.index}`)
    const tunnel = toVendorName(slug, `-t${tn.index}`)
    const v = c.ikeVersion === 1 ? 'ikev1' : 'ikev2'
    const protocolLines = [
      ...(c.ikeVersion === 1 ? [`set network ike gateway ${gateway} protocol ikev1 exchange-mode main`] : []),
      `set network ike gateway ${gateway} protocol ${v} ike-crypto-profile ${profile}`,
      c.ikeVersion === 1 ? `set network ike gateway ${gateway} protocol ikev1 dpd enable yes interval ${c.dpd.delay} retry ${retry}` : `set network ike gateway ${gateway} protocol ikev2 dpd enable yes interval ${c.dpd.delay}`,
    ].join('\n')
    const proxyIdLines = route ? '' : trimEnd(fillTemplate(t, 'proxy-id.txt', { tunnel, proxyId: toVendorName(slug, '-sel'), local: input.localSelectors[0]!, remote: input.remoteSelectors[0]! }))
    blocks.push(
      fillTemplate(t, 'tunnel.txt', {
        gateway,
        psk: tn.psk,
        ikeVersionKeyword: v,
        protocolLines: { fragment: protocolLines },
        natT: ctx.behindNat ? 'yes' : 'no',
        wan: ctx.site.wan,
        peer: tn.outsideIp,
        localId: input.localId,
        tunnelUnit: units[tn.index - 1]!,
        insideLocalCidr: `${tn.insideLocal}/30`,
        mtu: PANOS_TUNNEL_MTU,
        comment: `Tunnelwright ${gateway}`,
        tunnel,
        profile,
        insideAws: tn.insideAws,
        proxyIdLines: { fragment: proxyIdLines },
        virtualRouter: PANOS_VIRTUAL_ROUTER,
        zone,
      }),
    )
  }
  if (bgp) {
    blocks.push(toPanosBgp(bgp, { virtualRouter: PANOS_VIRTUAL_ROUTER, group: toVendorName(slug, '-aws'), peerNames: [toVendorName(slug, '-aws1'), toVendorName(slug, '-aws2')], units, denyOut: toVendorName(slug, '-bgp-out-deny'), denyIn: toVendorName(slug, '-bgp-in-deny') }))
  } else {
    input.dedicatedCidrs.forEach((d, i) => {
      for (const tn of input.tunnels) {
        blocks.push(fillTemplate(t, 'route.txt', { virtualRouter: PANOS_VIRTUAL_ROUTER, routeName: toVendorName(slug, `-r${i + 1}-t${tn.index}`), destination: d, tunnelUnit: units[tn.index - 1]!, insideAws: tn.insideAws, metric: tn.index * 10 }))
      }
    })
  }
  blocks.push(
    fillTemplate(t, 'policy.txt', {
      wan: ctx.site.wan,
      mssAdjustment: 1500 - toMss(ctx.behindNat),
      ruleIke: toVendorName(slug, '-ike'),
      ruleOut: toVendorName(slug, '-out'),
      ruleIn: toVendorName(slug, '-in'),
      wanZone: PANOS_WAN_ZONE,
      peer1: input.tunnels[0].outsideIp,
      peer2: input.tunnels[1].outsideIp,
      local: input.localAddress,
      lan: ctx.site.lan,
      zone,
      dedicated: { fragment: input.dedicatedCidrs.map(escapeCidr4).join(' ') },
    }),
  )
  const content = `${blocks.map(trimEnd).join('\n')}\n`
  const steps = [
    'Export the running configuration first (Device > Setup > Operations > Export named configuration snapshot), or save a named snapshot: save config to pre-tunnelwright.xml.',
    'Enter configure mode (configure) and paste the commands; set commands add to the candidate configuration and change nothing yet.',
    `Review with show network ike gateway and show network tunnel ipsec, then commit. ${route ? '' : 'The proxy IDs make each tunnel negotiate the single selector pair a policy-based peer expects.'}`.trim(),
    `Move the rules ${toVendorName(slug, '-ike')}, ${toVendorName(slug, '-out')} and ${toVendorName(slug, '-in')} above any deny rule (set commands append at the end of the rulebase).`,
    `Check: show vpn ike-sa, show vpn ipsec-sa, show vpn flow; test vpn ike-sa gateway <name> brings a tunnel up now${bgp ? `; show routing protocol bgp summary and show routing route type bgp virtual-router ${PANOS_VIRTUAL_ROUTER}` : ''}.`,
  ]
  const notes = [
    bgp
      ? `Tunnel interfaces tunnel.101/102 (AWS's template uses tunnel.1; 101/102 avoid clashing with existing units), in virtual router ${PANOS_VIRTUAL_ROUTER}; ${toBgpNote(bgp, 'the firewall')} The export and import rules end in a deny rule each, so nothing else is advertised or accepted. The router id is set to tunnel 1's inside address ${input.tunnels[0].insideLocal}: if the virtual router already runs BGP, leave that line out to keep its own.`
      : `Tunnel interfaces tunnel.101/102 (AWS's template uses tunnel.1; 101/102 avoid clashing with existing units). Tunnel 1 routes at metric 10, tunnel 2 at metric 20; the tunnel monitor pings AWS's inside addresses (keepalive) and fails a dead tunnel over.`,
    `TCP MSS: the WAN interface ${ctx.site.wan} adjusts MSS to ${toMss(ctx.behindNat)} (1500 − ${1500 - toMss(ctx.behindNat)}); this also applies to non-VPN traffic through it.`,
    `Zones: the WAN is assumed to be in zone ${PANOS_WAN_ZONE} and the LAN is zone ${ctx.site.lan}; PAN-OS 11 with Advanced Routing uses logical routers instead of virtual router ${PANOS_VIRTUAL_ROUTER}.`,
  ]
  return { kind: 'paloalto', version, routing: input.routing, files: [toVendorFile('paloalto', slug, 'set', content, 'PAN-OS configure-mode set commands to paste (holds the PSKs)')], connectionNames: [toVendorName(slug, '-t1'), toVendorName(slug, '-t2')], steps, notes }
}
