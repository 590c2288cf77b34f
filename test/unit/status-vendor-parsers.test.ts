// Vendor status parsers on real, published show-command outputs (sources: test/fixtures/status/vendors/README.md):
// each output is mapped into the same status model (toSnapshot) the Linux stacks use, and readVendorStatus
// gives the same diagnoses. "Down" and "half-up" cases are those the published outputs contain; the README
// says which vendors still lack one.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { toSnapshot } from '../../main/core/status/model'
import { isReadOnlyVendorLine, parseVendorStatus, readVendorStatus, toVendorFollowUpCommands, toVendorStatusCommands, type VendorStatusKind } from '../../main/core/status/vendor'
import { parseAsaIsakmpSa, parseAsaSessiondbL2l, parseCiscoIpsecSa, parseIkev2Sa, parseIosCryptoSession, parseIosInterfaceState, parseIosIsakmpSa } from '../../main/core/status/vendor/cisco'
import { parseFortiosTunnelSummary } from '../../main/core/status/vendor/fortigate'
import { parseJunosIkeSa, parseJunosInactiveTunnels, parseJunosIpsecSa, parseJunosIpsecStatistics, parseJunosSt0, toJunosSaIndexes } from '../../main/core/status/vendor/juniper'
import { parsePanosIkeSa, parsePanosIpsecSa } from '../../main/core/status/vendor/paloalto'

const DIR = join(__dirname, '../fixtures/status/vendors')
const fx = (kind: string, file: string) => readFileSync(join(DIR, kind, file), 'utf8')

/** The two tunnels the details name (outside IPs as the published output has them; inside CIDRs where known). */
function details(a: string, b: string, insideA = '169.254.255.0/30', insideB = '169.254.255.4/30') {
  return {
    name: 'agency',
    remote: { tunnels: [{ outsideIp: a, insideCidr: insideA }, { outsideIp: b, insideCidr: insideB }] },
  } as unknown as Parameters<typeof readVendorStatus>[1]
}

const read = (kind: VendorStatusKind, d: ReturnType<typeof details>, outputs: Record<string, string>) => readVendorStatus(kind, d, outputs, { at: 1_000 })

describe('Cisco ASA (AWS troubleshooting page; ntc-templates captures)', () => {
  it('AWS page: IKE MM_ACTIVE with its crypto-map IPsec SA is up, SPIs in the model form, lifetime from the SA timing', () => {
    const sas = parseVendorStatus('cisco-asa', { isakmp: fx('cisco-asa', 'aws-nag-show-crypto-isakmp-sa.txt'), ipsec: fx('cisco-asa', 'aws-nag-show-crypto-ipsec-sa.txt') })
    // The page writes placeholders (IKE Peer AWS_ENDPOINT_1; current_peer integ-ppe1 with remote crypto endpt.
    // AWS_ENDPOINT_1): the SA pair belongs to the endpoint it is built to, so one peer with its IPsec SA.
    expect(sas.map((s) => [s.remoteHost, s.state, s.children.length])).toEqual([['AWS_ENDPOINT_1', 'ESTABLISHED', 1]])
    expect(sas[0]!.children[0]).toMatchObject({ spiIn: '48b456a6', spiOut: '6d9f8d3b', packetsIn: 0, packetsOut: 0, expiresInSec: 3593 })
  })

  it('ikev1 sa detail (ASA 9.x table): every AM_Active peer is an established IKEv1 SA', () => {
    const peers = parseAsaIsakmpSa(fx('cisco-asa', 'ntc-show-crypto-ikev1-sa-detail.txt'))
    expect(peers.map((p) => [p.peer, p.ikeState, p.rawState])).toEqual([
      ['209.165.200.225', 'ESTABLISHED', 'AM_Active'],
      ['209.165.200.226', 'ESTABLISHED', 'AM_ACTIVE'],
      ['209.165.200.227', 'ESTABLISHED', 'AM_ACTIVE'],
      ['209.165.200.228', 'ESTABLISHED', 'AM_ACTIVE'],
    ])
  })

  it('ipsec sa with NAT-T and with an idle SA: counters, encapsulation and SPIs per peer', () => {
    const peers = parseCiscoIpsecSa(fx('cisco-asa', 'ntc-show-crypto-ipsec-sa.txt'))
    const colo = peers.find((p) => p.peer === '8.8.8.8')!
    expect(colo.natT).toBe(true)
    expect(colo.children[0]).toMatchObject({ spiIn: '32f752ff', spiOut: '50023ddc', packetsIn: 23606461, packetsOut: 13915315, encap: true, expiresInSec: 25461 })
    const idle = peers.find((p) => p.peer === 'REMOTE-PEER-8.8.4.4')!
    expect(idle.children[0]).toMatchObject({ spiIn: '6a7391e0', packetsIn: 0, packetsOut: 0, encap: false })
  })

  it('half-up (published): an installed SA pair that carries nothing next to a busy one — the idle tunnel is up with zero counters', () => {
    const d = details('8.8.8.8', 'REMOTE-PEER-8.8.4.4')
    const r = read('cisco-asa', d, { ipsec: fx('cisco-asa', 'ntc-show-crypto-ipsec-sa.txt') })
    const [busy, idle] = [r.snapshot.tunnels.find((t) => t.peer === '8.8.8.8')!, r.snapshot.tunnels.find((t) => t.peer === 'REMOTE-PEER-8.8.4.4')!]
    expect(busy).toMatchObject({ up: true, packetsIn: 23606461, natT: true })
    expect(idle).toMatchObject({ up: true, packetsIn: 0, packetsOut: 0 })
  })

  it('sessiondb detail l2l: IKEv2 over NAT-T, byte and packet counters per IPsec tunnel, the rekey time left', () => {
    const peers = parseAsaSessiondbL2l(fx('cisco-asa', 'ntc-show-vpn-sessiondb-detail-l2l4.txt'))
    expect(peers.map((p) => [p.peer, p.version, p.natT, p.children.length])).toEqual([
      ['169.254.107.100', 2, true, 1],
      ['169.254.107.101', 2, true, 2],
    ])
    expect(peers[0]!.children[0]).toMatchObject({ uniqueId: '26386.2', bytesOut: 1280775975169, bytesIn: 574642385274, packetsOut: 1906513623, packetsIn: 1363147628, expiresInSec: 27490 })
    // The second tunnel of 169.254.107.101 is installed but has carried nothing yet.
    expect(peers[1]!.children[1]).toMatchObject({ uniqueId: '27194.810', bytesIn: 0, bytesOut: 0 })
  })

  it('down (published): a peer the details name that no ASA output mentions is listed down and diagnosed as never initiated', () => {
    const d = details('169.254.107.100', '203.0.113.77')
    const r = read('cisco-asa', d, { sessiondb: fx('cisco-asa', 'ntc-show-vpn-sessiondb-detail-l2l4.txt') })
    expect(r.snapshot.tunnels.map((t) => [t.name, t.peer, t.up])).toEqual([['agency-t1', '169.254.107.100', true], ['agency-t2', '203.0.113.77', false]])
    expect(r.diagnoses.map((x) => [x.id, x.tunnel])).toContainEqual(['not-reinitiated', 'agency-t2'])
  })

  it('down (genieparser ASA capture): "There are no IKEv2 SAs" and nothing else: both tunnels down, each diagnosed as not re-initiated', () => {
    const r = read('cisco-asa', details('203.0.113.1', '203.0.113.2'), { ikev2: fx('cisco-asa', 'genieparser-show-crypto-ikev2-sa-none.txt') })
    expect(parseIkev2Sa(fx('cisco-asa', 'genieparser-show-crypto-ikev2-sa-none.txt'))).toEqual([])
    expect(r.snapshot.tunnels.map((t) => [t.peer, t.up])).toEqual([['203.0.113.1', false], ['203.0.113.2', false]])
    expect(r.diagnoses.map((x) => [x.id, x.tunnel])).toEqual([['not-reinitiated', 'agency-t1'], ['not-reinitiated', 'agency-t2']])
  })
})

