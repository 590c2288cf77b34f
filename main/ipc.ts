// The one way IPC handlers are registered: sender checked, arguments validated, Result<T> returned.
import { ipcMain, type IpcMainInvokeEvent } from 'electron'
import type { z } from 'zod'
import type { Channel, Result } from '../preload/api'
import { ok, toAppError } from './core/result'

/** Decides whether an IPC message comes from our own renderer (and not an iframe or a navigated page). */
export type SenderCheck = (event: IpcMainInvokeEvent) => boolean

/**
 * Registers `fn` for `channel`. A message from an unknown sender or with arguments that fail `schema`
 * gets an error Result; `fn` never sees it. Exceptions become Results: nothing throws across IPC.
 */
export function handle<S extends z.ZodType<readonly unknown[]>, T>(
  channel: Channel,
  schema: S,
  isTrustedSender: SenderCheck,
  fn: (...args: z.infer<S>) => T | Promise<T>,
): void {
  ipcMain.handle(channel, async (event, ...raw: unknown[]): Promise<Result<T>> => {
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
  })
}
