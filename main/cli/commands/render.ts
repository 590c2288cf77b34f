// `tunnelwright render`: details → the gateway's config files, written under --out (or shown, PSKs cut).
import { DeviceKind, hasErrors, isVendorKind, lintDetailsInput, loadDetails, RenderKind, renderConfig, renderVendorConfig, writeRenderedFiles, writeVendorFiles, type FileLayout, type LintFinding, type LoadedDetailsInput, type RoutingMode, type VendorKind } from '../../core'
import { EXIT, parseOptions, UsageError, writeJson, type Command, type CliIo } from '../cli-io'

const usage = `Usage: tunnelwright render --details FILE --device KIND [--out DIR] [--routing route|policy]
                          [--device-version V] [--layout debian|rhel] [--wan NAME] [--lan NAME] [--json]

Renders the configuration files a device would get. Without --out the files are shown with the pre-shared
keys cut out; with --out DIR each is written at DIR/<its path on the gateway> (files holding keys 0600).
Routing "auto" needs a gateway to decide: without --routing it is assumed (and said so in a note).
KIND: ${DeviceKind.options.join(', ')};
render-only (a configuration to paste, with the steps in order as notes): ${RenderKind.options.filter(isVendorKind).join(', ')}.
--wan/--lan name the vendor device's WAN interface and LAN interface or zone (defaults: AWS's template's).`

/** `tunnelwright render`. */
export const render: Command = {
  usage,
  run: async (args, io) => {
    const opts = parseOptions(args, {
      details: { type: 'string' },
      device: { type: 'string' },
      out: { type: 'string' },
      routing: { type: 'string' },
      'device-version': { type: 'string' },
      layout: { type: 'string' },
      wan: { type: 'string' },
      lan: { type: 'string' },
      json: { type: 'boolean', default: false },
    })
    if (opts.details === undefined) throw new UsageError('--details FILE is required')
    const kindParsed = RenderKind.safeParse(opts.device)
    if (opts.device === undefined || !kindParsed.success) throw new UsageError(`--device KIND is required: one of ${RenderKind.options.join(', ')}`)
    const anyKind = kindParsed.data
    if (!isVendorKind(anyKind) && (opts.wan !== undefined || opts.lan !== undefined)) throw new UsageError('--wan and --lan are for the vendor kinds only')
    if (opts.routing !== undefined && opts.routing !== 'route' && opts.routing !== 'policy') throw new UsageError('--routing must be route or policy')
    if (opts.layout !== undefined && opts.layout !== 'debian' && opts.layout !== 'rhel') throw new UsageError('--layout must be debian or rhel')
    const input = loadDetails(opts.details, io.env)
    const version = opts['device-version']
    const findings = lintDetailsInput({ details: input.details, sources: input.sources }, { kind: anyKind, ...(version === undefined ? {} : { version }) })
    if (hasErrors(findings)) {
      const errors = findings.filter((f) => f.severity === 'error')
      if (opts.json) writeJson(io, 'render', { ok: false, error: { code: 'lint-errors', message: 'The details have lint errors; nothing was rendered.' }, findings: errors })
      io.stderr(`tunnelwright render: the details have ${errors.length} lint error${errors.length === 1 ? '' : 's'}; nothing was rendered.\n${errors.map(toFindingLine).join('')}Run 'tunnelwright lint --details ${opts.details}' for the details.\n`)
      return EXIT.failed
    }
    if (isVendorKind(anyKind)) return runVendor(io, input, anyKind, findings, { ...opts, ...(version === undefined ? {} : { version }) })
    const kind = anyKind
    const { rendered, routing, cutPsks } = renderConfig(input, {
      kind,
      ...(version === undefined ? {} : { version }),
      ...(opts.routing === undefined ? {} : { routing: opts.routing as RoutingMode }),
      ...(opts.layout === undefined ? {} : { layout: opts.layout as FileLayout }),
    })
    const written = opts.out === undefined ? undefined : writeRenderedFiles(opts.out, rendered)
    if (opts.json) {
      writeJson(io, 'render', {
        ...toRenderDocument(rendered, routing.basis, findings, written),
        notes: rendered.notes,
      })
      return EXIT.ok
    }
    for (const w of findings.filter((f) => f.severity === 'warning')) io.stderr(`warning ${toFindingLine(w)}`)
    if (written) {
      rendered.files.forEach((f, i) => io.stdout(`wrote ${written[i]} (mode 0${f.mode.toString(8)}${f.secret ? ', holds PSKs' : ''}${f.sectionOf ? `, a section of ${f.sectionOf}` : ''}): ${f.role}\n`))
    } else {
      for (const f of rendered.files) io.stdout(`### ${f.path} (mode 0${f.mode.toString(8)})${f.sectionOf ? ` — a section of ${f.sectionOf}, not a whole file: see the note` : ''}\n${f.secret ? cutPsks(f.content) : f.content}\n`)
    }
    for (const n of rendered.notes) io.stderr(`note: ${n}\n`)
    return EXIT.ok
  },
}

