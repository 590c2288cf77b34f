// The path part of the gateway check: the IKE probe through the gateway's own charon (before apply) and the
// daemons' own status (after apply), joined with the host firewall findings into one list.
import type { Duplex } from 'node:stream'
import type { Details } from '../details/model'
import { toRenderInput, type RoutingMode, type SecretSources } from '../details/resolve'
import type { GatewayFacts } from '../gateway/detect'
import { toStrongswanIke } from '../render/crypto'
import { UserError } from '../base/result'
import { ViciClient } from '../vici/client'
import { toDaemonFindings, toDaemonReading } from './daemon-findings'
import type { CommandOutputs } from '../gateway/commands'
import type { Finding } from './model'
import { PROBE_TIMEOUT_MS, probePaths, toProbeFindings, toSkipFinding, type ProbeResult, type ProbeSkip } from './path-probe'

/** How the check may reach charon and the PSKs (both optional: without them the probe says why it did not run). */
export interface PathCheckOptions {
  /** Opens a stream to charon's VICI socket on the gateway (SSH stream-local forwarding). */
  readonly openVici?: (socketPath: string) => Promise<Duplex>
  readonly sources?: SecretSources
  /** Per-peer wait for an answer (default PROBE_TIMEOUT_MS). */
  readonly probeTimeoutMs?: number
}

function skipAll(details: Details, reason: string): ProbeResult {
  return { traces: [], skipped: details.remote.tunnels.map((t): ProbeSkip => ({ peer: t.outsideIp, kind: 'unavailable', reason })), cleanupErrors: [] }
}

function whyNoVici(facts: GatewayFacts, opts: PathCheckOptions): string | undefined {
  const kind = facts.stack.kind
  if (kind === 'libreswan' || kind === 'openswan') return `${facts.stack.detail} has no VICI interface for a throwaway probe; after apply the tunnel status shows the path (daemon.* findings)`
  if (kind === 'none') return 'no IPsec daemon on the gateway to probe from'
  if (!facts.daemonRunning) return 'charon is not running on the gateway, so there is nothing to probe from'
  if (facts.paths.viciSocket === undefined) return 'charon\'s VICI socket was not found on the gateway (the vici plugin is not loaded)'
  if (opts.openVici === undefined) return 'this run has no channel to charon\'s VICI socket'
  return undefined
}

/** Runs the IKE probe from the gateway's charon; never throws (a failure becomes the skip reason). */
export async function probeFromGateway(facts: GatewayFacts, details: Details, routing: RoutingMode, opts: PathCheckOptions): Promise<ProbeResult> {
  const no = whyNoVici(facts, opts)
  if (no !== undefined || opts.openVici === undefined || facts.paths.viciSocket === undefined) return skipAll(details, no ?? 'no VICI channel')
  let input
  try {
    const r = toRenderInput(details, { routing, sources: opts.sources ?? { env: {}, readFile: () => { throw new Error('no PSK sources given') } } })
    input = {
      peers: r.tunnels.map((t) => ({ peer: t.outsideIp, psk: t.psk })),
      localId: r.localId,
      // Behind NAT without a configured local address the public IP is not on the box: let charon pick by route.
      ...(facts.addresses.includes(r.localAddress) ? { localAddress: r.localAddress } : {}),
      ikeVersion: details.crypto.ikeVersion,
      ikeProposal: toStrongswanIke(details.crypto),
      timeoutMs: opts.probeTimeoutMs ?? PROBE_TIMEOUT_MS,
    }
  } catch (err) {
    return skipAll(details, `the probe needs the tunnels' PSKs and proposal: ${err instanceof Error ? err.message : String(err)}`)
  }
  let stream: Duplex
  try {
    stream = await opts.openVici(facts.paths.viciSocket)
  } catch (err) {
    const e = err instanceof UserError ? `${err.message}${err.likelyCause ? ` (${err.likelyCause})` : ''}` : String(err)
    return skipAll(details, `could not reach charon's VICI socket ${facts.paths.viciSocket}: ${e}`)
  }
  const vici = new ViciClient(stream, { timeoutMs: 10_000 })
  try {
    return await probePaths(vici, input)
  } catch (err) {
    return skipAll(details, `the probe failed: ${err instanceof Error ? err.message : String(err)}`)
  } finally {
    vici.close()
  }
}

/** Probe findings and daemon findings, read against the host firewall findings. */
export function toPathFindings(probe: ProbeResult, outputs: CommandOutputs, facts: GatewayFacts, details: Details, hostFindings: readonly Finding[], timeoutMs = PROBE_TIMEOUT_MS): Finding[] {
  const ctx = { publicIp: details.gateway.publicIp, timeoutMs, hostFindings }
  const out: Finding[] = []
  for (const t of probe.traces) out.push(...toProbeFindings(t, ctx))
  for (const s of probe.skipped) out.push(toSkipFinding(s))
  if (probe.cleanupErrors.length > 0) {
    out.push({ id: 'path.probe.cleanup', severity: 'warning', subject: { topic: 'path-probe' }, verdict: 'problem', evidence: [...probe.cleanupErrors], why: 'A throwaway probe connection or secret could not be removed from charon; it only lives until charon restarts.', fix: { details: 'Remove it with swanctl --terminate --ike NAME --force; the names start with tw-probe-.' } })
  }
  out.push(...toDaemonFindings(toDaemonReading(outputs, facts, details), details, { publicIp: details.gateway.publicIp, hostFindings }))
  return out
}
