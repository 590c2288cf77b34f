// BGP session status from FRR's `show bgp summary json`, on outputs captured from a real bgpd 8.4.4 peering
// with an AWS-shaped bgpd (test/fixtures/frr/README.md), attached per tunnel to a status snapshot.
import { spawnSync } from 'node:child_process'
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { toBgpText } from '../../main/cli/commands/status'
import { UserError } from '../../main/core/base/result'
import { Details } from '../../main/core/details/model'
import type { GatewayFacts } from '../../main/core/gateway/detect'
import type { GatewayShell } from '../../main/core/gateway/shell'
import { readStatus, toStatusCommands } from '../../main/core/status/read'
import { toSnapshot } from '../../main/core/status/model'
import { keepBgpSessions, parseFrrBgpSummary, withBgpSessions } from '../../main/core/status/frr-bgp'

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

  it('a sample without FRR (a charon event, read over VICI only) keeps each tunnel\'s last session; a fresh reading wins', () => {
    const snap = (at: number) => toSnapshot([], { at, source: 'vici', expected: NEIGHBOURS.map((n, i) => ({ peer: n.outsideIp, name: `t${i + 1}` })) })
    const read = withBgpSessions(snap(1), parseFrrBgpSummary(fixture('bgp-summary-tunnel1-down.json')), NEIGHBOURS)
    const kept = keepBgpSessions(snap(2), read)
    expect(kept.tunnels.map((t) => t.bgp?.state)).toEqual(['Idle', 'Established'])
    const fresh = withBgpSessions(snap(3), parseFrrBgpSummary(fixture('bgp-summary-established.json')), NEIGHBOURS)
    expect(keepBgpSessions(fresh, read).tunnels.map((t) => t.bgp?.state)).toEqual(['Established', 'Established'])
    expect(keepBgpSessions(snap(4), undefined).tunnels.map((t) => t.bgp)).toEqual([undefined, undefined])
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

// readStatus on a gateway whose programs are stand-ins printing captured real outputs (the swanctl listing of
// test/fixtures/status, vtysh the FRR capture above), run by a real local sh: the batch, its parsing and the
// pairing are the real code. The live bgpd is read in test/integration/lab-frr-bgp.test.ts.
describe('status of a BGP VPN', () => {
  const details = (bgp: boolean) =>
    Details.parse({
      format: 'tunnelwright/details@1',
      name: 'lab',
      provider: 'aws',
      routing: 'route',
      gateway: { publicIp: '10.99.0.1', privateCidrs: ['10.40.0.0/24'] },
      remote: { dedicatedCidrs: ['172.31.16.0/20'], tunnels: [{ outsideIp: '10.99.0.2', psk: 'k1k1k1k1k1', insideCidr: '169.254.10.0/30' }, { outsideIp: '10.99.0.3', psk: 'k2k2k2k2k2', insideCidr: '169.254.11.0/30' }] },
      ...(bgp ? { bgp: { tunnels: [{ outsideIp: '10.99.0.2', neighborIp: '169.254.10.1', awsAsn: 64512, customerAsn: 65000 }, { outsideIp: '10.99.0.3', neighborIp: '169.254.11.1', awsAsn: 64512, customerAsn: 65000 }] } } : {}),
    })
  const facts = { os: { id: 'debian', family: 'debian' }, stack: { kind: 'strongswan' }, frontEnds: { swanctl: true, starter: false }, layout: 'debian', routeBased: { xfrmInterface: true, vti: true }, addresses: ['10.99.0.1', '10.40.0.1'] } as unknown as GatewayFacts
  function gateway(vtysh: string): GatewayShell {
    const bin = mkdtempSync(join(tmpdir(), 'tw-bgp-bin-'))
    const stub = (name: string, body: string) => {
      writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`)
      chmodSync(join(bin, name), 0o755)
    }
    stub('swanctl', `cat ${JSON.stringify(join(__dirname, '../fixtures/status/strongswan-5.9.8/after-rekey.list-sas.pretty.txt'))}`)
    stub('vtysh', vtysh)
    for (const n of ['journalctl', 'tail', 'ping']) stub(n, 'exit 1')
    return {
      async runScript(script) {
        const r = spawnSync('sh', [], { input: script.replace(/^PATH=[^\n;]*/m, `PATH=${bin}:/usr/bin:/bin`), encoding: 'utf8', env: { PATH: `${bin}:/usr/bin:/bin` } })
        return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr }
      },
    }
  }

  it('asks FRR only for a BGP VPN', () => {
    expect(toStatusCommands(facts, details(true)).find((c) => c.id === 'bgp')?.argv).toEqual(['vtysh', '-c', 'show bgp summary json'])
    expect(toStatusCommands(facts, details(false)).find((c) => c.id === 'bgp')).toBeUndefined()
    // pfSense (FreeBSD) reads its FRR package's vtysh too; another FreeBSD box has no FRR path of ours.
    const pfsense = { ...facts, os: { ...facts.os, family: 'freebsd' }, stack: { kind: 'pfsense', version: '2.7.2', detail: 'pfSense 2.7.2-RELEASE' } } as GatewayFacts
    expect(toStatusCommands(pfsense, details(true)).find((c) => c.id === 'bgp')?.argv).toEqual(['vtysh', '-c', 'show bgp summary json'])
    const freebsd = { ...facts, os: { ...facts.os, family: 'freebsd' }, stack: { kind: 'strongswan', version: '5.9.14', detail: '' } } as GatewayFacts
    expect(toStatusCommands(freebsd, details(true)).find((c) => c.id === 'bgp')).toBeUndefined()
  })

  it('each tunnel carries its session: Idle on tunnel 1, Established with a prefix each way on tunnel 2', async () => {
    const r = await readStatus(gateway(`[ "$2" = "show bgp summary json" ] && exec /bin/cat ${JSON.stringify(join(FRR, 'bgp-summary-tunnel1-down.json'))}; exit 1`), details(true), facts)
    expect(r.snapshot.tunnels.map((t) => [t.peer, t.bgp?.state, t.bgp?.prefixesReceived, t.bgp?.prefixesSent])).toEqual([
      ['10.99.0.2', 'Idle', 0, 0],
      ['10.99.0.3', 'Established', 1, 1],
    ])
  })

  it('FRR not running, or printing something else, is said per tunnel and does not break the status', async () => {
    const down = await readStatus(gateway('echo "bgpd is not running" >&2; exit 1'), details(true), facts)
    expect(down.snapshot.tunnels.map((t) => t.bgp?.state)).toEqual(['FRR not answering', 'FRR not answering'])
    const junk = await readStatus(gateway('echo "% Unknown command"; exit 0'), details(true), facts)
    expect(junk.snapshot.tunnels.map((t) => t.bgp?.state)).toEqual(['unreadable', 'unreadable'])
    const staticVpn = await readStatus(gateway('exit 1'), details(false), facts)
    expect(staticVpn.snapshot.tunnels.map((t) => t.bgp)).toEqual([undefined, undefined])
  })
})

describe('status in words (CLI)', () => {
  it('says state, time and prefixes from the real captures', () => {
    const up = parseFrrBgpSummary(fixture('bgp-summary-established.json')).get('169.254.10.1')!
    expect(toBgpText(up)).toMatch(/^BGP Established \d+s, 1 in \/ 1 out$/)
    expect(toBgpText({ ...up, uptimeSec: 3725 })).toBe('BGP Established 1h02m, 1 in / 1 out')
    const down = parseFrrBgpSummary(fixture('bgp-summary-tunnel1-down.json')).get('169.254.10.1')!
    expect(toBgpText(down)).toBe('BGP Idle')
    expect(toBgpText({ ...down, downSec: 75 })).toBe('BGP Idle (down 1m15s)')
  })
})
