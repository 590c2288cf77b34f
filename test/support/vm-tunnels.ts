// What the route-based VM test files share: the gateway's tunnel interfaces (XFRM interfaces or VTIs) and
// routes, the internet node's counters, "each tunnel carries its own traffic" proven by the SA packet
// counters on both ends, and what a rollback must not leave behind.
import { expect } from 'vitest'
import type { Details } from '../../main/core/details/model'
import type { IkeSa, Lab } from '../lab'
import { insideAddresses } from '../lab/vm-lab'

/** `ip -j` output of a command on the gateway. */
export async function ipJson<T>(lab: Lab, args: readonly string[]): Promise<T> {
  const r = await lab.gateway.exec(['ip', '-j', ...args])
  expect(r.code, r.stderr).toBe(0)
  return JSON.parse(r.stdout || '[]') as T
}

interface IpLink {
  readonly ifname: string
  readonly linkinfo?: { readonly info_kind?: string; readonly info_data?: { readonly if_id?: number | string; readonly ikey?: string; readonly okey?: string; readonly remote?: string } }
  readonly addr_info?: readonly { readonly local: string; readonly prefixlen: number }[]
}

/** One tunnel interface on the gateway: an XFRM interface (key = if_id) or a VTI (key = okey, the SAs' mark). */
export interface TunnelLink {
  readonly name: string
  readonly kind: 'xfrm' | 'vti'
  readonly key: number
  /** VTI only: the input key and the remote endpoint. */
  readonly ikey?: number
  readonly remote?: string
  /** Its IPv4 addresses, `a.b.c.d/len`. */
  readonly addrs: readonly string[]
}

/** A VTI key as iproute2 prints it (dotted quad) → number. */
const keyOf = (k: string | undefined) => (k ?? '').split('.').reduce((n, o) => n * 256 + Number(o), 0)

/** The gateway's XFRM interfaces and VTIs (not the kernel's fallback ip_vti0), by kind then key, with their IPv4 addresses. */
export async function tunnelLinks(lab: Lab): Promise<TunnelLink[]> {
  const addrs = await ipJson<IpLink[]>(lab, ['-4', 'addr', 'show'])
  const addrsOf = (name: string) => (addrs.find((a) => a.ifname === name)?.addr_info ?? []).map((a) => `${a.local}/${a.prefixlen}`)
  const xfrm = (await ipJson<IpLink[]>(lab, ['-d', 'link', 'show', 'type', 'xfrm'])).map((l): TunnelLink => ({ name: l.ifname, kind: 'xfrm', key: Number(l.linkinfo?.info_data?.if_id), addrs: addrsOf(l.ifname) }))
  const vti = (await ipJson<IpLink[]>(lab, ['-d', 'link', 'show', 'type', 'vti']))
    .filter((l) => l.ifname !== 'ip_vti0')
    .map((l): TunnelLink => ({ name: l.ifname, kind: 'vti', key: keyOf(l.linkinfo?.info_data?.okey), ikey: keyOf(l.linkinfo?.info_data?.ikey), remote: l.linkinfo?.info_data?.remote ?? '', addrs: addrsOf(l.ifname) }))
  return [...xfrm.sort((a, b) => a.key - b.key), ...vti.sort((a, b) => a.key - b.key)]
}

/** The gateway's routes to the dedicated CIDR: device and metric. */
export async function dedicatedRoutes(lab: Lab): Promise<{ dev: string; metric?: number }[]> {
  return ipJson<{ dev: string; metric?: number }[]>(lab, ['route', 'show', lab.aws.dedicatedCidr])
}

/** Packets the internet node's counter rule with this comment has seen. */
export function counter(ruleset: string, comment: string): number[] {
  return ruleset
    .split('\n')
    .filter((l) => l.includes(`comment "${comment}"`))
    .map((l) => Number(/counter packets (\d+)/.exec(l)?.[1] ?? NaN))
}

/** The kernel's XfrmInTmplMismatch on the gateway. */
export async function tmplMismatch(lab: Lab): Promise<number> {
  return Number(/XfrmInTmplMismatch\s+(\d+)/.exec((await lab.gateway.exec(['cat', '/proc/net/xfrm_stat'])).stdout)?.[1] ?? NaN)
}

/** The one installed CHILD SA of the gateway's established IKE SA to `peer` (fails unless there is exactly one of each). */
export function childTo(sas: readonly IkeSa[], peer: string) {
  const ike = sas.filter((s) => s.remoteHost === peer && s.state === 'ESTABLISHED')
  expect(ike.length, `IKE SAs to ${peer}: ${JSON.stringify(sas.map((s) => [s.name, s.remoteHost, s.state]))}`).toBe(1)
  const installed = ike[0]!.children.filter((c) => c.state === 'INSTALLED')
  expect(installed.length, `CHILD SAs to ${peer}`).toBe(1)
  return installed[0]!
}

