// Playwright fixtures: a served renderer, the bridge installed, Chromium present (or a clear skip).
import { existsSync } from 'node:fs'
import { test as base, expect } from '@playwright/test'
import { gate } from '../support/gate'
import { forbidForeignRequests, installBridge, type ShownNotification } from './bridge'
import { serveRenderer } from './server'

const chromium = process.env['PW_CHROMIUM_PATH'] ?? '/usr/bin/chromium'
/** Why the renderer suite cannot run here, if it cannot. */
export const chromiumGate = gate('e2e (renderer in Chromium)', existsSync(chromium) ? undefined : `needs ${chromium} (apt-get install chromium)`)

export const test = base.extend<{ app: { origin: string; foreignRequests: string[]; dataDir: string; notifications: ShownNotification[] } }>({
  app: async ({ page }, use) => {
    const server = await serveRenderer()
    const foreignRequests = forbidForeignRequests(page, server.origin)
    const { dataDir, notifications } = await installBridge(page)
    await page.goto(server.origin + '/')
    await use({ origin: server.origin, foreignRequests, dataDir, notifications })
    expect(foreignRequests, 'the app must make no request outside its own files').toEqual([])
    await server.close()
  },
})
export { expect }
