// Gateway profiles as stored on disk and exported: the file format, its migration path, and the
// mapping between a profile's PSK-free details draft and the core's Details.
//
// A profile never holds a secret: PSKs and passwords live in the shell's secret store, keyed by
// profile id and slot. Details built from a profile point their PSKs at environment-style names that
// the shell resolves from that store (toProfileSecretSources).
import { z } from 'zod'
import { DetailsDraft, type DetailsDraft as DetailsDraftT } from '../details/aws-import'
import { Details, DETAILS_FORMAT, DeviceKind } from '../details/model'
import { VENDOR_POLL, VendorKind } from '../base/vocabulary'
import type { SecretSources } from '../details/resolve'
import { decryptExport, EncryptedEnvelope, encryptExport } from './export-crypto'
import { UserError } from '../base/result'

/** The current profile file format. */
export const PROFILE_FORMAT = 'tunnelwright/profile@1'
/** The profile export file format. */
export const PROFILE_EXPORT_FORMAT = 'tunnelwright/profile-export@1'

/** A tunnel as a profile keeps it: no PSK. */
export const ProfileTunnel = z.strictObject({ outsideIp: DetailsDraft.shape.remote.shape.tunnels.element.shape.outsideIp, insideCidr: DetailsDraft.shape.remote.shape.tunnels.element.shape.insideCidr })

/** The PSK-free, possibly incomplete details a profile keeps (the contract's DetailsDraftDto). */
export const ProfileDetails = DetailsDraft.omit({ format: true }).extend({
  remote: DetailsDraft.shape.remote.extend({ tunnels: z.tuple([ProfileTunnel, ProfileTunnel]) }),
})
/** Parsed profile details. */
export type ProfileDetails = z.infer<typeof ProfileDetails>

/** The secret slots of a profile. */
export const SecretSlot = z.enum(['psk1', 'psk2', 'sshPassword', 'keyPassphrase', 'sudoPassword', 'enablePassword'])
/** One secret slot. */
export type SecretSlot = z.infer<typeof SecretSlot>
/** Every slot, in display order. */
export const SECRET_SLOTS: readonly SecretSlot[] = SecretSlot.options

const HOST = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,62}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*$|^\[?[0-9A-Fa-f:.]+\]?$/

const LOGIN = /^[A-Za-z0-9._][A-Za-z0-9._-]{0,63}$/

/** A jump host (ProxyJump) in front of the gateway; it signs in like the gateway, as the gateway's user unless named. */
export const JumpHost = z.strictObject({
  host: z.string().regex(HOST, 'must be a host name or IP address'),
  port: z.int().min(1).max(65535).optional(),
  username: z.string().regex(LOGIN, 'must be a login name').optional(),
})

/** How to reach the gateway over SSH (no secrets: those are slots). */
export const Connection = z.strictObject({
  host: z.string().regex(HOST, 'must be a host name or IP address'),
  port: z.int().min(1).max(65535).default(22),
  username: z.string().regex(LOGIN, 'must be a login name'),
  auth: z.enum(['password', 'key', 'agent']),
  privateKeyPath: z.string().min(1).max(4096).optional(),
  useSudo: z.boolean().default(false),
  jump: JumpHost.optional(),
})
/** Parsed connection settings. */
export type Connection = z.infer<typeof Connection>

/** What the Request step asked the provider for, as typed (may be incomplete); kept to check the details that come back. */
export const ProfileRequest = z.strictObject({
  name: z.string().max(200).default(''),
  organization: z.string().max(200).default(''),
  contact: z.string().max(500).default(''),
  publicIp: z.string().max(100).default(''),
  privateCidrs: z.array(z.string().min(1).max(100)).max(1000).default([]),
  endpointType: z.enum([...DeviceKind.options, 'other', '']).default(''),
  endpointOther: z.string().max(200).default(''),
  approxApps: z.int().min(0).max(1_000_000).optional(),
})
/** A parsed request record. */
export type ProfileRequest = z.infer<typeof ProfileRequest>

/**
 * A vendor device whose status the app reads (read-only, polled over SSH): its kind, whether older SSH algorithms
 * are allowed for it, and how often it is polled (seconds; absent = VENDOR_POLL.default). No secret: its passwords
 * are secret slots (sshPassword, enablePassword).
 */
export const StatusDevice = z.strictObject({
  kind: VendorKind,
  allowLegacySsh: z.boolean().default(false),
  intervalSec: z.int().min(VENDOR_POLL.min).max(VENDOR_POLL.max).optional(),
})
/** A parsed status device choice. */
export type StatusDevice = z.infer<typeof StatusDevice>

