// Writing a details file (it holds both PSKs) and knowing the secrets a details input carries.
import { lstatSync } from 'node:fs'
import { writePrivateFile } from '../base/fs-atomic'
import { UserError } from '../base/result'
import type { Secret } from '../base/secret'
import { resolvePsk } from '../details/resolve'
import type { DetailsInput } from './context'

/**
 * Writes a details document to `path`, owner-only from the first byte (it holds the PSKs). Refuses an
 * existing file unless `force`, and always refuses a symbolic link: following one would put both PSKs
 * wherever it points. The write is atomic (a temp file beside it, then rename).
 */
export function writeDetailsFile(path: string, document: object, opts: { readonly force?: boolean } = {}): void {
  let existing: ReturnType<typeof lstatSync> | undefined
  try {
    existing = lstatSync(path)
  } catch {
    existing = undefined
  }
  if (existing?.isSymbolicLink()) throw new UserError('out-symlink', `${path} is a symbolic link; not writing the pre-shared keys through it.`, { fix: 'Choose a plain file path for --out.' })
  if (existing && !opts.force) throw new UserError('out-exists', `${path} already exists; not overwriting it.`, { fix: 'Pass --force to replace it, or choose another --out FILE.' })
  if (existing && !existing.isFile()) throw new UserError('out-not-file', `${path} is not a regular file.`, { fix: 'Choose a plain file path for --out.' })
  try {
    writePrivateFile(path, `${JSON.stringify(document, null, 2)}\n`)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new UserError('out-unwritable', `Cannot write ${path} (${code ?? 'error'}).`, { cause: err, fix: 'Check the folder exists and this user may write to it.' })
  }
}

/** The PSKs a details input resolves to (those it can), for cutting them out of anything written or shown. */
export function toDetailsSecrets(input: DetailsInput): Secret[] {
  return input.details.remote.tunnels.flatMap((t, i) => {
    try {
      return [resolvePsk(t.psk, `tunnel ${i + 1}`, input.sources)]
    } catch {
      return []
    }
  })
}
