// A lab node that is a QEMU guest: Debian's stock kernel (kernel ESP, XFRM interfaces, VTI), this
// machine's userland over 9p, long-lived, reached over SSH like a real gateway.
//
// SAFETY: the guest's NICs are TAP devices on bridges inside the VM's own lab namespace; each bridge's
// other port is a veth whose peer sits in a neighbouring lab namespace. qemu runs inside that namespace
// under `timeout -s KILL`, in its own process group, and its pids are in the run record, so teardown (and
// the stale sweep) kill it by pid; deleting the namespace removes the TAPs and bridges with it. Nothing is
// added in the root namespace. The test process reaches the guest through a loopback relay into a lab
// namespace (`ip netns exec NS socat`).
import { spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Client, type ClientChannel } from 'ssh2'
import { addVeth, assertOwn, ipBatch, type PidSink } from './node'
import { mustExec as mustExecHost, NODE_ENV, type ExecOptions, type ExecResult } from './proc'
import { isRunning } from './registry'
import { makeKey, Relay } from './sshd'
import { type GuestConfig, writeGuestShare } from './vm-guest'
import { type VmImage } from './vm-image'

/** One guest NIC: its name in the guest and the far end of its wire (a veth in a neighbouring namespace). */
export interface VmNic {
  readonly name: string
  readonly peer: { readonly ns: string; readonly ifname: string }
}

/** How to boot one VM. */
export interface VmBootSpec {
  readonly image: VmImage
  readonly guest: Omit<GuestConfig, 'nics' | 'sshdConfig'>
  /** The app's sshd_config (Port 22); the lab's control port is added to it. None: control sshd only. */
  readonly sshdConfig?: string
  /** Where the lab's control connection enters: a namespace of this run and the guest's address there. */
  readonly control: { readonly ns: string; readonly ip: string }
  readonly memoryMb: number
  /** qemu is SIGKILLed after this long whatever happens (`timeout -s KILL`). */
  readonly lifetimeS: number
  /**
   * The overlay's upper layer on an ext4 disk of this size (an image in the VM's folder) instead of a
   * tmpfs: what the guest writes survives `powerOff` and the next `boot`.
   */
  readonly diskMb?: number
}

/** Port of the lab's own sshd in every guest (root, the lab's key only); the app's sshd is on 22. */
export const CONTROL_PORT = 2222

/**
 * Kernel command line: serial console, no reboot loop, fewer timer checks under TCG, the ACPI PM timer as
 * the clock (QEMU derives it from the host's clock; a TSC calibrated while the host is busy ran up to 20×
 * too fast with tsc=reliable, so a 45 s verify window passed in seconds and applies reverted), and no crypto
 * self-tests (testmgr runs them at boot and again for each algorithm instance, e.g. ESP's
 * authenc(hmac(sha256),cbc(aes)) at the first SA: ~1 s of TCG that proves nothing about the app).
 */
const APPEND = 'console=ttyS0 panic=-1 loglevel=4 clocksource=acpi_pm no_timer_check cryptomgr.notests'

/** qboot (from qemu-system-data): a minimal firmware that hands over to the kernel ~0.4 s sooner than SeaBIOS. */
const QBOOT = '/usr/share/qemu/qboot.rom'

