// The Libreswan status parser on REAL captured output (sources and cuts: test/fixtures/status/libreswan-real/README.md).
// This lab's pluto cannot install an IPsec SA, so these outputs come from a real AWS deployment and from
// libreswan's own test suite (whose sanitizer replaces SPIs with ESPSPIi, timers with XX, add_time with 1234567890).
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseLibreswanStatus, parseXfrmCounters, XFRM_COUNTERS_ARGV } from '../../main/core/status/libreswan'
import { toSnapshot } from '../../main/core/status/model'

const DIR = join(__dirname, '../fixtures/status/libreswan-real')
const real = (f: string) => readFileSync(join(DIR, f), 'utf8')

describe('Libreswan 4.12 `ipsec status` on an EC2 gateway to an AWS Site-to-Site VPN tunnel (real, unsanitized)', () => {
  const sas = parseLibreswanStatus(real('v4.12-aws-s2s-ikev2-natt.status.txt'))

  it('reads the one IKEv2 SA to the AWS outside IP, behind NAT', () => {
    // `#1: "vpc1-vpc2":4500 STATE_V2_ESTABLISHED_IKE_SA (established IKE SA); REKEY in 6811s; ...` and the conn
    // line `10.2.100.130[34.230.228.151]---10.2.100.1...15.157.18.43`: the EC2 private address talks to AWS
    // 15.157.18.43 on UDP 4500 (EC2 sits behind 1:1 NAT); the IKE SA rekeys in 6811 s (not REPLACE 7523 s).
    expect(sas).toHaveLength(1)
    expect(sas[0]).toMatchObject({
      name: 'vpc1-vpc2',
      uniqueId: '1',
      version: 2,
      state: 'ESTABLISHED',
      remoteHost: '15.157.18.43',
      localHost: '10.2.100.130',
      natT: true,
      rekeyInSec: 6811,
    })
  })

  it('reads the rekeyed IPsec SA #9 with SPIs, subnets, KiB counters and its REKEY time', () => {
    // `#9: ... STATE_V2_ESTABLISHED_CHILD_SA ...; LIVENESS in 5s; REKEY in 1375s; REPLACE in 2114s; ...; IKE SA #1`
    // `#9: "vpc1-vpc2" esp.ce558142@15.157.18.43 esp.d86be82c@10.2.100.130 ... Traffic: ESPin=29KB ESPout=55KB`:
    // the SA sent to AWS uses SPI ce558142 (outbound), AWS sends to us with d86be82c (inbound); whack rounds the
    // counters to KiB, so 29 KiB in and 55 KiB out; the conn line gives 10.2.0.0/16 (ours) === 10.88.0.0/16 (AWS side).
    expect(sas[0]?.children).toHaveLength(1)
    expect(sas[0]?.children[0]).toMatchObject({
      uniqueId: '9',
      state: 'INSTALLED',
      encap: true,
      spiOut: 'ce558142',
      spiIn: 'd86be82c',
      bytesIn: 29 * 1024,
      bytesOut: 55 * 1024,
      localTs: ['10.2.0.0/16'],
      remoteTs: ['10.88.0.0/16'],
      rekeyInSec: 1375,
    })
  })

  it('shows the tunnel as up, keyed by the AWS outside IP', () => {
    // What the status screen says: one tunnel to 15.157.18.43, IKE and IPsec SA both up, over NAT-T.
    const snap = toSnapshot(sas, { at: 0, source: 'libreswan', expected: [{ peer: '15.157.18.43', name: 'aws-tun1' }] })
    expect(snap.tunnels).toHaveLength(1)
    expect(snap.tunnels[0]).toMatchObject({ peer: '15.157.18.43', up: true, natT: true, childSaCount: 1, spiIn: 'd86be82c', nextRekeySec: 1375 })
  })
})

