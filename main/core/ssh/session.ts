// One SSH session per gateway on ssh2: mandatory host-key policy, key/password/keyboard-interactive/agent
// auth, an optional jump host, sudo for non-root logins, catalog commands (one by one or batched into one
// round trip), scripts on stdin to one-word programs, atomic file writes (SFTP or stdin), round-trip count.
import { randomBytes } from 'node:crypto'
import { StringDecoder } from 'node:string_decoder'
import { type Duplex } from 'node:stream'
import { Client, type Algorithms, type ClientChannel, type ConnectConfig, type ServerHostKeyAlgorithm, type SFTPWrapper } from 'ssh2'
import { Secret } from '../base/secret'
import { parseBatchOutput, toBatchNonce, toBatchScript, type CommandResult } from './batch'
import { ROOT_SH, SH, type RemoteCommand, type RemotePath, type ScriptInterpreter } from './catalog'
import { CommandTimeoutError, HostKeyError, SshError } from './errors'
import { readPolicyFiles, recordedKeyTypes, toHostId, toHostKey, verifyHostKey, type HostKeyPolicy, type HostKeyVerdict } from './host-key'
import { quoteSh, toShellLine } from './quote'
import { toTempPath, toUploadScript } from './upload'

export type { CommandResult } from './batch'

/** How to log in. Secrets arrive as Secret and are revealed only into the ssh2 auth call. */
export type SshAuth =
  | { readonly kind: 'key'; readonly privateKey: Secret; readonly passphrase?: Secret }
  /** Password auth, falling back to keyboard-interactive with the same password (pfSense offers that). */
  | { readonly kind: 'password'; readonly password: Secret }
  /** ssh-agent: socket path, default SSH_AUTH_SOCK (Windows: Pageant). */
  | { readonly kind: 'agent'; readonly socket?: string }

/** Where to connect and as whom. */
export interface SshEndpoint {
  readonly host: string
  readonly port?: number
  readonly username: string
  readonly auth: SshAuth
}

/** Tuning and extras of a session. */
export interface ConnectOptions {
  /** A jump host (ProxyJump); its host key is verified under the same policy. */
  readonly jump?: SshEndpoint
  /**
   * Non-root login: commands marked root run through sudo. The password is written only when sudo's own
   * prompt appears (see SshSession's sudo gate); it must be one line (no line break or NUL).
   */
  readonly sudo?: { readonly password?: Secret }
  /** How long sudo may take to ask for the password or start the command; default 30 s. */
  readonly sudoTimeoutMs?: number
  /**
   * 'direct' sends each command line as the exec request (a POSIX login shell runs it); 'stdin-sh' sends
   * only the one word `sh` and the command on stdin (pfSense 2.4 runs only the first word; csh logins).
   */
  readonly execMode?: 'direct' | 'stdin-sh'
  /** 'auto' uses SFTP when the server offers it (falls back to stdin); 'never' always writes via stdin. */
  readonly sftp?: 'auto' | 'never'
  /** Handshake + auth deadline; default 30 s (slow field links). */
  readonly readyTimeoutMs?: number
  /** Keepalive interval; default 10 s. The link is declared dead after keepaliveCountMax unanswered. */
  readonly keepaliveIntervalMs?: number
  /** Default 6 (one minute of silence at the default interval). */
  readonly keepaliveCountMax?: number
  /** Default per-command timeout; default 120 s. */
  readonly commandTimeoutMs?: number
  /**
   * Older algorithms this one connection may also use (SHA-1 key exchange, CBC ciphers, ssh-rsa host keys),
   * appended after ssh2's defaults: only when the user allowed them for this gateway (vendor CLIs often need them).
   */
  readonly legacyAlgorithms?: { readonly kex: readonly string[]; readonly cipher: readonly string[]; readonly serverHostKey: readonly string[] }
}

/** Per-call options of a command. */
export interface RunOptions {
  readonly timeoutMs?: number
  /** runScript only: each stdout chunk as UTF-8 text as it arrives (the full stdout is still returned). */
  readonly onOutput?: (chunk: string) => void
}

// ssh2's defaults, in its own order; known key types are moved to the front (as OpenSSH does) so a
// gateway with several host keys presents the one on record instead of looking "changed".
const HOST_KEY_ALGORITHMS: ServerHostKeyAlgorithm[] = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']

function toAlgorithmOrder(knownTypes: readonly string[]): Algorithms | undefined {
  if (knownTypes.length === 0) return undefined
  const first = HOST_KEY_ALGORITHMS.filter((a) => knownTypes.includes(a) || (a.startsWith('rsa-sha2-') && knownTypes.includes('ssh-rsa')))
  return { serverHostKey: [...first, ...HOST_KEY_ALGORITHMS.filter((a) => !first.includes(a))] }
}