/** The vendor kinds: the same output, plus the steps in order (notes say what to do on the device). */
function runVendor(io: CliIo, input: LoadedDetailsInput, kind: VendorKind, findings: readonly LintFinding[], opts: { out?: string; routing?: string; version?: string; wan?: string; lan?: string; json?: boolean }): number {
  const { rendered, routing, cutPsks } = renderVendorConfig(input, {
    kind,
    ...(opts.version === undefined ? {} : { version: opts.version }),
    ...(opts.routing === undefined ? {} : { routing: opts.routing as RoutingMode }),
    ...(opts.wan === undefined ? {} : { wan: opts.wan }),
    ...(opts.lan === undefined ? {} : { lan: opts.lan }),
  })
  const written = opts.out === undefined ? undefined : writeVendorFiles(opts.out, rendered)
  const steps = rendered.steps.map((s, i) => `step ${i + 1}: ${s}`)
  if (opts.json) {
    writeJson(io, 'render', { ...toRenderDocument(rendered, routing.basis, findings, written), steps: rendered.steps, notes: rendered.notes })
    return EXIT.ok
  }
  for (const w of findings.filter((f) => f.severity === 'warning')) io.stderr(`warning ${toFindingLine(w)}`)
  if (written) {
    rendered.files.forEach((f, i) => io.stdout(`wrote ${written[i]} (mode 0${f.mode.toString(8)}, holds PSKs): ${f.role}\n`))
  } else {
    for (const f of rendered.files) io.stdout(`### ${f.path} (mode 0${f.mode.toString(8)})\n${cutPsks(f.content)}\n`)
  }
  for (const n of [...steps, ...rendered.notes]) io.stderr(`note: ${n}\n`)
  return EXIT.ok
}

/** The part of render's --json document both the Linux stacks and the vendor kinds write; a file that holds PSKs (every vendor file: the keys sit in its commands) is listed without its content. */
function toRenderDocument<F extends { readonly path: string; readonly mode: number; readonly secret: boolean; readonly role: string; readonly content: string; readonly sectionOf?: string }>(
  rendered: { readonly kind: string; readonly version: string; readonly routing: string; readonly connectionNames: readonly string[]; readonly files: readonly F[] },
  routingBasis: string,
  findings: readonly LintFinding[],
  written: readonly string[] | undefined,
): Record<string, unknown> {
  return {
    ok: true,
    kind: rendered.kind,
    version: rendered.version,
    routing: rendered.routing,
    routingBasis,
    connectionNames: rendered.connectionNames,
    files: rendered.files.map((f, i) => ({ path: f.path, mode: `0${f.mode.toString(8)}`, secret: f.secret, role: f.role, ...(f.sectionOf ? { sectionOf: f.sectionOf } : {}), ...(written ? { writtenTo: written[i] } : {}), ...(f.secret ? {} : { content: f.content }) })),
    warnings: findings.filter((f) => f.severity === 'warning').map((f) => ({ id: f.id, path: f.path, message: f.message })),
  }
}

function toFindingLine(f: LintFinding): string {
  return `  ${f.path || '(file)'} [${f.id}] ${f.message}\n`
}
