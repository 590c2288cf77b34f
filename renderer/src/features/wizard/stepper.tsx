import { STEPS, useWizard } from './wizard-store'

/** The USWDS step indicator; every segment is a button so experts can jump straight to a step. */
export function Stepper() {
  const { step, done, goTo } = useWizard()
  return (
    <nav className="usa-step-indicator usa-step-indicator--counters-sm tw-stepper" aria-label="Steps">
      <ol className="usa-step-indicator__segments">
        {STEPS.map((s, i) => {
          const current = s.id === step
          const complete = done.has(s.id)
          const cls = current ? ' usa-step-indicator__segment--current' : complete ? ' usa-step-indicator__segment--complete' : ''
          return (
            <li key={s.id} className={`usa-step-indicator__segment${cls}`}>
              <button type="button" className="usa-button usa-button--unstyled tw-stepper__button" aria-current={current ? 'step' : undefined} onClick={() => goTo(s.id)}>
                <span className="usa-step-indicator__segment-label">
                  <span className="usa-sr-only">Step {i + 1}: </span>
                  {s.label}
                  {complete ? <span className="usa-sr-only"> (completed)</span> : null}
                </span>
              </button>
            </li>
          )
        })}
      </ol>
    </nav>
  )
}