/** Appends the allowed legacy algorithms after ssh2's defaults (the host-key order from the store stays first). */
function withLegacy(base: Algorithms | undefined, legacy: ConnectOptions['legacyAlgorithms']): Algorithms | undefined {
  if (!legacy) return base
  return {
    ...base,
    kex: { append: [...legacy.kex] } as Algorithms['kex'],
    cipher: { append: [...legacy.cipher] } as Algorithms['cipher'],
    serverHostKey: base?.serverHostKey ? [...(base.serverHostKey as ServerHostKeyAlgorithm[]), ...(legacy.serverHostKey as ServerHostKeyAlgorithm[])] : ({ append: [...legacy.serverHostKey] } as Algorithms['serverHostKey']),
  }
}

function describeEndpoint(e: SshEndpoint): string {
  return `${e.username}@${toHostId(e.host, e.port ?? 22)}`
}

/** Maps an ssh2 connect/auth failure to a typed error; its message never carries a secret. */
function toConnectError(err: unknown, e: SshEndpoint, jump: boolean): SshError {
  const where = describeEndpoint(e)
  const level = (err as { level?: string }).level
  const message = err instanceof Error ? err.message : String(err)
  const errno = (err as NodeJS.ErrnoException).code
  const code = jump ? 'ssh-jump-failed' : undefined
  if (level === 'client-authentication') {
    return new SshError(code ?? 'ssh-auth-failed', `${jump ? 'Jump host: a' : 'A'}uthentication as ${where} failed (${e.auth.kind}).`, {
      cause: err,
      likelyCause:
        e.auth.kind === 'password'
          ? 'The password is wrong, or the server does not allow password logins for this user.'
          : e.auth.kind === 'agent'
            ? 'None of the agent’s keys is authorized for this user.'
            : 'The key is not in the user’s authorized_keys on the gateway.',
      fix: 'Check the user name and credentials, and that the gateway allows this login method (sshd_config / the pfSense user’s keys).',
    })
  }
  if (level === 'client-timeout') {
    return new SshError(code ?? 'ssh-connect-timeout', `Timed out connecting to ${where}.`, {
      cause: err,
      likelyCause: 'The host is unreachable, a firewall drops SSH, or the link is very slow.',
      fix: 'Check the address and port, and that SSH is reachable from this computer (VPN, firewall rules).',
    })
  }
  if (level === 'handshake' || /no matching|handshake failed/i.test(message)) {
    return new SshError(code ?? 'ssh-connect-failed', `${where} and this app share no SSH algorithm: ${message.replace(/[\r\n]+/g, ' ').slice(0, 200)}.`, {
      cause: err,
      likelyCause: 'The device offers only older algorithms (SHA-1 key exchange, CBC ciphers, ssh-rsa host keys), as older ASA, IOS, PAN-OS and FortiOS releases do.',
      fix: 'Update the device\'s SSH settings, or allow older algorithms for this one connection (they are weaker; no other connection uses them).',
    })
  }
  const reason = errno !== undefined ? errno : message.replace(/[\r\n]+/g, ' ').slice(0, 200)
  return new SshError(code ?? 'ssh-connect-failed', `Cannot connect to ${where}: ${reason}.`, {
    cause: err,
    likelyCause:
      errno === 'ECONNREFUSED'
        ? 'Nothing listens on that port (sshd is off, or SSH runs on another port).'
        : errno === 'ENOTFOUND' || errno === 'EAI_AGAIN'
          ? 'The host name does not resolve.'
          : 'The network path or the SSH server refused the connection.',
    fix:
      errno === 'ENOTFOUND' || errno === 'EAI_AGAIN'
        ? 'Check the spelling of the host name, or use the gateway\'s IP address; this computer\'s DNS does not know the name.'
        : 'Check the host, the port, and that the SSH service is enabled on the gateway.',
  })
}

function toAuthConfig(e: SshEndpoint, jump: boolean): Partial<ConnectConfig> {
  const auth = e.auth
  switch (auth.kind) {
    case 'key':
      return {
        privateKey: Buffer.from(auth.privateKey.reveal()),
        ...(auth.passphrase === undefined ? {} : { passphrase: auth.passphrase.reveal() }),
        authHandler: ['publickey'],
      }
    case 'password':
      return { password: auth.password.reveal(), tryKeyboard: true, authHandler: ['password', 'keyboard-interactive'] }
    case 'agent': {
      const agent = auth.socket ?? process.env['SSH_AUTH_SOCK'] ?? (process.platform === 'win32' ? 'pageant' : undefined)
      if (agent === undefined || agent === '') {
        throw new SshError(jump ? 'ssh-jump-failed' : 'ssh-agent-unavailable', 'No SSH agent is available (SSH_AUTH_SOCK is not set).', {
          likelyCause: 'ssh-agent is not running in this session, or its socket is not exported.',
          fix: 'Start ssh-agent and ssh-add your key (Windows: start Pageant), or log in with --identity or a password.',
        })
      }
      return { agent, authHandler: ['agent'] }
    }
  }
}

