import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { fillDraft, importAwsText, importAwsXml, MAX_EXPORT_BYTES, toNeeds, toTunnelSummary, type AwsImport } from '../../core/details/aws-import'
import { UserError } from '../../core/base/result'
import { EXIT, parseOptions, UsageError, writeJson, type Command } from '../cli-io'

/**
 * `tunnelwright import --aws-xml FILE | --aws-text FILE [--out FILE] [--force] [--json]
 * [--public-ip IP] [--private-cidr CIDR]… [--dedicated-cidr CIDR]…`: a details file from AWS's export.
 */
export const run: Command = async (args, io) => {
  const opts = parseOptions(args, {
    'aws-xml': { type: 'string' },
    'aws-text': { type: 'string' },
    out: { type: 'string' },
    force: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    'public-ip': { type: 'string' },
    'private-cidr': { type: 'string', multiple: true },
    'dedicated-cidr': { type: 'string', multiple: true },
  })
  const xml = opts['aws-xml']
  const text = opts['aws-text']
  if ((xml === undefined) === (text === undefined)) throw new UsageError('give exactly one of --aws-xml FILE or --aws-text FILE')
  if (opts.force && opts.out === undefined) throw new UsageError('--force only applies with --out FILE')
  const input = (xml ?? text)!

  let imported: AwsImport
  let draft
  try {
    const body = readInput(input)
    imported = xml !== undefined ? importAwsXml(body) : importAwsText(body)
    draft = fillDraft(imported.draft, {
      ...(opts['public-ip'] === undefined ? {} : { publicIp: opts['public-ip'] }),
      ...(opts['private-cidr'] === undefined ? {} : { privateCidrs: opts['private-cidr'] }),
      ...(opts['dedicated-cidr'] === undefined ? {} : { dedicatedCidrs: opts['dedicated-cidr'] }),
    })
  } catch (err) {
    if (!(err instanceof UserError)) throw err
    if (opts.json) writeJson(io, 'import', { ok: false, error: { code: err.code, message: err.message, ...(err.fix ? { fix: err.fix } : {}) } })
    io.stderr(`tunnelwright import: ${err.message}\n${err.fix ? `Fix: ${err.fix}\n` : ''}`)
    return EXIT.usage
  }
  const needs = toNeeds(draft)
  const fileText = `${JSON.stringify(draft, null, 2)}\n`

  if (opts.out !== undefined) {
    try {
      // The file holds both PSKs: owner-only from the first byte; 'wx' refuses to replace a file.
      writeFileSync(opts.out, fileText, { mode: 0o600, flag: opts.force ? 'w' : 'wx' })
      if (opts.force) chmodSync(opts.out, 0o600)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      const message = code === 'EEXIST' ? `${opts.out} already exists; not overwriting it.` : `cannot write ${opts.out} (${code ?? 'error'}).`
      const fix = code === 'EEXIST' ? 'Pass --force to replace it, or choose another --out FILE.' : 'Check the folder exists and this user may write to it.'
      if (opts.json) writeJson(io, 'import', { ok: false, error: { code: code === 'EEXIST' ? 'out-exists' : 'out-unwritable', message, fix } })
      io.stderr(`tunnelwright import: ${message}\nFix: ${fix}\n`)
      return EXIT.failed
    }
  }

  const report = [
    `Imported ${imported.source.vpnConnectionId} from ${input}:`,
    ...toTunnelSummary(draft).map((l) => `  ${l}`),
    ...(opts.out === undefined ? [] : [`Wrote ${opts.out} (mode 0600: it holds the pre-shared keys).`]),
    ...(needs.length === 0 ? [`Nothing left to fill in: run tunnelwright lint --details ${opts.out ?? 'FILE'} next.`] : ['Still to fill in before it can be used:', ...needs.map((n) => `  ${n.path}: ${n.what}`)]),
    ...imported.notes.map((n) => `Note: ${n}`),
  ].join('\n')
  if (opts.json) {
    writeJson(io, 'import', { ok: true, source: imported.source, needs, notes: imported.notes, ...(opts.out === undefined ? { details: draft } : { out: opts.out }) })
    io.stderr(`${report}\n`)
  } else if (opts.out === undefined) {
    io.stdout(fileText)
    io.stderr(`${report}\n`)
  } else {
    io.stdout(`${report}\n`)
  }
  return EXIT.ok
}

function readInput(path: string): string {
  try {
    if (statSync(path).size > MAX_EXPORT_BYTES) throw new UserError('aws-export-too-large', `${path} is larger than ${MAX_EXPORT_BYTES / 1024} kB; AWS's exports are a few kB.`, { fix: 'Check that this is the right file.' })
    return readFileSync(path, 'utf8')
  } catch (err) {
    if (err instanceof UserError) throw err
    throw new UserError('aws-export-unreadable', `Cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'}).`, { cause: err, fix: 'Check the path and that this user may read it.' })
  }
}
