// The lab leaves nothing behind: a killed run (SIGKILL, no handler runs) is cleaned by the next run's
// stale sweep; a SIGTERM-ed run cleans itself; and the root namespace's `ip addr` / `ip route` are
// byte-identical before and after a full run with every option. A VM run killed while its guests boot
// leaves no qemu, TAP, bridge or namespace either (the full VM run's root-namespace check is in
// vm-apply-swanctl.test.ts, which boots its VMs anyway).
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { labGate, vmGate } from '../support/gate'
import { cleanStale, isRunning, namespacesWithPrefix, readRecord, rootNetSnapshot, RUNS_DIR, up } from '../../test/lab/index'
import { execSyncQuiet, waitFor } from '../../test/lab/proc'
import { referenceSwanctlConf } from '../../test/lab/reference'

const g = labGate('lab self-test: teardown')
const vg = vmGate('lab self-test: VM teardown')
const here = dirname(fileURLToPath(import.meta.url))
const CLI = resolve(here, '../lab/cli.ts')

/** The lab CLI exactly as `npm run lab` runs it: bundled by test/tools/run-ts.mjs, then plain node. */
function tsRunner(): string[] {
  return [process.execPath, resolve(here, '../tools/run-ts.mjs')]
}

/** Starts the CLI with --json and resolves with its first output line once the lab is up. */
function startCliLab(args: string[]): Promise<{ child: ChildProcess; info: { prefix: string } }> {
  const [node, runner] = tsRunner()
  const child = spawn(node as string, [runner as string, CLI, ...args, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] })
  return new Promise((resolve, reject) => {
    let out = ''
    let err = ''
    child.stderr!.on('data', (b: Buffer) => (err += b.toString()))
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString()
      const nl = out.indexOf('\n')
      if (nl >= 0) resolve({ child, info: JSON.parse(out.slice(0, nl)) as { prefix: string } })
    })
    child.on('exit', (code) => reject(new Error(`lab CLI exited ${code}: ${err}`)))
  })
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())))
}

/** Everything of a run that could be left behind, as seen from the root namespace. */
function leftovers(prefix: string, pids: readonly number[]) {
  const alive = pids
    .filter((p) => isRunning(p))
    .map((p) => {
      try {
        return `${p} ${readFileSync(`/proc/${p}/cmdline`, 'utf8').replaceAll('\0', ' ')}`
      } catch {
        return `${p} (gone)`
      }
    })
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(prefix))
  const links = execSyncQuiet(['ip', '-o', 'link']).stdout.split('\n').filter((l) => l.includes(prefix))
  return { namespaces: namespacesWithPrefix(prefix), alive, mounts, links }
}

const NOTHING = { namespaces: [], alive: [], mounts: [], links: [] }

/** The command name of a live process, or undefined. */
function comm(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim()
  } catch {
    return undefined
  }
}

describe.skipIf(g.skip)('lab: teardown', () => {
  const children: ChildProcess[] = []
  afterAll(() => {
    for (const c of children) c.kill('SIGKILL')
    cleanStale()
  })

  it('a killed run leaves nothing behind once the next run sweeps stale runs', async () => {
    const { child, info } = await startCliLab(['swanctl', '--existing', '--nat'])
    children.push(child)
    const rec = readRecord(info.prefix)
    expect(rec).toBeDefined()
    const pids = rec!.pids
    expect(pids.length).toBeGreaterThan(3)
    expect(namespacesWithPrefix(info.prefix).length).toBeGreaterThanOrEqual(6)
    expect(pids.some((p) => existsSync(`/proc/${p}`))).toBe(true)

    child.kill('SIGKILL') // no handler runs: daemons and namespaces survive the owner…
    await exited(child)
    expect(namespacesWithPrefix(info.prefix).length).toBeGreaterThan(0)

    expect(cleanStale()).toContain(info.prefix) // …until the stale sweep (every up() runs it first)
    expect(leftovers(info.prefix, pids)).toEqual(NOTHING)
    expect(existsSync(rec!.tmpDir)).toBe(false)
    expect(readRecord(info.prefix)).toBeUndefined()
  })

  it('a run that gets SIGTERM tears itself down', async () => {
    const { child, info } = await startCliLab(['starter'])
    children.push(child)
    const pids = readRecord(info.prefix)!.pids
    child.kill('SIGTERM')
    await exited(child)
    expect(child.exitCode).toBe(143)
    expect(leftovers(info.prefix, pids)).toEqual(NOTHING)
    expect(readRecord(info.prefix)).toBeUndefined()
  })

  it('ip addr and ip route of the root namespace are byte-identical before and after a full run', async () => {
    const snapshot = rootNetSnapshot
    const before = snapshot()
    const lab = await up({ gateway: 'swanctl', nat: true, existingConnection: true, block: ['esp'], sshDelayMs: 5, login: 'sudo', auth: 'password' })
    const prefix = lab.prefix
    try {
      await lab.gateway.writeFile('/etc/swanctl/conf.d/aws.conf', referenceSwanctlConf(lab), 0o600)
      await lab.gateway.exec(['swanctl', '--load-all', '--noprompt'])
      await lab.internet.setBlock([])
      expect(snapshot()).toBe(before) // not even while the lab runs
    } finally {
      await lab.down()
      await lab.down() // idempotent
    }
    expect(snapshot()).toBe(before)
    expect(leftovers(prefix, [])).toEqual(NOTHING)
  })
})

describe.skipIf(vg.skip)('lab: VM teardown', () => {
  const children: ChildProcess[] = []
  afterAll(() => {
    for (const c of children) c.kill('SIGKILL')
    cleanStale()
  })

  it('a VM run killed while its guests boot leaves no qemu, TAP, bridge or namespace behind', async () => {
    const before = rootNetSnapshot()
    const [node, runner] = tsRunner()
    const child = spawn(node as string, [runner as string, CLI, 'swanctl', '--vm', '--json'], { stdio: ['ignore', 'ignore', 'ignore'] })
    children.push(child)
    // The run's record names its qemu pids as soon as each guest starts; kill the owner right then.
    const found = await waitFor(
      'the run record with both qemu pids and their TAPs',
      () => {
        for (const f of existsSync(RUNS_DIR) ? readdirSync(RUNS_DIR) : []) {
          const rec = readRecord(f.replace(/\.json$/, ''))
          if (!rec || rec.ownerPid !== child.pid) continue
          const qemus = rec.pids.filter((p) => comm(p)?.startsWith('qemu-system'))
          const taps = namespacesWithPrefix(rec.prefix).flatMap((ns) => execSyncQuiet(['ip', '-n', ns, '-o', 'link', 'show', 'type', 'tun']).stdout.split('\n').filter(Boolean))
          if (qemus.length === 2 && taps.length === 4) return { rec, qemus, taps }
        }
        return undefined
      },
      { timeoutMs: 120_000, intervalMs: 100 },
    )
    expect(found.qemus.every((p) => isRunning(p))).toBe(true)
    child.kill('SIGKILL')
    await exited(child)
    expect(found.qemus.every((p) => isRunning(p))).toBe(true) // the guests outlive their owner…

    expect(cleanStale()).toContain(found.rec.prefix) // …until the stale sweep
    expect(found.qemus.filter((p) => isRunning(p))).toEqual([])
    expect(leftovers(found.rec.prefix, found.rec.pids)).toEqual(NOTHING)
    expect(existsSync(found.rec.tmpDir)).toBe(false)
    expect(rootNetSnapshot()).toBe(before)
  }, 240_000)
})
