// Cisco ASA (8.4+/9.x CLI): route-based VTIs (9.7+) or a policy-based crypto map, IKEv2 or IKEv1.
//
// Sources: AWS's ASA templates (awsdocs amazon-vpc-network-administrator-guide Cisco_ASA.md,
// cisco-asa-vti-no-bgp.md, test/fixtures/vendors/cisco-asa/); Cisco ASA VPN CLI configuration guide
// 9.x ("IPsec and ISAKMP", "Virtual Tunnel Interface": VTI since 9.7(1)); Cisco Security Manager 4.4
// ("for IKEv1, ASA devices support groups 2 and 5 only" on 8.x); ASA IKEv1 policies hash with md5 or sha
// only, SHA-2 is IKEv2-only (Cisco Defense Orchestrator "Decide which hash algorithms to use").
import type { Crypto } from '../../details/model'
import { fillTemplate, loadKindTemplates } from '../templates'
import { toAsaBgp, toBgpNote, toVendorBgp } from './bgp'
import { isAtLeast, refuse, spell, toMss, toVendorFile, toVendorName, type VendorContext, type VendorRenderedConfig } from './common'

const IKEV2_ENC = { aes256: 'aes-256', aes128: 'aes', aes256gcm16: 'aes-gcm-256', aes128gcm16: 'aes-gcm', '3des': '3des' } as const
const IKEV2_INTEG = { sha256: 'sha256', sha384: 'sha384', sha512: 'sha512', sha1: 'sha', md5: 'md5' } as const
const ESP_V2_ENC = IKEV2_ENC
const ESP_V2_INTEG = { sha256: 'sha-256', sha384: 'sha-384', sha512: 'sha-512', sha1: 'sha-1', md5: 'md5' } as const
const IKEV1_ENC = { aes256: 'aes-256', aes128: 'aes', '3des': '3des' } as const
// ASA IKEv1 knows md5 and sha (SHA-1) only; SHA-2 exists for IKEv2 policies and proposals.
const IKEV1_HASH = { sha1: 'sha', md5: 'md5' } as const
const ESP_V1_ENC = { aes256: 'esp-aes-256', aes128: 'esp-aes', '3des': 'esp-3des' } as const
const ESP_V1_INTEG = { sha1: 'esp-sha-hmac', md5: 'esp-md5-hmac' } as const

function trimEnd(s: string): string {
  return s.replace(/\n+$/, '')
}

/** The proposal in words, for the header and notes. */
export function toProposalSummary(c: Crypto): string {
  return `IKEv${c.ikeVersion} ${c.encryption}/${c.integrity}/DH${c.dhGroup}, PFS ${c.pfsGroup}, ${c.ikeLifetime}/${c.ipsecLifetime} s, DPD ${c.dpd.delay}/${c.dpd.timeout} s`
}

