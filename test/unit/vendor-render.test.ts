// Vendor renderers: every kind renders both tunnels in every mode it has, the output passes its syntax's
// structural checker, carries cloud.gov's crypto and AWS's lifetimes, and a broken structure, an unquoted
// PSK or a wrong keyword is caught by the checker.
import { describe, expect, test } from 'vitest'
import { UserError } from '../../main/core/base/result'
import { VENDOR_KINDS, type VendorKind } from '../../main/core/base/vocabulary'
import { renderVendorDevice } from '../../main/core/render/vendor'
import { VENDOR_CHECKERS } from '../../main/core/render/vendor/syntax'
import { PSK1, PSK2, toVendorDetails, toVendorInput } from '../support/vendor-details'

const CASES = VENDOR_KINDS.flatMap((kind) =>
  ([1, 2] as const).flatMap((ike) => (['route', 'policy'] as const).flatMap((routing) => [false, true].map((nat) => ({ kind, ike, routing, nat })))),
)

/** Combinations a platform cannot do with cloud.gov's crypto, and the code it refuses with. */
function refusal(kind: VendorKind, ike: 1 | 2, routing: 'route' | 'policy'): string | undefined {
  if (kind === 'cisco-asa' && ike === 1) return 'asa-ikev1-sha2'
  if (kind === 'windows-server' && ike === 1 && routing === 'route') return 'windows-rras-ikev1'
  if (kind === 'windows-server' && ike === 2 && routing === 'policy') return 'windows-consec-ikev2'
  return undefined
}

function render(kind: VendorKind, ike: 1 | 2, routing: 'route' | 'policy', nat: boolean) {
  const details = toVendorDetails((d) => {
    d['crypto'] = { ikeVersion: ike }
    d['health'] = { target: '10.200.0.10' }
    if (nat) d.gateway['localAddress'] = '192.168.1.5'
  })
  return renderVendorDevice(toVendorInput(details, routing), kind)
}

