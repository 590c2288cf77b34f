// SSH sessions against REAL OpenSSH sshd in a lab node (private network + mount namespace, reached through
// a loopback relay): host-key policy, every auth method, sudo, jump host, batching, quoting, file writes.
//
// One node per file with two sshd daemons: port 22 (pubkey + password, no PAM, SFTP, forwarding) and
// port 2222 (keyboard-interactive through PAM only, no SFTP: pfSense-like). Users and passwords live in the
// node's private /etc overlay; nothing on the machine changes.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inspect } from 'node:util'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Secret } from '../../main/core/base/secret'
import { catalog, SH, toRemotePath } from '../../main/core/ssh/catalog'
import { classifySshError, HostKeyError, type SshError, toSshExitCode } from '../../main/core/ssh/errors'
import { STORE_FILE, toHashedHost, type HostKeyPolicy } from '../../main/core/ssh/host-key'
import { connect, type SshEndpoint, type SshSession } from '../../main/core/ssh/session'
import { labGate } from '../support/gate'
import { addNamespace, DaemonNode, type PidSink } from '../lab/node'
import { mustExec, NODE_ENV, waitFor } from '../lab/proc'
import { newRecord, onExit, saveRecord, teardownRun, type RunRecord } from '../lab/registry'
import { makeKey, Relay } from '../lab/sshd'

const g = labGate('ssh-session')

const ROOT_PASSWORD = `Root-${randomBytes(9).toString('base64url')}`
const USER_PASSWORD = `User-${randomBytes(9).toString('base64url')}`
const PASSPHRASE = `Phrase-${randomBytes(9).toString('base64url')}`
const SUDO_USER = 'twsshuser'

interface Fixture {
  rec: RunRecord
  node: DaemonNode
  relay22: Relay
  relay2222: Relay
  hostPub: string
  hostFingerprint: string
  clientKey: string
  encKey: string
  agentKeyPath: string
  home: string
}

let fx: Fixture
let release: () => void = () => undefined

function sshdConfig(port: number, opts: { pam: boolean; sftp: boolean }): string {
  return [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    'HostKey /run/lab/ssh_host_ed25519_key',
    `PidFile /run/sshd-${port}.pid`,
    'PermitRootLogin yes',
    `PubkeyAuthentication ${opts.pam ? 'no' : 'yes'}`,
    `PasswordAuthentication ${opts.pam ? 'no' : 'yes'}`,
    `KbdInteractiveAuthentication ${opts.pam ? 'yes' : 'no'}`,
    `UsePAM ${opts.pam ? 'yes' : 'no'}`,
    'AuthorizedKeysFile /run/lab/authorized_keys/%u',
    'StrictModes no',
    'UseDNS no',
    'AllowTcpForwarding yes',
    'MaxStartups 50:30:100',
    ...(opts.sftp ? ['Subsystem sftp /usr/lib/openssh/sftp-server'] : []),
    '',
  ].join('\n')
}

