// A BGP VPN on screen: Review's BGP speaker and the frr.conf it plans, and the status board's BGP sessions,
// with the real built renderer (Chromium), the real core behind the bridge, and a lab gateway running
// Debian's FRR 8.4 (frrinit.sh → watchfrr → zebra, bgpd) beside charon, reached over sshd.
//
// What is real: the plan (the app reads the gateway's own frr.conf and FRR's state over SSH and merges its
// section in); bgpd on both sides (AWS-shaped AS 64512 on the aws node, the gateway's with the frr.conf
// Review showed, given to FRR by its own frrinit.sh reload, as an apply does without systemd); the sessions
// the status board shows (vtysh -c 'show bgp summary json' over the app's SSH session); both IPsec tunnels
// (charon ↔ charon, IKE and ESP) and the session taken down by AWS (neighbor shutdown: a NOTIFICATION).
// What stands in, and why: this kernel has no ESP, and charon's kernel-libipsec has no XFRM interfaces, so
// the route-based tunnels the app plans cannot run in namespaces (the VM lab runs them: lab-vm-frr tests).
// So nothing is applied here: the tunnels are the lab's own policy-based reference connections, and the BGP
// sessions run over two links that stand in for the tunnels' interfaces (each tunnel's inside /30); the board's
// health probe (a ping to AWS's inside address of each tunnel, as route-based status probes) goes over them too.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { labGate, gate } from '../support/gate'
import { frrMissing } from '../support/frr'
import { checkState } from './a11y'
import { importAndConnect, stepHeading } from './connect'
import { chromiumGate, expect, test } from './fixtures'
import { startLab, type LabProcess } from './lab-process'

test.skip(chromiumGate.skip, chromiumGate.reason)

