// Vendor devices in the desktop app (issue 17, part 1): fill the details, open Review, pick a vendor device
// and read its configuration (keys cut) with the steps in order, then copy and save it. The real built
// renderer in Debian Chromium with the real core behind the handler table (see bridge.ts); nothing
// connects to any device.
import { checkState } from './a11y'
import { fillVendorDetails } from './vendor-details'
import { chromiumGate, expect, test } from './fixtures'

test.skip(chromiumGate.skip, chromiumGate.reason)

test('Review: pick a vendor device, read its configuration with the steps in order, copy and save it', async ({ app, page, context }, info) => {
  void app
  await context.grantPermissions(['clipboard-read', 'clipboard-write'])
  await fillVendorDetails(page)
  await page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name: /Review/ }).click()
  await expect(page.getByRole('heading', { level: 2, name: /Review the change/ })).toBeFocused()

  // No device yet: a clear error, nothing rendered.
  await page.getByRole('button', { name: 'Show the configuration' }).click()
  await expect(page.getByRole('alert').filter({ hasText: 'Choose the device first.' })).toBeVisible()

  await page.getByLabel('Device', { exact: true }).selectOption('juniper-srx')
  await page.getByRole('button', { name: 'Show the configuration' }).click()
  const config = page.getByLabel('Configuration for Juniper SRX (Junos)')
  await expect(config).toContainText('set security ike gateway hq-east-t1 address 52.1.2.3')
  await expect(config).toContainText('set interfaces st0 unit 101 family inet address 169.254.10.2/30')
  // The keys never reach the renderer: the file says where they go.
  await expect(config).toContainText('pre-shared-key ascii-text "[redacted: the pre-shared key]"')
  const texts = await page.getByRole('list', { name: 'Steps, in order' }).getByRole('listitem').allTextContents()
  // In order: configuration mode (rollback points), paste, commit confirmed (reverts by itself), then check.
  expect(texts).toHaveLength(4)
  expect(texts[0]).toMatch(/^Enter configuration mode with configure private/)
  expect(texts[1]).toMatch(/^load set terminal, paste the commands/)
  expect(texts[2]).toMatch(/commit confirmed 5/)
  expect(texts[3]).toMatch(/^Check: show security ike security-associations/)
  await checkState(page, info, 'review-vendor-juniper')

  // Copy: the clipboard holds exactly the file shown (keys cut).
  await page.getByRole('button', { name: 'Copy the configuration' }).click()
  await expect(page.getByRole('button', { name: 'Copied' })).toBeVisible()
  const copied = await page.evaluate(() => navigator.clipboard.readText())
  expect(copied).toContain('set security ike gateway hq-east-t2 address 52.1.2.4')
  expect(copied).toContain('[redacted: the pre-shared key]')
  // Save: the download is the same text.
  const href = await page.getByRole('link', { name: 'Save as a file' }).getAttribute('href')
  expect(decodeURIComponent(href!.replace(/^data:text\/plain;charset=utf-8,/, ''))).toBe(copied)

  // Another device: Windows Server's PowerShell, the keys cut there too.
  await page.getByLabel('Device', { exact: true }).selectOption('windows-server')
  await expect(config).toBeHidden()
  await page.getByRole('button', { name: 'Show the configuration' }).click()
  const ps = page.getByLabel('Configuration for Windows Server (RRAS, PowerShell)')
  await expect(ps).toContainText('52.1.2.3')
  await expect(ps).toContainText('[redacted: the pre-shared key]')
  await checkState(page, info, 'review-vendor-windows')
})
