// The check of a BGP VPN: TCP 179 through the gateway's firewall on each tunnel interface, judged against rule
// sets captured from the real nft/iptables (test/fixtures/firewall), and the sessions as a real bgpd 8.4.4
// reported them (test/fixtures/frr): why a session is down, with the firewall's verdict when it explains it.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { toBgpCommands, toBgpFirewallFinding, toBgpSessionFindings, type BgpCheckSession } from '../../main/core/checks/bgp-check'
import { toGatewayFirewall } from '../../main/core/checks/firewall-check'
import type { CommandOutputs } from '../../main/core/gateway/commands'
import { toCheckCauses } from '../../main/core/workflow/check-causes'
import { loadScenario } from '../fixtures/firewall/load'

const SESSIONS: BgpCheckSession[] = [
  { tunnel: 1, iface: 'tw12000', local: '169.254.10.2', neighbor: '169.254.10.1' },
  { tunnel: 2, iface: 'tw12001', local: '169.254.11.2', neighbor: '169.254.11.1' },
]
const frr = (name: string): CommandOutputs => ({ 'bgp-summary': { stdout: readFileSync(`test/fixtures/frr/${name}.json`, 'utf8'), exitCode: 0 } })

describe('TCP 179 through the gateway firewall', () => {
  it('no rules: allowed both ways on each tunnel interface', () => {
    const fw = toGatewayFirewall(loadScenario('clean'))
    for (const s of SESSIONS) expect(toBgpFirewallFinding(fw, s)).toMatchObject({ id: `fw.bgp.${s.neighbor}`, severity: 'ok', verdict: 'allowed' })
  })

  it("only established/related pass (nft): AWS's NEW connection to port 179 is dropped by the input policy; the fix opens it on the tunnel interface", () => {
    const f = toBgpFirewallFinding(toGatewayFirewall(loadScenario('nft-ct-established')), SESSIONS[0]!)
    expect(f).toMatchObject({ severity: 'error', verdict: 'blocked' })
    expect(f.why).toMatch(/coming in by the drop policy of .*input/)
    expect(f.fix?.nft).toBe(`nft 'insert rule inet filter input iifname "tw12000" ip saddr 169.254.10.1 tcp dport 179 accept'`)
  })

  it('default-drop both ways with accepts for the AWS peers only: blocked in and out, one fix line per chain', () => {
    const f = toBgpFirewallFinding(toGatewayFirewall(loadScenario('nft-accepts')), SESSIONS[1]!)
    expect(f.verdict).toBe('blocked')
    expect(f.why).toMatch(/coming in .* and going out/)
    expect(f.fix?.nft?.split('\n')).toEqual([
      `nft 'insert rule inet filter input iifname "tw12001" ip saddr 169.254.11.1 tcp dport 179 accept'`,
      `nft 'insert rule inet filter output oifname "tw12001" ip daddr 169.254.11.1 tcp dport 179 accept'`,
    ])
  })
})

describe('the BGP sessions in the check', () => {
  it('reads FRR in the same batch only for a BGP VPN', () => {
    expect(toBgpCommands([])).toEqual([])
    expect(toBgpCommands(SESSIONS)).toEqual([{ id: 'bgp-summary', argv: ['vtysh', '-c', 'show bgp summary json'] }])
  })

  it('both Established with prefixes: ok, with uptime and counts as evidence', () => {
    const found = toBgpSessionFindings(frr('bgp-summary-established'), SESSIONS, [])
    expect(found.map((f) => [f.id, f.severity])).toEqual([
      ['daemon.bgp.169.254.10.1', 'ok'],
      ['daemon.bgp.169.254.11.1', 'ok'],
    ])
    expect(found[0]!.evidence[0]).toMatch(/^Established .*, 1 prefixes received, 1 advertised, AS 64512$/)
  })

  it("tunnel 1 down: an error; blamed on the gateway's firewall when it drops TCP 179 there (its fix), else on the tunnel and the ASNs", () => {
    const fw = toGatewayFirewall(loadScenario('nft-ct-established'))
    const blocked = SESSIONS.map((s) => toBgpFirewallFinding(fw, s))
    const [t1, t2] = toBgpSessionFindings(frr('bgp-summary-tunnel1-down'), SESSIONS, blocked)
    expect(t1).toMatchObject({ severity: 'error', verdict: 'problem' })
    expect(t1!.why).toMatch(/firewall drops TCP 179 on tw12000 \(fw\.bgp\.169\.254\.10\.1\)/)
    expect(t1!.fix).toEqual(blocked[0]!.fix)
    expect(t2!.severity).toBe('ok')
    const [open] = toBgpSessionFindings(frr('bgp-summary-tunnel1-down'), SESSIONS, [])
    expect(open!.why).toMatch(/gets no answer\. The tunnel is down, or the inside addresses or ASNs/)
  })

  it('FRR not answering, or not knowing the neighbour: said per tunnel, never a crash', () => {
    expect(toBgpSessionFindings({ 'bgp-summary': { stdout: '% bgpd is not running', exitCode: 1 } }, SESSIONS, [])[0]).toMatchObject({ severity: 'warning', verdict: 'unknown' })
    expect(toBgpSessionFindings({ 'bgp-summary': { stdout: '{}', exitCode: 0 } }, SESSIONS, [])[1]!.why).toMatch(/not loaded/)
  })
})

describe("the BGP sessions on pfSense (the FRR package's vtysh)", () => {
  const PF: BgpCheckSession[] = SESSIONS.map((s) => ({ ...s, iface: 'ipsec', device: 'pfsense' }))

  it("a session down names pfSense's rules and the exact pair; FRR not answering points at pfSense's own pages", () => {
    const [t1] = toBgpSessionFindings(frr('bgp-summary-tunnel1-down'), PF, [])
    expect(t1!.why).toMatch(/gets no answer\. The tunnel is down, or the inside addresses or ASNs/)
    expect(t1!.fix?.details).toMatch(/no rule \(Firewall → Rules → IPsec, or Floating\) blocks TCP 179 between 169\.254\.10\.2 and 169\.254\.10\.1/)
    const [unknown] = toBgpSessionFindings({ 'bgp-summary': { stdout: '', exitCode: 127 } }, PF, [])
    expect(unknown).toMatchObject({ verdict: 'unknown', evidence: ['vtysh exited 127'] })
    expect(unknown!.fix?.details).toMatch(/Status → Services .* Services → FRR/)
    expect(unknown!.fix?.details).not.toMatch(/systemctl/)
  })
})

describe('BGP in the causes view', () => {
  it("both tunnels' TCP 179 dropped by the gateway firewall, and the sessions it keeps down: one cause, fixable in one go", () => {
    const fw = toGatewayFirewall(loadScenario('nft-ct-established'))
    const host = SESSIONS.map((s) => toBgpFirewallFinding(fw, s))
    const down = toBgpSessionFindings({ 'bgp-summary': { stdout: '{"ipv4Unicast":{"peers":{"169.254.10.1":{"state":"Active","peerUptimeMsec":5000},"169.254.11.1":{"state":"Connect","peerUptimeMsec":5000}}}}', exitCode: 0 } }, SESSIONS, host)
    const causes = toCheckCauses([...host, ...down])
    expect(causes).toHaveLength(1)
    expect(causes[0]).toMatchObject({ topic: 'bgp', severity: 'error', fixable: true, peers: ['169.254.10.1', '169.254.11.1'] })
    expect(causes[0]!.fix?.nft?.split('\n')).toHaveLength(2)
  })
})
