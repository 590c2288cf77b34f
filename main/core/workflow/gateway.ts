// Opening a gateway: from what a face knows (the CLI's options and ~/.ssh/config, or a saved profile's
// connection and stored secrets) to one verified SSH session, with what detection learned kept on it.
import { existsSync } from 'node:fs'
import { homedir, userInfo } from 'node:os'
import { join } from 'node:path'
import type { Duplex } from 'node:stream'
import { InputError, UserError } from '../base/result'
import { Secret } from '../base/secret'
import type { Connection } from '../app-data/profiles'
import type { Finding as CheckFinding } from '../checks/model'
import { parseDetect, toDetectScript, type GatewayFacts } from '../gateway/detect'
import { toGatewayShell, type GatewayShell } from '../gateway/shell'
import { toRemotePath } from '../ssh/catalog'
import { HostKeyError } from '../ssh/errors'
import { toHostId, type HostKeyPolicy } from '../ssh/host-key'
import { connect, type ConnectOptions, type SshAuth, type SshEndpoint, type SshSession } from '../ssh/session'
import { readPrivateKeyFile } from '../ssh/key-file'
import { parseJumpHop, parseSshConfig, readSshConfigFile, resolveSshHost } from '../ssh/ssh-config'

/** Where and how to reach a gateway: the endpoint, the host-key policy (required), sudo and jump host. */
export interface GatewayTarget {
  readonly endpoint: SshEndpoint
  readonly policy: HostKeyPolicy
  readonly options: ConnectOptions
}

/** The SSH connect function (the core's; replaceable where a test must produce a case a real server cannot). */
export type Connector = (endpoint: SshEndpoint, policy: HostKeyPolicy, opts: ConnectOptions) => Promise<Pick<SshSession, 'runScript' | 'close' | 'hostKey'> & Partial<Pick<SshSession, 'openUnixSocket'>>>

/** The gateway's host key as the session verified it. */
export interface VerifiedHostKey {
  readonly hostId: string
  readonly keyType: string
  readonly fingerprint: string
  /** 'accepted' = recorded just now on the user's decision. */
  readonly status: 'known' | 'accepted'
}

/** An open gateway: run scripts as root, reach charon's VICI socket, and remember what was learned. */
export interface Gateway {
  readonly hostKey: VerifiedHostKey
  /** Scripts as root on the gateway (through sudo on a non-root login). */
  readonly shell: GatewayShell
  /** A stream to a Unix socket on the gateway (charon's VICI socket), when the session can forward one. */
  readonly openUnixSocket?: (path: string) => Promise<Duplex>
  /** What detection found (kept for the session: detection runs once unless asked again). */
  facts?: GatewayFacts
  /** The findings of the last check on this gateway (what a fix is chosen from, and the "before" of a change record). */
  lastCheck?: readonly CheckFinding[]
  /** Closes the SSH session. */
  close(): Promise<void>
}

/** How opening ended: open, or the host key is unknown and the user must decide (never decided for them). */
export type OpenResult =
  | { readonly status: 'open'; readonly gateway: Gateway }
  | { readonly status: 'host-key-unknown'; readonly hostId: string; readonly jumpHost: boolean; readonly keyType: string; readonly fingerprint: string }

/** The question to ask the user when `err` is an unknown host key (the gateway's or its jump host's), else undefined. */
export function toHostKeyQuestion(err: unknown, target: Pick<GatewayTarget, 'endpoint' | 'options'>): Extract<OpenResult, { status: 'host-key-unknown' }> | undefined {
  if (!(err instanceof HostKeyError) || err.code !== 'ssh-host-key-unknown') return undefined
  const { endpoint, options } = target
  const jump = options.jump
  const isJump = jump !== undefined && err.presented.hostId === toHostId(jump.host, jump.port ?? 22) && err.presented.hostId !== toHostId(endpoint.host, endpoint.port ?? 22)
  return { status: 'host-key-unknown', hostId: err.presented.hostId, jumpHost: isJump, keyType: err.presented.keyType, fingerprint: err.presented.fingerprint }
}

