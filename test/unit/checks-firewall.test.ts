// The firewall/NAT/kernel check on real captured nft, iptables-nft, iptables-legacy, ip and sysctl output.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { checkFirewall, toFirewallCommands } from '../../main/core/checks/firewall-check'
import { parseIptablesSave } from '../../main/core/checks/iptables-save'
import { parseAddrShow, parseRouteGet, parseSysctl, parseXfrmStat, toKernelFindings, toXfrmFinding } from '../../main/core/checks/kernel'
import type { Finding } from '../../main/core/checks/model'
import { parseNftJson } from '../../main/core/checks/nft-json'
import { FIXTURES, INPUT, loadScenario } from '../fixtures/firewall/load'

const read = (p: string) => readFileSync(join(FIXTURES, p), 'utf8')
const run = (scenario: string, opts: Parameters<typeof loadScenario>[1] = {}, input = INPUT) => checkFirewall(input, loadScenario(scenario, opts))
const byId = (fs: readonly Finding[], id: string) => {
  const f = fs.find((x) => x.id === id)
  if (f === undefined) throw new Error(`no finding ${id}`)
  return f
}
const flows = (fs: readonly Finding[]) => Object.fromEntries(fs.filter((f) => f.id.startsWith('fw.') && f.id !== 'fw.sources').map((f) => [f.id, f.verdict]))

describe('parsers on captured output', () => {
  it('nft JSON: base chains with hook/prio/policy, named set resolved, vmap and xt recognised', () => {
    const rs = parseNftJson(read('nft-accepts/nft.json'))!
    const input = rs.chains.find((c) => c.name === 'input')!
    expect(input).toMatchObject({ family: 'inet', table: 'filter', hook: 'input', prio: 0, policy: 'drop' })
    expect(input.rules[0]!.action.kind).toBe('vmap')
    const ike = input.rules.find((r) => r.where.endsWith('handle 9'))!
    expect(ike.matches).toContainEqual({ kind: 'addr', field: 'src', neg: false, ranges: [{ first: 3405803786n, last: 3405803786n }, { first: 3405803796n, last: 3405803796n }] })
    expect(ike.text).toBe('ip saddr @aws_peers udp dport { 500, 4500 } counter packets 0 bytes 0 accept')
    const xt = parseNftJson(read('ipt-nft-accepts/nft.json'))!
    expect(xt.tables).toContainEqual({ family: 'ip', name: 'filter', hasXt: true })
    expect(xt.unsupported.some((u) => u.includes('xt match "conntrack"'))).toBe(true)
  })

  it('nft JSON of an empty ruleset has no chains; non-JSON is undefined', () => {
    expect(parseNftJson(read('clean/nft.json'))!.chains).toEqual([])
    expect(parseNftJson('Error: Could not process rule')).toBeUndefined()
  })

  it('iptables-save: policies, user chains, multiport, -p esp / -p 50, variant from the header', () => {
    const rs = parseIptablesSave(read('ipt-nft-accepts/iptables-nft-save.txt'))
    expect(rs.source).toBe('iptables-nft')
    const input = rs.chains.find((c) => c.table === 'filter' && c.name === 'INPUT')!
    expect(input).toMatchObject({ hook: 'input', policy: 'drop' })
    expect(rs.chains.find((c) => c.name === 'AWS-IN')!.hook).toBeUndefined()
    const mp = input.rules.find((r) => r.text.includes('aws tunnel 2'))!
    expect(mp.matches).toContainEqual({ kind: 'port', field: 'dport', header: 'udp', neg: false, ranges: [[500, 500], [4500, 4500]] })
    const right = parseIptablesSave(read('ipt-nft-right/iptables-nft-save.txt'))
    expect(right.chains.find((c) => c.table === 'filter' && c.name === 'INPUT')!.rules.filter((r) => r.matches.some((m) => m.kind === 'proto' && m.protos.includes('esp')))).toHaveLength(2)
    expect(parseIptablesSave(read('ipt-legacy-drop/iptables-legacy-save.txt')).source).toBe('iptables-legacy')
  })

  it('iptables-nft-save quirk: a table with nft-native chains is printed empty and marked incompatible', () => {
    const rs = parseIptablesSave(read('nft-masq-wrong/iptables-nft-save.txt'))
    expect(rs.incompatible).toEqual(['nat'])
    expect(rs.tables).toEqual([])
  })

  it('ip -j route get / addr show and sysctl', () => {
    expect(parseRouteGet(read('route-natted/route-get-203.0.113.10.json'))).toEqual({ dst: '203.0.113.10', dev: 'wan0', prefsrc: '192.168.50.2', gateway: '192.168.50.1' })
    expect(parseAddrShow(read('route-direct/addr.json'))!.get('wan0')).toEqual(['198.51.100.5'])
    const s = parseSysctl(read('sysctl-fwd0-rp1.txt'))
    expect(s.get('net.ipv4.ip_forward')).toBe('0')
    expect(s.get('net.ipv4.conf.wan0.rp_filter')).toBe('1')
    expect(parseSysctl('/proc/sys/net/ipv4/ip_forward:1').get('net.ipv4.ip_forward')).toBe('1')
  })
})

