// Passphrase encryption of exported secrets: AES-256-GCM with a key from scrypt (per-export salt).
//
// The envelope is JSON and self-describing (KDF parameters included), so a later version can raise
// the cost and still open old exports. GCM's tag authenticates the data: a wrong passphrase or a
// modified file fails to open instead of yielding garbage.
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto'
import { z } from 'zod'
import { UserError } from '../base/result'

/** The envelope format tag. */
export const ENCRYPTED_FORMAT = 'tunnelwright/encrypted@1'

/** scrypt cost: N=2^15, r=8, p=1 (32 MiB, ~0.1 s): OWASP's minimum for scrypt. */
const KDF = { N: 2 ** 15, r: 8, p: 1 } as const
/** Shortest passphrase accepted for an export. */
export const MIN_PASSPHRASE = 12

/** An encrypted blob as stored in an export file. */
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

function deriveKey(passphrase: string, salt: Buffer, kdf: { N: number; r: number; p: number }): Buffer {
  return scryptSync(passphrase.normalize('NFC'), salt, 32, { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: 256 * kdf.N * kdf.r })
}

/** Encrypts `plaintext` under `passphrase` (refusing short passphrases). */
export function encryptExport(plaintext: string, passphrase: string): EncryptedEnvelope {
  if (passphrase.length < MIN_PASSPHRASE) {
    throw new UserError('export-passphrase', `The passphrase is too short (${passphrase.length} characters).`, { fix: `Use at least ${MIN_PASSPHRASE} characters; a few random words work well.` })
  }
  const salt = randomBytes(16)
  const iv = randomBytes(12)
  const key = deriveKey(passphrase, salt, KDF)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  cipher.setAAD(Buffer.from(ENCRYPTED_FORMAT))
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
  return {
    format: ENCRYPTED_FORMAT,
    kdf: { name: 'scrypt', ...KDF, salt: salt.toString('base64') },
    cipher: 'aes-256-gcm',
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    data: data.toString('base64'),
  }
}

/** Decrypts an envelope; a wrong passphrase or a tampered file is a UserError, never garbage. */
export function decryptExport(envelope: unknown, passphrase: string): string {
  const parsed = EncryptedEnvelope.safeParse(envelope)
  if (!parsed.success) throw new UserError('export-format', 'The encrypted part of the file is not in a format this version can read.', { fix: 'Export the profile again with this version of Tunnelwright.' })
  const e = parsed.data
  const key = deriveKey(passphrase, Buffer.from(e.kdf.salt, 'base64'), e.kdf)
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(e.iv, 'base64'))
  decipher.setAAD(Buffer.from(ENCRYPTED_FORMAT))
  decipher.setAuthTag(Buffer.from(e.tag, 'base64'))
  try {
    return Buffer.concat([decipher.update(Buffer.from(e.data, 'base64')), decipher.final()]).toString('utf8')
  } catch (err) {
    throw new UserError('export-passphrase', 'Could not open the encrypted secrets in this file.', {
      cause: err,
      likelyCause: 'The passphrase is wrong, or the file was changed after export.',
      fix: 'Check the passphrase with whoever exported the profile; import without secrets and enter them again if it is lost.',
    })
  }
}
