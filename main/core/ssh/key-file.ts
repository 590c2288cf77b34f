// Reading an SSH private key file (CLI --identity, a profile's privateKeyPath) through the bounded reader.
import { readBoundedTextSync } from '../base/bounded-read'

/** Largest private key file read (a 16384-bit RSA key in PEM is about 13 kB). */
export const MAX_PRIVATE_KEY_BYTES = 64 * 1024

/**
 * Reads a private key file: a regular file of at most MAX_PRIVATE_KEY_BYTES, UTF-8 (OpenSSH and PEM keys
 * are ASCII). A FIFO, a device or a directory fails at once with a BoundedReadError (code
 * 'key-unreadable', `reason` says why) that names the file; the caller wraps the text in a Secret.
 */
export function readPrivateKeyFile(path: string): string {
  return readBoundedTextSync(path, { what: 'the private key file', maxBytes: MAX_PRIVATE_KEY_BYTES, timeoutMs: 5000, code: 'key-unreadable' })
}