describe('flow verdicts', () => {
  it('clean gateway: every flow allowed, masquerade ok', () => {
    const fs = run('clean')
    expect(Object.values(flows(fs)).every((v) => v === 'allowed')).toBe(true)
    expect(Object.keys(flows(fs))).toHaveLength(12)
    expect(byId(fs, 'nat.masquerade').verdict).toBe('ok')
  })

  it('default drop with accepts for both peers (named set, anonymous sets, sport range, vmap): all allowed', () => {
    const fs = run('nft-accepts')
    expect(Object.values(flows(fs)).every((v) => v === 'allowed')).toBe(true)
    expect(byId(fs, 'fw.outbound.esp.203.0.113.20').evidence[0]).toContain('inet filter output handle 16')
  })

  it('udp 500 dropped in a jumped-to chain: blocked by that rule, fix inserted in the base chain', () => {
    const fs = run('nft-drop-udp500')
    const f = byId(fs, 'fw.inbound.udp500.203.0.113.10')
    expect(f.verdict).toBe('blocked')
    expect(f.severity).toBe('error')
    expect(f.why).toContain('inet filter wan_in handle 3')
    expect(f.fix?.nft).toBe("nft 'insert rule inet filter input ip saddr 203.0.113.10 udp dport 500 accept'")
    expect(byId(fs, 'fw.inbound.udp4500.203.0.113.10').verdict).toBe('allowed')
  })

  it('the iifname rule cannot be resolved without a route lookup: unknown, naming the interface', () => {
    const f = byId(run('nft-drop-udp500', { route: 'none' }), 'fw.inbound.udp500.203.0.113.10')
    expect(f.verdict).toBe('unknown')
    expect(f.why).toContain('wan0')
  })

  it('outbound ESP dropped in another table', () => {
    const fs = run('nft-drop-esp')
    expect(byId(fs, 'fw.outbound.esp.203.0.113.10')).toMatchObject({ verdict: 'blocked', fix: { nft: "nft 'insert rule ip filter2 output ip daddr 203.0.113.10 meta l4proto esp accept'" } })
    expect(byId(fs, 'fw.inbound.esp.203.0.113.10').verdict).toBe('allowed')
  })

  it('accept in one table does not override the drop policy of another on the same hook', () => {
    const f = byId(run('nft-two-tables'), 'fw.inbound.esp.203.0.113.20')
    expect(f.verdict).toBe('blocked')
    expect(f.why).toContain('drop policy of ip lockdown input')
    expect(f.evidence[0]).toContain('inet allow_ipsec input: accept')
    expect(f.fix?.nft).toBe("nft 'insert rule ip lockdown input ip saddr 203.0.113.20 meta l4proto esp accept'")
  })

  it('ct state established only: NEW IKE from AWS is blocked, and the why says so', () => {
    const f = byId(run('nft-ct-established'), 'fw.inbound.udp500.203.0.113.10')
    expect(f.verdict).toBe('blocked')
    expect(f.why).toMatch(/NEW/)
    expect(byId(run('nft-ct-established'), 'fw.outbound.udp500.203.0.113.10').verdict).toBe('allowed')
  })

  it('limit rate cannot be decided offline: unknown naming the expression', () => {
    const f = byId(run('nft-iface-unknown'), 'fw.inbound.esp.203.0.113.10')
    expect(f.verdict).toBe('unknown')
    expect(f.why).toContain('limit rate 10/second')
    // iifname "ppp*" does not match wan0 (known from the route lookup): IKE passes.
    expect(byId(run('nft-iface-unknown'), 'fw.inbound.udp500.203.0.113.10').verdict).toBe('allowed')
  })

  it('iptables-nft tables are evaluated from iptables-nft-save, not the opaque xt blobs', () => {
    const fs = run('ipt-nft-accepts')
    expect(byId(fs, 'fw.inbound.udp500.203.0.113.10').verdict).toBe('allowed')
    expect(byId(fs, 'fw.inbound.udp4500.203.0.113.20').verdict).toBe('allowed')
    const esp = byId(fs, 'fw.inbound.esp.203.0.113.10')
    expect(esp).toMatchObject({ verdict: 'blocked', fix: { iptables: 'iptables -I INPUT -s 203.0.113.10/32 -p esp -j ACCEPT' } })
    expect(esp.why).toContain('drop policy of iptables-nft -t filter INPUT')
    const out = byId(fs, 'fw.outbound.esp.203.0.113.20')
    expect(out.why).toContain('-j REJECT')
    expect(byId(fs, 'fw.outbound.esp.203.0.113.10').verdict).toBe('allowed')
  })

  it('without iptables-nft-save the xt blobs make the verdict unknown, naming the extension', () => {
    const o = { ...loadScenario('ipt-nft-accepts'), 'iptables-nft-save': undefined }
    const f = byId(checkFirewall(INPUT, o), 'fw.inbound.udp500.203.0.113.10')
    expect(f.verdict).toBe('unknown')
    expect(f.why).toContain('xt match "multiport"')
  })

  it('iptables-legacy rules (invisible to nft) block ESP and NAT-T from one peer', () => {
    const fs = run('ipt-legacy-drop')
    expect(byId(fs, 'fw.inbound.esp.203.0.113.10')).toMatchObject({ verdict: 'blocked', fix: { iptables: 'iptables-legacy -I INPUT -s 203.0.113.10/32 -p esp -j ACCEPT' } })
    expect(byId(fs, 'fw.inbound.udp4500.203.0.113.20')).toMatchObject({ verdict: 'blocked', severity: 'warning' })
    expect(byId(fs, 'fw.inbound.udp4500.203.0.113.10').verdict).toBe('allowed')
  })

  it('behind NAT, a blocked UDP 4500 is an error and ESP only a warning', () => {
    const fs = run('ipt-legacy-drop', { route: 'route-natted' })
    expect(byId(fs, 'nat.detect')).toMatchObject({ verdict: 'problem' })
    expect(byId(fs, 'fw.inbound.udp4500.203.0.113.20').severity).toBe('error')
    expect(byId(fs, 'fw.inbound.esp.203.0.113.20').severity).toBe('warning')
  })
})