describe('Cisco IOS (AWS troubleshooting page; ntc-templates captures)', () => {
  it('AWS page: both tunnels QM_IDLE with their VTI IPsec SAs are up, with counters, in the shared snapshot', () => {
    const d = details('205.251.233.121', '205.251.233.122')
    const r = read('cisco-ios', d, { isakmp: fx('cisco-ios', 'aws-nag-show-crypto-isakmp-sa.txt'), ipsec: fx('cisco-ios', 'aws-nag-show-crypto-ipsec-sa.txt') })
    expect(r.snapshot.source).toBe('vendor')
    expect(r.source).toBe('cisco-ios')
    expect(r.snapshot.tunnels.map((t) => [t.name, t.peer, t.up, t.ikeState])).toEqual([
      ['agency-t1', '205.251.233.121', true, 'ESTABLISHED'],
      ['agency-t2', '205.251.233.122', true, 'ESTABLISHED'],
    ])
    // The page's ipsec sa names current_peer 72.21.209.x while the crypto endpoint is 205.251.233.x: the
    // endpoint is the outside IP the tunnels are built to, so the SA counts for it.
    expect(r.snapshot.tunnels[0]).toMatchObject({ packetsIn: 146, packetsOut: 149, spiIn: '6adb173', spiOut: 'b8357c22' })
  })

  it('show interfaces TunnelN: admin and line protocol up, packet counters', () => {
    expect(parseIosInterfaceState(fx('cisco-ios', 'aws-nag-show-interfaces-tun1.txt'))).toEqual({ name: 'Tunnel1', up: true, lineUp: true, packetsIn: 407 })
  })

  it('down and up in one output (published): DOWN-NEGOTIATING tunnels are connecting with no SA, UP-ACTIVE carries traffic', () => {
    const peers = parseIosCryptoSession(fx('cisco-ios', 'ntc-show-crypto-session-detail.txt'))
    expect(peers.map((p) => [p.peer, p.ikeState, p.rawState, p.children.length])).toEqual([
      ['10.161.255.14', 'CONNECTING', 'DOWN-NEGOTIATING', 0],
      ['192.168.0.1', 'ESTABLISHED', 'UP-ACTIVE', 1],
      ['10.163.255.14', 'CONNECTING', 'DOWN-NEGOTIATING', 0],
    ])
    const d = details('192.168.0.1', '10.161.255.14')
    const r = read('cisco-ios', d, { session: fx('cisco-ios', 'ntc-show-crypto-session-detail.txt') })
    expect(r.snapshot.tunnels.map((t) => [t.peer, t.up, t.ikeState])).toEqual([['192.168.0.1', true, 'ESTABLISHED'], ['10.161.255.14', false, 'CONNECTING']])
    expect(r.snapshot.tunnels[0]).toMatchObject({ packetsIn: 15344097, packetsOut: 18074395, natT: true })
    expect(r.diagnoses.find((x) => x.id === 'ike-no-answer')).toMatchObject({ tunnel: 'agency-t2' })
  })

  it('IKEv2 session detail: version 2, NAT-T on 4500, counters', () => {
    const [p] = parseIosCryptoSession(fx('cisco-ios', 'ntc-show-crypto-session-detail-ikev2.txt'))
    expect(p).toMatchObject({ peer: '21.16.95.23', version: 2, natT: true, ikeState: 'ESTABLISHED' })
    expect(p!.children[0]).toMatchObject({ packetsIn: 4033155813, packetsOut: 1326659675 })
  })

  it('ipsec sa detail (IOS-XE, UDP-encapsulated): SPIs and counters', () => {
    const [p] = parseCiscoIpsecSa(fx('cisco-ios', 'ntc-show-crypto-ipsec-sa-detail.txt'))
    expect(p).toMatchObject({ peer: '2.2.2.2', natT: true })
    expect(p!.children[0]).toMatchObject({ spiIn: 'abcd1234', spiOut: '1234abcd', packetsIn: 4112421, packetsOut: 4981028 })
  })

  it('genieparser CSR capture (show crypto ipsec sa): a crypto-map peer with two selectors, one with an SA pair and traffic, one with none (outbound spi 0x0), and a VTI up', () => {
    const ipsec = fx('cisco-ios', 'genieparser-csr-show-crypto-ipsec-sa.txt')
    expect(parseCiscoIpsecSa(ipsec).map((p) => [p.peer, p.children.map((c) => [c.spiIn, c.spiOut, c.packetsIn, c.packetsOut, c.expiresInSec])])).toEqual([
      ['1.1.1.1', [['658f7c11', '397c36ee', 4, 4, 83191]]],
      ['1.1.1.1', []],
      ['2.2.2.1', [['a54d38a4', '2e8482f8', 0, 0, 3237]]],
    ])
    // Read per peer: the selector without an SA does not hide the one that has it. (The model keeps no
    // per-selector state, so the empty second selector is not reported: README, "left open".)
    const r = read('cisco-ios', details('1.1.1.1', '2.2.2.1'), { ipsec })
    expect(r.snapshot.tunnels.map((t) => [t.peer, t.up, t.childSaCount, t.packetsIn, t.packetsOut, t.spiIn])).toEqual([
      ['1.1.1.1', true, 1, 4, 4, '658f7c11'],
      ['2.2.2.1', true, 1, 0, 0, 'a54d38a4'],
    ])
  })

  it('genieparser capture (show crypto isakmp sa) on a hub: two peers QM_IDLE, one MM_NO_STATE marked (deleted)', () => {
    const peers = parseIosIsakmpSa(fx('cisco-ios', 'genieparser-show-crypto-isakmp-sa.txt'), ['100.13.220.2', '100.12.82.2'])
    expect(peers.map((p) => [p.peer, p.ikeState, p.rawState])).toEqual([
      ['100.13.220.2', 'ESTABLISHED', 'QM_IDLE'],
      ['100.12.82.2', 'DELETING', 'MM_NO_STATE'],
      ['100.11.106.2', 'ESTABLISHED', 'QM_IDLE'],
    ])
  })

  it('genieparser capture (show crypto ikev2 sa, IOS-XE): one IKEv2 SA READY to 66.66.66.2, fvrf/ivrf column and all', () => {
    expect(parseIkev2Sa(fx('cisco-ios', 'genieparser-show-crypto-ikev2-sa.txt')).map((p) => [p.peer, p.ikeState, p.rawState, p.version, p.natT])).toEqual([['66.66.66.2', 'ESTABLISHED', 'READY', 2, false]])
  })

  it('genieparser captures, one of two down: Tunnel13 UP-ACTIVE with 46/36933108 packets; Tunnel3111 listed twice (a DOWN session with six flows and no SA, a DOWN-NEGOTIATING one with IKE Inactive) reads as one peer still negotiating, diagnosed', () => {
    const down = fx('cisco-ios', 'genieparser-show-crypto-session-detail-down-six-flows.txt')
    const up = fx('cisco-ios', 'genieparser-show-crypto-session-detail-up-gre.txt')
    // The two sessions of 192.168.1.1 are one peer; the furthest state (DOWN-NEGOTIATING) is the one read.
    expect(parseIosCryptoSession(down).map((p) => [p.peer, p.ikeState, p.rawState, p.children.length])).toEqual([['192.168.1.1', 'CONNECTING', 'DOWN-NEGOTIATING', 0]])
    // Two captures, COMPOSED into one output (each is a real device's whole answer; no device printed both).
    const r = read('cisco-ios', details('11.0.1.1', '192.168.1.1'), { session: up + down })
    expect(r.snapshot.tunnels.map((t) => [t.peer, t.up, t.ikeState, t.packetsIn, t.packetsOut, t.deviceState])).toEqual([
      ['11.0.1.1', true, 'ESTABLISHED', 46, 36933108, 'UP-ACTIVE'],
      ['192.168.1.1', false, 'CONNECTING', 0, 0, 'DOWN-NEGOTIATING'],
    ])
    const stuck = r.diagnoses.find((x) => x.tunnel === 'agency-t2')
    expect(stuck).toMatchObject({ id: 'ike-no-answer', severity: 'error' })
    expect(stuck!.evidence).toEqual(['192.168.1.1: IKE state CONNECTING (cisco-ios says DOWN-NEGOTIATING)'])
    // Four active SAs in the GRE flow (and two IKE SAs): an overlap the shared diagnoses point out, not an error.
    expect(r.diagnoses.filter((x) => x.tunnel === 'agency-t1').map((x) => [x.id, x.severity === 'error'])).toEqual([['extra-sas', false]])
  })

  it('an IOS session that is only DOWN (genieparser\'s first Tunnel3111 section alone): down, and diagnosed as not re-initiated rather than left without a word', () => {
    const onlyDown = fx('cisco-ios', 'genieparser-show-crypto-session-detail-down-six-flows.txt').split('\nInterface: Tunnel3111\nProfile:')[0]!
    const r = read('cisco-ios', details('11.0.1.1', '192.168.1.1'), { session: onlyDown })
    expect(r.snapshot.tunnels.map((t) => [t.peer, t.up, t.ikeState, t.deviceState])).toEqual([['11.0.1.1', false, undefined, undefined], ['192.168.1.1', false, 'DOWN', 'DOWN']])
    expect(r.diagnoses.map((x) => [x.id, x.tunnel])).toEqual([['not-reinitiated', 'agency-t1'], ['not-reinitiated', 'agency-t2']])
  })

  it('genieparser capture, one peer with two IPsec flows (GRE with no SA, IP with four): the SAs of every flow count, so the tunnel is up with the IP flow\'s packets', () => {
    // The first flow's "Active SAs: 0" once made the whole peer read as IKE without IPsec.
    const [p] = parseIosCryptoSession(fx('cisco-ios', 'genieparser-show-crypto-session-detail-two-flows.txt'))
    expect(p).toMatchObject({ peer: '10.1.1.3', ikeState: 'ESTABLISHED', rawState: 'UP-ACTIVE', version: 1 })
    expect(p!.children.map((c) => [c.packetsIn, c.packetsOut])).toEqual([[4, 4], [0, 0]])
    const r = read('cisco-ios', details('10.1.1.3', '1.1.1.1'), { session: fx('cisco-ios', 'genieparser-show-crypto-session-detail-two-flows.txt') + fx('cisco-ios', 'genieparser-show-crypto-session-ikev2.txt') })
    expect(r.snapshot.tunnels.map((t) => [t.peer, t.up, t.ikeState, t.childSaCount, t.packetsIn, t.packetsOut])).toEqual([
      ['10.1.1.3', true, 'ESTABLISHED', 2, 4, 4],
      ['1.1.1.1', true, 'ESTABLISHED', 1, 0, 0],
    ])
    expect(r.diagnoses.filter((d) => d.severity === 'error')).toEqual([])
  })
})

