// `up()`: one lab topology — aws responder, internet router, a gateway of a given kind with its LAN host,
// optionally a second peer — built from real daemons in network namespaces of this run only.
//
// SAFETY: addresses, routes, links and rules exist only inside namespaces named with this run's prefix;
// the test process reaches the gateway's sshd through a loopback relay that ends inside the lab.
import { randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { detailsFor, type LabDetails } from './details'
import { setupGateway, type GatewayKind, type GatewaySetup } from './gateways'
import { addNamespace, addVeth, DaemonNode, HostNode, ipBatch, type PidSink } from './node'
import { renderPeer2Swanctl, type PartnerConf } from './peer2'
import { type ExecOptions, type ExecResult, mustExec, waitFor } from './proc'
import { cleanStale, newRecord, onExit, PREFIX_RE, readRecord, saveRecord, teardownRun, type RunRecord } from './registry'
import { Relay, randomSecret, setSudoers, SUDO_USER, type SshCredentials, type SudoersShape } from './sshd'
import { type IkeSa, listSas, prepareCharon, renderAwsSwanctl, startCharon, type AwsTunnelConf } from './strongswan'
import { ADDR, insideAddresses, internetRuleset, type Block } from './topology'
import { vmMissing } from './vm-image'
import { buildVmLab } from './vm-lab'
import { LAB_BGP, renderAwsFrrConf, AWS_ASN } from './vm-frr'
import { frrNsMissing, frrUsrLayer, nodeVtysh, provisionFrr, reloadFrrConf, startFrr } from './ns-frr'

export type { GatewayKind } from './gateways'

/** pfSense versions whose stock config.xml ships in ../shared/fixtures/pfsense. */
export type PfsenseVersion = '2.4.5_1' | '2.5.0' | '2.5.2' | '2.6.0' | '2.7.0' | '2.8.0-dev-dcc7c577b5'

/** What to build. Every field is optional; the defaults give a plain swanctl gateway. */
export interface LabOptions {
  readonly gateway?: GatewayKind
  readonly pfsenseVersion?: PfsenseVersion
  /**
   * pfSense: the FRR package is installed (the stand-in frr.inc at /usr/local/pkg, on PHP's include path as on
   * pfSense). Its settings are whatever config.xml holds: the stock files have none (FRR not enabled).
   */
  readonly pfsenseFrr?: boolean
  /** Gateway WAN behind source NAT on the internet node (WAN 100.64.0.2, public 198.18.2.2). */
  readonly nat?: boolean
  /** nft drops on the internet node (changeable later with `lab.internet.setBlock`). */
  readonly block?: readonly Block[]
  /** User-space delay per chunk and direction in the SSH relay (changeable via `lab.gateway.ssh`… relay). */
  readonly sshDelayMs?: number
  readonly login?: 'root' | 'sudo'
  /** `login: 'sudo'`: the sudoers shape of the user (default 'password'; change later with `gateway.setSudoers`). */
  readonly sudoers?: SudoersShape
  readonly auth?: 'key' | 'password'
  /** sshd offers the sftp subsystem (default true). */
  readonly sftp?: boolean
  /** An unrelated IPsec connection (to the lab's second peer) already loaded and up on the gateway. */
  readonly existingConnection?: boolean
  /** A host firewall ruleset loaded on the gateway before the test starts. */
  readonly hostFirewall?: { readonly nft: string } | { readonly iptables: string }
  /** The aws side uses 0.0.0.0/0 ↔ 0.0.0.0/0 selectors (route-based). */
  readonly routeBased?: boolean
  /** The aws side rejects sha1 and modp1024 (as a GovCloud endpoint does). */
  readonly govcloud?: boolean
  /**
   * The aws node and the gateway are QEMU guests with Debian's stock kernel (kernel ESP, XFRM interfaces,
   * VTI) instead of namespaces (see vm-lab.ts). swanctl, starter and libreswan gateways, no
   * existingConnection yet; the aws side then defaults to 0/0 selectors (`routeBased`), as AWS itself does.
   */
  readonly vm?: boolean
  /**
   * With `vm`: the gateway VM's writable layer is an ext4 disk instead of a tmpfs, so it can be powered off
   * and booted again (`lab.vms[1].powerOff()` / `.boot()`) with its /etc, /usr and /var/lib intact.
   */
  readonly vmDisk?: boolean
  /**
   * Libreswan gateways: `ikev1-policy=accept` in the gateway's own /etc/ipsec.conf from the start (Debian's
   * 4.10 drops IKEv1 unless told; without it the app's validate step refuses, naming this fix).
   */
  readonly acceptIkev1?: boolean
  /** With `vm`: the aws side answers IKEv2 as well as IKEv1 (an AWS tunnel can allow both). */
  readonly awsIkev2?: boolean
  /**
   * With `vm`: FRR on both VMs. The gateway has Debian's frr + frr-pythontools as installed (bgpd enabled in
   * /etc/frr/daemons, no BGP configured: the package's own frr.conf), started as frr.service would, and
   * `systemctl start|stop|restart|reload|is-active frr` work as Debian's unit does. The aws VM runs bgpd
   * like AWS (AS 64512, one neighbour per tunnel on the customer's inside address, timers 10/30, the
   * dedicated CIDR advertised) and routes back to the agency by what BGP chose instead of static routes.
   * `details()` then gives the BGP variant.
   *
   * Without `vm` (a swanctl gateway only; ns-frr.ts): the same two packages inside the gateway and aws
   * namespace nodes, started by frrinit.sh; the BGP sessions run over two veth links that stand in for the
   * tunnels' interfaces (tunnel i's inside /30 on each end), not inside the tunnels (no XFRM interfaces with
   * kernel-libipsec). `details()` then also says routing "route" (auto would pick policy-based here).
   */
  readonly frr?: boolean
  /** With `frr`: the gateway's /etc/frr/frr.conf at boot (an admin's own config), instead of the package's. */
  readonly frrConf?: string
  /** Memory per VM (default 256 MB). */
  readonly vmMemoryMb?: number
  /** Each qemu is SIGKILLed after this many seconds whatever happens (default 7200). */
  readonly vmLifetimeS?: number
}

/** One VM of a VM lab: figures (of its latest boot) and where its files are. */
export interface VmInfo {
  readonly name: string
  readonly kernel: string
  /** qemu start → the lab's SSH connection into the guest is up. */
  readonly bootMs: number
  /** The guest's own uptime when its boot script said ready (kernel + init + sshd + charon). */
  readonly guestReadyS: number
  /** CPU seconds qemu used until ready (the boot's cost on an idle core, whatever else loads the machine). */
  readonly bootCpuS: number
  readonly qemuPid: number
  /** Host folder of the VM (its /run/lab: console.log, keys, the aws node's charon.log). */
  readonly dir: string
  /** qemu's resident memory now (kB). */
  rssKb(): number
  /** The highest resident memory sampled so far (kB). */
  peakRssKb(): number
  /** The guest's serial console so far (all boots). */
  console(): string
  /** True while its qemu runs. */
  running(): boolean
  /** How many times it was booted. */
  boots(): number
  /**
   * Powers it off: as `poweroff` in the guest (processes get SIGTERM, the disk is synced), or `hard` (qemu
   * killed: the power cut). Without `vmDisk` everything the guest wrote is gone with it.
   */
  powerOff(opts?: { readonly hard?: boolean }): Promise<void>
  /** Boots it again (same NICs, keys and, with `vmDisk`, the same disk); resolves once it is ready again. */
  boot(): Promise<{ readonly bootMs: number; readonly guestReadyS: number; readonly bootCpuS: number }>
  /** The disk image on the host (`vmDisk`, gateway VM). */
  readonly disk?: string
}

/** A command result, as every exec helper returns it. */
export type { ExecResult, ExecOptions } from './proc'
export type { IkeSa, ChildSa } from './strongswan'
export type { Block } from './topology'
export type { LabDetails } from './details'
export type { SudoersShape } from './sshd'

/** The aws node: two tunnel endpoints and a host in the dedicated subnet. */
export interface AwsHandle {
  readonly outsideIps: readonly [string, string]
  readonly psks: readonly [string, string]
  readonly insideCidrs: readonly [string, string]
  readonly dedicatedCidr: string
  readonly hostIp: string
  /** argv prefix that enters the aws node (`nsenter -t PID -m -n`). */
  readonly enterArgv: readonly string[]
  /** Runs argv as root on the aws node. */
  exec(argv: readonly string[], opts?: ExecOptions): Promise<ExecResult>
  /** Runs argv on the host inside the dedicated subnet. */
  execHost(argv: readonly string[], opts?: ExecOptions): Promise<ExecResult>
  /** The aws node's IKE SAs (from `swanctl --list-sas`). */
  listSas(): Promise<IkeSa[]>
  /**
   * Takes tunnel i down as AWS maintenance does: the endpoint deletes its SAs and refuses the tunnel until
   * `tunnelUp`. `silent: true` instead drops every packet of that outside IP (no DELETE: the gateway must
   * notice by DPD).
   */
  tunnelDown(i: 0 | 1, opts?: { silent?: boolean }): Promise<void>
  /** Brings tunnel i back (the gateway still has to initiate: AWS never does). */
  tunnelUp(i: 0 | 1): Promise<void>
  /** Restarts the aws daemon: by default a hard kill (no DELETE sent), `graceful: true` for SIGTERM. */
  restart(opts?: { graceful?: boolean }): Promise<void>
  /** The aws node's charon log so far. */
  log(): string
  /** With `frr`: runs vtysh on the aws node with these commands (`-c` each); the output; throws on a non-zero exit. */
  vtysh(...commands: string[]): Promise<string>
  /** With `frr`: shuts tunnel i's BGP session down at AWS (`neighbor … shutdown`: a NOTIFICATION, routes withdrawn). */
  bgpPeerDown(i: 0 | 1): Promise<void>
  /** With `frr`: lets tunnel i's BGP session come up again. */
  bgpPeerUp(i: 0 | 1): Promise<void>
}

/** The gateway node. */
export interface GatewayHandle {
  readonly kind: GatewayKind
  /** The address AWS sees (the NAT's public address when nat). */
  readonly publicIp: string
  /** The address on the gateway's WAN interface (differs from publicIp when nat). */
  readonly wanIp: string
  readonly lanCidr: string
  readonly lanIp: string
  readonly lanHostIp: string
  readonly ssh: SshCredentials
  /** Changes the relay's per-chunk delay for new and open connections. */
  setSshDelay(ms: number): void
  /** `login: 'sudo'`: replaces the user's sudoers shape (checked with visudo; takes effect for the next sudo). */
  setSudoers(shape: SudoersShape): Promise<void>
  /** argv prefix that enters the gateway node (`nsenter -t PID -m -n`), for hands-on shells. */
  readonly enterArgv: readonly string[]
  /** Runs argv as root inside the gateway (its mount and network namespaces, as an SSH session sees). */
  exec(argv: readonly string[], opts?: ExecOptions): Promise<ExecResult>
  /** Runs argv on the LAN host behind the gateway. */
  execLanHost(argv: readonly string[], opts?: ExecOptions): Promise<ExecResult>
  readFile(path: string): Promise<string>
  writeFile(path: string, data: string | Buffer, mode?: number): Promise<void>
  /** IKE SAs as the gateway's daemon shows them (strongSwan kinds; Libreswan: IKE SAs from pluto). */
  listSas(): Promise<IkeSa[]>
  /** With `frr`: runs the gateway's own vtysh as root with these commands (`-c` each); the output; throws on a non-zero exit. */
  vtysh(...commands: string[]): Promise<string>
  /** With `frr`, namespaces: `conf` becomes the gateway's /etc/frr/frr.conf (frr:frr 0640), given to FRR by frrinit.sh reload. */
  loadFrrConf(conf: string): Promise<void>
}

/** The internet node between aws, the gateway and the second peer. */
export interface InternetHandle {
  exec(argv: readonly string[], opts?: ExecOptions): Promise<ExecResult>
  /** Replaces the nft drops (an empty list lets everything through). */
  setBlock(blocks: readonly Block[]): Promise<void>
  /** Packets each drop rule has hit so far (`nft list ruleset` text). */
  ruleset(): Promise<string>
}

/** The second peer the gateway's existing connection goes to (present with `existingConnection`). */
export interface Peer2Handle {
  readonly ip: string
  readonly cidr: string
  exec(argv: readonly string[], opts?: ExecOptions): Promise<ExecResult>
  listSas(): Promise<IkeSa[]>
}

/** A running lab. */
export interface Lab {
  readonly prefix: string
  readonly options: LabOptions
  readonly aws: AwsHandle
  readonly gateway: GatewayHandle
  readonly internet: InternetHandle
  readonly peer2: Peer2Handle | undefined
  /** The QEMU guests of a `vm` lab (aws, gateway); empty otherwise. */
  readonly vms: readonly VmInfo[]
  /** How long `up` took, in ms. */
  readonly upMs: number
  /** The run's temp dir on the host (per-node folders inside; removed by `down`). */
  readonly runDir: string
  /** The gateway node's folder on the host (keys, sshd config, daemon output). */
  readonly gatewayDir: string
  /**
   * The details file (tunnelwright/details@1) describing this lab, PSKs included. `bgp` (default: the lab's
   * `frr`) adds the BGP section (customer ASN 65000, AWS ASN 64512, hold time 30, neighbours AWS's inside
   * addresses, paired by outside IP).
   */
  details(opts?: { readonly bgp?: boolean }): LabDetails
  /** Stops everything this lab started and removes its namespaces and temp dir. Idempotent. */
  down(): Promise<void>
}

class Run implements PidSink {
  readonly record: RunRecord
  private done = false
  private readonly unhook: () => void
  readonly closers: (() => void)[] = []

  constructor(
    readonly prefix: string,
    readonly tmpDir: string,
  ) {
    this.record = newRecord(prefix, tmpDir)
    saveRecord(this.record)
    this.unhook = onExit(prefix, () => this.down())
  }

  addPid(pid: number): void {
    this.record.pids.push(pid)
    saveRecord(this.record)
  }

  addNamespace(ns: string): void {
    this.record.namespaces.push(ns)
    saveRecord(this.record)
  }

  down(): void {
    if (this.done) return
    this.done = true
    for (const c of this.closers) c()
    teardownRun(this.record)
    this.unhook()
  }
}

function newPrefix(): string {
  const p = `tw${randomBytes(2).toString('hex')}-`
  if (!PREFIX_RE.test(p)) throw new Error('prefix')
  return p
}

/** An AWS-style PSK: [A-Za-z0-9._], not starting with 0 (here: 32 letters and digits). */
function awsPsk(): string {
  return 'P' + randomSecret(31)
}

const NODE_SYSCTLS = {
  'net.ipv4.ip_forward': '1',
  'net.ipv4.conf.all.rp_filter': '0',
  'net.ipv4.conf.default.rp_filter': '0',
}

/** Brings a lab topology up; always call `down()` (tests: in afterAll). */
export async function up(options: LabOptions = {}): Promise<Lab> {
  const started = Date.now()
  cleanStale()
  const opts = {
    gateway: options.gateway ?? 'swanctl',
    nat: options.nat ?? false,
    block: options.block ?? [],
    sshDelayMs: options.sshDelayMs ?? 0,
    login: options.login ?? 'root',
    auth: options.auth ?? 'key',
    sftp: options.sftp ?? true,
    existingConnection: options.existingConnection ?? false,
    routeBased: options.routeBased ?? false,
    govcloud: options.govcloud ?? false,
  }
  if (options.frr && !options.vm && (options.gateway ?? 'swanctl') !== 'swanctl') throw new Error('frr without vm: a swanctl gateway only (ns-frr.ts)')
  if (options.frr && !options.vm) {
    const why = frrNsMissing()
    if (why) throw new Error(`cannot run FRR in the namespace lab here: ${why}`)
  }
  if (options.frrConf !== undefined && !options.frr) throw new Error('frrConf needs frr: true')
  if (options.vm) {
    if (opts.gateway === 'pfsense') throw new Error('VM labs have swanctl, starter and libreswan gateways (pfSense is FreeBSD)')
    if (opts.existingConnection) throw new Error('VM labs have no second peer (existingConnection) yet')
    const why = vmMissing()
    if (why) throw new Error(`cannot run a VM lab here: ${why}`)
  }
  const prefix = newPrefix()
  const run = new Run(prefix, mkdtempSync(join(tmpdir(), `tunnelwright-lab-${prefix}`)))
  try {
    if (options.vm) {
      return await buildVmLab(
        run,
        options,
        {
          ...opts,
          gateway: opts.gateway === 'pfsense' ? 'swanctl' : opts.gateway,
          routeBased: options.routeBased ?? true,
          memoryMb: options.vmMemoryMb ?? 256,
          lifetimeS: options.vmLifetimeS ?? 7200,
          disk: options.vmDisk ?? false,
          acceptIkev1: options.acceptIkev1 ?? false,
          awsIkev2: options.awsIkev2 ?? false,
          frr: options.frr ?? false,
          ...(options.frrConf !== undefined ? { frrConf: options.frrConf } : {}),
        },
        started,
      )
    }
    return await build(run, options, opts, started)
  } catch (e) {
    run.down()
    throw e
  }
}

async function build(
  run: Run,
  options: LabOptions,
  opts: {
    gateway: GatewayKind
    nat: boolean
    block: readonly Block[]
    sshDelayMs: number
    login: 'root' | 'sudo'
    auth: 'key' | 'password'
    sftp: boolean
    existingConnection: boolean
    routeBased: boolean
    govcloud: boolean
  },
  started: number,
): Promise<Lab> {
  const p = run.prefix
  const ns = {
    inet: `${p}inet`,
    aws: `${p}aws`,
    ded: `${p}ded`,
    gw: `${p}gw`,
    lan: `${p}lan`,
    peer2: `${p}peer2`,
  }
  const link = {
    iAws: `${p}i-aws`,
    aWan: `${p}a-wan`,
    iGw: `${p}i-gw`,
    gWan: `${p}g-wan`,
    iP2: `${p}i-p2`,
    p2Wan: `${p}p2-wan`,
    aDed: `${p}a-ded`,
    dEth: `${p}d-eth`,
    gLan: `${p}g-lan`,
    lEth: `${p}l-eth`,
  }
  const withPeer2 = opts.existingConnection
  const withFrr = options.frr === true
  const usrLayer = withFrr ? frrUsrLayer() : undefined

  // Namespaces and links.
  const all = [ns.inet, ns.aws, ns.ded, ns.gw, ns.lan, ...(withPeer2 ? [ns.peer2] : [])]
  await Promise.all(all.map((n) => addNamespace(run, n, NODE_SYSCTLS)))
  await Promise.all([
    addVeth(run, { ns: ns.inet, ifname: link.iAws }, { ns: ns.aws, ifname: link.aWan }),
    addVeth(run, { ns: ns.inet, ifname: link.iGw }, { ns: ns.gw, ifname: link.gWan }),
    addVeth(run, { ns: ns.aws, ifname: link.aDed }, { ns: ns.ded, ifname: link.dEth }),
    addVeth(run, { ns: ns.gw, ifname: link.gLan }, { ns: ns.lan, ifname: link.lEth }),
    ...(withPeer2 ? [addVeth(run, { ns: ns.inet, ifname: link.iP2 }, { ns: ns.peer2, ifname: link.p2Wan })] : []),
    // FRR: tunnel i's stand-in link (its inside /30), straight between aws and the gateway (ns-frr.ts says why).
    ...(withFrr ? ([0, 1] as const).map((i) => addVeth(run, { ns: ns.aws, ifname: `${p}a-t${i + 1}` }, { ns: ns.gw, ifname: `${p}g-t${i + 1}` })) : []),
  ])
  if (withFrr) {
    const inside = ADDR.insideCidrs.map((c) => insideAddresses(c))
    await Promise.all([
      ipBatch(run, ns.aws, inside.flatMap((a, i) => [`addr add ${a.aws}/30 dev ${p}a-t${i + 1}`, `link set ${p}a-t${i + 1} up`])),
      ipBatch(run, ns.gw, inside.flatMap((a, i) => [`addr add ${a.customer}/30 dev ${p}g-t${i + 1}`, `link set ${p}g-t${i + 1} up`])),
    ])
  }
  const wanIp = opts.nat ? ADDR.natGwWan : ADDR.gwPublic
  const inetGwIp = opts.nat ? ADDR.natInetGw : ADDR.inetGw
  const up = (l: string) => `link set ${l} up`
  await Promise.all([
    ipBatch(run, ns.inet, [
      `addr add ${ADDR.inetAws}/24 dev ${link.iAws}`,
      `addr add ${inetGwIp}/24 dev ${link.iGw}`,
      ...(opts.nat ? [`addr add ${ADDR.gwPublic}/32 dev lo`] : []),
      up(link.iAws),
      up(link.iGw),
      ...(withPeer2 ? [`addr add ${ADDR.inetPeer2}/24 dev ${link.iP2}`, up(link.iP2)] : []),
    ]),
    ipBatch(run, ns.aws, [
      `addr add ${ADDR.awsOutside[0]}/24 dev ${link.aWan}`,
      `addr add ${ADDR.awsOutside[1]}/24 dev ${link.aWan}`,
      `addr add ${ADDR.awsDedicated}/24 dev ${link.aDed}`,
      up(link.aWan),
      up(link.aDed),
      `route add default via ${ADDR.inetAws}`,
    ]),
    ipBatch(run, ns.ded, [`addr add ${ADDR.dedicatedHost}/24 dev ${link.dEth}`, up(link.dEth), `route add default via ${ADDR.awsDedicated}`]),
    ipBatch(run, ns.gw, [
      `addr add ${wanIp}/24 dev ${link.gWan}`,
      `addr add ${ADDR.gwLan}/24 dev ${link.gLan}`,
      up(link.gWan),
      up(link.gLan),
      `route add default via ${inetGwIp}`,
    ]),
    ipBatch(run, ns.lan, [`addr add ${ADDR.lanHost}/24 dev ${link.lEth}`, up(link.lEth), `route add default via ${ADDR.gwLan}`]),
    ...(withPeer2
      ? [ipBatch(run, ns.peer2, [`addr add ${ADDR.peer2}/24 dev ${link.p2Wan}`, `addr add ${ADDR.peer2LanIp}/24 dev lo`, up(link.p2Wan), `route add default via ${ADDR.inetPeer2}`])]
      : []),
  ])

  // Internet node rules.
  const inet = new HostNode('inet', ns.inet)
  let blocks: readonly Block[] = opts.block
  const loadRules = async () => {
    await inet.exec(['nft', 'delete', 'table', 'inet', 'twlab'])
    await inet.exec(['nft', 'delete', 'table', 'ip', 'twnat'])
    await mustExec(['ip', 'netns', 'exec', ns.inet, 'nft', '-f', '-'], {
      input: internetRuleset({ blocks, nat: opts.nat, gwLink: link.iGw }),
    })
  }
  await loadRules()

  // Nodes.
  const aws = new DaemonNode(run, 'aws', ns.aws)
  const gw = new DaemonNode(run, 'gw', ns.gw)
  const peer2Node = withPeer2 ? new DaemonNode(run, 'peer2', ns.peer2) : undefined
  const psks: [string, string] = [awsPsk(), awsPsk()]
  const partner: PartnerConf = { psk: randomSecret(24), gwId: 'agency-gw.partner.test', peerId: 'partner-office.partner.test' }
  const sel = opts.routeBased ? { local: '0.0.0.0/0', remote: '0.0.0.0/0' } : { local: ADDR.dedicatedCidr, remote: ADDR.lanCidr }
  const awsTunnels = (active: readonly boolean[]): AwsTunnelConf[] =>
    ([0, 1] as const)
      .filter((i) => active[i])
      .map((i) => ({
        name: `tunnel${i + 1}`,
        outsideIp: ADDR.awsOutside[i],
        psk: psks[i],
        customerIp: ADDR.gwPublic,
        localTs: sel.local,
        remoteTs: sel.remote,
      }))
  const activeTunnels = [true, true]
  const loadAws = async () => {
    aws.writeFile('/etc/swanctl/swanctl.conf', renderAwsSwanctl(awsTunnels(activeTunnels), opts.govcloud), 0o600)
    await aws.mustExec(['swanctl', '--load-all', '--noprompt'])
  }
  let awsCharonPid = 0

  const startAws = async () => {
    await aws.start(usrLayer ? { usrLayer } : {})
    prepareCharon(aws)
    if (opts.routeBased) {
      // 0/0 selectors: charon must not route everything into ipsec0 on the aws node; the lab routes the
      // agency LAN into the tunnel itself (AWS does the same with its VTI routes).
      aws.writeFile('/etc/strongswan.d/charon/zz-lab-routes.conf', 'charon {\n    install_routes = no\n}\n')
    }
    awsCharonPid = await startCharon(aws)
    await loadAws()
  }
  const startPeer2 = async () => {
    if (!peer2Node) return
    await peer2Node.start()
    prepareCharon(peer2Node)
    await startCharon(peer2Node)
    peer2Node.writeFile('/etc/swanctl/swanctl.conf', renderPeer2Swanctl(partner), 0o600)
    await peer2Node.mustExec(['swanctl', '--load-all', '--noprompt'])
  }
  let gwSetup: GatewaySetup | undefined
  const startGw = async (partnerReady: Promise<void>) => {
    gwSetup = await setupGateway(opts.gateway, gw, {
      run,
      login: { login: opts.login, auth: opts.auth, sftp: opts.sftp, ...(options.sudoers ? { sudoers: options.sudoers } : {}) },
      partner: withPeer2 ? partner : undefined,
      pfsenseVersion: options.pfsenseVersion ?? '2.7.0',
      pfsenseFrr: options.pfsenseFrr === true,
      wanIp,
      wanIf: link.gWan,
      lanIf: link.gLan,
      partnerReady,
      ...(usrLayer ? { usrLayer } : {}),
    })
  }
  const peer2Ready = startPeer2()
  peer2Ready.catch(() => undefined) // awaited below; the gateway also waits for it
  await Promise.all([startAws(), peer2Ready, startGw(peer2Ready)])
  if (!gwSetup) throw new Error('gateway setup did not finish')
  const setup: GatewaySetup = gwSetup

  if (options.hostFirewall) {
    if ('nft' in options.hostFirewall) await gw.mustExec(['nft', '-f', '-'], { input: options.hostFirewall.nft })
    else await gw.mustExec(['iptables-restore'], { input: options.hostFirewall.iptables })
  }
  if (withPeer2) await setup.waitExisting()
  const awsInside = ADDR.insideCidrs.map((c) => insideAddresses(c))
  if (withFrr) {
    // AWS's side: AS 64512, one neighbour per tunnel on the customer's inside address, the dedicated CIDR advertised.
    await provisionFrr(aws, renderAwsFrrConf({ asn: AWS_ASN, customerAsn: LAB_BGP.customerAsn, neighbours: awsInside.map((a) => ({ awsIp: a.aws, customerIp: a.customer })), networks: [ADDR.dedicatedCidr] }))
    await provisionFrr(gw, options.frrConf)
    await Promise.all([startFrr(aws, run), startFrr(gw, run)])
  }
  const awsBgpPeer = async (i: 0 | 1, down: boolean) => {
    if (!withFrr) return noFrr()
    await nodeVtysh(aws, ['configure terminal', `router bgp ${AWS_ASN}`, `${down ? '' : 'no '}neighbor ${awsInside[i]!.customer} shutdown`])
  }

  // The SSH relay.
  const relay = new Relay(ns.gw, { ip: ADDR.gwLan, port: 22 }, opts.sshDelayMs, (pid) => run.addPid(pid))
  const port = await relay.start()
  run.closers.push(() => relay.close())
  const ssh: SshCredentials = {
    ...setup.creds,
    port,
    knownHostsLine: `[127.0.0.1]:${port} ${setup.hostPublicKey.split(/\s+/).slice(0, 2).join(' ')}`,
  }

  const lanHost = new HostNode('lan', ns.lan)
  const dedHost = new HostNode('ded', ns.ded)

  const awsHandle: AwsHandle = {
    outsideIps: ADDR.awsOutside,
    psks,
    insideCidrs: ADDR.insideCidrs,
    dedicatedCidr: ADDR.dedicatedCidr,
    hostIp: ADDR.dedicatedHost,
    enterArgv: ['nsenter', '-t', String(aws.holderPid), '-m', '-n'],
    exec: (argv, o) => aws.exec(argv, o),
    execHost: (argv, o) => dedHost.exec(argv, o),
    listSas: () => listSas(aws),
    async tunnelDown(i, o = {}) {
      const name = `tunnel${i + 1}`
      if (o.silent) {
        const ip = ADDR.awsOutside[i]
        await aws.mustExec(['nft', '-f', '-'], {
          input: `table ip twdown${i} {\n  chain in { type filter hook input priority -10; ip daddr ${ip} drop; }\n  chain out { type filter hook output priority -10; ip saddr ${ip} drop; }\n}\n`,
        })
        return
      }
      activeTunnels[i] = false
      await loadAws()
      await aws.exec(['swanctl', '--terminate', '--ike', name, '--force', '--timeout', '3'])
    },
    async tunnelUp(i) {
      await aws.exec(['nft', 'delete', 'table', 'ip', `twdown${i}`])
      activeTunnels[i] = true
      await loadAws()
    },
    async restart(o = {}) {
      const pid = awsCharonPid
      try {
        process.kill(-pid, o.graceful ? 'SIGTERM' : 'SIGKILL')
      } catch {
        // already gone
      }
      await waitFor('the aws charon to stop', () => {
        try {
          process.kill(pid, 0)
          return false
        } catch {
          return true
        }
      })
      await aws.exec(['rm', '-f', '/run/charon.vici', '/run/charon.pid', '/run/charon.ctl'])
      awsCharonPid = await startCharon(aws)
      await loadAws()
    },
    log: () => aws.readFile('/var/log/charon.log'),
    vtysh: withFrr ? (...commands) => nodeVtysh(aws, commands) : noFrr,
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
    setSudoers: async (shape) => {
      if (opts.login !== 'sudo') throw new Error('setSudoers needs a lab with login: sudo')
      await setSudoers(gw, shape, SUDO_USER)
    },
    enterArgv: ['nsenter', '-t', String(gw.holderPid), '-m', '-n'],
    exec: (argv, o) => gw.exec(argv, o),
    execLanHost: (argv, o) => lanHost.exec(argv, o),
    readFile: async (path) => gw.readFile(path),
    writeFile: async (path, data, mode) => gw.writeFile(path, data, mode),
    listSas: () => setup.listSas(),
    vtysh: withFrr ? (...commands) => nodeVtysh(gw, commands) : noFrr,
    loadFrrConf: withFrr ? (conf) => reloadFrrConf(gw, conf) : noFrr,
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

  const peer2Handle: Peer2Handle | undefined = peer2Node
    ? {
        ip: ADDR.peer2,
        cidr: ADDR.peer2Cidr,
        exec: (argv, o) => peer2Node.exec(argv, o),
        listSas: () => listSas(peer2Node),
      }
    : undefined

  const lab: Lab = {
    prefix: run.prefix,
    options,
    aws: awsHandle,
    gateway: gatewayHandle,
    internet: internetHandle,
    peer2: peer2Handle,
    vms: [],
    upMs: Date.now() - started,
    runDir: run.tmpDir,
    gatewayDir: gw.dir,
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
        ...((o.bgp ?? withFrr) ? { bgp: LAB_BGP, ...(withFrr ? { routing: 'route' as const } : {}) } : {}),
      }),
    down: async () => run.down(),
  }
  return lab
}

/** The FRR handles of a lab without FRR. */
async function noFrr(): Promise<never> {
  throw new Error('this lab has no FRR: up({ frr: true })')
}

/** Tears down a run by prefix (the CLI's `down`; tests use `lab.down()`). */
export function downPrefix(prefix: string): void {
  if (!PREFIX_RE.test(prefix)) throw new Error(`not a lab prefix: ${prefix}`)
  teardownRun(readRecord(prefix) ?? { prefix, tmpDir: '', pids: [] })
}
