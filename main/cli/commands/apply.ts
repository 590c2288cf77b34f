import type { ApplyProgress } from '../../core/apply/engine'
import { toGatewayShell } from '../../core/gateway/shell'
import { applyChange, prepareChange } from '../../core/workflow/change'
import { EXIT, parseOptions, UsageError, writeJson, type Command } from '../cli-io'
import { loadDetailsInput } from '../details-input'
import { isExit, SSH_OPTIONS, withGateway } from '../ssh-options'
import { printPlan, toPlanJson, toResultText, toStepLine } from '../plan-output'

/** `tunnelwright apply`: plan, ask, then apply with confirm-or-revert on the gateway itself. */
export const run: Command = async (args, io) => {
  const opts = parseOptions(args, { ...SSH_OPTIONS, details: { type: 'string' }, device: { type: 'string' }, yes: { type: 'boolean' }, 'confirm-within': { type: 'string' } })
  const confirmWithin = opts['confirm-within'] === undefined ? 120 : Number(opts['confirm-within'])
  if (!Number.isInteger(confirmWithin) || confirmWithin < 20 || confirmWithin > 3600) throw new UsageError('--confirm-within takes whole seconds from 20 to 3600')
  const input = loadDetailsInput(opts, io)
  const r = await withGateway(opts, io, async (session) => {
    const shell = toGatewayShell(session)
    const change = await prepareChange(shell, input.details, { sources: input.sources, ...(input.device ? { device: input.device } : {}) })
    // With --json the plan goes to stderr as text so stdout carries only the result document.
    printPlan(opts.json ? { ...io, stdout: io.stderr } : io, change)
    if (!change.plan.noop && !opts.yes) {
      if (!io.confirm) throw new UsageError('apply changes the gateway: confirm with --yes (no terminal to ask on)')
      if (!(await io.confirm(`Apply these changes to ${session.hostKey.hostId}? The gateway reverts by itself unless the tunnels come up within ${confirmWithin} s.`))) {
        io.stderr('Nothing was changed.\n')
        return EXIT.failed
      }
    }
    const steps: ApplyProgress[] = []
    const result = await applyChange(shell, change, {
      confirmWithin,
      onProgress: (p) => {
        steps.push(p)
        io.stderr(`${toStepLine(p)}\n`)
      },
    })
    if (opts.json) writeJson(io, 'apply', { outcome: result.outcome, txnId: result.txnId, failedStep: result.failedStep, detail: result.detail, fix: result.fix, steps: result.steps, plan: toPlanJson(change) })
    else io.stdout(`${toResultText(result)}\n`)
    return result.outcome === 'committed' || result.outcome === 'no-change' ? EXIT.ok : EXIT.failed
  })
  return isExit(r) ? r.exit : r
}
