// BGP on pfSense with a REAL bgpd: the apply script (real PHP, stand-ins for pfSense and for the FRR package's
// frr_generate_config(), which cannot run here) puts our neighbours into an admin's FRR settings; the FRR
// configuration the package generates from them is loaded into a real bgpd 8.4 in the BGP lab (network
// namespaces, the tunnels' inside /30s on veth links, no IPsec) against an AWS-shaped bgpd. Both sessions come
// up, AWS learns the agency CIDR and nothing else (not the admin's own network), the gateway accepts only the
// dedicated CIDR; the static script takes ours out and bgpd keeps only the admin's neighbour.
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { renderDevice } from '../../main/core/render/index'
import { parseFrrBgpSummary } from '../../main/core/status/frr-bgp'
import { AWS_FRR_CONF, bgpLabUp, type BgpLab } from '../lab/frr'
import { frrMissing } from '../support/frr'
import { bgpInput } from '../support/frr-sample'
import { gate, labGate, missing } from '../support/gate'
import { within } from '../support/keepup-lab'
import { adminFrr, pfsenseFrrRunner, stockPfsenseConf, toBgpdPart } from '../support/pfsense-frr'

const lg = labGate('lab-pfsense-frr-bgp')
const g = lg.skip ? lg : gate('lab-pfsense-frr-bgp', missing({ executables: ['/usr/bin/php'] }) ?? frrMissing())

describe.skipIf(g.skip)("pfSense's FRR package configuration in a real bgpd, against an AWS-shaped one", () => {
  let lab: BgpLab
  const pf = pfsenseFrrRunner('tw-lab-pf-frr-')
  const input = bgpInput()
  const sessions = async () => parseFrrBgpSummary(await lab.vtysh(lab.gw, 'show bgp summary json'))
  const routes = async (node: 'aws' | 'gw') => Object.keys((JSON.parse(await lab.vtysh(lab[node], 'show bgp ipv4 unicast json')) as { routes: Record<string, unknown> }).routes).sort()
  // Probes that fail (bgpd still starting) count as "not yet".
  const until = async <T>(what: string, probe: () => Promise<T | undefined>, ms: number): Promise<T> => (await within(what, ms, () => probe().catch(() => undefined), 250)).value

  beforeAll(async () => {
    lab = await bgpLabUp()
    await lab.startBgpd(lab.aws, AWS_FRR_CONF)
  }, 60_000)
  afterAll(() => {
    lab?.down()
    pf.cleanup()
  })

  test('both sessions Established; AWS learns only the agency CIDR, the gateway only the dedicated CIDR; the static script takes ours out', async () => {
    const applied = pf.run(renderDevice(input, 'pfsense', { version: '2.7.0' }).phpScript!, { ...stockPfsenseConf(), installedpackages: adminFrr() })
    expect(applied.status, applied.stdout + applied.stderr).toBe(0)
    const t0 = Date.now()
    await lab.startBgpd(lab.gw, toBgpdPart(applied.frrConf!))
    const up = await until('both AWS sessions Established with a prefix each way', async () => {
      const s = await sessions()
      const both = input.tunnels.map((t) => s.get(t.insideAws))
      return both.every((x) => x?.established && x.prefixesReceived === 1 && x.prefixesSent === 1) ? both : undefined
    }, 60_000)
    process.stderr.write(`lab-pfsense-frr-bgp: both sessions Established ${((Date.now() - t0) / 1000).toFixed(1)} s after bgpd started\n`)
    expect(up.map((x) => x?.remoteAs)).toEqual([64512, 64512])
    // AWS advertises 172.31.16.0/20 and 10.99.0.0/16: only the dedicated CIDR gets in. The gateway originates the
    // admin's 192.168.77.0/24 and our 10.40.0.0/24: only the agency CIDR goes out to AWS.
    expect(await routes('gw')).toEqual(['10.40.0.0/24', '172.31.16.0/20', '192.168.77.0/24'])
    expect(await routes('aws')).toEqual(['10.40.0.0/24', '10.99.0.0/16', '172.31.16.0/20'])
    const running = await lab.vtysh(lab.gw, 'show running-config')
    expect(running).toContain('neighbor 192.0.2.9 remote-as 64999')
    expect(running).toMatch(/neighbor 169\.254\.10\.1 timers 10 30/)

    const staticScript = renderDevice({ ...input, details: { ...input.details, bgp: undefined } } as typeof input, 'pfsense', { version: '2.7.0' }).phpScript!
    const removed = pf.run(staticScript, applied.conf)
    expect(removed.status).toBe(0)
    await lab.startBgpd(lab.gw, toBgpdPart(removed.frrConf!))
    expect([...(await sessions()).keys()]).toEqual(['192.0.2.9'])
    expect(await lab.vtysh(lab.gw, 'show running-config')).not.toContain('169.254.10.1')
  }, 120_000)
})
