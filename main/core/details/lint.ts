// Lint of a parsed details document: will AWS (and cloud.gov) accept it, and will the VPN work?
//
// Every finding says what is wrong, why AWS/IPsec needs it otherwise, and the exact fix. Findings
// never carry a PSK: the value is resolved only to measure it, and no message interpolates it.
import { classifyIpv4, containsAddress, coveringSupernet, covers, overlaps, parsePrefix, uncovered, type AddressKind, type Prefix } from '../net/cidr'
import { BoundedReadError, toShownPath } from '../base/bounded-read'
import { UserError } from '../base/result'
import type { Crypto, Details, DeviceKind } from './model'
import { resolvePsk, type SecretSources } from './resolve'
import { lintAwsSide } from './lint-aws'
import { isVendorKind, type VendorKind } from '../base/vocabulary'
import { lintVendorDevice } from './vendor-lint'

/** How bad a finding is: errors block render/apply, warnings deserve a look, info explains. */
export type Severity = 'error' | 'warning' | 'info'

/** One lint finding, pointing into the details with a JSON pointer. */
export interface Finding {
  /** Stable rule id (kebab-case), for tests, docs and suppression. */
  readonly id: string
  readonly severity: Severity
  /** JSON pointer into the details document, e.g. /remote/tunnels/1/psk ('' = the whole file). */
  readonly path: string
  /** What is wrong. */
  readonly message: string
  /** Why AWS or IPsec needs it otherwise. */
  readonly why: string
  /** The exact fix. */
  readonly fix: string
}

/** What is known about the gateway device (from detection or `--device`/`--device-version`). */
export interface DeviceFacts {
  /** A device kind, or a render-only vendor kind (vendor-lint.ts knows their limits). */
  readonly kind: DeviceKind | VendorKind
  /** The version as the device reports it, e.g. "5.1", "4.10-2+deb12u1". */
  readonly version?: string
}

/** Inputs of lint besides the details: where PSK references resolve, and the device when known. */
export interface LintOptions {
  readonly sources: SecretSources
  readonly device?: DeviceFacts
}

/** AWS's default phase 1 lifetime in seconds (cloud.gov requires exactly this). */
export const AWS_IKE_LIFETIME = 28800
/** AWS's default phase 2 lifetime in seconds (cloud.gov requires exactly this). */
export const AWS_IPSEC_LIFETIME = 3600

/** Inside /30s AWS refuses (VPNTunnels.md: reserved for its own use). */
export const AWS_RESERVED_INSIDE_CIDRS: readonly string[] = ['169.254.0.0/30', '169.254.1.0/30', '169.254.2.0/30', '169.254.3.0/30', '169.254.4.0/30', '169.254.5.0/30', '169.254.169.252/30']

const LINK_LOCAL = parsePrefix('169.254.0.0/16')!
/** Ranges that hold no unicast hosts, so never a network behind the VPN (link-local has its own rule). */
const NOT_UNICAST = [
  { prefix: parsePrefix('0.0.0.0/8')!, name: '"this network"' },
  { prefix: parsePrefix('127.0.0.0/8')!, name: 'loopback' },
  { prefix: parsePrefix('224.0.0.0/4')!, name: 'multicast' },
  { prefix: parsePrefix('240.0.0.0/4')!, name: 'reserved and broadcast' },
]
const RESERVED_INSIDE = AWS_RESERVED_INSIDE_CIDRS.map((c) => parsePrefix(c)!)
/** Address kinds that can never be an IPsec peer on the internet. */
const UNUSABLE_KINDS: ReadonlySet<AddressKind> = new Set(['private', 'loopback', 'link-local', 'multicast', 'reserved'])
/** Address kinds that only look wrong: examples and labs (the project's own lab uses 198.18.0.0/15). */
const EXAMPLE_KINDS: ReadonlySet<AddressKind> = new Set(['documentation', 'benchmarking', 'shared'])
/** AWS's accepted DH groups (VPNTunnels.md): phase 1 2 and 14–24, phase 2 also 5. */
const AWS_DH: Record<1 | 2, ReadonlySet<number>> = {
  1: new Set([2, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24]),
  2: new Set([2, 5, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24]),
}
const AWS_PSK = /^[A-Za-z0-9._]+$/

/** True when any finding is an error. */
export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error')
}

