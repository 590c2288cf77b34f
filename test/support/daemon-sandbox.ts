// Runs real strongSwan daemons isolated for parsing tests: one throwaway network + mount + pid namespace
// per call (`unshare --net --mount --pid --fork --kill-child`). Nothing touches the root network
// namespace; every process started inside dies with the namespace's init when the call ends or times out.
import { spawn } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** What one sandbox run printed. */
export interface SandboxResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs a bash script (set -eu) inside fresh net/mount/pid namespaces; kills the whole namespace on timeout. */
export function runInSandbox(script: string, timeoutMs = 60_000): Promise<SandboxResult> {
  return new Promise((resolveRun, reject) => {
    const child = spawn('unshare', ['--net', '--mount', '--pid', '--fork', '--mount-proc', '--propagation', 'private', '--kill-child', 'bash', '-c', `set -eu\n${script}`], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    // Killing unshare (pid-namespace parent) with --kill-child takes every process inside with it.
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', (e) => {
      clearTimeout(timer)
      reject(e)
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      resolveRun({ code, stdout, stderr })
    })
  })
}

/** Bash lines: a veth pair inside the sandbox, v0 with `left` addresses and v1 with `right` addresses (/24s). */
export function vethLines(left: readonly string[], right: readonly string[]): string {
  return [
    'ip link set lo up',
    'ip link add v0 type veth peer name v1',
    'ip link set v0 up',
    'ip link set v1 up',
    ...left.map((a) => `ip addr add ${a}/24 dev v0`),
    ...right.map((a) => `ip addr add ${a}/24 dev v1`),
  ].join('\n')
}

/** A charon node's private folder: swanctl/ (bind-mounted over /etc/swanctl) and its strongswan.conf. */
export function prepareCharonDir(dir: string, opts: { port: number; natPort: number; logLevel?: number }): void {
  for (const d of ['conf.d', 'x509', 'x509ca', 'x509ocsp', 'x509aa', 'x509ac', 'x509crl', 'pubkey', 'private', 'rsa', 'ecdsa', 'bliss', 'pkcs8', 'pkcs12'].map((x) => `swanctl/${x}`)) mkdirSync(join(dir, d), { recursive: true })
  writeFileSync(join(dir, 'swanctl', 'swanctl.conf'), 'include conf.d/*.conf\n')
  writeFileSync(
    join(dir, 'strongswan.conf'),
    [
      'charon {',
      `  port = ${opts.port}`,
      `  port_nat_t = ${opts.natPort}`,
      '  install_routes = no',
      '  load_modular = yes',
      '  plugins {',
      '    include /etc/strongswan.d/charon/*.conf',
      '  }',
      '  filelog {',
      // One setting per line: an unquoted strongswan.conf value runs to the end of its line.
      '    tw {',
      `      path = ${join(dir, 'charon.log')}`,
      `      default = ${opts.logLevel ?? 1}`,
      '    }',
      '  }',
      '}',
      '',
    ].join('\n'),
  )
}

/**
 * Bash lines starting charon for `dir` in its own mount namespace (tmpfs /run, dir/swanctl over
 * /etc/swanctl) and defining `sw_<name> ARGS…` that runs swanctl against it.
 */
export function charonLines(name: string, dir: string): string {
  const fn = `sw_${name}`
  return [
    `STRONGSWAN_CONF=${dir}/strongswan.conf unshare -m --propagation private sh -c 'mount -t tmpfs tw-run /run && mount --bind ${dir}/swanctl /etc/swanctl && exec /usr/lib/ipsec/charon' >${dir}/charon.stdout 2>&1 &`,
    `PID_${name}=$!`,
    `${fn}() { nsenter -t "$PID_${name}" -m swanctl "$@"; }`,
    // Wait for the state (the VICI socket), not for a fixed time.
    `for i in $(seq 200); do nsenter -t "$PID_${name}" -m test -S /run/charon.vici && break; sleep 0.05; done`,
    `nsenter -t "$PID_${name}" -m test -S /run/charon.vici || { echo "charon ${name} did not start" >&2; cat ${dir}/charon.stdout >&2; exit 70; }`,
  ].join('\n')
}
