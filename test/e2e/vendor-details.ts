// The connection the vendor specs fill in on the Details step: HQ east, two AWS tunnels (52.1.2.3 and 52.1.2.4).
import type { Page } from '@playwright/test'
import { expect } from './fixtures'

/** Opens Details and fills the vendor specs' connection (nothing saved). */
export async function fillVendorDetails(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name: /Details/ }).click()
  await expect(page.getByRole('heading', { level: 2, name: /Connection details/ })).toBeFocused()
  await page.getByLabel('Connection name').fill('HQ east')
  await page.getByLabel('Gateway public IP').fill('34.201.10.20')
  await page.getByLabel('Private networks (CIDRs)').fill('10.40.0.0/24')
  await page.getByLabel('Dedicated subnet CIDRs').fill('10.200.0.0/16')
  await page.getByLabel('Tunnel 1 outside IP').fill('52.1.2.3')
  await page.getByLabel('Tunnel 1 inside CIDR').fill('169.254.10.0/30')
  await page.getByLabel('Tunnel 2 outside IP').fill('52.1.2.4')
  await page.getByLabel('Tunnel 2 inside CIDR').fill('169.254.11.0/30')
}
