import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { toAlerts } from '../../main/core/status/alerts'
import { toSnapshot } from '../../main/core/status/model'
import { parseSwanctlListSas } from '../../main/core/status/swanctl-text'
import { parseSwanctlPretty, parseViciListSas } from '../../main/core/status/vici-sas'

const SS = join(__dirname, '../fixtures/status/strongswan-5.9.8')
const ss = (f: string) => readFileSync(join(SS, f), 'utf8')
const at = 1_700_000_000_000

describe('status model from captured SAs', () => {
  const first = toSnapshot(parseViciListSas(parseSwanctlPretty(ss('two-tunnels.list-sas.pretty.txt'))), { at, source: 'vici' })

  it('gives one tunnel per peer with state, SPIs, counters, NAT-T, SA counts and next rekey', () => {
    expect(first.tunnels.map((t) => [t.name, t.peer, t.up, t.childSaCount, t.ikeSaCount, t.natT])).toEqual([
      ['aws-tun1', '10.99.0.2', true, 1, 1, true],
      ['aws-tun2', '10.99.0.3', true, 1, 1, true],
    ])
    expect(first.tunnels[1]).toMatchObject({ spiIn: '805bb11c', bytesIn: 252, bytesOut: 252, nextRekeySec: 3421, ikeAgeSec: 4, lastChange: { at, cause: 'up' } })
    expect(first.tunnels[1]?.rates).toBeUndefined()
  })

  it('computes rates from deltas within one SA (5 pings between the captures)', () => {
    const later = toSnapshot(parseViciListSas(parseSwanctlPretty(ss('two-tunnels.later.list-sas.pretty.txt'))), { at: at + 2000, source: 'vici', previous: first })
    const t2 = later.tunnels.find((t) => t.name === 'aws-tun2')
    expect(t2?.bytesIn).toBe(672)
    expect(t2?.rates).toEqual({ bytesInPerSec: 210, bytesOutPerSec: 210, packetsInPerSec: 2.5, packetsOutPerSec: 2.5 })
    expect(later.tunnels.find((t) => t.name === 'aws-tun1')?.rates).toEqual({ bytesInPerSec: 0, bytesOutPerSec: 0, packetsInPerSec: 0, packetsOutPerSec: 0 })
  })

  it('resets the baseline after a rekey (new SPI, counters restart) instead of computing a negative rate', () => {
    const later = toSnapshot(parseViciListSas(parseSwanctlPretty(ss('two-tunnels.later.list-sas.pretty.txt'))), { at: at + 2000, source: 'vici', previous: first })
    const rekeyed = toSnapshot(parseSwanctlListSas(ss('after-rekey.list-sas.txt')), { at: at + 4000, source: 'swanctl', previous: later })
    const t2 = rekeyed.tunnels.find((t) => t.name === 'aws-tun2')
    expect(t2).toMatchObject({ childUniqueId: '3', spiIn: '930fdf59', bytesIn: 168, childSaCount: 1, lastChange: { at: at + 4000, cause: 'CHILD SA rekeyed' } })
    expect(t2?.rates).toBeUndefined()
  })

  it('lists an expected peer without SAs as down', () => {
    const s = toSnapshot([], { at, source: 'vici', expected: [{ peer: '10.99.0.2', name: 'aws-tun1' }] })
    expect(s.tunnels).toEqual([{ peer: '10.99.0.2', name: 'aws-tun1', up: false, bytesIn: 0, bytesOut: 0, packetsIn: 0, packetsOut: 0, natT: false, ikeSaCount: 0, childSaCount: 0 }])
  })
})

