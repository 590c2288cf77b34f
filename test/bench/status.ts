// Live status: latency from a state change on the gateway to the app's event (median and max of 20),
// and one process watching 50 gateways: RSS, CPU at steady state, event latency.
//
// The 50 watched "gateways" are 50 independent SSH sessions (each with its own VICI streams) to the
// lab's swanctl gateway: the app-side cost of a gateway is its session, streams and parsing, which is
// what this measures; the lab cannot run 50 full topologies on 2 cores.
import { spawn, spawnSync } from 'node:child_process'
import { connect } from 'node:net'
import { mkdtempSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Details } from '../../main/core/details/model'
import { processSecretSources } from '../../main/core/details/resolve'
import { applyChange, prepareChange } from '../../main/core/workflow/change'
import { detectGateway } from '../../main/core/workflow/gateway'
import { toGatewayShell } from '../../main/core/gateway/shell'
import { toRemotePath } from '../../main/core/ssh/catalog'
import type { SshSession } from '../../main/core/ssh/session'
import { watchStatus, type StatusChange } from '../../main/core/status/watch'
import { ViciClient } from '../../main/core/vici/client'
import type { GatewayFacts } from '../../main/core/gateway/detect'
import { up, type Lab } from '../lab'
import { labSession } from './apply'
import { type Figure, labUnavailable, stats } from './report'