/**
 * Opens a verified SSH session to the gateway. An unknown host key comes back as a question for the user
 * ('ask', the app), or is refused with the fingerprint and how to accept it ('refuse', the CLI without
 * --accept-new-host-key); a changed or revoked key is always refused.
 */
export async function openGateway(target: GatewayTarget, opts: { readonly connector?: Connector; readonly unknownHostKey?: 'ask' | 'refuse' } = {}): Promise<OpenResult> {
  const { endpoint, policy, options } = target
  let session: Awaited<ReturnType<Connector>>
  try {
    session = await (opts.connector ?? connect)(endpoint, policy, options)
  } catch (err) {
    const question = opts.unknownHostKey === 'refuse' ? undefined : toHostKeyQuestion(err, target)
    if (question) return question
    throw err
  }
  const v = session.hostKey
  const open = session.openUnixSocket
  const gateway: Gateway = {
    hostKey: { hostId: v.hostId, keyType: v.key.type, fingerprint: v.key.fingerprint, status: v.status },
    // Engine scripts may carry PSKs: they travel as Secret, stdout streamed.
    shell: toGatewayShell(session),
    ...(open ? { openUnixSocket: (path: string) => open.call(session, toRemotePath(path)) } : {}),
    close: () => session.close(),
  }
  return { status: 'open', gateway }
}

/** Detects what the gateway is (one round trip, read-only) and keeps it on the gateway. */
export async function detectGateway(gateway: Pick<Gateway, 'shell' | 'facts'>, opts: { readonly again?: boolean } = {}): Promise<GatewayFacts> {
  if (gateway.facts && !opts.again) return gateway.facts
  const r = await gateway.shell.runScript(toDetectScript(), { timeoutMs: 30_000 })
  if (r.code !== 0) throw new UserError('detect-failed', 'Could not inspect the gateway.', { likelyCause: r.stderr.slice(0, 300), fix: 'Check that the login can run commands as root (or with sudo).' })
  const facts = parseDetect(r.stdout)
  gateway.facts = facts
  return facts
}

// ------------------------------------------------------------------------------------------------
// Targets

/** The CLI's ssh options (cli.md), as given on the command line. */
export interface SshOptionValues {
  readonly host?: string
  readonly identity?: string
  readonly 'passphrase-env'?: string
  readonly 'password-env'?: string
  readonly agent?: boolean
  readonly 'known-hosts'?: string
  readonly 'accept-new-host-key'?: boolean
  readonly jump?: string
  readonly sudo?: boolean
  readonly 'sudo-password-env'?: string
}

/** Reads a private key file the user named (bounded: a regular file of a few kB; a FIFO or device is refused). */
export type KeyReader = (path: string) => string

const readKeyFile: KeyReader = readPrivateKeyFile

function envSecret(env: Readonly<Record<string, string | undefined>>, name: string | undefined, what: string): Secret | undefined {
  if (name === undefined) return undefined
  const v = env[name]
  if (v === undefined || v === '') throw new InputError('ssh-option', `${what}: the environment variable ${name} is not set`)
  return new Secret(v)
}

/** `[USER@]HOST[:PORT]` → its parts, refusing what is not a host or a port. */
export function parseHostText(text: string): { user?: string; host: string; port?: number } {
  let hop: ReturnType<typeof parseJumpHop>
  try {
    hop = parseJumpHop(text)
  } catch {
    throw new InputError('ssh-option', `not a host: ${JSON.stringify(text)} (a port is a whole number from 1 to 65535)`, { fix: 'Give [USER@]HOST[:PORT], e.g. admin@gw.example.org:22.' })
  }
  if (!hop.host || /[\s/]/.test(hop.host)) throw new InputError('ssh-option', `not a host: ${JSON.stringify(text)}`, { fix: 'Give [USER@]HOST[:PORT], e.g. admin@gw.example.org:22.' })
  if (hop.port !== undefined && !(Number.isInteger(hop.port) && hop.port > 0 && hop.port < 65536)) throw new InputError('ssh-option', `not a port in ${JSON.stringify(text)}`, { fix: 'A port is a whole number from 1 to 65535.' })
  return { ...(hop.user ? { user: hop.user } : {}), host: hop.host, ...(hop.port ? { port: hop.port } : {}) }
}

