import type { Finding } from '../core/checks/model'
import { toGatewayShell } from '../core/gateway/shell'
import { toRemotePath } from '../core/ssh/catalog'
import { checkGateway } from '../core/workflow'
import { EXIT, parseOptions, writeJson, type CliIo, type Command } from './cli-io'
import { loadDetailsInput } from './details-input'
import { isExit, SSH_OPTIONS, withGateway } from './gateway-options'

/** `tunnelwright check`: firewall/NAT/kernel findings, the IKE path probe from the gateway and the daemons' status; exit 1 on any error. */
export const run: Command = async (args, io) => {
  const opts = parseOptions(args, { ...SSH_OPTIONS, details: { type: 'string' }, device: { type: 'string' }, 'no-probe': { type: 'boolean' } })
  const input = loadDetailsInput(opts, io)
  const r = await withGateway(opts, io, async (session) => {
    // The probe reaches charon's VICI socket through the same SSH connection (stream-local forwarding).
    const probe = opts['no-probe'] === true ? {} : { openVici: (path: string) => session.openUnixSocket(toRemotePath(path)), sources: input.sources }
    const { facts, findings } = await checkGateway(toGatewayShell(session), input.details, probe)
    const ok = !findings.some((f) => f.severity === 'error')
    if (opts.json) writeJson(io, 'check', { ok, gateway: { os: facts.os, stack: facts.stack }, findings })
    else printFindings(io, findings)
    return ok ? EXIT.ok : EXIT.failed
  })
  return isExit(r) ? r.exit : r
}

function printFindings(io: CliIo, findings: readonly Finding[]): void {
  const order = { error: 0, warning: 1, info: 2, ok: 3 } as const
  for (const f of [...findings].sort((a, b) => order[a.severity] - order[b.severity])) {
    const subject = [f.subject.flow, f.subject.direction, f.subject.peer, f.subject.topic].filter(Boolean).join(' ')
    io.stdout(`${f.severity.padEnd(7)} ${f.verdict.padEnd(8)} ${subject}  [${f.id}]\n`)
    if (f.severity === 'ok') continue
    for (const e of f.evidence) io.stdout(`  saw: ${e}\n`)
    io.stdout(`  why: ${f.why}\n`)
    for (const [tool, text] of Object.entries(f.fix ?? {})) io.stdout(`  fix (${tool}): ${text}\n`)
  }
  const n = (s: Finding['severity']) => findings.filter((f) => f.severity === s).length
  io.stdout(`\n${n('error')} error(s), ${n('warning')} warning(s), ${n('ok')} ok.\n`)
}
