// The lab proves itself on a legacy strongSwan (starter/ipsec.conf) gateway reached as a sudo user with a
// password and without sftp: a hand-written correct ipsec.conf brings both tunnels up, pings pass, and
// the existing connection survives `ipsec update`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { labGate } from '../support/gate'
import { type Lab, up } from '../../test/lab/index'
import { referenceIpsecConf, referenceIpsecSecrets } from '../../test/lab/reference'
import { sshConnect, sshExec, sshRun } from '../../test/lab/ssh-client'

const g = labGate('lab self-test: starter gateway')

async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

describe.skipIf(g.skip)('lab: starter gateway, sudo user, password, no sftp', () => {
  let lab: Lab
  beforeAll(async () => {
    lab = await up({ gateway: 'starter', existingConnection: true, login: 'sudo', auth: 'password', sftp: false })
  })
  afterAll(async () => {
    await lab?.down()
  })

  it('logs in as a non-root user whose sudo needs the password', async () => {
    const s = lab.gateway.ssh
    expect(s.username).not.toBe('root')
    expect(s.privateKey).toBeUndefined()
    const who = await sshRun(s, 'id -un; sudo -n true 2>&1; echo rc=$?')
    expect(who.stdout).toContain(s.username)
    expect(who.stdout).toMatch(/password is required|a password is required/)
    const withPw = await sshRun(s, "sudo -S -p '' ipsec statusall", `${s.sudoPassword}\n`)
    expect(withPw.code, withPw.stderr).toBe(0)
    expect(withPw.stdout).toContain('partner')
  })

  it('refuses root logins and has no sftp subsystem', async () => {
    await expect(sshRun({ ...lab.gateway.ssh, username: 'root' }, 'true')).rejects.toThrow()
    const c = await sshConnect(lab.gateway.ssh)
    try {
      await expect(new Promise((resolve, reject) => c.sftp((err, sftp) => (err ? reject(err) : resolve(sftp))))).rejects.toThrow()
      expect((await sshExec(c, 'true')).code).toBe(0)
    } finally {
      c.end()
    }
  })

  it('brings both tunnels up from a hand-written ipsec.conf; pings pass; the existing connection survives', async () => {
    const conf = await lab.gateway.readFile('/etc/ipsec.conf')
    const secrets = await lab.gateway.readFile('/etc/ipsec.secrets')
    await lab.gateway.writeFile('/etc/ipsec.conf', conf + '\n' + referenceIpsecConf(lab))
    await lab.gateway.writeFile('/etc/ipsec.secrets', secrets + referenceIpsecSecrets(lab), 0o600)
    expect((await lab.gateway.exec(['ipsec', 'rereadsecrets'])).code).toBe(0)
    expect((await lab.gateway.exec(['ipsec', 'update'])).code).toBe(0)
    await until('both tunnels', async () => {
      const sas = await lab.gateway.listSas()
      return ['aws-tun1', 'aws-tun2'].every((n) => sas.some((s) => s.name === n && s.state === 'ESTABLISHED' && s.children.some((c) => c.state === 'INSTALLED')))
    })
    const status = await lab.gateway.exec(['ipsec', 'statusall'])
    expect(status.stdout).toMatch(/aws-tun1\{\d+\}:\s+INSTALLED, TUNNEL/)
    const ping = await lab.gateway.execLanHost(['ping', '-c', '3', '-i', '0.2', '-W', '2', lab.aws.hostIp])
    expect(ping.code, ping.stdout).toBe(0)
    const back = await lab.aws.execHost(['ping', '-c', '2', '-i', '0.2', '-W', '2', lab.gateway.lanHostIp])
    expect(back.code, back.stdout).toBe(0)
    const partner = (await lab.gateway.listSas()).find((s) => s.name === 'partner')
    expect(partner?.state).toBe('ESTABLISHED')
    expect(partner?.children[0]?.state).toBe('INSTALLED')
    expect(lab.details().gateway.kind).toBe('strongswan-legacy')
  })
})
