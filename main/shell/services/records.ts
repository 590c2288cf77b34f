// What the app has written down: change records (the CLI's too: same data folder), the activity log, and the
// diagnostics bundle. Thin callers of the core's door.
import { writeFileSync } from 'node:fs'
import type { ActivityEntry, ChangeRecordSummary, LintFinding, ProfileId, RecordId, SaveOutcome } from '../../../preload/api'
import { getAppInfo, readDaemonLog, renderConfig, toDiagnosticsBundle, toProfileDetails, toProfileSecretSources, writePrivateFile, type RenderedConfig, type Secret } from '../../core'
import type { ShellContext } from './context'
import type { DetailsService } from './details'
import type { GatewayService } from './gateway'
import type { StatusService } from './status'

/** The records domain of the app. */
export class RecordsService {
  constructor(
    private readonly ctx: ShellContext,
    private readonly details: DetailsService,
    private readonly gateway: GatewayService,
    private readonly status: StatusService,
  ) {}

  /** Change records, newest first (optionally of one profile); the CLI's appear with via 'cli'. */
  listRecords(profileId?: string): ChangeRecordSummary[] {
    return this.ctx.journal.records.list(profileId).map(({ id, profileId: pid, ...rest }) => ({ ...rest, id: id as RecordId, ...(pid ? { profileId: pid as ProfileId } : {}) }))
  }

  /** The record rendered (redacted, IPs masked per settings). */
  toRecordText(recordId: string, format: 'markdown' | 'html'): string {
    const r = this.ctx.journal.records.read(recordId)
    const redact = r.profileId ? this.ctx.redactorFor(r.profileId) : this.ctx.redactAll()
    return this.ctx.journal.records.toText(recordId, format, { redact, maskPublicIps: this.ctx.settings.get().maskPublicIps })
  }

  async exportRecord(recordId: string, format: 'markdown' | 'html'): Promise<SaveOutcome> {
    const text = this.toRecordText(recordId, format)
    const ext = format === 'html' ? 'html' : 'md'
    const path = await this.ctx.env.chooseSavePath({ title: 'Export change record', defaultName: `change-record-${recordId}.${ext}`, filters: [{ name: format === 'html' ? 'HTML' : 'Markdown', extensions: [ext] }] })
    if (!path) return { saved: false }
    writeFileSync(path, text, { mode: 0o644 })
    return { saved: true, path }
  }

  listActivity(limit?: number): ActivityEntry[] {
    return this.ctx.journal.activity.list(limit)
  }

  /** The diagnostics bundle text for a profile (or the app alone). */
  async toDiagnosticsText(profileId?: string): Promise<string> {
    const errors: string[] = []
    const p = profileId ? this.ctx.profiles.get(profileId) : undefined
    const g = profileId && this.gateway.has(profileId) ? this.gateway.get(profileId) : undefined
    let rendered: RenderedConfig | undefined
    let lint: readonly LintFinding[] | undefined
    let daemonLog: string | undefined
    if (p) {
      try {
        lint = this.details.lint(p.details, p.id).findings
        const kind = g?.facts?.stack.kind !== undefined && g.facts.stack.kind !== 'none' ? g.facts.stack.kind : p.details.gateway.kind
        if (kind) {
          // Routing "auto" from the gateway's kernel when connected; otherwise assumed, and the notes say so.
          rendered = renderConfig({ details: toProfileDetails(p.details), sources: toProfileSecretSources(this.ctx.psks(p.id)) }, { kind, templatesDir: this.ctx.templatesDir, ...(g?.facts ? { facts: g.facts } : {}) }).rendered
        }
      } catch (err) {
        errors.push(`render: ${err instanceof Error ? err.message : String(err)}`)
      }
      if (g) {
        try {
          daemonLog = await readDaemonLog(g)
        } catch (err) {
          errors.push(`daemon log: ${err instanceof Error ? err.message : String(err)}`)
        }
      }
    }
    const status = this.status.lastSnapshot(profileId)
    const secrets: (Secret | string)[] = p ? this.ctx.profileSecrets(p.id) : []
    const info = getAppInfo()
    const settings = this.ctx.settings.get()
    return toDiagnosticsBundle(
      {
        generatedAt: new Date().toISOString(),
        versions: { app: info.version, detailsFormat: info.detailsFormat, ...process.versions, ...(this.ctx.env.versions ?? {}), platform: `${process.platform} ${process.arch}` },
        settings,
        ...(p ? { profile: { id: p.id, name: p.name, details: p.details, connection: p.connection, ...(p.request ? { request: p.request } : {}), hasSecret: this.ctx.secrets.slots(p.id) } } : {}),
        ...(g?.facts ? { facts: g.facts } : {}),
        ...(lint ? { lintFindings: lint } : {}),
        ...(g?.lastCheck ? { checkFindings: g.lastCheck } : {}),
        ...(status ? { status } : {}),
        ...(daemonLog !== undefined ? { daemonLog } : {}),
        ...(rendered ? { rendered: rendered.files } : {}),
        activity: this.ctx.journal.activity.list(100).filter((e) => profileId === undefined || e.profileId === profileId),
        errors,
      },
      {
        secrets,
        maskPublicIps: settings.maskPublicIps,
        publicIps: p ? [p.details.gateway.publicIp, ...p.details.remote.tunnels.map((t) => t.outsideIp)].filter((x): x is string => !!x) : [],
      },
    )
  }

  async exportDiagnostics(profileId?: string): Promise<SaveOutcome> {
    const text = await this.toDiagnosticsText(profileId)
    const path = await this.ctx.env.chooseSavePath({ title: 'Save diagnostics bundle', defaultName: `tunnelwright-diagnostics-${new Date().toISOString().slice(0, 10)}.json`, filters: [{ name: 'JSON', extensions: ['json'] }] })
    if (!path) return { saved: false }
    writePrivateFile(path, text)
    return { saved: true, path }
  }
}
