// Vitest's side of the vendor replays (the replay itself is shared with the Playwright specs, which must not load vitest).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll } from 'vitest'
import { PSK1, PSK2, toDetailsDoc } from './details-doc'
import { startReplay, type PUBLISHED_SESSIONS, type Replay } from './vendor-replay'

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