const ProfileIdText = z.string().regex(/^p-[a-z0-9]{6,40}$/, 'must be a profile id')

/** A profile file (tunnelwright/profile@1). */
export const ProfileFile = z.strictObject({
  format: z.literal(PROFILE_FORMAT),
  id: ProfileIdText,
  name: z.string().min(1).max(100),
  details: ProfileDetails,
  connection: Connection,
  /** Optional since @1 was released: profiles written before it simply have no request. */
  request: ProfileRequest.optional(),
  /** Optional since @1 was released: the vendor device whose status the board reads, when the user picked one. */
  statusDevice: StatusDevice.optional(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
})
/** A parsed profile file. */
export type ProfileFile = z.infer<typeof ProfileFile>

/** One migration step: from the format named by its key to the next version's raw shape. */
export type ProfileMigration = (raw: Record<string, unknown>) => Record<string, unknown>

/**
 * Migrations by source format. @1 is the first released format, so there is none yet; a future
 * @2 adds `'tunnelwright/profile@1': (raw) => ({ ...raw, format: 'tunnelwright/profile@2', … })`.
 */
export const PROFILE_MIGRATIONS: Readonly<Record<string, ProfileMigration>> = {}

function formatVersion(format: string): number | undefined {
  const m = /^tunnelwright\/profile@(\d+)$/.exec(format)
  return m ? Number(m[1]) : undefined
}

/** Runs raw profile JSON through the migrations up to the current format (pure; throws UserError). */
export function toMigratedRaw(raw: unknown, migrations: Readonly<Record<string, ProfileMigration>> = PROFILE_MIGRATIONS, current = PROFILE_FORMAT): Record<string, unknown> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new UserError('profile-format', 'The profile file is not a JSON object.', { fix: 'Restore the file from a backup or delete the profile and create it again.' })
  let doc = raw as Record<string, unknown>
  const currentVersion = formatVersion(current) ?? 0
  for (let guard = 0; guard < 100; guard++) {
    const format = typeof doc['format'] === 'string' ? doc['format'] : ''
    if (format === current) return doc
    const v = formatVersion(format)
    if (v === undefined) throw new UserError('profile-format', `The profile file has no known format tag (${JSON.stringify(format).slice(0, 60)}).`, { fix: 'Restore the file from a backup or delete the profile and create it again.' })
    if (v > currentVersion) throw new UserError('profile-newer', `The profile was written by a newer version of Tunnelwright (${format}).`, { fix: 'Update Tunnelwright to open it.' })
    const step = migrations[format]
    if (!step) throw new UserError('profile-format', `No migration from ${format} to ${current}.`, { fix: 'Open it with the Tunnelwright version that wrote it and export it again.' })
    doc = step(doc)
  }
  throw new Error('profile migrations loop')
}

/** Parses a profile file's JSON text (migrating older formats); throws UserError naming the bad field. */
export function parseProfileFile(text: string): ProfileFile {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (err) {
    throw new UserError('profile-json', 'The profile file is not valid JSON.', { cause: err, fix: 'Restore the file from a backup or delete the profile and create it again.' })
  }
  const parsed = ProfileFile.safeParse(toMigratedRaw(raw))
  if (!parsed.success) {
    const i = parsed.error.issues[0]
    throw new UserError('profile-invalid', `The profile file is invalid at /${i?.path.join('/') ?? ''}: ${i?.message ?? 'unknown problem'}.`, { fix: 'Restore the file from a backup or delete the profile and create it again.' })
  }
  return parsed.data
}

/** The environment-style names the PSKs of a profile's details resolve under. */
export const PSK_ENV = ['TUNNELWRIGHT_PSK_1', 'TUNNELWRIGHT_PSK_2'] as const

/** Details from a profile's draft, PSKs pointing at PSK_ENV; throws 'details-incomplete' naming what is missing. */
export function toProfileDetails(draft: ProfileDetails): Details {
  const doc = {
    format: DETAILS_FORMAT,
    ...draft,
    remote: { ...draft.remote, tunnels: draft.remote.tunnels.map((t, i) => ({ ...t, psk: { env: PSK_ENV[i] } })) },
  }
  const parsed = Details.safeParse(doc)
  if (!parsed.success) {
    const missing = parsed.error.issues.map((i) => `/${i.path.join('/')}`).join(', ')
    throw new UserError('details-incomplete', `The details are not complete yet (${missing}).`, { fix: "Fill in the gateway's public IP, the agency's private CIDRs and the dedicated CIDRs." })
  }
  return parsed.data
}