/** The CLI's options (and ~/.ssh/config, as OpenSSH reads it) → a gateway target; the known-hosts store is the app's own. */
export function toCliTarget(
  v: SshOptionValues,
  ctx: { readonly env: Readonly<Record<string, string | undefined>>; readonly storeDir: string; readonly extraKnownHosts?: readonly string[]; readonly readKey?: KeyReader },
): GatewayTarget {
  if (!v.host) throw new InputError('ssh-option', '--host [USER@]HOST[:PORT] is required')
  const env = ctx.env
  const target = parseHostText(v.host)
  const home = env['HOME'] ?? homedir()
  const configPath = join(home, '.ssh', 'config')
  const localUser = safeUser(env)
  let configText: string | undefined
  try {
    configText = readSshConfigFile(configPath)
  } catch (err) {
    throw asInputError(err, 'ssh-config-unreadable', `Cannot read ${JSON.stringify(configPath)}.`)
  }
  const cfg = configText === undefined ? undefined : resolveSshHost(parseSshConfig(configText), target.host, { home, localUser })
  const auths = [v.identity !== undefined, v['password-env'] !== undefined, v.agent === true].filter(Boolean).length
  if (auths > 1) throw new InputError('ssh-option', 'choose one of --identity, --password-env, --agent')
  let auth: SshAuth
  if (v['password-env'] !== undefined) auth = { kind: 'password', password: envSecret(env, v['password-env'], '--password-env')! }
  else if (v.agent || (v.identity === undefined && !cfg?.identityFiles.length && env['SSH_AUTH_SOCK'])) auth = { kind: 'agent' }
  else {
    const keyFile = v.identity ?? cfg?.identityFiles.find((f) => existsSync(f)) ?? [join(home, '.ssh', 'id_ed25519'), join(home, '.ssh', 'id_rsa')].find((f) => existsSync(f))
    if (!keyFile) throw new InputError('ssh-option', 'no way to log in: give --identity FILE, --password-env VAR or --agent')
    const passphrase = envSecret(env, v['passphrase-env'], '--passphrase-env')
    auth = { kind: 'key', privateKey: readKey(keyFile, ctx.readKey ?? readKeyFile), ...(passphrase ? { passphrase } : {}) }
  }
  const username = target.user ?? cfg?.user ?? localUser
  const endpoint: SshEndpoint = { host: cfg?.hostName ?? target.host, port: target.port ?? cfg?.port ?? 22, username, auth }
  const policy: HostKeyPolicy = {
    storeDir: ctx.storeDir,
    knownHostsFiles: [...(v['known-hosts'] ? [v['known-hosts']] : []), ...(cfg?.userKnownHostsFiles ?? []), ...(ctx.extraKnownHosts ?? []).filter((f) => existsSync(f))],
    ...(v['accept-new-host-key'] ? { accept: 'first-use' as const } : {}),
  }
  const hop = cfg?.proxyJump[0]
  const jumpText = v.jump ?? (hop ? `${hop.user ? `${hop.user}@` : ''}${hop.host}${hop.port ? `:${hop.port}` : ''}` : undefined)
  const jump = jumpText ? parseHostText(jumpText) : undefined
  const sudoPassword = envSecret(env, v['sudo-password-env'], '--sudo-password-env')
  const options: ConnectOptions = {
    ...(jump ? { jump: { host: jump.host, port: jump.port ?? 22, username: jump.user ?? username, auth } } : {}),
    ...(v.sudo || sudoPassword ? { sudo: sudoPassword ? { password: sudoPassword } : {} } : {}),
  }
  return { endpoint, policy, options }
}