/** Builds a JSON pointer (RFC 6901) from path segments. */
export function toPointer(parts: ReadonlyArray<string | number>): string {
  return parts.map((p) => `/${String(p).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('')
}

/** Lints parsed details; pure apart from PSK references read through `sources`; never throws on valid details. */
export function lintDetails(details: Details, opts: LintOptions): Finding[] {
  const out: Finding[] = []
  const agency = lintCidrList(details.gateway.privateCidrs, ['gateway', 'privateCidrs'], 'agency', out)
  const dedicated = lintCidrList(details.remote.dedicatedCidrs, ['remote', 'dedicatedCidrs'], 'dedicated', out)
  lintOverlaps(agency, dedicated, out)
  lintTunnels(details, agency, dedicated, out)
  lintGatewayAddresses(details, out)
  lintPsks(details, opts.sources, out)
  lintCrypto(details, out)
  lintSelectors(details, agency, dedicated, out)
  lintDevice(details, opts.device, out)
  lintRemoteExtras(details, agency, dedicated, out)
  lintAwsSide(details, out, opts.device?.kind ?? details.gateway.kind)
  return out
}

interface Listed {
  readonly index: number
  readonly text: string
  readonly prefix: Prefix
}

function lintCidrList(cidrs: readonly string[], base: readonly string[], side: 'agency' | 'dedicated', out: Finding[]): Listed[] {
  const listed: Listed[] = []
  const label = side === 'agency' ? 'agency private CIDR' : 'dedicated CIDR'
  cidrs.forEach((text, index) => {
    const path = toPointer([...base, index])
    const prefix = parsePrefix(text)
    if (!prefix) {
      out.push({ id: 'cidr-malformed', severity: 'error', path, message: `The ${label} "${text}" is not an IPv4 CIDR.`, why: 'Selectors and routes are built from these prefixes; a value that is not a.b.c.d/n cannot be used.', fix: 'Write it as a.b.c.d/n, e.g. 10.40.0.0/24.' })
      return
    }
    if (prefix.cidr !== text) {
      const host = text.split('/')[0]
      out.push({ id: 'cidr-host-bits', severity: 'error', path, message: `The ${label} ${text} has host bits set: the network is ${prefix.cidr}.`, why: 'IPsec selectors and AWS static routes are networks; devices either reject host bits or silently widen them, so the tunnel would carry a range nobody chose.', fix: `Write ${prefix.cidr} (or ${host}/32 if you meant the single host).` })
    }
    const special = NOT_UNICAST.find((b) => overlaps(prefix, b.prefix))
    if (special) {
      out.push({ id: 'cidr-not-unicast', severity: 'error', path, message: `The ${label} ${prefix.cidr} ${covers(special.prefix, prefix) ? 'is in' : 'overlaps'} ${special.prefix.cidr} (${special.name}).`, why: `IPsec selectors and routes carry unicast traffic between hosts; ${special.name} addresses are never hosts on a network behind a VPN, so this range cannot be what was meant.`, fix: `Remove ${prefix.cidr} or replace it with the unicast range it was meant to be.` })
    }
    if (overlaps(prefix, LINK_LOCAL)) {
      out.push({ id: 'cidr-link-local', severity: 'error', path, message: `The ${label} ${prefix.cidr} overlaps 169.254.0.0/16 (link-local).`, why: 'AWS uses 169.254.0.0/16 for the tunnel inside addresses, and link-local addresses are never routed: traffic to them cannot cross the VPN.', fix: `Remove ${prefix.cidr} or replace it with the routable range it was meant to be.` })
    }
    for (const prev of listed) {
      if (!overlaps(prev.prefix, prefix)) continue
      const same = prev.prefix.cidr === prefix.cidr
      out.push({
        id: 'cidr-redundant',
        severity: 'warning',
        path,
        message: same ? `The ${label} ${prefix.cidr} is listed twice.` : `The ${label} ${prefix.cidr} overlaps ${prev.prefix.cidr}, listed before it.`,
        why: 'Overlapping prefixes on one side produce duplicate selectors or routes, which some devices reject and AWS counts against its 100-route limit.',
        fix: same || covers(prev.prefix, prefix) ? `Remove ${text}.` : covers(prefix, prev.prefix) ? `Remove ${prev.text} (${prefix.cidr} already covers it).` : `Merge ${prev.prefix.cidr} and ${prefix.cidr} into prefixes that do not overlap.`,
      })
      break
    }
    listed.push({ index, text, prefix })
  })
  return listed
}

function lintOverlaps(agency: readonly Listed[], dedicated: readonly Listed[], out: Finding[]): void {
  for (const a of agency) {
    for (const d of dedicated) {
      if (!overlaps(a.prefix, d.prefix)) continue
      out.push({
        id: 'cidr-overlap',
        severity: 'error',
        path: toPointer(['gateway', 'privateCidrs', a.index]),
        message: `The agency CIDR ${a.prefix.cidr} overlaps the dedicated CIDR ${d.prefix.cidr}.`,
        why: 'An address cannot be both on the agency network and behind the tunnel: the selectors and routes become ambiguous, and traffic for the overlap stays local or loops.',
        fix: `Make the ranges disjoint: renumber one side, or list agency prefixes that exclude ${d.prefix.cidr}.`,
      })
    }
  }
}

function lintTunnels(details: Details, agency: readonly Listed[], dedicated: readonly Listed[], out: Finding[]): void {
  const tunnels = details.remote.tunnels
  const insides: Array<Prefix | undefined> = tunnels.map((t, i) => lintInsideCidr(t.insideCidr, i, out))
  const [t0, t1] = tunnels
  if (t0 && t1 && t0.outsideIp === t1.outsideIp) {
    out.push({ id: 'tunnels-same-outside', severity: 'error', path: toPointer(['remote', 'tunnels', 1, 'outsideIp']), message: `Both tunnels have the outside IP ${t0.outsideIp}.`, why: 'AWS always provides two tunnels with two different outside IPs (one per availability zone); one IP twice means a copy error, and the second tunnel would never exist.', fix: "Copy each tunnel's outside IP from the provider's export (Tunnelwright's import does this: tunnelwright import --aws-xml FILE)." })
  }
  const [i0, i1] = insides
  if (i0 && i1 && overlaps(i0, i1)) {
    out.push({ id: 'tunnels-same-inside', severity: 'error', path: toPointer(['remote', 'tunnels', 1, 'insideCidr']), message: `Both tunnels use the inside CIDR ${i1.cidr}.`, why: 'Each AWS tunnel has its own inside /30; the same one twice gives both tunnel interfaces the same addresses and routes.', fix: "Copy each tunnel's inside CIDR from the provider's export." })
  }
  const selectors = [...agency.map((l) => ({ l, side: 'agency' })), ...dedicated.map((l) => ({ l, side: 'dedicated' }))]
  tunnels.forEach((t, i) => {
    lintPublicAddress(t.outsideIp, toPointer(['remote', 'tunnels', i, 'outsideIp']), `Tunnel ${i + 1}'s outside IP`, 'outside-ip', out)
    if (t.outsideIp === details.gateway.publicIp) {
      out.push({ id: 'outside-ip-is-gateway', severity: 'error', path: toPointer(['remote', 'tunnels', i, 'outsideIp']), message: `Tunnel ${i + 1}'s outside IP is the gateway's own public IP ${t.outsideIp}.`, why: 'The outside IP is the AWS end of the tunnel; the gateway cannot be its own peer.', fix: "Copy the AWS (virtual private gateway) outside IP from the export, not the customer gateway's." })
    }
    for (const { l, side } of selectors) {
      if (!containsAddress(l.prefix, t.outsideIp)) continue
      out.push({ id: 'outside-ip-in-selectors', severity: 'error', path: toPointer(['remote', 'tunnels', i, 'outsideIp']), message: `Tunnel ${i + 1}'s outside IP ${t.outsideIp} lies in the ${side} CIDR ${l.prefix.cidr}.`, why: "IKE and ESP packets to the peer would match the tunnel's own policy or routes and be sent into the tunnel they are building.", fix: `Remove ${t.outsideIp} from the ${side} ranges (list prefixes around it).` })
    }
  })
}

