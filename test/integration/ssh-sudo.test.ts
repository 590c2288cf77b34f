// The sudo path against REAL OpenSSH and REAL sudo (a lab gateway with `login: 'sudo'`), for the sudoers
// shapes people really use. The user's password is itself a root command (`id>FILE`): if the app ever
// wrote the password anywhere but into sudo's own prompt, a root shell would run it and FILE would exist.
// (Issue 14: with NOPASSWD for sh only, `sudo -k -n true` failed, the app ran `sudo -S … -- sh` with the
// password first on stdin, sudo never read it, and sh ran it as root.)
import { randomBytes } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Secret } from '../../main/core/base/secret'
import { catalog, ROOT_SH, toRemotePath, type RemoteCommand } from '../../main/core/ssh/catalog'
import { SshError, toSshExitCode } from '../../main/core/ssh/errors'
import { connect, type ConnectOptions, type SshSession } from '../../main/core/ssh/session'
import { up, type Lab, type SudoersShape } from '../lab'
import { labGate } from '../support/gate'

const g = labGate('ssh-sudo')

const CANARY = `/tmp/tw-sudo-canary-${randomBytes(4).toString('hex')}`
/** The login's real password: a shell command that creates CANARY if a root shell ever reads it. */
const PASSWORD = `id>${CANARY}`
/** A root command that records whatever reaches its stdin (a catalog command never reads stdin; this one does). */
const STDIN_SEEN = '/root/tw-stdin-seen'
const stdinDump: RemoteCommand = { id: 'stdin-dump', root: true, argv: ['sh', '-c', `cat > ${STDIN_SEEN}`] }

async function caught(p: Promise<unknown>): Promise<unknown> {
  try {
    await p
  } catch (err) {
    return err
  }
  throw new Error('expected a rejection')
}

function allText(err: unknown): string {
  const e = err as SshError
  return [e.message, e.likelyCause, e.fix, String(e.stack)].join('\n')
}

