// Secret storage for profiles (PSKs, SSH/sudo passwords, key passphrases), encrypted by the OS keystore
// through Electron's safeStorage, failing closed.
//
// This file does not import electron: main/shell/index.ts passes `safeStorage` as the Encryptor, so the
// store's file handling and its fail-closed rules are unit-tested here with a stand-in encryptor
// (safeStorage needs a running Electron app and an OS keyring, neither exists in the test runner).
import { existsSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { readBoundedTextSync, Secret, SECRET_SLOTS, UserError, writePrivateFile, type SecretSlot } from '../../core'

/** The part of Electron's safeStorage the store uses. */
export interface Encryptor {
  isEncryptionAvailable(): boolean
  encryptString(plainText: string): Buffer
  decryptString(encrypted: Buffer): string
  /** Linux only: 'basic_text' means no keyring (a hard-coded key): refused like no encryption at all. */
  getSelectedStorageBackend?(): string
}

/** Secrets of profiles by slot; values come back only as Secret, for main's own use. */
export interface SecretStore {
  /** Which slots of a profile hold a secret. */
  slots(profileId: string): Record<SecretSlot, boolean>
  get(profileId: string, slot: SecretSlot): Secret | undefined
  /** Stores a secret; throws 'secret-storage-unavailable' rather than ever writing plaintext. */
  set(profileId: string, slot: SecretSlot, value: string): void
  delete(profileId: string, slot: SecretSlot): void
  deleteProfile(profileId: string): void
}

/** Why secrets cannot be stored here, or undefined when they can. */
export function toStorageProblem(enc: Encryptor): string | undefined {
  if (!enc.isEncryptionAvailable()) return 'the operating system offers no encryption for app secrets (no keychain, credential store or keyring is available)'
  const backend = enc.getSelectedStorageBackend?.()
  if (backend === 'basic_text') return 'no desktop keyring (GNOME Keyring or KWallet) is running, so secrets would be stored with a fixed, publicly known key'
  return undefined
}

function unavailable(problem: string): UserError {
  return new UserError('secret-storage-unavailable', `Secrets cannot be stored safely: ${problem}.`, {
    likelyCause: 'The app runs without access to the OS keystore (e.g. a Linux session without a keyring, or over remote desktop).',
    fix: 'Start a keyring (GNOME Keyring / KWallet) and restart Tunnelwright, or use the CLI with PSKs from environment variables or 0600 files. Tunnelwright never stores secrets unencrypted.',
  })
}

const PROFILE_ID = /^p-[a-z0-9]{6,40}$/

/** A secret store under `dir` (one file per profile, mode 0600, values encrypted by `enc`). */
export function createSecretStore(dir: string, enc: Encryptor): SecretStore {
  const fileOf = (profileId: string) => {
    if (!PROFILE_ID.test(profileId)) throw new Error(`bad profile id ${JSON.stringify(profileId)}`)
    return join(dir, `${profileId}.json`)
  }
  const read = (profileId: string): Record<string, string> => {
    const f = fileOf(profileId)
    if (!existsSync(f)) return {}
    return JSON.parse(readBoundedTextSync(f, { what: 'the secret store', maxBytes: 1024 * 1024, code: 'secret-store-unreadable' })) as Record<string, string>
  }
  const write = (profileId: string, data: Record<string, string>) => writePrivateFile(fileOf(profileId), JSON.stringify(data))
  return {
    slots: (profileId) => {
      const data = read(profileId)
      return Object.fromEntries(SECRET_SLOTS.map((s) => [s, typeof data[s] === 'string'])) as Record<SecretSlot, boolean>
    },
    get: (profileId, slot) => {
      const v = read(profileId)[slot]
      if (v === undefined) return undefined
      const problem = toStorageProblem(enc)
      if (problem) throw unavailable(problem)
      return new Secret(enc.decryptString(Buffer.from(v, 'base64')))
    },
    set: (profileId, slot, value) => {
      const problem = toStorageProblem(enc)
      if (problem) throw unavailable(problem)
      if (value.length === 0) throw new UserError('secret-empty', 'The secret is empty.', { fix: 'Enter the value, or use "Forget" to remove a stored secret.' })
      const data = read(profileId)
      data[slot] = enc.encryptString(value).toString('base64')
      write(profileId, data)
    },
    delete: (profileId, slot) => {
      const data = read(profileId)
      if (!(slot in data)) return
      delete data[slot]
      write(profileId, data)
    },
    deleteProfile: (profileId) => rmSync(fileOf(profileId), { force: true }),
  }
}
