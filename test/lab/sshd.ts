// OpenSSH in a gateway node: fresh host and client keys per run, users (root or a sudo user, key or
// password), sshd with or without sftp, and the loopback relay that carries the test process's TCP
// connections into the node's namespace.
import { spawn, type ChildProcess } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createServer, type Server, type Socket } from 'node:net'
import { join } from 'node:path'
import { type DaemonNode } from './node'
import { mustExec, NODE_ENV, waitFor } from './proc'

/** A key pair made with ssh-keygen. */
export interface KeyPair {
  readonly privateKey: string
  readonly publicKey: string
}

/** Makes an ed25519 key pair in dir (ssh-keygen, no passphrase). */
export async function makeKey(dir: string, name: string, comment: string): Promise<KeyPair> {
  const path = join(dir, name)
  await mustExec(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path])
  return { privateKey: readFileSync(path, 'utf8'), publicKey: readFileSync(`${path}.pub`, 'utf8').trim() }
}

/** `SHA256:…` of an OpenSSH public key line, as `ssh-keygen -l` and ssh print it. */
export function fingerprintSha256(publicKeyLine: string): string {
  const b64 = publicKeyLine.split(/\s+/)[1] ?? ''
  return 'SHA256:' + createHash('sha256').update(Buffer.from(b64, 'base64')).digest('base64').replace(/=+$/, '')
}

/** A random password of letters and digits. */
export function randomSecret(length: number): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789'
  const bytes = randomBytes(length)
  let s = ''
  for (const b of bytes) s += alphabet[b % alphabet.length]
  return s
}

/** How the gateway is logged into. */
export interface LoginOptions {
  readonly login: 'root' | 'sudo'
  readonly auth: 'key' | 'password'
  readonly sftp: boolean
  /** `login: 'sudo'` only: which sudoers shape the user gets (default 'password'). */
  readonly sudoers?: SudoersShape
}

/**
 * The sudoers shapes people really use for an admin login (on top of Debian's `%sudo ALL=(ALL:ALL) ALL`,
 * which asks for the password):
 * - 'password': nothing more; every command asks for the password.
 * - 'nopasswd-all': `NOPASSWD: ALL`.
 * - 'nopasswd-some': NOPASSWD for the IPsec tools only; anything else asks for the password.
 * - 'nopasswd-sh': NOPASSWD for `sh` only (so `sudo -n true` fails but `sudo sh` never reads a password).
 * - 'requiretty': `Defaults requiretty` for the user (sudo refuses to run without a terminal).
 * - 'no-authenticate': `Defaults !authenticate` for the user (never asks).
 */
export type SudoersShape = 'password' | 'nopasswd-all' | 'nopasswd-some' | 'nopasswd-sh' | 'requiretty' | 'no-authenticate'

/** Every sudoers shape, for tests that walk them all. */
export const SUDOERS_SHAPES: readonly SudoersShape[] = ['password', 'nopasswd-all', 'nopasswd-some', 'nopasswd-sh', 'requiretty', 'no-authenticate']

/** The /etc/sudoers.d drop-in of a shape (sudoers.d is read after `%sudo ALL=(ALL:ALL) ALL`, so it wins). */
export function toSudoersText(shape: SudoersShape, user = SUDO_USER): string {
  const lines: Record<SudoersShape, string[]> = {
    password: [],
    'nopasswd-all': [`${user} ALL=(ALL:ALL) NOPASSWD: ALL`],
    'nopasswd-some': [`${user} ALL=(root) NOPASSWD: /usr/sbin/swanctl, /usr/sbin/ipsec, /usr/bin/id`],
    // Debian 12 is usrmerged: sudo finds sh as /usr/bin/sh through secure_path; list both spellings.
    'nopasswd-sh': [`${user} ALL=(root) NOPASSWD: /bin/sh, /usr/bin/sh`],
    requiretty: [`Defaults:${user} requiretty`],
    'no-authenticate': [`Defaults:${user} !authenticate`],
  }
  return [`# tunnelwright lab: sudoers shape ${shape}`, ...lines[shape], ''].join('\n')
}

