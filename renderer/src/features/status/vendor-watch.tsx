import { useId, useState } from 'react'
import type { ProfileId, StatusDeviceDto, VendorStatusKind, VendorWatchOutcome } from '../../../../preload/api'
import { Notice } from '../../components/app-error-alert'
import { SecretField } from '../../components/secret-field'
import { useGatewayStore } from '../gateway/gateway-store'
import { useProfileStore } from '../profile/profile-store'
import { MASK, useIpMasked } from '../safe-mode/safe-mode-store'
import { useWizard } from '../wizard/wizard-store'
import { useStatusStore } from './status-store'
import { HostKeyFacts } from '../../components/host-key-facts'
import { useAppStore } from '../../app-store'

/** The vendor devices whose status Tunnelwright reads (read-only), as the Review picker names them. */
export const VENDOR_STATUS_LABELS: Readonly<Record<VendorStatusKind, string>> = {
  'cisco-asa': 'Cisco ASA',
  'cisco-ios': 'Cisco IOS / IOS-XE',
  fortigate: 'Fortinet FortiGate (FortiOS)',
  'juniper-srx': 'Juniper SRX (Junos)',
  paloalto: 'Palo Alto Networks (PAN-OS)',
  'windows-server': 'Windows Server (RRAS, PowerShell over OpenSSH)',
}

/** The older SSH algorithms a vendor connection may be allowed (the core's list; shown before the user allows them). */
const LEGACY_WORDS = 'SHA-1 key exchange (diffie-hellman-group14-sha1, group-exchange-sha1, group1-sha1), CBC ciphers (aes256-cbc, aes128-cbc, 3des-cbc) and ssh-rsa host keys'

const AUTH_WORDS = { password: 'a password', key: 'a private key file', agent: 'the SSH agent' } as const

/** What Tunnelwright runs on each kind, in words (Windows has PowerShell cmdlets, the others a CLI's show commands). */
export function toVendorCommandWords(kind: VendorStatusKind): string {
  return kind === 'windows-server' ? 'its PowerShell Get- cmdlets' : 'its show commands'
}

/** The poll interval as typed, checked against the core's bounds: the whole seconds, or what is wrong. */
function toInterval(text: string, bounds: { readonly min: number; readonly max: number }): { readonly sec: number } | { readonly problem: string } {
  const sec = Number(text.trim())
  if (!/^\d+$/.test(text.trim()) || sec < bounds.min || sec > bounds.max) return { problem: `Enter whole seconds from ${bounds.min} to ${bounds.max}.` }
  return { sec }
}

/**
 * Pick the vendor device of the current profile and watch its tunnels, read-only: Tunnelwright signs in with the
 * connection from step 3, runs the device's show commands (Windows: Get- cmdlets) at the chosen interval and
 * writes nothing to it.
 */
