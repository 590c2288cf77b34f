import { useEffect, useMemo, useRef, useState } from 'react'
import type { LintFinding } from '../../../../preload/api'
import { hasBridge } from '../../bridge/bridge'
import { useAnnouncer } from '../../components/announcer'
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
import { ADVANCED_FIELDS, checkTypedPsk, toFindingField, toFormWords, type FormField } from './details-findings'
import { toDraft, useDetailsStore, type DetailsForm, type PskSlot } from './details-store'

/** As-you-type check of one IPv4 address field (empty = not yet typed). */
function ipError(v: string): string | undefined {
  if (v.trim() === '') return undefined
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

/** As-you-type check of a whole number in a range (the details schema's). */
function numberError(v: number, min: number, max: number): string | undefined {
  return Number.isInteger(v) && v >= min && v <= max ? undefined : `Type a whole number from ${min} to ${max}.`
}

/** A whole number typed into a number field, or NaN while it is not one (lint then says so on the field). */
function toWhole(v: string): number {
  const t = v.trim()
  return /^\d{1,6}$/.test(t) ? Number(t) : Number.NaN
}

/** The DOM id of a form field, so the findings summary can link to it. */
function fieldId(field: FormField): string {
  return `details-${field}`
}

const SEVERITY_WORDS = { error: 'Problem', warning: 'Warning', info: 'Note' } as const

/** Step 2: the details the provider handed over — typed in or imported from a file — with lint as you type. */
export default function DetailsStep() {
  const { form, pendingPsk, findings, complete, linting, lintError, imported, choice, importError, importing, pick, pickConnection, set, setPendingPsk, load, importText, choose, lint, settleSaved } = useDetailsStore()
  const request = useRequestStore((s) => s.draft)
  const { current, save, setSecret, clearSecret, error: profileError } = useProfileStore()
  const completeStep = useWizard((s) => s.complete)
  const announce = useAnnouncer((s) => s.announce)
  const masked = useIpMasked()
  const [over, setOver] = useState(false)
  const [attempted, setAttempted] = useState(false)
  const [saving, setSaving] = useState(false)
  const [advancedOpen, setAdvancedOpen] = useState(false)
  const saveErrorRef = useRef<HTMLDivElement>(null)
  const show = (t: string) => (masked ? maskIps(t) : t)

  // An import that needs a decision takes focus, so keyboard and screen-reader users meet the question first.
  const choiceRef = useRef<HTMLHeadingElement>(null)
  useEffect(() => {
    if (choice) choiceRef.current?.focus()
  }, [choice])

  // Carry over what the request asked for, once, into an empty form.
  useEffect(() => {
    if (form.name === '' && form.publicIp === '' && form.privateCidrs === '' && (request.name || request.publicIp || request.privateCidrs)) {
      load({ ...form, name: request.name, publicIp: request.publicIp, privateCidrs: request.privateCidrs })
    }
  }, [])

  // Lint through the real core shortly after typing stops: partial forms too (what is missing is a finding).
  const profileId = current?.id
  useEffect(() => {
    const t = setTimeout(() => void lint(profileId), 400)
    return () => clearTimeout(t)
  }, [form, lint, profileId])

  const requestDiffs = useMemo(() => compareWithRequest(request, { publicIp: form.publicIp, privateCidrs: toCidrLines(form.privateCidrs) }), [request, form.publicIp, form.privateCidrs])
  const localErrors: Partial<Record<FormField, string | undefined>> = {
    publicIp: ipError(form.publicIp),
    privateCidrs: cidrListError(form.privateCidrs),
    dedicatedCidrs: cidrListError(form.dedicatedCidrs),
    egressIps: ipListError(form.egressIps),
    t1OutsideIp: ipError(form.t1OutsideIp),
    t1InsideCidr: cidrListError(form.t1InsideCidr, { slash30InLinkLocal: true }),
    t2OutsideIp: ipError(form.t2OutsideIp),
    t2InsideCidr: cidrListError(form.t2InsideCidr, { slash30InLinkLocal: true }),
    healthTarget: ipError(form.healthTarget),
    psk1: checkTypedPsk(pendingPsk.psk1),
    psk2: checkTypedPsk(pendingPsk.psk2),
    dhGroup: numberError(form.crypto.dhGroup, 1, 32),
    pfsGroup: numberError(form.crypto.pfsGroup, 0, 32),
    ikeLifetime: numberError(form.crypto.ikeLifetime, 60, 86400),
    ipsecLifetime: numberError(form.crypto.ipsecLifetime, 60, 86400),
  }
  const hasLocalErrors = Object.values(localErrors).some(Boolean)
  // A connection is saved once both tunnels' addresses are there (the rest can follow; lint lists it).
  const saveNeeds = ([['t1OutsideIp', 'Tunnel 1 outside IP'], ['t1InsideCidr', 'Tunnel 1 inside CIDR'], ['t2OutsideIp', 'Tunnel 2 outside IP'], ['t2InsideCidr', 'Tunnel 2 inside CIDR']] as const).filter(([k]) => form[k].trim() === '')

  // The PSK findings: a key typed (or waiting in an imported file) replaces what the profile has stored.
  const incoming = (slot: PskSlot) => pendingPsk[slot] !== '' || (imported?.adopt[slot] ?? false)
  const shownFindings: LintFinding[] = useMemo(() => {
    const out = findings.filter((f) => {
      const field = toFindingField(f)?.field
      return !((field === 'psk1' || field === 'psk2') && incoming(field))
    })
    if (!current) {
      ;(['psk1', 'psk2'] as const).forEach((slot, i) => {
        if (!incoming(slot)) out.push({ id: 'psk-not-set', severity: 'error', path: `/remote/tunnels/${i}/psk`, message: `Tunnel ${i + 1}'s pre-shared key is not set.`, why: 'Without the pre-shared key the gateway cannot authenticate to AWS.', fix: `Type tunnel ${i + 1}'s pre-shared key; the provider sends it, usually through a separate secure channel.` })
      })
    }
    return out
  }, [findings, current, pendingPsk, imported])

  const missing = shownFindings.filter((f) => f.id === 'details-missing' || f.id === 'psk-not-set')
  const problems = shownFindings.filter((f) => !missing.includes(f))
  const errorsCount = problems.filter((f) => f.severity === 'error').length
  const fieldFindings = (field: FormField) => shownFindings.filter((f) => f.severity !== 'info' && toFindingField(f)?.field === field && (attempted || (f.id !== 'details-missing' && f.id !== 'psk-not-set')))
  const field = (key: FormField) => {
    const hits = fieldFindings(key)
    const local = localErrors[key] ?? (attempted && saveNeeds.some(([k]) => k === key) ? 'Needed before the connection can be saved.' : undefined)
    const err = local ?? hits.filter((f) => f.severity === 'error').map((f) => show(toFormWords(f.message))).join(' ')
    const warn = hits.filter((f) => f.severity === 'warning').map((f) => `${show(toFormWords(f.message))} ${show(toFormWords(f.fix))}`).join(' ')
    return { id: fieldId(key), error: err || undefined, warning: warn || undefined }
  }
  // The Advanced section opens by itself when a finding points into it (an MD5 or DH 2 must not hide there).
  const advancedHit = shownFindings.some((f) => f.severity !== 'info' && ADVANCED_FIELDS.has(toFindingField(f)?.field ?? 'name'))
  useEffect(() => {
    if (advancedHit) setAdvancedOpen(true)
  }, [advancedHit])

  const ipType = masked ? 'password' : 'text'
  const name = form.name.trim() || 'Unnamed connection'

  const saveAndContinue = async () => {
    setAttempted(true)
    if (hasLocalErrors || saveNeeds.length > 0 || saving) {
      requestAnimationFrame(() => saveErrorRef.current?.focus())
      return
    }
    setSaving(true)
    const adoptSlots = (['psk1', 'psk2'] as const).filter((s) => imported?.adopt[s] && pendingPsk[s] === '')
    const p = await save({ details: toDraft(form), name, ...(imported?.importId && adoptSlots.length > 0 ? { adoptImport: imported.importId, adoptSlots } : {}) }, { details: toDraft(form), name })
    if (!p) {
      setSaving(false)
      saveErrorRef.current?.focus()
      return
    }
    // Typed keys go to the encrypted store now; one that cannot be stored keeps the step open and says why.
    const stored: PskSlot[] = [...adoptSlots]
    for (const slot of ['psk1', 'psk2'] as const) {
      if (pendingPsk[slot] === '') continue
      if (!(await setSecret(slot, pendingPsk[slot]))) {
        settleSaved(stored)
        setSaving(false)
        announce(`Tunnel ${slot === 'psk1' ? 1 : 2} pre-shared key was not stored.`, true)
        saveErrorRef.current?.focus()
        return
      }
      stored.push(slot)
    }
    settleSaved(stored)
    setSaving(false)
    announce(`Saved${stored.length > 0 ? `, with ${stored.length === 2 ? 'both pre-shared keys' : `tunnel ${stored[0] === 'psk1' ? 1 : 2}'s pre-shared key`}` : ''}.`)
    completeStep('details')
  }
  const readFile = (file: File) => {
    void file.text().then((t) => importText(file.name, t, { psk1: current?.hasSecret.psk1 ?? false, psk2: current?.hasSecret.psk2 ?? false }))
  }
  const goToField = (f: LintFinding) => {
    const target = toFindingField(f)?.field
    if (!target) return
    if (ADVANCED_FIELDS.has(target)) setAdvancedOpen(true)
    requestAnimationFrame(() => document.getElementById(fieldId(target))?.focus())
  }

  const pskField = (slot: PskSlot, n: 1 | 2) => (
    <SecretField
      id={fieldId(slot)}
      label={`Tunnel ${n} pre-shared key`}
      hint="Never shown again once stored."
      stored={current?.hasSecret[slot] ?? false}
      value={pendingPsk[slot]}
      onChange={(v) => setPendingPsk(slot, v)}
      storedWhen="when you save"
      fromFile={imported?.adopt[slot] ? (imported.keysFrom ?? imported.fileName) : undefined}
      onForget={() => void clearSecret(slot)}
      error={localErrors[slot] ?? field(slot).error}
      warning={field(slot).warning}
    />
  )

  return (
    <section aria-labelledby="step-details">
      <StepHeading id="step-details" number={2} total={STEPS.length}>
        Connection details
      </StepHeading>
      <p className="usa-intro">Enter what your provider sent, or import the file they sent.</p>
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
        <label className="usa-label margin-top-0 tw-label-strong" htmlFor="details-file">
          Import a details file, AWS configuration XML or AWS text download
        </label>
        <p className="usa-hint margin-top-05" id="details-file-hint">
          Read on this computer. It fills the empty fields and asks before replacing anything you typed; keys in it are stored, encrypted, when you save.
        </p>
        <div className="tw-file">
          <input
            id="details-file"
            className="tw-file__input"
            type="file"
            accept=".json,.xml,.txt,application/json,text/xml,text/plain"
            aria-describedby="details-file-hint"
            onChange={(e) => {
              const f = e.target.files?.[0]
              if (f) readFile(f)
              e.target.value = ''
            }}
          />
          <label htmlFor="details-file" className="usa-button usa-button--outline tw-file__button" aria-hidden="true">
            Choose a file…
          </label>
          <span className="tw-file__or" aria-hidden="true">
            or drop it here
          </span>
        </div>
        {importing ? <p role="status">Reading the file…</p> : null}
        {importError ? <AppErrorAlert error={importError} heading="The file could not be imported" /> : null}
        {pick ? (
          <section className="usa-alert usa-alert--info tw-pick" aria-labelledby="pick-heading">
            <div className="usa-alert__body">
              <h3 className="usa-alert__heading" id="pick-heading">
                {pick.fileName} lists {pick.connections.length} VPN connections: which one is this gateway's?
              </h3>
              <ul className="usa-list usa-list--unstyled">
                {pick.connections.map((c) => (
                  <li key={c.position}>
                    <button type="button" className="usa-button usa-button--outline" onClick={() => void pickConnection(c.position)}>
                      Import {c.vpnConnectionId}
                      {c.name ? ` (${c.name})` : ''}
                    </button>{' '}
                    {[c.routing === 'bgp' ? 'BGP' : c.routing === 'static' ? 'static routing' : undefined, c.state, c.gatewayId, c.outsideIps.length > 0 ? `tunnels ${show(c.outsideIps.join(' and '))}` : undefined].filter(Boolean).join(', ')}
                  </li>
                ))}
              </ul>
            </div>
          </section>
        ) : null}
        {imported && !importError ? (
          <Notice type="success">
            Imported {imported.fileName}
            {imported.filled.length === 0 ? ': nothing new for the fields.' : imported.filled.length <= 4 ? `: filled ${imported.filled.join(', ')}.` : `: filled ${imported.filled.length} fields.`}{' '}
            {imported.adopt.psk1 || imported.adopt.psk2 ? `Pre-shared keys from ${imported.keysFrom && imported.keysFrom !== imported.fileName ? imported.keysFrom : 'the file'} for ${imported.adopt.psk1 && imported.adopt.psk2 ? 'both tunnels' : `tunnel ${imported.adopt.psk1 ? 1 : 2}`}: stored when you save.` : imported.secretsFound.psk1 || imported.secretsFound.psk2 ? '' : 'No pre-shared keys in the file.'}
          </Notice>
        ) : null}
      </div>

      {choice ? (
        <section className="usa-alert usa-alert--warning tw-choice" aria-labelledby="choice-heading">
          <div className="usa-alert__body">
            <h3 className="usa-alert__heading" id="choice-heading" tabIndex={-1} ref={choiceRef}>
              {choice.fileName} differs from what you entered
            </h3>
            <p className="usa-alert__text">Nothing you entered was replaced. Choose which values to keep:</p>
            <table className="usa-table usa-table--borderless usa-table--compact tw-choice__table">
              <caption className="usa-sr-only">Fields where the file and your entries differ</caption>
              <thead>
                <tr>
                  <th scope="col">Field</th>
                  <th scope="col">You entered</th>
                  <th scope="col">In the file</th>
                </tr>
              </thead>
              <tbody>
                {choice.conflicts.map((c) => (
                  <tr key={c.key}>
                    <th scope="row">{c.label}</th>
                    <td>{show(c.mine)}</td>
                    <td>{show(c.theirs)}</td>
                  </tr>
                ))}
                {choice.pskConflicts.map((slot) => (
                  <tr key={slot}>
                    <th scope="row">Tunnel {slot === 'psk1' ? 1 : 2} pre-shared key</th>
                    <td>{pendingPsk[slot] !== '' ? 'the key you typed (not shown)' : 'the stored key (not shown)'}</td>
                    <td>the file's key (not shown)</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <ul className="usa-button-group">
              <li className="usa-button-group__item">
                <button type="button" className="usa-button" onClick={() => choose(false)}>
                  Keep what I entered
                </button>
              </li>
              <li className="usa-button-group__item">
                <button type="button" className="usa-button usa-button--outline" onClick={() => choose(true)}>
                  Use the file's values
                </button>
              </li>
            </ul>
          </div>
        </section>
      ) : null}

      {requestDiffs.length > 0 ? (
        <div className="usa-alert usa-alert--warning usa-alert--slim" aria-labelledby="req-diff-heading">
          <div className="usa-alert__body">
            <h3 className="usa-alert__heading" id="req-diff-heading">
              Not what you asked for
            </h3>
            <ul className="usa-list" aria-label="Differences from the request">
              {requestDiffs.map((d) => (
                <li key={d}>{show(d)}</li>
              ))}
            </ul>
          </div>
        </div>
      ) : null}

      <form className="usa-form tw-form" noValidate aria-label="Details" onSubmit={(e) => e.preventDefault()}>
        <div className="tw-form__row">
          <TextField label="Connection name" value={form.name} onChange={(v) => set('name', v)} {...field('name')} />
          <SelectField label="Provider" value={form.provider} onChange={(v) => set('provider', v as 'cloud.gov' | 'aws')} options={[{ value: 'cloud.gov', label: 'cloud.gov' }, { value: 'aws', label: 'Another AWS Site-to-Site VPN' }]} {...field('provider')} />
        </div>
        <div className="tw-form__cols">
          <fieldset className="usa-fieldset tw-fieldset">
            <legend className="usa-legend tw-legend">Your side</legend>
            <TextField label="Gateway public IP" type={ipType} value={form.publicIp} onChange={(v) => set('publicIp', v.trim())} hint="The customer gateway address AWS knows." {...field('publicIp')} />
            <TextAreaField label="Private networks (CIDRs)" rows={3} value={form.privateCidrs} onChange={(v) => set('privateCidrs', v)} hint="One per line." {...field('privateCidrs')} />
          </fieldset>
          <fieldset className="usa-fieldset tw-fieldset">
            <legend className="usa-legend tw-legend">Provider side</legend>
            <TextAreaField label="Dedicated subnet CIDRs" rows={3} value={form.dedicatedCidrs} onChange={(v) => set('dedicatedCidrs', v)} hint="The provider's dedicated subnet, one per line." {...field('dedicatedCidrs')} />
            <TextAreaField label="Egress IPs of the dedicated pool" rows={2} value={form.egressIps} onChange={(v) => set('egressIps', v)} hint="Optional, one per line." {...field('egressIps')} />
          </fieldset>
        </div>
        <div className="tw-form__cols">
          {([1, 2] as const).map((n) => {
            const o = n === 1 ? 't1OutsideIp' : 't2OutsideIp'
            const i = n === 1 ? 't1InsideCidr' : 't2InsideCidr'
            return (
              <fieldset className="usa-fieldset tw-fieldset" key={n}>
                <legend className="usa-legend tw-legend">Tunnel {n}</legend>
                <TextField label={`Tunnel ${n} outside IP`} type={ipType} value={form[o]} onChange={(v) => set(o, v.trim())} hint="The AWS endpoint's public address." {...field(o)} />
                <TextField label={`Tunnel ${n} inside CIDR`} value={form[i]} onChange={(v) => set(i, v.trim())} hint="A /30 in 169.254.0.0/16, like 169.254.10.0/30." {...field(i)} />
                {pskField(n === 1 ? 'psk1' : 'psk2', n)}
              </fieldset>
            )
          })}
        </div>
        <details className="tw-help tw-advanced" open={advancedOpen} onToggle={(e) => setAdvancedOpen((e.target as HTMLDetailsElement).open)}>
          <summary className="tw-help__summary">Advanced: routing, encryption and health check</summary>
          <div className="tw-form__cols tw-form__cols--3">
            <SelectField label="Routing" value={form.routing} onChange={(v) => set('routing', v as DetailsForm['routing'])} hint="Automatic picks route-based when the gateway's kernel supports it." options={[{ value: 'auto', label: 'Automatic' }, { value: 'route', label: 'Route-based (XFRM/VTI, both tunnels up)' }, { value: 'policy', label: 'Policy-based (one tunnel active)' }]} {...field('routing')} />
            <SelectField label="IKE version" value={String(form.crypto.ikeVersion)} onChange={(v) => set('crypto', { ...form.crypto, ikeVersion: v === '2' ? 2 : 1 })} options={[{ value: '1', label: 'IKEv1 (cloud.gov)' }, { value: '2', label: 'IKEv2 (if the provider allows)' }]} {...field('ikeVersion')} />
            <SelectField label="Encryption" value={form.crypto.encryption} onChange={(v) => set('crypto', { ...form.crypto, encryption: v as DetailsForm['crypto']['encryption'] })} options={['aes256', 'aes128', 'aes256gcm16', 'aes128gcm16', '3des'].map((x) => ({ value: x, label: x }))} {...field('encryption')} />
            <SelectField label="Integrity" value={form.crypto.integrity} onChange={(v) => set('crypto', { ...form.crypto, integrity: v as DetailsForm['crypto']['integrity'] })} options={['sha256', 'sha384', 'sha512', 'sha1', 'md5'].map((x) => ({ value: x, label: x }))} {...field('integrity')} />
            <NumberField label="DH group (IKE)" value={form.crypto.dhGroup} onChange={(v) => set('crypto', { ...form.crypto, dhGroup: v })} hint="14 is MODP 2048." {...field('dhGroup')} />
            <NumberField label="PFS group" value={form.crypto.pfsGroup} onChange={(v) => set('crypto', { ...form.crypto, pfsGroup: v })} hint="0 turns PFS off." {...field('pfsGroup')} />
            <NumberField label="Phase 1 lifetime (seconds)" value={form.crypto.ikeLifetime} onChange={(v) => set('crypto', { ...form.crypto, ikeLifetime: v })} hint="AWS: 28800 (8 hours)." {...field('ikeLifetime')} />
            <NumberField label="Phase 2 lifetime (seconds)" value={form.crypto.ipsecLifetime} onChange={(v) => set('crypto', { ...form.crypto, ipsecLifetime: v })} hint="AWS: 3600 (1 hour)." {...field('ipsecLifetime')} />
            <TextField label="Health-check target" value={form.healthTarget} onChange={(v) => set('healthTarget', v.trim())} hint="An address in the dedicated subnet to ping across the tunnels (optional)." {...field('healthTarget')} />
          </div>
        </details>
      </form>

      <section aria-labelledby="lint-heading" className="margin-top-3 tw-lint">
        <h3 id="lint-heading" className="tw-section-title">
          Checks on these details
        </h3>
        <p role="status" className="usa-hint margin-top-05">
          {linting && shownFindings.length === 0 ? 'Checking…' : lintError ? '' : shownFindings.length === 0 ? (complete ? 'No problems found.' : 'Fill in the fields above.') : [missing.length > 0 ? `${missing.length} still needed` : '', problems.length > 0 ? `${problems.length} finding${problems.length === 1 ? '' : 's'}, ${errorsCount} blocking` : ''].filter(Boolean).join('; ') + '.'}
        </p>
        {lintError ? <AppErrorAlert error={lintError} heading="The details could not be checked" /> : null}
        {missing.length > 0 ? (
          <div className="tw-needed">
            <h4 className="tw-needed__title">Still needed</h4>
            <ul className="tw-inline-list" aria-label="Still needed">
              {missing.map((f) => {
                const where = toFindingField(f)
                return (
                  <li key={`${f.id}${f.path}`}>
                    <button type="button" className="usa-button usa-button--unstyled" onClick={() => goToField(f)}>
                      {where?.label ?? toFormWords(f.message)}
                    </button>
                  </li>
                )
              })}
            </ul>
          </div>
        ) : null}
        {problems.length > 0 ? (
          <ul className="usa-list usa-list--unstyled tw-findings" aria-label="Lint findings">
            {problems.map((f) => {
              const where = toFindingField(f)
              return (
                <li key={`${f.id}${f.path}`} className={`tw-finding tw-finding--${f.severity}`}>
                  <span className={`tw-badge tw-badge--${f.severity}`}>{SEVERITY_WORDS[f.severity]}</span>{' '}
                  {where ? (
                    <button type="button" className="usa-button usa-button--unstyled tw-finding__field" onClick={() => goToField(f)}>
                      {where.label}
                    </button>
                  ) : null}
                  {where ? ': ' : ''}
                  <strong>{show(toFormWords(f.message))}</strong> {show(toFormWords(f.why))} <strong>Fix:</strong> {show(toFormWords(f.fix))}
                </li>
              )
            })}
          </ul>
        ) : null}
      </section>
      <div ref={saveErrorRef} tabIndex={-1} className="tw-focus-target">
        {profileError ? <AppErrorAlert error={profileError} heading={pendingPsk.psk1 !== '' || pendingPsk.psk2 !== '' ? 'The pre-shared keys were not stored' : 'The connection could not be saved'} /> : null}
        {attempted && (hasLocalErrors || saveNeeds.length > 0) ? (
          <Notice type="error">
            Not saved yet:{' '}
            {[
              hasLocalErrors ? `${Object.values(localErrors).filter(Boolean).length === 1 ? 'one field needs' : `${Object.values(localErrors).filter(Boolean).length} fields need`} a correction (marked above)` : '',
              saveNeeds.length > 0 ? `fill in ${saveNeeds.map(([, l]) => l).join(', ')}` : '',
            ]
              .filter(Boolean)
              .join('; ')}
            .
          </Notice>
        ) : null}
      </div>
      {!hasBridge('saveProfile') ? <Notice type="info">Saving connections is not available in this build yet.</Notice> : null}
      <StepNav step="details" continueLabel={saving ? 'Saving…' : 'Save and continue'} canContinue={!hasLocalErrors && !saving} onContinue={() => void saveAndContinue()} />
    </section>
  )
}

/** A whole-number input that keeps what is typed (an empty or half-typed value reaches lint, which says what is wrong). */
function NumberField(props: { readonly label: string; readonly value: number; readonly onChange: (v: number) => void; readonly hint?: string; readonly id?: string; readonly error?: string | undefined; readonly warning?: string | undefined }) {
  const [text, setText] = useState(Number.isFinite(props.value) ? String(props.value) : '')
  useEffect(() => {
    if (props.value !== toWhole(text) && !(Number.isNaN(props.value) && Number.isNaN(toWhole(text)))) setText(Number.isFinite(props.value) ? String(props.value) : '')
  }, [props.value])
  return (
    <TextField
      label={props.label}
      inputMode="numeric"
      className="usa-input--small"
      value={text}
      onChange={(v) => {
        setText(v)
        props.onChange(toWhole(v))
      }}
      {...(props.hint ? { hint: props.hint } : {})}
      {...(props.id ? { id: props.id } : {})}
      error={props.error}
      warning={props.warning}
    />
  )
}