function keyUnreadable(err: unknown, jump: boolean): SshError {
  const message = err instanceof Error ? err.message : ''
  const passphrase = /passphrase|decrypt|bad auth/i.test(message)
  return new SshError(jump ? 'ssh-jump-failed' : 'ssh-key-unreadable', passphrase ? 'The private key is encrypted and the passphrase is missing or wrong.' : 'The private key cannot be read (unsupported or damaged format).', {
    likelyCause: passphrase ? 'No passphrase was given, or it does not match the key.' : 'The file is not an OpenSSH/PEM private key.',
    fix: passphrase ? 'Give the key’s passphrase (CLI: --passphrase-env VAR).' : 'Use an OpenSSH private key (ssh-keygen -t ed25519).',
  })
}

/** Opens one authenticated ssh2 client (optionally over an existing stream) with host-key verification. */
function openClient(
  e: SshEndpoint,
  policy: HostKeyPolicy,
  opts: ConnectOptions,
  jump: boolean,
  sock?: Duplex,
): Promise<{ client: Client; verdict: HostKeyVerdict }> {
  const port = e.port ?? 22
  const hostId = toHostId(e.host, port)
  const algorithms = withLegacy(toAlgorithmOrder(recordedKeyTypes(readPolicyFiles(policy), hostId)), jump ? undefined : opts.legacyAlgorithms)
  const auth = toAuthConfig(e, jump)
  const client = new Client()
  let verdict: HostKeyVerdict | undefined
  let refusal: unknown
  return new Promise((resolve, reject) => {
    let settled = false
    const fail = (err: unknown) => {
      if (settled) return
      settled = true
      client.end()
      reject(err)
    }
    client.once('ready', () => {
      if (settled) return
      if (verdict === undefined) return fail(new Error('ssh2 became ready without verifying the host key'))
      settled = true
      resolve({ client, verdict })
    })
    client.on('error', (err) => fail(refusal ?? toConnectError(err, e, jump)))
    client.on('close', () => fail(refusal ?? toConnectError(new Error('connection closed during handshake'), e, jump)))
    client.on('keyboard-interactive', (_name, _instructions, _lang, prompts, finish) => {
      // pfSense and PAM-based servers ask for the password as a keyboard-interactive prompt.
      if (e.auth.kind !== 'password') return finish([])
      finish(prompts.map(() => (e.auth.kind === 'password' ? e.auth.password.reveal() : '')))
    })
    const config: ConnectConfig = {
      host: e.host,
      port,
      username: e.username,
      ...(sock === undefined ? {} : { sock: sock as unknown as ConnectConfig['sock'] }),
      readyTimeout: opts.readyTimeoutMs ?? 30_000,
      keepaliveInterval: opts.keepaliveIntervalMs ?? 10_000,
      keepaliveCountMax: opts.keepaliveCountMax ?? 6,
      ...auth,
      ...(algorithms === undefined ? {} : { algorithms }),
      hostVerifier: (blob: Buffer): boolean => {
        try {
          verdict = verifyHostKey(policy, hostId, toHostKey(blob))
          return true
        } catch (err) {
          refusal = err instanceof HostKeyError || err instanceof SshError ? err : toConnectError(err, e, jump)
          return false
        }
      },
    }
    try {
      client.connect(config)
    } catch (err) {
      // ssh2 parses the private key synchronously inside connect().
      fail(/privateKey|passphrase|key/i.test(err instanceof Error ? err.message : '') ? keyUnreadable(err, jump) : toConnectError(err, e, jump))
    }
  })
}

function forwardThrough(jump: Client, host: string, port: number, target: SshEndpoint): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    jump.forwardOut('127.0.0.1', 0, host, port, (err, stream) => {
      if (err) {
        reject(
          new SshError('ssh-jump-failed', `The jump host could not open a connection to ${describeEndpoint(target)}: ${err.message.slice(0, 200)}.`, {
            cause: err,
            likelyCause: 'The jump host cannot reach the gateway, or its sshd forbids TCP forwarding (AllowTcpForwarding no).',
            fix: 'Check that the gateway is reachable from the jump host and that the jump host allows forwarding.',
          }),
        )
      } else resolve(stream)
    })
  })
}

/**
 * Connects to a gateway. The host-key policy is required: an unknown key is refused unless accepted,
 * a changed or revoked key always. Throws SshError (exit-4 class) or HostKeyError (exit-3 class).
 */
