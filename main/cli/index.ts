// The command-line face of the core (../shared/docs/cli.md): same core, no Electron.
import { getAppInfo } from '../core/base/app-info'
import { UserError } from '../core/base/result'
import { toSshExitCode } from '../core/ssh/errors'
import { EXIT, UsageError, type CliIo, type Command } from './cli-io'
import * as apply from './commands/apply'
import * as check from './commands/check'
import * as importCmd from './commands/import'
import * as lint from './commands/lint'
import * as plan from './commands/plan'
import * as render from './commands/render'
import * as rollback from './commands/rollback'
import * as status from './commands/status'

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
  rollback  --host … [ssh options]  restore the gateway to before our last change
  import    --aws-xml FILE | --aws-text FILE [--out FILE] [--force]
            [--public-ip IP] [--private-cidr CIDR …] [--dedicated-cidr CIDR …]
                                    turn AWS's configuration export into a details file

Every command accepts --json (one JSON document on stdout; progress on stderr).
KIND: strongswan, strongswan-legacy, libreswan, openswan, pfsense.
ssh options: --identity FILE [--passphrase-env VAR] | --password-env VAR | --agent,
  --known-hosts FILE, --accept-new-host-key, --jump [USER@]HOST[:PORT], --sudo [--sudo-password-env VAR]
Exit codes: 0 ok, 1 failed or errors found, 2 usage or unreadable input, 3 host key unknown or changed,
  4 cannot connect or authenticate.

  tunnelwright --help       this text
  tunnelwright --version    the version
`

const COMMANDS: Readonly<Record<string, Command | undefined>> = {
  lint: lint.run,
  render: render.run,
  check: check.run,
  plan: plan.run,
  apply: apply.run,
  status: status.run,
  rollback: rollback.run,
  import: importCmd.run,
}

/** Runs one CLI invocation and returns its exit code; never calls process.exit itself. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    ;(first === undefined ? io.stderr : io.stdout)(USAGE)
    return first === undefined ? EXIT.usage : EXIT.ok
  }
  if (first === '--version' || first === '-V') {
    io.stdout(`${getAppInfo().version}\n`)
    return EXIT.ok
  }
  const command = COMMANDS[first]
  if (!command) {
    io.stderr(`tunnelwright: unknown command '${first}'\n\n${USAGE}`)
    return EXIT.usage
  }
  // --json promises one JSON document on stdout: a command that fails before writing one gets an error document.
  let wroteStdout = false
  let errText = ''
  const tracked: CliIo = {
    ...io,
    stdout: (t) => {
      wroteStdout = true
      io.stdout(t)
    },
    stderr: (t) => {
      errText += t
      io.stderr(t)
    },
  }
  const code = await runCommand(first, command, rest, tracked)
  if (rest.includes('--json') && !wroteStdout && code !== EXIT.ok) {
    const lines = errText.trim().split('\n').filter(Boolean)
    const fix = lines.find((l) => l.startsWith('Fix: '))?.slice(5)
    io.stdout(`${JSON.stringify({ format: `tunnelwright/${first}@1`, ok: false, exitCode: code, error: { message: lines.filter((l) => !l.startsWith('Fix: ') && !l.startsWith("Run 'tunnelwright")).join(' ').replace(/^tunnelwright \S+: /, ''), ...(fix ? { fix } : {}) } }, null, 2)}\n`)
  }
  return code
}

async function runCommand(name: string, command: Command, args: readonly string[], io: CliIo): Promise<number> {
  try {
    return await command(args, io)
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`tunnelwright ${name}: ${err.message}\n\nRun 'tunnelwright --help' for usage.\n`)
      return EXIT.usage
    }
    if (err instanceof UserError) {
      io.stderr(`tunnelwright ${name}: ${err.message}\n${err.fix ? `Fix: ${err.fix}\n` : ''}`)
      const exit = toSshExitCode(err)
      return exit ?? EXIT.failed
    }
    throw err
  }
}

/** Entry point used by the `tunnelwright` bin. */
export async function main(argv: readonly string[]): Promise<void> {
  const stop = new AbortController()
  process.once('SIGINT', () => stop.abort())
  process.once('SIGTERM', () => stop.abort())
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
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim())
  } finally {
    rl.close()
  }
}