describe('Juniper SRX (AWS troubleshooting page; Google Cloud community SRX guide)', () => {
  it('AWS page (older column order): both IKE SAs UP with their IPsec SA pair', () => {
    expect(parseJunosIkeSa(fx('juniper-srx', 'aws-nag-show-security-ike-sa.txt')).map((s) => [s.remoteHost, s.state, s.version])).toEqual([
      ['72.21.209.225', 'ESTABLISHED', 1],
      ['72.21.209.193', 'ESTABLISHED', 1],
    ])
    const ipsec = parseJunosIpsecSa(fx('juniper-srx', 'aws-nag-show-security-ipsec-sa.txt'))
    expect(ipsec.get('72.21.209.225')).toEqual([expect.objectContaining({ spiIn: 'df27aae4', spiOut: '5de29aa1', algorithms: 'ESP:aes-128/sha1', expiresInSec: 326, encap: false })])
  })

  it('AWS page: st0 packet counters land on the tunnel whose inside /30 the unit carries', () => {
    expect(parseJunosSt0(fx('juniper-srx', 'aws-nag-show-interfaces-st0.1.txt'))).toEqual({ unit: 'st0.1', destination: '169.254.255.0/30', local: '169.254.255.2', packetsIn: 8719, packetsOut: 41841 })
    const d = details('72.21.209.225', '72.21.209.193', '169.254.255.0/30', '169.254.255.4/30')
    const r = read('juniper-srx', d, { ike: fx('juniper-srx', 'aws-nag-show-security-ike-sa.txt'), ipsec: fx('juniper-srx', 'aws-nag-show-security-ipsec-sa.txt'), 'st0-101': fx('juniper-srx', 'aws-nag-show-interfaces-st0.1.txt') })
    expect(r.snapshot.tunnels.map((t) => [t.peer, t.up, t.packetsIn, t.packetsOut])).toEqual([
      ['72.21.209.225', true, 8719, 41841],
      ['72.21.209.193', true, 0, 0],
    ])
  })

  it('Google guide (newer column order, IKEv2, NAT-T on 4500): read the same', () => {
    const [ike] = parseJunosIkeSa(fx('juniper-srx', 'gcp-community-show-security-ike-sa.txt'))
    expect(ike).toMatchObject({ remoteHost: '35.187.170.191', state: 'ESTABLISHED', version: 2 })
    const ipsec = parseJunosIpsecSa(fx('juniper-srx', 'gcp-community-show-security-ipsec-sa.txt'))
    expect(ipsec.get('35.187.170.191')).toEqual([expect.objectContaining({ spiIn: '9beb1bf0', spiOut: '97791a28', encap: true, expiresInSec: 729 })])
  })

  it('one of two tunnels (published single-tunnel capture): the expected second peer is listed down and diagnosed', () => {
    const d = details('35.187.170.191', '35.230.59.183')
    const r = read('juniper-srx', d, { ike: fx('juniper-srx', 'gcp-community-show-security-ike-sa.txt'), ipsec: fx('juniper-srx', 'gcp-community-show-security-ipsec-sa.txt') })
    expect(r.snapshot.tunnels.map((t) => [t.peer, t.up, t.natT])).toEqual([['35.187.170.191', true, true], ['35.230.59.183', false, false]])
    expect(r.diagnoses.map((x) => x.id)).toContain('not-reinitiated')
  })

  it('Google guide, two tunnels: both up, each with its own SPIs', () => {
    const d = details('35.230.59.183', '35.233.197.145')
    const r = read('juniper-srx', d, { ike: fx('juniper-srx', 'gcp-community-ha-show-security-ike-sa.txt'), ipsec: fx('juniper-srx', 'gcp-community-ha-show-security-ipsec-sa.txt') })
    expect(r.snapshot.tunnels.map((t) => [t.peer, t.up, t.spiIn])).toEqual([['35.230.59.183', true, 'a2fde6d8'], ['35.233.197.145', true, '9b593cad']])
    expect(r.diagnoses).toEqual([])
  })

  it('vSRX 24.4 capture (bpfrx reference): two-space indented SA table, aes-gcm with no auth, IKEv1 and IKEv2 rows side by side', () => {
    expect(parseJunosIkeSa(fx('juniper-srx', 'bpfrx-vsrx-24.4-show-security-ike-sa.txt')).map((s) => [s.remoteHost, s.state, s.version])).toEqual([
      ['174.70.192.83', 'ESTABLISHED', 2],
      ['172.3.77.209', 'ESTABLISHED', 2],
      ['50.233.235.222', 'ESTABLISHED', 1],
    ])
    const ipsec = parseJunosIpsecSa(fx('juniper-srx', 'bpfrx-vsrx-24.4-show-security-ipsec-sa.txt'))
    expect([...ipsec.keys()]).toEqual(['50.233.235.222', '104.193.170.172'])
    expect(ipsec.get('50.233.235.222')).toEqual([expect.objectContaining({ uniqueId: '131073:94337ff7', spiIn: '94337ff7', spiOut: 'b941875f', algorithms: 'ESP:aes-gcm-128/None', expiresInSec: 1932 })])
  })

  it('vSRX 24.4 capture read together: IKE with its IPsec SA is up; an IKE row whose SA rows the published excerpt leaves out reads as phase 1 without phase 2', () => {
    // The page prints "Total active tunnels: 6" above four rows: an excerpt. So 174.70.192.83 has no SA rows
    // here because the author cut them, not because the device had none; the test holds what the parser makes
    // of the output as published (the half-up reading), not a claim about that device.
    const d = details('50.233.235.222', '174.70.192.83')
    const r = read('juniper-srx', d, { ike: fx('juniper-srx', 'bpfrx-vsrx-24.4-show-security-ike-sa.txt'), ipsec: fx('juniper-srx', 'bpfrx-vsrx-24.4-show-security-ipsec-sa.txt') })
    expect(r.snapshot.tunnels.map((t) => [t.peer, t.up, t.ikeState, t.childSaCount])).toEqual([['50.233.235.222', true, 'ESTABLISHED', 1], ['174.70.192.83', false, 'ESTABLISHED', 0]])
    expect(r.diagnoses.map((x) => [x.id, x.tunnel])).toEqual([['selector-mismatch', 'agency-t2']])
  })

  it('cSRX 23.3 (ARD92 blog): 0x-prefixed SPIs and a six-digit SA index read the same; the index drives the per-SA counter command', () => {
    const ipsecText = fx('juniper-srx', 'ard92-csrx-23.3-show-security-ipsec-sa.txt')
    expect(parseJunosIpsecSa(ipsecText).get('171.1.1.2')).toEqual([expect.objectContaining({ uniqueId: '500003:93be8146', spiIn: '93be8146', spiOut: '6c2491f7', expiresInSec: 4743 })])
    expect(toJunosSaIndexes(ipsecText)).toEqual(['500003'])
    expect(toVendorFollowUpCommands('juniper-srx', { ipsec: ipsecText })).toEqual([{ id: 'ipsec-stats-500003', line: 'show security ipsec statistics index 500003 | no-more' }])
    // The other kinds have no follow-up commands.
    expect(toVendorFollowUpCommands('paloalto', { ipsec: ipsecText })).toEqual([])
  })

  it('cSRX 23.3 (ARD92 blog): ESP counters of `show security ipsec statistics` become the tunnel\'s bytes and packets', () => {
    const stats = fx('juniper-srx', 'ard92-csrx-23.3-show-security-ipsec-statistics.txt')
    expect(parseJunosIpsecStatistics(stats)).toEqual({ bytesOut: 14689428, bytesIn: 7909692, packetsOut: 94163, packetsIn: 94163 })
    // The AH block (Input/Output bytes) is not mistaken for ESP, and an empty answer has no counters.
    expect(parseJunosIpsecStatistics('')).toBeUndefined()
    // STAND-IN, said so: the published output is the device-wide `show security ipsec statistics` of a cSRX with
    // one SA (index 500003); the per-index command prints the same ESP block for that one SA, and no published
    // per-index output was found. It is fed here as that SA's answer.
    const d = details('171.1.1.2', '203.0.113.9')
    const r = read('juniper-srx', d, { ike: fx('juniper-srx', 'ard92-csrx-23.3-show-security-ike-sa.txt'), ipsec: fx('juniper-srx', 'ard92-csrx-23.3-show-security-ipsec-sa.txt'), 'ipsec-stats-500003': stats })
    expect(r.snapshot.tunnels[0]).toMatchObject({ peer: '171.1.1.2', up: true, bytesOut: 14689428, bytesIn: 7909692, packetsOut: 94163, packetsIn: 94163, spiIn: '93be8146' })
    expect(r.snapshot.tunnels[1]).toMatchObject({ peer: '203.0.113.9', up: false })
    // Counters from the SA's statistics win over an st0 unit's packets; the unit is used only when they are missing.
    const both = read('juniper-srx', details('171.1.1.2', '203.0.113.9', '169.254.255.0/30'), { ike: fx('juniper-srx', 'ard92-csrx-23.3-show-security-ike-sa.txt'), ipsec: fx('juniper-srx', 'ard92-csrx-23.3-show-security-ipsec-sa.txt'), 'ipsec-stats-500003': stats, 'st0-101': fx('juniper-srx', 'aws-nag-show-interfaces-st0.1.txt') })
    expect(both.snapshot.tunnels[0]).toMatchObject({ packetsIn: 94163, bytesIn: 7909692 })
  })

  // IBM Cloud's vSRX page: a chassis cluster (each output under "node0:" and a rule, "{primary:node0}" after it),
  // the same tunnel first up, then down with the device's reason.
  const ibm = (f: string) => fx('juniper-srx', `ibm-cloud-docs-vsrx-cluster-show-security-${f}.txt`)

  it('IBM vSRX cluster, up: the node0 header and rule are not rows; the tunnel is up with its SPIs; nothing is inactive', () => {
    expect(parseJunosInactiveTunnels(ibm('ipsec-inactive-tunnels-none'))).toEqual([])
    const r = read('juniper-srx', details('128.168.104.229', '203.0.113.9'), { ike: ibm('ike-sa-up'), ipsec: ibm('ipsec-sa-up'), inactive: ibm('ipsec-inactive-tunnels-none') })
    expect(r.snapshot.tunnels.map((t) => [t.peer, t.up, t.ikeState, t.spiIn, t.spiOut])).toEqual([
      ['128.168.104.229', true, 'ESTABLISHED', 'ec78f80e', 'c674a8ac'],
      ['203.0.113.9', false, undefined, undefined, undefined],
    ])
    expect(r.diagnoses.map((x) => [x.id, x.tunnel])).toEqual([['not-reinitiated', 'agency-t2']])
  })

  it('IBM vSRX cluster, down (published): a DOWN IKE row with a zero responder cookie and the inactive-tunnel reason read as IKE never completing', () => {
    expect(parseJunosIkeSa(ibm('ike-sa-down'))).toEqual([expect.objectContaining({ remoteHost: '128.168.104.229', state: 'CONNECTING', deviceState: 'DOWN', version: 2 })])
    expect(parseJunosInactiveTunnels(ibm('ipsec-inactive-tunnels-down'))).toEqual([{ id: '131073', peer: '128.168.104.229', reason: 'No response from peer. Negotiation failed (130 times)' }])
    const r = read('juniper-srx', details('128.168.104.229', '203.0.113.9'), { ike: ibm('ike-sa-down'), inactive: ibm('ipsec-inactive-tunnels-down') })
    expect(r.snapshot.tunnels[0]).toMatchObject({ peer: '128.168.104.229', up: false, ikeState: 'CONNECTING', deviceState: 'DOWN: No response from peer. Negotiation failed (130 times)', childSaCount: 0 })
    const d = r.diagnoses.find((x) => x.tunnel === 'agency-t1')!
    expect(d.id).toBe('ike-no-answer')
    expect(d.evidence[0]).toContain('juniper-srx says DOWN: No response from peer')
  })

  it('IBM vSRX cluster: the inactive list alone (the IKE table no longer lists the peer) still reads as being negotiated, with the reason', () => {
    const r = read('juniper-srx', details('128.168.104.229', '203.0.113.9'), { inactive: ibm('ipsec-inactive-tunnels-down') })
    expect(r.snapshot.tunnels[0]).toMatchObject({ up: false, ikeState: 'CONNECTING', deviceState: 'inactive: No response from peer. Negotiation failed (130 times)' })
    expect(r.diagnoses.map((x) => [x.id, x.tunnel])).toContainEqual(['ike-no-answer', 'agency-t1'])
  })
})

