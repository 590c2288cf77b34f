// What the VM test files share: bringing the lab up with the app's own SSH session into the gateway, the
// boot/RSS figures they print (never assert) and "both tunnels carry traffic".
import { Details } from '../../main/core/details/model'
import { toGatewayShell, type GatewayShell } from '../../main/core/gateway/shell'
import type { SshSession } from '../../main/core/ssh/session'
import { up, type Lab, type LabOptions } from '../lab'
import { labSession } from './fault-gateway'

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
