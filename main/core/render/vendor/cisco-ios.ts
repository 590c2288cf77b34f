// Cisco IOS 15 / IOS-XE 16–17: route-based VTIs or a policy-based crypto map, IKEv2 or IKEv1.
//
// Sources: AWS's IOS template (awsdocs amazon-vpc-network-administrator-guide Cisco_NoBGP.md,
// test/fixtures/vendors/cisco-ios/); Cisco IOS Security Configuration Guide "Configuring Internet Key
// Exchange Version 2" (proposal/policy/keyring/profile, `dpd … on-demand`, `identity local address`) and
// "Configuring Security for VPNs with IPsec" (transform sets `esp-aes 256 esp-sha256-hmac`, crypto maps
// with several `set peer` lines tried in order).
import { fillTemplate, loadKindTemplates } from '../templates'
import { toProposalSummary } from './cisco-asa'
import { toBgpNote, toIosBgp, toVendorBgp } from './bgp'
import { isAtLeast, refuse, spell, toMss, toVendorFile, toVendorName, type VendorContext, type VendorRenderedConfig } from './common'

const IKEV2_ENC = { aes256: 'aes-cbc-256', aes128: 'aes-cbc-128', aes256gcm16: 'aes-gcm-256', aes128gcm16: 'aes-gcm-128' } as const
const HASH = { sha256: 'sha256', sha384: 'sha384', sha512: 'sha512', sha1: 'sha1', md5: 'md5' } as const
const IKEV1_HASH = { sha256: 'sha256', sha384: 'sha384', sha512: 'sha512', sha1: 'sha', md5: 'md5' } as const
const ESP = { aes256: 'esp-aes 256', aes128: 'esp-aes 128', aes256gcm16: 'esp-gcm 256', aes128gcm16: 'esp-gcm 128' } as const
const ESP_HMAC = { sha256: 'esp-sha256-hmac', sha384: 'esp-sha384-hmac', sha512: 'esp-sha512-hmac', sha1: 'esp-sha-hmac', md5: 'esp-md5-hmac' } as const

const trimEnd = (s: string) => s.replace(/\n+$/, '')

