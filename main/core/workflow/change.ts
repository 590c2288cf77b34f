// The one door into the core: the CLI and the Electron shell both call these, nothing deeper.
//
// details → lint → render → driver (over a GatewayShell) → plan/apply/rollback. Nothing lower imports this.
import type { DeviceKind } from '../../../preload/api'
import { applyPlan, planApply, rollbackLast, type ApplyProgress, type ApplyResult, type GatewayShell, type Plan } from '../apply/engine'
import type { DesiredFile } from '../apply/txn-script'
import type { Details } from '../details/model'
import { toRenderInput, type RoutingMode, type SecretSources } from '../details/resolve'
import { parseDetect, toAutoRouting, toDetectScript, type GatewayFacts } from '../gateway/detect'
import { findOverlaps, type ConnectionOverlap } from '../gateway/overlap'
import { PFSENSE_CONFIG_XML, toPfsenseScriptPath, toStackProfile, toStateDir, withTrafficProbe } from '../gateway/stacks'
import { toLanAddress } from '../status/read'
import { renderDevice, type RenderedConfig } from '../render'
import { UserError } from '../base/result'
import { checkFirewall, toFirewallCommands } from '../checks/firewall-check'
import type { Finding as CheckFinding } from '../checks/model'
import { toDaemonCommands } from '../checks/daemon-findings'
import { probeFromGateway, toPathFindings, type PathCheckOptions } from '../checks/path-check'
import { runReadOnly } from '../gateway/commands'

/** Detects what the gateway is (one round trip, read-only). */
export async function detectGateway(shell: GatewayShell): Promise<GatewayFacts> {
  const r = await shell.runScript(toDetectScript(), { timeoutMs: 30_000 })
  if (r.code !== 0) throw new UserError('detect-failed', 'Could not inspect the gateway.', { likelyCause: r.stderr.slice(0, 300), fix: 'Check that the login can run commands as root (or with sudo).' })
  return parseDetect(r.stdout)
}

/** A change prepared for one gateway: what it is, what we render, and the plan against what is there. */
export interface PreparedChange {
  readonly details: Details
  readonly facts: GatewayFacts
  readonly kind: DeviceKind
  readonly routing: RoutingMode
  readonly rendered: RenderedConfig
  readonly plan: Plan
  /** Connections already on the gateway that would collide with ours (shown as warnings in the plan). */
  readonly overlaps: readonly ConnectionOverlap[]
}

/** Device kind to drive: the override, else what detection found (refusing when nothing was found). */
export function toDeviceKind(facts: GatewayFacts, override?: DeviceKind): DeviceKind {
  if (override) return override
  if (facts.stack.kind === 'none') {
    throw new UserError('no-ipsec-stack', 'No IPsec software was found on the gateway.', { fix: 'Install strongSwan (apt-get install strongswan-swanctl charon-systemd) or Libreswan, or name the device with --device.' })
  }
  return facts.stack.kind
}

/** Include lines the stack's main files must carry for our files to be read (legacy starter). */
function toEnsureLines(kind: DeviceKind, facts: GatewayFacts, rendered: RenderedConfig): { path: string; line: string }[] {
  if (kind !== 'strongswan-legacy') return []
  const conf = rendered.files.find((f) => !f.secret && f.path.endsWith('.conf'))
  const secrets = rendered.files.find((f) => f.secret)
  return [
    ...(conf ? [{ path: facts.paths.ipsecConf ?? '/etc/ipsec.conf', line: `include ${conf.path}` }] : []),
    ...(secrets ? [{ path: facts.paths.ipsecSecrets ?? '/etc/ipsec.secrets', line: `include ${secrets.path}` }] : []),
  ]
}

