// The CLI's gateway commands over real SSH into a lab gateway: exit codes for host keys and auth,
// plan, apply with confirm-or-revert, idempotence, check, rollback.
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EXIT, runCli } from '../../main/cli/index'
import { up, type Lab } from '../lab'
import { labGate } from '../support/gate'

const g = labGate('CLI against a lab gateway')

function cli(env: Record<string, string>) {
  return async (...argv: string[]) => {
    const out = { stdout: '', stderr: '' }
    const code = await runCli(argv, { stdout: (t) => void (out.stdout += t), stderr: (t) => void (out.stderr += t), env })
    return { code, ...out }
  }
}

describe.skipIf(g.skip)('tunnelwright plan / apply / check / rollback', () => {
  let lab: Lab
  let dir: string
  let run: ReturnType<typeof cli>
  let ssh: string[]

  beforeAll(async () => {
    lab = await up({ gateway: 'swanctl' })
    dir = mkdtempSync(join(tmpdir(), 'tw-cli-'))
    writeFileSync(join(dir, 'key'), lab.gateway.ssh.privateKey!, { mode: 0o600 })
    writeFileSync(join(dir, 'known_hosts'), `${lab.gateway.ssh.knownHostsLine}\n`)
    writeFileSync(join(dir, 'details.json'), JSON.stringify({ ...lab.details(), routing: 'policy' }), { mode: 0o600 })
    chmodSync(join(dir, 'details.json'), 0o600)
    run = cli({ HOME: dir, TUNNELWRIGHT_HOME: join(dir, 'app') })
    ssh = ['--host', `${lab.gateway.ssh.username}@127.0.0.1:${lab.gateway.ssh.port}`, '--identity', join(dir, 'key')]
  })
  afterAll(async () => {
    await lab?.down()
  })

  it('refuses an unknown host key with exit 3 and shows its fingerprint', async () => {
    const r = await run('plan', '--details', join(dir, 'details.json'), ...ssh)
    expect(r.code, r.stderr).toBe(EXIT.hostKey)
    expect(r.stderr).toContain(lab.gateway.ssh.hostKeySha256)
  })

  it('refuses a changed host key with exit 3 even with --accept-new-host-key', async () => {
    const [host] = lab.gateway.ssh.knownHostsLine.split(' ')
    writeFileSync(join(dir, 'wrong_known_hosts'), `${host} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBq5bqsYlIiEGa+mmAbGjjEpH2iXwP0NhnEKGdyTKdJF\n`)
    const r = await run('plan', '--details', join(dir, 'details.json'), ...ssh, '--known-hosts', join(dir, 'wrong_known_hosts'), '--accept-new-host-key')
    expect(r.code, r.stderr).toBe(EXIT.hostKey)
  })

  it('exits 4 when authentication fails', async () => {
    writeFileSync(join(dir, 'other-key'), lab.aws.psks[0]) // not a key at all
    const r = await run('plan', '--details', join(dir, 'details.json'), '--host', `${lab.gateway.ssh.username}@127.0.0.1:${lab.gateway.ssh.port}`, '--identity', join(dir, 'other-key'), '--known-hosts', join(dir, 'known_hosts'))
    expect(r.code, r.stderr).toBe(EXIT.connect)
    expect(r.stderr).not.toContain(lab.aws.psks[0])
  })

  it('plan, apply, apply again, check, rollback', async () => {
    const kh = ['--known-hosts', join(dir, 'known_hosts')]
    const plan = await run('plan', '--details', join(dir, 'details.json'), ...ssh, ...kh, '--json')
    expect(plan.code, plan.stderr).toBe(0)
    const planDoc = JSON.parse(plan.stdout)
    expect(planDoc.format).toBe('tunnelwright/plan@1')
    expect(planDoc.noop).toBe(false)
    expect(plan.stdout).not.toContain(lab.aws.psks[0])

    const noYes = await run('apply', '--details', join(dir, 'details.json'), ...ssh, ...kh)
    expect(noYes.code).toBe(EXIT.usage)

    const apply = await run('apply', '--details', join(dir, 'details.json'), ...ssh, ...kh, '--yes', '--json', '--confirm-within', '60')
    expect(apply.code, apply.stderr).toBe(0)
    const doc = JSON.parse(apply.stdout)
    expect(doc.outcome).toBe('committed')
    expect(apply.stdout + apply.stderr).not.toContain(lab.aws.psks[0])
    // Policy-based (this kernel has no XFRM interfaces): tunnel 1 up, tunnel 2 standing by.
    expect((await lab.aws.listSas()).filter((s) => s.state === 'ESTABLISHED').map((s) => s.localHost)).toEqual([lab.aws.outsideIps[0]])

    const again = await run('apply', '--details', join(dir, 'details.json'), ...ssh, ...kh, '--yes', '--json')
    expect(JSON.parse(again.stdout).outcome).toBe('no-change')

    const check = await run('check', '--details', join(dir, 'details.json'), ...ssh, ...kh, '--json')
    const checkDoc = JSON.parse(check.stdout)
    expect(checkDoc.format).toBe('tunnelwright/check@1')
    expect(checkDoc.findings.length).toBeGreaterThan(0)
    // A clean lab gateway (no host firewall, forwarding on) has no errors: no false alarms.
    const errors = checkDoc.findings.filter((f: { severity: string }) => f.severity === 'error')
    expect(errors, JSON.stringify(errors, null, 1)).toEqual([])
    expect(check.code).toBe(0)
    for (const peer of lab.aws.outsideIps) {
      for (const flow of ['udp500', 'esp']) expect(checkDoc.findings.find((f: { id: string }) => f.id === `fw.inbound.${flow}.${peer}`)?.verdict).toBe('allowed')
    }
    process.stderr.write(`check findings on a clean lab gateway: ${checkDoc.findings.map((f: { id: string; severity: string }) => `${f.id}=${f.severity}`).join(' ')}\n`)

    const rb = await run('rollback', ...ssh, ...kh, '--yes', '--json')
    expect(rb.code, rb.stderr).toBe(0)
    expect(JSON.parse(rb.stdout).files.length).toBeGreaterThan(0)
    const rb2 = await run('rollback', ...ssh, ...kh)
    expect(rb2.code).toBe(EXIT.failed)
  })
})

