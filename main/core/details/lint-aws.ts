// Lint of what the details say about the AWS side beyond the tunnels: dynamic routing (BGP), what each device
// kind needs for it (or why it cannot have it), and the tunnel options, which the details' proposal and
// lifetimes must fit.
import { insideAddresses } from '../net/cidr'
import { AWS_NAMES, toPreferred, toProposalSlots, toTunnelAllows, type ProposalKey } from './aws-proposals'
import type { Finding } from './lint'
import type { AwsTunnelOptions, Bgp, Crypto } from './model'

const CRYPTO_FIELD: Readonly<Record<ProposalKey, string>> = { ikeVersion: 'crypto.ikeVersion', encryption: 'crypto.encryption', integrity: 'crypto.integrity', dhGroup: 'crypto.dhGroup', pfsGroup: 'crypto.pfsGroup' }

/** What these rules read: a complete details document, or a draft still missing the agency's CIDRs. */
export interface AwsSideInput {
  readonly crypto: Crypto
  readonly remote: { readonly tunnels: readonly { readonly outsideIp: string; readonly insideCidr: string }[] }
  readonly bgp?: Bgp
  readonly tunnelOptions?: readonly AwsTunnelOptions[]
  readonly routing?: string
}

/** Findings about BGP and the tunnel options, appended to `out`. */
export function lintAwsSide(details: AwsSideInput, out: Finding[], device?: string): void {
  lintBgp(details, out, device)
  lintTunnelOptions(details, out)
}

/** Values of one setting as a person reads them: "DH group 2", "DH groups 14, 15", "SHA2-256, SHA1", "IKEv2". */
function toShownValues(key: ProposalKey, values: readonly (string | number)[]): string {
  if (key === 'dhGroup' || key === 'pfsGroup') return `DH group${values.length === 1 ? '' : 's'} ${values.join(', ')}`
  if (key === 'ikeVersion') return values.map((v) => `IKEv${v}`).join(', ')
  const names: Readonly<Record<string, string>> = key === 'encryption' ? AWS_NAMES.encryption : AWS_NAMES.integrity
  return values.map((v) => names[String(v)] ?? String(v)).join(', ')
}

/** A value as modify-vpn-tunnel-options takes it. */
function toAwsValue(key: ProposalKey, v: string | number): string {
  if (key === 'ikeVersion') return `ikev${v}`
  if (key === 'encryption') return AWS_NAMES.encryption[v as keyof typeof AWS_NAMES.encryption] ?? String(v)
  if (key === 'integrity') return AWS_NAMES.integrity[v as keyof typeof AWS_NAMES.integrity] ?? String(v)
  return String(v)
}

function tunnelLabel(details: AwsSideInput, outsideIp: string): string {
  const i = details.remote.tunnels.findIndex((t) => t.outsideIp === outsideIp)
  return i < 0 ? `The tunnel ${outsideIp}` : `Tunnel ${i + 1} (${outsideIp})`
}

/** The device kinds whose BGP Tunnelwright sets up (FRR beside the Linux IPsec stacks). */
const LINUX_BGP_KINDS: readonly string[] = ['strongswan', 'strongswan-legacy', 'libreswan', 'openswan']

/** The vendor kinds whose rendered configuration carries BGP, with what each device needs for it. */
const VENDOR_BGP_NEEDS: Readonly<Record<string, { readonly device: string; readonly needs: string }>> = {
  'cisco-asa': { device: 'the ASA', needs: 'ASA 9.7(1) or later (virtual tunnel interfaces) with the configuration pasted as rendered: prefix lists and router bgp with both neighbours in the IPv4 address family.' },
  'cisco-ios': { device: 'the router', needs: 'IOS 15 or IOS-XE 16/17 with the configuration pasted as rendered: ip prefix-list entries and router bgp with both neighbours.' },
  paloalto: { device: 'the firewall', needs: 'PAN-OS 9–11 with the legacy virtual router (default): BGP, a redistribution profile for the agency CIDRs and export/import rules are set there; with Advanced Routing (logical routers) enter the same values under the logical router instead.' },
  fortigate: { device: 'the FortiGate', needs: 'FortiOS 6.x–7.x, interface-mode tunnels: config router prefix-list and config router bgp (the VDOM runs one BGP AS: set as is the customer gateway ASN).' },
  'juniper-srx': { device: 'the SRX', needs: 'Junos with st0 route-based VPNs: policy-options for each direction and protocols bgp group, and BGP let in on the VPN zone (host-inbound-traffic protocols bgp, part of the render).' },
}

