import { useId, useState } from 'react'
import { useAnnouncer } from './announcer'

/**
 * A secret input that never keeps the secret: the value goes to main once (onStore) and the input is
 * cleared; from then on the field shows only "set" or "not set".
 */
export function SecretField({ label, hint, isSet, onStore, onClear, disabledReason }: { readonly label: string; readonly hint?: string; readonly isSet: boolean; readonly onStore: (value: string) => Promise<boolean>; readonly onClear?: () => void; readonly disabledReason?: string | undefined }) {
  const id = useId()
  const [value, setValue] = useState('')
  const [busy, setBusy] = useState(false)
  const announce = useAnnouncer((s) => s.announce)
  const store = async () => {
    if (value === '') return
    setBusy(true)
    const ok = await onStore(value)
    setValue('')
    setBusy(false)
    announce(ok ? `${label} stored.` : `${label} was not stored.`, !ok)
  }
  return (
    <div className="usa-form-group">
      <label className="usa-label" htmlFor={id}>
        {label}
      </label>
      <div className="usa-hint" id={`${id}-hint`}>
        {hint ? `${hint} ` : ''}
        <span data-testid="secret-state">{isSet ? 'Status: set.' : 'Status: not set.'}</span>
        {disabledReason ? ` ${disabledReason}` : ''}
      </div>
      <input
        id={id}
        className="usa-input"
        type="password"
        autoComplete="off"
        value={value}
        disabled={busy}
        onChange={(e) => setValue(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault()
            void store()
          }
        }}
        aria-describedby={`${id}-hint`}
      />
      <ul className="usa-button-group margin-top-1">
        <li className="usa-button-group__item">
          <button type="button" className="usa-button usa-button--outline" disabled={busy || value === ''} onClick={() => void store()}>
            {isSet ? `Replace ${label.toLowerCase()}` : `Store ${label.toLowerCase()}`}
          </button>
        </li>
        {isSet && onClear ? (
          <li className="usa-button-group__item">
            <button type="button" className="usa-button usa-button--unstyled" onClick={onClear}>
              Forget {label.toLowerCase()}
            </button>
          </li>
        ) : null}
      </ul>
    </div>
  )
}