export async function connect(endpoint: SshEndpoint, hostKeys: HostKeyPolicy, opts: ConnectOptions = {}): Promise<SshSession> {
  assertSudoPassword(opts.sudo?.password)
  if (opts.jump === undefined) {
    const { client, verdict } = await openClient(endpoint, hostKeys, opts, false)
    return new SshSession(client, undefined, verdict, undefined, opts)
  }
  const jump = await openClient(opts.jump, hostKeys, opts, true)
  try {
    const stream = await forwardThrough(jump.client, endpoint.host, endpoint.port ?? 22, endpoint)
    const { client, verdict } = await openClient(endpoint, hostKeys, opts, false, stream)
    return new SshSession(client, jump.client, verdict, jump.verdict, opts)
  } catch (err) {
    jump.client.end()
    throw err
  }
}

/** sudo -S reads one line: a line break would end the password early and hand the rest to the command. */
function assertSudoPassword(password: Secret | undefined): void {
  if (password === undefined || !/[\r\n\0]/.test(password.reveal())) return
  throw new SshError('ssh-sudo-failed', 'The sudo password contains a line break or NUL character; sudo cannot take it.', {
    likelyCause: 'The password was pasted with a trailing newline, or read from a file with several lines.',
    fix: 'Give the password exactly, without a line break (CLI: export it in --sudo-password-env without the newline).',
  })
}

/** How #exec holds stdin back until sudo has asked for the password (once) and started the command. */
interface SudoGate {
  readonly password: Secret | undefined
  /** sudo's -p prompt, as it appears on stderr. */
  readonly prompt: Buffer
  /** The line the wrapper prints on stderr once the command runs as root. */
  readonly marker: Buffer
  readonly timeoutMs: number
}

/** Raw outcome of one exec channel. */
interface RawExec {
  readonly code: number
  readonly stdout: Buffer
  readonly stderr: Buffer
}

/** What the gate saw before sudo gave up, for the error: its own words decide the likely cause. */
interface SudoRefusal {
  /** sudo's stderr before it gave up (never holds the password: -S does not echo). */
  readonly said: string
  /** What the gate did: answered no prompt, or saw a second prompt (the password was refused). */
  readonly gate: 'wrong-password' | 'no-password' | 'none'
  readonly code: number
}

/** Text on one line with every control character (C0, DEL, C1: line breaks, terminal escapes) a space. */
function toOneLine(text: string): string {
  return Array.from(text, (ch) => {
    const c = ch.charCodeAt(0)
    return c < 0x20 || (c >= 0x7f && c < 0xa0) ? ' ' : ch
  })
    .join('')
    .replace(/\s+/g, ' ')
    .trim()
}

/** The end of what sudo said, on one line without control characters, for an error message. */
function toSudoQuote(said: string): string {
  const one = toOneLine(said)
  return one === '' ? '' : ` sudo said: "${one.length > 240 ? `…${one.slice(-240)}` : one}"`
}

/** Turns what sudo said into the typed error (the message quotes sudo, never the password). */
function toSudoError(r: SudoRefusal): SshError {
  const said = toOneLine(r.said)
  const quoted = toSudoQuote(r.said)
  const fix = 'Check the sudo password and that the user may run sh as root through sudo (e.g. group sudo or wheel), or log in as root.'
  if (/must have a tty|requiretty/.test(said)) {
    return new SshError('ssh-sudo-failed', `sudo on the gateway refuses to run without a terminal.${quoted}`, {
      likelyCause: 'sudoers has "Defaults requiretty" for this user; the app runs commands without a terminal (a terminal would mangle scripts and files).',
      fix: 'Add "Defaults:USER !requiretty" for this login (visudo), or log in as root.',
    })
  }
  if (r.gate === 'wrong-password' || /incorrect password attempt|Sorry, try again/.test(said)) {
    return new SshError('ssh-sudo-failed', 'sudo on the gateway refused the password.', { likelyCause: 'The sudo password is wrong (it is the login user’s own password, not root’s).', fix })
  }
  if (r.gate === 'no-password' || /a password is required/.test(said)) {
    return new SshError('ssh-sudo-failed', 'sudo on the gateway asks for a password and none was given.', {
      likelyCause: 'The login is not root and sudo is configured to require a password.',
      fix: 'Give the sudo password (CLI: --sudo-password-env VAR), or log in as root.',
    })
  }
  if (/is not in the sudoers|not allowed to execute|may not run sudo|is not allowed to run sudo/.test(said)) {
    return new SshError('ssh-sudo-failed', `sudo on the gateway does not let this user run sh as root.${quoted}`, {
      likelyCause: 'The user is not in sudoers, or sudoers allows only some commands; the app needs to run sh as root.',
      fix: 'Allow the user to run commands as root (e.g. add it to group sudo or wheel), or log in as root.',
    })
  }
  if (r.code === 127 || /sudo: (command )?not found/.test(said)) {
    return new SshError('ssh-sudo-failed', 'sudo is not installed on the gateway.', { likelyCause: 'The gateway has no sudo command.', fix: 'Log in as root, or install sudo on the gateway.' })
  }
  return new SshError('ssh-sudo-failed', `sudo on the gateway did not run the command (exit ${r.code}).${quoted}`, { likelyCause: 'sudo refused for a reason the app does not recognise.', fix })
}

