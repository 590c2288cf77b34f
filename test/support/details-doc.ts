// A valid cloud.gov details document for tests, with AWS-shaped PSKs, changeable per test.

export const PSK1 = 'Qn7xV2._kdP3aZ4rT8mWyL3sHc6bJ9fE'
export const PSK2 = 'mR5_tY8.wK2nA7qX4zB1cV6hL9pD3gS2'

/** A details document as JSON (loose, so tests can break it on purpose). */
export interface Doc {
  format: string
  name: string
  provider: string
  gateway: { publicIp: string; privateCidrs: string[]; [k: string]: unknown }
  remote: { dedicatedCidrs: string[]; tunnels: Array<{ outsideIp: string; psk: unknown; insideCidr: string }>; [k: string]: unknown }
  [k: string]: unknown
}

/** A fresh valid document, then `over` applied to it. */
export function toDetailsDoc(over: (d: Doc) => void = () => {}): Doc {
  const d: Doc = {
    format: 'tunnelwright/details@1',
    name: 'agency',
    provider: 'cloud.gov',
    gateway: { publicIp: '34.120.5.6', privateCidrs: ['10.10.0.0/24'] },
    remote: {
      dedicatedCidrs: ['10.200.0.0/16'],
      tunnels: [
        { outsideIp: '18.253.1.10', psk: PSK1, insideCidr: '169.254.44.8/30' },
        { outsideIp: '18.253.2.20', psk: PSK2, insideCidr: '169.254.201.4/30' },
      ],
    },
  }
  over(d)
  return d
}
