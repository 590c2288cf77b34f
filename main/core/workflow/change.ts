// A change to the gateway's tunnels: prepare (detect, lint gate, render, plan), apply with confirm-or-revert
// (then check again and write the change down), and roll back (preview, then restore). Both faces use these.
import { UserError } from '../base/result'
import { CONFIRM_WITHIN, type DeviceKind } from '../base/vocabulary'
import { applyPlan, planApply, rollbackLast, type ApplyProgress, type ApplyResult, type Plan } from '../apply/engine'
import type { DesiredFile } from '../apply/txn-script'
import type { ChangeRecord, RecordCheck } from '../app-data/change-record'
import type { Finding as CheckFinding } from '../checks/model'
import { hasErrors, lintDetails, type Finding as LintFinding } from '../details/lint'
import type { Details } from '../details/model'
import { toRenderInput, type RoutingMode, type SecretSources } from '../details/resolve'
import type { GatewayFacts } from '../gateway/detect'
import { runReadOnly } from '../gateway/commands'
import { findOverlaps, type ConnectionOverlap } from '../gateway/overlap'
import { readFrrState, toFrrConfChange, withFrr } from '../gateway/frr'
import { cutFrrSecrets } from '../render/frr'
import { decideRouting, type RoutingDecision } from '../gateway/routing'
import { PFSENSE_CONFIG_XML, toPfsenseScriptPath, toStackProfile, toStateDir, withTrafficProbe, type StackProfile } from '../gateway/stacks'
import { renderDevice, type RenderedConfig } from '../render'
import { toTunnelsMode } from '../render/keepup'
import { quoteSh } from '../ssh/quote'
import { toLanAddress } from '../status/read'
import { checkGateway } from './check'
import { logActivity, toRecordHead, toRecordHostKey, type ChangeContext, type DetailsInput, type GatewayAccess } from './context'
import { detectGateway } from './gateway'

/** A change prepared for one gateway: what it is, what we render, and the plan against what is there. */
export interface PreparedChange {
  readonly details: Details
  readonly sources: SecretSources
  readonly facts: GatewayFacts
  readonly kind: DeviceKind
  readonly routing: RoutingMode
  /** Why this routing mode (the details, an override, or the gateway's kernel for "auto"). */
  readonly routingDecision: RoutingDecision
  readonly rendered: RenderedConfig
  readonly plan: Plan
  /** Connections already on the gateway that would collide with ours (shown as warnings in the plan). */
  readonly overlaps: readonly ConnectionOverlap[]
  /** Lint's warnings and notes for these details on this device (errors refuse the change before this point). */
  readonly lint: readonly LintFinding[]
  /** How the two tunnels run once applied: both up, or (policy-based on strongSwan) one active and one standing by. */
  readonly tunnels: 'both-up' | 'active-standby'
  /**
   * The change touches FRR's frr.conf (a BGP VPN's section goes in, or an earlier one comes out): FRR validates
   * and reloads with the IPsec daemon, and with `neighbours` the change is up only when both BGP sessions are.
   */
  readonly frr?: { readonly neighbours: readonly string[] }
}

/** Device kind to drive: the override, else what detection found (refusing when nothing was found). */
export function toDeviceKind(facts: GatewayFacts, override?: DeviceKind): DeviceKind {
  if (override) return override
  if (facts.stack.kind === 'none') {
    throw new UserError('no-ipsec-stack', 'No IPsec software was found on the gateway.', { fix: 'Install strongSwan (apt-get install strongswan-swanctl charon-systemd) or Libreswan, or name the device with --device.' })
  }
  return facts.stack.kind
}

/**
 * The lint gate: details with errors are refused before anything is rendered or sent, whichever face asks
 * (AWS would reject them, or the tunnels would not come up). Warnings pass and travel with the change.
 */
export function assertLintClean(input: DetailsInput, device?: { readonly kind: DeviceKind; readonly version?: string }): LintFinding[] {
  const findings = lintDetails(input.details, { sources: input.sources, ...(device ? { device } : {}) })
  if (hasErrors(findings)) {
    const errors = findings.filter((f) => f.severity === 'error')
    throw new DetailsRefusedError(errors)
  }
  return findings
}

