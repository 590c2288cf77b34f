// Open SSH sessions by profile, with the host-key decision turned into a result the UI can ask about.
import { existsSync, readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import type { Duplex } from 'node:stream'
import type { GatewayShell } from '../../core/apply/engine'
import type { Finding as CheckFinding } from '../../core/checks/model'
import type { GatewayFacts } from '../../core/gateway/detect'
import { toGatewayShell } from '../../core/gateway/shell'
import type { Connection } from '../../core/app-data/profiles'
import { UserError } from '../../core/base/result'
import { Secret } from '../../core/base/secret'
import { toRemotePath } from '../../core/ssh/catalog'
import { HostKeyError } from '../../core/ssh/errors'
import { toHostId, type HostKeyPolicy } from '../../core/ssh/host-key'
import { connect, type ConnectOptions, type SshAuth, type SshEndpoint, type SshSession } from '../../core/ssh/session'

/** The connect function (core's connect; replaceable for tests). */
export type Connector = (endpoint: SshEndpoint, policy: HostKeyPolicy, opts: ConnectOptions) => Promise<Pick<SshSession, 'runScript' | 'close' | 'hostKey'> & Partial<Pick<SshSession, 'openUnixSocket'>>>

/** A connected gateway: the session, its shell for the workflow, and what we learned on it. */
export interface GatewayLink {
  readonly hostId: string
  readonly hostKey: { readonly keyType: string; readonly fingerprint: string; readonly status: 'known' | 'accepted' }
  readonly shell: GatewayShell
  /** A stream to a Unix socket on the gateway (charon's VICI socket), when the session can forward one. */
  readonly openUnixSocket?: (path: string) => Promise<Duplex>
  readonly close: () => Promise<void>
  facts?: GatewayFacts
  lastCheck?: readonly CheckFinding[]
}

/** How connect ended. */
export type ConnectResult =
  | { readonly status: 'connected'; readonly link: GatewayLink }
  | { readonly status: 'host-key-unknown'; readonly hostId: string; readonly jumpHost: boolean; readonly keyType: string; readonly fingerprint: string }

/** The secrets connect may need, looked up lazily by slot. */
export type SlotReader = (slot: 'sshPassword' | 'keyPassphrase' | 'sudoPassword') => Secret | undefined

function missing(what: string): UserError {
  return new UserError('secret-missing', `The ${what} is not set for this profile.`, { fix: `Enter the ${what} in the profile's connection settings.` })
}

/** The ssh2 login of a profile's connection. */
export function toSshAuth(c: Connection, secret: SlotReader, readKey: (path: string) => string = (p) => readFileSync(p, 'utf8')): SshAuth {
  switch (c.auth) {
    case 'password': {
      const password = secret('sshPassword')
      if (!password) throw missing('SSH password')
      return { kind: 'password', password }
    }
    case 'key': {
      if (!c.privateKeyPath) throw new UserError('key-path-missing', 'No private key file is set for this profile.', { fix: 'Choose the private key file in the connection settings.' })
      let key: Secret
      try {
        key = new Secret(readKey(c.privateKeyPath))
      } catch (err) {
        throw new UserError('key-unreadable', `Cannot read the private key file ${c.privateKeyPath}.`, { cause: err, fix: 'Check the path and that this user may read the file.' })
      }
      const passphrase = secret('keyPassphrase')
      return { kind: 'key', privateKey: key, ...(passphrase ? { passphrase } : {}) }
    }
    case 'agent':
      return { kind: 'agent' }
  }
}

/** Sessions by profile id. */
export class GatewaySessions {
  readonly #links = new Map<string, GatewayLink>()

  constructor(
    /** The app's own known-hosts store folder. */
    private readonly storeDir: string,
    private readonly connector: Connector = connect,
    private readonly userKnownHosts: string = join(homedir(), '.ssh', 'known_hosts'),
  ) {}

  /** Connects (closing an older session of the profile); an unknown host key becomes a question, not an error. */
  async connect(profileId: string, c: Connection, secret: SlotReader, acceptFingerprint?: string): Promise<ConnectResult> {
    await this.disconnect(profileId)
    const policy: HostKeyPolicy = {
      storeDir: this.storeDir,
      ...(existsSync(this.userKnownHosts) ? { knownHostsFiles: [this.userKnownHosts] } : {}),
      ...(acceptFingerprint ? { accept: { fingerprint: acceptFingerprint } } : {}),
    }
    const endpoint: SshEndpoint = { host: c.host, port: c.port, username: c.username, auth: toSshAuth(c, secret) }
    const sudoPassword = secret('sudoPassword')
    // The jump host signs in like the gateway (same key, agent or password); its key passes the same policy.
    const jump: SshEndpoint | undefined = c.jump ? { host: c.jump.host, port: c.jump.port ?? 22, username: c.jump.username ?? c.username, auth: endpoint.auth } : undefined
    const opts: ConnectOptions = { ...(c.useSudo ? { sudo: sudoPassword ? { password: sudoPassword } : {} } : {}), ...(jump ? { jump } : {}) }
    let session: Awaited<ReturnType<Connector>>
    try {
      session = await this.connector(endpoint, policy, opts)
    } catch (err) {
      // An unknown key is a decision for the user (shown with its fingerprint); changed/revoked stay errors.
      if (err instanceof HostKeyError && err.code === 'ssh-host-key-unknown') {
        return { status: 'host-key-unknown', hostId: err.presented.hostId, jumpHost: jump !== undefined && err.presented.hostId === toHostId(jump.host, jump.port ?? 22) && err.presented.hostId !== toHostId(c.host, c.port), keyType: err.presented.keyType, fingerprint: err.presented.fingerprint }
      }
      throw err
    }
    const v = session.hostKey
    const link: GatewayLink = {
      hostId: v.hostId,
      hostKey: { keyType: v.key.type, fingerprint: v.key.fingerprint, status: v.status },
      // Engine scripts may carry PSKs: they travel as Secret, stdout streamed (the CLI's adapter, shared).
      shell: toGatewayShell(session),
      ...(session.openUnixSocket ? { openUnixSocket: (path: string) => session.openUnixSocket!(toRemotePath(path)) } : {}),
      close: () => session.close(),
    }
    this.#links.set(profileId, link)
    return { status: 'connected', link }
  }

  /** The live link of a profile, or 'not-connected'. */
  get(profileId: string): GatewayLink {
    const l = this.#links.get(profileId)
    if (!l) throw new UserError('not-connected', 'Not connected to this gateway.', { fix: 'Connect first.' })
    return l
  }

  /** Whether a profile has a live link. */
  has(profileId: string): boolean {
    return this.#links.has(profileId)
  }

  /** Closes a profile's session. */
  async disconnect(profileId: string): Promise<void> {
    const l = this.#links.get(profileId)
    this.#links.delete(profileId)
    if (l) await l.close().catch(() => undefined)
  }

  /** Closes every session. */
  async closeAll(): Promise<void> {
    await Promise.all([...this.#links.keys()].map((id) => this.disconnect(id)))
  }
}
