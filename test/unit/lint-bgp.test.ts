// Lint of a BGP VPN's details: the ASN rules, the routing BGP needs, and the inside CIDRs AWS refuses or
// that overlap between the tunnels. Each rule fires on its bad case and stays quiet on the good one.
import { describe, expect, it } from 'vitest'
import { lintDetails, type Finding } from '../../main/core/details/lint'
import { Details } from '../../main/core/details/model'
import type { VendorKind } from '../../main/core/base/vocabulary'

type Peer = { outsideIp: string; neighborIp: string; awsAsn?: number; customerAsn?: number; holdTime?: number }
type Raw = { routing: string; remote: { dedicatedCidrs: string[]; egressIps: string[]; tunnels: { outsideIp: string; insideCidr: string; psk: string }[] }; bgp: { tunnels: Peer[] } } & Record<string, unknown>

function base(): Raw {
  return {
    format: 'tunnelwright/details@1',
    name: 'agency to AWS (BGP)',
    provider: 'aws',
    gateway: { publicIp: '34.120.5.6', privateCidrs: ['10.10.0.0/24'] },
    remote: {
      dedicatedCidrs: ['10.200.0.0/16'],
      egressIps: [],
      tunnels: [
        { outsideIp: '18.253.1.10', psk: 'Qn7xV2._kdP3aZ4rT8mWyL3sHc6bJ9fE', insideCidr: '169.254.44.8/30' },
        { outsideIp: '18.253.2.20', psk: 'mR5_tY8.wK2nA7qX4zB1cV6hL9pD3gS2', insideCidr: '169.254.201.4/30' },
      ],
    },
    routing: 'route',
    bgp: {
      tunnels: [
        { outsideIp: '18.253.1.10', neighborIp: '169.254.44.9', awsAsn: 64512, customerAsn: 65000, holdTime: 30 },
        { outsideIp: '18.253.2.20', neighborIp: '169.254.201.5', awsAsn: 64512, customerAsn: 65000, holdTime: 30 },
      ],
    },
  }
}

function lint(mutate: (d: Raw) => void = () => {}): Finding[] {
  const raw = base()
  mutate(raw)
  return lintDetails(Details.parse(raw), { sources: { env: {}, readFile: () => '' } })
}
const ids = (fs: Finding[]) => fs.map((f) => f.id)
const peers = (d: Raw) => d.bgp.tunnels

