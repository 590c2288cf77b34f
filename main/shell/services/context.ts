// What the shell's domain services share: the Electron-provided environment, the stores, the job registry,
// the change journal (records + activity log, in the data folder the CLI writes to as well) and the
// redactors built from every secret the app holds.
import { join } from 'node:path'
import { userInfo } from 'node:os'
import { mkdirSync } from 'node:fs'
import { EVENTS, type EventPayloads } from '../../../preload/api'
import { openChangeJournal, resolveTemplatesDir, SECRET_SLOTS, toRedactor, type ChangeJournal, type Secret } from '../../core'
import { createProfileStore, type ProfileStore } from '../stores/profile-store'
import { createSecretStore, type Encryptor, type SecretStore } from '../stores/secret-store'
import { SettingsStore } from '../stores/settings-store'
import { JobRegistry } from './jobs'

/** Pushes an event to the window. */
export type Emit = <K extends keyof EventPayloads>(event: (typeof EVENTS)[K], payload: EventPayloads[K]) => void

/** A save dialog: the chosen path, or undefined when the user cancelled. */
export type ChooseSavePath = (opts: { readonly title: string; readonly defaultName: string; readonly filters: readonly { readonly name: string; readonly extensions: readonly string[] }[] }) => Promise<string | undefined>

/** What the Electron entry (or the e2e harness) provides. */
export interface ShellEnvironment {
  /** The data folder (profiles, secrets, known hosts, records, activity); the CLI's is `<app folder>/data` too. */
  readonly dataDir: string
  readonly encryptor: Encryptor
  readonly emit: Emit
  readonly chooseSavePath: ChooseSavePath
  /** Desktop notification for tunnel down/up (thin; optional). */
  readonly notify?: (title: string, body: string) => void
  /** Where packaged templates live (the app's resources), when packaged. */
  readonly resourcesPath?: string
  readonly versions?: Readonly<Record<string, string>>
  /** The OS user (defaults to the process's). */
  readonly user?: string
  /** The user's own OpenSSH known_hosts, honoured besides the app's store (default ~/.ssh/known_hosts). */
  readonly userKnownHosts?: string
}

/** Extra secrets a service holds outside the stores (e.g. PSKs of an import waiting to be saved). */
export type SecretProvider = () => readonly string[]

/** The shared parts of the shell. */
export class ShellContext {
  readonly profiles: ProfileStore
  readonly secrets: SecretStore
  readonly settings: SettingsStore
  readonly jobs: JobRegistry
  readonly journal: ChangeJournal
  readonly user: string
  /** The device templates (the packaged app's resources, or the source tree's). */
  readonly templatesDir: string
  readonly #providers: SecretProvider[] = []

  constructor(readonly env: ShellEnvironment) {
    mkdirSync(env.dataDir, { recursive: true, mode: 0o700 })
    this.user = env.user ?? osUser()
    this.profiles = createProfileStore(join(env.dataDir, 'profiles'))
    this.secrets = createSecretStore(join(env.dataDir, 'secrets'), env.encryptor)
    this.settings = new SettingsStore(join(env.dataDir, 'settings.json'))
    this.journal = openChangeJournal(env.dataDir, this.user, (t) => this.redactAll()(t))
    this.templatesDir = resolveTemplatesDir(env.resourcesPath ? { resourcesPath: env.resourcesPath } : {})
    this.jobs = new JobRegistry((e) => env.emit(EVENTS.onJobProgress, { ...e, jobId: e.jobId as EventPayloads['onJobProgress']['jobId'], kind: e.kind as EventPayloads['onJobProgress']['kind'] }))
  }

  /** The app's own known-hosts store folder. */
  get knownHostsDir(): string {
    return join(this.env.dataDir, 'ssh')
  }

  /** Registers more secrets for redactAll. */
  addSecretProvider(p: SecretProvider): void {
    this.#providers.push(p)
  }

  /** Every stored secret of one profile. */
  profileSecrets(profileId: string): Secret[] {
    const out: Secret[] = []
    for (const slot of SECRET_SLOTS) {
      try {
        const s = this.secrets.get(profileId, slot)
        if (s) out.push(s)
      } catch {
        // storage unavailable: nothing could have been stored either
      }
    }
    return out
  }

  /** A profile's stored PSKs, revealed for the core (never for the renderer). */
  psks(profileId: string): { psk1?: string; psk2?: string } {
    const a = this.secrets.get(profileId, 'psk1')?.reveal()
    const b = this.secrets.get(profileId, 'psk2')?.reveal()
    return { ...(a === undefined ? {} : { psk1: a }), ...(b === undefined ? {} : { psk2: b }) }
  }

  /** A redactor over one profile's secrets. */
  redactorFor(profileId: string): (text: string) => string {
    return toRedactor(this.profileSecrets(profileId))
  }

  /** A redactor over every stored secret of every profile, plus what the services hold. */
  redactAll(): (text: string) => string {
    const values: (Secret | string)[] = []
    try {
      for (const p of this.profiles.list()) values.push(...this.profileSecrets(p.id))
    } catch {
      // no profiles yet
    }
    for (const p of this.#providers) values.push(...p())
    return toRedactor(values)
  }
}

function osUser(): string {
  try {
    return userInfo().username
  } catch {
    return process.env['USER'] ?? process.env['USERNAME'] ?? 'unknown'
  }
}
