// The VM lab runs BGP over the IPsec tunnels as AWS does, proven without the app's BGP support: the gateway
// VM has Debian's frr + frr-pythontools as installed (an admin's own frr.conf from the start), the aws VM runs
// bgpd like AWS (AS 64512, one neighbour per tunnel on the customer's inside address, timers 10/30, the
// dedicated CIDR advertised) and routes back to the agency by what BGP chose. The app applies the STATIC
// variant of the details (route-based tunnels up); then, as an admin would, a BGP section goes into the
// gateway's /etc/frr/frr.conf over SSH and `systemctl reload frr` (frr-reload.py) brings both sessions up:
// each side learns the other's CIDR, aws routes back to the agency by BGP's choice alone, the LAN reaches the
// dedicated host through the tunnels, and the sessions come back after AWS shuts one down and after
// `systemctl restart frr` and after a reboot of the gateway (disk). Found: the app's static routes (kernel routes) stay selected over eBGP on the gateway. The run leaves no
// qemu, namespace or root-namespace change behind.
//
// Two long-lived VMs for the whole file; figures are printed, never asserted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Details } from '../../main/core/details/model'
import { processSecretSources } from '../../main/core/details/resolve'
import type { GatewayShell } from '../../main/core/gateway/shell'
import type { SshSession } from '../../main/core/ssh/session'
import { applyChange, prepareChange } from '../../main/core/workflow/change'
import { isRunning, namespacesWithPrefix, rootNetSnapshot, type IkeSa, type Lab } from '../lab'
import { AWS_ASN, CUSTOMER_ASN } from '../lab/vm-frr'
import { insideAddresses } from '../lab/vm-lab'
import { waitUntil } from '../support/fault-gateway'
import { vmGate } from '../support/gate'
import { bootVmLab, vmFigures } from '../support/vm-figures'

const g = vmGate('BGP over the IPsec tunnels in the VM lab (FRR 8.4 on both VMs)')

/** The gateway admin's own FRR config before any BGP: a prefix list, a route-map and a static route (staticd). */
const ADMIN_FRR_CONF = `frr version 8.4.4
frr defaults traditional
hostname gateway
log syslog informational
service integrated-vtysh-config
!
ip route 10.98.0.0/16 blackhole
!
ip prefix-list ADMIN-LAB seq 5 permit 10.99.0.0/16
!
route-map ADMIN-KEEP permit 10
 match ip address prefix-list ADMIN-LAB
exit
!
`

interface BgpSummary {
  readonly ipv4Unicast?: { readonly peers?: Readonly<Record<string, { readonly state: string; readonly pfxRcd?: number; readonly remoteAs?: number }>> }
}
type RouteJson = Readonly<Record<string, readonly { readonly protocol: string; readonly selected?: boolean; readonly installed?: boolean; readonly nexthops?: readonly { readonly ip?: string; readonly interfaceName?: string }[] }[]>>

/** Peer → state of `show bgp summary json`. */
async function peerStates(vtysh: (...c: string[]) => Promise<string>): Promise<Record<string, string>> {
  const s = JSON.parse(await vtysh('show bgp summary json')) as BgpSummary
  return Object.fromEntries(Object.entries(s.ipv4Unicast?.peers ?? {}).map(([ip, p]) => [ip, p.state]))
}

/** zebra's RIB entries for `prefix` (every protocol), and the BGP one. */
async function ribFor(vtysh: (...c: string[]) => Promise<string>, prefix: string) {
  const r = JSON.parse((await vtysh(`show ip route ${prefix} json`)) || '{}') as RouteJson
  const all = r[prefix] ?? []
  return { all, bgp: all.find((x) => x.protocol === 'bgp'), selected: all.find((x) => x.selected) }
}

/** Packets in and out of all INSTALLED CHILD SAs, per IKE SA name or remote host. */
function packets(sas: readonly IkeSa[], key: (s: IkeSa) => string): Record<string, { in: number; out: number }> {
  const out: Record<string, { in: number; out: number }> = {}
  for (const s of sas) {
    const k = key(s)
    const acc = (out[k] ??= { in: 0, out: 0 })
    for (const c of s.children) {
      acc.in += c.packetsIn
      acc.out += c.packetsOut
    }
  }
  return out
}

