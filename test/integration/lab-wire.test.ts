// The internet node's options change what the daemons show, in the way the real failure would:
// UDP 500 blocked → IKE never answered; UDP 4500 blocked → main mode stalls after the float to 4500;
// ESP blocked → IKE and CHILD SAs up but nothing arrives; NAT → the gateway's SAs show its WAN address and
// NAT-T while aws sees the public address; GovCloud → sha1/modp1024 refused.
//
// Lab fact (kernel-libipsec, no kernel ESP): every SA here is UDP-encapsulated on 4500 even without NAT
// (charon fakes NAT detection), so "ESP blocked" is modelled by dropping ESP-in-UDP on 4500 as well as
// IP protocol 50, and a UDP 4500 block breaks IKE itself, not only ESP.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { labGate } from '../support/gate'
import { type IkeSa, type Lab, up } from '../../test/lab/index'
import { referenceSwanctlConf } from '../../test/lab/reference'

const g = labGate('lab self-test: internet node options')

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await probe()
    if (v !== undefined) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** Packets counted by the internet node's rule that contains `match`. */
async function dropped(lab: Lab, match: string): Promise<number> {
  const text = await lab.internet.ruleset()
  const line = text.split('\n').find((l) => l.includes(match) && l.includes('drop'))
  const m = /counter packets (\d+)/.exec(line ?? '')
  return m ? Number(m[1]) : 0
}

const sa = (sas: IkeSa[], name: string) => sas.find((s) => s.name === name)
const up1 = (sas: IkeSa[], name: string) => {
  const s = sa(sas, name)
  return s?.state === 'ESTABLISHED' && s.children.some((c) => c.state === 'INSTALLED') ? s : undefined
}

/** Clears every SA on both sides and loads the reference config with tunnel 1 only started by hand. */
async function reset(lab: Lab): Promise<void> {
  const conf = referenceSwanctlConf(lab).replaceAll('start_action = start', 'start_action = none').replaceAll('close_action = start', 'close_action = none')
  await lab.gateway.writeFile('/etc/swanctl/conf.d/aws.conf', conf, 0o600)
  await lab.gateway.exec(['swanctl', '--load-all', '--noprompt'])
  for (const n of ['aws-tun1', 'aws-tun2']) await lab.gateway.exec(['swanctl', '--terminate', '--ike', n, '--force', '--timeout', '1'])
  await lab.aws.restart()
}

describe.skipIf(g.skip)('lab: port blocks on the internet node', () => {
  let lab: Lab
  beforeAll(async () => {
    lab = await up({ gateway: 'swanctl' })
  })
  afterAll(async () => {
    await lab?.down()
  })
  beforeEach(async () => {
    await lab.internet.setBlock([])
    await reset(lab)
  })

  it('without blocks: tunnel 1 comes up (the control case)', async () => {
    const r = await lab.gateway.exec(['swanctl', '--initiate', '--child', 'aws-tun1', '--timeout', '10'])
    expect(r.code, r.stdout).toBe(0)
    const s = up1(await lab.gateway.listSas(), 'aws-tun1')
    expect(s?.remotePort).toBe(4500) // kernel-libipsec: always NAT-T
    expect(s?.children[0]?.encap).toBe(true)
  })

  it('udp500: the gateway retransmits main mode 1 and aws never sees it', async () => {
    await lab.internet.setBlock(['udp500'])
    const initiate = lab.gateway.exec(['swanctl', '--initiate', '--child', 'aws-tun1', '--timeout', '3'])
    await until('a dropped IKE packet', async () => ((await dropped(lab, 'udp dport 500')) > 0 ? true : undefined))
    const gw = sa(await lab.gateway.listSas(), 'aws-tun1')
    expect(gw?.state).toBe('CONNECTING')
    expect(gw?.remotePort).toBe(500)
    expect(await lab.aws.listSas()).toEqual([])
    expect((await initiate).code).not.toBe(0)
  })

  it('udp4500: main mode gets through 500, then stalls after the float to 4500; aws keeps a half-open SA', async () => {
    await lab.internet.setBlock(['udp4500'])
    const initiate = lab.gateway.exec(['swanctl', '--initiate', '--child', 'aws-tun1', '--timeout', '3'])
    await until('a dropped packet on 4500', async () => ((await dropped(lab, 'udp dport 4500')) > 0 ? true : undefined))
    const gw = sa(await lab.gateway.listSas(), 'aws-tun1')
    expect(gw?.state).toBe('CONNECTING')
    expect(gw?.remotePort).toBe(4500)
    const aws = await lab.aws.listSas()
    expect(aws.every((s) => s.state !== 'ESTABLISHED')).toBe(true)
    expect(aws.some((s) => s.state === 'CONNECTING' && s.localPort === 500)).toBe(true)
    expect((await initiate).code).not.toBe(0)
  })

  it('esp: IKE and CHILD SAs come up, but pings die: gateway bytes out > 0, aws bytes in = 0', async () => {
    await lab.internet.setBlock(['esp'])
    const r = await lab.gateway.exec(['swanctl', '--initiate', '--child', 'aws-tun1', '--timeout', '10'])
    expect(r.code, r.stdout).toBe(0)
    const ping = await lab.gateway.execLanHost(['ping', '-c', '2', '-i', '0.2', '-W', '1', lab.aws.hostIp])
    expect(ping.code).not.toBe(0)
    const gw = up1(await lab.gateway.listSas(), 'aws-tun1')
    const aws = up1(await lab.aws.listSas(), 'tunnel1')
    expect(gw?.children[0]?.bytesOut).toBeGreaterThan(0)
    expect(aws?.children[0]?.bytesIn).toBe(0)
    expect(await dropped(lab, 'udp dport 4500 @th,64,32')).toBeGreaterThan(0)
  })
})

