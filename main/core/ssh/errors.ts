// Typed SSH failures and the classification the CLI maps to its exit codes (3 host key, 4 connect/auth).
import { UserError } from '../base/result'

/** Error codes of SSH host-key failures (CLI exit 3). */
export const HOST_KEY_CODES = ['ssh-host-key-unknown', 'ssh-host-key-changed', 'ssh-host-key-revoked'] as const

/** Error codes of connect and authentication failures (CLI exit 4). */
export const CONNECT_CODES = [
  'ssh-connect-failed',
  'ssh-connect-timeout',
  'ssh-auth-failed',
  'ssh-key-unreadable',
  'ssh-agent-unavailable',
  'ssh-jump-failed',
  'ssh-sudo-failed',
] as const

/** Error codes of failures once connected (the job failed: CLI exit 1). */
export const SESSION_CODES = ['ssh-command-timeout', 'ssh-command-failed', 'ssh-channel-failed', 'ssh-transfer-failed', 'ssh-session-closed'] as const

/** Every SSH error code. */
export type SshErrorCode = (typeof HOST_KEY_CODES)[number] | (typeof CONNECT_CODES)[number] | (typeof SESSION_CODES)[number]

/** An expected SSH failure; the message never contains a secret. */
export class SshError extends UserError {
  declare readonly code: SshErrorCode

  constructor(code: SshErrorCode, message: string, opts: { cause?: unknown; likelyCause?: string; fix?: string } = {}) {
    super(code, message, opts)
    this.name = 'SshError'
  }
}

/** What a host-key refusal is about: the key the gateway presented, as OpenSSH prints it. */
export interface PresentedHostKey {
  /** host or [host]:port, the name the key is recorded under. */
  readonly hostId: string
  /** e.g. ssh-ed25519 */
  readonly keyType: string
  /** SHA256:base64-without-padding, as `ssh-keygen -l` prints it. */
  readonly fingerprint: string
}

/** A host key was refused: unknown (not accepted), changed, or revoked. */
export class HostKeyError extends SshError {
  readonly presented: PresentedHostKey
  /** For a changed key: the key(s) on record and where. */
  readonly recorded: readonly { readonly keyType: string; readonly fingerprint: string; readonly file: string; readonly line: number }[]

  constructor(
    code: (typeof HOST_KEY_CODES)[number],
    message: string,
    presented: PresentedHostKey,
    recorded: HostKeyError['recorded'],
    opts: { likelyCause?: string; fix?: string } = {},
  ) {
    super(code, message, opts)
    this.name = 'HostKeyError'
    this.presented = presented
    this.recorded = recorded
  }
}

/** A remote command ran longer than its timeout (it was signalled and its channel closed). */
export class CommandTimeoutError extends SshError {
  readonly commandId: string
  readonly timeoutMs: number

  constructor(commandId: string, timeoutMs: number) {
    super('ssh-command-timeout', `The gateway command "${commandId}" did not finish within ${Math.round(timeoutMs / 1000)} s.`, {
      likelyCause: 'The gateway is overloaded, the link is very slow, or the command is waiting for something (a lock, a daemon).',
      fix: 'Retry; if it keeps happening, run the command by hand on the gateway to see where it waits.',
    })
    this.name = 'CommandTimeoutError'
    this.commandId = commandId
    this.timeoutMs = timeoutMs
  }
}

/** The CLI exit-code class of an error: 'host-key' (3), 'connect' (4), or undefined (any other failure). */
export function classifySshError(err: unknown): 'host-key' | 'connect' | undefined {
  if (!(err instanceof UserError)) return undefined
  if ((HOST_KEY_CODES as readonly string[]).includes(err.code)) return 'host-key'
  if ((CONNECT_CODES as readonly string[]).includes(err.code)) return 'connect'
  return undefined
}

/** The CLI exit code of an SSH error: 3 host key, 4 connect/authenticate, undefined otherwise. */
export function toSshExitCode(err: unknown): 3 | 4 | undefined {
  const c = classifySshError(err)
  return c === 'host-key' ? 3 : c === 'connect' ? 4 : undefined
}