function quoteSh(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`
}

/** Polls `probe` until it returns a value; unlike waitFor, an error thrown by the probe ends the wait at once. */
async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number, intervalMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await probe()
    if (v !== undefined) return v
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, intervalMs))
  }
}

function sshFingerprint(publicKeyLine: string): string {
  const b64 = publicKeyLine.split(/\s+/)[1] ?? ''
  return createHash('sha256').update(Buffer.from(b64, 'base64')).digest('base64').replace(/=+$/, '')
}

/** A QEMU guest of this run; `exec` and friends run as root in the guest over the lab's SSH connection. */
export class VmNode {
  /** Host folder of this VM: the guest's /run/lab (9p), console.log, qemu.pid, keys. */
  readonly dir: string
  /** Its disk image (with `diskMb`): the overlay's upper layer. */
  readonly disk: string
  /** Pid of `timeout` (leader of qemu's process group) and of qemu itself. */
  timeoutPid = 0
  qemuPid = 0
  /** qemu start → the lab's SSH connection is up (ms), and the guest's own uptime when it said ready (s). */
  bootMs = 0
  guestReadyS = 0
  /** CPU seconds qemu had used when the guest was ready: the boot's cost, whatever else loads the machine. */
  bootCpuS = 0
  private peakRss = 0
  private client: Client | undefined
  private connecting: Promise<Client> | undefined
  private relay: Relay | undefined
  private controlKey = ''
  private hostKeySha = ''
  private exited: string | undefined
  private nics: readonly { readonly name: string; readonly mac: string }[] = []
  private spec: VmBootSpec | undefined
  /** How many times qemu was started for this VM. */
  boots = 0

  constructor(private readonly sink: PidSink & { readonly closers: (() => void)[] }, readonly name: string, readonly ns: string) {
    if (name.length > 4) throw new Error(`VM name too long for link names: ${name}`)
    this.dir = join(sink.tmpDir, name)
    this.disk = join(this.dir, 'disk.img')
    mkdirSync(this.dir, { recursive: true, mode: 0o700 })
  }

  /** Link name of this VM's side (bridge, TAP, veth) of NIC i. */
  linkName(kind: 'b' | 't' | 'v', i: number): string {
    const n = `${this.sink.prefix}${this.name}-${kind}${i}`
    if (n.length > 15) throw new Error(`link name too long: ${n}`)
    return n
  }

  /**
   * Makes the guest's wires: per NIC a bridge holding a TAP (for qemu) and a veth whose peer is created
   * straight in the neighbouring namespace. All inside this VM's namespace (which must exist).
   */
  async wire(nics: readonly VmNic[]): Promise<void> {
    assertOwn(this.sink, this.ns)
    await Promise.all(nics.map((n, i) => addVeth(this.sink, { ns: this.ns, ifname: this.linkName('v', i) }, { ns: n.peer.ns, ifname: n.peer.ifname })))
    await ipBatch(
      this.sink,
      this.ns,
      nics.flatMap((_, i) => {
        const [b, t, v] = [this.linkName('b', i), this.linkName('t', i), this.linkName('v', i)]
        return [`link add ${b} type bridge`, `tuntap add dev ${t} mode tap`, `link set ${t} master ${b}`, `link set ${v} master ${b}`, `link set ${b} up`, `link set ${t} up`, `link set ${v} up`]
      }),
    )
    this.nics = nics.map((n) => ({ name: n.name, mac: `52:54:00:${[...randomBytes(3)].map((x) => x.toString(16).padStart(2, '0')).join(':')}` }))
  }

  /**
   * Writes the share, starts qemu and waits until the guest answers over SSH (after `wire`). Called again
   * after `powerOff` (without a spec: the last one), it boots the same machine: same NICs, share and keys,
   * and with a disk the same /etc, /usr and /var/lib as when it went down.
   */
  async boot(spec: VmBootSpec | undefined = this.spec): Promise<void> {
    if (!spec) throw new Error(`${this.name}: boot needs a spec the first time`)
    if (this.running()) throw new Error(`${this.name} is already running`)
    assertOwn(this.sink, spec.control.ns)
    this.spec = spec
    this.exited = undefined
    this.client = undefined
    const started = Date.now()
    const nics = this.nics

    // The lab's own access: root with a key of its own, on the control port of the guest's sshd.
    if (!existsSync(join(this.dir, 'ssh_host_ed25519_key'))) await makeKey(this.dir, 'ssh_host_ed25519_key', `${this.name}-host`)
    if (!existsSync(join(this.dir, 'control_ed25519'))) await makeKey(this.dir, 'control_ed25519', 'tunnelwright-lab-control')
    this.controlKey = readFileSync(join(this.dir, 'control_ed25519'), 'utf8')
    this.hostKeySha = sshFingerprint(readFileSync(join(this.dir, 'ssh_host_ed25519_key.pub'), 'utf8'))
    writeGuestFile(this.dir, 'control_keys', readFileSync(join(this.dir, 'control_ed25519.pub'), 'utf8').trim() + '\n')
    writeGuestShare(this.dir, { ...spec.guest, nics, sshdConfig: withControlPort(spec.sshdConfig) })
    // The disk: an ext4 image made on the host at the first boot (a sparse file in this VM's folder, gone
    // with the run); its tables written now, so the guest's kernel has no lazy init to do under TCG.
    if (spec.diskMb !== undefined && !existsSync(this.disk)) {
      await mustExecHost(['mke2fs', '-q', '-F', '-t', 'ext4', '-E', 'lazy_itable_init=0,lazy_journal_init=0', '-L', `${this.name}-disk`, this.disk, `${spec.diskMb}M`])
    }
    // The console accumulates over boots: readiness is read from what this boot wrote.
    const consoleFrom = this.console().length
    this.boots++

    const qemu = [
      'qemu-system-x86_64',
      '-name', `${this.sink.prefix}${this.name}`,
      '-machine', 'q35',
      ...(existsSync(QBOOT) ? ['-bios', QBOOT] : []),
      '-accel', 'tcg,tb-size=128', // /dev/kvm here is a software hypervisor: KVM aborts or crawls
      '-cpu', 'max',
      '-smp', '1',
      '-m', String(spec.memoryMb),
      '-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot',
      '-chardev', `file,id=ser0,path=${join(this.dir, 'console.log')},append=on`,
      '-serial', 'chardev:ser0',
      '-pidfile', join(this.dir, 'qemu.pid'),
      '-kernel', spec.image.vmlinux,
      '-initrd', spec.image.initrd,
      '-append', spec.diskMb !== undefined ? `${APPEND} tw.disk` : APPEND,
      '-virtfs', 'local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap',
      '-virtfs', `local,path=${spec.image.modulesDir},mount_tag=modules,security_model=none,readonly=on`,
      '-virtfs', `local,path=${this.dir},mount_tag=share,security_model=none`,
      ...(spec.guest.shares ?? []).flatMap((sh) => ['-virtfs', `local,path=${sh.hostPath},mount_tag=${sh.tag},security_model=none,readonly=on`]),
      // cache=unsafe: the guest's flushes are not forced to the host's disk; what the guest wrote survives
      // qemu being killed (it is in the host's page cache), what it had not written yet does not.
      ...(spec.diskMb !== undefined ? ['-drive', `file=${this.disk},format=raw,if=virtio,cache=unsafe`] : []),
      '-object', 'rng-random,id=rng0,filename=/dev/urandom',
      '-device', 'virtio-rng-pci,rng=rng0',
      ...nics.flatMap((n, i) => [
        '-netdev', `tap,id=n${i},ifname=${this.linkName('t', i)},script=no,downscript=no`,
        '-device', `virtio-net-pci,netdev=n${i},mac=${n.mac},romfile=`,
      ]),
    ]
    rmSync(join(this.dir, 'qemu.pid'), { force: true })
    const fd = openSync(join(this.dir, 'qemu.out'), 'a')
    const child = spawn('ip', ['netns', 'exec', this.ns, 'timeout', '-s', 'KILL', String(spec.lifetimeS), ...qemu], {
      env: NODE_ENV,
      detached: true, // its own process group: teardown kills timeout and qemu together
      stdio: ['ignore', fd, fd],
    })
    closeSync(fd)
    if (child.pid === undefined) throw new Error(`cannot start qemu for ${this.name}`)
    this.timeoutPid = child.pid
    this.sink.addPid(child.pid)
    child.on('error', () => undefined)
    const boot = this.boots
    child.on('exit', (code, signal) => {
      if (this.boots === boot) this.exited = `qemu of ${this.name} exited (${signal ?? code})`
    })
    child.unref()
    this.qemuPid = await until(`qemu.pid of ${this.name}`, () => {
      if (this.exited) throw new Error(`${this.exited}: ${this.tail('qemu.out')}`)
      try {
        const pid = Number(readFileSync(join(this.dir, 'qemu.pid'), 'utf8').trim())
        return pid > 0 ? pid : undefined
      } catch {
        return undefined
      }
    }, 30_000, 20)
    this.sink.addPid(this.qemuPid)

    // Ready: the guest says so on its console once sshd (and its IPsec daemon) run. The lab's SSH
    // connection is made as soon as sshd runs, while the daemon is still starting.
    const watchConsole = <T>(what: string, probe: (log: string) => T | undefined) =>
      until(`${this.name}: ${what} (console: ${join(this.dir, 'console.log')})`, () => {
        const log = this.console().slice(consoleFrom)
        const failed = /TW-GUEST-FAILED.*/.exec(log)
        if (failed) throw new Error(`${this.name}: ${failed[0]}\n${this.tail('console.log')}`)
        if (this.exited) throw new Error(`${this.exited} before it was ready\n${this.tail('console.log')}\n${this.tail('qemu.out')}`)
        return probe(log)
      }, 180_000, 50)
    if (!this.relay) {
      this.relay = new Relay(spec.control.ns, { ip: spec.control.ip, port: CONTROL_PORT }, 0, (pid) => this.sink.addPid(pid))
      await this.relay.start()
      this.sink.closers.push(() => this.close())
    }
    const [ready] = await Promise.all([
      watchConsole('ready', (log) => /TW-GUEST-READY uptime=([\d.]+)/.exec(log) ?? undefined),
      watchConsole('sshd', (log) => (log.includes('tw-guest: sshd started') ? true : undefined)).then(() => this.connection()),
    ])
    this.guestReadyS = Number(ready[1])
    this.bootMs = Date.now() - started
    this.bootCpuS = this.cpuSeconds()
    this.sampleRss()
  }

  /**
   * Powers the guest off and waits until qemu is gone. Default: as `poweroff` does (busybox init sends
   * SIGTERM to every process, then SIGKILL, syncs the disk and powers off); `hard`: qemu is killed, as
   * when the power is cut (what the guest had not written to its disk yet is lost).
   */
  async powerOff(opts: { readonly hard?: boolean } = {}): Promise<void> {
    if (!this.running()) return
    const pid = this.qemuPid
    if (opts.hard) {
      this.dropClient()
      try {
        process.kill(-this.timeoutPid, 'SIGKILL') // timeout and qemu: their own process group
      } catch {
        // already gone
      }
    } else {
      // The guest cuts this session off as it goes down: start it and do not wait for an answer. busybox's
      // applet: the guest's /sbin/poweroff is the host's link to systemctl, which has no systemd to ask.
      const c = await this.connection()
      c.exec('busybox poweroff', () => undefined)
    }
    await until(`${this.name} to power off`, () => (isRunning(pid) ? undefined : true), 120_000, 100)
    this.dropClient()
  }

  private dropClient(): void {
    this.client?.end()
    this.client = undefined
  }

  /** The guest's serial console so far. */
  console(): string {
    try {
      return readFileSync(join(this.dir, 'console.log'), 'utf8')
    } catch {
      return ''
    }
  }

  private tail(file: string, lines = 30): string {
    try {
      return readFileSync(join(this.dir, file), 'utf8').split('\n').slice(-lines).join('\n')
    } catch {
      return `(no ${file})`
    }
  }

  /** qemu's resident memory now, in kB (0 once it is gone); also tracks the peak seen. */
  sampleRss(): number {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.qemuPid}/status`, 'utf8'))
      const kb = Number(m?.[1] ?? 0)
      this.peakRss = Math.max(this.peakRss, kb)
      return kb
    } catch {
      return 0
    }
  }

  /** CPU seconds (user + system) qemu has used so far. */
  cpuSeconds(): number {
    try {
      const stat = readFileSync(`/proc/${this.qemuPid}/stat`, 'utf8')
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      return (Number(f[11]) + Number(f[12])) / 100 // utime, stime in clock ticks (USER_HZ = 100)
    } catch {
      return 0
    }
  }

  /** The highest RSS any `sampleRss` call saw (kB). */
  peakRssKb(): number {
    this.sampleRss()
    return this.peakRss
  }

  /** True while qemu runs. */
  running(): boolean {
    return this.qemuPid > 0 && isRunning(this.qemuPid)
  }

  private connection(): Promise<Client> {
    if (this.client) return Promise.resolve(this.client)
    if (this.connecting) return this.connecting
    const port = this.relay?.port
    if (!port) return Promise.reject(new Error(`${this.name} is not booted`))
    const attempt = () =>
      new Promise<Client>((resolve, reject) => {
        const c = new Client()
        c.on('ready', () => resolve(c))
        c.on('error', reject)
        c.on('close', () => {
          if (this.client === c) this.client = undefined
        })
        c.connect({
          host: '127.0.0.1',
          port,
          username: 'root',
          privateKey: this.controlKey,
          readyTimeout: 60_000,
          keepaliveInterval: 5_000,
          keepaliveCountMax: 6,
          hostVerifier: (key: Buffer) => createHash('sha256').update(key).digest('base64').replace(/=+$/, '') === this.hostKeySha,
        })
      })
    this.connecting = until(`the lab's SSH connection to ${this.name}`, async () => {
      if (this.exited) throw new Error(this.exited)
      try {
        return await attempt()
      } catch {
        return undefined
      }
    }, 60_000, 200)
      .then((c) => {
        this.client = c
        return c
      })
      .finally(() => {
        this.connecting = undefined
      })
    return this.connecting
  }

  /** Runs argv as root in the guest (clean environment); never rejects on a non-zero exit. */
  async exec(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    if (argv.length === 0) throw new Error('exec: empty argv')
    const env = opts.env ?? NODE_ENV
    const line = ['env', '-i', ...Object.entries(env).map(([k, v]) => `${k}=${v ?? ''}`), ...argv].map(quoteSh).join(' ')
    const client = await this.connection()
    const timeoutMs = opts.timeoutMs ?? 60_000
    return new Promise((resolve, reject) => {
      client.exec(line, (err, stream: ClientChannel) => {
        if (err) return reject(new Error(`cannot run on ${this.name}: ${argv.join(' ')}`, { cause: err }))
        const out: Buffer[] = []
        const errOut: Buffer[] = []
        let code: number | undefined
        const timer = setTimeout(() => {
          stream.signal('KILL')
          stream.close()
          reject(new Error(`timed out after ${timeoutMs} ms on ${this.name}: ${argv.join(' ')}`))
        }, timeoutMs)
        stream.on('data', (b: Buffer) => out.push(b))
        stream.stderr.on('data', (b: Buffer) => errOut.push(b))
        stream.on('exit', (c: number | null, signal?: string) => {
          code = c ?? (signal ? 128 : 1)
        })
        stream.on('close', () => {
          clearTimeout(timer)
          resolve({ code: code ?? 255, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(errOut).toString('utf8') })
        })
        stream.end(opts.input ?? '')
      })
    })
  }

  /** Runs argv in the guest and throws (with its output) unless it exits 0. */
  async mustExec(argv: readonly string[], opts: ExecOptions = {}): Promise<string> {
    const r = await this.exec(argv, opts)
    if (r.code !== 0) throw new Error(`command failed on ${this.name} (exit ${r.code}): ${argv.join(' ')}\n${r.stderr}${r.stdout}`.trimEnd())
    return r.stdout
  }

  /** Runs a shell script in the guest and throws unless it exits 0. */
  sh(script: string, opts: ExecOptions = {}): Promise<string> {
    return this.mustExec(['sh', '-c', script], opts)
  }

  /** Reads a file in the guest. */
  readFile(path: string): Promise<string> {
    return this.mustExec(['cat', '--', path])
  }

  /** Writes a file in the guest (parents created), through stdin. */
  async writeFile(path: string, data: string | Buffer, mode = 0o644): Promise<void> {
    if (!path.startsWith('/')) throw new Error(`absolute path expected: ${path}`)
    await this.mustExec(['sh', '-c', 'mkdir -p "$(dirname "$1")" && : > "$1" && chmod "$2" "$1" && cat > "$1"', 'sh', path, mode.toString(8)], { input: data })
  }

  /** Closes the lab's connection and relay (qemu itself is killed by the run's teardown). */
  close(): void {
    this.client?.end()
    this.client = undefined
    this.relay?.close()
  }
}

