import type { ApplyProgress } from '../../core/apply/engine'
import type { Finding } from '../../core/checks/model'
import { toGatewayShell } from '../../core/gateway/shell'
import { toRemotePath } from '../../core/ssh/catalog'
import type { SshSession } from '../../core/ssh/session'
import { applyFix, checkGateway, planFix, type PlannedFix } from '../../core/workflow/change'
import { EXIT, parseOptions, UsageError, writeJson, type CliIo, type Command } from '../cli-io'
import { loadDetailsInput } from '../details-input'
import { isExit, SSH_OPTIONS, withGateway } from '../ssh-options'
import { toResultText, toStepLine } from '../plan-output'

/** `tunnelwright check`: firewall/NAT/kernel findings, the IKE path probe from the gateway and the daemons' status; exit 1 on any error. With `--fix ID`: applies that finding's fix with confirm-or-revert. */
export const run: Command = async (args, io) => {
  const opts = parseOptions(args, { ...SSH_OPTIONS, details: { type: 'string' }, device: { type: 'string' }, 'no-probe': { type: 'boolean' }, fix: { type: 'string' }, yes: { type: 'boolean' }, 'confirm-within': { type: 'string' } })
  if (opts.fix === undefined && (opts.yes !== undefined || opts['confirm-within'] !== undefined)) throw new UsageError('--yes and --confirm-within go with --fix ID')
  const confirmWithin = opts['confirm-within'] === undefined ? 120 : Number(opts['confirm-within'])
  if (!Number.isInteger(confirmWithin) || confirmWithin < 20 || confirmWithin > 3600) throw new UsageError('--confirm-within takes whole seconds from 20 to 3600')
  const input = loadDetailsInput(opts, io)
  const r = await withGateway(opts, io, async (session) => {
    // The probe reaches charon's VICI socket through the same SSH connection (stream-local forwarding).
    const probe = opts['no-probe'] === true ? {} : { openVici: (path: string) => session.openUnixSocket(toRemotePath(path)), sources: input.sources }
    const shell = toGatewayShell(session)
    const { facts, findings } = await checkGateway(shell, input.details, probe)
    if (opts.fix !== undefined) {
      const fixOpts = { id: opts.fix, yes: opts.yes === true, json: opts.json === true, confirmWithin }
      return runFix(io, session, fixOpts, findings, async () => (await checkGateway(shell, input.details, { ...probe, facts })).findings, (f) => planFix(shell, f, facts))
    }
    const ok = !findings.some((f) => f.severity === 'error')
    if (opts.json) writeJson(io, 'check', { ok, gateway: { os: facts.os, stack: facts.stack }, findings })
    else printFindings(io, findings)
    return ok ? EXIT.ok : EXIT.failed
  })
  return isExit(r) ? r.exit : r
}

const isGreen = (f: Finding | undefined) => f !== undefined && (f.verdict === 'allowed' || f.verdict === 'ok')

/** `check --fix ID`: plan (printed first), ask unless --yes, apply with confirm-or-revert; exit 0 only when committed and the re-check is green. */
async function runFix(
  io: CliIo,
  session: SshSession,
  o: { readonly id: string; readonly yes: boolean; readonly json: boolean; readonly confirmWithin: number },
  findings: readonly Finding[],
  recheck: () => Promise<Finding[]>,
  plan: (f: Finding) => Promise<PlannedFix>,
): Promise<number> {
  const finding = findings.find((f) => f.id === o.id)
  if (finding === undefined) throw new UsageError(`no finding ${o.id} on this gateway (the ids are in \`tunnelwright check\`'s output)`)
  if (isGreen(finding)) {
    if (o.json) writeJson(io, 'check-fix', { id: o.id, outcome: 'no-change', ok: true, finding })
    else io.stdout(`${o.id} is already ${finding.verdict}: nothing to fix.\n`)
    return EXIT.ok
  }
  const planned = await plan(finding)
  // With --json the plan goes to stderr as text so stdout carries only the result document.
  printFixPlan(o.json ? { ...io, stdout: io.stderr } : io, planned)
  if (!o.yes) {
    if (!io.confirm) throw new UsageError('--fix changes the gateway: confirm with --yes (no terminal to ask on)')
    if (!(await io.confirm(`Run these commands on ${session.hostKey.hostId}? The gateway reverts by itself unless confirmed within ${o.confirmWithin} s.`))) {
      io.stderr('Nothing was changed.\n')
      return EXIT.failed
    }
  }
  const result = await applyFix(toGatewayShell(session), planned, {
    confirmWithin: o.confirmWithin,
    // Confirm only when the finding really turned green on a fresh read of the gateway.
    healthy: async () => isGreen((await recheck()).find((f) => f.id === o.id)),
    onProgress: (p: ApplyProgress) => io.stderr(`${toStepLine(p)}\n`),
  })
  const after = (await recheck()).find((f) => f.id === o.id)
  const ok = result.outcome === 'committed' && isGreen(after)
  if (o.json) {
    writeJson(io, 'check-fix', {
      id: o.id,
      ok,
      outcome: result.outcome,
      txnId: result.txnId,
      failedStep: result.failedStep,
      detail: result.detail,
      fix: result.fix,
      commands: planned.commands,
      notes: planned.notes,
      steps: result.steps,
      before: finding,
      after,
    })
  } else {
    io.stdout(`${toResultText(result)}\n`)
    io.stdout(`${o.id} now: ${after?.verdict ?? 'not reported'}\n`)
  }
  return ok ? EXIT.ok : EXIT.failed
}

function printFixPlan(io: CliIo, p: PlannedFix): void {
  io.stdout(`Fix for ${p.finding.id}: ${p.finding.why}\n\nWill run on the gateway:\n`)
  for (const c of p.commands) io.stdout(`  ${c}\n`)
  for (const t of p.targets) io.stdout(`\nBefore (${t.kind} ${t.name}):\n${t.before === undefined ? '  (absent)\n' : t.before.replace(/^/gm, '  ').replace(/ +$/, '')}`)
  io.stdout('\n')
  for (const n of p.notes) io.stdout(`Note: ${n}\n`)
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
