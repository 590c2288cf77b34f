// A BGP VPN applied by the app on a real kernel (issue 16, part 3), on each Linux stack: swanctl, Libreswan 4.10
// (IKEv1 accepted in its ipsec.conf, VTIs) and strongSwan's starter (ipsec.conf / stroke, VTIs). The aws
// responder VM speaks BGP like AWS (AS 64512 on its inside addresses, timers 10/30, the dedicated CIDR
// advertised, the agency CIDR learned), and the gateway VM has Debian's FRR with an admin's own frr.conf
// (another peering, route maps). Proven per stack: apply puts only its section into frr.conf (owner, mode and
// every other byte kept), reloads FRR without a restart, commits when both sessions are Established; the
// dedicated CIDR is learned by BGP (no static route of ours), traffic is counted by each tunnel's SAs; check
// reads the sessions and TCP 179; status shows them. AWS shutting the carrying tunnel's session moves the
// traffic at once; AWS deleting that tunnel moves it within the hold time (both measured, printed); allowed
// again, both come back. Rollback gives FRR its file back byte for byte and the running FRR forgets our
// neighbours while the admin's stays. The run leaves nothing behind.
//
// Two long-lived VMs per stack; figures are printed, never asserted. One stack alone: `-t libreswan` (the
// other stacks' VMs are not booted: a describe whose tests are all filtered out runs no hooks).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Details } from '../../main/core/details/model'
import { processSecretSources } from '../../main/core/details/resolve'
import type { GatewayShell } from '../../main/core/gateway/shell'
import { FRR_CONF } from '../../main/core/render/frr'
import type { SshSession } from '../../main/core/ssh/session'
import { applyChange, prepareChange, rollbackChange } from '../../main/core/workflow/change'
import { checkGateway } from '../../main/core/workflow/check'
import { readGatewayStatus } from '../../main/core/workflow/status'
import { isRunning, namespacesWithPrefix, rootNetSnapshot, type Lab, type LabOptions } from '../lab'
import { EXISTING_FRR_CONF } from '../support/frr-sample'
import { waitUntil } from '../support/fault-gateway'
import { vmGate } from '../support/gate'
import { outageDuring } from '../support/outage'
import { bootVmLab, vmFigures } from '../support/vm-figures'
import { childTo, eachTunnelCarries, plumbingLeft, tunnelLinks } from '../support/vm-tunnels'

const g = vmGate('BGP VPN applied on VM gateways with FRR (real kernel)')

/** The stacks, as their VM gateways boot: Libreswan with IKEv1 accepted (Debian's 4.10 drops it by default; the Libreswan file proves that refusal). */
const STACKS: readonly { readonly name: string; readonly lab: Pick<LabOptions, 'gateway' | 'acceptIkev1'>; readonly kind: string }[] = [
  { name: 'swanctl', lab: { gateway: 'swanctl' }, kind: 'strongswan' },
  { name: 'Libreswan', lab: { gateway: 'libreswan', acceptIkev1: true }, kind: 'libreswan' },
  { name: 'starter (ipsec.conf)', lab: { gateway: 'starter' }, kind: 'strongswan-legacy' },
]

interface BgpPeer {
  readonly state: string
  readonly pfxRcd?: number
  readonly pfxSnt?: number
}

/** FRR's IPv4 unicast peers on a node, by neighbour address. */
function peers(json: string): Record<string, BgpPeer> {
  return ((JSON.parse(json) as { ipv4Unicast?: { peers?: Record<string, BgpPeer> } }).ipv4Unicast?.peers ?? {}) as Record<string, BgpPeer>
}

