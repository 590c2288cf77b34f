// "Let the app apply the fix" (issue 6) against a real lab gateway over real SSH: the CLI applies one
// finding's fix as a confirm-or-revert transaction and the re-check turns it green; a fix that cuts SSH
// (a test-only finding, through the core API) reverts on its own and SSH works again.
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EXIT, runCli } from '../../main/cli/index'
import { applyFix, parseFixCommands, planFix } from '../../main/core/apply/fix'
import type { Finding } from '../../main/core/checks/model'
import { toGatewayShell } from '../../main/core/gateway/shell'
import type { SshSession } from '../../main/core/ssh/session'
import { detectGateway } from '../../main/core/workflow/gateway'
import { labSession } from '../bench/apply'
import { up, type Lab } from '../lab'
import { labGate } from '../support/gate'

const g = labGate('check --fix: apply a finding\'s fix with confirm-or-revert')

const HOST_FW = 'table inet hostfw {\n chain input {\n  type filter hook input priority 0; policy accept;\n  udp dport 500 drop\n }\n}\n'

describe('which fixes the app will run', () => {
  const base: Finding = { id: 'x', severity: 'error', subject: {}, verdict: 'blocked', evidence: [], why: '' }
  it('runs only the shapes the check writes; sysctl persistence is shown, not run', () => {
    expect(() => parseFixCommands({ ...base, fix: { upstream: 'allow UDP 500' } })).toThrow(/upstream of the gateway/)
    expect(() => parseFixCommands({ ...base, fix: { nft: "nft 'insert rule inet f input accept'; reboot" } })).toThrow(/unexpected nft command/)
    expect(() => parseFixCommands({ ...base, fix: { iptables: 'iptables -I INPUT -j ACCEPT; reboot' } })).toThrow(/unexpected iptables command/)
    const p = parseFixCommands({ ...base, fix: { sysctl: "sysctl -w net.ipv4.ip_forward=1 && echo 'net.ipv4.ip_forward = 1' > /etc/sysctl.d/90-tunnelwright.conf" } })
    expect(p.commands).toEqual(['sysctl -w net.ipv4.ip_forward=1'])
    expect(p.notes[0]).toMatch(/Not run \(persistence/)
    const both = parseFixCommands({ ...base, fix: { nft: "nft 'insert rule inet f input udp dport 500 accept'", iptables: 'iptables-legacy -I INPUT -s 198.51.100.1/32 -p udp --dport 500 -j ACCEPT', firewalld: 'firewall-cmd …' } })
    expect(both.nft).toEqual([{ family: 'inet', table: 'f' }])
    expect(both.ipt).toEqual([{ bin: 'iptables-legacy', table: 'filter' }])
  })
})

describe.skipIf(g.skip)('check --fix on a gateway whose own nft drops UDP 500', () => {
  let lab: Lab
  let dir: string
  let ssh: string[]
  const run = async (...argv: string[]) => {
    const out = { stdout: '', stderr: '' }
    const code = await runCli(argv, { stdout: (t) => void (out.stdout += t), stderr: (t) => void (out.stderr += t), env: { HOME: dir, TUNNELWRIGHT_HOME: join(dir, 'app') } })
    return { code, ...out }
  }
  const checkCli = async () => {
    const r = await run('check', '--details', join(dir, 'details.json'), ...ssh, '--json', '--no-probe')
    return (JSON.parse(r.stdout) as { findings: Finding[] }).findings
  }

  beforeAll(async () => {
    lab = await up({ gateway: 'swanctl', hostFirewall: { nft: HOST_FW } })
    dir = mkdtempSync(join(tmpdir(), 'tw-check-fix-'))
    writeFileSync(join(dir, 'key'), lab.gateway.ssh.privateKey!, { mode: 0o600 })
    writeFileSync(join(dir, 'known_hosts'), `${lab.gateway.ssh.knownHostsLine}\n`)
    writeFileSync(join(dir, 'details.json'), JSON.stringify({ ...lab.details(), routing: 'policy' }), { mode: 0o600 })
    chmodSync(join(dir, 'details.json'), 0o600)
    ssh = ['--host', `${lab.gateway.ssh.username}@127.0.0.1:${lab.gateway.ssh.port}`, '--identity', join(dir, 'key'), '--known-hosts', join(dir, 'known_hosts')]
  })
  afterAll(async () => {
    await lab?.down()
  })

  it('plan printed first; without --yes nothing changes; with --yes committed and the re-check is green', async () => {
    const [peer, other] = lab.aws.outsideIps
    const id = `fw.inbound.udp500.${peer}`
    expect((await checkCli()).find((f) => f.id === id)?.verdict).toBe('blocked')

    const noYes = await run('check', '--details', join(dir, 'details.json'), ...ssh, '--no-probe', '--fix', id)
    expect(noYes.code).toBe(EXIT.usage)
    expect(noYes.stdout).toContain(`nft 'insert rule inet hostfw input ip saddr ${peer} udp dport 500 accept'`)
    expect(noYes.stdout).toMatch(/Before \(nft inet hostfw\):\n\s+table inet hostfw \{/)
    expect(noYes.stdout).toMatch(/running firewall\/kernel state only/)
    expect((await lab.gateway.exec(['nft', 'list', 'table', 'inet', 'hostfw'])).stdout).not.toContain(peer)

    const r = await run('check', '--details', join(dir, 'details.json'), ...ssh, '--fix', id, '--yes', '--json', '--confirm-within', '30')
    expect(r.code, r.stderr).toBe(EXIT.ok)
    const doc = JSON.parse(r.stdout) as { format: string; ok: boolean; outcome: string; after: Finding; commands: string[] }
    expect(doc.format).toBe('tunnelwright/check-fix@1')
    expect(doc.outcome).toBe('committed')
    expect(doc.after.verdict).toBe('allowed')
    expect(r.stderr).toMatch(/Will run on the gateway/)
    expect(r.stdout + r.stderr).not.toContain(lab.aws.psks[0])
    // The rule is in the running ruleset, and only this peer's flow changed.
    expect((await lab.gateway.exec(['nft', 'list', 'table', 'inet', 'hostfw'])).stdout).toMatch(new RegExp(`ip saddr ${peer.replaceAll('.', '\\.')} udp dport 500 accept`))
    const after = await checkCli()
    expect(after.find((f) => f.id === id)?.verdict).toBe('allowed')
    expect(after.find((f) => f.id === `fw.inbound.udp500.${other}`)?.verdict).toBe('blocked')

    const again = await run('check', '--details', join(dir, 'details.json'), ...ssh, '--no-probe', '--fix', id, '--yes', '--json')
    expect(again.code).toBe(EXIT.ok)
    expect(JSON.parse(again.stdout).outcome).toBe('no-change')

    // The committed fix is the gateway's last change: `rollback` puts the snapshot back (the backup's reload.sh).
    const back = await run('rollback', ...ssh, '--yes', '--json')
    expect(back.code, back.stderr).toBe(EXIT.ok)
    const table = (await lab.gateway.exec(['nft', 'list', 'table', 'inet', 'hostfw'])).stdout
    expect(table).not.toContain(peer)
    expect(table).toMatch(/udp dport 500 drop/)
  }, 40_000)

  it('a fix that cuts SSH is never confirmed: the gateway reverts it by itself and SSH works again', async () => {
    const sessionDir = mkdtempSync(join(tmpdir(), 'tw-check-fix-cut-'))
    const session: SshSession = await labSession(lab, sessionDir)
    const shell = toGatewayShell(session)
    const facts = await detectGateway({ shell: shell })
    // Test-only: no check finding drops management traffic, so one is made up to prove the revert.
    const cut: Finding = {
      id: 'test.cut-ssh',
      severity: 'error',
      subject: { topic: 'test' },
      verdict: 'problem',
      evidence: [],
      why: 'test only',
      fix: { nft: ["nft 'add table inet twcut'", "nft 'add chain inet twcut input { type filter hook input priority -10; policy accept; }'", "nft 'add rule inet twcut input tcp dport 22 drop'"].join('\n') },
    }
    const planned = await planFix(shell, cut, facts)
    expect(planned.targets).toEqual([{ kind: 'nft', name: 'inet twcut' }])
    const t0 = Date.now()
    const outcome = await applyFix(shell, planned, { confirmWithin: 10 }).then(
      (r) => r.outcome,
      (e: unknown) => (e as { code?: string }).code,
    )
    // The follow never hears back (link cut) or hears REVERTED: never committed.
    expect(['apply-link-lost', 'reverted']).toContain(outcome)
    await session.close().catch(() => undefined)

    let fresh: SshSession | undefined
    for (let i = 0; i < 40 && fresh === undefined; i++) {
      fresh = await labSession(lab, sessionDir).catch(() => undefined)
      if (fresh === undefined) await new Promise((res) => setTimeout(res, 500))
    }
    expect(fresh, 'SSH works again after the revert').toBeDefined()
    try {
      const r = await toGatewayShell(fresh!).runScript('echo alive; nft list tables')
      expect(r.stdout).toContain('alive')
      expect(r.stdout).not.toContain('twcut')
      // The earlier committed fix lives in another table: the revert touched only what this fix named.
      expect(r.stdout).toContain('inet hostfw')
      const progress = await lab.gateway.exec(['cat', `${planned.baseDir}/txn/${planned.txnId}/progress`])
      expect(progress.stdout).toMatch(/ ACTIVATED /)
      expect(progress.stdout).toMatch(/ REVERTED/)
      expect(progress.stdout).not.toMatch(/COMMITTED/)
    } finally {
      await fresh?.close()
    }
    expect(Date.now() - t0).toBeLessThan(40_000)
  }, 50_000)
})
