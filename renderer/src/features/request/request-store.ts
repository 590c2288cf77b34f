import { create } from 'zustand'
import { EMPTY_REQUEST, type RequestDraft } from './request-model'

interface RequestState {
  readonly draft: RequestDraft
  /** Fields the user has left at least once: errors show after a field is touched, warnings at once. */
  readonly touched: ReadonlySet<keyof RequestDraft>
  /** Set once the user asked for the ticket: from then on every error shows. */
  readonly submitted: boolean
  readonly set: <K extends keyof RequestDraft>(key: K, value: RequestDraft[K]) => void
  readonly touch: (key: keyof RequestDraft) => void
  readonly submit: () => void
  readonly load: (draft: RequestDraft) => void
}

/** The request for a dedicated pool being written (kept with the connection's profile once saved). */
export const useRequestStore = create<RequestState>()((set) => ({
  draft: EMPTY_REQUEST,
  touched: new Set(),
  submitted: false,
  set: (key, value) => set((s) => ({ draft: { ...s.draft, [key]: value } })),
  touch: (key) => set((s) => (s.touched.has(key) ? s : { touched: new Set([...s.touched, key]) })),
  submit: () => set({ submitted: true }),
  load: (draft) => set({ draft, touched: new Set(), submitted: false }),
}))