/** Both tunnels have an established IKE SA with an installed CHILD SA on the gateway. */
async function bothTunnelsUp(lab: Lab): Promise<boolean> {
  const sas = await lab.gateway.listSas()
  return lab.aws.outsideIps.every((ip) => sas.some((s) => s.remoteHost === ip && s.state === 'ESTABLISHED' && s.children.some((c) => c.state === 'INSTALLED')))
}

describe.skipIf(g.skip)('BGP over the IPsec tunnels: FRR on a swanctl gateway VM and an AWS-shaped bgpd', () => {
  let lab: Lab
  let session: SshSession | undefined
  let shell: GatewayShell
  let rootBefore = ''
  const started = Date.now()
  const figures = () => vmFigures(lab)
  const gwVtysh = (...c: string[]) => lab.gateway.vtysh(...c)
  const awsVtysh = (...c: string[]) => lab.aws.vtysh(...c)
  const awsInside = () => lab.aws.insideCidrs.map((c) => insideAddresses(c).aws)
  const gwInside = () => lab.aws.insideCidrs.map((c) => insideAddresses(c).customer)
  const allEstablished = async (vtysh: (...c: string[]) => Promise<string>, peers: readonly string[]) => {
    const st = await peerStates(vtysh).catch(() => ({}) as Record<string, string>)
    return peers.every((p) => st[p] === 'Established')
  }
  /** Waits for both sessions on the gateway; on a timeout the error carries FRR's own account of both ends. */
  const waitEstablished = async (what: string, timeoutMs: number) => {
    try {
      await waitUntil(what, () => allEstablished(gwVtysh, awsInside()), timeoutMs)
    } catch (e) {
      const diag = async (name: string, exec: (argv: string[]) => Promise<{ stdout: string }>) =>
        `--- ${name}:\n${(await exec(['sh', '-c', "vtysh -c 'show bgp summary' 2>&1; ps -eo pid,user,args | grep /usr/lib/frr/ | grep -v grep; grep -E 'watchfrr|bgpd|zebra|staticd' /var/log/messages | tail -25; tail -15 /var/log/frr-service.log"]).catch(() => ({ stdout: '(no answer)' }))).stdout}`
      throw new Error(`${e instanceof Error ? e.message : String(e)}\n${await diag('gateway', (a) => lab.gateway.exec(a))}\n${await diag('aws', (a) => lab.aws.exec(a))}`, { cause: e })
    }
  }

  beforeAll(async () => {
    rootBefore = rootNetSnapshot()
    ;({ lab, session, shell } = await bootVmLab({ gateway: 'swanctl', vmDisk: true, frr: true, frrConf: ADMIN_FRR_CONF }))
  }, 420_000)

  afterAll(async () => {
    await session?.close()
    await lab?.down()
  })

  it("the gateway has FRR as Debian's packages install it, running as frr.service runs it, with the admin's frr.conf", async () => {
    const gw = (argv: string[]) => lab.gateway.exec(argv)
    for (const p of ['/usr/lib/frr/zebra', '/usr/lib/frr/bgpd', '/usr/lib/frr/staticd', '/usr/lib/frr/watchfrr', '/usr/lib/frr/frrinit.sh', '/usr/lib/frr/frr-reload.py', '/usr/bin/vtysh']) {
      expect((await gw(['test', '-x', p])).code, p).toBe(0)
    }
    expect((await gw(['test', '-f', '/usr/lib/x86_64-linux-gnu/frr/libfrr.so.0'])).code).toBe(0)
    expect(await lab.gateway.readFile('/etc/frr/frr.conf')).toBe(ADMIN_FRR_CONF)
    expect((await gw(['stat', '-c', '%U:%G %a', '/etc/frr', '/etc/frr/frr.conf', '/etc/frr/vtysh.conf', '/etc/frr/daemons'])).stdout.trim().split('\n')).toEqual(['frr:frr 750', 'frr:frr 640', 'frr:frr 640', 'frr:frr 640'])
    expect(await lab.gateway.readFile('/etc/frr/vtysh.conf')).toBe('service integrated-vtysh-config\n')
    expect(await lab.gateway.readFile('/etc/frr/daemons')).toMatch(/^bgpd=yes$/m)
    expect((await gw(['id', '-nG', 'frr'])).stdout.trim().split(' ').sort()).toEqual(['frr', 'frrvty'])
    expect((await gw(['systemctl', 'is-active', 'frr'])).stdout.trim()).toBe('active')
    const ps = (await gw(['ps', '-eo', 'user=,args='])).stdout
    for (const d of ['watchfrr', 'zebra', 'bgpd', 'staticd']) expect(ps, d).toMatch(new RegExp(`^\\s*(root|frr)\\s+/usr/lib/frr/${d} -d`, 'm'))
    expect(ps).toMatch(/^\s*frr\s+\/usr\/lib\/frr\/bgpd -d/m) // the protocol daemons drop to the frr user
    // The admin's config is live: staticd's route in the kernel, the route-map in the running config.
    expect((await gw(['ip', 'route', 'show', '10.98.0.0/16'])).stdout).toMatch(/blackhole 10\.98\.0\.0\/16 proto static/)
    expect(await gwVtysh('show running-config')).toMatch(/route-map ADMIN-KEEP permit 10/)
    // No BGP yet on the gateway; the aws side waits for both tunnels' neighbours.
    expect(await peerStates(gwVtysh).catch(() => ({}))).toEqual({})
    expect(Object.keys(await peerStates(awsVtysh)).sort()).toEqual([...gwInside()].sort())
  }, 120_000)

  it("the BGP variant of the lab's details parses with the app's model: ASNs, hold time, AWS's inside addresses paired by outside IP", async () => {
    const d = Details.parse(lab.details())
    expect(d.bgp?.tunnels).toEqual(
      lab.aws.outsideIps.map((ip, i) => ({ outsideIp: ip, awsAsn: AWS_ASN, customerAsn: CUSTOMER_ASN, neighborIp: awsInside()[i], holdTime: 30 })),
    )
    expect(Details.parse(lab.details({ bgp: false })).bgp).toBeUndefined()
  })

  // Without a health target: AWS (here the aws VM) routes to the agency only by what BGP learned, so before
  // the admin configures BGP no packet from the dedicated subnet finds its way back, and verify waits for the
  // tunnels alone.
  it('the app applies the static variant (no health target): both route-based tunnels up', async () => {
    const { health: _noProbe, ...staticDetails } = lab.details({ bgp: false })
    const details = Details.parse(staticDetails)
    const t0 = Date.now()
    const change = await prepareChange({ shell }, { details, sources: processSecretSources })
    expect(change.routing).toBe('route')
    const result = await applyChange({ shell }, change, { confirmWithin: 300, verifyWithin: 200 })
    console.log(`static apply: ${result.outcome} in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
    expect(result.outcome, JSON.stringify(result)).toBe('committed')
    await waitUntil('both tunnels up', () => bothTunnelsUp(lab), 120_000)
    // No route back to the agency at AWS yet: the LAN cannot reach the dedicated host.
    expect((await lab.aws.exec(['ip', 'route', 'show', lab.gateway.lanCidr])).stdout.trim()).toBe('')
    expect((await lab.gateway.execLanHost(['ping', '-n', '-c', '1', '-W', '2', lab.aws.hostIp])).code).not.toBe(0)
  }, 600_000)

  it('an admin adds a BGP section to frr.conf and reloads frr: both sessions Established, each side learns the other CIDR, and traffic follows it through the tunnels', async () => {
    const d = Details.parse(lab.details())
    const bgp = d.bgp!
    const section = [
      `router bgp ${CUSTOMER_ASN}`,
      ' no bgp ebgp-requires-policy',
      ...bgp.tunnels.flatMap((t) => [` neighbor ${t.neighborIp} remote-as ${t.awsAsn}`, ` neighbor ${t.neighborIp} timers 10 ${t.holdTime}`]),
      ' !',
      ' address-family ipv4 unicast',
      `  network ${lab.gateway.lanCidr}`,
      ' exit-address-family',
      'exit',
      '!',
      '',
    ].join('\n')
    // Appended as an editor would save it: the file keeps its owner and mode.
    const wrote = await lab.gateway.exec(['sh', '-c', 'cat >> /etc/frr/frr.conf'], { input: section })
    expect(wrote.code, wrote.stderr).toBe(0)
    const t0 = Date.now()
    const reload = await lab.gateway.exec(['systemctl', 'reload', 'frr'], { timeoutMs: 180_000 })
    const reloadS = (Date.now() - t0) / 1000
    expect(reload.code, `${reload.stdout}${reload.stderr}\n${(await lab.gateway.exec(['tail', '-30', '/var/log/frr-service.log', '/var/log/frr/frr-reload.log'])).stdout}`).toBe(0)
    expect((await lab.gateway.exec(['systemctl', 'is-active', 'frr'])).stdout.trim()).toBe('active')
    expect(await lab.gateway.readFile('/etc/frr/frr.conf')).toBe(ADMIN_FRR_CONF + section)
    expect((await lab.gateway.exec(['stat', '-c', '%U:%G %a', '/etc/frr/frr.conf'])).stdout.trim()).toBe('frr:frr 640')

    await waitEstablished('both BGP sessions Established on the gateway', 180_000)
    await waitUntil('both BGP sessions Established on aws', () => allEstablished(awsVtysh, gwInside()), 60_000)
    console.log(`systemctl reload frr: ${reloadS.toFixed(1)} s; both sessions Established ${((Date.now() - t0) / 1000).toFixed(1)} s after the reload began`)
    const summary = JSON.parse(await gwVtysh('show bgp summary json')) as BgpSummary
    for (const ip of awsInside()) expect(summary.ipv4Unicast?.peers?.[ip]).toMatchObject({ state: 'Established', remoteAs: AWS_ASN })

    // The dedicated CIDR learned on the gateway from both neighbours; the agency CIDR learned on aws, selected and
    // installed in its kernel by zebra. On the gateway the app's static route.sh routes (kernel routes, distance 0)
    // stay selected over eBGP's (distance 20): zebra keeps BGP's path in the RIB, not in the kernel.
    await waitUntil('the gateway to learn the dedicated CIDR from both neighbours', async () => {
      const paths = JSON.parse(await gwVtysh(`show bgp ipv4 unicast ${lab.aws.dedicatedCidr} json`)) as { paths?: readonly { peer?: { peerId?: string } }[] }
      return awsInside().every((ip) => (paths.paths ?? []).some((p) => p.peer?.peerId === ip))
    }, 60_000)
    await waitUntil('the dedicated CIDR from BGP in the gateway RIB', async () => (await ribFor(gwVtysh, lab.aws.dedicatedCidr)).bgp !== undefined, 60_000)
    await waitUntil('aws to install the agency CIDR from BGP', async () => {
      const rib = await ribFor(awsVtysh, lab.gateway.lanCidr)
      return rib.bgp?.selected === true && rib.bgp.installed === true
    }, 60_000)
    const gwRib = await ribFor(gwVtysh, lab.aws.dedicatedCidr)
    const awsKernel = (await lab.aws.exec(['ip', 'route', 'show', lab.gateway.lanCidr])).stdout.trim()
    console.log(
      `gateway RIB ${lab.aws.dedicatedCidr}: ${gwRib.all.map((x) => `${x.protocol}${x.selected ? ' (selected)' : ''} via ${(x.nexthops ?? []).map((h) => h.ip ?? h.interfaceName).join(',')}`).join('; ')}\naws kernel ${lab.gateway.lanCidr}: ${awsKernel.replaceAll('\n', ' | ')}`,
    )
    expect((gwRib.bgp?.nexthops ?? []).map((h) => h.ip).every((ip) => ip !== undefined && awsInside().includes(ip))).toBe(true)
    // aws routes the agency LAN only by BGP (no static route from an updown script), over its tunnels' interfaces.
    const awsRoutes = JSON.parse((await lab.aws.exec(['ip', '-j', 'route', 'show', lab.gateway.lanCidr])).stdout || '[]') as { protocol?: string; dev?: string; nexthops?: { dev?: string }[] }[]
    expect(awsRoutes.length, awsKernel).toBeGreaterThan(0)
    expect(awsRoutes.map((r) => r.protocol)).toEqual(awsRoutes.map(() => 'bgp'))
    const devs = awsRoutes.flatMap((r) => (r.nexthops ? r.nexthops.map((h) => h.dev) : [r.dev]))
    expect(devs.every((d) => d === 'aws1' || d === 'aws2'), awsKernel).toBe(true)

    // Traffic: LAN host → dedicated host and back, through the tunnels BGP chose; each end's SAs count it.
    const n = 5
    const [gwBefore, awsBefore] = [await lab.gateway.listSas(), await lab.aws.listSas()]
    const ping = await lab.gateway.execLanHost(['ping', '-n', '-c', String(n), '-i', '0.3', '-W', '3', lab.aws.hostIp], { timeoutMs: 60_000 })
    expect(ping.code, ping.stdout).toBe(0)
    const [gwAfter, awsAfter] = [await lab.gateway.listSas(), await lab.aws.listSas()]
    const sum = (p: Record<string, { in: number; out: number }>) => Object.values(p).reduce((a, x) => ({ in: a.in + x.in, out: a.out + x.out }), { in: 0, out: 0 })
    const [g0, g1] = [sum(packets(gwBefore, (s) => s.remoteHost)), sum(packets(gwAfter, (s) => s.remoteHost))]
    const [a0, a1] = [sum(packets(awsBefore, (s) => s.name)), sum(packets(awsAfter, (s) => s.name))]
    console.log(`SA packets during ${n} pings: gateway out +${g1.out - g0.out} in +${g1.in - g0.in}; aws out +${a1.out - a0.out} in +${a1.in - a0.in}`)
    expect(g1.out - g0.out).toBeGreaterThanOrEqual(n)
    expect(g1.in - g0.in).toBeGreaterThanOrEqual(n)
    expect(a1.out - a0.out).toBeGreaterThanOrEqual(n)
    expect(a1.in - a0.in).toBeGreaterThanOrEqual(n)
    const ruleset = await lab.internet.ruleset()
    expect(ruleset.split('\n').filter((l) => l.includes('comment "cleartext between the sites"')).map((l) => Number(/counter packets (\d+)/.exec(l)?.[1]))).toEqual([0, 0])
  }, 600_000)

  it("AWS shuts tunnel 1's session down: its route to the agency moves to tunnel 2 and traffic still flows; back up: both Established", async () => {
    await lab.aws.bgpPeerDown(0)
    await waitUntil('aws to route the agency LAN over aws2 only', async () => {
      const r = (await lab.aws.exec(['ip', 'route', 'show', lab.gateway.lanCidr])).stdout
      return /dev aws2/.test(r) && !/dev aws1/.test(r)
    }, 60_000)
    const ping = await lab.gateway.execLanHost(['ping', '-n', '-c', '3', '-i', '0.3', '-W', '3', lab.aws.hostIp], { timeoutMs: 60_000 })
    expect(ping.code, ping.stdout).toBe(0)
    await lab.aws.bgpPeerUp(0)
    await waitUntil('both sessions Established again', () => allEstablished(awsVtysh, gwInside()), 120_000)
  }, 300_000)

  it('systemctl restart frr on the gateway: the daemons are new, the sessions and routes come back', async () => {
    const pidOf = async () => (await lab.gateway.readFile('/var/run/frr/bgpd.pid')).trim()
    const before = await pidOf()
    const t0 = Date.now()
    const r = await lab.gateway.exec(['systemctl', 'restart', 'frr'], { timeoutMs: 180_000 })
    expect(r.code, r.stderr).toBe(0)
    expect((await lab.gateway.exec(['systemctl', 'is-active', 'frr'])).stdout.trim()).toBe('active')
    await waitEstablished('both sessions Established after the restart', 180_000)
    await waitUntil('the dedicated CIDR back from BGP', async () => (await ribFor(gwVtysh, lab.aws.dedicatedCidr)).bgp !== undefined, 60_000)
    console.log(`systemctl restart frr → both sessions Established and the route back in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
    expect(await pidOf()).not.toBe(before)
    expect(await lab.gateway.readFile('/etc/frr/frr.conf')).toMatch(/^router bgp 65000$/m)
  }, 300_000)

  it('a broken frr.conf: systemctl reload frr fails as the unit does (exit 1), frr stays active with its running config and sessions; the file put back, reload succeeds', async () => {
    const good = await lab.gateway.readFile('/etc/frr/frr.conf')
    await lab.gateway.exec(['sh', '-c', 'cat >> /etc/frr/frr.conf'], { input: 'router bgp 65000\n neighbor 169.254.120.1 no-such-knob\nexit\n' })
    const bad = await lab.gateway.exec(['systemctl', 'reload', 'frr'], { timeoutMs: 180_000 })
    console.log(`reload of a broken frr.conf: exit ${bad.code}: ${bad.stderr.trim()} | frr-reload.log: ${(await lab.gateway.exec(['tail', '-3', '/var/log/frr/frr-reload.log'])).stdout.trim().replaceAll('\n', ' | ')}`)
    expect(bad.code).not.toBe(0)
    expect(bad.stderr).toMatch(/frr\.service failed/)
    expect((await lab.gateway.exec(['systemctl', 'is-active', 'frr'])).stdout.trim()).toBe('active')
    expect(await allEstablished(gwVtysh, awsInside())).toBe(true)
    await lab.gateway.exec(['sh', '-c', 'cat > /etc/frr/frr.conf'], { input: good })
    const ok = await lab.gateway.exec(['systemctl', 'reload', 'frr'], { timeoutMs: 180_000 })
    expect(ok.code, ok.stderr).toBe(0)
    expect((await lab.gateway.exec(['stat', '-c', '%U:%G %a', '/etc/frr/frr.conf'])).stdout.trim()).toBe('frr:frr 640')
    await waitEstablished('both sessions still Established', 60_000)
  }, 400_000)

  it("powered off and booted again (disk): FRR starts at boot with the admin's frr.conf and its BGP section, both sessions back with no one touching it", async () => {
    const gw = lab.vms[1]!
    const conf = await lab.gateway.readFile('/etc/frr/frr.conf')
    await session?.close()
    session = undefined
    await gw.powerOff()
    const t0 = Date.now()
    const booted = await gw.boot()
    expect(await lab.gateway.readFile('/etc/frr/frr.conf')).toBe(conf)
    expect((await lab.gateway.exec(['stat', '-c', '%U:%G %a', '/etc/frr/frr.conf'])).stdout.trim()).toBe('frr:frr 640')
    expect((await lab.gateway.exec(['systemctl', 'is-active', 'frr'])).stdout.trim()).toBe('active')
    await waitEstablished('both sessions Established after the reboot', 240_000)
    const upS = (Date.now() - t0) / 1000
    await waitUntil('the LAN host to reach the dedicated host again', async () => (await lab.gateway.execLanHost(['ping', '-n', '-c', '1', '-W', '2', lab.aws.hostIp])).code === 0, 120_000)
    console.log(`gateway reboot: ready ${(booted.bootMs / 1000).toFixed(1)} s after qemu started (guest uptime ${booted.guestReadyS} s); both BGP sessions Established ${upS.toFixed(1)} s and the LAN reaching the dedicated host ${((Date.now() - t0) / 1000).toFixed(1)} s after the boot began`)
  }, 600_000)

  it('goes down to nothing: no qemu, no namespace, and the root namespace byte-identical', async () => {
    const qemus = lab.vms.map((v) => v.qemuPid)
    expect(qemus.every((p) => isRunning(p))).toBe(true)
    console.log(`BGP VM scenario: ${((Date.now() - started) / 1000).toFixed(1)} s from up() to down()\n  ${figures()}`)
    await session?.close()
    session = undefined
    await lab.down()
    expect(qemus.filter((p) => isRunning(p))).toEqual([])
    expect(namespacesWithPrefix(lab.prefix)).toEqual([])
    expect(rootNetSnapshot()).toBe(rootBefore)
  }, 120_000)
})
