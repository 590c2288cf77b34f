// The ufw and firewalld fixes the firewall check prints, run exactly as printed against the real ufw / firewalld
// inside a throwaway namespace (frontend-ns.sh: private config, private D-Bus, refuses to run outside its
// namespace), turn their findings green — and stay green after the front end reloads its saved configuration.
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { checkFirewall, toFirewallCommands } from '../../main/core/checks/firewall-check'
import type { CommandOutputs } from '../../main/core/gateway/commands'
import type { Finding } from '../../main/core/checks/model'
import { FIXTURES, INPUT } from '../fixtures/firewall/load'
import { gate, missing } from '../support/gate'

const FIREWALLD = resolve(FIXTURES, '../../../.lab-cache/firewalld/usr/sbin/firewalld')
const g = gate(
  'checks-frontends-fix',
  missing({ linux: true, root: true, executables: ['/usr/sbin/ip', '/usr/bin/unshare', '/usr/sbin/nft', '/usr/sbin/iptables-nft-save', '/usr/sbin/ufw', '/usr/bin/dbus-daemon', FIREWALLD] }),
)
const RUNNER = join(FIXTURES, 'frontend-ns.sh')
const PREFIX = `twfw${randomBytes(2).toString('hex')}-`
const made = new Set<string>()

function sh(argv: readonly string[]) {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 60_000 })
  return { stdout: r.stdout ?? '', stderr: r.stderr ?? '', exitCode: r.status ?? -1 }
}
const stateOf = (ns: string) => `/tmp/${ns}`
/** Runs argv inside the namespace (never outside: the runner exits 99 there). */
function inNs(ns: string, argv: readonly string[]) {
  const r = sh(['bash', RUNNER, 'exec', ns, stateOf(ns), ...argv])
  if (r.exitCode === 99) throw new Error(`not inside ${ns}: ${r.stderr}`)
  return r
}
function down(ns: string) {
  sh(['bash', RUNNER, 'down', ns, stateOf(ns)])
  rmSync(stateOf(ns), { recursive: true, force: true })
  made.delete(ns)
}
/** A namespace of this run with the front end set up by the scenario's src/ script (as capture-frontends.sh does). */
function up(scenario: string): string {
  const ns = `${PREFIX}${scenario}`
  made.add(ns)
  const r = sh(['bash', RUNNER, 'up', ns, stateOf(ns), scenario.split('-')[0]!])
  if (r.exitCode !== 0) throw new Error(`up ${ns}: ${r.stderr}`)
  const s = inNs(ns, ['sh', '-e', join(FIXTURES, 'src', `${scenario}.sh`)])
  if (s.exitCode !== 0) throw new Error(`${scenario}.sh: ${s.stdout}${s.stderr}`)
  return ns
}
/** The check's own command batch, run inside the namespace. */
function capture(ns: string): CommandOutputs {
  return Object.fromEntries(toFirewallCommands(INPUT).map((c) => [c.id, inNs(ns, c.argv)]))
}
const flowsNotAllowed = (fs: readonly Finding[]) => fs.filter((f) => f.subject.flow !== undefined && f.verdict !== 'allowed')

afterAll(() => {
  for (const ns of [...made]) down(ns)
})

describe.skipIf(g.skip)('ufw / firewalld fixes, run as printed in a throwaway namespace', () => {
  const scenarios: readonly { name: string; form: 'ufw' | 'firewalld'; expectBlocked: number; reload: readonly string[] }[] = [
    // inbound: default deny incoming, only ssh allowed
    { name: 'ufw-ssh', form: 'ufw', expectBlocked: 6, reload: ['ufw', 'reload'] },
    // outbound: default deny outgoing (the `allow out` form)
    { name: 'ufw-deny-out', form: 'ufw', expectBlocked: 6, reload: ['ufw', 'reload'] },
    // stock public zone (nothing bound: the default zone takes the peers)
    { name: 'firewalld-public', form: 'firewalld', expectBlocked: 6, reload: ['firewall-cmd', '--reload'] },
    // wan0 bound to `work`, peer 2 a source of `trusted`: only peer 1 needs the fix, in zone work
    { name: 'firewalld-zones', form: 'firewalld', expectBlocked: 3, reload: ['firewall-cmd', '--reload'] },
  ]
  for (const s of scenarios) {
    it(`${s.name}: the ${s.form} fix strings run as printed, turn every flow green and survive \`${s.reload.join(' ')}\``, () => {
      const ns = up(s.name)
      try {
        const before = flowsNotAllowed(checkFirewall(INPUT, capture(ns)))
        expect(before.map((f) => `${f.id}=${f.verdict}`).filter((x) => !x.endsWith('=blocked'))).toEqual([])
        expect(before).toHaveLength(s.expectBlocked)
        for (const f of before) {
          const fix = f.fix?.[s.form]
          expect(fix, `${f.id} has a ${s.form} fix`).toBeDefined()
          const r = inNs(ns, ['sh', '-c', fix!])
          expect(r.exitCode, `${f.id}: ${fix}\n${r.stdout}${r.stderr}`).toBe(0)
        }
        const after = checkFirewall(INPUT, capture(ns))
        for (const f of before) expect(after.find((x) => x.id === f.id)?.verdict, `${f.id} after ${f.fix?.[s.form]}`).toBe('allowed')
        // the fix is also saved: the front end's own reload (from its saved configuration) keeps it
        const rl = inNs(ns, s.reload)
        expect(rl.exitCode, rl.stderr).toBe(0)
        expect(flowsNotAllowed(checkFirewall(INPUT, capture(ns))).map((f) => f.id)).toEqual([])
      } finally {
        down(ns)
      }
    })
  }
})
