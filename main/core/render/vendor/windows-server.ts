// Windows Server 2012 R2–2025 (PowerShell): IKEv1 policy-based through Windows Firewall connection security
// rules, or IKEv2 route-based through RRAS demand-dial interfaces (RRAS site-to-site speaks IKEv2 only).
//
// Sources: AWS's Windows Server 2012 R2 guide (awsdocs amazon-vpc-network-administrator-guide
// customer-gateway-windows-2012.md, test/fixtures/vendors/windows-server/: `netsh advfirewall consec add rule
// … Mode=Tunnel … QMPFS=dhgroup2`, 480 min main mode, 60 min quick mode, both tunnels configured, one up at
// a time); Microsoft NetSecurity cmdlets (New-NetIPsecMainModeCryptoProposal -KeyExchange DH14,
// New-NetIPsecQuickModeCryptoSet -PerfectForwardSecrecyGroup, New-NetIPsecRule -Mode Tunnel -KeyModule
// IKEv1) and RemoteAccess cmdlets (Add-VpnS2SInterface -Protocol IKEv2 -CustomPolicy -PfsGroup PFS2048).
import { escapeCidr4 } from '../escape'
import { escapePsString } from './escape'
import { fillTemplate, loadKindTemplates } from '../templates'
import { toProposalSummary } from './cisco-asa'
import { toVendorBgp } from './bgp'
import { refuse, spell, toVendorFile, toVendorName, type VendorContext, type VendorRenderedConfig } from './common'

const MM_ENC = { aes256: 'AES256', aes128: 'AES128', '3des': 'DES3' } as const
const MM_HASH = { sha256: 'SHA256', sha384: 'SHA384', sha1: 'SHA1', md5: 'MD5' } as const
const DH = { 1: 'DH1', 2: 'DH2', 14: 'DH14', 19: 'DH19', 20: 'DH20', 24: 'DH24' } as const
const QM_ENC = { aes256: 'AES256', aes128: 'AES128', aes256gcm16: 'AESGCM256', aes128gcm16: 'AESGCM128', '3des': 'DES3' } as const
const QM_HASH = { sha256: 'SHA256', sha384: 'SHA384', sha1: 'SHA1', md5: 'MD5' } as const
const RRAS_ENC = { aes256: 'AES256', aes128: 'AES128', aes256gcm16: 'GCMAES256', aes128gcm16: 'GCMAES128', '3des': 'DES3' } as const
const RRAS_INTEG = { sha256: 'SHA256', sha384: 'SHA384', sha1: 'SHA1', md5: 'MD5' } as const
const RRAS_DH = { 1: 'Group1', 2: 'Group2', 14: 'Group14', 19: 'ECP256', 20: 'ECP384', 24: 'Group24' } as const
const RRAS_CIPHER = { aes256: 'AES256', aes128: 'AES128', aes256gcm16: 'GCMAES256', aes128gcm16: 'GCMAES128', '3des': 'DES3' } as const
const RRAS_AUTH = { sha256: 'SHA256128', sha1: 'SHA196', md5: 'MD596' } as const
const RRAS_PFS = { 1: 'PFS1', 2: 'PFS2', 14: 'PFS2048', 19: 'ECP256', 20: 'ECP384', 24: 'PFS24' } as const

const trimEnd = (s: string) => s.replace(/\n+$/, '')

function toMinutes(seconds: number, what: string): number {
  if (seconds % 60 !== 0) refuse('windows-server', 'windows-lifetime-minutes', `Windows sets the ${what} lifetime in whole minutes; ${seconds} s is not.`, 'Use 28800 s (480 min) and 3600 s (60 min), AWS\'s values.')
  return seconds / 60
}

function dh(table: Readonly<Partial<Record<number, string>>>, group: number, what: string): string {
  const v = table[group]
  if (v === undefined) refuse('windows-server', 'vendor-crypto-unsupported', `${what} ${group} is not offered by Windows.`, 'Use DH group 14.')
  return v
}

