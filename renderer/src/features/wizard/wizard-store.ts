import { create } from 'zustand'

/** The steps of the flow, in order; "request" comes first, before any details exist. */
export const STEPS = [
  { id: 'request', label: 'Request' },
  { id: 'details', label: 'Details' },
  { id: 'gateway', label: 'Gateway' },
  { id: 'checks', label: 'Checks' },
  { id: 'review', label: 'Review' },
  { id: 'apply', label: 'Apply' },
  { id: 'status', label: 'Status' },
] as const

/** One step id. */
export type StepId = (typeof STEPS)[number]['id']

interface WizardState {
  readonly step: StepId
  /** Steps the user has finished (shown as complete in the indicator). */
  readonly done: ReadonlySet<StepId>
  readonly goTo: (step: StepId) => void
  readonly complete: (step: StepId, next?: StepId) => void
}

/** Where the user is in the flow. Any step can be opened directly (experts jump; the dashboard is step 7). */
export const useWizard = create<WizardState>()((set) => ({
  step: 'request',
  done: new Set(),
  goTo: (step) => set({ step }),
  complete: (step, next) =>
    set((s) => {
      const done = new Set(s.done)
      done.add(step)
      const i = STEPS.findIndex((x) => x.id === step)
      return { done, step: next ?? STEPS[Math.min(i + 1, STEPS.length - 1)]!.id }
    }),
}))

/** 1-based position of a step. */
export function toStepNumber(id: StepId): number {
  return STEPS.findIndex((s) => s.id === id) + 1
}
