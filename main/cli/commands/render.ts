// `tunnelwright render`: details → the gateway's config files, written under --out (or shown, PSKs redacted).
import { chmodSync, existsSync, lstatSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve, sep } from 'node:path'
import { hasErrors, lintDetails, type Finding } from '../../core/details/lint'
import { loadDetailsFile, toDetailsSecretSources } from '../../core/details/load'
import { DeviceKind, type Details } from '../../core/details/model'
import { toRenderInput, type RenderInput, type RoutingMode } from '../../core/details/resolve'
import { escapePhpB64, escapePsk0s } from '../../core/render/escape'
import { renderDevice, type RenderedConfig, type RenderKind } from '../../core/render/index'
import { UserError } from '../../core/base/result'
import { EXIT, parseOptions, UsageError, writeJson, type Command } from '../cli-io'

const REDACTED = '[redacted: write the real file with --out DIR]'

/** `tunnelwright render --details FILE --device KIND [--out DIR] [--routing route|policy] [--device-version V] [--layout debian|rhel] [--json]`. */
export const run: Command = async (args, io) => {
  const opts = parseOptions(args, {
    details: { type: 'string' },
    device: { type: 'string' },
    out: { type: 'string' },
    routing: { type: 'string' },
    'device-version': { type: 'string' },
    layout: { type: 'string' },
    json: { type: 'boolean', default: false },
  })
  if (opts.details === undefined) throw new UsageError('--details FILE is required')
  const kindParsed = DeviceKind.safeParse(opts.device)
  if (opts.device === undefined || !kindParsed.success) throw new UsageError(`--device KIND is required: one of ${DeviceKind.options.join(', ')}`)
  const kind: RenderKind = kindParsed.data
  if (opts.routing !== undefined && opts.routing !== 'route' && opts.routing !== 'policy') throw new UsageError('--routing must be route or policy')
  if (opts.layout !== undefined && opts.layout !== 'debian' && opts.layout !== 'rhel') throw new UsageError('--layout must be debian or rhel')

  let details: Details
  try {
    details = loadDetailsFile(opts.details).details
  } catch (err) {
    if (!(err instanceof UserError)) throw err
    if (opts.json) writeJson(io, 'render', { ok: false, error: { code: err.code, message: err.message, ...(err.fix ? { fix: err.fix } : {}) } })
    io.stderr(`tunnelwright render: ${err.message}\n${err.fix ? `Fix: ${err.fix}\n` : ''}`)
    return EXIT.usage
  }
  const sources = toDetailsSecretSources(opts.details, io.env)
  const version = opts['device-version']
  const findings = lintDetails(details, { sources, device: { kind, ...(version === undefined ? {} : { version }) } })
  if (hasErrors(findings)) {
    const errors = findings.filter((f) => f.severity === 'error')
    if (opts.json) writeJson(io, 'render', { ok: false, error: { code: 'lint-errors', message: 'The details have lint errors; nothing was rendered.' }, findings: errors })
    io.stderr(`tunnelwright render: the details have ${errors.length} lint error${errors.length === 1 ? '' : 's'}; nothing was rendered.\n${errors.map(toFindingLine).join('')}Run 'tunnelwright lint --details ${opts.details}' for the details.\n`)
    return EXIT.failed
  }

  const routing = toRouting(opts.routing, details.routing, kind)
  const input = toRenderInput(details, { routing, sources })
  const rendered = renderDevice(input, kind, { ...(version === undefined ? {} : { version }), ...(opts.layout === undefined ? {} : { layout: opts.layout as 'debian' | 'rhel' }) })
  const written = opts.out === undefined ? undefined : writeUnder(opts.out, rendered)

  if (opts.json) {
    writeJson(io, 'render', {
      ok: true,
      kind: rendered.kind,
      version: rendered.version,
      routing: rendered.routing,
      connectionNames: rendered.connectionNames,
      files: rendered.files.map((f, i) => ({ path: f.path, mode: `0${f.mode.toString(8)}`, secret: f.secret, role: f.role, ...(written ? { writtenTo: written[i] } : {}), ...(f.secret ? {} : { content: f.content }) })),
      notes: rendered.notes,
      warnings: findings.filter((f) => f.severity === 'warning').map((f) => ({ id: f.id, path: f.path, message: f.message })),
    })
    return EXIT.ok
  }
  for (const w of findings.filter((f) => f.severity === 'warning')) io.stderr(`warning ${toFindingLine(w)}`)
  if (written) {
    rendered.files.forEach((f, i) => io.stdout(`wrote ${written[i]} (mode 0${f.mode.toString(8)}${f.secret ? ', holds PSKs' : ''}): ${f.role}\n`))
  } else {
    for (const f of rendered.files) io.stdout(`### ${f.path} (mode 0${f.mode.toString(8)})\n${f.secret ? redact(f.content, input) : f.content}\n`)
  }
  for (const n of rendered.notes) io.stderr(`note: ${n}\n`)
  return EXIT.ok
}

function toFindingLine(f: Finding): string {
  return `  ${f.path || '(file)'} [${f.id}] ${f.message}\n`
}

/** The mode to render: --routing, else the details', else route-based where the kind supports it well. */
function toRouting(flag: string | undefined, fromDetails: Details['routing'], kind: RenderKind): RoutingMode {
  if (flag === 'route' || flag === 'policy') return flag
  if (fromDetails !== 'auto') return fromDetails
  // Without a gateway to probe, assume XFRM/VTI on Linux; Openswan has none, pfSense VTI needs manual steps.
  return kind === 'openswan' || kind === 'pfsense' ? 'policy' : 'route'
}

/** Replaces every encoding of the PSKs that a renderer writes (0s base64, PHP base64 literal) with a marker. */
function redact(content: string, input: RenderInput): string {
  let out = content
  for (const t of input.tunnels) {
    out = out.split(escapePsk0s(t.psk)).join(REDACTED).split(escapePhpB64(t.psk)).join(`'${REDACTED}'`)
  }
  return out
}

/** Writes each file at <out>/<gateway path>, secrets 0600; refuses paths that leave <out> or go through a symlink. */
function writeUnder(outDir: string, rendered: RenderedConfig): string[] {
  mkdirSync(outDir, { recursive: true })
  const root = realpathSync(outDir)
  return rendered.files.map((f) => {
    const target = resolve(root, `.${f.path}`)
    if (!target.startsWith(root + sep)) throw new UserError('render-out-escape', `Refusing to write ${f.path} outside ${outDir}.`, { fix: 'This is a bug in the renderer: report it.' })
    // A symlink anywhere below --out could redirect the write elsewhere (e.g. a PSK into a public folder):
    // checked before creating folders (mkdir would follow it) and again before writing.
    assertNoSymlinkBelow(root, target)
    mkdirSync(dirname(target), { recursive: true })
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
