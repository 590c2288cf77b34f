// Passphrase encryption of exported secrets: AES-256-GCM with a key from scrypt (per-export salt).
//
// The envelope is JSON and self-describing (KDF parameters included), so a later version can raise
// the cost and still open old exports. GCM's tag authenticates the data: a wrong passphrase or a
// modified file fails to open instead of yielding garbage.
//
// An export comes from outside and names its own scrypt cost: a crafted file asking for N=2^20, r=32,
// p=16 costs seconds and gigabytes per attempt. So the parameters are bounded to exactly what this
// version writes (EXPORT_KDF) and checked before any key derivation, and the KDF runs asynchronously
// (libuv's thread pool, with maxmem) so it never blocks the main process's event loop.
import { createCipheriv, createDecipheriv, randomBytes, scrypt } from 'node:crypto'
import { z } from 'zod'
import { UserError } from '../base/result'

/** The envelope format tag. */
export const ENCRYPTED_FORMAT = 'tunnelwright/encrypted@1'

/** The scrypt cost this version writes and the only one it opens: N=2^15, r=8, p=1 (32 MiB, ~0.1 s; OWASP's minimum). */
export const EXPORT_KDF = { N: 2 ** 15, r: 8, p: 1 } as const
/** Shortest passphrase accepted for an export. */
export const MIN_PASSPHRASE = 12
/** Longest passphrase accepted (scrypt hashes it once; a megabyte passphrase is not a passphrase). */
export const MAX_PASSPHRASE = 1024
/** Byte lengths this version writes: a 16-byte salt, GCM's 12-byte IV and full 16-byte tag. */
const SALT_BYTES = 16
const IV_BYTES = 12
const TAG_BYTES = 16
/** Largest ciphertext opened: six secret slots of at most 16 KiB each, as JSON. */
const MAX_DATA_BYTES = 128 * 1024

/** An encrypted blob as stored in an export file (its values are bounded further by decryptExport). */
export const EncryptedEnvelope = z.strictObject({
  format: z.literal(ENCRYPTED_FORMAT),
  kdf: z.strictObject({ name: z.literal('scrypt'), N: z.int().min(2 ** 14).max(2 ** 20), r: z.int().min(1).max(32), p: z.int().min(1).max(16), salt: z.base64() }),
  cipher: z.literal('aes-256-gcm'),
  iv: z.base64(),
  tag: z.base64(),
  data: z.base64(),
})
/** A parsed envelope. */
export type EncryptedEnvelope = z.infer<typeof EncryptedEnvelope>

/** Derives the AES key off the event loop; maxmem is scrypt's own need (128·N·r bytes) with headroom. */
function deriveKey(passphrase: string, salt: Buffer, kdf: { readonly N: number; readonly r: number; readonly p: number }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(passphrase.normalize('NFC'), salt, 32, { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: 256 * kdf.N * kdf.r }, (err, key) => (err ? reject(err) : resolve(key)))
  })
}

function formatError(what: string): UserError {
  return new UserError('export-format', `The encrypted part of the file is not in a format this version can read (${what}).`, {
    likelyCause: 'The file was changed after export, or written by another program or a newer version.',
    fix: 'Export the profile again with this version of Tunnelwright.',
  })
}

function assertPassphrase(passphrase: string): void {
  if (passphrase.length > MAX_PASSPHRASE) {
    throw new UserError('export-passphrase', `The passphrase is too long (${passphrase.length} characters; at most ${MAX_PASSPHRASE}).`, { fix: 'Use the passphrase the profile was exported with.' })
  }
}

/** Encrypts `plaintext` under `passphrase` (refusing short passphrases); the KDF runs off the event loop. */
export async function encryptExport(plaintext: string, passphrase: string): Promise<EncryptedEnvelope> {
  if (passphrase.length < MIN_PASSPHRASE) {
    throw new UserError('export-passphrase', `The passphrase is too short (${passphrase.length} characters).`, { fix: `Use at least ${MIN_PASSPHRASE} characters; a few random words work well.` })
  }
  assertPassphrase(passphrase)
  const salt = randomBytes(SALT_BYTES)
  const iv = randomBytes(IV_BYTES)
  const key = await deriveKey(passphrase, salt, EXPORT_KDF)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  cipher.setAAD(Buffer.from(ENCRYPTED_FORMAT))
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
  return {
    format: ENCRYPTED_FORMAT,
    kdf: { name: 'scrypt', ...EXPORT_KDF, salt: salt.toString('base64') },
    cipher: 'aes-256-gcm',
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    data: data.toString('base64'),
  }
}

/**
 * Decrypts an envelope; a wrong passphrase or a tampered file is a UserError, never garbage. Refuses,
 * before deriving any key, KDF parameters other than EXPORT_KDF and IV/tag/salt/data sizes this version
 * does not write. The KDF runs off the event loop.
 */
export async function decryptExport(envelope: unknown, passphrase: string): Promise<string> {
  const parsed = EncryptedEnvelope.safeParse(envelope)
  if (!parsed.success) throw formatError(`/${parsed.error.issues[0]?.path.join('/') ?? ''}`)
  const e = parsed.data
  const { N, r, p } = e.kdf
  if (N !== EXPORT_KDF.N || r !== EXPORT_KDF.r || p !== EXPORT_KDF.p) {
    throw new UserError('export-kdf', `The file asks for scrypt parameters N=${N}, r=${r}, p=${p}; this version writes and opens only N=${EXPORT_KDF.N}, r=${EXPORT_KDF.r}, p=${EXPORT_KDF.p}.`, {
      likelyCause: 'The file was written by another program or a newer version, or crafted: higher parameters would make opening it take seconds and gigabytes of memory.',
      fix: 'Export the profile again with this version of Tunnelwright (or import it without its secrets and enter them again).',
    })
  }
  const salt = Buffer.from(e.kdf.salt, 'base64')
  const iv = Buffer.from(e.iv, 'base64')
  const tag = Buffer.from(e.tag, 'base64')
  const data = Buffer.from(e.data, 'base64')
  if (salt.length !== SALT_BYTES) throw formatError(`the salt is ${salt.length} bytes, not ${SALT_BYTES}`)
  if (iv.length !== IV_BYTES) throw formatError(`the IV is ${iv.length} bytes, not ${IV_BYTES}`)
  if (tag.length !== TAG_BYTES) throw formatError(`the authentication tag is ${tag.length} bytes, not ${TAG_BYTES}`)
  if (data.length > MAX_DATA_BYTES) throw formatError(`the encrypted data is ${data.length} bytes, more than the ${MAX_DATA_BYTES} accepted`)
  assertPassphrase(passphrase)
  const key = await deriveKey(passphrase, salt, e.kdf)
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES })
  decipher.setAAD(Buffer.from(ENCRYPTED_FORMAT))
  decipher.setAuthTag(tag)
  try {
    return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8')
  } catch (err) {
    throw new UserError('export-passphrase', 'Could not open the encrypted secrets in this file.', {
      cause: err,
      likelyCause: 'The passphrase is wrong, or the file was changed after export.',
      fix: 'Check the passphrase with whoever exported the profile; import without secrets and enter them again if it is lost.',
    })
  }
}
