// `npm run lab -- <scenario> [options]`: brings a lab up for hands-on use, prints how to reach it, and
// keeps it up until Ctrl-C (SIGINT/SIGTERM tear it down). `npm run lab -- clean` removes crashed runs.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { cleanStale, downPrefix, up, type GatewayKind, type Lab, type LabOptions, type PfsenseVersion, type SudoersShape } from './index'
import { type Block } from './topology'
import { waitFor } from './proc'
import { referenceSwanctlConf, REF_NAMES } from './reference'

const USAGE = `usage: npm run lab -- <swanctl|starter|libreswan|pfsense> [options]
       npm run lab -- clean            tear down runs whose owner died
       npm run lab -- down <prefix>    tear down one run by its prefix
options:
  --nat                    gateway WAN behind source NAT
  --block udp500,udp4500,esp
  --ssh-delay MS           user-space delay in the SSH relay
  --login root|sudo        --auth key|password      --no-sftp
  --sudoers SHAPE          with --login sudo: password | nopasswd-all | nopasswd-some | nopasswd-sh |
                           requiretty | no-authenticate
  --existing               an unrelated IPsec connection already up on the gateway
  --route-based            aws uses 0/0 selectors
  --govcloud               aws refuses sha1/modp1024
  --vm                     aws and gateway are QEMU guests with Debian's stock kernel (kernel ESP, XFRM
                           interfaces, VTI; swanctl, starter and libreswan gateways; ~15–25 s to boot under TCG)
  --vm-disk                the gateway VM keeps what it writes on a disk (power off, boot again: see --control)
  --accept-ikev1           libreswan: ikev1-policy=accept in the gateway's own ipsec.conf
  --frr                    FRR on aws and the gateway (Debian's packages; an AWS-shaped bgpd on aws; the details
                           get the BGP section). With --vm inside the tunnels; without (swanctl only) over two
                           links that stand in for the tunnels' interfaces (routing "route" in the details)
  --frr-conf FILE          with --frr: the gateway's /etc/frr/frr.conf at boot
  --vm-memory MB           memory per VM (default 256)
  --vm-lifetime S          each qemu is killed after S seconds whatever happens (default 7200)
  --pfsense-version V      2.4.5_1 | 2.5.2 | 2.6.0 | 2.7.0 | 2.8.0-dev-dcc7c577b5
  --json                   print one JSON line (prefix, ssh, details) instead of the text summary
  --details FILE           also write the details file (PSKs included) to FILE
  --host-firewall-nft FILE load this nft ruleset on the gateway (nft -f -)
  --host-firewall-iptables FILE  load this ruleset on the gateway (iptables-restore)
  --control                read commands on stdin, one per line, answer one JSON line each:
                             tunnel-down 0|1 [silent]   tunnel-up 0|1
                             ping-dedicated   (the LAN host pings the dedicated host 3 times)
                             power-off [hard]   boot   (the gateway VM, --vm; keeps its files with --vm-disk)
                             bgp-down 0|1   bgp-up 0|1   (--frr: AWS shuts tunnel i's BGP session down / lets it up)
                             frr-conf FILE  (--frr, namespaces: FILE becomes the gateway's frr.conf, frrinit.sh reload)
                             ipsec-up       (namespaces: the gateway loads the lab's reference swanctl.conf, policy-
                                             based, and waits until both tunnels are up)
                           stdin closing tears the lab down (a test runner that dies takes it along)
`