/** Status-event latency and the 50-gateway watch. */
export async function benchStatus(): Promise<Figure[]> {
  const why = labUnavailable()
  if (why) throw new Error(why)
  const lab = await up({ gateway: 'swanctl' })
  const dir = mkdtempSync(join(tmpdir(), 'tw-bench-status-'))
  const sessions: SshSession[] = []
  const stops: AbortController[] = []
  try {
    const details = Details.parse({ ...lab.details(), routing: 'policy' })
    const admin = await labSession(lab, dir)
    sessions.push(admin)
    const shell = toGatewayShell(admin)
    const change = await prepareChange({ shell: shell }, { details: details, sources: processSecretSources })
    const applied = await applyChange({ shell: shell }, change, { confirmWithin: 60 })
    if (applied.outcome !== 'committed') throw new Error(`apply ${applied.outcome}`)
    const facts = await detectGateway({ shell: shell })
    const [t1name] = change.rendered.connectionNames
    const peer1 = details.remote.tunnels[0]!.outsideIp

    // One state flip as AWS maintenance makes it: the aws node deletes tunnel 1 (DELETE to us), then allows
    // it again and we initiate. (A terminate on the gateway is undone at once by close/start actions.)
    // Tunnel 1 is the active one (policy-based: tunnel 2 stands by); each down phase is far shorter than
    // keepup.sh's failover delay (three rounds of 5 s), so the loop does not fail over during the bench.
    // Latency is measured from the start of the command, so it includes the IKE exchange for "up".
    let down = false
    const flip = async () => {
      down = !down
      if (down) await lab.aws.tunnelDown(0)
      else {
        await lab.aws.tunnelUp(0)
        await lab.gateway.exec(['swanctl', '--initiate', '--child', t1name, '--timeout', '10'])
      }
    }
    const isFlipped = (c: StatusChange) => c.snapshot.tunnels.find((t) => t.peer === peer1)?.up === !down

    // charon's own clock for "the state changed on the gateway": a listener on the gateway's VICI socket
    // reached directly through the node's mount namespace (no SSH), stamping each child-updown of tunnel 1.
    const local = await new Promise<ViciClient>((resolve, reject) => {
      const sock = connect(`/proc/${lab.gateway.enterArgv[2]}/root${facts.paths.viciSocket ?? '/run/charon.vici'}`)
      sock.once('connect', () => resolve(new ViciClient(sock, { timeoutMs: 15_000 })))
      sock.once('error', reject)
    })
    const charonEvents: { at: number; up: boolean }[] = []
    const localSub = await local.subscribe(['child-updown'])
    void (async () => {
      for await (const ev of localSub) if (t1name in ev.message) charonEvents.push({ at: performance.now(), up: ev.message['up'] === 'yes' })
    })().catch(() => undefined)
    const fromCharon: number[] = []

    // One watch over the admin session (the 50-watch case runs in its own process, below).
    const waiters = new Set<(c: StatusChange) => void>()
    const stop = new AbortController()
    stops.push(stop)
    await new Promise<void>((resolve) => {
      void watchStatus(toGatewayShell(admin), details, facts, {
        signal: stop.signal,
        intervalMs: 30_000,
        openVici: () => admin.openUnixSocket(toRemotePath(facts.paths.viciSocket ?? '/run/charon.vici')),
        onChange: (c) => {
          if (process.env['TW_BENCH_DEBUG']) console.log(`  [watch] ${c.trigger} ${c.mode} ${c.snapshot.tunnels.map((t) => `${t.peer}:${t.up ? 'up' : 'down'}/${t.ikeState ?? '-'}`).join(' ')}`)
          if (c.trigger === 'initial') resolve()
          for (const w of waiters) w(c)
        },
      })
    })
    /** Flips tunnel 1 and resolves with the time until the watch saw the new state. */
    const single = async (): Promise<number> => {
      const seen = new Promise<void>((resolve) => {
        const w = (c: StatusChange) => {
          if (!isFlipped(c)) return
          waiters.delete(w)
          resolve()
        }
        waiters.add(w)
      })
      const t0 = performance.now()
      void flip()
      await Promise.race([seen, new Promise((_, reject) => setTimeout(() => reject(new Error(`no status event within 15 s of taking tunnel 1 ${down ? 'down' : 'up'}`)), 15_000))])
      const t1 = performance.now()
      const changed = charonEvents.find((e) => e.at >= t0 && e.up === !down)
      if (changed) fromCharon.push(t1 - changed.at)
      return t1 - t0
    }
    const lat: number[] = []
    // For a slow flip, what the gateway's charon saw (its log has second resolution): a DELETE that
    // arrived late is our delay; no DELETE and a DPD verdict is a lost IKEv1 DELETE (unacknowledged).
    const slow: string[] = []
    for (let i = 0; i < 20; i++) {
      const at = new Date()
      const from = Number((await lab.gateway.exec(['sh', '-c', 'wc -l < /var/log/charon.log'])).stdout.trim()) + 1
      const ms = await single()
      lat.push(ms)
      if (ms > 2000) {
        const log = (await lab.gateway.exec(['sh', '-c', `tail -n +${from} /var/log/charon.log | grep -E "state change|DELETE|DPD|dead|retransmit|deleting|closing" | head -n 30`])).stdout
        slow.push(`flip ${i} (${down ? 'down' : 'up'}) at ${at.toISOString().slice(11, 19)}: ${ms.toFixed(0)} ms; gateway log:\n${log}`)
      }
    }
    if (slow.length > 0) console.log(`  slow flips:\n${slow.join('\n')}`)
    for (const s of stops.splice(0)) s.abort()
    await localSub.close().catch(() => undefined)
    local.close()
    if (down) await flip()

    // The 50 watches run in a process of their own (plain Node on the bundled core): its RSS and CPU are
    // the app-side cost alone, without the lab, its relays and vite that live in this process.
    const watcher = await startWatcher({ ssh: lab.gateway.ssh, knownHostsLine: lab.gateway.ssh.knownHostsLine, details: lab.details(), facts, n: 50, peer: peer1 })
    let many: { rssMb: number; cpuPct: number; lat50: number[] }
    try {
      await new Promise((r) => setTimeout(r, 3000))
      const u0 = await watcher.usage()
      await new Promise((r) => setTimeout(r, 20_000))
      const u1 = await watcher.usage()
      const lat50: number[] = []
      for (let i = 0; i < 6; i++) {
        const t0 = Date.now()
        const seen = watcher.next()
        void flip()
        const at = await seen
        lat50.push(at - t0)
      }
      many = { rssMb: u1.rss / 1048576, cpuPct: ((u1.cpuMicros - u0.cpuMicros) / 1000 / (u1.at - u0.at)) * 100, lat50 }
    } finally {
      watcher.stop()
    }
    const lat50 = many.lat50
    const l = stats(lat)
    // Flips alternate: even = AWS deletes (the change is charon's at once), odd = we re-initiate (the
    // change includes an IKE exchange, and an IKE retransmit when the first packet is lost).
    const downs = stats(lat.filter((_, i) => i % 2 === 0))
    const ups = stats(lat.filter((_, i) => i % 2 === 1))
    const l50 = stats(lat50)
    const exact = stats(fromCharon)
    return [
      { name: "charon's child-updown → app status event: median of " + fromCharon.length, value: exact.median, unit: 'ms', target: '≤ 1000 ms', note: 'the state change as charon reports it on the gateway (local VICI listener) to the watch through SSH' },
      { name: 'same, max', value: exact.max, unit: 'ms', target: '≤ 1000 ms' },
      { name: 'state change → status event (median of 20)', value: l.median, unit: 'ms', target: '≤ 1000 ms', note: 'AWS deletes / we re-initiate tunnel 1 (the active one); VICI events over SSH stream-local forwarding; from the start of the change' },
      { name: 'same, max of 20', value: l.max, unit: 'ms', target: '≤ 1000 ms' },
      { name: 'AWS DELETE → event: median / max of 10', value: downs.median, unit: 'ms', target: '≤ 1000 ms', note: `max ${downs.max.toFixed(0)} ms` },
      { name: 're-initiate → up event: median / max of 10', value: ups.median, unit: 'ms', note: `max ${ups.max.toFixed(0)} ms; includes the IKE exchange itself` },
      { name: 'watching 50 gateways: watcher process RSS', value: many.rssMb, unit: 'MB', target: '≤ 150 MB', note: '50 SSH sessions, 100 VICI streams, plain Node on the bundled core' },
      { name: 'watching 50 gateways: CPU at steady state (20 s)', value: many.cpuPct, unit: '% core', target: '≤ 5 %' },
      { name: 'watching 50: change → all 50 events (median of 6)', value: l50.median, unit: 'ms', target: '≤ 1000 ms' },
      { name: 'watching 50: max of 6', value: l50.max, unit: 'ms' },
    ]
  } finally {
    for (const s of stops) s.abort()
    await Promise.all(sessions.map((s) => s.close().catch(() => undefined)))
    await lab.down()
  }
}

