// Inside a lab VM: the guest's boot script and its per-VM folder (the "share", /run/lab in the guest).
//
// The guest runs this machine's own userland (/ over 9p, read-only, under an overlay whose upper layer is
// a tmpfs or a disk) on Debian's stock kernel. At boot it gets private scratch folders, a modprobe (this
// machine has no kmod), the kernel modules an IPsec gateway needs, its addresses, sshd and its IPsec daemon
// (charon, starter or pluto, as the distribution's unit would start it); at its first boot also a
// fresh-install view of the IPsec folders in /etc, the node kind's provisioning, its files and users.
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { repoRoot } from './registry'

/**
 * Loaded at boot in one modprobe call (a kernel autoload during the first SA install would stall IKE):
 * virtio NIC, kernel ESP, XFRM user API and interfaces, VTI, PF_KEY (Libreswan can use it), the AEAD and
 * IV generators ESP needs, and a `stdrng` for their salts. That stdrng is ansi_cprng, not drbg: drbg's
 * self-tests (with jitterentropy and hmac(sha512)) take ~2 s under TCG, ansi_cprng ~0.1 s.
 */
export const GUEST_MODULES = ['virtio_net', 'esp4', 'xfrm_user', 'xfrm_interface', 'ip_vti', 'af_key', 'authenc', 'echainiv', 'seqiv', 'gcm', 'ctr', 'ansi_cprng'] as const

/** The folders whose content a guest sees as a fresh install (only files a Debian package put there). */
export const PRISTINE_DIRS = ['/etc/strongswan.d', '/etc/swanctl', '/etc/ipsec.d'] as const

/**
 * Packages this machine has for the namespace lab (kernel-libipsec and friends) that a gateway set up with
 * `apt install strongswan-swanctl charon-systemd` does not: their files are hidden in every guest. Besides
 * being truer to a stock gateway, each plugin costs start-up time under TCG (charon and every swanctl call).
 */
export const HIDDEN_PACKAGES = ['libcharon-extra-plugins', 'libstrongswan-extra-plugins'] as const

/** Debian's stock /etc/strongswan.conf (strongswan-libcharon 5.9.8): the guest's own copy. */
export const STOCK_STRONGSWAN_CONF = `# strongswan.conf - strongSwan configuration file
#
# Refer to the strongswan.conf(5) manpage for details
#
# Configuration changes should be made in the included files

charon {
\tload_modular = yes
\tplugins {
\t\tinclude strongswan.d/charon/*.conf
\t}
}

include strongswan.d/*.conf
`

// The guest's sysinit and its stand-ins for the units (shell files in guest/): strongswan.service (charon +
// swanctl), strongswan-starter.service (starter + charon), and systemctl for Libreswan's ipsec.service and
// for frr.service.
const guestScript = (name: string) => readFileSync(join(repoRoot(), 'test/lab/guest', name), 'utf8')
const GUEST_INIT = guestScript('init.sh')
const CHARON_SERVICE = guestScript('tw-charon.sh')
const STARTER_SERVICE = guestScript('tw-starter.sh')
const IPSEC_SYSTEMCTL = guestScript('systemctl-ipsec.sh')
const FRR_SYSTEMCTL = guestScript('systemctl-frr.sh')

/** The IPsec daemon a guest starts at boot, as its distribution's unit would. */
export type GuestDaemon = 'charon' | 'starter' | 'pluto'

/** A read-only host folder shared into the guest (9p) and mounted at every boot. */
export interface GuestShare {
  /** 9p mount tag (letters, digits, -). */
  readonly tag: string
  readonly hostPath: string
  readonly guestPath: string
}

/** One file laid onto the guest's / at boot. */
export interface GuestFile {
  readonly path: string
  readonly data: string
  readonly mode: number
  /** `user:group` (names; the provisioning must have made them), else root's. */
  readonly owner?: string
}

/** How one guest is set up at boot. */
export interface GuestConfig {
  readonly hostname: string
  /** Guest NIC names and their MACs, in QEMU's device order. */
  readonly nics: readonly { readonly name: string; readonly mac: string }[]
  readonly sysctls: Readonly<Record<string, string>>
  /** `ip -batch` lines: addresses, routes, XFRM interfaces. */
  readonly ipBatch: readonly string[]
  readonly files: readonly GuestFile[]
  /** sh run (with -e) at the first boot before the files are laid down: the node kind's own provisioning. */
  readonly provision?: string
  /** sh run as root at the first boot after the files are in place (users, passwords), with its stdin. */
  readonly setup?: { readonly script: string; readonly input: string }
  /** sshd_config for the guest's one sshd (it expects the share at /run/lab and writes /run/sshd.pid). */
  readonly sshdConfig: string
  /** The IPsec daemon started at every boot, if any. */
  readonly daemon?: GuestDaemon
  /** FRR (provisioned by the node kind, see vm-frr.ts) started at every boot as frr.service would. */
  readonly frr?: boolean
  /** Extra read-only 9p shares (qemu gets them from the boot spec; the guest mounts them at every boot). */
  readonly shares?: readonly GuestShare[]
}

const DPKG_INFO = '/var/lib/dpkg/info'

