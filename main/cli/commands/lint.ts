import { DeviceKind, hasErrors, lintDetailsInput, loadDetails, VendorKind, type DeviceFacts, type LintFinding } from '../../core'
import { EXIT, parseOptions, UsageError, writeJson, type CliIo, type Command } from '../cli-io'

const usage = `Usage: tunnelwright lint --details FILE [--device KIND [--device-version V]] [--json]

Checks a details file against what AWS and cloud.gov accept (and, with --device, what that device can do:
a gateway the app drives, or a vendor device it writes a configuration for).
Changes nothing, connects to nothing. Exit 0 when no finding is an error, 1 when one is, 2 when the file
cannot be read.`

/** `tunnelwright lint`: findings; exit 1 on any error. */
export const lint: Command = {
  usage,
  run: async (args, io) => {
    const opts = parseOptions(args, {
      details: { type: 'string' },
      json: { type: 'boolean', default: false },
      device: { type: 'string' },
      'device-version': { type: 'string' },
    })
    if (opts.details === undefined) throw new UsageError('--details FILE is required')
    const kind = opts.device === undefined ? undefined : DeviceKind.or(VendorKind).safeParse(opts.device)
    if (kind && !kind.success) throw new UsageError(`--device must be one of ${[...DeviceKind.options, ...VendorKind.options].join(', ')}`)
    if (opts['device-version'] !== undefined && kind === undefined) throw new UsageError('--device-version needs --device KIND')
    const input = loadDetails(opts.details, io.env)
    const deviceKind = kind?.data ?? input.details.gateway.kind
    const device: DeviceFacts | undefined = deviceKind === undefined ? undefined : { kind: deviceKind, ...(opts['device-version'] === undefined ? {} : { version: opts['device-version'] }) }
    const findings = lintDetailsInput(input, device)
    const ok = !hasErrors(findings)
    if (opts.json) writeJson(io, 'lint', { ok, findings })
    else printFindings(io, opts.details, findings)
    return ok ? EXIT.ok : EXIT.failed
  },
}

function printFindings(io: CliIo, file: string, findings: readonly LintFinding[]): void {
  const order = { error: 0, warning: 1, info: 2 } as const
  const sorted = [...findings].sort((a, b) => order[a.severity] - order[b.severity])
  const lines = sorted.map((f) => `${f.severity.padEnd(7)} ${f.path || '(file)'}  [${f.id}]\n  ${f.message}\n  Why: ${f.why}\n  Fix: ${f.fix}\n`)
  const count = (s: LintFinding['severity']) => findings.filter((f) => f.severity === s).length
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`
  const summary = findings.length === 0 ? `${file}: no problems found.` : `${file}: ${plural(count('error'), 'error')}, ${plural(count('warning'), 'warning')}, ${count('info')} info.`
  io.stdout(`${lines.join('\n')}${lines.length ? '\n' : ''}${summary}\n`)
}