function lintBgp(details: AwsSideInput, out: Finding[], device?: string): void {
  const bgp = details.bgp
  if (!bgp) return
  const neighbours = bgp.tunnels.map((p) => p.neighborIp).join(' and ')
  const asns = [...new Set(bgp.tunnels.map((p) => p.awsAsn).filter((a) => a !== undefined))]
  const asnText = asns.length ? `AWS ASN ${asns.join(' and ')}, ` : ''
  if (device === 'pfsense') {
    out.push({
      id: 'bgp-frr-pfsense',
      severity: 'info',
      path: '/bgp',
      message: `This VPN uses dynamic routing (BGP): apply adds a BGP neighbour per tunnel (${asnText}neighbours ${neighbours}) to pfSense's FRR package, route-based (VTI), with AWS's timers; the agency CIDRs are advertised and only the dedicated CIDRs accepted.`,
      why: "A BGP VPN routes only what its BGP sessions announce: AWS advertises the VPC's prefixes and learns the agency's over them, and BGP moves traffic to the other tunnel when one fails.",
      fix: "The gateway needs the FRR package (System → Package Manager → Available Packages → frr) with FRR enabled (Services → FRR → Global Settings), and Firewall → Rules → IPsec passing TCP 179 from AWS's inside addresses (so AWS can open a session too). If FRR already runs BGP, its ASN must be the customer gateway's. The package restarts FRR when its settings change: the box's other BGP or OSPF sessions drop once.",
    })
  } else if (device !== undefined && VENDOR_BGP_NEEDS[device]) {
    const v = VENDOR_BGP_NEEDS[device]
    out.push({
      id: 'bgp-vendor',
      severity: 'info',
      path: '/bgp',
      message: `This VPN uses dynamic routing (BGP): the ${device} configuration runs a BGP session in each tunnel (${asnText}neighbours ${neighbours}), route-based, with AWS's timers (keepalive 10 s, hold 30 s); ${v.device} advertises the agency CIDRs only and accepts the dedicated CIDRs only, and routes nothing to them statically.`,
      why: "A BGP VPN routes only what its BGP sessions announce: AWS advertises the VPC's prefixes and learns the agency's over them, and BGP moves traffic to the other tunnel when one fails.",
      fix: `The device needs ${v.needs} If ${v.device} already runs BGP, its ASN must be the customer gateway's; each agency CIDR must be in its routing table (connected or static) to be advertised.`,
    })
  } else if (device === undefined || LINUX_BGP_KINDS.includes(device)) {
    out.push({
      id: 'bgp-frr',
      severity: 'info',
      path: '/bgp',
      message: `This VPN uses dynamic routing (BGP): apply sets up a BGP session in each tunnel (${asnText}neighbours ${neighbours}) in FRR on the gateway, route-based, with AWS's timers; the agency CIDRs are advertised and only the dedicated CIDRs accepted.`,
      why: 'A BGP VPN routes only what its BGP sessions announce: AWS advertises the VPC\'s prefixes and learns the agency\'s over them, and BGP moves traffic to the other tunnel when one fails.',
      fix: 'The gateway needs FRR with bgpd enabled (Debian/Ubuntu: apt-get install frr frr-pythontools; bgpd=yes in /etc/frr/daemons). Tunnelwright changes only its own section of /etc/frr/frr.conf and reloads FRR without a restart.',
    })
  } else {
    out.push({
      id: 'bgp-not-supported',
      severity: 'error',
      path: '/bgp',
      message: `This VPN uses dynamic routing (BGP): AWS expects a BGP session in each tunnel (${asnText}neighbours ${neighbours}), and Tunnelwright sets up or renders BGP on Linux gateways, pfSense, Cisco ASA/IOS, PAN-OS, FortiOS and Junos, not on ${device}.`,
      why: device === 'windows-server'
        ? "RRAS has BGP cmdlets (Add-BgpRouter, Add-BgpPeer, Add-BgpCustomRoute), but AWS's sessions run between each tunnel's inside addresses (169.254.x.2 to .1) and an RRAS site-to-site interface takes no address (Add-VpnS2SInterface has no parameter for one); AWS also publishes no Windows BGP example to check a rendering against. A BGP VPN routes only what its BGP sessions announce: tunnels set up as static come up, but carry no traffic."
        : "A BGP VPN routes only what its BGP sessions announce: AWS advertises the VPC's prefixes and learns the agency's over them. Tunnels set up as static come up, but carry no traffic.",
      fix: `Ask the provider for a VPN connection with static routing (routing options: Static, with static routes for the agency CIDRs; an existing connection cannot be switched, it is recreated) and import its export. Or, if the device's own BGP already peers with these neighbours, remove the "bgp" section to set up only the tunnels, route-based ("routing": "route").`,
    })
  }
  lintAsns(bgp, out)
  if (details.routing === 'policy') {
    out.push({ id: 'bgp-needs-route-based', severity: 'error', path: '/routing', message: 'This VPN uses BGP, and routing is set to policy-based.', why: "BGP runs between the tunnels' inside addresses and chooses the tunnel per route: that needs a tunnel interface per tunnel (route-based); policy-based tunnels have no inside addresses to peer on.", fix: 'Set routing to "route" (or "auto" on a gateway that supports route-based tunnels).' })
  }
  bgp.tunnels.forEach((p, i) => {
    const tunnel = details.remote.tunnels.find((t) => t.outsideIp === p.outsideIp)
    const path = `/bgp/tunnels/${i}`
    if (!tunnel) {
      out.push({ id: 'bgp-tunnel-unknown', severity: 'error', path: `${path}/outsideIp`, message: `BGP session ${i + 1} names the tunnel ${p.outsideIp}, which is not one of remote.tunnels.`, why: 'Each BGP session runs inside one tunnel, paired by its AWS outside IP.', fix: "Copy the tunnel's outside IP from remote.tunnels (import the export again to get both sections from one source)." })
      return
    }
    const inside = insideAddresses(tunnel.insideCidr)
    if (inside && p.neighborIp !== inside.aws) {
      out.push({ id: 'bgp-neighbor-not-aws-inside', severity: 'warning', path: `${path}/neighborIp`, message: `${tunnelLabel(details, p.outsideIp)}'s BGP neighbour ${p.neighborIp} is not AWS's inside address ${inside.aws} of ${tunnel.insideCidr}.`, why: "AWS's end of the BGP session is the first address of the tunnel's inside /30.", fix: `Set bgp.tunnels[${i}].neighborIp to ${inside.aws}, or check the inside CIDR against the export.` })
    }
  })
}

