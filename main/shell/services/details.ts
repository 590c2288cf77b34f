// Details in the app: import (PSKs held here until a profile adopts them), lint of a draft, render preview,
// the provider request. Thin callers of the core's door.
import { randomBytes } from 'node:crypto'
import type { DetailsImport, ImportFormat, ImportId, LintFinding, LintReport, RenderPreview, RoutingMode } from '../../../preload/api'
import { buildProviderRequest, importDetailsText, lintDraft, previewDraft, UserError, type DeviceKind, type GatewayFacts, type LintFinding as CoreLintFinding, type ProfileDetails, type ProviderRequest, type ProviderRequestInput } from '../../core'
import type { ShellContext } from './context'

interface PendingImport {
  readonly psks: { readonly psk1?: string; readonly psk2?: string }
  readonly at: number
}

const IMPORT_TTL_MS = 30 * 60_000

function toLintFindings(fs: readonly CoreLintFinding[]): LintFinding[] {
  return fs.map((f) => ({ id: f.id, severity: f.severity, path: f.path, message: f.message, why: f.why, fix: f.fix }))
}

/** The details domain of the app. */
export class DetailsService {
  readonly #imports = new Map<string, PendingImport>()

  constructor(
    private readonly ctx: ShellContext,
    /** The facts of a profile's open gateway, when one is open (for routing "auto" in previews). */
    private readonly factsOf: (profileId: string) => GatewayFacts | undefined,
  ) {
    ctx.addSecretProvider(() => [...this.#imports.values()].flatMap((i) => [i.psks.psk1, i.psks.psk2].filter((x): x is string => x !== undefined)))
  }

  /** Imports a details JSON or an AWS export: the PSKs stay here under an import id. */
  importDetails(text: string, format: ImportFormat): DetailsImport {
    const imp = importDetailsText(text, format)
    this.#prune()
    const importId = imp.psks.psk1 || imp.psks.psk2 ? `imp-${randomBytes(8).toString('hex')}` : undefined
    if (importId) this.#imports.set(importId, { psks: imp.psks, at: Date.now() })
    const findings = toLintFindings(lintDraft(imp.draft, imp.psks).findings)
    return {
      draft: imp.draft as DetailsImport['draft'],
      needs: imp.needs,
      notes: imp.notes,
      findings,
      ...(importId ? { importId: importId as ImportId } : {}),
      secretsFound: { psk1: imp.psks.psk1 !== undefined, psk2: imp.psks.psk2 !== undefined },
    }
  }

  /** Takes the PSKs of an import for a profile to adopt (once); refuses an expired or used import. */
  takeImport(importId: string): { readonly psk1?: string; readonly psk2?: string } {
    this.#prune()
    const pending = this.#imports.get(importId)
    if (!pending) throw new UserError('import-expired', 'The imported PSKs are no longer held (the import is older than 30 minutes or was already saved).', { fix: 'Import the file again, or enter the PSKs in the profile.' })
    this.#imports.delete(importId)
    return pending.psks
  }

  #prune(): void {
    const now = Date.now()
    for (const [id, i] of this.#imports) if (now - i.at > IMPORT_TTL_MS) this.#imports.delete(id)
  }

  /** Lints a draft; PSK rules use the profile's stored PSKs when a profile is given. */
  lint(draft: ProfileDetails, profileId?: string, device?: DeviceKind): LintReport {
    const report = lintDraft(draft, profileId ? this.ctx.psks(profileId) : {}, device)
    const findings = toLintFindings(report.findings)
    // Without a profile there are no PSKs to check: drop the findings that only say "PSK missing".
    return { complete: report.complete, findings: profileId ? findings : findings.filter((f) => !/\/psk$/.test(f.path)) }
  }

  /** Renders with placeholder PSKs (secret files withheld); routing "auto" from the profile's open gateway when there is one, else marked assumed. */
  previewRender(draft: ProfileDetails, device: DeviceKind, version?: string, routing?: RoutingMode, profileId?: string): RenderPreview {
    const facts = profileId ? this.factsOf(profileId) : undefined
    return previewDraft(draft, { kind: device, templatesDir: this.ctx.templatesDir, ...(version ? { version } : {}), ...(routing ? { routing } : {}), ...(facts ? { facts } : {}) })
  }

  /** The provider request text with findings (offline). */
  buildProviderRequest(input: ProviderRequestInput): ProviderRequest {
    return buildProviderRequest(input)
  }
}