/** Replaces the node's sudoers drop-in with a shape (checked with visudo first; the node's /etc is private). */
export async function setSudoers(node: DaemonNode, shape: SudoersShape, user = SUDO_USER): Promise<void> {
  node.writeFile('/run/lab/sudoers-candidate', toSudoersText(shape, user), 0o440)
  await node.mustExec(['visudo', '-q', '-c', '-f', '/run/lab/sudoers-candidate'])
  await node.sh('install -m 0440 -o root -g root /run/lab/sudoers-candidate /etc/sudoers.d/tunnelwright-lab')
}

/** The credentials a client needs (host/port are the relay's). */
export interface SshCredentials {
  readonly host: '127.0.0.1'
  readonly port: number
  readonly username: string
  readonly privateKey?: string
  readonly password?: string
  readonly sudoPassword?: string
  readonly knownHostsLine: string
  readonly hostKeySha256: string
}

/** The non-root user of `login: 'sudo'` gateways. */
export const SUDO_USER = 'labadmin'

/** What a node needs to offer SSH logins: keys made for this run, a user setup script, the sshd config. */
export interface SshdPlan {
  /** sh (run as root on the node, `setupInput` on stdin): users, passwords, authorized keys under /run/lab. */
  readonly setupScript: string
  readonly setupInput: string
  /** sshd_config text; it expects the node's folder (keys, authorized_keys) at /run/lab. */
  readonly config: string
  readonly creds: Omit<SshCredentials, 'port' | 'knownHostsLine'>
  readonly hostPublicKey: string
}

/**
 * Makes the keys in `dir` (the node's folder, /run/lab inside the node) and plans users and sshd.
 *
 * sudo: the user is in group `sudo` (Debian's sudoers: `%sudo ALL=(ALL:ALL) ALL`), so sudo asks for the
 * password even when the SSH login used a key, unless `opts.sudoers` picks another shape.
 */
export async function planSshd(dir: string, nodeName: string, opts: LoginOptions, how: { readonly prehash?: boolean } = {}): Promise<SshdPlan> {
  const [hostKey, clientKey] = await Promise.all([
    makeKey(dir, 'ssh_host_ed25519_key', `${nodeName}-host`),
    makeKey(dir, 'client_ed25519', `tunnelwright-lab-client`),
  ])
  const username = opts.login === 'root' ? 'root' : SUDO_USER
  const password = randomSecret(20)
  const setup = [
    'set -e',
    opts.login === 'sudo' ? `useradd -m -s /bin/bash -G sudo ${SUDO_USER}` : 'true',
    // chpasswd reads user:password on stdin (-e: already hashed; a VM under TCG takes seconds for yescrypt)
    how.prehash ? 'chpasswd -e' : 'chpasswd',
    `mkdir -p /run/lab/authorized_keys`,
    `cp /run/lab/client_ed25519.pub /run/lab/authorized_keys/${username}`,
    'chmod 0644 /run/lab/authorized_keys/*',
  ]
  const config = [
    '# tunnelwright lab sshd (node-private; keys made for this run)',
    'Port 22',
    'ListenAddress 0.0.0.0',
    'HostKey /run/lab/ssh_host_ed25519_key',
    'PidFile /run/sshd.pid',
    `PermitRootLogin ${opts.login === 'root' ? 'yes' : 'no'}`,
    `PubkeyAuthentication ${opts.auth === 'key' ? 'yes' : 'no'}`,
    `PasswordAuthentication ${opts.auth === 'password' ? 'yes' : 'no'}`,
    'KbdInteractiveAuthentication no',
    'AuthorizedKeysFile /run/lab/authorized_keys/%u',
    'StrictModes no',
    'UsePAM no',
    'UseDNS no',
    'AllowTcpForwarding yes',
    'AllowStreamLocalForwarding yes',
    'MaxSessions 20',
    'MaxStartups 50:30:100',
    'LogLevel INFO',
    ...(opts.sftp ? ['Subsystem sftp /usr/lib/openssh/sftp-server'] : []),
    '',
  ].join('\n')
  const secret = how.prehash ? (await mustExec(['openssl', 'passwd', '-6', '-stdin'], { input: password })).trim() : password
  return {
    setupScript: setup.join('\n'),
    setupInput: `${username}:${secret}\n`,
    config,
    hostPublicKey: hostKey.publicKey,
    creds: {
      host: '127.0.0.1',
      username,
      ...(opts.auth === 'key' ? { privateKey: clientKey.privateKey } : { password }),
      ...(opts.login === 'sudo' ? { sudoPassword: password } : {}),
      hostKeySha256: fingerprintSha256(hostKey.publicKey),
    },
  }
}

