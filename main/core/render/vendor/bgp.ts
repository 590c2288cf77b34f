// The BGP part of a route-based vendor configuration: AWS's two neighbours on the tunnels' inside /30s with
// AWS's ASN and timers (keepalive 10 s, hold 30 s), the customer gateway's ASN, the agency CIDRs advertised and
// nothing else (an outbound prefix filter), only the dedicated CIDRs accepted. One writer per syntax; every
// value goes through an escaper. The plan is the one FRR gets on the Linux stacks (toFrrBgpPlan).
//
// Sources: AWS's BGP examples for each device (awsdocs amazon-vpc-network-administrator-guide
// cisco-asa-vti-bgp.md, Cisco.md, palo-alto.md, fortinet.md, juniper-srx.md; test/fixtures/vendors/): `router
// bgp`, `neighbor … timers 10 30 30`, `connection-options keep-alive-interval 10 hold-time 30`, `config router
// bgp` / `config neighbor`, `protocols bgp group … hold-time 30`; Cisco ASA and IOS `prefix-list … le`,
// `neighbor … prefix-list … in|out`; PAN-OS virtual-router BGP policy import/export rules and redistribution
// profiles; FortiOS `config router prefix-list` and `set prefix-list-in/out`; Junos `policy-statement …
// route-filter … exact|orlonger`.
import { UserError } from '../../base/result'
import { AWS_BGP_TIMERS, toFrrBgpPlan } from '../frr'
import { escapeCidr4, escapeInt, escapeIpv4 } from '../escape'
import { escapeFortiosString, escapeIpv4Mask, escapeVendorName, escapeVendorWord } from './escape'
import { refuse, type VendorContext } from './common'

/** The BGP sessions of a vendor render: present only for a BGP VPN, AWS's ASN known for both neighbours. */
export interface VendorBgp {
  readonly asn: number
  readonly neighbours: readonly { readonly tunnel: 1 | 2; readonly ip: string; readonly remoteAs: number; readonly localIp: string }[]
  readonly advertise: readonly string[]
  readonly accept: readonly string[]
  /** The prefix-list / policy names the device gets for each direction. */
  readonly outName: string
  readonly inName: string
}

/** The kinds whose BGP is rendered: every vendor kind but Windows Server (see lint-aws.ts for why). */
export const VENDOR_BGP_KINDS = ['cisco-asa', 'cisco-ios', 'paloalto', 'fortigate', 'juniper-srx'] as const

/** The BGP plan of a vendor render, or undefined for a static VPN; refuses what the device cannot be given. */
export function toVendorBgp(ctx: VendorContext, names: { readonly outName: string; readonly inName: string }): VendorBgp | undefined {
  if (!ctx.input.details.bgp) return undefined
  if (!(VENDOR_BGP_KINDS as readonly string[]).includes(ctx.kind)) {
    refuse(ctx.kind, 'bgp-not-supported', "this VPN uses BGP, and Tunnelwright renders BGP for Cisco ASA/IOS, PAN-OS, FortiOS and Junos, not for Windows Server RRAS (AWS's sessions run between the tunnels' inside addresses, and an RRAS site-to-site interface takes no address).", 'Ask the provider for a static VPN connection, or set up RRAS BGP (Add-BgpRouter, Add-BgpPeer) by hand and remove the "bgp" section to render only the tunnels.')
  }
  let plan
  try {
    plan = toFrrBgpPlan(ctx.input)
  } catch (err) {
    if (err instanceof UserError) throw new UserError(err.code, `${ctx.kind}: ${err.message}`, { cause: err, ...(err.fix ? { fix: err.fix } : {}) })
    throw err
  }
  if (!plan) return undefined
  const neighbours = plan.neighbours.map((n) => {
    if (n.remoteAs === 'external') refuse(ctx.kind, 'vendor-bgp-aws-asn', "a BGP neighbour on this device needs AWS's ASN; the details give none.", "Import the export again (it names AWS's ASN), or set bgp.tunnels[].awsAsn (64512 unless the provider chose another).")
    return { ...n, remoteAs: n.remoteAs }
  })
  return { asn: plan.asn, neighbours, advertise: plan.advertise, accept: plan.accept, outName: escapeVendorName(names.outName), inName: escapeVendorName(names.inName) }
}

