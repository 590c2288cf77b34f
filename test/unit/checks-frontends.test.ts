// The firewall check on gateways run by ufw or firewalld: real captures of the check's own command batch
// (capture-frontends.sh: ufw 0.36 and firewalld 1.3 in throwaway namespaces), judged through the rules they generate.
import { describe, expect, it } from 'vitest'
import { checkFirewall, parseActiveZones, toGatewayFirewall } from '../../main/core/checks/firewall-check'
import type { Finding } from '../../main/core/checks/model'
import { INPUT, loadBatch } from '../fixtures/firewall/load'

const P1 = '203.0.113.10'
const P2 = '203.0.113.20'
const run = (scenario: string) => checkFirewall(INPUT, loadBatch(scenario))
const byId = (fs: readonly Finding[], id: string) => {
  const f = fs.find((x) => x.id === id)
  if (f === undefined) throw new Error(`no finding ${id}`)
  return f
}
/** peer → "flow/direction" → verdict, for the 12 flow findings. */
const verdicts = (fs: readonly Finding[]) => Object.fromEntries(fs.filter((f) => f.subject.flow !== undefined).map((f) => [f.id, f.verdict]))
const expectFlows = (fs: readonly Finding[], want: Readonly<Record<string, 'allowed' | 'blocked'>>) => {
  const got = verdicts(fs)
  expect(Object.keys(got)).toHaveLength(12)
  for (const [id, v] of Object.entries(want)) expect(got[id], id).toBe(v)
}
const all = (peer: string, dir: 'inbound' | 'outbound', v: 'allowed' | 'blocked') => Object.fromEntries(['udp500', 'udp4500', 'esp'].map((f) => [`fw.${dir}.${f}.${peer}`, v]))

describe('ufw (rules from iptables-nft-save of the ufw-* chains)', () => {
  it('detects ufw from `ufw status verbose` and its chains; firewall-cmd absent is not firewalld', () => {
    const fw = toGatewayFirewall(loadBatch('ufw-ssh'))
    expect(fw).toMatchObject({ ufw: true, firewalld: false, ufwHasUserRules: true })
    expect(fw.sources.some((s) => s.startsWith('iptables-nft'))).toBe(true)
    expect(byId(run('ufw-ssh'), 'fw.sources').evidence).toContain('ufw is active')
  })

  it('ufw enabled with only ssh: every inbound flow blocked by its default deny, outbound allowed', () => {
    const fs = run('ufw-ssh')
    expectFlows(fs, { ...all(P1, 'inbound', 'blocked'), ...all(P2, 'inbound', 'blocked'), ...all(P1, 'outbound', 'allowed'), ...all(P2, 'outbound', 'allowed') })
    const ike = byId(fs, `fw.inbound.udp500.${P1}`)
    expect(ike.severity).toBe('error')
    expect(ike.why).toContain('ufw-skip-to-policy-input')
    // a user rule (22/tcp) exists, so the allow goes in front of every ufw rule
    expect(ike.fix?.ufw).toBe(`ufw insert 1 allow in proto udp from ${P1} to any port 500`)
    expect(byId(fs, `fw.inbound.esp.${P2}`).fix?.ufw).toBe(`ufw insert 1 allow in proto esp from ${P2} to any`)
    expect(byId(fs, `fw.inbound.udp500.${P1}`).fix?.firewalld).toBeUndefined()
  })

  it('ufw with IPsec allows: allowed exactly where a rule allows (peer 1 all, peer 2 IKE only)', () => {
    const fs = run('ufw-ipsec')
    expectFlows(fs, {
      ...all(P1, 'inbound', 'allowed'),
      [`fw.inbound.udp500.${P2}`]: 'allowed',
      [`fw.inbound.udp4500.${P2}`]: 'blocked',
      [`fw.inbound.esp.${P2}`]: 'blocked',
      ...all(P2, 'outbound', 'allowed'),
    })
    expect(byId(fs, `fw.inbound.udp500.${P1}`).evidence.join('\n')).toMatch(/ufw-user-input.*-s 203\.0\.113\.10\/32 -p udp -m udp --dport 500 -j ACCEPT/)
    expect(byId(fs, `fw.inbound.udp4500.${P2}`).fix?.ufw).toBe(`ufw insert 1 allow in proto udp from ${P2} to any port 4500`)
  })

  it('ufw default deny outgoing: outbound blocked for both peers with an `allow out` fix, inbound allowed', () => {
    const fs = run('ufw-deny-out')
    expectFlows(fs, { ...all(P1, 'outbound', 'blocked'), ...all(P2, 'outbound', 'blocked'), ...all(P1, 'inbound', 'allowed'), ...all(P2, 'inbound', 'allowed') })
    expect(byId(fs, `fw.outbound.udp500.${P1}`).fix?.ufw).toBe(`ufw insert 1 allow out proto udp to ${P1} port 500`)
    expect(byId(fs, `fw.outbound.esp.${P2}`).fix?.ufw).toBe(`ufw insert 1 allow out proto esp to ${P2}`)
    expect(byId(fs, `fw.outbound.esp.${P2}`).fix?.iptables).toBe(`iptables -I OUTPUT -d ${P2}/32 -p esp -j ACCEPT`)
  })

  it('ufw quirk: without any IPv4 user rule `ufw insert 1` is invalid, so the fix appends', () => {
    const outputs = loadBatch('ufw-ssh')
    const save = outputs['iptables-nft-save']!.stdout.replace(/^-A ufw-user-input .*\n/gm, '')
    const fw = toGatewayFirewall({ ...outputs, 'iptables-nft-save': { stdout: save, exitCode: 0 } })
    expect(fw.ufwHasUserRules).toBe(false)
    const fs = checkFirewall(INPUT, { ...outputs, 'iptables-nft-save': { stdout: save, exitCode: 0 } })
    expect(byId(fs, `fw.inbound.udp500.${P1}`).fix?.ufw).toBe(`ufw allow in proto udp from ${P1} to any port 500`)
  })
})

