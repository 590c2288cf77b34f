import { create } from 'zustand'

interface AnnouncerState {
  readonly polite: string
  readonly assertive: string
  readonly announce: (text: string, urgent?: boolean) => void
}

/** One app-wide live region: steps and background work call announce() for screen readers. */
export const useAnnouncer = create<AnnouncerState>()((set) => ({
  polite: '',
  assertive: '',
  announce: (text, urgent = false) => set(urgent ? { assertive: text } : { polite: text }),
}))

/** The live regions themselves; rendered once in the app frame. */
export function Announcer() {
  const { polite, assertive } = useAnnouncer()
  return (
    <>
      <div className="usa-sr-only" role="status" aria-live="polite" aria-atomic="true" data-testid="announcer">
        {polite}
      </div>
      <div className="usa-sr-only" role="alert" aria-live="assertive" aria-atomic="true">
        {assertive}
      </div>
    </>
  )
}
