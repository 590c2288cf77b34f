// `up({ vm: true })`: the lab topology with the aws responder and the gateway as QEMU guests running
// Debian's stock kernel (kernel ESP, raw IP protocol 50 without NAT, XFRM interfaces, VTI). The internet,
// dedicated-subnet host and LAN host stay network namespaces.
//
//   [ded ns 10.40.0.10] ─ aws VM (eth1 10.40.0.1 │ eth0 198.18.1.10 + .20; XFRM aws1/aws2, inside .1/.5)
//                                                  │ 198.18.1.0/24
//                                   internet ns (router; optional SNAT, nft drops; drops cleartext between sites)
//                                                  │ 198.18.2.0/24 (NAT: 100.64.0.0/24)
//   [lan ns 192.168.50.10] ─ gateway VM (eth1 192.168.50.1 │ eth0 198.18.2.2; sshd :22 for the app)
//
// Each VM sits in its own namespace holding qemu, its TAPs and one bridge per NIC; the bridge's other port
// is a veth into the neighbouring namespace. The app's SSH relay ends in the LAN namespace (the admin
// reaches the gateway from inside, as in the field); the lab's control connections use port 2222.
//
// SAFETY: as lab.ts: every address, link and rule lives in a namespace of this run.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { detailsFor } from './details'
import type { AwsHandle, GatewayHandle, InternetHandle, Lab, LabOptions, VmInfo } from './lab'
import { addNamespace, HostNode, ipBatch, type PidSink } from './node'
import { mustExec } from './proc'
import { planSshd, randomSecret, Relay, type SshCredentials } from './sshd'
import { STOCK_IPSEC_CONF, STOCK_IPSEC_SECRETS } from './gateways'
import { LIBRESWAN_ROOT, listLibreswanSas } from './libreswan'
import { charonLoggingConf, listSas, renderAwsSwanctl, type AwsTunnelConf, type IkeSa } from './strongswan'
import { ADDR, insideAddresses, internetRuleset, type Block } from './topology'
import { type GuestDaemon, type GuestFile, type GuestShare } from './vm-guest'
import { vmImage } from './vm-image'
import { CONTROL_PORT, VmNode } from './vm'
import { AWS_ASN, CUSTOMER_ASN, frrGuest, LAB_BGP, renderAwsFrrConf } from './vm-frr'

/** The run as the VM lab needs it (lab.ts's Run). */
export type LabRun = PidSink & { readonly closers: (() => void)[]; down(): void }

/** Options of the VM lab after defaults. */
export interface VmLabOpts {
  readonly gateway: VmGatewayKindName
  readonly nat: boolean
  readonly block: readonly Block[]
  readonly sshDelayMs: number
  readonly login: 'root' | 'sudo'
  readonly auth: 'key' | 'password'
  readonly sftp: boolean
  readonly routeBased: boolean
  readonly govcloud: boolean
  readonly memoryMb: number
  readonly lifetimeS: number
  /** The gateway VM's upper layer on a disk (kept across powerOff/boot). */
  readonly disk: boolean
  /** Libreswan: `ikev1-policy=accept` in the guest's own ipsec.conf (Debian's 4.10 drops IKEv1 by default). */
  readonly acceptIkev1: boolean
  /** The aws side answers IKEv2 too. */
  readonly awsIkev2: boolean
  /** FRR on both VMs (vm-frr.ts): Debian's packages on the gateway, an AWS-shaped bgpd on aws. */
  readonly frr: boolean
  /** The gateway's own /etc/frr/frr.conf at boot (with `frr`). */
  readonly frrConf?: string
}

/** The gateway kinds a VM lab has. */
export type VmGatewayKindName = 'swanctl' | 'starter' | 'libreswan'

/** Size of the gateway VM's disk (sparse: only what the guest writes takes room). */
const GATEWAY_DISK_MB = 512

/** What one gateway kind puts into its VM. */
interface VmGatewayKind {
  readonly daemon: GuestDaemon
  readonly files: readonly GuestFile[]
  readonly provision?: string
  readonly shares?: readonly GuestShare[]
  listSas(vm: VmNode): Promise<IkeSa[]>
}

/** Where the Libreswan tree is mounted in a Libreswan guest. */
const LIBRESWAN_SHARE = '/run/tw-libreswan'