describe('firewalld (rules from its nft table inet firewalld)', () => {
  it('detects firewalld running; an empty --get-active-zones means the default zone', () => {
    const fw = toGatewayFirewall(loadBatch('firewalld-public'))
    expect(fw).toMatchObject({ firewalld: true, ufw: false, firewalldZone: 'public', firewalldZones: [] })
    expect(fw.sources).toEqual(['nft (inet firewalld)'])
    expect(byId(run('firewalld-public'), 'fw.sources').evidence).toContain('firewalld is running')
  })

  it('stock public zone: inbound IKE/NAT-T/ESP decided blocked (not undecided) by the zone reject; output not filtered', () => {
    const fs = run('firewalld-public')
    expectFlows(fs, { ...all(P1, 'inbound', 'blocked'), ...all(P2, 'inbound', 'blocked'), ...all(P1, 'outbound', 'allowed'), ...all(P2, 'outbound', 'allowed') })
    const ike = byId(fs, `fw.inbound.udp500.${P1}`)
    expect(ike.why).toContain('filter_IN_public')
    expect(ike.fix?.firewalld).toBe(
      `firewall-cmd --zone=public --add-rich-rule='rule family="ipv4" source address="${P1}" port port="500" protocol="udp" accept' && firewall-cmd --permanent --zone=public --add-rich-rule='rule family="ipv4" source address="${P1}" port port="500" protocol="udp" accept'`,
    )
    expect(byId(fs, `fw.inbound.esp.${P2}`).fix?.firewalld).toContain(`source address="${P2}" protocol value="esp" accept`)
    expect(ike.fix?.ufw).toBeUndefined()
    // the firewalld quirks this relies on are no longer reported as not understood
    expect(byId(fs, 'fw.sources').evidence.join('\n')).not.toMatch(/ct status dnat|icmpv6 type/)
  })

  it('rich rules: allowed exactly where a rich rule accepts (peer 1 all, peer 2 IKE only)', () => {
    const fs = run('firewalld-rich')
    expectFlows(fs, { ...all(P1, 'inbound', 'allowed'), [`fw.inbound.udp500.${P2}`]: 'allowed', [`fw.inbound.udp4500.${P2}`]: 'blocked', [`fw.inbound.esp.${P2}`]: 'blocked' })
    expect(byId(fs, `fw.inbound.esp.${P1}`).evidence.join('\n')).toContain('filter_IN_public_allow')
  })

  it('zones: the fix names the zone of the interface toward the peer, not the first active zone; a source binding wins', () => {
    const outputs = loadBatch('firewalld-zones')
    expect(parseActiveZones(outputs['firewalld-zones']!.stdout)).toEqual([
      { zone: 'internal', interfaces: ['lan0'], sources: [] },
      { zone: 'trusted', interfaces: [], sources: [P2] },
      { zone: 'work', interfaces: ['wan0'], sources: [] },
    ])
    const fs = run('firewalld-zones')
    expectFlows(fs, { ...all(P1, 'inbound', 'blocked'), ...all(P2, 'inbound', 'allowed') })
    expect(byId(fs, `fw.inbound.udp500.${P1}`).fix?.firewalld).toMatch(/^firewall-cmd --zone=work --add-rich-rule=.* && firewall-cmd --permanent --zone=work --add-rich-rule=/)
    expect(byId(fs, `fw.inbound.udp500.${P1}`).why).toContain('filter_IN_work')
  })
})
