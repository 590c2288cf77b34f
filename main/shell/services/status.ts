// Live status in the app: status watches per profile, pushed to the window as snapshots and alerts, with
// desktop notifications for a tunnel going down or coming back. Thin callers of the core's door.
import { randomBytes } from 'node:crypto'
import { EVENTS, type ProfileId, type WatchId } from '../../../preload/api'
import { toProfileDetails, UserError, watchGatewayStatus, type StatusSnapshot } from '../../core'
import type { ShellContext } from './context'
import type { GatewayService } from './gateway'

interface Watch {
  readonly profileId: string
  readonly ctl: AbortController
  last?: StatusSnapshot
}

/** The status domain of the app. */
export class StatusService {
  readonly #watches = new Map<string, Watch>()

  constructor(
    private readonly ctx: ShellContext,
    private readonly gateway: GatewayService,
  ) {
    gateway.onDisconnect = (profileId) => this.unwatchProfile(profileId)
  }

  /** Starts a watch of a connected profile (charon's events where it can, polling otherwise). */
  watch(profileId: ProfileId, intervalMs = 5000): { watchId: WatchId } {
    const p = this.ctx.profiles.get(profileId)
    const g = this.gateway.get(profileId)
    if (!g.facts) throw new UserError('not-detected', 'The gateway has not been inspected yet.', { fix: 'Run detection (or a check) first.' })
    const details = toProfileDetails(p.details)
    const watchId = `w-${randomBytes(8).toString('hex')}` as WatchId
    const ctl = new AbortController()
    const w: Watch = { profileId, ctl }
    this.#watches.set(watchId, w)
    const cut = this.ctx.redactorFor(profileId)
    const emit = this.ctx.env.emit
    // The core's watch probes each tunnel at every poll (and keeps the last result across charon's events).
    void watchGatewayStatus(g, details, {
      signal: ctl.signal,
      intervalMs,
      everySample: true,
      onChange: (c) => {
        if (ctl.signal.aborted) return
        w.last = c.snapshot
        emit(EVENTS.onTunnelStatus, { watchId, profileId, at: c.snapshot.at, source: c.snapshot.source, mode: c.mode, tunnels: c.snapshot.tunnels })
        for (const a of c.alerts) {
          emit(EVENTS.onStatusAlert, { watchId, profileId, kind: a.kind, peer: a.peer, name: a.name, at: a.at, detail: cut(a.detail) })
          if (a.kind === 'tunnel-down' || a.kind === 'tunnel-up') this.ctx.env.notify?.(`${p.name}: tunnel ${a.kind === 'tunnel-down' ? 'down' : 'up'}`, `${a.name} (${a.peer}) ${cut(a.detail)}`)
        }
      },
    })
      .catch((err: unknown) => {
        if (ctl.signal.aborted) return
        const e = err instanceof UserError ? { code: err.code, message: cut(err.message), ...(err.fix ? { fix: err.fix } : {}) } : { code: 'internal', message: 'The status watch stopped unexpectedly.' }
        emit(EVENTS.onWatchError, { watchId, profileId, error: e })
      })
      .finally(() => this.#watches.delete(watchId))
    return { watchId }
  }

  unwatch(watchId: string): void {
    const w = this.#watches.get(watchId)
    this.#watches.delete(watchId)
    w?.ctl.abort()
  }

  /** Stops every watch of one profile (its session is closing). */
  unwatchProfile(profileId: string): void {
    for (const [id, w] of this.#watches) if (w.profileId === profileId) this.unwatch(id)
  }

  /** Stops every watch (the window closed). */
  stopAll(): void {
    for (const id of [...this.#watches.keys()]) this.unwatch(id)
  }

  /** The last snapshot a watch of the profile saw (for the diagnostics bundle). */
  lastSnapshot(profileId: string | undefined): StatusSnapshot | undefined {
    return [...this.#watches.values()].find((w) => w.profileId === profileId)?.last
  }
}
