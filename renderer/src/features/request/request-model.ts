// The request for a dedicated pool (cloud.gov's first step): what it must contain, its checks, its ticket text.
//
// Pure functions, no React: the request step renders them and the e2e suite proves them through the UI.
import type { DeviceKind, ProviderRequestRecord } from '../../../../preload/api'
import { classifyPrefix, coveringSupernet, overlaps, parseIpv4, parsePrefix, toSize, type Prefix } from '../../net/ipv4'

/** What the org admin fills in before any details exist. */
export interface RequestDraft {
  readonly name: string
  readonly organization: string
  readonly contact: string
  readonly publicIp: string
  /** One CIDR per line, as typed. */
  readonly privateCidrs: string
  readonly endpointType: DeviceKind | 'other' | ''
  readonly endpointOther: string
  readonly appCount: string
}

/** An empty request. */
export const EMPTY_REQUEST: RequestDraft = { name: '', organization: '', contact: '', publicIp: '', privateCidrs: '', endpointType: '', endpointOther: '', appCount: '' }

/** The fields a finding can point at. */
export type RequestField = 'name' | 'publicIp' | 'privateCidrs' | 'endpointType' | 'appCount'

/** One problem or hint about the request: what, why, and the fix. */
export interface RequestFinding {
  readonly field: RequestField
  readonly severity: 'error' | 'warning'
  readonly message: string
  readonly fix?: string
}

/** Human names of the device kinds, as a ticket and a select show them. */
export const DEVICE_LABELS: Record<DeviceKind, string> = {
  strongswan: 'strongSwan (swanctl / VICI)',
  'strongswan-legacy': 'strongSwan (legacy ipsec.conf)',
  libreswan: 'Libreswan',
  openswan: 'Openswan',
  pfsense: 'Netgate pfSense',
}

/** AWS accepts at most 100 static routes per VPN connection (vpn-limits.md). */
export const MAX_STATIC_ROUTES = 100

/** The CIDR lines of a multi-line input, trimmed, blanks dropped. */
export function toCidrLines(text: string): string[] {
  return text.split(/[\n,;]+/).map((l) => l.trim()).filter((l) => l !== '')
}

/** Checks the gateway's public IP as AWS will use it (the customer gateway address). */
export function checkPublicIp(text: string): RequestFinding[] {
  const ip = text.trim()
  if (ip === '') return [{ field: 'publicIp', severity: 'error', message: 'Enter the public IP address of your VPN endpoint.', fix: 'Use "Detect from the gateway" or ask your network team for the address the internet sees.' }]
  if (parseIpv4(ip) === undefined) return [{ field: 'publicIp', severity: 'error', message: `"${ip}" is not an IPv4 address.`, fix: 'Type four numbers 0–255 separated by dots, like 198.51.100.7.' }]
  const c = classifyPrefix(parsePrefix(`${ip}/32`)!)
  if (c.kind === 'private' || c.kind === 'shared' || c.kind === 'loopback' || c.kind === 'link-local' || c.kind === 'multicast' || c.kind === 'reserved') {
    return [{ field: 'publicIp', severity: 'error', message: `${ip} is a ${c.name} address; AWS can only reach an internet-routable endpoint.`, fix: 'If the gateway sits behind NAT, give the public address the NAT uses (and open UDP 4500 as well as 500).' }]
  }
  if (c.kind === 'documentation' || c.kind === 'benchmarking') {
    return [{ field: 'publicIp', severity: 'warning', message: `${ip} is in a ${c.name} block, used for examples and labs, not on the internet.`, fix: 'Replace it with the real public address before you send the request.' }]
  }
  return []
}