/** Renders the IOS / IOS-XE configuration for both tunnels. */
export function renderCiscoIos(ctx: VendorContext): VendorRenderedConfig {
  const { input, version } = ctx
  const t = loadKindTemplates(ctx.templatesDir, 'cisco-ios')
  const c = input.details.crypto
  const route = input.routing === 'route'
  const v2 = c.ikeVersion === 2
  const gcm = c.encryption.endsWith('gcm16')
  if (!isAtLeast(version, 15)) refuse('cisco-ios', 'ios-version', `IOS ${version} is older than IOS 15 (SHA-2 transform sets and IKEv2 profiles).`, 'Upgrade to IOS 15.x or IOS-XE 16/17.')
  if (gcm && !v2) refuse('cisco-ios', 'ios-gcm-ikev1', 'AES-GCM needs IKEv2.', 'Use aes256 with sha256.')
  const slug = input.slug
  // BGP runs on the VTIs (refused policy-based, with its fix); its routes replace the static ones.
  const bgp = toVendorBgp(ctx, { outName: toVendorName(slug, '-bgp-out'), inName: toVendorName(slug, '-bgp-in') })
  const name = toVendorName(slug, '')
  const [p1, p2] = input.tunnels
  const dpdRetry = Math.max(2, Math.ceil(c.dpd.timeout / 3))
  const blocks: string[] = [fillTemplate(t, 'header.txt', { comment: input.details.name, version, mode: route ? 'route-based (VTI)' : 'policy-based (crypto map)', proposalSummary: toProposalSummary(c) })]
  if (v2) {
    const peers = input.tunnels.map((tn) => trimEnd(fillTemplate(t, 'ike-v2-peer.txt', { peerName: toVendorName(slug, `-t${tn.index}`), peer: tn.outsideIp, psk: tn.psk }))).join('\n')
    const integ = spell('cisco-ios', HASH, c.integrity, 'IKE integrity')
    blocks.push(
      fillTemplate(t, 'ike-v2.txt', {
        name,
        encryption: spell('cisco-ios', IKEV2_ENC, c.encryption as keyof typeof IKEV2_ENC, 'IKE encryption'),
        integrityLine: { fragment: gcm ? `prf ${integ}` : `integrity ${integ}` },
        dhGroup: c.dhGroup,
        peers: { fragment: peers },
        peer1: p1.outsideIp,
        peer2: p2.outsideIp,
        localId: input.localId,
        ikeLifetime: c.ikeLifetime,
        dpdDelay: c.dpd.delay,
        dpdRetry,
      }),
    )
  } else {
    if (c.encryption !== 'aes256' && c.encryption !== 'aes128') refuse('cisco-ios', 'vendor-crypto-unsupported', `IKEv1 encryption ${c.encryption} is not rendered for IOS.`, 'Use aes256.')
    const peers = input.tunnels.map((tn) => trimEnd(fillTemplate(t, 'ike-v1-peer.txt', { peer: tn.outsideIp, psk: tn.psk }))).join('\n')
    blocks.push(
      fillTemplate(t, 'ike-v1.txt', {
        keyBits: c.encryption === 'aes256' ? 256 : 128,
        integrity: spell('cisco-ios', IKEV1_HASH, c.integrity, 'IKEv1 hash'),
        dhGroup: c.dhGroup,
        ikeLifetime: c.ikeLifetime,
        name,
        wan: ctx.site.wan,
        peers: { fragment: peers },
        peer1: p1.outsideIp,
        peer2: p2.outsideIp,
        dpdDelay: c.dpd.delay,
        dpdRetry,
      }),
    )
  }
  const espTransform = gcm ? spell('cisco-ios', ESP, c.encryption as keyof typeof ESP, 'ESP encryption') : `${spell('cisco-ios', ESP, c.encryption as keyof typeof ESP, 'ESP encryption')} ${spell('cisco-ios', ESP_HMAC, c.integrity, 'ESP integrity')}`
  blocks.push(fillTemplate(t, 'ipsec.txt', { name, espTransform: { fragment: espTransform } }))
  const setProfile = { fragment: v2 ? `set ikev2-profile ${name}` : `set isakmp-profile ${name}` }
  const mss = toMss(ctx.behindNat)
  const names: [string, string] = [toVendorName(slug, '-t1'), toVendorName(slug, '-t2')]
  if (route) {
    for (const tn of input.tunnels) {
      blocks.push(
        fillTemplate(t, 'vti.txt', {
          profileName: toVendorName(slug, `-t${tn.index}-ipsec`),
          name,
          pfsGroup: c.pfsGroup,
          ipsecLifetime: c.ipsecLifetime,
          setProfile,
          tunnelNumber: 100 + tn.index,
          description: names[tn.index - 1]!,
          insideLocal: tn.insideLocal,
          mss,
          wan: ctx.site.wan,
          peer: tn.outsideIp,
          insideAws: tn.insideAws,
          slaId: 100 + tn.index,
        }),
      )
    }
    if (bgp) blocks.push(toIosBgp(bgp))
    else {
      for (const d of input.dedicatedCidrs) {
        for (const tn of input.tunnels) blocks.push(fillTemplate(t, 'route.txt', { dedicated: d, tunnelNumber: 100 + tn.index, insideAws: tn.insideAws, distance: tn.index === 1 ? 1 : 10, slaId: 100 + tn.index }))
      }
    }
  } else {
    blocks.push(
      fillTemplate(t, 'policy.txt', {
        aclName: toVendorName(slug, '-crypto'),
        localSelector: input.localSelectors[0]!,
        remoteSelector: input.remoteSelectors[0]!,
        name,
        peer1: p1.outsideIp,
        peer2: p2.outsideIp,
        pfsGroup: c.pfsGroup,
        ipsecLifetime: c.ipsecLifetime,
        setProfile,
        wan: ctx.site.wan,
        mss,
      }),
    )
    const target = input.details.health?.target
    if (target) blocks.push(fillTemplate(t, 'keepalive.txt', { slaId: 110, target, lan: ctx.site.lan }))
  }
  blocks.push(fillTemplate(t, 'wan-acl.txt', { wan: ctx.site.wan, aclName: toVendorName(slug, '-wan-in'), peer1: p1.outsideIp, peer2: p2.outsideIp, local: input.localAddress }))
  const content = `${blocks.map(trimEnd).join('\n')}\n`
  const steps = [
    'Save the running configuration first (copy running-config flash:pre-tunnelwright.cfg).',
    `Enter configure terminal and paste the file${route ? '' : `; if ${ctx.site.wan} already carries a crypto map, add the entry under that map's name with a free sequence number instead (an interface takes one crypto map)`}.`,
    `If ${ctx.site.wan} has an inbound ACL, add the ${toVendorName(slug, '-wan-in')} entries to it (IKE UDP 500, NAT-T UDP 4500, ESP from both AWS peers).`,
    `Check: show crypto ${v2 ? 'ikev2 sa' : 'isakmp sa'}, show crypto ipsec sa${route ? ', show interfaces Tunnel101 and Tunnel102, show ip sla statistics' : ''}${bgp ? ', show ip bgp summary, show ip route bgp' : ''}.`,
    'Save with write memory once the tunnels are up.',
  ]
  const notes = [
    bgp ? `Route-based (VTI, Tunnel101 and Tunnel102); ${toBgpNote(bgp, 'the router')}` : route ? `Route-based: Tunnel101 (${names[0]}) carries the dedicated CIDRs at distance 1 and Tunnel102 (${names[1]}) at distance 10; each route is withdrawn when its SLA ping to AWS's inside address fails. Tunnel numbers 101/102 avoid clashing with existing Tunnel1/Tunnel2 (AWS's template uses 1 and 2).` : 'Policy-based: one crypto map entry lists both AWS peers; IOS uses the first and moves to the second when it fails (one tunnel up at a time, as AWS allows policy-based).',
    ...(ctx.behindNat && !v2 ? [`Behind NAT with IKEv1, IOS identifies itself with its interface address (${input.localAddress}), not ${input.localId}; AWS expects the public IP: prefer IKEv2 (identity local address) where the provider allows it.`] : []),
  ]
  return { kind: 'cisco-ios', version, routing: input.routing, files: [toVendorFile('cisco-ios', slug, 'txt', content, 'Cisco IOS / IOS-XE configuration to paste in configure terminal (holds the PSKs)')], connectionNames: route ? ['Tunnel101', 'Tunnel102'] : [p1.outsideIp, p2.outsideIp], steps, notes }
}
