// A swanctl gateway rebooted with no app around, on a real kernel: the gateway VM (Debian's kernel under QEMU)
// keeps what it writes on a disk; the app applies a route-based change once and leaves. The gateway is powered
// off and booted again: charon loads the connections at start (start_action=start) and its start-scripts start
// keepup.sh, so both tunnels come back with traffic and the keep-up loop runs. Then the app rolls back from a
// new SSH session: the files as before. Figures are printed, never asserted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { toGatewayShell, type GatewayShell } from '../../main/core/gateway/shell'
import type { SshSession } from '../../main/core/ssh/session'
import { rollbackChange } from '../../main/core/workflow/change'
import type { Lab } from '../lab'
import { labSession, listConfigFiles, toGatewayState, waitUntil } from '../support/fault-gateway'
import { vmGate } from '../support/gate'
import { applyAndLeave, bootVmLab, rebootUntilBothBack } from '../support/vm-figures'

const g = vmGate('swanctl gateway VM reboot (real kernel)')

const CONFIG_DIRS = ['/etc/swanctl', '/etc/strongswan.d', '/etc/tunnelwright']

describe.skipIf(g.skip)('swanctl gateway VM: a reboot with no app brings both route-based tunnels back', () => {
  let lab: Lab
  let session: SshSession | undefined
  let shell: GatewayShell
  let paths: string[] = []
  let before: Awaited<ReturnType<typeof toGatewayState>>
  let keepup = ''
  let firstFile = { path: '', content: '' }

  beforeAll(async () => {
    ;({ lab, session, shell } = await bootVmLab({ gateway: 'swanctl', vmDisk: true }))
  }, 420_000)

  afterAll(async () => {
    await session?.close()
    await lab?.down()
  })


  it('route-based apply commits (the app leaves: its session closes)', async () => {
    ;({ paths, before, keepup, firstFile } = await applyAndLeave(lab, session!, shell, CONFIG_DIRS))
    session = undefined
  }, 600_000)

  it('powered off and booted again: both tunnels back with traffic and keepup.sh running, no app; then the app rolls back to the files as before', async () => {
    // What the change wrote survives on the disk; both tunnels come back with no app.
    const { booted, backS } = await rebootUntilBothBack(lab, firstFile)
    await waitUntil('keepup.sh running', async () => /^running \(pid \d+\)/.test((await lab.gateway.exec([keepup, 'status'])).stdout), 60_000)
    console.log(`swanctl gateway reboot (clean power-off): ready ${(booted.bootMs / 1000).toFixed(1)} s after qemu started (guest uptime ${booted.guestReadyS} s); both tunnels up with traffic ${backS.toFixed(1)} s after the boot began`)

    session = await labSession(lab)
    shell = toGatewayShell(session)
    const rb = await rollbackChange({ shell })
    expect(rb.files.length).toBeGreaterThan(0)
    expect(await listConfigFiles(lab, CONFIG_DIRS)).toEqual(paths)
    expect((await toGatewayState(lab, paths)).files).toEqual(before.files)
    await waitUntil('the aws side to drop the SAs', async () => (await lab.aws.listSas()).every((s) => s.state !== 'ESTABLISHED'), 90_000)
  }, 900_000)
})
