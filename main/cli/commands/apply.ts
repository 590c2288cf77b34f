import { assertLintClean, loadDetails, prepareChange, applyChange, type ApplyProgress } from '../../core'
import { toCliChangeContext } from '../change-context'
import { EXIT, parseOptions, UsageError, writeJson, type Command } from '../cli-io'
import { CONFIRM_USAGE, confirmWithinOption, deviceOption, requireDetails } from '../options'
import { printPlan, toPlanJson, toResultText, toStepLine } from '../plan-output'
import { SSH_OPTIONS, SSH_USAGE, withGateway } from '../ssh-options'

const usage = `Usage: tunnelwright apply --details FILE --host [USER@]HOST[:PORT] [--device KIND] [ssh options]
                         [--yes] [--confirm-within SECONDS] [--reason TEXT] [--json]

Plans the change, shows it and asks (unless --yes), then pushes it with confirm-or-revert: the gateway
itself puts the previous configuration back unless the tunnels come up and the change is confirmed.
After a commit the gateway is checked again. The change record goes to the app's data folder (the app
lists it); roll back with \`tunnelwright rollback\`. Details with lint errors are refused before connecting.

  --yes                     do not ask (needed where there is no terminal)
  ${CONFIRM_USAGE}
  --reason TEXT             why the change is made (kept in the change record)

${SSH_USAGE}`

/** `tunnelwright apply`: plan, ask, then apply with confirm-or-revert on the gateway itself. */
export const apply: Command = {
  usage,
  run: async (args, io) => {
    const opts = parseOptions(args, { ...SSH_OPTIONS, details: { type: 'string' }, device: { type: 'string' }, yes: { type: 'boolean' }, 'confirm-within': { type: 'string' }, reason: { type: 'string' } })
    const confirmWithin = confirmWithinOption(opts['confirm-within'])
    const device = deviceOption(opts.device)
    const input = loadDetails(requireDetails(opts.details), io.env)
    const kind = device ?? input.details.gateway.kind
    assertLintClean(input, kind ? { kind } : undefined)
    const context = { ...toCliChangeContext(io, opts, input), ...(opts.reason ? { reason: opts.reason } : {}) }
    return withGateway(opts, io, async (gateway) => {
      const change = await prepareChange(gateway, { ...input, ...(device ? { device } : {}) })
      // With --json the plan goes to stderr as text so stdout carries only the result document.
      printPlan(opts.json ? { ...io, stdout: io.stderr } : io, change)
      if (!change.plan.noop && !opts.yes) {
        if (!io.confirm) throw new UsageError('apply changes the gateway: confirm with --yes (no terminal to ask on)')
        if (!(await io.confirm(`Apply these changes to ${gateway.hostKey.hostId}? The gateway reverts by itself unless the tunnels come up within ${confirmWithin} s.`))) {
          io.stderr('Nothing was changed.\n')
          return EXIT.failed
        }
      }
      const activeStandby = change.tunnels === 'active-standby'
      const result = await applyChange(gateway, change, { confirmWithin, context, onProgress: (p: ApplyProgress) => io.stderr(`${toStepLine(p, { activeStandby, bgp: (change.frr?.neighbours.length ?? 0) > 0 })}\n`) })
      const problems = result.checksAfter?.filter((f) => f.severity === 'error') ?? []
      if (opts.json) {
        writeJson(io, 'apply', {
          outcome: result.outcome,
          txnId: result.txnId,
          failedStep: result.failedStep,
          detail: result.detail,
          fix: result.fix,
          steps: result.steps,
          plan: toPlanJson(change),
          ...(result.checksAfter ? { checksAfter: result.checksAfter } : {}),
          ...(result.checksAfterNote ? { checksAfterNote: result.checksAfterNote } : {}),
          ...(result.record ? { recordId: result.record.id } : {}),
        })
      } else {
        io.stdout(`${toResultText(result)}\n`)
        if (result.checksAfter) io.stdout(problems.length === 0 ? 'Checks after the change: no problems.\n' : `Checks after the change: ${problems.length} problem(s): ${problems.map((f) => f.id).join(', ')} (run tunnelwright check for the fixes).\n`)
        if (result.checksAfterNote) io.stdout(`${result.checksAfterNote}\n`)
        if (result.record) io.stdout(`Change record ${result.record.id} written (the app lists it).\n`)
      }
      return result.outcome === 'committed' || result.outcome === 'no-change' ? EXIT.ok : EXIT.failed
    })
  },
}
