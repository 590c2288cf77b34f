// Read-only commands on the gateway: fixed argv each, several in one round trip, outputs by id.
import { parseBatchOutput, toBatchNonce, toBatchScript } from '../ssh/batch'
import type { GatewayShell } from './shell'

/** One read-only command, as a fixed argv; `id` keys its output. */
export interface GatewayCommand {
  readonly id: string
  readonly argv: readonly string[]
}

/** Output of one command as the SSH layer captured it. */
export interface CommandOutput {
  readonly stdout: string
  readonly exitCode: number
}

/** Outputs by command id; a missing id = the command was not run or not found. */
export type CommandOutputs = Readonly<Record<string, CommandOutput | undefined>>

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
