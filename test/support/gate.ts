// Decides whether a suite that needs real parts (root, Linux, daemons, Chromium, Electron) can run.
//
// Where a part is missing the suite skips with one clear line — except under
// TUNNELWRIGHT_REQUIRE_LAB=1 (set by CI), where a skip is a failure.
import { accessSync, constants } from 'node:fs'
import { vmMissing } from '../lab/vm-image'

/** True where CI demands that every suite really runs. */
export const REQUIRE_ALL = process.env['TUNNELWRIGHT_REQUIRE_LAB'] === '1'

/** Returns why the requirements are not met, or undefined when they are. */
export function missing(req: { root?: boolean; linux?: boolean; executables?: readonly string[] }): string | undefined {
  if (req.linux && process.platform !== 'linux') return `needs Linux (this is ${process.platform})`
  if (req.root && process.getuid?.() !== 0) return 'needs root (network namespaces, daemons)'
  for (const exe of req.executables ?? []) {
    try {
      accessSync(exe, constants.X_OK)
    } catch {
      return `needs ${exe} (see .ci/run for the Debian packages)`
    }
  }
  return undefined
}

/**
 * The gate for one suite: `skip` is true when it cannot run here. Prints the one line that says why;
 * throws instead when TUNNELWRIGHT_REQUIRE_LAB=1.
 */
export function gate(suite: string, reason: string | undefined): { readonly skip: boolean; readonly reason: string } {
  if (reason === undefined) return { skip: false, reason: '' }
  if (REQUIRE_ALL) throw new Error(`${suite}: TUNNELWRIGHT_REQUIRE_LAB=1 but this suite cannot run: ${reason}`)
  process.stderr.write(`SKIP ${suite}: ${reason}\n`)
  return { skip: true, reason }
}

/** The executables the lab needs (Debian package names in .ci/run). */
export const LAB_EXECUTABLES = [
  '/usr/sbin/ip',
  '/usr/bin/unshare',
  '/usr/sbin/nft',
  '/usr/sbin/sshd',
  '/usr/lib/ipsec/charon',
  '/usr/sbin/swanctl',
  '/usr/sbin/ipsec',
  '/usr/bin/php',
  '/usr/bin/socat',
  '/usr/bin/sudo',
] as const

/** Gate for suites that need the lab. */
export function labGate(suite: string) {
  return gate(suite, missing({ linux: true, root: true, executables: LAB_EXECUTABLES }))
}

/** Gate for suites that boot the lab's VM nodes: the lab's needs plus QEMU, busybox and Debian's kernel unpacked by test/lab/prepare-vm.sh. */
export function vmGate(suite: string) {
  return gate(suite, missing({ linux: true, root: true, executables: LAB_EXECUTABLES }) ?? vmMissing())
}