/** Renders the ASA configuration for both tunnels. */
export function renderCiscoAsa(ctx: VendorContext): VendorRenderedConfig {
  const { input, version } = ctx
  const t = loadKindTemplates(ctx.templatesDir, 'cisco-asa')
  const c = input.details.crypto
  const route = input.routing === 'route'
  if (!isAtLeast(version, 8, 4)) refuse('cisco-asa', 'asa-version', `ASA ${version} predates the "crypto ikev1/ikev2" syntax (8.4).`, 'Upgrade to ASA 9.x (route-based needs 9.7 or later).')
  if (route && !isAtLeast(version, 9, 7)) refuse('cisco-asa', 'asa-vti-version', `ASA ${version} has no virtual tunnel interfaces (VTI arrived in 9.7(1)).`, 'Render policy-based (--routing policy) for this ASA, or upgrade to 9.7 or later.')
  if (c.ikeVersion === 1 && !(c.integrity in IKEV1_HASH)) {
    refuse('cisco-asa', 'asa-ikev1-sha2', `an IKEv1 policy on the ASA hashes with SHA-1 or MD5 only; ${c.integrity} needs IKEv2.`, 'Ask cloud.gov to allow IKEv2 on the tunnels and set crypto.ikeVersion to 2 (the ASA then uses SHA-256); SHA-1 is refused by AWS GovCloud.')
  }
  const slug = input.slug
  // BGP runs on the VTIs (refused policy-based, with its fix); its routes replace the static ones.
  const bgp = toVendorBgp(ctx, { outName: toVendorName(slug, '-bgp-out'), inName: toVendorName(slug, '-bgp-in') })
  const proposalName = toVendorName(slug, '')
  const v2 = c.ikeVersion === 2
  const gcm = c.encryption.endsWith('gcm16')
  const ike = v2
    ? fillTemplate(t, 'ike-v2.txt', {
        priority: 200,
        encryption: spell('cisco-asa', IKEV2_ENC, c.encryption, 'IKE encryption'),
        integrity: gcm ? 'null' : spell('cisco-asa', IKEV2_INTEG, c.integrity, 'IKE integrity'),
        dhGroup: c.dhGroup,
        prf: spell('cisco-asa', IKEV2_INTEG, c.integrity, 'PRF'),
        ikeLifetime: c.ikeLifetime,
        wan: ctx.site.wan,
        proposalName,
        espEncryption: spell('cisco-asa', ESP_V2_ENC, c.encryption, 'ESP encryption'),
        espIntegrity: gcm ? 'null' : spell('cisco-asa', ESP_V2_INTEG, c.integrity, 'ESP integrity'),
      })
    : fillTemplate(t, 'ike-v1.txt', {
        priority: 200,
        encryption: spell('cisco-asa', IKEV1_ENC, c.encryption as keyof typeof IKEV1_ENC, 'IKEv1 encryption'),
        integrity: spell('cisco-asa', IKEV1_HASH, c.integrity as keyof typeof IKEV1_HASH, 'IKEv1 hash'),
        dhGroup: c.dhGroup,
        ikeLifetime: c.ikeLifetime,
        wan: ctx.site.wan,
        proposalName,
        espEncryption: spell('cisco-asa', ESP_V1_ENC, c.encryption as keyof typeof ESP_V1_ENC, 'IKEv1 ESP encryption'),
        espIntegrity: spell('cisco-asa', ESP_V1_INTEG, c.integrity as keyof typeof ESP_V1_INTEG, 'IKEv1 ESP integrity'),
      })
  const setProposal = { fragment: v2 ? `set ikev2 ipsec-proposal ${proposalName}` : `set ikev1 transform-set ${proposalName}` }
  const blocks: string[] = [
    fillTemplate(t, 'header.txt', { comment: input.details.name, version, mode: route ? 'route-based (VTI)' : 'policy-based (crypto map)', proposalSummary: toProposalSummary(c) }),
    ike,
    fillTemplate(t, 'global.txt', { wan: ctx.site.wan, mss: toMss(ctx.behindNat) }),
  ]
  for (const tn of input.tunnels) {
    const auth = fillTemplate(t, v2 ? 'auth-v2.txt' : 'auth-v1.txt', { psk: tn.psk })
    blocks.push(fillTemplate(t, 'tunnel-group.txt', { peer: tn.outsideIp, authLines: { fragment: trimEnd(auth) }, dpdDelay: c.dpd.delay, dpdRetry: Math.max(2, Math.ceil(c.dpd.timeout / 3)) }))
  }
  const names: [string, string] = [toVendorName(slug, '-t1'), toVendorName(slug, '-t2')]
  if (route) {
    for (const tn of input.tunnels) {
      const i = tn.index - 1
      blocks.push(
        fillTemplate(t, 'vti.txt', {
          profileName: toVendorName(slug, `-t${tn.index}-ipsec`),
          setProposal,
          pfsGroup: c.pfsGroup,
          ipsecLifetime: c.ipsecLifetime,
          tunnelNumber: 100 + tn.index,
          nameif: names[i]!,
          insideLocal: tn.insideLocal,
          wan: ctx.site.wan,
          peer: tn.outsideIp,
          insideAws: tn.insideAws,
          slaId: 100 + tn.index,
        }),
      )
    }
    // Tunnel 1 is preferred (metric 1); its route is withdrawn when its SLA ping fails, and tunnel 2 carries on.
    if (!bgp) {
      for (const d of input.dedicatedCidrs) {
        for (const tn of input.tunnels) blocks.push(fillTemplate(t, 'route.txt', { nameif: names[tn.index - 1]!, dedicated: d, insideAws: tn.insideAws, metric: tn.index, slaId: 100 + tn.index }))
      }
    } else {
      blocks.push(toAsaBgp(bgp))
    }
  } else {
    blocks.push(
      fillTemplate(t, 'policy.txt', {
        localObject: toVendorName(slug, '-local'),
        remoteObject: toVendorName(slug, '-remote'),
        localSelector: input.localSelectors[0]!,
        remoteSelector: input.remoteSelectors[0]!,
        aclName: toVendorName(slug, '-crypto'),
        lan: ctx.site.lan,
        wan: ctx.site.wan,
        mapName: toVendorName(slug, ''),
        mapSeq: 10,
        peer1: input.tunnels[0].outsideIp,
        peer2: input.tunnels[1].outsideIp,
        setProposal,
        pfsGroup: c.pfsGroup,
        ipsecLifetime: c.ipsecLifetime,
      }),
    )
    const target = input.details.health?.target
    if (target) blocks.push(fillTemplate(t, 'keepalive.txt', { slaId: 110, target, lan: ctx.site.lan }))
  }
  const content = `${blocks.map(trimEnd).join('\n')}\n`
  const steps = [
    'Save the running configuration first (copy running-config flash:/pre-tunnelwright.cfg) so you can go back.',
    `Enter configure terminal and paste ${route ? 'the file' : 'the file; if the outside interface already has a crypto map, paste the crypto map entries under that map\'s name with a free sequence number instead of binding a second map (an interface takes one crypto map)'}.`,
    `Check: show crypto ${v2 ? 'ikev2' : 'ikev1'} sa, show crypto ipsec sa peer ${input.tunnels[0].outsideIp}${route ? `, show interface ${names[0]}` : ''}${bgp ? ', show bgp summary, show route bgp' : ''}.`,
    'Save with write memory once both tunnels show up (route-based) or the first tunnel is up (policy-based).',
  ]
  const notes = [
    bgp
      ? `Route-based (VTI); ${toBgpNote(bgp, 'the ASA')}`
      : route ? `Route-based: ${names[0]} is preferred for the dedicated CIDRs and ${names[1]} takes over when tunnel 1's SLA ping to ${input.tunnels[0].insideAws} fails; the pings also keep both tunnels busy.` : 'Policy-based: one crypto map entry lists both AWS peers, so the ASA brings up one tunnel at a time and moves to the second when the first fails (AWS allows one policy-based tunnel up).',
    ...(c.ikeVersion === 1 ? ['AWS never initiates IKEv1: the ASA initiates on traffic, which the SLA pings provide.'] : []),
    ...(c.ikeVersion === 1 ? ['IKEv1 on the ASA hashes with SHA-1 only: this renders only because the details ask for sha1, which cloud.gov (GovCloud) refuses.'] : []),
  ]
  return { kind: 'cisco-asa', version, routing: input.routing, files: [toVendorFile('cisco-asa', slug, 'txt', content, 'Cisco ASA configuration to paste in configure terminal (holds the PSKs)')], connectionNames: route ? names : [input.tunnels[0].outsideIp, input.tunnels[1].outsideIp], steps, notes }
}
