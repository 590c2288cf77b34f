// The one way IPC handlers are registered: sender checked, arguments validated, Result<T> returned.
import { ipcMain, type IpcMainInvokeEvent } from 'electron'
import type { z } from 'zod'
import type { Channel } from '../../../preload/api'
import { toGuardedHandler } from './ipc-guard'

/** Decides whether an IPC message comes from our own renderer (and not an iframe or a navigated page). */
export type SenderCheck = (event: IpcMainInvokeEvent) => boolean

/** Registers `fn` for `channel` behind the sender check and the argument schema (see toGuardedHandler). */
export function handle<S extends z.ZodType<readonly unknown[], unknown>, T>(channel: Channel, schema: S, isTrustedSender: SenderCheck, fn: (...args: z.infer<S>) => T | Promise<T>): void {
  ipcMain.handle(channel, toGuardedHandler(channel, schema, isTrustedSender, fn))
}
