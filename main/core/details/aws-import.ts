// Import of AWS's VPN connection exports (the CustomerGatewayConfiguration XML and the generic text
// file) into a details draft.
//
// Design: AWS's export knows the two tunnels (outside IPs, PSKs, inside /30s) and usually the
// customer gateway's public IP, but never the agency's private CIDRs nor the provider's dedicated
// CIDRs. Rather than invent placeholders that could be pushed by mistake, an import returns a
// *draft*: the same tunnelwright/details@1 shape, with those lists empty (and publicIp absent when
// the export has only a placeholder), plus `needs`, the JSON pointers the user must still fill in.
// A draft fails the details schema until completed, so nothing downstream can use it half-done;
// `toCompleteDetails` turns a filled draft into Details.
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { z } from 'zod'
import { insideAddresses, parsePrefix } from '../net/cidr'
import { readBoundedTextSync } from '../base/bounded-read'
import { UserError } from '../base/result'
import { Cidr4, Crypto, Details, DETAILS_FORMAT, Ipv4 } from './model'

/** Largest export accepted (AWS's files are under 20 kB). */
export const MAX_EXPORT_BYTES = 512 * 1024

/**
 * Reads an AWS export file (XML or generic text) through the bounded reader: a regular file of at most
 * MAX_EXPORT_BYTES, strict UTF-8. A FIFO or device (`import --aws-xml /dev/zero`) fails at once with a
 * BoundedReadError (code 'aws-export-unreadable') naming the file.
 */
export function readAwsExportFile(path: string): string {
  return readBoundedTextSync(path, { what: 'the AWS export', maxBytes: MAX_EXPORT_BYTES, timeoutMs: 10_000, code: 'aws-export-unreadable' })
}

/** A details document that may still lack what AWS's export cannot know. */
export const DetailsDraft = Details.extend({
  gateway: Details.shape.gateway.extend({ publicIp: Ipv4.optional(), privateCidrs: z.array(Cidr4).max(64) }),
  remote: Details.shape.remote.extend({ dedicatedCidrs: z.array(Cidr4).max(16) }),
})
/** A parsed draft (see DetailsDraft). */
export type DetailsDraft = z.infer<typeof DetailsDraft>

/** One field the user must still fill in: a JSON pointer and what belongs there. */
export interface NeededField {
  readonly path: string
  readonly what: string
}

/** The result of an import: the draft, what is missing, and notes on decisions taken. */
export interface AwsImport {
  readonly draft: DetailsDraft
  readonly needs: readonly NeededField[]
  readonly notes: readonly string[]
  readonly source: { readonly kind: 'xml' | 'text'; readonly vpnConnectionId: string; readonly customerGatewayId?: string; readonly vpnGatewayId?: string }
}

/** What one tunnel block of an export says (raw crypto strings as AWS writes them). */
interface ExportTunnel {
  readonly outsideIp: string
  readonly customerIp: string | undefined
  readonly psk: string
  readonly insideCidr: string
  readonly crypto: ExportCrypto
}

interface ExportCrypto {
  readonly ikeVersion?: string
  readonly ikeIntegrity?: string
  readonly ikeEncryption?: string
  readonly ikeDh?: string
  readonly ikeLifetime?: string
  readonly espIntegrity?: string
  readonly espEncryption?: string
  readonly pfs?: string
  readonly espLifetime?: string
}

const NEED_PRIVATE: NeededField = { path: '/gateway/privateCidrs', what: "the agency's private CIDRs that must reach the dedicated hosts through the tunnels (not in AWS's export)" }
const NEED_DEDICATED: NeededField = { path: '/remote/dedicatedCidrs', what: "the provider's dedicated subnet CIDR(s), from cloud.gov or the VPC (not in AWS's export)" }
const NEED_PUBLIC: NeededField = { path: '/gateway/publicIp', what: "the gateway's public IP, the AWS customer gateway address (the export has only a placeholder)" }

function fail(code: string, message: string, fix = "Export the VPN connection's configuration again from the AWS console (Download configuration → Generic), or ask the provider for it."): never {
  throw new UserError(code, message, { fix })
}

function assertSize(text: string, what: string): void {
  if (text.length > MAX_EXPORT_BYTES) fail('aws-export-too-large', `The ${what} is larger than ${MAX_EXPORT_BYTES / 1024} kB; AWS's exports are a few kB.`, 'Check that this is the right file.')
  if (text.trim() === '') fail('aws-export-empty', `The ${what} is empty.`)
}

