/** Either a value or a user-facing error (the IPC contract's Result<T> is checked equal to this at compile time). */
export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: AppError }

/** An expected failure as it crosses to a face: what failed, the likely cause, the fix. */
export interface AppError {
  readonly code: string
  readonly message: string
  readonly cause?: string
  readonly fix?: string
}

/** An expected failure carrying what a user needs: what failed, the likely cause, the fix. */
export class UserError extends Error {
  readonly code: string
  readonly fix: string | undefined
  readonly likelyCause: string | undefined

  constructor(code: string, message: string, opts: { cause?: unknown; likelyCause?: string; fix?: string } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause })
    this.name = 'UserError'
    this.code = code
    this.fix = opts.fix
    this.likelyCause = opts.likelyCause
  }
}

/**
 * Input the user gave that cannot be used (a malformed option, an unreadable file, a value out of range):
 * nothing was done. The CLI answers it with exit code 2.
 */
export class InputError extends UserError {
  constructor(code: string, message: string, opts: { cause?: unknown; likelyCause?: string; fix?: string } = {}) {
    super(code, message, opts)
    this.name = 'InputError'
  }
}

/** Wraps a value as a success. */
export function ok<T>(value: T): Result<T> {
  return { ok: true, value }
}

/** Turns any thrown value into the error half of a Result; unknown errors keep only a generic message. */
export function toAppError(err: unknown): AppError {
  if (err instanceof UserError) {
    return {
      code: err.code,
      message: err.message,
      ...(err.likelyCause === undefined ? {} : { cause: err.likelyCause }),
      ...(err.fix === undefined ? {} : { fix: err.fix }),
    }
  }
  // Unexpected errors may carry internal state (paths, command lines): show their class only.
  const name = err instanceof Error ? err.name : typeof err
  return { code: 'internal', message: `Internal error (${name}). The diagnostics bundle has the details.` }
}

/** Programmer error: a case the types say cannot happen. */
export function assertNever(x: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(x)}`)
}
