// BGP session status from FRR's `show bgp summary json`, on outputs captured from a real bgpd 8.4.4 peering
// with an AWS-shaped bgpd (test/fixtures/frr/README.md), attached per tunnel to a status snapshot.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { UserError } from '../../main/core/base/result'
import { toSnapshot } from '../../main/core/status/model'
import { parseFrrBgpSummary, withBgpSessions } from '../../main/core/status/frr-bgp'

const FRR = join(__dirname, '../fixtures/frr')
const fixture = (f: string) => readFileSync(join(FRR, f), 'utf8')
const NEIGHBOURS = [
  { outsideIp: '203.0.113.21', neighborIp: '169.254.10.1' },
  { outsideIp: '203.0.113.22', neighborIp: '169.254.11.1' },
]

describe("FRR's BGP summary", () => {
  it('both sessions Established: state, uptime, prefixes received and sent, AWS ASN', () => {
    const s = parseFrrBgpSummary(fixture('bgp-summary-established.json'))
    expect([...s.keys()]).toEqual(['169.254.10.1', '169.254.11.1'])
    expect(s.get('169.254.10.1')).toEqual({ neighbor: '169.254.10.1', state: 'Established', established: true, uptimeSec: expect.any(Number), prefixesReceived: 1, prefixesSent: 1, remoteAs: 64512, drops: 0 })
    expect(s.get('169.254.10.1')!.uptimeSec).toBeGreaterThanOrEqual(10)
  })

  it('tunnel 1 dropped until the hold time expired: Idle, no uptime, nothing received; tunnel 2 still Established', () => {
    const s = parseFrrBgpSummary(fixture('bgp-summary-tunnel1-down.json'))
    const t1 = s.get('169.254.10.1')!
    expect(t1).toMatchObject({ state: 'Idle', established: false, prefixesReceived: 0, drops: 1 })
    expect(t1.uptimeSec).toBeUndefined()
    expect(s.get('169.254.11.1')).toMatchObject({ state: 'Established', established: true, prefixesReceived: 1 })
  })

  it('attached to the tunnels of a snapshot by outside IP; a neighbour FRR does not know is "not configured"', () => {
    const snap = toSnapshot([], { at: 1, source: 'vici', expected: NEIGHBOURS.map((n, i) => ({ peer: n.outsideIp, name: `t${i + 1}` })) })
    const withBgp = withBgpSessions(snap, parseFrrBgpSummary(fixture('bgp-summary-tunnel1-down.json')), NEIGHBOURS)
    expect(withBgp.tunnels.map((t) => [t.peer, t.bgp?.state])).toEqual([
      ['203.0.113.21', 'Idle'],
      ['203.0.113.22', 'Established'],
    ])
    const none = withBgpSessions(snap, parseFrrBgpSummary('{}'), NEIGHBOURS)
    expect(none.tunnels.map((t) => t.bgp)).toEqual([
      { neighbor: '169.254.10.1', state: 'not configured', established: false },
      { neighbor: '169.254.11.1', state: 'not configured', established: false },
    ])
  })

  it('what is not FRR\'s JSON is a UserError that quotes none of it; mangled values never come through as numbers', () => {
    for (const bad of ['bgpd is not running', '[]', 'null', '{"ipv4Unicast":{"peers":[]}}']) {
      let err: unknown
      try {
        parseFrrBgpSummary(bad)
      } catch (e) {
        err = e
      }
      expect(err, bad).toBeInstanceOf(UserError)
      expect((err as UserError).message).not.toContain(bad.length > 6 ? bad : '\u0000')
    }
    const doc = JSON.parse(fixture('bgp-summary-established.json')) as { ipv4Unicast: { peers: Record<string, Record<string, unknown>> } }
    fc.assert(
      fc.property(fc.constantFrom('state', 'pfxRcd', 'pfxSnt', 'peerUptimeMsec', 'remoteAs'), fc.jsonValue({ maxDepth: 1 }), (key, value) => {
        const copy = structuredClone(doc)
        copy.ipv4Unicast.peers['169.254.10.1']![key] = value
        const s = parseFrrBgpSummary(JSON.stringify(copy)).get('169.254.10.1')!
        for (const k of ['uptimeSec', 'downSec', 'prefixesReceived', 'prefixesSent', 'remoteAs'] as const) {
          const v = s[k]
          if (v !== undefined) expect(Number.isFinite(v) && v >= 0).toBe(true)
        }
        expect(s.state).toMatch(/^[A-Za-z ()/-]{1,40}$/)
      }),
      { numRuns: 200 },
    )
  })
})
