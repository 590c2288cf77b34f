// Vendor status on the desktop board (issue 17): a profile whose gateway is a Cisco ASA, watched read-only by
// polling its show commands. The real built renderer in Debian Chromium, the real core behind the handler
// table (bridge.ts), and over SSH the replayed ASA session AWS published (test/support/vendor-replay.ts: a
// STAND-IN, an ASA cannot run here; its placeholder peer names are replaced by this profile's outside IPs).
import type { Page } from '@playwright/test'
import { REPLAY_ENABLE, REPLAY_LOGIN, startReplay, type Replay } from '../support/vendor-replay'
import { checkState } from './a11y'
import { fillVendorDetails } from './vendor-details'
import { chromiumGate, expect, test } from './fixtures'

test.skip(chromiumGate.skip, chromiumGate.reason)

function steps(page: Page) {
  return page.getByRole('navigation', { name: 'Steps' })
}

async function saveDetails(page: Page): Promise<void> {
  await fillVendorDetails(page)
  await page.getByRole('button', { name: 'Save and continue' }).click()
  await expect(page.getByRole('heading', { level: 2, name: /Connect to your gateway/ })).toBeFocused()
}

let replay: Replay
test.beforeAll(async () => {
  replay = await startReplay('cisco-asa', { peers: { AWS_ENDPOINT_1: '52.1.2.3', AWS_ENDPOINT_2: '52.1.2.4' } })
})
test.afterAll(async () => {
  await replay.close()
})

test('Status: pick the Cisco ASA, trust its key, and read both tunnels read-only with the verdicts and the diagnosis', async ({ app, page }, info) => {
  void app
  await saveDetails(page)
  // The connection is typed in step 3 as for any gateway; a vendor device is not "connected" there (no Linux to detect).
  await page.getByLabel('Gateway address').fill('127.0.0.1')
  await page.getByLabel('SSH port').fill(String(replay.port))
  await page.getByLabel('User').fill('admin')
  await page.locator('label[for="auth-password"]').click()
  await expect(page.getByRole('radio', { name: 'A password' })).toBeChecked()
  await steps(page).getByRole('button', { name: /Status/ }).click()
  await expect(page.getByRole('heading', { level: 2, name: /Live status/ })).toBeFocused()

  const form = page.getByRole('region', { name: 'A vendor device: watch its tunnels, read-only' })
  await expect(form).toContainText('Signs in to 127.0.0.1:')
  await form.getByLabel('Device to watch').selectOption('cisco-asa')
  await form.getByLabel('SSH password of the device').fill(REPLAY_LOGIN)
  await form.getByLabel('Enable password').fill(REPLAY_ENABLE)
  await form.getByText('Allow older SSH algorithms for this device only').click()
  await expect(form.getByLabel('Allow older SSH algorithms for this device only')).toBeChecked()
  await checkState(page, info, 'status-vendor-form')
  await form.getByRole('button', { name: 'Watch the Cisco ASA (read-only)' }).click()

  // First contact: the fingerprint is shown, nothing is trusted for the user.
  await expect(form.getByRole('alert')).toContainText("First connection: check the device's identity")
  await expect(form.getByLabel('Host key fingerprint')).toHaveText(/^SHA256:/)
  await checkState(page, info, 'status-vendor-hostkey')
  await form.getByRole('button', { name: 'Trust this key and watch' }).click()

  const board = page.getByRole('region', { name: 'Status of HQ east' })
  const readOnly = board.getByTestId('vendor-readonly')
  await expect(readOnly).toContainText('Read-only')
  await expect(readOnly).toContainText('Polling every 30 s')
  await expect(readOnly).toContainText('Cisco ASA: Tunnelwright runs its show commands over SSH and writes nothing to it.')
  await expect(readOnly).toContainText('Older SSH algorithms allowed for this device: diffie-hellman-group14-sha1')
  await expect(readOnly).toContainText('ssh-rsa')

  const row1 = board.locator('tr[data-peer="52.1.2.3"]')
  const row2 = board.locator('tr[data-peer="52.1.2.4"]')
  await expect(row1).toHaveAttribute('data-state', 'up')
  await expect(row1).toContainText('Healthy')
  await expect(row1).toContainText('hq-east-t1')
  await expect(row1).toContainText('None: read-only, nothing is sent into the tunnel')
  await expect(row2).toHaveAttribute('data-state', 'down')
  await expect(board.getByTestId('overall')).toContainText(/down/i)
  const diagnosis = board.getByRole('region', { name: 'Diagnosis' })
  await expect(diagnosis).toContainText('Tunnel 2: No IKE SA to 52.1.2.4 at all')
  await expect(diagnosis).toContainText('Fix: ')
  await expect(board).toContainText("Polled every 30 seconds (the device's show commands; the device has no event feed).")
  await checkState(page, info, 'status-vendor-board')

  // Secrets never reach the window: not in the page, not in what main pushed.
  const html = await page.content()
  for (const s of [REPLAY_LOGIN, REPLAY_ENABLE]) expect(html).not.toContain(s)
  // Read-only on the device: enable, its password (never echoed), paging off, show commands, exit.
  expect(replay.received.filter((l) => !/^(show |enable$|<enable password>$|terminal pager 0$|exit$)/.test(l))).toEqual([])

  await board.getByRole('button', { name: 'Stop watching' }).click()
  await expect(board.getByRole('button', { name: 'Start watching' })).toBeVisible()
  // The device choice is kept with the profile.
  await expect(form.getByLabel('Device to watch')).toHaveValue('cisco-asa')
  await expect(form.getByLabel('Allow older SSH algorithms for this device only')).toBeChecked()
})

