// The first step: the support-ticket text asking cloud.gov for a dedicated egress pool with a VPN,
// built offline from what the agency knows, with findings on that input.
import type { DeviceKind } from '../base/vocabulary'
import { Cidr4, Ipv4 } from '../details/model'
import type { Finding } from '../details/lint'
import { classifyIpv4, hostBitsFix, overlaps, parsePrefix, type Prefix } from '../net/cidr'

/** Where cloud.gov takes support requests. */
export const CLOUD_GOV_SUPPORT = 'support@cloud.gov'

/** What the request needs. */
export interface ProviderRequestInput {
  readonly publicIp: string
  readonly privateCidrs: readonly string[]
  readonly endpointType: DeviceKind | 'other'
  readonly approxApps: number
}

/** The ticket: address, subject, body, a mailto link, and findings on the input. */
export interface ProviderRequest {
  readonly to: string
  readonly subject: string
  readonly body: string
  readonly mailto: string
  readonly findings: readonly Finding[]
  readonly ready: boolean
}

const ENDPOINT_NAMES: Readonly<Record<string, string>> = {
  strongswan: 'strongSwan (swanctl)',
  'strongswan-legacy': 'strongSwan (ipsec.conf)',
  libreswan: 'Libreswan',
  openswan: 'Openswan',
  pfsense: 'pfSense',
  other: 'another IPsec device (IKEv1, PSK, static routing)',
}

/** Findings on the request input: a usable public IP, valid non-overlapping private CIDRs, a sane app count. */
export function lintProviderRequest(input: ProviderRequestInput): Finding[] {
  const out: Finding[] = []
  if (!Ipv4.safeParse(input.publicIp).success) {
    out.push({ id: 'request-public-ip-format', severity: 'error', path: '/publicIp', message: `"${input.publicIp}" is not an IPv4 address.`, why: 'AWS identifies the agency gateway (customer gateway) by its public IPv4 address.', fix: "Give the gateway's public address, like 198.51.100.2." })
  } else {
    const k = classifyIpv4(input.publicIp)
    if (k.kind !== 'public') {
      const example = k.kind === 'documentation' || k.kind === 'benchmarking' || k.kind === 'shared'
      out.push({
        id: 'request-public-ip-not-public',
        severity: example ? 'warning' : 'error',
        path: '/publicIp',
        message: `${input.publicIp} is a ${k.kind} address${k.name ? ` (${k.name})` : ''}, not a public one.`,
        why: 'AWS sends IKE and ESP to this address over the internet; a non-public address cannot receive them.',
        fix: 'Give the address the gateway has on the internet (behind NAT: the NAT device\'s public address).',
      })
    }
  }
  if (input.privateCidrs.length === 0) {
    out.push({ id: 'request-private-cidrs-empty', severity: 'error', path: '/privateCidrs', message: 'No private CIDR is listed.', why: 'cloud.gov routes only the listed agency networks through the tunnels.', fix: "List the agency's private networks the apps must reach, like 10.40.0.0/24." })
  }
  const prefixes: { p: Prefix; i: number }[] = []
  input.privateCidrs.forEach((c, i) => {
    const path = `/privateCidrs/${i}`
    if (!Cidr4.safeParse(c).success) {
      out.push({ id: 'request-cidr-format', severity: 'error', path, message: `"${c}" is not an IPv4 CIDR.`, why: 'AWS static routes are IPv4 prefixes.', fix: 'Write it as a.b.c.d/n, like 10.40.0.0/24.' })
      return
    }
    const fixed = hostBitsFix(c)
    if (fixed !== undefined && fixed !== c) out.push({ id: 'request-cidr-host-bits', severity: 'error', path, message: `${c} has host bits set.`, why: 'AWS rejects a static route whose address is not the network address.', fix: `Use ${fixed}.` })
    const p = parsePrefix(c)
    if (!p) return
    for (const q of prefixes) {
      if (overlaps(p, q.p)) out.push({ id: 'request-cidr-overlap', severity: 'warning', path, message: `${c} overlaps ${input.privateCidrs[q.i]}.`, why: 'Overlapping routes are redundant and confuse route-based setups.', fix: 'List each network once (keep the larger prefix).' })
    }
    prefixes.push({ p, i })
    const kind = classifyIpv4(c.split('/')[0] ?? '').kind
    if (kind === 'public') out.push({ id: 'request-cidr-public', severity: 'warning', path, message: `${c} is public address space.`, why: 'Private egress is meant for private agency networks; a public prefix may collide with internet routes on the AWS side.', fix: 'Check that this is really an internal network of the agency.' })
  })
  if (!Number.isInteger(input.approxApps) || input.approxApps < 1 || input.approxApps > 10000) {
    out.push({ id: 'request-apps-count', severity: 'error', path: '/approxApps', message: 'The number of apps must be a whole number from 1 to 10000.', why: 'cloud.gov sizes the dedicated pool by the number of apps.', fix: 'Give a rough count of the apps that need the private connection.' })
  }
  if (input.endpointType === 'other') {
    out.push({ id: 'request-endpoint-other', severity: 'info', path: '/endpointType', message: 'The VPN device is not one Tunnelwright configures.', why: 'Tunnelwright can still produce the request and check the details, but you will configure the device by hand.', fix: 'Use the AWS export for your vendor together with cloud.gov\'s required crypto (IKEv1, AES256, SHA256, DH 14).' })
  }
  return out
}

/** Builds the ticket text (pure, offline). */
export function buildProviderRequest(input: ProviderRequestInput): ProviderRequest {
  const findings = lintProviderRequest(input)
  const subject = 'Request: dedicated egress pool with site-to-site VPN (private egress)'
  const cidrs = input.privateCidrs.length ? input.privateCidrs.map((c) => `  - ${c}`).join('\n') : '  - (to be provided)'
  const body = [
    'Hello cloud.gov support,',
    '',
    'We would like a dedicated egress pool for our apps with a site-to-site IPsec VPN (AWS Site-to-Site VPN, static routing) to our agency network.',
    '',
    `Agency VPN gateway public IP (customer gateway): ${input.publicIp}`,
    'Agency private CIDRs to route through the tunnels:',
    cidrs,
    `VPN device on our side: ${ENDPOINT_NAMES[input.endpointType] ?? input.endpointType}`,
    `Approximate number of apps: ${Number.isFinite(input.approxApps) ? input.approxApps : '(to be provided)'}`,
    'Routing: static (no BGP). Our gateway will initiate and keep both tunnels up.',
    'Proposal we will configure (your required values): IKEv1 main mode, PSK, AES256, SHA256, DH group 14 (MODP2048) for IKE and PFS, phase 1 lifetime 28800 s, phase 2 lifetime 3600 s.',
    '',
    'Please send us the VPN connection details: both tunnel outside IPs, the pre-shared keys (through a secure channel), the inside /30 of each tunnel, the dedicated subnet CIDR and the egress IPs of the pool (the AWS CustomerGatewayConfiguration XML works too).',
    '',
    'Thank you.',
  ].join('\n')
  const mailto = `mailto:${CLOUD_GOV_SUPPORT}?subject=${encodeURIComponent(subject)}&body=${encodeURIComponent(body)}`
  return { to: CLOUD_GOV_SUPPORT, subject, body, mailto, findings, ready: !findings.some((f) => f.severity === 'error') }
}
