// The real Electron app; runs on a workstation that has the Electron binary, skips here.
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { _electron as electron, expect, test } from '@playwright/test'

/** The Electron executable if installed; never require('electron') (it would try to download it). */
function electronBinary(): string | undefined {
  try {
    const pkgDir = dirname(createRequire(__filename).resolve('electron/package.json'))
    const pathTxt = join(pkgDir, 'path.txt')
    if (!existsSync(pathTxt)) return undefined
    const exe = join(pkgDir, 'dist', readFileSync(pathTxt, 'utf8').trim())
    return existsSync(exe) ? exe : undefined
  } catch {
    return undefined
  }
}

const exe = electronBinary()
if (!exe) process.stderr.write('SKIP e2e (Electron app): the Electron binary is not installed (offline / ELECTRON_SKIP_BINARY_DOWNLOAD); runs on a workstation\n')
test.skip(!exe, 'Electron binary not installed (offline / ELECTRON_SKIP_BINARY_DOWNLOAD)')

test('the app window opens hardened and the bridge answers', async () => {
  const app = await electron.launch({ executablePath: exe!, args: ['.', ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])] })
  const win = await app.firstWindow()
  await expect(win.getByRole('heading', { name: 'Tunnelwright', level: 1 })).toBeVisible()
  await expect(win.getByText(/^Version /)).toBeVisible()
  // Sandboxed, isolated renderer: no Node globals in the page, only the bridge.
  expect(await win.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe('undefined')
  expect(await win.evaluate(() => Object.keys((globalThis as unknown as { tunnelwright: object }).tunnelwright))).toContain('getAppInfo')
  expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1)
  expect(await win.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined')
  await app.close()
})
