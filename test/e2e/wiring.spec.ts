import { getAppInfo } from '../../main/core/base/app-info'
import { checkState } from './a11y'
import { chromiumGate, expect, test } from './fixtures'

test.skip(chromiumGate.skip, chromiumGate.reason)

test('a renderer action reaches the real core and the answer renders', async ({ app, page }, testInfo) => {
  void app
  const info = getAppInfo()
  await expect(page.getByRole('heading', { name: 'Tunnelwright', level: 1 })).toBeVisible()
  await expect(page.getByText(`Version ${info.version}`)).toBeVisible()
  const list = page.getByRole('list', { name: 'Supported gateways' })
  for (const kind of info.deviceKinds) await expect(list.getByText(kind, { exact: true })).toBeVisible()
  // The About box lists the vendor devices from the same vocabulary (configurations and read-only status).
  const vendors = page.getByRole('list', { name: 'Vendor devices' })
  expect(info.vendorKinds).toContain('windows-server')
  for (const kind of info.vendorKinds) await expect(vendors.getByText(kind, { exact: true })).toBeVisible()
  await expect(vendors.getByRole('listitem')).toHaveCount(info.vendorKinds.length)
  await expect(page.getByRole('heading', { level: 3, name: 'Vendor devices: configuration to paste, and read-only status over SSH' })).toBeVisible()
  await checkState(page, testInfo, 'about-vendor-kinds')
})

test('the Content-Security-Policy blocks inline script', async ({ app, page }) => {
  void app
  const violated = await page.evaluate(
    () =>
      new Promise<string>((resolve) => {
        document.addEventListener('securitypolicyviolation', (e) => resolve(e.violatedDirective), { once: true })
        const s = document.createElement('script')
        s.textContent = 'window.__inlineRan = true'
        document.body.appendChild(s)
        setTimeout(() => resolve('none'), 2000)
      }),
  )
  expect(violated).toBe('script-src-elem')
  expect(await page.evaluate(() => (window as unknown as { __inlineRan?: boolean }).__inlineRan)).toBeUndefined()
})