function lintInsideCidr(text: string, i: number, out: Finding[]): Prefix | undefined {
  const path = toPointer(['remote', 'tunnels', i, 'insideCidr'])
  const p = parsePrefix(text)
  if (!p) {
    out.push({ id: 'inside-malformed', severity: 'error', path, message: `Tunnel ${i + 1}'s inside CIDR "${text}" is not an IPv4 CIDR.`, why: 'The inside /30 addresses the tunnel interface and the keepalive target.', fix: "Copy the tunnel's inside CIDR from the export, e.g. 169.254.10.8/30." })
    return undefined
  }
  if (p.cidr !== text) {
    out.push({ id: 'inside-host-bits', severity: 'error', path, message: `Tunnel ${i + 1}'s inside CIDR ${text} has host bits set: the network is ${p.cidr}.`, why: 'The /30 is a network: its first usable address is AWS\'s end and the second is ours, counted from the network address.', fix: `Write ${p.cidr}.` })
  }
  if (p.bits !== 30) {
    out.push({ id: 'inside-not-30', severity: 'error', path, message: `Tunnel ${i + 1}'s inside CIDR ${p.cidr} is a /${p.bits}, not a /30.`, why: 'AWS assigns each tunnel exactly one /30: AWS takes the first usable address, the customer gateway the second.', fix: "Copy the /30 from the export's tunnel inside addresses." })
  }
  if (!covers(LINK_LOCAL, p)) {
    out.push({ id: 'inside-not-link-local', severity: 'error', path, message: `Tunnel ${i + 1}'s inside CIDR ${p.cidr} is outside 169.254.0.0/16.`, why: 'AWS IPv4 tunnel inside CIDRs are always /30s in 169.254.0.0/16.', fix: "Copy the inside CIDR from the export; it looks like 169.254.x.y/30." })
  }
  const reserved = RESERVED_INSIDE.find((r) => overlaps(r, p))
  if (reserved) {
    out.push({ id: 'inside-reserved', severity: 'error', path, message: `Tunnel ${i + 1}'s inside CIDR ${p.cidr} ${reserved.cidr === p.cidr ? 'is' : 'overlaps'} ${reserved.cidr}, which AWS reserves.`, why: `AWS refuses these inside CIDRs: ${AWS_RESERVED_INSIDE_CIDRS.join(', ')}.`, fix: 'Use the inside CIDR AWS actually assigned (from the export), or ask the provider to pick another /30.' })
  }
  return p
}