/** Renders and plans a change (reads the gateway; changes nothing). */
export async function prepareChange(
  shell: GatewayShell,
  details: Details,
  opts: { readonly sources: SecretSources; readonly device?: DeviceKind; readonly routing?: RoutingMode; readonly templatesDir?: string; readonly facts?: GatewayFacts },
): Promise<PreparedChange> {
  const facts = opts.facts ?? (await detectGateway(shell))
  const kind = toDeviceKind(facts, opts.device ?? details.gateway.kind)
  const routing = opts.routing ?? (details.routing === 'auto' ? toAutoRouting(facts) : details.routing)
  const input = toRenderInput(details, { routing, sources: opts.sources })
  const rendered = renderDevice(input, kind, { version: facts.stack.version || undefined, layout: facts.layout, ...(opts.templatesDir ? { templatesDir: opts.templatesDir } : {}) })
  // pfSense: our PHP script lives in the state folder (it holds the PSKs); running it is the activation.
  const desired: DesiredFile[] =
    kind === 'pfsense' && rendered.phpScript !== undefined
      ? [{ path: toPfsenseScriptPath(facts, input.slug), mode: 0o600, content: rendered.phpScript, secret: true }]
      : rendered.files.map((f) => ({ path: f.path, mode: f.mode, content: f.content, secret: f.secret }))
  const plan = await planApply(shell, desired, toEnsureLines(kind, facts, rendered), { baseDir: toStateDir(facts) })
  const overlaps = findOverlaps(facts.connectionDetails, details, rendered.connectionNames)
  return { details, facts, kind, routing, rendered, plan, overlaps }
}

/** Applies a prepared change with confirm-or-revert on the gateway. */
export async function applyChange(
  shell: GatewayShell,
  change: PreparedChange,
  opts: { readonly confirmWithin?: number; readonly onProgress?: (p: ApplyProgress) => void; readonly healthy?: () => Promise<boolean> } = {},
): Promise<ApplyResult> {
  const lan = toLanAddress(change.facts, change.details)
  const target = change.details.health?.target
  const probe = lan && target ? { from: lan, to: target } : undefined
  // pfSense: the profile needs our script and the peers (SAs are found by peer address); write_config()
  // rewrites config.xml, so the transaction backs it up and puts it back byte for byte on revert/rollback.
  const pfsense = change.kind === 'pfsense' && change.plan.files[0] ? { scriptPath: change.plan.files[0].path, peers: change.details.remote.tunnels.map((t) => t.outsideIp), ...(probe ? { probe } : {}) } : undefined
  return applyPlan(shell, change.plan, {
    // With a health target, "up" means a ping from the LAN side reaches it through the tunnels.
    stack: pfsense ? toStackProfile(change.facts, change.rendered, { pfsense }) : withTrafficProbe(toStackProfile(change.facts, change.rendered), probe),
    ...(pfsense ? { backupOnly: [PFSENSE_CONFIG_XML] } : {}),
    baseDir: toStateDir(change.facts),
    confirmWithin: opts.confirmWithin ?? 120,
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    ...(opts.healthy ? { healthy: opts.healthy } : {}),
  })
}

/** Restores the gateway to before our last committed change (needs no details: the gateway kept the backup). */
export async function rollbackChange(shell: GatewayShell, opts: { readonly facts?: GatewayFacts } = {}) {
  const facts = opts.facts ?? (await detectGateway(shell))
  return rollbackLast(shell, { baseDir: toStateDir(facts) })
}

/** Firewall, NAT and kernel checks for UDP 500 / UDP 4500 / ESP to both AWS peers, the IKE path probe, and the daemons' status. */
export async function checkGateway(
  shell: GatewayShell,
  details: Details,
  opts: { readonly facts?: GatewayFacts; readonly routing?: RoutingMode } & PathCheckOptions = {},
): Promise<{ facts: GatewayFacts; findings: CheckFinding[] }> {
  const facts = opts.facts ?? (await detectGateway(shell))
  const routing = opts.routing ?? (details.routing === 'auto' ? toAutoRouting(facts) : details.routing)
  const input = {
    peers: details.remote.tunnels.map((t) => t.outsideIp),
    publicIp: details.gateway.publicIp,
    agencyCidrs: details.gateway.privateCidrs,
    dedicatedCidrs: details.remote.dedicatedCidrs,
    routing,
    // pfSense is judged by pf's rules (pfctl -sr, /tmp/rules.debug, disablevpnrules), not nft/iptables.
    ...(facts.stack.kind === 'pfsense' ? { device: 'pfsense' } : {}),
  }
  // The batch (firewall + daemon status) and the IKE probe over VICI run at the same time: one round trip each.
  const [outputs, probe] = await Promise.all([runReadOnly(shell, [...toFirewallCommands(input), ...toDaemonCommands(facts, details)]), probeFromGateway(facts, details, routing, opts)])
  const host = checkFirewall(input, outputs)
  return { facts, findings: [...host, ...toPathFindings(probe, outputs, facts, details, host, opts.probeTimeoutMs)] }
}

/** One finding's fix: planFix (the exact commands and the state before) and applyFix (confirm-or-revert on the gateway). */
export { applyFix, planFix, type PlannedFix } from '../apply/fix'