/** Cisco ASA 9.7+: prefix lists and `router bgp` with the neighbours in the IPv4 address family (as AWS's ASA VTI BGP example). */
export function toAsaBgp(b: VendorBgp): string {
  const lines = ['! BGP: AWS advertises the VPC over each tunnel; the ASA advertises the agency CIDRs only and accepts the dedicated CIDRs only.']
  b.advertise.forEach((c, i) => lines.push(`prefix-list ${b.outName} seq ${(i + 1) * 5} permit ${escapeCidr4(c)}`))
  b.accept.forEach((c, i) => lines.push(`prefix-list ${b.inName} seq ${(i + 1) * 5} permit ${escapeCidr4(c)} le 32`))
  lines.push(`router bgp ${escapeInt(b.asn)}`, ' bgp log-neighbor-changes', ' address-family ipv4 unicast')
  for (const n of b.neighbours) {
    const ip = escapeIpv4(n.ip)
    lines.push(
      `  neighbor ${ip} remote-as ${escapeInt(n.remoteAs)}`,
      `  neighbor ${ip} timers ${AWS_BGP_TIMERS.keepalive} ${AWS_BGP_TIMERS.hold} ${AWS_BGP_TIMERS.hold}`,
      `  neighbor ${ip} activate`,
      `  neighbor ${ip} prefix-list ${b.inName} in`,
      `  neighbor ${ip} prefix-list ${b.outName} out`,
    )
  }
  for (const c of b.advertise) lines.push(`  network ${escapeIpv4Mask(c).replace(' ', ' mask ')}`)
  lines.push('  no auto-summary', '  no synchronization', ' exit-address-family', 'exit')
  return lines.join('\n')
}

/** Cisco IOS / IOS-XE: `ip prefix-list` and `router bgp`, neighbours activated in the IPv4 address family (as AWS's IOS BGP example). */
export function toIosBgp(b: VendorBgp): string {
  const lines = ['! BGP: AWS advertises the VPC over each tunnel; the router advertises the agency CIDRs only and accepts the dedicated CIDRs only.']
  b.advertise.forEach((c, i) => lines.push(`ip prefix-list ${b.outName} seq ${(i + 1) * 5} permit ${escapeCidr4(c)}`))
  b.accept.forEach((c, i) => lines.push(`ip prefix-list ${b.inName} seq ${(i + 1) * 5} permit ${escapeCidr4(c)} le 32`))
  lines.push(`router bgp ${escapeInt(b.asn)}`, ' bgp log-neighbor-changes')
  for (const n of b.neighbours) {
    const ip = escapeIpv4(n.ip)
    lines.push(` neighbor ${ip} remote-as ${escapeInt(n.remoteAs)}`, ` neighbor ${ip} timers ${AWS_BGP_TIMERS.keepalive} ${AWS_BGP_TIMERS.hold} ${AWS_BGP_TIMERS.hold}`)
  }
  lines.push(' address-family ipv4 unicast')
  for (const c of b.advertise) lines.push(`  network ${escapeIpv4Mask(c).replace(' ', ' mask ')}`)
  for (const n of b.neighbours) {
    const ip = escapeIpv4(n.ip)
    lines.push(`  neighbor ${ip} activate`, `  neighbor ${ip} prefix-list ${b.inName} in`, `  neighbor ${ip} prefix-list ${b.outName} out`)
  }
  lines.push(' exit-address-family', 'exit')
  return lines.join('\n')
}

/**
 * PAN-OS virtual router BGP: one eBGP peer group with a peer per tunnel (AWS's timers), the agency CIDRs
 * redistributed and exported, anything else denied; only the dedicated CIDRs imported.
 */
export function toPanosBgp(b: VendorBgp, opts: { readonly virtualRouter: string; readonly group: string; readonly peerNames: readonly [string, string]; readonly units: readonly [string, string]; readonly denyOut: string; readonly denyIn: string }): string {
  const vr = escapeVendorWord(opts.virtualRouter)
  const group = escapeVendorName(opts.group)
  const base = `set network virtual-router ${vr} protocol bgp`
  // PAN-OS keeps BGP's routes out of the forwarding table unless install-route is on (off by default).
  const lines = [`${base} enable yes`, `${base} router-id ${escapeIpv4(b.neighbours[0]!.localIp)}`, `${base} local-as ${escapeInt(b.asn)}`, `${base} install-route yes`, `${base} peer-group ${group} enable yes`, `${base} peer-group ${group} type ebgp`]
  for (const n of b.neighbours) {
    const peer = `${base} peer-group ${group} peer ${escapeVendorName(opts.peerNames[n.tunnel - 1]!)}`
    lines.push(
      `${peer} peer-as ${escapeInt(n.remoteAs)}`,
      `${peer} local-address interface ${escapeVendorWord(opts.units[n.tunnel - 1]!)} ip ${escapeCidr4(`${n.localIp}/30`)}`,
      `${peer} peer-address ip ${escapeIpv4(n.ip)}`,
      `${peer} connection-options keep-alive-interval ${AWS_BGP_TIMERS.keepalive} hold-time ${AWS_BGP_TIMERS.hold}`,
      `${peer} enable yes`,
    )
  }
  // The agency CIDRs reach BGP through a redistribution profile (connected or static routes to them).
  const redist = `set network virtual-router ${vr} protocol redist-profile ${b.outName}`
  lines.push(`${redist} filter type [ connect static ] destination [ ${b.advertise.map(escapeCidr4).join(' ')} ]`, `${redist} priority 1 action redist`, `${base} redist-rules ${b.outName} enable yes`)
  const rule = (dir: 'export' | 'import', name: string) => `${base} policy ${dir} rules ${escapeVendorName(name)}`
  lines.push(
    `${rule('export', b.outName)} used-by ${group}`,
    ...b.advertise.map((c) => `${rule('export', b.outName)} match address-prefix ${escapeCidr4(c)} exact yes`),
    `${rule('export', b.outName)} action allow`,
    `${rule('export', opts.denyOut)} used-by ${group}`,
    `${rule('export', opts.denyOut)} action deny`,
    `${rule('import', b.inName)} used-by ${group}`,
    ...b.accept.map((c) => `${rule('import', b.inName)} match address-prefix ${escapeCidr4(c)} exact no`),
    `${rule('import', b.inName)} action allow`,
    `${rule('import', opts.denyIn)} used-by ${group}`,
    `${rule('import', opts.denyIn)} action deny`,
  )
  return lines.join('\n')
}

