// A lab in its own process for the e2e suite (`node test/tools/run-ts.mjs test/lab/cli.ts … --json --control`):
// the lab's ESM modules do not load in Playwright's CommonJS transform. The spec drives the aws node
// through the CLI's `--control` stdin protocol; closing stdin (or SIGTERM) tears the lab down.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** What `cli.ts --json` prints about a running lab (the part the e2e suite reads). */
export interface LabInfo {
  readonly prefix: string
  readonly ssh: { readonly host: string; readonly port: number; readonly username: string; readonly privateKey: string; readonly hostKeySha256: string; readonly knownHostsLine: string }
  readonly keyFile?: string
  readonly knownHosts: string
  readonly details: {
    readonly remote: { readonly tunnels: readonly { readonly outsideIp: string; readonly psk: string }[]; readonly dedicatedCidrs: readonly string[] }
    readonly gateway: { readonly publicIp: string; readonly privateCidrs: readonly string[] }
    readonly bgp?: { readonly tunnels: readonly { readonly outsideIp: string; readonly awsAsn: number; readonly customerAsn: number; readonly neighborIp: string }[] }
  }
}

/** A running lab process and its files. */
export interface LabProcess {
  readonly info: LabInfo
  /** A folder of this run: details.json, id_ed25519 (mode 0600). */
  readonly dir: string
  readonly detailsFile: string
  readonly keyFile: string
  /** Sends one control command (`tunnel-down 0`, `tunnel-up 0`) and waits for its answer. */
  control(command: string): Promise<void>
  /** Tears the lab down (closes its stdin, then SIGTERM if it lingers) and removes the folder. */
  stop(): Promise<void>
}

/** Starts `cli.ts <kind> <args…> --json --control --details FILE` and waits until the lab is up. */
export async function startLab(kind: 'swanctl' | 'starter' | 'libreswan', args: readonly string[] = []): Promise<LabProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'tw-e2e-lab-'))
  const detailsFile = join(dir, 'details.json')
  const proc: ChildProcess = spawn(process.execPath, ['test/tools/run-ts.mjs', 'test/lab/cli.ts', kind, ...args, '--json', '--control', '--details', detailsFile], { stdio: ['pipe', 'pipe', 'inherit'] })
  const waiters: ((line: Record<string, unknown>) => void)[] = []
  let buf = ''
  let onInfo: ((i: LabInfo) => void) | undefined
  proc.stdout!.on('data', (d: Buffer) => {
    buf += d.toString()
    let nl: number
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl)
      buf = buf.slice(nl + 1)
      if (!line.startsWith('{')) continue
      const msg = JSON.parse(line) as Record<string, unknown>
      if ('control' in msg) waiters.shift()?.(msg['control'] as Record<string, unknown>)
      else onInfo?.(msg as unknown as LabInfo)
    }
  })
  const exited = new Promise<void>((r) => proc.once('exit', () => r()))
  const info = await new Promise<LabInfo>((resolve, reject) => {
    onInfo = resolve
    proc.once('exit', (code) => reject(new Error(`the lab exited (${code}) before it was up`)))
  })
  const keyFile = join(dir, 'id_ed25519')
  writeFileSync(keyFile, info.ssh.privateKey, { mode: 0o600 })
  return {
    info,
    dir,
    detailsFile,
    keyFile,
    control: (command) =>
      new Promise<void>((resolve, reject) => {
        waiters.push((answer) => (answer['ok'] === true ? resolve() : reject(new Error(`lab control "${command}": ${String(answer['error'])}`))))
        proc.stdin!.write(`${command}\n`)
      }),
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.stdin!.end()
        const timer = setTimeout(() => proc.kill('SIGTERM'), 15_000)
        await exited
        clearTimeout(timer)
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
