// The command-line face (../shared/docs/cli.md): argument parsing, output and exit codes over the core's door.
import { getAppInfo, InputError, toSshExitCode, UserError } from '../core'
import { EXIT, toTerminalText, UsageError, type CliIo, type Command } from './cli-io'
import { apply } from './commands/apply'
import { check } from './commands/check'
import { importCmd } from './commands/import'
import { lint } from './commands/lint'
import { plan } from './commands/plan'
import { render } from './commands/render'
import { rollback } from './commands/rollback'
import { status } from './commands/status'

export { EXIT, type CliIo } from './cli-io'

const USAGE = `Usage: tunnelwright <command> [options]

Commands:
  lint      --details FILE [--device KIND [--device-version V]]
                                    check a details file against what AWS / cloud.gov accept
  render    --details FILE --device KIND [--out DIR] [--routing route|policy]
            [--device-version V] [--layout debian|rhel]
                                    write the gateway configuration files
  check     --details FILE --host [USER@]HOST[:PORT] [ssh options]
                                    firewall, NAT and path checks for UDP 500, UDP 4500 and ESP
            [--fix ID [--yes] [--confirm-within SECONDS]]  apply one finding's fix; reverts unless confirmed
  plan      --details FILE --host … [--device KIND] [ssh options]
                                    what apply would change, as a diff; changes nothing
  apply     --details FILE --host … [--device KIND] [ssh options] [--yes] [--confirm-within SECONDS]
                                    push the configuration; the gateway reverts unless confirmed
  status    --details FILE --host … [ssh options] [--watch]
                                    both tunnels now, or one JSON line per change with --watch --json
  rollback  --host … [ssh options] [--yes]
                                    show what it restores, then restore the gateway to before our last change
  import    --aws-export FILE | --aws-json FILE | --aws-xml FILE | --aws-text FILE
            [--connection vpn-…|N] [--out FILE] [--force]
            [--public-ip IP] [--private-cidr CIDR …] [--dedicated-cidr CIDR …]
                                    turn AWS's configuration export into a details file

Every command accepts --json (one JSON document on stdout; progress on stderr) and --help (its own usage).
KIND: strongswan, strongswan-legacy, libreswan, openswan, pfsense.
ssh options: --identity FILE [--passphrase-env VAR] | --password-env VAR | --agent,
  --known-hosts FILE, --accept-new-host-key, --jump [USER@]HOST[:PORT], --sudo [--sudo-password-env VAR]
Exit codes: 0 ok, 1 failed or errors found, 2 usage or unreadable input, 3 host key unknown or changed,
  4 cannot connect or authenticate.

  tunnelwright --help       this text
  tunnelwright --version    the version
`

const COMMANDS: Readonly<Record<string, Command | undefined>> = { lint, render, check, plan, apply, status, rollback, import: importCmd }

/** Runs one CLI invocation and returns its exit code; never calls process.exit itself. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  // Human text never carries a control character that acts on the terminal (a file or a gateway could plant one).
  const safe: CliIo = { ...io, stdout: (t) => io.stdout(argv.includes('--json') ? t : toTerminalText(t)), stderr: (t) => io.stderr(toTerminalText(t)) }
  const [first, ...rest] = argv
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    ;(first === undefined ? safe.stderr : safe.stdout)(USAGE)
    return first === undefined ? EXIT.usage : EXIT.ok
  }
  if (first === '--version' || first === '-V') {
    safe.stdout(`${getAppInfo().version}\n`)
    return EXIT.ok
  }
  const command = COMMANDS[first]
  // `--json` counts wherever it stands, also as the first word (`tunnelwright --json` names no command).
  const json = argv.includes('--json')
  if (!command) {
    const what = first.startsWith('-') ? `no command before '${first}'` : `unknown command '${first}'`
    safe.stderr(`tunnelwright: ${what}\n\n${USAGE}`)
    if (json) writeErrorDocument(io, 'cli', EXIT.usage, what, "Run 'tunnelwright --help' for the commands.")
    return EXIT.usage
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    safe.stdout(`${command.usage}\n`)
    return EXIT.ok
  }
  // --json promises one JSON document on stdout: a command that fails before writing one gets an error document.
  let wroteStdout = false
  const tracked: CliIo = {
    ...safe,
    stdout: (t) => {
      wroteStdout = true
      safe.stdout(t)
    },
  }
  const { code, error } = await runCommand(first, command, rest, tracked)
  if (json && !wroteStdout && code !== EXIT.ok) writeErrorDocument(io, first, code, error?.message ?? 'failed', error?.fix, error?.code)
  return code
}

function writeErrorDocument(io: CliIo, command: string, exitCode: number, message: string, fix?: string, code?: string): void {
  io.stdout(`${JSON.stringify({ format: `tunnelwright/${command}@1`, ok: false, exitCode, error: { ...(code ? { code } : {}), message, ...(fix ? { fix } : {}) } }, null, 2)}\n`)
}

async function runCommand(name: string, command: Command, args: readonly string[], io: CliIo): Promise<{ code: number; error?: { code?: string; message: string; fix?: string } }> {
  try {
    return { code: await command.run(args, io) }
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`tunnelwright ${name}: ${err.message}\n\nRun 'tunnelwright ${name} --help' for usage.\n`)
      return { code: EXIT.usage, error: { code: 'usage', message: err.message, fix: `Run 'tunnelwright ${name} --help' for usage.` } }
    }
    if (err instanceof UserError) {
      io.stderr(`tunnelwright ${name}: ${err.message}\n${err.fix ? `Fix: ${err.fix}\n` : ''}`)
      const code = err instanceof InputError ? EXIT.usage : (toSshExitCode(err) ?? EXIT.failed)
      return { code, error: { code: err.code, message: err.message, ...(err.fix ? { fix: err.fix } : {}) } }
    }
    throw err
  }
}

/** Entry point used by the `tunnelwright` bin. */
export async function main(argv: readonly string[]): Promise<void> {
  // Only a watch runs until stopped: it ends cleanly on Ctrl-C. Every other command keeps the default
  // signal behaviour, so a signal always ends it.
  const stop = new AbortController()
  if (argv.includes('--watch')) {
    process.once('SIGINT', () => stop.abort())
    process.once('SIGTERM', () => stop.abort())
  }
  const io: CliIo = {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    signal: stop.signal,
    ...(process.stdin.isTTY && process.stderr.isTTY ? { confirm: askOnTerminal } : {}),
  }
  process.exitCode = await runCli(argv, io)
}

/** Asks a yes/no question on the terminal (default no). */
async function askOnTerminal(question: string): Promise<boolean> {
  const { createInterface } = await import('node:readline/promises')
  const rl = createInterface({ input: process.stdin, output: process.stderr })
  try {
    return /^y(es)?$/i.test((await rl.question(`${toTerminalText(question)} [y/N] `)).trim())
  } finally {
    rl.close()
  }
}
