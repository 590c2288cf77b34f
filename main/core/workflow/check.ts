// The gateway check (firewall, NAT and kernel for UDP 500 / UDP 4500 / ESP to both peers, the IKE path probe,
// the daemons' status) and fixing one finding until a fresh check shows it green. Both faces use these.
import type { ApplyProgress, ApplyResult } from '../apply/engine'
import { applyFix as applyFixTxn, planFix as planFixTxn, type PlannedFix } from '../apply/fix'
import { CONFIRM_WITHIN } from '../base/vocabulary'
import { UserError } from '../base/result'
import { toDaemonCommands } from '../checks/daemon-findings'
import { toBgpCommands, toBgpFirewallFinding, toBgpSessionFindings, type BgpCheckSession } from '../checks/bgp-check'
import { checkFirewall, toFirewallCommands, toGatewayFirewall } from '../checks/firewall-check'
import type { Finding } from '../checks/model'
import { probeFromGateway, toPathFindings } from '../checks/path-check'
import { runReadOnly } from '../gateway/commands'
import type { GatewayFacts } from '../gateway/detect'
import { decideRouting } from '../gateway/routing'
import { toRenderInput, type RoutingMode } from '../details/resolve'
import { toInterfaceKind, toTunnelInterfaces } from '../render/route-plumbing'
import { logActivity, type ChangeContext, type DetailsInput, type GatewayAccess } from './context'
import { detectGateway } from './gateway'

/** What a check found. */
export interface CheckReport {
  readonly facts: GatewayFacts
  readonly findings: Finding[]
}

/** True when a finding needs nothing done: its flow is allowed or its topic is ok. */
export function isGreen(f: Finding | undefined): boolean {
  return f !== undefined && (f.verdict === 'allowed' || f.verdict === 'ok')
}

/**
 * Checks the gateway for these details (read-only): firewall/NAT/kernel in one round trip, the IKE probe
 * through the gateway's own charon (VICI over this session, unless `probe` is false) at the same time.
 * The findings are kept on the gateway as its last check.
 */
export async function checkGateway(
  gateway: GatewayAccess,
  input: DetailsInput & { readonly probe?: boolean; readonly probeTimeoutMs?: number; readonly routing?: RoutingMode },
): Promise<CheckReport> {
  const { details } = input
  const facts = await detectGateway(gateway)
  const routing = decideRouting(details.routing, { ...(input.routing ? { override: input.routing } : {}), facts }).mode
  const fw = {
    peers: details.remote.tunnels.map((t) => t.outsideIp),
    publicIp: details.gateway.publicIp,
    agencyCidrs: details.gateway.privateCidrs,
    dedicatedCidrs: details.remote.dedicatedCidrs,
    routing,
    // pfSense is judged by pf's rules (pfctl -sr, /tmp/rules.debug, disablevpnrules), not nft/iptables.
    ...(facts.stack.kind === 'pfsense' ? { device: 'pfsense' } : {}),
  }
  const bgp = toBgpCheckSessions(input, routing, facts)
  const open = gateway.openUnixSocket
  const probeOpts = input.probe === false || !open ? {} : { openVici: (path: string) => open(path), sources: input.sources }
  // The batch (firewall + daemon status) and the IKE probe over VICI run at the same time: one round trip each.
  const [outputs, probe] = await Promise.all([
    runReadOnly(gateway.shell, [...toFirewallCommands(fw), ...toDaemonCommands(facts, details), ...toBgpCommands(bgp)]),
    probeFromGateway(facts, details, routing, { ...probeOpts, ...(input.probeTimeoutMs ? { probeTimeoutMs: input.probeTimeoutMs } : {}) }),
  ])
  const host = checkFirewall(fw, outputs)
  // pfSense's pf is judged by pfsense-check (its WAN rules); TCP 179 inside the tunnels is read from the sessions.
  const rules = bgp.length > 0 && facts.stack.kind !== 'pfsense' ? toGatewayFirewall(outputs) : undefined
  const bgpFirewall = rules ? bgp.map((s) => toBgpFirewallFinding(rules, s)) : []
  const findings = [...host, ...bgpFirewall, ...toPathFindings(probe, outputs, facts, details, host, input.probeTimeoutMs), ...toBgpSessionFindings(outputs, bgp, bgpFirewall)]
  gateway.lastCheck = findings
  return { facts, findings }
}

