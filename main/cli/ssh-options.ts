// The CLI's ssh options (cli.md) → a verified SSH session to the gateway.
import { existsSync, readFileSync } from 'node:fs'
import { homedir, userInfo } from 'node:os'
import { join } from 'node:path'
import { toKnownHostsStoreDir } from '../core/base/paths'
import { UserError } from '../core/base/result'
import { Secret } from '../core/base/secret'
import { toSshExitCode } from '../core/ssh/errors'
import type { HostKeyPolicy } from '../core/ssh/host-key'
import { parseJumpHop, parseSshConfig, resolveSshHost } from '../core/ssh/ssh-config'
import { connect, type ConnectOptions, type SshAuth, type SshEndpoint, type SshSession } from '../core/ssh/session'
import { EXIT, UsageError, type CliIo } from './cli-io'

/** The ssh options every gateway command accepts (node:util parseArgs shape). */
export const SSH_OPTIONS = {
  host: { type: 'string' },
  identity: { type: 'string' },
  'passphrase-env': { type: 'string' },
  'password-env': { type: 'string' },
  agent: { type: 'boolean' },
  'known-hosts': { type: 'string' },
  'accept-new-host-key': { type: 'boolean' },
  jump: { type: 'string' },
  sudo: { type: 'boolean' },
  'sudo-password-env': { type: 'string' },
  json: { type: 'boolean' },
} as const

/** Parsed values of SSH_OPTIONS. */
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

function envSecret(io: CliIo, name: string | undefined, what: string): Secret | undefined {
  if (name === undefined) return undefined
  const v = io.env[name]
  if (v === undefined || v === '') throw new UsageError(`${what}: the environment variable ${name} is not set`)
  return new Secret(v)
}

function parseTarget(text: string): { user?: string; host: string; port?: number } {
  const hop = parseJumpHop(text)
  if (!hop.host || /[\s/]/.test(hop.host)) throw new UsageError(`not a host: ${text}`)
  if (hop.port !== undefined && !(hop.port > 0 && hop.port < 65536)) throw new UsageError(`not a port in ${text}`)
  return { ...(hop.user ? { user: hop.user } : {}), host: hop.host, ...(hop.port ? { port: hop.port } : {}) }
}

/** Builds endpoint, host-key policy and options from the command line (and ~/.ssh/config). */
export function toSshSettings(v: SshOptionValues, io: CliIo): { endpoint: SshEndpoint; policy: HostKeyPolicy; options: ConnectOptions } {
  if (!v.host) throw new UsageError('--host [USER@]HOST[:PORT] is required')
  const target = parseTarget(v.host)
  const home = io.env['HOME'] ?? homedir()
  const configPath = join(home, '.ssh', 'config')
  const cfg = existsSync(configPath) ? resolveSshHost(parseSshConfig(readFileSync(configPath, 'utf8')), target.host, { home, localUser: userInfo().username }) : undefined
  const auths = [v.identity !== undefined, v['password-env'] !== undefined, v.agent === true].filter(Boolean).length
  if (auths > 1) throw new UsageError('choose one of --identity, --password-env, --agent')
  let auth: SshAuth
  if (v['password-env'] !== undefined) auth = { kind: 'password', password: envSecret(io, v['password-env'], '--password-env')! }
  else if (v.agent || (v.identity === undefined && !cfg?.identityFiles.length && io.env['SSH_AUTH_SOCK'])) auth = { kind: 'agent' }
  else {
    const keyFile = v.identity ?? cfg?.identityFiles.find((f) => existsSync(f)) ?? [join(home, '.ssh', 'id_ed25519'), join(home, '.ssh', 'id_rsa')].find((f) => existsSync(f))
    if (!keyFile) throw new UsageError('no way to log in: give --identity FILE, --password-env VAR or --agent')
    let key: string
    try {
      key = readFileSync(keyFile, 'utf8')
    } catch {
      throw new UsageError(`cannot read the private key ${keyFile}`)
    }
    const passphrase = envSecret(io, v['passphrase-env'], '--passphrase-env')
    auth = { kind: 'key', privateKey: new Secret(key), ...(passphrase ? { passphrase } : {}) }
  }
  const username = target.user ?? cfg?.user ?? userInfo().username
  const endpoint: SshEndpoint = { host: cfg?.hostName ?? target.host, port: target.port ?? cfg?.port ?? 22, username, auth }
  const policy: HostKeyPolicy = {
    storeDir: toKnownHostsStoreDir(io.env),
    knownHostsFiles: [...(v['known-hosts'] ? [v['known-hosts']] : []), ...(cfg?.userKnownHostsFiles ?? [])],
    ...(v['accept-new-host-key'] ? { accept: 'first-use' as const } : {}),
  }
  const jumpText = v.jump ?? (cfg?.proxyJump[0] ? `${cfg.proxyJump[0].user ? `${cfg.proxyJump[0].user}@` : ''}${cfg.proxyJump[0].host}${cfg.proxyJump[0].port ? `:${cfg.proxyJump[0].port}` : ''}` : undefined)
  const jump = jumpText ? parseTarget(jumpText) : undefined
  const sudoPassword = envSecret(io, v['sudo-password-env'], '--sudo-password-env')
  const options: ConnectOptions = {
    ...(jump ? { jump: { host: jump.host, port: jump.port ?? 22, username: jump.user ?? username, auth } } : {}),
    ...(v.sudo || sudoPassword ? { sudo: sudoPassword ? { password: sudoPassword } : {} } : {}),
  }
  return { endpoint, policy, options }
}

/** Connects, printing an accepted new host key's fingerprint; maps failures to exit codes 3 and 4. */
export async function withGateway<T>(v: SshOptionValues, io: CliIo, fn: (session: SshSession) => Promise<T>): Promise<T | { exit: number }> {
  const { endpoint, policy, options } = toSshSettings(v, io)
  let session: SshSession
  try {
    session = await connect(endpoint, policy, options)
  } catch (err) {
    const exit = toSshExitCode(err)
    if (exit !== undefined && err instanceof UserError) {
      io.stderr(`${err.message}\n${err.fix ? `Fix: ${err.fix}\n` : ''}`)
      return { exit }
    }
    throw err
  }
  if (session.hostKey.status === 'accepted') io.stderr(`Accepted and stored the new host key of ${session.hostKey.hostId}: ${session.hostKey.key.type} ${session.hostKey.key.fingerprint}\n`)
  try {
    return await fn(session)
  } finally {
    await session.close()
  }
}

/** True when withGateway ended with an exit code instead of a value. */
export function isExit(x: unknown): x is { exit: number } {
  return typeof x === 'object' && x !== null && 'exit' in x && Object.keys(x).length === 1
}

export { EXIT }
