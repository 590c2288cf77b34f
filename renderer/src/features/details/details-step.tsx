import { useEffect, useMemo, useRef, useState } from 'react'
import type { LintFinding } from '../../../../preload/api'
import { hasBridge } from '../../bridge/bridge'
import { AppErrorAlert, Notice } from '../../components/app-error-alert'
import { SelectField, TextAreaField, TextField } from '../../components/field'
import { HelpPanel } from '../../components/help-panel'
import { SecretField } from '../../components/secret-field'
import { StepHeading } from '../../components/step-heading'
import { STEP_HELP } from '../../help/help-texts'
import { parseIpv4, parsePrefix } from '../../net/ipv4'
import { useProfileStore } from '../profile/profile-store'
import { compareWithRequest, toCidrLines } from '../request/request-model'
import { useRequestStore } from '../request/request-store'
import { maskIps, useIpMasked } from '../safe-mode/safe-mode-store'
import { StepNav } from '../wizard/step-nav'
import { STEPS, useWizard } from '../wizard/wizard-store'
import { toDraft, useDetailsStore, type DetailsForm } from './details-store'

/** As-you-type check of one IPv4 address field (empty = not yet typed). */
function ipError(v: string, required: boolean): string | undefined {
  if (v.trim() === '') return required ? undefined : undefined
  return parseIpv4(v.trim()) === undefined ? `"${v.trim()}" is not an IPv4 address (like 198.51.100.7).` : undefined
}

/** As-you-type check of a CIDR list (one per line). */
function cidrListError(v: string, opts: { readonly slash30InLinkLocal?: boolean } = {}): string | undefined {
  for (const line of toCidrLines(v)) {
    const p = parsePrefix(line)
    if (!p) return `"${line}" is not an IPv4 CIDR (like 10.40.0.0/24).`
    if (p.text !== line) return `${line} has host bits set: use ${p.text}.`
    if (opts.slash30InLinkLocal && (p.bits !== 30 || !line.startsWith('169.254.'))) return `${line} must be a /30 inside 169.254.0.0/16.`
  }
  return undefined
}

function ipListError(v: string): string | undefined {
  for (const line of toCidrLines(v)) if (parseIpv4(line) === undefined) return `"${line}" is not an IPv4 address.`
  return undefined
}

/** Where in the form a lint finding's JSON pointer belongs. */
const POINTER_FIELDS: ReadonlyArray<[string, keyof DetailsForm | 'psk1' | 'psk2']> = [
  ['/gateway/publicIp', 'publicIp'],
  ['/gateway/privateCidrs', 'privateCidrs'],
  ['/remote/dedicatedCidrs', 'dedicatedCidrs'],
  ['/remote/egressIps', 'egressIps'],
  ['/remote/tunnels/0/outsideIp', 't1OutsideIp'],
  ['/remote/tunnels/0/insideCidr', 't1InsideCidr'],
  ['/remote/tunnels/0/psk', 'psk1'],
  ['/remote/tunnels/1/outsideIp', 't2OutsideIp'],
  ['/remote/tunnels/1/insideCidr', 't2InsideCidr'],
  ['/remote/tunnels/1/psk', 'psk2'],
]

function findingFor(findings: readonly LintFinding[], field: string, masked: boolean): string | undefined {
  const hits = findings.filter((f) => f.severity !== 'info' && POINTER_FIELDS.some(([ptr, fld]) => fld === field && f.path.startsWith(ptr)))
  if (hits.length === 0) return undefined
  return hits.map((f) => `${masked ? maskIps(f.message) : f.message} Fix: ${masked ? maskIps(f.fix) : f.fix}`).join(' ')
}

