import type { AppError, Result } from '../../../preload/api'

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