/**
 * Traffic through each tunnel, counted by that tunnel's own SAs on both ends: the LAN host reaches the
 * dedicated host through tunnel 1 (the lower metric), the gateway reaches AWS's inside address of tunnel 2
 * through `tunnel2Dev` (and, with `tunnel1Dev`, tunnel 1's through it: BGP spreads the LAN's traffic over
 * equal paths, so it may not take tunnel 1). The SAs stay the same (same inbound SPI); the internet node saw
 * raw ESP only, no UDP 4500 and no cleartext between the sites (it drops and counts that).
 */
export async function eachTunnelCarries(lab: Lab, details: Details, tunnel2Dev: string, n = 5, opts: { readonly tunnel1Dev?: string } = {}): Promise<void> {
  const [ip1, ip2] = lab.aws.outsideIps
  const sas = await lab.gateway.listSas()
  const [t1, t2] = [childTo(sas, ip1), childTo(sas, ip2)]
  const awsIn = (list: IkeSa[], name: string) => list.filter((s) => s.name === name).flatMap((s) => s.children).reduce((sum, c) => sum + c.packetsIn, 0)
  const awsBefore = await lab.aws.listSas()
  const lanPing = await lab.gateway.execLanHost(['ping', '-c', String(n), '-i', '0.3', '-W', '3', lab.aws.hostIp], { timeoutMs: 60_000 })
  expect(lanPing.code, lanPing.stdout).toBe(0)
  const t2Aws = insideAddresses(details.remote.tunnels[1]!.insideCidr).aws
  const t2Ping = await lab.gateway.exec(['ping', '-c', String(n), '-i', '0.3', '-W', '3', '-I', tunnel2Dev, t2Aws], { timeoutMs: 60_000 })
  expect(t2Ping.code, t2Ping.stdout).toBe(0)
  if (opts.tunnel1Dev) {
    // BGP routes the LAN's traffic over either tunnel (equal paths): tunnel 1 gets its own pings too.
    const t1Ping = await lab.gateway.exec(['ping', '-c', String(n), '-i', '0.3', '-W', '3', '-I', opts.tunnel1Dev, insideAddresses(details.remote.tunnels[0]!.insideCidr).aws], { timeoutMs: 60_000 })
    expect(t1Ping.code, t1Ping.stdout).toBe(0)
  }
  const after = await lab.gateway.listSas()
  const [a1, a2] = [childTo(after, ip1), childTo(after, ip2)]
  for (const [c, b] of [
    [a1, t1],
    [a2, t2],
  ] as const) {
    expect(c.raw['spi-in'], `${c.name}: the same CHILD SA`).toBe(b.raw['spi-in'])
    expect(c.packetsOut - b.packetsOut, c.name).toBeGreaterThanOrEqual(n)
    expect(c.packetsIn - b.packetsIn, c.name).toBeGreaterThanOrEqual(n)
  }
  const awsAfter = await lab.aws.listSas()
  expect(awsIn(awsAfter, 'tunnel1') - awsIn(awsBefore, 'tunnel1')).toBeGreaterThanOrEqual(n)
  expect(awsIn(awsAfter, 'tunnel2') - awsIn(awsBefore, 'tunnel2')).toBeGreaterThanOrEqual(n)
  const ruleset = await lab.internet.ruleset()
  expect(counter(ruleset, 'cleartext between the sites')).toEqual([0, 0])
  expect(counter(ruleset, 'esp')[0]).toBeGreaterThanOrEqual(4 * n) // raw IP protocol 50, both ways, both tunnels
  expect(counter(ruleset, 'udp4500')).toEqual([0])
}

/** The gateway's interface and forwarding sysctls (IPv4 and IPv6), to compare before an apply and after its rollback. */
export async function netSysctls(lab: Lab): Promise<string> {
  const r = await lab.gateway.exec(['sysctl', '-a', '-r', '^net\\.ipv[46]\\.(ip_forward|conf\\.)'])
  return r.stdout
}

/** What route-based plumbing could leave on the gateway: tunnel interfaces, inside (169.254) addresses, routes to the dedicated CIDR. */
export async function plumbingLeft(lab: Lab): Promise<{ links: TunnelLink[]; insideAddrs: string[]; routes: { dev: string; metric?: number }[] }> {
  const insideAddrs = (await lab.gateway.exec(['ip', '-4', '-o', 'addr', 'show'])).stdout.match(/inet 169\.254\.\S+/g) ?? []
  return { links: await tunnelLinks(lab), insideAddrs, routes: await dedicatedRoutes(lab) }
}
