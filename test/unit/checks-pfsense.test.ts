// The pfSense firewall check on hand-written pf rulesets (pfctl cannot run on Linux; see the fixtures'
// README): pf's quick/last-match semantics, the auto-added IPsec rules, disablevpnrules, a user's quick block.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { checkFirewall, toFirewallCommands } from '../../main/core/checks/firewall-check'
import type { CommandOutputs } from '../../main/core/gateway/commands'
import type { FirewallCheckInput } from '../../main/core/checks/model'
import type { Finding } from '../../main/core/checks/model'
import { evaluatePf, parsePfRules, toPfPacket } from '../../main/core/checks/pf-rules'
import { parsePfsenseFirewallConfig } from '../../main/core/checks/pfsense-check'
import { parseIpv4 } from '../../main/core/net/cidr'

const DIR = join(__dirname, '../fixtures/firewall/pfsense')
const read = (f: string) => readFileSync(join(DIR, f), 'utf8')
const PEERS = ['3.214.25.10', '52.20.33.44']
const input: FirewallCheckInput = { peers: PEERS, publicIp: '198.51.100.10', agencyCidrs: ['192.168.1.0/24'], dedicatedCidrs: ['10.40.0.0/24'], routing: 'policy', device: 'pfsense' }

function outputs(o: { pfctl?: string; debug?: string; config?: string }): CommandOutputs {
  return {
    'pfctl-sr': o.pfctl === undefined ? { stdout: '', exitCode: 1 } : { stdout: read(o.pfctl), exitCode: 0 },
    'rules-debug': o.debug === undefined ? { stdout: '', exitCode: 1 } : { stdout: read(o.debug), exitCode: 0 },
    'pfsense-config': o.config === undefined ? undefined : { stdout: read(o.config), exitCode: 0 },
  }
}

function flows(findings: readonly Finding[]): Record<string, string> {
  return Object.fromEntries(findings.filter((f) => f.id.startsWith('fw.inbound') || f.id.startsWith('fw.outbound')).map((f) => [f.id, f.verdict]))
}

describe('pf rule parser', () => {
  it('reads rules.debug with its macros and pfctl -sr with port names, understanding every rule line', () => {
    const debug = parsePfRules(read('rules-debug-auto.txt'))
    expect(debug.unsupported).toEqual([])
    expect(debug.macros.get('WAN')).toBe('{ vtnet0 }')
    const inIke = debug.rules.find((r) => r.label?.endsWith('t1] Agency East - inbound isakmp'))!
    expect(inIke).toMatchObject({ action: 'pass', direction: 'inbound', quick: false, ifaces: ['vtnet0'], protos: ['udp'], from: { kind: 'range', text: '3.214.25.10' }, to: { kind: 'self' }, toPort: { ranges: [[500, 500]] } })
    const loaded = parsePfRules(read('pfctl-sr-auto.txt'))
    expect(loaded.unsupported).toEqual([])
    const natt = loaded.rules.find((r) => r.label?.endsWith('t2] Agency East - inbound nat-t'))!
    expect(natt.toPort).toEqual({ ranges: [[4500, 4500]] }) // "sae-urp" is FreeBSD's name for 4500
    expect(loaded.rules.filter((r) => r.label?.startsWith('IPsec:'))).toHaveLength(12)
  })

  it('applies pf semantics: a later non-quick pass beats the default deny; a quick block ends evaluation', () => {
    const rules = parsePfRules(read('pfctl-sr-quick-block.txt')).rules
    const ctx = { peer: parseIpv4(PEERS[0]!)!, local: parseIpv4('198.51.100.10')!, iface: 'vtnet0', self: [parseIpv4('198.51.100.10')!], ifaceAddrs: new Map<string, bigint>(), peerIsPublic: true }
    const ike = evaluatePf(rules, toPfPacket('udp500', 'inbound', ctx))
    expect(ike.verdict).toBe('blocked')
    expect(ike.rule?.label).toBe('USER_RULE: Block IKE scanners')
    const esp = evaluatePf(rules, toPfPacket('esp', 'inbound', ctx))
    expect(esp.verdict).toBe('allowed')
    expect(esp.rule?.label).toMatch(/inbound esp proto$/)
    // The same ESP packet from a private address is caught by pfSense's "Block private networks" quick rule.
    const priv = evaluatePf(rules, toPfPacket('esp', 'inbound', { ...ctx, peer: parseIpv4('10.1.2.3')!, peerIsPublic: false }))
    expect(priv.rule?.label).toBe('Block private networks from WAN block 10/8')
  })
})

