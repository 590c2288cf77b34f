// The gateway-side transaction, run by real /bin/sh (dash) against a throwaway folder tree.
// The stack is a stand-in made of file operations: this test proves the transaction's own logic
// (backup, atomic write, validate, revert, confirm, abort, lock); the lab suite proves it on real daemons.
import { spawn, spawnSync } from 'node:child_process'
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { toTxnLauncher, TXN_ALIVE_SH, type TxnSpec } from '../../main/core/apply/txn-script'
import type { StackProfile } from '../../main/core/gateway/stacks'

const started: number[] = []
afterEach(() => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      /* already gone */
    }
  }
})

function setup() {
  const root = mkdtempSync(join(tmpdir(), 'tw-txn-'))
  const etc = join(root, 'etc')
  mkdirSync(join(etc, 'conf.d'), { recursive: true })
  writeFileSync(join(etc, 'conf.d', 'user.conf'), 'user connection\n')
  writeFileSync(join(etc, 'conf.d', 'ours.conf'), 'old ours\n', { mode: 0o600 })
  const state = join(root, 'state')
  const stack: StackProfile = {
    validate: `! grep -rq BROKEN ${etc}/conf.d`,
    activate: `cat ${etc}/conf.d/*.conf > ${root}/loaded`,
    activateErrors: 'loading connection .* failed',
    reload: `cat ${etc}/conf.d/*.conf > ${root}/loaded`,
    initiate: [`touch ${root}/up1`, `touch ${root}/up2`],
    isUp: `[ -e ${root}/up1 ] && [ -e ${root}/up2 ] && ! grep -q NEVERUP ${root}/loaded`,
  }
  const spec = (over: Partial<TxnSpec> = {}): TxnSpec => ({
    id: `t${Date.now()}${Math.floor(Math.random() * 1e6)}`,
    baseDir: state,
    files: [
      { path: join(etc, 'conf.d', 'ours.conf'), mode: 0o600, content: 'new ours\n', secret: false },
      { path: join(etc, 'conf.d', 'ours-secrets.conf'), mode: 0o600, content: "psk '0sc2VjcmV0'\n", secret: true },
    ],
    remove: [],
    stack,
    confirmWithin: 10,
    verifyWithin: 5,
    ...over,
  })
  return { root, etc, state, stack, spec }
}

function launch(spec: TxnSpec): number {
  const r = spawnSync('sh', [], { input: toTxnLauncher(spec), encoding: 'utf8' })
  expect(r.status, r.stderr).toBe(0)
  const pid = Number(/TW-STARTED (\d+)/.exec(r.stdout)?.[1])
  started.push(pid)
  return pid
}

function progress(spec: TxnSpec): string {
  const p = join(spec.baseDir, 'txn', spec.id, 'progress')
  return existsSync(p) ? readFileSync(p, 'utf8') : ''
}

