// Vitest's side of the vendor replays (the replay itself is shared with the Playwright specs, which must not load vitest).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll } from 'vitest'
import { PSK1, PSK2, toDetailsDoc } from './details-doc'
import { runCli } from '../../main/cli/index'
import { REPLAY_LOGIN, startReplay, type PUBLISHED_SESSIONS, type Replay } from './vendor-replay'

/**
 * For a describe block: a scratch HOME whose details.json names these two AWS outside IPs (the shared PSKs), and
 * with `kind` a replay of that device; both made before the block's tests and gone after them.
 */
export function useVendorHome(peers: readonly [string, string], opts: { readonly kind?: keyof typeof PUBLISHED_SESSIONS; readonly insideCidrs?: readonly [string, string] } = {}): { readonly home: string; readonly replay: Replay } {
  let home: string | undefined
  let replay: Replay | undefined
  const [c1, c2] = opts.insideCidrs ?? ['169.254.255.0/30', '169.254.255.4/30']
  beforeAll(async () => {
    if (opts.kind) replay = await startReplay(opts.kind)
    home = mkdtempSync(join(tmpdir(), `tw-vendor-${opts.kind ?? 'home'}-`))
    const doc = toDetailsDoc((d) => {
      d.remote.tunnels = [
        { outsideIp: peers[0], psk: PSK1, insideCidr: c1 },
        { outsideIp: peers[1], psk: PSK2, insideCidr: c2 },
      ]
    })
    writeFileSync(join(home, 'details.json'), JSON.stringify(doc))
  })
  afterAll(async () => {
    await replay?.close()
    if (home) rmSync(home, { recursive: true, force: true })
  })
  return {
    get home() {
      if (home === undefined) throw new Error('useVendorHome: read inside a test')
      return home
    },
    get replay() {
      if (replay === undefined) throw new Error('useVendorHome: no replay (pass a kind), or read outside a test')
      return replay
    },
  }
}

/**
 * `tunnelwright status --details <home>/details.json --device KIND --host USER@127.0.0.1:PORT --password-env PW
 * --accept-new-host-key …extra` run in-process against a replay, with PW (and any `env`) set; with `abortOnOutput`,
 * the first output aborts it (a watch stopped after its first sample, as Ctrl-C would); with `signal`, the watch
 * gets one that only the test may abort.
 */
export async function runStatusCli(opts: {
  readonly home: string
  readonly kind: string
  readonly host: string
  readonly extra?: readonly string[]
  readonly env?: Readonly<Record<string, string>>
  readonly abortOnOutput?: AbortController
  readonly signal?: AbortSignal
}): Promise<{ readonly code: number; readonly stdout: string; readonly stderr: string }> {
  const out = { stdout: '', stderr: '' }
  const signal = opts.abortOnOutput
  const io = {
    stdout: (t: string) => {
      out.stdout += t
      signal?.abort()
    },
    stderr: (t: string) => void (out.stderr += t),
    env: { TUNNELWRIGHT_HOME: opts.home, HOME: opts.home, PW: REPLAY_LOGIN, ...opts.env },
    ...(signal ? { signal: signal.signal } : opts.signal ? { signal: opts.signal } : {}),
  }
  const code = await runCli(['status', '--details', join(opts.home, 'details.json'), '--device', opts.kind, '--host', opts.host, '--password-env', 'PW', '--accept-new-host-key', ...(opts.extra ?? [])], io)
  return { code, ...out }
}