function parse(argv: string[]): { opts: LabOptions; json: boolean; control: boolean; detailsFile?: string } {
  const [kind, ...rest] = argv
  if (!kind || !['swanctl', 'starter', 'libreswan', 'pfsense'].includes(kind)) throw new Error(USAGE)
  const o: { -readonly [K in keyof LabOptions]: LabOptions[K] } = { gateway: kind as GatewayKind }
  let json = false
  let control = false
  let detailsFile: string | undefined
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]
    const next = () => {
      const v = rest[++i]
      if (v === undefined) throw new Error(`${a} needs a value\n${USAGE}`)
      return v
    }
    switch (a) {
      case '--nat': o.nat = true; break
      case '--block': o.block = next().split(',') as Block[]; break
      case '--ssh-delay': o.sshDelayMs = Number(next()); break
      case '--login': o.login = next() as 'root' | 'sudo'; break
      case '--sudoers': o.sudoers = next() as SudoersShape; break
      case '--auth': o.auth = next() as 'key' | 'password'; break
      case '--no-sftp': o.sftp = false; break
      case '--existing': o.existingConnection = true; break
      case '--route-based': o.routeBased = true; break
      case '--govcloud': o.govcloud = true; break
      case '--vm': o.vm = true; break
      case '--vm-disk': o.vmDisk = true; break
      case '--accept-ikev1': o.acceptIkev1 = true; break
      case '--frr': o.frr = true; break
      case '--frr-conf': o.frrConf = readFileSync(next(), 'utf8'); break
      case '--vm-memory': o.vmMemoryMb = Number(next()); break
      case '--vm-lifetime': o.vmLifetimeS = Number(next()); break
      case '--pfsense-version': o.pfsenseVersion = next() as PfsenseVersion; break
      case '--json': json = true; break
      case '--details': detailsFile = next(); break
      case '--host-firewall-nft': o.hostFirewall = { nft: readFileSync(next(), 'utf8') }; break
      case '--host-firewall-iptables': o.hostFirewall = { iptables: readFileSync(next(), 'utf8') }; break
      case '--control': control = true; break
      default: throw new Error(`unknown option ${a}\n${USAGE}`)
    }
  }
  return { opts: o, json, control, ...(detailsFile ? { detailsFile } : {}) }
}

/** One `--control` command: the tunnel switches of the aws node (tunnel 0 or 1), or traffic across the tunnels. */
async function runControl(lab: Lab, line: string): Promise<Record<string, unknown>> {
  const [cmd, idx, flag, ...extra] = line.trim().split(/\s+/)
  const gw = lab.vms.find((v) => v.name === 'gw')
  if (cmd === 'power-off' && gw && flag === undefined && (idx === undefined || idx === 'hard')) {
    await gw.powerOff({ hard: idx === 'hard' })
    return { ok: true, cmd }
  }
  if (cmd === 'boot' && gw && idx === undefined) return { ok: true, cmd, ...(await gw.boot()) }
  if ((cmd === 'bgp-down' || cmd === 'bgp-up') && (idx === '0' || idx === '1') && flag === undefined) {
    await (cmd === 'bgp-down' ? lab.aws.bgpPeerDown(idx === '0' ? 0 : 1) : lab.aws.bgpPeerUp(idx === '0' ? 0 : 1))
    return { ok: true, cmd, tunnel: Number(idx) }
  }
  if (cmd === 'frr-conf' && idx !== undefined && flag === undefined && lab.vms.length === 0) {
    await lab.gateway.loadFrrConf(readFileSync(idx, 'utf8'))
    return { ok: true, cmd }
  }
  if (cmd === 'ipsec-up' && idx === undefined && lab.vms.length === 0) {
    await lab.gateway.writeFile('/etc/swanctl/conf.d/lab-reference.conf', referenceSwanctlConf(lab), 0o600)
    const r = await lab.gateway.exec(['swanctl', '--load-all', '--noprompt'])
    if (r.code !== 0) return { ok: false, error: `swanctl --load-all: ${r.stderr}${r.stdout}` }
    await waitFor('both reference tunnels up', async () => {
      const sas = await lab.gateway.listSas()
      return REF_NAMES.every((n) => sas.some((s) => s.name === n && s.state === 'ESTABLISHED' && s.children.some((c) => c.state === 'INSTALLED')))
    }, { timeoutMs: 60_000, intervalMs: 250 })
    return { ok: true, cmd }
  }
  if (cmd === 'ping-dedicated' && idx === undefined) {
    const r = await lab.gateway.execLanHost(['ping', '-c', '3', '-i', '0.2', '-W', '2', lab.aws.hostIp], { timeoutMs: 15_000 })
    return { ok: true, cmd, code: r.code }
  }
  const i = idx === '0' ? 0 : idx === '1' ? 1 : undefined
  if (i === undefined || extra.length > 0 || (flag !== undefined && !(cmd === 'tunnel-down' && flag === 'silent'))) return { ok: false, error: `bad command: ${line.trim()}` }
  if (cmd === 'tunnel-down') await lab.aws.tunnelDown(i, { silent: flag === 'silent' })
  else if (cmd === 'tunnel-up') await lab.aws.tunnelUp(i)
  else return { ok: false, error: `unknown command: ${cmd}` }
  return { ok: true, cmd, tunnel: i }
}

