// A minimal ssh2 client for the lab's own tests: connect through the relay with the host key pinned to
// the one the lab generated, run one command, collect its output.
import { createHash } from 'node:crypto'
import { Client } from 'ssh2'
import { type SshCredentials } from './sshd'

/** Result of one remote command. */
export interface SshExecResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Connects with the lab's credentials; rejects unless the host key matches `hostKeySha256`. */
export function sshConnect(creds: SshCredentials, opts: { readyTimeoutMs?: number } = {}): Promise<Client> {
  return new Promise((resolve, reject) => {
    const c = new Client()
    c.on('ready', () => resolve(c))
    c.on('error', reject)
    c.connect({
      host: creds.host,
      port: creds.port,
      username: creds.username,
      ...(creds.privateKey ? { privateKey: creds.privateKey } : {}),
      ...(creds.password ? { password: creds.password } : {}),
      readyTimeout: opts.readyTimeoutMs ?? 20_000,
      hostVerifier: (key: Buffer) =>
        'SHA256:' + createHash('sha256').update(key).digest('base64').replace(/=+$/, '') === creds.hostKeySha256,
    })
  })
}

/** Runs one command on an open connection. */
export function sshExec(c: Client, command: string, input?: string): Promise<SshExecResult> {
  return new Promise((resolve, reject) => {
    c.exec(command, (err, stream) => {
      if (err) return reject(err)
      let stdout = ''
      let stderr = ''
      stream.on('data', (b: Buffer) => (stdout += b.toString()))
      stream.stderr.on('data', (b: Buffer) => (stderr += b.toString()))
      stream.on('close', (code: number | null) => resolve({ code: code ?? -1, stdout, stderr }))
      stream.end(input ?? '')
    })
  })
}

/** Connects, runs one command, disconnects. */
export async function sshRun(creds: SshCredentials, command: string, input?: string): Promise<SshExecResult> {
  const c = await sshConnect(creds)
  try {
    return await sshExec(c, command, input)
  } finally {
    c.end()
  }
}
