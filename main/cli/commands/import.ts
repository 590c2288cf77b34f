import { importAwsExportFile, toTunnelSummary, writeDetailsFile, type AwsExportFormat } from '../../core'
import { EXIT, parseOptions, UsageError, writeJson, type Command } from '../cli-io'

const usage = `Usage: tunnelwright import --aws-xml FILE | --aws-text FILE [--out FILE [--force]] [--json]
                          [--public-ip IP] [--private-cidr CIDR …] [--dedicated-cidr CIDR …]

Turns AWS's configuration export (CustomerGatewayConfiguration XML, or the generic text) into a details
file. AWS's own proposals (SHA1, DH 2) are never copied. What the export cannot know (the gateway's public
IP, the agency's CIDRs, the dedicated CIDRs) can be filled in with the options. With --out the file is
written owner-only (it holds the pre-shared keys); an existing file is kept unless --force; a symbolic
link is never followed.`

/** `tunnelwright import`: a details file from AWS's export. */
export const importCmd: Command = {
  usage,
  run: async (args, io) => {
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
    const path = (xml ?? text)!
    const format: AwsExportFormat = xml !== undefined ? 'aws-xml' : 'aws-text'
    const imported = importAwsExportFile(path, format, {
      ...(opts['public-ip'] === undefined ? {} : { publicIp: opts['public-ip'] }),
      ...(opts['private-cidr'] === undefined ? {} : { privateCidrs: opts['private-cidr'] }),
      ...(opts['dedicated-cidr'] === undefined ? {} : { dedicatedCidrs: opts['dedicated-cidr'] }),
    })
    const { draft, needs } = imported
    if (opts.out !== undefined) writeDetailsFile(opts.out, draft, { force: opts.force })
    const report = [
      `Imported ${imported.source.vpnConnectionId} from ${path}:`,
      ...toTunnelSummary(draft).map((l) => `  ${l}`),
      ...(opts.out === undefined ? [] : [`Wrote ${opts.out} (mode 0600: it holds the pre-shared keys).`]),
      ...(needs.length === 0 ? [`Nothing left to fill in: run tunnelwright lint --details ${opts.out ?? 'FILE'} next.`] : ['Still to fill in before it can be used:', ...needs.map((n) => `  ${n.path}: ${n.what}`)]),
      ...imported.notes.map((n) => `Note: ${n}`),
    ].join('\n')
    if (opts.json) {
      writeJson(io, 'import', { ok: true, source: imported.source, needs, notes: imported.notes, ...(opts.out === undefined ? { details: draft } : { out: opts.out }) })
      io.stderr(`${report}\n`)
    } else if (opts.out === undefined) {
      io.stdout(`${JSON.stringify(draft, null, 2)}\n`)
      io.stderr(`${report}\n`)
    } else {
      io.stdout(`${report}\n`)
    }
    return EXIT.ok
  },
}
