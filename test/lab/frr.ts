// A BGP lab: real FRR (zebra + bgpd from Debian's frr, unpacked by prepare-frr.sh) in two namespaces of one
// run, an AWS-shaped peer and a gateway, joined by two veth links that stand in for the two tunnels' interfaces
// (169.254.10.0/30 and 169.254.11.0/30; no IPsec here: the BGP layer alone).
//
// SAFETY: every namespace, link and pid is this run's (prefix from registry.ts, recorded for teardown);
// nothing is added to the root namespace; the namespaces have no route out. zebra insists that root is in
// the build's vty group (frrvty), which this machine does not have: it runs in a private mount namespace
// with a copy of /etc/group that adds it, so the machine's own /etc/group is never touched.
import { spawn } from 'node:child_process'
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BGPD, FRR_ENV, FRR_LIBDIR, VTYSH, ZEBRA } from '../support/frr'
import { addNamespace, addVeth, ipBatch, type PidSink } from './node'
import { execArgv, mustExec } from './proc'
import { newRecord, onExit, saveRecord, teardownRun, type RunRecord } from './registry'

/** One node's FRR: where its sockets and logs are, and its daemons' pids. */
export interface FrrNode {
  readonly ns: string
  readonly dir: string
  bgpdPid?: number
}

/** The BGP lab of one run. */
export interface BgpLab {
  readonly prefix: string
  readonly aws: FrrNode
  readonly gw: FrrNode
  /** Runs vtysh commands against a node's bgpd; the output. */
  vtysh(node: FrrNode, ...commands: string[]): Promise<string>
  /** (Re)starts a node's bgpd from a configuration text (as FRR does at boot from frr.conf). */
  startBgpd(node: FrrNode, conf: string): Promise<void>
  /** Drops (or lets through again) everything on tunnel 1's link at the AWS end, as AWS deleting the tunnel would. */
  dropTunnel1(drop: boolean): Promise<void>
  down(): void
}

/** The AWS-shaped peer: AS 64512 on both tunnels' first inside addresses, AWS's timers, advertising the dedicated subnet and a route the gateway must refuse. */
export const AWS_FRR_CONF = `hostname aws
router bgp 64512
 bgp router-id 169.254.10.1
 no bgp ebgp-requires-policy
 neighbor 169.254.10.2 remote-as 65000
 neighbor 169.254.10.2 timers 10 30
 neighbor 169.254.11.2 remote-as 65000
 neighbor 169.254.11.2 timers 10 30
 address-family ipv4 unicast
  network 172.31.16.0/20
  network 10.99.0.0/16
 exit-address-family
exit
`

function randomPrefix(): string {
  return `tw${Math.floor(Math.random() * 0x10000).toString(16).padStart(4, '0')}-`
}

