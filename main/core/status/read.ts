// Reading live status from a gateway: SAs, recent daemon log and the health probe in one round trip.
import type { GatewayShell } from '../gateway/shell'
import type { Details } from '../details/model'
import { toAutoRouting, type GatewayFacts } from '../gateway/detect'
import { runReadOnly } from '../gateway/commands'
import { containsAddress, parsePrefix } from '../net/cidr'
import type { Secret } from '../base/secret'
import { diagnose, type Diagnosis } from './diagnosis'
import { parseLibreswanStatus } from './libreswan'
import { toSnapshot, type IkeSaStatus, type StatusSnapshot, type StatusSource } from './model'
import { parseStrokeStatus } from './stroke-statusall'
import { parseViciListSas, parseSwanctlPretty } from './vici-sas'

/** The gateway's own address inside the agency CIDRs: the source of the health probe. */
export function toLanAddress(facts: GatewayFacts, details: Details): string | undefined {
  const prefixes = details.gateway.privateCidrs.map((c) => parsePrefix(c)).filter((p) => p !== undefined)
  return facts.addresses.find((a) => prefixes.some((p) => containsAddress(p, a)))
}

/**
 * True when the gateway holds one tunnel up at a time: policy-based on strongSwan (swanctl or starter),
 * where keepup.sh keeps tunnel 2 standing by. Libreswan and pfSense bring both up (no loop holds one).
 */
export function holdsOneTunnel(facts: GatewayFacts, details: Details): boolean {
  const routing = details.routing === 'auto' ? toAutoRouting(facts) : details.routing
  const kind = details.gateway.kind ?? facts.stack.kind
  return routing === 'policy' && (kind === 'strongswan' || kind === 'strongswan-legacy')
}

/** The read-only commands of one status sample (argv only; names and addresses are validated IPv4). */
export function toStatusCommands(facts: GatewayFacts, details: Details): { id: string; argv: string[] }[] {
  const kind = facts.stack.kind
  const cmds: { id: string; argv: string[] }[] = []
  if (kind === 'libreswan' || kind === 'openswan') {
    cmds.push({ id: 'status', argv: ['ipsec', 'status'] }, { id: 'trafficstatus', argv: ['ipsec', 'trafficstatus'] })
  } else if (facts.frontEnds.swanctl || kind === 'pfsense') {
    cmds.push({ id: 'sas', argv: ['swanctl', '--list-sas', '--pretty'] })
  } else {
    cmds.push({ id: 'statusall', argv: [facts.layout === 'rhel' ? 'strongswan' : 'ipsec', 'statusall'] })
  }
  cmds.push({ id: 'journal', argv: ['journalctl', '--no-pager', '-q', '-o', 'short', '-n', '300', '-t', 'charon', '-t', 'charon-systemd', '-t', 'pluto', '-t', 'ipsec'] })
  cmds.push({ id: 'charon-log', argv: ['tail', '-n', '300', '/var/log/charon.log'] })
  const lan = toLanAddress(facts, details)
  const target = details.health?.target
  if (lan && target) cmds.push({ id: 'probe', argv: ['ping', '-c', '2', '-W', '2', '-I', lan, target] })
  return cmds
}

/** One status sample with its diagnosis. */
export interface StatusReading {
  readonly snapshot: StatusSnapshot
  readonly diagnoses: readonly Diagnosis[]
}

/** Reads one sample (one round trip) and diagnoses it against the previous samples. */
export async function readStatus(
  shell: GatewayShell,
  details: Details,
  facts: GatewayFacts,
  opts: { readonly previous?: readonly StatusSnapshot[]; readonly names?: readonly [string, string]; readonly secrets?: readonly Secret[] } = {},
): Promise<StatusReading> {
  const out = await runReadOnly(shell, toStatusCommands(facts, details), 30_000)
  const text = (id: string) => (out[id]?.exitCode === 0 ? out[id]!.stdout : '')
  let sas: IkeSaStatus[]
  let source: StatusSource
  if (out['status'] !== undefined) {
    sas = parseLibreswanStatus(text('status'), text('trafficstatus'))
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
  const probe = out['probe']
  if (probe !== undefined) {
    const rtt = /time=([\d.]+) ms/.exec(probe.stdout)?.[1]
    const result = { at: snapshot.at, ok: probe.exitCode === 0, ...(rtt ? { rttMs: Number(rtt) } : {}), detail: probe.exitCode === 0 ? `ping ${details.health?.target} ok` : `no reply from ${details.health?.target}` }
    // One probe covers the path, not one tunnel: it is attached to the tunnels that are up.
    snapshot = { ...snapshot, tunnels: snapshot.tunnels.map((t) => (t.up ? { ...t, probe: result } : t)) }
  }
  const log = [text('journal'), text('charon-log')].filter(Boolean).join('\n')
  const diagnoses = diagnose({ log, snapshots: [...(opts.previous ?? []), snapshot], ...(opts.secrets ? { secrets: opts.secrets } : {}) })
  return { snapshot, diagnoses }
}