function lintPublicAddress(ip: string, path: string, what: string, idPrefix: string, out: Finding[]): void {
  const c = classifyIpv4(ip)
  if (UNUSABLE_KINDS.has(c.kind)) {
    out.push({ id: `${idPrefix}-not-public`, severity: 'error', path, message: `${what} ${ip} is a ${c.kind} address (${c.block}, ${c.name}).`, why: 'IKE runs between public internet addresses; AWS cannot reach (or be) a private, loopback, link-local, multicast or reserved address.', fix: idPrefix === 'gateway-ip' ? "Use the gateway's public IP as the internet sees it (the AWS customer gateway address); put a private WAN address in gateway.localAddress." : "Copy the AWS outside IP from the provider's export." })
  } else if (EXAMPLE_KINDS.has(c.kind)) {
    out.push({ id: `${idPrefix}-example`, severity: 'warning', path, message: `${what} ${ip} is in ${c.block} (${c.name}): it looks like an example or lab address.`, why: 'Documentation, benchmarking and shared (CGNAT) ranges are not reachable on the internet; outside a lab this is a placeholder that was never replaced.', fix: idPrefix === 'gateway-ip' ? "Use the gateway's real public IP (the AWS customer gateway address), unless this is a lab." : "Copy the real AWS outside IP from the provider's export, unless this is a lab." })
  }
}

function lintGatewayAddresses(details: Details, out: Finding[]): void {
  const { publicIp, localAddress } = details.gateway
  lintPublicAddress(publicIp, '/gateway/publicIp', "The gateway's public IP", 'gateway-ip', out)
  if (localAddress === undefined) return
  const path = '/gateway/localAddress'
  if (localAddress === publicIp) {
    out.push({ id: 'local-address-redundant', severity: 'info', path, message: 'gateway.localAddress equals gateway.publicIp, so it says nothing.', why: 'localAddress is only for a gateway behind NAT, whose WAN address differs from the public IP AWS knows.', fix: 'Remove gateway.localAddress.' })
    return
  }
  const c = classifyIpv4(localAddress)
  const peers = details.remote.tunnels.map((t) => t.outsideIp).join(', ')
  if (c.kind === 'loopback' || c.kind === 'multicast' || c.kind === 'reserved' || c.kind === 'link-local') {
    out.push({ id: 'local-address-invalid', severity: 'error', path, message: `gateway.localAddress ${localAddress} is a ${c.kind} address (${c.block}).`, why: 'The gateway sends IKE from this address; a loopback, link-local, multicast or reserved address cannot reach AWS.', fix: "Use the gateway's WAN interface address (the one `ip route get <AWS outside IP>` shows as src), or remove localAddress when there is no NAT." })
    return
  }
  if (c.kind === 'public') {
    out.push({ id: 'local-address-public', severity: 'warning', path, message: `gateway.localAddress ${localAddress} is a public address different from gateway.publicIp ${publicIp}.`, why: 'Two different public addresses mean 1:1 NAT in front of the gateway or a typo; AWS only accepts IKE from the customer gateway address.', fix: `Check which address AWS knows as the customer gateway. If it is ${publicIp} and the gateway is NATed, keep this and forward UDP 500 and 4500 to ${localAddress}; otherwise fix publicIp or remove localAddress.` })
  }
  out.push({ id: 'nat-detected', severity: 'info', path, message: `The gateway is behind NAT (it sends from ${localAddress}, AWS sees ${publicIp}): UDP 4500 must be open and the IKE ID will be ${publicIp}.`, why: 'Behind NAT IKE moves to UDP 4500 (NAT-T) with ESP inside it, and AWS identifies the customer gateway by its public IP, so the IKE ID must be the public IP, not the WAN address.', fix: `On the NAT device, allow and forward UDP 500 and UDP 4500 from both AWS outside IPs (${peers}) to ${localAddress}, and back. Tunnelwright uses ${publicIp} as the IKE ID.` })
}