/**
 * The gateway VM per kind: swanctl (charon + swanctl, as strongswan.service runs them), starter (legacy
 * ipsec.conf through starter, as strongswan-starter.service) or Libreswan 4.10 (the lab's unpacked tree,
 * shared read-only and copied into the guest's /usr at its first boot; strongSwan hidden; Libreswan's own
 * stock ipsec.conf and ipsec.secrets, with `ikev1-policy=accept` added when asked; pluto as ipsec.service).
 */
export function vmGatewayKind(kind: VmGatewayKindName, o: { readonly acceptIkev1: boolean }): VmGatewayKind {
  const charonLog: GuestFile = { path: '/etc/strongswan.d/charon-logging.conf', data: charonLoggingConf('/var/log/charon.log'), mode: 0o644 }
  switch (kind) {
    case 'swanctl':
      return { daemon: 'charon', files: [charonLog], listSas: (vm) => listSas(vm) }
    case 'starter':
      return {
        daemon: 'starter',
        files: [charonLog, { path: '/etc/ipsec.conf', data: STOCK_IPSEC_CONF, mode: 0o644 }, { path: '/etc/ipsec.secrets', data: STOCK_IPSEC_SECRETS, mode: 0o600 }],
        listSas: (vm) => listSas(vm),
      }
    case 'libreswan': {
      if (!existsSync(`${LIBRESWAN_ROOT}/usr/libexec/ipsec/pluto`)) throw new Error(`Libreswan is not unpacked in ${LIBRESWAN_ROOT}: run \`npm run lab:prepare\` (test/lab/prepare.sh)`)
      const ls = LIBRESWAN_SHARE
      const provision = [
        '# Libreswan conflicts with strongSwan as a package: hide strongSwan, lay Libreswan over /usr and /etc.',
        'rm -rf /etc/swanctl /etc/strongswan.conf /etc/strongswan.d /etc/ipsec.d /etc/ipsec.conf /etc/ipsec.secrets',
        'rm -rf /usr/sbin/swanctl /usr/sbin/charon-systemd /usr/lib/ipsec /usr/share/strongswan /usr/sbin/charon-cmd /usr/local/sbin/tw-charon /usr/local/sbin/tw-starter',
        `cp -a ${ls}/usr/sbin/. /usr/sbin/`,
        `cp -a ${ls}/usr/libexec/. /usr/libexec/`,
        `cp -a ${ls}/usr/lib/. /usr/lib/`,
        `cp -a ${ls}/etc/ipsec.conf ${ls}/etc/ipsec.secrets ${ls}/etc/ipsec.d /etc/`,
        ...(o.acceptIkev1 ? ["sed -i 's/^config setup$/config setup\\n\\tikev1-policy=accept/' /etc/ipsec.conf", 'grep -q "^\tikev1-policy=accept" /etc/ipsec.conf'] : []),
        'mkdir -p /var/lib/ipsec/nss /run/pluto',
        '/usr/sbin/ipsec --checknss >/dev/null',
        '',
      ].join('\n')
      return {
        daemon: 'pluto',
        files: [],
        provision,
        shares: [{ tag: 'libreswan', hostPath: LIBRESWAN_ROOT, guestPath: ls }],
        listSas: (vm) => listLibreswanSas(vm),
      }
    }
  }
}

// if_ids of the aws node's XFRM interfaces (its stand-ins for AWS's per-tunnel VTIs).
const AWS_IF_IDS = [101, 102] as const

export { insideAddresses }

// AWS routes the customer's networks into whichever tunnel is up (static routing): tunnel N's route
// follows its CHILD SA, tunnel 1 preferred. charon runs this as the aws node's updown script. With `frr`
// there is no such script: bgpd learns the agency CIDR over each tunnel and zebra installs the path BGP chose.
const AWS_UPDOWN = `#!/bin/sh
# tunnelwright lab: the aws node routes the agency LAN into the XFRM interface of each tunnel that is up
case "$PLUTO_CONNECTION" in
  tunnel1) dev=aws1; metric=100 ;;
  tunnel2) dev=aws2; metric=200 ;;
  *) exit 0 ;;
esac
case "$PLUTO_VERB" in
  up-client|up-host) ip route replace ${ADDR.lanCidr} dev $dev metric $metric ;;
  down-client|down-host) ip route del ${ADDR.lanCidr} dev $dev metric $metric 2>/dev/null ;;
esac
exit 0
`

