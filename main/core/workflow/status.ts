// Live status of a VPN's two tunnels on a gateway, once or as a stream of changes, with each tunnel's
// verdict decided here (both faces show the same words and exit on the same rule).
import type { Details } from '../details/model'
import { toSlug } from '../details/resolve'
import { toTunnelNames } from '../base/vocabulary'
import type { Diagnosis } from '../status/diagnosis'
import type { StatusSnapshot, TunnelStatus } from '../status/model'
import { readStatus, type StatusReading } from '../status/read'
import { watchStatus, type StatusChange } from '../status/watch'
import type { GatewayAccess } from './context'
import { detectGateway } from './gateway'

/**
 * One tunnel's health in a word: healthy (up and nothing wrong), standby (down on purpose while the other
 * carries the traffic), down, or unhealthy (up, but the probe fails or a diagnosis is an error).
 */
export type TunnelVerdict = 'healthy' | 'standby' | 'down' | 'unhealthy'

/** The diagnoses about one tunnel (by peer or connection name), plus those about no tunnel in particular. */
export function toTunnelDiagnoses(t: TunnelStatus, diagnoses: readonly Diagnosis[]): Diagnosis[] {
  return diagnoses.filter((d) => d.tunnel === undefined || d.tunnel === t.peer || d.tunnel === t.name)
}

/** The verdict of one tunnel. */
export function toTunnelVerdict(t: TunnelStatus, diagnoses: readonly Diagnosis[]): TunnelVerdict {
  if (t.standby) return 'standby'
  if (!t.up) return 'down'
  if (t.probe && !t.probe.ok) return 'unhealthy'
  return toTunnelDiagnoses(t, diagnoses).some((d) => d.severity === 'error') ? 'unhealthy' : 'healthy'
}

/** One tunnel's health as both faces show it: the verdict, and the diagnoses behind it when it is not healthy. */
export interface TunnelHealth {
  readonly verdict: TunnelVerdict
  readonly diagnoses: readonly { readonly id: string; readonly severity: Diagnosis['severity']; readonly cause: string; readonly fix: string; readonly evidence: readonly string[] }[]
}

/** The health of one tunnel (the CLI's `health` field, the board's verdict and diagnosis). */
export function toTunnelHealth(t: TunnelStatus, diagnoses: readonly Diagnosis[]): TunnelHealth {
  const verdict = toTunnelVerdict(t, diagnoses)
  return { verdict, diagnoses: verdict === 'healthy' ? [] : toTunnelDiagnoses(t, diagnoses).map((d) => ({ id: d.id, severity: d.severity, cause: d.cause, fix: d.fix, evidence: d.evidence })) }
}

/**
 * True when every tunnel is healthy or standing by: the CLI exits 0 on exactly what it prints (a tunnel
 * down, a failed probe through a tunnel, or an error diagnosis about it makes it 1).
 */
export function isStatusOk(snapshot: StatusSnapshot, diagnoses: readonly Diagnosis[]): boolean {
  return snapshot.tunnels.every((t) => {
    const v = toTunnelVerdict(t, diagnoses)
    return v === 'healthy' || v === 'standby'
  })
}

/** Reads both tunnels once (one round trip), named as our renderers name them, with the diagnosis. */
export async function readGatewayStatus(gateway: GatewayAccess, details: Details): Promise<StatusReading> {
  const facts = await detectGateway(gateway)
  return readStatus(gateway.shell, details, facts, { names: toTunnelNames(toSlug(details.name)) })
}

/**
 * Watches both tunnels until `signal` aborts: charon's own events over the session's VICI channel when the
 * gateway allows it, polling otherwise. A tunnel keeps its connection name while it is down.
 */
export async function watchGatewayStatus(
  gateway: GatewayAccess,
  details: Details,
  opts: { readonly signal: AbortSignal; readonly onChange: (c: StatusChange) => void; readonly intervalMs?: number; readonly everySample?: boolean },
): Promise<void> {
  const facts = await detectGateway(gateway)
  const socket = facts.paths.viciSocket
  const open = gateway.openUnixSocket
  await watchStatus(gateway.shell, details, facts, {
    signal: opts.signal,
    onChange: opts.onChange,
    names: toTunnelNames(toSlug(details.name)),
    ...(opts.intervalMs ? { intervalMs: opts.intervalMs } : {}),
    ...(opts.everySample ? { everySample: true } : {}),
    ...(socket && open ? { openVici: () => open(socket) } : {}),
  })
}
