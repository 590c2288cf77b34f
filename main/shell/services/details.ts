// Details in the app: import (PSKs held here until a profile adopts them), lint of a draft, render preview,
// the provider request. Thin callers of the core's door.
import { randomBytes } from 'node:crypto'
import type { DetailsImport, ImportFormat, ImportId, LintFinding, LintReport, ReviewPreview, RoutingMode, VendorPreviewDto } from '../../../preload/api'
import { buildProviderRequest, importDetailsText, lintDraft, lintPartialDraft, listAwsConnections, previewDraftForReview, previewVendorDraft, UserError, type AwsConnectionSummary, type AwsExportFormat, type VendorKind, type DeviceKind, type GatewayFacts, type LintFinding as CoreLintFinding, type LooseDraft, type ProfileDetails, type ProviderRequest, type ProviderRequestInput } from '../../core'
import type { ShellContext } from './context'

interface PendingImport {
  readonly psks: { readonly psk1?: string; readonly psk2?: string }
  readonly at: number
}

const IMPORT_TTL_MS = 30 * 60_000

/** Where a details-file problem is, in the words of the Details form (schema pointers never reach the screen). */
const FIELD_WORDS: readonly [RegExp, string][] = [
  [/^\/format/, 'the format tag (the first line of a Tunnelwright details file)'],
  [/^\/name/, 'the connection name'],
  [/^\/provider/, 'the provider'],
  [/^\/gateway\/publicIp/, "the gateway's public IP"],
  [/^\/gateway\/privateCidrs/, 'the private networks'],
  [/^\/gateway/, 'the gateway section'],
  [/^\/remote\/dedicatedCidrs/, 'the dedicated subnet CIDRs'],
  [/^\/remote\/egressIps/, 'the egress IPs'],
  [/^\/remote\/tunnels\/(\d)\/outsideIp/, "tunnel $n's outside IP"],
  [/^\/remote\/tunnels\/(\d)\/insideCidr/, "tunnel $n's inside CIDR"],
  [/^\/remote\/tunnels\/(\d)\/psk/, "tunnel $n's pre-shared key"],
  [/^\/remote\/tunnels/, 'the tunnels (AWS always gives two)'],
  [/^\/remote/, 'the provider section'],
  [/^\/crypto/, 'the encryption settings'],
  [/^\/routing/, 'the routing mode'],
  [/^\/health/, 'the health-check target'],
]

function toFieldWords(pointer: string): string {
  for (const [re, words] of FIELD_WORDS) {
    const m = re.exec(pointer)
    if (m) return words.replace('$n', String(Number(m[1] ?? 0) + 1))
  }
  return 'a field Tunnelwright does not know'
}

/** An import failure in words: what is wrong with the file, never a schema dump or a source-tree path. */
function toImportError(err: unknown, format: ImportFormat | AwsExportFormat): unknown {
  if (!(err instanceof UserError)) return err
  if (err.code === 'details-schema') {
    const where = [...new Set([...err.message.matchAll(/^\s+(\/\S*):/gm)].map((m) => toFieldWords(m[1]!)))]
    const shown = where.slice(0, 4).join(', ') + (where.length > 4 ? ` and ${where.length - 4} more` : '')
    return new UserError('details-schema', `This is not a Tunnelwright details file it can use: ${where.length === 1 ? 'one part is' : `${where.length} parts are`} missing or wrong (${shown}).`, {
      fix: "Import AWS's configuration file (XML or the generic text download) instead, or type the values into the form; a details file exported by Tunnelwright or its command line tool imports as is.",
    })
  }
  // The app picks a connection from a list (listAwsConnections), not with the CLI's --connection.
  if (err.code === 'aws-json-choose') return new UserError(err.code, err.message, { fix: 'Choose the connection to import from the list.' })
  const what =
    format === 'aws-xml'
      ? "AWS's configuration XML"
      : format === 'aws-text'
        ? "AWS's generic text download"
        : format === 'aws-json'
          ? "the JSON of 'aws ec2 describe-vpn-connections'"
          : format === 'aws-export'
            ? 'a file AWS hands out for a VPN connection (XML, describe-vpn-connections JSON, Generic text or a device template)'
            : 'a Tunnelwright details file'
  return new UserError(err.code, err.message, { fix: err.fix ?? `Check that this is ${what}.` })
}

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

  /**
   * Imports a details JSON or an AWS export (any shape AWS hands out: XML, describe-vpn-connections JSON,
   * Generic text, a device template; 'aws-export' recognises it): the PSKs stay here under an import id; a file
   * it cannot read is told in words. A JSON export listing several connections needs `connection` (an id or a
   * 1-based position); without it the import fails with code aws-json-choose and listAwsConnections gives the
   * list to ask from.
   */
  importDetails(text: string, format: ImportFormat | AwsExportFormat, connection?: string): DetailsImport {
    let imp
    try {
      imp = importDetailsText(text, format, connection === undefined ? {} : { connection })
    } catch (err) {
      throw toImportError(err, format)
    }
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

  /** The VPN connections a JSON export lists, for the user to pick one; XML and text exports describe one and give []. */
  listAwsConnections(text: string): readonly AwsConnectionSummary[] {
    return listAwsConnections(text)
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

  /** Lints a draft however unfinished; PSK rules use the profile's stored PSKs when a profile is given. */
  lint(draft: LooseDraft, profileId?: string, device?: DeviceKind): LintReport {
    const report = lintPartialDraft(draft, profileId ? this.ctx.psks(profileId) : {}, device)
    const findings = toLintFindings(report.findings)
    // Without a profile there are no PSKs to check: drop the findings that only say "PSK missing".
    return { complete: report.complete, findings: profileId ? findings : findings.filter((f) => !/\/psk$/.test(f.path)) }
  }

  /** Renders with placeholder PSKs, every file shown with the keys cut, plus the plain summary; routing "auto" from the profile's open gateway when there is one, else marked assumed. */
  previewRender(draft: ProfileDetails, device: DeviceKind, version?: string, routing?: RoutingMode, profileId?: string): ReviewPreview {
    const facts = profileId ? this.factsOf(profileId) : undefined
    return previewDraftForReview(draft, { kind: device, templatesDir: this.ctx.templatesDir, ...(version ? { version } : {}), ...(routing ? { routing } : {}), ...(facts ? { facts } : {}) })
  }

  /** A vendor device's configuration with the steps in order, rendered with placeholder PSKs that are cut. */
  previewVendor(draft: ProfileDetails, device: VendorKind, routing?: RoutingMode): VendorPreviewDto {
    return previewVendorDraft(draft, { kind: device, templatesDir: this.ctx.templatesDir, ...(routing ? { routing } : {}) })
  }

  /** The provider request text with findings (offline). */
  buildProviderRequest(input: ProviderRequestInput): ProviderRequest {
    return buildProviderRequest(input)
  }
}
