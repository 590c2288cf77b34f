// Parsers of `ip -j route get`, `ip -j addr show` and sysctl output, and the NAT / kernel-setting findings.
import { classifyIpv4 } from '../net/cidr'
import type { Finding } from './model'
import { parseXfrmStat } from '../status/kernel-counters'

export { parseXfrmStat }

/** One `ip -j -4 route get <dst>` answer. */
export interface RouteGet {
  readonly dst: string
  readonly dev?: string
  readonly prefsrc?: string
  readonly gateway?: string
}

/** Parses `ip -j -4 route get <dst>`; undefined when it is not that JSON. */
export function parseRouteGet(text: string): RouteGet | undefined {
  try {
    const doc: unknown = JSON.parse(text)
    const r = Array.isArray(doc) ? (doc[0] as Record<string, unknown> | undefined) : undefined
    if (r === undefined || r === null || typeof r !== 'object' || typeof r['dst'] !== 'string') return undefined
    const s = (k: string) => (typeof r[k] === 'string' ? { [k]: r[k] as string } : {})
    return { dst: r['dst'], ...s('dev'), ...s('prefsrc'), ...s('gateway') }
  } catch {
    return undefined
  }
}

/** Parses `ip -j -4 addr show` into interface → IPv4 addresses; undefined when it is not that JSON. */
export function parseAddrShow(text: string): ReadonlyMap<string, readonly string[]> | undefined {
  try {
    const doc: unknown = JSON.parse(text)
    if (!Array.isArray(doc)) return undefined
    const out = new Map<string, string[]>()
    for (const link of doc as Record<string, unknown>[]) {
      if (link === null || typeof link !== 'object' || typeof link['ifname'] !== 'string') continue
      const infos = Array.isArray(link['addr_info']) ? (link['addr_info'] as Record<string, unknown>[]) : []
      out.set(link['ifname'], infos.filter((a) => a !== null && typeof a === 'object' && a['family'] === 'inet' && typeof a['local'] === 'string').map((a) => a['local'] as string))
    }
    return out
  } catch {
    return undefined
  }
}

