// Test support for apply proofs: real SSH sessions into a lab gateway (the core's own connect() and
// toGatewayShell), a shell that can cut the link at a chosen moment, and snapshots of the gateway state
// (file bytes, loaded connections, SAs) to prove "old or new, never between".
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { GatewayShell } from '../../main/core/gateway/shell'
import { toGatewayShell } from '../../main/core/gateway/shell'
import { Secret } from '../../main/core/base/secret'
import { connect, type SshSession } from '../../main/core/ssh/session'
import type { Lab } from '../lab'

/** Opens a real SSH session into the lab gateway with the core's connect() (host key checked against the lab's known_hosts line). */
export async function labSession(lab: Lab, opts: { readonly knownHostsLine?: string } = {}): Promise<SshSession> {
  const c = lab.gateway.ssh
  const dir = mkdtempSync(join(tmpdir(), 'tw-fault-'))
  writeFileSync(join(dir, 'kh'), `${opts.knownHostsLine ?? c.knownHostsLine}\n`)
  return connect(
    { host: c.host, port: c.port, username: c.username, auth: c.privateKey ? { kind: 'key', privateKey: new Secret(c.privateKey) } : { kind: 'password', password: new Secret(c.password ?? '') } },
    { storeDir: join(dir, 'store'), knownHostsFiles: [join(dir, 'kh')] },
    c.sudoPassword === undefined ? { keepaliveIntervalMs: 2000, keepaliveCountMax: 2 } : { sudo: { password: new Secret(c.sudoPassword) }, keepaliveIntervalMs: 2000, keepaliveCountMax: 2 },
  )
}

/** Raised by FaultShell where the test cut the link. */
export class LinkCut extends Error {}

/** Where the app loses its link: before or after the Nth round trip, or when a follow output shows a marker. */
export interface CutPlan {
  /** Round trip number (1-based) to cut; 'before' never sends it, 'after' sends it and loses the answer. */
  readonly trip?: { readonly n: number; readonly when: 'before' | 'after' }
  /**
   * Test hook injected into the uploaded transaction: after writing this marker the gateway-side script
   * waits until "$TXN/release" exists (deterministic "the gateway is at step X" — the real part cannot
   * be paused on demand). The script is otherwise byte-for-byte what the engine generated.
   */
  readonly holdAt?: string
}

/** The gateway shell over a real session, counting round trips and cutting the link as planned. */
export interface FaultShell extends GatewayShell {
  trips: number
  /** Transaction id seen in the launcher (known after the launch round trip was sent). */
  txnId: string | undefined
}

const SAY = `say() { printf '%s %s\\n' "$(date +%s)" "$*" >> "$PROGRESS"; }`

/** Wraps a session so it cuts (closes the real SSH connection) at the planned moment. */
export function toFaultShell(session: SshSession, plan: CutPlan = {}): FaultShell {
  const inner = toGatewayShell(session)
  const shell: FaultShell = {
    trips: 0,
    txnId: undefined,
    async runScript(script, opts) {
      shell.trips++
      const id = /Tunnelwright transaction (\S+)\./.exec(script)?.[1]
      if (id) shell.txnId = id
      if (plan.holdAt !== undefined && id) {
        if (!script.includes(SAY)) throw new Error('the transaction script changed: update the hold hook in test/support/fault-gateway.ts')
        script = script.replace(SAY, `say() { printf '%s %s\\n' "$(date +%s)" "$*" >> "$PROGRESS"; case "$1" in ${plan.holdAt} | "${plan.holdAt} "*) : > "$TXN/held"; while [ ! -e "$TXN/release" ]; do sleep 0.1; done;; esac; }`)
      }
      if (plan.trip?.n === shell.trips && plan.trip.when === 'before') {
        await session.close()
        throw new LinkCut(`cut before round trip ${shell.trips}`)
      }
      const r = await inner.runScript(script, opts)
      if (plan.trip?.n === shell.trips && plan.trip.when === 'after') {
        await session.close()
        throw new LinkCut(`cut after round trip ${shell.trips}`)
      }
      return r
    },
  }
  return shell
}

/** Everything that makes up the gateway's IPsec state, for before/after comparisons. */
export interface GatewayState {
  /** path → bytes (base64) or ABSENT, for every file we might touch. */
  readonly files: Record<string, string>
  /** Names of loaded connections, sorted. */
  readonly conns: readonly string[]
}

/** Reads the file bytes and the daemon's loaded connections (swanctl, starter or libreswan). */
export async function toGatewayState(lab: Lab, paths: readonly string[]): Promise<GatewayState> {
  const files: Record<string, string> = {}
  for (const p of paths) {
    const r = await lab.gateway.exec(['sh', '-c', 'if [ -f "$1" ]; then base64 -w0 < "$1"; else echo ABSENT; fi', 'sh', p])
    files[p] = r.stdout.trim()
  }
  return { files, conns: await loadedConns(lab) }
}

/** Connection names the gateway's daemon has loaded. */
export async function loadedConns(lab: Lab): Promise<string[]> {
  if (lab.gateway.kind === 'libreswan') {
    const r = await lab.gateway.exec(['ipsec', 'status'])
    return [...new Set([...r.stdout.matchAll(/^\d+ "([^"]+)":/gm)].map((m) => m[1]!))].sort()
  }
  const r = await lab.gateway.exec(['swanctl', '--list-conns'])
  return r.stdout.split('\n').filter((l) => /^\S[^:]*:/.test(l)).map((l) => l.split(':')[0]!).sort()
}

/** Lists the files under the gateway's IPsec configuration folders (so new files of ours are seen too), and the named files that exist. */
export async function listConfigFiles(lab: Lab, dirs: readonly string[]): Promise<string[]> {
  const r = await lab.gateway.exec(['sh', '-c', 'for d in "$@"; do [ -e "$d" ] && find "$d" -type f; done; true', 'sh', ...dirs])
  return r.stdout.split('\n').filter(Boolean).sort()
}

/** Waits for a condition (no sleeps in tests: poll a state). */
export async function waitUntil(what: string, f: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (Date.now() < end) {
    if (await f()) return
    await new Promise((r) => setTimeout(r, 150))
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
}
