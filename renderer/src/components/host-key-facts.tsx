// The facts of a host key seen for the first time, and the two choices: trust it and go on, or do not connect.
// Shared by the gateway step and the vendor device watch (same words, same order, one fingerprint style).
import type { ReactNode } from 'react'

/** The host, key type and fingerprint, then "trust" (labelled per use) and "Do not connect". */
export function HostKeyFacts({ host, keyType, fingerprint, trustLabel, onTrust, onReject }: { readonly host: ReactNode; readonly keyType: string; readonly fingerprint: string; readonly trustLabel: string; readonly onTrust: () => void; readonly onReject: () => void }) {
  return (
    <>
      <dl>
        <dt>Host</dt>
        <dd>{host}</dd>
        <dt>Key type</dt>
        <dd>{keyType}</dd>
        <dt>Fingerprint</dt>
        <dd className="tw-fingerprint" aria-label="Host key fingerprint">
          {fingerprint}
        </dd>
      </dl>
      <ul className="usa-button-group">
        <li className="usa-button-group__item">
          <button type="button" className="usa-button" onClick={onTrust}>
            {trustLabel}
          </button>
        </li>
        <li className="usa-button-group__item">
          <button type="button" className="usa-button usa-button--outline" onClick={onReject}>
            Do not connect
          </button>
        </li>
      </ul>
    </>
  )
}
