// Every fix the firewall check suggests is valid in its firewall's own syntax (nft -c, iptables-restore --test)
// and, applied inside a throwaway network namespace, turns its finding green when the check runs again.
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { checkFirewall, toFirewallCommands } from '../../main/core/checks/firewall-check'
import type { CommandOutputs } from '../../main/core/gateway/commands'
import type { Finding } from '../../main/core/checks/model'
import { FIXTURES, INPUT } from '../fixtures/firewall/load'
import { gate, missing } from '../support/gate'

const g = gate('checks-firewall-fix', missing({ linux: true, root: true, executables: ['/usr/sbin/ip', '/usr/sbin/nft', '/usr/sbin/iptables-nft-restore', '/usr/sbin/iptables-legacy-restore'] }))
const PREFIX = `twfw${randomBytes(2).toString('hex')}-`
const made: string[] = []

function sh(argv: readonly string[], input?: string) {
  const r = spawnSync(argv[0]!, argv.slice(1), { input, encoding: 'utf8' })
  return { stdout: r.stdout ?? '', stderr: r.stderr ?? '', exitCode: r.status ?? -1 }
}
function must(argv: readonly string[], input?: string) {
  const r = sh(argv, input)
  if (r.exitCode !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`)
  return r.stdout
}

/** A namespace of this run shaped like the capture (wan0 with the public IP, lan0 with the agency prefix). */
function makeNs(name: string): string {
  const ns = `${PREFIX}${name}`
  must(['ip', 'netns', 'add', ns])
  made.push(ns)
  must(['ip', '-n', ns, '-batch', '-'], ['link set lo up', 'link add wan0 type veth peer name wan0p', 'link add lan0 type veth peer name lan0p', 'link set wan0 up', 'link set wan0p up', 'link set lan0 up', 'link set lan0p up', 'addr add 198.51.100.5/24 dev wan0', 'addr add 10.10.0.1/22 dev lan0', 'route add default via 198.51.100.1 dev wan0 onlink'].join('\n') + '\n')
  must(['ip', 'netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv4.ip_forward=1', 'net.ipv4.conf.all.rp_filter=2'])
  return ns
}

/** Runs the check's own command batch inside the namespace. */
function capture(ns: string): CommandOutputs {
  return Object.fromEntries(toFirewallCommands(INPUT).map((c) => [c.id, sh(['ip', 'netns', 'exec', ns, ...c.argv])]))
}

/** `nft '<cmd>'` lines → an nft script. */
function toNftScript(fix: string): string {
  return fix.split('\n').map((l) => /^nft '(.*)'$/.exec(l)![1]).join('\n') + '\n'
}

/** `iptables[-legacy] [-t T] -I ...` lines → restore input per binary and table. */
function toRestoreInputs(fix: string): { bin: string; text: string }[] {
  const by = new Map<string, string[]>()
  for (const l of fix.split('\n')) {
    const m = /^(iptables(?:-legacy)?)(?: -t (\S+))? (.*)$/.exec(l)!
    const key = `${m[1]}|${m[2] ?? 'filter'}`
    by.set(key, [...(by.get(key) ?? []), m[3]!])
  }
  return [...by].map(([k, rules]) => {
    const [bin, table] = k.split('|')
    return { bin: bin === 'iptables' ? 'iptables-nft-restore' : 'iptables-legacy-restore', text: `*${table}\n${rules.join('\n')}\nCOMMIT\n` }
  })
}

const bad = (fs: readonly Finding[]) => fs.filter((f) => f.fix !== undefined && f.verdict !== 'allowed' && f.verdict !== 'ok' && !f.id.startsWith('kernel.'))

afterAll(() => {
  for (const ns of made) sh(['ip', 'netns', 'del', ns])
})

describe.skipIf(g.skip)('firewall fixes in a throwaway namespace', () => {
  const scenarios: readonly { name: string; load: (ns: string) => void; expectBad: readonly string[] }[] = [
    { name: 'nft-two-tables', load: (ns) => must(['ip', 'netns', 'exec', ns, 'nft', '-f', join(FIXTURES, 'src/nft-two-tables.nft')]), expectBad: ['fw.inbound.esp.203.0.113.10', 'fw.inbound.udp500.203.0.113.20'] },
    { name: 'nft-ct-established', load: (ns) => must(['ip', 'netns', 'exec', ns, 'nft', '-f', join(FIXTURES, 'src/nft-ct-established.nft')]), expectBad: ['fw.inbound.udp500.203.0.113.10'] },
    { name: 'nft-drop-udp500', load: (ns) => must(['ip', 'netns', 'exec', ns, 'nft', '-f', join(FIXTURES, 'src/nft-drop-udp500.nft')]), expectBad: ['fw.inbound.udp500.203.0.113.10'] },
    { name: 'nft-masq-wrong', load: (ns) => must(['ip', 'netns', 'exec', ns, 'nft', '-f', join(FIXTURES, 'src/nft-masq-wrong.nft')]), expectBad: ['nat.masquerade', 'mss.clamp'] },
    {
      name: 'ipt-nft-accepts',
      load: (ns) => must(['ip', 'netns', 'exec', ns, 'iptables-nft-restore'], readFileSync(join(FIXTURES, 'src/ipt-nft-accepts.rules'), 'utf8').replace(/^#.*\n/gm, '')),
      expectBad: ['fw.inbound.esp.203.0.113.10', 'fw.outbound.esp.203.0.113.20', 'nat.masquerade', 'mss.clamp'],
    },
    {
      name: 'ipt-legacy-drop',
      load: (ns) => must(['ip', 'netns', 'exec', ns, 'iptables-legacy-restore'], readFileSync(join(FIXTURES, 'src/ipt-legacy-drop.rules'), 'utf8').replace(/^#.*\n/gm, '')),
      expectBad: ['fw.inbound.esp.203.0.113.20', 'fw.inbound.udp4500.203.0.113.20'],
    },
  ]
  for (const s of scenarios) {
    it(`${s.name}: fixes pass check mode, and applied they turn every finding green`, () => {
      const ns = makeNs(s.name)
      s.load(ns)
      const before = bad(checkFirewall(INPUT, capture(ns)))
      for (const id of s.expectBad) expect(before.map((f) => f.id)).toContain(id)
      for (const f of before) {
        if (f.fix?.nft !== undefined) {
          const check = sh(['ip', 'netns', 'exec', ns, 'nft', '-c', '-f', '-'], toNftScript(f.fix.nft))
          expect(check.stderr, `${f.id}: ${f.fix.nft}`).toBe('')
          expect(check.exitCode).toBe(0)
        }
        if (f.fix?.iptables !== undefined) {
          for (const r of toRestoreInputs(f.fix.iptables)) {
            const check = sh(['ip', 'netns', 'exec', ns, r.bin, '--test', '--noflush'], r.text)
            expect(check.exitCode, `${f.id}: ${r.text} ${check.stderr}`).toBe(0)
          }
        }
      }
      for (const f of before) {
        const lines = (f.fix?.nft ?? f.fix?.iptables ?? '').split('\n').filter((l) => l !== '')
        for (const l of lines) must(['ip', 'netns', 'exec', ns, 'sh', '-c', l])
      }
      const after = checkFirewall(INPUT, capture(ns))
      for (const f of before) expect(after.find((x) => x.id === f.id)?.verdict, `${f.id} after the fix`).toMatch(/^(allowed|ok)$/)
    })
  }
})
