import { create } from 'zustand'
import type { ActivityEntry, AppError, ChangeRecordSummary, ProfileId, StatusAlert, StatusDeviceDto, StatusSnapshotDto, VendorWatchOutcome, WatchId } from '../../../../preload/api'
import { call, subscribe } from '../../bridge/bridge'
import { useAnnouncer } from '../../components/announcer'

/** Throughput samples kept per tunnel for the chart (10 minutes at 5 s). */
export const MAX_SAMPLES = 120

/** One chart sample: time (s), bytes/s in, bytes/s out. */
export type Sample = readonly [number, number, number]

/** When a tunnel entered its current state as this watch saw it (the daemon keeps no date for "down"). */
export interface SeenState {
  readonly state: 'up' | 'standby' | 'down'
  /** Epoch ms of the first snapshot in this state; undefined when it was already so when the watch began. */
  readonly since: number | undefined
  /** The state before, when the watch saw the change. */
  readonly from?: 'up' | 'standby' | 'down'
}

interface Watch {
  readonly watchId: WatchId
  readonly snapshot: StatusSnapshotDto | undefined
  readonly samples: Readonly<Record<string, readonly Sample[]>>
  readonly seen: Readonly<Record<string, SeenState>>
  readonly error: AppError | undefined
}

function toState(t: { readonly up: boolean; readonly standby?: boolean }): SeenState['state'] {
  return t.up ? 'up' : t.standby ? 'standby' : 'down'
}

interface StatusState {
  readonly watches: Readonly<Record<string, Watch>>
  readonly alerts: readonly StatusAlert[]
  readonly records: readonly ChangeRecordSummary[]
  /** The newest activity log entries (what the app and the CLI did, and how it ended). */
  readonly activity: readonly ActivityEntry[]
  readonly error: AppError | undefined
  readonly start: (profileId: ProfileId) => Promise<void>
  /** Starts polling a vendor device read-only; answers the host-key question when there is one (nothing watched yet). */
  readonly startVendor: (profileId: ProfileId, device: StatusDeviceDto, acceptFingerprint?: string) => Promise<Extract<VendorWatchOutcome, { status: 'host-key-unknown' }> | undefined>
  readonly stop: (profileId: ProfileId) => Promise<void>
  readonly loadRecords: () => Promise<void>
}

/** An alert in words: what happened to the tunnel, then the daemon's reason. */
export function toAlertWords(a: Pick<StatusAlert, 'kind' | 'detail'>): string {
  const detail = a.detail === 'IKE SA gone' ? 'the IKE SA closed' : a.detail
  if (a.kind === 'tunnel-down') return `went down (${detail})`
  if (a.kind === 'tunnel-up') return 'came up'
  return detail
}

/** How many activity log entries the Status step shows. */
export const ACTIVITY_SHOWN = 20

let unsubscribers: (() => void)[] = []
/** Profiles whose vendor watch was asked for and has not answered yet. */
const pendingVendor = new Set<string>()

/** Live tunnel state pushed by main; the renderer keeps only a display copy and a short chart history. */
export const useStatusStore = create<StatusState>()((set, get) => {
  const ensureSubscribed = () => {
    if (unsubscribers.length > 0) return
    unsubscribers = [
      subscribe('onTunnelStatus', (snap) => {
        set((s) => {
          // A vendor watch's first sample comes before watchVendorStatus answers: adopt it for the profile that asked.
          const w = s.watches[snap.profileId] ?? (pendingVendor.has(snap.profileId) ? { watchId: snap.watchId, snapshot: undefined, samples: {}, seen: {}, error: undefined } : undefined)
          if (!w || w.watchId !== snap.watchId) return s
          const samples: Record<string, readonly Sample[]> = { ...w.samples }
          const seen: Record<string, SeenState> = { ...w.seen }
          for (const t of snap.tunnels) {
            const state = toState(t)
            const before = w.seen[t.peer]
            if (!before) seen[t.peer] = { state, since: undefined }
            else if (before.state !== state) seen[t.peer] = { state, since: snap.at, from: before.state }
            const prev = samples[t.peer] ?? []
            const next: Sample = [snap.at / 1000, t.rates?.bytesInPerSec ?? 0, t.rates?.bytesOutPerSec ?? 0]
            samples[t.peer] = [...prev, next].slice(-MAX_SAMPLES)
          }
          return { watches: { ...s.watches, [snap.profileId]: { ...w, snapshot: snap, samples, seen } } }
        })
      }),
      subscribe('onStatusAlert', (a) => {
        set((s) => ({ alerts: [a, ...s.alerts].slice(0, 50) }))
        void get().loadRecords()
        useAnnouncer.getState().announce(`${a.name}: ${toAlertWords(a)}`, a.kind === 'tunnel-down')
      }),
      subscribe('onWatchError', (e) => {
        set((s) => {
          const w = s.watches[e.profileId]
          return w ? { watches: { ...s.watches, [e.profileId]: { ...w, error: e.error } } } : s
        })
        useAnnouncer.getState().announce(`Status stopped: ${e.error.message}`, true)
      }),
    ]
  }
  return {
    watches: {},
    alerts: [],
    records: [],
    activity: [],
    error: undefined,
    start: async (profileId) => {
      ensureSubscribed()
      if (get().watches[profileId]) return
      const r = await call('watchStatus', { profileId, intervalMs: 5000 })
      if (!r.ok) {
        set({ error: r.error })
        return
      }
      set((s) => ({ error: undefined, watches: { ...s.watches, [profileId]: { watchId: r.value.watchId, snapshot: undefined, samples: {}, seen: {}, error: undefined } } }))
    },
    startVendor: async (profileId, device, acceptFingerprint) => {
      ensureSubscribed()
      const old = get().watches[profileId]
      if (old) await get().stop(profileId)
      pendingVendor.add(profileId)
      const r = await call('watchVendorStatus', { profileId, device, ...(acceptFingerprint ? { acceptFingerprint } : {}) }).finally(() => pendingVendor.delete(profileId))
      if (!r.ok) {
        set({ error: r.error })
        return undefined
      }
      if (r.value.status === 'host-key-unknown') return r.value
      const watchId = r.value.watchId
      // The first sample may arrive before this answer: keep it if it did.
      set((s) => ({ error: undefined, watches: { ...s.watches, [profileId]: s.watches[profileId]?.watchId === watchId ? s.watches[profileId] : { watchId, snapshot: undefined, samples: {}, seen: {}, error: undefined } } }))
      return undefined
    },
    stop: async (profileId) => {
      const w = get().watches[profileId]
      if (!w) return
      await call('unwatchStatus', w.watchId)
      set((s) => {
        const watches = { ...s.watches }
        delete watches[profileId]
        return { watches }
      })
    },
    loadRecords: async () => {
      const [r, a] = await Promise.all([call('listChangeRecords', {}), call('listActivity', { limit: ACTIVITY_SHOWN })])
      set({ ...(r.ok ? { records: r.value } : {}), ...(a.ok ? { activity: a.value } : {}) })
    },
  }
})

