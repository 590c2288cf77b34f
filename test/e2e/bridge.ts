// The e2e harness: the real built renderer in Debian Chromium, with the real core behind the same
// handler table main/index.ts registers with ipcMain. Only Electron's IPC transport is not exercised.
import type { Page } from '@playwright/test'
import { createHandlers, type HandlerSpec } from '../../main/api-handlers'
import type { Result } from '../../preload/api'

/** Exposes every bridge method on `window.tunnelwright` in `page`, validated like the IPC handlers. */
export async function installBridge(page: Page): Promise<void> {
  const handlers = createHandlers()
  const names = Object.keys(handlers)
  for (const name of names) {
    const spec = handlers[name as keyof typeof handlers] as HandlerSpec<never>
    await page.exposeBinding(`__tw_${name}`, async (_source, ...raw: unknown[]): Promise<Result<unknown>> => {
      const parsed = spec.args.safeParse(raw)
      if (!parsed.success) return { ok: false, error: { code: 'ipc-args', message: `Refused ${spec.channel}: malformed arguments.` } }
      try {
        return { ok: true, value: await (spec.run as (...a: unknown[]) => unknown)(...(parsed.data as unknown[])) }
      } catch (err) {
        return { ok: false, error: { code: 'internal', message: err instanceof Error ? err.message : String(err) } }
      }
    })
  }
  await page.addInitScript((methodNames: string[]) => {
    const api: Record<string, (...a: unknown[]) => unknown> = {}
    const w = window as unknown as Record<string, (...a: unknown[]) => unknown>
    for (const n of methodNames) api[n] = (...a: unknown[]) => w[`__tw_${n}`]!(...a)
    Object.defineProperty(window, 'tunnelwright', { value: Object.freeze(api), writable: false })
  }, names)
}

/** Fails the test on any request that is not the app's own origin: the app is offline by construction. */
export function forbidForeignRequests(page: Page, origin: string): string[] {
  const foreign: string[] = []
  page.on('request', (req) => {
    const url = req.url()
    if (!url.startsWith(origin) && !url.startsWith('data:')) foreign.push(url)
  })
  return foreign
}