async function startFixture(): Promise<Fixture> {
  const prefix = `tw${randomBytes(2).toString('hex')}-`
  const tmp = mkdtempSync(join(tmpdir(), `tunnelwright-lab-${prefix}`))
  chmodSync(tmp, 0o755)
  const rec = newRecord(prefix, tmp)
  saveRecord(rec)
  release = onExit(prefix, () => teardownRun(rec))
  const sink: PidSink = {
    prefix,
    tmpDir: tmp,
    addPid: (pid) => {
      rec.pids.push(pid)
      saveRecord(rec)
    },
    addNamespace: (ns) => {
      rec.namespaces.push(ns)
      saveRecord(rec)
    },
  }
  const ns = `${prefix}sshgw`
  await addNamespace(sink, ns)
  const node = new DaemonNode(sink, 'gw', ns)
  await node.start()
  const [host, client, agentKey] = await Promise.all([
    makeKey(node.dir, 'ssh_host_ed25519_key', 'gw-host'),
    makeKey(node.dir, 'client', 'client'),
    makeKey(node.dir, 'agent_key', 'agent'),
  ])
  await mustExec(['ssh-keygen', '-q', '-t', 'ed25519', '-N', PASSPHRASE, '-C', 'enc', '-f', join(node.dir, 'client_enc')])
  const encPub = readFileSync(join(node.dir, 'client_enc.pub'), 'utf8').trim()
  const authorized = [client.publicKey, encPub, agentKey.publicKey].join('\n') + '\n'
  mkdirSync(join(node.dir, 'authorized_keys'))
  writeFileSync(join(node.dir, 'authorized_keys', 'root'), authorized, { mode: 0o644 })
  writeFileSync(join(node.dir, 'authorized_keys', SUDO_USER), authorized, { mode: 0o644 })
  // Users and passwords go into the node's private /etc overlay (chpasswd reads user:password on stdin).
  await node.sh(`set -e; useradd -m -s /bin/sh -G sudo ${SUDO_USER}; chpasswd`, {
    input: `root:${ROOT_PASSWORD}\n${SUDO_USER}:${USER_PASSWORD}\n`,
  })
  // A minimal PAM stack for the keyboard-interactive daemon (the host's would need loginuid etc.).
  node.writeFile('/etc/pam.d/sshd', 'auth required pam_unix.so\naccount required pam_unix.so\nsession required pam_permit.so\n')
  node.writeFile('/run/lab/sshd22.conf', sshdConfig(22, { pam: false, sftp: true }))
  node.writeFile('/run/lab/sshd2222.conf', sshdConfig(2222, { pam: true, sftp: false }))
  for (const port of [22, 2222]) {
    await node.mustExec(['/usr/sbin/sshd', '-t', '-f', `/run/lab/sshd${port}.conf`])
    node.spawnDaemon(`sshd${port}`, ['/usr/sbin/sshd', '-D', '-e', '-f', `/run/lab/sshd${port}.conf`])
  }
  for (const port of [22, 2222]) {
    await waitFor(`sshd ${port}`, () => {
      try {
        return readFileSync(join(node.dir, `sshd${port}.out`), 'utf8').includes(`Server listening on 127.0.0.1 port ${port}`)
      } catch {
        return false
      }
    })
  }
  const relay22 = new Relay(ns, { ip: '127.0.0.1', port: 22 }, 0, sink.addPid)
  const relay2222 = new Relay(ns, { ip: '127.0.0.1', port: 2222 }, 0, sink.addPid)
  await relay22.start()
  await relay2222.start()
  const hostFingerprint = (await mustExec(['ssh-keygen', '-l', '-E', 'sha256', '-f', join(node.dir, 'ssh_host_ed25519_key.pub')])).split(' ')[1] ?? ''
  const home = join(tmp, 'home')
  mkdirSync(home)
  return {
    rec,
    node,
    relay22,
    relay2222,
    hostPub: host.publicKey,
    hostFingerprint,
    clientKey: client.privateKey,
    encKey: readFileSync(join(node.dir, 'client_enc'), 'utf8'),
    agentKeyPath: join(node.dir, 'agent_key'),
    home,
  }
}

/** A fresh, empty app known-hosts store. */
function freshStore(): string {
  return mkdtempSync(join(fx.home, 'store-'))
}

/** A policy under which the lab's host key is already known (an OpenSSH file with its plain line). */
function knownPolicy(): HostKeyPolicy {
  const file = join(mkdtempSync(join(fx.home, 'kh-')), 'known_hosts')
  const key = fx.hostPub.split(' ').slice(0, 2).join(' ')
  writeFileSync(file, `[127.0.0.1]:${fx.relay22.port} ${key}\n[127.0.0.1]:${fx.relay2222.port} ${key}\n127.0.0.1 ${key}\n`)
  return { storeDir: freshStore(), knownHostsFiles: [file] }
}

function rootKey(port = fx.relay22.port): SshEndpoint {
  return { host: '127.0.0.1', port, username: 'root', auth: { kind: 'key', privateKey: new Secret(fx.clientKey) } }
}

async function caught(p: Promise<unknown>): Promise<unknown> {
  try {
    await p
  } catch (err) {
    return err
  }
  throw new Error('expected a rejection')
}

/** Everything an error could show a user or a log. */
function allText(err: unknown): string {
  const e = err as SshError
  return [e.message, e.fix, e.likelyCause, inspect(err, { depth: 5 }), JSON.stringify(e)].join('\n')
}