describe('BGP lint', () => {
  it('a well-formed BGP VPN raises no ASN, routing or inside-CIDR finding', () => {
    const found = ids(lint()).filter((id) => /^bgp-(?!not-supported|frr)|^inside-|^tunnels-/.test(id))
    expect(found).toEqual([])
  })

  const cases: readonly [string, string, Finding['severity'], (d: Raw) => void][] = [
    ['no customer ASN', 'bgp-customer-asn-missing', 'error', (d) => void delete peers(d)[0]!.customerAsn],
    ['the same ASN at both ends', 'bgp-asn-same', 'error', (d) => peers(d).forEach((p) => (p.customerAsn = 64512))],
    ['AS_TRANS as the customer ASN', 'bgp-asn-reserved', 'error', (d) => peers(d).forEach((p) => (p.customerAsn = 23456))],
    ['65535 as the customer ASN', 'bgp-asn-reserved', 'error', (d) => peers(d).forEach((p) => (p.customerAsn = 65535))],
    ['4294967295 as the customer ASN', 'bgp-asn-reserved', 'error', (d) => peers(d).forEach((p) => (p.customerAsn = 4294967295))],
    ["7224 (AWS's in us-east-1)", 'bgp-asn-aws-reserved', 'warning', (d) => peers(d).forEach((p) => (p.customerAsn = 7224))],
    ['two customer ASNs', 'bgp-asn-differs', 'error', (d) => void (peers(d)[1]!.customerAsn = 65001)],
    ['two AWS ASNs', 'bgp-asn-differs', 'error', (d) => void (peers(d)[1]!.awsAsn = 64513)],
    ['no AWS ASN', 'bgp-aws-asn-missing', 'warning', (d) => void delete peers(d)[1]!.awsAsn],
    ['a hold time other than 30', 'bgp-hold-time', 'warning', (d) => void (peers(d)[0]!.holdTime = 90)],
    ['policy-based routing', 'bgp-needs-route-based', 'error', (d) => void (d.routing = 'policy')],
    ['an inside CIDR AWS reserves (169.254.0.0/30)', 'inside-reserved', 'error', (d) => void (d.remote.tunnels[0]!.insideCidr = '169.254.0.0/30')],
    ['an inside CIDR AWS reserves (169.254.5.0/30)', 'inside-reserved', 'error', (d) => void (d.remote.tunnels[1]!.insideCidr = '169.254.5.0/30')],
    ['an inside CIDR AWS reserves (169.254.169.252/30)', 'inside-reserved', 'error', (d) => void (d.remote.tunnels[1]!.insideCidr = '169.254.169.252/30')],
    ['both tunnels on one inside /30', 'tunnels-same-inside', 'error', (d) => void (d.remote.tunnels[1]!.insideCidr = '169.254.44.8/30')],
  ]
  it.each(cases)('%s: %s (%s)', (_what, id, severity, mutate) => {
    const found = lint(mutate).filter((f) => f.id === id)
    expect(found.length).toBeGreaterThan(0)
    for (const f of found) {
      expect(f.severity).toBe(severity)
      expect(f.fix.length).toBeGreaterThan(10)
    }
    expect(ids(lint()).includes(id)).toBe(false)
  })

  it("on pfSense BGP is a note naming what its FRR package needs; on the Linux stacks (or no device yet) a note that FRR sets it up", () => {
    const raw = base()
    const details = Details.parse({ ...raw, gateway: { ...(raw['gateway'] as object), kind: 'pfsense' } })
    const onPfsense = lintDetails(details, { sources: { env: {}, readFile: () => '' } })
    expect(onPfsense.find((f) => f.id === 'bgp-frr-pfsense')).toMatchObject({ severity: 'info', fix: expect.stringMatching(/Package Manager .* frr.*Rules → IPsec passing TCP 179 from AWS's inside addresses/) })
    expect(onPfsense.some((f) => f.id === 'bgp-frr' || f.id === 'bgp-not-supported')).toBe(false)
    for (const kind of ['strongswan', 'strongswan-legacy', 'libreswan'] as const) {
      const found = lintDetails(Details.parse({ ...raw, gateway: { ...(raw['gateway'] as object), kind } }), { sources: { env: {}, readFile: () => '' } })
      expect(found.some((f) => f.id === 'bgp-not-supported'), kind).toBe(false)
      expect(found.find((f) => f.id === 'bgp-frr'), kind).toMatchObject({ severity: 'info', fix: expect.stringMatching(/frr-pythontools.*bgpd=yes/) })
    }
    expect(lint().find((f) => f.id === 'bgp-frr')?.severity).toBe('info')
  })

  it('on the vendor kinds whose configuration carries BGP it is a note naming what the device needs; on Windows Server an error saying why', () => {
    const onDevice = (kind: VendorKind, version?: string, mutate: (d: Raw) => void = () => {}) => {
      const raw = base()
      mutate(raw)
      return lintDetails(Details.parse(raw), { sources: { env: {}, readFile: () => '' }, device: { kind, ...(version ? { version } : {}) } })
    }
    const needs: Record<string, RegExp> = { 'cisco-asa': /ASA 9\.7\(1\)/, 'cisco-ios': /ip prefix-list/, paloalto: /virtual router/, fortigate: /config router bgp/, 'juniper-srx': /host-inbound-traffic protocols bgp/ }
    for (const kind of ['cisco-asa', 'cisco-ios', 'paloalto', 'fortigate', 'juniper-srx'] as const) {
      const found = onDevice(kind)
      expect(found.find((f) => f.id === 'bgp-vendor'), kind).toMatchObject({ severity: 'info', message: expect.stringMatching(/169\.254\.44\.9 and 169\.254\.201\.5/), fix: expect.stringMatching(needs[kind]!) })
      expect(found.some((f) => f.id === 'bgp-not-supported' || f.id === 'bgp-frr'), kind).toBe(false)
    }
    const windows = onDevice('windows-server').find((f) => f.id === 'bgp-not-supported')
    expect(windows).toMatchObject({ severity: 'error', why: expect.stringMatching(/Add-BgpRouter.*no Windows BGP example/) })
    expect(onDevice('windows-server').some((f) => f.id === 'bgp-vendor')).toBe(false)
  })

  it('"auto" routing that is policy-based on the platform (an ASA before 9.7) is an error with BGP, and only with BGP', () => {
    const lint96 = (mutate: (d: Raw) => void) => {
      const raw = base()
      raw.routing = 'auto'
      mutate(raw)
      return lintDetails(Details.parse(raw), { sources: { env: {}, readFile: () => '' }, device: { kind: 'cisco-asa', version: '9.6' } })
    }
    expect(lint96(() => {}).find((f) => f.id === 'vendor-bgp-policy')).toMatchObject({ severity: 'error', fix: expect.stringMatching(/9\.7/) })
    expect(lint96((d) => void delete (d as Partial<Raw>).bgp).some((f) => f.id === 'vendor-bgp-policy')).toBe(false)
  })

  it('169.254.6.0/30, right after the reserved block, is accepted', () => {
    expect(ids(lint((d) => void (d.remote.tunnels[0]!.insideCidr = '169.254.6.0/30')))).not.toContain('inside-reserved')
  })
})
