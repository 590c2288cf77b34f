// Post-apply truth: once our tunnels exist, the daemons say what the path really does (IKE unanswered, ESP in
// but nothing back, NAT before IPsec, extra SAs). Their status and log, read in the check's one batch, become
// check findings with fixes. Pure: no I/O.
import { toTunnelNames } from '../base/vocabulary'
import type { Details } from '../details/model'
import { toSlug } from '../details/resolve'
import type { GatewayFacts } from '../gateway/detect'
import { diagnose, type Diagnosis } from '../status/diagnosis'
import { parseLibreswanStatus } from '../status/libreswan'
import { parseDaemonLog } from '../status/log-lines'
import { toSnapshot, type IkeSaStatus, type StatusSnapshot, type StatusSource } from '../status/model'
import { holdsOneTunnel, toStatusCommands } from '../status/read'
import { parseStrokeStatus } from '../status/stroke-statusall'
import { parseSwanctlPretty, parseViciListSas } from '../status/vici-sas'
import type { CommandOutputs, GatewayCommand } from '../gateway/commands'
import { toUpstreamFix, PROBE_PREFIX } from './path-probe'
import type { Finding, Fix } from './model'

/** The status commands for the check's batch: SAs and recent daemon log (no ping: it would cost seconds). */
export function toDaemonCommands(facts: GatewayFacts, details: Details): GatewayCommand[] {
  return toStatusCommands(facts, details).filter((c) => !/^probe(?:-|$)/.test(c.id))
}

/** Our tunnels as the daemons show them, and the recent log lines of our own connections. */
export interface DaemonReading {
  readonly snapshot: StatusSnapshot
  /** Log text restricted to our connections (`<slug>-…`), never the probe's or the user's other ones. */
  readonly log: string
  /** Whether any of our connections or SAs exist on the gateway (false before the first apply). */
  readonly present: boolean
}

/** Reads the batch outputs of toDaemonCommands (the parsing of readStatus, without its own round trip). */
export function toDaemonReading(outputs: CommandOutputs, facts: GatewayFacts, details: Details, at = Date.now()): DaemonReading {
  const text = (id: string) => (outputs[id]?.exitCode === 0 ? (outputs[id]?.stdout ?? '') : '')
  let sas: IkeSaStatus[]
  let source: StatusSource
  if (outputs['status'] !== undefined) {
    sas = parseLibreswanStatus(text('status'), text('trafficstatus'))
    source = 'libreswan'
  } else if (outputs['sas'] !== undefined) {
    sas = parseViciListSas(parseSwanctlPretty(text('sas')))
    source = 'swanctl'
  } else {
    sas = parseStrokeStatus(text('statusall'))
    source = 'stroke'
  }
  const slug = toSlug(details.name)
  const peers = details.remote.tunnels.map((t) => t.outsideIp)
  const ours = sas.filter((s) => peers.includes(s.remoteHost) && !s.name.startsWith(PROBE_PREFIX))
  const snapshot = toSnapshot(ours, { at, source, expected: peers.map((peer, i) => ({ peer, name: toTunnelNames(slug)[i] ?? `tunnel ${i + 1}` })), oneActive: holdsOneTunnel(facts, details) })
  const raw = [text('journal'), text('charon-log')].filter(Boolean).join('\n')
  const log = parseDaemonLog(raw)
    .filter((l) => l.conn !== undefined && l.conn.startsWith(`${slug}-`))
    .map((l) => l.raw)
    .join('\n')
  const present = ours.length > 0 || facts.existingConnections.some((c) => c.startsWith(`${slug}-`))
  return { snapshot, log, present }
}

/** The flow an unanswered IKE blames, the host firewall findings that would explain it, and what to open upstream. */
const SILENT_UDP500 = { flow: 'udp500', hostIds: ['fw.inbound.udp500', 'fw.outbound.udp500', 'fw.inbound.udp4500', 'fw.outbound.udp4500'], what: 'UDP 500 and UDP 4500 and ESP (IP protocol 50)' } as const
const SILENT_UDP4500 = { flow: 'udp4500', hostIds: ['fw.inbound.udp4500', 'fw.outbound.udp4500'], what: 'UDP 4500 (NAT-T: IKE and ESP-in-UDP behind NAT)' } as const

function peerOf(d: Diagnosis, snapshot: StatusSnapshot, details: Details): string | undefined {
  const t = snapshot.tunnels.find((x) => x.name === d.tunnel || x.peer === d.tunnel)
  if (t) return t.peer
  const m = /-t(\d)$/.exec(d.tunnel ?? '')
  return m ? details.remote.tunnels[Number(m[1]) - 1]?.outsideIp : undefined
}

function hostFix(host: readonly Finding[], peer: string, ids: readonly string[]): { finding: Finding; fix: Fix } | undefined {
  const f = host.find((x) => ids.includes(x.id.replace(`.${peer}`, '')) && x.subject.peer === peer && x.verdict === 'blocked' && x.fix !== undefined)
  return f?.fix ? { finding: f, fix: f.fix } : undefined
}

/**
 * Daemon diagnoses → check findings. Log-derived ones count only for tunnels that are down now (old lines of a
 * fixed problem must not stay red); counter-derived ones (inbound/outbound zero, extra SAs) for tunnels that are up.
 */
