// The lab proves itself on a Libreswan 4.10 gateway (unpacked, not installed): the node looks like a
// Libreswan box (no strongSwan binaries), Libreswan's own validators run for real, and pluto negotiates
// an IKEv1 IKE SA with the aws node. No CHILD SA: this kernel has no ESP and pluto has no user-space ESP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { labGate } from '../support/gate'
import { type Lab, up } from '../../test/lab/index'
import { sshRun } from '../../test/lab/ssh-client'

const g = labGate('lab self-test: libreswan gateway')

describe.skipIf(g.skip)('lab: libreswan gateway', () => {
  let lab: Lab
  beforeAll(async () => {
    lab = await up({ gateway: 'libreswan', existingConnection: true })
  })
  afterAll(async () => {
    await lab?.down()
  })

  it('looks like a Libreswan box over SSH', async () => {
    const r = await sshRun(lab.gateway.ssh, 'ipsec --version; command -v swanctl || echo no-swanctl; systemctl is-active ipsec')
    expect(r.stdout).toMatch(/Libreswan 4\.\d+/)
    expect(r.stdout).toContain('no-swanctl')
    expect(r.stdout).toContain('active')
  })

  it('runs Libreswan’s validators for real', async () => {
    const ok = await lab.gateway.exec(['ipsec', 'algparse', '-v1', 'ike=aes128-sha2_256;modp2048'])
    expect(ok.code).toBe(0)
    expect(ok.stdout).toContain('AES_CBC_128-HMAC_SHA2_256-MODP2048')
    const bad = await lab.gateway.exec(['ipsec', 'algparse', '-v1', 'ike=aes128-sha999;modp2048'])
    expect(bad.code).not.toBe(0)
    await lab.gateway.writeFile('/tmp/bad.conf', 'config setup\nconn x\n    dpddely=10\n')
    const check = await lab.gateway.exec(['ipsec', 'addconn', '--checkconfig', '--config', '/tmp/bad.conf'])
    expect(check.code).toBe(3)
    expect(check.stderr + check.stdout).toContain('dpddely')
  })

  it('negotiates an IKEv1 IKE SA with the aws node (CHILD SA install fails: no kernel ESP)', async () => {
    await lab.gateway.writeFile('/etc/ipsec.conf', 'config setup\n    ikev1-policy=accept\n    logfile=/var/log/pluto.log\ninclude /etc/ipsec.d/*.conf\n')
    await lab.gateway.writeFile(
      '/etc/ipsec.d/aws.conf',
      `conn aws-tun1
    ikev2=no
    authby=secret
    left=${lab.gateway.wanIp}
    leftid=${lab.gateway.publicIp}
    leftsubnet=${lab.gateway.lanCidr}
    right=${lab.aws.outsideIps[0]}
    rightid=${lab.aws.outsideIps[0]}
    rightsubnet=${lab.aws.dedicatedCidr}
    ike=aes256-sha2_256;modp2048
    esp=aes256-sha2_256;modp2048
    ikelifetime=8h
    salifetime=1h
    dpddelay=10
    dpdtimeout=30
    dpdaction=restart
    auto=add
`,
    )
    await lab.gateway.writeFile('/etc/ipsec.d/aws.secrets', `${lab.gateway.publicIp} ${lab.aws.outsideIps[0]} : PSK "${lab.aws.psks[0]}"\n`, 0o600)
    expect((await lab.gateway.exec(['ipsec', 'addconn', '--checkconfig', '--config', '/etc/ipsec.conf'])).code).toBe(0)
    const restart = await lab.gateway.exec(['systemctl', 'restart', 'ipsec'])
    expect(restart.code, restart.stderr).toBe(0)
    const upOut = await lab.gateway.exec(['ipsec', 'auto', '--up', 'aws-tun1'], { timeoutMs: 30_000 })
    expect(upOut.stdout).toMatch(/IKE SA established \{auth=PRESHARED_KEY cipher=AES_CBC_256 integ=HMAC_SHA2_256 group=MODP2048\}/)
    expect(upOut.stdout).toContain('Protocol not supported') // the kernel has no ESP
    const gw = (await lab.gateway.listSas()).find((s) => s.name === 'aws-tun1')
    expect(gw?.state).toBe('ESTABLISHED')
    expect(gw?.version).toBe(1)
    const aws = (await lab.aws.listSas()).find((s) => s.name === 'tunnel1')
    expect(aws?.state).toBe('ESTABLISHED')
    expect(aws?.remoteId).toBe(lab.gateway.publicIp)
  })

  it('still has the existing partner connection loaded after the restart', async () => {
    const r = await lab.gateway.exec(['ipsec', 'status'])
    expect(r.stdout).toMatch(/"partner": 192\.168\.50\.0\/24/)
  })
})