/** Counts non-overlapping occurrences of `needle` in `hay`. */
function countOf(hay: Buffer, needle: Buffer): number {
  let n = 0
  for (let i = hay.indexOf(needle); i >= 0; i = hay.indexOf(needle, i + needle.length)) n++
  return n
}

/** A live session to one gateway; every remote operation counts toward roundTrips. */
export class SshSession {
  #roundTrips = 0
  #sftp: Promise<SFTPWrapper | undefined> | undefined
  readonly #sudoPrompt = `[tw-sudo-${randomBytes(8).toString('hex')}]`
  #closed = false

  constructor(
    private readonly client: Client,
    private readonly jumpClient: Client | undefined,
    /** The gateway's host key and whether it was known or just accepted (print it when accepted). */
    readonly hostKey: HostKeyVerdict,
    /** The jump host's key verdict, when a jump host was used. */
    readonly jumpHostKey: HostKeyVerdict | undefined,
    private readonly opts: ConnectOptions,
  ) {
    client.on('close', () => {
      this.#closed = true
      jumpClient?.end()
    })
    client.on('error', () => undefined) // errors after ready surface on the channel that hit them
  }

  /**
   * One exec channel running `line` as the device's CLI reads it (FortiOS: an exec channel has no pager). The
   * caller checks the line first (status/vendor/ssh.ts sends read-only vendor lines only) and reads stdout.
   */
  openExec(line: string): Promise<ClientChannel> {
    this.#roundTrips++
    return new Promise((resolve, reject) => {
      this.client.exec(line, (err, channel) => {
        if (err) reject(new SshError('ssh-channel-failed', `The device refused to run a command: ${err.message.slice(0, 200)}.`, { cause: err, likelyCause: 'The account may have no CLI access over exec, or the device limits sessions.', fix: 'Allow CLI access for this account, or close other sessions on the device.' }))
        else resolve(channel)
      })
    })
  }

  /** True once the connection has closed (the peer dropped it, or close() ran). */
  get isClosed(): boolean {
    return this.#closed
  }

  /**
   * An interactive shell channel without a terminal's line editing (vendor CLIs: prompts, paging off, show
   * commands). The caller drives it and closes it; only read-only lines are ever written (status/vendor/ssh.ts).
   */
  openShell(): Promise<ClientChannel> {
    this.#roundTrips++
    return new Promise((resolve, reject) => {
      this.client.shell({ term: 'vt100', cols: 512, rows: 0 }, (err, channel) => {
        if (err) reject(new SshError('ssh-channel-failed', `The gateway refused an interactive shell: ${err.message.slice(0, 200)}.`, { cause: err, likelyCause: 'The account may run commands only (no shell), or the device limits sessions.', fix: 'Allow a CLI shell for this account, or close other sessions on the device.' }))
        else resolve(channel)
      })
    })
  }

  /** Remote round trips so far (each exec channel and each SFTP request), for benchmarks. */
  get roundTrips(): number {
    return this.#roundTrips
  }

  /** Runs one catalog command (through sudo when it needs root on a non-root login). */
  async run(cmd: RemoteCommand, opts: RunOptions = {}): Promise<CommandResult> {
    if (this.opts.execMode === 'stdin-sh') {
      const [r] = await this.runBatch([cmd], opts)
      if (r === undefined) throw new Error('runBatch returned no result')
      return r
    }
    const raw = await this.#execArgv(cmd.argv, cmd.root, [], cmd.id, opts.timeoutMs)
    return { id: cmd.id, code: raw.code, stdout: raw.stdout.toString('utf8'), stderr: raw.stderr.toString('utf8') }
  }

  /**
   * Runs several catalog commands in ONE round trip: a generated sh script on stdin, each command framed
   * on stdout/stderr with its exit code. All commands run (a failure does not stop the rest).
   */
  async runBatch(cmds: readonly RemoteCommand[], opts: RunOptions = {}): Promise<CommandResult[]> {
    if (cmds.length === 0) return []
    const nonce = toBatchNonce()
    const interp = cmds.some((c) => c.root) ? ROOT_SH : SH
    const raw = await this.#runInterpreter(interp, Buffer.from(toBatchScript(cmds, nonce)), 'batch', opts.timeoutMs)
    const parsed = parseBatchOutput(
      cmds.map((c) => c.id),
      raw.stdout,
      raw.stderr,
      nonce,
    )
    if (!parsed.complete) {
      const cut = parsed.results.findIndex((r) => r.code === -1)
      throw new SshError('ssh-command-failed', `A batch of ${cmds.length} gateway commands stopped at "${cmds[cut]?.id ?? '?'}" (shell exit ${raw.code}).`, {
        likelyCause: `The gateway's shell failed: ${parsed.strayStderr.replace(/\s+/g, ' ').trim().slice(0, 300) || 'no message'}`,
        fix: 'Check that the login can run /bin/sh (not a restricted shell).',
      })
    }
    return parsed.results
  }

