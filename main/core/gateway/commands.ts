// Several read-only catalog-style commands in one round trip, over any GatewayShell.
import type { GatewayShell } from '../apply/engine'
import type { CommandOutputs } from '../checks/firewall-check'
import { parseBatchOutput, toBatchNonce, toBatchScript } from '../ssh/batch'

/** Runs commands (fixed argv) in one script and returns their outputs by id; each may fail alone. */
export async function runReadOnly(shell: GatewayShell, commands: readonly { readonly id: string; readonly argv: readonly string[] }[], timeoutMs = 60_000): Promise<CommandOutputs> {
  const nonce = toBatchNonce()
  const r = await shell.runScript(toBatchScript(commands, nonce), { timeoutMs })
  const { results } = parseBatchOutput(
    commands.map((c) => c.id),
    Buffer.from(r.stdout, 'utf8'),
    Buffer.from(r.stderr, 'utf8'),
    nonce,
  )
  return Object.fromEntries(results.map((x) => [x.id, { stdout: x.stdout, exitCode: x.code }]))
}