/** Serves `--control` on stdin until it closes, then tears the lab down and exits. */
function serveControl(lab: Lab): void {
  const rl = createInterface({ input: process.stdin })
  let queue = Promise.resolve()
  rl.on('line', (line) => {
    if (line.trim() === '') return
    queue = queue.then(async () => {
      const answer = await runControl(lab, line).catch((e: unknown) => ({ ok: false, error: e instanceof Error ? e.message : String(e) }))
      process.stdout.write(JSON.stringify({ control: answer }) + '\n')
    })
  })
  rl.on('close', () => {
    void queue.then(() => lab.down()).finally(() => process.exit(0))
  })
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2)
  if (argv[0] === 'clean') {
    const cleaned = cleanStale()
    console.log(cleaned.length ? `cleaned ${cleaned.join(' ')}` : 'nothing to clean')
    return
  }
  if (argv[0] === 'down') {
    downPrefix(argv[1] ?? '')
    console.log(`down ${argv[1]}`)
    return
  }
  const { opts, json, control, detailsFile } = parse(argv)
  const lab = await up(opts)
  const keyFile = lab.gateway.ssh.privateKey ? join(lab.gatewayDir, 'client_ed25519') : undefined
  const knownHosts = join(lab.gatewayDir, 'known_hosts')
  writeFileSync(knownHosts, lab.gateway.ssh.knownHostsLine + '\n')
  if (detailsFile) writeFileSync(detailsFile, JSON.stringify(lab.details(), null, 2) + '\n', { mode: 0o600 })
  if (json) {
    const vms = lab.vms.map((v) => ({ name: v.name, kernel: v.kernel, qemuPid: v.qemuPid, bootMs: v.bootMs, guestReadyS: v.guestReadyS, bootCpuS: v.bootCpuS, rssKb: v.rssKb(), dir: v.dir }))
    console.log(JSON.stringify({ prefix: lab.prefix, upMs: lab.upMs, ssh: lab.gateway.ssh, keyFile, knownHosts, details: lab.details(), vms }))
  } else {
    const s = lab.gateway.ssh
    console.log(`lab ${lab.prefix} up in ${lab.upMs} ms (gateway: ${lab.gateway.kind})`)
    console.log(`  ssh:    ssh -p ${s.port} -o UserKnownHostsFile=${knownHosts}${keyFile ? ` -i ${keyFile}` : ''} ${s.username}@127.0.0.1`)
    if (s.password) console.log(`  password: ${s.password}`)
    if (s.sudoPassword) console.log(`  sudo password: ${s.sudoPassword}`)
    console.log(`  host key: ${s.hostKeySha256}`)
    console.log(`  gateway public ${lab.gateway.publicIp}, WAN ${lab.gateway.wanIp}, LAN ${lab.gateway.lanCidr} (host ${lab.gateway.lanHostIp})`)
    console.log(`  aws tunnels ${lab.aws.outsideIps.join(', ')}; dedicated ${lab.aws.dedicatedCidr} (host ${lab.aws.hostIp})`)
    console.log(`  details for the app:${detailsFile ? ` ${detailsFile}` : ' pass --details FILE to write them'}`)
    console.log(`  shell on the gateway: ${lab.gateway.enterArgv.join(' ')} bash`)
    console.log(`  shell on aws:         ${lab.aws.enterArgv.join(' ')} bash`)
    for (const v of lab.vms) {
      console.log(
        `  vm ${v.name}: kernel ${v.kernel}, ready ${(v.bootMs / 1000).toFixed(1)} s after qemu started (guest uptime ${v.guestReadyS} s, ${v.bootCpuS} CPU-s), RSS ${Math.round(v.rssKb() / 1024)} MB, console ${join(v.dir, 'console.log')}`,
      )
    }
    console.log('  Ctrl-C tears everything down')
  }
  if (control) serveControl(lab)
  // Stay up until a signal; the registry's handlers tear the lab down.
  setInterval(() => undefined, 1 << 30)
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e))
  process.exit(1)
})