/**
 * Shortens an untrusted value for an error message (only called on non-secret fields): one line, at most
 * 40 characters, control and format characters (terminal escapes, bidi overrides) written as \uXXXX.
 */
function shown(v: string): string {
  const one = v.replace(/\s+/g, ' ')
  const cut = one.length > 40 ? `${one.slice(0, 40)}…` : one
  return cut.replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

function toInsideCidr(ip: string, bits: string, where: string): string {
  if (!/^\d{1,2}$/.test(bits) || Number(bits) > 32) fail('aws-export-inside', `${where}: the inside network_cidr "${shown(bits)}" is not a prefix length.`)
  const p = parsePrefix(`${ip}/${bits}`)
  if (!p || !Ipv4.safeParse(ip).success) fail('aws-export-inside', `${where}: the inside address "${shown(ip)}" is not an IPv4 address.`)
  return p.cidr
}

function assertIpv4(v: string, where: string): string {
  if (!Ipv4.safeParse(v).success) fail('aws-export-address', `${where} "${shown(v)}" is not an IPv4 address.`)
  return v
}

function assertPsk(v: string | undefined, where: string): string {
  if (v === undefined || v === '') fail('aws-export-psk', `${where}: the pre-shared key is missing.`)
  if (v.length > 256 || [...v].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f)) fail('aws-export-psk', `${where}: the pre-shared key is not a single line of at most 256 characters.`)
  return v
}

// ---------------------------------------------------------------------------------------------
// XML (CustomerGatewayConfiguration)

type XmlNode = Record<string, unknown>

function isNode(v: unknown): v is XmlNode {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** The text at a path of child elements; undefined when any element is missing. */
function xmlText(node: unknown, path: readonly string[]): string | undefined {
  let cur: unknown = node
  for (const name of path) {
    if (!isNode(cur)) return undefined
    cur = cur[name]
    if (Array.isArray(cur)) return undefined
  }
  if (typeof cur === 'string') return cur
  // An element with only an attribute or a CDATA section still carries text under #text.
  if (isNode(cur) && typeof cur['#text'] === 'string') return cur['#text']
  return undefined
}

function xmlRequired(node: unknown, path: readonly string[], where: string): string {
  const v = xmlText(node, path)
  if (v === undefined || v === '') fail('aws-xml-missing', `${where}: <${path.join('><')}> is missing or empty.`)
  return v
}

/** Parses AWS's CustomerGatewayConfiguration XML into a details draft; throws UserError on anything else. */
export function importAwsXml(xml: string): AwsImport {
  assertSize(xml, 'AWS XML export')
  // AWS's XML never has a DTD: refusing one outright rules out entity expansion attacks.
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) fail('aws-xml-dtd', 'The XML contains a DOCTYPE or ENTITY declaration, which AWS exports never have; it is refused.', 'Use the file exactly as AWS produced it.')
  const valid = XMLValidator.validate(xml)
  if (valid !== true) fail('aws-xml-syntax', `The XML is malformed at line ${valid.err.line}, column ${valid.err.col} (${valid.err.code}).`, 'Use the file exactly as AWS produced it (the whole <vpn_connection> document).')
  let doc: unknown
  try {
    const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false, parseAttributeValue: false, trimValues: true, isArray: (name) => name === 'ipsec_tunnel' })
    doc = parser.parse(xml)
  } catch (err) {
    throw new UserError('aws-xml-syntax', 'The XML could not be parsed.', { cause: err, fix: 'Use the file exactly as AWS produced it.' })
  }
  const root = isNode(doc) ? doc['vpn_connection'] : undefined
  if (!isNode(root)) fail('aws-xml-root', 'This is not an AWS CustomerGatewayConfiguration: there is no <vpn_connection> root element.')
  const id = typeof root['@_id'] === 'string' ? root['@_id'] : ''
  if (!/^vpn-[0-9A-Za-z]{1,32}$/.test(id)) fail('aws-xml-missing', `<vpn_connection> has no valid id attribute (expected vpn-…, found "${shown(id)}").`)
  const type = xmlText(root, ['vpn_connection_type'])
  if (type !== undefined && type !== 'ipsec.1') fail('aws-xml-type', `The VPN connection type is "${shown(type)}", not ipsec.1.`)
  const notes: string[] = []
  const attributes = xmlText(root, ['vpn_connection_attributes'])
  if (attributes !== undefined && attributes !== 'NoBGPVPNConnection') notes.push(`The export says "${shown(attributes)}" (BGP routing); Tunnelwright configures static routing, so the provider must enter static routes for the agency CIDRs on the AWS side.`)
  const blocks = root['ipsec_tunnel']
  const list = Array.isArray(blocks) ? blocks : []
  if (list.length !== 2) fail('aws-xml-tunnels', `Expected exactly two <ipsec_tunnel> elements (AWS always provides two tunnels), found ${list.length}.`)
  const tunnels = list.map((t: unknown, i): ExportTunnel => {
    const where = `<ipsec_tunnel> #${i + 1}`
    const insideIp = xmlRequired(t, ['vpn_gateway', 'tunnel_inside_address', 'ip_address'], where)
    const insideBits = xmlRequired(t, ['vpn_gateway', 'tunnel_inside_address', 'network_cidr'], where)
    const customer = xmlText(t, ['customer_gateway', 'tunnel_outside_address', 'ip_address'])
    return {
      outsideIp: assertIpv4(xmlRequired(t, ['vpn_gateway', 'tunnel_outside_address', 'ip_address'], where), `${where}: the AWS outside address`),
      customerIp: customer,
      psk: assertPsk(xmlText(t, ['ike', 'pre_shared_key']), where),
      insideCidr: toInsideCidr(insideIp, insideBits, where),
      crypto: {
        ikeIntegrity: xmlText(t, ['ike', 'authentication_protocol']),
        ikeEncryption: xmlText(t, ['ike', 'encryption_protocol']),
        ikeDh: xmlText(t, ['ike', 'perfect_forward_secrecy']),
        ikeLifetime: xmlText(t, ['ike', 'lifetime']),
        espIntegrity: xmlText(t, ['ipsec', 'authentication_protocol']),
        espEncryption: xmlText(t, ['ipsec', 'encryption_protocol']),
        pfs: xmlText(t, ['ipsec', 'perfect_forward_secrecy']),
        espLifetime: xmlText(t, ['ipsec', 'lifetime']),
      },
    }
  })
  const source = { kind: 'xml' as const, vpnConnectionId: id, ...optional('customerGatewayId', xmlText(root, ['customer_gateway_id'])), ...optional('vpnGatewayId', xmlText(root, ['vpn_gateway_id'])) }
  return toImport(tunnels, source, notes)
}

