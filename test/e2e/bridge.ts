// The e2e harness: the real built renderer in Debian Chromium, with the real core behind the same
// handler table main/shell/index.ts registers with ipcMain. Only Electron's IPC transport (and safeStorage,
// dialogs) are not exercised: see createTestServices.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from '@playwright/test'
import { createHandlers, type HandlerSpec } from '../../main/shell/ipc/handlers'
import { createShellServices, type Emit, type ShellServices } from '../../main/shell/services'
import { toGuardedHandler } from '../../main/shell/ipc/ipc-guard'
import type { Encryptor } from '../../main/shell/stores/secret-store'
import { EVENTS } from '../../preload/api'

/**
 * Stand-in for Electron's safeStorage (it needs the Electron runtime and an OS keyring, which the
 * Chromium-only harness does not have): AES-256-GCM under a per-run random key.
 */
export function createTestEncryptor(): Encryptor {
  const key = randomBytes(32)
  return {
    isEncryptionAvailable: () => true,
    encryptString: (plain) => {
      const iv = randomBytes(12)
      const c = createCipheriv('aes-256-gcm', key, iv)
      const data = Buffer.concat([c.update(plain, 'utf8'), c.final()])
      return Buffer.concat([iv, c.getAuthTag(), data])
    },
    decryptString: (buf) => {
      const d = createDecipheriv('aes-256-gcm', key, buf.subarray(0, 12))
      d.setAuthTag(buf.subarray(12, 28))
      return Buffer.concat([d.update(buf.subarray(28)), d.final()]).toString('utf8')
    },
  }
}

/** A desktop notification the app asked for (main/shell/notifications.ts shows it through Electron's Notification). */
export interface ShownNotification {
  readonly title: string
  readonly body: string
}

/** The app's services over a fresh temp data folder; saves go to that folder instead of a dialog; notifications are recorded. */
export function createTestServices(emit: Emit): { services: ShellServices; dataDir: string; notifications: ShownNotification[] } {
  const dataDir = mkdtempSync(join(tmpdir(), 'tw-e2e-'))
  const notifications: ShownNotification[] = []
  const services = createShellServices({ dataDir, encryptor: createTestEncryptor(), emit, chooseSavePath: async (o) => join(dataDir, o.defaultName), notify: (title, body) => notifications.push({ title, body }), user: 'e2e' })
  return { services, dataDir, notifications }
}

/** Exposes every bridge method and event subscription on `window.tunnelwright` in `page`, validated like the IPC handlers. */
export async function installBridge(page: Page): Promise<{ services: ShellServices; dataDir: string; notifications: ShownNotification[] }> {
  const emit: Emit = (event, payload) => {
    void page.evaluate(([e, p]) => (window as unknown as { __tw_dispatch?: (e: string, p: unknown) => void }).__tw_dispatch?.(e, p), [event, payload] as const).catch(() => undefined)
  }
  const created = createTestServices(emit)
  const handlers = createHandlers(created.services)
  const names = Object.keys(handlers)
  for (const name of names) {
    const spec = handlers[name as keyof typeof handlers] as HandlerSpec<never>
    const guarded = toGuardedHandler(spec.channel, spec.args, () => true, spec.run as (...a: unknown[]) => unknown)
    await page.exposeBinding(`__tw_${name}`, (source, ...raw: unknown[]) => guarded(source, ...raw))
  }
  await page.addInitScript(
    ([methodNames, events]: [string[], Record<string, string>]) => {
      const listeners = new Map<string, Set<(p: unknown) => void>>()
      const api: Record<string, unknown> = {}
      const w = window as unknown as Record<string, (...a: unknown[]) => unknown>
      for (const n of methodNames) api[n] = (...a: unknown[]) => w[`__tw_${n}`]!(...a)
      for (const [fn, event] of Object.entries(events)) {
        api[fn] = (cb: (p: unknown) => void) => {
          const set = listeners.get(event) ?? new Set()
          listeners.set(event, set)
          set.add(cb)
          return () => set.delete(cb)
        }
      }
      Object.defineProperty(window, '__tw_dispatch', { value: (e: string, p: unknown) => listeners.get(e)?.forEach((cb) => cb(p)), writable: false })
      Object.defineProperty(window, 'tunnelwright', { value: Object.freeze(api), writable: false })
    },
    [names, { ...EVENTS }] as [string[], Record<string, string>],
  )
  return created
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