export function VendorWatchForm({ profileId }: { readonly profileId: ProfileId }) {
  const selectId = useId()
  const { current, save, setSecret } = useProfileStore()
  const connection = useGatewayStore((s) => s.connection)
  const goTo = useWizard((s) => s.goTo)
  const startVendor = useStatusStore((s) => s.startVendor)
  const masked = useIpMasked()
  const [kind, setKind] = useState<VendorStatusKind | ''>(current?.statusDevice?.kind ?? '')
  const [allowLegacy, setAllowLegacy] = useState(current?.statusDevice?.allowLegacySsh ?? false)
  // The bounds are the core's (app info); until it answers, the field waits and main's default applies.
  const poll = useAppStore((s) => s.info?.vendorPoll)
  const [intervalText, setIntervalText] = useState<string>()
  const shownInterval = intervalText ?? String(current?.statusDevice?.intervalSec ?? poll?.default ?? '')
  const interval = poll ? toInterval(shownInterval, poll) : undefined
  const [password, setPassword] = useState('')
  const [enable, setEnable] = useState('')
  const [busy, setBusy] = useState(false)
  const [problem, setProblem] = useState<string>()
  const [question, setQuestion] = useState<Extract<VendorWatchOutcome, { status: 'host-key-unknown' }>>()
  if (!current || current.id !== profileId) return null
  // The connection as the Gateway step holds it now (typed there, maybe not saved yet), else as saved.
  const conn = connection.host !== '' ? connection : current.connection
  const cisco = kind === 'cisco-asa' || kind === 'cisco-ios'
  const start = async (acceptFingerprint?: string) => {
    if (kind === '') {
      setProblem('Choose the device first.')
      return
    }
    if (interval && 'problem' in interval) {
      setProblem(`How often to read the device: ${interval.problem}`)
      document.getElementById(`${selectId}-interval`)?.focus()
      return
    }
    setBusy(true)
    setProblem(undefined)
    setQuestion(undefined)
    // The connection typed in step 3 and the secrets typed here are stored first; if one cannot be, nothing connects.
    const saved = conn === current.connection ? current : await save({ connection: conn }, { details: current.details, name: current.name })
    const stored = saved !== undefined && (password === '' || (await setSecret('sshPassword', password))) && (enable === '' || !cisco || (await setSecret('enablePassword', enable)))
    if (!stored) {
      setBusy(false)
      setProblem('The connection or a password could not be stored, so Tunnelwright did not connect.')
      return
    }
    setPassword('')
    setEnable('')
    const device: StatusDeviceDto = { kind, allowLegacySsh: allowLegacy, ...(interval && 'sec' in interval ? { intervalSec: interval.sec } : {}) }
    const q = await startVendor(profileId, device, acceptFingerprint)
    setBusy(false)
    if (q) setQuestion(q)
    // Main kept the choice in the profile; mirror it, so the form shows it when the watch stops.
    else {
      const cur = useProfileStore.getState().current
      if (cur?.id === profileId) useProfileStore.setState({ current: { ...cur, statusDevice: device } })
    }
  }
  return (
    <section aria-labelledby={`${selectId}-title`} className="tw-card margin-top-2 tw-vendor-watch">
      <h4 id={`${selectId}-title`} className="tw-card__title">
        A vendor device: watch its tunnels, read-only
      </h4>
      <p className="usa-hint">Tunnelwright signs in over SSH, runs the device&apos;s show commands (Windows Server: Get- cmdlets through PowerShell) at the interval below and writes nothing to it (paging is turned off for its own session only).</p>
      <div className="usa-form-group">
        <label className="usa-label" htmlFor={selectId}>
          Device to watch
        </label>
        <select id={selectId} className="usa-select" value={kind} onChange={(e) => setKind(e.target.value as VendorStatusKind | '')}>
          <option value="">- Select -</option>
          {(Object.keys(VENDOR_STATUS_LABELS) as VendorStatusKind[]).map((k) => (
            <option key={k} value={k}>
              {VENDOR_STATUS_LABELS[k]}
            </option>
          ))}
        </select>
      </div>
      {kind === 'windows-server' ? (
        <p className="usa-hint" data-testid="windows-needs">
          Windows Server: its OpenSSH Server must be enabled and the account must be a local administrator. Tunnelwright runs Get-VpnS2SInterface, Get-NetIPsecMainModeSA and Get-NetIPsecQuickModeSA through powershell.exe.
        </p>
      ) : null}
      <p className="margin-y-1">
        Signs in to {masked ? MASK : `${conn.host || '(no address yet)'}:${conn.port}`} as {conn.username} with {AUTH_WORDS[conn.auth]}{conn.jump ? ', through the jump host' : ''}.{' '}
        <button type="button" className="usa-button usa-button--unstyled" onClick={() => goTo('gateway')}>
          Change the connection in step 3
        </button>
      </p>
      {conn.auth === 'password' ? <SecretField label="SSH password of the device" stored={current.hasSecret.sshPassword} value={password} onChange={setPassword} storedWhen="when you start watching" /> : null}
      {cisco ? <SecretField label="Enable password" hint="The crypto show commands need privileged mode (enable). It is sent only to the device, never shown or logged." stored={current.hasSecret.enablePassword} value={enable} onChange={setEnable} storedWhen="when you start watching" /> : null}
      <div className="usa-checkbox margin-top-1">
        <input className="usa-checkbox__input" id={`${selectId}-legacy`} type="checkbox" checked={allowLegacy} onChange={(e) => setAllowLegacy(e.target.checked)} aria-describedby={`${selectId}-legacy-hint`} />
        <label className="usa-checkbox__label" htmlFor={`${selectId}-legacy`}>
          Allow older SSH algorithms for this device only
        </label>
      </div>
      <p className="usa-hint" id={`${selectId}-legacy-hint`}>
        Older ASA, IOS, PAN-OS and FortiOS releases offer only {LEGACY_WORDS}. They are weaker; no other connection uses them.
      </p>
      {poll && interval ? (
        <div className={`usa-form-group${'problem' in interval ? ' usa-form-group--error' : ''}`}>
          <label className="usa-label" htmlFor={`${selectId}-interval`}>
            Read the device every (seconds)
          </label>
          <span className="usa-hint" id={`${selectId}-interval-hint`}>
            From {poll.min} to {poll.max}; {poll.default} unless you change it.
          </span>
          {'problem' in interval ? (
            <span className="usa-error-message" id={`${selectId}-interval-error`} role="alert">
              {interval.problem}
            </span>
          ) : null}
          <input id={`${selectId}-interval`} className={`usa-input usa-input--small${'problem' in interval ? ' usa-input--error' : ''}`} inputMode="numeric" value={shownInterval} onChange={(e) => setIntervalText(e.target.value)} aria-invalid={'problem' in interval} aria-describedby={`${selectId}-interval-hint${'problem' in interval ? ` ${selectId}-interval-error` : ''}`} />
        </div>
      ) : null}
      <button type="button" className="usa-button margin-top-1" disabled={busy} onClick={() => void start()}>
        {busy ? 'Signing in and reading the device…' : kind === '' ? 'Watch the device (read-only)' : `Watch the ${VENDOR_STATUS_LABELS[kind]} (read-only)`}
      </button>
      {problem ? <Notice type="error">{problem}</Notice> : null}
      {question ? (
        <div className="usa-alert usa-alert--warning margin-top-2" role="alert">
          <div className="usa-alert__body">
            <h5 className="usa-alert__heading">{question.jumpHost ? "First connection: check the jump host's identity" : "First connection: check the device's identity"}</h5>
            <p className="usa-alert__text">Compare this fingerprint with the one the device shows (ASA: show crypto key mypubkey rsa; IOS: show ip ssh; PAN-OS, FortiOS, Junos: the SSH host key in the device&apos;s settings; Windows Server: ssh-keygen -lf C:\ProgramData\ssh\ssh_host_ed25519_key.pub) before you trust it.</p>
            <HostKeyFacts host={masked ? MASK : question.hostId} keyType={question.keyType} fingerprint={question.fingerprint} trustLabel="Trust this key and watch" onTrust={() => void start(question.fingerprint)} onReject={() => setQuestion(undefined)} />
          </div>
        </div>
      ) : null}
    </section>
  )
}
