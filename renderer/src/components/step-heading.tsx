import { useEffect, useRef } from 'react'
import { useAnnouncer } from './announcer'

/** The heading of a wizard step; takes focus when the step opens so keyboard and screen-reader users land on it. */
export function StepHeading({ children, number, total, id }: { readonly children: string; readonly number: number; readonly total: number; readonly id?: string }) {
  const ref = useRef<HTMLHeadingElement>(null)
  const announce = useAnnouncer((s) => s.announce)
  useEffect(() => {
    ref.current?.focus()
    announce(`Step ${number}: ${children}`)
  }, [children, number, announce])
  return (
    <h2 ref={ref} id={id} tabIndex={-1} className="tw-step-heading">
      <span className="tw-step-of">
        Step {number} of {total}
        <span className="usa-sr-only">:</span>
      </span>{' '}
      {children}
    </h2>
  )
}
