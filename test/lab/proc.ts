// Running commands for the lab: one promise-returning spawn, a throwing variant, and a poller.
import { spawn, spawnSync } from 'node:child_process'

/** What a finished command left behind. */
export interface ExecResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Options for one command. */
export interface ExecOptions {
  /** Bytes written to the command's stdin (stdin is closed afterwards). */
  readonly input?: string | Buffer
  /** Killed (SIGKILL) and rejected after this long; default 60 s. */
  readonly timeoutMs?: number
  readonly env?: NodeJS.ProcessEnv
}

/** A clean environment for commands run inside lab nodes (the test process's env stays out). */
export const NODE_ENV: NodeJS.ProcessEnv = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  HOME: '/root',
  LANG: 'C.UTF-8',
  LC_ALL: 'C.UTF-8',
}

/** Runs argv to completion and resolves with its exit code and output (never rejects on a non-zero exit). */
export function execArgv(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const [cmd, ...args] = argv
  if (cmd === undefined) throw new Error('execArgv: empty argv')
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: opts.env ?? NODE_ENV, stdio: ['pipe', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (b: Buffer) => out.push(b))
    child.stderr.on('data', (b: Buffer) => err.push(b))
    const timeoutMs = opts.timeoutMs ?? 60_000
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`timed out after ${timeoutMs} ms: ${argv.join(' ')}`))
    }, timeoutMs)
    child.on('error', (e) => {
      clearTimeout(timer)
      reject(new Error(`cannot run ${cmd}`, { cause: e }))
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      })
    })
    child.stdin.on('error', () => undefined)
    child.stdin.end(opts.input ?? '')
  })
}

/** Runs argv and throws (with its output) unless it exits 0. */
export async function mustExec(argv: readonly string[], opts: ExecOptions = {}): Promise<string> {
  const r = await execArgv(argv, opts)
  if (r.code !== 0) {
    throw new Error(`command failed (exit ${r.code}): ${argv.join(' ')}\n${r.stderr}${r.stdout}`.trimEnd())
  }
  return r.stdout
}

/** Synchronous run for teardown paths (signal handlers cannot await). */
export function execSyncQuiet(argv: readonly string[]): ExecResult {
  const [cmd, ...args] = argv
  if (cmd === undefined) throw new Error('execSyncQuiet: empty argv')
  const r = spawnSync(cmd, args, { env: NODE_ENV, encoding: 'utf8', timeout: 10_000 })
  return { code: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' }
}

/** Polls `probe` until it returns a value other than undefined/false, or throws after timeoutMs. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  opts: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 20_000
  const intervalMs = opts.intervalMs ?? 25
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  for (;;) {
    try {
      const v = await probe()
      if (v !== undefined && v !== false) return v
    } catch (e) {
      lastError = e
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, lastError ? { cause: lastError } : undefined)
    }
    await new Promise((r) => setTimeout(r, intervalMs))
  }
}
