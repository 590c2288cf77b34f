import { useMemo } from 'react'
import type { DeviceKind } from '../../../../preload/api'
import { useAppStore } from '../../app-store'
import { Notice } from '../../components/app-error-alert'
import { CopyButton } from '../../components/copy-button'
import { SelectField, TextAreaField, TextField } from '../../components/field'
import { HelpPanel } from '../../components/help-panel'
import { StepHeading } from '../../components/step-heading'
import { STEP_HELP } from '../../help/help-texts'
import { maskIps, useIpMasked } from '../safe-mode/safe-mode-store'
import { StepNav } from '../wizard/step-nav'
import { STEPS, useWizard } from '../wizard/wizard-store'
import { checkRequest, DEVICE_LABELS, toMailto, toTicketText, type RequestField, type RequestFinding } from './request-model'
import { useRequestStore } from './request-store'

function firstOf(findings: readonly RequestFinding[], field: RequestField, severity: 'error' | 'warning'): string | undefined {
  const list = findings.filter((f) => f.field === field && f.severity === severity)
  if (list.length === 0) return undefined
  return list.map((f) => (f.fix ? `${f.message} ${f.fix}` : f.message)).join(' ')
}

/** Step 1: the request to the provider for a dedicated pool, checked as you type, turned into ticket text offline. */
export default function RequestStep() {
  const { draft, touched, submitted, set, touch, submit } = useRequestStore()
  const info = useAppStore((s) => s.info)
  const goTo = useWizard((s) => s.goTo)
  const masked = useIpMasked()
  const findings = useMemo(() => checkRequest(draft), [draft])
  const errors = findings.filter((f) => f.severity === 'error')
  const warnings = findings.filter((f) => f.severity === 'warning')
  // Errors show as you type once a field has content, after leaving it, or after "Write the ticket".
  const shown = (field: RequestField, key: keyof typeof draft) => (submitted || touched.has(key) || draft[key] !== '' ? firstOf(findings, field, 'error') : undefined)
  const ticket = toTicketText(draft)
  const ready = errors.length === 0
  const kinds: readonly DeviceKind[] = info?.deviceKinds ?? (Object.keys(DEVICE_LABELS) as DeviceKind[])

  return (
    <section aria-labelledby="step-request">
      <StepHeading id="step-request" number={1} total={STEPS.length}>
        Request a dedicated pool
      </StepHeading>
      <p className="usa-intro tw-intro">Start here if you have not yet received connection details from your provider.</p>
      <p className="tw-skip">
        Already have the details?{' '}
        <button type="button" className="usa-button usa-button--unstyled tw-skip__link" onClick={() => goTo('details')}>
          Go straight to Details
        </button>
      </p>
      <HelpPanel topic={STEP_HELP.request} />
      <form className="usa-form usa-form--large" noValidate onSubmit={(e) => { e.preventDefault(); submit() }} aria-label="Request">
        <TextField label="Connection name" required value={draft.name} onChange={(v) => set('name', v)} hint="Your own name for this connection, e.g. HQ to cloud.gov." error={submitted || touched.has('name') ? firstOf(findings, 'name', 'error') : undefined} onBlur={() => touch('name')} />
        <TextField label="cloud.gov organization" value={draft.organization} onChange={(v) => set('organization', v)} hint="The org your Org Admin manages (optional)." />
        <TextField
          label="Public IP address of your VPN endpoint"
          required
          type={masked ? 'password' : 'text'}
          value={draft.publicIp}
          onChange={(v) => set('publicIp', v.trim())}
          hint="The address the internet sees for your gateway (after NAT, if any)."
          error={shown('publicIp', 'publicIp')}
          onBlur={() => touch('publicIp')}
          warning={firstOf(findings, 'publicIp', 'warning')}
        />
        <button type="button" className="usa-button usa-button--unstyled" onClick={() => goTo('gateway')}>
          Detect it from the gateway over SSH…
        </button>
        <TextAreaField
          label="Private networks to connect (CIDRs)"
          required
          rows={4}
          value={draft.privateCidrs}
          onChange={(v) => set('privateCidrs', v)}
          hint="One per line, like 10.40.0.0/24."
          error={shown('privateCidrs', 'privateCidrs')}
          onBlur={() => touch('privateCidrs')}
        />
        <SelectField
          label="Type of VPN endpoint"
          required
          value={draft.endpointType}
          onChange={(v) => set('endpointType', v as typeof draft.endpointType)}
          options={[{ value: '', label: '- Select -' }, ...kinds.map((k) => ({ value: k, label: DEVICE_LABELS[k] })), { value: 'other', label: 'Other device (name it)' }]}
          error={submitted ? firstOf(findings, 'endpointType', 'error') : undefined}
        />
        {draft.endpointType === 'other' ? <TextField label="Device and software version" value={draft.endpointOther} onChange={(v) => set('endpointOther', v)} hint="e.g. Palo Alto PAN-OS 10.2, Cisco ASA 9.16" /> : null}
        <TextField label="Approximate number of applications" required inputMode="numeric" value={draft.appCount} onChange={(v) => set('appCount', v)} error={shown('appCount', 'appCount')} onBlur={() => touch('appCount')} className="usa-input--small" />
        <TextField label="Contact (optional)" value={draft.contact} onChange={(v) => set('contact', v)} hint="Name and e-mail for the provider to reply to." />
        {warnings.length > 0 ? (
          <div className="usa-alert usa-alert--warning" aria-labelledby="request-warnings-heading">
            <div className="usa-alert__body">
              <h3 className="usa-alert__heading" id="request-warnings-heading">
                Check before sending
              </h3>
              <ul className="usa-list" aria-label="Request warnings">
                {warnings.map((w) => (
                  <li key={w.message}>
                    {masked ? maskIps(w.message) : w.message} {w.fix}
                  </li>
                ))}
              </ul>
            </div>
          </div>
        ) : null}
        <button type="submit" className="usa-button">
          Write the ticket
        </button>
      </form>

      {submitted ? (
        <section aria-labelledby="ticket-heading" className="tw-ticket">
          <h3 id="ticket-heading">Support ticket</h3>
          {ready ? (
            <>
              <Notice type="success">The request has everything cloud.gov asks for. Send it from your Org Admin account.</Notice>
              <pre className="tw-pre" aria-label="Ticket text" tabIndex={0}>
                {masked ? maskIps(ticket) : ticket}
              </pre>
              {masked ? <p className="usa-hint">Addresses are hidden on screen (safe mode); copying, saving and the e-mail link use the real text.</p> : null}
              <ul className="usa-button-group">
                <li className="usa-button-group__item">
                  <CopyButton text={ticket} label="Copy ticket text" />
                </li>
                <li className="usa-button-group__item">
                  <a className="usa-button usa-button--outline" href={`data:text/plain;charset=utf-8,${encodeURIComponent(ticket)}`} download={`${(draft.name || 'request').replace(/[^A-Za-z0-9._-]+/g, '-')}-request.txt`}>
                    Save as text file
                  </a>
                </li>
                <li className="usa-button-group__item">
                  <a className="usa-button usa-button--outline" href={toMailto(draft)}>
                    Open in e-mail
                  </a>
                </li>
              </ul>
            </>
          ) : (
            <div className="usa-alert usa-alert--error" role="alert">
              <div className="usa-alert__body">
                <h4 className="usa-alert__heading">Fix {errors.length === 1 ? 'this' : `these ${errors.length}`} first</h4>
                <ul className="usa-list">
                  {errors.map((e) => (
                    <li key={e.message}>
                      {masked ? maskIps(e.message) : e.message} {e.fix}
                    </li>
                  ))}
                </ul>
              </div>
            </div>
          )}
        </section>
      ) : null}
      <StepNav step="request" continueLabel="Continue to Details" />
    </section>
  )
}