describe('vendor renderers', () => {
  test.each(CASES)('$kind IKEv$ike $routing nat=$nat: renders both tunnels, structurally valid, or refuses with the platform limit', ({ kind, ike, routing, nat }) => {
    const code = refusal(kind, ike, routing)
    if (code) {
      expect(() => render(kind, ike, routing, nat)).toThrow(UserError)
      try {
        render(kind, ike, routing, nat)
      } catch (err) {
        expect((err as UserError).code).toBe(code)
      }
      return
    }
    const out = render(kind, ike, routing, nat)
    expect(out.kind).toBe(kind)
    expect(out.routing).toBe(routing)
    expect(out.files).toHaveLength(1)
    const text = out.files[0]!.content
    expect(out.files[0]!.secret).toBe(true)
    expect(out.files[0]!.mode).toBe(0o600)
    expect(VENDOR_CHECKERS[kind](text).issues).toEqual([])
    // Both tunnels: both AWS outside IPs and both PSKs, each PSK once per place it belongs.
    for (const ip of ['18.253.1.10', '18.253.2.20']) expect(text).toContain(ip)
    expect(text).toContain(PSK1)
    expect(text).toContain(PSK2)
    // cloud.gov's crypto, never AWS's template defaults (SHA1 / DH2).
    expect(text).not.toMatch(/\bgroup ?2\b|\bdhgrp 2\b|\bDH2\b|\bsha1\b|esp-sha-hmac|hmac-sha1-96|\bhash sha\b/)
    expect(text).toMatch(/28800|480/)
    expect(text).toMatch(/3600|\b60\b/)
    expect(out.steps.length).toBeGreaterThanOrEqual(3)
  })

  test('the structural checkers catch a missing block end, an unquoted PSK and a wrong keyword', () => {
    const asa = render('cisco-asa', 2, 'route', false).files[0]!.content
    expect(VENDOR_CHECKERS['cisco-asa'](asa.replace(/\nexit\n/, '\n')).issues.length).toBeGreaterThan(0)
    expect(VENDOR_CHECKERS['cisco-asa'](asa.replace('integrity sha256', 'integrty sha256')).issues.length).toBeGreaterThan(0)
    expect(VENDOR_CHECKERS['cisco-asa'](asa.replace(PSK1, `"${PSK1}"`)).issues.length).toBeGreaterThan(0)
    const ios = render('cisco-ios', 2, 'route', false).files[0]!.content
    expect(VENDOR_CHECKERS['cisco-ios'](ios.replace('  pre-shared-key', ' pre-shared-key')).issues.length).toBeGreaterThan(0)
    expect(VENDOR_CHECKERS['cisco-ios'](ios.replace(PSK1, `${PSK1} extra`)).issues.length).toBeGreaterThan(0)
    const pan = render('paloalto', 1, 'route', false).files[0]!.content
    expect(VENDOR_CHECKERS.paloalto(pan.replace(`"${PSK1}"`, PSK1)).issues.length).toBeGreaterThan(0)
    expect(VENDOR_CHECKERS.paloalto(pan.replace('exchange-mode main', 'exchange-mode mian')).issues.length).toBeGreaterThan(0)
    expect(VENDOR_CHECKERS.paloalto(pan.replace(`"${PSK1}"`, `"${PSK1}`)).issues.length).toBeGreaterThan(0)
    const forti = render('fortigate', 1, 'route', false).files[0]!.content
    expect(VENDOR_CHECKERS.fortigate(forti.replace(/\n {4}next\n/, '\n')).issues.length).toBeGreaterThan(0)
    expect(VENDOR_CHECKERS.fortigate(forti.replace(/\nend\n/, '\n')).issues.length).toBeGreaterThan(0)
    expect(VENDOR_CHECKERS.fortigate(forti.replace(`"${PSK1}"`, PSK1)).issues.length).toBeGreaterThan(0)
    expect(VENDOR_CHECKERS.fortigate(forti.replace('set keylife ', 'set keylif ')).issues.length).toBeGreaterThan(0)
    const junos = render('juniper-srx', 1, 'route', false).files[0]!.content
    expect(VENDOR_CHECKERS['juniper-srx'](junos.replace(`"${PSK1}"`, PSK1)).issues.length).toBeGreaterThan(0)
    expect(VENDOR_CHECKERS['juniper-srx'](junos.replace('establish-tunnels immediately', 'establish-tunnels now')).issues.length).toBeGreaterThan(0)
    const ps = render('windows-server', 1, 'policy', false).files[0]!.content
    expect(VENDOR_CHECKERS['windows-server'](ps.replace(`'${PSK1}'`, PSK1)).issues.length).toBeGreaterThan(0)
    expect(VENDOR_CHECKERS['windows-server'](ps.replace(`'${PSK1}'`, `'${PSK1}`)).issues.length).toBeGreaterThan(0)
    expect(VENDOR_CHECKERS['windows-server'](ps.replace('-KeyModule IKEv1', '-KeyModul IKEv1')).issues.length).toBeGreaterThan(0)
    const rras = render('windows-server', 2, 'route', false).files[0]!.content
    expect(VENDOR_CHECKERS['windows-server'](rras.replace(`'${PSK1}'`, `"${PSK1}"`)).issues.length).toBeGreaterThan(0)
  })

  test('route-based: each tunnel gets its inside /30 address and a route to the dedicated CIDR through AWS\'s inside address', () => {
    for (const kind of VENDOR_KINDS.filter((k) => k !== 'windows-server')) {
      const text = render(kind, 2, 'route', false).files[0]!.content
      expect(text, kind).toContain('169.254.44.10')
      expect(text, kind).toContain('169.254.201.6')
      expect(text, kind).toContain('169.254.44.9')
      expect(text, kind).toContain('169.254.201.5')
      expect(text, kind).toMatch(/10\.200\.0\.0(\/16| 255\.255\.0\.0)/)
    }
  })

  test('TCP MSS is clamped, lower behind NAT (NAT-T overhead)', () => {
    for (const kind of ['cisco-asa', 'cisco-ios', 'fortigate', 'juniper-srx'] as const) {
      expect(render(kind, 2, 'route', false).files[0]!.content, kind).toMatch(/\b1387\b/)
      expect(render(kind, 2, 'route', true).files[0]!.content, kind).toMatch(/\b1379\b/)
    }
    expect(render('paloalto', 2, 'route', false).files[0]!.content).toContain('ipv4-mss-adjustment 113')
  })

  test('behind NAT the IKE identity stays the public IP and NAT-T is on', () => {
    const pan = render('paloalto', 1, 'route', true).files[0]!.content
    expect(pan).toContain('local-id type ipaddr id 34.120.5.6')
    expect(pan).toContain('nat-traversal enable yes')
    const junos = render('juniper-srx', 1, 'route', true).files[0]!.content
    expect(junos).toContain('local-identity inet 34.120.5.6')
    expect(junos).not.toContain('no-nat-traversal')
    expect(render('juniper-srx', 1, 'route', false).files[0]!.content).toContain('no-nat-traversal')
    expect(render('cisco-ios', 2, 'route', true).files[0]!.content).toContain('identity local address 34.120.5.6')
  })

  test('firewall openings for UDP 500, UDP 4500 and ESP from both peers', () => {
    const ios = render('cisco-ios', 1, 'route', false).files[0]!.content
    expect(ios).toMatch(/permit udp host 18\.253\.1\.10 host 34\.120\.5\.6 eq isakmp/)
    expect(ios).toMatch(/permit udp host 18\.253\.2\.20 host 34\.120\.5\.6 eq non500-isakmp/)
    expect(ios).toMatch(/permit esp host 18\.253\.2\.20 host 34\.120\.5\.6/)
    expect(render('paloalto', 1, 'route', false).files[0]!.content).toContain('application [ ike ipsec-esp ipsec-esp-udp ]')
    expect(render('juniper-srx', 1, 'route', false).files[0]!.content).toContain('host-inbound-traffic system-services ike')
    const ps = render('windows-server', 1, 'policy', false).files[0]!.content
    expect(ps).toContain('-Protocol UDP -LocalPort 500,4500 -RemoteAddress 18.253.1.10,18.253.2.20')
    expect(ps).toContain('-Protocol 50 -RemoteAddress 18.253.1.10,18.253.2.20')
    expect(render('cisco-asa', 2, 'route', false).files[0]!.content).toContain('crypto ikev2 enable outside')
  })

  test('policy-based carries exactly one selector pair', () => {
    const details = toVendorDetails((d) => {
      d.gateway.privateCidrs = ['10.10.0.0/24', '10.10.1.0/24']
      d['crypto'] = { ikeVersion: 2 }
    })
    const asa = renderVendorDevice(toVendorInput(details, 'policy'), 'cisco-asa', { version: '9.6' })
    expect(asa.files[0]!.content.match(/^access-list .* permit ip /gm)).toHaveLength(1)
    expect(asa.files[0]!.content, asa.files[0]!.content).toContain('subnet 10.10.0.0 255.255.254.0')
  })

  test('an interface name that cannot be written is refused, not rewritten', () => {
    const details = toVendorDetails()
    expect(() => renderVendorDevice(toVendorInput(details, 'route'), 'paloalto', { wan: 'ethernet1/1 "x' })).toThrow(/cannot be written/)
  })
})
