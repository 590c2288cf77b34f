// What the VM test files share: the boot/RSS figures they print (never assert) and "both tunnels carry traffic".
import type { Lab } from '../lab'

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
