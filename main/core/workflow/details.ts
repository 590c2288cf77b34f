// Details in and configs out, for both faces: read a details file, lint it, import what AWS hands out,
// lint a profile's unfinished draft, and render a device's configuration (to show, or into a folder).
import { chmodSync, existsSync, lstatSync, mkdirSync, realpathSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve, sep } from 'node:path'
import { InputError, UserError } from '../base/result'
import { REDACTED, toRedactor } from '../base/redact'
import type { DeviceKind, RoutingMode } from '../base/vocabulary'
import { toDraftWithoutPsks, toProfileDetails, toProfileSecretSources, type ProfileDetails } from '../app-data/profiles'
import { DetailsDraft, detectAwsShape, fillDraft, importAwsExportText, parseAwsJsonDocument, readAwsExportFile, toNeeds, type AwsConnectionSummary, type AwsImport, type NeededField } from '../details/aws-import'
import { lintDetails, type DeviceFacts, type Finding } from '../details/lint'
import { lintAwsSide } from '../details/lint-aws'
import { loadDetailsFile, parseDetailsText, toDetailsSecretSources } from '../details/load'
import { toRenderInput } from '../details/resolve'
import { escapePhpB64, escapePsk0s } from '../render/escape'
import { toFrrSectionFile } from '../render/frr'
import type { GatewayFacts } from '../gateway/detect'
import { decideRouting, type RoutingDecision } from '../gateway/routing'
import { renderDevice, type FileLayout, type RenderedConfig } from '../render'
import type { DetailsInput } from './context'

/** A details file read and parsed, its PSK references bound to its folder and the environment, with file-level findings (permissions). */
export interface LoadedDetailsInput extends DetailsInput {
  readonly findings: readonly Finding[]
}

/** Reads a details file; a file that cannot be read or parsed is the user's input to fix (InputError, nothing done). */
export function loadDetails(path: string, env: Readonly<Record<string, string | undefined>>): LoadedDetailsInput {
  try {
    const loaded = loadDetailsFile(path)
    return { details: loaded.details, findings: loaded.findings, sources: toDetailsSecretSources(path, env) }
  } catch (err) {
    if (err instanceof UserError && !(err instanceof InputError)) throw new InputError(err.code, err.message, { cause: err, ...(err.fix ? { fix: err.fix } : {}), ...(err.likelyCause ? { likelyCause: err.likelyCause } : {}) })
    throw err
  }
}

/** Every finding for these details: the file's own (permissions) and lint's, for a device when named. */
export function lintDetailsInput(input: DetailsInput & { readonly findings?: readonly Finding[] }, device?: DeviceFacts): Finding[] {
  return [...(input.findings ?? []), ...lintDetails(input.details, { sources: input.sources, ...(device ? { device } : {}) })]
}

// ------------------------------------------------------------------------------------------------
// Import

/**
 * What AWS hands out, in the shapes the import reads: the CustomerGatewayConfiguration XML, describe-vpn-
 * connections JSON, a text download (Generic or a device template), or `aws-export`: recognised from the content.
 */
export type AwsExportFormat = 'aws-xml' | 'aws-text' | 'aws-json' | 'aws-export'

/** Which connection of a JSON export to import: its id (vpn-…) or its 1-based position. */
export interface AwsImportOptions {
  readonly connection?: string
}

const SHAPES = { 'aws-xml': 'xml', 'aws-text': 'text', 'aws-json': 'json', 'aws-export': 'export' } as const

/**
 * Imports AWS's export (its text): a draft with the PSKs, what is still missing, notes. A JSON export that
 * lists several connections needs `connection`; without it an AwsConnectionChoiceError (an InputError)
 * carries the list (listAwsConnections gives the same list up front).
 */
export function importAwsExport(text: string, format: AwsExportFormat, opts: AwsImportOptions = {}): AwsImport {
  if (opts.connection !== undefined && format !== 'aws-json' && (format !== 'aws-export' || detectAwsShape(text) !== 'json')) {
    throw new InputError('aws-export-connection', 'Only a JSON export (describe-vpn-connections) lists several connections to choose from; this file describes one.', { fix: 'Leave out the connection choice (CLI: --connection).' })
  }
  return importAwsExportText(text, SHAPES[format], opts.connection)
}