/** FortiOS: prefix lists for each direction and `config router bgp` with a neighbour per tunnel (AWS's timers) and the agency networks. */
export function toFortiosBgp(b: VendorBgp): string {
  const q = escapeFortiosString
  const rules = (cidrs: readonly string[], le: boolean) => [
    '        config rule',
    ...cidrs.flatMap((c, i) => [`            edit ${escapeInt(i + 1)}`, `                set prefix ${escapeIpv4Mask(c)}`, ...(le ? ['                set le 32'] : []), '            next']),
    '        end',
  ]
  return [
    '# BGP: AWS advertises the VPC over each tunnel; the FortiGate advertises the agency CIDRs only and accepts the dedicated CIDRs only.',
    'config router prefix-list',
    `    edit ${q(b.outName)}`,
    ...rules(b.advertise, false),
    '    next',
    `    edit ${q(b.inName)}`,
    ...rules(b.accept, true),
    '    next',
    'end',
    'config router bgp',
    `    set as ${escapeInt(b.asn)}`,
    '    config neighbor',
    ...b.neighbours.flatMap((n) => [
      `        edit ${q(escapeIpv4(n.ip))}`,
      `            set remote-as ${escapeInt(n.remoteAs)}`,
      `            set keep-alive-timer ${AWS_BGP_TIMERS.keepalive}`,
      `            set holdtime-timer ${AWS_BGP_TIMERS.hold}`,
      `            set prefix-list-in ${q(b.inName)}`,
      `            set prefix-list-out ${q(b.outName)}`,
      '        next',
    ]),
    '    end',
    '    config network',
    ...b.advertise.flatMap((c) => ['        edit 0', `            set prefix ${escapeIpv4Mask(c)}`, '        next']),
    '    end',
    'end',
  ].join('\n')
}

/** Junos: an export policy with the agency CIDRs and an import policy with the dedicated CIDRs, each ending in reject, and an external group (AWS's hold time). */
export function toJunosBgp(b: VendorBgp, opts: { readonly group: string; readonly zone: string }): string {
  const group = escapeVendorName(opts.group)
  const out = `set policy-options policy-statement ${b.outName}`
  const inn = `set policy-options policy-statement ${b.inName}`
  const g = `set protocols bgp group ${group}`
  return [
    ...b.advertise.map((c) => `${out} term agency from route-filter ${escapeCidr4(c)} exact`),
    `${out} term agency then accept`,
    `${out} term reject then reject`,
    ...b.accept.map((c) => `${inn} term dedicated from route-filter ${escapeCidr4(c)} orlonger`),
    `${inn} term dedicated then accept`,
    `${inn} term reject then reject`,
    `${g} type external`,
    `${g} local-as ${escapeInt(b.asn)}`,
    `${g} hold-time ${AWS_BGP_TIMERS.hold}`,
    `${g} import ${b.inName}`,
    `${g} export ${b.outName}`,
    ...b.neighbours.map((n) => `${g} neighbor ${escapeIpv4(n.ip)} peer-as ${escapeInt(n.remoteAs)}`),
    `set security zones security-zone ${escapeVendorName(opts.zone)} host-inbound-traffic protocols bgp`,
  ].join('\n')
}

/** The note every BGP render carries: the sessions, what is advertised and accepted, and what the device must already have. */
export function toBgpNote(b: VendorBgp, device: string): string {
  return `BGP (AS ${b.asn}): a session with AWS (AS ${b.neighbours[0]!.remoteAs}) in each tunnel, neighbours ${b.neighbours.map((n) => n.ip).join(' and ')}, keepalive ${AWS_BGP_TIMERS.keepalive} s and hold ${AWS_BGP_TIMERS.hold} s; ${device} advertises ${b.advertise.join(', ')} only (each must be in its routing table, connected or static) and accepts ${b.accept.join(', ')} only; there are no static routes to the dedicated CIDRs. If ${device} already runs BGP, its ASN must be ${b.asn}.`
}
