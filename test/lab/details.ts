// The details file (tunnelwright/details@1) that describes a running lab to the app, PSKs included.
// Shape: main/core/details/model.ts (a strict zod object; the lab test parses its output with it).
import { type GatewayKind } from './gateways'
import { insideAddresses } from './topology'

/** The details@1 document for a lab (shape of issue 4). */
export interface LabDetails {
  readonly format: 'tunnelwright/details@1'
  readonly name: string
  readonly provider: 'cloud.gov'
  readonly gateway: {
    readonly publicIp: string
    readonly privateCidrs: readonly string[]
    readonly kind: 'strongswan' | 'strongswan-legacy' | 'libreswan' | 'pfsense'
    readonly localAddress?: string
  }
  readonly remote: {
    readonly dedicatedCidrs: readonly string[]
    readonly egressIps: readonly string[]
    readonly tunnels: readonly { readonly outsideIp: string; readonly psk: string; readonly insideCidr: string }[]
  }
  readonly crypto: {
    readonly ikeVersion: 1 | 2
    readonly encryption: string
    readonly integrity: string
    readonly dhGroup: number
    readonly pfsGroup: number
    readonly ikeLifetime: number
    readonly ipsecLifetime: number
    readonly dpd: { readonly delay: number; readonly timeout: number }
  }
  readonly routing: 'auto' | 'policy' | 'route'
  readonly health?: { readonly target: string }
  readonly bgp?: {
    readonly tunnels: readonly { readonly outsideIp: string; readonly awsAsn: number; readonly customerAsn: number; readonly neighborIp: string; readonly holdTime: number }[]
  }
}

const KIND: Record<GatewayKind, LabDetails['gateway']['kind']> = {
  swanctl: 'strongswan',
  starter: 'strongswan-legacy',
  libreswan: 'libreswan',
  pfsense: 'pfsense',
}

/** Builds the details document from the lab's facts. */
export function detailsFor(f: {
  kind: GatewayKind
  publicIp: string
  wanIp: string
  nat: boolean
  lanCidr: string
  dedicatedCidr: string
  egressIps: readonly string[]
  tunnels: readonly { outsideIp: string; psk: string; insideCidr: string }[]
  healthTarget: string
  /** The BGP variant (dynamic routing, as AWS's export of a BGP VPN gives it): the ASNs and AWS's hold time. */
  bgp?: { readonly awsAsn: number; readonly customerAsn: number; readonly holdTime: number }
  /** Default "auto". */
  routing?: LabDetails['routing']
}): LabDetails {
  const bgp = f.bgp
  return {
    format: 'tunnelwright/details@1',
    name: 'Lab',
    provider: 'cloud.gov',
    gateway: {
      publicIp: f.publicIp,
      privateCidrs: [f.lanCidr],
      kind: KIND[f.kind],
      ...(f.nat ? { localAddress: f.wanIp } : {}),
    },
    remote: {
      dedicatedCidrs: [f.dedicatedCidr],
      egressIps: [...f.egressIps],
      tunnels: f.tunnels.map((t) => ({ ...t })),
    },
    crypto: {
      ikeVersion: 1,
      encryption: 'aes256',
      integrity: 'sha256',
      dhGroup: 14,
      pfsGroup: 14,
      ikeLifetime: 28800,
      ipsecLifetime: 3600,
      dpd: { delay: 10, timeout: 30 },
    },
    routing: f.routing ?? 'auto',
    health: { target: f.healthTarget },
    ...(bgp
      ? {
          // One session per tunnel, paired by outside IP; the neighbour is AWS's inside address (first of the /30).
          bgp: { tunnels: f.tunnels.map((t) => ({ outsideIp: t.outsideIp, awsAsn: bgp.awsAsn, customerAsn: bgp.customerAsn, neighborIp: insideAddresses(t.insideCidr).aws, holdTime: bgp.holdTime })) },
        }
      : {}),
  }
}
