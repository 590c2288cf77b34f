// The gateway in the app: one open session per profile, and connect, detect, check, fix, plan, apply and
// rollback on it, as jobs the renderer can follow and cancel. Thin callers of the core's door: the lint
// gate, routing, confirm bounds, the check after apply and the change record all happen there.
import { randomBytes } from 'node:crypto'
import type { ApplyResultDto, CheckFixPlanDto, CheckFixResultDto, CheckReport, ConnectOutcome, PlanDto, PlanId, ProfileId, RecordId, RollbackPreviewDto, RollbackResultDto } from '../../../preload/api'
import {
  applyCauseFix,
  applyChange,
  applyCheckFix,
  DetailsRefusedError,
  planCauseFix,
  previewRollback,
  toChangeReview,
  toCheckCauses,
  checkGateway,
  detectGateway,
  openGateway,
  planCheckFix,
  prepareChange,
  rollbackChange,
  toProfileDetails,
  toProfileSecretSources,
  toProfileTarget,
  toUserKnownHosts,
  UserError,
  type ChangeContext,
  type Connector,
  type DetailsInput,
  type DeviceKind,
  type Gateway,
  type GatewayFacts,
  type CheckFinding,
  type PlannedCauseFix,
  type PlannedFix,
  type PreparedChange,
  type RoutingMode,
} from '../../core'
import type { ShellContext } from './context'

interface HeldPlan {
  readonly profileId: string
  readonly change: PreparedChange
}

function toId(prefix: string): string {
  return `${prefix}-${randomBytes(8).toString('hex')}`
}

/** The gateway domain of the app. */
export class GatewayService {
  readonly #open = new Map<string, Gateway>()
  readonly #plans = new Map<string, HeldPlan>()
  /** Check fixes planned (and shown) by planFix, by `profileId findingId`: apply runs exactly these (one finding's, or a cause's). */
  readonly #fixPlans = new Map<string, { readonly one: PlannedFix } | { readonly cause: PlannedCauseFix }>()
  /** Called before a profile's session closes (its status watches stop first). */
  onDisconnect: (profileId: string) => void = () => undefined

  constructor(
    private readonly ctx: ShellContext,
    private readonly connector?: Connector,
  ) {}

  /** The open gateway of a profile, or 'not-connected'. */
  get(profileId: string): Gateway {
    const g = this.#open.get(profileId)
    if (!g) throw new UserError('not-connected', 'Not connected to this gateway.', { fix: 'Connect first.' })
    return g
  }

  /** Whether a profile has an open gateway. */
  has(profileId: string): boolean {
    return this.#open.has(profileId)
  }

  /** What detection found on a profile's open gateway, if it ran. */
  factsOf(profileId: string): GatewayFacts | undefined {
    return this.#open.get(profileId)?.facts
  }