describe('Palo Alto PAN-OS (VyOS documentation: the PA-VM side; Cloudflare\'s PAN-OS 9.1 guide)', () => {
  // The VyOS page heads the PA-VM outputs "Monitoring on Cisco side", but the prompt (admin@PA-VM>), the layout
  // and the page's own setup (PA 11.0.0) say PAN-OS: they are real PAN-OS outputs under a wrong heading.
  it('VyOS page, IKEv1: the phase-1 SA with its algorithm; phase-2 rows are not read as IKE SAs', () => {
    expect(parsePanosIkeSa(fx('paloalto', 'vyos-docs-show-vpn-ike-sa.txt'))).toEqual([
      expect.objectContaining({ name: 'VyOS', remoteHost: '10.0.1.2', state: 'ESTABLISHED', version: 1, algorithms: 'PSK/DH14/A128/SHA1' }),
    ])
  })

  it('VyOS page: SPIs lower-cased, remaining lifetime, the tunnel up and the second expected peer down in the shared snapshot', () => {
    expect(parsePanosIpsecSa(fx('paloalto', 'vyos-docs-show-vpn-ipsec-sa.txt')).get('10.0.1.2')).toEqual([
      expect.objectContaining({ name: 'VyOS-tunnel', spiIn: '8827a3d9', spiOut: 'c204f4fa', algorithms: 'ESP/A256/SHA256', expiresInSec: 2733 }),
    ])
    const d = details('10.0.1.2', '10.0.1.6')
    const r = read('paloalto', d, { ike: fx('paloalto', 'vyos-docs-show-vpn-ike-sa.txt'), ipsec: fx('paloalto', 'vyos-docs-show-vpn-ipsec-sa.txt') })
    expect(r.snapshot.tunnels.map((t) => [t.peer, t.up])).toEqual([['10.0.1.2', true], ['10.0.1.6', false]])
    expect(r.diagnoses.map((x) => [x.id, x.tunnel])).toContainEqual(['not-reinitiated', 'agency-t2'])
  })

  it('Cloudflare guide, IKEv2: the IKEv2 row with its state column ("Established"); the child-SA rows below it are not IKE SAs', () => {
    expect(parsePanosIkeSa(fx('paloalto', 'cloudflare-docs-show-vpn-ike-sa-gateway-ike01.txt'))).toEqual([
      expect.objectContaining({ name: 'CF_Magic_WAN_IKE_01', remoteHost: '162.159.66.164', state: 'ESTABLISHED', version: 2, deviceState: 'Established', algorithms: 'PSK/DH14/A256/SHA256' }),
    ])
    // The same table with its blank lines between header, rule and rows; no remain-time column is skipped.
    expect(parsePanosIpsecSa(fx('paloalto', 'cloudflare-docs-show-vpn-ipsec-sa-tunnel-ipsec02.txt')).get('172.64.242.164')).toEqual([
      expect.objectContaining({ name: 'CF_Magic_WAN_IPsec_02', spiIn: 'caea6f09', spiOut: 'ec6acc7a', expiresInSec: 3361 }),
    ])
  })

  // The guide prints each gateway and tunnel with its own command (`show vpn ike-sa gateway X`,
  // `show vpn ipsec-sa tunnel Y`); the app runs the unfiltered commands, which list the same rows one after the
  // other, so the tests join the published outputs in that order.
  const cf = (file: string) => fx('paloalto', `cloudflare-docs-show-vpn-${file}.txt`)

  it('Cloudflare guide, both tunnels: each up with its own SPIs and rekey time, no diagnosis', () => {
    const d = details('162.159.66.164', '172.64.242.164')
    const r = read('paloalto', d, { ike: cf('ike-sa-gateway-ike01') + cf('ike-sa-gateway-ike02'), ipsec: cf('ipsec-sa-tunnel-ipsec01') + cf('ipsec-sa-tunnel-ipsec02') })
    expect(r.snapshot.tunnels.map((t) => [t.name, t.peer, t.up, t.ikeState, t.spiIn, t.spiOut])).toEqual([
      ['agency-t1', '162.159.66.164', true, 'ESTABLISHED', 'b5d09ab8', '9fa69407'],
      ['agency-t2', '172.64.242.164', true, 'ESTABLISHED', 'caea6f09', 'ec6acc7a'],
    ])
    expect(r.diagnoses).toEqual([])
  })

  it('Cloudflare guide, one of two tunnels (only gateway 1 answered): tunnel 2 is down and diagnosed as never initiated', () => {
    const d = details('162.159.66.164', '172.64.242.164')
    const r = read('paloalto', d, { ike: cf('ike-sa-gateway-ike01'), ipsec: cf('ipsec-sa-tunnel-ipsec01') })
    expect(r.snapshot.tunnels.map((t) => [t.peer, t.up, t.ikeState ?? 'NONE'])).toEqual([['162.159.66.164', true, 'ESTABLISHED'], ['172.64.242.164', false, 'NONE']])
    expect(r.diagnoses.map((x) => [x.id, x.tunnel])).toEqual([['not-reinitiated', 'agency-t2']])
  })

  it('half-up, COMPOSED from the guide\'s real outputs (no published PAN-OS half-up was found): both IKE SAs, tunnel 2\'s IPsec SA only', () => {
    const d = details('162.159.66.164', '172.64.242.164')
    const r = read('paloalto', d, { ike: cf('ike-sa-gateway-ike01') + cf('ike-sa-gateway-ike02'), ipsec: cf('ipsec-sa-tunnel-ipsec02') })
    expect(r.snapshot.tunnels.map((t) => [t.peer, t.up, t.ikeState, t.childSaCount])).toEqual([['162.159.66.164', false, 'ESTABLISHED', 0], ['172.64.242.164', true, 'ESTABLISHED', 1]])
    const [diag] = r.diagnoses
    expect(diag).toMatchObject({ id: 'selector-mismatch', tunnel: 'agency-t1' })
    expect(diag!.evidence.join(' ')).toContain('paloalto says Established')
  })
})

