// The checks every IPC message passes before its handler runs (no Electron here, so tests call it directly).
import type { z } from 'zod'
import type { Result } from '../../../preload/api'
import { ok, toAppError } from '../../core'

/** A handler as ipcMain.handle takes it, with the sender check, schema and Result wrapping applied. */
export type GuardedHandler<E> = (event: E, ...raw: unknown[]) => Promise<Result<unknown>>

/**
 * Wraps `fn`: a message from an untrusted sender or with arguments that fail `schema` gets an error
 * Result and never reaches `fn`; exceptions become Results (nothing throws across IPC).
 */
export function toGuardedHandler<E, S extends z.ZodType<readonly unknown[], unknown>, T>(
  channel: string,
  schema: S,
  isTrustedSender: (event: E) => boolean,
  fn: (...args: z.infer<S>) => T | Promise<T>,
): GuardedHandler<E> {
  return async (event, ...raw) => {
    if (!isTrustedSender(event)) {
      return { ok: false, error: { code: 'ipc-sender', message: `Refused ${channel}: the request did not come from the app's own window.` } }
    }
    const parsed = schema.safeParse(raw)
    if (!parsed.success) {
      return { ok: false, error: { code: 'ipc-args', message: `Refused ${channel}: malformed arguments (${parsed.error.issues.map((i) => i.path.join('.') || 'args').join(', ')}).` } }
    }
    try {
      return ok(await fn(...(parsed.data as z.infer<S>)))
    } catch (err) {
      return { ok: false, error: toAppError(err) }
    }
  }
}