/** Brings the BGP lab up: namespaces, links, addresses, a LAN and a dedicated subnet on veth pairs inside their namespace (this kernel has no dummy links), zebra on both, the AWS bgpd. */
export async function bgpLabUp(): Promise<BgpLab> {
  const prefix = randomPrefix()
  const tmp = mkdtempSync(join(tmpdir(), `tunnelwright-lab-${prefix}`))
  const rec: RunRecord = newRecord(prefix, tmp)
  const sink: PidSink = {
    prefix,
    tmpDir: tmp,
    addPid: (p) => {
      rec.pids.push(p)
      saveRecord(rec)
    },
    addNamespace: (n) => {
      rec.namespaces.push(n)
      saveRecord(rec)
    },
  }
  saveRecord(rec)
  const down = () => teardownRun(rec)
  const unhook = onExit(prefix, down)
  const group = join(tmp, 'group')
  writeFileSync(group, `${readFileSync('/etc/group', 'utf8').trimEnd()}\nfrrvty:x:64999:root\n`)
  writeFileSync(join(tmp, 'vtysh.conf'), 'username root nopassword\n')
  const node = (name: string): FrrNode => ({ ns: `${prefix}${name}`, dir: mkdtempSync(join(tmp, `${name}-`)) })
  const aws = node('aws')
  const gw = node('gw')

  const daemon = (n: FrrNode, argv: readonly string[], log: string): number => {
    const fd = openSync(join(n.dir, log), 'a')
    const script = `mount --bind ${group} /etc/group && exec "$@"`
    const child = spawn('ip', ['netns', 'exec', n.ns, 'unshare', '-m', '--propagation', 'private', 'sh', '-c', script, 'frr', ...argv], { env: FRR_ENV, stdio: ['ignore', fd, fd], detached: true })
    closeSync(fd)
    if (child.pid === undefined) throw new Error(`cannot start ${argv[0]}`)
    sink.addPid(child.pid)
    child.unref()
    return child.pid
  }
  const common = (n: FrrNode) => ['--vty_socket', n.dir, '--moduledir', join(FRR_LIBDIR, 'modules')]

  try {
    for (const n of [aws, gw]) await addNamespace(sink, n.ns)
    await addVeth(sink, { ns: aws.ns, ifname: `${prefix}a1` }, { ns: gw.ns, ifname: `${prefix}g1` })
    await addVeth(sink, { ns: aws.ns, ifname: `${prefix}a2` }, { ns: gw.ns, ifname: `${prefix}g2` })
    await ipBatch(sink, aws.ns, [`addr add 169.254.10.1/30 dev ${prefix}a1`, `addr add 169.254.11.1/30 dev ${prefix}a2`, `link set ${prefix}a1 up`, `link set ${prefix}a2 up`, 'link add vpc type veth peer name vpc-end', 'addr add 172.31.16.1/20 dev vpc', 'addr add 10.99.0.1/16 dev vpc', 'link set vpc up', 'link set vpc-end up'])
    await ipBatch(sink, gw.ns, [`addr add 169.254.10.2/30 dev ${prefix}g1`, `addr add 169.254.11.2/30 dev ${prefix}g2`, `link set ${prefix}g1 up`, `link set ${prefix}g2 up`, 'link add lan type veth peer name lan-end', 'addr add 10.40.0.1/24 dev lan', 'addr add 192.168.77.1/24 dev lan', 'link set lan up', 'link set lan-end up'])
    for (const n of [aws, gw]) {
      writeFileSync(join(n.dir, 'zebra.conf'), '')
      daemon(n, [ZEBRA, '-f', join(n.dir, 'zebra.conf'), '-i', join(n.dir, 'zebra.pid'), '-z', join(n.dir, 'zserv.api'), '-u', 'root', '-g', 'root', ...common(n)], 'zebra.log')
    }
    for (const n of [aws, gw]) await waitForFile(join(n.dir, 'zserv.api'), `${n.ns} zebra`)
  } catch (e) {
    const logs = [aws, gw].map((n) => `${n.ns}: ${readLog(join(n.dir, 'zebra.log'))}`).join('\n')
    down()
    unhook()
    throw new Error(`the BGP lab did not come up: ${e instanceof Error ? e.message : String(e)}\n${logs}`, { cause: e })
  }

  const vtysh = async (n: FrrNode, ...commands: string[]): Promise<string> => {
    const r = await execArgv([VTYSH, '--config_dir', tmp, '--vty_socket', n.dir, '-d', 'bgpd', ...commands.flatMap((c) => ['-c', c])], { env: FRR_ENV, timeoutMs: 20_000 })
    if (r.code !== 0) throw new Error(`vtysh ${commands.join('; ')} exited ${r.code}: ${r.stdout}${r.stderr}`)
    return r.stdout
  }
  const startBgpd = async (n: FrrNode, conf: string): Promise<void> => {
    if (n.bgpdPid !== undefined) {
      await execArgv(['kill', String(n.bgpdPid)])
      await waitForGone(n.bgpdPid)
    }
    writeFileSync(join(n.dir, 'frr.conf'), conf)
    n.bgpdPid = daemon(n, [BGPD, '-f', join(n.dir, 'frr.conf'), '-S', '-z', join(n.dir, 'zserv.api'), '-i', join(n.dir, 'bgpd.pid'), ...common(n)], 'bgpd.log')
    await waitForFile(join(n.dir, 'bgpd.vty'), `${n.ns} bgpd`)
    await waitUntil(`${n.ns} bgpd answers`, async () => (await vtysh(n, 'show bgp summary json').catch(() => '')).startsWith('{'))
  }
  const dropTunnel1 = async (drop: boolean): Promise<void> => {
    if (drop) await mustExec(['ip', 'netns', 'exec', aws.ns, 'nft', '-f', '-'], { input: `table inet twbgp {\n chain in { type filter hook input priority 0; iifname "${prefix}a1" drop; }\n chain out { type filter hook output priority 0; oifname "${prefix}a1" drop; }\n}\n` })
    else await mustExec(['ip', 'netns', 'exec', aws.ns, 'nft', 'delete', 'table', 'inet', 'twbgp'])
  }
  return {
    prefix,
    aws,
    gw,
    vtysh,
    startBgpd,
    dropTunnel1,
    down: () => {
      down()
      unhook()
    },
  }
}

function readLog(path: string): string {
  try {
    return readFileSync(path, 'utf8').slice(-2000)
  } catch {
    return '(no log)'
  }
}

async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

async function waitForFile(path: string, what: string): Promise<void> {
  // A socket cannot be opened as a file: existence is the test.
  await waitUntil(what, async () => existsSync(path))
}

async function waitForGone(pid: number): Promise<void> {
  await waitUntil(`pid ${pid} to exit`, async () => {
    try {
      process.kill(pid, 0)
      return false
    } catch {
      return true
    }
  })
}
