// The probe's verdicts from traces captured off a real charon 5.9.8 (test/fixtures/path-probe/traces.json,
// written by probePaths against the lab: gateway behind NAT, aws node, internet-node drops).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { toDaemonFindings, type DaemonReading } from '../../main/core/checks/daemon-findings'
import type { Finding } from '../../main/core/checks/model'
import { toProbeConn, toProbeFindings, type ProbeTrace } from '../../main/core/checks/path-probe'
import { Details } from '../../main/core/details/model'
import { Secret } from '../../main/core/base/secret'
import type { StatusSnapshot, TunnelStatus } from '../../main/core/status/model'

const doc = JSON.parse(readFileSync(join(__dirname, '../fixtures/path-probe/traces.json'), 'utf8')) as { scenarios: Record<string, { publicIp: string; traces: ProbeTrace[] }> }
const ctx = { publicIp: '198.18.2.2', timeoutMs: 4500, hostFindings: [] as Finding[] }
const trace = (s: string, i = 0) => doc.scenarios[s]!.traces[i]!
const find = (fs: readonly Finding[], prefix: string) => fs.find((f) => f.id.startsWith(prefix))

describe('toProbeFindings on real charon traces', () => {
  it('clean behind NAT: 500 and 4500 answer, IKE completes, NAT named with the ID AWS accepted', () => {
    const fs = toProbeFindings(trace('clean-nat'), ctx)
    expect(find(fs, 'path.udp500.')?.verdict).toBe('allowed')
    expect(find(fs, 'path.udp4500.')?.verdict).toBe('allowed')
    expect(find(fs, 'path.ike.')?.verdict).toBe('ok')
    expect(find(fs, 'path.nat.')?.evidence.join('\n')).toContain('100.64.0.2[198.18.2.2]')
    expect(fs.filter((f) => f.severity === 'error')).toEqual([])
  })
  it('UDP 500 dropped upstream: blocked, the retransmit as evidence, the provider fix', () => {
    const f = find(toProbeFindings(trace('drop-udp500'), ctx), 'path.udp500.')
    expect(f?.verdict).toBe('blocked')
    expect(f?.evidence.join('\n')).toMatch(/sending retransmit 1 of request message ID 0/)
    expect(f?.fix?.upstream).toMatch(/allow UDP 500 and UDP 4500 and ESP/)
  })
  it('UDP 500 dropped, and the host firewall drops it too: the host fix is given', () => {
    const peer = trace('drop-udp500').peer
    const host: Finding = { id: `fw.inbound.udp500.${peer}`, severity: 'error', subject: { peer, flow: 'udp500', direction: 'inbound' }, verdict: 'blocked', evidence: [], why: '', fix: { nft: "nft 'insert rule inet f input ip saddr x udp dport 500 accept'" } }
    const f = find(toProbeFindings(trace('drop-udp500'), { ...ctx, hostFindings: [host] }), 'path.udp500.')
    expect(f?.fix?.nft).toBe(host.fix?.nft)
    expect(f?.why).toMatch(/own firewall/)
  })
  it('UDP 4500 dropped behind NAT: 500 allowed, 4500 blocked', () => {
    const fs = toProbeFindings(trace('drop-udp4500'), ctx)
    expect(find(fs, 'path.udp500.')?.verdict).toBe('allowed')
    expect(find(fs, 'path.udp4500.')?.verdict).toBe('blocked')
    expect(find(fs, 'path.udp4500.')?.severity).toBe('error')
  })
  it('a wrong PSK: named as a PSK mismatch, 4500 not blamed', () => {
    const fs = toProbeFindings(trace('wrong-psk'), ctx)
    expect(find(fs, 'path.ike.')?.subject.topic).toBe('psk-mismatch')
    expect(find(fs, 'path.ike.')?.fix?.details).toMatch(/PSK/)
    expect(find(fs, 'path.udp4500.')?.verdict).toBe('unknown')
    // The other tunnel had the right PSK.
    expect(find(toProbeFindings(trace('wrong-psk', 1), ctx), 'path.ike.')?.verdict).toBe('ok')
  })
  it('a proposal AWS does not accept: named as a proposal mismatch', () => {
    const fs = toProbeFindings(trace('proposal-mismatch'), ctx)
    expect(find(fs, 'path.ike.')?.subject.topic).toBe('proposal-mismatch')
    expect(find(fs, 'path.udp500.')?.verdict).toBe('allowed')
  })
})

