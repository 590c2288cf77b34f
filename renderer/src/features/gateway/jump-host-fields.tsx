import { useState } from 'react'
import type { ConnectionDto } from '../../../../preload/api'
import { TextField } from '../../components/field'

type Jump = NonNullable<ConnectionDto['jump']>

// The same host rule as main's Connection schema (main/core/app-data/profiles.ts), so errors show while typing.
const HOST = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,62}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*$|^\[?[0-9A-Fa-f:.]+\]?$/
const LOGIN = /^[A-Za-z0-9._][A-Za-z0-9._-]{0,63}$/

/** What is wrong with each jump host field, if anything (absent jump host: nothing). */
export function toJumpErrors(jump: Jump | undefined): { readonly host?: string; readonly port?: string; readonly username?: string } {
  if (!jump) return {}
  return {
    ...(HOST.test(jump.host) ? {} : { host: jump.host === '' ? 'Enter the jump host, or turn the jump host off.' : 'Use a host name or an IP address.' }),
    ...(jump.port === undefined || (Number.isInteger(jump.port) && jump.port >= 1 && jump.port <= 65535) ? {} : { port: 'Use a port from 1 to 65535.' }),
    ...(jump.username === undefined || LOGIN.test(jump.username) ? {} : { username: 'Use a login name (letters, digits, . _ -).' }),
  }
}

/** The optional jump host (ProxyJump): a checkbox that opens a fieldset with its address, port and user. */
export function JumpHostFields(props: { readonly jump: Jump | undefined; readonly gatewayUser: string; readonly masked: boolean; readonly onChange: (jump: Jump | undefined) => void }) {
  const { jump, onChange } = props
  const [portText, setPortText] = useState(jump?.port === undefined ? '' : String(jump.port))
  const errors = toJumpErrors(jump)
  const patch = (p: Partial<Jump>) => {
    const next: Jump = { ...(jump ?? { host: '' }), ...p }
    // Drop emptied optional fields instead of sending undefined keys.
    onChange({ host: next.host, ...(next.port !== undefined ? { port: next.port } : {}), ...(next.username ? { username: next.username } : {}) })
  }
  return (
    <>
      <div className="usa-checkbox">
        <input className="usa-checkbox__input" id="use-jump" type="checkbox" checked={jump !== undefined} aria-controls="jump-host-fields" aria-expanded={jump !== undefined} onChange={(e) => onChange(e.target.checked ? { host: '' } : undefined)} />
        <label className="usa-checkbox__label" htmlFor="use-jump">
          Connect through a jump host
        </label>
      </div>
      <div id="jump-host-fields" hidden={jump === undefined}>
        {jump ? (
          <fieldset className="usa-fieldset">
            <legend className="usa-legend">Jump host</legend>
            <p className="usa-hint">Tunnelwright signs in to the jump host the same way as to the gateway, and checks its host key the same way.</p>
            <TextField label="Jump host address" type={props.masked ? 'password' : 'text'} required value={jump.host} onChange={(v) => patch({ host: v.trim() })} hint="Host name or IP address of the SSH server in front of the gateway." error={jump.host === '' ? undefined : errors.host} />
            <TextField
              label="Jump host SSH port"
              inputMode="numeric"
              className="usa-input--small"
              value={jump.port === undefined ? '' : jump.port === 0 ? portText : String(jump.port)}
              hint="Leave empty for 22."
              onChange={(v) => {
                setPortText(v)
                const t = v.trim()
                // Non-digits are kept as an out-of-range port so the field shows its error and Connect stays off.
                patch({ port: t === '' ? undefined : /^\d{1,5}$/.test(t) ? Number(t) : 0 })
              }}
              error={errors.port}
            />
            <TextField label="Jump host user" value={jump.username ?? ''} onChange={(v) => patch({ username: v.trim() || undefined })} hint={`Leave empty to use the gateway's user (${props.gatewayUser || 'root'}).`} error={errors.username} />
          </fieldset>
        ) : null}
      </div>
    </>
  )
}