describe('NAT before IPsec, MSS, kernel', () => {
  it('masquerade on the WAN catches agency → dedicated traffic (nft and iptables)', () => {
    const n = byId(run('nft-masq-wrong'), 'nat.masquerade')
    expect(n).toMatchObject({ verdict: 'problem', fix: { nft: "nft 'insert rule ip nat postrouting ip saddr 10.10.0.0/22 ip daddr 172.31.0.0/16 accept'" } })
    expect(n.evidence[0]).toContain('ip nat postrouting handle 2: oifname wan0 masquerade')
    const i = byId(run('ipt-nft-accepts'), 'nat.masquerade')
    expect(i).toMatchObject({ verdict: 'problem', fix: { iptables: 'iptables -t nat -I POSTROUTING -s 10.10.0.0/22 -d 172.31.0.0/16 -j ACCEPT' } })
  })

  it('an accept exception, `rt ipsec missing` or `-m policy --pol none` exempts the tunnel traffic', () => {
    expect(byId(run('nft-masq-right'), 'nat.masquerade').verdict).toBe('ok')
    expect(byId(run('nft-masq-rtipsec'), 'nat.masquerade').verdict).toBe('ok')
    expect(byId(run('ipt-nft-right'), 'nat.masquerade').verdict).toBe('ok')
  })

  it('route-based: `rt ipsec missing` alone cannot be decided', () => {
    expect(byId(run('nft-masq-rtipsec', {}, { ...INPUT, routing: 'route' }), 'nat.masquerade').verdict).toBe('unknown')
  })

  it('MSS: 1382 clamp ok (also behind NAT); 1460 wrong with a delete of that rule; clamp-to-pmtu flagged; none flagged', () => {
    expect(byId(run('nft-masq-right', { route: 'route-natted' }), 'mss.clamp').verdict).toBe('ok')
    expect(byId(run('ipt-nft-right', { route: 'route-natted' }), 'mss.clamp').verdict).toBe('ok')
    const wrong = byId(run('nft-masq-wrong'), 'mss.clamp')
    expect(wrong.verdict).toBe('problem')
    expect(wrong.fix?.nft).toContain("nft 'delete rule inet mangle forward handle 2'")
    expect(wrong.fix?.nft).toContain('tcp option maxseg size set 1398')
    expect(byId(run('nft-masq-wrong', { route: 'route-natted' }), 'mss.clamp').fix?.nft).toContain('maxseg size set 1382')
    expect(byId(run('nft-masq-rtipsec'), 'mss.clamp').why).toContain('route MTU only')
    expect(byId(run('ipt-nft-accepts'), 'mss.clamp').fix?.iptables).toContain('--set-mss 1398')
    expect(byId(run('clean'), 'mss.clamp').evidence).toContain('agency → dedicated: no MSS clamp rule')
  })

  it('ip_forward and rp_filter from captured sysctl output', () => {
    const k = (file: string, routing: 'policy' | 'route') => toKernelFindings(parseSysctl(read(file)), { routing, interfaces: ['wan0'] })
    const off = k('sysctl-fwd0-rp1.txt', 'route')
    expect(byId(off, 'kernel.ip_forward')).toMatchObject({ verdict: 'problem', severity: 'error' })
    expect(byId(off, 'kernel.ip_forward').fix?.sysctl).toContain('net.ipv4.ip_forward=1')
    expect(byId(off, 'kernel.rp_filter')).toMatchObject({ verdict: 'problem', severity: 'error' })
    expect(byId(k('sysctl-fwd0-rp1.txt', 'policy'), 'kernel.rp_filter').severity).toBe('warning')
    expect(byId(k('sysctl-fwd1-rp2.txt', 'route'), 'kernel.rp_filter').verdict).toBe('ok')
    expect(byId(k('sysctl-fwd1-rp0.txt', 'route'), 'kernel.rp_filter').verdict).toBe('ok')
    // all=0 but wan0=1: the kernel uses the maximum, so wan0 is strict.
    expect(byId(k('sysctl-fwd1-all0-wan1.txt', 'route'), 'kernel.rp_filter').fix?.sysctl).toContain('conf.wan0.rp_filter=2')
  })

  it('XfrmInTmplMismatch from /proc/net/xfrm_stat: AWS answering on the tunnel the shared policy does not name', () => {
    const clean = read('xfrm-stat-clean.txt')
    expect(parseXfrmStat(clean).get('XfrmInTmplMismatch')).toBe(0)
    expect(parseXfrmStat(clean).size).toBeGreaterThan(20)
    expect(toXfrmFinding(parseXfrmStat(clean), { routing: 'policy' })).toMatchObject({ id: 'kernel.xfrm_stat', verdict: 'ok', severity: 'ok' })
    // The raised counter is the captured file with one value changed: this kernel has no ESP, so nothing
    // here can make the real counter rise.
    const raised = clean.replace(/^XfrmInTmplMismatch(\s+)0$/m, 'XfrmInTmplMismatch$1417')
    expect(raised).not.toBe(clean)
    const policy = toXfrmFinding(parseXfrmStat(raised), { routing: 'policy' })
    expect(policy).toMatchObject({ verdict: 'problem', severity: 'warning' })
    expect(policy.evidence).toContain('XfrmInTmplMismatch 417')
    expect(policy.why).toMatch(/only one tunnel may be up at a time/)
    // Nothing for "Apply fix" to run: the cure is the routing mode (a details change).
    expect(policy.fix?.details).toMatch(/"routing": "route"/)
    expect(policy.fix?.sysctl ?? policy.fix?.nft ?? policy.fix?.iptables).toBeUndefined()
    expect(toXfrmFinding(parseXfrmStat(raised), { routing: 'route' }).why).toMatch(/mark or interface ID/)
    // Unreadable (no xfrm in the kernel, or not Linux): said so, not called clean.
    expect(toXfrmFinding(parseXfrmStat(''), { routing: 'policy' })).toMatchObject({ verdict: 'unknown', severity: 'info' })
  })
})

