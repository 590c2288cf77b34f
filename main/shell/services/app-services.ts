// What the bridge's handlers do, over the shell's services (stores, sessions, jobs, records). No
// Electron here: main/shell/index.ts supplies the Electron parts (safeStorage, dialogs, window events), the
// e2e harness supplies its own, and everything else is the same code.
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { userInfo } from 'node:os'
import { join } from 'node:path'
import type {
  ActivityEntry,
  ApplyResultDto,
  ChangeRecordSummary,
  CheckFixPlanDto,
  CheckFixResultDto,
  CheckReport,
  ConnectOutcome,
  DetailsImport,
  EventPayloads,
  ImportFormat,
  ImportId,
  LintFinding,
  LintReport,
  PlanDto,
  PlanId,
  Profile,
  ProfileExportOptions,
  ProfileId,
  ProfileInput,
  ProfileSummary,
  RecordId,
  RenderPreview,
  RollbackResultDto,
  SaveOutcome,
  WatchId,
} from '../../../preload/api'
import { EVENTS } from '../../../preload/api'
import { getAppInfo } from '../../core/base/app-info'
import type { ChangeRecord, RecordCheck } from '../../core/app-data/change-record'
import { toChangeRecordHtml, toChangeRecordMarkdown } from '../../core/app-data/change-record'
import type { Finding as CheckFinding } from '../../core/checks/model'
import type { PathCheckOptions } from '../../core/checks/path-check'
import { importAwsText, importAwsXml, toNeeds, DetailsDraft, type AwsImport } from '../../core/details/aws-import'
import { lintDetails, type Finding } from '../../core/details/lint'
import { parseDetailsText } from '../../core/details/load'
import { toRenderInput, toSlug, type RoutingMode } from '../../core/details/resolve'
import { toDiagnosticsBundle } from '../../core/app-data/diagnostics'
import { toStateDir } from '../../core/gateway/stacks'
import { runReadOnly } from '../../core/gateway/commands'
import {
  openExportSecrets,
  parseProfileExport,
  PROFILE_EXPORT_FORMAT,
  SECRET_SLOTS,
  toDraftWithoutPsks,
  toProfileDetails,
  toExportSecretsEnvelope,
  toProfileSecretSources,
  type ProfileDetails,
  type ProfileFile,
  type SecretSlot,
} from '../../core/app-data/profiles'
import { REDACTED, redactDeep, toRedactor } from '../../core/base/redact'
import { renderDevice, resolveTemplatesDir, type RenderedConfig } from '../../core/render'
import { UserError } from '../../core/base/result'
import type { Secret } from '../../core/base/secret'
import type { StatusSnapshot } from '../../core/status/model'
import { watchStatus } from '../../core/status/watch'
import { applyChange, applyFix, checkGateway, detectGateway, planFix, prepareChange, rollbackChange, type PlannedFix, type PreparedChange } from '../../core/workflow/change'
import { ActivityLog } from '../../core/app-data/activity-log'
import { GatewaySessions, type Connector, type GatewayLink } from './gateway-sessions'
import { JobRegistry } from './jobs'
import { createProfileStore, type ProfileStore } from '../stores/profile-store'
import { createSecretStore, type Encryptor, type SecretStore } from '../stores/secret-store'
import { SettingsStore } from '../stores/settings-store'
import { writePrivateFile } from '../../core/base/fs-atomic'

/** Pushes an event to the window. */
export type Emit = <K extends keyof EventPayloads>(event: (typeof EVENTS)[K], payload: EventPayloads[K]) => void

/** A save dialog: the chosen path, or undefined when the user cancelled. */
export type ChooseSavePath = (opts: { readonly title: string; readonly defaultName: string; readonly filters: readonly { readonly name: string; readonly extensions: readonly string[] }[] }) => Promise<string | undefined>

/** What the Electron entry (or the e2e harness) provides. */
export interface ShellEnvironment {
  readonly dataDir: string
  readonly encryptor: Encryptor
  readonly emit: Emit
  readonly chooseSavePath: ChooseSavePath
  /** Desktop notification for tunnel down/up (thin; optional). */
  readonly notify?: (title: string, body: string) => void
  readonly resourcesPath?: string
  readonly versions?: Readonly<Record<string, string>>
  readonly connector?: Connector
  readonly user?: string
}

interface PendingImport {
  readonly psks: { psk1?: string; psk2?: string }
  readonly at: number
}

interface HeldPlan {
  readonly profileId: ProfileId
  readonly change: PreparedChange
}

interface Watch {
  readonly profileId: ProfileId
  readonly ctl: AbortController
  last?: StatusSnapshot
}

const IMPORT_TTL_MS = 30 * 60_000
const PSK_PLACEHOLDER = ['TunnelwrightPreviewPsk1', 'TunnelwrightPreviewPsk2'] as const

function toId(prefix: string): string {
  return `${prefix}-${randomBytes(8).toString('hex')}`
}

function toLintFindings(fs: readonly Finding[]): LintFinding[] {
  return fs.map((f) => ({ id: f.id, severity: f.severity, path: f.path, message: f.message, why: f.why, fix: f.fix }))
}