/** Parses `sysctl -a` style lines (`net.ipv4.ip_forward = 1`) or `grep -r . /proc/sys/...` lines. */
export function parseSysctl(text: string): ReadonlyMap<string, string> {
  const out = new Map<string, string>()
  for (const line of text.split('\n')) {
    const a = /^\s*([a-z0-9_.\-/]+)\s*=\s*(\S*)\s*$/i.exec(line)
    const b = /^\/proc\/sys\/([^:]+):(\S*)$/.exec(line.trim())
    if (a) out.set(a[1]!.replace(/\//g, '.'), a[2]!)
    else if (b) out.set(b[1]!.replace(/\//g, '.'), b[2]!)
  }
  return out
}

/** Whether the gateway is behind NAT: its source address toward the peers is not the public (CGW) address. */
export interface NatState {
  readonly natted: boolean | undefined
  readonly prefsrc?: string
  readonly dev?: string
}

/** Decides NAT from the routes toward the peers and the local addresses. */
export function toNatState(publicIp: string, routes: readonly (RouteGet | undefined)[], addrs: ReadonlyMap<string, readonly string[]> | undefined): NatState {
  const known = routes.filter((r): r is RouteGet => r !== undefined && r.prefsrc !== undefined)
  if (known.length === 0) return { natted: undefined }
  const first = known[0]!
  const local = addrs === undefined ? [] : [...addrs.values()].flat()
  const natted = known.some((r) => r.prefsrc !== publicIp) && !local.includes(publicIp)
  return { natted, prefsrc: first.prefsrc!, ...(first.dev === undefined ? {} : { dev: first.dev }) }
}

/** The NAT finding: behind NAT means the public IP is the IKE ID and UDP 4500 must be open. */
export function toNatFinding(publicIp: string, nat: NatState): Finding {
  const subject = { topic: 'nat' }
  if (nat.natted === undefined) {
    return { id: 'nat.detect', severity: 'warning', subject, verdict: 'unknown', evidence: [], why: 'No route lookup toward the AWS peers could be read, so NAT in front of the gateway cannot be ruled out.' }
  }
  const evidence = [`ip route get <peer>: dev ${nat.dev ?? '?'} prefsrc ${nat.prefsrc ?? '?'}`, `public IP (customer gateway): ${publicIp}`]
  if (!nat.natted) return { id: 'nat.detect', severity: 'ok', subject, verdict: 'ok', evidence, why: 'The gateway sends from its public IP: no NAT in front of it; NAT-T (UDP 4500) is optional.' }
  const kind = nat.prefsrc === undefined ? 'unknown' : classifyIpv4(nat.prefsrc).kind
  return {
    id: 'nat.detect',
    severity: 'warning',
    subject,
    verdict: 'problem',
    evidence: [...evidence, `prefsrc address kind: ${kind}`],
    why: `The gateway sends from ${nat.prefsrc ?? '?'}, not ${publicIp}: it is behind NAT. IKE must use ${publicIp} as its local ID, traffic is NAT-T (UDP 4500 both ways), and the NAT device must forward UDP 500 and 4500 to the gateway.`,
  }
}

/** Findings for ip_forward and rp_filter (route-based needs loose or off on the tunnel and WAN interfaces). */
export function toKernelFindings(sysctl: ReadonlyMap<string, string>, opts: { routing: 'policy' | 'route'; interfaces: readonly string[] }): Finding[] {
  const out: Finding[] = []
  const fwd = sysctl.get('net.ipv4.ip_forward')
  if (fwd === undefined) out.push({ id: 'kernel.ip_forward', severity: 'warning', subject: { topic: 'ip_forward' }, verdict: 'unknown', evidence: [], why: 'net.ipv4.ip_forward could not be read.' })
  else if (fwd === '1') out.push({ id: 'kernel.ip_forward', severity: 'ok', subject: { topic: 'ip_forward' }, verdict: 'ok', evidence: [`net.ipv4.ip_forward = ${fwd}`], why: 'The gateway forwards between the agency network and the tunnels.' })
  else
    out.push({
      id: 'kernel.ip_forward',
      severity: 'error',
      subject: { topic: 'ip_forward' },
      verdict: 'problem',
      evidence: [`net.ipv4.ip_forward = ${fwd}`],
      why: 'IP forwarding is off: the tunnel may come up but no agency host can reach the dedicated subnet through it.',
      fix: { sysctl: "sysctl -w net.ipv4.ip_forward=1 && echo 'net.ipv4.ip_forward = 1' > /etc/sysctl.d/90-tunnelwright.conf" },
    })
  // The kernel uses max(conf.all.rp_filter, conf.<if>.rp_filter).
  const all = Number(sysctl.get('net.ipv4.conf.all.rp_filter') ?? NaN)
  const strict: string[] = []
  const evidence: string[] = [`net.ipv4.conf.all.rp_filter = ${Number.isNaN(all) ? '?' : all}`]
  let unknown = Number.isNaN(all)
  for (const ifname of opts.interfaces) {
    const v = Number(sysctl.get(`net.ipv4.conf.${ifname}.rp_filter`) ?? NaN)
    evidence.push(`net.ipv4.conf.${ifname}.rp_filter = ${Number.isNaN(v) ? '?' : v}`)
    if (Number.isNaN(v)) unknown = true
    else if (Math.max(v, Number.isNaN(all) ? 0 : all) === 1) strict.push(ifname)
  }
  if (Number.isNaN(all) ? false : all === 1 && opts.interfaces.length === 0) strict.push('all')
  const subject = { topic: 'rp_filter' }
  if (strict.length > 0) {
    const sev = opts.routing === 'route' ? 'error' : 'warning'
    out.push({
      id: 'kernel.rp_filter',
      severity: sev,
      subject,
      verdict: 'problem',
      evidence,
      why: `Strict reverse-path filtering (1) on ${strict.join(', ')}: AWS answers on either tunnel, and a route-based tunnel receives traffic on an interface that is not the route back, so the kernel drops it. Use loose mode (2), as AWS's own templates do.`,
      fix: { sysctl: [...new Set(['all', ...strict])].map((i) => `sysctl -w net.ipv4.conf.${i}.rp_filter=2`).join(' && ') },
    })
  } else if (unknown) out.push({ id: 'kernel.rp_filter', severity: 'warning', subject, verdict: 'unknown', evidence, why: 'rp_filter could not be read for every interface of the tunnels.' })
  else out.push({ id: 'kernel.rp_filter', severity: 'ok', subject, verdict: 'ok', evidence, why: 'Reverse-path filtering is loose or off: asymmetric answers from AWS are not dropped.' })
  return out
}


/**
 * XfrmInTmplMismatch: packets that arrived through an SA the kernel's inbound policy does not name. With
 * policy-based tunnels that share selectors (the kernel keeps one policy), it counts what AWS sent down the
 * other tunnel (AWS picks its return tunnel itself). The counters run since boot, per network namespace.
 */
export function toXfrmFinding(stat: ReadonlyMap<string, number>, opts: { readonly routing: 'policy' | 'route' }): Finding {
  const subject = { topic: 'xfrm' }
  const n = stat.get('XfrmInTmplMismatch')
  if (n === undefined) return { id: 'kernel.xfrm_stat', severity: 'info', subject, verdict: 'unknown', evidence: [], why: 'The kernel\'s IPsec counters (/proc/net/xfrm_stat) could not be read, so dropped return traffic cannot be ruled out.' }
  const evidence = ['XfrmInTmplMismatch', 'XfrmInNoPols', 'XfrmInNoStates'].filter((k) => stat.has(k)).map((k) => `${k} ${stat.get(k)}`)
  if (n === 0) return { id: 'kernel.xfrm_stat', severity: 'ok', subject, verdict: 'ok', evidence, why: 'No packet arriving through a tunnel was dropped for reaching the wrong policy.' }
  return {
    id: 'kernel.xfrm_stat',
    severity: 'warning',
    subject,
    verdict: 'problem',
    evidence,
    why:
      opts.routing === 'policy'
        ? `The kernel dropped ${n} packet(s) that arrived through a tunnel its policy does not point to (since boot). With policy-based tunnels both tunnels share one policy, and AWS sends its return traffic down the tunnel it prefers: whatever comes back on the other one is dropped, so traffic is intermittent or one-way. AWS: with policy-based tunnels only one tunnel may be up at a time.`
        : `The kernel dropped ${n} packet(s) that arrived through a tunnel its policy does not point to (since boot): a policy without the tunnel's mark or interface ID, or another connection's policy over the same traffic.`,
    // Not a command: the cure is a configuration choice (nothing here for "Apply fix" to run).
    fix: {
      details:
        opts.routing === 'policy'
          ? 'Set "routing": "route" in the details (XFRM interfaces or VTI: both tunnels usable) and apply again; until then keep only one of the two tunnels up.'
          : "Each tunnel's policies must carry its own mark or interface ID (see `ip xfrm policy`): apply the rendered configuration again, and remove other connections over the same traffic.",
    },
  }
}