describe('Libreswan 4.12 IKEv1 net-to-net (real, libreswan test suite, sanitized)', () => {
  const status = real('v4.12-ikev1-net-to-net.auto-status.txt')
  const traffic = real('v4.12-ikev1-net-to-net.trafficstatus.txt')

  it('joins the Main Mode SA #1 and Quick Mode SA #2 of "northnet-westnet-ipv4-psk"', () => {
    // `000 #1: ...:500 STATE_MAIN_I4 (IKE SA established)` and `000 #2: ...:500 STATE_QUICK_I2 (IPsec SA
    // established); ...; ISAKMP SA #1`: IKEv1 on port 500 (no NAT), 192.1.3.33 → 192.1.2.23,
    // 192.0.3.0/24 === 192.0.1.0/24. Timers are sanitized to `XXs`, so no rekey time can be read.
    const sas = parseLibreswanStatus(status)
    expect(sas).toHaveLength(1)
    expect(sas[0]).toMatchObject({ name: 'northnet-westnet-ipv4-psk', uniqueId: '1', version: 1, state: 'ESTABLISHED', remoteHost: '192.1.2.23', localHost: '192.1.3.33', natT: false })
    expect(sas[0]?.rekeyInSec).toBeUndefined()
    expect(sas[0]?.children[0]).toMatchObject({ uniqueId: '2', state: 'INSTALLED', encap: false, bytesIn: 0, bytesOut: 0, localTs: ['192.0.3.0/24'], remoteTs: ['192.0.1.0/24'] })
    // The sanitizer wrote `esp.ESPSPIi@...`: not hex, so no SPI is invented from it.
    expect(sas[0]?.children[0]).toMatchObject({ spiIn: '', spiOut: '' })
  })

  it('takes exact byte counters and SA age from `ipsec whack --trafficstatus`', () => {
    // `006 #2: "northnet-westnet-ipv4-psk", type=ESP, add_time=1234567890, inBytes=336, outBytes=336, ...`:
    // 336 bytes each way (4 pings of 84 bytes) although `ipsec status` (taken earlier) still said ESPin=0B.
    const sas = parseLibreswanStatus(status, traffic, 1_234_567_990)
    expect(sas[0]?.children[0]).toMatchObject({ uniqueId: '2', bytesIn: 336, bytesOut: 336, installedSec: 100 })
  })
})

describe('Libreswan 5.3.2 IKEv2 net-to-net (real, libreswan test suite, sanitized)', () => {
  const status = real('v5.3.2-ikev2-net-to-net.auto-status.txt')

  it('reads 5.x state names without STATE_ prefix and without 000 codes', () => {
    // `#1: "westnet-eastnet-ipv4-psk-ikev2":500 ESTABLISHED_IKE_SA (established IKE SA); REKEY in XXs; ...` and
    // `#2: ...:500 ESTABLISHED_CHILD_SA (established Child SA); ...; IKE SA #1; idle;`: one IKEv2 SA with its
    // Child SA #2; before the fix the parser skipped these lines and showed the Child SA under a DELETED IKE SA.
    const sas = parseLibreswanStatus(status)
    expect(sas).toHaveLength(1)
    expect(sas[0]).toMatchObject({ name: 'westnet-eastnet-ipv4-psk-ikev2', uniqueId: '1', version: 2, state: 'ESTABLISHED', remoteHost: '192.1.2.23', localHost: '192.1.2.45', natT: false })
    // `Traffic: ESPin=84B ESPout=84B`: one 84-byte ping each way.
    expect(sas[0]?.children[0]).toMatchObject({ uniqueId: '2', state: 'INSTALLED', bytesIn: 84, bytesOut: 84, localTs: ['192.0.1.0/24'], remoteTs: ['192.0.2.0/24'] })
  })

  it('matches the 5.x trafficstatus line (no 006 code) to the same Child SA', () => {
    // `#2: "westnet-eastnet-ipv4-psk-ikev2", type=ESP, add_time=1234567890, inBytes=84, outBytes=84, ...`
    const sas = parseLibreswanStatus(status, real('v5.3.2-ikev2-net-to-net.trafficstatus.txt'), 1_234_567_900)
    expect(sas).toHaveLength(1)
    expect(sas[0]?.children).toHaveLength(1)
    expect(sas[0]?.children[0]).toMatchObject({ uniqueId: '2', bytesIn: 84, bytesOut: 84, installedSec: 10 })
  })
})

describe('Libreswan 5.x trafficstatus with `type=ESP(nic-offload=unknown)` (real, libreswan issue #1652)', () => {
  it('still reads the SA and its counters', () => {
    // `#300: "bar-foo-v4", type=ESP(nic-offload=unknown), add_time=1710520563, inBytes=20585, outBytes=35953, ...`:
    // IPsec SA #300 of "bar-foo-v4", 20585 bytes in, 35953 out; before the fix the line was dropped.
    const sas = parseLibreswanStatus('', real('v5-issue1652-nic-offload.trafficstatus.txt'), 1_710_520_663)
    const child = sas.flatMap((s) => s.children)
    expect(child).toHaveLength(1)
    expect(child[0]).toMatchObject({ name: 'bar-foo-v4', uniqueId: '300', protocol: 'ESP', state: 'INSTALLED', bytesIn: 20585, bytesOut: 35953, installedSec: 100 })
  })
})

