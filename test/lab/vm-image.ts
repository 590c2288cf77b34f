// The boot image of the lab's VM nodes: Debian's stock kernel (unpacked by prepare-vm.sh into
// .lab-cache/kernel/<version>/) as an uncompressed vmlinux, and a busybox initramfs that mounts this
// machine's / read-only over 9p under a tmpfs overlay. Both are made on first use and cached per kernel
// version and recipe (.lab-cache/vm/<version>-<hash>/), so a changed recipe or kernel rebuilds them.
import { createHash } from 'node:crypto'
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { mustExec } from './proc'
import { repoRoot } from './registry'

/** Where prepare-vm.sh unpacks kernels (`current` names the one to boot). */
export const KERNEL_CACHE = resolve(repoRoot(), '.lab-cache/kernel')
const IMAGE_CACHE = resolve(repoRoot(), '.lab-cache/vm')
const BUSYBOX = '/bin/busybox'

/** What a guest boots. */
export interface VmImage {
  readonly kernelVersion: string
  /** Uncompressed ELF kernel: QEMU boots it through the PVH entry (no decompressor run under TCG). */
  readonly vmlinux: string
  /** Uncompressed newc cpio (unpacking is cheap; decompressing under TCG is not). */
  readonly initrd: string
  /** The kernel's /lib/modules, shared read-only into the guest. */
  readonly modulesDir: string
}

// The modules the initramfs loads to reach the host's / (everything else loads from /lib/modules later).
const BOOT_MODULES = ['virtio_pci', '9pnet_virtio', '9p', 'overlay'] as const

// And, on a VM with a disk (`tw.disk`), the ones for its ext4 upper layer. ext4 asks the crypto API for
// crc32c at every mount, which the initramfs cannot autoload: crc32c_generic is loaded first.
const DISK_MODULES = ['virtio_blk', 'crc32c_generic', 'ext4'] as const

// PID 1 of the initramfs (a shell file beside this module).
const INITRAMFS_INIT = readFileSync(join(repoRoot(), 'test/lab/guest/initramfs-init.sh'), 'utf8')

/** The kernel version prepare-vm.sh unpacked, or undefined. */
export function currentKernel(): string | undefined {
  try {
    const v = readFileSync(join(KERNEL_CACHE, 'current'), 'utf8').trim()
    return existsSync(join(KERNEL_CACHE, v, 'boot', `vmlinuz-${v}`)) && existsSync(join(KERNEL_CACHE, v, 'lib/modules', v, 'modules.dep')) ? v : undefined
  } catch {
    return undefined
  }
}

/** Why VM nodes cannot run here, or undefined when they can (qemu, busybox, the unpacked kernel). */
export function vmMissing(): string | undefined {
  for (const exe of ['/usr/bin/qemu-system-x86_64', BUSYBOX, '/usr/bin/xz', '/usr/bin/timeout']) {
    if (!existsSync(exe)) return `needs ${exe} (test/tools/setup-debian.sh installs it)`
  }
  if (!existsSync('/dev/net/tun')) return 'needs /dev/net/tun (TAP devices)'
  if (currentKernel() === undefined) return "needs Debian's kernel unpacked in .lab-cache/kernel (run test/lab/prepare-vm.sh)"
  return undefined
}

/** Parses modules.dep into module name → its .ko path and the paths it depends on (relative to the modules dir). */
export function parseModulesDep(text: string): Map<string, { path: string; deps: string[] }> {
  const out = new Map<string, { path: string; deps: string[] }>()
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':')
    if (colon < 0) continue
    const path = line.slice(0, colon)
    const name = (path.split('/').pop() ?? '').replace(/\.ko(\.xz|\.zst|\.gz)?$/, '').replaceAll('-', '_')
    out.set(name, { path, deps: line.slice(colon + 1).trim().split(/\s+/).filter(Boolean) })
  }
  return out
}

/** The .ko paths to insmod, dependencies first, for the given modules (built-in ones are skipped). */
export function toLoadOrder(dep: Map<string, { path: string; deps: string[] }>, builtin: ReadonlySet<string>, wanted: readonly string[]): string[] {
  const byPath = new Map([...dep.values()].map((m) => [m.path, m]))
  const order: string[] = []
  const visit = (path: string) => {
    if (order.includes(path)) return
    const m = byPath.get(path)
    if (!m) throw new Error(`modules.dep has no entry for ${path}`)
    for (const d of m.deps) visit(d)
    order.push(path)
  }
  for (const w of wanted) {
    const m = dep.get(w)
    if (m) visit(m.path)
    else if (!builtin.has(w)) throw new Error(`kernel module ${w} is neither a module nor built in`)
  }
  return order
}

