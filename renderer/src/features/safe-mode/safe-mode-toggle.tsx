import { useSafeMode } from './safe-mode-store'

/** The one switch for screen-share safe mode, plus its public-IP option. */
export function SafeModeToggle() {
  const { on, maskPublicIps, setOn, setMaskPublicIps } = useSafeMode()
  return (
    <fieldset className="usa-fieldset tw-safe-mode">
      <legend className="usa-sr-only">Screen sharing</legend>
      <div className="usa-checkbox tw-dark-checkbox">
        <input className="usa-checkbox__input" id="safe-mode" type="checkbox" checked={on} onChange={(e) => setOn(e.target.checked)} aria-describedby="safe-mode-hint" />
        <label className="usa-checkbox__label" htmlFor="safe-mode">
          Screen-share safe mode
        </label>
      </div>
      <div className="usa-checkbox tw-dark-checkbox">
        <input className="usa-checkbox__input" id="safe-mode-ips" type="checkbox" checked={on && maskPublicIps} disabled={!on} aria-describedby="safe-mode-ips-hint" onChange={(e) => setMaskPublicIps(e.target.checked)} />
        <label className="usa-checkbox__label" htmlFor="safe-mode-ips">
          Also hide public IPs
        </label>
      </div>
      <span id="safe-mode-ips-hint" className="usa-sr-only">
        {on ? 'Public IP addresses are hidden while this is ticked.' : 'Available while screen-share safe mode is on.'}
      </span>
      <span id="safe-mode-hint" className="usa-sr-only">
        Hides pre-shared keys, passwords, private-key paths and optionally public IP addresses on every screen.
      </span>
    </fieldset>
  )
}
