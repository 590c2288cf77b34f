// The lab proves itself on a swanctl gateway: SSH through the relay reaches that node's charon, a
// hand-written correct config brings both AWS tunnels up, LAN ↔ dedicated-subnet pings pass, the
// unrelated existing connection survives, and the aws node's tunnel helpers do what AWS does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { labGate } from '../support/gate'
import { type Lab, up } from '../../test/lab/index'
import { referenceSwanctlConf } from '../../test/lab/reference'
import { sshRun } from '../../test/lab/ssh-client'
import { Details } from '../../main/core/details/model'

const g = labGate('lab self-test: swanctl gateway')

const established = (lab: Lab, names: readonly string[]) => async () => {
  const sas = await lab.gateway.listSas()
  return names.every((n) => sas.some((s) => s.name === n && s.state === 'ESTABLISHED' && s.children.some((c) => c.state === 'INSTALLED')))
}

async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

describe.skipIf(g.skip)('lab: swanctl gateway + aws node + relay', () => {
  let lab: Lab

  beforeAll(async () => {
    lab = await up({ gateway: 'swanctl', existingConnection: true })
  })
  afterAll(async () => {
    await lab?.down()
  })

  it('reaches the gateway over SSH with the pinned host key, and swanctl there talks to that node’s charon', async () => {
    const r = await sshRun(lab.gateway.ssh, 'swanctl --list-conns --raw; id -u')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('partner {') // the existing connection, loaded only in this node
    expect(r.stdout).not.toContain('tunnel1') // the aws node's connections are not visible here
    expect(r.stdout.trim().endsWith('0')).toBe(true)
    expect(lab.gateway.ssh.knownHostsLine).toMatch(/^\[127\.0\.0\.1\]:\d+ ssh-ed25519 AAAA/)
  })

  it('rejects a connection whose host key does not match', async () => {
    await expect(sshRun({ ...lab.gateway.ssh, hostKeySha256: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }, 'true')).rejects.toThrow()
  })

  it('starts with the existing partner connection up and nothing towards aws', async () => {
    const sas = await lab.gateway.listSas()
    expect(sas.map((s) => s.name)).toEqual(['partner'])
    expect(await lab.aws.listSas()).toEqual([])
    const peer = await lab.peer2!.listSas()
    expect(peer[0]?.state).toBe('ESTABLISHED')
  })

  it('brings both tunnels up from a hand-written correct config, and pings pass both ways', async () => {
    await lab.gateway.writeFile('/etc/swanctl/conf.d/aws.conf', referenceSwanctlConf(lab), 0o600)
    const load = await lab.gateway.exec(['swanctl', '--load-all', '--noprompt'])
    expect(load.code).toBe(0)
    await until('both tunnels', established(lab, ['aws-tun1', 'aws-tun2']))

    const awsSas = await lab.aws.listSas()
    expect(awsSas.map((s) => s.name).sort()).toEqual(['tunnel1', 'tunnel2'])
    for (const s of awsSas) {
      expect(s.version).toBe(1)
      expect(s.remoteId).toBe(lab.gateway.publicIp)
      expect(s.raw['dh-group']).toBe('MODP_2048')
      expect(s.children[0]?.localTs).toEqual([lab.aws.dedicatedCidr])
      expect(s.children[0]?.remoteTs).toEqual([lab.gateway.lanCidr])
    }

    const out = await lab.gateway.execLanHost(['ping', '-c', '3', '-i', '0.2', '-W', '2', lab.aws.hostIp])
    expect(out.code, out.stdout + out.stderr).toBe(0)
    const back = await lab.aws.execHost(['ping', '-c', '3', '-i', '0.2', '-W', '2', lab.gateway.lanHostIp])
    expect(back.code, back.stdout + back.stderr).toBe(0)
    const bytes = (await lab.aws.listSas()).flatMap((s) => s.children).reduce((n, c) => n + c.bytesIn, 0)
    expect(bytes).toBeGreaterThan(0)
  })

  it('keeps the existing connection up while the aws tunnels were added', async () => {
    const sas = await lab.gateway.listSas()
    const partner = sas.find((s) => s.name === 'partner')
    expect(partner?.state).toBe('ESTABLISHED')
    expect(partner?.children[0]?.state).toBe('INSTALLED')
  })

  it('tunnelDown deletes one tunnel and refuses it; the other keeps carrying traffic; tunnelUp lets it back', async () => {
    await lab.aws.tunnelDown(0)
    await until('aws-tun1 gone on aws', async () => !(await lab.aws.listSas()).some((s) => s.name === 'tunnel1' && s.state === 'ESTABLISHED'))
    // The gateway re-initiates (close_action=start) but aws refuses while the tunnel is down.
    const awsNow = await lab.aws.listSas()
    expect(awsNow.some((s) => s.name === 'tunnel2' && s.state === 'ESTABLISHED')).toBe(true)
    const ping = await lab.gateway.execLanHost(['ping', '-c', '2', '-i', '0.2', '-W', '2', lab.aws.hostIp])
    expect(ping.code, ping.stdout).toBe(0)

    await lab.aws.tunnelUp(0)
    await lab.gateway.exec(['swanctl', '--initiate', '--child', 'aws-tun1', '--timeout', '10'])
    await until('aws-tun1 back', established(lab, ['aws-tun1', 'aws-tun2']))
  })

  it('restart() drops every SA on the aws side without telling the gateway', async () => {
    await lab.aws.restart()
    expect(await lab.aws.listSas()).toEqual([])
    // No DELETE was sent: the gateway still believes both tunnels are up (DPD would find out in 30 s).
    const gw = await lab.gateway.listSas()
    expect(gw.filter((s) => s.name.startsWith('aws-tun') && s.state === 'ESTABLISHED')).toHaveLength(2)
    // A re-initiation from the gateway brings them back: aws never initiates.
    await lab.gateway.exec(['swanctl', '--terminate', '--ike', 'aws-tun1', '--force'])
    await lab.gateway.exec(['swanctl', '--terminate', '--ike', 'aws-tun2', '--force'])
    await lab.gateway.exec(['swanctl', '--initiate', '--child', 'aws-tun1', '--timeout', '10'])
    await lab.gateway.exec(['swanctl', '--initiate', '--child', 'aws-tun2', '--timeout', '10'])
    await until('both tunnels after restart', established(lab, ['aws-tun1', 'aws-tun2']))
  })

  it('describes itself as a valid details@1 document', () => {
    const d = Details.parse(lab.details())
    expect(d.gateway.kind).toBe('strongswan')
    expect(d.remote.tunnels.map((t) => t.outsideIp)).toEqual([...lab.aws.outsideIps])
    expect(d.remote.tunnels.map((t) => t.psk)).toEqual([...lab.aws.psks])
    expect(d.gateway.localAddress).toBeUndefined()
  })
})
