// Route-based apply on a real Linux kernel with strongSwan's legacy stack: the aws responder and a gateway
// running starter (charon started by `ipsec start`, configured by /etc/ipsec.conf and ipsec.secrets) are
// QEMU guests with Debian's stock kernel (kernel ESP, VTI); the app reaches the gateway over SSH with its
// own connect() and drives it with its own core. Proven: detection sees starter and VTI and routing auto
// picks route-based; apply commits with one VTI per tunnel keyed by that conn's mark, the inside /30s and
// one route per dedicated CIDR at metrics 101/102; raw ESP crosses the internet node and nothing else
// between the sites does; each tunnel's own SAs count the packets sent through it; a second apply changes
// nothing; AWS deleting and refusing tunnel 1 moves the traffic to tunnel 2 (gap printed) and both come
// back when it is allowed again; rollback restores the files byte for byte and leaves no VTI, address,
// route or sysctl, and the SAs go on both ends. The run leaves no qemu, namespace or root-namespace change.
//
// Two long-lived VMs for the whole file; figures are printed, never asserted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Details } from '../../main/core/details/model'
import { processSecretSources } from '../../main/core/details/resolve'
import { toAutoRouting } from '../../main/core/gateway/detect'
import type { GatewayShell } from '../../main/core/gateway/shell'
import type { SshSession } from '../../main/core/ssh/session'
import { applyChange, prepareChange, rollbackChange } from '../../main/core/workflow/change'
import { readStatus } from '../../main/core/status/read'
import { detectGateway } from '../../main/core/workflow/gateway'
import { isStatusOk, readGatewayStatus, toTunnelVerdict } from '../../main/core/workflow/status'
import { isRunning, namespacesWithPrefix, rootNetSnapshot, type Lab } from '../lab'
import { insideAddresses } from '../lab/vm-lab'
import { listConfigFiles, toGatewayState, waitUntil } from '../support/fault-gateway'
import { vmGate } from '../support/gate'
import { outageDuring } from '../support/outage'
import { bootVmLab, bothTunnelsCarry, vmFigures } from '../support/vm-figures'
import { childTo, dedicatedRoutes, eachTunnelCarries, netSysctls, plumbingLeft, tunnelLinks } from '../support/vm-tunnels'

const g = vmGate('route-based apply on a starter VM gateway (real kernel)')
const CONFIG_PATHS = ['/etc/ipsec.conf', '/etc/ipsec.secrets', '/etc/ipsec.d', '/etc/strongswan.d', '/etc/strongswan.conf', '/etc/tunnelwright']

