import { hasErrors, lintDetails, type DeviceFacts, type Finding } from '../../core/details/lint'
import { loadDetailsFile, toDetailsSecretSources } from '../../core/details/load'
import { DeviceKind } from '../../core/details/model'
import { UserError } from '../../core/base/result'
import { EXIT, parseOptions, UsageError, writeJson, type CliIo, type Command } from '../cli-io'

/** `tunnelwright lint --details FILE [--json] [--device KIND] [--device-version V]`: findings; exit 1 on any error. */
export const run: Command = async (args, io) => {
  const opts = parseOptions(args, {
    details: { type: 'string' },
    json: { type: 'boolean', default: false },
    device: { type: 'string' },
    'device-version': { type: 'string' },
  })
  if (opts.details === undefined) throw new UsageError('--details FILE is required')
  const kind = opts.device === undefined ? undefined : DeviceKind.safeParse(opts.device)
  if (kind && !kind.success) throw new UsageError(`--device must be one of ${DeviceKind.options.join(', ')}`)
  if (opts['device-version'] !== undefined && kind === undefined) throw new UsageError('--device-version needs --device KIND')

  let loaded
  try {
    loaded = loadDetailsFile(opts.details)
  } catch (err) {
    if (!(err instanceof UserError)) throw err
    // Unreadable input is exit 2 (cli.md), not a lint failure.
    if (opts.json) writeJson(io, 'lint', { ok: false, error: { code: err.code, message: err.message, ...(err.fix ? { fix: err.fix } : {}) }, findings: [] })
    io.stderr(`tunnelwright lint: ${err.message}\n${err.fix ? `Fix: ${err.fix}\n` : ''}`)
    return EXIT.usage
  }
  const deviceKind = kind?.data ?? loaded.details.gateway.kind
  const device: DeviceFacts | undefined = deviceKind === undefined ? undefined : { kind: deviceKind, ...(opts['device-version'] === undefined ? {} : { version: opts['device-version'] }) }
  const findings = [...loaded.findings, ...lintDetails(loaded.details, { sources: toDetailsSecretSources(opts.details, io.env), ...(device ? { device } : {}) })]
  const ok = !hasErrors(findings)
  if (opts.json) writeJson(io, 'lint', { ok, findings })
  else printFindings(io, opts.details, findings)
  return ok ? EXIT.ok : EXIT.failed
}

function printFindings(io: CliIo, file: string, findings: readonly Finding[]): void {
  const order = { error: 0, warning: 1, info: 2 } as const
  const sorted = [...findings].sort((a, b) => order[a.severity] - order[b.severity])
  const lines = sorted.map((f) => `${f.severity.padEnd(7)} ${f.path || '(file)'}  [${f.id}]\n  ${f.message}\n  Why: ${f.why}\n  Fix: ${f.fix}\n`)
  const count = (s: Finding['severity']) => findings.filter((f) => f.severity === s).length
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`
  const summary = findings.length === 0 ? `${file}: no problems found.` : `${file}: ${plural(count('error'), 'error')}, ${plural(count('warning'), 'warning')}, ${count('info')} info.`
  io.stdout(`${lines.join('\n')}${lines.length ? '\n' : ''}${summary}\n`)
}
