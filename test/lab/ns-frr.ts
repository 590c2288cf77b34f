// FRR on namespace nodes (`up({ frr: true })` without `vm`): Debian's frr and frr-pythontools as
// `apt install` leaves them, inside one node's private mount namespace only. The two unpacked package trees
// (prepare-frr.sh) are laid over the node's /usr (so /usr/bin/vtysh, /usr/lib/frr/bgpd, frr-reload.py and
// libfrr sit at Debian's paths), their /etc is copied into the node's /etc overlay, then what frr's postinst
// does (system users and groups frr and frrvty, /etc/frr and /var/log/frr owned frr), bgpd enabled in
// /etc/frr/daemons, and FRR started as its init script does (frrinit.sh start → watchfrr → zebra, bgpd,
// staticd; frr.conf loaded by vtysh -b). An SSH session on the gateway node sees the same FRR.
//
// What this is not: the BGP sessions run over two veth links between the aws and gateway nodes that stand in
// for the tunnels' interfaces (this kernel has no ESP; kernel-libipsec has no XFRM interfaces, so route-based
// tunnels cannot carry them here). The VM lab (`vm: true, frr: true`) runs them inside real tunnels.
//
// SAFETY: everything happens inside the node (its mount and network namespaces); the machine's /etc, /usr
// and /etc/group are never touched. FRR's daemons fork into the background: their pids are recorded from
// their pid files, and teardown kills whatever is left in the run's namespaces anyway.
import { existsSync, realpathSync } from 'node:fs'
import { join } from 'node:path'
import { FRR_ROOT } from '../support/frr'
import { type DaemonNode, type PidSink } from './node'
import { waitFor } from './proc'
import { FRR_POSTINST_SH, FRR_PYTHONTOOLS_ROOT } from './vm-frr'

/** Why FRR cannot run on a namespace node here, or undefined. */
export function frrNsMissing(): string | undefined {
  if (!existsSync(join(FRR_ROOT, 'usr/lib/frr/frrinit.sh')) || !existsSync(join(FRR_ROOT, 'usr/lib/frr/bgpd'))) return 'FRR is not unpacked in .lab-cache/frr: run `bash test/lab/prepare-frr.sh`'
  if (!existsSync(join(FRR_PYTHONTOOLS_ROOT, 'usr/lib/frr/frr-reload.py'))) return 'frr-pythontools is not unpacked in .lab-cache/frr-pythontools: run `bash test/lab/prepare-frr.sh`'
  if (!existsSync('/usr/bin/python3')) return 'frr-reload.py needs /usr/bin/python3'
  return undefined
}

/** The `usrLayer` of a node with FRR: both packages' usr trees over the node's /usr (frr-pythontools on top). */
export function frrUsrLayer(): string {
  const why = frrNsMissing()
  if (why) throw new Error(why)
  return `${realpathSync(join(FRR_PYTHONTOOLS_ROOT, 'usr'))}:${realpathSync(join(FRR_ROOT, 'usr'))}`
}

/** Installs FRR's /etc and runs its postinst on a node started with `frrUsrLayer()`; `conf` is its /etc/frr/frr.conf (default: the package's). */
export async function provisionFrr(node: DaemonNode, conf?: string): Promise<void> {
  await node.sh(
    [
      'set -e',
      `cp -a ${realpathSync(join(FRR_ROOT, 'etc'))}/. /etc/`,
      ...FRR_POSTINST_SH,
    ].join('\n'),
  )
  if (conf !== undefined) await writeFrrConf(node, conf)
}

/** Writes /etc/frr/frr.conf as FRR saves it (frr:frr 0640). */
async function writeFrrConf(node: DaemonNode, conf: string): Promise<void> {
  node.writeFile('/etc/frr/frr.conf', conf, 0o640)
  await node.mustExec(['chown', 'frr:frr', '/etc/frr/frr.conf'])
}

/** Starts FRR as its init script does and waits until bgpd answers vtysh; records the daemons' pids. */
export async function startFrr(node: DaemonNode, sink: PidSink): Promise<void> {
  const r = await node.exec(['/usr/lib/frr/frrinit.sh', 'start'], { timeoutMs: 60_000 })
  if (r.code !== 0) throw new Error(`frrinit.sh start on ${node.name} exited ${r.code}: ${r.stdout}${r.stderr}`)
  await waitFor(`bgpd on ${node.name} to answer vtysh`, async () => (await node.exec(['vtysh', '-d', 'bgpd', '-c', 'show version'])).code === 0, { timeoutMs: 30_000, intervalMs: 200 })
  for (const d of ['watchfrr', 'zebra', 'bgpd', 'staticd']) {
    try {
      const pid = Number(node.readFile(`/run/frr/${d}.pid`).trim())
      if (pid > 0) sink.addPid(pid)
    } catch {
      // not running (staticd may be off)
    }
  }
}

/** Gives the running FRR a new frr.conf the way a change does without systemd: frrinit.sh reload (frr-reload.py). */
export async function reloadFrrConf(node: DaemonNode, conf: string): Promise<void> {
  await writeFrrConf(node, conf)
  const r = await node.exec(['/usr/lib/frr/frrinit.sh', 'reload'], { timeoutMs: 60_000 })
  if (r.code !== 0) throw new Error(`frrinit.sh reload on ${node.name} exited ${r.code}: ${(r.stdout + r.stderr).slice(-1500)}`)
}

/** Runs vtysh on a node with these commands (`-c` each); the output; throws on a non-zero exit. */
export async function nodeVtysh(node: DaemonNode, commands: readonly string[]): Promise<string> {
  return node.mustExec(['vtysh', ...commands.flatMap((c) => ['-c', c])], { timeoutMs: 30_000 })
}