describe.skipIf(g.skip)('route-based apply on a strongSwan starter gateway VM (Debian kernel under QEMU)', () => {
  let lab: Lab
  let session: SshSession
  let shell: GatewayShell
  let details: Details
  let rootBefore = ''
  let sysctlsBefore = ''
  let paths: string[] = []
  let before: Awaited<ReturnType<typeof toGatewayState>>
  const started = Date.now()
  const figures = () => vmFigures(lab)
  const charonPid = async () => (await lab.gateway.exec(['cat', '/run/charon.pid'])).stdout.trim()
  const starterRunning = async () => (await lab.gateway.exec(['sh', '-c', 'kill -0 "$(cat /run/starter.charon.pid)" && echo running'])).stdout.trim() === 'running'

  beforeAll(async () => {
    rootBefore = rootNetSnapshot()
    ;({ lab, session, shell, details } = await bootVmLab({ gateway: 'starter' }))
  }, 420_000)

  afterAll(async () => {
    await session?.close()
    await lab?.down()
  })

  it('detects the legacy starter stack on a kernel with VTI; routing auto picks route-based', async () => {
    expect(await starterRunning()).toBe(true)
    expect((await lab.gateway.exec(['ipsec', 'version'])).stdout).toMatch(/strongSwan U5\.9/)
    const facts = await detectGateway({ shell })
    expect(facts.stack.kind).toBe('strongswan-legacy')
    expect(facts.stack.detail).toMatch(/starter running/)
    expect(facts.routeBased.vti).toBe(true)
    expect(toAutoRouting(facts)).toBe('route')
  }, 120_000)

  it('applies with routing auto: committed, a VTI per tunnel keyed by its mark, inside /30s, routes 101/102, raw ESP, each tunnel counting its own traffic, then no-op', async () => {
    paths = await listConfigFiles(lab, CONFIG_PATHS)
    before = await toGatewayState(lab, paths)
    sysctlsBefore = await netSysctls(lab)
    expect(await plumbingLeft(lab)).toEqual({ links: [], insideAddrs: [], routes: [] })
    const bootCharon = await charonPid()

    const change = await prepareChange({ shell }, { details, sources: processSecretSources })
    expect(change.routing).toBe('route')
    expect(change.rendered.kind).toBe('strongswan-legacy')
    const t0 = Date.now()
    const steps: string[] = []
    const result = await applyChange({ shell }, change, { confirmWithin: 300, verifyWithin: 200, onProgress: (p) => steps.push(`${((Date.now() - t0) / 1000).toFixed(1)}s ${p.step}`) })
    console.log(`apply: ${result.outcome} in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${steps.join(', ')}`)
    if (result.outcome !== 'committed') console.log((await lab.gateway.exec(['sh', '-c', 'cat /var/lib/tunnelwright/txn/*/progress; tail -n 40 /var/log/charon.log; tail -n 20 /var/log/messages'])).stdout)
    expect(result.outcome, JSON.stringify(result)).toBe('committed')
    expect(await starterRunning()).toBe(true)
    // charon reads install_routes only when it starts: the apply restarted it (once) before loading the conns.
    const appliedCharon = await charonPid()
    expect(appliedCharon).not.toBe(bootCharon)

    // Both SAs up, raw ESP (no NAT: no UDP encapsulation), each with its own mark; one VTI per tunnel whose
    // key is that mark, towards that tunnel's AWS endpoint, with the customer's inside address.
    const sas = await lab.gateway.listSas()
    const t1 = childTo(sas, lab.aws.outsideIps[0])
    const t2 = childTo(sas, lab.aws.outsideIps[1])
    expect([t1.encap, t2.encap]).toEqual([false, false])
    const markOf = (c: typeof t1) => parseInt(String(c.raw['mark-out'] ?? '').split('/')[0] ?? '', 16)
    const links = await tunnelLinks(lab)
    const inside = details.remote.tunnels.map((t) => `${insideAddresses(t.insideCidr).customer}/30`)
    expect(links.map((l) => ({ kind: l.kind, key: l.key, ikey: l.ikey, remote: l.remote, addrs: l.addrs }))).toEqual([
      { kind: 'vti', key: markOf(t1), ikey: markOf(t1), remote: lab.aws.outsideIps[0], addrs: [inside[0]] },
      { kind: 'vti', key: markOf(t2), ikey: markOf(t2), remote: lab.aws.outsideIps[1], addrs: [inside[1]] },
    ])
    expect(markOf(t1)).not.toBe(markOf(t2))
    // One route per dedicated CIDR and tunnel, tunnel 1 preferred, and nothing in charon's table 220
    // (install_routes = no: a 0/0 route there would send the LAN's traffic out in clear).
    expect((await dedicatedRoutes(lab)).map((r) => [r.dev, r.metric]).sort()).toEqual([
      [links[0]!.name, 101],
      [links[1]!.name, 102],
    ])
    expect((await lab.gateway.exec(['ip', 'route', 'show', 'table', '220'])).stdout.trim()).toBe('')

    await eachTunnelCarries(lab, details, links[1]!.name)

    // The same details again: nothing to do, the SAs stay.
    const again = await prepareChange({ shell }, { details, sources: processSecretSources })
    expect(again.plan.noop).toBe(true)
    expect((await applyChange({ shell }, again)).outcome).toBe('no-change')
    const still = await lab.gateway.listSas()
    expect([childTo(still, lab.aws.outsideIps[0]).raw['spi-in'], childTo(still, lab.aws.outsideIps[1]).raw['spi-in']]).toEqual([t1.raw['spi-in'], t2.raw['spi-in']])
    expect(await charonPid()).toBe(appliedCharon)
    console.log(`after apply:\n  ${figures()}`)
  }, 900_000)

  it("status reads each tunnel on its own path: a probe through each, both healthy; the same from stroke's statusall (a gateway without swanctl)", async () => {
    const r = await readGatewayStatus({ shell }, details)
    const healthy = [
      [true, true, true, true],
      [true, true, true, true],
    ]
    expect(r.snapshot.tunnels.map((t) => [t.up, t.probe?.ok, t.packetsIn > 0, t.packetsOut > 0])).toEqual(healthy)
    expect(r.snapshot.tunnels.map((t) => toTunnelVerdict(t, r.diagnoses))).toEqual(['healthy', 'healthy'])
    expect(isStatusOk(r.snapshot, r.diagnoses)).toBe(true)
    // Debian's strongswan-starter alone has no swanctl: status then parses `ipsec statusall` (marked SAs here).
    const facts = await detectGateway({ shell })
    const stroke = await readStatus(shell, details, { ...facts, frontEnds: { swanctl: false, starter: true } })
    if (stroke.snapshot.tunnels.some((t) => !t.up)) console.log((await lab.gateway.exec(['ipsec', 'statusall'])).stdout.split('Security Associations')[1])
    expect(stroke.snapshot.source).toBe('stroke')
    expect(stroke.snapshot.tunnels.map((t) => [t.up, t.probe?.ok, t.packetsIn > 0, t.packetsOut > 0])).toEqual(healthy)
  }, 120_000)

  it('AWS deletes and refuses tunnel 1: traffic moves to tunnel 2 (gap measured), status says which one is down; allowed again: both up', async () => {
    const down = await outageDuring(lab, 20, () => lab.aws.tunnelDown(0))
    console.log(`route-based failover (starter), AWS deleted tunnel 1: longest gap between answers ${down.longestGapS.toFixed(1)} s (${down.answered}/${down.sent} answered)`)
    expect(down.answered).toBeGreaterThan(down.sent / 2)
    expect((await dedicatedRoutes(lab)).map((r) => r.metric)).toEqual([102])
    const r = await readGatewayStatus({ shell }, details)
    expect(r.snapshot.tunnels.map((t) => toTunnelVerdict(t, r.diagnoses))).toEqual(['down', 'healthy'])
    expect(isStatusOk(r.snapshot, r.diagnoses)).toBe(false)
    const t0 = Date.now()
    await lab.aws.tunnelUp(0)
    await waitUntil('both tunnels up with traffic', () => bothTunnelsCarry(lab), 180_000)
    console.log(`tunnel 1 back ${((Date.now() - t0) / 1000).toFixed(1)} s after AWS allowed it again`)
    await waitUntil('both routes back', async () => (await dedicatedRoutes(lab)).length === 2, 60_000)
    await eachTunnelCarries(lab, details, (await tunnelLinks(lab))[1]!.name)
  }, 600_000)

  it('rolls back: files byte-identical, no VTI, address, route or sysctl left, the SAs gone on both ends', async () => {
    const t0 = Date.now()
    const awsLogAt = lab.aws.log().length
    const rb = await rollbackChange({ shell })
    const rollbackS = (Date.now() - t0) / 1000
    const awsLeft = (await lab.aws.listSas()).filter((s) => s.state === 'ESTABLISHED').map((s) => `${s.name} #${String(s.raw['uniqueid'] ?? '?')}`)
    const left = await plumbingLeft(lab)
    console.log(`rollback in ${rollbackS.toFixed(1)} s; left on the gateway: ${JSON.stringify(left)}`)
    expect(rb.files.length).toBeGreaterThan(0)
    expect(await listConfigFiles(lab, CONFIG_PATHS)).toEqual(paths)
    expect((await toGatewayState(lab, paths)).files).toEqual(before.files)
    expect(left).toEqual({ links: [], insideAddrs: [], routes: [] })
    expect(await netSysctls(lab)).toBe(sysctlsBefore)
    expect((await lab.gateway.listSas()).filter((s) => lab.aws.outsideIps.includes(s.remoteHost))).toEqual([])
    await waitUntil('the aws side to drop the SAs', async () => (await lab.aws.listSas()).every((s) => s.state !== 'ESTABLISHED'), 90_000)
    const awsLog = lab.aws.log().slice(awsLogAt)
    const count = (re: RegExp) => awsLog.split('\n').filter((l) => re.test(l)).length
    console.log(`the aws side after the rollback: ${count(/received DELETE for IKE_SA/)} IKE_SA DELETEs received; still established when it returned: ${awsLeft.join(', ') || 'none'}`)
    expect(await starterRunning()).toBe(true)
  }, 300_000)

  it('goes down to nothing: no qemu, no namespace, and the root namespace byte-identical', async () => {
    const qemus = lab.vms.map((v) => v.qemuPid)
    expect(qemus.every((p) => isRunning(p))).toBe(true)
    console.log(`starter VM suite: ${((Date.now() - started) / 1000).toFixed(1)} s from up() to down()\n  ${figures()}`)
    await lab.down()
    expect(qemus.filter((p) => isRunning(p))).toEqual([])
    expect(namespacesWithPrefix(lab.prefix)).toEqual([])
    expect(rootNetSnapshot()).toBe(rootBefore)
  }, 120_000)
})
