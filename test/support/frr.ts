// FRR unpacked by test/lab/prepare-frr.sh (Debian's frr package, never installed): paths, and its own parsers
// run on a configuration file. FRR quirks the check works around, both seen with 8.4.4:
// - `bgpd --dryrun` logs "No such command on config line N" / "Config Failed on config line N" and still exits 0;
// - `vtysh --dryrun` exits 2 on a line no daemon knows, but accepts lines bgpd then refuses in context
//   (a neighbour's timers before its remote-as; commands after `end`).
// So a configuration passes only when vtysh exits 0 AND bgpd logs no config-line error.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { repoRoot } from '../lab/registry'

/** The unpacked package's root (found from the repository root: the lab CLI runs as a bundle elsewhere, where __dirname is no guide). */
export const FRR_ROOT = resolve(repoRoot(), '.lab-cache/frr')
export const BGPD = join(FRR_ROOT, 'usr/lib/frr/bgpd')
export const ZEBRA = join(FRR_ROOT, 'usr/lib/frr/zebra')
export const VTYSH = join(FRR_ROOT, 'usr/bin/vtysh')
/** Where libfrr.so.0 sits (Debian's multiarch path). */
export const FRR_LIBDIR = join(FRR_ROOT, 'usr/lib/x86_64-linux-gnu/frr')
export const FRR_ENV = { ...process.env, LD_LIBRARY_PATH: FRR_LIBDIR }

/** Why FRR cannot run here, or undefined. */
export function frrMissing(): string | undefined {
  if (process.platform !== 'linux') return 'needs Linux'
  if (!existsSync(BGPD) || !existsSync(VTYSH) || !existsSync(join(FRR_LIBDIR, 'libfrr.so.0'))) return 'needs FRR unpacked: run `bash test/lab/prepare-frr.sh`'
  if (process.getuid?.() !== 0) return 'needs root (bgpd --dryrun opens its pid file and vty socket as root)'
  return undefined
}

/** FRR's verdict on a configuration text: ok, and the lines each parser refused. */
export function checkFrrConfig(text: string): { readonly ok: boolean; readonly vtysh: { readonly status: number | null; readonly output: string }; readonly bgpdErrors: readonly string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'tw-frr-check-'))
  try {
    const file = join(dir, 'frr.conf')
    writeFileSync(file, text)
    writeFileSync(join(dir, 'vtysh.conf'), '')
    const v = spawnSync(VTYSH, ['--dryrun', '-f', file, '--config_dir', dir], { encoding: 'utf8', env: FRR_ENV, timeout: 30_000 })
    const b = spawnSync(BGPD, ['--dryrun', '-f', file, '-S', '-Z', '-p', '0', '-i', join(dir, 'bgpd.pid'), '--vty_socket', dir, '--moduledir', join(FRR_LIBDIR, 'modules')], { encoding: 'utf8', env: FRR_ENV, timeout: 30_000 })
    const bgpdErrors = `${b.stdout}\n${b.stderr}`.split('\n').filter((l) => /config line \d+|^% /.test(l))
    if (b.status !== 0) bgpdErrors.push(`bgpd --dryrun exited ${b.status}: ${b.stderr.slice(0, 300)}`)
    return { ok: v.status === 0 && bgpdErrors.length === 0, vtysh: { status: v.status, output: `${v.stdout}${v.stderr}` }, bgpdErrors }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