describe.skipIf(g.skip)('tunnelwright status', () => {
  let lab: Lab
  let dir: string
  let ssh: string[]

  beforeAll(async () => {
    lab = await up({ gateway: 'swanctl' })
    dir = mkdtempSync(join(tmpdir(), 'tw-status-'))
    writeFileSync(join(dir, 'key'), lab.gateway.ssh.privateKey!, { mode: 0o600 })
    writeFileSync(join(dir, 'known_hosts'), `${lab.gateway.ssh.knownHostsLine}\n`)
    writeFileSync(join(dir, 'details.json'), JSON.stringify({ ...lab.details(), routing: 'policy' }), { mode: 0o600 })
    ssh = ['--host', `${lab.gateway.ssh.username}@127.0.0.1:${lab.gateway.ssh.port}`, '--identity', join(dir, 'key'), '--known-hosts', join(dir, 'known_hosts')]
  })
  afterAll(async () => {
    await lab?.down()
  })

  it('reports both tunnels down before apply (exit 1), tunnel 1 up and tunnel 2 standing by after (exit 0), and streams AWS taking tunnel 1 down and the failover', async () => {
    const run = cli({ HOME: dir, TUNNELWRIGHT_HOME: join(dir, 'app') })
    const down = await run('status', '--details', join(dir, 'details.json'), ...ssh, '--json')
    expect(down.code, down.stderr).toBe(EXIT.failed)
    const downDoc = JSON.parse(down.stdout)
    expect(downDoc.format).toBe('tunnelwright/status@1')
    expect(downDoc.tunnels.map((t: { health: { verdict: string } }) => t.health.verdict)).toEqual(['down', 'down'])

    expect((await run('apply', '--details', join(dir, 'details.json'), ...ssh, '--yes', '--json')).code).toBe(0)
    const upNow = await run('status', '--details', join(dir, 'details.json'), ...ssh, '--json')
    expect(upNow.code, upNow.stdout).toBe(0)
    const upDoc = JSON.parse(upNow.stdout)
    expect(upDoc.tunnels.map((t: { peer: string; ikeState: string; childState: string; health: { verdict: string } }) => [t.peer, t.ikeState, t.childState, t.health.verdict])).toEqual([
      [lab.aws.outsideIps[0], 'ESTABLISHED', 'INSTALLED', 'healthy'],
      [lab.aws.outsideIps[1], 'NONE', 'NONE', 'standby'],
    ])

    // --watch: NDJSON; AWS takes tunnel 1 down and the change arrives as a line.
    const stop = new AbortController()
    const lines: { tunnels: { peer: string; ikeState: string; health: { verdict: string } }[]; mode: string; alerts: { kind: string; peer: string }[] }[] = []
    let buf = ''
    let resolveDown: () => void = () => undefined
    const sawDown = new Promise<void>((r) => (resolveDown = r))
    let resolveOver: () => void = () => undefined
    const sawOver = new Promise<void>((r) => (resolveOver = r))
    const watching = runCli(['status', '--details', join(dir, 'details.json'), ...ssh, '--watch', '--json'], {
      stdout: (t) => {
        buf += t
        let i
        while ((i = buf.indexOf('\n')) >= 0) {
          const doc = JSON.parse(buf.slice(0, i))
          buf = buf.slice(i + 1)
          lines.push(doc)
          if (doc.alerts.some((a: { kind: string }) => a.kind === 'tunnel-down')) resolveDown()
          if (doc.alerts.some((a: { kind: string; peer: string }) => a.kind === 'tunnel-up' && a.peer === lab.aws.outsideIps[1])) resolveOver()
        }
      },
      stderr: () => undefined,
      env: { HOME: dir, TUNNELWRIGHT_HOME: join(dir, 'app') },
      signal: stop.signal,
    })
    await expect.poll(() => lines.length, { timeout: 20_000 }).toBeGreaterThan(0)
    expect(lines[0]!.mode).toBe('events')
    await lab.aws.tunnelDown(0)
    await Promise.race([sawDown, new Promise((_, rej) => setTimeout(() => rej(new Error(`no tunnel-down line; got ${JSON.stringify(lines)}`)), 30_000))])
    // The gateway fails over by itself (keepup.sh): tunnel 2 up is a line with its tunnel-up alert.
    await Promise.race([sawOver, new Promise((_, rej) => setTimeout(() => rej(new Error(`no failover line; got ${JSON.stringify(lines)}`)), 60_000))])
    stop.abort()
    expect(await watching).toBe(0)
    const last = lines[lines.length - 1]!
    expect(last.tunnels.map((t) => [t.peer, t.health.verdict])).toEqual([
      [lab.aws.outsideIps[0], 'standby'],
      [lab.aws.outsideIps[1], 'healthy'],
    ])
    // Standing by after a failover raised no second tunnel-down: one outage, one recovery.
    expect(lines.flatMap((l) => l.alerts.filter((a) => a.kind === 'tunnel-down'))).toHaveLength(1)
  })
})
