// Live status: latency from a state change on the gateway to the app's event (median and max of 20),
// and one process watching 50 gateways: RSS, CPU at steady state, event latency.
//
// The 50 watched "gateways" are 50 independent SSH sessions (each with its own VICI streams) to the
// lab's swanctl gateway: the app-side cost of a gateway is its session, streams and parsing, which is
// what this measures; the lab cannot run 50 full topologies on 2 cores.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Details } from '../../main/core/details/model'
import { processSecretSources } from '../../main/core/details/resolve'
import { detectGateway, applyChange, prepareChange } from '../../main/core/workflow'
import { toGatewayShell } from '../../main/core/gateway/shell'
import { toRemotePath } from '../../main/core/ssh/catalog'
import type { SshSession } from '../../main/core/ssh/session'
import { watchStatus, type StatusChange } from '../../main/core/status/watch'
import { up } from '../lab'
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
    const change = await prepareChange(shell, details, { sources: processSecretSources })
    const applied = await applyChange(shell, change, { confirmWithin: 60 })
    if (applied.outcome !== 'committed') throw new Error(`apply ${applied.outcome}`)
    const facts = await detectGateway(shell)
    const [, t2] = change.rendered.connectionNames
    const peer2 = details.remote.tunnels[1]!.outsideIp

    // One state flip as AWS maintenance makes it: the aws node deletes tunnel 2 (DELETE to us), then allows
    // it again and we initiate. (A terminate on the gateway is undone at once by close/start actions.)
    // Latency is measured from the start of the command, so it includes the IKE exchange for "up".
    let down = false
    const flip = async () => {
      down = !down
      if (down) await lab.aws.tunnelDown(1)
      else {
        await lab.aws.tunnelUp(1)
        await lab.gateway.exec(['swanctl', '--initiate', '--child', t2, '--timeout', '10'])
      }
    }
    const isFlipped = (c: StatusChange) => c.snapshot.tunnels.find((t) => t.peer === peer2)?.up === !down

    const watch = async (n: number) => {
      const waiters = new Set<(c: StatusChange) => void>()
      for (let i = 0; i < n; i++) {
        const s = i === 0 ? admin : await labSession(lab, dir)
        if (i > 0) sessions.push(s)
        const stop = new AbortController()
        stops.push(stop)
        const ready = new Promise<void>((resolve) => {
          void watchStatus(toGatewayShell(s), details, facts, {
            signal: stop.signal,
            intervalMs: 30_000,
            openVici: () => s.openUnixSocket(toRemotePath(facts.paths.viciSocket ?? '/run/charon.vici')),
            onChange: (c) => {
              if (process.env['TW_BENCH_DEBUG']) console.log(`  [watch ${i}] ${c.trigger} ${c.mode} ${c.snapshot.tunnels.map((t) => `${t.peer}:${t.up ? 'up' : 'down'}/${t.ikeState ?? '-'}`).join(' ')}`)
              if (c.trigger === 'initial') resolve()
              for (const w of waiters) w(c)
            },
          })
        })
        await ready
      }
      /** Flips tunnel 2 and resolves with the time until every watcher saw the new state. */
      const measure = async (): Promise<number> => {
        let seen = 0
        const all = new Promise<void>((resolve) => {
          const w = (c: StatusChange) => {
            if (isFlipped(c) && ++seen >= n) {
              waiters.delete(w)
              resolve()
            }
          }
          waiters.add(w)
        })
        const t0 = performance.now()
        void flip()
        await Promise.race([all, new Promise((_, reject) => setTimeout(() => reject(new Error(`no status event within 15 s of taking tunnel 2 ${down ? 'down' : 'up'} (${seen}/${n} watchers saw it)`)), 15_000))])
        return performance.now() - t0
      }
      return measure
    }

    const single = await watch(1)
    const lat: number[] = []
    for (let i = 0; i < 20; i++) lat.push(await single())
    for (const s of stops.splice(0)) s.abort()
    if (down) await flip()

    const rss0 = process.memoryUsage().rss
    const many = await watch(50)
    await new Promise((r) => setTimeout(r, 3000))
    const cpu0 = process.cpuUsage()
    const t0 = performance.now()
    await new Promise((r) => setTimeout(r, 20_000))
    const cpu = process.cpuUsage(cpu0)
    const cpuPct = ((cpu.user + cpu.system) / 1000 / (performance.now() - t0)) * 100
    const rss = process.memoryUsage().rss
    const lat50: number[] = []
    for (let i = 0; i < 6; i++) lat50.push(await many())
    const l = stats(lat)
    const l50 = stats(lat50)
    return [
      { name: 'state change → status event (median of 20)', value: l.median, unit: 'ms', target: '≤ 1000 ms', note: 'AWS deletes / we re-initiate tunnel 2; VICI events over SSH stream-local forwarding; from the start of the change' },
      { name: 'same, max of 20', value: l.max, unit: 'ms', target: '≤ 1000 ms' },
      { name: 'watching 50 gateways: process RSS', value: rss / 1048576, unit: 'MB', target: '≤ 150 MB', note: `${((rss - rss0) / 1048576).toFixed(1)} MB added by the 50 watches` },
      { name: 'watching 50 gateways: CPU at steady state (20 s)', value: cpuPct, unit: '% core', target: '≤ 5 %' },
      { name: 'watching 50: change → all 50 events (median of 6)', value: l50.median, unit: 'ms', target: '≤ 1000 ms' },
      { name: 'watching 50: max of 6', value: l50.max, unit: 'ms' },
    ]
  } finally {
    for (const s of stops) s.abort()
    await Promise.all(sessions.map((s) => s.close().catch(() => undefined)))
    await lab.down()
  }
}
