import { useId, useState } from 'react'
import type { AppError, VendorKind, VendorPreviewDto } from '../../../../preload/api'
import { call } from '../../bridge/bridge'
import { AppErrorAlert } from '../../components/app-error-alert'
import { CopyButton } from '../../components/copy-button'
import { toDraft, useDetailsStore } from '../details/details-store'
import { maskIps, useIpMasked } from '../safe-mode/safe-mode-store'

/** The vendor devices, in the order cloud.gov's page lists them. */
export const VENDOR_LABELS: Readonly<Record<VendorKind, string>> = {
  'cisco-asa': 'Cisco ASA (8.4+ / 9.x)',
  'cisco-ios': 'Cisco IOS / IOS-XE',
  fortigate: 'Fortinet FortiGate (FortiOS 6.x–7.x)',
  'juniper-srx': 'Juniper SRX (Junos)',
  paloalto: 'Palo Alto Networks (PAN-OS 9–11)',
  'windows-server': 'Windows Server (RRAS, PowerShell)',
}

const BASIS = { details: 'as the details say', override: 'as chosen', platform: 'what this device does with these details' } as const

/** Pick a vendor device; see its configuration (keys cut), the steps in order, and copy or save it. Nothing connects to the device. */
export function VendorConfigSection() {
  const selectId = useId()
  const [device, setDevice] = useState<VendorKind | ''>('')
  const [preview, setPreview] = useState<VendorPreviewDto>()
  const [error, setError] = useState<AppError>()
  const [busy, setBusy] = useState(false)
  const masked = useIpMasked()
  const show = (t: string) => (masked ? maskIps(t) : t)
  const render = async () => {
    if (device === '') {
      setError({ code: 'no-device', message: 'Choose the device first.', fix: 'Pick your device in the list, then show its configuration.' })
      return
    }
    setBusy(true)
    const r = await call('previewVendor', { draft: toDraft(useDetailsStore.getState().form), device })
    setBusy(false)
    if (r.ok) {
      setPreview(r.value)
      setError(undefined)
    } else {
      setPreview(undefined)
      setError(r.error)
    }
  }
  const file = preview?.files[0]
  return (
    <section aria-labelledby="vendor-heading" className="margin-top-4 tw-vendor">
      <h3 id="vendor-heading" className="tw-section-title">
        A vendor device instead: the configuration to paste
      </h3>
      <p className="usa-hint">For Cisco, Palo Alto, Fortinet, Juniper and Windows Server gateways Tunnelwright writes the configuration and the steps; you paste it on the device yourself. Nothing connects to the device.</p>
      <div className="usa-form-group">
        <label className="usa-label" htmlFor={selectId}>
          Device
        </label>
        <select
          id={selectId}
          className="usa-select"
          value={device}
          onChange={(e) => {
            setDevice(e.target.value as VendorKind | '')
            setPreview(undefined)
          }}
        >
          <option value="">- Select -</option>
          {(Object.keys(VENDOR_LABELS) as VendorKind[]).map((k) => (
            <option key={k} value={k}>
              {VENDOR_LABELS[k]}
            </option>
          ))}
        </select>
      </div>
      <button type="button" className="usa-button margin-top-1" disabled={busy} onClick={() => void render()}>
        {busy ? 'Writing the configuration…' : 'Show the configuration'}
      </button>
      {error ? <AppErrorAlert error={error} heading="The configuration could not be written" /> : null}
      {preview && file ? (
        <div className="margin-top-2">
          <p className="tw-summary-line">
            {VENDOR_LABELS[preview.kind]} {preview.version}, <strong>{preview.routing === 'route' ? 'route-based' : 'policy-based'}</strong> ({BASIS[preview.routingBasis]}); the tunnels are {preview.connectionNames.join(' and ')}.
          </p>
          <h4 className="tw-card__title">Steps, in order</h4>
          <ol className="usa-list" aria-label="Steps, in order">
            {preview.steps.map((s) => (
              <li key={s}>{show(s)}</li>
            ))}
          </ol>
          <h4 className="tw-card__title">
            <code>{file.path}</code>
          </h4>
          {file.role ? <p className="tw-file-change__role">{file.role}</p> : null}
          <p className="usa-hint">The pre-shared keys are cut ([redacted: the pre-shared key]): put each tunnel&apos;s key from the provider&apos;s details in its place before pasting. The command-line render --device writes the file with the keys.</p>
          <div className="tw-actions">
            <CopyButton text={file.content} label="Copy the configuration" />
            <a className="usa-button usa-button--outline" href={`data:text/plain;charset=utf-8,${encodeURIComponent(file.content)}`} download={file.path.replace(/[^A-Za-z0-9._-]+/g, '-')}>
              Save as a file
            </a>
          </div>
          <pre className="tw-diff" aria-label={`Configuration for ${VENDOR_LABELS[preview.kind]}`} tabIndex={0}>
            {show(file.content)}
          </pre>
          {preview.notes.length > 0 ? (
            <details className="tw-more margin-top-2">
              <summary>Notes on this configuration ({preview.notes.length})</summary>
              <ul className="usa-list">
                {preview.notes.map((n) => (
                  <li key={n}>{show(n)}</li>
                ))}
              </ul>
            </details>
          ) : null}
        </div>
      ) : null}
    </section>
  )
}