describe('Libreswan 4.10 policy-based on a real kernel after a failover: tunnel 2 active, tunnel 1 standing by (real, the lab VM)', () => {
  // Captured on the lab's Libreswan VM gateway (Debian 12, kernel 6.1, kernel ESP) after AWS deleted and
  // refused tunnel 1 and keepup.sh brought tunnel 2 up; then 4 pings from the LAN host.
  const status = real('v4.10-vm-policy-standby.status.txt')
  const traffic = real('v4.10-vm-policy-standby.trafficstatus.txt')
  const xfrm = real('v4.10-vm-policy-standby.xfrm-counters.txt')

  it('reads the one IKE SA (#50 to 198.18.1.20) with its IPsec SA #51, and nothing for the unrouted tunnel 1', () => {
    // `000 #50: "lab-t2":500 STATE_MAIN_I4 (IKE SA established)`, `000 #51: "lab-t2":500 STATE_QUICK_I2 (IPsec SA
    // established); ...; ISAKMP SA #50` and `000 #51: "lab-t2" esp.ce572041@198.18.1.20 esp.c0659607@198.18.2.2 ...`.
    const sas = parseLibreswanStatus(status, traffic, undefined, xfrm)
    expect(sas).toHaveLength(1)
    expect(sas[0]).toMatchObject({ name: 'lab-t2', uniqueId: '50', version: 1, state: 'ESTABLISHED', remoteHost: '198.18.1.20', localHost: '198.18.2.2', natT: false })
    expect(sas[0]?.children).toHaveLength(1)
    expect(sas[0]?.children[0]).toMatchObject({ uniqueId: '51', state: 'INSTALLED', spiOut: 'ce572041', spiIn: 'c0659607', localTs: ['192.168.50.0/24'], remoteTs: ['10.40.0.0/24'] })
  })

  it("takes packets (and exact bytes) from the kernel's SAs: whack counts bytes only", () => {
    // trafficstatus says inBytes=1596, outBytes=1596 and `ipsec status` rounds to ESPin=1KB; the kernel's SAs
    // (`ip -s xfrm state`, key lines filtered out on the gateway) say 1596(bytes), 19(packets) each way.
    expect(parseLibreswanStatus(status, traffic)[0]?.children[0]).toMatchObject({ bytesIn: 1596, bytesOut: 1596, packetsIn: 0, packetsOut: 0 })
    expect(parseLibreswanStatus(status, traffic, undefined, xfrm)[0]?.children[0]).toMatchObject({ bytesIn: 1596, bytesOut: 1596, packetsIn: 19, packetsOut: 19 })
    expect(parseXfrmCounters(xfrm).get(0xc0659607)).toEqual({ src: '198.18.1.20', dst: '198.18.2.2', bytes: 1596, packets: 19 })
  })

  it('shows tunnel 2 up and tunnel 1 standing by when the gateway holds one tunnel (policy-based Libreswan)', () => {
    const snap = toSnapshot(parseLibreswanStatus(status, traffic, undefined, xfrm), {
      at: 0,
      source: 'libreswan',
      oneActive: true,
      expected: [
        { peer: '198.18.1.10', name: 'lab-t1' },
        { peer: '198.18.1.20', name: 'lab-t2' },
      ],
    })
    expect(snap.tunnels.map((t) => [t.peer, t.up, t.standby ?? false, t.packetsIn])).toEqual([
      ['198.18.1.10', false, true, 0],
      ['198.18.1.20', true, false, 19],
    ])
  })
})

describe('the kernel counter command keeps the keys on the gateway', () => {
  it('passes only addresses, SPIs and counters through (an `ip -s xfrm state` block with its key lines)', () => {
    // One real block from the lab VM (keys replaced by KEY here; the filter must drop those lines whatever they hold).
    const block = [
      'src 198.18.1.20 dst 198.18.2.2',
      '\tproto esp spi 0xc0659607(3227883015) reqid 16481(0x00004061) mode tunnel',
      '\treplay-window 0 seq 0x00000000 flag af-unspec (0x00100000)',
      '\tauth-trunc hmac(sha256) 0xKEY (256 bits) 128',
      '\tenc cbc(aes) 0xKEY (256 bits)',
      '\tlifetime config:',
      '\t  limit: soft 2498851983744003530(bytes), hard 9223372036854775808(bytes)',
      '\t  limit: soft 2512829247764433070(packets), hard 9223372036854775808(packets)',
      '\tlifetime current:',
      '\t  1008(bytes), 12(packets)',
      '\t  add 2026-12-04 23:21:12 use 2026-12-04 23:21:19',
      '',
    ].join('\n')
    const script = XFRM_COUNTERS_ARGV[2]!
    const grep = /grep -E '([^']+)'/.exec(script)![1]!
    const r = spawnSync('grep', ['-E', grep], { input: block, encoding: 'utf8' })
    expect(r.stdout).toBe(['src 198.18.1.20 dst 198.18.2.2', '\tproto esp spi 0xc0659607(3227883015) reqid 16481(0x00004061) mode tunnel', '\t  1008(bytes), 12(packets)', ''].join('\n'))
    expect(script.startsWith('ip -s xfrm state 2>/dev/null | grep -E ')).toBe(true)
  })
})
