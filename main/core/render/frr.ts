// FRR's bgpd configuration for a BGP VPN on the Linux stacks: AWS's two neighbours on the tunnels' inside /30s,
// the ASNs from the export, AWS's timers (keepalive 10 s, hold 30 s), the agency CIDRs advertised and nothing
// else, only the dedicated CIDRs accepted. It lives in /etc/frr/frr.conf (FRR has no include directive: the
// daemons and `vtysh -b` read that one file) as a section between two marker comments that only we write; every
// byte outside the section is kept as it was, and removing the section gives the file back byte for byte.
import { UserError } from '../base/result'
import type { RenderInput } from '../details/resolve'
import { parsePrefix } from '../net/cidr'
import { escapeCidr4, escapeInt, escapeIpv4, escapeToken } from './escape'
import type { RenderedFile } from './types'

/** FRR's integrated configuration file (Debian, Ubuntu, RHEL alike). */
export const FRR_CONF = '/etc/frr/frr.conf'
/** AWS's BGP timers (its exports: keepalive 10 s, hold time 30 s). */
export const AWS_BGP_TIMERS = { keepalive: 10, hold: 30 } as const

const BEGIN = '! tunnelwright:begin '
const END = '! tunnelwright:end '

/** What the BGP section needs from the details: present only for a BGP VPN whose sessions name the customer ASN. */
export interface FrrBgpPlan {
  readonly slug: string
  readonly asn: number
  readonly neighbours: readonly { readonly tunnel: 1 | 2; readonly ip: string; readonly remoteAs: number | 'external'; readonly localIp: string }[]
  readonly advertise: readonly string[]
  readonly accept: readonly string[]
}

/** The BGP plan of a render input, or undefined when the VPN is static. Throws a UserError when the BGP section cannot be rendered. */
export function toFrrBgpPlan(input: RenderInput): FrrBgpPlan | undefined {
  const bgp = input.details.bgp
  if (!bgp) return undefined
  if (input.routing !== 'route') throw new UserError('bgp-needs-route-based', 'A BGP VPN needs route-based tunnels: the BGP sessions run on the tunnel interfaces.', { fix: 'Render with routing "route" (--routing route).' })
  const asns = [...new Set(bgp.tunnels.map((p) => p.customerAsn))]
  const asn = asns[0]
  if (asns.length !== 1 || asn === undefined) throw new UserError('bgp-customer-asn', 'The BGP sessions must name one customer gateway ASN for both tunnels.', { fix: "Enter the customer gateway's ASN (aws ec2 describe-customer-gateways: BgpAsn) in bgp.tunnels[].customerAsn; tunnelwright lint says what is wrong." })
  const neighbours = input.tunnels.map((t) => {
    const peer = bgp.tunnels.find((p) => p.outsideIp === t.outsideIp)
    if (!peer) throw new UserError('bgp-tunnel-unknown', `No BGP session names tunnel ${t.index} (${t.outsideIp}).`, { fix: 'Import the export again: it pairs each BGP session with its tunnel by outside IP.' })
    // AWS's end is the first address of the /30 (lint warns when the export says otherwise; the session must reach it).
    return { tunnel: t.index, ip: t.insideAws, remoteAs: peer.awsAsn ?? ('external' as const), localIp: t.insideLocal }
  })
  const normal = (cidrs: readonly string[]) => [...new Set(cidrs.map((c) => parsePrefix(c)?.cidr ?? c))]
  return { slug: input.slug, asn, neighbours, advertise: normal(input.agencyCidrs), accept: normal(input.dedicatedCidrs) }
}

/** The begin marker of a connection's section (the slug alphabet has no space, so one slug's marker is never a prefix of another's). */
function beginLine(slug: string): string {
  return `${BEGIN}${escapeToken(slug)} (managed by Tunnelwright: replaced on apply, removed on rollback; edit outside these lines)`
}

/**
 * The section's text (with its marker lines, each line ending in a newline). `routerId` is set only when the
 * file has no `router bgp` of its own: an existing instance keeps its router id.
 */