/** The details have lint errors: nothing was sent to the gateway. */
export class DetailsRefusedError extends UserError {
  constructor(readonly errors: readonly LintFinding[]) {
    super('details-lint-errors', `The details have ${errors.length} error${errors.length === 1 ? '' : 's'} that AWS would reject or that stop the tunnels; nothing was sent to the gateway:\n${errors.map((f) => `  ${f.path || '(file)'}: ${f.message}`).join('\n')}`, {
      fix: 'Fix them (lint shows why and how for each), then plan again.',
    })
    this.name = 'DetailsRefusedError'
  }
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

/** Detects (once per session), lints, renders and plans a change: reads the gateway, changes nothing. */
export async function prepareChange(
  gateway: GatewayAccess,
  input: DetailsInput & { readonly device?: DeviceKind; readonly routing?: RoutingMode; readonly templatesDir?: string },
): Promise<PreparedChange> {
  const { details, sources } = input
  const facts = await detectGateway(gateway)
  const kind = toDeviceKind(facts, input.device ?? details.gateway.kind)
  const lint = assertLintClean(input, { kind, ...(facts.stack.kind === kind && facts.stack.version ? { version: facts.stack.version } : {}) })
  const routingDecision = decideRouting(details.routing, { ...(input.routing ? { override: input.routing } : {}), facts, kind })
  const routing = routingDecision.mode
  const local = await toLocalAddress(gateway, details, facts, kind)
  const renderInput = toRenderInput(local.details, { routing, sources })
  const rendering = renderDevice(renderInput, kind, { version: facts.stack.version || undefined, layout: facts.layout, ...(input.templatesDir ? { templatesDir: input.templatesDir } : {}) })
  const rendered = local.note ? { ...rendering, notes: [local.note, ...rendering.notes] } : rendering
  // pfSense: our PHP script lives in the state folder (it holds the PSKs); running it is the activation.
  const desired: DesiredFile[] =
    kind === 'pfsense' && rendered.phpScript !== undefined
      ? [{ path: toPfsenseScriptPath(facts, renderInput.slug), mode: 0o600, content: rendered.phpScript, secret: true }]
      : rendered.files.map((f) => ({ path: f.path, mode: f.mode, content: f.content, secret: f.secret }))
  // A BGP VPN's sessions live in FRR's frr.conf, merged into what the admin has there (read first: one round trip).
  // Read only when it can matter (no extra round trip on a gateway without FRR and a static VPN).
  const frrChange = kind === 'pfsense' || (!details.bgp && !facts.frr) ? undefined : toFrrConfChange(await readFrrState(gateway.shell), renderInput)
  // pfSense keeps BGP in config.xml, through its FRR package: our script puts the neighbours there.
  if (kind === 'pfsense' && details.bgp && !facts.frr) {
    throw new UserError('pfsense-frr-missing', "This VPN uses BGP, and pfSense's FRR package is not installed on the gateway.", {
      fix: 'Install it (System → Package Manager → Available Packages → frr), enable FRR (Services → FRR → Global Settings), then plan again. Nothing was changed.',
    })
  }
  const pfsenseBgp = kind === 'pfsense' && details.bgp ? { neighbours: renderInput.tunnels.map((t) => t.insideAws) } : undefined
  if (frrChange) desired.push({ path: frrChange.path, mode: 0o640, content: frrChange.content, secret: false })
  const planned = await planApply(gateway.shell, desired, toEnsureLines(kind, facts, rendered), { baseDir: toStateDir(facts) })
  // frr.conf is the admin's file: its own secrets (neighbour passwords, key strings) never reach a diff the app shows or records.
  const plan = frrChange ? { ...planned, changes: planned.changes.map((c) => (c.path === frrChange.path ? { ...c, diff: cutFrrSecrets(c.diff) } : c)) } : planned
  const overlaps = findOverlaps(facts.connectionDetails, details, rendered.connectionNames, facts.nameMarkers)
  const tunnels = toTunnelsMode(kind, routing)
  const frr = frrChange ? { neighbours: frrChange.neighbours } : pfsenseBgp
  return { details, sources, facts, kind, routing, routingDecision, rendered, plan, overlaps, lint, tunnels, ...(frr ? { frr } : {}) }
}

/** How an apply ended, with the checks taken after it and the change record written for it. */
export interface AppliedChange extends ApplyResult {
  /** The check after a committed change (absent when it did not commit or could not run). */
  readonly checksAfter?: readonly CheckFinding[]
  /** Why the check after could not run, when it could not. */
  readonly checksAfterNote?: string
  readonly record?: ChangeRecord
}

/**
 * Behind NAT the public IP (the IKE id AWS knows) is not an address of the gateway, and IKE sent "from" it
 * goes nowhere ("error writing to socket: Network is unreachable"). When the details name no local address,
 * the one the kernel picks for the route to the AWS peers is used (one read-only round trip, only then).
 */
async function toLocalAddress(gateway: GatewayAccess, details: Details, facts: GatewayFacts, kind: DeviceKind): Promise<{ details: Details; note?: string }> {
  const publicIp = details.gateway.publicIp
  if (details.gateway.localAddress || kind === 'pfsense' || facts.os.family === 'freebsd' || facts.addresses.includes(publicIp)) return { details }
  const out = await runReadOnly(gateway.shell, details.remote.tunnels.map((t, i) => ({ id: `route-${i}`, argv: ['ip', '-o', 'route', 'get', t.outsideIp] })), 30_000)
  const sources = details.remote.tunnels.map((_, i) => /\bsrc (\d+\.\d+\.\d+\.\d+)/.exec(out[`route-${i}`]?.stdout ?? '')?.[1])
  const src = sources[0]
  if (src === undefined || !facts.addresses.includes(src)) {
    return { details, note: `The public IP ${publicIp} is not an address of this gateway and no local address could be found for the route to the AWS peers: set gateway.localAddress in the details to the address IKE should leave from.` }
  }
  const differs = sources[1] !== undefined && sources[1] !== src ? ` (tunnel 2's route would leave from ${sources[1]}; both use ${src})` : ''
  return {
    details: { ...details, gateway: { ...details.gateway, localAddress: src } },
    note: `Behind NAT: ${publicIp} is not on this gateway, so IKE leaves from ${src} (the route to the AWS peers)${differs} and presents ${publicIp} as its ID; NAT-T moves IKE and ESP to UDP 4500, which must pass. Set gateway.localAddress in the details to choose another.`,
  }
}

function withFrrIf(profile: StackProfile, frr: PreparedChange['frr']): StackProfile {
  return frr ? withFrr(profile, frr.neighbours) : profile
}

/** The subset of a check finding a change record keeps. */
export function toRecordChecks(fs: readonly CheckFinding[]): RecordCheck[] {
  return fs.map((f) => ({ id: f.id, severity: f.severity, verdict: f.verdict, subject: [f.subject.peer, f.subject.flow, f.subject.direction, f.subject.topic].filter((x) => x !== undefined).join(' '), why: f.why }))
}

/**
 * Applies a prepared change with confirm-or-revert on the gateway; once committed, checks the gateway
 * again, and (with a context) writes the change record and the activity entry.
 */
export async function applyChange(
  gateway: GatewayAccess,
  change: PreparedChange,
  opts: {
    readonly confirmWithin?: number
    /** Seconds to wait for the tunnels before giving up (default: all but 10 s of confirmWithin, at most 45). */
    readonly verifyWithin?: number
    readonly onProgress?: (p: ApplyProgress) => void
    readonly healthy?: () => Promise<boolean>
    /** Check the gateway again after a commit (default true). */
    readonly recheck?: boolean
    readonly context?: ChangeContext
  } = {},
): Promise<AppliedChange> {
  const confirmWithin = opts.confirmWithin ?? CONFIRM_WITHIN.default
  const checksBefore = gateway.lastCheck
  gateway.facts ??= change.facts
  const lan = toLanAddress(change.facts, change.details)
  const target = change.details.health?.target
  const probe = lan && target ? { from: lan, to: target } : undefined
  // pfSense: the profile needs our script and the peers (SAs are found by peer address); write_config()
  // rewrites config.xml, so the transaction backs it up and puts it back byte for byte on revert/rollback.
  const pfsense =
    change.kind === 'pfsense' && change.plan.files[0]
      ? { scriptPath: change.plan.files[0].path, peers: change.details.remote.tunnels.map((t) => t.outsideIp), ...(probe ? { probe } : {}), ...(change.frr ? { bgpNeighbours: change.frr.neighbours } : {}) }
      : undefined
  const applied = await applyPlan(gateway.shell, change.plan, {
    // With a health target, "up" means a ping from the LAN side reaches it through the tunnels.
    stack: pfsense ? toStackProfile(change.facts, change.rendered, { pfsense }) : withTrafficProbe(withFrrIf(toStackProfile(change.facts, change.rendered), change.frr), probe),
    ...(pfsense ? { backupOnly: [PFSENSE_CONFIG_XML] } : {}),
    baseDir: toStateDir(change.facts),
    confirmWithin,
    ...(opts.verifyWithin ? { verifyWithin: opts.verifyWithin } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    ...(opts.healthy ? { healthy: opts.healthy } : {}),
  })
  // With BGP, "up" also meant both sessions Established: say so where the tunnels alone would be blamed.
  const bgpWait = (change.frr?.neighbours.length ?? 0) > 0
  const result = bgpWait && applied.failedStep === 'verify'
    ? { ...applied, detail: 'the tunnels and both BGP sessions were not all up in time', fix: `${applied.fix ?? ''} A BGP VPN also needs both BGP sessions Established: \`tunnelwright check\` reads each session and judges TCP 179 on the tunnel interfaces.`.trim() }
    : applied
  let checksAfter: readonly CheckFinding[] | undefined
  let checksAfterNote: string | undefined
  if (result.outcome === 'committed' && opts.recheck !== false) {
    try {
      checksAfter = (await checkGateway(gateway, { details: change.details, sources: change.sources, routing: change.routing })).findings
    } catch (err) {
      checksAfterNote = `Checks after the change could not run: ${err instanceof Error ? err.message : 'unknown error'}.`
    }
  }
  const ctx = opts.context
  let record: ChangeRecord | undefined
  if (ctx) {
    record = ctx.journal.records.save(
      {
        ...toRecordHead(ctx, 'apply'),
        gateway: { host: ctx.host, ...(change.details.gateway.publicIp ? { publicIp: change.details.gateway.publicIp } : {}), kind: change.kind, version: change.rendered.version, ...toRecordHostKey(gateway) },
        outcome: result.outcome,
        ...(result.txnId ? { txnId: result.txnId } : {}),
        stateDir: toStateDir(change.facts),
        changes: change.plan.changes.map((c) => ({ path: c.path, action: c.action, secret: c.secret, diff: c.diff })),
        steps: result.steps,
        ...(result.detail ? { detail: result.detail } : {}),
        ...(checksBefore ? { checksBefore: toRecordChecks(checksBefore) } : {}),
        ...(checksAfter ? { checksAfter: toRecordChecks(checksAfter) } : {}),
        ...(checksAfterNote ? { checksAfterNote } : {}),
      },
      ctx.journal.redact,
    )
    logActivity(ctx, 'apply', { ...(result.txnId ? { txnId: result.txnId } : {}), outcome: result.outcome, ...(result.detail ? { detail: result.detail } : {}) })
  }
  return { ...result, ...(checksAfter ? { checksAfter } : {}), ...(checksAfterNote ? { checksAfterNote } : {}), ...(record ? { record } : {}) }
}

/** What a rollback would restore: the change it undoes and each file it puts back (or removes). */
export interface RollbackPreview {
  /** The transaction whose backup would go back. */
  readonly txnId: string
  readonly files: readonly { readonly path: string; readonly action: 'restore' | 'remove' }[]
}

/** Reads what a rollback would restore (one round trip, read-only); undefined when there is nothing of ours to roll back. */
export async function previewRollback(gateway: GatewayAccess): Promise<RollbackPreview | undefined> {
  const facts = await detectGateway(gateway)
  const script = `B=${quoteSh(toStateDir(facts))}
[ -f "$B/last-backup" ] || { echo TW-NONE; exit 0; }
ID=$(cat "$B/last-backup")
[ -f "$B/backups/$ID/manifest" ] || { echo TW-NONE; exit 0; }
echo "TW-ID $ID"
while IFS='|' read -r n mode path; do [ -n "$path" ] && echo "TW-FILE $n $path"; done < "$B/backups/$ID/manifest"`
  const r = await gateway.shell.runScript(script, { timeoutMs: 30_000 })
  if (r.code !== 0) throw new UserError('rollback-read', 'Could not read the backups on the gateway.', { likelyCause: r.stderr.slice(0, 300), fix: 'Check that the login can run commands as root (or with sudo).' })
  const id = /^TW-ID (\S+)$/m.exec(r.stdout)?.[1]
  if (r.stdout.includes('TW-NONE') || id === undefined) return undefined
  const files = [...r.stdout.matchAll(/^TW-FILE (\S+) (.+)$/gm)].map((m) => ({ path: m[2]!, action: m[1] === 'absent' ? ('remove' as const) : ('restore' as const) }))
  return { txnId: id, files }
}

/** How a rollback ended. */
export interface RolledBack {
  readonly restored: string
  readonly files: readonly string[]
  readonly record?: ChangeRecord
}

/** Restores the gateway to before our last committed change (needs no details: the gateway kept the backup). */
export async function rollbackChange(gateway: GatewayAccess, opts: { readonly context?: ChangeContext } = {}): Promise<RolledBack> {
  const facts = await detectGateway(gateway)
  const ctx = opts.context
  let r: { restored: string; files: string[] }
  try {
    r = await rollbackLast(gateway.shell, { baseDir: toStateDir(facts) })
  } catch (err) {
    logActivity(ctx, 'rollback', { outcome: 'failed', detail: err instanceof Error ? err.message : String(err) })
    throw err
  }
  let record: ChangeRecord | undefined
  if (ctx) {
    record = ctx.journal.records.save(
      {
        ...toRecordHead(ctx, 'rollback'),
        gateway: { host: ctx.host, ...toRecordHostKey(gateway) },
        outcome: 'rolled-back',
        txnId: r.restored,
        changes: r.files.map((f) => ({ path: f, action: 'restore', secret: false, diff: '' })),
        steps: [],
      },
      ctx.journal.redact,
    )
    logActivity(ctx, 'rollback', { txnId: r.restored, outcome: 'rolled-back' })
  }
  return { ...r, ...(record ? { record } : {}) }
}
