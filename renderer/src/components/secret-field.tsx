import { useId } from 'react'

/**
 * A secret input whose value is stored by the step's own action ("Save and continue", "Connect"), never by a
 * separate button that is easy to miss: what is typed is either stored with the step or the step says why not.
 * The stored value never comes back; the field shows only whether one is stored, typed, or waiting from a file.
 */
export function SecretField(props: {
  readonly label: string
  readonly hint?: string
  /** A value is in the app's encrypted store. */
  readonly stored: boolean
  /** What was typed and is not stored yet (held by the step until its action stores it). */
  readonly value: string
  readonly onChange: (value: string) => void
  /** When the typed value is stored, e.g. "when you save". */
  readonly storedWhen: string
  /** A key from an imported file waits to be stored (its file name). */
  readonly fromFile?: string | undefined
  readonly onForget?: (() => void) | undefined
  readonly error?: string | undefined
  readonly warning?: string | undefined
  readonly id?: string
}) {
  const auto = useId()
  const id = props.id ?? auto
  const state = props.value !== '' ? `Typed: stored in the app's encrypted store ${props.storedWhen}.` : props.fromFile ? `From ${props.fromFile}: stored ${props.storedWhen}.` : props.stored ? 'Stored (encrypted). Type a new one only to replace it.' : 'Not set.'
  const errId = props.error ? `${id}-error` : undefined
  const warnId = props.warning && !props.error ? `${id}-warning` : undefined
  return (
    <div className={`usa-form-group${props.error ? ' usa-form-group--error' : ''}`}>
      <label className={`usa-label${props.error ? ' usa-label--error' : ''}`} htmlFor={id}>
        {props.label}
      </label>
      <div className="usa-hint" id={`${id}-hint`}>
        {props.hint ? `${props.hint} ` : ''}
        <span data-testid="secret-state" className="tw-secret-state">
          {state}
        </span>
      </div>
      {props.error ? (
        <span className="usa-error-message" id={errId}>
          {props.error}
        </span>
      ) : null}
      {warnId ? (
        <span className="tw-warning-message" id={warnId}>
          {props.warning}
        </span>
      ) : null}
      <input
        id={id}
        className={`usa-input${props.error ? ' usa-input--error' : ''}`}
        type="password"
        autoComplete="off"
        spellCheck={false}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        aria-describedby={[`${id}-hint`, errId, warnId].filter(Boolean).join(' ')}
        aria-invalid={props.error ? true : undefined}
      />
      {props.stored && props.onForget ? (
        <button type="button" className="usa-button usa-button--unstyled tw-forget" onClick={props.onForget}>
          Forget the stored {/^[A-Z][a-z]/.test(props.label) ? props.label.charAt(0).toLowerCase() + props.label.slice(1) : props.label}
        </button>
      ) : null}
    </div>
  )
}
