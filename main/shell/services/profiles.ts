// Profiles and their secrets: save (adopting an import's PSKs), delete, export/import (secrets only ever
// encrypted with the user's passphrase), set/clear one secret. Thin callers of the core's door.
import type { Profile, ProfileExportOptions, ProfileId, ProfileInput, ProfileSummary, SaveOutcome } from '../../../preload/api'
import { openExportSecrets, parseProfileExport, PROFILE_EXPORT_FORMAT, SECRET_SLOTS, toExportSecretsEnvelope, writePrivateFile, type ProfileDetails, type ProfileFile, type SecretSlot } from '../../core'
import type { ShellContext } from './context'
import type { DetailsService } from './details'

/** The profiles domain of the app. */
export class ProfilesService {
  constructor(
    private readonly ctx: ShellContext,
    private readonly details: DetailsService,
    /** Closes the profile's gateway session and its watches (before a delete). */
    private readonly disconnect: (profileId: string) => Promise<void>,
  ) {}

  #toProfile(p: ProfileFile): Profile {
    return { id: p.id as ProfileId, name: p.name, details: p.details as Profile['details'], connection: p.connection, ...(p.request ? { request: p.request } : {}), ...(p.statusDevice ? { statusDevice: p.statusDevice } : {}), hasSecret: this.ctx.secrets.slots(p.id), createdAt: p.createdAt, updatedAt: p.updatedAt }
  }

  list(): ProfileSummary[] {
    return this.ctx.profiles.list().map((p) => ({ id: p.id as ProfileId, name: p.name, host: p.connection.host, ...(p.details.gateway.kind ? { kind: p.details.gateway.kind } : {}), updatedAt: p.updatedAt }))
  }

  get(id: string): Profile {
    return this.#toProfile(this.ctx.profiles.get(id))
  }

  save(input: ProfileInput & { details: ProfileDetails }): Profile {
    // Taken before the save: an expired import refuses the whole save instead of saving a profile without its keys.
    const psks = input.adoptImport ? this.details.takeImport(input.adoptImport) : undefined
    const saved = this.ctx.profiles.save({ ...(input.id ? { id: input.id } : {}), name: input.name, details: input.details, connection: input.connection, ...(input.request ? { request: { ...input.request, privateCidrs: [...input.request.privateCidrs] } } : {}) })
    // Only the slots asked for: a key the user typed or kept stays theirs.
    const adopt = new Set(input.adoptSlots ?? ['psk1', 'psk2'])
    if (psks?.psk1 && adopt.has('psk1')) this.ctx.secrets.set(saved.id, 'psk1', psks.psk1)
    if (psks?.psk2 && adopt.has('psk2')) this.ctx.secrets.set(saved.id, 'psk2', psks.psk2)
    this.ctx.journal.activity.append({ profileId: saved.id, gateway: saved.connection.host, action: 'profile-save', outcome: 'ok' })
    return this.#toProfile(saved)
  }

  async delete(id: string): Promise<void> {
    const p = this.ctx.profiles.get(id)
    await this.disconnect(id)
    this.ctx.secrets.deleteProfile(id)
    this.ctx.profiles.delete(id)
    this.ctx.journal.activity.append({ profileId: id, gateway: p.connection.host, action: 'profile-delete', outcome: 'ok' })
  }

  /** The export file's text: secrets only when asked, and then encrypted with the passphrase. */
  async toExportText(opts: ProfileExportOptions): Promise<string> {
    const p = this.ctx.profiles.get(opts.id)
    let secrets
    if (opts.includeSecrets) {
      const values: Partial<Record<SecretSlot, string>> = {}
      for (const slot of SECRET_SLOTS) {
        const s = this.ctx.secrets.get(p.id, slot)
        if (s) values[slot] = s.reveal()
      }
      secrets = await toExportSecretsEnvelope(values, opts.passphrase)
    }
    return JSON.stringify({ format: PROFILE_EXPORT_FORMAT, profile: { name: p.name, details: p.details, connection: p.connection, ...(p.statusDevice ? { statusDevice: p.statusDevice } : {}) }, ...(secrets ? { secrets } : {}) }, null, 2) + '\n'
  }

  async export(opts: ProfileExportOptions): Promise<SaveOutcome> {
    const text = await this.toExportText(opts)
    const p = this.ctx.profiles.get(opts.id)
    const path = await this.ctx.env.chooseSavePath({ title: 'Export profile', defaultName: `${p.name.replace(/[^A-Za-z0-9._-]+/g, '-')}.tunnelwright.json`, filters: [{ name: 'Tunnelwright profile', extensions: ['json'] }] })
    if (!path) return { saved: false }
    writePrivateFile(path, text)
    this.ctx.journal.activity.append({ profileId: p.id, gateway: p.connection.host, action: 'profile-export', outcome: opts.includeSecrets ? 'ok (secrets encrypted)' : 'ok (no secrets)' })
    return { saved: true, path }
  }

  /** Imports an export file's text; its secrets are opened with the passphrase (the KDF bounded to what the app writes, off the event loop). */
  async import(text: string, passphrase?: string): Promise<Profile> {
    const exp = parseProfileExport(text)
    const secrets = await openExportSecrets(exp, passphrase)
    const saved = this.ctx.profiles.save({ name: exp.profile.name, details: exp.profile.details, connection: exp.profile.connection, ...(exp.profile.statusDevice ? { statusDevice: exp.profile.statusDevice } : {}) })
    for (const [slot, v] of Object.entries(secrets) as [SecretSlot, string][]) this.ctx.secrets.set(saved.id, slot, v)
    this.ctx.journal.activity.append({ profileId: saved.id, gateway: saved.connection.host, action: 'profile-import', outcome: 'ok' })
    return this.#toProfile(saved)
  }

  setSecret(profileId: string, slot: SecretSlot, value: string): { hasSecret: true } {
    this.ctx.profiles.get(profileId)
    this.ctx.secrets.set(profileId, slot, value)
    this.ctx.journal.activity.append({ profileId, action: `secret-set ${slot}`, outcome: 'ok' })
    return { hasSecret: true }
  }

  clearSecret(profileId: string, slot: SecretSlot): { hasSecret: false } {
    this.ctx.secrets.delete(profileId, slot)
    this.ctx.journal.activity.append({ profileId, action: `secret-clear ${slot}`, outcome: 'ok' })
    return { hasSecret: false }
  }
}
