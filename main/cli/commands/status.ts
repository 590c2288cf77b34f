import { toSlug } from '../../core/details/resolve'
import { toGatewayShell } from '../../core/gateway/shell'
import { toRemotePath } from '../../core/ssh/catalog'
import type { Diagnosis } from '../../core/status/diagnosis'
import type { StatusSnapshot, TunnelStatus } from '../../core/status/model'
import { readStatus } from '../../core/status/read'
import { watchStatus } from '../../core/status/watch'
import { detectGateway } from '../../core/workflow/change'
import { EXIT, parseOptions, writeJson, type CliIo, type Command } from '../cli-io'
import { loadDetailsInput } from '../details-input'
import { isExit, SSH_OPTIONS, withGateway } from '../ssh-options'

/** A tunnel as `status --json` lists it (cli.md: peer, name, states, seconds, counters, health verdict). */
function toTunnelJson(t: TunnelStatus, diagnoses: readonly Diagnosis[]) {
  const mine = diagnoses.filter((d) => d.tunnel === undefined || d.tunnel === t.peer || d.tunnel === t.name)
  const verdict = t.standby ? 'standby' : !t.up ? 'down' : t.probe && !t.probe.ok ? 'unhealthy' : mine.some((d) => d.severity === 'error') ? 'unhealthy' : 'healthy'
  return {
    peer: t.peer,
    name: t.name,
    ikeState: t.ikeState ?? 'NONE',
    childState: t.childState ?? 'NONE',
    establishedSec: t.ikeAgeSec ?? 0,
    bytesIn: t.bytesIn,
    bytesOut: t.bytesOut,
    packetsIn: t.packetsIn,
    packetsOut: t.packetsOut,
    natT: t.natT,
    ikeSaCount: t.ikeSaCount,
    childSaCount: t.childSaCount,
    ...(t.nextRekeySec === undefined ? {} : { nextRekeySec: t.nextRekeySec }),
    ...(t.probe ? { probe: t.probe } : {}),
    health: { verdict, ...(verdict === 'healthy' ? {} : { diagnosis: mine.map((d) => ({ id: d.id, cause: d.cause, fix: d.fix, evidence: d.evidence })) }) },
  }
}

function printHuman(io: CliIo, snapshot: StatusSnapshot, diagnoses: readonly Diagnosis[]): void {
  for (const t of snapshot.tunnels) {
    io.stdout(`${t.up ? 'UP  ' : t.standby ? 'STBY' : 'DOWN'} ${t.name} → ${t.peer}  IKE ${t.ikeState ?? 'none'}  CHILD ${t.childState ?? 'none'}  ${t.ikeAgeSec ?? 0}s  in ${t.bytesIn} B/${t.packetsIn} pkts  out ${t.bytesOut} B/${t.packetsOut} pkts${t.natT ? '  NAT-T' : ''}${t.childSaCount > 1 ? `  ${t.childSaCount} CHILD SAs!` : ''}${t.probe ? `  probe ${t.probe.ok ? 'ok' : 'FAILED'}` : ''}\n`)
  }
  for (const d of diagnoses) io.stdout(`\n${d.severity.toUpperCase()} ${d.id}${d.tunnel ? ` (${d.tunnel})` : ''}: ${d.cause}\n  Evidence: ${d.evidence.join(' | ')}\n  Fix: ${d.fix}\n`)
}

/** `tunnelwright status [--watch]`: both tunnels now (exit 1 when one is down and not standing by), or NDJSON per change. */
export const run: Command = async (args, io) => {
  const opts = parseOptions(args, { ...SSH_OPTIONS, details: { type: 'string' }, device: { type: 'string' }, watch: { type: 'boolean' } })
  const input = loadDetailsInput(opts, io)
  const slug = toSlug(input.details.name)
  const names = [`${slug}-t1`, `${slug}-t2`] as const
  const r = await withGateway(opts, io, async (session) => {
    const shell = toGatewayShell(session)
    const facts = await detectGateway(shell)
    if (!opts.watch) {
      const { snapshot, diagnoses } = await readStatus(shell, input.details, facts, { names })
      if (opts.json) writeJson(io, 'status', { at: new Date(snapshot.at).toISOString(), source: snapshot.source, tunnels: snapshot.tunnels.map((t) => toTunnelJson(t, diagnoses)) })
      else printHuman(io, snapshot, diagnoses)
      // Policy-based on strongSwan one tunnel stands by: that is healthy as long as the other is up.
      return snapshot.tunnels.every((t) => t.up || t.standby) ? EXIT.ok : EXIT.failed
    }
    const signal = io.signal ?? new AbortController().signal
    const socket = facts.paths.viciSocket
    await watchStatus(shell, input.details, facts, {
      signal,
      names,
      ...(socket ? { openVici: () => session.openUnixSocket(toRemotePath(socket)) } : {}),
      onChange: (c) => {
        if (opts.json) {
          io.stdout(`${JSON.stringify({ format: 'tunnelwright/status-event@1', at: new Date(c.snapshot.at).toISOString(), trigger: c.trigger, mode: c.mode, alerts: c.alerts, tunnels: c.snapshot.tunnels.map((t) => toTunnelJson(t, c.diagnoses)) })}\n`)
        } else {
          io.stdout(`--- ${new Date(c.snapshot.at).toISOString()} (${c.trigger}, ${c.mode})\n`)
          for (const a of c.alerts) io.stdout(`ALERT ${a.kind} ${a.name} (${a.peer}): ${a.detail}\n`)
          printHuman(io, c.snapshot, c.diagnoses)
        }
      },
    })
    return EXIT.ok
  })
  return isExit(r) ? r.exit : r
}
