import { create } from 'zustand'
import type { AppError, ChangeRecordSummary, ProfileId, StatusAlert, StatusSnapshotDto, WatchId } from '../../../../preload/api'
import { call, subscribe } from '../../bridge/bridge'
import { useAnnouncer } from '../../components/announcer'

/** Throughput samples kept per tunnel for the chart (10 minutes at 5 s). */
export const MAX_SAMPLES = 120

/** One chart sample: time (s), bytes/s in, bytes/s out. */
export type Sample = readonly [number, number, number]

interface Watch {
  readonly watchId: WatchId
  readonly snapshot: StatusSnapshotDto | undefined
  readonly samples: Readonly<Record<string, readonly Sample[]>>
  readonly error: AppError | undefined
}

interface StatusState {
  readonly watches: Readonly<Record<string, Watch>>
  readonly alerts: readonly StatusAlert[]
  readonly records: readonly ChangeRecordSummary[]
  readonly error: AppError | undefined
  readonly start: (profileId: ProfileId) => Promise<void>
  readonly stop: (profileId: ProfileId) => Promise<void>
  readonly loadRecords: () => Promise<void>
}

let unsubscribers: (() => void)[] = []

/** Live tunnel state pushed by main; the renderer keeps only a display copy and a short chart history. */
export const useStatusStore = create<StatusState>()((set, get) => {
  const ensureSubscribed = () => {
    if (unsubscribers.length > 0) return
    unsubscribers = [
      subscribe('onTunnelStatus', (snap) => {
        set((s) => {
          const w = s.watches[snap.profileId]
          if (!w || w.watchId !== snap.watchId) return s
          const samples: Record<string, readonly Sample[]> = { ...w.samples }
          for (const t of snap.tunnels) {
            const prev = samples[t.peer] ?? []
            const next: Sample = [snap.at / 1000, t.rates?.bytesInPerSec ?? 0, t.rates?.bytesOutPerSec ?? 0]
            samples[t.peer] = [...prev, next].slice(-MAX_SAMPLES)
          }
          return { watches: { ...s.watches, [snap.profileId]: { ...w, snapshot: snap, samples } } }
        })
      }),
      subscribe('onStatusAlert', (a) => {
        set((s) => ({ alerts: [a, ...s.alerts].slice(0, 50) }))
        useAnnouncer.getState().announce(`${a.name}: ${a.detail}`, a.kind === 'tunnel-down')
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
    error: undefined,
    start: async (profileId) => {
      ensureSubscribed()
      if (get().watches[profileId]) return
      const r = await call('watchStatus', { profileId, intervalMs: 5000 })
      if (!r.ok) {
        set({ error: r.error })
        return
      }
      set((s) => ({ error: undefined, watches: { ...s.watches, [profileId]: { watchId: r.value.watchId, snapshot: undefined, samples: {}, error: undefined } } }))
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
      const r = await call('listChangeRecords', {})
      if (r.ok) set({ records: r.value })
    },
  }
})

/** "3 h 12 min" from seconds. */
export function toDuration(sec: number | undefined): string {
  if (sec === undefined) return '—'
  const h = Math.floor(sec / 3600)
  const m = Math.floor((sec % 3600) / 60)
  return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${sec % 60} s` : `${sec} s`
}

/** "1.2 KB/s"-style rate. */
export function toRate(bytesPerSec: number | undefined): string {
  if (bytesPerSec === undefined) return '—'
  const units = ['B/s', 'KB/s', 'MB/s', 'GB/s']
  let v = bytesPerSec
  let u = 0
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024
    u++
  }
  return `${v.toFixed(v >= 10 || u === 0 ? 0 : 1)} ${units[u]}`
}

/** "12.3 MB"-style byte count. */
export function toBytes(n: number): string {
  return toRate(n).replace('/s', '')
}
