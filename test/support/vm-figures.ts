// What the VM test files share: bringing the lab up with the app's own SSH session into the gateway, the
// boot/RSS figures they print (never assert) and "both tunnels carry traffic".
import { expect } from 'vitest'
import { Details } from '../../main/core/details/model'
import { processSecretSources } from '../../main/core/details/resolve'
import { toGatewayShell, type GatewayShell } from '../../main/core/gateway/shell'
import type { SshSession } from '../../main/core/ssh/session'
import { applyChange, prepareChange } from '../../main/core/workflow/change'
import { up, type Lab, type LabOptions } from '../lab'
import { labSession, listConfigFiles, toGatewayState, waitUntil } from './fault-gateway'

/** A VM lab up, with the app's SSH session into its gateway, a shell on it and the lab's details (figures printed). */
export async function bootVmLab(options: LabOptions): Promise<{ lab: Lab; session: SshSession; shell: GatewayShell; details: Details }> {
  const lab = await up({ ...options, vm: true })
  console.log(`VM lab ${lab.prefix} up in ${(lab.upMs / 1000).toFixed(1)} s, kernel ${lab.vms[0]?.kernel}\n  ${vmFigures(lab)}`)
  const session = await labSession(lab)
  return { lab, session, shell: toGatewayShell(session), details: Details.parse(lab.details()) }
}

/** One line per VM: boot time, guest uptime and CPU at ready, RSS now and at its peak. */
export function vmFigures(lab: Lab): string {
  return lab.vms
    .map((v) => `${v.name}: ready ${(v.bootMs / 1000).toFixed(1)} s after qemu started (guest uptime ${v.guestReadyS} s, ${v.bootCpuS} CPU-s), RSS ${Math.round(v.rssKb() / 1024)} MB now, ${Math.round(v.peakRssKb() / 1024)} MB peak`)
    .join('\n  ')
}

/** Both tunnels have an established IKE SA with an installed CHILD SA, and the LAN host reaches the dedicated host. */
export async function bothTunnelsCarry(lab: Lab): Promise<boolean> {
  const sas = await lab.gateway.listSas()
  const up = lab.aws.outsideIps.every((ip) => sas.some((s) => s.remoteHost === ip && s.state === 'ESTABLISHED' && s.children.some((c) => c.state === 'INSTALLED')))
  return up && (await lab.gateway.execLanHost(['ping', '-n', '-c', '1', '-W', '2', lab.aws.hostIp])).code === 0
}

/**
 * A route-based apply of the lab's details that commits, then the app leaving (its session closed) once both
 * tunnels carry: what the gateway had before (to compare after a rollback), where keepup.sh is, and the first
 * file the change wrote (to find on the disk after a reboot).
 */
export async function applyAndLeave(lab: Lab, session: SshSession, shell: GatewayShell, dirs: readonly string[]): Promise<{ paths: string[]; before: Awaited<ReturnType<typeof toGatewayState>>; keepup: string; firstFile: { path: string; content: string } }> {
  const details = Details.parse(lab.details())
  const paths = await listConfigFiles(lab, dirs)
  const before = await toGatewayState(lab, paths)
  const change = await prepareChange({ shell }, { details, sources: processSecretSources })
  expect(change.routing).toBe('route')
  const result = await applyChange({ shell }, change, { confirmWithin: 300, verifyWithin: 200 })
  expect(result.outcome, JSON.stringify(result)).toBe('committed')
  const keepup = change.rendered.files.find((f) => f.path.endsWith('-keepup.sh'))!.path
  const firstFile = { path: change.rendered.files[0]!.path, content: change.rendered.files[0]!.content }
  await session.close()
  await waitUntil('both tunnels up', () => bothTunnelsCarry(lab), 120_000)
  return { paths, before, keepup, firstFile }
}

/**
 * Powers the gateway VM off and boots it again: the change's first file is still on its disk, and both tunnels
 * come back with no app. The boot's figures, and the seconds from the boot to both tunnels carrying.
 */
export async function rebootUntilBothBack(lab: Lab, firstFile: { readonly path: string; readonly content: string }): Promise<{ booted: Awaited<ReturnType<Lab['vms'][number]['boot']>>; backS: number }> {
  const gw = lab.vms[1]!
  await gw.powerOff()
  expect(gw.running()).toBe(false)
  const t0 = Date.now()
  const booted = await gw.boot()
  expect(gw.boots()).toBe(2)
  expect(await lab.gateway.readFile(firstFile.path)).toBe(firstFile.content)
  await waitUntil('both tunnels back with no app', () => bothTunnelsCarry(lab), 240_000)
  return { booted, backS: (Date.now() - t0) / 1000 }
}
