// The profile store: one JSON file per profile (tunnelwright/profile@1) in the app data folder.
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { parseProfileFile, PROFILE_FORMAT, ProfileFile, readBoundedTextSync, UserError, writePrivateFile, type Connection, type ProfileDetails, type ProfileRequest, type StatusDevice } from '../../core'

/** What a save takes. */
export interface ProfileDraft {
  readonly id?: string
  readonly name: string
  readonly details: ProfileDetails
  readonly connection: Connection
  /** What the Request step asked for; undefined keeps what the profile already has. */
  readonly request?: ProfileRequest
  /** The vendor device whose status the board reads; undefined keeps what the profile already has. */
  readonly statusDevice?: StatusDevice
}

/** Profiles on disk. */
export interface ProfileStore {
  list(): ProfileFile[]
  get(id: string): ProfileFile
  save(draft: ProfileDraft, now?: Date): ProfileFile
  delete(id: string): void
}

/** A new profile id. */
export function toProfileId(): string {
  return `p-${randomBytes(8).toString('hex')}`
}

const ID = /^p-[a-z0-9]{6,40}$/

/** The store under `dir`. */
export function createProfileStore(dir: string): ProfileStore {
  const fileOf = (id: string) => {
    if (!ID.test(id)) throw new UserError('profile-not-found', 'No such profile.', { fix: 'Choose a profile from the list.' })
    return join(dir, `${id}.json`)
  }
  const get = (id: string): ProfileFile => {
    const f = fileOf(id)
    if (!existsSync(f)) throw new UserError('profile-not-found', 'No such profile (it may have been deleted).', { fix: 'Choose a profile from the list.' })
    return parseProfileFile(readBoundedTextSync(f, { what: 'the profile file', maxBytes: 1024 * 1024, code: 'profile-unreadable' }))
  }
  return {
    list: () => {
      mkdirSync(dir, { recursive: true, mode: 0o700 })
      const out: ProfileFile[] = []
      for (const name of readdirSync(dir)) {
        if (!name.endsWith('.json')) continue
        try {
          out.push(get(name.slice(0, -5)))
        } catch {
          // An unreadable file is skipped here; getProfile on it reports why.
        }
      }
      return out.sort((a, b) => a.name.localeCompare(b.name))
    },
    get,
    save: (draft, now = new Date()) => {
      const prev = draft.id ? get(draft.id) : undefined
      const at = now.toISOString()
      const file = ProfileFile.parse({
        format: PROFILE_FORMAT,
        id: prev?.id ?? toProfileId(),
        name: draft.name,
        details: draft.details,
        connection: draft.connection,
        ...((draft.request ?? prev?.request) ? { request: draft.request ?? prev?.request } : {}),
        ...((draft.statusDevice ?? prev?.statusDevice) ? { statusDevice: draft.statusDevice ?? prev?.statusDevice } : {}),
        createdAt: prev?.createdAt ?? at,
        updatedAt: at,
      })
      writePrivateFile(fileOf(file.id), JSON.stringify(file, null, 2) + '\n')
      return file
    },
    delete: (id) => rmSync(fileOf(id), { force: true }),
  }
}