/**
 * One sshd per guest (each sshd start costs ~1 s under TCG): the app's config plus the lab's control port,
 * where only root with the lab's key gets in. Without an app config: the control port alone.
 */
export function withControlPort(appConfig: string | undefined): string {
  const base =
    appConfig ??
    ['# tunnelwright lab sshd: the lab harness only', 'HostKey /run/lab/ssh_host_ed25519_key', 'PidFile /run/sshd.pid', 'PermitRootLogin no', 'PasswordAuthentication no', 'KbdInteractiveAuthentication no', 'UsePAM no', 'UseDNS no', 'StrictModes no', 'LogLevel INFO', ''].join('\n')
  if (/^\s*Match\b/im.test(base)) throw new Error('the app sshd_config must not end in a Match block')
  const ports = appConfig === undefined ? `Port ${CONTROL_PORT}` : `Port 22\nPort ${CONTROL_PORT}`
  return [
    base.replace(/^Port 22$/m, '').replace(/^/, `${ports}\n`).trimEnd(),
    '',
    "# the lab harness's own way in (root, its key only); the app uses port 22",
    `Match LocalPort ${CONTROL_PORT}`,
    '  PermitRootLogin prohibit-password',
    '  PubkeyAuthentication yes',
    '  PasswordAuthentication no',
    '  KbdInteractiveAuthentication no',
    '  AuthorizedKeysFile /run/lab/control_keys',
    '  MaxSessions 64',
    '',
  ].join('\n')
}

function writeGuestFile(dir: string, name: string, data: string): void {
  writeFileSync(join(dir, name), data, { mode: 0o600 })
}
