import { previewRollback, rollbackChange } from '../../core'
import { toCliChangeContext } from '../change-context'
import { EXIT, parseOptions, UsageError, writeJson, type Command } from '../cli-io'
import { SSH_OPTIONS, SSH_USAGE, withGateway } from '../ssh-options'

const usage = `Usage: tunnelwright rollback --host [USER@]HOST[:PORT] [ssh options] [--yes] [--reason TEXT] [--json]

Restores the gateway to before Tunnelwright's last committed change there: shows which change it undoes
and every file it puts back (or removes), asks (unless --yes), then restores them and reloads the IPsec
daemon. Needs no details file: the gateway kept the backup. The change record goes to the app's data folder.

  --yes                     do not ask (needed where there is no terminal)
  --reason TEXT             why (kept in the change record)

${SSH_USAGE}`

/** `tunnelwright rollback --host …`: show what it restores, ask, restore. */
export const rollback: Command = {
  usage,
  run: async (args, io) => {
    const opts = parseOptions(args, { ...SSH_OPTIONS, yes: { type: 'boolean' }, reason: { type: 'string' } })
    const context = { ...toCliChangeContext(io, opts), ...(opts.reason ? { reason: opts.reason } : {}) }
    return withGateway(opts, io, async (gateway) => {
      const preview = await previewRollback(gateway)
      const text = opts.json ? { ...io, stdout: io.stderr } : io
      if (preview === undefined) {
        if (opts.json) writeJson(io, 'rollback', { ok: false, outcome: 'nothing-to-roll-back' })
        io.stderr('There is no change of ours to roll back on this gateway (none was applied, or it was rolled back already).\n')
        return EXIT.failed
      }
      text.stdout(`Rollback undoes change ${preview.txnId} on ${gateway.hostKey.hostId}:\n${preview.files.map((f) => `  ${f.action === 'remove' ? 'REMOVE ' : 'RESTORE'} ${f.path}`).join('\n')}\nthen reloads the IPsec daemon (tunnels of this VPN go down or back to their previous settings).\n`)
      if (!opts.yes) {
        if (!io.confirm) throw new UsageError('rollback changes the gateway: confirm with --yes (no terminal to ask on)')
        if (!(await io.confirm(`Roll back change ${preview.txnId}?`))) {
          io.stderr('Nothing was changed.\n')
          return EXIT.failed
        }
      }
      const result = await rollbackChange(gateway, { context })
      if (opts.json) writeJson(io, 'rollback', { ok: true, restoredChange: result.restored, files: result.files, ...(result.record ? { recordId: result.record.id } : {}) })
      else io.stdout(`Rolled back change ${result.restored}; restored:\n${result.files.map((f) => `  ${f}`).join('\n')}\n`)
      return EXIT.ok
    })
  },
}