  /** Feeds a script on stdin to a one-word program (sh, /usr/local/bin/php) and returns its result. */
  async runScript(interp: ScriptInterpreter, script: string | Secret, opts: RunOptions = {}): Promise<CommandResult> {
    const raw = await this.#runInterpreter(interp, script, interp.id, opts.timeoutMs, opts.onOutput)
    return { id: interp.id, code: raw.code, stdout: raw.stdout.toString('utf8'), stderr: raw.stderr.toString('utf8') }
  }

  /**
   * Writes a file atomically (temp file next to it, mode set, renamed over the target). SFTP when the
   * login itself may write there; otherwise (root file on a sudo login, or no SFTP) a sh script on stdin.
   */
  async writeFile(path: RemotePath, data: string | Buffer | Secret, opts: { readonly mode: number; readonly root?: boolean } & RunOptions): Promise<'sftp' | 'stdin'> {
    if (!Number.isInteger(opts.mode) || opts.mode < 0 || opts.mode > 0o7777) throw new Error(`bad file mode ${opts.mode}`)
    const bytes = () => (data instanceof Secret ? Buffer.from(data.reveal()) : Buffer.from(data))
    const root = opts.root ?? true
    const viaSudo = root && this.opts.sudo !== undefined
    if (!viaSudo && this.opts.sftp !== 'never') {
      const sftp = await this.#openSftp()
      if (sftp !== undefined) {
        await this.#sftpWrite(sftp, path, bytes(), opts.mode)
        return 'sftp'
      }
    }
    const suffix = randomBytes(6).toString('hex')
    const r = await this.runScript(root ? ROOT_SH : SH, new Secret(toUploadScript(path, bytes(), opts.mode, suffix)), opts)
    if (r.code !== 0) {
      throw new SshError('ssh-transfer-failed', `Writing ${path} on the gateway failed (exit ${r.code}).`, {
        likelyCause: r.stderr.replace(/\s+/g, ' ').trim().slice(0, 300) || 'The folder does not exist or is not writable.',
        fix: 'Check that the folder exists and the login (or sudo) may write there.',
      })
    }
    return 'stdin'
  }

  /**
   * Opens a stream to a Unix socket on the gateway (OpenSSH stream-local forwarding), e.g. charon's VICI
   * socket. Fails with a typed error when sshd forbids forwarding or the login may not open the socket.
   */
  async openUnixSocket(path: RemotePath): Promise<Duplex> {
    this.#roundTrips++
    return new Promise<Duplex>((resolve, reject) => {
      this.client.openssh_forwardOutStreamLocal(path, (err, channel) => {
        if (err) {
          reject(new SshError('ssh-channel-failed', `The gateway refused a connection to ${path}.`, { cause: err, likelyCause: 'sshd has AllowStreamLocalForwarding no (or DisableForwarding yes), or the login is not root.', fix: 'Status falls back to polling swanctl; to get live events allow stream-local forwarding for this login.' }))
        } else resolve(channel)
      })
    })
  }

  /** Closes the session (and the jump host's). */
  async close(): Promise<void> {
    if (this.#closed) return
    await new Promise<void>((resolve) => {
      this.client.once('close', () => resolve())
      this.client.end()
    })
    this.jumpClient?.end()
  }

  async #runInterpreter(interp: ScriptInterpreter, script: string | Secret | Buffer, id: string, timeoutMs: number | undefined, onStdout?: (chunk: string) => void): Promise<RawExec> {
    if (/\s/.test(interp.program)) throw new Error(`interpreter must be one word: ${interp.program}`)
    return this.#execArgv([interp.program], interp.root, [script], id, timeoutMs, onStdout)
  }

