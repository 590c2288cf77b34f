// The two faces, one core: the same scenario through the CLI (runCli) and through the Electron shell's
// services (the IPC handler table, as the window calls it) against one real lab gateway. Both must refuse
// lint-blocked details before anything reaches the gateway, decide routing the same way from the same
// facts, plan the same changes, commit the same way, and write their change records into the one store
// the app reads.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EXIT, runCli } from '../../main/cli/index'
import { toDraftWithoutPsks } from '../../main/core/app-data/profiles'
import { Details } from '../../main/core/details/model'
import { createHandlers, type HandlerTable } from '../../main/shell/ipc/handlers'
import { createShellServices } from '../../main/shell/services'
import type { PlanDto, ProfileId } from '../../preload/api'
import { createTestEncryptor } from '../e2e/bridge'
import { up, type Lab } from '../lab'
import { labGate } from '../support/gate'

const g = labGate('face parity: CLI and shell over one core')

describe.skipIf(g.skip)('the CLI and the app are two faces of one core', () => {
  let lab: Lab
  let dir: string
  let home: string
  let table: HandlerTable
  let profileId: ProfileId
  let ssh: string[]
  const cli = async (...argv: string[]) => {
    const out = { stdout: '', stderr: '' }
    const code = await runCli(argv, { stdout: (t) => void (out.stdout += t), stderr: (t) => void (out.stderr += t), env: { HOME: dir, TUNNELWRIGHT_HOME: home } })
    return { code, ...out }
  }
  /** What our connections on the gateway look like now (proof that nothing was sent). */
  const ours = async () => (await lab.gateway.exec(['sh', '-c', 'ls /etc/swanctl/conf.d 2>/dev/null; ls /var/lib/tunnelwright 2>/dev/null'])).stdout

  beforeAll(async () => {
    lab = await up({ gateway: 'swanctl' })
    dir = mkdtempSync(join(tmpdir(), 'tw-parity-'))
    // The app's data folder is <app folder>/data, the one the CLI finds through TUNNELWRIGHT_HOME.
    home = join(dir, 'app')
    writeFileSync(join(dir, 'key'), lab.gateway.ssh.privateKey!, { mode: 0o600 })
    writeFileSync(join(dir, 'known_hosts'), `${lab.gateway.ssh.knownHostsLine}\n`)
    // routing "auto": both faces must decide it from the gateway's kernel (this lab kernel has no XFRM/VTI: policy).
    writeFileSync(join(dir, 'details.json'), JSON.stringify(lab.details()), { mode: 0o600 })
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ ...lab.details(), crypto: { ...lab.details().crypto, encryption: '3des', integrity: 'md5', dhGroup: 2, pfsGroup: 2 } }), { mode: 0o600 })
    ssh = ['--host', `${lab.gateway.ssh.username}@127.0.0.1:${lab.gateway.ssh.port}`, '--identity', join(dir, 'key'), '--known-hosts', join(dir, 'known_hosts')]
    const services = createShellServices({ dataDir: join(home, 'data'), encryptor: createTestEncryptor(), emit: () => undefined, chooseSavePath: async () => undefined, user: 'parity', userKnownHosts: join(dir, 'known_hosts') })
    table = createHandlers(services)
    const d = Details.parse(lab.details())
    const p = await table.saveProfile.run({ name: d.name, details: toDraftWithoutPsks(d), connection: { host: '127.0.0.1', port: lab.gateway.ssh.port, username: lab.gateway.ssh.username, auth: 'key', privateKeyPath: join(dir, 'key'), useSudo: false } })
    profileId = p.id
    for (const [i, slot] of (['psk1', 'psk2'] as const).entries()) await table.setSecret.run({ profileId, slot, value: lab.aws.psks[i]! })
    const c = await table.connectGateway.run({ profileId })
    expect(c.status).toBe('connected')
  })
  afterAll(async () => {
    await lab?.down()
  })

  it('both refuse lint-blocked details before anything reaches the gateway', async () => {
    const before = await ours()
    const r = await cli('apply', '--details', join(dir, 'bad.json'), ...ssh, '--yes', '--json')
    expect(r.code).toBe(EXIT.failed)
    expect(JSON.parse(r.stdout).error.code).toBe('details-lint-errors')
    // The app: the same details in the profile; planning (the step before apply) is refused by the same gate.
    const good = await table.getProfile.run(profileId)
    await table.saveProfile.run({ id: profileId, name: good.name, details: { ...good.details, crypto: { ...good.details.crypto, encryption: '3des', integrity: 'md5', dhGroup: 2, pfsGroup: 2 } }, connection: good.connection })
    await expect(table.planChange.run({ profileId })).rejects.toMatchObject({ code: 'details-lint-errors' })
    await table.saveProfile.run({ id: profileId, name: good.name, details: good.details, connection: good.connection })
    expect(await ours()).toBe(before)
  })

  it('both decide routing from the same facts and plan the same changes', async () => {
    const cliPlan = await cli('plan', '--details', join(dir, 'details.json'), ...ssh, '--json')
    expect(cliPlan.code, cliPlan.stderr).toBe(0)
    const c = JSON.parse(cliPlan.stdout)
    const a: PlanDto = await table.planChange.run({ profileId })
    expect({ routing: a.routing, basis: a.routingBasis, tunnels: a.tunnels, kind: a.kind }).toEqual({ routing: c.routing, basis: c.routingBasis, tunnels: c.tunnels, kind: c.kind })
    expect(a.routingBasis).toBe('gateway')
    expect(a.changes.map((x) => [x.path, x.action, x.secret])).toEqual(c.changes.map((x: { path: string; action: string; secret: boolean }) => [x.path, x.action, x.secret]))
  })

  it('both commit, check again after, and write their change records into the one store the app lists', async () => {
    const viaCli = await cli('apply', '--details', join(dir, 'details.json'), ...ssh, '--yes', '--json', '--reason', 'parity: cli')
    expect(viaCli.code, viaCli.stderr).toBe(0)
    const c = JSON.parse(viaCli.stdout)
    expect(c.outcome).toBe('committed')
    expect(c.checksAfter.length).toBeGreaterThan(0)
    expect(c.recordId).toMatch(/^r-/)
    const rb = await cli('rollback', ...ssh, '--yes', '--json')
    expect(rb.code, rb.stderr).toBe(0)

    const plan = await table.planChange.run({ profileId })
    const viaApp = await table.applyChange.run({ planId: plan.planId, reason: 'parity: app' })
    expect(viaApp.outcome).toBe(c.outcome)
    expect(viaApp.recordId).toMatch(/^r-/)

    const records = await table.listChangeRecords.run({})
    expect(records.map((r) => [r.action, r.via, r.outcome])).toEqual([
      ['apply', 'app', 'committed'],
      ['rollback', 'cli', 'rolled-back'],
      ['apply', 'cli', 'committed'],
    ])
    expect(records[0]!.profileId).toBe(profileId)
    expect(records[2]!.profileId).toBeUndefined()
    expect(readdirSync(join(home, 'data', 'records'))).toHaveLength(3)
    // Both applies carry the check after the change; no record holds a PSK.
    for (const r of readdirSync(join(home, 'data', 'records'))) {
      const text = readFileSync(join(home, 'data', 'records', r), 'utf8')
      for (const psk of lab.aws.psks) expect(text).not.toContain(psk)
      const rec = JSON.parse(text) as { action: string; checksAfter?: unknown[] }
      if (rec.action === 'apply') expect(rec.checksAfter?.length).toBeGreaterThan(0)
    }
  })
})
