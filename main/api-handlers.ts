// The bridge's server side: one entry per TunnelwrightApi method, with its argument schema.
//
// No Electron here: main/index.ts registers these with ipcMain through handle(), and the e2e
// harness puts the very same table behind Playwright's exposeBinding, so tests exercise everything
// but Electron's own IPC transport.
import { z } from 'zod'
import { CHANNELS, type TunnelwrightApi } from '../preload/api'
import { getAppInfo } from './core/app-info'

type Awaited2<T> = T extends Promise<infer U> ? U : T
type ValueOf<R> = R extends { ok: true; value: infer V } ? V : never

/** One handler: the channel, the schema its arguments must pass, the function behind it. */
export interface HandlerSpec<K extends keyof TunnelwrightApi> {
  readonly channel: (typeof CHANNELS)[K]
  readonly args: z.ZodType<Parameters<TunnelwrightApi[K]>>
  readonly run: (...args: Parameters<TunnelwrightApi[K]>) => ValueOf<Awaited2<ReturnType<TunnelwrightApi[K]>>> | Promise<ValueOf<Awaited2<ReturnType<TunnelwrightApi[K]>>>>
}

/** Every method of the bridge, keyed by its name on window.tunnelwright. */
export type HandlerTable = { readonly [K in keyof TunnelwrightApi]: HandlerSpec<K> }

/** The handlers of the app; the services they need come from the shell. */
export function createHandlers(): HandlerTable {
  return {
    getAppInfo: { channel: CHANNELS.getAppInfo, args: z.tuple([]), run: () => getAppInfo() },
  }
}