function sha(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex')
}

/** Extracts the xz payload of a Debian bzImage into an uncompressed vmlinux (ELF with the PVH note). */
async function extractVmlinux(vmlinuz: string, out: string): Promise<void> {
  const image = readFileSync(vmlinuz)
  const off = image.indexOf(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))
  if (off < 0) throw new Error(`${vmlinuz}: no xz payload (not a Debian amd64 kernel?)`)
  await mustExec(['sh', '-c', 'xz -dc --single-stream > "$1"', 'sh', out], { input: image.subarray(off), timeoutMs: 120_000 })
  if (readFileSync(out).subarray(0, 4).toString('latin1') !== '\x7fELF') throw new Error(`${out}: not an ELF image`)
}

async function buildInitrd(modulesRoot: string, kernelVersion: string, out: string, work: string): Promise<void> {
  const mdir = join(modulesRoot, kernelVersion)
  const dep = parseModulesDep(readFileSync(join(mdir, 'modules.dep'), 'utf8'))
  const builtin = new Set(
    readFileSync(join(mdir, 'modules.builtin'), 'utf8')
      .split('\n')
      .map((l) => (l.split('/').pop() ?? '').replace(/\.ko$/, '').replaceAll('-', '_')),
  )
  const order = toLoadOrder(dep, builtin, BOOT_MODULES)
  const diskOrder = toLoadOrder(dep, builtin, DISK_MODULES).filter((p) => !order.includes(p))
  const root = join(work, 'root')
  for (const d of ['bin', 'proc', 'sys', 'dev', 'lower', 'rw', 'newroot', 'mods/disk']) mkdirSync(join(root, d), { recursive: true })
  copyFileSync(BUSYBOX, join(root, 'bin/busybox'))
  chmodSync(join(root, 'bin/busybox'), 0o755)
  for (const applet of ['sh', 'mount', 'mkdir', 'insmod', 'switch_root', 'poweroff', 'printf', 'echo', 'sleep']) symlinkSync('busybox', join(root, 'bin', applet))
  const put = (list: readonly string[], dir: string) =>
    list.forEach((p, i) => {
      if (!p.endsWith('.ko')) throw new Error(`compressed module ${p}: busybox insmod cannot load it`)
      copyFileSync(join(mdir, p), join(root, dir, `${String(i).padStart(2, '0')}-${p.split('/').pop()}`))
    })
  put(order, 'mods')
  put(diskOrder, 'mods/disk')
  writeFileSync(join(root, 'init'), INITRAMFS_INIT, { mode: 0o755 })
  await mustExec(['sh', '-c', 'cd "$1" && find . | sort | busybox cpio -o -H newc > "$2" 2>/dev/null', 'sh', root, out])
}

/** The image for the current kernel: made on first use, then taken from the cache. */
export async function vmImage(): Promise<VmImage> {
  const kv = currentKernel()
  if (kv === undefined) throw new Error(vmMissing() ?? 'no kernel')
  const kroot = join(KERNEL_CACHE, kv)
  const modulesRoot = join(kroot, 'lib/modules')
  const recipe = sha([INITRAMFS_INIT, BOOT_MODULES.join(' '), DISK_MODULES.join(' '), sha(readFileSync(BUSYBOX)), readFileSync(join(kroot, '.version'), 'utf8')].join('\0')).slice(0, 12)
  const dir = join(IMAGE_CACHE, `${kv}-${recipe}`)
  const image: VmImage = { kernelVersion: kv, vmlinux: join(dir, 'vmlinux'), initrd: join(dir, 'initrd.cpio'), modulesDir: modulesRoot }
  if (existsSync(join(dir, 'done'))) return image
  mkdirSync(IMAGE_CACHE, { recursive: true })
  const work = join(IMAGE_CACHE, `.build-${process.pid}-${Date.now()}`)
  mkdirSync(work, { recursive: true })
  try {
    await extractVmlinux(join(kroot, 'boot', `vmlinuz-${kv}`), join(work, 'vmlinux'))
    await buildInitrd(modulesRoot, kv, join(work, 'initrd.cpio'), work)
    rmSync(join(work, 'root'), { recursive: true, force: true })
    writeFileSync(join(work, 'done'), `${kv}\n`)
    try {
      renameSync(work, dir)
    } catch (e) {
      // Another process made the same image first: use theirs.
      if (!existsSync(join(dir, 'done'))) throw e
    }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
  // Images of other kernels or recipes are stale.
  for (const d of readdirSync(IMAGE_CACHE)) if (d !== `${kv}-${recipe}` && !d.startsWith('.build-')) rmSync(join(IMAGE_CACHE, d), { recursive: true, force: true })
  return image
}
