import { lazy, Suspense, useEffect } from 'react'
import { useAppStore } from './app-store'
import { Announcer } from './components/announcer'
import { AppErrorAlert } from './components/app-error-alert'
import RequestStep from './features/request/request-step'
import { SafeModeToggle } from './features/safe-mode/safe-mode-toggle'
import { Stepper } from './features/wizard/stepper'
import { useWizard, type StepId } from './features/wizard/wizard-store'

// The first step is in the entry chunk; every later step (and uPlot with Status) loads on demand.
const DetailsStep = lazy(() => import('./features/details/details-step'))
const GatewayStep = lazy(() => import('./features/gateway/gateway-step'))
const ChecksStep = lazy(() => import('./features/checks/checks-step'))
const ReviewStep = lazy(() => import('./features/review/review-step'))
const ApplyStep = lazy(() => import('./features/apply/apply-step'))
const StatusStep = lazy(() => import('./features/status/status-step'))

function CurrentStep({ step }: { readonly step: StepId }) {
  switch (step) {
    case 'request':
      return <RequestStep />
    case 'details':
      return <DetailsStep />
    case 'gateway':
      return <GatewayStep />
    case 'checks':
      return <ChecksStep />
    case 'review':
      return <ReviewStep />
    case 'apply':
      return <ApplyStep />
    case 'status':
      return <StatusStep />
  }
}

/** The application frame: header with safe mode, the step indicator, the current step, and the About footer. */
export function App() {
  const { info, error, load } = useAppStore()
  const step = useWizard((s) => s.step)
  useEffect(() => {
    void load()
  }, [load])

  return (
    <>
      <a className="usa-skipnav" href="#main-content">
        Skip to main content
      </a>
      <header className="tw-header">
        <div className="tw-header__inner">
          <div>
            <h1 className="tw-header__title">Tunnelwright</h1>
            <p className="tw-header__version">{info ? `Version ${info.version} · details format ${info.detailsFormat}` : error ? error.message : 'Loading…'}</p>
          </div>
          <SafeModeToggle />
        </div>
      </header>
      <div className="tw-body">
        <Stepper />
        <main id="main-content" className="tw-main" tabIndex={-1}>
          {error ? <AppErrorAlert error={error} heading="The app could not start its core" /> : null}
          <Suspense fallback={<p role="status">Loading the step…</p>}>
            <CurrentStep step={step} />
          </Suspense>
        </main>
      </div>
      <footer className="tw-footer">
        <h2 className="tw-footer__heading">About</h2>
        <p>Works offline. Nothing leaves this computer except the SSH session to your own gateway.</p>
        <h3 className="tw-footer__heading">Supported gateways: configured and applied over SSH</h3>
        <ul aria-label="Supported gateways" className="tw-inline-list">
          {info?.deviceKinds.map((k) => <li key={k}>{k}</li>)}
        </ul>
        <h3 className="tw-footer__heading">Vendor devices: configuration to paste, and read-only status over SSH</h3>
        <ul aria-label="Vendor devices" className="tw-inline-list">
          {info?.vendorKinds.map((k) => <li key={k}>{k}</li>)}
        </ul>
      </footer>
      <Announcer />
    </>
  )
}
