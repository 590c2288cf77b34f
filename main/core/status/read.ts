// Reading live status from a gateway: SAs, recent daemon log and the health probe in one round trip.
import type { GatewayShell } from '../gateway/shell'
import type { Details } from '../details/model'
import { toAutoRouting, type GatewayFacts } from '../gateway/detect'
import { runReadOnly } from '../gateway/commands'
import { containsAddress, parsePrefix } from '../net/cidr'
import type { Secret } from '../base/secret'
import { insideAddresses } from '../net/cidr'
import { diagnose, type Diagnosis } from './diagnosis'
import { FRR_BGP_SUMMARY_ARGV, parseFrrBgpSummary, withBgpSessions } from './frr-bgp'
import { parseXfrmStat } from './kernel-counters'
import { parseLibreswanStatus, XFRM_COUNTERS_ARGV } from './libreswan'
import { toSnapshot, type IkeSaStatus, type StatusSnapshot, type StatusSource } from './model'
import { parseStrokeStatus } from './stroke-statusall'
import { parseViciListSas, parseSwanctlPretty } from './vici-sas'

/** The gateway's own address inside the agency CIDRs: the source of the health probe. */
export function toLanAddress(facts: GatewayFacts, details: Details): string | undefined {
  const prefixes = details.gateway.privateCidrs.map((c) => parsePrefix(c)).filter((p) => p !== undefined)
  return facts.addresses.find((a) => prefixes.some((p) => containsAddress(p, a)))
}

/**
 * True when the gateway holds one tunnel up at a time: policy-based on strongSwan (swanctl or starter) and
 * Libreswan, where keepup.sh keeps tunnel 2 standing by. Openswan and pfSense bring both up (no loop holds one).
 */
export function holdsOneTunnel(facts: GatewayFacts, details: Details): boolean {
  const routing = details.routing === 'auto' ? toAutoRouting(facts) : details.routing
  const kind = details.gateway.kind ?? facts.stack.kind
  return routing === 'policy' && (kind === 'strongswan' || kind === 'strongswan-legacy' || kind === 'libreswan')
}

/** The read-only commands of one status sample (argv only; names and addresses are validated IPv4). */
export function toStatusCommands(facts: GatewayFacts, details: Details): { id: string; argv: string[] }[] {
  const kind = facts.stack.kind
  const cmds: { id: string; argv: string[] }[] = []
  if (kind === 'libreswan' || kind === 'openswan') {
    // pluto counts bytes only: the packets come from the kernel's SAs.
    cmds.push({ id: 'status', argv: ['ipsec', 'status'] }, { id: 'trafficstatus', argv: ['ipsec', 'trafficstatus'] }, { id: 'xfrm', argv: [...XFRM_COUNTERS_ARGV] })
  } else if (facts.frontEnds.swanctl || kind === 'pfsense') {
    cmds.push({ id: 'sas', argv: ['swanctl', '--list-sas', '--pretty'] })
  } else {
    cmds.push({ id: 'statusall', argv: [facts.layout === 'rhel' ? 'strongswan' : 'ipsec', 'statusall'] })
  }
  // Unix times in the journal, and the gateway's clock: log lines are aged against it (old ones are history).
  cmds.push({ id: 'journal', argv: ['journalctl', '--no-pager', '-q', '-o', 'short-unix', '-n', '300', '-t', 'charon', '-t', 'charon-systemd', '-t', 'pluto', '-t', 'ipsec'] })
  cmds.push({ id: 'charon-log', argv: ['tail', '-n', '300', '/var/log/charon.log'] })
  cmds.push({ id: 'clock', argv: ['date', '+%s %z'] })
  // The kernel's drop counters (Linux): AWS's return traffic dropped by the inbound policy check.
  if (facts.os.family !== 'freebsd') cmds.push({ id: 'xfrm-stat', argv: ['cat', '/proc/net/xfrm_stat'] })
  for (const p of toProbes(facts, details)) cmds.push({ id: p.id, argv: p.argv })
  // A BGP VPN: the sessions as FRR sees them (on pfSense, the FRR package's vtysh in /usr/local/bin).
  if (details.bgp && (facts.os.family !== 'freebsd' || facts.stack.kind === 'pfsense')) cmds.push({ id: 'bgp', argv: [...FRR_BGP_SUMMARY_ARGV] })
  return cmds
}

/** One health probe of a status sample: which tunnels its answer speaks for. */
interface Probe {
  readonly id: string
  readonly argv: string[]
  /** The tunnel (index) this probe's path runs through; undefined: whichever tunnel is up (policy-based). */
  readonly tunnel?: number
  readonly what: string
}

/**
 * The probes of a sample. Route-based, each tunnel on its own path: a ping to AWS's inside address of that
 * tunnel (its /30 sits on that tunnel's interface, so the kernel sends it through that tunnel and no other).
 * Policy-based, one path for the tunnel that is up: a ping from the gateway's LAN address to the health target.
 */
function toProbes(facts: GatewayFacts, details: Details): Probe[] {
  const routing = details.routing === 'auto' ? toAutoRouting(facts) : details.routing
  if (routing === 'route' && facts.stack.kind !== 'pfsense') {
    return details.remote.tunnels.flatMap((t, i) => {
      const inside = insideAddresses(t.insideCidr)
      return inside ? [{ id: `probe-t${i + 1}`, argv: ['ping', '-n', '-c', '2', '-W', '2', inside.aws], tunnel: i, what: `ping through tunnel ${i + 1} to AWS's inside address ${inside.aws}` }] : []
    })
  }
  const lan = toLanAddress(facts, details)
  const target = details.health?.target
  return lan && target ? [{ id: 'probe', argv: ['ping', '-n', '-c', '2', '-W', '2', '-I', lan, target], what: `ping ${target} from ${lan}` }] : []
}