/**
 * ASNs no BGP speaker may use: AS_TRANS (RFC 6793, the 2-byte stand-in for a 4-byte ASN) and the last ASN of
 * each range (RFC 7300).
 */
const RESERVED_ASNS: Readonly<Record<number, string>> = { 23456: 'AS_TRANS (RFC 6793)', 65535: 'reserved (RFC 7300)', 4294967295: 'reserved (RFC 7300)' }
/** Customer gateway ASNs AWS reserves in a region (EC2 CreateCustomerGateway: "with the exception of 7224 … us-east-1 … 9059 … eu-west-1"). */
const AWS_REGION_RESERVED_ASNS: Readonly<Record<number, string>> = { 7224: 'us-east-1', 9059: 'eu-west-1' }
/** The hold time AWS's BGP sessions use (its exports: hold time 30 s; keepalive 10 s). */
export const AWS_BGP_HOLD_TIME = 30

/** One VPN connection has one customer gateway ASN and one AWS ASN: both tunnels carry the same two, and they differ (eBGP). */
function lintAsns(bgp: Bgp, out: Finding[]): void {
  const distinct = (key: 'awsAsn' | 'customerAsn') => [...new Set(bgp.tunnels.map((p) => p[key]).filter((a): a is number => a !== undefined))]
  const customer = distinct('customerAsn')
  const aws = distinct('awsAsn')
  bgp.tunnels.forEach((p, i) => {
    const path = `/bgp/tunnels/${i}`
    if (p.customerAsn === undefined) {
      out.push({ id: 'bgp-customer-asn-missing', severity: 'error', path: `${path}/customerAsn`, message: `BGP session ${i + 1} has no customer gateway ASN.`, why: "The gateway's BGP speaker runs as the ASN the customer gateway was created with at AWS; AWS refuses a session from any other ASN.", fix: 'Enter the customer gateway\'s BGP ASN (aws ec2 describe-customer-gateways shows it as BgpAsn) in bgp.tunnels[].customerAsn.' })
    } else {
      const reserved = RESERVED_ASNS[p.customerAsn]
      if (reserved) out.push({ id: 'bgp-asn-reserved', severity: 'error', path: `${path}/customerAsn`, message: `The customer gateway ASN ${p.customerAsn} is ${reserved}.`, why: 'No BGP speaker may use this ASN as its own; sessions with it are refused or misread.', fix: 'Use the ASN the customer gateway was created with; a private ASN (64512–65534) when the agency has none.' })
      const region = AWS_REGION_RESERVED_ASNS[p.customerAsn]
      if (region) out.push({ id: 'bgp-asn-aws-reserved', severity: 'warning', path: `${path}/customerAsn`, message: `The customer gateway ASN ${p.customerAsn} is reserved by AWS in ${region}.`, why: 'AWS does not accept it for a customer gateway in that region.', fix: 'Check the region of the VPN; there, use another ASN (a private one: 64512–65534).' })
    }
    if (p.awsAsn === undefined) {
      out.push({ id: 'bgp-aws-asn-missing', severity: 'warning', path: `${path}/awsAsn`, message: `BGP session ${i + 1} does not name AWS's ASN; the gateway accepts any ASN other than its own from that neighbour ("remote-as external").`, why: "The export normally gives it (the virtual private gateway's or transit gateway's ASN); without it the session cannot check who answers.", fix: "Enter AWS's ASN (aws ec2 describe-vpn-gateways: AmazonSideAsn) in bgp.tunnels[].awsAsn." })
    } else if (p.customerAsn !== undefined && p.awsAsn === p.customerAsn) {
      out.push({ id: 'bgp-asn-same', severity: 'error', path: `${path}/customerAsn`, message: `BGP session ${i + 1} gives the customer gateway and AWS the same ASN ${p.awsAsn}.`, why: 'The sessions with AWS are external BGP: the two ends must be different autonomous systems, and AWS ignores routes that carry its own ASN.', fix: "Use the customer gateway's own ASN (different from AWS's); recreate the customer gateway at AWS if it was created with AWS's ASN." })
    }
    if (p.holdTime !== undefined && p.holdTime !== AWS_BGP_HOLD_TIME) {
      out.push({ id: 'bgp-hold-time', severity: 'warning', path: `${path}/holdTime`, message: `BGP session ${i + 1} says hold time ${p.holdTime} s; Tunnelwright sets AWS's timers (keepalive 10 s, hold ${AWS_BGP_HOLD_TIME} s).`, why: 'The two ends use the lower of the two hold times, so a failed tunnel is noticed within 30 s either way.', fix: 'Nothing to do unless the provider says otherwise.' })
    }
  })
  if (customer.length > 1) out.push({ id: 'bgp-asn-differs', severity: 'error', path: '/bgp/tunnels/1/customerAsn', message: `The two BGP sessions name different customer gateway ASNs (${customer.join(' and ')}).`, why: 'Both tunnels of one VPN end at one customer gateway with one ASN, and the gateway runs one BGP speaker with it.', fix: 'Copy the customer gateway ASN from the export for both sessions (import the export again).' })
  if (aws.length > 1) out.push({ id: 'bgp-asn-differs', severity: 'error', path: '/bgp/tunnels/1/awsAsn', message: `The two BGP sessions name different AWS ASNs (${aws.join(' and ')}).`, why: "Both tunnels of one VPN end at one virtual private gateway or transit gateway, which has one ASN.", fix: "Copy AWS's ASN from the export for both sessions (import the export again)." })
}

