import { create } from 'zustand'
import type { AppError, ApplyResultDto, JobId, JobProgress, PlanDto, RollbackPreviewDto, RollbackResultDto } from '../../../../preload/api'
import { call, newJobId, subscribe } from '../../bridge/bridge'
import { useAnnouncer } from '../../components/announcer'
import { useProfileStore } from '../profile/profile-store'
import { APPLY_WORDS } from './apply-words'

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
  /** main holds a plan for one apply only: once applied (whatever the outcome, or rolled back since), prepare again. */
  readonly planUsed: boolean
  readonly applyError: AppError | undefined
  /** What a rollback would restore, read before asking; undefined until asked. */
  readonly rollbackPreview: RollbackPreviewDto | undefined
  readonly previewing: boolean
  readonly rollback: RollbackResultDto | undefined
  readonly rollbackError: AppError | undefined
  /** A rollback is running (its button is disabled meanwhile: a second click would roll back further). */
  readonly rollingBack: boolean
  readonly makePlan: () => Promise<void>
  readonly setConfirmWithin: (sec: number) => void
  /** Applies the plan; `reason` is written into the change record (e.g. why it was applied despite the checks). */
  readonly apply: (reason?: string) => Promise<void>
  readonly cancel: () => Promise<void>
  /** Reads what a rollback would restore (nothing changes) so the user can decide. */
  readonly askRollback: () => Promise<void>
  readonly dismissRollback: () => void
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
  planUsed: false,
  applyError: undefined,
  rollbackPreview: undefined,
  previewing: false,
  rollback: undefined,
  rollbackError: undefined,
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
    set(r.ok ? { planning: undefined, plan: r.value, planUsed: false, progress: [], result: undefined, applyError: undefined, rollback: undefined, rollbackPreview: undefined, rollbackError: undefined } : { planning: undefined, planError: r.error })
  },
  setConfirmWithin: (confirmWithinSec) => set({ confirmWithinSec }),
  apply: async (reason) => {
    const plan = get().plan
    if (!plan) return
    const job = newJobId()
    const announce = useAnnouncer.getState().announce
    set({ applying: job, planUsed: true, progress: [], result: undefined, applyError: undefined, rollback: undefined, rollbackPreview: undefined, rollbackError: undefined })
    const off = subscribe('onJobProgress', (p) => {
      if (p.jobId !== job) return
      set((s) => ({ progress: [...s.progress, p] }))
      const words = APPLY_WORDS[p.step as keyof typeof APPLY_WORDS]
      if (words) announce(words)
    })
    const r = await call('applyChange', { planId: plan.planId, confirmWithinSec: get().confirmWithinSec, jobId: job, ...(reason ? { reason } : {}) })
    off()
    if (r.ok) {
      set({ applying: undefined, result: r.value })
      announce(r.value.outcome === 'committed' ? 'The change is applied and confirmed.' : r.value.outcome === 'no-change' ? 'Nothing needed to change.' : 'The change was not kept: the gateway is back on its previous configuration.', r.value.outcome !== 'committed' && r.value.outcome !== 'no-change')
    } else {
      set({ applying: undefined, applyError: r.error })
      announce(`Apply failed: ${r.error.message}`, true)
    }
  },
  cancel: async () => {
    const job = get().applying ?? get().planning
    if (job) await call('cancelJob', job)
  },
  askRollback: async () => {
    const p = useProfileStore.getState().current
    if (!p || get().previewing) return
    set({ previewing: true, rollbackError: undefined })
    const r = await call('previewRollback', { profileId: p.id, jobId: newJobId() })
    set(r.ok ? { previewing: false, rollbackPreview: r.value } : { previewing: false, rollbackError: r.error })
  },
  dismissRollback: () => set({ rollbackPreview: undefined }),
  rollBack: async () => {
    const p = useProfileStore.getState().current
    if (!p || get().rollingBack) return
    const announce = useAnnouncer.getState().announce
    set({ rollingBack: true, rollbackError: undefined })
    const r = await call('rollbackChange', { profileId: p.id, reason: 'Rolled back from the Apply step' })
    // The apply's outcome no longer describes the gateway once it is rolled back: only the rollback is shown.
    set(r.ok ? { rollingBack: false, rollback: r.value, rollbackPreview: undefined, result: undefined, progress: [] } : { rollingBack: false, rollbackError: r.error })
    announce(r.ok ? 'Rolled back: the previous configuration is restored.' : `Rollback failed: ${r.error.message}`, !r.ok)
  },
}))