test.describe('a BGP VPN against a lab gateway with FRR', () => {
  const lg = labGate('e2e BGP (lab gateway with FRR)')
  const g = lg.skip ? lg : gate('e2e BGP (lab gateway with FRR)', frrMissing())
  test.skip(g.skip, g.reason)
  let lab: LabProcess
  let dir: string
  test.beforeAll(async () => {
    test.setTimeout(120_000)
    dir = mkdtempSync(join(tmpdir(), 'tw-e2e-bgp-'))
    lab = await startLab('swanctl', ['--frr'])
  })
  test.afterAll(async () => {
    await lab?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  test('Review shows the BGP speaker and frr.conf; the status board shows both sessions Established, then one down as a warning', async ({ app, page }, info) => {
    test.setTimeout(300_000)
    void app
    const d = lab.info.details
    const bgp = d.bgp!
    const [peer1, peer2] = d.remote.tunnels.map((t) => t.outsideIp)
    const [n1, n2] = bgp.tunnels.map((t) => t.neighborIp)
    expect([n1, n2]).toEqual(['169.254.120.1', '169.254.121.5'])
    await importAndConnect(page, lab, info, 'bgp', { shots: false })

    // Review: the plan against the gateway, prepared as the step opens.
    await page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name: /Step 5: Review/ }).click()
    await expect(stepHeading(page, /Review the change/)).toBeFocused()
    await expect(page.getByRole('status').filter({ hasText: /files? will change/ })).toBeVisible({ timeout: 60_000 })
    const summary = page.getByRole('region', { name: 'What this change sets up' })
    await expect(summary).toContainText('route-based')
    // The speaker: our ASN, both neighbours and AWS's, what goes out and what comes in, AWS's timers.
    const speaker = summary.getByRole('article').filter({ has: page.getByRole('heading', { name: 'BGP in FRR on the gateway' }) })
    const field = (name: string) => speaker.locator(`dt:text-is("${name}") + dd`)
    await expect(field('Our ASN')).toHaveText('AS 65000')
    await expect(field('Neighbours')).toHaveText(`${n1} (tunnel 1), ${n2} (tunnel 2)`)
    await expect(field("AWS's ASN")).toHaveText('AS 64512')
    await expect(field('Advertises')).toHaveText(d.gateway.privateCidrs.join(', '))
    await expect(field('Accepts only')).toHaveText(d.remote.dedicatedCidrs.join(', '))
    await expect(field('Timers')).toHaveText('keepalive 10 s, hold 30 s')
    await expect(speaker).toContainText("Only Tunnelwright's section of /etc/frr/frr.conf changes; FRR reloads without a restart.")
    const card1 = summary.getByRole('article').filter({ hasText: 'Tunnel 1:' })
    const card2 = summary.getByRole('article').filter({ hasText: 'Tunnel 2:' })
    await expect(card1).toContainText(peer1!)
    await expect(card1).toContainText('routes learned by BGP')
    await expect(card1).toContainText(`neighbour ${n1}, AS 64512`)
    await expect(card2).toContainText(peer2!)
    await expect(card2).toContainText(`neighbour ${n2}, AS 64512`)
    // frr.conf is the gateway's own (the package's, read over SSH) with our section put in: the change, and the whole file.
    const frr = page.getByRole('region', { name: 'Change to /etc/frr/frr.conf' })
    await expect(frr.getByRole('heading', { level: 4 })).toHaveText('/etc/frr/frr.conf — Changed')
    await frr.getByText(/^Show the change \(\d+ lines of diff\)$/).click()
    await expect(frr.getByLabel('Diff of /etc/frr/frr.conf')).toContainText(`neighbor ${n1} remote-as 64512`)
    await frr.getByText(/^Show the whole file after the change \(\d+ lines\)$/).click()
    const whole = frr.getByLabel('Content of /etc/frr/frr.conf')
    await expect(whole).toContainText('log syslog informational')
    await expect(whole).toContainText('# default to using syslog. /etc/rsyslog.d/45-frr.conf places the log in')
    await expect(whole).toContainText('router bgp 65000')
    for (const n of [n1, n2]) {
      await expect(whole).toContainText(`neighbor ${n} remote-as 64512`)
      await expect(whole).toContainText(`neighbor ${n} timers 10 30`)
    }
    await checkState(page, info, 'bgp5-review')
    const planned = ((await whole.textContent()) ?? '').replace(/\n?$/, '\n')

    // Nothing is applied (see the top of this file): the gateway's FRR takes the frr.conf Review showed by its own
    // reload, and the lab brings both IPsec tunnels up.
    const confFile = join(dir, 'frr.conf')
    writeFileSync(confFile, planned)
    await lab.control(`frr-conf ${confFile}`)
    await lab.control('ipsec-up')

    // The status board reads the sessions from the gateway's vtysh.
    await page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name: /Step 7: Status/ }).click()
    await expect(stepHeading(page, /Live status/)).toBeFocused()
    await page.getByRole('button', { name: 'Start watching' }).click()
    const t1 = page.locator(`tr[data-peer="${peer1}"]`)
    const t2 = page.locator(`tr[data-peer="${peer2}"]`)
    const overall = page.getByTestId('overall')
    await expect(t1).toHaveAttribute('data-state', 'up', { timeout: 60_000 })
    await expect(t2).toHaveAttribute('data-state', 'up', { timeout: 60_000 })
    const established = /^BGP Established \d+ (s|min)prefixes: 1 received, 1 advertised$/
    await expect(t1.getByTestId('bgp')).toHaveText(established, { timeout: 60_000 })
    await expect(t2.getByTestId('bgp')).toHaveText(established, { timeout: 60_000 })
    await expect(overall).toHaveText('Healthy: both tunnels up.')
    await expect(overall).toHaveClass(/usa-alert--success/)
    // Which session each row is about: AWS's inside address and ASN, as FRR reports them.
    await expect(t1.getByTestId('bgp-neighbour')).toHaveText(`BGP neighbour ${n1}, AS 64512`)
    await expect(t2.getByTestId('bgp-neighbour')).toHaveText(`BGP neighbour ${n2}, AS 64512`)
    for (const t of [t1, t2]) await expect(t.getByTestId('bgp').locator('.tw-board__sub--alert')).toHaveCount(0)
    await checkState(page, info, 'bgp7-status-established')

    // AWS shuts tunnel 1's session down: the tunnel stays up, its session is not Established, and the one line warns.
    await lab.control('bgp-down 0')
    await expect(t1.getByTestId('bgp')).toHaveText(/^BGP (Idle|Active|Connect|OpenSent|OpenConfirm)( for \d+ (s|min))?no routes through this tunnel$/, { timeout: 60_000 })
    await expect(t1.getByTestId('bgp').locator('.tw-board__sub--alert')).toHaveCount(1)
    await expect(t1).toHaveAttribute('data-state', 'up')
    // The IPsec verdict says which layer it judges: the tunnel is fine, its BGP session is not.
    await expect(t1.getByText('IPsec healthy')).toBeVisible()
    await expect(t2.getByTestId('bgp')).toHaveText(established)
    await expect(overall).toHaveText('Up, with a warning: both tunnels up. But tunnel 1: the BGP session is not Established, so no traffic is routed there.')
    await expect(overall).toHaveClass(/usa-alert--warning/)
    await checkState(page, info, 'bgp7-status-session-down')

    // Let through again, it comes back on its own (connect retry 10 s).
    await lab.control('bgp-up 0')
    await expect(t1.getByTestId('bgp')).toHaveText(established, { timeout: 90_000 })
    await expect(overall).toHaveText('Healthy: both tunnels up.')
  })
})