async function waitFor(spec: TxnSpec, marker: RegExp, ms = 20_000): Promise<string> {
  const end = Date.now() + ms
  for (;;) {
    const p = progress(spec)
    if (marker.test(p)) return p
    if (Date.now() > end) throw new Error(`timed out waiting for ${marker}; progress:\n${p}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

describe('gateway transaction script', () => {
  it('writes, activates, verifies, and keeps the new state once confirmed', async () => {
    const { etc, root, spec } = setup()
    const s = spec()
    launch(s)
    await waitFor(s, /VERIFIED/)
    writeFileSync(join(s.baseDir, 'txn', s.id, 'confirmed'), '')
    const p = await waitFor(s, /COMMITTED|REVERTED/)
    expect(p).toMatch(/COMMITTED/)
    expect(readFileSync(join(etc, 'conf.d', 'ours.conf'), 'utf8')).toBe('new ours\n')
    expect(statSync(join(etc, 'conf.d', 'ours-secrets.conf')).mode & 0o777).toBe(0o600)
    expect(readFileSync(join(root, 'loaded'), 'utf8')).toContain('new ours')
    expect(readFileSync(join(etc, 'conf.d', 'user.conf'), 'utf8')).toBe('user connection\n')
    expect(readFileSync(join(s.baseDir, 'last-backup'), 'utf8').trim()).toBe(s.id)
    expect(existsSync(join(s.baseDir, 'lock'))).toBe(false)
    expect(existsSync(join(s.baseDir, 'txn', s.id, 'payload')), 'payload with secrets is removed').toBe(false)
  })

  it.skipIf(process.getuid?.() !== 0)("a file that is there keeps its owner and group (FRR's frr.conf is frr:frr), a new one is root's", async () => {
    const { etc, spec } = setup()
    const theirs = join(etc, 'frr.conf')
    writeFileSync(theirs, 'router bgp 65000\n', { mode: 0o640 })
    chownSync(theirs, 65534, 65534)
    const s = spec({ files: [...spec().files, { path: theirs, mode: 0o640, content: 'router bgp 65000\n neighbor 169.254.10.1 remote-as 64512\n', secret: false }] })
    launch(s)
    await waitFor(s, /VERIFIED/)
    writeFileSync(join(s.baseDir, 'txn', s.id, 'confirmed'), '')
    expect(await waitFor(s, /COMMITTED|REVERTED/)).toMatch(/COMMITTED/)
    const st = statSync(theirs)
    expect([st.uid, st.gid, st.mode & 0o777]).toEqual([65534, 65534, 0o640])
    expect(readFileSync(theirs, 'utf8')).toContain('neighbor 169.254.10.1')
    const created = statSync(join(etc, 'conf.d', 'ours-secrets.conf'))
    expect([created.uid, created.mode & 0o777]).toEqual([0, 0o600])
  })

  it('reverts to the exact old bytes when no confirmation comes', async () => {
    const { etc, root, spec } = setup()
    const s = spec({ confirmWithin: 10, verifyWithin: 2 })
    launch(s)
    const p = await waitFor(s, /REVERTED|COMMITTED/, 30_000)
    expect(p).toMatch(/REVERTED/)
    expect(readFileSync(join(etc, 'conf.d', 'ours.conf'), 'utf8')).toBe('old ours\n')
    expect(existsSync(join(etc, 'conf.d', 'ours-secrets.conf'))).toBe(false)
    expect(readFileSync(join(root, 'loaded'), 'utf8')).toBe('old ours\nuser connection\n')
  })

  it('a plumbing script the change created is torn down before a revert removes it; an older one is only put back', async () => {
    const { etc, root, spec, stack } = setup()
    // A stand-in route.sh: "teardown" leaves a trace (the real one deletes interfaces, addresses, routes).
    const plumbing = (name: string) => ({ path: join(etc, name), mode: 0o700, content: `#!/bin/sh\n[ "$1" = teardown ] && echo "${name} torn down" >> ${root}/teardowns\n`, secret: false })
    writeFileSync(join(etc, 'old-route.sh'), '#!/bin/sh\necho old\n', { mode: 0o700 })
    const s = spec({ confirmWithin: 10, verifyWithin: 2, files: [...spec().files, plumbing('new-route.sh'), plumbing('old-route.sh')], stack: { ...stack, plumbing: [join(etc, 'new-route.sh'), join(etc, 'old-route.sh')] } })
    launch(s)
    expect(await waitFor(s, /REVERTED|COMMITTED/, 30_000)).toMatch(/REVERTED/)
    expect(readFileSync(join(root, 'teardowns'), 'utf8')).toBe('new-route.sh torn down\n')
    expect(existsSync(join(etc, 'new-route.sh'))).toBe(false)
    expect(readFileSync(join(etc, 'old-route.sh'), 'utf8')).toBe('#!/bin/sh\necho old\n')
  })

  it('rolls back at validation and never activates an invalid tree', async () => {
    const { etc, root, spec } = setup()
    const s = spec({ files: [{ path: join(etc, 'conf.d', 'ours.conf'), mode: 0o600, content: 'BROKEN\n', secret: false }] })
    launch(s)
    const p = await waitFor(s, /ROLLED-BACK/)
    expect(p).toMatch(/FAILED validate/)
    expect(p).not.toMatch(/ACTIVATED/)
    expect(readFileSync(join(etc, 'conf.d', 'ours.conf'), 'utf8')).toBe('old ours\n')
    expect(existsSync(join(root, 'loaded'))).toBe(false)
  })

  it('refuses to start when the existing tree is already broken', async () => {
    const { etc, spec } = setup()
    writeFileSync(join(etc, 'conf.d', 'user.conf'), 'BROKEN user file\n')
    const s = spec()
    launch(s)
    const p = await waitFor(s, /FAILED/)
    expect(p).toMatch(/FAILED prevalidate/)
    expect(readFileSync(join(etc, 'conf.d', 'ours.conf'), 'utf8')).toBe('old ours\n')
  })

  it('an abort request reverts at once', async () => {
    const { etc, spec, stack } = setup()
    const s = spec({ confirmWithin: 60, stack: { ...stack, isUp: 'false' }, verifyWithin: 50 })
    launch(s)
    await waitFor(s, /INITIATED/)
    writeFileSync(join(s.baseDir, 'txn', s.id, 'abort'), '')
    const p = await waitFor(s, /REVERTED/, 15_000)
    expect(p).toMatch(/VERIFY-TIMEOUT/)
    expect(readFileSync(join(etc, 'conf.d', 'ours.conf'), 'utf8')).toBe('old ours\n')
  })

  it('a second transaction settles an unconfirmed first one, then applies', async () => {
    const { etc, spec, stack } = setup()
    const first = spec({ confirmWithin: 60, verifyWithin: 50, stack: { ...stack, isUp: 'false' } })
    launch(first)
    await waitFor(first, /INITIATED/)
    const second = spec({ files: [{ path: join(etc, 'conf.d', 'ours.conf'), mode: 0o600, content: 'second\n', secret: false }] })
    launch(second)
    await waitFor(first, /REVERTED/)
    await waitFor(second, /VERIFIED/)
    writeFileSync(join(second.baseDir, 'txn', second.id, 'confirmed'), '')
    await waitFor(second, /COMMITTED/)
    expect(readFileSync(join(etc, 'conf.d', 'ours.conf'), 'utf8')).toBe('second\n')
  })

  it('a transaction killed mid-way is undone by the next one, which then applies', async () => {
    const { etc, spec, stack } = setup()
    const first = spec({ confirmWithin: 60, verifyWithin: 50, stack: { ...stack, isUp: 'false' }, files: [{ path: join(etc, 'conf.d', 'ours.conf'), mode: 0o600, content: 'first\n', secret: false }, { path: join(etc, 'conf.d', 'first-only.conf'), mode: 0o600, content: 'x\n', secret: false }] })
    const pid = launch(first)
    await waitFor(first, /INITIATED/)
    process.kill(pid, 'SIGKILL')
    // The killed transaction left its new files behind, unconfirmed.
    expect(readFileSync(join(etc, 'conf.d', 'ours.conf'), 'utf8')).toBe('first\n')
    // A later transaction that fails validation still leaves the OLD state, not the dead one's.
    const broken = spec({ files: [{ path: join(etc, 'conf.d', 'ours.conf'), mode: 0o600, content: 'BROKEN\n', secret: false }] })
    launch(broken)
    await waitFor(broken, /ROLLED-BACK/)
    expect(progress(first)).toMatch(/REVERTED by/)
    expect(readFileSync(join(etc, 'conf.d', 'ours.conf'), 'utf8')).toBe('old ours\n')
    expect(existsSync(join(etc, 'conf.d', 'first-only.conf'))).toBe(false)
    const second = spec()
    launch(second)
    await waitFor(second, /VERIFIED/)
    writeFileSync(join(second.baseDir, 'txn', second.id, 'confirmed'), '')
    await waitFor(second, /COMMITTED/)
    expect(readFileSync(join(etc, 'conf.d', 'ours.conf'), 'utf8')).toBe('new ours\n')
  })

  it('a killed transaction that is still a zombie, or whose pid now belongs to another program, is not "still running"', () => {
    // The lock check asks `txn_alive pid id`. A zombie answers kill -0 (an init slow to reap kept a
    // killed transaction "busy"), and after a reboot the pid may belong to anything.
    const alive = (script: string) => spawnSync('sh', ['-c', `${TXN_ALIVE_SH}\n${script}`], { encoding: 'utf8' }).stdout.trim()
    // The parent exec()s into sleep and never waits: its exited child stays a zombie until the parent ends.
    expect(alive('sh -c \'sleep 0 & exec sleep 3\' & sleep 0.5; z=$(ps -o pid= --ppid $!); ps -o stat= -p $z; txn_alive $z sleep && echo ALIVE || echo DEAD; kill $!')).toMatch(/^Z.*\nDEAD$/s)
    // A live process is alive only when it is the transaction's own (its command line names the id).
    expect(alive('sleep 3 & txn_alive $! "sleep 3" && echo ALIVE || echo DEAD; kill $!')).toBe('ALIVE')
    expect(alive('sleep 3 & txn_alive $! 20261125T000000Z-abcdef && echo ALIVE || echo DEAD; kill $!')).toBe('DEAD')
    expect(alive('sleep 0 & p=$!; wait $p; txn_alive $p sleep && echo ALIVE || echo DEAD')).toBe('DEAD')
  })

  it('rejects unsafe paths and ids before generating anything', () => {
    const { spec } = setup()
    expect(() => toTxnLauncher(spec({ id: 'x; rm -rf /' }))).toThrow(/unsafe/)
    expect(() => toTxnLauncher(spec({ files: [{ path: '/etc/$(reboot)', mode: 0o600, content: '', secret: false }] }))).toThrow(/unsafe/)
    expect(() => toTxnLauncher(spec({ files: [{ path: '/etc/../shadow', mode: 0o600, content: '', secret: false }] }))).toThrow(/unsafe/)
  })
})
void spawn