/** A BGP VPN's sessions on a route-based gateway (Linux, or pfSense's FRR package): the tunnel interfaces and inside addresses. */
function toBgpCheckSessions(input: DetailsInput, routing: RoutingMode, facts: GatewayFacts): BgpCheckSession[] {
  if (!input.details.bgp || routing !== 'route' || facts.stack.kind === 'none') return []
  let render: ReturnType<typeof toRenderInput>
  try {
    render = toRenderInput(input.details, { routing, sources: input.sources })
  } catch {
    return [] // a PSK reference that does not resolve here: the rest of the check says so
  }
  // pfSense names its VTI interfaces by phase 1 (ipsecN…): the sessions are judged without them.
  if (facts.stack.kind === 'pfsense') return render.tunnels.map((t) => ({ tunnel: t.index, iface: 'ipsec', local: t.insideLocal, neighbor: t.insideAws, device: 'pfsense' as const }))
  const ifaces = toTunnelInterfaces(render, toInterfaceKind(facts.stack.kind))
  return render.tunnels.map((t, i) => ({ tunnel: t.index, iface: ifaces[i]!.iface, local: t.insideLocal, neighbor: t.insideAws }))
}

/** A finding's fix: not needed (already green), or planned (the exact commands and what they touch now). */
export type FixPlan = { readonly needed: false; readonly finding: Finding } | { readonly needed: true; readonly fix: PlannedFix }

/** Plans the fix of one finding of the gateway's last check (read-only); refuses ids the last check does not have. */
export async function planCheckFix(gateway: GatewayAccess, findingId: string): Promise<FixPlan> {
  const finding = gateway.lastCheck?.find((f) => f.id === findingId)
  if (finding === undefined) throw new UserError('finding-not-found', `No finding ${findingId} in the last check of this gateway.`, { fix: 'Run the checks again, then choose the fix (the ids are in the check output).' })
  if (isGreen(finding)) return { needed: false, finding }
  return { needed: true, fix: await planFixTxn(gateway.shell, finding, await detectGateway(gateway)) }
}

/** How a fix ended: the apply outcome, whether a fresh check shows the finding green, and that check. */
export interface FixOutcome extends ApplyResult {
  /** True when the fix committed and the fresh check shows the finding allowed/ok. */
  readonly ok: boolean
  /** The finding after the fix (absent when the fresh check no longer reports it or could not run). */
  readonly after?: Finding
  /** The fresh check, to replace the one on screen. */
  readonly findings?: readonly Finding[]
  /** Why the fresh check could not run, when it could not. */
  readonly note?: string
}

/**
 * Applies a planned fix with confirm-or-revert: the gateway keeps it only when a fresh check shows the
 * finding green (fix until green); then checks once more for the report. `cancelled` (the user gave up)
 * makes the gateway revert instead of confirming.
 */
export async function applyCheckFix(
  gateway: GatewayAccess,
  planned: PlannedFix,
  input: DetailsInput & { readonly probe?: boolean },
  opts: { readonly confirmWithin?: number; readonly onProgress?: (p: ApplyProgress) => void; readonly cancelled?: () => boolean; readonly context?: ChangeContext } = {},
): Promise<FixOutcome> {
  const confirmWithin = opts.confirmWithin ?? CONFIRM_WITHIN.default
  const id = planned.finding.id
  const recheck = async () => (await checkGateway(gateway, input)).findings
  const result = await applyFixTxn(gateway.shell, planned, {
    confirmWithin,
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    // Confirm only when the finding really turned green on a fresh read of the gateway.
    healthy: async () => !opts.cancelled?.() && isGreen((await recheck()).find((f) => f.id === id)),
  })
  let findings: readonly Finding[] | undefined
  let note: string | undefined
  try {
    findings = await recheck()
  } catch (err) {
    note = `The check after the fix could not run: ${err instanceof Error ? err.message : 'unknown error'}.`
  }
  const after = findings?.find((f) => f.id === id)
  logActivity(opts.context, 'check-fix', { ...(result.txnId ? { txnId: result.txnId } : {}), outcome: result.outcome, detail: `${id}: ${planned.commands.join('; ')}` })
  return { ...result, ok: result.outcome === 'committed' && isGreen(after), ...(after ? { after } : {}), ...(findings ? { findings } : {}), ...(note ? { note } : {}) }
}