// Routes follow the SAs through the updown script (charon's own table-220 routes would send 0/0 out
// eth0), and only the plugins the aws model needs are loaded: under TCG each plugin costs start-up time
// (charon ~4.5 s → ~3 s, every swanctl call ~1.1 s → ~0.4 s). The gateway keeps Debian's full set.
const AWS_CHARON_CONF = `charon {
    install_routes = no
    load_modular = no
    load = random nonce openssl pem pkcs1 x509 pubkey kdf kernel-netlink socket-default vici updown
}
swanctl {
    load = random nonce openssl pem pkcs1 x509 pubkey
}
`

const VM_SYSCTLS = {
  'net.ipv4.ip_forward': '1',
  'net.ipv4.conf.all.rp_filter': '0',
  'net.ipv4.conf.default.rp_filter': '0',
}

/** Builds the VM topology for `up({ vm: true })`. */
export async function buildVmLab(run: LabRun, options: LabOptions, opts: VmLabOpts, started: number): Promise<Lab> {
  const p = run.prefix
  const ns = { inet: `${p}inet`, ded: `${p}ded`, lan: `${p}lan`, aws: `${p}aws`, gw: `${p}gw` }
  const link = { iAws: `${p}i-aws`, iGw: `${p}i-gw`, dEth: `${p}d-eth`, lEth: `${p}l-eth` }
  const wanIp = opts.nat ? ADDR.natGwWan : ADDR.gwPublic
  const inetGwIp = opts.nat ? ADDR.natInetGw : ADDR.inetGw

  const image = await vmImage()
  await Promise.all(Object.values(ns).map((n) => addNamespace(run, n, [ns.inet, ns.ded, ns.lan].includes(n) ? VM_SYSCTLS : {})))
  const awsVm = new VmNode(run, 'aws', ns.aws)
  const gwVm = new VmNode(run, 'gw', ns.gw)

  // The aws node: two tunnel endpoints, one XFRM interface per tunnel (AWS's VTIs), the dedicated subnet.
  const psks: [string, string] = ['P' + randomSecret(31), 'P' + randomSecret(31)]
  const sel = opts.routeBased ? { local: '0.0.0.0/0', remote: '0.0.0.0/0' } : { local: ADDR.dedicatedCidr, remote: ADDR.lanCidr }
  const activeTunnels = [true, true]
  const awsSwanctl = () =>
    renderAwsSwanctl(
      ([0, 1] as const)
        .filter((i) => activeTunnels[i])
        .map((i): AwsTunnelConf => ({
          name: `tunnel${i + 1}`,
          outsideIp: ADDR.awsOutside[i],
          psk: psks[i],
          customerIp: ADDR.gwPublic,
          localTs: sel.local,
          remoteTs: sel.remote,
          ifId: AWS_IF_IDS[i],
          ...(opts.frr ? {} : { updown: '/usr/local/sbin/tw-aws-updown' }),
          ikev2: opts.awsIkev2,
        })),
      opts.govcloud,
    )
  const inside = ADDR.insideCidrs.map(insideAddresses)
  // With frr, AWS's side of BGP: one neighbour per tunnel on the customer's inside address, the dedicated CIDR out.
  const awsFrr = opts.frr
    ? frrGuest(renderAwsFrrConf({ asn: AWS_ASN, customerAsn: CUSTOMER_ASN, neighbours: inside.map((a) => ({ awsIp: a.aws, customerIp: a.customer })), networks: [ADDR.dedicatedCidr] }))
    : undefined
  const awsFiles: GuestFile[] = [
    { path: '/etc/swanctl/swanctl.conf', data: awsSwanctl(), mode: 0o600 },
    { path: '/etc/strongswan.d/charon-logging.conf', data: charonLoggingConf('/run/lab/charon.log'), mode: 0o644 },
    { path: '/etc/strongswan.d/zz-lab-aws.conf', data: AWS_CHARON_CONF, mode: 0o644 },
    ...(opts.frr ? [] : [{ path: '/usr/local/sbin/tw-aws-updown', data: AWS_UPDOWN, mode: 0o755 }]),
    ...(awsFrr?.files ?? []),
  ]
  // The gateway: sshd for the app on 22 (users and keys as the namespace lab makes them) and its IPsec stack.
  const sshd = await planSshd(gwVm.dir, 'gw', { login: opts.login, auth: opts.auth, sftp: opts.sftp }, { prehash: true })
  const gwKind = vmGatewayKind(opts.gateway, { acceptIkev1: opts.acceptIkev1 })
  const gwFrr = opts.frr ? frrGuest(opts.frrConf) : undefined
  const gwProvision = [gwKind.provision, gwFrr?.provision].filter((x): x is string => x !== undefined).join('\n')
  const gwShares = [...(gwKind.shares ?? []), ...(gwFrr?.shares ?? [])]
  // The wires, then the namespaces around the VMs (addresses, rules), then both guests boot at once.
  await Promise.all([
    awsVm.wire([
      { name: 'eth0', peer: { ns: ns.inet, ifname: link.iAws } },
      { name: 'eth1', peer: { ns: ns.ded, ifname: link.dEth } },
    ]),
    gwVm.wire([
      { name: 'eth0', peer: { ns: ns.inet, ifname: link.iGw } },
      { name: 'eth1', peer: { ns: ns.lan, ifname: link.lEth } },
    ]),
  ])
  const up = (l: string) => `link set ${l} up`
  await Promise.all([
    ipBatch(run, ns.inet, [
      `addr add ${ADDR.inetAws}/24 dev ${link.iAws}`,
      `addr add ${inetGwIp}/24 dev ${link.iGw}`,
      ...(opts.nat ? [`addr add ${ADDR.gwPublic}/32 dev lo`] : []),
      up(link.iAws),
      up(link.iGw),
    ]),
    ipBatch(run, ns.ded, [`addr add ${ADDR.dedicatedHost}/24 dev ${link.dEth}`, up(link.dEth), `route add default via ${ADDR.awsDedicated}`]),
    ipBatch(run, ns.lan, [`addr add ${ADDR.lanHost}/24 dev ${link.lEth}`, up(link.lEth), `route add default via ${ADDR.gwLan}`]),
  ])
  const inet = new HostNode('inet', ns.inet)
  let blocks: readonly Block[] = opts.block
  const loadRules = async () => {
    await inet.exec(['nft', 'delete', 'table', 'inet', 'twlab'])
    await inet.exec(['nft', 'delete', 'table', 'ip', 'twnat'])
    await mustExec(['ip', 'netns', 'exec', ns.inet, 'nft', '-f', '-'], { input: internetRuleset({ blocks, nat: opts.nat, gwLink: link.iGw, dropClear: true }) })
  }
  await loadRules()
  const bootAws = awsVm.boot({
    image,
    memoryMb: opts.memoryMb,
    lifetimeS: opts.lifetimeS,
    control: { ns: ns.ded, ip: ADDR.awsDedicated },
    guest: {
      hostname: 'aws',
      sysctls: VM_SYSCTLS,
      ipBatch: [
        `addr add ${ADDR.awsOutside[0]}/24 dev eth0`,
        `addr add ${ADDR.awsOutside[1]}/24 dev eth0`,
        `addr add ${ADDR.awsDedicated}/24 dev eth1`,
        'link set eth0 up',
        'link set eth1 up',
        `route add default via ${ADDR.inetAws}`,
        ...([0, 1] as const).flatMap((i) => [`link add aws${i + 1} type xfrm dev eth0 if_id ${AWS_IF_IDS[i]}`, `addr add ${inside[i]!.aws}/30 dev aws${i + 1}`, `link set aws${i + 1} up`]),
      ],
      files: awsFiles,
      daemon: 'charon',
      ...(awsFrr ? { frr: true, provision: awsFrr.provision, shares: awsFrr.shares } : {}),
    },
  })

  const bootGw = gwVm.boot({
    image,
    memoryMb: opts.memoryMb,
    lifetimeS: opts.lifetimeS,
    control: { ns: ns.lan, ip: ADDR.gwLan },
    guest: {
      hostname: 'gateway',
      sysctls: VM_SYSCTLS,
      ipBatch: [`addr add ${wanIp}/24 dev eth0`, `addr add ${ADDR.gwLan}/24 dev eth1`, 'link set eth0 up', 'link set eth1 up', `route add default via ${inetGwIp}`],
      files: [...gwKind.files, ...(gwFrr?.files ?? [])],
      ...(gwProvision ? { provision: gwProvision } : {}),
      ...(gwShares.length > 0 ? { shares: gwShares } : {}),
      setup: { script: sshd.setupScript, input: sshd.setupInput },
      daemon: gwKind.daemon,
      frr: opts.frr,
    },
    sshdConfig: sshd.config,
    ...(opts.disk ? { diskMb: GATEWAY_DISK_MB } : {}),
  })

  // Both settle before anything throws: a failed boot must not leave the other's rejection unhandled.
  const booted = await Promise.allSettled([bootAws, bootGw])
  for (const b of booted) if (b.status === 'rejected') throw b.reason

  if (options.hostFirewall) {
    if ('nft' in options.hostFirewall) await gwVm.mustExec(['nft', '-f', '-'], { input: options.hostFirewall.nft })
    else await gwVm.mustExec(['iptables-restore'], { input: options.hostFirewall.iptables })
  }

  // The app's way in: a relay into the LAN namespace, to the gateway's sshd on 22.
  const relay = new Relay(ns.lan, { ip: ADDR.gwLan, port: 22 }, opts.sshDelayMs, (pid) => run.addPid(pid))
  const port = await relay.start()
  run.closers.push(() => relay.close())
  const ssh: SshCredentials = {
    ...sshd.creds,
    port,
    knownHostsLine: `[127.0.0.1]:${port} ${sshd.hostPublicKey.split(/\s+/).slice(0, 2).join(' ')}`,
  }

  const lanHost = new HostNode('lan', ns.lan)
  const dedHost = new HostNode('ded', ns.ded)
  const loadAws = async () => {
    await awsVm.writeFile('/etc/swanctl/swanctl.conf', awsSwanctl(), 0o600)
    await awsVm.mustExec(['swanctl', '--load-all', '--noprompt'])
  }

  const vtysh = async (vm: VmNode, commands: readonly string[]): Promise<string> => {
    if (!opts.frr) throw new Error('this VM lab has no FRR: up({ vm: true, frr: true })')
    return vm.mustExec(['vtysh', ...commands.flatMap((c) => ['-c', c])], { timeoutMs: 60_000 })
  }
  const awsBgpPeer = async (i: 0 | 1, down: boolean): Promise<void> => {
    await vtysh(awsVm, ['configure terminal', `router bgp ${AWS_ASN}`, `${down ? '' : 'no '}neighbor ${inside[i]!.customer} shutdown`])
  }

  const awsHandle: AwsHandle = {
    outsideIps: ADDR.awsOutside,
    psks,
    insideCidrs: ADDR.insideCidrs,
    dedicatedCidr: ADDR.dedicatedCidr,
    hostIp: ADDR.dedicatedHost,
    enterArgv: controlSshArgv(awsVm, ns.ded, ADDR.awsDedicated),
    exec: (argv, o) => awsVm.exec(argv, o),
    execHost: (argv, o) => dedHost.exec(argv, o),
    listSas: () => listSas(awsVm),
    async tunnelDown(i, o = {}) {
      if (o.silent) {
        const ip = ADDR.awsOutside[i]
        await awsVm.mustExec(['nft', '-f', '-'], {
          input: `table ip twdown${i} {\n  chain in { type filter hook input priority -10; ip daddr ${ip} drop; }\n  chain out { type filter hook output priority -10; ip saddr ${ip} drop; }\n}\n`,
        })
        return
      }
      activeTunnels[i] = false
      await loadAws()
      await awsVm.exec(['swanctl', '--terminate', '--ike', `tunnel${i + 1}`, '--force', '--timeout', '3'])
    },
    async tunnelUp(i) {
      await awsVm.exec(['nft', 'delete', 'table', 'ip', `twdown${i}`])
      activeTunnels[i] = true
      await loadAws()
    },
    async restart(o = {}) {
      if (o.graceful) {
        await awsVm.mustExec(['tw-charon', 'stop'])
      } else {
        // A hard restart loses every SA without a DELETE: the kernel's copies go with the daemon's.
        await awsVm.sh('tw-charon kill && ip xfrm state flush && ip xfrm policy flush')
      }
      await awsVm.mustExec(['tw-charon', 'start'])
    },
    log: () => {
      try {
        return readFileSync(join(awsVm.dir, 'charon.log'), 'utf8')
      } catch {
        return ''
      }
    },
    vtysh: (...commands) => vtysh(awsVm, commands),
    bgpPeerDown: (i) => awsBgpPeer(i, true),
    bgpPeerUp: (i) => awsBgpPeer(i, false),
  }

  const gatewayHandle: GatewayHandle = {
    kind: opts.gateway,
    publicIp: ADDR.gwPublic,
    wanIp,
    lanCidr: ADDR.lanCidr,
    lanIp: ADDR.gwLan,
    lanHostIp: ADDR.lanHost,
    ssh,
    setSshDelay: (ms) => {
      relay.delayMs = ms
    },
    enterArgv: controlSshArgv(gwVm, ns.lan, ADDR.gwLan),
    exec: (argv, o) => gwVm.exec(argv, o),
    execLanHost: (argv, o) => lanHost.exec(argv, o),
    readFile: (path) => gwVm.readFile(path),
    writeFile: (path, data, mode) => gwVm.writeFile(path, data, mode),
    listSas: () => gwKind.listSas(gwVm),
    setSudoers: async () => {
      throw new Error('sudoers shapes are not set up on VM gateways yet (the namespace lab has them)')
    },
    vtysh: (...commands) => vtysh(gwVm, commands),
    loadFrrConf: async () => {
      throw new Error('loadFrrConf is for namespace labs (a VM gateway takes frr.conf through an apply)')
    },
  }

  const internetHandle: InternetHandle = {
    exec: (argv, o) => inet.exec(argv, o),
    async setBlock(b) {
      blocks = [...b]
      await loadRules()
    },
    async ruleset() {
      return (await inet.exec(['nft', 'list', 'ruleset'])).stdout
    },
  }

  // Getters: boot() starts a new qemu with new figures.
  const vmInfo = (vm: VmNode): VmInfo => ({
    name: vm.name,
    kernel: image.kernelVersion,
    get bootMs() {
      return vm.bootMs
    },
    get guestReadyS() {
      return vm.guestReadyS
    },
    get bootCpuS() {
      return vm.bootCpuS
    },
    get qemuPid() {
      return vm.qemuPid
    },
    dir: vm.dir,
    rssKb: () => vm.sampleRss(),
    peakRssKb: () => vm.peakRssKb(),
    console: () => vm.console(),
    running: () => vm.running(),
    boots: () => vm.boots,
    powerOff: (o) => vm.powerOff(o),
    boot: async () => {
      await vm.boot()
      return { bootMs: vm.bootMs, guestReadyS: vm.guestReadyS, bootCpuS: vm.bootCpuS }
    },
    ...(vm === gwVm && opts.disk ? { disk: vm.disk } : {}),
  })

  return {
    prefix: p,
    options,
    aws: awsHandle,
    gateway: gatewayHandle,
    internet: internetHandle,
    peer2: undefined,
    vms: [vmInfo(awsVm), vmInfo(gwVm)],
    upMs: Date.now() - started,
    runDir: run.tmpDir,
    gatewayDir: gwVm.dir,
    details: (o = {}) =>
      detailsFor({
        kind: opts.gateway,
        publicIp: ADDR.gwPublic,
        wanIp,
        nat: opts.nat,
        lanCidr: ADDR.lanCidr,
        dedicatedCidr: ADDR.dedicatedCidr,
        egressIps: [ADDR.dedicatedHost],
        tunnels: ([0, 1] as const).map((i) => ({ outsideIp: ADDR.awsOutside[i], psk: psks[i], insideCidr: ADDR.insideCidrs[i] })),
        healthTarget: ADDR.dedicatedHost,
        ...((o.bgp ?? opts.frr) ? { bgp: LAB_BGP } : {}),
      }),
    down: async () => run.down(),
  }
}

/** argv of an interactive root shell on a VM over the lab's control sshd, from inside a lab namespace. */
function controlSshArgv(vm: VmNode, ns: string, ip: string): string[] {
  const kh = join(vm.dir, 'control_known_hosts')
  writeFileSync(kh, `[${ip}]:${CONTROL_PORT} ${readFileSync(join(vm.dir, 'ssh_host_ed25519_key.pub'), 'utf8').split(/\s+/).slice(0, 2).join(' ')}\n`)
  return ['ip', 'netns', 'exec', ns, 'ssh', '-t', '-p', String(CONTROL_PORT), '-i', join(vm.dir, 'control_ed25519'), '-o', `UserKnownHostsFile=${kh}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'LogLevel=ERROR', `root@${ip}`]
}
