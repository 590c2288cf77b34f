// Lint for the render-only vendor kinds: what each platform can and cannot do with these details
// (IKE versions, hashes, route-based support by version, lifetimes it can express). Every finding says
// why and the fix, like lint.ts; rule ids start with the platform.
import { DEFAULT_VENDOR_VERSIONS, isAtLeast, toVendorAutoRouting } from '../base/vendor-platform'
import type { VendorKind } from '../base/vocabulary'
import type { Details } from './model'
import type { Finding } from './lint'

/** Findings for one vendor device (kind and, when known, its version). */
export function lintVendorDevice(details: Details, device: { readonly kind: VendorKind; readonly version?: string }): Finding[] {
  const out: Finding[] = []
  const c = details.crypto
  const known = device.version !== undefined
  const version = device.version ?? DEFAULT_VENDOR_VERSIONS[device.kind]
  const routing = details.routing === 'auto' ? toVendorAutoRouting(device.kind, c, device.version) : details.routing
  const natted = details.gateway.localAddress !== undefined && details.gateway.localAddress !== details.gateway.publicIp
  const v = known ? ` ${device.version}` : ''
  switch (device.kind) {
    case 'cisco-asa':
      if (!isAtLeast(version, 8, 4)) out.push({ id: 'asa-version', severity: 'error', path: '', message: `Cisco ASA${v} predates the crypto ikev1/ikev2 syntax (8.4).`, why: 'Tunnelwright renders ASA 8.4+ commands; older releases name everything differently and lack IKEv2.', fix: 'Upgrade the ASA to 9.x.' })
      if (c.ikeVersion === 1 && c.integrity !== 'sha1' && c.integrity !== 'md5') {
        out.push({ id: 'asa-ikev1-sha2', severity: 'error', path: '/crypto/ikeVersion', message: `Cisco ASA IKEv1 policies hash with SHA-1 or MD5 only; ${c.integrity} needs IKEv2.`, why: 'On the ASA, SHA-2 integrity exists only in IKEv2 policies and proposals; cloud.gov requires SHA-256 and AWS GovCloud refuses SHA-1, so IKEv1 cannot meet it on this platform.', fix: 'Ask cloud.gov to allow IKEv2 on both tunnels and set crypto.ikeVersion to 2.' })
      }
      if (c.ikeVersion === 1 && c.dhGroup >= 14 && !isAtLeast(version, 9)) out.push({ id: 'asa-ikev1-dh', severity: 'warning', path: '/crypto/dhGroup', message: `Cisco ASA${v} documents DH groups 1, 2 and 5 for IKEv1.`, why: 'Group 14 in IKEv1 policies needs a 9.x ASA; an 8.x ASA rejects the policy line.', fix: 'Upgrade to ASA 9.x, or use IKEv2.' })
      if (routing === 'route' && !isAtLeast(version, 9, 7)) out.push({ id: 'asa-vti-version', severity: 'error', path: '/routing', message: `Cisco ASA${v} has no virtual tunnel interfaces (VTI arrived in 9.7(1)).`, why: 'Route-based IPsec on the ASA is a VTI per tunnel.', fix: 'Set "routing": "policy" (a crypto map), or upgrade to 9.7 or later.' })
      if (routing === 'policy') out.push({ id: 'asa-policy-one-tunnel', severity: 'info', path: '/routing', message: 'Policy-based on the ASA: one crypto map entry lists both AWS peers, so one tunnel is up at a time.', why: 'Both tunnels carry the same selector pair; the ASA tries the first peer and fails over to the second, which is also all AWS allows for policy-based tunnels.', fix: 'Use route-based (VTI, ASA 9.7+) to keep both tunnels up.' })
      break
    case 'cisco-ios':
      if (!isAtLeast(version, 15)) out.push({ id: 'ios-version', severity: 'error', path: '', message: `Cisco IOS${v} is older than IOS 15.`, why: 'SHA-2 transform sets, IKEv2 profiles and DH group 14 with these commands need IOS 15 or IOS-XE.', fix: 'Upgrade to IOS 15.x or IOS-XE 16/17.' })
      if (c.ikeVersion === 1 && natted) out.push({ id: 'ios-ikev1-nat-id', severity: 'warning', path: '/gateway/localAddress', message: 'Behind NAT, IOS identifies itself in IKEv1 with its interface (private) address.', why: 'AWS knows the customer gateway by its public IP; IOS IKEv1 has no way to present another address as its identity (IKEv2 has identity local address).', fix: 'Use IKEv2 where the provider allows it, or put the router on the public address.' })
      break
    case 'paloalto':
      if (!isAtLeast(version, 9) || isAtLeast(version, 12)) out.push({ id: 'panos-version-untested', severity: 'warning', path: '', message: `PAN-OS${v} is outside the 9–11 range these commands follow.`, why: 'Command paths changed across PAN-OS releases (11.x Advanced Routing uses logical routers).', fix: 'Check each command against your release before committing.' })
      break
    case 'fortigate':
      if (!isAtLeast(version, 6) || isAtLeast(version, 8)) out.push({ id: 'fortios-version-untested', severity: 'warning', path: '', message: `FortiOS${v} is outside the 6.x–7.x range these commands follow.`, why: 'FortiOS renames options between major releases.', fix: 'Check each command against your release before running the script.' })
      break
    case 'juniper-srx':
      if (routing === 'policy' && !isAtLeast(version, 12, 1)) out.push({ id: 'junos-traffic-selector-version', severity: 'error', path: '/routing', message: `Junos${v} has no IPsec traffic selectors (12.1X46 and later).`, why: 'Tunnelwright renders policy-based peers on the SRX as route-based VPNs with a traffic selector.', fix: 'Use route-based (the default), or upgrade Junos.' })
      break
    case 'windows-server': {
      const year = Number(/^(\d{4})/.exec(version)?.[1] ?? '0')
      if (year > 0 && year < 2012) out.push({ id: 'windows-version', severity: 'error', path: '', message: `Windows Server${v} lacks the NetSecurity PowerShell cmdlets (2012 and later).`, why: 'The script uses New-NetIPsecRule and friends; Windows Server 2008 R2 has only netsh advfirewall consec.', fix: 'Use Windows Server 2012 R2 or later, or configure 2008 R2 by hand following AWS\'s netsh guide with cloud.gov\'s algorithms.' })
      if (routing === 'route' && c.ikeVersion === 1) out.push({ id: 'windows-rras-ikev1', severity: 'error', path: '/routing', message: 'Route-based on Windows is RRAS, whose site-to-site interfaces speak IKEv2 only.', why: 'cloud.gov documents IKEv1; RRAS cannot negotiate it.', fix: 'Set "routing": "policy" (connection security rules with IKEv1, as AWS\'s Windows template), or use IKEv2 where the provider allows it.' })
      if (routing === 'policy' && c.ikeVersion === 2) out.push({ id: 'windows-consec-ikev2', severity: 'error', path: '/routing', message: 'Policy-based on Windows is rendered with IKEv1 connection security rules.', why: 'IKEv2 site-to-site on Windows goes through RRAS interfaces (route-based).', fix: 'Set "routing": "route" for IKEv2.' })
      for (const [key, s] of [['ikeLifetime', c.ikeLifetime], ['ipsecLifetime', c.ipsecLifetime]] as const) {
        if (s % 60 !== 0) out.push({ id: 'windows-lifetime-minutes', severity: 'error', path: `/crypto/${key}`, message: `Windows sets lifetimes in whole minutes; ${s} s is not.`, why: 'Main mode and quick mode lifetimes are -MaxMinutes.', fix: `Set crypto.${key} to a multiple of 60 (AWS: 28800 and 3600).` })
      }
      if (routing === 'policy') out.push({ id: 'windows-one-tunnel-no-dpd', severity: 'info', path: '/routing', message: 'Windows connection security rules use one tunnel at a time and have no dead peer detection.', why: 'Both rules carry the same selectors (AWS\'s Windows guide: "only one tunnel at a time is up"); Windows IKEv1 negotiates on traffic and notices a dead peer only when traffic fails.', fix: 'Keep traffic flowing (a scheduled ping into the dedicated subnet) and watch both tunnels.' })
      break
    }
  }
  // "auto" chose policy-based for this platform (Windows with IKEv1, an ASA before 9.7): BGP cannot run there.
  if (details.bgp && details.routing === 'auto' && routing === 'policy') {
    out.push({ id: 'vendor-bgp-policy', severity: 'error', path: '/routing', message: `This VPN uses BGP, and on ${device.kind}${v} with these details "auto" routing is policy-based.`, why: "BGP runs between the tunnels' inside addresses on a tunnel interface per tunnel; this platform gets no tunnel interfaces here.", fix: device.kind === 'cisco-asa' ? 'Upgrade the ASA to 9.7 or later (virtual tunnel interfaces).' : 'Use IKEv2 where the provider allows it (RRAS interfaces are IKEv2 only), or ask for a static VPN connection.' })
  }
  if ((device.kind === 'paloalto' || device.kind === 'fortigate' || device.kind === 'juniper-srx') && routing === 'policy') {
    out.push({ id: 'vendor-policy-selectors', severity: 'info', path: '/routing', message: `Policy-based on ${device.kind}: route-based tunnels carrying the one selector pair (${device.kind === 'paloalto' ? 'proxy IDs' : device.kind === 'fortigate' ? 'phase 2 selectors' : 'traffic selectors'}).`, why: 'A peer that expects policy-based selectors negotiates them the same way, and both tunnels stay usable with routes.', fix: 'Nothing to do; route-based (0.0.0.0/0 selectors) is simpler where the provider accepts it.' })
  }
  return out
}
