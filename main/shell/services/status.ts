// Live status in the app: status watches per profile, pushed to the window as snapshots and alerts, with
// desktop notifications for a tunnel going down or coming back. Thin callers of the core's door.
import { randomBytes } from 'node:crypto'
import { EVENTS, type ProfileId, type StatusDeviceDto, type TunnelStatusDto, type VendorWatchOutcome, type WatchId } from '../../../preload/api'
import { toHostKeyQuestion, toProfileDetails, toProfileTarget, toTunnelHealth, toUserKnownHosts, UserError, watchGatewayStatus, watchVendorStatus, type Diagnosis, type StatusSnapshot } from '../../core'
import type { ShellContext } from './context'
import type { GatewayService } from './gateway'

interface Watch {
  readonly profileId: string
  readonly ctl: AbortController
  last?: StatusSnapshot
}

/** The tunnels as the window gets them: each with its verdict and diagnosis (decided in the core), text passed through the profile's redactor. */
function toTunnelDtos(snapshot: StatusSnapshot, diagnoses: readonly Diagnosis[], cut: (t: string) => string): TunnelStatusDto[] {
  return snapshot.tunnels.map((t) => {
    const h = toTunnelHealth(t, diagnoses)
    return { ...t, health: { verdict: h.verdict, diagnoses: h.diagnoses.map((d) => ({ id: d.id, severity: d.severity, cause: cut(d.cause), fix: cut(d.fix), evidence: d.evidence.map(cut) })) } }
  })
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
        emit(EVENTS.onTunnelStatus, { watchId, profileId, at: c.snapshot.at, source: c.snapshot.source, mode: c.mode, tunnels: toTunnelDtos(c.snapshot, c.diagnoses, cut) })
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

  /**
   * Starts polling a vendor device's status, read-only, over the profile's connection (no gateway session, no
   * detection: these devices run no Linux). The device choice is kept in the profile. Resolves once the first
   * sample arrived, so a refused login or an unknown host key answers this call; later failures stop the watch
   * with a `tunnel:watch-error`.
   */
  async watchVendor(profileId: ProfileId, device: StatusDeviceDto, opts: { readonly intervalSec?: number; readonly acceptFingerprint?: string } = {}): Promise<VendorWatchOutcome> {
    const p = this.ctx.profiles.get(profileId)
    const details = toProfileDetails(p.details)
    this.unwatchProfile(profileId)
    // The device's own interval wins over the call's (both validated at the IPC boundary).
    const intervalSec = device.intervalSec ?? opts.intervalSec
    this.ctx.profiles.save({ id: p.id, name: p.name, details: p.details, connection: p.connection, statusDevice: { kind: device.kind, allowLegacySsh: device.allowLegacySsh, ...(intervalSec ? { intervalSec } : {}) } })
    const target = toProfileTarget(p.connection, (slot) => this.ctx.secrets.get(profileId, slot), {
      storeDir: this.ctx.knownHostsDir,
      knownHostsFiles: [this.ctx.env.userKnownHosts ?? toUserKnownHosts()],
      ...(opts.acceptFingerprint ? { accept: opts.acceptFingerprint } : {}),
    })
    const enablePassword = this.ctx.secrets.get(profileId, 'enablePassword')
    const watchId = `w-${randomBytes(8).toString('hex')}` as WatchId
    const ctl = new AbortController()
    const w: Watch = { profileId, ctl }
    const cut = this.ctx.redactorFor(profileId)
    const emit = this.ctx.env.emit
    let first: ((ok: true) => void) | undefined
    const started = new Promise<true>((resolve) => (first = resolve))
    const running = watchVendorStatus(target, device.kind, details, {
      signal: ctl.signal,
      allowLegacy: device.allowLegacySsh,
      ...(intervalSec ? { intervalSec } : {}),
      ...(enablePassword ? { enablePassword } : {}),
      onChange: (c) => {
        if (ctl.signal.aborted) return
        if (c.trigger === 'initial') {
          this.#watches.set(watchId, w)
          this.ctx.journal.activity.append({ profileId, gateway: p.connection.host, action: 'vendor-status', outcome: `ok (${device.kind}, read-only, polling every ${c.device.intervalSec} s${c.device.legacyAlgorithms.length > 0 ? ', older SSH algorithms allowed' : ''})` })
          first?.(true)
        }
        w.last = c.snapshot
        emit(EVENTS.onTunnelStatus, { watchId, profileId, at: c.snapshot.at, source: c.snapshot.source, mode: c.mode, device: c.device, tunnels: toTunnelDtos(c.snapshot, c.diagnoses, cut) })
        for (const a of c.alerts) {
          emit(EVENTS.onStatusAlert, { watchId, profileId, kind: a.kind, peer: a.peer, name: a.name, at: a.at, detail: cut(a.detail) })
          if (a.kind === 'tunnel-down' || a.kind === 'tunnel-up') this.ctx.env.notify?.(`${p.name}: tunnel ${a.kind === 'tunnel-down' ? 'down' : 'up'}`, `${a.name} (${a.peer}) ${cut(a.detail)}`)
        }
      },
    }).finally(() => this.#watches.delete(watchId))
    const outcome = await Promise.race([started, running.then(() => false as const)]).catch((err: unknown) => err)
    if (outcome === true) {
      running.catch((err: unknown) => {
        if (ctl.signal.aborted) return
        const e = err instanceof UserError ? { code: err.code, message: cut(err.message), ...(err.fix ? { fix: cut(err.fix) } : {}) } : { code: 'internal', message: 'The status watch stopped unexpectedly.' }
        this.ctx.journal.activity.append({ profileId, gateway: p.connection.host, action: 'vendor-status', outcome: 'stopped', detail: e.message })
        emit(EVENTS.onWatchError, { watchId, profileId, error: e })
      })
      return { status: 'watching', watchId }
    }
    if (outcome === false) throw new UserError('cancelled', 'The watch stopped before the first sample.')
    const question = toHostKeyQuestion(outcome, target)
    if (question) return { status: 'host-key-unknown', hostId: question.hostId, jumpHost: question.jumpHost, keyType: question.keyType, fingerprint: question.fingerprint }
    this.ctx.journal.activity.append({ profileId, gateway: p.connection.host, action: 'vendor-status', outcome: 'failed', detail: outcome instanceof Error ? cut(outcome.message) : 'failed' })
    throw outcome
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