/** Checks the private CIDRs to connect: syntax, host bits, ranges AWS rejects, overlaps, the IKEv1 one-pair limit. */
export function checkPrivateCidrs(text: string): RequestFinding[] {
  const lines = toCidrLines(text)
  const out: RequestFinding[] = []
  if (lines.length === 0) return [{ field: 'privateCidrs', severity: 'error', message: 'Enter at least one private network CIDR to connect.', fix: 'One per line, like 10.40.0.0/24.' }]
  if (lines.length > MAX_STATIC_ROUTES) out.push({ field: 'privateCidrs', severity: 'error', message: `${lines.length} CIDRs: AWS accepts at most ${MAX_STATIC_ROUTES} static routes per VPN connection.`, fix: 'Summarize adjacent networks into larger prefixes.' })
  const good: Prefix[] = []
  for (const line of lines) {
    const p = parsePrefix(line)
    if (!p) {
      out.push({ field: 'privateCidrs', severity: 'error', message: `"${line}" is not an IPv4 CIDR.`, fix: 'Write an address, a slash and a prefix length 0–32, like 10.40.0.0/24.' })
      continue
    }
    if (p.text !== line) {
      out.push({ field: 'privateCidrs', severity: 'error', message: `${line} has host bits set.`, fix: `Use ${p.text} (the network address of that prefix).` })
      continue
    }
    if (p.bits === 0) {
      out.push({ field: 'privateCidrs', severity: 'error', message: '0.0.0.0/0 would send all of the dedicated pool\'s traffic to your network.', fix: 'List only the networks your applications need to reach.' })
      continue
    }
    const c = classifyPrefix(p)
    if (c.kind === 'link-local') out.push({ field: 'privateCidrs', severity: 'error', message: `${line} is inside 169.254.0.0/16, which AWS uses for the tunnels' inside addresses.`, fix: 'Remove it; it cannot be routed through the VPN.' })
    else if (c.kind === 'loopback' || c.kind === 'multicast' || c.kind === 'reserved') out.push({ field: 'privateCidrs', severity: 'error', message: `${line} is a ${c.name} range and cannot be routed.`, fix: 'Remove it.' })
    else {
      if (c.kind === 'public') out.push({ field: 'privateCidrs', severity: 'warning', message: `${line} is public address space, not a private network.`, fix: 'Keep it only if your agency owns it and serves it privately; traffic to it from the dedicated pool will go over the VPN.' })
      else if (c.kind === 'shared' || c.kind === 'documentation' || c.kind === 'benchmarking') out.push({ field: 'privateCidrs', severity: 'warning', message: `${line} is in the ${c.name} block.`, fix: 'Check this is really the network your services live in.' })
      good.push(p)
    }
  }
  for (let i = 0; i < good.length; i++) {
    for (let j = i + 1; j < good.length; j++) {
      const a = good[i]!
      const b = good[j]!
      if (overlaps(a, b)) out.push({ field: 'privateCidrs', severity: 'warning', message: `${a.text} and ${b.text} overlap.`, fix: `Keep only ${toSize(a) >= toSize(b) ? a.text : b.text}.` })
    }
  }
  if (good.length > 1) {
    const sup = coveringSupernet(good)
    const extra = toSize(sup) - good.reduce((n, p) => n + toSize(p), 0)
    out.push({
      field: 'privateCidrs',
      severity: 'warning',
      message: `${good.length} networks: IKEv1 carries one selector pair per tunnel, so they must travel as one summary (${sup.text}${extra > 0 ? `, which also covers ${extra} addresses you did not list` : ''}) or over a route-based tunnel.`,
      fix: 'Ask the provider to set the tunnels\' Local/Remote IPv4 Network CIDR to 0.0.0.0/0 (route-based), or to accept the summary.',
    })
  }
  return out
}

/** Every finding about the request, in field order. */
export function checkRequest(d: RequestDraft): RequestFinding[] {
  const out: RequestFinding[] = []
  if (d.name.trim() === '') out.push({ field: 'name', severity: 'error', message: 'Give this connection a name.', fix: 'For example "HQ to cloud.gov".' })
  out.push(...checkPublicIp(d.publicIp), ...checkPrivateCidrs(d.privateCidrs))
  if (d.endpointType === '') out.push({ field: 'endpointType', severity: 'error', message: 'Choose the type of your VPN endpoint.' })
  if (d.endpointType === 'other' && d.endpointOther.trim() === '') out.push({ field: 'endpointType', severity: 'error', message: 'Name the device and software version (e.g. Palo Alto PAN-OS 10.2).' })
  const n = Number(d.appCount)
  if (d.appCount.trim() === '' || !Number.isInteger(n) || n < 1 || n > 10000) out.push({ field: 'appCount', severity: 'error', message: 'Enter the approximate number of applications as a whole number (1 or more).' })
  return out
}

/** The endpoint type as the ticket names it. */
export function toEndpointLabel(d: RequestDraft): string {
  if (d.endpointType === 'other') return d.endpointOther.trim()
  return d.endpointType === '' ? '' : DEVICE_LABELS[d.endpointType]
}

/** cloud.gov's support address and subject, from its private egress page. */
export const SUPPORT_EMAIL = 'cloud-gov-support@gsa.gov'
export const TICKET_SUBJECT = 'Private Egress Request'

