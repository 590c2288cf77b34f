// Lab nodes: a network namespace (hosts) or a network namespace plus a private mount namespace held open by
// a `sleep` (daemon nodes). Daemons and SSH sessions of a node see that node's own /etc and /var/lib
// (overlays whose upper layer is a tmpfs), /run, /tmp, /root, /home and /var/log, so several charons share
// one disk and nothing a node writes reaches the host's files.
//
// SAFETY: every `ip` command here carries `-n <ns>` with a namespace of this run; nothing is added in the
// root namespace. All mounts are made inside the node's private mount namespace and vanish with it.
import { spawn } from 'node:child_process'
import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { execArgv, execSyncQuiet, mustExec, NODE_ENV, waitFor, type ExecOptions, type ExecResult } from './proc'
import { repoRoot } from './registry'

/** Something that records the pids it starts (the run). */
export interface PidSink {
  readonly prefix: string
  readonly tmpDir: string
  addPid(pid: number): void
  addNamespace(ns: string): void
}

/** The root namespace as `ip` shows it (addresses, routes, rules, links): a lab run must leave it byte-identical. */
export function rootNetSnapshot(): string {
  return ['addr', 'route', '-6 route', 'rule', 'link'].map((what) => execSyncQuiet(['ip', ...what.split(' ')]).stdout).join('\n=====\n')
}

/** Throws unless ns belongs to this run (a guard in front of every `ip -n`). */
export function assertOwn(sink: PidSink, ns: string): void {
  if (!ns.startsWith(sink.prefix) || ns.length <= sink.prefix.length) throw new Error(`not a namespace of this run: ${ns}`)
}

/** Creates a namespace of this run with loopback up and the given sysctls. */
export async function addNamespace(sink: PidSink, ns: string, sysctls: Record<string, string> = {}): Promise<void> {
  assertOwn(sink, ns)
  sink.addNamespace(ns)
  await mustExec(['ip', 'netns', 'add', ns])
  await mustExec(['ip', '-n', ns, 'link', 'set', 'lo', 'up'])
  const settings = Object.entries(sysctls).map(([k, v]) => `${k}=${v}`)
  if (settings.length > 0) await mustExec(['ip', 'netns', 'exec', ns, 'sysctl', '-qw', ...settings])
}

/** Creates a veth pair straight between two namespaces of this run (never in the root namespace). */
export async function addVeth(sink: PidSink, a: { ns: string; ifname: string }, b: { ns: string; ifname: string }): Promise<void> {
  assertOwn(sink, a.ns)
  assertOwn(sink, b.ns)
  for (const n of [a.ifname, b.ifname]) {
    if (!n.startsWith(sink.prefix) || n.length > 15) throw new Error(`bad lab link name ${n}`)
  }
  await mustExec(['ip', '-n', a.ns, 'link', 'add', a.ifname, 'type', 'veth', 'peer', 'name', b.ifname, 'netns', b.ns])
}

/** Runs `ip -n ns -batch -` with the given lines (addresses, routes, links up). */
export async function ipBatch(sink: PidSink, ns: string, lines: readonly string[]): Promise<void> {
  assertOwn(sink, ns)
  if (lines.length === 0) return
  await mustExec(['ip', '-n', ns, '-batch', '-'], { input: lines.join('\n') + '\n' })
}

/** A namespace with no private mounts: the LAN host, the dedicated-subnet host, the internet router. */
export class HostNode {
  constructor(readonly name: string, readonly ns: string) {}

  /** Runs argv inside the node's network namespace. */
  exec(argv: readonly string[], opts?: ExecOptions): Promise<ExecResult> {
    return execArgv(['ip', 'netns', 'exec', this.ns, ...argv], opts)
  }
}

/** What a daemon node mounts privately, beyond the defaults. */
export interface NodeMounts {
  /** Extra bind mounts (source on the host → an existing target inside the node; never created on the host). */
  readonly binds?: readonly { readonly source: string; readonly target: string; readonly readOnly?: boolean }[]
  /** A folder laid over /usr inside the node (an overlay with a tmpfs upper), e.g. unpacked Libreswan's usr/. */
  readonly usrLayer?: string
}

const HOLDER_SCRIPT = String.raw`
set -eu
dir="$1"; usr_lower="$2"; shift 2
mount -t tmpfs -o mode=0755 tw-run /run
mkdir -p /run/lab /run/sshd /run/lock
mount --bind "$dir" /run/lab
mkdir -p /run/ovl
mount -t tmpfs -o mode=0700 tw-ovl /run/ovl
mkdir -p /run/ovl/etc-up /run/ovl/etc-work
mount -t overlay tw-etc -o lowerdir=/etc,upperdir=/run/ovl/etc-up,workdir=/run/ovl/etc-work /etc
mkdir -p /run/ovl/varlib-up /run/ovl/varlib-work
mount -t overlay tw-varlib -o lowerdir=/var/lib,upperdir=/run/ovl/varlib-up,workdir=/run/ovl/varlib-work /var/lib
if [ -n "$usr_lower" ]; then
  mkdir -p /run/ovl/usr-up /run/ovl/usr-work
  mount -t overlay tw-usr -o "lowerdir=$usr_lower:/usr,upperdir=/run/ovl/usr-up,workdir=/run/ovl/usr-work" /usr
fi
# The repository (and shared/ beside it) stay visible at their own paths even when they live under a
# folder this node hides below (a clone in /tmp, as CI may make): hold them, hide, then put them back.
mkdir -p /run/ovl/keep
i=0
for p in $TW_KEEP; do [ -d "$p" ] && mkdir -p "/run/ovl/keep/$i" && mount --bind "$p" "/run/ovl/keep/$i"; i=$((i + 1)); done
mount -t tmpfs -o mode=1777 tw-tmp /tmp
mount -t tmpfs -o mode=1777 tw-vartmp /var/tmp
mount -t tmpfs -o mode=0700 tw-root /root
mount -t tmpfs -o mode=0755 tw-home /home
mount -t tmpfs -o mode=0755 tw-log /var/log
i=0
for p in $TW_KEEP; do if [ -d "/run/ovl/keep/$i" ] && [ ! -e "$p/package.json" ] && [ ! -e "$p/fixtures" ]; then mkdir -p "$p" && mount --bind "/run/ovl/keep/$i" "$p"; fi; i=$((i + 1)); done
while [ $# -ge 3 ]; do
  src="$1"; dst="$2"; ro="$3"; shift 3
  mount --bind "$src" "$dst"
  if [ "$ro" = ro ]; then mount -o remount,bind,ro "$dst"; fi
done
echo ready
exec sleep infinity
`

