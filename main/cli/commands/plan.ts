import { assertLintClean, loadDetails, prepareChange } from '../../core'
import { EXIT, parseOptions, writeJson, type Command } from '../cli-io'
import { deviceOption, requireDetails } from '../options'
import { printPlan, toPlanJson } from '../plan-output'
import { SSH_OPTIONS, SSH_USAGE, withGateway } from '../ssh-options'

const usage = `Usage: tunnelwright plan --details FILE --host [USER@]HOST[:PORT] [--device KIND] [ssh options] [--json]

Shows what apply would change on the gateway, as a diff of every file (files holding keys by hash only).
Reads the gateway; changes nothing. Details with lint errors are refused before connecting.

${SSH_USAGE}`

/** `tunnelwright plan`: what apply would change, as a diff against the gateway; changes nothing. */
export const plan: Command = {
  usage,
  run: async (args, io) => {
    const opts = parseOptions(args, { ...SSH_OPTIONS, details: { type: 'string' }, device: { type: 'string' } })
    const device = deviceOption(opts.device)
    const input = loadDetails(requireDetails(opts.details), io.env)
    // The lint gate runs before connecting (for the kind the details or --device name), and again on the detected device.
    const kind = device ?? input.details.gateway.kind
    assertLintClean(input, kind ? { kind } : undefined)
    return withGateway(opts, io, async (gateway) => {
      const change = await prepareChange(gateway, { ...input, ...(device ? { device } : {}) })
      if (opts.json) writeJson(io, 'plan', toPlanJson(change))
      else printPlan(io, change)
      return EXIT.ok
    })
  },
}
