// The CLI's ssh options (cli.md) → an open gateway through the door, with exit codes 3 and 4 for host-key
// and connection failures.
import { openGateway, toCliTarget, toDataDir, toKnownHostsStoreDir, toLegacyCliKnownHosts, type Gateway, type SshOptionValues } from '../core'
import { type CliIo } from './cli-io'

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

/** The ssh options' usage lines (shared by every gateway command's --help). */
export const SSH_USAGE = `ssh options:
  --host [USER@]HOST[:PORT]   the gateway (required); ~/.ssh/config is honoured
  --identity FILE             private key (passphrase from --passphrase-env VAR)
  --password-env VAR          password from the environment variable VAR
  --agent                     the SSH agent (SSH_AUTH_SOCK / Pageant)
  --known-hosts FILE          an OpenSSH known_hosts file to honour besides the app's own store
  --accept-new-host-key       trust an unknown host key on first use (its fingerprint is printed);
                              without it an unknown key is refused; a changed key always is
  --jump [USER@]HOST[:PORT]   connect through a jump host
  --sudo                      non-root login: root commands through sudo (password: --sudo-password-env VAR)`

/** The data folder the CLI shares with the app (change records, activity log, known hosts). */
export function toCliDataDir(io: CliIo): string {
  return toDataDir(io.env)
}

/** Opens the gateway the options name (printing an accepted new host key's fingerprint), runs `fn`, and closes it. */
export async function withGateway<T>(v: SshOptionValues, io: CliIo, fn: (gateway: Gateway) => Promise<T>): Promise<T> {
  const target = toCliTarget(v, { env: io.env, storeDir: toKnownHostsStoreDir(toCliDataDir(io)), extraKnownHosts: [toLegacyCliKnownHosts(io.env)] })
  const opened = await openGateway(target, { unknownHostKey: 'refuse' })
  if (opened.status !== 'open') throw new Error('unreachable: unknown host keys are refused')
  const gateway = opened.gateway
  if (gateway.hostKey.status === 'accepted') io.stderr(`Accepted and stored the new host key of ${gateway.hostKey.hostId}: ${gateway.hostKey.keyType} ${gateway.hostKey.fingerprint}\n`)
  try {
    return await fn(gateway)
  } finally {
    await gateway.close()
  }
}