/** One status sample with its diagnosis. */
export interface StatusReading {
  readonly snapshot: StatusSnapshot
  readonly diagnoses: readonly Diagnosis[]
  /** The kernel's XfrmInTmplMismatch counter at this sample (Linux), for the next sample's comparison. */
  readonly xfrmInTmplMismatch?: number
}

/** Reads one sample (one round trip) and diagnoses it against the previous samples. */
export async function readStatus(
  shell: GatewayShell,
  details: Details,
  facts: GatewayFacts,
  opts: { readonly previous?: readonly StatusSnapshot[]; readonly names?: readonly [string, string]; readonly secrets?: readonly Secret[]; readonly previousXfrmInTmplMismatch?: number } = {},
): Promise<StatusReading> {
  const out = await runReadOnly(shell, toStatusCommands(facts, details), 30_000)
  const text = (id: string) => (out[id]?.exitCode === 0 ? out[id]!.stdout : '')
  let sas: IkeSaStatus[]
  let source: StatusSource
  if (out['status'] !== undefined) {
    sas = parseLibreswanStatus(text('status'), text('trafficstatus'), undefined, text('xfrm'))
    source = 'libreswan'
  } else if (out['sas'] !== undefined) {
    sas = parseViciListSas(parseSwanctlPretty(text('sas')))
    source = 'swanctl'
  } else {
    sas = parseStrokeStatus(text('statusall'))
    source = 'stroke'
  }
  const peers = details.remote.tunnels.map((t) => t.outsideIp)
  const ours = sas.filter((s) => peers.includes(s.remoteHost))
  const prev = opts.previous?.[opts.previous.length - 1]
  let snapshot = toSnapshot(ours, {
    at: Date.now(),
    source,
    expected: peers.map((peer, i) => ({ peer, name: opts.names?.[i] ?? `tunnel ${i + 1}` })),
    oneActive: holdsOneTunnel(facts, details),
    ...(prev ? { previous: prev } : {}),
  })
  for (const p of toProbes(facts, details)) {
    const r = out[p.id]
    if (r === undefined) continue
    const rtt = /time=([\d.]+) ms/.exec(r.stdout)?.[1]
    const result = { at: snapshot.at, ok: r.exitCode === 0, ...(rtt ? { rttMs: Number(rtt) } : {}), detail: `${p.what}: ${r.exitCode === 0 ? 'answered' : 'no answer'}` }
    // A per-tunnel probe speaks for its own tunnel only; the one policy-based path for the tunnel that is up.
    snapshot = { ...snapshot, tunnels: snapshot.tunnels.map((t, i) => ((p.tunnel === undefined ? t.up : p.tunnel === i && t.up) ? { ...t, probe: result } : t)) }
  }
  if (details.bgp && out['bgp'] !== undefined) snapshot = toSnapshotWithBgp(snapshot, details, out['bgp'])
  const log = [text('journal'), text('charon-log')].filter(Boolean).join('\n')
  const clock = /^(\d+) ([+-])(\d{2})(\d{2})/.exec(text('clock').trim())
  const xfrm = out['xfrm-stat'] === undefined ? undefined : parseXfrmStat(text('xfrm-stat')).get('XfrmInTmplMismatch')
  const routing = details.routing === 'auto' ? toAutoRouting(facts) : details.routing
  const diagnoses = diagnose({
    log,
    snapshots: [...(opts.previous ?? []), snapshot],
    ...(opts.secrets ? { secrets: opts.secrets } : {}),
    ...(clock ? { clock: { now: Number(clock[1]), utcOffsetSec: (clock[2] === '-' ? -1 : 1) * (Number(clock[3]) * 3600 + Number(clock[4]) * 60) } } : {}),
    ...(xfrm === undefined ? {} : { xfrmInTmplMismatch: { now: xfrm, ...(opts.previousXfrmInTmplMismatch === undefined ? {} : { previous: opts.previousXfrmInTmplMismatch }) } }),
    policyBased: routing === 'policy',
  })
  return { snapshot, diagnoses, ...(xfrm === undefined ? {} : { xfrmInTmplMismatch: xfrm }) }
}

/** The snapshot with each tunnel's BGP session from vtysh's output; FRR not answering or not readable is said per tunnel. */
function toSnapshotWithBgp(snapshot: StatusSnapshot, details: Details, out: { readonly stdout: string; readonly exitCode: number }): StatusSnapshot {
  // AWS's end of each session is the first address of the tunnel's inside /30 (as the FRR section renders it).
  const neighbours = details.remote.tunnels.flatMap((t) => {
    const inside = insideAddresses(t.insideCidr)
    return inside ? [{ outsideIp: t.outsideIp, neighborIp: inside.aws }] : []
  })
  if (out.exitCode !== 0) return withBgpSessions(snapshot, new Map(), neighbours, 'FRR not answering')
  try {
    return withBgpSessions(snapshot, parseFrrBgpSummary(out.stdout), neighbours)
  } catch {
    return withBgpSessions(snapshot, new Map(), neighbours, 'unreadable')
  }
}
