// The one door into the core: the CLI and the Electron shell both call these, nothing deeper.
//
// details → lint → render → driver (over a GatewayShell) → plan/apply/rollback. Nothing lower imports this.
import type { DeviceKind } from '../../preload/api'
import { applyPlan, planApply, rollbackLast, type ApplyProgress, type ApplyResult, type GatewayShell, type Plan } from './apply/engine'
import type { DesiredFile } from './apply/txn-script'
import type { Details } from './details/model'
import { toRenderInput, type RoutingMode, type SecretSources } from './details/resolve'
import { parseDetect, toAutoRouting, toDetectScript, type GatewayFacts } from './gateway/detect'
import { toStackProfile, toStateDir } from './gateway/profiles'
import { renderDevice, type RenderedConfig } from './render'
import { UserError } from './result'
import { checkFirewall, toFirewallCommands } from './checks/firewall-check'
import type { Finding as CheckFinding } from './checks/model'
import { runReadOnly } from './gateway/read-only'

/** Detects what the gateway is (one round trip, read-only). */
export async function detectGateway(shell: GatewayShell): Promise<GatewayFacts> {
  const r = await shell.runScript(toDetectScript(), { timeoutMs: 30_000 })
  if (r.code !== 0) throw new UserError('detect-failed', 'Could not inspect the gateway.', { likelyCause: r.stderr.slice(0, 300), fix: 'Check that the login can run commands as root (or with sudo).' })
  return parseDetect(r.stdout)
}

/** A change prepared for one gateway: what it is, what we render, and the plan against what is there. */
export interface PreparedChange {
  readonly facts: GatewayFacts
  readonly kind: DeviceKind
  readonly routing: RoutingMode
  readonly rendered: RenderedConfig
  readonly plan: Plan
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
  const desired: DesiredFile[] = rendered.files.map((f) => ({ path: f.path, mode: f.mode, content: f.content, secret: f.secret }))
  const plan = await planApply(shell, desired, toEnsureLines(kind, facts, rendered))
  return { facts, kind, routing, rendered, plan }
}

/** Applies a prepared change with confirm-or-revert on the gateway. */
export async function applyChange(
  shell: GatewayShell,
  change: PreparedChange,
  opts: { readonly confirmWithin?: number; readonly onProgress?: (p: ApplyProgress) => void; readonly healthy?: () => Promise<boolean> } = {},
): Promise<ApplyResult> {
  return applyPlan(shell, change.plan, {
    stack: toStackProfile(change.facts, change.rendered),
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

/** Firewall, NAT and kernel checks for UDP 500 / UDP 4500 / ESP to both AWS peers (one round trip after detection). */
export async function checkGateway(shell: GatewayShell, details: Details, opts: { readonly facts?: GatewayFacts; readonly routing?: RoutingMode } = {}): Promise<{ facts: GatewayFacts; findings: CheckFinding[] }> {
  const facts = opts.facts ?? (await detectGateway(shell))
  const routing = opts.routing ?? (details.routing === 'auto' ? toAutoRouting(facts) : details.routing)
  const input = {
    peers: details.remote.tunnels.map((t) => t.outsideIp),
    publicIp: details.gateway.publicIp,
    agencyCidrs: details.gateway.privateCidrs,
    dedicatedCidrs: details.remote.dedicatedCidrs,
    routing,
  }
  const outputs = await runReadOnly(shell, toFirewallCommands(input))
  return { facts, findings: checkFirewall(input, outputs) }
}
