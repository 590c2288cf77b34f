import type { ReactNode } from 'react'
import { STEPS, useWizard, type StepId } from './wizard-store'

/** Back / continue buttons at the foot of a step. */
export function StepNav({ step, canContinue = true, continueLabel = 'Continue', onContinue, extra }: { readonly step: StepId; readonly canContinue?: boolean; readonly continueLabel?: string; readonly onContinue?: () => void; readonly extra?: ReactNode }) {
  const { goTo, complete } = useWizard()
  const i = STEPS.findIndex((s) => s.id === step)
  const prev = i > 0 ? STEPS[i - 1] : undefined
  return (
    <div className="tw-step-nav">
      <ul className="usa-button-group">
        {prev ? (
          <li className="usa-button-group__item">
            <button type="button" className="usa-button usa-button--outline" onClick={() => goTo(prev.id)}>
              Back to {prev.label}
            </button>
          </li>
        ) : null}
        {extra}
        {i < STEPS.length - 1 ? (
          <li className="usa-button-group__item">
            <button type="button" className="usa-button" disabled={!canContinue} aria-disabled={!canContinue} onClick={() => (onContinue ? onContinue() : complete(step))}>
              {continueLabel}
            </button>
          </li>
        ) : null}
      </ul>
    </div>
  )
}
