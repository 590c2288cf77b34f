// Every shape AWS hands out, imported from real, published exports (test/fixtures/aws/real, sources in
// its README) and from the samples written for the shapes no published copy exists of: the facts right
// (outside IPs, PSK pairing by outside IP, inside /30s, lifetimes, ASNs), and the odd ones (hand-edited
// values, duplicate outside IPs, Markdown image lines, # comments, invalid JSON) a correct result or a
// clear error that says what the file is and what to feed instead.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { UserError } from '../../main/core/base/result'
import { AwsConnectionChoiceError, detectAwsShape, fillDraft, importAwsExportText, importAwsJson, importAwsText, importAwsXml, parseAwsJsonDocument, toCompleteDetails, type AwsImport } from '../../main/core/details/aws-import'
import { hasErrors, lintDetails, type Finding } from '../../main/core/details/lint'
import type { Details } from '../../main/core/details/model'

const REAL = join(__dirname, '../fixtures/aws/real')
const SAMPLES = join(__dirname, '../fixtures/aws')
const real = (name: string) => readFileSync(join(REAL, name), 'utf8')
const sample = (name: string) => readFileSync(join(SAMPLES, name), 'utf8')
const NO_FILES = { env: {}, readFile: () => '' }

function userError(fn: () => unknown): UserError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(UserError)
    return err as UserError
  }
  throw new Error('expected a UserError')
}

/** Each tunnel as outside IP → { psk, insideCidr }: pairing by outside IP, whatever the order. */
const byOutside = (imp: AwsImport) => Object.fromEntries(imp.draft.remote.tunnels.map((t) => [t.outsideIp, { psk: t.psk, insideCidr: t.insideCidr }]))
const bgpByOutside = (imp: AwsImport) => Object.fromEntries((imp.draft.bgp?.tunnels ?? []).map((p) => [p.outsideIp, { awsAsn: p.awsAsn, customerAsn: p.customerAsn, neighborIp: p.neighborIp, holdTime: p.holdTime }]))

/** The draft completed with made-up agency values and linted. */
function lintOf(imp: AwsImport, publicIp = '34.120.5.6'): Finding[] {
  const filled = fillDraft(imp.draft, { ...(imp.draft.gateway.publicIp ? {} : { publicIp }), privateCidrs: ['10.10.0.0/24'], dedicatedCidrs: ['10.200.0.0/16'] })
  const details = toCompleteDetails(filled) as Details
  expect(details).toBeDefined()
  return lintDetails(details, { sources: NO_FILES })
}

