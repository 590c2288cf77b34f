import { toGatewayShell } from '../../core/gateway/shell'
import { rollbackChange } from '../../core/workflow/change'
import { EXIT, parseOptions, writeJson, type Command } from '../cli-io'
import { isExit, SSH_OPTIONS, withGateway } from '../ssh-options'

/** `tunnelwright rollback --host …`: restore the gateway to before our last applied change. */
export const run: Command = async (args, io) => {
  const opts = parseOptions(args, { ...SSH_OPTIONS })
  const r = await withGateway(opts, io, async (session) => {
    const result = await rollbackChange(toGatewayShell(session))
    if (opts.json) writeJson(io, 'rollback', { ok: true, restoredChange: result.restored, files: result.files })
    else io.stdout(`Rolled back change ${result.restored}; restored:\n${result.files.map((f) => `  ${f}`).join('\n')}\n`)
    return EXIT.ok
  })
  return isExit(r) ? r.exit : r
}