export function toDaemonFindings(reading: DaemonReading, details: Details, ctx: { readonly publicIp: string; readonly hostFindings: readonly Finding[] }): Finding[] {
  if (!reading.present) return []
  const { snapshot } = reading
  // A standby tunnel (policy-based: down on purpose beside the active one) is judged like an up one: old log
  // lines of a failover or of the loop closing it are not a fault.
  const upPeers = new Set(snapshot.tunnels.filter((t) => t.up || t.standby).map((t) => t.peer))
  const fromLog = diagnose({ log: reading.log }).filter((d) => d.id !== 'extra-sas' && d.id !== 'inbound-zero' && d.id !== 'outbound-zero')
  // AWS may answer on the other tunnel (both carry the same selectors): out on one and in on the other is normal,
  // so "nothing comes back" / "nothing goes in" needs the totals over both tunnels.
  const up = snapshot.tunnels.filter((t) => t.up)
  const totalIn = up.reduce((n, t) => n + t.bytesIn, 0)
  const totalOut = up.reduce((n, t) => n + t.bytesOut, 0)
  const fromSnap = diagnose({ snapshots: [snapshot] }).filter((d) => d.id === 'extra-sas' || (d.id === 'inbound-zero' && totalIn === 0) || (d.id === 'outbound-zero' && totalOut === 0))
  const out: Finding[] = []
  for (const d of [...fromLog, ...fromSnap]) {
    const peer = peerOf(d, snapshot, details)
    if (peer === undefined) continue
    const logDerived = fromLog.includes(d)
    if (logDerived && upPeers.has(peer)) continue
    const t = snapshot.tunnels.find((x) => x.peer === peer)
    const id = `daemon.${d.id}.${peer}`
    const evidence = [...d.evidence]
    // IKE unanswered: on port 500 from the start, or on 4500 after the NAT-T switch (500 answered).
    const silent = d.id === 'ike-no-answer' ? SILENT_UDP500 : d.id === 'natt-no-answer' ? SILENT_UDP4500 : undefined
    if (silent) {
      const host = hostFix(ctx.hostFindings, peer, silent.hostIds)
      out.push({
        id,
        severity: 'error',
        subject: { peer, flow: silent.flow },
        verdict: 'blocked',
        evidence,
        why: host ? `${d.cause} This gateway's own firewall drops it (${host.finding.id}).` : d.cause,
        fix: host?.fix ?? toUpstreamFix(ctx.publicIp, peer, silent.what),
      })
    } else if (d.id === 'inbound-zero') {
      // With NAT-T (and always in user-space ESP) the ESP packets travel in UDP 4500.
      const flow = t?.natT === true ? 'udp4500' : 'esp'
      const host = hostFix(ctx.hostFindings, peer, flow === 'esp' ? ['fw.inbound.esp'] : ['fw.inbound.udp4500'])
      out.push({
        id,
        severity: 'error',
        subject: { peer, flow, direction: 'inbound' },
        verdict: 'blocked',
        evidence: [...evidence, ...(t?.natT === true ? ['the SA is UDP-encapsulated (NAT-T): ESP travels in UDP 4500'] : [])],
        why: host ? `${d.cause} This gateway's own firewall drops it (${host.finding.id}).` : `${d.cause} IKE passes, so the drop is specific to ${flow === 'esp' ? 'ESP (IP protocol 50)' : 'ESP-in-UDP on port 4500'}.`,
        fix: host?.fix ?? { ...toUpstreamFix(ctx.publicIp, peer, flow === 'esp' ? 'ESP (IP protocol 50)' : 'UDP 4500 (ESP-in-UDP)'), details: 'Also confirm with cloud.gov that your CIDR is routed to this tunnel.' },
      })
    } else if (d.id === 'outbound-zero') {
      const masq = ctx.hostFindings.find((f) => f.id === 'nat.masquerade' && f.verdict !== 'ok')
      const fwd = ctx.hostFindings.find((f) => f.id === 'kernel.ip_forward' && f.verdict === 'problem')
      out.push({
        id,
        severity: 'error',
        subject: { peer, topic: 'nat-before-ipsec' },
        verdict: 'problem',
        evidence: [...evidence, ...(masq ? [`see ${masq.id}: ${masq.evidence[0] ?? ''}`] : []), ...(fwd ? [`see ${fwd.id}: ${fwd.evidence[0] ?? ''}`] : [])],
        why: d.cause,
        fix: masq?.fix ?? fwd?.fix ?? { details: d.fix },
      })
    } else {
      out.push({ id, severity: d.severity, subject: { peer, topic: d.id }, verdict: 'problem', evidence, why: d.cause, fix: { details: d.fix } })
    }
  }
  for (const t of snapshot.tunnels) {
    if ((!t.up && !t.standby) || out.some((f) => f.subject.peer === t.peer)) continue
    const [evidence, why] = t.standby
      ? [`${t.name}: standing by (no SA), the other tunnel is active`, 'Policy-based: AWS allows one tunnel up at a time, so this one stands by; keepup.sh on the gateway brings it up when the active tunnel fails.']
      : [`${t.name}: ${t.ikeState ?? '?'} / ${t.childState ?? '?'}, in ${t.bytesIn} bytes, out ${t.bytesOut} bytes`, 'The tunnel is up and the daemon shows no problem with it.']
    out.push({ id: `daemon.tunnel.${t.peer}`, severity: 'ok', subject: { peer: t.peer, topic: 'tunnel' }, verdict: 'ok', evidence: [evidence], why })
  }
  return out
}
