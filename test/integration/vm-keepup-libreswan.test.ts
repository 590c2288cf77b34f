// Keep-up on a Libreswan gateway with no app around, on a real kernel: the gateway VM (Debian's kernel under
// QEMU) keeps what it writes on a disk and the app applies a route-based change once. Then AWS goes silent on
// tunnel 1 (DPD finds it), AWS restarts hard (all SAs gone without a DELETE), and the gateway is powered off
// and booted again, and cut off: each time the tunnels come back by themselves (pluto's dpdaction=restart and
// auto=start; keepup.sh, started again at boot by the ipsec.service drop-in). Then the app rolls back from a
// new SSH session: the files as before. Figures are printed, never asserted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { GatewayShell } from '../../main/core/gateway/shell'
import { toGatewayShell } from '../../main/core/gateway/shell'
import type { SshSession } from '../../main/core/ssh/session'
import { rollbackChange } from '../../main/core/workflow/change'
import type { Lab } from '../lab'
import { labSession, listConfigFiles, toGatewayState, waitUntil } from '../support/fault-gateway'
import { outageDuring } from '../support/outage'
import { vmGate } from '../support/gate'
import { applyAndLeave, bootVmLab, bothTunnelsCarry, rebootUntilBothBack } from '../support/vm-figures'

const g = vmGate('Libreswan keep-up on a VM gateway (real kernel)')
const CONFIG_DIRS = ['/etc/ipsec.conf', '/etc/ipsec.secrets', '/etc/ipsec.d', '/etc/tunnelwright', '/etc/systemd/system/ipsec.service.d']

describe.skipIf(g.skip)('Libreswan 4.10 gateway VM: keep-up without the app (DPD, AWS restart, reboot)', () => {
  let lab: Lab
  let session: SshSession | undefined
  let shell: GatewayShell
  let paths: string[] = []
  let before: Awaited<ReturnType<typeof toGatewayState>>
  let keepup = ''
  let firstFile = { path: '', content: '' }

  beforeAll(async () => {
    ;({ lab, session, shell } = await bootVmLab({ gateway: 'libreswan', vmDisk: true, acceptIkev1: true }))
  }, 420_000)

  afterAll(async () => {
    await session?.close()
    await lab?.down()
  })

  const bothUp = () => bothTunnelsCarry(lab)

  /** Tunnel `i` (0/1) has an IPsec SA. */
  const tunnelUp = async (i: 0 | 1) => (await lab.gateway.listSas()).some((s) => s.remoteHost === lab.aws.outsideIps[i] && s.state === 'ESTABLISHED' && s.children.some((c) => c.state === 'INSTALLED'))

  it('route-based apply commits (the app leaves: its session closes)', async () => {
    ;({ paths, before, keepup, firstFile } = await applyAndLeave(lab, session!, shell, CONFIG_DIRS))
    session = undefined
  }, 600_000)

  it('AWS goes silent on tunnel 1 (no DELETE): DPD finds it, the traffic moves to tunnel 2; AWS answers again: tunnel 1 comes back', async () => {
    const silent = await outageDuring(lab, 75, () => lab.aws.tunnelDown(0, { silent: true }))
    console.log(`silent drop of tunnel 1 (DPD 10 s / 30 s): longest gap between answers ${silent.longestGapS.toFixed(1)} s (${silent.answered}/${silent.sent} answered, last answer ${silent.lastAnswerS.toFixed(1)} s into the window)`)
    await waitUntil('tunnel 1 gone (DPD)', async () => !(await tunnelUp(0)), 120_000)
    expect((await lab.gateway.execLanHost(['ping', '-n', '-c', '3', '-i', '0.3', '-W', '2', lab.aws.hostIp])).code).toBe(0)
    const t0 = Date.now()
    await lab.aws.tunnelUp(0)
    await waitUntil('both tunnels back', bothUp, 240_000)
    console.log(`silent drop: AWS answers tunnel 1 again → both up with traffic after ${((Date.now() - t0) / 1000).toFixed(1)} s`)
  }, 600_000)

  it('AWS restarts hard (every SA gone without a DELETE): both tunnels come back', async () => {
    const t0 = Date.now()
    const out = await outageDuring(lab, 75, () => lab.aws.restart())
    await waitUntil('both tunnels back after the AWS restart', bothUp, 240_000)
    console.log(`hard AWS restart: longest gap between answers ${out.longestGapS.toFixed(1)} s (${out.answered}/${out.sent} answered, last answer ${out.lastAnswerS.toFixed(1)} s into the window); both up with traffic ${((Date.now() - t0) / 1000).toFixed(1)} s after the restart began`)
    expect((await lab.aws.listSas()).filter((s) => s.state === 'ESTABLISHED').map((s) => s.name).sort()).toEqual(['tunnel1', 'tunnel2'])
  }, 600_000)

  it('the gateway is powered off and booted again, then cut off: both tunnels come back with no app and keepup.sh runs; then the app rolls back to the files as before', async () => {

    const gw = lab.vms[1]!
    // What the change wrote survives on the disk; both tunnels come back with no app.
    const { booted, backS } = await rebootUntilBothBack(lab, firstFile)
    const status = await lab.gateway.exec([keepup, 'status'])
    console.log(
      `gateway reboot (clean power-off): ready ${(booted.bootMs / 1000).toFixed(1)} s after qemu started (guest uptime ${booted.guestReadyS} s); both tunnels up with traffic ${backS.toFixed(1)} s after the boot began; keepup.sh: ${status.stdout.trim().split('\n')[0]}`,
    )
    expect(status.stdout).toMatch(/^running \(pid \d+\)/)

    // The power cut: qemu killed. ext4 replays its journal; the tunnels come back the same way.
    await gw.powerOff({ hard: true })
    const t1 = Date.now()
    const again = await gw.boot()
    expect(gw.boots()).toBe(3)
    await waitUntil('both tunnels back after the power cut', bothUp, 240_000)
    console.log(`gateway power cut (qemu killed): ready ${(again.bootMs / 1000).toFixed(1)} s after qemu started; both tunnels up with traffic ${((Date.now() - t1) / 1000).toFixed(1)} s after the boot began`)
    expect((await lab.gateway.exec([keepup, 'status'])).stdout).toMatch(/^running \(pid \d+\)/)

    session = await labSession(lab)
    shell = toGatewayShell(session)
    const rb = await rollbackChange({ shell })
    expect(rb.files.length).toBeGreaterThan(0)
    expect(await listConfigFiles(lab, CONFIG_DIRS)).toEqual(paths)
    expect((await toGatewayState(lab, paths)).files).toEqual(before.files)
    await waitUntil('the aws side to drop the SAs', async () => (await lab.aws.listSas()).every((s) => s.state !== 'ESTABLISHED'), 90_000)
  }, 900_000)
})