/** The VPN connections a JSON export lists, for the user to pick one; XML and text exports describe one connection and give []. */
export function listAwsConnections(text: string): AwsConnectionSummary[] {
  return detectAwsShape(text) === 'json' ? [...parseAwsJsonDocument(text).summaries] : []
}

/** Reads and imports AWS's export from a file, filling in what the export cannot know (CLI: --public-ip, --private-cidr, --dedicated-cidr). */
export function importAwsExportFile(path: string, format: AwsExportFormat, fill: { readonly publicIp?: string; readonly privateCidrs?: readonly string[]; readonly dedicatedCidrs?: readonly string[] } = {}, opts: AwsImportOptions = {}): AwsImport {
  try {
    const imported = importAwsExport(readAwsExportFile(path), format, opts)
    const draft = fillDraft(imported.draft, fill)
    return { ...imported, draft, needs: toNeeds(draft) }
  } catch (err) {
    if (err instanceof UserError && !(err instanceof InputError)) throw new InputError(err.code, err.message, { cause: err, ...(err.fix ? { fix: err.fix } : {}) })
    throw err
  }
}

/** What the app's import step gets: a PSK-free draft, what is missing, notes, and the PSKs found (kept by the caller as secrets). */
export interface ImportedDraft {
  readonly draft: ProfileDetails
  readonly needs: readonly NeededField[]
  readonly notes: readonly string[]
  readonly psks: { readonly psk1?: string; readonly psk2?: string }
}

