// Apply on a real strongSwan legacy (starter + ipsec.conf) gateway over real SSH, logged in as a sudo
// user: both tunnels up, ping through, the existing connection untouched, no-op second apply (same SPIs),
// rollback byte-identical (our include lines removed from ipsec.conf / ipsec.secrets again), files root
// 0600, the sudo password never in argv or logs, and starter's own parser catching a broken tree.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Details } from '../../main/core/details/model'
import { processSecretSources } from '../../main/core/details/resolve'
import type { SshSession } from '../../main/core/ssh/session'
import { applyChange, prepareChange, rollbackChange } from '../../main/core/workflow/change'
import { detectGateway } from '../../main/core/workflow/gateway'
import { up, type Lab } from '../lab'
import { labGate } from '../support/gate'
import { labSession, listConfigFiles, loadedConns, toFaultShell, toGatewayState, type FaultShell } from '../support/fault-gateway'

const g = labGate('apply on a starter gateway (lab)')

async function ping(lab: Lab): Promise<boolean> {
  for (let i = 0; i < 10; i++) if ((await lab.gateway.execLanHost(['ping', '-c', '1', '-W', '2', lab.aws.hostIp])).code === 0) return true
  return false
}

describe.skipIf(g.skip)('apply on a starter (ipsec.conf) gateway through sudo', () => {
  let lab: Lab
  let session: SshSession
  let shell: FaultShell
  let details: Details
  const dirs = ['/etc/ipsec.conf', '/etc/ipsec.secrets', '/etc/ipsec.d', '/etc/strongswan.d']

  beforeAll(async () => {
    lab = await up({ gateway: 'starter', login: 'sudo', existingConnection: true })
    session = await labSession(lab)
    shell = toFaultShell(session)
    details = Details.parse({ ...lab.details(), routing: 'policy' })
  })
  afterAll(async () => {
    await session?.close()
    await lab?.down()
  })

  it('applies through sudo, no-op again, rolls back byte-identical', async () => {
    const facts = await detectGateway({ shell: shell })
    // Both front ends are installed here (as on Debian with strongswan-starter + strongswan-swanctl);
    // starter is the one running, so detection picks the legacy front end.
    expect(facts.frontEnds.starter).toBe(true)
    expect(facts.stack.kind).toBe('strongswan-legacy')
    const paths = await listConfigFiles(lab, dirs)
    const before = await toGatewayState(lab, paths)
    expect(before.conns).toContain('partner')

    const change = await prepareChange({ shell: shell, facts }, { details: details, sources: processSecretSources })
    expect(change.plan.changes.map((c) => c.action)).toEqual(expect.arrayContaining(['create', 'append-line']))
    const result = await applyChange({ shell: shell }, change, { confirmWithin: 60 })
    expect(result.outcome, JSON.stringify(result)).toBe('committed')

    const sas = await lab.aws.listSas()
    // Policy-based: tunnel 1 up, tunnel 2 loaded (auto=add) and standing by with no SA.
    expect(sas.filter((s) => s.state === 'ESTABLISHED').map((s) => s.localHost)).toEqual([lab.aws.outsideIps[0]])
    for (const sa of sas) expect(sa.children.map((c) => c.state), sa.name).toEqual(['INSTALLED'])
    expect(await ping(lab)).toBe(true)
    expect(await loadedConns(lab)).toEqual(expect.arrayContaining(['partner', ...change.rendered.connectionNames]))
    expect((await lab.peer2!.listSas()).some((s) => s.state === 'ESTABLISHED')).toBe(true)

    // Our files are root's, the secrets 0600; the sudo password never reached a command line or a log.
    for (const f of change.rendered.files) {
      const st = (await lab.gateway.exec(['stat', '-c', '%U %a', f.path])).stdout.trim()
      expect(st, f.path).toBe(`root ${f.mode.toString(8)}`)
    }
    expect(change.rendered.files.find((f) => f.secret)?.mode).toBe(0o600)
    const pw = lab.gateway.ssh.sudoPassword!
    const leaks = await lab.gateway.exec(['sh', '-c', 'grep -rlF -- "$1" /var/log /var/lib/tunnelwright /etc/ipsec.d /tmp 2>/dev/null; true', 'sh', pw])
    expect(leaks.stdout.trim()).toBe('')
    expect(JSON.stringify(result)).not.toContain(pw)

    const spis = (list: Awaited<ReturnType<Lab['aws']['listSas']>>) => list.map((s) => `${s.raw['initiator-spi']}/${s.children.map((c) => c.raw['spi-in']).join(',')}`).sort()
    const spisBefore = spis(sas)
    const again = await prepareChange({ shell: shell, facts }, { details: details, sources: processSecretSources })
    expect(again.plan.noop).toBe(true)
    expect((await applyChange({ shell: shell }, again)).outcome).toBe('no-change')
    expect(spis(await lab.aws.listSas())).toEqual(spisBefore)

    const rb = await rollbackChange({ shell: shell, facts })
    expect(rb.files).toEqual(expect.arrayContaining(['/etc/ipsec.conf', '/etc/ipsec.secrets']))
    const after = await toGatewayState(lab, paths)
    expect(after.files).toEqual(before.files)
    expect(await listConfigFiles(lab, dirs)).toEqual(paths)
    expect(after.conns).toEqual(before.conns)
    // The removed conns' SAs are gone too (starter alone leaves them up until they expire), on both
    // sides; the user's own connection to peer2 is untouched.
    expect((await lab.gateway.exec(['ipsec', 'status'])).stdout).not.toMatch(new RegExp(`^ +(${change.rendered.connectionNames.join('|')})[[{]`, 'm'))
    await expect.poll(async () => (await lab.aws.listSas()).filter((s) => s.state === 'ESTABLISHED').length, { timeout: 10_000 }).toBe(0)
    expect((await lab.peer2!.listSas()).some((s) => s.state === 'ESTABLISHED')).toBe(true)
  })

  it("refuses to start on a tree starter itself rejects, naming the step, the cause and the fix", async () => {
    // A user's own include with an unknown keyword: starter would silently re-add that conn with the
    // option at its default on reload. The real starter's parser (private mount namespace) catches it.
    await lab.gateway.writeFile('/etc/ipsec.d/user-extra.conf', 'conn user-extra\n  right=198.18.9.9\n  dpddely=10\n  auto=add\n')
    await lab.gateway.exec(['sh', '-c', 'echo "include /etc/ipsec.d/user-extra.conf" >> /etc/ipsec.conf'])
    const facts = await detectGateway({ shell: shell })
    const paths = await listConfigFiles(lab, dirs)
    const before = await toGatewayState(lab, paths)
    const change = await prepareChange({ shell: shell, facts }, { details: details, sources: processSecretSources })
    const t0 = Date.now()
    const result = await applyChange({ shell: shell }, change, { confirmWithin: 60 })
    expect(result.outcome, JSON.stringify(result)).toBe('rolled-back')
    expect(result.failedStep).toBe('prevalidate')
    expect(result.detail).toContain("unknown keyword 'dpddely'")
    expect(result.fix).toMatch(/\S/)
    expect(Date.now() - t0).toBeLessThan(10_000)
    expect(await toGatewayState(lab, paths)).toEqual(before)
  })
})