// Windows Server: the same board over the server's OpenSSH, each Get- cmdlet through powershell.exe (the replay
// decodes the exec requests: a STAND-IN, there is no Windows here), at a poll interval the user chose.
test('Status: pick Windows Server, choose how often it is read (bounds checked), and read both tunnels read-only', async ({ app, page }, info) => {
  void app
  const windows = await startReplay('windows-server')
  try {
    await saveDetails(page)
    await page.getByLabel('Gateway address').fill('127.0.0.1')
    await page.getByLabel('SSH port').fill(String(windows.port))
    await page.getByLabel('User').fill('Administrator')
    await page.locator('label[for="auth-password"]').click()
    await steps(page).getByRole('button', { name: /Status/ }).click()
    await expect(page.getByRole('heading', { level: 2, name: /Live status/ })).toBeFocused()

    const form = page.getByRole('region', { name: 'A vendor device: watch its tunnels, read-only' })
    await form.getByLabel('Device to watch').selectOption('windows-server')
    await expect(form.getByTestId('windows-needs')).toContainText('OpenSSH Server must be enabled and the account must be a local administrator')
    await expect(form.getByLabel('Enable password')).toHaveCount(0)
    await form.getByLabel('SSH password of the device').fill(REPLAY_LOGIN)
    const interval = form.getByLabel('Read the device every (seconds)')
    await expect(interval).toHaveValue('30')
    // Out of bounds: said at the field, and nothing connects.
    await interval.fill('2')
    await expect(form.getByText('Enter whole seconds from 5 to 3600.')).toBeVisible()
    await expect(interval).toHaveAttribute('aria-invalid', 'true')
    await form.getByRole('button', { name: /Watch the Windows Server/ }).click()
    await expect(form.getByText('How often to read the device: Enter whole seconds from 5 to 3600.')).toBeVisible()
    await expect(interval).toBeFocused()
    expect(windows.received).toEqual([])
    await checkState(page, info, 'status-windows-interval-error')

    await interval.fill('10')
    await expect(interval).toHaveAttribute('aria-invalid', 'false')
    await form.getByRole('button', { name: /Watch the Windows Server/ }).click()
    await expect(form.getByRole('alert')).toContainText("First connection: check the device's identity")
    await expect(form.getByRole('alert')).toContainText('ssh-keygen -lf C:\\ProgramData\\ssh\\ssh_host_ed25519_key.pub')
    await form.getByRole('button', { name: 'Trust this key and watch' }).click()

    const board = page.getByRole('region', { name: 'Status of HQ east' })
    const readOnly = board.getByTestId('vendor-readonly')
    await expect(readOnly).toContainText('Polling every 10 s')
    await expect(readOnly).toContainText('Windows Server (RRAS, PowerShell over OpenSSH): Tunnelwright runs its PowerShell Get- cmdlets over SSH and writes nothing to it.')
    await expect(board.locator('tr[data-peer="52.1.2.3"]')).toHaveAttribute('data-state', 'up')
    await expect(board.locator('tr[data-peer="52.1.2.4"]')).toHaveAttribute('data-state', 'down')
    await expect(board.locator('tr[data-peer="52.1.2.4"]')).toContainText('device says Connecting (error 13801)')
    const diagnosis = board.getByRole('region', { name: 'Diagnosis' })
    await expect(diagnosis).toContainText('Tunnel 2: IKE to 52.1.2.4 never completes')
    await expect(board).toContainText("Polled every 10 seconds (the device's PowerShell Get- cmdlets; the device has no event feed).")
    await checkState(page, info, 'status-windows-board')
    expect(await page.content()).not.toContain(REPLAY_LOGIN)
    // Only the three read-only cmdlets, each through powershell.exe.
    expect(windows.received).toHaveLength(3)
    for (const line of windows.received) expect(line).toMatch(/^powershell\.exe -NoProfile -NonInteractive -EncodedCommand /)

    await board.getByRole('button', { name: 'Stop watching' }).click()
    // The choice, interval included, is kept with the profile.
    await expect(form.getByLabel('Device to watch')).toHaveValue('windows-server')
    await expect(interval).toHaveValue('10')
  } finally {
    await windows.close()
  }
})
