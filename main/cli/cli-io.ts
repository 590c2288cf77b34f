// What every CLI command shares: its I/O, the exit codes of the contract, strict option parsing.
import { parseArgs, type ParseArgsConfig } from 'node:util'

/** Where a command writes: stdout carries only the result (one JSON document with --json), stderr the rest. */
export interface CliIo {
  readonly stdout: (text: string) => void
  readonly stderr: (text: string) => void
  readonly env: Readonly<Record<string, string | undefined>>
  /** Asks the user a yes/no question on the terminal; absent when there is no terminal (CI, pipes). */
  readonly confirm?: (question: string) => Promise<boolean>
  /** Aborted on Ctrl-C: long-running commands (status --watch) stop cleanly. */
  readonly signal?: AbortSignal
}

/** Exit codes of the contract (../shared/docs/cli.md). */
export const EXIT = { ok: 0, failed: 1, usage: 2, hostKey: 3, connect: 4 } as const

/** One CLI command: its arguments after the command word, returning the exit code. */
export type Command = (args: readonly string[], io: CliIo) => Promise<number>

/** Wrong words on the command line (exit 2). */
export class UsageError extends Error {}

/** Parses a command's options strictly: unknown options and stray positionals are usage errors. */
export function parseOptions<T extends NonNullable<ParseArgsConfig['options']>>(args: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: false }).values
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err))
  }
}

/** Writes a versioned JSON result document (`tunnelwright/<command>@1`) to stdout. */
export function writeJson(io: CliIo, command: string, body: object): void {
  io.stdout(`${JSON.stringify({ format: `tunnelwright/${command}@1`, ...body }, null, 2)}\n`)
}