function lintPsks(details: Details, sources: SecretSources, out: Finding[]): void {
  const values: Array<string | undefined> = details.remote.tunnels.map((t, i) => {
    const path = toPointer(['remote', 'tunnels', i, 'psk'])
    let value: string
    try {
      value = resolvePsk(t.psk, `Tunnel ${i + 1}`, sources).reveal()
    } catch (err) {
      const ref = t.psk
      if (typeof ref !== 'string' && 'env' in ref) {
        out.push({ id: 'psk-env-missing', severity: 'error', path, message: `Tunnel ${i + 1}'s PSK comes from the environment variable ${ref.env}, which is not set.`, why: 'Without the pre-shared key the gateway cannot authenticate to AWS.', fix: `Set ${ref.env} to tunnel ${i + 1}'s pre-shared key before running (e.g. read it from your secret store), or put the key in the details file.` })
      } else if (typeof ref !== 'string') {
        const cause = err instanceof Error ? err.cause : undefined
        const why = cause instanceof BoundedReadError ? `: ${cause.why}` : err instanceof UserError ? '' : ' (unexpected error)'
        out.push({ id: 'psk-file-unreadable', severity: 'error', path, message: `Tunnel ${i + 1}'s PSK file ${toShownPath(ref.file)} cannot be read${why}.`, why: 'Without the pre-shared key the gateway cannot authenticate to AWS.', fix: 'Check the path (relative paths are relative to the details file) and that it is a regular file this user may read.' })
      }
      return undefined
    }
    const ref = t.psk
    if (typeof ref !== 'string' && 'file' in ref && sources.readableByOthers?.(ref.file) === true) {
      out.push({ id: 'psk-file-readable', severity: 'warning', path, message: `Tunnel ${i + 1}'s PSK file ${toShownPath(ref.file)} may be read by other users (group or others have read permission).`, why: 'Anyone who can read the PSK can impersonate the gateway to AWS (with its public IP) or decrypt captured IKE exchanges.', fix: 'Make it readable by its owner only: chmod 600 on the PSK file.' })
    }
    const problems = pskProblems(value)
    for (const p of problems) out.push({ ...p, path, message: `Tunnel ${i + 1}'s PSK ${p.message}` })
    return value
  })
  const [a, b] = values
  if (a !== undefined && b !== undefined && a === b) {
    out.push({ id: 'psk-same', severity: 'warning', path: toPointer(['remote', 'tunnels', 1, 'psk']), message: 'Both tunnels have the same PSK.', why: 'AWS generates a different random key per tunnel; the same key twice usually means one was pasted into both, and that tunnel will fail to authenticate.', fix: "Copy each tunnel's own pre-shared key from the export (match them by outside IP)." })
  }
}

const PSK_WHY = 'AWS pre-shared keys are 8–64 characters of A–Z, a–z, 0–9, "." and "_", and cannot start with 0; a key AWS cannot hold is not the key AWS has (usually a copy error: quotes, spaces, a newline or a truncated paste).'

function pskProblems(value: string): Array<Omit<Finding, 'path'>> {
  const out: Array<Omit<Finding, 'path'>> = []
  if (value.length < 8 || value.length > 64) {
    out.push({ id: 'psk-length', severity: 'error', message: `is ${value.length} characters long; AWS requires 8 to 64.`, why: PSK_WHY, fix: "Copy the complete key from the provider's export; a PSK file must hold only the key (one trailing newline is fine)." })
  }
  if (value.length > 0 && !AWS_PSK.test(value)) {
    out.push({ id: 'psk-charset', severity: 'error', message: 'contains characters AWS does not allow (only letters, digits, "." and "_").', why: PSK_WHY, fix: 'Remove quotes, spaces and line breaks around the key, or copy it again from the export.' })
  }
  if (value.startsWith('0')) {
    out.push({ id: 'psk-leading-zero', severity: 'error', message: 'starts with "0", which AWS does not allow.', why: `${PSK_WHY} (Some devices read a leading "0x"/"0s" as an encoding prefix.)`, fix: 'Copy the key again from the export, or ask the provider for a new key.' })
  }
  return out
}

function lintCrypto(details: Details, out: Finding[]): void {
  const c = details.crypto
  const strict = details.provider === 'cloud.gov'
  const who = strict ? 'cloud.gov (AWS GovCloud)' : 'AWS'
  if (strict && c.ikeVersion === 2) {
    out.push({ id: 'cloudgov-ikev2', severity: 'warning', path: '/crypto/ikeVersion', message: 'IKEv2 is selected, but cloud.gov documents IKEv1 main mode.', why: "The AWS end accepts only what cloud.gov configured on the tunnels; cloud.gov's page requires IKEv1.", fix: 'Confirm with cloud.gov that the tunnels allow IKEv2 (they fix several IKEv1 limits); otherwise set crypto.ikeVersion to 1.' })
  }
  if (c.encryption === '3des') {
    out.push({ id: 'crypto-3des', severity: 'error', path: '/crypto/encryption', message: '3DES is not accepted by AWS.', why: 'AWS Site-to-Site VPN offers only AES128, AES256 and their GCM forms; 3DES is deprecated (RFC 8247).', fix: 'Set crypto.encryption to "aes256".' })
  } else if (c.ikeVersion === 1 && c.encryption.endsWith('gcm16')) {
    out.push({ id: 'crypto-gcm-ikev1', severity: 'error', path: '/crypto/encryption', message: `${c.encryption} cannot protect an IKEv1 (phase 1) SA.`, why: 'AES-GCM is defined for the IKE SA only in IKEv2 (RFC 5282); IKEv1 gateways refuse a GCM phase 1 proposal.', fix: 'Set crypto.encryption to "aes256", or use IKEv2 where the provider allows it.' })
  } else if (strict && c.encryption === 'aes128') {
    out.push({ id: 'crypto-aes128', severity: 'info', path: '/crypto/encryption', message: 'AES128 meets the minimum; cloud.gov prefers AES256.', why: "cloud.gov's page asks for AES128 at least and recommends AES256.", fix: 'Set crypto.encryption to "aes256" unless cloud.gov configured AES128 only.' })
  }
  if (c.integrity === 'md5') {
    out.push({ id: 'crypto-md5', severity: 'error', path: '/crypto/integrity', message: 'MD5 is not accepted by AWS.', why: 'AWS accepts SHA1 and SHA2-256/384/512 only; MD5 is broken.', fix: 'Set crypto.integrity to "sha256".' })
  } else if (c.integrity === 'sha1') {
    out.push({ id: 'crypto-sha1', severity: strict ? 'error' : 'warning', path: '/crypto/integrity', message: strict ? 'SHA1 is AWS\'s weak compatibility default, not the SHA256 cloud.gov requires.' : 'SHA1 is AWS\'s weak compatibility default; use SHA256.', why: strict ? 'cloud.gov requires SHA256 and AWS GovCloud requires at least SHA2, so a SHA1 proposal is refused (NO_PROPOSAL_CHOSEN).' : "SHA1 is deprecated for IPsec integrity (RFC 8247); AWS's downloadable templates use it only as a compatibility minimum.", fix: 'Set crypto.integrity to "sha256".' })
  }
  lintDh(c.dhGroup, 1, '/crypto/dhGroup', strict, who, out)
  if (c.pfsGroup === 0) {
    out.push({ id: 'pfs-off', severity: 'error', path: '/crypto/pfsGroup', message: 'PFS is off (pfsGroup 0).', why: 'AWS requires perfect forward secrecy in phase 2; without a PFS group the CHILD SA proposal is refused.', fix: 'Set crypto.pfsGroup to 14.' })
  } else {
    lintDh(c.pfsGroup, 2, '/crypto/pfsGroup', strict, who, out)
  }
  lintLifetimes(c, strict, out)
  lintDpd(c, out)
}