describe('toProbeConn', () => {
  it('is IKE only (no children), with the tunnel identities and one proposal', () => {
    const c = toProbeConn({ peers: [{ peer: '198.18.1.10', psk: new Secret('x') }], localId: '198.18.2.2', ikeVersion: 1, ikeProposal: 'aes256-sha256-modp2048' }, '198.18.1.10')
    expect(c['children']).toBeUndefined()
    expect(c['local_addrs']).toBeUndefined()
    expect(c).toMatchObject({ version: '1', remote_addrs: ['198.18.1.10'], proposals: ['aes256-sha256-modp2048'], local: { id: '198.18.2.2' }, remote: { id: '198.18.1.10' } })
  })
})

describe('toDaemonFindings', () => {
  const details = Details.parse({ format: 'tunnelwright/details@1', name: 'Lab', provider: 'cloud.gov', gateway: { publicIp: '198.18.2.2', privateCidrs: ['192.168.50.0/24'], kind: 'strongswan' }, remote: { dedicatedCidrs: ['10.40.0.0/24'], egressIps: [], tunnels: [{ outsideIp: '198.18.1.10', psk: 'a'.repeat(32), insideCidr: '169.254.120.0/30' }, { outsideIp: '198.18.1.20', psk: 'b'.repeat(32), insideCidr: '169.254.121.4/30' }] }, crypto: { ikeVersion: 1, encryption: 'aes256', integrity: 'sha256', dhGroup: 14, pfsGroup: 14, ikeLifetime: 28800, ipsecLifetime: 3600, dpd: { delay: 10, timeout: 30 } }, routing: 'policy' })
  const tun = (peer: string, name: string, bytesIn: number, bytesOut: number): TunnelStatus => ({ peer, name, up: true, ikeState: 'ESTABLISHED', childState: 'INSTALLED', childUniqueId: '1', bytesIn, bytesOut, packetsIn: 0, packetsOut: 0, natT: true, ikeSaCount: 1, childSaCount: 1 })
  const reading = (t: TunnelStatus[]): DaemonReading => ({ snapshot: { at: 0, source: 'swanctl', tunnels: t } as StatusSnapshot, log: '', present: true })
  it('out on one tunnel and back on the other is normal for AWS: no alarm', () => {
    expect(toDaemonFindings(reading([tun('198.18.1.10', 'lab-t1', 168, 0), tun('198.18.1.20', 'lab-t2', 0, 168)]), details, ctx).filter((f) => f.severity === 'error')).toEqual([])
  })
  it('out grows and nothing comes back on either tunnel: ESP-in-UDP blocked inbound', () => {
    const fs = toDaemonFindings(reading([tun('198.18.1.10', 'lab-t1', 0, 0), tun('198.18.1.20', 'lab-t2', 0, 252)]), details, ctx)
    expect(fs.find((f) => f.id === 'daemon.inbound-zero.198.18.1.20')?.subject.flow).toBe('udp4500')
  })
  it('nothing before the first apply', () => {
    expect(toDaemonFindings({ ...reading([]), present: false }, details, ctx)).toEqual([])
  })
  it('a standby tunnel is ok with its own evidence, and the refusal that made the gateway fail over does not turn it red; a plain down one is red', () => {
    const standby: TunnelStatus = { peer: '198.18.1.20', name: 'lab-t2', up: false, standby: true, bytesIn: 0, bytesOut: 0, packetsIn: 0, packetsOut: 0, natT: false, ikeSaCount: 0, childSaCount: 0 }
    // AWS refused this tunnel during maintenance (measured in the lab: NO_PROPOSAL_CHOSEN), then the other took over.
    const log = 'Nov 25 20:51:15 14[IKE] <lab-t2|3> received NO_PROPOSAL_CHOSEN error notify'
    const fs = toDaemonFindings({ ...reading([tun('198.18.1.10', 'lab-t1', 168, 168), standby]), log }, details, ctx)
    expect(fs.filter((f) => f.subject.peer === '198.18.1.20').map((f) => [f.id, f.verdict, f.evidence[0]])).toEqual([['daemon.tunnel.198.18.1.20', 'ok', 'lab-t2: standing by (no SA), the other tunnel is active']])
    const down = toDaemonFindings({ ...reading([tun('198.18.1.10', 'lab-t1', 168, 168), { ...standby, standby: false }]), log }, details, ctx)
    expect(down.filter((f) => f.subject.peer === '198.18.1.20').map((f) => [f.id, f.severity])).toEqual([['daemon.proposal-mismatch.198.18.1.20', 'error']])
  })
})