function toRecordChecks(fs: readonly CheckFinding[] | undefined): RecordCheck[] | undefined {
  return fs?.map((f) => ({
    id: f.id,
    severity: f.severity,
    verdict: f.verdict,
    subject: [f.subject.peer, f.subject.flow, f.subject.direction, f.subject.topic].filter((x) => x !== undefined).join(' '),
    why: f.why,
  }))
}

/** The shell: services plus the actions the handler table calls. */
export class AppServices {
  readonly profiles: ProfileStore
  readonly secrets: SecretStore
  readonly settings: SettingsStore
  readonly activity: ActivityLog
  readonly jobs: JobRegistry
  readonly sessions: GatewaySessions
  readonly #imports = new Map<string, PendingImport>()
  readonly #plans = new Map<string, HeldPlan>()
  /** Check fixes planned (and shown) by planCheckFix, by `profileId findingId`: apply runs exactly these. */
  readonly #fixPlans = new Map<string, PlannedFix>()
  readonly #watches = new Map<string, Watch>()
  readonly #recordsDir: string
  readonly #templatesDir: string
  readonly #user: string

  constructor(private readonly env: ShellEnvironment) {
    mkdirSync(env.dataDir, { recursive: true, mode: 0o700 })
    this.#user = env.user ?? safeUser()
    this.profiles = createProfileStore(join(env.dataDir, 'profiles'))
    this.secrets = createSecretStore(join(env.dataDir, 'secrets'), env.encryptor)
    this.settings = new SettingsStore(join(env.dataDir, 'settings.json'))
    this.activity = new ActivityLog(join(env.dataDir, 'activity.jsonl'), this.#user, (t) => this.#redactAll()(t))
    this.jobs = new JobRegistry((e) => env.emit(EVENTS.onJobProgress, { ...e, jobId: e.jobId as EventPayloads['onJobProgress']['jobId'], kind: e.kind as EventPayloads['onJobProgress']['kind'] }))
    this.sessions = new GatewaySessions(join(env.dataDir, 'ssh'), env.connector)
    this.#recordsDir = join(env.dataDir, 'records')
    this.#templatesDir = resolveTemplatesDir(env.resourcesPath ? { resourcesPath: env.resourcesPath } : {})
  }

  // ------------------------------------------------------------------ secrets and redaction

  #profileSecrets(profileId: string): Secret[] {
    const out: Secret[] = []
    for (const slot of SECRET_SLOTS) {
      try {
        const s = this.secrets.get(profileId, slot)
        if (s) out.push(s)
      } catch {
        // storage unavailable: nothing could have been stored either
      }
    }
    return out
  }

  /** A redactor over every stored secret of every profile plus pending imports. */
  #redactAll(): (text: string) => string {
    const values: (Secret | string)[] = []
    try {
      for (const p of this.profiles.list()) values.push(...this.#profileSecrets(p.id))
    } catch {
      // no profiles yet
    }
    for (const i of this.#imports.values()) values.push(...[i.psks.psk1, i.psks.psk2].filter((x): x is string => x !== undefined))
    return toRedactor(values)
  }

  #psks(profileId: string): { psk1?: string; psk2?: string } {
    const a = this.secrets.get(profileId, 'psk1')?.reveal()
    const b = this.secrets.get(profileId, 'psk2')?.reveal()
    return { ...(a === undefined ? {} : { psk1: a }), ...(b === undefined ? {} : { psk2: b }) }
  }

  // ------------------------------------------------------------------ details

  /** Imports a details JSON or an AWS export: PSKs stay here under an import id. */
  importDetails(text: string, format: ImportFormat): DetailsImport {
    let imp: Pick<AwsImport, 'draft' | 'needs' | 'notes'>
    let psks: (string | undefined)[]
    if (format === 'aws-xml' || format === 'aws-text') {
      imp = format === 'aws-xml' ? importAwsXml(text) : importAwsText(text)
      psks = imp.draft.remote.tunnels.map((t) => (typeof t.psk === 'string' ? t.psk : undefined))
    } else {
      let raw: unknown
      try {
        raw = JSON.parse(text.replace(/^\uFEFF/, ''))
      } catch {
        parseDetailsText(text, 'The details file') // throws the located syntax error
        throw new Error('unreachable')
      }
      const parsed = DetailsDraft.safeParse(raw)
      if (!parsed.success) parseDetailsText(text, 'The details file') // throws the schema error with pointers
      const draft = parsed.success ? parsed.data : DetailsDraft.parse(raw)
      const notes: string[] = []
      psks = draft.remote.tunnels.map((t, i) => {
        if (typeof t.psk === 'string') return t.psk
        const where = 'env' in t.psk ? `environment variable ${t.psk.env}` : `file ${t.psk.file}`
        notes.push(`Tunnel ${i + 1}'s PSK points at the ${where}; the app keeps PSKs in its secret store, so enter it in the profile.`)
        return undefined
      })
      imp = { draft, needs: toNeeds(draft), notes }
    }
    const [psk1, psk2] = psks
    const pending: PendingImport = { psks: { ...(psk1 ? { psk1 } : {}), ...(psk2 ? { psk2 } : {}) }, at: Date.now() }
    this.#pruneImports()
    const importId = psk1 || psk2 ? toId('imp') : undefined
    if (importId) this.#imports.set(importId, pending)
    const draft = toDraftWithoutPsks(imp.draft)
    const findings = this.#lintDraft(draft, toProfileSecretSources(pending.psks), undefined).findings
    return {
      draft: draft as DetailsImport['draft'],
      needs: imp.needs,
      notes: imp.notes,
      findings,
      ...(importId ? { importId: importId as ImportId } : {}),
      secretsFound: { psk1: psk1 !== undefined, psk2: psk2 !== undefined },
    }
  }