function lintDh(group: number, phase: 1 | 2, path: string, strict: boolean, who: string, out: Finding[]): void {
  const what = phase === 1 ? 'DH group' : 'PFS group'
  if (!AWS_DH[phase].has(group)) {
    out.push({ id: 'dh-unsupported', severity: 'error', path, message: `${what} ${group} is not accepted by AWS in phase ${phase}.`, why: `AWS accepts DH groups ${phase === 1 ? '2 and 14–24 in phase 1' : '2, 5 and 14–24 in phase 2'}; any other group gets NO_PROPOSAL_CHOSEN.`, fix: `Set ${path.slice(1).replace('/', '.')} to 14.` })
    return
  }
  const fix = `Set ${path.slice(1).replace('/', '.')} to 14 (MODP2048).`
  const severity: Severity = strict ? 'error' : 'warning'
  if (group === 2 || group === 5 || group === 22) {
    const bits = group === 2 ? '1024-bit MODP' : group === 5 ? '1536-bit MODP' : '1024-bit MODP with a 160-bit subgroup'
    out.push({ id: 'dh-weak', severity, path, message: `${what} ${group} (${bits}) is too weak${strict ? ' for cloud.gov' : ''}.`, why: strict ? 'cloud.gov requires DH group 14 and AWS GovCloud refuses groups below 14.' : `Group ${group} is deprecated for IKE (RFC 8247); AWS offers it only for compatibility.`, fix })
  } else if (group === 23 || group === 24) {
    out.push({ id: 'dh-subgroup', severity, path, message: `${what} ${group} (${group === 24 ? 'modp2048s256' : 'modp2048s224'}) is not group 14.`, why: `Group ${group} is a 2048-bit MODP group with a small prime-order subgroup (RFC 5114), deprecated by RFC 8247; names like modp2048s256 are easily mistaken for group 14 (modp2048).${strict ? ' cloud.gov requires group 14.' : ''}`, fix })
  } else if (strict && group !== 14) {
    out.push({ id: 'dh-not-14', severity: 'warning', path, message: `${what} ${group} is not the group 14 cloud.gov documents.`, why: `${who} accepts it only if cloud.gov configured group ${group} on the tunnels; its page lists group 14 (MODP2048).`, fix: `Confirm group ${group} with cloud.gov, or ${fix.charAt(0).toLowerCase()}${fix.slice(1)}` })
  }
}