function optional<K extends string>(key: K, v: string | undefined): Partial<Record<K, string>> {
  return v === undefined || v === '' ? {} : ({ [key]: v } as Record<K, string>)
}

// ---------------------------------------------------------------------------------------------
// Generic text ("Download configuration" → Vendor: Generic)

/** Parses AWS's generic text configuration into a details draft; throws UserError on anything else. */
export function importAwsText(text: string): AwsImport {
  assertSize(text, 'AWS text export')
  const lines = text.split(/\r?\n/)
  const header = (re: RegExp): string | undefined => {
    for (const l of lines) {
      const m = re.exec(l)
      if (m) return m[1]
    }
    return undefined
  }
  const id = header(/^\s*Your VPN Connection ID\s*:\s*(\S+)\s*$/)
  if (id === undefined || !/^vpn-[0-9A-Za-z]{1,32}$/.test(id)) fail('aws-text-format', 'This is not an AWS generic VPN configuration: there is no "Your VPN Connection ID : vpn-…" line.')
  const starts: Array<{ line: number; n: string }> = []
  lines.forEach((l, i) => {
    const m = /^\s*IPSec Tunnel #(\d+)\s*$/.exec(l)
    if (m) starts.push({ line: i, n: m[1]! })
  })
  if (starts.length !== 2) fail('aws-text-tunnels', `Expected exactly two "IPSec Tunnel #N" sections (AWS always provides two tunnels), found ${starts.length}.`)
  const tunnels = starts.map((s, k) => parseTextTunnel(lines.slice(s.line + 1, starts[k + 1]?.line ?? lines.length), `IPSec Tunnel #${s.n}`))
  const source = { kind: 'text' as const, vpnConnectionId: id, ...optional('customerGatewayId', header(/^\s*Your Customer Gateway ID\s*:\s*(\S+)\s*$/)), ...optional('vpnGatewayId', header(/^\s*Your Virtual Private Gateway ID\s*:\s*(\S+)\s*$/)) }
  return toImport(tunnels, source, [])
}