describe.skipIf(g.skip)('lab: gateway behind source NAT', () => {
  let lab: Lab
  beforeAll(async () => {
    lab = await up({ gateway: 'swanctl', nat: true })
  })
  afterAll(async () => {
    await lab?.down()
  })

  it('the gateway sees its WAN address and NAT; aws sees the public address; pings pass', async () => {
    expect(lab.gateway.wanIp).not.toBe(lab.gateway.publicIp)
    const route = await lab.gateway.exec(['ip', '-j', 'route', 'get', lab.aws.outsideIps[0]])
    expect(JSON.parse(route.stdout)[0].prefsrc).toBe(lab.gateway.wanIp) // what the app's NAT detection reads
    await lab.gateway.writeFile('/etc/swanctl/conf.d/aws.conf', referenceSwanctlConf(lab), 0o600)
    await lab.gateway.exec(['swanctl', '--load-all', '--noprompt'])
    const gw = await until('both tunnels', async () => {
      const sas = await lab.gateway.listSas()
      return up1(sas, 'aws-tun1') && up1(sas, 'aws-tun2') ? sas : undefined
    })
    for (const s of gw) {
      expect(s.localHost).toBe(lab.gateway.wanIp)
      expect(s.raw['nat-local']).toBe('yes')
      expect(s.localId).toBe(lab.gateway.publicIp)
    }
    for (const s of await lab.aws.listSas()) expect(s.remoteHost).toBe(lab.gateway.publicIp)
    const ping = await lab.gateway.execLanHost(['ping', '-c', '2', '-i', '0.2', '-W', '2', lab.aws.hostIp])
    expect(ping.code, ping.stdout).toBe(0)
    expect(lab.details().gateway.localAddress).toBe(lab.gateway.wanIp)
  })

  it('aws refuses the private WAN address as IKE ID behind NAT', async () => {
    const conf = referenceSwanctlConf(lab)
      .replaceAll(`id = ${lab.gateway.publicIp}`, `id = ${lab.gateway.wanIp}`)
      .replaceAll(`id-a = ${lab.gateway.publicIp}`, `id-a = ${lab.gateway.wanIp}`)
      .replaceAll('aws-tun', 'badid-tun')
      .replaceAll('start_action = start', 'start_action = none')
    await lab.gateway.exec(['rm', '-f', '/etc/swanctl/conf.d/aws.conf'])
    await lab.gateway.writeFile('/etc/swanctl/conf.d/badid.conf', conf, 0o600)
    await lab.gateway.exec(['swanctl', '--load-all', '--noprompt'])
    await lab.aws.restart()
    const r = await lab.gateway.exec(['swanctl', '--initiate', '--child', 'badid-tun1', '--timeout', '10'])
    expect(r.code).not.toBe(0)
    expect(lab.aws.log()).toMatch(new RegExp(`no peer config found|looking for peer configs matching .*\\[${lab.gateway.wanIp.replaceAll('.', '\\.')}\\]`))
    expect((await lab.aws.listSas()).some((s) => s.state === 'ESTABLISHED')).toBe(false)
  })
})

describe.skipIf(g.skip)('lab: aws proposals, default vs GovCloud', () => {
  const weak = 'aes128-sha1-modp1024'
  for (const govcloud of [false, true]) {
    it(`${govcloud ? 'GovCloud refuses' : 'default accepts'} ${weak}`, async () => {
      const lab = await up({ gateway: 'swanctl', govcloud })
      try {
        const conf = referenceSwanctlConf(lab, { proposals: weak }).replaceAll('start_action = start', 'start_action = none')
        await lab.gateway.writeFile('/etc/swanctl/conf.d/aws.conf', conf, 0o600)
        await lab.gateway.exec(['swanctl', '--load-all', '--noprompt'])
        const r = await lab.gateway.exec(['swanctl', '--initiate', '--child', 'aws-tun1', '--timeout', '10'])
        if (govcloud) {
          expect(r.code).not.toBe(0)
          expect(r.stdout).toContain('NO_PROPOSAL_CHOSEN')
        } else {
          expect(r.code, r.stdout).toBe(0)
        }
      } finally {
        await lab.down()
      }
    })
  }
})
