// Apply on the pfSense-shaped lab node (real PHP running our script against pfSense's stock config.xml
// through stand-ins for pfSense's own functions, real charon, real sshd with pfSense's admin shell) against
// the AWS-shaped peer, through the CLI over real SSH: both tunnels up, traffic through, the unrelated
// phase 1 kept, a second apply is a no-op, rollback restores config.xml byte for byte; and the revert path.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EXIT, runCli } from '../../main/cli/index'
import { Details } from '../../main/core/details/model'
import { processSecretSources } from '../../main/core/details/resolve'
import { applyChange, prepareChange } from '../../main/core/workflow/change'
import { detectGateway } from '../../main/core/workflow/gateway'
import { up, type Lab, type PfsenseVersion } from '../lab'
import { sshRun } from '../lab/ssh-client'
import { labGate } from '../support/gate'
import { toNodeShell as nodeShell } from '../support/keepup-lab'

const g = labGate('apply on pfSense (lab)')

function cli(env: Record<string, string>) {
  return async (...argv: string[]) => {
    const out = { stdout: '', stderr: '' }
    const code = await runCli(argv, { stdout: (t) => void (out.stdout += t), stderr: (t) => void (out.stderr += t), env })
    return { code, ...out }
  }
}

async function ping(lab: Lab): Promise<boolean> {
  for (let i = 0; i < 10; i++) {
    if ((await lab.gateway.execLanHost(['ping', '-c', '1', '-W', '2', lab.aws.hostIp])).code === 0) return true
  }
  return false
}

async function configXml(lab: Lab): Promise<string> {
  return (await lab.gateway.exec(['cat', '/cf/conf/config.xml'])).stdout
}

async function revisions(lab: Lab): Promise<string[]> {
  return (await lab.gateway.exec(['sh', '-c', 'ls /cf/conf/backup | grep "^config-" | sort'])).stdout.split('\n').filter(Boolean)
}

/** The aws node's SAs toward the gateway: established IKE SAs and their installed children. */
async function awsTunnels(lab: Lab) {
  const sas = (await lab.aws.listSas()).filter((s) => s.state === 'ESTABLISHED' && s.remoteHost === lab.gateway.publicIp)
  return sas.map((s) => ({ local: s.localHost, id: String(s.raw['uniqueid'] ?? ''), children: s.children.filter((c) => c.state === 'INSTALLED').length }))
}

const VERSIONS: readonly PfsenseVersion[] = ['2.7.0', '2.4.5_1']