  #pruneImports(): void {
    const now = Date.now()
    for (const [id, i] of this.#imports) if (now - i.at > IMPORT_TTL_MS) this.#imports.delete(id)
  }

  #lintDraft(draft: ProfileDetails, sources: ReturnType<typeof toProfileSecretSources>, device: ProfileDetails['gateway']['kind']): LintReport {
    const needs = toNeeds({ ...draft, format: 'tunnelwright/details@1', remote: { ...draft.remote, tunnels: draft.remote.tunnels.map((t) => ({ ...t, psk: 'x' })) } } as never)
    const missing: LintFinding[] = needs.map((n) => ({ id: 'details-missing', severity: 'error', path: n.path, message: `Missing: ${n.what}.`, why: 'The VPN cannot be configured without it.', fix: `Fill in ${n.what}.` }))
    let details
    try {
      details = toProfileDetails(draft)
    } catch (err) {
      if (missing.length) return { findings: missing, complete: false }
      throw err
    }
    const findings = toLintFindings(lintDetails(details, { sources, ...(device ? { device: { kind: device } } : {}) }))
    return { findings: [...missing, ...findings], complete: missing.length === 0 }
  }

  /** Lints a draft; PSK rules use the profile's stored PSKs when a profile is given. */
  lint(draft: ProfileDetails, profileId?: string, device?: ProfileDetails['gateway']['kind']): LintReport {
    const psks = profileId ? this.#psks(profileId) : {}
    const report = this.#lintDraft(draft, toProfileSecretSources(psks), device)
    if (profileId) return report
    // Without a profile there are no PSKs to check: drop the findings that only say "PSK missing".
    return { ...report, findings: report.findings.filter((f) => !/\/psk$/.test(f.path)) }
  }

  /** Renders with placeholder PSKs; secret files (and any PSK anywhere) replaced by a placeholder. */
  previewRender(draft: ProfileDetails, device: NonNullable<ProfileDetails['gateway']['kind']>, version?: string, routing?: RoutingMode): RenderPreview {
    const details = toProfileDetails(draft)
    const r = details.routing === 'auto' ? (routing ?? 'route') : (routing ?? details.routing)
    const input = toRenderInput(details, { routing: r, sources: toProfileSecretSources({ psk1: PSK_PLACEHOLDER[0], psk2: PSK_PLACEHOLDER[1] }) })
    const rendered = renderDevice(input, device, { ...(version ? { version } : {}), templatesDir: this.#templatesDir })
    const cut = toRedactor([...PSK_PLACEHOLDER])
    const files = rendered.files.map((f) => ({ path: f.path, mode: f.mode, role: f.role, secret: f.secret, content: f.secret ? `${REDACTED}: this file holds the pre-shared keys; they are written to the gateway only, never shown.` : cut(f.content) }))
    const php = rendered.phpScript ? [{ path: '(pfSense PHP script, run on the box)', mode: 0o600, role: 'configures IPsec through pfSense config (holds the PSKs)', secret: true, content: `${REDACTED}: holds the pre-shared keys.` }] : []
    return { kind: rendered.kind, version: rendered.version, routing: rendered.routing, files: [...files, ...php], connectionNames: rendered.connectionNames, notes: rendered.notes.map(cut) }
  }

  // ------------------------------------------------------------------ profiles

  #toProfile(p: ProfileFile): Profile {
    return { id: p.id as ProfileId, name: p.name, details: p.details as Profile['details'], connection: p.connection, ...(p.request ? { request: p.request } : {}), hasSecret: this.secrets.slots(p.id), createdAt: p.createdAt, updatedAt: p.updatedAt }
  }

  listProfiles(): ProfileSummary[] {
    return this.profiles.list().map((p) => ({ id: p.id as ProfileId, name: p.name, host: p.connection.host, ...(p.details.gateway.kind ? { kind: p.details.gateway.kind } : {}), updatedAt: p.updatedAt }))
  }

  getProfile(id: string): Profile {
    return this.#toProfile(this.profiles.get(id))
  }

  saveProfile(input: ProfileInput & { details: ProfileDetails }): Profile {
    const pending = input.adoptImport ? this.#imports.get(input.adoptImport) : undefined
    if (input.adoptImport && !pending) throw new UserError('import-expired', 'The imported PSKs are no longer held (the import is older than 30 minutes or was already saved).', { fix: 'Import the file again, or enter the PSKs in the profile.' })
    const saved = this.profiles.save({ ...(input.id ? { id: input.id } : {}), name: input.name, details: input.details, connection: input.connection, ...(input.request ? { request: { ...input.request, privateCidrs: [...input.request.privateCidrs] } } : {}) })
    if (pending) {
      if (pending.psks.psk1) this.secrets.set(saved.id, 'psk1', pending.psks.psk1)
      if (pending.psks.psk2) this.secrets.set(saved.id, 'psk2', pending.psks.psk2)
      this.#imports.delete(input.adoptImport!)
    }
    this.activity.append({ profileId: saved.id, gateway: saved.connection.host, action: 'profile-save', outcome: 'ok' })
    return this.#toProfile(saved)
  }

  async deleteProfile(id: string): Promise<void> {
    const p = this.profiles.get(id)
    await this.disconnect(id)
    this.secrets.deleteProfile(id)
    this.profiles.delete(id)
    this.activity.append({ profileId: id, gateway: p.connection.host, action: 'profile-delete', outcome: 'ok' })
  }

  /** The export file's text: secrets only when asked, and then encrypted with the passphrase. */
  async toProfileExportText(opts: ProfileExportOptions): Promise<string> {
    const p = this.profiles.get(opts.id)
    let secrets
    if (opts.includeSecrets) {
      const values: Partial<Record<SecretSlot, string>> = {}
      for (const slot of SECRET_SLOTS) {
        const s = this.secrets.get(p.id, slot)
        if (s) values[slot] = s.reveal()
      }
      secrets = await toExportSecretsEnvelope(values, opts.passphrase)
    }
    return JSON.stringify({ format: PROFILE_EXPORT_FORMAT, profile: { name: p.name, details: p.details, connection: p.connection }, ...(secrets ? { secrets } : {}) }, null, 2) + '\n'
  }

  async exportProfile(opts: ProfileExportOptions): Promise<SaveOutcome> {
    const text = await this.toProfileExportText(opts)
    const p = this.profiles.get(opts.id)
    const path = await this.env.chooseSavePath({ title: 'Export profile', defaultName: `${p.name.replace(/[^A-Za-z0-9._-]+/g, '-')}.tunnelwright.json`, filters: [{ name: 'Tunnelwright profile', extensions: ['json'] }] })
    if (!path) return { saved: false }
    writePrivateFile(path, text)
    this.activity.append({ profileId: p.id, gateway: p.connection.host, action: 'profile-export', outcome: opts.includeSecrets ? 'ok (secrets encrypted)' : 'ok (no secrets)' })
    return { saved: true, path }
  }

  async importProfile(text: string, passphrase?: string): Promise<Profile> {
    const exp = parseProfileExport(text)
    const secrets = await openExportSecrets(exp, passphrase)
    const saved = this.profiles.save({ name: exp.profile.name, details: exp.profile.details, connection: exp.profile.connection })
    for (const [slot, v] of Object.entries(secrets) as [SecretSlot, string][]) this.secrets.set(saved.id, slot, v)
    this.activity.append({ profileId: saved.id, gateway: saved.connection.host, action: 'profile-import', outcome: 'ok' })
    return this.#toProfile(saved)
  }

  setSecret(profileId: string, slot: SecretSlot, value: string): { hasSecret: true } {
    this.profiles.get(profileId)
    this.secrets.set(profileId, slot, value)
    this.activity.append({ profileId, action: `secret-set ${slot}`, outcome: 'ok' })
    return { hasSecret: true }
  }

  clearSecret(profileId: string, slot: SecretSlot): { hasSecret: false } {
    this.secrets.delete(profileId, slot)
    this.activity.append({ profileId, action: `secret-clear ${slot}`, outcome: 'ok' })
    return { hasSecret: false }
  }

  // ------------------------------------------------------------------ gateway

  async connect(profileId: string, acceptFingerprint?: string, jobId?: string): Promise<ConnectOutcome> {
    const p = this.profiles.get(profileId)
    return this.jobs.run(jobId, 'connect', async (ctx) => {
      ctx.progress('CONNECT', p.connection.host)
      const r = await this.sessions.connect(profileId, p.connection, (slot) => this.secrets.get(profileId, slot), acceptFingerprint).catch((err: unknown) => {
        this.activity.append({ profileId, gateway: p.connection.host, action: 'connect', outcome: 'failed', detail: err instanceof Error ? err.message : String(err) })
        throw err
      })
      if (r.status === 'host-key-unknown') return r
      this.activity.append({ profileId, gateway: p.connection.host, action: 'connect', outcome: r.link.hostKey.status === 'accepted' ? `ok (new host key accepted: ${r.link.hostKey.fingerprint})` : 'ok' })
      return { status: 'connected', hostId: r.link.hostId, hostKey: r.link.hostKey }
    })
  }

  async disconnect(profileId: string): Promise<void> {
    for (const [id, w] of this.#watches) if (w.profileId === profileId) this.unwatch(id)
    await this.sessions.disconnect(profileId)
  }

  async detect(profileId: string, jobId?: string) {
    const link = this.sessions.get(profileId)
    return this.jobs.run(jobId, 'detect', async (ctx) => {
      ctx.progress('DETECT')
      link.facts = await detectGateway(link.shell)
      return link.facts
    })
  }

  /** The IKE path probe from the gateway (as `tunnelwright check` runs it): charon's VICI socket over this session, the profile's PSKs. */
  #probeOptions(profileId: string, link: GatewayLink): PathCheckOptions {
    const open = link.openUnixSocket
    return open ? { openVici: (path) => open(path), sources: toProfileSecretSources(this.#psks(profileId)) } : {}
  }

  async check(profileId: string, jobId?: string): Promise<CheckReport> {
    const p = this.profiles.get(profileId)
    const link = this.sessions.get(profileId)
    const details = toProfileDetails(p.details)
    const probe = this.#probeOptions(profileId, link)
    return this.jobs.run(jobId, 'check', async (ctx) => {
      ctx.progress('CHECK')
      const r = await checkGateway(link.shell, details, { ...probe, ...(link.facts ? { facts: link.facts } : {}) })
      link.facts = r.facts
      link.lastCheck = r.findings
      return { at: new Date().toISOString(), findings: r.findings }
    })
  }

  async planCheckFix(profileId: string, findingId: string, jobId?: string): Promise<CheckFixPlanDto> {
    const link = this.sessions.get(profileId)
    const finding = link.lastCheck?.find((f) => f.id === findingId)
    if (!finding || !link.facts) throw new UserError('finding-not-found', `No finding ${findingId} in the last check of this gateway.`, { fix: 'Run the checks again, then choose the fix.' })
    const facts = link.facts
    return this.jobs.run(jobId, 'check', async (ctx) => {
      ctx.progress('PLAN', findingId)
      const planned = await planFix(link.shell, finding, facts)
      this.#fixPlans.set(`${profileId} ${findingId}`, planned)
      return { findingId, commands: planned.commands, targets: planned.targets.map((t) => ({ kind: t.kind, name: t.name, ...(t.before !== undefined ? { before: t.before } : {}) })), notes: planned.notes }
    })
  }

  async applyCheckFix(profileId: string, findingId: string, confirmWithinSec: number | undefined, jobId?: string): Promise<CheckFixResultDto> {
    const key = `${profileId} ${findingId}`
    const planned = this.#fixPlans.get(key)
    if (!planned) throw new UserError('plan-not-found', 'This fix is no longer held (it was applied already, or the app restarted).', { fix: 'Choose "Apply fix" again to see the plan.' })
    this.#fixPlans.delete(key)
    const p = this.profiles.get(profileId)
    const link = this.sessions.get(profileId)
    const details = toProfileDetails(p.details)
    const probe = this.#probeOptions(profileId, link)
    const recheck = async () => (await checkGateway(link.shell, details, { ...probe, ...(link.facts ? { facts: link.facts } : {}) })).findings
    const isGreen = (f: CheckFinding | undefined) => f !== undefined && (f.verdict === 'allowed' || f.verdict === 'ok')
    // Cancelling does not abandon it: the gateway is told "not healthy" and reverts by itself.
    const result = await this.jobs.run(
      jobId,
      'apply',
      (ctx) =>
        applyFix(link.shell, planned, {
          confirmWithin: confirmWithinSec ?? 120,
          onProgress: (s) => ctx.progress(s.step, s.detail),
          // Confirm only when the finding really turned green on a fresh read of the gateway (as the CLI's check --fix).
          healthy: async () => !ctx.signal.aborted && isGreen((await recheck()).find((f) => f.id === findingId)),
        }),
      { raceAbort: false },
    )
    let findings: readonly CheckFinding[] | undefined
    let note: string | undefined
    try {
      findings = await recheck()
      link.lastCheck = findings
    } catch (err) {
      note = `The check after the fix could not run: ${err instanceof Error ? err.message : 'unknown error'}.`
    }
    const after = findings?.find((f) => f.id === findingId)
    this.activity.append({ profileId, gateway: p.connection.host, action: 'check-fix', ...(result.txnId ? { txnId: result.txnId } : {}), outcome: result.outcome, detail: `${findingId}: ${planned.commands.join('; ')}` })
    const detail = [result.detail, note].filter((x) => x !== undefined).join(' ')
    return {
      findingId,
      outcome: result.outcome,
      ok: result.outcome === 'committed' && isGreen(after),
      ...(result.txnId ? { txnId: result.txnId } : {}),
      ...(result.failedStep ? { failedStep: result.failedStep } : {}),
      ...(detail ? { detail } : {}),
      ...(result.fix ? { fix: result.fix } : {}),
      steps: result.steps.map((x) => ({ step: x.step, at: x.at, detail: x.detail })),
      ...(after ? { after } : {}),
      ...(findings ? { report: { at: new Date().toISOString(), findings } } : {}),
    }
  }

  async plan(profileId: ProfileId, device?: NonNullable<ProfileDetails['gateway']['kind']>, routing?: RoutingMode, jobId?: string): Promise<PlanDto> {
    const p = this.profiles.get(profileId)
    const link = this.sessions.get(profileId)
    const details = toProfileDetails(p.details)
    const sources = toProfileSecretSources(this.#psks(profileId))
    return this.jobs.run(jobId, 'plan', async (ctx) => {
      ctx.progress('PLAN')
      const change = await prepareChange(link.shell, details, { sources, templatesDir: this.#templatesDir, ...(device ? { device } : {}), ...(routing ? { routing } : {}), ...(link.facts ? { facts: link.facts } : {}) })
      link.facts = change.facts
      const planId = toId('plan') as PlanId
      this.#plans.set(planId, { profileId, change })
      const cut = toRedactor(this.#profileSecrets(profileId))
      return {
        planId,
        profileId,
        kind: change.kind,
        routing: change.routing,
        version: change.rendered.version,
        changes: change.plan.changes.map((c) => ({ path: c.path, action: c.action, secret: c.secret, diff: cut(c.diff) })),
        noop: change.plan.noop,
        notes: change.rendered.notes.map(cut),
      }
    })
  }

  async apply(planId: string, reason: string | undefined, confirmWithinSec: number | undefined, jobId?: string): Promise<ApplyResultDto> {
    const held = this.#plans.get(planId)
    if (!held) throw new UserError('plan-not-found', 'This plan is no longer held (it was applied already, or the app restarted).', { fix: 'Plan the change again.' })
    const p = this.profiles.get(held.profileId)
    const link = this.sessions.get(held.profileId)
    const cut = toRedactor(this.#profileSecrets(held.profileId))
    this.#plans.delete(planId)
    const checksBefore = link.lastCheck
    // Cancelling an apply does not abandon it: the gateway is told "not healthy" and reverts by itself.
    const result = await this.jobs.run(
      jobId,
      'apply',
      (ctx) =>
        applyChange(link.shell, held.change, {
          ...(confirmWithinSec ? { confirmWithin: confirmWithinSec } : {}),
          onProgress: (s) => ctx.progress(s.step, cut(s.detail)),
          healthy: async () => !ctx.signal.aborted,
        }),
      { raceAbort: false },
    )
    let checksAfter: readonly CheckFinding[] | undefined
    let checksAfterNote: string | undefined
    if (result.outcome === 'committed') {
      try {
        const r = await checkGateway(link.shell, toProfileDetails(p.details), { ...this.#probeOptions(held.profileId, link), facts: held.change.facts })
        checksAfter = r.findings
        link.lastCheck = r.findings
      } catch (err) {
        checksAfterNote = `Checks after the change could not run: ${err instanceof Error ? cut(err.message) : 'unknown error'}.`
      }
    }
    const record = this.#saveRecord({
      profileId: p.id,
      profileName: p.name,
      action: 'apply',
      gateway: { host: p.connection.host, ...(p.details.gateway.publicIp ? { publicIp: p.details.gateway.publicIp } : {}), kind: held.change.kind, version: held.change.rendered.version, hostKey: `${link.hostKey.keyType} ${link.hostKey.fingerprint}` },
      ...(reason ? { reason } : {}),
      outcome: result.outcome,
      ...(result.txnId ? { txnId: result.txnId } : {}),
      stateDir: toStateDir(held.change.facts),
      changes: held.change.plan.changes.map((c) => ({ path: c.path, action: c.action, secret: c.secret, diff: c.diff })),
      steps: result.steps,
      ...(result.detail ? { detail: result.detail } : {}),
      ...(checksBefore ? { checksBefore: toRecordChecks(checksBefore)! } : {}),
      ...(checksAfter ? { checksAfter: toRecordChecks(checksAfter)! } : {}),
      ...(checksAfterNote ? { checksAfterNote } : {}),
    })
    this.activity.append({ profileId: p.id, gateway: p.connection.host, action: 'apply', ...(result.txnId ? { txnId: result.txnId } : {}), outcome: result.outcome, ...(result.detail ? { detail: result.detail } : {}) })
    return {
      outcome: result.outcome,
      ...(result.txnId ? { txnId: result.txnId } : {}),
      steps: result.steps.map((s) => ({ step: s.step, at: s.at, detail: cut(s.detail) })),
      ...(result.failedStep ? { failedStep: result.failedStep } : {}),
      ...(result.detail ? { detail: cut(result.detail) } : {}),
      recordId: record.id as RecordId,
    }
  }

  async rollback(profileId: string, reason: string | undefined, jobId?: string): Promise<RollbackResultDto> {
    const p = this.profiles.get(profileId)
    const link = this.sessions.get(profileId)
    const r = await this.jobs.run(jobId, 'rollback', async (ctx) => {
      ctx.progress('ROLLBACK')
      return rollbackChange(link.shell, link.facts ? { facts: link.facts } : {})
    }).catch((err: unknown) => {
      this.activity.append({ profileId, gateway: p.connection.host, action: 'rollback', outcome: 'failed', detail: err instanceof Error ? err.message : String(err) })
      throw err
    })
    const record = this.#saveRecord({
      profileId: p.id,
      profileName: p.name,
      action: 'rollback',
      gateway: { host: p.connection.host, hostKey: `${link.hostKey.keyType} ${link.hostKey.fingerprint}` },
      ...(reason ? { reason } : {}),
      outcome: 'rolled-back',
      txnId: r.restored,
      changes: r.files.map((f) => ({ path: f, action: 'restore', secret: false, diff: '' })),
      steps: [],
    })
    this.activity.append({ profileId, gateway: p.connection.host, action: 'rollback', txnId: r.restored, outcome: 'rolled-back' })
    return { restored: r.restored, files: r.files, recordId: record.id as RecordId }
  }

  // ------------------------------------------------------------------ status

  watch(profileId: ProfileId, intervalMs = 5000): { watchId: WatchId } {
    const p = this.profiles.get(profileId)
    const link = this.sessions.get(profileId)
    if (!link.facts) throw new UserError('not-detected', 'The gateway has not been inspected yet.', { fix: 'Run detection (or a check) first.' })
    const details = toProfileDetails(p.details)
    const watchId = toId('w') as WatchId
    const ctl = new AbortController()
    const w: Watch = { profileId, ctl }
    this.#watches.set(watchId, w)
    const cut = toRedactor(this.#profileSecrets(profileId))
    const socket = link.facts.paths.viciSocket
    const open = link.openUnixSocket
    void watchStatus(link.shell, details, link.facts, {
      signal: ctl.signal,
      intervalMs,
      everySample: true,
      // The connection names the renderers give both tunnels (as the CLI's status uses): a tunnel keeps
      // its name while down, instead of falling back to "tunnel N" and reading as another tunnel.
      names: [`${toSlug(details.name)}-t1`, `${toSlug(details.name)}-t2`],
      // charon's own events over the VICI socket (stream-local forwarding); polling alone when refused.
      ...(socket && open ? { openVici: () => open(socket) } : {}),
      onChange: (c) => {
        if (ctl.signal.aborted) return
        w.last = c.snapshot
        this.env.emit(EVENTS.onTunnelStatus, { watchId, profileId, at: c.snapshot.at, source: c.snapshot.source, tunnels: c.snapshot.tunnels })
        for (const a of c.alerts) {
          this.env.emit(EVENTS.onStatusAlert, { watchId, profileId, kind: a.kind, peer: a.peer, name: a.name, at: a.at, detail: cut(a.detail) })
          if (a.kind === 'tunnel-down' || a.kind === 'tunnel-up') this.env.notify?.(`${p.name}: tunnel ${a.kind === 'tunnel-down' ? 'down' : 'up'}`, `${a.name} (${a.peer}) ${cut(a.detail)}`)
        }
      },
    })
      .catch((err: unknown) => {
        if (ctl.signal.aborted) return
        const e = err instanceof UserError ? { code: err.code, message: cut(err.message), ...(err.fix ? { fix: err.fix } : {}) } : { code: 'internal', message: 'The status watch stopped unexpectedly.' }
        this.env.emit(EVENTS.onWatchError, { watchId, profileId, error: e })
      })
      .finally(() => this.#watches.delete(watchId))
    return { watchId }
  }

  unwatch(watchId: string): void {
    const w = this.#watches.get(watchId)
    this.#watches.delete(watchId)
    w?.ctl.abort()
  }

  /** Stops every watch and job (the window closed). */
  stopAll(): void {
    for (const id of [...this.#watches.keys()]) this.unwatch(id)
    this.jobs.cancelAll()
  }

  // ------------------------------------------------------------------ records

  #saveRecord(r: Omit<ChangeRecord, 'id' | 'at' | 'user'>): ChangeRecord {
    const rec: ChangeRecord = { id: toId('r'), at: new Date().toISOString(), user: this.#user, ...r }
    const cut = toRedactor(this.#profileSecrets(r.profileId))
    // Redact value by value: cutting the serialized text turned `"secret": true` into `"secret": [redacted]`
    // (redactPatterns cuts any `secret: …`), and the record no longer parsed.
    writePrivateFile(join(this.#recordsDir, `${rec.id}.json`), JSON.stringify(redactDeep(rec, cut), null, 2))
    return rec
  }

  #readRecord(id: string): ChangeRecord {
    if (!/^r-[0-9a-f]{16}$/.test(id)) throw new UserError('record-not-found', 'No such change record.', { fix: 'Choose a record from the list.' })
    const f = join(this.#recordsDir, `${id}.json`)
    if (!existsSync(f)) throw new UserError('record-not-found', 'No such change record.', { fix: 'Choose a record from the list.' })
    return JSON.parse(readFileSync(f, 'utf8')) as ChangeRecord
  }

  listRecords(profileId?: string): ChangeRecordSummary[] {
    if (!existsSync(this.#recordsDir)) return []
    return readdirSync(this.#recordsDir)
      .filter((n) => n.endsWith('.json'))
      .flatMap((n) => {
        // One unreadable record (damaged, or written by an older build) must not hide all the others.
        try {
          return [this.#readRecord(n.slice(0, -5))]
        } catch {
          return []
        }
      })
      .filter((r) => profileId === undefined || r.profileId === profileId)
      .sort((a, b) => b.at.localeCompare(a.at))
      .map((r) => ({ id: r.id as RecordId, profileId: r.profileId as ProfileId, at: r.at, action: r.action, outcome: r.outcome, ...(r.txnId ? { txnId: r.txnId } : {}) }))
  }

  /** The record rendered (redacted, IPs masked per settings). */
  toRecordText(recordId: string, format: 'markdown' | 'html'): string {
    const r = this.#readRecord(recordId)
    const opts = { redact: toRedactor(this.#profileSecrets(r.profileId)), maskPublicIps: this.settings.get().maskPublicIps }
    return format === 'html' ? toChangeRecordHtml(r, opts) : toChangeRecordMarkdown(r, opts)
  }

  async exportRecord(recordId: string, format: 'markdown' | 'html'): Promise<SaveOutcome> {
    const text = this.toRecordText(recordId, format)
    const ext = format === 'html' ? 'html' : 'md'
    const path = await this.env.chooseSavePath({ title: 'Export change record', defaultName: `change-record-${recordId}.${ext}`, filters: [{ name: format === 'html' ? 'HTML' : 'Markdown', extensions: [ext] }] })
    if (!path) return { saved: false }
    writeFileSync(path, text, { mode: 0o644 })
    return { saved: true, path }
  }

  listActivity(limit?: number): ActivityEntry[] {
    return this.activity.list(limit)
  }

  // ------------------------------------------------------------------ diagnostics

  /** The diagnostics bundle text for a profile (or the app alone). */
  async toDiagnosticsText(profileId?: string): Promise<string> {
    const errors: string[] = []
    const p = profileId ? this.profiles.get(profileId) : undefined
    const link = profileId && this.sessions.has(profileId) ? this.sessions.get(profileId) : undefined
    let rendered: RenderedConfig | undefined
    let lint: readonly LintFinding[] | undefined
    let daemonLog: string | undefined
    if (p) {
      try {
        lint = this.lint(p.details, p.id).findings
        const kind = link?.facts?.stack.kind !== undefined && link.facts.stack.kind !== 'none' ? link.facts.stack.kind : p.details.gateway.kind
        if (kind) {
          const details = toProfileDetails(p.details)
          const routing = details.routing === 'auto' ? 'route' : details.routing
          rendered = renderDevice(toRenderInput(details, { routing, sources: toProfileSecretSources(this.#psks(p.id)) }), kind, { templatesDir: this.#templatesDir, ...(link?.facts ? { layout: link.facts.layout } : {}) })
        }
      } catch (err) {
        errors.push(`render: ${err instanceof Error ? err.message : String(err)}`)
      }
      if (link) {
        try {
          const out = await runReadOnly(link.shell, [{ id: 'log', argv: ['journalctl', '--no-pager', '-n', '300', '-u', 'strongswan', '-u', 'strongswan-starter', '-u', 'ipsec', '-u', 'charon-systemd'] }], 30_000)
          daemonLog = out['log']?.stdout
        } catch (err) {
          errors.push(`daemon log: ${err instanceof Error ? err.message : String(err)}`)
        }
      }
    }
    const watch = [...this.#watches.values()].find((w) => w.profileId === profileId)
    const secrets: (Secret | string)[] = p ? this.#profileSecrets(p.id) : []
    const info = getAppInfo()
    return toDiagnosticsBundle(
      {
        generatedAt: new Date().toISOString(),
        versions: { app: info.version, detailsFormat: info.detailsFormat, ...process.versions, ...(this.env.versions ?? {}), platform: `${process.platform} ${process.arch}` },
        settings: this.settings.get(),
        ...(p ? { profile: { id: p.id, name: p.name, details: p.details, connection: p.connection, ...(p.request ? { request: p.request } : {}), hasSecret: this.secrets.slots(p.id) } } : {}),
        ...(link?.facts ? { facts: link.facts } : {}),
        ...(lint ? { lintFindings: lint } : {}),
        ...(link?.lastCheck ? { checkFindings: link.lastCheck } : {}),
        ...(watch?.last ? { status: watch.last } : {}),
        ...(daemonLog !== undefined ? { daemonLog } : {}),
        ...(rendered ? { rendered: rendered.files } : {}),
        activity: this.activity.list(100).filter((e) => profileId === undefined || e.profileId === profileId),
        errors,
      },
      {
        secrets,
        maskPublicIps: this.settings.get().maskPublicIps,
        publicIps: p ? [p.details.gateway.publicIp, ...p.details.remote.tunnels.map((t) => t.outsideIp)].filter((x): x is string => !!x) : [],
      },
    )
  }

  async exportDiagnostics(profileId?: string): Promise<SaveOutcome> {
    const text = await this.toDiagnosticsText(profileId)
    const path = await this.env.chooseSavePath({ title: 'Save diagnostics bundle', defaultName: `tunnelwright-diagnostics-${new Date().toISOString().slice(0, 10)}.json`, filters: [{ name: 'JSON', extensions: ['json'] }] })
    if (!path) return { saved: false }
    writePrivateFile(path, text)
    return { saved: true, path }
  }

  /** The event emitter (for the e2e harness and index.ts). */
  emit<K extends keyof EventPayloads>(event: (typeof EVENTS)[K], payload: EventPayloads[K]): void {
    this.env.emit(event, payload)
  }
}

function safeUser(): string {
  try {
    return userInfo().username
  } catch {
    return process.env['USER'] ?? process.env['USERNAME'] ?? 'unknown'
  }
}