function lintLifetimes(c: Crypto, strict: boolean, out: Finding[]): void {
  const rows = [
    { key: 'ikeLifetime', value: c.ikeLifetime, want: AWS_IKE_LIFETIME, min: 900, phase: 'phase 1 (IKE)' },
    { key: 'ipsecLifetime', value: c.ipsecLifetime, want: AWS_IPSEC_LIFETIME, min: 900, phase: 'phase 2 (IPsec)' },
  ] as const
  for (const r of rows) {
    if (r.value === r.want) continue
    const path = `/crypto/${r.key}`
    const outOfRange = r.value < r.min || r.value > r.want
    const fix = `Set crypto.${r.key} to ${r.want}${strict ? '' : ', or to exactly what the provider set in the tunnel options'}.`
    if (strict || outOfRange) {
      out.push({ id: 'lifetime-mismatch', severity: 'error', path, message: `The ${r.phase} lifetime is ${r.value} s; ${strict ? 'cloud.gov requires' : 'AWS accepts'} ${strict ? r.want : `${r.min}–${r.want}`} s.`, why: 'AWS negotiates only lifetimes within its tunnel options; a mismatch with the handshake values interrupts the tunnels (drops every hour or every 8 hours).', fix })
    } else {
      out.push({ id: 'lifetime-nondefault', severity: 'warning', path, message: `The ${r.phase} lifetime is ${r.value} s, not AWS's default ${r.want} s.`, why: 'It must equal the tunnel option the provider set on the AWS side; a mismatch interrupts the tunnels.', fix })
    }
  }
  if (c.ipsecLifetime >= c.ikeLifetime) {
    out.push({ id: 'lifetime-order', severity: 'error', path: '/crypto/ipsecLifetime', message: `The phase 2 lifetime (${c.ipsecLifetime} s) is not shorter than phase 1 (${c.ikeLifetime} s).`, why: 'AWS requires the phase 2 lifetime to be less than the phase 1 lifetime.', fix: `Set crypto.ipsecLifetime to ${AWS_IPSEC_LIFETIME} and crypto.ikeLifetime to ${AWS_IKE_LIFETIME}.` })
  }
}

function lintDpd(c: Crypto, out: Finding[]): void {
  const { delay, timeout } = c.dpd
  if (timeout <= delay) {
    out.push({ id: 'dpd-timeout-not-above-delay', severity: 'error', path: '/crypto/dpd/timeout', message: `The DPD timeout (${timeout} s) is not longer than the DPD delay (${delay} s).`, why: 'The peer is declared dead only after several unanswered probes; a timeout within one delay declares it dead on the first lost packet, so the tunnel restarts needlessly.', fix: 'Set crypto.dpd to { "delay": 10, "timeout": 30 }.' })
  } else if (timeout < 30) {
    out.push({ id: 'dpd-timeout-short', severity: 'warning', path: '/crypto/dpd/timeout', message: `The DPD timeout is ${timeout} s; AWS uses at least 30 s.`, why: 'AWS declares a peer dead after 30 s at the earliest; a shorter local timeout tears down tunnels AWS still considers up, causing flaps.', fix: 'Set crypto.dpd.timeout to 30 (with delay 10).' })
  }
}

function describeExtra(extra: readonly Prefix[]): string {
  const shown = extra.slice(0, 8).map((p) => p.cidr)
  const addresses = extra.reduce((n, p) => n + (p.last - p.first + 1n), 0n)
  const more = extra.length > shown.length ? ` and ${extra.length - shown.length} more` : ''
  return `${shown.join(', ')}${more} (${addresses} addresses nobody listed)`
}

function lintSelectors(details: Details, agency: readonly Listed[], dedicated: readonly Listed[], out: Finding[]): void {
  if (details.crypto.ikeVersion !== 1 || details.routing === 'route') return
  const policy = details.routing === 'policy'
  const sides = [
    { listed: agency, other: dedicated, label: 'agency', base: '/gateway/privateCidrs', otherLabel: 'dedicated' },
    { listed: dedicated, other: agency, label: 'dedicated', base: '/remote/dedicatedCidrs', otherLabel: 'agency' },
  ]
  for (const s of sides) {
    if (s.listed.length < 2) continue
    const prefixes = s.listed.map((l) => l.prefix)
    const sup = coveringSupernet(prefixes)
    const extra = uncovered(sup, prefixes)
    const covering = extra.length === 0 ? `${sup.cidr}, which covers exactly them` : `${sup.cidr}, which also covers ${describeExtra(extra)}`
    out.push({
      id: policy ? 'ikev1-policy-several-cidrs' : 'ikev1-several-cidrs',
      severity: policy ? 'warning' : 'info',
      path: s.base,
      message: policy ? `IKEv1 policy-based carries one selector pair per tunnel: the ${prefixes.length} ${s.label} CIDRs become ${covering}.` : `If the gateway cannot do route-based IPsec, the ${prefixes.length} ${s.label} CIDRs become one IKEv1 selector, ${covering}.`,
      why: 'IKEv1 negotiates one selector pair per CHILD SA and AWS allows one SA pair per tunnel; strongSwan silently uses only the first subnet and other devices create extra SAs that AWS deletes.',
      fix: `Accept ${sup.cidr}${extra.length ? ' and block the extra ranges with firewall rules' : ''}, or set "routing": "route" (0.0.0.0/0 selectors on an XFRM/VTI interface with one route per CIDR), or use IKEv2 if the provider allows it.`,
    })
    const hit = s.other.find((o) => overlaps(o.prefix, sup))
    if (sup.bits === 0 || hit) {
      out.push({
        id: 'ikev1-supernet-unusable',
        severity: policy ? 'error' : 'warning',
        path: s.base,
        message: sup.bits === 0 ? `The only IKEv1 selector covering the ${s.label} CIDRs is 0.0.0.0/0.` : `The IKEv1 selector ${sup.cidr} covering the ${s.label} CIDRs overlaps the ${s.otherLabel} CIDR ${hit!.prefix.cidr}.`,
        why: sup.bits === 0 ? 'A 0.0.0.0/0 policy without a tunnel interface captures all traffic of the gateway, including the SSH session that configures it.' : `Traffic for ${hit?.prefix.cidr} would match both sides of the policy; it cannot be summarized this way.`,
        fix: `Set "routing": "route" (needs XFRM interfaces or VTI on the gateway), or narrow the ${s.label} CIDRs to ranges that summarize cleanly.`,
      })
    }
  }
  if (policy) {
    out.push({
      id: 'policy-one-tunnel-active',
      severity: 'info',
      path: '/routing',
      message: 'Policy-based routing: only one of the two tunnels carries traffic at a time.',
      why: 'Both tunnels carry identical selectors and AWS allows one of them up at a time. On strongSwan (swanctl or starter) the gateway holds tunnel 1 up and tunnel 2 standing by: keepup.sh brings tunnel 2 up when tunnel 1 fails, closes whichever comes up beside the active one, and does not fail back. Libreswan and pfSense bring both up, and on Linux what AWS returns on the tunnel the kernel does not use is dropped (XfrmInTmplMismatch).',
      fix: 'Set "routing": "route" (XFRM interfaces or VTI: both tunnels carry traffic); keep policy-based only where the kernel has neither.',
    })
  }
}

