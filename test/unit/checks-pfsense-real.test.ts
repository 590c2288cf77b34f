// The pf parser and evaluator on REAL pfSense outputs published by others (pfctl cannot run on Linux, so
// these are the only captured ones; sources in test/fixtures/firewall/pfsense/real/README.md). None of
// them has pfSense's auto-added IPsec rules: no such capture could be found (see that README).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { checkFirewall } from '../../main/core/checks/firewall-check'
import type { FirewallCheckInput } from '../../main/core/checks/model'
import { evaluatePf, matchPfRule, parsePfRules, toPfPacket } from '../../main/core/checks/pf-rules'
import { parseIpv4 } from '../../main/core/net/cidr'

const DIR = join(__dirname, '../fixtures/firewall/pfsense/real')
const read = (f: string) => readFileSync(join(DIR, f), 'utf8')
const ip = (s: string) => parseIpv4(s)!
const FLOWS = ['udp500', 'udp4500', 'esp'] as const

describe('UNAM lab pfSense, full pfctl -sr (WAN em0 10.0.2.4, no IPsec configured)', () => {
  const rs = parsePfRules(read('pfctl-sr-unam-lab-2023.txt'))
  // The peer is 9.9.9.9, the Internet host this lab's pfSense itself pinged (named in the same README).
  const ctx = { peer: ip('9.9.9.9'), local: ip('10.0.2.4'), iface: 'em0', self: [ip('10.0.2.4'), ip('192.168.42.254'), ip('172.16.1.254')], ifaceAddrs: new Map<string, bigint>(), peerIsPublic: true }

  it('understands every rule line of a real pfSense ruleset', () => {
    expect(rs.unsupported).toEqual([])
    // 101 lines: 6 scrub and 4 anchor lines are skipped, the other 91 are pass/block rules.
    expect(rs.rules).toHaveLength(91)
    expect(rs.rules.some((r) => r.label?.includes('IPsec:'))).toBe(false)
    // `pass out route-to (em0 10.0.2.1) inet from 10.0.2.4 to ! 10.0.2.0/24 flags S/SA …`: the route-to group is skipped, the negated net kept.
    const out = rs.rules.find((r) => r.label === 'let out anything from firewall host itself')!
    expect(out).toMatchObject({ action: 'pass', direction: 'outbound', quick: false, from: { kind: 'range', text: '10.0.2.4' }, to: { kind: 'not', inner: { kind: 'range', text: '10.0.2.0/24' } } })
    // pfctl prints the DHCP client ports by name: bootps = 67, bootpc = 68.
    const dhcp = rs.rules.find((r) => r.label === 'allow dhcp client out WAN' && r.direction === 'inbound')!
    expect(dhcp).toMatchObject({ quick: true, ifaces: ['em0'], fromPort: { ranges: [[67, 67]] }, toPort: { ranges: [[68, 68]] } })
    const v6 = rs.rules.find((r) => r.label === 'allow dhcpv6 client in WAN' && r.af === undefined)!
    expect(v6).toMatchObject({ fromPort: { ranges: [[547, 547]] }, toPort: { ranges: [[546, 546]] } })
  })

  it('inbound IKE, NAT-T and ESP from a public peer fall to "Default deny rule IPv4"; nothing can flip that', () => {
    // An engineer reading it: no WAN pass rule for UDP 500/4500/ESP and no IPsec auto rules, so only the
    // non-quick `block drop in log inet all` matches. The quick DHCP pass rules on em0 need source port 67/547:
    // IKE's port 500 is neither, so they must not make the verdict uncertain (they did while bootps was unknown).
    for (const flow of FLOWS) {
      const d = evaluatePf(rs.rules, toPfPacket(flow, 'inbound', ctx))
      expect(d.verdict, flow).toBe('blocked')
      expect(d.rule?.label).toBe('Default deny rule IPv4')
      expect(d.rule?.quick).toBe(false)
      expect(d.uncertain).toEqual([])
    }
  })

  it('outbound from the firewall itself passes by its last matching rule, the WAN route-to "let out anything"', () => {
    // Last match wins among non-quick rules: default deny out → "let out anything IPv4…" → the route-to rule (src 10.0.2.4, dst not 10.0.2.0/24).
    for (const flow of FLOWS) {
      const d = evaluatePf(rs.rules, toPfPacket(flow, 'outbound', ctx))
      expect(d.verdict, flow).toBe('allowed')
      expect(d.rule?.label).toBe('let out anything from firewall host itself')
    }
  })

  it('the full check on this box (config.xml not readable) blames the default deny and names the WAN fix', () => {
    const input: FirewallCheckInput = { peers: ['9.9.9.9'], publicIp: '10.0.2.4', agencyCidrs: ['192.168.42.0/24'], dedicatedCidrs: ['10.40.0.0/24'], routing: 'policy', device: 'pfsense' }
    const f = checkFirewall(input, { 'pfctl-sr': { stdout: read('pfctl-sr-unam-lab-2023.txt'), exitCode: 0 }, 'rules-debug': { stdout: '', exitCode: 1 }, 'pfsense-config': undefined })
    const v = Object.fromEntries(f.filter((x) => /^fw\.(in|out)bound\./.test(x.id)).map((x) => [x.id, x.verdict]))
    expect(v).toEqual({
      'fw.inbound.udp500.9.9.9.9': 'blocked',
      'fw.inbound.udp4500.9.9.9.9': 'blocked',
      'fw.inbound.esp.9.9.9.9': 'blocked',
      'fw.outbound.udp500.9.9.9.9': 'allowed',
      'fw.outbound.udp4500.9.9.9.9': 'allowed',
      'fw.outbound.esp.9.9.9.9': 'allowed',
    })
    const ike = f.find((x) => x.id === 'fw.inbound.udp500.9.9.9.9')!
    expect(ike.severity).toBe('error')
    expect(ike.why).toContain('"Default deny rule IPv4" and no pass rule follows it')
    expect(ike.evidence.join('\n')).toContain('no auto-added "IPsec: … - inbound isakmp" rule for 9.9.9.9')
    expect(ike.fix?.pfsense).toContain('Firewall > Rules > WAN: add — Action Pass, Protocol UDP, Source 9.9.9.9')
    // The box has no rule on enc0 (the IPsec tab): anything the far side starts would be blocked.
    expect(f.find((x) => x.id === 'pfsense.ipsec-tab')!.verdict).toBe('problem')
  })
})

