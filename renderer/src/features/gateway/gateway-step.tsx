import { useEffect, useRef, useState } from 'react'
import { JobActions } from '../../components/job-actions'
import type { AppError } from '../../../../preload/api'
import { AppErrorAlert, Notice } from '../../components/app-error-alert'
import { call, hasBridge } from '../../bridge/bridge'
import { TextField } from '../../components/field'
import { HelpPanel } from '../../components/help-panel'
import { SecretField } from '../../components/secret-field'
import { StepHeading } from '../../components/step-heading'
import { STEP_HELP } from '../../help/help-texts'
import { classifyPrefix, parsePrefix } from '../../net/ipv4'
import { useProfileStore } from '../profile/profile-store'
import { useRequestStore } from '../request/request-store'
import { MASK, useIpMasked, useSafeMode } from '../safe-mode/safe-mode-store'
import { StepNav } from '../wizard/step-nav'
import { STEPS, useWizard } from '../wizard/wizard-store'
import { useGatewayStore } from './gateway-store'
import { JumpHostFields, toJumpErrors } from './jump-host-fields'
import { HostKeyFacts } from '../../components/host-key-facts'

/** Step 3: SSH to the gateway, the host-key decision, and what detection found. */
export default function GatewayStep() {
  const { connection, phase, pending, hostKey, facts, error, pendingPassword, setPendingPassword, setConnection, connect, rejectHostKey, cancel, disconnect } = useGatewayStore()
  const { current, clearSecret } = useProfileStore()
  const setRequest = useRequestStore((s) => s.set)
  const goTo = useWizard((s) => s.goTo)
  const safe = useSafeMode((s) => s.on)
  const ipMasked = useIpMasked()
  const trustRef = useRef<HTMLHeadingElement>(null)
  const [pickError, setPickError] = useState<AppError | undefined>(undefined)
  // The dialog runs in main and answers the path only; the key itself is read when connecting.
  const browseKey = async () => {
    const r = await call('pickKeyFile')
    setPickError(r.ok ? undefined : r.error)
    if (r.ok && r.value.picked) setConnection({ privateKeyPath: r.value.path })
  }
  // Start from the connection saved with the profile.
  useEffect(() => {
    if (current && connection.host === '') setConnection(current.connection)
  }, [current]) // runs when the profile changes
  useEffect(() => {
    if (phase === 'host-key') trustRef.current?.focus()
  }, [phase])

  const busy = phase === 'connecting' || phase === 'detecting'
  const jumpInvalid = connection.jump !== undefined && Object.keys(toJumpErrors(connection.jump)).length > 0
  const keyChanged = error?.code === 'ssh-host-key-changed' || error?.code === 'ssh-host-key-revoked'
  const publicAddrs = (facts?.addresses ?? []).map((a) => a.split('/')[0]!).filter((a) => {
    const p = parsePrefix(`${a}/32`)
    return p !== undefined && classifyPrefix(p).kind === 'public'
  })

  return (
    <section aria-labelledby="step-gateway">
      <StepHeading id="step-gateway" number={3} total={STEPS.length}>
        Connect to your gateway
      </StepHeading>
      <HelpPanel topic={STEP_HELP.gateway} />
      <form
        className="usa-form usa-form--large"
        noValidate
        aria-label="Gateway connection"
        onSubmit={(e) => {
          e.preventDefault()
          void connect()
        }}
      >
        <TextField label="Gateway address" type={ipMasked ? 'password' : 'text'} required value={connection.host} onChange={(v) => setConnection({ host: v.trim() })} hint="Host name or IP address the SSH server listens on." />
        <TextField label="SSH port" inputMode="numeric" value={String(connection.port)} onChange={(v) => setConnection({ port: Number(v) || 22 })} className="usa-input--small" error={connection.port < 1 || connection.port > 65535 ? 'Use a port from 1 to 65535.' : undefined} />
        <TextField label="User" value={connection.username} onChange={(v) => setConnection({ username: v.trim() })} hint="root, or a user with sudo." />
        <fieldset className="usa-fieldset">
          <legend className="usa-legend">Sign in with</legend>
          {(
            [
              ['key', 'A private key file'],
              ['agent', 'The SSH agent'],
              ['password', 'A password'],
            ] as const
          ).map(([v, label]) => (
            <div className="usa-radio" key={v}>
              <input className="usa-radio__input" id={`auth-${v}`} type="radio" name="auth" value={v} checked={connection.auth === v} onChange={() => setConnection({ auth: v })} />
              <label className="usa-radio__label" htmlFor={`auth-${v}`}>
                {label}
              </label>
            </div>
          ))}
        </fieldset>
        {connection.auth === 'key' ? (
          <>
            <TextField label="Private key file" type={safe ? 'password' : 'text'} value={connection.privateKeyPath ?? ''} onChange={(v) => setConnection({ privateKeyPath: v })} hint="Full path on this computer, e.g. /home/you/.ssh/id_ed25519." />
            {hasBridge('pickKeyFile') ? (
              <button type="button" className="usa-button usa-button--outline" aria-label="Browse for the private key file" onClick={() => void browseKey()}>
                Browse…
              </button>
            ) : null}
            {pickError ? <Notice type="info">{pickError.code === 'not-available' ? 'Choosing a file is not available here: type the full path of the key file.' : `${pickError.message}${pickError.fix ? ` ${pickError.fix}` : ''}`}</Notice> : null}
          </>
        ) : null}
        {connection.auth === 'password' ? (
          <SecretField label="SSH password" stored={current?.hasSecret.sshPassword ?? false} value={pendingPassword} onChange={setPendingPassword} storedWhen="when you connect" onForget={() => void clearSecret('sshPassword')} />
        ) : null}
        <div className="usa-checkbox">
          <input className="usa-checkbox__input" id="use-sudo" type="checkbox" checked={connection.useSudo} onChange={(e) => setConnection({ useSudo: e.target.checked })} />
          <label className="usa-checkbox__label" htmlFor="use-sudo">
            Run root commands with sudo
          </label>
        </div>
        <JumpHostFields
          jump={connection.jump}
          gatewayUser={connection.username}
          masked={ipMasked}
          onChange={(jump) => {
            // Replace the whole connection so turning the jump host off removes the key.
            const { jump: _old, ...rest } = connection
            setConnection(jump ? { ...rest, jump } : rest, true)
          }}
        />
        <JobActions startLabel={phase === 'connected' ? 'Reconnect' : 'Connect'} startDisabled={busy || connection.host === '' || jumpInvalid} running={busy} onCancel={() => void cancel()}>
          {phase === 'connected' ? (
            <li className="usa-button-group__item">
              <button type="button" className="usa-button usa-button--outline" onClick={() => void disconnect()}>
                Disconnect
              </button>
            </li>
          ) : null}
        </JobActions>
      </form>
      <p role="status" className="usa-hint">
        {phase === 'connecting' ? 'Connecting…' : phase === 'detecting' ? 'Connected. Reading what the gateway runs…' : phase === 'connected' ? 'Connected.' : ''}
      </p>

      {phase === 'host-key' && pending ? (
        <section className="usa-alert usa-alert--warning" aria-labelledby="hostkey-heading">
          <div className="usa-alert__body">
            <h3 className="usa-alert__heading" id="hostkey-heading" ref={trustRef} tabIndex={-1}>
              {pending.jumpHost ? "First connection: check the jump host's identity" : "First connection: check the gateway's identity"}
            </h3>
            <p className="usa-alert__text">
              {pending.jumpHost ? 'This jump host has not been seen before. Compare its key fingerprint with the one shown on the jump host itself before you trust it; the gateway\'s own key is asked about next.' : 'This gateway has not been seen before. Compare its key fingerprint with the one shown on the gateway itself before you trust it.'}
            </p>
            <HostKeyFacts
              host={`${ipMasked ? MASK : pending.hostId}${pending.jumpHost ? ' (jump host)' : ' (gateway)'}`}
              keyType={pending.keyType}
              fingerprint={pending.fingerprint}
              trustLabel="Trust this key and connect"
              onTrust={() => void connect(pending.fingerprint)}
              onReject={rejectHostKey}
            />
          </div>
        </section>
      ) : null}

      {error && keyChanged ? (
        <div className="usa-alert usa-alert--error" role="alert">
          <div className="usa-alert__body">
            <h3 className="usa-alert__heading">Stopped: the gateway's host key changed</h3>
            <p className="usa-alert__text">{error.message}</p>
            <p className="usa-alert__text">The gateway answered with a different key than the one you trusted before. That happens after a reinstall or a key rotation — or when someone is intercepting the connection. Tunnelwright will not connect and will not replace the trusted key by itself.</p>
            <p className="usa-alert__text">
              <strong>What to do: </strong>
              {error.fix ?? "Ask the gateway's administrator whether the key was changed; if it was, remove the old key from the known hosts and connect again to approve the new one."}
            </p>
          </div>
        </div>
      ) : error ? (
        <>
          <AppErrorAlert error={error} heading={error.code === 'cancelled' ? 'Cancelled' : 'Could not connect'} />
          {error.code === 'details-incomplete' ? (
            <button type="button" className="usa-button usa-button--outline margin-top-1" onClick={() => goTo('details')}>
              Go to Details
            </button>
          ) : null}
        </>
      ) : null}

      {hostKey ? (
        <p className="usa-hint">
          Host key {hostKey.keyType} {safe ? MASK : hostKey.fingerprint} ({hostKey.status === 'known' ? 'trusted before' : 'trusted just now'}).
        </p>
      ) : null}

      {facts ? (
        <section aria-labelledby="facts-heading" className="tw-card margin-top-2">
          <h3 id="facts-heading">What the gateway runs</h3>
          <dl className="tw-facts">
            <dt>System</dt>
            <dd>
              {facts.os.name} {facts.os.version}, kernel {facts.kernel}
            </dd>
            <dt>IPsec software</dt>
            <dd>{facts.stack.kind === 'none' ? 'None found' : `${facts.stack.kind} ${facts.stack.version}${facts.daemonRunning ? ', running' : ', not running'}`}</dd>
            <dt>Routing possible</dt>
            <dd>{facts.routeBased.xfrmInterface || facts.routeBased.vti ? `Route-based (${[facts.routeBased.xfrmInterface ? 'XFRM interfaces' : '', facts.routeBased.vti ? 'VTI' : ''].filter(Boolean).join(', ')}) and policy-based` : 'Policy-based only'}</dd>
            <dt>Existing connections</dt>
            <dd>{facts.existingConnections.length === 0 ? 'None' : facts.existingConnections.join(', ')}</dd>
            <dt>Signed in as</dt>
            <dd>{facts.isRoot ? 'root' : 'a user with sudo'}</dd>
          </dl>
          {facts.stack.kind === 'none' ? <Notice type="warning">No IPsec software was found. Install strongSwan (apt-get install strongswan-swanctl charon-systemd) or Libreswan, then reconnect.</Notice> : null}
          {publicAddrs.length > 0 ? (
            <div>
              <p>Public addresses on the gateway: {ipMasked ? MASK : publicAddrs.join(', ')}</p>
              <button
                type="button"
                className="usa-button usa-button--outline"
                onClick={() => {
                  setRequest('publicIp', publicAddrs[0]!)
                  goTo('request')
                }}
              >
                Use {ipMasked ? 'it' : publicAddrs[0]} in the request
              </button>
            </div>
          ) : facts ? (
            <p className="usa-hint">No public address is configured on the gateway itself: it is probably behind NAT. Ask your network team for the NAT's public address.</p>
          ) : null}
        </section>
      ) : null}
      <StepNav step="gateway" canContinue={phase === 'connected'} continueLabel="Continue to Checks" />
    </section>
  )
}