/** The support-ticket text asking for a dedicated pool, with everything cloud.gov's page says to provide. */
export function toTicketText(d: RequestDraft): string {
  const cidrs = toCidrLines(d.privateCidrs)
  const parsed = cidrs.map((c) => parsePrefix(c)).filter((p): p is Prefix => p !== undefined)
  const org = d.organization.trim()
  const lines = [
    `Subject: ${TICKET_SUBJECT}`,
    '',
    'Hello cloud.gov support,',
    '',
    `As Org Admin${org ? ` of the cloud.gov organization "${org}"` : ''}, I request a dedicated pool of hosts for our applications, connected to our private network through an IPsec VPN (private egress).`,
    '',
    `1. Public IP address of our endpoint: ${d.publicIp.trim()}`,
    '2. CIDR(s) of the private network(s) to connect:',
    ...cidrs.map((c) => `   - ${c}`),
    `3. Type of endpoint: ${toEndpointLabel(d)}`,
    `4. Approximate number of applications: ${d.appCount.trim()}`,
    '',
    'Our endpoint supports IKEv1 main mode with a pre-shared key, AES256 (AES128 minimum), SHA256 and Diffie-Hellman group 14 (MODP 2048) for IKE and PFS, with lifetimes of 28800 s (phase 1) and 3600 s (phase 2). We will initiate and maintain the connection from our side.',
  ]
  if (parsed.length > 1) {
    lines.push('', `Because IKEv1 negotiates one traffic-selector pair per tunnel, please set the tunnels' Local/Remote IPv4 Network CIDR to 0.0.0.0/0 (we route per prefix on our side), or tell us if you require the single summary ${coveringSupernet(parsed).text}.`)
  }
  lines.push(
    '',
    'Please send us:',
    '- the egress IPs of traffic originating in the dedicated pool;',
    '- the VPN configuration for both tunnels (outside IPs, inside CIDRs, encryption settings), ideally the AWS "Generic" configuration download (XML);',
    '- the pre-shared keys, through a separate secure channel;',
    '- the CIDR of the dedicated subnet, and the static routes and Local/Remote Network CIDRs set on the tunnels;',
    '- how to deploy our applications to the isolated segment.',
  )
  if (d.contact.trim()) lines.push('', `Contact: ${d.contact.trim()}`)
  lines.push('', 'Thank you.')
  return lines.join('\n')
}

/** A mailto: link that opens the ticket in the user's mail program. */
export function toMailto(d: RequestDraft): string {
  const body = toTicketText(d).split('\n').slice(2).join('\n')
  return `mailto:${SUPPORT_EMAIL}?subject=${encodeURIComponent(TICKET_SUBJECT)}&body=${encodeURIComponent(body)}`
}

/** Where the details that came back differ from what was asked for. */
export function compareWithRequest(d: RequestDraft, got: { readonly publicIp: string; readonly privateCidrs: readonly string[] }): string[] {
  const out: string[] = []
  const asked = d.publicIp.trim()
  if (asked && got.publicIp && asked !== got.publicIp.trim()) out.push(`The details name the gateway ${got.publicIp}, but the request asked for ${asked}.`)
  const want = new Set(toCidrLines(d.privateCidrs))
  const have = new Set(got.privateCidrs.map((c) => c.trim()).filter((c) => c !== ''))
  for (const c of want) if (!have.has(c)) out.push(`The request asked to connect ${c}, but the details do not list it.`)
  for (const c of have) if (want.size > 0 && !want.has(c)) out.push(`The details list ${c}, which the request did not ask for.`)
  return out
}

/** The request as the profile keeps it; undefined when nothing has been typed yet. */
export function toRequestRecord(d: RequestDraft): ProviderRequestRecord | undefined {
  if (Object.values(d).every((v) => v.trim() === '')) return undefined
  const n = Number(d.appCount.trim())
  return {
    name: d.name.trim(),
    organization: d.organization.trim(),
    contact: d.contact.trim(),
    publicIp: d.publicIp.trim(),
    privateCidrs: toCidrLines(d.privateCidrs),
    endpointType: d.endpointType,
    endpointOther: d.endpointOther.trim(),
    ...(d.appCount.trim() !== '' && Number.isInteger(n) && n >= 0 ? { approxApps: n } : {}),
  }
}

/** The request form from what a profile kept (an empty form when it kept none). */
export function toRequestDraft(r: ProviderRequestRecord | undefined): RequestDraft {
  if (!r) return EMPTY_REQUEST
  return { name: r.name, organization: r.organization, contact: r.contact, publicIp: r.publicIp, privateCidrs: r.privateCidrs.join('\n'), endpointType: r.endpointType, endpointOther: r.endpointOther, appCount: r.approxApps === undefined ? '' : String(r.approxApps) }
}
