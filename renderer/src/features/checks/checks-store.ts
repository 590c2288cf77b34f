import { create } from 'zustand'
import type { AppError, CheckReport, JobId } from '../../../../preload/api'
import { call, newJobId } from '../../bridge/bridge'
import { useProfileStore } from '../profile/profile-store'

interface ChecksState {
  readonly report: CheckReport | undefined
  readonly job: JobId | undefined
  readonly error: AppError | undefined
  readonly run: () => Promise<void>
  readonly cancel: () => Promise<void>
  /** Replaces the report (with the fresh check that follows an applied fix). */
  readonly setReport: (report: CheckReport) => void
  /** What became of each fix run from this screen, by finding id (kept when the finding turns green and its fix goes). */
  readonly fixOutcomes: Readonly<Record<string, { readonly ok: boolean; readonly text: string }>>
  /** The latest fix outcome, for the step's live region. */
  readonly lastFix: string | undefined
  readonly noteFix: (findingId: string, outcome: { readonly ok: boolean; readonly text: string }) => void
}

/** The firewall/NAT/kernel checks of the connected gateway. */
export const useChecksStore = create<ChecksState>()((set, get) => ({
  report: undefined,
  job: undefined,
  error: undefined,
  fixOutcomes: {},
  lastFix: undefined,
  noteFix: (findingId, outcome) => set((st) => ({ fixOutcomes: { ...st.fixOutcomes, [findingId]: outcome }, lastFix: `Fix for ${findingId}: ${outcome.text}` })),
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
    set(r.ok ? { job: undefined, report: r.value } : { job: undefined, error: r.error })
  },
  setReport: (report) => set({ report }),
  cancel: async () => {
    const job = get().job
    set({ job: undefined })
    if (job) await call('cancelJob', job)
  },
}))