export function renderFrrBgpSection(plan: FrrBgpPlan, opts: { readonly routerId: boolean }): string {
  const slug = escapeToken(plan.slug)
  const out = `tw-${slug}-out`
  const inn = `tw-${slug}-in`
  const lines = [beginLine(slug)]
  plan.advertise.forEach((c, i) => lines.push(`ip prefix-list ${out} seq ${(i + 1) * 5} permit ${escapeCidr4(c)}`))
  plan.accept.forEach((c, i) => lines.push(`ip prefix-list ${inn} seq ${(i + 1) * 5} permit ${escapeCidr4(c)} le 32`))
  lines.push(`route-map ${out} permit 10`, ` match ip address prefix-list ${out}`, 'exit', `route-map ${inn} permit 10`, ` match ip address prefix-list ${inn}`, 'exit')
  lines.push(`router bgp ${escapeInt(plan.asn)}`)
  if (opts.routerId) lines.push(` bgp router-id ${escapeIpv4(plan.neighbours[0]!.localIp)}`)
  for (const n of plan.neighbours) {
    const ip = escapeIpv4(n.ip)
    lines.push(
      ` neighbor ${ip} remote-as ${n.remoteAs === 'external' ? 'external' : escapeInt(n.remoteAs)}`,
      ` neighbor ${ip} description tunnelwright ${slug} tunnel ${n.tunnel}`,
      ` neighbor ${ip} timers ${AWS_BGP_TIMERS.keepalive} ${AWS_BGP_TIMERS.hold}`,
      ` neighbor ${ip} timers connect 10`,
    )
  }
  lines.push(' address-family ipv4 unicast')
  for (const c of plan.advertise) lines.push(`  network ${escapeCidr4(c)}`)
  for (const n of plan.neighbours) {
    const ip = escapeIpv4(n.ip)
    lines.push(`  neighbor ${ip} activate`, `  neighbor ${ip} route-map ${inn} in`, `  neighbor ${ip} route-map ${out} out`)
  }
  lines.push(' exit-address-family', 'exit', `${END}${slug}`)
  return lines.map((l) => `${l}\n`).join('')
}

/** Where an offline render writes the BGP section alone (never frr.conf itself: copied over, it would replace the admin's file). */
export function toFrrSectionPath(slug: string): string {
  return `${FRR_CONF}.tunnelwright-${escapeToken(slug)}-section`
}

/**
 * The BGP section as an offline render shows it (no gateway read), with the note that says where it goes and
 * what the gateway needs; undefined for a static VPN. The section is the one apply puts into a frr.conf with no
 * `router bgp` of its own; into one that has the same ASN apply leaves out the router id, and the note says so.
 */
export function toFrrSectionFile(input: RenderInput): { readonly file: RenderedFile; readonly note: string } | undefined {
  const plan = toFrrBgpPlan(input)
  if (!plan) return undefined
  const slug = escapeToken(plan.slug)
  const path = toFrrSectionPath(plan.slug)
  return {
    file: {
      path,
      mode: 0o640,
      content: toFrrConf(undefined, plan),
      secret: false,
      role: `FRR's BGP section for this VPN (both AWS sessions): not a whole file; it goes between its marker lines in the gateway's own ${FRR_CONF}`,
      sectionOf: FRR_CONF,
    },
    note:
      `BGP: ${path} is a section, not a whole file. apply puts it into the gateway's own ${FRR_CONF} between the lines "${BEGIN}${slug} …" and "${END}${slug}" ` +
      `(before the file's top-level "end" line, if it has one), keeps every other byte of the admin's file, and reloads FRR with frr-reload.py (systemctl reload frr), which restarts nothing. ` +
      `By hand: paste it there, run vtysh --dryrun -f ${FRR_CONF}, then systemctl reload frr. ` +
      `The gateway needs FRR with bgpd enabled (bgpd=yes in /etc/frr/daemons) and frr-reload.py (Debian/Ubuntu: apt-get install frr frr-pythontools; RHEL: dnf install frr). ` +
      `If ${FRR_CONF} already has "router bgp ${plan.asn}", leave out the section's "bgp router-id" line (apply keeps that instance's router id: changing it resets its sessions); ` +
      `a "router bgp" with another ASN cannot take this section (FRR runs one BGP instance per VRF).`,
  }
}

