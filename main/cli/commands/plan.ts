import { toGatewayShell } from '../../core/gateway/shell'
import { prepareChange } from '../../core/workflow/change'
import { EXIT, parseOptions, writeJson, type Command } from '../cli-io'
import { loadDetailsInput } from '../details-input'
import { isExit, SSH_OPTIONS, withGateway } from '../ssh-options'
import { printPlan, toPlanJson } from '../plan-output'

/** `tunnelwright plan`: what apply would change, as a diff against the gateway; changes nothing. */
export const run: Command = async (args, io) => {
  const opts = parseOptions(args, { ...SSH_OPTIONS, details: { type: 'string' }, device: { type: 'string' } })
  const input = loadDetailsInput(opts, io)
  const r = await withGateway(opts, io, async (session) => {
    const change = await prepareChange(toGatewayShell(session), input.details, { sources: input.sources, ...(input.device ? { device: input.device } : {}) })
    if (opts.json) writeJson(io, 'plan', toPlanJson(change))
    else printPlan(io, change)
    return EXIT.ok
  })
  return isExit(r) ? r.exit : r
}
