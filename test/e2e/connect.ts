// The first two steps every lab spec walks through: import the lab's details, connect and trust the gateway.
import type { Page } from '@playwright/test'
import { checkState } from './a11y'
import { expect } from './fixtures'
import type { LabProcess } from './lab-process'

/** The step's h2 (focused when the step opens). */
export function stepHeading(page: Page, name: RegExp) {
  return page.getByRole('heading', { level: 2, name })
}

/**
 * Details (import the lab's file, save) and Gateway (connect, approve the key, see what runs); each state
 * checked and shot unless `shots` is false (a spec about a later step).
 */
export async function importAndConnect(page: Page, lab: LabProcess, info: Parameters<typeof checkState>[1], prefix: string, opts: { readonly shots?: boolean } = {}): Promise<void> {
  const state = opts.shots === false ? async () => undefined : (name: string) => checkState(page, info, name)
  // The request step is for people who do not have details yet: skip it.
  await expect(stepHeading(page, /Request a dedicated pool/)).toBeFocused()
  await state(`${prefix}1-request`)
  await page.getByRole('button', { name: 'Continue to Details' }).click()
  await expect(stepHeading(page, /Connection details/)).toBeFocused()
  await page.getByLabel(/Import a details file/).setInputFiles(lab.detailsFile)
  await expect(page.getByText(/^Imported details\.json: filled \d+ fields\. Pre-shared keys from the file for both tunnels: stored when you save\./)).toBeVisible()
  await expect(page.getByLabel('Tunnel 1 outside IP')).toHaveValue(lab.info.details.remote.tunnels[0]!.outsideIp)
  await expect(page.getByLabel('Gateway public IP')).toHaveValue(lab.info.details.gateway.publicIp)
  await state(`${prefix}2-details-imported`)
  await page.getByRole('button', { name: 'Save and continue' }).click()

  await expect(stepHeading(page, /Connect to your gateway/)).toBeFocused()
  const ssh = lab.info.ssh
  await page.getByLabel('Gateway address').fill(ssh.host)
  await page.getByLabel('SSH port').fill(String(ssh.port))
  await page.getByLabel('User').fill(ssh.username)
  await page.getByRole('radio', { name: 'A private key file' }).check()
  await page.getByRole('textbox', { name: 'Private key file' }).fill(lab.keyFile)
  await state(`${prefix}3-gateway-form`)
  await page.getByRole('button', { name: 'Connect', exact: true }).click()
  await expect(page.getByRole('heading', { name: "First connection: check the gateway's identity" })).toBeFocused()
  // The fingerprint shown is the key the lab's known_hosts line carries.
  await expect(page.getByLabel('Host key fingerprint')).toHaveText(ssh.hostKeySha256)
  await state(`${prefix}3-gateway-hostkey`)
  await page.getByRole('button', { name: 'Trust this key and connect' }).click()
  const facts = page.getByRole('region', { name: 'What the gateway runs' })
  await expect(facts).toBeVisible({ timeout: 60_000 })
  await expect(facts).toContainText(/strongswan 5\.\d+\.\d+, running/)
  await expect(facts).toContainText('root')
  await expect(page.getByText(`(trusted just now)`)).toBeVisible()
  await state(`${prefix}3-gateway-facts`)
  await page.getByRole('button', { name: 'Continue to Checks' }).click()
  await expect(stepHeading(page, /Firewall, NAT and path checks/)).toBeFocused()
}