describe('FortiGate FortiOS `get vpn ipsec tunnel summary` (Fortinet 7.4.3 Administration Guide; fortivpngen README; jtanderson2 SD-WAN lab)', () => {
  it('Fortinet guide: five overlays, T5 down (selectors 1/0) beside four up; tx errors do not make a tunnel down', () => {
    const sas = parseFortiosTunnelSummary(fx('fortigate', 'fortinet-docs-743-multiple-interface-monitoring-summary.txt'))
    expect(sas.map((s) => [s.name, s.remoteHost, s.state, s.children.length])).toEqual([
      ['T2', '172.16.203.2', 'ESTABLISHED', 1],
      ['T3', '172.16.206.2', 'ESTABLISHED', 1],
      ['T4', '172.16.209.2', 'ESTABLISHED', 1],
      ['T5', '172.16.210.2', 'DOWN', 0],
      ['T1', '172.16.208.2', 'ESTABLISHED', 1],
    ])
    expect(sas[0]!.children[0]).toMatchObject({ state: 'INSTALLED', packetsIn: 0, packetsOut: 0, encap: false })
  })

  it('Fortinet guide read with the details: the up overlay and the down one in the shared snapshot', () => {
    const d = details('172.16.208.2', '172.16.210.2')
    const r = read('fortigate', d, { summary: fx('fortigate', 'fortinet-docs-743-multiple-interface-monitoring-summary.txt') })
    expect(r.snapshot.tunnels.map((t) => [t.name, t.peer, t.up, t.ikeState, t.childSaCount, t.deviceState])).toEqual([
      ['agency-t1', '172.16.208.2', true, 'ESTABLISHED', 1, 'selectors(total,up): 1/1'],
      ['agency-t2', '172.16.210.2', false, 'DOWN', 0, 'selectors(total,up): 1/0'],
    ])
    // The down tunnel gets a diagnosis naming FortiOS's tunnel and what the summary said; the up one none.
    expect(r.diagnoses.map((x) => [x.id, x.tunnel])).toEqual([['not-reinitiated', 'agency-t2']])
    expect(r.diagnoses[0]!.evidence).toEqual(["172.16.210.2: 'T5' (fortigate says selectors(total,up): 1/0)"])
    expect(r.diagnoses[0]!.fix).toMatch(/auto-negotiate/)
  })

  it('fortivpngen README (a tool printing the summary it read): a tunnel with its selector down and one with no selector at all are both down', () => {
    const sas = parseFortiosTunnelSummary(fx('fortigate', 'fortivpngen-readme-summary.txt'))
    expect(sas.map((s) => [s.name, s.remoteHost, s.state, s.children.length])).toEqual([
      ['new_tunnel_2', '5.4.3.2', 'DOWN', 0],
      ['Datacenter', '185.141.110.220', 'DOWN', 0],
    ])
    const r = read('fortigate', details('185.141.110.220', '5.4.3.2'), { summary: fx('fortigate', 'fortivpngen-readme-summary.txt') })
    expect(r.snapshot.tunnels.map((t) => [t.peer, t.up])).toEqual([['185.141.110.220', false], ['5.4.3.2', false]])
    expect(r.diagnoses.map((x) => [x.id, x.tunnel, x.evidence[0]])).toEqual([
      ['not-reinitiated', 'agency-t1', "185.141.110.220: 'Datacenter' (fortigate says selectors(total,up): 0/0)"],
      ['not-reinitiated', 'agency-t2', "5.4.3.2: 'new_tunnel_2' (fortigate says selectors(total,up): 1/0)"],
    ])
  })

  const jta = (site: string) => fx('fortigate', `jtanderson2-sdwan-cli-74-${site}-summary.txt`)

  it('jtanderson2 SD-WAN lab (FortiOS 7.4, third source): the hub\'s four dial-up instances, all up, with their real packet counters', () => {
    const sas = parseFortiosTunnelSummary(jta('hub-fgt100'))
    expect(sas.map((s) => [s.name, s.remoteHost, s.state, s.natT, s.children[0]!.packetsIn, s.children[0]!.packetsOut])).toEqual([
      ['VPN1_0', '100.64.15.1', 'ESTABLISHED', false, 83904, 83904],
      ['VPN1_1', '100.64.13.1', 'ESTABLISHED', false, 83961, 83947],
      ['VPN2_0', '100.64.16.1', 'ESTABLISHED', false, 71951, 71951],
      ['VPN2_1', '100.64.14.1', 'ESTABLISHED', false, 71950, 71947],
    ])
  })

  it('jtanderson2 SD-WAN lab, spoke 1 read with its two hub tunnels as the details: both up with counters; thousands of tx errors do not make a tunnel down; the ADVPN shortcut is not one of ours', () => {
    const r = read('fortigate', details('100.64.11.1', '100.64.12.1'), { summary: jta('spoke1-fgt101') })
    expect(r.snapshot.tunnels.map((t) => [t.name, t.peer, t.up, t.childSaCount, t.packetsIn, t.packetsOut, t.deviceState])).toEqual([
      ['agency-t1', '100.64.11.1', true, 1, 84124, 84136, 'selectors(total,up): 1/1'],
      ['agency-t2', '100.64.12.1', true, 1, 72112, 72115, 'selectors(total,up): 1/1'],
    ])
    expect(r.diagnoses).toEqual([])
    // The shortcut to the other spoke (HUB1-VPN1_0, 100.64.15.1) is parsed but is no tunnel the details name.
    expect(parseFortiosTunnelSummary(jta('spoke1-fgt101')).map((s) => s.name)).toEqual(['HUB1-VPN1_0', 'HUB1-VPN1', 'HUB1-VPN2'])
  })

  it('jtanderson2 SD-WAN lab, spoke 2 as a FortiGate sends it over SSH (CR LF line ends): the same reading', () => {
    const crlf = jta('spoke2-fgt102').replace(/\n/g, '\r\n')
    const r = read('fortigate', details('100.64.11.1', '100.64.12.1'), { summary: crlf })
    expect(r.snapshot.tunnels.map((t) => [t.peer, t.up, t.packetsIn, t.packetsOut])).toEqual([['100.64.11.1', true, 84229, 84229], ['100.64.12.1', true, 72252, 72252]])
  })

  it('counters: rx/tx are packets of the first up selector (a line from the parser\'s format, not a capture: two selectors, which no published summary shows)', () => {
    // The jtanderson2 outputs above hold real non-zero counters, one selector per tunnel; this line holds the two-selector case.
    const [s] = parseFortiosTunnelSummary("'x' 192.0.2.1:4500  selectors(total,up): 2/2  rx(pkt,err): 111946/524  tx(pkt,err): 106513/0")
    expect(s).toMatchObject({ state: 'ESTABLISHED', natT: true })
    expect(s!.children.map((c) => [c.packetsIn, c.packetsOut, c.encap])).toEqual([[111946, 106513, true], [0, 0, true]])
  })
})