  #input(profileId: string): DetailsInput {
    return { details: toProfileDetails(this.ctx.profiles.get(profileId).details), sources: toProfileSecretSources(this.ctx.psks(profileId)) }
  }

  #context(profileId: string, reason?: string): ChangeContext {
    const p = this.ctx.profiles.get(profileId)
    return { journal: this.ctx.journal, profileId: p.id, name: p.name, via: 'app', host: p.connection.host, ...(reason ? { reason } : {}) }
  }

  /** Connects (closing an older session of the profile); an unknown host key becomes a question, not an error. */
  async connect(profileId: string, acceptFingerprint?: string, jobId?: string): Promise<ConnectOutcome> {
    const p = this.ctx.profiles.get(profileId)
    return this.ctx.jobs.run(jobId, 'connect', async (job) => {
      job.progress('CONNECT', p.connection.host)
      await this.disconnect(profileId)
      let opened
      try {
        const target = toProfileTarget(p.connection, (slot) => this.ctx.secrets.get(profileId, slot), {
          storeDir: this.ctx.knownHostsDir,
          knownHostsFiles: [this.ctx.env.userKnownHosts ?? toUserKnownHosts()],
          ...(acceptFingerprint ? { accept: acceptFingerprint } : {}),
        })
        opened = await openGateway(target, { ...(this.connector ? { connector: this.connector } : {}) })
      } catch (err) {
        this.ctx.journal.activity.append({ profileId, gateway: p.connection.host, action: 'connect', outcome: 'failed', detail: err instanceof Error ? err.message : String(err) })
        throw err
      }
      if (opened.status === 'host-key-unknown') return opened
      const g = opened.gateway
      this.#open.set(profileId, g)
      this.ctx.journal.activity.append({ profileId, gateway: p.connection.host, action: 'connect', outcome: g.hostKey.status === 'accepted' ? `ok (new host key accepted: ${g.hostKey.fingerprint})` : 'ok' })
      return { status: 'connected', hostId: g.hostKey.hostId, hostKey: { keyType: g.hostKey.keyType, fingerprint: g.hostKey.fingerprint, status: g.hostKey.status } }
    })
  }

  /** Closes a profile's session (its watches first). */
  async disconnect(profileId: string): Promise<void> {
    this.onDisconnect(profileId)
    const g = this.#open.get(profileId)
    this.#open.delete(profileId)
    if (g) await g.close().catch(() => undefined)
  }

  /** Closes every session. */
  async closeAll(): Promise<void> {
    await Promise.all([...this.#open.keys()].map((id) => this.disconnect(id)))
  }

  async detect(profileId: string, jobId?: string): Promise<GatewayFacts> {
    const g = this.get(profileId)
    return this.ctx.jobs.run(jobId, 'detect', async (job) => {
      job.progress('DETECT')
      return detectGateway(g, { again: true })
    })
  }

  async check(profileId: string, jobId?: string): Promise<CheckReport> {
    const g = this.get(profileId)
    const input = this.#input(profileId)
    return this.ctx.jobs.run(jobId, 'check', async (job) => {
      job.progress('CHECK')
      const r = await checkGateway(g, input)
      return toReport(r.findings)
    })
  }

  /** Plans one finding's fix, or with `findingIds` one fix for a whole cause (one transaction). */
  async planFix(profileId: string, findingId: string, jobId?: string, findingIds?: readonly string[]): Promise<CheckFixPlanDto> {
    const g = this.get(profileId)
    return this.ctx.jobs.run(jobId, 'check', async (job) => {
      job.progress('PLAN', findingId)
      let planned: PlannedFix
      if (findingIds && findingIds.length > 0) {
        const cause = await planCauseFix(g, [...new Set([findingId, ...findingIds])])
        if (!cause) throw new UserError('fix-not-needed', 'These checks already pass: there is nothing to fix.', { fix: 'Run the checks again to see what still needs a fix.' })
        this.#fixPlans.set(`${profileId} ${findingId}`, { cause })
        planned = cause.planned
      } else {
        const plan = await planCheckFix(g, findingId)
        if (!plan.needed) throw new UserError('fix-not-needed', 'This check already passes: there is nothing to fix.', { fix: 'Run the checks again to see what still needs a fix.' })
        this.#fixPlans.set(`${profileId} ${findingId}`, { one: plan.fix })
        planned = plan.fix
      }
      return { findingId, commands: planned.commands, targets: planned.targets.map((t) => ({ kind: t.kind, name: t.name, ...(t.before !== undefined ? { before: t.before } : {}) })), notes: planned.notes }
    })
  }

  async applyFix(profileId: string, findingId: string, confirmWithinSec: number | undefined, jobId?: string): Promise<CheckFixResultDto> {
    const key = `${profileId} ${findingId}`
    const planned = this.#fixPlans.get(key)
    if (!planned) throw new UserError('plan-not-found', 'This fix is no longer held (it was applied already, or the app restarted).', { fix: 'Choose "Apply fix" again to see the plan.' })
    this.#fixPlans.delete(key)
    const g = this.get(profileId)
    const input = this.#input(profileId)
    const cut = this.ctx.redactorFor(profileId)
    // Cancelling does not abandon it: the gateway is told "not healthy" and reverts by itself.
    const r = await this.ctx.jobs.run(
      jobId,
      'apply',
      (job) => {
        const opts = {
          ...(confirmWithinSec ? { confirmWithin: confirmWithinSec } : {}),
          onProgress: (s: { step: Parameters<typeof job.progress>[0]; detail: string }) => job.progress(s.step, cut(s.detail)),
          cancelled: () => job.signal.aborted,
          context: this.#context(profileId),
        }
        return 'cause' in planned ? applyCauseFix(g, planned.cause, input, opts) : applyCheckFix(g, planned.one, input, opts)
      },
      { raceAbort: false },
    )
    const detail = [r.detail, r.note].filter((x) => x !== undefined).map(cut).join(' ')
    return {
      findingId,
      outcome: r.outcome,
      ok: r.ok,
      ...(r.txnId ? { txnId: r.txnId } : {}),
      ...(r.failedStep ? { failedStep: r.failedStep } : {}),
      ...(detail ? { detail } : {}),
      ...(r.fix ? { fix: r.fix } : {}),
      steps: r.steps.map((x) => ({ step: x.step, at: x.at, detail: cut(x.detail) })),
      ...(r.after ? { after: r.after } : {}),
      ...(r.findings ? { report: toReport(r.findings) } : {}),
    }
  }

  async plan(profileId: ProfileId, device?: DeviceKind, routing?: RoutingMode, jobId?: string): Promise<PlanDto> {
    const g = this.get(profileId)
    const input = this.#input(profileId)
    return this.ctx.jobs.run(jobId, 'plan', async (job) => {
      job.progress('PLAN')
      let change: PreparedChange
      try {
        change = await prepareChange(g, { ...input, templatesDir: this.ctx.templatesDir, ...(device ? { device } : {}), ...(routing ? { routing } : {}) })
      } catch (err) {
        throw err instanceof DetailsRefusedError ? toRefusedInWords(err) : err
      }
      const planId = toId('plan') as PlanId
      this.#plans.set(planId, { profileId, change })
      const cut = this.ctx.redactorFor(profileId)
      const review = toChangeReview(change)
      return {
        planId,
        profileId,
        kind: change.kind,
        routing: change.routing,
        routingBasis: change.routingDecision.basis,
        tunnels: change.tunnels,
        version: change.rendered.version,
        changes: change.plan.changes.map((c) => ({ path: c.path, action: c.action, secret: c.secret, diff: cut(c.diff) })),
        noop: change.plan.noop,
        notes: change.rendered.notes.map(cut),
        warnings: change.lint.filter((f) => f.severity === 'warning').map((f) => ({ id: f.id, severity: f.severity, path: f.path, message: f.message, why: f.why, fix: f.fix })),
        summary: review.summary,
        // The keys are cut by the review itself, in every encoding (toShownFiles; its unit test proves it per device).
        files: review.files,
      }
    })
  }

  async apply(planId: string, reason: string | undefined, confirmWithinSec: number | undefined, jobId?: string): Promise<ApplyResultDto> {
    const held = this.#plans.get(planId)
    if (!held) throw new UserError('plan-not-found', 'This plan is no longer held (it was applied already, or the app restarted).', { fix: 'Plan the change again.' })
    const g = this.get(held.profileId)
    const cut = this.ctx.redactorFor(held.profileId)
    this.#plans.delete(planId)
    // Cancelling an apply does not abandon it: the gateway is told "not healthy" and reverts by itself.
    const r = await this.ctx.jobs.run(
      jobId,
      'apply',
      (job) =>
        applyChange(g, held.change, {
          ...(confirmWithinSec ? { confirmWithin: confirmWithinSec } : {}),
          onProgress: (s) => job.progress(s.step, cut(s.detail)),
          healthy: async () => !job.signal.aborted,
          context: this.#context(held.profileId, reason),
        }),
      { raceAbort: false },
    )
    return {
      outcome: r.outcome,
      ...(r.txnId ? { txnId: r.txnId } : {}),
      steps: r.steps.map((s) => ({ step: s.step, at: s.at, detail: cut(s.detail) })),
      ...(r.failedStep ? { failedStep: r.failedStep } : {}),
      ...(r.detail ? { detail: cut(r.detail) } : {}),
      ...(r.record ? { recordId: r.record.id as RecordId } : {}),
    }
  }

  /** What a rollback would restore (read-only), to ask before doing it. */
  async previewRollback(profileId: string, jobId?: string): Promise<RollbackPreviewDto> {
    const g = this.get(profileId)
    return this.ctx.jobs.run(jobId, 'rollback', async (job) => {
      job.progress('ROLLBACK', 'preview')
      const p = await previewRollback(g)
      return p ? { available: true, txnId: p.txnId, files: p.files.map((f) => ({ path: f.path, action: f.action })) } : { available: false }
    })
  }

  async rollback(profileId: string, reason: string | undefined, jobId?: string): Promise<RollbackResultDto> {
    const g = this.get(profileId)
    const r = await this.ctx.jobs.run(jobId, 'rollback', async (job) => {
      job.progress('ROLLBACK')
      return rollbackChange(g, { context: this.#context(profileId, reason) })
    })
    return { restored: r.restored, files: r.files, ...(r.record ? { recordId: r.record.id as RecordId } : {}) }
  }
}

/** A check report with its findings grouped by cause. */
function toReport(findings: readonly CheckFinding[]): CheckReport {
  return { at: new Date().toISOString(), findings, causes: toCheckCauses(findings) }
}

/** Lint's refusal in the words of the Details form: a key not set yet is "not set", not an environment variable. */
function toRefusedInWords(err: DetailsRefusedError): UserError {
  const lines = err.errors.map((f) => {
    const n = /^\/remote\/tunnels\/(\d)\/psk$/.exec(f.path)?.[1]
    return f.id === 'psk-env-missing' && n !== undefined ? `Tunnel ${Number(n) + 1}'s pre-shared key is not set.` : f.message
  })
  return new UserError('details-lint-errors', `The details have ${lines.length} problem${lines.length === 1 ? '' : 's'} that would stop the tunnels; nothing was sent to the gateway: ${lines.join(' ')}`, { fix: 'Open Details, fix what it lists (each with why and how), save, then prepare the change again.' })
}
