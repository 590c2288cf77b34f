import { applyCheckFix, checkGateway, lintDetailsInput, loadDetails, planCheckFix, type ApplyProgress, type CheckFinding, type Gateway, type PlannedFix } from '../../core'
import { toCliChangeContext } from '../change-context'
import { EXIT, parseOptions, UsageError, writeJson, type CliIo, type Command } from '../cli-io'
import { CONFIRM_USAGE, confirmWithinOption, requireDetails } from '../options'
import { toResultText, toStepLine } from '../plan-output'
import { SSH_OPTIONS, SSH_USAGE, withGateway } from '../ssh-options'

const usage = `Usage: tunnelwright check --details FILE --host [USER@]HOST[:PORT] [ssh options] [--no-probe] [--json]
       tunnelwright check --details FILE --host … --fix ID [--yes] [--confirm-within SECONDS]

Checks that UDP 500, UDP 4500 and ESP can pass between the gateway and both AWS peers: the gateway's
firewall and NAT (nft, iptables, ufw, firewalld, pfSense's pf), its kernel settings, an IKE probe from the
gateway's own charon, and the daemons' status. Read-only. Exit 1 when a finding is an error.

  --no-probe                skip the IKE probe (firewall and kernel only)
  --fix ID                  apply that finding's fix (shown first; asks unless --yes); the gateway keeps it
                            only once a fresh check shows the finding green
  ${CONFIRM_USAGE}

${SSH_USAGE}`

/** `tunnelwright check`: findings; exit 1 on any error. With `--fix ID`: that finding's fix, until green. */
export const check: Command = {
  usage,
  run: async (args, io) => {
    const opts = parseOptions(args, { ...SSH_OPTIONS, details: { type: 'string' }, device: { type: 'string' }, 'no-probe': { type: 'boolean' }, fix: { type: 'string' }, yes: { type: 'boolean' }, 'confirm-within': { type: 'string' } })
    if (opts.fix === undefined && (opts.yes !== undefined || opts['confirm-within'] !== undefined)) throw new UsageError('--yes and --confirm-within go with --fix ID')
    const confirmWithin = confirmWithinOption(opts['confirm-within'])
    const input = loadDetails(requireDetails(opts.details), io.env)
    // A read-only check runs on details with lint errors too; it says so (apply would refuse them).
    const lintErrors = lintDetailsInput(input).filter((f) => f.severity === 'error')
    if (lintErrors.length > 0) io.stderr(`Warning: the details have ${lintErrors.length} lint error(s) (apply refuses them; run tunnelwright lint). Checking anyway.\n`)
    const probe = opts['no-probe'] !== true
    return withGateway(opts, io, async (gateway) => {
      const { facts, findings } = await checkGateway(gateway, { ...input, probe })
      if (opts.fix !== undefined) return runFix(io, gateway, { id: opts.fix, yes: opts.yes === true, json: opts.json === true, confirmWithin }, async (planned) =>
        applyCheckFix(gateway, planned, { ...input, probe }, { confirmWithin, context: toCliChangeContext(io, opts, input), onProgress: (p: ApplyProgress) => io.stderr(`${toStepLine(p)}\n`) }),
      )
      const ok = !findings.some((f) => f.severity === 'error')
      if (opts.json) writeJson(io, 'check', { ok, gateway: { os: facts.os, stack: facts.stack }, findings })
      else printFindings(io, findings)
      return ok ? EXIT.ok : EXIT.failed
    })
  },
}

/** `check --fix ID`: plan (printed first), ask unless --yes, apply until green; exit 0 only when committed and green. */
async function runFix(
  io: CliIo,
  gateway: Gateway,
  o: { readonly id: string; readonly yes: boolean; readonly json: boolean; readonly confirmWithin: number },
  apply: (planned: PlannedFix) => ReturnType<typeof applyCheckFix>,
): Promise<number> {
  if (!gateway.lastCheck?.some((f) => f.id === o.id)) throw new UsageError(`no finding ${o.id} on this gateway (the ids are in \`tunnelwright check\`'s output)`)
  const plan = await planCheckFix(gateway, o.id)
  if (!plan.needed) {
    if (o.json) writeJson(io, 'check-fix', { id: o.id, outcome: 'no-change', ok: true, finding: plan.finding })
    else io.stdout(`${o.id} is already ${plan.finding.verdict}: nothing to fix.\n`)
    return EXIT.ok
  }
  const planned = plan.fix
  // With --json the plan goes to stderr as text so stdout carries only the result document.
  printFixPlan(o.json ? { ...io, stdout: io.stderr } : io, planned)
  if (!o.yes) {
    if (!io.confirm) throw new UsageError('--fix changes the gateway: confirm with --yes (no terminal to ask on)')
    if (!(await io.confirm(`Run these commands on ${gateway.hostKey.hostId}? The gateway reverts by itself unless confirmed within ${o.confirmWithin} s.`))) {
      io.stderr('Nothing was changed.\n')
      return EXIT.failed
    }
  }
  const result = await apply(planned)
  if (o.json) {
    writeJson(io, 'check-fix', {
      id: o.id,
      ok: result.ok,
      outcome: result.outcome,
      txnId: result.txnId,
      failedStep: result.failedStep,
      detail: result.detail,
      fix: result.fix,
      commands: planned.commands,
      notes: planned.notes,
      steps: result.steps,
      before: planned.finding,
      after: result.after,
    })
  } else {
    io.stdout(`${toResultText(result)}\n`)
    io.stdout(`${o.id} now: ${result.after?.verdict ?? 'not reported'}\n`)
    if (result.note) io.stdout(`${result.note}\n`)
  }
  return result.ok ? EXIT.ok : EXIT.failed
}

function printFixPlan(io: CliIo, p: PlannedFix): void {
  io.stdout(`Fix for ${p.finding.id}: ${p.finding.why}\n\nWill run on the gateway:\n`)
  for (const c of p.commands) io.stdout(`  ${c}\n`)
  for (const t of p.targets) io.stdout(`\nBefore (${t.kind} ${t.name}):\n${t.before === undefined ? '  (absent)\n' : t.before.replace(/^/gm, '  ').replace(/ +$/, '')}`)
  io.stdout('\n')
  for (const n of p.notes) io.stdout(`Note: ${n}\n`)
}

function printFindings(io: CliIo, findings: readonly CheckFinding[]): void {
  const order = { error: 0, warning: 1, info: 2, ok: 3 } as const
  for (const f of [...findings].sort((a, b) => order[a.severity] - order[b.severity])) {
    const subject = [f.subject.flow, f.subject.direction, f.subject.peer, f.subject.topic].filter(Boolean).join(' ')
    io.stdout(`${f.severity.padEnd(7)} ${f.verdict.padEnd(8)} ${subject}  [${f.id}]\n`)
    if (f.severity === 'ok') continue
    for (const e of f.evidence) io.stdout(`  saw: ${e}\n`)
    io.stdout(`  why: ${f.why}\n`)
    for (const [tool, text] of Object.entries(f.fix ?? {})) io.stdout(`  fix (${tool}): ${text}\n`)
  }
  const n = (s: CheckFinding['severity']) => findings.filter((f) => f.severity === s).length
  io.stdout(`\n${n('error')} error(s), ${n('warning')} warning(s), ${n('ok')} ok.\n`)
}