describe.skipIf(g.skip).each(VERSIONS)('apply on pfSense %s', (version) => {
  let lab: Lab
  let dir: string
  let run: ReturnType<typeof cli>
  let ssh: string[]
  const t0 = Date.now()

  beforeAll(async () => {
    lab = await up({ gateway: 'pfsense', pfsenseVersion: version, existingConnection: true })
    dir = mkdtempSync(join(tmpdir(), 'tw-pf-'))
    writeFileSync(join(dir, 'key'), lab.gateway.ssh.privateKey!, { mode: 0o600 })
    writeFileSync(join(dir, 'known_hosts'), `${lab.gateway.ssh.knownHostsLine}\n`)
    // The aws node is policy-based (10.40.0.0/24 ↔ 192.168.50.0/24); pfSense's auto routing would pick VTI.
    writeFileSync(join(dir, 'details.json'), JSON.stringify({ ...lab.details(), routing: 'policy' }), { mode: 0o600 })
    chmodSync(join(dir, 'details.json'), 0o600)
    run = cli({ HOME: dir, TUNNELWRIGHT_HOME: join(dir, 'app') })
    ssh = ['--host', `${lab.gateway.ssh.username}@127.0.0.1:${lab.gateway.ssh.port}`, '--identity', join(dir, 'key'), '--known-hosts', join(dir, 'known_hosts')]
    process.stderr.write(`pfSense ${version} lab up in ${lab.upMs} ms\n`)
  })
  afterAll(async () => {
    await lab?.down()
    if (dir) rmSync(dir, { recursive: true, force: true })
    process.stderr.write(`pfSense ${version} suite: ${Date.now() - t0} ms\n`)
  })

  it('logs in as admin through its rc.initial shell (2.4 runs only the first word of an exec)', async () => {
    expect(lab.gateway.ssh.username).toBe('admin')
    const r = await sshRun(lab.gateway.ssh, 'echo tw-first-word-check')
    if (version.startsWith('2.4')) expect(r.stdout.trim()).toBe('')
    else expect(r.stdout.trim()).toBe('tw-first-word-check')
    // A one-word program with the script on stdin works on every version (what the app does).
    const s = await sshRun(lab.gateway.ssh, 'sh', 'cat /etc/version /etc/platform; id -u\n')
    expect(s.stdout.split('\n')).toEqual(expect.arrayContaining(['pfSense', '0']))
  })

  it('detects pfSense by /etc/version and /etc/platform (uname says Linux here)', async () => {
    const facts = await detectGateway({ shell: nodeShell(lab) })
    expect(facts.stack.kind).toBe('pfsense')
    expect(facts.stack.version).toBe(version.replace(/_.*$/, ''))
    expect(facts.os.family).toBe('freebsd')
    expect(facts.pfsenseVersion).toMatch(/-RELEASE/)
  })

  it('plan, apply, apply again (no-op), rollback byte-identical — through the CLI over SSH', async () => {
    const before = await configXml(lab)
    const revsBefore = await revisions(lab)
    expect(before).toContain('<descr><![CDATA[partner]]></descr>')

    const plan = await run('plan', '--details', join(dir, 'details.json'), ...ssh, '--json')
    expect(plan.code, plan.stderr).toBe(0)
    const planDoc = JSON.parse(plan.stdout)
    expect(planDoc.noop).toBe(false)
    expect(plan.stdout).not.toContain(lab.aws.psks[0])

    const started = Date.now()
    const apply = await run('apply', '--details', join(dir, 'details.json'), ...ssh, '--yes', '--json', '--confirm-within', '60')
    const applyMs = Date.now() - started
    expect(apply.code, apply.stderr + apply.stdout).toBe(0)
    expect(JSON.parse(apply.stdout).outcome).toBe('committed')
    expect(apply.stdout + apply.stderr).not.toContain(lab.aws.psks[0])
    expect(apply.stdout + apply.stderr).not.toContain(lab.aws.psks[1])
    process.stderr.write(`pfSense ${version}: apply committed in ${applyMs} ms\n`)

    // Both AWS tunnels: one IKE SA each with one CHILD SA, from the gateway's public IP.
    const tunnels = await awsTunnels(lab)
    expect(tunnels.map((t) => t.local).sort()).toEqual([...lab.aws.outsideIps].sort())
    expect(tunnels.every((t) => t.children === 1), JSON.stringify(tunnels)).toBe(true)
    expect(await ping(lab)).toBe(true)

    // pfSense's own record: a new revision (the previous config.xml saved in /cf/conf/backup), our entries
    // marked, the unrelated partner phase 1 still there and still up.
    const after = await configXml(lab)
    expect((await revisions(lab)).length).toBe(revsBefore.length + 1)
    expect(after).toMatch(/<description><!\[CDATA\[\(system\): IPsec: AWS tunnels .* set by Tunnelwright\]\]><\/description>/)
    expect(after.match(/\[tunnelwright:[a-z0-9-]+:t[12]\]/g)?.length).toBe(4)
    expect(after).toContain('<descr><![CDATA[partner]]></descr>')
    expect(after).not.toContain('<disabled>')
    const partnerUp = (await lab.peer2!.listSas()).some((s) => s.state === 'ESTABLISHED' && s.children.some((c) => c.state === 'INSTALLED'))
    expect(partnerUp).toBe(true)
    const swanctl = (await lab.gateway.exec(['cat', '/var/etc/ipsec/swanctl.conf'])).stdout
    expect(swanctl).toMatch(version.startsWith('2.4') ? /\bcon2000 \{/ : /\bcon2 \{/)

    // Second apply: nothing to do — no new revision, the same SAs (not bounced).
    const again = await run('apply', '--details', join(dir, 'details.json'), ...ssh, '--yes', '--json')
    expect(again.code, again.stderr).toBe(0)
    expect(JSON.parse(again.stdout).outcome).toBe('no-change')
    expect((await revisions(lab)).length).toBe(revsBefore.length + 1)
    expect(await configXml(lab)).toBe(after)
    expect((await awsTunnels(lab)).map((t) => t.id).sort()).toEqual(tunnels.map((t) => t.id).sort())

    // check: the pfSense branch reads pf (absent on Linux: unknown) and config.xml through real PHP.
    const check = await run('check', '--details', join(dir, 'details.json'), ...ssh, '--json')
    const checkDoc = JSON.parse(check.stdout) as { findings: { id: string; verdict: string; evidence: string[] }[] }
    expect(checkDoc.findings.find((f) => f.id === 'pfsense.vpnrules')).toMatchObject({ verdict: 'ok', evidence: ['<system><disablevpnrules/> is absent'] })
    expect(checkDoc.findings.find((f) => f.id === 'fw.sources')!.evidence.join(' ')).toContain('3 phase 1 entries')
    expect(checkDoc.findings.find((f) => f.id === `fw.inbound.udp500.${lab.aws.outsideIps[0]}`)?.verdict).toBe('unknown')
    expect(check.stdout).not.toContain(lab.aws.psks[0])

    // Rollback: config.xml byte for byte as before, our tunnels gone, the partner still up.
    const rb = await run('rollback', ...ssh, '--yes', '--json')
    expect(rb.code, rb.stderr + rb.stdout).toBe(0)
    expect(JSON.parse(rb.stdout).files).toContain('/cf/conf/config.xml')
    expect(await configXml(lab)).toBe(before)
    await expect.poll(async () => (await awsTunnels(lab)).length, { timeout: 20_000 }).toBe(0)
    expect((await lab.gateway.exec(['cat', '/var/etc/ipsec/swanctl.conf'])).stdout).not.toMatch(/remote_addrs = 198\.18\.1\./)
    expect((await lab.peer2!.listSas()).some((s) => s.state === 'ESTABLISHED')).toBe(true)
    const rb2 = await run('rollback', ...ssh)
    expect(rb2.code).toBe(EXIT.failed)
  })

  it('reverts on its own when not confirmed: config.xml restored, the stand-in apply re-run', async () => {
    const shell = nodeShell(lab)
    const details = Details.parse({ ...lab.details(), routing: 'policy' })
    const before = await configXml(lab)
    const change = await prepareChange({ shell: shell }, { details: details, sources: processSecretSources })
    expect(change.kind).toBe('pfsense')
    expect(change.plan.files.map((f) => f.path)).toEqual([expect.stringMatching(/^\/var\/db\/tunnelwright\/pfsense\/apply-[a-z0-9-]+\.php$/)])
    const r = await applyChange({ shell: shell }, change, { confirmWithin: 30, healthy: async () => false })
    expect(r.outcome, JSON.stringify(r)).toBe('reverted')
    expect(r.failedStep).toBe('health')
    expect(await configXml(lab)).toBe(before)
    await expect.poll(async () => (await awsTunnels(lab)).length, { timeout: 20_000 }).toBe(0)
    expect((await lab.gateway.exec(['test', '-e', change.plan.files[0]!.path])).code).not.toBe(0)
  })
})