describe.skipIf(g.skip)('sudo on a non-root login, for each sudoers shape (real sshd + sudo)', () => {
  let lab: Lab
  let dir: string

  beforeAll(async () => {
    lab = await up({ gateway: 'swanctl', login: 'sudo' })
    await lab.gateway.exec(['chpasswd'], { input: `${lab.gateway.ssh.username}:${PASSWORD}\n` })
    dir = mkdtempSync(join(tmpdir(), 'tw-sudo-'))
    writeFileSync(join(dir, 'kh'), `${lab.gateway.ssh.knownHostsLine}\n`)
  })
  afterAll(async () => {
    await lab?.down()
  })

  const session = (opts: ConnectOptions): Promise<SshSession> => {
    const c = lab.gateway.ssh
    return connect({ host: c.host, port: c.port, username: c.username, auth: { kind: 'key', privateKey: new Secret(c.privateKey ?? '') } }, { storeDir: join(dir, 'store'), knownHostsFiles: [join(dir, 'kh')] }, opts)
  }
  const must = async (argv: readonly string[]) => {
    const r = await lab.gateway.exec(argv)
    expect(r.code, r.stderr).toBe(0)
  }
  const exists = async (path: string) => (await lab.gateway.exec(['test', '-e', path])).code === 0
  const reset = async (shape: SudoersShape) => {
    await lab.gateway.setSudoers(shape)
    await lab.gateway.exec(['rm', '-f', CANARY, STDIN_SEEN, '/root/tw-sudo-file'])
  }

  /** Every root path of the session: a catalog command, a command with stdin, a script, a batch, a root file write. */
  async function expectRootEverywhere(s: SshSession): Promise<void> {
    const id = await s.run({ ...catalog.userId(), root: true })
    expect([id.code, id.stdout]).toEqual([0, '0\n'])
    const dump = await s.run(stdinDump)
    expect(dump.code, dump.stderr).toBe(0)
    expect(await lab.gateway.readFile(STDIN_SEEN), 'the password reached a command').toBe('')
    const script = await s.runScript(ROOT_SH, 'id -u\n')
    expect([script.code, script.stdout]).toEqual([0, '0\n'])
    const batch = await s.runBatch([{ ...catalog.userId(), root: true }, catalog.echo('x')])
    expect(batch.map((r) => r.stdout)).toEqual(['0\n', 'x'])
    expect(await s.writeFile(toRemotePath('/root/tw-sudo-file'), 'by sudo\n', { mode: 0o600 })).toBe('stdin')
    expect((await lab.gateway.exec(['stat', '-c', '%u %a', '/root/tw-sudo-file'])).stdout.trim()).toBe('0 600')
    expect(await lab.gateway.readFile('/root/tw-sudo-file')).toBe('by sudo\n')
    for (const r of [id, dump, script, ...batch]) {
      expect(r.stdout + r.stderr).not.toContain(PASSWORD)
      expect(r.stderr).not.toMatch(/tw-sudo/)
    }
  }

  for (const shape of ['password', 'nopasswd-all', 'nopasswd-some', 'nopasswd-sh', 'no-authenticate'] as const) {
    it(`${shape}: with the password, every root path runs as root and the password never reaches a shell or a command`, async () => {
      await reset(shape)
      const s = await session({ sudo: { password: new Secret(PASSWORD) } })
      try {
        await expectRootEverywhere(s)
      } finally {
        await s.close()
      }
      expect(await exists(CANARY), `${shape}: a root shell executed the sudo password`).toBe(false)
    })
  }

  for (const shape of ['nopasswd-all', 'nopasswd-sh', 'no-authenticate'] as const) {
    it(`${shape}: without a password, root commands run (sudo never asks)`, async () => {
      await reset(shape)
      const s = await session({ sudo: {} })
      try {
        await expectRootEverywhere(s)
      } finally {
        await s.close()
      }
    })
  }

  for (const shape of ['password', 'nopasswd-some'] as const) {
    it(`${shape}: without a password, a clear exit-4 error (sudo asks, nothing is sent)`, async () => {
      await reset(shape)
      const s = await session({ sudo: {} })
      try {
        const err = await caught(s.runScript(ROOT_SH, 'id -u\n'))
        expect(err).toBeInstanceOf(SshError)
        expect((err as SshError).code).toBe('ssh-sudo-failed')
        expect((err as SshError).message).toMatch(/asks for a password and none was given/)
        expect(toSshExitCode(err)).toBe(4)
      } finally {
        await s.close()
      }
    })
  }

  it('password: a wrong password is a clear exit-4 error, not a hang, and the error never carries it', async () => {
    await reset('password')
    const wrong = `wrong>${CANARY}-${randomBytes(3).toString('hex')}`
    const s = await session({ sudo: { password: new Secret(wrong) } })
    try {
      // One attempt at a time: starting both at once left the second's refusal without a handler while the first was awaited.
      for (const attempt of [() => s.run({ ...catalog.userId(), root: true }), () => s.runScript(ROOT_SH, 'id -u\n')]) {
        const err = await caught(attempt())
        expect((err as SshError).code).toBe('ssh-sudo-failed')
        expect((err as SshError).message).toMatch(/refused the password/)
        expect(toSshExitCode(err)).toBe(4)
        expect(allText(err)).not.toContain(wrong)
      }
      // The session is still usable for commands that need no root.
      expect((await s.run(catalog.echo('still here'))).stdout).toBe('still here')
    } finally {
      await s.close()
    }
    expect(await exists(CANARY)).toBe(false)
  })

  it('requiretty: a clear error naming requiretty; nothing runs', async () => {
    await reset('requiretty')
    const s = await session({ sudo: { password: new Secret(PASSWORD) } })
    try {
      const err = await caught(s.runScript(ROOT_SH, 'id -u\n'))
      expect((err as SshError).code).toBe('ssh-sudo-failed')
      expect((err as SshError).message).toMatch(/without a terminal/)
      expect((err as SshError).likelyCause).toMatch(/requiretty/)
      expect(allText(err)).not.toContain(PASSWORD)
    } finally {
      await s.close()
    }
    expect(await exists(CANARY)).toBe(false)
  })

  it('an expired password (sudo asks its own question after the password): no second write, a clear error after the sudo timeout', async () => {
    await reset('password')
    // sudo takes the password, then PAM says it expired and sudo asks again with a prompt of its own
    // ("[sudo] password for %p: "); the gate answers only the app's own prompt, once.
    await must(['chage', '-d', '0', lab.gateway.ssh.username])
    try {
      const s = await session({ sudo: { password: new Secret(PASSWORD) }, sudoTimeoutMs: 4000 })
      try {
        const err = await caught(s.runScript(ROOT_SH, 'id -u\n'))
        expect((err as SshError).code).toBe('ssh-sudo-failed')
        expect((err as SshError).message).toMatch(/neither asked for the password with the app's prompt nor started the command/)
        expect((err as SshError).message).toMatch(/expired/)
        expect(allText(err)).not.toContain(PASSWORD)
      } finally {
        await s.close()
      }
    } finally {
      await must(['chage', '-d', new Date().toISOString().slice(0, 10), lab.gateway.ssh.username])
    }
    expect(await exists(CANARY)).toBe(false)
  })

  it('a sudo password with a line break is refused before connecting', async () => {
    const err = await caught(session({ sudo: { password: new Secret(`${PASSWORD}\nid>${CANARY}-2`) } }))
    expect((err as SshError).code).toBe('ssh-sudo-failed')
    expect((err as SshError).message).toMatch(/line break/)
    expect(allText(err)).not.toContain(CANARY)
  })
})