for (const stack of STACKS) describe.skipIf(g.skip)(`BGP VPN on a ${stack.name} gateway VM with FRR (Debian kernel under QEMU)`, () => {
  let lab: Lab
  let session: SshSession
  let shell: GatewayShell
  let details: Details
  let rootBefore = ''
  let confBefore = ''
  let statBefore = ''
  let neighbours: [string, string]
  const started = Date.now()
  const gatewayPeers = async () => peers(await lab.gateway.vtysh('show bgp summary json'))
  const stat = async () => (await lab.gateway.exec(['stat', '-c', '%U:%G %a', FRR_CONF])).stdout.trim()
  /** Which tunnel the LAN's traffic to the dedicated host takes now (equal BGP paths: the kernel hashes the flow onto one), by the SA counters. */
  const carrying = async (): Promise<0 | 1> => {
    const out = async () => {
      const sas = await lab.gateway.listSas()
      return lab.aws.outsideIps.map((ip) => childTo(sas, ip).packetsOut)
    }
    const before = await out()
    await lab.gateway.execLanHost(['ping', '-c', '10', '-i', '0.2', '-W', '2', lab.aws.hostIp], { timeoutMs: 60_000 })
    const after = await out()
    return after[0]! - before[0]! >= after[1]! - before[1]! ? 0 : 1
  }
  const bgpRoutes = async () => (await lab.gateway.exec(['ip', 'route', 'show', lab.aws.dedicatedCidr])).stdout.trim()

  beforeAll(async () => {
    rootBefore = rootNetSnapshot()
    ;({ lab, session, shell, details } = await bootVmLab({ ...stack.lab, frr: true, frrConf: EXISTING_FRR_CONF }))
    expect(details.bgp?.tunnels.map((t) => t.customerAsn)).toEqual([65000, 65000])
    neighbours = details.bgp!.tunnels.map((t) => t.neighborIp) as [string, string]
    confBefore = (await lab.gateway.exec(['cat', FRR_CONF])).stdout
    statBefore = await stat()
  }, 420_000)

  afterAll(async () => {
    await session?.close()
    await lab?.down()
  })

  it("apply: the plan changes only Tunnelwright's section of frr.conf; commits with both sessions Established; the dedicated CIDR comes from BGP; each tunnel's SAs count traffic; a second apply is a no-op", async () => {
    expect(confBefore).toBe(EXISTING_FRR_CONF)
    const change = await prepareChange({ shell }, { details, sources: processSecretSources })
    expect(change.routing).toBe('route')
    expect(change.rendered.kind).toBe(stack.kind)
    expect(change.frr?.neighbours).toEqual(neighbours)
    const frr = change.plan.changes.find((c) => c.path === FRR_CONF)!
    expect(frr.action).toBe('update')
    // Only added lines, all inside our markers: the admin's file is untouched around them.
    const added = frr.diff.split('\n').filter((l) => l.startsWith('+') && !l.startsWith('+++'))
    const removed = frr.diff.split('\n').filter((l) => l.startsWith('-') && !l.startsWith('---'))
    expect(removed).toEqual([])
    expect(added[0]).toMatch(/^\+! tunnelwright:begin /)
    expect(added.at(-1)).toMatch(/^\+! tunnelwright:end /)
    const t0 = Date.now()
    const applied = await applyChange({ shell }, change, { confirmWithin: 300, verifyWithin: 200 })
    console.log(`BGP apply on ${stack.name}: ${applied.outcome} in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${applied.steps.map((s) => s.step).join(' → ')}`)
    expect(applied.outcome, applied.detail).toBe('committed')
    // keepup.sh initiates a tunnel it finds with no state for three rounds: while FRR reloads in activate it may come first.
    const keepupInits = (await lab.gateway.exec(['sh', '-c', "grep -h 'tunnelwright-' /var/log/messages /var/log/syslog 2>/dev/null | grep -c initiating"])).stdout.trim()
    console.log(`keep-up initiations during the apply: ${keepupInits || 'none logged'}`)
    // The file: the admin's bytes around our section, its owner and mode kept.
    const conf = (await lab.gateway.exec(['cat', FRR_CONF])).stdout
    expect(conf.replace(/! tunnelwright:begin [\s\S]*! tunnelwright:end \S+\n/, '')).toBe(EXISTING_FRR_CONF)
    expect(await stat()).toBe(statBefore)
    // The running FRR: both sessions up, the admin's peering still configured (FRR was reloaded, not restarted).
    const p = await gatewayPeers()
    expect(neighbours.map((n) => p[n]?.state)).toEqual(['Established', 'Established'])
    expect(Object.keys(p)).toContain('10.77.0.1')
    expect(await lab.gateway.vtysh('show running-config')).toMatch(/neighbor 10\.77\.0\.1 remote-as 64999/)
    const routes = await bgpRoutes()
    console.log(`routes to ${lab.aws.dedicatedCidr}: ${routes.replaceAll('\n', '; ')}`)
    expect(routes).toMatch(/proto bgp/)
    expect(routes).not.toMatch(/metric 10[12]/) // no static route of route.sh's
    expect(peers(await lab.aws.vtysh('show bgp summary json'))).toSatisfy((aws: Record<string, BgpPeer>) => Object.values(aws).every((x) => x.state === 'Established' && (x.pfxRcd ?? 0) >= 1))
    const links = await tunnelLinks(lab)
    await eachTunnelCarries(lab, details, links[1]!.name, 5, { tunnel1Dev: links[0]!.name })
    const again = await prepareChange({ shell }, { details, sources: processSecretSources })
    expect(again.plan.noop).toBe(true)
  }, 600_000)

  it('check reads both sessions Established and TCP 179 open on each tunnel interface; status shows each session with its prefixes', async () => {
    const r = await checkGateway({ shell }, { details, sources: processSecretSources, probe: false })
    const bgp = r.findings.filter((f) => f.subject.topic === 'bgp')
    expect(bgp.map((f) => [f.id, f.severity])).toEqual([
      [`fw.bgp.${neighbours[0]}`, 'ok'],
      [`fw.bgp.${neighbours[1]}`, 'ok'],
      [`daemon.bgp.${neighbours[0]}`, 'ok'],
      [`daemon.bgp.${neighbours[1]}`, 'ok'],
    ])
    const st = await readGatewayStatus({ shell }, details)
    expect(st.snapshot.tunnels.map((t) => [t.bgp?.established, (t.bgp?.prefixesReceived ?? 0) >= 1])).toEqual([
      [true, true],
      [true, true],
    ])
  }, 180_000)

  it("AWS shuts the BGP session of the tunnel carrying the traffic: the route moves to the other at once (measured); back up, both Established", async () => {
    const i = await carrying()
    const o = await outageDuring(lab, 20, () => lab.aws.bgpPeerDown(i))
    console.log(`BGP withdrawal by AWS (session shut on tunnel ${i + 1}, which carried the LAN's traffic): longest gap ${o.longestGapS.toFixed(1)} s (${o.answered}/${o.sent} answered); routes now: ${(await bgpRoutes()).replaceAll('\n', '; ')}`)
    expect(o.answered).toBeGreaterThan(o.sent / 2)
    expect(await carrying()).toBe(1 - i)
    await lab.aws.bgpPeerUp(i)
    const t0 = Date.now()
    await waitUntil('both sessions Established again', async () => {
      const p = await gatewayPeers()
      return neighbours.every((n) => p[n]?.state === 'Established')
    }, 120_000)
    console.log(`tunnel ${i + 1}'s session back ${((Date.now() - t0) / 1000).toFixed(1)} s after AWS allowed it`)
  }, 300_000)

  it('AWS deletes and refuses the tunnel carrying the traffic: BGP withdraws its route within the hold time and traffic moves to the other (measured); allowed again: both tunnels and sessions back', async () => {
    const i = await carrying()
    const o = await outageDuring(lab, 50, () => lab.aws.tunnelDown(i))
    console.log(`tunnel ${i + 1} (carrying the LAN's traffic) deleted at AWS: longest gap ${o.longestGapS.toFixed(1)} s (hold time 30 s; ${o.answered}/${o.sent} answered); routes now: ${(await bgpRoutes()).replaceAll('\n', '; ')}`)
    // Traffic flows again through the other tunnel (how long it took is the figure above, never asserted).
    const after = await lab.gateway.execLanHost(['ping', '-c', '3', '-W', '2', lab.aws.hostIp], { timeoutMs: 30_000 })
    expect(after.code, after.stdout).toBe(0)
    const st = await readGatewayStatus({ shell }, details)
    expect(st.snapshot.tunnels.map((t) => t.bgp?.established)).toEqual(i === 0 ? [false, true] : [true, false])
    const t0 = Date.now()
    await lab.aws.tunnelUp(i)
    await waitUntil(`tunnel ${i + 1} and its session back`, async () => (await gatewayPeers())[neighbours[i]]?.state === 'Established', 240_000)
    console.log(`tunnel ${i + 1} and its BGP session back ${((Date.now() - t0) / 1000).toFixed(1)} s after AWS allowed it again`)
  }, 420_000)

  it("rollback: frr.conf byte for byte (owner and mode too), the running FRR without our neighbours and with the admin's, no tunnel plumbing left", async () => {
    const t0 = Date.now()
    await rollbackChange({ shell })
    console.log(`rollback on ${stack.name} in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
    expect((await lab.gateway.exec(['cat', FRR_CONF])).stdout).toBe(confBefore)
    expect(await stat()).toBe(statBefore)
    await waitUntil('FRR forgets our neighbours', async () => Object.keys(await gatewayPeers()).every((n) => !neighbours.includes(n)), 60_000)
    expect(Object.keys(await gatewayPeers())).toEqual(['10.77.0.1'])
    const left = await plumbingLeft(lab)
    expect(left).toEqual({ links: [], insideAddrs: [], routes: [] })
  }, 180_000)

  it('goes down to nothing: no qemu, no namespace, and the root namespace byte-identical', async () => {
    const qemus = lab.vms.map((v) => v.qemuPid)
    console.log(`BGP VM scenario on ${stack.name}: ${((Date.now() - started) / 1000).toFixed(1)} s from up() to down()\n  ${vmFigures(lab)}`)
    await lab.down()
    expect(qemus.filter((p) => isRunning(p))).toEqual([])
    expect(namespacesWithPrefix(lab.prefix)).toEqual([])
    expect(rootNetSnapshot()).toBe(rootBefore)
  }, 120_000)
})
