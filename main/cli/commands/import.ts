import { AwsConnectionChoiceError, importAwsExportFile, toConnectionLine, toTunnelSummary, writeDetailsFile, type AwsExportFormat } from '../../core'
import { EXIT, parseOptions, UsageError, writeJson, type Command } from '../cli-io'

const usage = `Usage: tunnelwright import --aws-export FILE | --aws-json FILE | --aws-xml FILE | --aws-text FILE
                          [--connection vpn-…|N] [--out FILE [--force]] [--json]
                          [--public-ip IP] [--private-cidr CIDR …] [--dedicated-cidr CIDR …]

Turns what AWS hands out for a VPN connection into a details file: the CustomerGatewayConfiguration XML
(--aws-xml), \`aws ec2 describe-vpn-connections\` JSON (--aws-json), the Generic text or a device
template (--aws-text), or any of them recognised from the content (--aws-export). A JSON export that
lists several connections needs --connection with the id or the position of one; without it the list
is printed and the exit code is 2. AWS's sample proposals (SHA1, DH 2) are never copied; the tunnel
options in JSON decide the proposal. A BGP VPN is imported with its sessions in "bgp", and lint says
that this version does not set BGP up. What the export cannot know (the gateway's public IP, the
agency's CIDRs, the dedicated CIDRs) can be filled in with the options. With --out the file is written
owner-only (it holds the pre-shared keys); an existing file is kept unless --force; a symbolic link is
never followed.`

const FORMATS = ['aws-export', 'aws-json', 'aws-xml', 'aws-text'] as const

/** `tunnelwright import`: a details file from AWS's export. */
export const importCmd: Command = {
  usage,
  run: async (args, io) => {
    const opts = parseOptions(args, {
      'aws-export': { type: 'string' },
      'aws-json': { type: 'string' },
      'aws-xml': { type: 'string' },
      'aws-text': { type: 'string' },
      connection: { type: 'string' },
      out: { type: 'string' },
      force: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      'public-ip': { type: 'string' },
      'private-cidr': { type: 'string', multiple: true },
      'dedicated-cidr': { type: 'string', multiple: true },
    })
    const given = FORMATS.filter((f) => opts[f] !== undefined)
    if (given.length !== 1) throw new UsageError('give exactly one of --aws-export FILE, --aws-json FILE, --aws-xml FILE or --aws-text FILE')
    if (opts.force && opts.out === undefined) throw new UsageError('--force only applies with --out FILE')
    const format: AwsExportFormat = given[0]!
    if (opts.connection !== undefined && (format === 'aws-xml' || format === 'aws-text')) throw new UsageError(`--connection picks one connection of a JSON export; ${format === 'aws-xml' ? 'an XML' : 'a text'} export describes one`)
    const path = opts[format]!
    let imported
    try {
      imported = importAwsExportFile(
        path,
        format,
        {
          ...(opts['public-ip'] === undefined ? {} : { publicIp: opts['public-ip'] }),
          ...(opts['private-cidr'] === undefined ? {} : { privateCidrs: opts['private-cidr'] }),
          ...(opts['dedicated-cidr'] === undefined ? {} : { dedicatedCidrs: opts['dedicated-cidr'] }),
        },
        opts.connection === undefined ? {} : { connection: opts.connection },
      )
    } catch (err) {
      if (!(err instanceof AwsConnectionChoiceError)) throw err
      // Several connections and none (or no valid one) chosen: list them and say what to pass (exit 2).
      const list = err.connections.map((c) => `  ${toConnectionLine(c)}`)
      io.stderr(`tunnelwright import: ${err.message}\n${list.join('\n')}\nPass --connection with the id (vpn-…) or the position of one${new Set(err.connections.map((c) => c.vpnConnectionId)).size < err.connections.length ? ' (two share an id here: use the position)' : ''}.\n`)
      if (opts.json) writeJson(io, 'import', { ok: false, exitCode: EXIT.usage, error: { code: err.code, message: err.message, ...(err.fix ? { fix: err.fix } : {}) }, connections: err.connections })
      return EXIT.usage
    }
    const { draft, needs } = imported
    if (opts.out !== undefined) writeDetailsFile(opts.out, draft, { force: opts.force })
    const report = [
      `Imported ${imported.source.vpnConnectionId} (${imported.source.shape}) from ${path}:`,
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