describe('pfSense firewall check', () => {
  it('asks for pfctl -sr, /tmp/rules.debug and the disablevpnrules read on pfSense, nft/iptables elsewhere', () => {
    const pf = toFirewallCommands({ peers: PEERS, dedicatedCidrs: ['10.40.0.0/24'], device: 'pfsense' })
    expect(pf.map((c) => c.argv.slice(0, 2).join(' '))).toEqual(['/sbin/pfctl -sr', 'cat /tmp/rules.debug', '/usr/local/bin/php -r'])
    expect(pf[2]!.argv[2]).toContain('disablevpnrules')
    expect(pf[2]!.argv[2]).not.toContain('pre-shared-key')
    expect(toFirewallCommands({ peers: PEERS, dedicatedCidrs: ['10.40.0.0/24'] }).map((c) => c.id)).toContain('nft')
  })

  it('passes every flow both ways with the auto-added IPsec rules (loaded ruleset, then rules.debug alone)', () => {
    for (const o of [{ pfctl: 'pfctl-sr-auto.txt', config: 'config-auto.json' }, { debug: 'rules-debug-auto.txt', config: 'config-auto.json' }]) {
      const f = checkFirewall(input, outputs(o))
      const v = flows(f)
      expect(Object.keys(v)).toHaveLength(12)
      expect(Object.values(v).every((x) => x === 'allowed'), JSON.stringify(v)).toBe(true)
      const inEsp = f.find((x) => x.id === 'fw.inbound.esp.3.214.25.10')!
      expect(inEsp.evidence.join('\n')).toContain('auto-added rule present')
      expect(f.find((x) => x.id === 'pfsense.vpnrules')!.verdict).toBe('ok')
      expect(f.find((x) => x.id === 'fw.sources')!.evidence[0]).toContain(o.pfctl ? 'pfctl -sr' : '/tmp/rules.debug')
    }
  })

  it("blames the user's quick block on WAN over the auto rules, with the fix in pfSense's words", () => {
    const f = checkFirewall(input, outputs({ pfctl: 'pfctl-sr-quick-block.txt', config: 'config-auto.json' }))
    const v = flows(f)
    for (const p of PEERS) {
      expect(v[`fw.inbound.udp500.${p}`]).toBe('blocked')
      expect(v[`fw.inbound.udp4500.${p}`]).toBe('allowed')
      expect(v[`fw.inbound.esp.${p}`]).toBe('allowed')
      expect(v[`fw.outbound.udp500.${p}`]).toBe('allowed')
    }
    const ike = f.find((x) => x.id === 'fw.inbound.udp500.3.214.25.10')!
    expect(ike.severity).toBe('error')
    expect(ike.why).toContain('quick block rule "USER_RULE: Block IKE scanners"')
    expect(ike.why).toContain('win over pfSense\'s auto-added IPsec rules')
    expect(ike.fix?.pfsense).toContain('Firewall > Rules > WAN: add — Action Pass, Protocol UDP, Source 3.214.25.10, Destination "WAN address", Destination port 500, then drag it ABOVE the block rule "USER_RULE: Block IKE scanners"')
    expect(ike.fix?.pfsense).toContain('easyrule pass wan udp 3.214.25.10 198.51.100.10 500')
    expect(ike.fix?.pfsense).toContain('pass in quick on vtnet0 inet proto udp from 3.214.25.10 to (self) port = 500 keep state')
  })

  it('with disablevpnrules: inbound is left to the default deny, outbound passes, and the switch is named', () => {
    const f = checkFirewall(input, outputs({ debug: 'rules-debug-disabled.txt', config: 'config-disabled.json' }))
    const v = flows(f)
    for (const p of PEERS) {
      for (const flow of ['udp500', 'udp4500', 'esp']) {
        expect(v[`fw.inbound.${flow}.${p}`]).toBe('blocked')
        expect(v[`fw.outbound.${flow}.${p}`]).toBe('allowed')
      }
    }
    const esp = f.find((x) => x.id === 'fw.inbound.esp.52.20.33.44')!
    expect(esp.why).toContain('"Default deny rule IPv4"')
    expect(esp.evidence.join('\n')).toContain('auto-added VPN rules are disabled')
    expect(esp.fix?.pfsense).toContain('uncheck "Disable all auto-added VPN rules"')
    const sw = f.find((x) => x.id === 'pfsense.vpnrules')!
    expect(sw).toMatchObject({ verdict: 'problem', severity: 'warning' })
    expect(sw.evidence).toContain('rules.debug: "VPN Rules not added disabled in System->Advanced."')
  })

  it('says it cannot tell when no ruleset can be read (the lab node: no pf on Linux)', () => {
    const f = checkFirewall(input, outputs({ config: 'config-auto.json' }))
    expect(Object.values(flows(f)).every((x) => x === 'unknown')).toBe(true)
    expect(f.find((x) => x.id === 'fw.sources')!.severity).toBe('warning')
  })

  it('reads the config JSON (boot-time dots stripped) and refuses anything else', () => {
    const c = parsePfsenseFirewallConfig(`...${read('config-disabled.json')}`)
    expect(c?.disablevpnrules).toBe(true)
    expect(c?.interfaces['wan']?.if).toBe('vtnet0')
    expect(c?.phase1.map((p) => p.remoteGateway)).toEqual(PEERS)
    expect(parsePfsenseFirewallConfig('PHP Fatal error: …')).toBeUndefined()
  })
})
