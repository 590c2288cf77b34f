// Who a CLI change is written down for: the change record and the activity entry go to the data folder the
// app reads, with every secret this run knows cut out.
import { userInfo } from 'node:os'
import { openChangeJournal, toDetailsSecrets, toRedactor, type ChangeContext, type DetailsInput, type SshOptionValues } from '../core'
import type { CliIo } from './cli-io'
import { toCliDataDir } from './ssh-options'

/** The change context of one CLI run: the details' connection name, the host as given, the journal in the shared data folder. */
export function toCliChangeContext(io: CliIo, ssh: SshOptionValues, input?: DetailsInput): ChangeContext {
  const envSecrets = [ssh['password-env'], ssh['passphrase-env'], ssh['sudo-password-env']].flatMap((name) => (name && io.env[name] ? [io.env[name]!] : []))
  const redact = toRedactor([...(input ? toDetailsSecrets(input) : []), ...envSecrets])
  return { journal: openChangeJournal(toCliDataDir(io), osUser(io), redact), name: input?.details.name ?? ssh.host ?? 'gateway', via: 'cli', host: ssh.host ?? '' }
}

function osUser(io: CliIo): string {
  try {
    return userInfo().username
  } catch {
    return io.env['USER'] ?? io.env['USERNAME'] ?? 'unknown'
  }
}
