import type { AppError } from '../../../preload/api'

/** An error in the three parts a user needs: what happened, why, what to do. */
export function AppErrorAlert({ error, heading }: { readonly error: AppError; readonly heading?: string }) {
  return (
    <div className="usa-alert usa-alert--error" role="alert">
      <div className="usa-alert__body">
        <h3 className="usa-alert__heading">{heading ?? error.message}</h3>
        {heading ? <p className="usa-alert__text">{error.message}</p> : null}
        {error.cause ? (
          <p className="usa-alert__text">
            <strong>Why: </strong>
            {error.cause}
          </p>
        ) : null}
        {error.fix ? (
          <p className="usa-alert__text">
            <strong>What to do: </strong>
            {error.fix}
          </p>
        ) : null}
      </div>
    </div>
  )
}

/** A slim notice (info, warning, success) without alert semantics. */
export function Notice({ type, children }: { readonly type: 'info' | 'warning' | 'success' | 'error'; readonly children: React.ReactNode }) {
  return (
    <div className={`usa-alert usa-alert--${type} usa-alert--slim`}>
      <div className="usa-alert__body">
        <div className="usa-alert__text">{children}</div>
      </div>
    </div>
  )
}