describe.skipIf(g.skip)('ssh session against real sshd', () => {
  let root: SshSession

  beforeAll(async () => {
    fx = await startFixture()
    root = await connect(rootKey(), knownPolicy())
  })

  afterAll(async () => {
    await root?.close()
    fx?.relay22.close()
    fx?.relay2222.close()
    if (fx) teardownRun(fx.rec)
    release()
  })

  describe('host keys', () => {
    it('refuses an unknown key with the fingerprint ssh-keygen -l prints, and stores nothing', async () => {
      const store = freshStore()
      const err = await caught(connect(rootKey(), { storeDir: store }))
      expect(err).toBeInstanceOf(HostKeyError)
      const e = err as HostKeyError
      expect(e.code).toBe('ssh-host-key-unknown')
      expect(e.presented.fingerprint).toBe(fx.hostFingerprint)
      expect(e.presented.keyType).toBe('ssh-ed25519')
      expect(e.message).toContain(fx.hostFingerprint)
      expect(toSshExitCode(e)).toBe(3)
      expect(() => statSync(join(store, STORE_FILE))).toThrow()
    })

    it('refuses an unknown key when a different fingerprint was accepted', async () => {
      const err = await caught(connect(rootKey(), { storeDir: freshStore(), accept: { fingerprint: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } }))
      expect((err as HostKeyError).code).toBe('ssh-host-key-unknown')
    })

    it('stores an accepted fingerprint (0600, atomically) and knows it on the next connect', async () => {
      const store = freshStore()
      const first = await connect(rootKey(), { storeDir: store, accept: { fingerprint: fx.hostFingerprint } })
      expect(first.hostKey.status).toBe('accepted')
      await first.close()
      const file = join(store, STORE_FILE)
      expect(statSync(file).mode & 0o777).toBe(0o600)
      expect(readFileSync(file, 'utf8')).toBe(`[127.0.0.1]:${fx.relay22.port} ${fx.hostPub.split(' ').slice(0, 2).join(' ')}\n`)
      // The stored line is OpenSSH format: ssh-keygen finds it.
      const found = await mustExec(['ssh-keygen', '-F', `[127.0.0.1]:${fx.relay22.port}`, '-f', file])
      expect(found).toContain('ssh-ed25519')
      const second = await connect(rootKey(), { storeDir: store })
      expect(second.hostKey.status).toBe('known')
      expect(second.hostKey.key.fingerprint).toBe(fx.hostFingerprint)
      await second.close()
    })

    it('refuses a changed key even when the user accepts it, and says how to verify and remove', async () => {
      const store = freshStore()
      const other = await makeKey(mkdtempSync(join(fx.home, 'other-')), 'k', 'old')
      const otherKey = other.publicKey.split(' ').slice(0, 2).join(' ')
      writeFileSync(join(store, STORE_FILE), `[127.0.0.1]:${fx.relay22.port} ${otherKey}\n`, { mode: 0o600 })
      for (const accept of [{ fingerprint: fx.hostFingerprint }, 'first-use' as const]) {
        const err = await caught(connect(rootKey(), { storeDir: store, accept }))
        expect(err).toBeInstanceOf(HostKeyError)
        const e = err as HostKeyError
        expect(e.code).toBe('ssh-host-key-changed')
        expect(classifySshError(e)).toBe('host-key')
        expect(e.message).toContain(fx.hostFingerprint)
        expect(e.recorded[0]?.line).toBe(1)
        expect(e.likelyCause).toMatch(/man-in-the-middle/)
        expect(e.fix).toContain(`ssh-keygen -R '[127.0.0.1]:${fx.relay22.port}'`)
      }
      // The store was not touched.
      expect(readFileSync(join(store, STORE_FILE), 'utf8')).toBe(`[127.0.0.1]:${fx.relay22.port} ${otherKey}\n`)
    })

    it('honours an OpenSSH known_hosts file: plain, hashed by ssh-keygen -H, and @revoked', async () => {
      const dir = mkdtempSync(join(fx.home, 'openssh-'))
      const key = fx.hostPub.split(' ').slice(0, 2).join(' ')
      const hostId = `[127.0.0.1]:${fx.relay22.port}`
      const plain = join(dir, 'plain')
      writeFileSync(plain, `# comment\notherhost ${key}\n${hostId} ${key}\n`)
      const s1 = await connect(rootKey(), { storeDir: freshStore(), knownHostsFiles: [plain] })
      expect(s1.hostKey.status).toBe('known')
      await s1.close()

      const hashed = join(dir, 'hashed')
      writeFileSync(hashed, `${hostId} ${key}\n`)
      await mustExec(['ssh-keygen', '-H', '-f', hashed])
      expect(readFileSync(hashed, 'utf8')).toMatch(/^\|1\|/)
      const s2 = await connect(rootKey(), { storeDir: freshStore(), knownHostsFiles: [hashed] })
      expect(s2.hostKey.status).toBe('known')
      await s2.close()

      const revoked = join(dir, 'revoked')
      writeFileSync(revoked, `${hostId} ${key}\n@revoked * ${key}\n`)
      const err = await caught(connect(rootKey(), { storeDir: freshStore(), knownHostsFiles: [revoked], accept: 'first-use' }))
      expect((err as HostKeyError).code).toBe('ssh-host-key-revoked')
      expect(toSshExitCode(err)).toBe(3)

      // A hashed entry for this host with another key is a changed key.
      const other = await makeKey(dir, 'k2', 'x')
      const changed = join(dir, 'changed')
      writeFileSync(changed, `${toHashedHost(hostId)} ${other.publicKey.split(' ').slice(0, 2).join(' ')}\n`)
      const err2 = await caught(connect(rootKey(), { storeDir: freshStore(), knownHostsFiles: [changed], accept: 'first-use' }))
      expect((err2 as HostKeyError).code).toBe('ssh-host-key-changed')
    })
  })

  describe('authentication', () => {
    it('logs in with a password, and a wrong password is an exit-4 error without the password', async () => {
      const s = await connect({ host: '127.0.0.1', port: fx.relay22.port, username: 'root', auth: { kind: 'password', password: new Secret(ROOT_PASSWORD) } }, knownPolicy())
      expect((await s.run(catalog.userId())).stdout.trim()).toBe('0')
      await s.close()
      const wrong = `Wrong-${randomBytes(6).toString('hex')}`
      const err = await caught(connect({ host: '127.0.0.1', port: fx.relay22.port, username: 'root', auth: { kind: 'password', password: new Secret(wrong) } }, knownPolicy()))
      expect((err as SshError).code).toBe('ssh-auth-failed')
      expect(toSshExitCode(err)).toBe(4)
      expect(allText(err)).not.toContain(wrong)
    })

    it('logs in with keyboard-interactive (PAM, password auth off), wrong answer → exit 4', async () => {
      const ep = (pw: string): SshEndpoint => ({ host: '127.0.0.1', port: fx.relay2222.port, username: 'root', auth: { kind: 'password', password: new Secret(pw) } })
      const s = await connect(ep(ROOT_PASSWORD), knownPolicy())
      expect((await s.run(catalog.echo('kbd'))).stdout).toBe('kbd')
      await s.close()
      const err = await caught(connect(ep('not-it'), knownPolicy()))
      expect(toSshExitCode(err)).toBe(4)
      expect(allText(err)).not.toContain('not-it')
    })

    it('logs in with an encrypted key and its passphrase; a wrong passphrase is exit 4 without it', async () => {
      const ep = (p: string): SshEndpoint => ({ host: '127.0.0.1', port: fx.relay22.port, username: 'root', auth: { kind: 'key', privateKey: new Secret(fx.encKey), passphrase: new Secret(p) } })
      const s = await connect(ep(PASSPHRASE), knownPolicy())
      expect((await s.run(catalog.echo('enc'))).stdout).toBe('enc')
      await s.close()
      const err = await caught(connect(ep('bad-phrase-xyz'), knownPolicy()))
      expect((err as SshError).code).toBe('ssh-key-unreadable')
      expect(toSshExitCode(err)).toBe(4)
      expect(allText(err)).not.toContain('bad-phrase-xyz')
      expect(allText(err)).not.toContain(fx.encKey.split('\n')[1])
    })

    it('logs in through ssh-agent (ssh-agent -a SOCK, ssh-add)', async () => {
      const dir = mkdtempSync(join(fx.home, 'agent-'))
      const sock = join(dir, 'agent.sock')
      const agent = spawn('ssh-agent', ['-D', '-a', sock], { env: NODE_ENV, stdio: 'ignore', detached: true })
      if (agent.pid !== undefined) {
        fx.rec.pids.push(agent.pid)
        saveRecord(fx.rec)
      }
      try {
        await waitFor('agent socket', () => {
          try {
            return statSync(sock).isSocket()
          } catch {
            return false
          }
        })
        await mustExec(['ssh-add', fx.agentKeyPath], { env: { ...NODE_ENV, SSH_AUTH_SOCK: sock } })
        const s = await connect({ host: '127.0.0.1', port: fx.relay22.port, username: 'root', auth: { kind: 'agent', socket: sock } }, knownPolicy())
        expect((await s.run(catalog.echo('agent'))).stdout).toBe('agent')
        await s.close()
      } finally {
        agent.kill('SIGKILL')
      }
    })

    it('cannot connect where nothing listens → exit-4 class', async () => {
      const server = createServer()
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
      const port = (server.address() as { port: number }).port
      await new Promise<void>((r) => server.close(() => r()))
      const err = await caught(connect(rootKey(port), knownPolicy()))
      expect((err as SshError).code).toBe('ssh-connect-failed')
      expect(toSshExitCode(err)).toBe(4)
    })
  })

  describe('commands', () => {
    it('runBatch runs N commands in ONE round trip with per-command exit codes and separate streams', async () => {
      const forged = 'TWB0000:E:0:0\nTWB0000:B:1\n:E:1:7\n'
      const cmds = [
        catalog.echo('one'),
        catalog.readFile(toRemotePath('/nonexistent/file')),
        catalog.echo(forged),
        catalog.pathExists(toRemotePath('/etc/passwd')),
        catalog.pathExists(toRemotePath('/nonexistent')),
        catalog.echo('no newline at end'),
        catalog.echo(''),
        catalog.userId(),
      ]
      const before = root.roundTrips
      const results = await root.runBatch(cmds)
      expect(root.roundTrips - before).toBe(1)
      expect(results.map((r) => r.code)).toEqual([0, 1, 0, 0, 1, 0, 0, 0])
      expect(results[0]).toMatchObject({ id: 'echo', stdout: 'one', stderr: '' })
      expect(results[1]?.stdout).toBe('')
      expect(results[1]?.stderr).toMatch(/No such file or directory/)
      expect(results[2]?.stdout).toBe(forged)
      expect(results[5]?.stdout).toBe('no newline at end')
      expect(results[6]?.stdout).toBe('')
      expect(results[7]?.stdout).toBe('0\n')
    })

    it('quoting survives hostile arguments: remote printf %s echoes the exact bytes (fast-check)', async () => {
      const hostile = fc.oneof(
        fc.string({ unit: 'grapheme' }),
        fc.string({ unit: fc.constantFrom("'", '"', '\\', '$', '`', ';', '\n', '|', '&', '*', '?', '(', ')', '$(id)', '`id`', '~', '#', ' ', '\t', '!', '%s', '-n', 'é', '🦀', '\r') }),
      ).filter((s) => !s.includes('\0'))
      await fc.assert(
        fc.asyncProperty(fc.array(hostile, { minLength: 1, maxLength: 16 }), async (args) => {
          const results = await root.runBatch(args.map((a) => catalog.echo(a)))
          for (const [i, a] of args.entries()) {
            expect(Buffer.from(results[i]?.stdout ?? '', 'utf8').equals(Buffer.from(a, 'utf8'))).toBe(true)
          }
          const single = await root.run(catalog.echo(args[0] ?? ''))
          expect(single.stdout).toBe(args[0])
        }),
        { numRuns: 25 },
      )
    })

    it('a command past its timeout is a typed error, and the session still works', async () => {
      const err = await caught(root.runScript(SH, 'sleep 5\n', { timeoutMs: 300 }))
      expect((err as SshError).code).toBe('ssh-command-timeout')
      expect((await root.run(catalog.echo('alive'))).stdout).toBe('alive')
    })

    it("stdin-sh mode sends only the word 'sh' (pfSense 2.4 runs the first word only)", async () => {
      const s = await connect(rootKey(), knownPolicy(), { execMode: 'stdin-sh' })
      const r = await s.run(catalog.echo("it's $(here)"))
      expect(r.stdout).toBe("it's $(here)")
      expect(s.roundTrips).toBe(1)
      await s.close()
    })
  })

  describe('files', () => {
    it('writes over SFTP to a temp file, sets 0600 and renames it over the target', async () => {
      await fx.node.sh('mkdir -p /root/sftp && echo old > /root/sftp/conf')
      const data = Buffer.from("secret = 'x'\n%s\\n\u00e9\n")
      const via = await root.writeFile(toRemotePath('/root/sftp/conf'), new Secret(data.toString('utf8')), { mode: 0o600 })
      expect(via).toBe('sftp')
      const p = fx.node.hostPath('/root/sftp/conf')
      expect(readFileSync(p).equals(data)).toBe(true)
      expect(statSync(p).mode & 0o7777).toBe(0o600)
      expect((await fx.node.mustExec(['ls', '-A', '/root/sftp'])).trim()).toBe('conf')
    })

    it('falls back to stdin when the server has no SFTP: binary-safe, atomic, mode kept', async () => {
      const s = await connect({ host: '127.0.0.1', port: fx.relay2222.port, username: 'root', auth: { kind: 'password', password: new Secret(ROOT_PASSWORD) } }, knownPolicy())
      await fx.node.sh('mkdir -p /root/nosftp')
      const data = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(5000)])
      const before = s.roundTrips
      expect(await s.writeFile(toRemotePath('/root/nosftp/blob'), data, { mode: 0o640 })).toBe('stdin')
      expect(s.roundTrips - before).toBe(2) // the refused sftp subsystem + one exec
      const p = fx.node.hostPath('/root/nosftp/blob')
      expect(readFileSync(p).equals(data)).toBe(true)
      expect(statSync(p).mode & 0o7777).toBe(0o640)
      expect((await fx.node.mustExec(['ls', '-A', '/root/nosftp'])).trim()).toBe('blob')
      await s.close()
    })
  })

  describe('sudo (non-root login)', () => {
    const userKey = (): SshEndpoint => ({ host: '127.0.0.1', port: fx.relay22.port, username: SUDO_USER, auth: { kind: 'key', privateKey: new Secret(fx.clientKey) } })

    it('runs root commands through sudo -S with the password on stdin, never echoed', async () => {
      const s = await connect(userKey(), knownPolicy(), { sudo: { password: new Secret(USER_PASSWORD) } })
      const plain = await s.run({ ...catalog.userId(), root: false })
      expect(plain.stdout.trim()).not.toBe('0')
      const asRoot = await s.run({ ...catalog.userId(), root: true })
      expect(asRoot.stdout.trim()).toBe('0')
      const batch = await s.runBatch([{ ...catalog.userId(), root: true }, catalog.echo('x')])
      expect(batch.map((r) => r.stdout)).toEqual(['0\n', 'x'])
      for (const r of [asRoot, ...batch]) {
        expect(r.stdout + r.stderr).not.toContain(USER_PASSWORD)
        expect(r.stderr).not.toMatch(/tw-sudo|password/i)
      }
      await fx.node.sh('mkdir -p /root/bysudo')
      expect(await s.writeFile(toRemotePath('/root/bysudo/file'), 'by sudo\n', { mode: 0o600 })).toBe('stdin')
      const st = statSync(fx.node.hostPath('/root/bysudo/file'))
      expect([st.uid, st.mode & 0o7777]).toEqual([0, 0o600])
      await s.close()
    })

    it('a wrong sudo password is a typed exit-4 error without the password', async () => {
      const wrong = `bad-${randomBytes(5).toString('hex')}`
      const s = await connect(userKey(), knownPolicy(), { sudo: { password: new Secret(wrong) } })
      const err = await caught(s.run({ ...catalog.userId(), root: true }))
      expect((err as SshError).code).toBe('ssh-sudo-failed')
      expect(toSshExitCode(err)).toBe(4)
      expect(allText(err)).not.toContain(wrong)
      await s.close()
    })
  })

  describe('jump host', () => {
    it('reaches the gateway through a jump host, verifying both host keys', async () => {
      const store = freshStore()
      // The jump host is the relay's sshd; the target is the same sshd as seen from inside (127.0.0.1:22).
      const s = await connect(
        { host: '127.0.0.1', port: 22, username: 'root', auth: { kind: 'password', password: new Secret(ROOT_PASSWORD) } },
        { storeDir: store, accept: { fingerprint: fx.hostFingerprint } },
        { jump: rootKey() },
      )
      expect(s.jumpHostKey?.hostId).toBe(`[127.0.0.1]:${fx.relay22.port}`)
      expect(s.hostKey.hostId).toBe('127.0.0.1')
      expect((await s.run(catalog.echo('via jump'))).stdout).toBe('via jump')
      await s.close()
      expect(readFileSync(join(store, STORE_FILE), 'utf8').split('\n').filter(Boolean)).toHaveLength(2)
    })

    it('a jump host that cannot reach the target is an exit-4 error', async () => {
      const err = await caught(connect(rootKey(1), knownPolicy(), { jump: rootKey() }))
      expect((err as SshError).code).toBe('ssh-jump-failed')
      expect(toSshExitCode(err)).toBe(4)
    })
  })
})