/** The 50-watch process (test/bench/status-watcher.ts, bundled): usage on request, and each flip all 50 saw. */
async function startWatcher(job: { ssh: Lab['gateway']['ssh']; knownHostsLine: string; details: unknown; facts: GatewayFacts; n: number; peer: string }) {
  const built = spawnSync(process.execPath, ['test/tools/run-ts.mjs', '--bundle', 'test/bench/status-watcher.ts'], { encoding: 'utf8' })
  const file = built.stdout.trim().split('\n').pop()
  if (built.status !== 0 || !file) throw new Error(`could not bundle the watcher: ${built.stderr}`)
  const child = spawn(process.execPath, [file], { stdio: ['pipe', 'pipe', 'inherit'] })
  const waiting: ((msg: Record<string, unknown>) => void)[] = []
  const flips: ((at: number) => void)[] = []
  createInterface({ input: child.stdout }).on('line', (line) => {
    const msg = JSON.parse(line) as Record<string, unknown>
    if ('all' in msg) flips.shift()?.(msg['at'] as number)
    else waiting.shift()?.(msg)
  })
  const nextMessage = (what: string, ms: number) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`watcher: no ${what} within ${ms} ms`)), ms)
      waiting.push((m) => {
        clearTimeout(t)
        resolve(m)
      })
    })
  const { privateKey, port, username } = job.ssh
  child.stdin.write(`${JSON.stringify({ ssh: { privateKey, port, username }, knownHostsLine: job.knownHostsLine, details: job.details, facts: job.facts, n: job.n, peer: job.peer })}\n`)
  await nextMessage('ready', 180_000)
  return {
    usage: async () => {
      const m = nextMessage('usage', 10_000)
      child.stdin.write('usage\n')
      return (await m)['usage'] as { rss: number; cpuMicros: number; at: number }
    },
    next: () =>
      new Promise<number>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('watcher: no flip seen by all within 15 s')), 15_000)
        flips.push((at) => {
          clearTimeout(t)
          resolve(at)
        })
      }),
    stop: () => {
      child.stdin.end()
      setTimeout(() => child.kill(), 5000).unref()
    },
  }
}