/** Sets up users and starts sshd inside a namespace node; returns the credentials without the relay port. */
export async function startSshd(
  node: DaemonNode,
  opts: LoginOptions,
): Promise<{ pid: number; creds: Omit<SshCredentials, 'port' | 'knownHostsLine'>; hostPublicKey: string }> {
  const plan = await planSshd(node.dir, node.name, opts)
  await node.sh(plan.setupScript, { input: plan.setupInput })
  if (opts.login === 'sudo') await setSudoers(node, opts.sudoers ?? 'password')
  node.writeFile('/run/lab/sshd_config', plan.config)
  await node.mustExec(['/usr/sbin/sshd', '-t', '-f', '/run/lab/sshd_config'])
  const pid = node.spawnDaemon('sshd', ['/usr/sbin/sshd', '-D', '-e', '-f', '/run/lab/sshd_config'])
  await waitFor(`sshd on ${node.name}`, () => {
    try {
      return readFileSync(join(node.dir, 'sshd.out'), 'utf8').includes('Server listening on 0.0.0.0 port 22')
    } catch {
      return false
    }
  }, { intervalMs: 15 })
  return { pid, hostPublicKey: plan.hostPublicKey, creds: plan.creds }
}

/**
 * A loopback TCP listener in the test process that pipes each connection into a namespace with
 * `ip netns exec NS socat - TCP:ip:port`, optionally delaying every chunk (a slow field link; this kernel
 * has no tc netem). Nothing is listening or routed outside 127.0.0.1 and the lab namespace.
 */
export class Relay {
  private server: Server | undefined
  private readonly children = new Set<ChildProcess>()
  private readonly sockets = new Set<Socket>()
  port = 0

  constructor(
    private readonly ns: string,
    private readonly target: { ip: string; port: number },
    /** Extra latency per chunk in each direction (ms); 0 = none. Can be changed while running. */
    public delayMs: number,
    private readonly onPid: (pid: number) => void,
  ) {}

  /** Starts listening on 127.0.0.1:<ephemeral>. */
  async start(): Promise<number> {
    const server = createServer((sock) => this.accept(sock))
    this.server = server
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, '127.0.0.1', () => resolve())
    })
    const addr = server.address()
    if (addr === null || typeof addr === 'string') throw new Error('relay: no port')
    this.port = addr.port
    server.unref()
    return this.port
  }

  private delayed(write: (b: Buffer) => void): (b: Buffer) => void {
    return (b: Buffer) => {
      if (this.delayMs <= 0) write(b)
      else setTimeout(() => write(b), this.delayMs) // same delay for every chunk keeps the order
    }
  }

  private accept(sock: Socket): void {
    this.sockets.add(sock)
    const child = spawn('ip', ['netns', 'exec', this.ns, 'socat', '-', `TCP:${this.target.ip}:${this.target.port}`], {
      env: NODE_ENV,
      stdio: ['pipe', 'pipe', 'ignore'],
      detached: true,
    })
    if (child.pid !== undefined) this.onPid(child.pid)
    this.children.add(child)
    const toChild = this.delayed((b) => {
      if (!child.stdin.destroyed) child.stdin.write(b)
    })
    const toSock = this.delayed((b) => {
      if (!sock.destroyed) sock.write(b)
    })
    sock.on('data', toChild)
    child.stdout.on('data', toSock)
    const endLater = (f: () => void) => (this.delayMs > 0 ? setTimeout(f, this.delayMs) : f())
    sock.on('end', () => endLater(() => child.stdin.end()))
    child.stdout.on('end', () => endLater(() => sock.end()))
    child.stdin.on('error', () => undefined)
    sock.on('error', () => child.kill('SIGKILL'))
    sock.on('close', () => {
      this.sockets.delete(sock)
      child.kill('SIGKILL')
    })
    child.on('exit', () => {
      this.children.delete(child)
      endLater(() => sock.end())
    })
  }

  /** Stops listening and cuts every open connection. */
  close(): void {
    this.server?.close()
    for (const s of this.sockets) s.destroy()
    for (const c of this.children) c.kill('SIGKILL')
  }
}
