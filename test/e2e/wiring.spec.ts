import { getAppInfo } from '../../main/core/base/app-info'
import { chromiumGate, expect, test } from './fixtures'

test.skip(chromiumGate.skip, chromiumGate.reason)

test('a renderer action reaches the real core and the answer renders', async ({ app, page }) => {
  void app
  const info = getAppInfo()
  await expect(page.getByRole('heading', { name: 'Tunnelwright', level: 1 })).toBeVisible()
  await expect(page.getByText(`Version ${info.version}`)).toBeVisible()
  const list = page.getByRole('list', { name: 'Supported gateways' })
  for (const kind of info.deviceKinds) await expect(list.getByText(kind, { exact: true })).toBeVisible()
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
