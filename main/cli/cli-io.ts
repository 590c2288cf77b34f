// What every CLI command shares: its I/O, the exit codes of the contract, strict option parsing, its usage text.
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

/** One CLI command: its usage text, and what it does with its arguments (after the command word), returning the exit code. */
export interface Command {
  /** `tunnelwright <command> --help`: the synopsis, what it does, and its options. */
  readonly usage: string
  readonly run: (args: readonly string[], io: CliIo) => Promise<number>
}

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

/**
 * Text for a terminal: control characters that a file or a gateway could plant (ESC sequences that move
 * the cursor or rewrite the title, CR that overwrites a line, BEL) are shown as \\uXXXX instead of acting.
 * Newlines and tabs stay: every value that could carry one is quoted where it is put into a message.
 */
export function toTerminalText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}
