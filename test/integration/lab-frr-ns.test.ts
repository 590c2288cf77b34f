// FRR in the namespace lab (test/lab/ns-frr.ts), what the BGP e2e spec stands on, proven with the app's own
// core over a real SSH session into the gateway: the gateway looks to the app like `apt install frr
// frr-pythontools` with bgpd enabled; the app's plan merges its section into the package's frr.conf; that file,
// given to FRR by its own frrinit.sh reload, brings both sessions Established (over the links that stand in for
// the tunnels' interfaces: no XFRM interfaces with kernel-libipsec) with one prefix each way, as the app's
// status reads them; AWS shutting tunnel 1's session shows there as not Established. Nothing reaches the root
// namespace, and down() leaves no namespace behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Details } from '../../main/core/details/model'
import { processSecretSources } from '../../main/core/details/resolve'
import { readFrrState } from '../../main/core/gateway/frr'
import { toGatewayShell, type GatewayShell } from '../../main/core/gateway/shell'
import { FRR_CONF } from '../../main/core/render/frr'
import type { SshSession } from '../../main/core/ssh/session'
import { prepareChange } from '../../main/core/workflow/change'
import { readGatewayStatus } from '../../main/core/workflow/status'
import { namespacesWithPrefix, rootNetSnapshot, up, type Lab } from '../lab'
import { labSession, waitUntil } from '../support/fault-gateway'
import { frrMissing } from '../support/frr'
import { gate, labGate } from '../support/gate'

const lg = labGate('lab-frr-ns')
const g = lg.skip ? lg : gate('lab-frr-ns', frrMissing())

describe.skipIf(g.skip)('FRR on the namespace lab gateway, as the app sees it', () => {
  let lab: Lab
  let session: SshSession
  let shell: GatewayShell
  let details: Details
  let rootBefore = ''
  const sessions = async () => {
    const r = await readGatewayStatus({ shell }, details)
    return r.snapshot.tunnels.map((t) => t.bgp)
  }

  beforeAll(async () => {
    rootBefore = rootNetSnapshot()
    lab = await up({ gateway: 'swanctl', frr: true })
    session = await labSession(lab)
    shell = toGatewayShell(session)
    details = Details.parse(lab.details())
  }, 120_000)
  afterAll(async () => {
    await session?.close()
    await lab?.down()
  })

  it('FRR is there as Debian installs it: vtysh on the PATH, bgpd enabled and answering, reload tool, the package frr.conf', async () => {
    const state = await readFrrState(shell)
    expect(state).toMatchObject({ installed: true, bgpdEnabled: true, reloadTool: true, running: true })
    expect(state.conf).toContain('log syslog informational')
    expect((await lab.gateway.exec(['stat', '-c', '%U:%G %a', FRR_CONF])).stdout.trim()).toBe('frr:frr 640')
    // The details say route-based with BGP (auto would be policy-based on this kernel).
    expect(details.routing).toBe('route')
    expect(details.bgp?.tunnels.map((t) => t.neighborIp)).toEqual(['169.254.120.1', '169.254.121.5'])
  })

  it("the app's planned frr.conf, reloaded by FRR, brings both sessions Established with a prefix each way; AWS shutting one shows it down", async () => {
    const change = await prepareChange({ shell }, { details, sources: processSecretSources })
    const planned = change.plan.files.find((f) => f.path === FRR_CONF)?.content
    expect(planned).toContain('router bgp 65000')
    await lab.gateway.loadFrrConf(planned!)
    await waitUntil('both sessions Established with one prefix each way', async () => (await sessions()).every((b) => b?.established && b.prefixesReceived === 1 && b.prefixesSent === 1), 60_000)
    expect((await sessions()).map((b) => [b?.neighbor, b?.remoteAs])).toEqual([
      ['169.254.120.1', 64512],
      ['169.254.121.5', 64512],
    ])
    // The dedicated CIDR is learned from AWS; the LAN is what goes out (AWS's table).
    expect(await lab.gateway.vtysh('show ip route bgp')).toContain('10.40.0.0/24')
    expect(await lab.aws.vtysh('show bgp ipv4 unicast 192.168.50.0/24')).toContain('65000')
    await lab.aws.bgpPeerDown(0)
    await waitUntil('tunnel 1 session down', async () => (await sessions())[0]?.established === false, 30_000)
    expect((await sessions())[1]?.established).toBe(true)
    await lab.aws.bgpPeerUp(0)
    await waitUntil('tunnel 1 session back', async () => (await sessions())[0]?.established === true, 60_000)
  }, 150_000)

  it('the root namespace is untouched, and down() removes every namespace of the run', async () => {
    expect(rootNetSnapshot()).toBe(rootBefore)
    await session.close()
    await lab.down()
    expect(namespacesWithPrefix(lab.prefix)).toEqual([])
  })
})
