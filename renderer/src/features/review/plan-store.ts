import { create } from 'zustand'
import type { AppError, ApplyResultDto, JobId, JobProgress, PlanDto, RollbackResultDto } from '../../../../preload/api'
import { call, newJobId, subscribe } from '../../bridge/bridge'
import { useAnnouncer } from '../../components/announcer'
import { useProfileStore } from '../profile/profile-store'

/** Confirm-or-revert windows offered, in seconds. */
export const CONFIRM_WINDOWS = [60, 120, 300, 600] as const

interface PlanState {
  readonly plan: PlanDto | undefined
  readonly planning: JobId | undefined
  readonly planError: AppError | undefined
  readonly confirmWithinSec: number
  readonly applying: JobId | undefined
  readonly progress: readonly JobProgress[]
  readonly result: ApplyResultDto | undefined
  readonly applyError: AppError | undefined
  readonly rollback: RollbackResultDto | undefined
  /** A rollback is running (its button is disabled meanwhile: a second click would roll back further). */
  readonly rollingBack: boolean
  readonly makePlan: () => Promise<void>
  readonly setConfirmWithin: (sec: number) => void
  readonly apply: () => Promise<void>
  readonly cancel: () => Promise<void>
  readonly rollBack: () => Promise<void>
}

/** The prepared change (held in main by planId) and the apply that runs it. */
export const usePlanStore = create<PlanState>()((set, get) => ({
  plan: undefined,
  planning: undefined,
  planError: undefined,
  confirmWithinSec: 120,
  applying: undefined,
  progress: [],
  result: undefined,
  applyError: undefined,
  rollback: undefined,
  rollingBack: false,
  makePlan: async () => {
    const p = useProfileStore.getState().current
    if (!p) {
      set({ planError: { code: 'not-connected', message: 'Connect to the gateway first.', fix: 'Open the Gateway step and connect.' } })
      return
    }
    const job = newJobId()
    set({ planning: job, planError: undefined })
    const r = await call('planChange', { profileId: p.id, jobId: job })
    if (get().planning !== job) return
    // A new plan starts a new apply: the outcome of the previous one no longer describes it.
    set(r.ok ? { planning: undefined, plan: r.value, progress: [], result: undefined, applyError: undefined, rollback: undefined } : { planning: undefined, planError: r.error })
  },
  setConfirmWithin: (confirmWithinSec) => set({ confirmWithinSec }),
  apply: async () => {
    const plan = get().plan
    if (!plan) return
    const job = newJobId()
    const announce = useAnnouncer.getState().announce
    set({ applying: job, progress: [], result: undefined, applyError: undefined, rollback: undefined })
    const off = subscribe('onJobProgress', (p) => {
      if (p.jobId !== job) return
      set((s) => ({ progress: [...s.progress, p] }))
      announce(`${p.step}: ${p.detail}`)
    })
    const r = await call('applyChange', { planId: plan.planId, confirmWithinSec: get().confirmWithinSec, jobId: job })
    off()
    if (r.ok) {
      set({ applying: undefined, result: r.value })
      announce(`Apply ${r.value.outcome}.`, r.value.outcome !== 'committed' && r.value.outcome !== 'no-change')
    } else {
      set({ applying: undefined, applyError: r.error })
      announce(`Apply failed: ${r.error.message}`, true)
    }
  },
  cancel: async () => {
    const job = get().applying ?? get().planning
    if (job) await call('cancelJob', job)
  },
  rollBack: async () => {
    const p = useProfileStore.getState().current
    if (!p || get().rollingBack) return
    const announce = useAnnouncer.getState().announce
    set({ rollingBack: true, applyError: undefined })
    const r = await call('rollbackChange', { profileId: p.id, reason: 'Rolled back from the Apply step' })
    set(r.ok ? { rollingBack: false, rollback: r.value } : { rollingBack: false, applyError: r.error })
    announce(r.ok ? 'Rolled back.' : `Rollback failed: ${r.error.message}`, !r.ok)
  },
}))
