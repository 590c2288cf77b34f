import type { ReactNode } from 'react'

/** The start / Cancel button pair of a step that runs a long job; extra buttons go in `children` (as <li>). */
export function JobActions(props: {
  readonly startLabel: string
  readonly startDisabled: boolean
  readonly running: boolean
  readonly onCancel: () => void
  /** Omitted for a form's submit button. */
  readonly onStart?: () => void
  readonly className?: string
  readonly children?: ReactNode
}) {
  return (
    <ul className={`usa-button-group${props.className ? ` ${props.className}` : ''}`}>
      <li className="usa-button-group__item">
        <button type={props.onStart ? 'button' : 'submit'} className="usa-button" disabled={props.startDisabled} onClick={props.onStart}>
          {props.startLabel}
        </button>
      </li>
      {props.running ? (
        <li className="usa-button-group__item">
          <button type="button" className="usa-button usa-button--secondary" onClick={props.onCancel}>
            Cancel
          </button>
        </li>
      ) : null}
      {props.children}
    </ul>
  )
}