function lintTunnelOptions(details: AwsSideInput, out: Finding[]): void {
  const options = details.tunnelOptions
  if (!options) return
  const c = details.crypto
  options.forEach((o, i) => {
    const base = `/tunnelOptions/${i}`
    if (!details.remote.tunnels.some((t) => t.outsideIp === o.outsideIp)) {
      out.push({ id: 'tunnel-options-unknown', severity: 'warning', path: `${base}/outsideIp`, message: `Tunnel options ${i + 1} belong to ${o.outsideIp}, which is not one of remote.tunnels; they are not checked.`, why: 'Tunnel options are paired with their tunnel by its AWS outside IP.', fix: "Import the export again, or correct the outside IP to the tunnel's." })
      return
    }
    const label = tunnelLabel(details, o.outsideIp)
    const allows = toTunnelAllows(o)
    for (const slot of toProposalSlots(allows, c)) {
      if (slot.key === 'pfsGroup' && c.pfsGroup === 0) continue
      const value = c[slot.key]
      if (slot.allowed.includes(value)) continue
      const preferred = toPreferred(slot.key, c.ikeVersion)
      const acceptable = preferred.filter((v) => slot.allowed.includes(v))
      const phase = slot.key === 'ikeVersion' ? '' : ` in phase ${slot.phase}`
      const target = preferred.includes(value) ? value : preferred[0]!
      const atAws = `ask the provider to add ${toShownValues(slot.key, [target])} to ${slot.option} in the VPN's tunnel options for this tunnel (aws ec2 modify-vpn-tunnel-options --vpn-connection-id vpn-… --vpn-tunnel-outside-ip-address ${o.outsideIp} --tunnel-options '${slot.option}=[{Value=${toAwsValue(slot.key, target)}}]'; the tunnel restarts)`
      if (acceptable.length === 0) {
        out.push({
          id: 'aws-proposal-none-acceptable',
          severity: 'error',
          path: `${base}/${slot.key === 'ikeVersion' ? 'ikeVersions' : `phase${slot.phase}`}`,
          message: `${label} allows only ${toShownValues(slot.key, slot.allowed)}${phase} (${slot.option}): no proposal cloud.gov accepts can match.`,
          why: `AWS refuses any proposal outside the tunnel's options (NO_PROPOSAL_CHOSEN), and Tunnelwright proposes only what cloud.gov accepts and every gateway runs (${toShownValues(slot.key, preferred)}), so the tunnel never comes up.`,
          fix: `The change is at AWS: ${atAws}.`,
        })
      } else {
        out.push({
          id: 'aws-proposal-not-allowed',
          severity: 'error',
          path: `/crypto/${slot.key}`,
          message: `${label} does not allow ${toShownValues(slot.key, [value])}${phase} (${CRYPTO_FIELD[slot.key]}); its ${slot.option} allow${slot.allowed.length === 1 ? 's only' : ''} ${toShownValues(slot.key, slot.allowed)}.`,
          why: "AWS refuses any proposal outside the tunnel's options (NO_PROPOSAL_CHOSEN), so the tunnel never comes up.",
          fix: `Set ${CRYPTO_FIELD[slot.key]} to ${JSON.stringify(acceptable[0])} (${toShownValues(slot.key, [acceptable[0]!])}), or ${atAws}.`,
        })
      }
    }
    const lifetimes = [
      { field: 'ikeLifetime', phase: 1, aws: o.phase1?.lifetime, ours: c.ikeLifetime, option: 'Phase1LifetimeSeconds', awsDefault: 28800 },
      { field: 'ipsecLifetime', phase: 2, aws: o.phase2?.lifetime, ours: c.ipsecLifetime, option: 'Phase2LifetimeSeconds', awsDefault: 3600 },
    ] as const
    for (const l of lifetimes) {
      if (l.aws === undefined || l.aws === l.ours) continue
      // The other tunnel's lifetime: as its options say, else AWS's default.
      const others = details.remote.tunnels.filter((t) => t.outsideIp !== o.outsideIp).map((t) => {
        const x = options.find((y) => y.outsideIp === t.outsideIp)
        return (l.phase === 1 ? x?.phase1?.lifetime : x?.phase2?.lifetime) ?? l.awsDefault
      })
      const other = others.some((v) => v !== l.aws)
      out.push({
        id: 'aws-lifetime-mismatch',
        severity: 'error',
        path: `/crypto/${l.field}`,
        message: `${label}'s phase ${l.phase} lifetime at AWS is ${l.aws} s (${l.option}); the details use ${l.ours} s.`,
        why: 'Lifetimes must equal what AWS negotiates; a mismatch interrupts the tunnel at every rekey.',
        fix: other ? `The two tunnels' ${l.option} differ and one setting serves both: ask the provider to set the same value on both tunnels.` : `Set crypto.${l.field} to ${l.aws}.`,
      })
    }
  })
}