describe('alert transitions', () => {
  const sas = parseSwanctlListSas(ss('two-tunnels.list-sas.txt'))
  const exp = [
    { peer: '10.99.0.2', name: 'aws-tun1' },
    { peer: '10.99.0.3', name: 'aws-tun2' },
  ]
  const upSnap = toSnapshot(sas, { at, source: 'swanctl', expected: exp })

  it('fires tunnel-down and tunnel-up once per edge', () => {
    const down = toSnapshot(sas.filter((s) => s.name === 'aws-tun2'), { at: at + 1000, source: 'swanctl', expected: exp, previous: upSnap })
    expect(toAlerts(upSnap, down).map((a) => [a.kind, a.name])).toEqual([['tunnel-down', 'aws-tun1']])
    const still = toSnapshot(sas.filter((s) => s.name === 'aws-tun2'), { at: at + 2000, source: 'swanctl', expected: exp, previous: down })
    expect(toAlerts(down, still)).toEqual([])
    const back = toSnapshot(sas, { at: at + 3000, source: 'swanctl', expected: exp, previous: still })
    expect(toAlerts(still, back).map((a) => [a.kind, a.name])).toEqual([['tunnel-up', 'aws-tun1']])
  })

  it('fires one-way when outbound grows and inbound does not, and sa-count above one', () => {
    const text = ss('two-tunnels.list-sas.txt').replace('out 26028e5f,      0 bytes,     0 packets', 'out 26028e5f,    840 bytes,    10 packets,     1s ago')
    const next = toSnapshot(parseSwanctlListSas(text), { at: at + 5000, source: 'swanctl', expected: exp, previous: upSnap })
    expect(toAlerts(upSnap, next).map((a) => [a.kind, a.name, a.detail])).toEqual([['one-way', 'aws-tun1', 'outbound 168 B/s, inbound 0 B/s']])
    const doubled = toSnapshot(parseSwanctlListSas(ss('after-rekey.list-sas.txt').replace('REKEYED', 'INSTALLED')), { at: at + 6000, source: 'swanctl', expected: exp, previous: upSnap })
    expect(toAlerts(upSnap, doubled).map((a) => a.kind)).toEqual(['sa-count'])
  })

  it('policy-based on strongSwan (oneActive): a tunnel closed beside the active one stands by, with no tunnel-down alert', () => {
    const one = { source: 'swanctl' as const, expected: exp, oneActive: true }
    const both = toSnapshot(sas, { ...one, at })
    expect(both.tunnels.map((t) => t.standby)).toEqual([undefined, undefined])
    // keepup.sh closes tunnel 2 (it came up beside tunnel 1): standing by, not an outage.
    const held = toSnapshot(sas.filter((s) => s.name === 'aws-tun1'), { ...one, at: at + 1000, previous: both })
    expect(held.tunnels.map((t) => [t.name, t.up, t.standby])).toEqual([
      ['aws-tun1', true, undefined],
      ['aws-tun2', false, true],
    ])
    expect(held.tunnels[1]?.lastChange).toEqual({ at: at + 1000, cause: 'standing by (closed: the other tunnel is active)' })
    expect(toAlerts(both, held)).toEqual([])
    // The active one fails: no tunnel up, so nothing stands by and the outage alerts.
    const none = toSnapshot([], { ...one, at: at + 2000, previous: held })
    expect(none.tunnels.map((t) => t.standby)).toEqual([undefined, undefined])
    expect(toAlerts(held, none).map((a) => [a.kind, a.name])).toEqual([['tunnel-down', 'aws-tun1']])
    // Tunnel 2 takes over: it alerts up, and tunnel 1 now stands by.
    const over = toSnapshot(sas.filter((s) => s.name === 'aws-tun2'), { ...one, at: at + 3000, previous: none })
    expect(over.tunnels.map((t) => [t.name, t.up, t.standby])).toEqual([
      ['aws-tun1', false, true],
      ['aws-tun2', true, undefined],
    ])
    expect(over.tunnels[0]?.lastChange?.cause).toBe('standing by (the other tunnel took over)')
    expect(toAlerts(none, over).map((a) => [a.kind, a.name])).toEqual([['tunnel-up', 'aws-tun2']])
    // Without oneActive (route-based, Libreswan, pfSense) the same closed tunnel is down and alerts.
    const route = toSnapshot(sas.filter((s) => s.name === 'aws-tun1'), { source: 'swanctl', expected: exp, at: at + 1000, previous: both })
    expect(route.tunnels[1]?.standby).toBeUndefined()
    expect(toAlerts(both, route).map((a) => a.kind)).toEqual(['tunnel-down'])
  })
})