/** A profile draft from details or an import draft: PSKs dropped (the caller keeps them as secrets). */
export function toDraftWithoutPsks(d: Details | DetailsDraftT): ProfileDetails {
  const { format: _format, ...rest } = d
  void _format
  const t = d.remote.tunnels
  const tunnels = [0, 1].map((i) => ({ outsideIp: t[i]?.outsideIp ?? '', insideCidr: t[i]?.insideCidr ?? '' }))
  return ProfileDetails.parse({ ...rest, remote: { ...rest.remote, tunnels } })
}

/** Secret sources that resolve PSK_ENV from the given PSK values (and no file reads). */
export function toProfileSecretSources(psks: { readonly psk1?: string; readonly psk2?: string }): SecretSources {
  return {
    env: { [PSK_ENV[0]]: psks.psk1, [PSK_ENV[1]]: psks.psk2 },
    readFile: () => {
      throw new UserError('psk-file', 'Profiles keep PSKs in the secret store, not in files.', { fix: 'Set the PSK in the profile.' })
    },
  }
}

/**
 * A profile export file: the profile without id or times (with its vendor device when it has one), and optionally
 * its secrets, encrypted. The vendor device carries no secret: its passwords travel as secret slots, inside the
 * envelope; a statusDevice with any other key (a password put there by hand) is refused, as is an unknown kind.
 */
export const ProfileExport = z.strictObject({
  format: z.literal(PROFILE_EXPORT_FORMAT),
  profile: z.strictObject({ name: ProfileFile.shape.name, details: ProfileDetails, connection: Connection, statusDevice: StatusDevice.optional() }),
  secrets: EncryptedEnvelope.optional(),
})
/** A parsed profile export. */
export type ProfileExport = z.infer<typeof ProfileExport>

/** The secrets inside an export's envelope. */
export const ExportedSecrets = z.partialRecord(SecretSlot, z.string().min(1).max(16384))

/** Parses an export file's text; throws UserError. */
export function parseProfileExport(text: string): ProfileExport {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (err) {
    throw new UserError('profile-import', 'The file is not a Tunnelwright profile export (not JSON).', { cause: err, fix: 'Choose a file exported with "Export profile".' })
  }
  const parsed = ProfileExport.safeParse(raw)
  if (!parsed.success) {
    const i = parsed.error.issues[0]
    const path = i?.path.join('/') ?? ''
    // The vendor device is the part a hand edit most often breaks: say which device setting and what is allowed.
    if (path.startsWith('profile/statusDevice')) throw new UserError('profile-import', `The file's vendor device (/${path}) is not valid: ${i?.message ?? ''}.`, { fix: `Export the profile again, or fix statusDevice: kind one of ${VendorKind.options.join(', ')}; allowLegacySsh true or false; intervalSec whole seconds from ${VENDOR_POLL.min} to ${VENDOR_POLL.max}; nothing else (its passwords travel encrypted with the secrets).` })
    throw new UserError('profile-import', `The file is not a valid profile export: /${path} ${i?.message ?? ''}.`, { fix: 'Choose a file exported with "Export profile".' })
  }
  return parsed.data
}

/** Secret values by slot, as an export carries them (inside its encrypted envelope). */
export type ExportedSecretValues = Partial<Record<SecretSlot, string>>

/** Encrypts a profile's secrets for an export (scrypt off the event loop; see export-crypto). */
export function toExportSecretsEnvelope(values: ExportedSecretValues, passphrase: string): Promise<EncryptedEnvelope> {
  return encryptExport(JSON.stringify(values), passphrase)
}

/**
 * Opens an export's secrets: none when it carries none; otherwise decrypts with the passphrase (KDF
 * bounded and off the event loop) and checks the content. Every failure is a UserError.
 */
export async function openExportSecrets(exp: ProfileExport, passphrase: string | undefined): Promise<ExportedSecretValues> {
  if (exp.secrets === undefined) return {}
  if (passphrase === undefined) throw new UserError('export-passphrase', 'This profile file holds encrypted secrets.', { fix: 'Enter the passphrase it was exported with (or ask whoever exported it).' })
  const text = await decryptExport(exp.secrets, passphrase)
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (err) {
    throw new UserError('export-format', 'The encrypted secrets opened but are not in a format this version can read.', { cause: err, fix: 'Export the profile again with this version of Tunnelwright.' })
  }
  const parsed = ExportedSecrets.safeParse(raw)
  if (!parsed.success) throw new UserError('export-format', `The encrypted secrets opened but are not in a format this version can read (/${parsed.error.issues[0]?.path.join('/') ?? ''}).`, { fix: 'Export the profile again with this version of Tunnelwright.' })
  return parsed.data
}

/** The device kind recorded in a profile, if any (for lists). */
export function toProfileKind(p: ProfileFile): DeviceKind | undefined {
  return p.details.gateway.kind
}