function parseTextTunnel(block: readonly string[], where: string): ExportTunnel {
  type Section = 'none' | 'ike' | 'ipsec' | 'tunnel' | 'routing'
  let section: Section = 'none'
  let sub: 'none' | 'outside' | 'inside' = 'none'
  const ike: Record<string, string> = {}
  const esp: Record<string, string> = {}
  const outside: Record<string, string> = {}
  const inside: Record<string, string> = {}
  for (const line of block) {
    if (/#1:\s*Internet Key Exchange/i.test(line)) section = 'ike'
    else if (/#2:\s*IPSec Configuration/i.test(line)) section = 'ipsec'
    else if (/#3:\s*Tunnel Interface/i.test(line)) section = 'tunnel'
    else if (/#4:\s*(Static Routing|Border Gateway)/i.test(line)) section = 'routing'
    if (/^\s*Outside IP Addresses/i.test(line)) sub = 'outside'
    else if (/^\s*Inside IP Addresses/i.test(line)) sub = 'inside'
    const kv = /^\s*-\s*([^:]+?)\s*:\s*(.*?)\s*$/.exec(line)
    if (!kv) continue
    const key = kv[1]!.toLowerCase()
    const value = kv[2]!
    const target = section === 'ike' ? ike : section === 'ipsec' ? esp : section === 'tunnel' ? (sub === 'outside' ? outside : sub === 'inside' ? inside : undefined) : undefined
    if (target && !(key in target)) target[key] = value
  }
  const aws = (r: Record<string, string>): string | undefined => r['virtual private gateway'] ?? r['transit gateway'] ?? r['aws']
  const outsideIp = aws(outside)
  if (outsideIp === undefined) fail('aws-text-missing', `${where}: no "Virtual Private Gateway" outside IP address.`)
  const insideText = aws(inside) ?? inside['customer gateway']
  const m = insideText === undefined ? null : /^(\S+)\/(\S+)$/.exec(insideText)
  if (!m) fail('aws-text-missing', `${where}: no inside IP address (a.b.c.d/30).`)
  return {
    outsideIp: assertIpv4(outsideIp, `${where}: the AWS outside address`),
    customerIp: outside['customer gateway'],
    psk: assertPsk(ike['pre-shared key'], where),
    insideCidr: toInsideCidr(m[1]!, m[2]!, where),
    crypto: {
      ...optional('ikeVersion', ike['ike version']),
      ...optional('ikeIntegrity', ike['authentication algorithm']),
      ...optional('ikeEncryption', ike['encryption algorithm']),
      ...optional('ikeDh', ike['diffie-hellman']),
      ...optional('ikeLifetime', ike['lifetime']),
      ...optional('espIntegrity', esp['authentication algorithm']),
      ...optional('espEncryption', esp['encryption algorithm']),
      ...optional('pfs', esp['perfect forward secrecy']),
      ...optional('espLifetime', esp['lifetime']),
    },
  }
}

// ---------------------------------------------------------------------------------------------
// From the tunnels of either export to the draft

function toImport(tunnels: readonly ExportTunnel[], source: AwsImport['source'], notes: string[]): AwsImport {
  const [a, b] = tunnels
  if (!a || !b) fail('aws-export-tunnels', 'The export does not describe two tunnels.')
  if (a.outsideIp === b.outsideIp) fail('aws-export-tunnels', `Both tunnels have the outside IP ${a.outsideIp}; AWS gives each tunnel its own.`)
  if (a.insideCidr === b.insideCidr) fail('aws-export-tunnels', `Both tunnels have the inside CIDR ${a.insideCidr}; AWS gives each tunnel its own.`)
  for (const t of tunnels) {
    if (!insideAddresses(t.insideCidr)) fail('aws-export-inside', `The tunnel to ${t.outsideIp} has the inside CIDR ${t.insideCidr}, not a /30.`)
  }
  const customerIps = [...new Set(tunnels.map((t) => t.customerIp).filter((ip): ip is string => ip !== undefined && Ipv4.safeParse(ip).success))]
  if (customerIps.length > 1) fail('aws-export-customer', `The tunnels name different customer gateway addresses (${customerIps.join(', ')}); one VPN connection has one customer gateway.`)
  const publicIp = customerIps[0]
  const crypto = toCrypto(tunnels.map((t) => t.crypto), notes)
  notes.push('The provider is set to "aws". If cloud.gov handed this over, set "provider": "cloud.gov" so lint applies cloud.gov\'s stricter requirements.')
  const parsed = DetailsDraft.safeParse({
    format: DETAILS_FORMAT,
    name: source.vpnConnectionId,
    provider: 'aws',
    gateway: { ...(publicIp === undefined ? {} : { publicIp }), privateCidrs: [] },
    remote: { dedicatedCidrs: [], egressIps: [], tunnels: tunnels.map((t) => ({ outsideIp: t.outsideIp, psk: t.psk, insideCidr: t.insideCidr })) },
    crypto,
    routing: 'auto',
  })
  if (!parsed.success) fail('aws-export-invalid', `The export's values do not form valid details (${parsed.error.issues[0]?.message ?? 'invalid'}).`)
  const draft = parsed.data
  return { draft, needs: toNeeds(draft), notes, source }
}

/** The fields a draft still lacks, as JSON pointers with what belongs there. */
export function toNeeds(draft: DetailsDraft): NeededField[] {
  return [...(draft.gateway.publicIp === undefined ? [NEED_PUBLIC] : []), ...(draft.gateway.privateCidrs.length === 0 ? [NEED_PRIVATE] : []), ...(draft.remote.dedicatedCidrs.length === 0 ? [NEED_DEDICATED] : [])]
}

/** Fills what the export could not know (only the fields given); throws UserError on invalid values. */
export function fillDraft(draft: DetailsDraft, fill: { readonly publicIp?: string; readonly privateCidrs?: readonly string[]; readonly dedicatedCidrs?: readonly string[] }): DetailsDraft {
  const next = DetailsDraft.safeParse({
    ...draft,
    gateway: { ...draft.gateway, ...(fill.publicIp === undefined ? {} : { publicIp: fill.publicIp }), ...(fill.privateCidrs === undefined ? {} : { privateCidrs: [...fill.privateCidrs] }) },
    remote: { ...draft.remote, ...(fill.dedicatedCidrs === undefined ? {} : { dedicatedCidrs: [...fill.dedicatedCidrs] }) },
  })
  if (!next.success) {
    const first = next.error.issues[0]
    throw new UserError('draft-fill', `Cannot fill in the draft: /${first?.path.join('/') ?? ''} ${first?.message ?? 'is invalid'}.`, { fix: 'Give CIDRs as a.b.c.d/n and the public IP as a.b.c.d.' })
  }
  return next.data
}

/** The draft as Details when nothing is missing; undefined while fields remain to fill in. */
export function toCompleteDetails(draft: DetailsDraft): Details | undefined {
  const r = Details.safeParse(draft)
  return r.success ? r.data : undefined
}

// ---------------------------------------------------------------------------------------------
// Crypto: copy only what is at least as strong as cloud.gov's requirement

const ENCRYPTION: Readonly<Record<string, Crypto['encryption']>> = {
  'aes-128-cbc': 'aes128', aes128: 'aes128', 'aes-128': 'aes128',
  'aes-256-cbc': 'aes256', aes256: 'aes256', 'aes-256': 'aes256',
  'aes-128-gcm-16': 'aes128gcm16', aes128gcm16: 'aes128gcm16',
  'aes-256-gcm-16': 'aes256gcm16', aes256gcm16: 'aes256gcm16',
}
const INTEGRITY: Readonly<Record<string, Crypto['integrity']>> = {
  sha: 'sha1', sha1: 'sha1', 'hmac-sha1-96': 'sha1',
  sha256: 'sha256', 'sha2-256': 'sha256', 'hmac-sha256-128': 'sha256', 'hmac-sha2-256-128': 'sha256',
  sha384: 'sha384', 'sha2-384': 'sha384', 'hmac-sha2-384-192': 'sha384',
  sha512: 'sha512', 'sha2-512': 'sha512', 'hmac-sha2-512-256': 'sha512',
}
const STRONG_DH = new Set([14, 15, 16, 17, 18, 19, 20, 21])

function toGroup(v: string | undefined): number | undefined {
  const m = v === undefined ? null : /(?:group|^)\s*(\d{1,2})\s*$/i.exec(v)
  return m ? Number(m[1]) : undefined
}

function toSeconds(v: string | undefined, min: number, max: number): number | undefined {
  const m = v === undefined ? null : /^(\d{1,6})(\s*seconds)?$/i.exec(v.trim())
  const n = m ? Number(m[1]) : undefined
  return n !== undefined && n >= min && n <= max ? n : undefined
}

function toCrypto(exported: readonly ExportCrypto[], notes: string[]): Crypto {
  const defaults = Crypto.parse({})
  const one = exported.map((c) => ({
    ikeVersion: c.ikeVersion === undefined ? undefined : /ikev2/i.test(c.ikeVersion) ? 2 : 1,
    encryption: c.ikeEncryption === undefined ? undefined : ENCRYPTION[c.ikeEncryption.toLowerCase()],
    espEncryption: c.espEncryption === undefined ? undefined : ENCRYPTION[c.espEncryption.toLowerCase()],
    integrity: c.ikeIntegrity === undefined ? undefined : INTEGRITY[c.ikeIntegrity.toLowerCase()],
    espIntegrity: c.espIntegrity === undefined ? undefined : INTEGRITY[c.espIntegrity.toLowerCase()],
    dh: toGroup(c.ikeDh),
    pfs: toGroup(c.pfs),
    ikeLifetime: toSeconds(c.ikeLifetime, 900, 28800),
    ipsecLifetime: toSeconds(c.espLifetime, 900, 3600),
  }))
  const [a, b] = one
  const lifetimes = { ikeLifetime: a?.ikeLifetime ?? defaults.ikeLifetime, ipsecLifetime: a?.ipsecLifetime ?? defaults.ipsecLifetime }
  if (!a || !b || JSON.stringify(a) !== JSON.stringify(b)) {
    notes.push("The two tunnels' proposals in the export differ; Tunnelwright uses cloud.gov's required crypto (IKEv1, AES256, SHA256, DH group 14, PFS group 14, lifetimes 28800/3600 s). Check the tunnel options with the provider.")
    return defaults
  }
  if (a.ikeLifetime !== undefined || a.ipsecLifetime !== undefined) {
    if (lifetimes.ikeLifetime !== defaults.ikeLifetime || lifetimes.ipsecLifetime !== defaults.ipsecLifetime) notes.push(`The export sets lifetimes ${lifetimes.ikeLifetime}/${lifetimes.ipsecLifetime} s; they are kept because they must match the AWS side exactly.`)
  }
  const raw = exported[0]!
  const weak = raw.ikeIntegrity !== undefined && a.integrity === 'sha1'
  const strong =
    a.encryption !== undefined && a.encryption === a.espEncryption &&
    a.integrity !== undefined && a.integrity !== 'sha1' && (a.espIntegrity === undefined || a.espIntegrity === a.integrity) &&
    a.dh !== undefined && STRONG_DH.has(a.dh) && a.pfs !== undefined && STRONG_DH.has(a.pfs)
  if (!strong) {
    const found = [raw.ikeEncryption, raw.ikeIntegrity, raw.ikeDh].filter((v) => v !== undefined).join(', ')
    notes.push(weak || /group\s*2\b/i.test(raw.ikeDh ?? '')
      ? `The export carries AWS's minimum-compatibility proposal (${found}). Tunnelwright does not copy it and uses cloud.gov's required crypto instead: IKEv1 main mode, AES256, SHA256, DH group 14, PFS group 14. AWS accepts these with default tunnel options.`
      : `The export's proposal (${found || 'none given'}) is not one Tunnelwright can copy as is; it uses cloud.gov's required crypto instead: IKEv1 main mode, AES256, SHA256, DH group 14, PFS group 14.`)
    return { ...defaults, ...lifetimes }
  }
  return { ...defaults, ...lifetimes, ikeVersion: (a.ikeVersion ?? 1) as 1 | 2, encryption: a.encryption!, integrity: a.integrity!, dhGroup: a.dh!, pfsGroup: a.pfs! }
}

/** One line per tunnel for display after an import: outside IP, inside CIDR, AWS end and our end. */
export function toTunnelSummary(draft: DetailsDraft): string[] {
  return draft.remote.tunnels.map((t, i) => {
    const inside = insideAddresses(t.insideCidr)
    return `tunnel ${i + 1}: AWS ${t.outsideIp}, inside ${t.insideCidr}${inside ? ` (AWS ${inside.aws}, gateway ${inside.customer})` : ''}`
  })
}