/** True when a JSON text is not a details document but what AWS hands out (a VpnConnection(s) document). */
function isAwsJson(text: string): boolean {
  try {
    const raw: unknown = JSON.parse(text.replace(/^\uFEFF/, ''))
    const o = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : undefined
    return (o !== undefined && o['format'] === undefined && ('VpnConnections' in o || 'VpnConnection' in o || 'VpnConnectionId' in o)) || (Array.isArray(raw) && raw.some((x) => typeof x === 'object' && x !== null && 'VpnConnectionId' in x))
  } catch {
    // Not JSON at all: an AWS export with # comment lines (describe-vpn-connections saved by a tool) is still AWS's.
    return /"VpnConnections?"\s*:/.test(text) && /^\s*(#|\/\/)/m.test(text)
  }
}

/**
 * Imports a details JSON or an AWS export into a profile draft; the PSKs come back apart from the draft.
 * A "details-json" that is AWS's JSON (describe-vpn-connections) is imported as that. `connection` picks one
 * connection of a JSON export that lists several (see importAwsExport).
 */
export function importDetailsText(text: string, format: 'details-json' | AwsExportFormat, opts: AwsImportOptions = {}): ImportedDraft {
  let imp: Pick<AwsImport, 'draft' | 'needs' | 'notes'>
  let psks: (string | undefined)[]
  if (format !== 'details-json' || isAwsJson(text)) {
    imp = importAwsExport(text, format === 'details-json' ? 'aws-json' : format, opts)
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

  return { draft: toDraftWithoutPsks(imp.draft), needs: imp.needs, notes: imp.notes, psks: { ...(psk1 ? { psk1 } : {}), ...(psk2 ? { psk2 } : {}) } }
}

function toAwsSideFindings(draft: ProfileDetails): Finding[] {
  const out: Finding[] = []
  lintAwsSide(draft, out)
  return out
}

/** Lint of a profile's draft: what is missing, then lint's findings once nothing is; `complete` when it can render. */
export function lintDraft(draft: ProfileDetails, psks: { readonly psk1?: string; readonly psk2?: string }, device?: DeviceKind): { findings: Finding[]; complete: boolean } {
  const needs = toNeeds({ ...draft, format: 'tunnelwright/details@1', remote: { ...draft.remote, tunnels: draft.remote.tunnels.map((t) => ({ ...t, psk: 'x' })) } } as never)
  const missing: Finding[] = needs.map((n) => ({ id: 'details-missing', severity: 'error', path: n.path, message: `Missing: ${n.what}.`, why: 'The VPN cannot be configured without it.', fix: `Fill in ${n.what}.` }))
  let details
  try {
    details = toProfileDetails(draft)
  } catch (err) {
    // Still incomplete: what the export says about the AWS side (BGP, tunnel options) is worth knowing already.
    if (missing.length) return { findings: [...missing, ...toAwsSideFindings(draft)], complete: false }
    throw err
  }
  const findings = lintDetails(details, { sources: toProfileSecretSources(psks), ...(device ? { device: { kind: device } } : {}) })
  return { findings: [...missing, ...findings], complete: missing.length === 0 }
}

// ------------------------------------------------------------------------------------------------
// Render

/** A device's configuration rendered from details, with why it uses the routing mode it does. */
export interface RenderResult {
  readonly rendered: RenderedConfig
  readonly routing: RoutingDecision
  /** Cuts every PSK, in every encoding the renderers write (0s base64, PHP base64 literal), out of a text: for showing secret files. */
  readonly cutPsks: (text: string) => string
}

/** Marks a PSK cut out of a shown file. */
export const PSK_CUT = '[redacted: the pre-shared key]'

/**
 * Renders the configuration a device would get (changes nothing anywhere). Routing "auto" is decided from the
 * gateway's facts when the face has them; without them the decision is marked assumed and says so in a note.
 */
export function renderConfig(
  input: DetailsInput,
  opts: { readonly kind: DeviceKind; readonly version?: string; readonly routing?: RoutingMode; readonly facts?: GatewayFacts; readonly layout?: FileLayout; readonly templatesDir?: string },
): RenderResult {
  const routing = decideRouting(input.details.routing, { ...(opts.routing ? { override: opts.routing } : {}), ...(opts.facts ? { facts: opts.facts } : {}), kind: opts.kind })
  const version = opts.version ?? (opts.facts && opts.facts.stack.kind === opts.kind && opts.facts.stack.version ? opts.facts.stack.version : undefined)
  const layout = opts.layout ?? opts.facts?.layout
  const renderInput = toRenderInput(input.details, { routing: routing.mode, sources: input.sources })
  const device = renderDevice(renderInput, opts.kind, {
    ...(version ? { version } : {}),
    ...(layout ? { layout } : {}),
    ...(opts.templatesDir ? { templatesDir: opts.templatesDir } : {}),
  })
  // A BGP VPN on a Linux stack: apply merges this section into the gateway's own frr.conf (prepareChange reads
  // the file first); offline there is no file to merge into, so the section is shown alone, with where it goes.
  const frr = opts.kind === 'pfsense' ? undefined : toFrrSectionFile(renderInput)
  const rendered = frr ? { ...device, files: [...device.files, frr.file], notes: [...device.notes, frr.note] } : device
  const cutPsks = (text: string) => {
    let out = text
    for (const t of renderInput.tunnels) out = out.split(escapePsk0s(t.psk)).join(PSK_CUT).split(escapePhpB64(t.psk)).join(`'${PSK_CUT}'`)
    return out
  }
  return { rendered: routing.note ? { ...rendered, notes: [routing.note, ...rendered.notes] } : rendered, routing, cutPsks }
}

/** Placeholder PSKs a preview renders with, so no real key is ever in a preview's memory. */
const PREVIEW_PSKS = ['TunnelwrightPreviewPsk1', 'TunnelwrightPreviewPsk2'] as const

/** A file as a preview shows it: secret files carry a sentence instead of their content. */
export interface PreviewFile {
  readonly path: string
  readonly mode: number
  readonly role: string
  readonly secret: boolean
  readonly content: string
}

/** A rendered configuration safe to show (no secret anywhere), for a profile draft. */
export interface RenderPreview {
  readonly kind: DeviceKind
  readonly version: string
  readonly routing: RoutingMode
  readonly routingBasis: RoutingDecision['basis']
  readonly files: readonly PreviewFile[]
  readonly connectionNames: readonly [string, string]
  readonly notes: readonly string[]
}

/** Renders a profile draft with placeholder PSKs for showing; routing from the gateway's facts when given. */
export function previewDraft(draft: ProfileDetails, opts: { readonly kind: DeviceKind; readonly version?: string; readonly routing?: RoutingMode; readonly facts?: GatewayFacts; readonly templatesDir?: string }): RenderPreview {
  const details = toProfileDetails(draft)
  const { rendered, routing } = renderConfig({ details, sources: toProfileSecretSources({ psk1: PREVIEW_PSKS[0], psk2: PREVIEW_PSKS[1] }) }, opts)
  const cut = toRedactor([...PREVIEW_PSKS])
  const files = rendered.files.map((f) => ({ path: f.path, mode: f.mode, role: f.role, secret: f.secret, content: f.secret ? `${REDACTED}: this file holds the pre-shared keys; they are written to the gateway only, never shown.` : cut(f.content) }))
  const php = rendered.phpScript ? [{ path: '(pfSense PHP script, run on the box)', mode: 0o600, role: 'configures IPsec through pfSense config (holds the PSKs)', secret: true, content: `${REDACTED}: holds the pre-shared keys.` }] : []
  return { kind: rendered.kind, version: rendered.version, routing: rendered.routing, routingBasis: routing.basis, files: [...files, ...php], connectionNames: rendered.connectionNames, notes: rendered.notes.map(cut) }
}

/**
 * Creates a folder and its missing parents one level at a time. Node's recursive mkdir loops forever where
 * mkdir says ENOENT under a parent that exists (/proc/self/x): here every level is tried once and a
 * failure is an error naming the folder.
 */
function makeFolder(dir: string): void {
  const abs = resolve(dir)
  const parts = abs.split(sep).filter(Boolean)
  let cur = abs.startsWith(sep) ? sep : ''
  for (const part of parts) {
    cur = join(cur, part)
    let st
    try {
      st = statSync(cur)
    } catch {
      st = undefined
    }
    if (st?.isDirectory()) continue
    if (st) throw new InputError('render-out', `${cur} is not a folder.`, { fix: 'Choose an empty folder for --out.' })
    try {
      mkdirSync(cur)
    } catch (err) {
      throw new InputError('render-out', `Cannot create the folder ${cur} (${(err as NodeJS.ErrnoException).code ?? 'error'}).`, { cause: err, fix: 'Choose a folder this user may create and write.' })
    }
  }
}

/** Writes each file at <out>/<gateway path>, secrets 0600; refuses paths that leave <out> or go through a symlink. */
export function writeRenderedFiles(outDir: string, rendered: RenderedConfig): string[] {
  makeFolder(outDir)
  const root = realpathSync(outDir)
  return rendered.files.map((f) => {
    const target = resolve(root, `.${f.path}`)
    if (!target.startsWith(root + sep)) throw new UserError('render-out-escape', `Refusing to write ${f.path} outside ${outDir}.`, { fix: 'This is a bug in the renderer: report it.' })
    // A symlink anywhere below --out could redirect the write elsewhere (e.g. a PSK into a public folder):
    // checked before creating folders (mkdir would follow it) and again before writing.
    assertNoSymlinkBelow(root, target)
    makeFolder(dirname(target))
    assertNoSymlinkBelow(root, target)
    // Tighten an existing file before new content (a PSK) goes in; a new file is created with the mode.
    if (existsSync(target)) chmodSync(target, f.mode)
    writeFileSync(target, f.content, { mode: f.mode })
    chmodSync(target, f.mode)
    return join(outDir, f.path)
  })
}

function isSymlink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink()
  } catch {
    return false
  }
}

function assertNoSymlinkBelow(root: string, target: string): void {
  for (let p = target; p !== root && p.startsWith(root + sep); p = dirname(p)) {
    if (isSymlink(p)) throw new UserError('render-out-symlink', `Refusing to write through the symbolic link ${p}.`, { fix: 'Remove the link or choose an empty --out folder.' })
  }
}