describe('commands and robustness', () => {
  it('one batch of read-only commands, with a route lookup per peer and toward the dedicated subnet', () => {
    const cmds = toFirewallCommands(INPUT)
    expect(cmds.map((c) => c.id)).toContain('route-get:203.0.113.20')
    expect(cmds.find((c) => c.id === 'route-get-dedicated')!.argv).toEqual(['ip', '-j', '-4', 'route', 'get', '172.31.0.1'])
    expect(cmds.every((c) => !/(-A|-I|-D|insert|add|delete|flush|-w)\b/.test(c.argv.slice(1).join(' ')))).toBe(true)
  })

  it('parsers and the whole check never throw on arbitrary input', () => {
    const json = fc.jsonValue().map((v) => JSON.stringify({ nftables: [v, { rule: v }, { chain: v }] }))
    fc.assert(
      fc.property(fc.oneof(fc.string(), json, fc.string().map((s) => `*filter\n:INPUT DROP [0:0]\n-A INPUT ${s}\nCOMMIT`)), (text) => {
        parseNftJson(text)
        parseIptablesSave(text)
        parseRouteGet(text)
        parseAddrShow(text)
        parseSysctl(text)
        const fs = checkFirewall(INPUT, { nft: { stdout: text, exitCode: 0 }, 'iptables-legacy-save': { stdout: text, exitCode: 0 }, sysctl: { stdout: text, exitCode: 0 } })
        expect(fs.length).toBeGreaterThan(12)
      }),
      { numRuns: 300 },
    )
  })

  it('random nft rules built from real expression shapes give a verdict, never an exception', () => {
    const base = JSON.parse(read('nft-accepts/nft.json')) as { nftables: Record<string, unknown>[] }
    const exprs = base.nftables.flatMap((o) => ((o['rule'] as { expr?: unknown[] } | undefined)?.expr ?? []))
    fc.assert(
      fc.property(fc.array(fc.array(fc.constantFrom(...exprs), { maxLength: 4 }), { maxLength: 6 }), (rules) => {
        const doc = { nftables: [...base.nftables.filter((o) => !('rule' in o)), ...rules.map((expr, i) => ({ rule: { family: 'inet', table: 'filter', chain: 'input', handle: 100 + i, expr } }))] }
        const fs = checkFirewall(INPUT, { nft: { stdout: JSON.stringify(doc), exitCode: 0 } })
        for (const f of fs) expect(['allowed', 'blocked', 'unknown', 'ok', 'problem']).toContain(f.verdict)
      }),
      { numRuns: 200 },
    )
  })
})