/** The secrets a profile's connection may need, looked up by slot when needed. */
export type SlotReader = (slot: 'sshPassword' | 'keyPassphrase' | 'sudoPassword') => Secret | undefined

function missing(what: string): UserError {
  return new UserError('secret-missing', `The ${what} is not set for this profile.`, { fix: `Enter the ${what} in the profile's connection settings.` })
}

/** The ssh2 login of a profile's connection. */
export function toProfileAuth(c: Connection, secret: SlotReader, readKeyText: KeyReader = readKeyFile): SshAuth {
  switch (c.auth) {
    case 'password': {
      const password = secret('sshPassword')
      if (!password) throw missing('SSH password')
      return { kind: 'password', password }
    }
    case 'key': {
      if (!c.privateKeyPath) throw new UserError('key-path-missing', 'No private key file is set for this profile.', { fix: 'Choose the private key file in the connection settings.' })
      const passphrase = secret('keyPassphrase')
      return { kind: 'key', privateKey: readKey(c.privateKeyPath, readKeyText), ...(passphrase ? { passphrase } : {}) }
    }
    case 'agent':
      return { kind: 'agent' }
  }
}

/** A saved profile's connection (+ its stored secrets) → a gateway target; `accept` is the fingerprint the user just accepted. */
export function toProfileTarget(
  c: Connection,
  secret: SlotReader,
  ctx: { readonly storeDir: string; readonly knownHostsFiles?: readonly string[]; readonly accept?: string; readonly readKey?: KeyReader },
): GatewayTarget {
  const auth = toProfileAuth(c, secret, ctx.readKey)
  const endpoint: SshEndpoint = { host: c.host, port: c.port, username: c.username, auth }
  const sudoPassword = secret('sudoPassword')
  // The jump host signs in like the gateway (same key, agent or password); its key passes the same policy.
  const jump: SshEndpoint | undefined = c.jump ? { host: c.jump.host, port: c.jump.port ?? 22, username: c.jump.username ?? c.username, auth } : undefined
  const policy: HostKeyPolicy = {
    storeDir: ctx.storeDir,
    knownHostsFiles: (ctx.knownHostsFiles ?? []).filter((f) => existsSync(f)),
    ...(ctx.accept ? { accept: { fingerprint: ctx.accept } } : {}),
  }
  const options: ConnectOptions = { ...(c.useSudo ? { sudo: sudoPassword ? { password: sudoPassword } : {} } : {}), ...(jump ? { jump } : {}) }
  return { endpoint, policy, options }
}

/** The user's own OpenSSH known_hosts (honoured besides the app's store). */
export function toUserKnownHosts(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return join(env['HOME'] ?? homedir(), '.ssh', 'known_hosts')
}

function readKey(path: string, read: KeyReader): Secret {
  try {
    return new Secret(read(path))
  } catch (err) {
    throw asInputError(err, 'key-unreadable', `Cannot read the private key file ${JSON.stringify(path)}.`)
  }
}

/** A file the user named could not be used: their input to fix (the CLI's exit 2), with the reader's own words kept. */
function asInputError(err: unknown, code: string, message: string): InputError {
  if (err instanceof InputError) return err
  if (err instanceof UserError) return new InputError(err.code, err.message, { cause: err, ...(err.fix ? { fix: err.fix } : {}), ...(err.likelyCause ? { likelyCause: err.likelyCause } : {}) })
  return new InputError(code, message, { cause: err, fix: 'Check the path and that this user may read the file.' })
}

function safeUser(env: Readonly<Record<string, string | undefined>>): string {
  try {
    return userInfo().username
  } catch {
    return env['USER'] ?? env['USERNAME'] ?? 'unknown'
  }
}