/** The files (not folders) an installed package put on this machine. */
export function packageFiles(pkg: string): string[] {
  let list: string
  try {
    list = readFileSync(join(DPKG_INFO, `${pkg}.list`), 'utf8')
  } catch {
    return []
  }
  return list.split('\n').filter((p) => p.startsWith('/') && statSync(p, { throwIfNoEntry: false })?.isFile() === true)
}

/** Files under PRISTINE_DIRS that no installed Debian package owns (the guest removes them at boot). */
export function unownedFiles(): string[] {
  const owned = new Set<string>()
  for (const f of readdirSync(DPKG_INFO)) {
    if (!f.endsWith('.list')) continue
    for (const line of readFileSync(join(DPKG_INFO, f), 'utf8').split('\n')) if (PRISTINE_DIRS.some((d) => line.startsWith(`${d}/`))) owned.add(line)
  }
  const out: string[] = []
  const walk = (dir: string) => {
    let names: string[]
    try {
      names = readdirSync(dir)
    } catch {
      return
    }
    for (const n of names) {
      const p = `${dir}/${n}`
      const st = statSync(p, { throwIfNoEntry: false })
      if (st?.isDirectory()) walk(p)
      else if (!owned.has(p)) out.push(p)
    }
  }
  for (const d of PRISTINE_DIRS) walk(d)
  return out
}

/**
 * The files every guest of a daemon kind gets: strongSwan's stock main config and the unit stand-ins. With
 * FRR the frr.service stand-in is the guest's systemctl and hands every other unit to the ipsec.service
 * stand-in (Libreswan) or to the real systemctl.
 */
export function baseGuestFiles(daemon?: GuestDaemon, frr = false): GuestFile[] {
  const systemctl: GuestFile[] = frr ? [{ path: '/usr/local/sbin/systemctl', data: FRR_SYSTEMCTL, mode: 0o755 }] : []
  if (daemon === 'pluto') return [...systemctl, { path: frr ? '/usr/local/lib/tw-lab/systemctl-ipsec' : '/usr/local/sbin/systemctl', data: IPSEC_SYSTEMCTL, mode: 0o755 }]
  return [
    ...systemctl,
    { path: '/etc/strongswan.conf', data: STOCK_STRONGSWAN_CONF, mode: 0o644 },
    { path: '/usr/local/sbin/tw-charon', data: CHARON_SERVICE, mode: 0o755 },
    { path: '/usr/local/sbin/tw-starter', data: STARTER_SERVICE, mode: 0o755 },
  ]
}

/** Writes a guest's share folder: boot script, settings, files. The folder is /run/lab in the guest. */
export function writeGuestShare(dir: string, cfg: GuestConfig): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const put = (rel: string, data: string, mode = 0o644) => {
    const p = join(dir, rel)
    mkdirSync(dirname(p), { recursive: true })
    writeFileSync(p, data, { mode })
    chmodSync(p, mode)
  }
  const services = ['sshd', ...(cfg.daemon ? [cfg.daemon] : []), ...(cfg.frr ? ['frr'] : [])]
  for (const sh of cfg.shares ?? []) {
    if (!/^[A-Za-z0-9-]+$/.test(sh.tag) || !/^(\/[\w.@+-]+)+$/.test(sh.guestPath)) throw new Error(`bad guest share ${sh.tag} → ${sh.guestPath}`)
  }
  put('init.sh', GUEST_INIT, 0o755)
  put('shares', (cfg.shares ?? []).map((sh) => `${sh.tag} ${sh.guestPath}\n`).join(''))
  put('sshd_config', cfg.sshdConfig, 0o600)
  put('guest.env', `TW_HOSTNAME='${cfg.hostname}'\nTW_MODULES='${GUEST_MODULES.join(' ')}'\nTW_SERVICES='${services.join(' ')}'\n`)
  put('nics', cfg.nics.map((n) => `${n.name} ${n.mac}\n`).join(''))
  put('sysctls', Object.entries(cfg.sysctls).map(([k, v]) => `${k.replaceAll('.', '/')} ${v}\n`).join(''))
  put('net.batch', cfg.ipBatch.map((l) => `${l}\n`).join(''))
  put('remove', [...unownedFiles(), ...HIDDEN_PACKAGES.flatMap(packageFiles)].map((f) => `${f}\n`).join(''))
  const files = [...baseGuestFiles(cfg.daemon, cfg.frr), ...cfg.files]
  for (const f of files) {
    if (!/^(\/[\w.@+-]+)+$/.test(f.path) || f.path.includes('/..')) throw new Error(`bad guest path ${f.path}`)
    if (f.owner !== undefined && !/^[a-z_][a-z0-9_-]*:[a-z_][a-z0-9_-]*$/.test(f.owner)) throw new Error(`bad owner ${f.owner} of ${f.path}`)
    put(join('files', f.path), f.data, 0o600)
  }
  put('files.list', files.map((f) => `${f.mode.toString(8)} ${f.path}${f.owner ? ` ${f.owner}` : ''}\n`).join(''))
  if (cfg.provision) put('provision.sh', cfg.provision, 0o700)
  if (cfg.setup) {
    put('setup.sh', cfg.setup.script, 0o700)
    put('setup.in', cfg.setup.input, 0o600)
  }
}