/** Where a connection's section sits in a file: [start, end) byte offsets, or undefined. Throws on a damaged section. */
function findSection(text: string, slug: string): { readonly start: number; readonly end: number } | undefined {
  const begin = `${BEGIN}${slug} `
  const endLine = `${END}${slug}\n`
  const starts = [...text.matchAll(/^! tunnelwright:begin (\S+) /gm)].filter((m) => m[1] === slug)
  const ends = [...text.matchAll(/^! tunnelwright:end (\S+)$/gm)].filter((m) => m[1] === slug)
  if (starts.length === 0 && ends.length === 0) return undefined
  const start = starts[0]?.index
  const endAt = ends[0]?.index
  if (starts.length !== 1 || ends.length !== 1 || start === undefined || endAt === undefined || endAt < start || !text.startsWith(begin, start) || !text.startsWith(endLine, endAt)) {
    throw new UserError('frr-section-damaged', `${FRR_CONF} has Tunnelwright's section for "${slug}" damaged (a marker line missing, doubled or edited).`, {
      fix: `Open ${FRR_CONF} and remove the lines from "! tunnelwright:begin ${slug}" to "! tunnelwright:end ${slug}" (or restore the file from its backup), then apply again.`,
    })
  }
  return { start, end: endAt + endLine.length }
}

/** The top-level `router bgp N` (default VRF) ASNs of a configuration, outside the given section. */
function defaultVrfAsns(text: string): number[] {
  return [...text.matchAll(/^router bgp (\d+)[ \t]*$/gm)].map((m) => Number(m[1]))
}

/**
 * FRR's configuration with this connection's BGP section put in: replaced where it is, else added before the
 * file's top-level `end` line (FRR reads commands after `end` outside config mode and rejects them) or at the
 * end. Refuses (UserError, nothing changed) when the file's own default BGP instance has another ASN: FRR runs
 * one BGP instance per VRF, and ours would be refused.
 */
export function toFrrConf(existing: string | undefined, plan: FrrBgpPlan): string {
  const text = existing ?? ''
  const at = findSection(text, plan.slug)
  const outside = at ? text.slice(0, at.start) + text.slice(at.end) : text
  const theirs = defaultVrfAsns(outside)
  const other = theirs.find((a) => a !== plan.asn)
  if (other !== undefined) {
    throw new UserError('frr-bgp-asn-conflict', `FRR on the gateway already runs BGP as AS ${other}; this VPN's customer gateway ASN is ${plan.asn}.`, {
      likelyCause: 'FRR runs one BGP instance (one ASN) per VRF, and the existing one belongs to other peerings.',
      fix: `Recreate the customer gateway at AWS with ASN ${other} (the gateway's existing ASN), or move the other peerings to AS ${plan.asn}.`,
    })
  }
  const section = renderFrrBgpSection(plan, { routerId: theirs.length === 0 })
  // A file without a final newline: the newline we add before the section is marked on its begin line
  // (" +nl"), so removing the section restores the bytes; a replaced section keeps the mark.
  const joined = (s: string) => s.replace(/\)\n/, ') +nl\n')
  if (at) return text.slice(0, at.start) + (isJoined(text, at.start) ? joined(section) : section) + text.slice(at.end)
  const end = /^end[ \t]*$/m.exec(text)
  if (end) return text.slice(0, end.index) + section + text.slice(end.index)
  if (text !== '' && !text.endsWith('\n')) return `${text}\n${joined(section)}`
  return text + section
}

function isJoined(text: string, start: number): boolean {
  return text.slice(start, text.indexOf('\n', start)).endsWith(') +nl')
}

/** FRR's configuration without this connection's section, byte for byte as it was before the section was added. */
export function removeFrrSection(existing: string, slug: string): string {
  const at = findSection(existing, escapeToken(slug))
  if (!at) return existing
  return (isJoined(existing, at.start) ? existing.slice(0, at.start - 1) : existing.slice(0, at.start)) + existing.slice(at.end)
}

/** What stands where FRR's configuration held a secret, in everything shown or recorded. */
export const FRR_SECRET_CUT = '[redacted: a secret of the gateway’s FRR configuration]'

/**
 * frr.conf (or a diff of it) as it may be shown or recorded: the admin's secrets cut — vty and enable passwords,
 * BGP neighbour passwords (TCP MD5), key-chain key strings, OSPF/IS-IS authentication keys. Line by line, so a
 * diff's +/-/space prefix is kept. Our own section holds none.
 */
export function cutFrrSecrets(text: string): string {
  return text.replace(/^(.*?\b(?:password|area-password|domain-password|key-string|authentication-key|md5))[ \t]+\S.*$/gm, `$1 ${FRR_SECRET_CUT}`)
}