describe('pfSense 2.6.0-RELEASE, first rules of pfctl -sr ("Block all IPv6" box)', () => {
  const rs = parsePfRules(read('pfctl-sr-2.6.0-head.txt'))

  it('parses the head and keeps IPv6-only quick blocks off IPv4 IPsec packets', () => {
    expect(rs.unsupported).toEqual([])
    expect(rs.rules.map((r) => r.label)).toEqual(['pass IPv6 loopback', 'pass IPv6 loopback', 'Block all IPv6', 'Block all IPv6', 'Block IPv4 link-local'])
    const ctx = { peer: ip('3.214.25.10'), local: ip('198.51.100.10'), iface: 'igb3', self: [ip('198.51.100.10')], ifaceAddrs: new Map<string, bigint>(), peerIsPublic: true }
    // `block drop in log quick inet6 all` is quick and matches everything IPv6 — but never an IPv4 ESP packet.
    for (const r of rs.rules.filter((x) => x.label === 'Block all IPv6')) expect(matchPfRule(r, toPfPacket('esp', 'inbound', ctx))).toBe('no')
    // A peer in 169.254/16 is dropped by the quick link-local rule, whatever follows (the rest of the ruleset was not published).
    const ll = evaluatePf(rs.rules, toPfPacket('udp500', 'inbound', { ...ctx, peer: ip('169.254.7.7'), peerIsPublic: false }))
    expect(ll).toMatchObject({ verdict: 'blocked', rule: { label: 'Block IPv4 link-local', quick: true } })
  })
})

describe('pfSense 2.1-DEVELOPMENT, first rules of pfctl -s rules (labels, no ridentifier)', () => {
  it('reads the old default deny and applies it to both directions of the head', () => {
    const rs = parsePfRules(read('pfctl-s-rules-2.1-dev-head.txt'))
    expect(rs.unsupported).toEqual([])
    expect(rs.rules).toHaveLength(14)
    const ctx = { peer: ip('3.214.25.10'), local: ip('198.51.100.10'), iface: 'pppoe0', self: [ip('198.51.100.10')], ifaceAddrs: new Map<string, bigint>(), peerIsPublic: true }
    // Only the head was published: within it, IPv4 IPsec traffic meets nothing but the default deny (the
    // ipv6-icmp quick passes are inet6), so both directions are blocked by it. Not a verdict on the whole box.
    for (const direction of ['inbound', 'outbound'] as const) {
      const d = evaluatePf(rs.rules, toPfPacket('udp500', direction, ctx))
      expect(d).toMatchObject({ verdict: 'blocked', rule: { label: 'Default deny rule IPv4', quick: false }, uncertain: [] })
    }
  })
})

describe('pfSense pfBlockerNG rule as pfctl -vv -sr prints it', () => {
  const rs = parsePfRules(read('pfctl-vvsr-pfblocker-rule.txt'))

  it('reads the numbered rule, its counted table and first label, and skips the counter line', () => {
    expect(rs.unsupported).toEqual([])
    expect(rs.rules).toHaveLength(1)
    expect(rs.rules[0]).toMatchObject({ action: 'block', direction: 'inbound', quick: true, ifaces: ['igc1'], af: 'inet', from: { kind: 'any' }, to: { kind: 'table', name: 'pfB_PRI1_v4' }, label: 'USER_RULE: pfB_PRI1_v4' })
  })

  it('cannot decide packets it may cover (table contents unknown) and ignores the other interfaces', () => {
    const ctx = { peer: ip('3.214.25.10'), local: ip('198.51.100.10'), iface: 'igc1', self: [ip('198.51.100.10')], ifaceAddrs: new Map<string, bigint>(), peerIsPublic: true }
    // The destination is a pfBlockerNG feed table (17007 entries, not published): whether our address is in it is unknowable, so "unknown".
    const d = evaluatePf(rs.rules, toPfPacket('udp500', 'inbound', ctx))
    expect(d.verdict).toBe('unknown')
    expect(d.uncertain.map((u) => u.label)).toEqual(['USER_RULE: pfB_PRI1_v4'])
    // On another interface, or outbound, the `in on igc1` rule cannot match.
    expect(matchPfRule(rs.rules[0]!, toPfPacket('udp500', 'inbound', { ...ctx, iface: 'igc0' }))).toBe('no')
    expect(matchPfRule(rs.rules[0]!, toPfPacket('esp', 'outbound', ctx))).toBe('no')
  })
})
