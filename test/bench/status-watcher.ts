// The 50-gateway watch in a process of its own, so its RSS and CPU are the app-side cost alone (the
// bench process also hosts the lab, its relays and vite). Bundled by the bench and run with plain Node.
//
// stdin, one JSON line: { ssh, knownHostsLine, details, facts, n, peer } (the lab's test credentials).
// stdout, NDJSON: {"ready":n} once every watch has its first snapshot; {"all":"up"|"down","at":ms} each
// time all n watches see `peer` flip; {"usage":{rss,cpuMicros,at}} for each "usage" line on stdin.
import { setMaxListeners } from 'node:events'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { Details } from '../../main/core/details/model'
import type { GatewayFacts } from '../../main/core/gateway/detect'
import { toGatewayShell } from '../../main/core/gateway/shell'
import { Secret } from '../../main/core/base/secret'
import { toRemotePath } from '../../main/core/ssh/catalog'
import { connect, type SshSession } from '../../main/core/ssh/session'
import { watchStatus } from '../../main/core/status/watch'

interface Job {
  readonly ssh: { readonly port: number; readonly username: string; readonly privateKey: string }
  readonly knownHostsLine: string
  readonly details: unknown
  readonly facts: GatewayFacts
  readonly n: number
  readonly peer: string
}

const say = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`)

async function main(): Promise<void> {
  const lines = createInterface({ input: process.stdin })
  const it = lines[Symbol.asyncIterator]()
  const first = await it.next()
  const job = JSON.parse(String(first.value)) as Job
  const details = Details.parse(job.details)
  const dir = mkdtempSync(join(tmpdir(), 'tw-bench-watcher-'))
  const kh = join(dir, 'known_hosts')
  writeFileSync(kh, `${job.knownHostsLine}\n`)
  const stop = new AbortController()
  // One signal stops all n watches (each listens once): not a leak.
  setMaxListeners(job.n + 1, stop.signal)
  const sessions: SshSession[] = []
  const state: (boolean | undefined)[] = Array.from({ length: job.n }, () => undefined)
  let last: boolean | undefined
  for (let i = 0; i < job.n; i++) {
    const s = await connect({ host: '127.0.0.1', port: job.ssh.port, username: job.ssh.username, auth: { kind: 'key', privateKey: new Secret(job.ssh.privateKey) } }, { storeDir: join(dir, 'store'), knownHostsFiles: [kh] })
    sessions.push(s)
    await new Promise<void>((ready) => {
      void watchStatus(toGatewayShell(s), details, job.facts, {
        signal: stop.signal,
        intervalMs: 30_000,
        openVici: () => s.openUnixSocket(toRemotePath(job.facts.paths.viciSocket ?? '/run/charon.vici')),
        onChange: (c) => {
          state[i] = c.snapshot.tunnels.find((t) => t.peer === job.peer)?.up
          if (c.trigger === 'initial') ready()
          const now = state[0]
          if (now !== undefined && now !== last && state.every((v) => v === now)) {
            if (last !== undefined) say({ all: now ? 'up' : 'down', at: Date.now() })
            last = now
          }
        },
      })
    })
  }
  say({ ready: job.n })
  for (;;) {
    const line = await it.next()
    if (line.done) break
    if (String(line.value).trim() === 'usage') {
      const cpu = process.cpuUsage()
      say({ usage: { rss: process.memoryUsage().rss, cpuMicros: cpu.user + cpu.system, at: performance.now() } })
    }
  }
  stop.abort()
  await Promise.all(sessions.map((s) => s.close().catch(() => undefined)))
  process.exit(0)
}

void main().catch((err: unknown) => {
  process.stderr.write(`watcher: ${err instanceof Error ? err.message : String(err)}\n`)
  process.exit(1)
})
