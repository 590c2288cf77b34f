import { create } from 'zustand'
import type { AppError, CheckCauseDto, CheckReport, JobId, ProfileId } from '../../../../preload/api'
import { call, newJobId } from '../../bridge/bridge'
import { useProfileStore } from '../profile/profile-store'

/** A cause as the step lists it: from the current report, or one fixed since (kept in its place, shown green). */
export interface ShownCause extends CheckCauseDto {
  readonly resolved: boolean
}

interface ChecksState {
  readonly report: CheckReport | undefined
  /** Whose gateway the report is about (Apply asks whether the checks ran for this connection). */
  readonly profileId: ProfileId | undefined
  readonly job: JobId | undefined
  readonly error: AppError | undefined
  /** The causes in the order the last run listed them; a fixed one stays where it was. */
  readonly causes: readonly ShownCause[]
  readonly run: () => Promise<void>
  readonly cancel: () => Promise<void>
  /** Replaces the report with the fresh check that follows an applied fix (causes keep their places). */
  readonly setReport: (report: CheckReport) => void
  /** What became of each fix run from this screen, by cause id. */
  readonly fixOutcomes: Readonly<Record<string, { readonly ok: boolean; readonly text: string }>>
  /** The latest fix outcome in words, for the step's live region. */
  readonly lastFix: string | undefined
  readonly noteFix: (causeId: string, title: string, outcome: { readonly ok: boolean; readonly text: string }) => void
  /** A cause another step asked to show (Apply's "show this problem in Checks"). */
  readonly focusCause: string | undefined
  readonly setFocusCause: (id: string | undefined) => void
  /** Forgets the report (the connection changed). */
  readonly reset: () => void
}

function toShown(causes: readonly CheckCauseDto[] | undefined): ShownCause[] {
  return (causes ?? []).map((c) => ({ ...c, resolved: false }))
}

/** The firewall/NAT/kernel checks of the connected gateway. */
export const useChecksStore = create<ChecksState>()((set, get) => ({
  report: undefined,
  profileId: undefined,
  job: undefined,
  error: undefined,
  causes: [],
  fixOutcomes: {},
  lastFix: undefined,
  focusCause: undefined,
  noteFix: (causeId, title, outcome) => set((st) => ({ fixOutcomes: { ...st.fixOutcomes, [causeId]: outcome }, lastFix: `Fix for "${title}": ${outcome.text}` })),
  setFocusCause: (focusCause) => set({ focusCause }),
  reset: () => set({ report: undefined, profileId: undefined, causes: [], fixOutcomes: {}, lastFix: undefined, error: undefined }),
  run: async () => {
    const p = useProfileStore.getState().current
    if (!p) {
      set({ error: { code: 'not-connected', message: 'Connect to the gateway first.', fix: 'Open the Gateway step and connect.' } })
      return
    }
    const job = newJobId()
    set({ job, error: undefined, fixOutcomes: {}, lastFix: undefined })
    const r = await call('checkGateway', { profileId: p.id, jobId: job })
    if (get().job !== job) return
    set(r.ok ? { job: undefined, report: r.value, profileId: p.id, causes: toShown(r.value.causes) } : { job: undefined, error: r.error })
  },
  setReport: (report) =>
    set((st) => {
      const fresh = report.causes ?? []
      const kept = st.causes.map((c) => {
        const now = fresh.find((n) => n.id === c.id || n.findingIds.some((id) => c.findingIds.includes(id)))
        return now ? { ...now, resolved: false } : { ...c, resolved: true }
      })
      const added = fresh.filter((n) => !kept.some((k) => k.id === n.id)).map((n) => ({ ...n, resolved: false }))
      return { report, causes: [...kept, ...added] }
    }),
  cancel: async () => {
    const job = get().job
    set({ job: undefined })
    if (job) await call('cancelJob', job)
  },
}))