/** Renders the PowerShell script for both tunnels. */
export function renderWindowsServer(ctx: VendorContext): VendorRenderedConfig {
  const { input, version } = ctx
  const t = loadKindTemplates(ctx.templatesDir, 'windows-server')
  const c = input.details.crypto
  const route = input.routing === 'route'
  const slug = input.slug
  if (route && c.ikeVersion === 1) refuse('windows-server', 'windows-rras-ikev1', 'RRAS site-to-site interfaces (route-based) speak IKEv2 only.', 'Render policy-based (--routing policy: connection security rules, IKEv1, as AWS\'s Windows template does), or use IKEv2 where the provider allows it.')
  if (!route && c.ikeVersion === 2) refuse('windows-server', 'windows-consec-ikev2', 'the policy-based rendering uses IKEv1 connection security rules (AWS\'s Windows template); IKEv2 goes through RRAS.', 'Render route-based (--routing route) for IKEv2.')
  // RRAS BGP is not rendered: this refuses a BGP VPN with the reason and the fix.
  toVendorBgp(ctx, { outName: toVendorName(slug, '-bgp-out'), inName: toVendorName(slug, '-bgp-in') })
  const blocks: string[] = [fillTemplate(t, 'header.txt', { comment: input.details.name, version, mode: route ? 'route-based (RRAS IKEv2 interfaces)' : 'policy-based (connection security rules, IKEv1)', proposalSummary: toProposalSummary(c) })]
  const names: [string, string] = [toVendorName(slug, '-t1'), toVendorName(slug, '-t2')]
  if (route) {
    blocks.push('# RRAS must be installed with site-to-site VPN: Install-WindowsFeature RemoteAccess, Routing -IncludeManagementTools; Install-RemoteAccess -VpnType VpnS2S')
    for (const tn of input.tunnels) {
      // Tunnel 1's routes get metric 10, tunnel 2's 20: RRAS prefers tunnel 1 while it is connected.
      const subnets = `@(${input.dedicatedCidrs.map((d) => escapePsString(`${escapeCidr4(d)}:${tn.index * 10}`)).join(', ')})`
      blocks.push(
        fillTemplate(t, 'route-tunnel.txt', {
          name: names[tn.index - 1]!,
          peer: tn.outsideIp,
          psk: tn.psk,
          subnets: { fragment: subnets },
          encryption: spell('windows-server', RRAS_ENC, c.encryption, 'IKE encryption'),
          integrity: spell('windows-server', RRAS_INTEG, c.integrity as keyof typeof RRAS_INTEG, 'IKE integrity'),
          dhGroup: dh(RRAS_DH, c.dhGroup, 'DH group'),
          cipher: spell('windows-server', RRAS_CIPHER, c.encryption, 'ESP cipher'),
          authTransform: c.encryption.endsWith('gcm16') ? spell('windows-server', RRAS_CIPHER, c.encryption, 'ESP integrity') : spell('windows-server', RRAS_AUTH, c.integrity as keyof typeof RRAS_AUTH, 'ESP integrity'),
          pfsGroup: dh(RRAS_PFS, c.pfsGroup, 'PFS group'),
          ipsecLifetime: c.ipsecLifetime,
        }),
      )
    }
  } else {
    blocks.push(
      fillTemplate(t, 'policy-crypto.txt', {
        encryption: spell('windows-server', MM_ENC, c.encryption as keyof typeof MM_ENC, 'main mode encryption'),
        hash: spell('windows-server', MM_HASH, c.integrity as keyof typeof MM_HASH, 'main mode hash'),
        keyExchange: dh(DH, c.dhGroup, 'DH group'),
        mmName: `${slug} main mode`,
        ikeMinutes: toMinutes(c.ikeLifetime, 'main mode'),
        espHash: c.encryption.endsWith('gcm16') ? 'None' : spell('windows-server', QM_HASH, c.integrity as keyof typeof QM_HASH, 'quick mode hash'),
        espEncryption: spell('windows-server', QM_ENC, c.encryption, 'quick mode encryption'),
        ipsecMinutes: toMinutes(c.ipsecLifetime, 'quick mode'),
        qmName: `${slug} quick mode`,
        pfsGroup: dh(DH, c.pfsGroup, 'PFS group'),
      }),
    )
    for (const tn of input.tunnels) {
      blocks.push(fillTemplate(t, 'policy-tunnel.txt', { psk: tn.psk, authName: `${names[tn.index - 1]!} PSK`, name: names[tn.index - 1]!, localAddress: input.localAddress, peer: tn.outsideIp, localSelector: input.localSelectors[0]!, remoteSelector: input.remoteSelectors[0]! }))
    }
  }
  blocks.push(fillTemplate(t, 'firewall.txt', { ikeRule: `${slug} IKE and NAT-T from AWS`, espRule: `${slug} ESP from AWS`, peer1: input.tunnels[0].outsideIp, peer2: input.tunnels[1].outsideIp }))
  const content = `${blocks.map(trimEnd).join('\n')}\n`
  const steps = route
    ? [
        'Install RRAS with site-to-site VPN if it is not (the first comment line of the script says how).',
        'Run the script in an elevated PowerShell; it adds two demand-dial interfaces with their routes and connects them.',
        `Check: Get-VpnS2SInterface; Get-NetIPsecMainModeSA; Get-NetIPsecQuickModeSA; route print shows the dedicated CIDRs on ${names[0]}.`,
      ]
    : [
        'Enable routing (RRAS "LAN routing", as AWS\'s Windows guide does) if this server forwards for the LAN.',
        'Run the script in an elevated PowerShell; it adds main mode and quick mode crypto sets, one PSK auth set and two rules per tunnel, and firewall rules for IKE/ESP.',
        'Start traffic (ping a host in the dedicated subnet): Windows negotiates the tunnel on demand.',
        'Check: Get-NetIPsecMainModeSA; Get-NetIPsecQuickModeSA; Get-NetIPsecRule -DisplayName ' + `'${names[0]}'.`,
      ]
  const notes = [
    route ? 'Route-based (RRAS IKEv2): RRAS sets the IKE SA lifetime itself (not per interface); TCP MSS is not clamped by RRAS for forwarded traffic: lower the MSS on hosts or upstream if large transfers stall.' : 'Policy-based (connection security rules): both tunnels share one selector pair, so Windows uses one tunnel at a time (AWS\'s Windows guide says the same); Windows IKEv1 has no dead peer detection and initiates on traffic, so keep traffic flowing (a scheduled ping) and watch both tunnels.',
    'The script holds both PSKs as PowerShell literals: delete it after running, or keep it where only administrators can read it.',
  ]
  return { kind: 'windows-server', version, routing: input.routing, files: [toVendorFile('windows-server', slug, 'ps1', content, 'PowerShell script to run elevated (holds the PSKs)')], connectionNames: names, steps, notes }
}
