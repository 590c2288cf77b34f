// A swanctl gateway rebooted with no app around, on a real kernel: the gateway VM (Debian's kernel under QEMU)
// keeps what it writes on a disk; the app applies a route-based change once and leaves. The gateway is powered
// off and booted again: charon loads the connections at start (start_action=start) and its start-scripts start
// keepup.sh, so both tunnels come back with traffic and the keep-up loop runs. Then the app rolls back from a
// new SSH session: the files as before. Figures are printed, never asserted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Details } from '../../main/core/details/model'
import { processSecretSources } from '../../main/core/details/resolve'
import { toGatewayShell, type GatewayShell } from '../../main/core/gateway/shell'
import type { SshSession } from '../../main/core/ssh/session'
import { applyChange, prepareChange, rollbackChange } from '../../main/core/workflow/change'
import { up, type Lab } from '../lab'
import { labSession, listConfigFiles, toGatewayState, waitUntil } from '../support/fault-gateway'
import { vmGate } from '../support/gate'
import { bothTunnelsCarry } from '../support/vm-figures'

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
    lab = await up({ gateway: 'swanctl', vm: true, vmDisk: true })
    console.log(`VM lab ${lab.prefix} up in ${(lab.upMs / 1000).toFixed(1)} s; gateway ready ${(lab.vms[1]!.bootMs / 1000).toFixed(1)} s after qemu started`)
    session = await labSession(lab)
    shell = toGatewayShell(session)
  }, 420_000)

  afterAll(async () => {
    await session?.close()
    await lab?.down()
  })

  const bothUp = () => bothTunnelsCarry(lab)

  it('route-based apply commits (the app leaves: its session closes)', async () => {
    const details = Details.parse(lab.details())
    paths = await listConfigFiles(lab, CONFIG_DIRS)
    before = await toGatewayState(lab, paths)
    const change = await prepareChange({ shell }, { details, sources: processSecretSources })
    expect(change.routing).toBe('route')
    const result = await applyChange({ shell }, change, { confirmWithin: 300, verifyWithin: 200 })
    expect(result.outcome, JSON.stringify(result)).toBe('committed')
    keepup = change.rendered.files.find((f) => f.path.endsWith('-keepup.sh'))!.path
    firstFile = { path: change.rendered.files[0]!.path, content: change.rendered.files[0]!.content }
    await session?.close()
    session = undefined
    await waitUntil('both tunnels up', bothUp, 120_000)
  }, 600_000)

  it('powered off and booted again: both tunnels back with traffic and keepup.sh running, no app; then the app rolls back to the files as before', async () => {
    const gw = lab.vms[1]!
    await gw.powerOff()
    expect(gw.running()).toBe(false)
    const t0 = Date.now()
    const booted = await gw.boot()
    expect(gw.boots()).toBe(2)
    // What the change wrote survived on the disk.
    expect(await lab.gateway.readFile(firstFile.path)).toBe(firstFile.content)
    await waitUntil('both tunnels back with no app', bothUp, 240_000)
    const backS = (Date.now() - t0) / 1000
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