/** Step 2: the details the provider handed over — typed in or dropped in as a file — with inline lint. */
export default function DetailsStep() {
  const { form, findings, complete, linting, lintError, imported, importError, importing, set, load, importText, lint, clearImportId } = useDetailsStore()
  const request = useRequestStore((s) => s.draft)
  const { current, save, setSecret, clearSecret, error: profileError } = useProfileStore()
  const complete1 = useWizard((s) => s.complete)
  const masked = useIpMasked()
  const [over, setOver] = useState(false)
  const fileRef = useRef<HTMLInputElement>(null)

  // Carry over what the request asked for, once, into an empty form.
  useEffect(() => {
    if (form.name === '' && form.publicIp === '' && form.privateCidrs === '' && (request.name || request.publicIp || request.privateCidrs)) {
      load({ ...form, name: request.name, publicIp: request.publicIp, privateCidrs: request.privateCidrs })
    }
  }, [])

  // Lint through the real core shortly after typing stops.
  useEffect(() => {
    const t = setTimeout(() => void lint(), 400)
    return () => clearTimeout(t)
  }, [form, lint])

  const requestDiffs = useMemo(() => compareWithRequest(request, { publicIp: form.publicIp, privateCidrs: toCidrLines(form.privateCidrs) }), [request, form.publicIp, form.privateCidrs])
  const localErrors = {
    publicIp: ipError(form.publicIp, true),
    privateCidrs: cidrListError(form.privateCidrs),
    dedicatedCidrs: cidrListError(form.dedicatedCidrs),
    egressIps: ipListError(form.egressIps),
    t1OutsideIp: ipError(form.t1OutsideIp, true),
    t1InsideCidr: cidrListError(form.t1InsideCidr, { slash30InLinkLocal: true }),
    t2OutsideIp: ipError(form.t2OutsideIp, true),
    t2InsideCidr: cidrListError(form.t2InsideCidr, { slash30InLinkLocal: true }),
  }
  const hasLocalErrors = Object.values(localErrors).some(Boolean)
  const errorsCount = findings.filter((f) => f.severity === 'error').length
  const ipType = masked ? 'password' : 'text'

  const ensureProfile = async () => useProfileStore.getState().current ?? (await save({ details: toDraft(form), name: form.name || 'Unnamed connection', ...(imported?.importId ? { adoptImport: imported.importId } : {}) }, { details: toDraft(form), name: form.name || 'Unnamed connection' }))
  const storePsk = (slot: 'psk1' | 'psk2') => async (value: string) => {
    const p = await ensureProfile()
    if (!p) return false
    return setSecret(slot, value)
  }
  const saveAndContinue = async () => {
    const p = await save({ details: toDraft(form), name: form.name || 'Unnamed connection', ...(imported?.importId ? { adoptImport: imported.importId } : {}) }, { details: toDraft(form), name: form.name || 'Unnamed connection' })
    if (p) {
      clearImportId()
      complete1('details')
    }
  }
  const readFile = (file: File) => {
    void file.text().then((t) => importText(file.name, t))
  }

  const field = (key: keyof typeof localErrors) => ({ error: localErrors[key], warning: findingFor(findings, key, masked) })

  return (
    <section aria-labelledby="step-details">
      <StepHeading id="step-details" number={2} total={STEPS.length}>
        Connection details
      </StepHeading>
      <p className="usa-intro">Enter what your provider sent, or drop in the file they sent.</p>
      <HelpPanel topic={STEP_HELP.details} />

      <div
        className={`tw-dropzone${over ? ' tw-dropzone--over' : ''}`}
        onDragOver={(e) => {
          e.preventDefault()
          setOver(true)
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault()
          setOver(false)
          const f = e.dataTransfer.files[0]
          if (f) readFile(f)
        }}
      >
        <label className="usa-label margin-top-0" htmlFor="details-file">
          Import a details file, AWS configuration XML or AWS text download
        </label>
        <span className="usa-hint" id="details-file-hint">
          Drop the file here or choose it. It is read on this computer; keys found in it go straight to the app's encrypted store.
        </span>
        <input ref={fileRef} id="details-file" className="usa-file-input__input tw-file" type="file" accept=".json,.xml,.txt,application/json,text/xml,text/plain" aria-describedby="details-file-hint" onChange={(e) => {
          const f = e.target.files?.[0]
          if (f) readFile(f)
          e.target.value = ''
        }} />
        {importing ? <p role="status">Reading the file…</p> : null}
        {importError ? <AppErrorAlert error={importError} heading="The file could not be imported" /> : null}
        {imported ? (
          <Notice type="success">
            Imported {imported.fileName}.{' '}
            {imported.secretsFound.psk1 || imported.secretsFound.psk2 ? `Pre-shared keys found: tunnel 1 ${imported.secretsFound.psk1 ? 'yes' : 'no'}, tunnel 2 ${imported.secretsFound.psk2 ? 'yes' : 'no'} (they are stored when you save).` : 'No pre-shared keys in the file.'}
            {imported.needs.length > 0 ? ` Still needed: ${imported.needs.map((n) => n.what).join('; ')}.` : ''}
          </Notice>
        ) : null}
      </div>

      {requestDiffs.length > 0 ? (
        <div className="usa-alert usa-alert--warning" aria-labelledby="req-diff-heading">
          <div className="usa-alert__body">
            <h3 className="usa-alert__heading" id="req-diff-heading">
              Not what you asked for
            </h3>
            <ul className="usa-list" aria-label="Differences from the request">
              {requestDiffs.map((d) => (
                <li key={d}>{masked ? maskIps(d) : d}</li>
              ))}
            </ul>
          </div>
        </div>
      ) : null}

      <form className="usa-form usa-form--large" noValidate aria-label="Details" onSubmit={(e) => e.preventDefault()}>
        <TextField label="Connection name" value={form.name} onChange={(v) => set('name', v)} />
        <SelectField label="Provider" value={form.provider} onChange={(v) => set('provider', v as 'cloud.gov' | 'aws')} options={[{ value: 'cloud.gov', label: 'cloud.gov' }, { value: 'aws', label: 'Another AWS Site-to-Site VPN' }]} />
        <fieldset className="usa-fieldset">
          <legend className="usa-legend usa-legend--large">Your side</legend>
          <TextField label="Gateway public IP" type={ipType} value={form.publicIp} onChange={(v) => set('publicIp', v.trim())} hint="The customer gateway address AWS knows." {...field('publicIp')} />
          <TextAreaField label="Private networks (CIDRs)" value={form.privateCidrs} onChange={(v) => set('privateCidrs', v)} hint="One per line." {...field('privateCidrs')} />
        </fieldset>
        <fieldset className="usa-fieldset">
          <legend className="usa-legend usa-legend--large">Provider side</legend>
          <TextAreaField label="Dedicated subnet CIDRs" value={form.dedicatedCidrs} onChange={(v) => set('dedicatedCidrs', v)} hint="The provider's dedicated subnet, one per line." {...field('dedicatedCidrs')} />
          <TextAreaField label="Egress IPs of the dedicated pool" value={form.egressIps} onChange={(v) => set('egressIps', v)} hint="Optional, one per line." {...field('egressIps')} />
        </fieldset>
        {([1, 2] as const).map((n) => {
          const o = n === 1 ? 't1OutsideIp' : 't2OutsideIp'
          const i = n === 1 ? 't1InsideCidr' : 't2InsideCidr'
          const slot = n === 1 ? 'psk1' : 'psk2'
          return (
            <fieldset className="usa-fieldset" key={n}>
              <legend className="usa-legend usa-legend--large">Tunnel {n}</legend>
              <TextField label={`Tunnel ${n} outside IP`} type={ipType} value={form[o]} onChange={(v) => set(o, v.trim())} hint="The AWS endpoint's public address." {...field(o)} />
              <TextField label={`Tunnel ${n} inside CIDR`} value={form[i]} onChange={(v) => set(i, v.trim())} hint="A /30 in 169.254.0.0/16, like 169.254.10.0/30." {...field(i)} />
              <SecretField
                label={`Tunnel ${n} pre-shared key`}
                hint="Sent to the app's encrypted store once; never shown again."
                isSet={current?.hasSecret[slot] ?? false}
                onStore={storePsk(slot)}
                onClear={() => void clearSecret(slot)}
                disabledReason={findingFor(findings, slot, true)}
              />
            </fieldset>
          )
        })}
        <details className="tw-help">
          <summary className="tw-help__summary">Advanced: routing and encryption</summary>
          <SelectField label="Routing" value={form.routing} onChange={(v) => set('routing', v as DetailsForm['routing'])} hint="Auto picks route-based when the gateway's kernel supports it." options={[{ value: 'auto', label: 'Automatic' }, { value: 'route', label: 'Route-based (XFRM/VTI, both tunnels up)' }, { value: 'policy', label: 'Policy-based (one tunnel active)' }]} />
          <SelectField label="IKE version" value={String(form.crypto.ikeVersion)} onChange={(v) => set('crypto', { ...form.crypto, ikeVersion: v === '2' ? 2 : 1 })} options={[{ value: '1', label: 'IKEv1 (cloud.gov)' }, { value: '2', label: 'IKEv2 (if the provider allows)' }]} />
          <SelectField label="Encryption" value={form.crypto.encryption} onChange={(v) => set('crypto', { ...form.crypto, encryption: v as DetailsForm['crypto']['encryption'] })} options={['aes256', 'aes128', 'aes256gcm16', 'aes128gcm16', '3des'].map((x) => ({ value: x, label: x }))} />
          <SelectField label="Integrity" value={form.crypto.integrity} onChange={(v) => set('crypto', { ...form.crypto, integrity: v as DetailsForm['crypto']['integrity'] })} options={['sha256', 'sha384', 'sha512', 'sha1', 'md5'].map((x) => ({ value: x, label: x }))} />
          <TextField label="DH group (IKE)" inputMode="numeric" value={String(form.crypto.dhGroup)} onChange={(v) => set('crypto', { ...form.crypto, dhGroup: Number(v) || 0 })} />
          <TextField label="PFS group" inputMode="numeric" value={String(form.crypto.pfsGroup)} onChange={(v) => set('crypto', { ...form.crypto, pfsGroup: Number(v) || 0 })} />
          <TextField label="Health-check target" value={form.healthTarget} onChange={(v) => set('healthTarget', v.trim())} hint="An address in the dedicated subnet to probe (optional)." error={ipError(form.healthTarget, false)} />
        </details>
      </form>

      <section aria-labelledby="lint-heading" className="margin-top-4">
        <h3 id="lint-heading">Checks on these details</h3>
        <p role="status" className="usa-hint">
          {linting ? 'Checking…' : lintError ? '' : findings.length === 0 ? (complete ? 'No problems found.' : 'Fill in the fields above.') : `${findings.length} finding${findings.length === 1 ? '' : 's'}, ${errorsCount} blocking.`}
        </p>
        {lintError ? <AppErrorAlert error={lintError} heading="The details could not be checked" /> : null}
        {findings.length > 0 ? (
          <ul className="usa-list usa-list--unstyled" aria-label="Lint findings">
            {findings.map((f) => (
              <li key={`${f.id}${f.path}`} className="margin-bottom-2">
                <div className={`usa-alert usa-alert--slim usa-alert--${f.severity === 'error' ? 'error' : f.severity === 'warning' ? 'warning' : 'info'}`}>
                  <div className="usa-alert__body">
                    <p className="usa-alert__text">
                      <strong>{masked ? maskIps(f.message) : f.message}</strong> {f.why} <strong>Fix:</strong> {masked ? maskIps(f.fix) : f.fix}
                    </p>
                  </div>
                </div>
              </li>
            ))}
          </ul>
        ) : null}
      </section>
      {profileError ? <AppErrorAlert error={profileError} heading="The connection could not be saved" /> : null}
      {!hasBridge('saveProfile') ? <Notice type="info">Saving connections is not available in this build yet.</Notice> : null}
      <StepNav step="details" continueLabel="Save and continue" canContinue={!hasLocalErrors} onContinue={() => void saveAndContinue()} />
    </section>
  )
}
