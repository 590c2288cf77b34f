// The run registry: every lab run writes down its prefix, namespaces, pids and temp dir in .lab-runs/, so
// teardown (normal, on a signal, or after the owner crashed) removes exactly what that run made.
//
// SAFETY: nothing here touches anything that is not named with a run's own prefix or recorded by that run.
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { execSyncQuiet } from './proc'

/** Where run records live (git-ignored). */
export const RUNS_DIR = resolve(repoRoot(), '.lab-runs')

/**
 * The repository's root: the nearest folder with Tunnelwright's package.json above the working directory
 * or above the running script (a bundle). Not `import.meta`: Playwright loads this module as CommonJS,
 * where `import.meta` makes Node treat the compiled file as an ES module and fail.
 */
export function repoRoot(): string {
  for (const start of [process.cwd(), process.argv[1] ? dirname(resolve(process.argv[1])) : undefined]) {
    if (start !== undefined) {
      const found = findPackageRoot(start)
      if (found !== undefined) return found
    }
  }
  throw new Error('cannot find the repository root (package.json of tunnelwright) above the working directory')
}

function findPackageRoot(from: string): string | undefined {
  let dir = from
  for (;;) {
    try {
      if (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name === 'tunnelwright') return dir
    } catch {
      // no package.json here
    }
    const up = dirname(dir)
    if (up === dir) return undefined
    dir = up
  }
}

/** A run prefix: `tw` + 4 hex digits + `-`. Every namespace and link of the run starts with it. */
export const PREFIX_RE = /^tw[0-9a-f]{4}-$/

/** What one run made, as written to .lab-runs/<prefix>.json. */
export interface RunRecord {
  readonly prefix: string
  readonly ownerPid: number
  /** Start time of the owner (field 22 of /proc/PID/stat), to tell a live owner from a reused pid. */
  readonly ownerStart: string
  readonly tmpDir: string
  readonly namespaces: string[]
  readonly pids: number[]
}

function procStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) may contain spaces: count fields after the closing parenthesis.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return rest[19]
  } catch {
    return undefined
  }
}

/** True while pid is a live (not zombie) process. */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)
    return state !== 'Z' && state !== 'X'
  } catch {
    return false
  }
}

function recordPath(prefix: string): string {
  return join(RUNS_DIR, `${prefix}.json`)
}

/** Writes (or rewrites) a run's record. */
export function saveRecord(rec: RunRecord): void {
  mkdirSync(RUNS_DIR, { recursive: true })
  writeFileSync(recordPath(rec.prefix), JSON.stringify(rec, null, 2) + '\n')
}

/** A new record for a run owned by this process. */
export function newRecord(prefix: string, tmpDir: string): RunRecord {
  if (!PREFIX_RE.test(prefix)) throw new Error(`bad lab prefix ${prefix}`)
  return { prefix, ownerPid: process.pid, ownerStart: procStart(process.pid) ?? '', tmpDir, namespaces: [], pids: [] }
}

/** The namespaces that exist now and carry this prefix. */
export function namespacesWithPrefix(prefix: string): string[] {
  if (!PREFIX_RE.test(prefix)) throw new Error(`bad lab prefix ${prefix}`)
  const r = execSyncQuiet(['ip', 'netns', 'list'])
  return r.stdout
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith(prefix))
}

/** The namespace a process lives in, by comparing /proc/PID/ns/net with /run/netns/NAME. */
function netnsOf(pid: number, names: readonly string[]): string | undefined {
  let link: string
  try {
    link = readlinkSync(`/proc/${pid}/ns/net`)
  } catch {
    return undefined
  }
  for (const n of names) {
    try {
      const ino = statSync(`/run/netns/${n}`).ino
      if (link === `net:[${ino}]`) return n
    } catch {
      // namespace already gone
    }
  }
  return undefined
}

function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal)
  } catch {
    // already gone
  }
}

/**
 * Removes everything a run made: kills its recorded pids (only while they still live in one of its
 * namespaces, so a reused pid is never hit), every process inside its namespaces, then the namespaces and
 * the temp dir. Synchronous so that signal handlers can call it. Idempotent.
 */
export function teardownRun(rec: Pick<RunRecord, 'prefix' | 'tmpDir' | 'pids'>): void {
  if (!PREFIX_RE.test(rec.prefix)) throw new Error(`refusing to tear down bad prefix ${rec.prefix}`)
  const names = namespacesWithPrefix(rec.prefix)
  // Also wait for recorded pids that are already dying (their ns link is gone but they are not reaped).
  const dying = (p: number) => {
    try {
      readlinkSync(`/proc/${p}/ns/net`)
      return false
    } catch {
      return true
    }
  }
  const killed = new Set<number>(rec.pids.filter((p) => isRunning(p) && (netnsOf(p, names) !== undefined || dying(p))))
  for (const pid of rec.pids) {
    if (netnsOf(pid, names) !== undefined) {
      kill(-pid, 'SIGKILL') // the process group (daemons are started detached, each leading its group)
      kill(pid, 'SIGKILL')
    }
  }
  for (let round = 0; round < 40; round++) {
    let alive = 0
    for (const ns of names) {
      const pids = execSyncQuiet(['ip', 'netns', 'pids', ns]).stdout.split('\n').filter(Boolean).map(Number)
      for (const pid of pids) {
        alive++
        killed.add(pid)
        kill(pid, 'SIGKILL')
      }
    }
    // SIGKILL is asynchronous: wait until every process we killed is really gone (or a zombie).
    for (const pid of killed) if (isRunning(pid)) alive++
    if (alive === 0) break
    execSyncQuiet(['sleep', '0.05'])
  }
  for (const ns of names) execSyncQuiet(['ip', 'netns', 'del', ns])
  if (rec.tmpDir && rec.tmpDir.includes(`tunnelwright-lab-${rec.prefix}`)) rmSync(rec.tmpDir, { recursive: true, force: true })
  rmSync(recordPath(rec.prefix), { force: true })
}

/** Tears down every recorded run whose owner process is gone (a crashed or killed test run). */
export function cleanStale(): string[] {
  if (!existsSync(RUNS_DIR)) return []
  const cleaned: string[] = []
  for (const f of readdirSync(RUNS_DIR)) {
    if (!f.endsWith('.json')) continue
    let rec: RunRecord
    try {
      rec = JSON.parse(readFileSync(join(RUNS_DIR, f), 'utf8')) as RunRecord
    } catch {
      continue
    }
    if (!PREFIX_RE.test(rec.prefix)) continue
    const alive = procStart(rec.ownerPid)
    if (alive !== undefined && alive === rec.ownerStart) continue
    teardownRun(rec)
    cleaned.push(rec.prefix)
  }
  return cleaned
}

/** Reads a run's record, if it still exists. */
export function readRecord(prefix: string): RunRecord | undefined {
  try {
    return JSON.parse(readFileSync(recordPath(prefix), 'utf8')) as RunRecord
  } catch {
    return undefined
  }
}

const live = new Map<string, () => void>()
let hooked = false

/** Makes sure `down` runs when this process exits or gets SIGINT/SIGTERM/SIGHUP. */
export function onExit(prefix: string, down: () => void): () => void {
  live.set(prefix, down)
  if (!hooked) {
    hooked = true
    const all = () => {
      for (const d of [...live.values()]) d()
    }
    process.on('exit', all)
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.once(sig, () => {
        all()
        process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1))
      })
    }
  }
  return () => live.delete(prefix)
}