  /** Runs argv (every word quoted); a root command on a sudo login goes through the sudo gate. */
  #execArgv(argv: readonly string[], root: boolean, stdin: readonly (Buffer | Secret | string)[], id: string, timeoutMs: number | undefined, onStdout?: (chunk: string) => void): Promise<RawExec> {
    const sudo = this.opts.sudo
    if (!root || sudo === undefined) return this.#exec(toShellLine(argv), stdin, id, timeoutMs, onStdout)
    // The sudo gate. sudo -S reads the password from the same stdin the command later reads, and it reads
    // it only when authentication needs it: NOPASSWD for sh (or !authenticate) means no read, and a
    // password written blindly would be executed by the root shell. So nothing is written up front:
    //  - sudo prints its prompt (-p, a random string per session) on stderr when it wants the password;
    //    only then, and only once, is the password written. A second prompt means it was refused: stdin is
    //    closed instead (sudo gives up on EOF) and nothing else is written.
    //  - the command is wrapped in `sh -c 'printf MARKER >&2; exec "$@"'`: the marker (random per call) on
    //    stderr proves sudo finished authenticating and the command runs; only then are the script or file
    //    bytes written to stdin.
    //  - neither prompt nor marker within sudoTimeoutMs (passprompt_override, a PAM question such as a
    //    one-time code or an expired password) closes the channel with a clear error; nothing was written.
    // -k ignores cached credentials, so the answer does not depend on earlier commands.
    const marker = `[tw-sudo-ok-${randomBytes(8).toString('hex')}]`
    const line = `sudo -k -S -p ${quoteSh(this.#sudoPrompt)} -- ${toShellLine(['sh', '-c', 'printf "%s\\n" "$0" >&2 && exec "$@"', marker, ...argv])}`
    return this.#exec(line, stdin, id, timeoutMs, onStdout, { password: sudo.password, prompt: Buffer.from(this.#sudoPrompt), marker: Buffer.from(`${marker}\n`), timeoutMs: this.opts.sudoTimeoutMs ?? 30_000 })
  }

  /**
   * One exec channel: writes stdin parts, collects output (streaming stdout to onStdout), enforces the
   * timeout. One round trip. With a sudo gate, stdin waits for sudo (see #execArgv).
   */
  #exec(line: string, stdin: readonly (Buffer | Secret | string)[], id: string, timeoutMs: number | undefined, onStdout?: (chunk: string) => void, gate?: SudoGate): Promise<RawExec> {
    if (this.#closed) return Promise.reject(this.#closedError())
    const limit = timeoutMs ?? this.opts.commandTimeoutMs ?? 120_000
    this.#roundTrips++
    return new Promise((resolve, reject) => {
      this.client.exec(line, (err, channel: ClientChannel) => {
        if (err) {
          reject(
            new SshError('ssh-channel-failed', `The gateway refused to run "${id}": ${err.message.slice(0, 200)}.`, {
              cause: err,
              likelyCause: 'The SSH server limits sessions (MaxSessions) or the connection dropped.',
              fix: 'Retry; check the gateway’s sshd limits.',
            }),
          )
          return
        }
        const out: Buffer[] = []
        const errs: Buffer[] = []
        let code: number | undefined
        let done = false
        const timers: NodeJS.Timeout[] = []
        const stop = (err: Error) => {
          if (done) return
          done = true
          for (const t of timers) clearTimeout(t)
          try {
            channel.signal('KILL')
          } catch {
            // the channel may already be closing
          }
          channel.close()
          reject(err)
        }
        timers.push(setTimeout(() => stop(new CommandTimeoutError(id, limit)), limit))
        // A chunk may end inside a multi-byte character: the decoder holds those bytes for the next one.
        const decoder = onStdout ? new StringDecoder('utf8') : undefined
        const emit = (text: string) => {
          if (!onStdout || text === '') return
          try {
            onStdout(text)
          } catch {
            // A failing progress listener must not break the command (its output is still collected).
          }
        }
        const sendStdin = () => {
          for (const part of stdin) channel.write(part instanceof Secret ? part.reveal() : part)
          channel.end()
        }
        // The sudo gate's state: stderr before the marker is sudo's, after it the command's.
        let pre: Buffer | undefined = gate ? Buffer.alloc(0) : undefined
        let answered = 0
        let refused: SudoRefusal['gate'] = 'none'
        const authTimer = gate
          ? setTimeout(() => {
              if (pre === undefined) return
              const said = pre.toString('utf8').replaceAll(this.#sudoPrompt, '')
              stop(
                new SshError('ssh-sudo-failed', `sudo on the gateway neither asked for the password with the app's prompt nor started the command within ${Math.round(gate.timeoutMs / 1000)} s, so the app stopped waiting.${toSudoQuote(said)}`, {
                  likelyCause: 'sudo waits for an answer the app cannot give safely: sudoers has passprompt_override, or PAM asks something other than the password (a one-time code, a password change).',
                  fix: 'Let this login use sudo with its plain password prompt (remove passprompt_override / the extra PAM step for it), or log in as root.',
                }),
              )
            }, gate.timeoutMs)
          : undefined
        if (authTimer) timers.push(authTimer)
        const onSudoStderr = (b: Buffer) => {
          if (!gate || pre === undefined) return
          pre = Buffer.concat([pre, b])
          const at = pre.indexOf(gate.marker)
          const head = at < 0 ? pre : pre.subarray(0, at)
          const prompts = countOf(head, gate.prompt)
          if (prompts > answered && refused === 'none') {
            if (prompts === 1 && gate.password !== undefined) {
              channel.write(`${gate.password.reveal()}\n`)
              answered = 1
            } else {
              // A second prompt (the password was refused) or no password to give: EOF makes sudo give up.
              refused = prompts > 1 ? 'wrong-password' : 'no-password'
              channel.end()
            }
          }
          if (at >= 0 && refused === 'none') {
            const rest = pre.subarray(at + gate.marker.length)
            pre = undefined
            clearTimeout(authTimer)
            if (rest.length > 0) errs.push(rest)
            sendStdin()
          }
        }
        channel.on('data', (b: Buffer) => {
          out.push(b)
          if (decoder) emit(decoder.write(b))
        })
        channel.stderr.on('data', (b: Buffer) => (pre !== undefined ? onSudoStderr(b) : errs.push(b)))
        channel.on('exit', (c: number | null, signal?: string) => {
          code = typeof c === 'number' ? c : signal !== undefined ? 128 : -1
        })
        channel.on('close', () => {
          for (const t of timers) clearTimeout(t)
          if (done) return
          done = true
          if (decoder) emit(decoder.end())
          if (code === undefined && this.#closed) return reject(this.#closedError())
          if (gate && pre !== undefined) return reject(toSudoError({ said: pre.toString('utf8').replaceAll(this.#sudoPrompt, ''), gate: refused, code: code ?? -1 }))
          resolve({ code: code ?? -1, stdout: Buffer.concat(out), stderr: Buffer.concat(errs) })
        })
        if (!gate) sendStdin()
      })
    })
  }

  #closedError(): SshError {
    return new SshError('ssh-session-closed', 'The SSH connection to the gateway was lost.', {
      likelyCause: 'The link dropped (keepalives went unanswered) or the gateway restarted sshd.',
      fix: 'Reconnect and retry.',
    })
  }

  #openSftp(): Promise<SFTPWrapper | undefined> {
    this.#sftp ??= new Promise((resolve) => {
      this.#roundTrips++
      this.client.sftp((err, sftp) => {
        // No sftp subsystem (disabled in sshd_config): fall back to writing through stdin.
        resolve(err ? undefined : sftp)
      })
    })
    return this.#sftp
  }

  async #sftpWrite(sftp: SFTPWrapper, path: RemotePath, data: Buffer, mode: number): Promise<void> {
    const tmp = toTempPath(path, randomBytes(6).toString('hex'))
    const step = <T>(what: string, f: (cb: (err: Error | null | undefined, v?: T) => void) => void): Promise<T> => {
      this.#roundTrips++
      return new Promise<T>((resolve, reject) =>
        f((err, v) =>
          err
            ? reject(
                new SshError('ssh-transfer-failed', `SFTP ${what} failed for ${path}: ${err.message.slice(0, 200)}.`, {
                  cause: err,
                  likelyCause: 'The folder does not exist or the login may not write there.',
                  fix: 'Check the folder and its permissions on the gateway.',
                }),
              )
            : resolve(v as T),
        ),
      )
    }
    const handle = await step<Buffer>('open', (cb) => sftp.open(tmp, 'wx', { mode: 0o600 }, cb))
    try {
      // Writes are pipelined by ssh2; counted as one round trip.
      this.#roundTrips++
      await new Promise<void>((resolve, reject) => {
        if (data.length === 0) return resolve()
        let offset = 0
        const CHUNK = 32 * 1024
        let pending = 0
        let failed = false
        const next = () => {
          while (offset < data.length && pending < 8) {
            const len = Math.min(CHUNK, data.length - offset)
            const at = offset
            offset += len
            pending++
            sftp.write(handle, data, at, len, at, (err) => {
              pending--
              if (failed) return
              if (err) {
                failed = true
                reject(new SshError('ssh-transfer-failed', `SFTP write failed for ${path}: ${err.message.slice(0, 200)}.`, { cause: err }))
              } else if (offset >= data.length && pending === 0) resolve()
              else next()
            })
          }
        }
        next()
      })
      await step<void>('chmod', (cb) => sftp.fchmod(handle, mode, cb))
    } finally {
      await step<void>('close', (cb) => sftp.close(handle, cb)).catch(() => undefined)
    }
    try {
      await step<void>('rename', (cb) => sftp.ext_openssh_rename(tmp, path, cb))
    } catch (err) {
      await step<void>('remove', (cb) => sftp.unlink(tmp, cb)).catch(() => undefined)
      throw err
    }
  }
}