describe('the command catalog stays read-only', () => {
  it('every command of every kind is a show/get line', () => {
    for (const kind of ['cisco-asa', 'cisco-ios', 'paloalto', 'fortigate', 'juniper-srx'] as const) {
      for (const c of toVendorStatusCommands(kind)) expect(isReadOnlyVendorLine(c.line), c.line).toBe(true)
    }
    // The follow-ups too (Junos per-SA counters), for every index the published SA tables hold.
    for (const f of ['aws-nag-show-security-ipsec-sa.txt', 'gcp-community-ha-show-security-ipsec-sa.txt', 'bpfrx-vsrx-24.4-show-security-ipsec-sa.txt', 'ard92-csrx-23.3-show-security-ipsec-sa.txt']) {
      const lines = toVendorFollowUpCommands('juniper-srx', { ipsec: fx('juniper-srx', f) }).map((c) => c.line)
      expect(lines.length, f).toBeGreaterThan(0)
      for (const line of lines) expect(isReadOnlyVendorLine(line), line).toBe(true)
    }
  })

  it('a follow-up index is digits from the SA table only, at most eight of them', () => {
    const table = Array.from({ length: 12 }, (_, i) => `<${131073 + i} ESP:aes-cbc-256/sha256 a2fde6d8 2618/ unlim - root 500 35.230.59.183`).join('\n')
    expect(toVendorFollowUpCommands('juniper-srx', { ipsec: table })).toHaveLength(8)
    expect(toVendorFollowUpCommands('juniper-srx', { ipsec: '<131073;commit ESP:aes x 1/ unlim - root 500 35.230.59.183' })).toEqual([])
  })

  it('refuses lines that change something', () => {
    for (const line of ['clear crypto sa', 'show run | write', 'configure terminal', 'request restart system', 'execute reboot', 'set cli config-output-format set', 'show security ike sa ; commit']) {
      expect(isReadOnlyVendorLine(line), line).toBe(false)
    }
  })
})

describe('the shared model', () => {
  it('rates come from deltas within one SA across two vendor samples', () => {
    const sas = parseVendorStatus('cisco-asa', { sessiondb: fx('cisco-asa', 'ntc-show-vpn-sessiondb-detail-l2l4.txt') })
    const first = toSnapshot(sas, { at: 0, source: 'vendor' })
    const second = toSnapshot(sas, { at: 10_000, source: 'vendor', previous: first })
    expect(second.tunnels[0]!.rates).toEqual({ bytesInPerSec: 0, bytesOutPerSec: 0, packetsInPerSec: 0, packetsOutPerSec: 0 })
  })
})
