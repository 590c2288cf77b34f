import { useId, type ReactNode } from 'react'

/** What every form field shares: label, hint, and the inline error or warning shown as you type. */
interface FieldFrame {
  readonly label: string
  readonly hint?: ReactNode
  readonly error?: string | undefined
  readonly warning?: string | undefined
  readonly required?: boolean
  /** A stable id (so a findings summary can link to the field); generated when absent. */
  readonly id?: string
}

function Frame(props: Omit<FieldFrame, 'id'> & { readonly id: string; readonly children: (describedBy: string | undefined) => ReactNode }) {
  const { label, hint, error, warning, required, id, children } = props
  const hintId = hint ? `${id}-hint` : undefined
  const errId = error ? `${id}-error` : undefined
  const warnId = warning && !error ? `${id}-warning` : undefined
  const describedBy = [hintId, errId, warnId].filter(Boolean).join(' ') || undefined
  return (
    <div className={`usa-form-group${error ? ' usa-form-group--error' : ''}`}>
      <label className={`usa-label${error ? ' usa-label--error' : ''}`} htmlFor={id}>
        {label}
        {required ? (
          <abbr title="required" className="usa-hint usa-hint--required">
            {' '}
            *
          </abbr>
        ) : null}
      </label>
      {hint ? (
        <div className="usa-hint" id={hintId}>
          {hint}
        </div>
      ) : null}
      {error ? (
        <span className="usa-error-message" id={errId}>
          {error}
        </span>
      ) : null}
      {warnId ? (
        <span className="tw-warning-message" id={warnId}>
          {warning}
        </span>
      ) : null}
      {children(describedBy)}
    </div>
  )
}

/** A labelled text input with hint and inline validation. */
export function TextField(
  props: FieldFrame & {
    readonly value: string
    readonly onChange: (v: string) => void
    readonly type?: 'text' | 'password' | 'number' | 'email'
    readonly name?: string
    readonly autoComplete?: string
    readonly inputMode?: 'text' | 'numeric' | 'decimal'
    readonly className?: string
    readonly spellCheck?: boolean
    readonly onBlur?: () => void
  },
) {
  const auto = useId()
  const id = props.id ?? auto
  return (
    <Frame {...props} id={id}>
      {(describedBy) => (
        <input
          id={id}
          className={`usa-input${props.error ? ' usa-input--error' : ''}${props.className ? ` ${props.className}` : ''}`}
          type={props.type ?? 'text'}
          name={props.name}
          value={props.value}
          onChange={(e) => props.onChange(e.target.value)}
          onBlur={props.onBlur}
          aria-describedby={describedBy}
          aria-invalid={props.error ? true : undefined}
          aria-required={props.required || undefined}
          autoComplete={props.autoComplete ?? 'off'}
          inputMode={props.inputMode}
          spellCheck={props.spellCheck ?? false}
        />
      )}
    </Frame>
  )
}

/** A labelled multi-line input (one value per line). */
export function TextAreaField(props: FieldFrame & { readonly value: string; readonly onChange: (v: string) => void; readonly rows?: number; readonly readOnly?: boolean; readonly onBlur?: () => void }) {
  const auto = useId()
  const id = props.id ?? auto
  return (
    <Frame {...props} id={id}>
      {(describedBy) => (
        <textarea
          id={id}
          className={`usa-textarea${props.error ? ' usa-input--error' : ''}`}
          rows={props.rows ?? 4}
          value={props.value}
          readOnly={props.readOnly}
          onChange={(e) => props.onChange(e.target.value)}
          onBlur={props.onBlur}
          aria-describedby={describedBy}
          aria-invalid={props.error ? true : undefined}
          aria-required={props.required || undefined}
          spellCheck={false}
        />
      )}
    </Frame>
  )
}

/** A labelled select. */
export function SelectField(props: FieldFrame & { readonly value: string; readonly onChange: (v: string) => void; readonly options: ReadonlyArray<{ value: string; label: string }> }) {
  const auto = useId()
  const id = props.id ?? auto
  return (
    <Frame {...props} id={id}>
      {(describedBy) => (
        <select
          id={id}
          className={`usa-select${props.error ? ' usa-input--error' : ''}`}
          value={props.value}
          onChange={(e) => props.onChange(e.target.value)}
          aria-describedby={describedBy}
          aria-invalid={props.error ? true : undefined}
          aria-required={props.required || undefined}
        >
          {props.options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Frame>
  )
}