/** Parses "5.1", "4.10-2+deb12u1", "Libreswan 4.5-2" into numbers; undefined when no version is recognisable. */
function parseLibreswanVersion(text: string): { major: number; minor: number; revision?: number } | undefined {
  const m = /(\d+)\.(\d+)(?:\.\d+)*(?:-(\d+))?/.exec(text)
  if (!m) return undefined
  return { major: Number(m[1]), minor: Number(m[2]), ...(m[3] === undefined ? {} : { revision: Number(m[3]) }) }
}

function lintDevice(details: Details, device: DeviceFacts | undefined, out: Finding[]): void {
  const kind = device?.kind ?? details.gateway.kind
  if (kind !== undefined && isVendorKind(kind)) {
    out.push(...lintVendorDevice(details, { kind, ...(device?.version === undefined ? {} : { version: device.version }) }))
    return
  }
  if (details.crypto.ikeVersion !== 1 || (kind !== 'libreswan' && kind !== 'openswan')) return
  const fix = 'Add "ikev1-policy=accept" (indented) under "config setup" in ipsec.conf. Changing it restarts pluto and drops every tunnel on the host: schedule it. Or use IKEv2 if the provider allows it.'
  const why = 'Libreswan 5 (and Debian/Ubuntu packages from 4.5-2) drop IKEv1 unless config setup has ikev1-policy=accept; the connection then never loads.'
  const v = device?.version === undefined ? undefined : parseLibreswanVersion(device.version)
  if (!v) {
    out.push({ id: 'libreswan-ikev1-policy-unknown', severity: 'info', path: '/crypto/ikeVersion', message: 'IKEv1 on Libreswan of unknown version: newer versions refuse IKEv1 by default.', why, fix: `Check \`ipsec --version\`; on 5.x or Debian ≥ 4.5-2: ${fix}` })
    return
  }
  // Debian (and Ubuntu) packages disabled IKEv1 from 4.5-2, before upstream did in 5.0.
  const debianDrops = v.revision !== undefined && (v.major > 4 || (v.major === 4 && (v.minor > 5 || (v.minor === 5 && v.revision >= 2))))
  if (v.major >= 5 || debianDrops) {
    out.push({ id: 'libreswan-ikev1-policy', severity: 'warning', path: '/crypto/ikeVersion', message: `Libreswan ${device?.version} refuses IKEv1 unless ikev1-policy=accept is set.`, why, fix })
  }
}

function lintRemoteExtras(details: Details, agency: readonly Listed[], dedicated: readonly Listed[], out: Finding[]): void {
  details.remote.egressIps.forEach((ip, i) => {
    const hit = agency.find((a) => containsAddress(a.prefix, ip))
    if (!hit) return
    out.push({ id: 'egress-ip-in-agency', severity: 'error', path: toPointer(['remote', 'egressIps', i]), message: `The egress IP ${ip} lies inside the agency CIDR ${hit.prefix.cidr}.`, why: "The egress IPs are the provider's dedicated hosts as the agency sees them; inside the agency's own ranges, replies to them would stay local instead of entering the tunnel.", fix: `Check the egress IPs with the provider, or remove ${ip} from the agency ranges.` })
  })
  const target = details.health?.target
  if (target !== undefined && !dedicated.some((d) => containsAddress(d.prefix, target))) {
    out.push({ id: 'health-target-outside', severity: 'error', path: '/health/target', message: `The health target ${target} is not in any dedicated CIDR (${dedicated.map((d) => d.prefix.cidr).join(', ') || 'none listed'}).`, why: 'The health probe must cross the tunnels; an address outside the dedicated ranges is never sent through them, so the probe proves nothing.', fix: 'Use an address of a host in the dedicated subnet that answers ping.' })
  }
}