describe('CustomerGatewayConfiguration XML (real)', () => {
  it('CloudWanderer (sanitised: 1.1.1.1 on both tunnels) is refused clearly: the tunnels cannot be told apart', () => {
    const e = userError(() => importAwsXml(real('cloudwanderer-bgp-vgw.xml')))
    expect(e.code).toBe('aws-export-tunnels')
    expect(e.message).toMatch(/Both tunnels have the outside IP 1\.1\.1\.1.*cannot be told apart/)
    expect(e.message).not.toContain('11111111111111111')
  })

  it('CloudWanderer with the outside IPs a real export has: BGP, inside /30s, lifetimes, DPD and MSS read right', () => {
    // The only sanitised values are the addresses: give each end its own, as AWS does.
    let n = 0
    const xml = real('cloudwanderer-bgp-vgw.xml').replace(/<vpn_gateway>\s*<tunnel_outside_address>\s*<ip_address>1\.1\.1\.1/g, (m) => m.replace('1.1.1.1', n++ === 0 ? '203.0.113.10' : '203.0.113.20'))
    const imp = importAwsXml(xml)
    expect(imp.source).toMatchObject({ kind: 'xml', vpnConnectionId: 'vpn-11111111', customerGatewayId: 'cgw-11111111111111111', vpnGatewayId: 'vgw-11111111111111111' })
    expect(imp.draft.gateway.publicIp).toBe('1.1.1.1')
    expect(byOutside(imp)).toEqual({
      '203.0.113.10': { psk: '11111111111111111', insideCidr: '169.254.80.144/30' },
      '203.0.113.20': { psk: '11111111111111111', insideCidr: '169.254.172.84/30' },
    })
    expect(bgpByOutside(imp)).toEqual({
      '203.0.113.10': { awsAsn: 64512, customerAsn: 65000, neighborIp: '169.254.80.145', holdTime: 30 },
      '203.0.113.20': { awsAsn: 64512, customerAsn: 65000, neighborIp: '169.254.172.85', holdTime: 30 },
    })
    // No <vpn_connection_attributes>: the <bgp> blocks alone say BGP.
    expect(imp.draft.crypto).toMatchObject({ ikeLifetime: 28800, ipsecLifetime: 3600, dpd: { delay: 10, timeout: 30 }, integrity: 'sha256', dhGroup: 14 })
    expect(imp.notes.join('\n')).toMatch(/dynamic routing \(BGP.*AWS ASN 64512, gateway ASN 65000, neighbours 169\.254\.80\.145 and 169\.254\.172\.85, hold time 30 s/)
    expect(imp.notes.join('\n')).toMatch(/TCP MSS to 1379 bytes/)
    expect(imp.notes.join('\n')).toMatch(/minimum-compatibility proposal \(aes-128-cbc, sha1, group2\)/)
  })

  it('NetBrain (hand-edited: 1.2.3.4 everywhere, inside 192.168.0.1) is refused clearly, at each inconsistency', () => {
    const xml = real('netbrain-sanitized-bgp-vgw.xml')
    expect(userError(() => importAwsXml(xml)).message).toMatch(/Both tunnels have the outside IP 1\.2\.3\.4/)
    // Even with distinct outside IPs, both tunnels claim one inside /30.
    let n = 0
    const distinct = xml.replace(/<vpn_gateway>\s*<tunnel_outside_address>\s*<ip_address>1\.2\.3\.4/g, (m) => m.replace('1.2.3.4', `203.0.113.${++n}`))
    const e = userError(() => importAwsXml(distinct))
    expect(e.message).toMatch(/Both tunnels have the inside CIDR 192\.168\.0\.0\/30/)
    expect(e.message).not.toContain('12345<')
  })
})

describe('CustomerGatewayConfiguration XML (samples written for the tests)', () => {
  it('a BGP VPN on a transit gateway: empty vpn_gateway_id, ASNs per side, neighbours on the inside /30s', () => {
    const imp = importAwsXml(sample('vpn-bgp-tgw.xml'))
    expect(imp.source.vpnGatewayId).toBeUndefined()
    expect(bgpByOutside(imp)).toEqual({
      '203.0.113.71': { awsAsn: 64512, customerAsn: 65010, neighborIp: '169.254.120.9', holdTime: 30 },
      '203.0.113.202': { awsAsn: 64512, customerAsn: 65010, neighborIp: '169.254.121.5', holdTime: 30 },
    })
  })

  it('a static XML (NoBGPVPNConnection) has no bgp section and says the provider must enter static routes', () => {
    const imp = importAwsXml(sample('vpn-static.xml'))
    expect(imp.draft.bgp).toBeUndefined()
    expect(imp.notes.join('\n')).toMatch(/Static routing: .*static routes/)
  })
})

describe('describe-vpn-connections JSON', () => {
  it('full TunnelOptions decide the proposal; a tunnel allowing only DH group 2 in phase 1 makes lint say what to change at AWS', () => {
    const imp = importAwsJson(sample('vpn-describe-tunnel-options.json'))
    expect(imp.source).toMatchObject({ kind: 'json', shape: 'describe-vpn-connections JSON', vpnConnectionId: 'vpn-0a1b2c3d4e5f60718', vpnGatewayId: 'vgw-07a6b5c4d3e2f1009' })
    // Same tunnels as the XML inside it, paired by outside IP.
    expect(byOutside(imp)).toEqual(byOutside(importAwsXml(sample('vpn-static.xml'))))
    expect(imp.draft.tunnelOptions?.map((o) => [o.outsideIp, o.phase1?.dhGroups])).toEqual([
      ['203.0.113.36', [2]],
      ['203.0.113.164', [2, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24]],
    ])
    expect(imp.draft.tunnelOptions?.[0]).toMatchObject({ ikeVersions: [1, 2], dpd: { timeout: 30, action: 'clear' }, startupAction: 'add', phase1: { lifetime: 28800 }, phase2: { lifetime: 3600 } })
    expect(imp.notes.join('\n')).toMatch(/no phase 1 DH group that both tunnels allow/)
    expect(imp.notes.join('\n')).toMatch(/DPD timeout action is "clear"/)
    expect(imp.notes.join('\n')).toMatch(/startup action is "add".*the gateway starts the tunnel/)
    const findings = lintOf(imp)
    const none = findings.filter((f) => f.id === 'aws-proposal-none-acceptable')
    expect(none).toHaveLength(1)
    expect(none[0]).toMatchObject({ severity: 'error', path: '/tunnelOptions/0/phase1' })
    expect(none[0]!.message).toBe('Tunnel 1 (203.0.113.36) allows only DH group 2 in phase 1 (Phase1DHGroupNumbers): no proposal cloud.gov accepts can match.')
    expect(none[0]!.fix).toMatch(/ask the provider to add DH group 14 to Phase1DHGroupNumbers in the VPN's tunnel options for this tunnel .*--vpn-tunnel-outside-ip-address 203\.0\.113\.36 --tunnel-options 'Phase1DHGroupNumbers=\[\{Value=14\}\]'/)
    expect(findings.some((f) => f.id === 'aws-proposal-not-allowed')).toBe(false)
  })

  it('narrowed tunnel options: the strongest common proposal every device runs; a detail outside them is an error naming the value to use', () => {
    const doc = JSON.parse(sample('vpn-describe-tunnel-options.json'))
    const [t1, t2] = doc.VpnConnections[0].Options.TunnelOptions
    t1.Phase1DHGroupNumbers = [{ Value: 15 }, { Value: 16 }, { Value: 19 }]
    t2.Phase1DHGroupNumbers = [{ Value: 16 }, { Value: 18 }, { Value: 19 }]
    t1.Phase1IntegrityAlgorithms = t2.Phase1IntegrityAlgorithms = [{ Value: 'SHA2-384' }, { Value: 'SHA1' }]
    t1.Phase2IntegrityAlgorithms = [{ Value: 'SHA2-384' }, { Value: 'SHA2-512' }]
    t1.IkeVersions = t2.IkeVersions = [{ Value: 'ikev1' }]
    const imp = importAwsJson(JSON.stringify(doc))
    // 14 is not allowed; among MODP groups (ECP 19 is not for IKEv1 on every device) the strongest both allow is 16.
    expect(imp.draft.crypto).toMatchObject({ ikeVersion: 1, encryption: 'aes256', integrity: 'sha384', dhGroup: 16, pfsGroup: 14 })
    expect(imp.notes.join('\n')).toMatch(/Proposal from the tunnel options \(TunnelOptions\): IKEv1, AES256, SHA2-384, DH group 16, PFS group 14/)
    expect(hasErrors(lintOf(imp).filter((f) => f.id.startsWith('aws-')))).toBe(false)
    // The user sets DH group 14 anyway: lint names the tunnel, what it allows and what to set.
    const edited = fillDraft(imp.draft, { publicIp: '34.120.5.6', privateCidrs: ['10.10.0.0/24'], dedicatedCidrs: ['10.200.0.0/16'] })
    const details = toCompleteDetails({ ...edited, crypto: { ...edited.crypto, dhGroup: 14 } })!
    const f = lintDetails(details, { sources: NO_FILES }).filter((x) => x.id === 'aws-proposal-not-allowed')
    expect(f.map((x) => x.message)).toEqual([
      'Tunnel 1 (203.0.113.36) does not allow DH group 14 in phase 1 (crypto.dhGroup); its Phase1DHGroupNumbers allow DH groups 15, 16, 19.',
      'Tunnel 2 (203.0.113.164) does not allow DH group 14 in phase 1 (crypto.dhGroup); its Phase1DHGroupNumbers allow DH groups 16, 18, 19.',
    ])
    expect(f[0]!.fix).toMatch(/^Set crypto\.dhGroup to 16 \(DH group 16\), or ask the provider to add DH group 14/)
  })

  it('lifetimes and DPD come from the tunnel options; tunnels that differ keep the default and lint names the one that differs', () => {
    const doc = JSON.parse(sample('vpn-describe-tunnel-options.json'))
    const [t1, t2] = doc.VpnConnections[0].Options.TunnelOptions
    t1.Phase1DHGroupNumbers = [{ Value: 14 }]
    t1.Phase2LifetimeSeconds = t2.Phase2LifetimeSeconds = 1800
    t1.DpdTimeoutSeconds = t2.DpdTimeoutSeconds = 40
    t2.Phase1LifetimeSeconds = 14400
    const imp = importAwsJson(JSON.stringify(doc))
    expect(imp.draft.crypto).toMatchObject({ ikeLifetime: 28800, ipsecLifetime: 1800, dpd: { delay: 10, timeout: 40 } })
    expect(imp.notes.join('\n')).toMatch(/phase 1 lifetimes \(TunnelOptions\) differ \(28800 and 14400\)/)
    expect(imp.notes.join('\n')).toMatch(/DPD: delay 10 s, timeout 40 s \(AWS's DpdTimeoutSeconds/)
    const f = lintOf(imp).filter((x) => x.id === 'aws-lifetime-mismatch')
    expect(f.map((x) => x.message)).toEqual(["Tunnel 2 (203.0.113.164)'s phase 1 lifetime at AWS is 14400 s (Phase1LifetimeSeconds); the details use 28800 s."])
    expect(f[0]!.fix).toMatch(/ask the provider to set the same value on both tunnels/)
  })

  it('create-vpn-connection output without XML: tunnels from TunnelOptions (keys paired by outside IP), BGP from StaticRoutesOnly false', () => {
    const imp = importAwsJson(real('awscli-create-vpn-connection-psk-insidecidr.json'))
    expect(imp.source).toMatchObject({ kind: 'json', shape: 'VpnConnection JSON', vpnConnectionId: 'vpn-123123123123abcab', vpnGatewayId: 'vgw-1a1a1a1a1a1a2b2b2' })
    expect(byOutside(imp)).toEqual({
      '203.0.113.3': { psk: 'ExamplePreSharedKey1', insideCidr: '169.254.12.0/30' },
      '203.0.113.5': { psk: 'ExamplePreSharedKey2', insideCidr: '169.254.13.0/30' },
    })
    expect(imp.draft.gateway.publicIp).toBeUndefined()
    expect(imp.needs.map((n) => n.path)).toContain('/gateway/publicIp')
    expect(bgpByOutside(imp)).toEqual({
      '203.0.113.3': { awsAsn: undefined, customerAsn: undefined, neighborIp: '169.254.12.1', holdTime: undefined },
      '203.0.113.5': { awsAsn: undefined, customerAsn: undefined, neighborIp: '169.254.13.1', holdTime: undefined },
    })
    expect(imp.notes.join('\n')).toMatch(/state is "pending"/)
  })

  it("AWS CLI documentation examples with a placeholder instead of the XML: says what is missing and what to save instead", () => {
    for (const name of ['awscli-describe-vpn-connections-tgw-static.json', 'awscli-modify-vpn-connection-options-list.json']) {
      const e = userError(() => importAwsJson(real(name)))
      expect(e.code, name).toBe('aws-json-no-configuration')
      expect(e.message).toMatch(/"\.\.\.configuration information\.\.\." as its CustomerGatewayConfiguration \(a placeholder.*\(it names the tunnels 203\.0\.113\.3, 203\.0\.113\.5\)/)
      expect(e.fix).toContain('aws ec2 describe-vpn-connections --vpn-connection-ids vpn-1122334455aabbccd')
    }
    const dh = userError(() => importAwsJson(real('awscli-modify-vpn-tunnel-options-dhgroups.json')))
    expect(dh.message).toMatch(/TunnelOptions without PreSharedKey and TunnelInsideCidr/)
  })

  it('the DH-groups example once keys and inside CIDRs are added: its options are kept, DH group 14 proposed, tunnel 2 (no options) unconstrained', () => {
    const doc = JSON.parse(real('awscli-modify-vpn-tunnel-options-dhgroups.json'))
    const [t1, t2] = doc.VpnConnection.Options.TunnelOptions
    Object.assign(t1, { PreSharedKey: 'Key.one_12345678', TunnelInsideCidr: '169.254.30.0/30' })
    Object.assign(t2, { PreSharedKey: 'Key.two_12345678', TunnelInsideCidr: '169.254.31.0/30' })
    const imp = importAwsJson(JSON.stringify(doc))
    expect(imp.draft.tunnelOptions).toEqual([{ outsideIp: '203.0.113.17', phase1: { dhGroups: [14, 15, 16, 17, 18] }, phase2: { dhGroups: [14, 15, 16, 17, 18] } }])
    expect(imp.draft.crypto).toMatchObject({ dhGroup: 14, pfsGroup: 14 })
    expect(lintOf(imp).filter((f) => f.id.startsWith('aws-'))).toEqual([])
  })

  it('IPv6 inside tunnels and invalid JSON (as AWS documented it) are refused with where and why', () => {
    expect(userError(() => importAwsJson(real('awscli-create-vpn-connection-ipv6-tgw-startup.json'))).message).toMatch(/IPv6 \(TunnelInsideIpVersion ipv6\); Tunnelwright sets up IPv4 tunnels only/)
    const bad = userError(() => importAwsExportText(real('awscli-modify-vpn-tunnel-certificate-INVALID-json.txt')))
    expect(bad.code).toBe('aws-json-syntax')
    expect(bad.message).toMatch(/not valid JSON at line 3, column \d+/)
    expect(bad.fix).toMatch(/unquoted "\.\.\.configuration information\.\.\."/)
  })

  it('NetBrain: # comment lines skipped, two connections listed (both vpn-xxxxxxxxxxxxxxxxx); a pick by id is ambiguous, by position reaches the edited XML', () => {
    const text = real('netbrain-vgw-2conn-describe.jsonc')
    const doc = parseAwsJsonDocument(text)
    expect(doc.notes.join('\n')).toMatch(/2 comment lines \(starting with # or \/\/\).*skipped/)
    expect(doc.summaries.map((s) => [s.position, s.vpnConnectionId, s.routing, s.gatewayId, s.outsideIps])).toEqual([
      [1, 'vpn-xxxxxxxxxxxxxxxxx', 'bgp', 'vgw-xxxxxxxxxxxxxxxxx', []],
      [2, 'vpn-xxxxxxxxxxxxxxxxx', 'bgp', 'vgw-xxxxxxxxxxxxxxxxx', []],
    ])
    const none = userError(() => importAwsJson(text))
    expect(none).toBeInstanceOf(AwsConnectionChoiceError)
    expect((none as AwsConnectionChoiceError).connections).toHaveLength(2)
    expect(none.message).toBe('The export lists 2 VPN connections; say which one to import.')
    expect(userError(() => importAwsJson(text, 'vpn-xxxxxxxxxxxxxxxxx')).message).toMatch(/2 connections in the export have the id vpn-xxxxxxxxxxxxxxxxx.*pick one by position/)
    expect(userError(() => importAwsJson(text, '3')).message).toMatch(/There is no connection 3/)
    const picked = userError(() => importAwsJson(text, '2'))
    expect(picked.message).toMatch(/^Connection 2 \(vpn-xxxxxxxxxxxxxxxxx\): its CustomerGatewayConfiguration: |Both tunnels have the outside IP 1\.2\.3\.4/)
  })

  it('several good connections: each is importable by id or position', () => {
    const one = JSON.parse(sample('vpn-describe-tunnel-options.json')).VpnConnections[0]
    const two = JSON.parse(real('awscli-create-vpn-connection-psk-insidecidr.json')).VpnConnection
    const text = JSON.stringify({ VpnConnections: [one, two] })
    expect(importAwsJson(text, 'vpn-123123123123abcab').draft.name).toBe('vpn-123123123123abcab')
    expect(importAwsJson(text, '1').draft.name).toBe('vpn-0a1b2c3d4e5f60718')
    expect(importAwsJson(text, '#2').notes[0]).toBe('Imported connection 2 of 2 in the export (vpn-123123123123abcab).')
  })
})

describe('Generic text', () => {
  it('the real console download (cloudneta): outside IPs, keys paired, inside /30s, customer address, static', () => {
    const imp = importAwsText(real('generic-static-vgw-cloudneta.txt'))
    expect(imp.source).toMatchObject({ kind: 'text', shape: 'Generic text', vpnConnectionId: 'vpn-006dfdf3f4989c4df', vpnGatewayId: 'vgw-047b3d3d74ddad1f7', customerGatewayId: 'cgw-0cef15691adbb1b85' })
    expect(imp.draft.gateway.publicIp).toBe('54.255.135.113')
    expect(byOutside(imp)).toEqual({
      '13.209.231.134': { psk: 'bIben5l33KgXpzShJdwNKlO3rG3ryq01', insideCidr: '169.254.191.152/30' },
      '15.164.154.116': { psk: 'abs4CQtJ63ryaw9KaFiix12_us7Vje.r', insideCidr: '169.254.213.200/30' },
    })
    expect(imp.draft.crypto).toMatchObject({ ikeLifetime: 28800, ipsecLifetime: 3600, dpd: { delay: 10, timeout: 30 } })
    expect(imp.draft.bgp).toBeUndefined()
    expect(imp.notes.join('\n')).toMatch(/TCP MSS to 1379 bytes/)
  })

  it("AWS's BGP example: \"IPsec Tunnel #1\" headings found, Markdown image lines skipped — and its copy slip (one outside IP for both tunnels) refused", () => {
    const text = real('aws-doc-generic-bgp-vgw.txt')
    const e = userError(() => importAwsText(text))
    expect(e.message).toMatch(/Both tunnels have the outside IP 72\.21\.209\.193/)
    // With tunnel 2's own address (the one AWS's other BGP examples give it), BGP comes through.
    const fixed = text.replace(/(IPsec Tunnel #2[\s\S]*?- Virtual Private Gateway\s*:\s*)72\.21\.209\.193/, '$172.21.209.225')
    const imp = importAwsText(fixed)
    expect(byOutside(imp)).toEqual({
      '72.21.209.193': { psk: 'plain-text-password1', insideCidr: '169.254.255.0/30' },
      '72.21.209.225': { psk: 'plain-text-password2', insideCidr: '169.254.255.4/30' },
    })
    expect(bgpByOutside(imp)).toEqual({
      '72.21.209.193': { awsAsn: 7224, customerAsn: undefined, neighborIp: '169.254.255.1', holdTime: 30 },
      '72.21.209.225': { awsAsn: 7224, customerAsn: undefined, neighborIp: '169.254.255.5', holdTime: 30 },
    })
    // "- Customer Gateway:        : YOUR_UPLINK_ADDRESS" is a placeholder: the public IP is still to fill in.
    expect(imp.draft.gateway.publicIp).toBeUndefined()
    expect(imp.notes).toContain('8 Markdown image lines (from a documentation page) were skipped.')
    expect(lintOf(imp).find((f) => f.id === 'bgp-frr')).toMatchObject({ severity: 'info', path: '/bgp' })
  })

  it("AWS's static example: both tunnels, the same placeholder key, image lines skipped", () => {
    const imp = importAwsText(real('aws-doc-generic-static-vgw.txt'))
    expect(Object.keys(byOutside(imp))).toEqual(['72.21.209.193', '72.21.209.225'])
    expect(imp.draft.remote.tunnels.map((t) => t.psk)).toEqual(['PRE-SHARED-KEY-IN-PLAIN-TEXT', 'PRE-SHARED-KEY-IN-PLAIN-TEXT'])
    expect(imp.notes).toContain('6 Markdown image lines (from a documentation page) were skipped.')
  })
})

describe("AWS's device templates", () => {
  const cases: Array<{ file: string; shape: string; id: string; tunnels: Record<string, { psk: string; insideCidr: string }>; bgp?: Record<string, { awsAsn?: number; customerAsn?: number; neighborIp: string; holdTime?: number }>; publicIp?: string }> = [
    {
      file: 'vyatta-bgp-vgw-cloudneta.txt',
      shape: 'Vyatta template',
      id: 'vpn-0056e880bc3e56d15',
      publicIp: '52.76.100.41',
      tunnels: { '15.164.80.217': { psk: 'NCN1B7Xzjv0NnGOLxFQJMnWBG8FlJnzT', insideCidr: '169.254.70.180/30' }, '52.78.188.212': { psk: 'MfmyxlydtXvvC2FLGmBsqMQlW5q89Z0S', insideCidr: '169.254.50.252/30' } },
      bgp: { '15.164.80.217': { awsAsn: 64512, customerAsn: 65000, neighborIp: '169.254.70.181', holdTime: 30 }, '52.78.188.212': { awsAsn: 64512, customerAsn: 65000, neighborIp: '169.254.50.253', holdTime: 30 } },
    },
    {
      file: 'aws-doc-cisco-ios-bgp.txt',
      shape: 'Cisco IOS template',
      id: 'vpn-44a8938f',
      tunnels: { '72.21.209.225': { psk: 'plain-text-password1', insideCidr: '169.254.255.0/30' }, '72.21.209.193': { psk: 'plain-text-password2', insideCidr: '169.254.255.4/30' } },
      bgp: { '72.21.209.225': { awsAsn: 7224, neighborIp: '169.254.255.1', holdTime: 30 }, '72.21.209.193': { awsAsn: 7224, neighborIp: '169.254.255.5', holdTime: 30 } },
    },
    {
      file: 'aws-doc-cisco-ios-static.txt',
      shape: 'Cisco IOS template',
      id: 'vpn-1a2b3c4d',
      tunnels: { '205.251.233.121': { psk: 'PASSWORD', insideCidr: '169.254.249.16/30' }, '205.251.233.122': { psk: 'PASSWORD', insideCidr: '169.254.249.20/30' } },
    },
    {
      file: 'aws-doc-cisco-asa-vti-bgp.txt',
      shape: 'Cisco ASA template',
      id: 'vpn-12345678',
      tunnels: { '13.54.43.86': { psk: 'pre-shared-key', insideCidr: '169.254.33.196/30' }, '52.65.137.78': { psk: 'pre-shared-key', insideCidr: '169.254.33.192/30' } },
      bgp: { '13.54.43.86': { awsAsn: 7224, customerAsn: 65343, neighborIp: '169.254.33.197', holdTime: 30 }, '52.65.137.78': { awsAsn: 7224, customerAsn: 65343, neighborIp: '169.254.33.193', holdTime: 30 } },
    },
    {
      file: 'aws-doc-juniper-srx-bgp.txt',
      shape: 'Juniper SRX (JunOS) template',
      id: 'vpn-44a8938f',
      tunnels: { '72.21.209.225': { psk: 'plain-text-password1', insideCidr: '169.254.255.0/30' }, '72.21.209.193': { psk: 'plain-text-password2', insideCidr: '169.254.255.4/30' } },
      bgp: { '72.21.209.225': { awsAsn: 7224, neighborIp: '169.254.255.1', holdTime: 30 }, '72.21.209.193': { awsAsn: 7224, neighborIp: '169.254.255.5', holdTime: 30 } },
    },
    {
      file: 'aws-doc-juniper-screenos-bgp.txt',
      shape: 'Juniper ScreenOS template',
      id: 'vpn-44a8938f',
      tunnels: { '72.21.209.225': { psk: 'plain-text-password1', insideCidr: '169.254.255.0/30' }, '72.21.209.193': { psk: 'plain-text-password2', insideCidr: '169.254.255.4/30' } },
      bgp: { '72.21.209.225': { awsAsn: 7224, neighborIp: '169.254.255.1', holdTime: 30 }, '72.21.209.193': { awsAsn: 7224, neighborIp: '169.254.255.5', holdTime: 30 } },
    },
    {
      file: 'aws-doc-fortinet-bgp.txt',
      shape: 'Fortinet FortiGate template',
      id: 'vpn-44a8938f',
      tunnels: { '72.21.209.193': { psk: 'plain-text-password1', insideCidr: '169.254.255.0/30' }, '72.21.209.225': { psk: 'plain-text-password2', insideCidr: '169.254.255.4/30' } },
      bgp: { '72.21.209.193': { awsAsn: 7224, neighborIp: '169.254.255.1' }, '72.21.209.225': { awsAsn: 7224, neighborIp: '169.254.255.5' } },
    },
    {
      file: 'aws-doc-yamaha-bgp.txt',
      shape: 'Yamaha template',
      id: 'vpn-44a8938f',
      tunnels: { '72.21.209.225': { psk: 'plain-text-password1', insideCidr: '169.254.255.0/30' }, '72.21.209.193': { psk: 'plain-text-password2', insideCidr: '169.254.255.4/30' } },
      bgp: { '72.21.209.225': { awsAsn: 7224, neighborIp: '169.254.255.1', holdTime: 30 }, '72.21.209.193': { awsAsn: 7224, neighborIp: '169.254.255.5', holdTime: 30 } },
    },
  ]
  for (const c of cases) {
    it(`${c.file}: ${c.shape}, the tunnels' facts${c.bgp ? ' and BGP' : ''}`, () => {
      const imp = importAwsExportText(real(c.file))
      expect(imp.source).toMatchObject({ kind: 'text', shape: c.shape, vpnConnectionId: c.id })
      expect(byOutside(imp)).toEqual(c.tunnels)
      expect(imp.draft.gateway.publicIp).toBe(c.publicIp)
      const bgp = Object.fromEntries(Object.entries(bgpByOutside(imp)).map(([k, v]) => [k, Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined))]))
      expect(bgp).toEqual(c.bgp ?? {})
      // AWS's templates carry its compatibility minimum: never copied.
      expect(imp.draft.crypto).toMatchObject({ integrity: 'sha256', dhGroup: 14, pfsGroup: 14 })
      expect(imp.notes.join('\n')).toMatch(new RegExp(`Crypto: the ${c.shape.replace(/[()]/g, '\\$&')}'s proposals are not read`))
    })
  }

  it('the strongSwan template layout (IPSEC Tunnel #1, conn Tunnel1, ipsec.secrets): the same facts as the XML of that connection', () => {
    const imp = importAwsExportText(sample('strongswan-template.txt'))
    expect(imp.source.shape).toBe('strongSwan template')
    expect(byOutside(imp)).toEqual(byOutside(importAwsXml(sample('vpn-static.xml'))))
    expect(imp.draft.gateway.publicIp).toBe('198.51.100.7')
  })

  it('templates that lack a fact say which and what to feed instead', () => {
    const asa = userError(() => importAwsExportText(real('aws-doc-cisco-asa-static.txt')))
    expect(asa.message).toMatch(/Cisco ASA template has no "IPsec Tunnel #N" sections: it is one configuration for both tunnels \(policy-based\)/)
    expect(asa.fix).toMatch(/Generic configuration \(or the XML\)/)
    const pf = userError(() => importAwsExportText(real('aws-doc-pfsense-static.txt')))
    expect(pf.message).toMatch(/pfSense template, IPSec Tunnel #1: no AWS outside IP address \(the template has "AWS_ENPOINT_1" where the address belongs/)
    const palo = userError(() => importAwsExportText(real('aws-doc-paloalto-bgp.txt')))
    expect(palo.message).toMatch(/Palo Alto Networks template, IPSec Tunnel #1: the inside addresses 169\.254\.255\.5, 169\.254\.255\.2 do not lie in one \/30/)
    const os = userError(() => importAwsExportText(sample('openswan-template.txt')))
    expect(os.message).toMatch(/Openswan\/Libreswan template, IPSEC Tunnel #1: no tunnel inside address \(169\.254\.x\.x\).*policy-based/)
    for (const e of [asa, pf, palo, os]) expect(e.message + (e.fix ?? '')).not.toMatch(/plain-text-password|password_here|Qn7xV2/)
  })
})

describe('shapes: recognised from the content; a wrong one says what it is and what to feed instead', () => {
  it('every real export is recognised as what it is', () => {
    expect(detectAwsShape(real('cloudwanderer-bgp-vgw.xml'))).toBe('xml')
    expect(detectAwsShape(real('netbrain-vgw-2conn-describe.jsonc'))).toBe('json')
    expect(detectAwsShape(real('awscli-modify-vpn-tunnel-certificate-INVALID-json.txt'))).toBe('json')
    expect(detectAwsShape(real('vyatta-bgp-vgw-cloudneta.txt'))).toBe('text')
    expect(detectAwsShape(`# saved by a tool\n${sample('vpn-describe-tunnel-options.json')}`)).toBe('json')
  })

  it('XML fed as JSON and JSON fed as XML or text: named, with the option to use', () => {
    const json = sample('vpn-describe-tunnel-options.json')
    const asXml = userError(() => importAwsXml(json))
    expect(asXml.message).toBe('This file is JSON (AWS CLI output?), not the CustomerGatewayConfiguration XML.')
    expect(asXml.fix).toMatch(/--aws-json\).*--aws-export/)
    expect(userError(() => importAwsText(sample('vpn-static.xml'))).message).toMatch(/This file is XML, not a text download/)
    expect(userError(() => importAwsJson(real('generic-static-vgw-cloudneta.txt'))).message).toMatch(/neither XML nor JSON, not describe-vpn-connections JSON/)
  })

  it('other files AWS users have: a details file, Terraform state and HCL, CloudFormation (JSON and YAML), describe-vpn-gateways, an empty list', () => {
    const details = JSON.stringify({ format: 'tunnelwright/details@1', name: 'x' })
    const cases: Array<[string, string, RegExp]> = [
      [details, 'aws-json-details', /Tunnelwright details file/],
      [JSON.stringify({ version: 4, terraform_version: '1.7.0', lineage: 'x', resources: [] }), 'aws-json-terraform-state', /customer_gateway_configuration/],
      [JSON.stringify({ AWSTemplateFormatVersion: '2010-09-09', Resources: { Vpn: { Type: 'AWS::EC2::VPNConnection' } } }), 'aws-json-cloudformation', /describe-vpn-connections/],
      ['AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Vpn:\n    Type: AWS::EC2::VPNConnection\n', 'aws-export-cloudformation', /describe-vpn-connections/],
      ['resource "aws_vpn_connection" "main" {\n  type = "ipsec.1"\n}\n', 'aws-export-terraform', /customer_gateway_configuration/],
      [JSON.stringify({ VpnGateways: [{ VpnGatewayId: 'vgw-1' }] }), 'aws-json-vpn-gateways', /describe-vpn-connections --filters/],
      [JSON.stringify({ VpnConnections: [] }), 'aws-json-empty', /--region/],
      [JSON.stringify({ hello: 'world' }), 'aws-json-shape', /has none of "VpnConnections", "VpnConnection" or "VpnConnectionId" at the top \(it has "hello"\)/],
    ]
    for (const [text, code, fix] of cases) {
      const e = userError(() => importAwsExportText(text))
      expect(e.code, code).toBe(code)
      expect(`${e.message} ${e.fix ?? ''}`, code).toMatch(fix)
    }
  })
})

describe('BGP in lint', () => {
  it('a BGP import lints with a note that apply sets up the sessions in FRR (what it needs on the gateway); the same VPN as static has none', () => {
    const bgp = lintOf(importAwsXml(sample('vpn-bgp-tgw.xml')))
    const f = bgp.find((x) => x.id === 'bgp-frr')!
    expect(f).toMatchObject({ severity: 'info', path: '/bgp' })
    expect(f.message).toMatch(/^This VPN uses dynamic routing \(BGP\): apply sets up a BGP session in each tunnel \(AWS ASN 64512, neighbours 169\.254\.120\.9 and 169\.254\.121\.5\) in FRR/)
    expect(f.why).toMatch(/routes only what its BGP sessions announce/)
    expect(f.fix).toMatch(/apt-get install frr frr-pythontools/)
    expect(lintOf(importAwsXml(sample('vpn-static.xml'))).some((x) => x.id.startsWith('bgp-'))).toBe(false)
  })

  it('a BGP section that does not match the tunnels is named', () => {
    const imp = importAwsXml(sample('vpn-bgp-tgw.xml'))
    const filled = fillDraft(imp.draft, { privateCidrs: ['10.10.0.0/24'], dedicatedCidrs: ['10.200.0.0/16'] })
    const [p1, p2] = filled.bgp!.tunnels
    const details = toCompleteDetails({ ...filled, bgp: { tunnels: [{ ...p1!, neighborIp: '169.254.120.10' }, { ...p2!, outsideIp: '203.0.113.99' }] } })!
    const ids = lintDetails(details, { sources: NO_FILES }).map((x) => `${x.id} ${x.path}`)
    expect(ids).toEqual(expect.arrayContaining(['bgp-neighbor-not-aws-inside /bgp/tunnels/0/neighborIp', 'bgp-tunnel-unknown /bgp/tunnels/1/outsideIp']))
  })
})
