// A Libreswan gateway reboots with no app around: the gateway VM (Debian's kernel under QEMU) keeps what it
// writes on a disk, the app applies a route-based change, the VM is powered off and booted again, and the
// tunnels come back by themselves (pluto's auto=start; keepup.sh started again by the ipsec.service drop-in);
// the same after a power cut (qemu killed).
// Then the app rolls back from a new SSH session: the files as before. Figures are printed, never asserted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Details } from '../../main/core/details/model'
import { processSecretSources } from '../../main/core/details/resolve'
import type { GatewayShell } from '../../main/core/gateway/shell'
import { toGatewayShell } from '../../main/core/gateway/shell'
import type { SshSession } from '../../main/core/ssh/session'
import { applyChange, prepareChange, rollbackChange } from '../../main/core/workflow/change'
import { up, type Lab } from '../lab'
import { labSession, listConfigFiles, toGatewayState, waitUntil } from '../support/fault-gateway'
import { vmGate } from '../support/gate'

const g = vmGate('a Libreswan VM gateway reboots (real kernel)')
const CONFIG_DIRS = ['/etc/ipsec.conf', '/etc/ipsec.secrets', '/etc/ipsec.d', '/etc/tunnelwright', '/etc/systemd/system/ipsec.service.d']

describe.skipIf(g.skip)('Libreswan 4.10 gateway VM: power off, boot again', () => {
  let lab: Lab
  let session: SshSession | undefined
  let shell: GatewayShell

  beforeAll(async () => {
    lab = await up({ gateway: 'libreswan', vm: true, vmDisk: true, acceptIkev1: true })
    console.log(`VM lab ${lab.prefix} up in ${(lab.upMs / 1000).toFixed(1)} s; gateway ready ${(lab.vms[1]!.bootMs / 1000).toFixed(1)} s after qemu started`)
    session = await labSession(lab)
    shell = toGatewayShell(session)
  }, 420_000)

  afterAll(async () => {
    await session?.close()
    await lab?.down()
  })

  /** Both tunnels have an IPsec SA and the LAN reaches the dedicated host. */
  const bothUp = async () => {
    const sas = await lab.gateway.listSas()
    const up = lab.aws.outsideIps.every((ip) => sas.some((s) => s.remoteHost === ip && s.state === 'ESTABLISHED' && s.children.some((c) => c.state === 'INSTALLED')))
    return up && (await lab.gateway.execLanHost(['ping', '-n', '-c', '1', '-W', '2', lab.aws.hostIp])).code === 0
  }

  it('route-based: applied, powered off and booted again (then the power cut), both tunnels come back with no app and keepup.sh runs; then the app rolls back to the files as before', async () => {
    const details = Details.parse(lab.details())
    const paths = await listConfigFiles(lab, CONFIG_DIRS)
    const before = await toGatewayState(lab, paths)
    const change = await prepareChange({ shell }, { details, sources: processSecretSources })
    expect(change.routing).toBe('route')
    const result = await applyChange({ shell }, change, { confirmWithin: 300, verifyWithin: 200 })
    expect(result.outcome, JSON.stringify(result)).toBe('committed')
    const keepup = change.rendered.files.find((f) => f.path.endsWith('-keepup.sh'))!.path
    await session?.close()
    session = undefined

    const gw = lab.vms[1]!
    await gw.powerOff()
    expect(gw.running()).toBe(false)
    const t0 = Date.now()
    const booted = await gw.boot()
    expect(gw.boots()).toBe(2)
    // What the change wrote survived on the disk.
    expect(await lab.gateway.readFile(change.rendered.files[0]!.path)).toBe(change.rendered.files[0]!.content)
    await waitUntil('both tunnels back with no app', bothUp, 240_000)
    const backS = (Date.now() - t0) / 1000
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