/** Host folders every node keeps visible at the same path: the repository and shared/ beside it (no spaces). */
function keepPaths(): string[] {
  const root = repoRoot()
  return [root, resolve(root, '../shared')].filter((p) => !/\s/.test(p))
}

/** A namespace plus a private mount namespace held by one process; daemons and exec run inside both. */
export class DaemonNode extends HostNode {
  /** The holder's pid: `nsenter -t holder -m -n` enters this node. */
  holderPid = 0
  /** Host-side folder of this node, visible inside the node as /run/lab. */
  readonly dir: string

  constructor(private readonly sink: PidSink, name: string, ns: string) {
    super(name, ns)
    this.dir = join(sink.tmpDir, name)
  }

  /** Starts the holder with the private mounts and waits until they are in place. */
  async start(mounts: NodeMounts = {}): Promise<void> {
    mkdirSync(this.dir, { recursive: true, mode: 0o755 })
    chmodSync(this.dir, 0o755)
    const extra = (mounts.binds ?? []).flatMap((b) => [b.source, b.target, b.readOnly ? 'ro' : 'rw'])
    const child = spawn(
      'ip',
      ['netns', 'exec', this.ns, 'unshare', '-m', '--propagation', 'private', 'sh', '-c', HOLDER_SCRIPT, 'holder', this.dir, mounts.usrLayer ?? '', ...extra],
      { env: { ...NODE_ENV, TW_KEEP: keepPaths().join(' ') }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    if (child.pid === undefined) throw new Error(`cannot start the holder of ${this.name}`)
    this.holderPid = child.pid
    this.sink.addPid(child.pid)
    let out = ''
    let err = ''
    child.stderr.on('data', (b: Buffer) => (err += b.toString()))
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString()
        if (out.includes('ready')) resolve()
      })
      child.on('exit', (code) => reject(new Error(`holder of ${this.name} exited ${code}: ${err}`)))
    })
    child.stdout.removeAllListeners('data')
    child.stdout.resume()
    child.stderr.resume()
    child.unref()
    ;(child.stdout as unknown as { unref?: () => void }).unref?.()
    ;(child.stderr as unknown as { unref?: () => void }).unref?.()
  }

  private enter(argv: readonly string[]): string[] {
    if (this.holderPid === 0) throw new Error(`node ${this.name} is not started`)
    return ['nsenter', '-t', String(this.holderPid), '-m', '-n', '--', ...argv]
  }

  /** Runs argv as root inside the node (its mount and network namespaces). */
  override exec(argv: readonly string[], opts?: ExecOptions): Promise<ExecResult> {
    return execArgv(this.enter(argv), opts)
  }

  /** Runs argv inside the node and throws unless it exits 0. */
  mustExec(argv: readonly string[], opts?: ExecOptions): Promise<string> {
    return mustExec(this.enter(argv), opts)
  }

  /** Runs a shell script inside the node and throws unless it exits 0. */
  sh(script: string, opts?: ExecOptions): Promise<string> {
    return this.mustExec(['sh', '-c', script], opts)
  }

  /** Starts a long-running daemon inside the node, detached in its own process group, output to a log. */
  spawnDaemon(label: string, argv: readonly string[]): number {
    const logPath = join(this.dir, `${label}.out`)
    const fd = openSync(logPath, 'a')
    const [cmd, ...args] = this.enter(argv)
    const child = spawn(cmd as string, args, { env: NODE_ENV, detached: true, stdio: ['ignore', fd, fd] })
    closeSync(fd)
    if (child.pid === undefined) throw new Error(`cannot start ${label} on ${this.name}`)
    child.on('error', () => undefined)
    child.unref()
    this.sink.addPid(child.pid)
    return child.pid
  }

  /** A path inside the node as seen from the host (through the holder's root). */
  hostPath(path: string): string {
    if (!path.startsWith('/')) throw new Error(`absolute path expected: ${path}`)
    return `/proc/${this.holderPid}/root${path}`
  }

  /** Reads a file as the node sees it. */
  readFile(path: string): string {
    return readFileSync(this.hostPath(path), 'utf8')
  }

  /** Writes a file as the node sees it (parents created). */
  writeFile(path: string, data: string | Buffer, mode = 0o644): void {
    const p = this.hostPath(path)
    mkdirSync(p.slice(0, p.lastIndexOf('/')), { recursive: true })
    writeFileSync(p, data, { mode })
    chmodSync(p, mode)
  }

  /** Waits until a path exists inside the node (a socket, a pid file). */
  async waitForPath(path: string, timeoutMs = 15_000): Promise<void> {
    await waitFor(`${path} on ${this.name}`, () => {
      try {
        statSync(this.hostPath(path))
        return true
      } catch {
        return false
      }
    }, { timeoutMs, intervalMs: 20 })
  }
}
