// Import of AWS's VPN connection exports into a details draft: the CustomerGatewayConfiguration XML,
// describe-vpn-connections JSON, the Generic text and AWS's device templates (readers: aws-xml, aws-json,
// aws-text), recognised from their content when the caller does not say which it is.
//
// Design: AWS's export knows the two tunnels (outside IPs, PSKs, inside /30s), usually the customer
// gateway's public IP, and whether the VPN uses BGP, but never the agency's private CIDRs nor the
// provider's dedicated CIDRs. Rather than invent placeholders that could be pushed by mistake, an import
// returns a *draft*: the same tunnelwright/details@1 shape, with those lists empty (and publicIp absent when
// the export has only a placeholder), plus `needs`, the JSON pointers the user must still fill in. A draft
// fails the details schema until completed, so nothing downstream can use it half-done; `toCompleteDetails`
// turns a filled draft into Details.
import { z } from 'zod'
import { insideAddresses } from '../net/cidr'
import { readBoundedTextSync } from '../base/bounded-read'
import { UserError } from '../base/result'
import { fail, MAX_EXPORT_BYTES, shown, type AwsExportKind, type ExportCrypto, type ExportFacts, type ExportTunnel } from './aws-facts'
import { parseAwsJson } from './aws-json'
import { AWS_NAMES, toPickedProposal, toTunnelAllows } from './aws-proposals'
import { parseAwsText } from './aws-text'
import { parseAwsXml } from './aws-xml'
import { Cidr4, Crypto, Details, DETAILS_FORMAT, Ipv4, type AwsTunnelOptions, type Bgp } from './model'

export { MAX_EXPORT_BYTES } from './aws-facts'
export { AwsConnectionChoiceError, parseAwsJsonDocument, toConnectionLine, type AwsConnectionSummary } from './aws-json'

/**
 * Reads an AWS export file through the bounded reader: a regular file of at most MAX_EXPORT_BYTES, strict
 * UTF-8. A FIFO or device (`import --aws-xml /dev/zero`) fails at once with a BoundedReadError (code
 * 'aws-export-unreadable') naming the file.
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

/** Where an import came from: the reader, the shape it recognised, and AWS's ids. */
export interface AwsImportSource {
  readonly kind: AwsExportKind
  /** "CustomerGatewayConfiguration XML", "describe-vpn-connections JSON", "Generic text", "Vyatta template" … */
  readonly shape: string
  readonly vpnConnectionId: string
  readonly customerGatewayId?: string
  readonly vpnGatewayId?: string
  readonly transitGatewayId?: string
}

/** The result of an import: the draft, what is missing, and notes on decisions taken. */
export interface AwsImport {
  readonly draft: DetailsDraft
  readonly needs: readonly NeededField[]
  readonly notes: readonly string[]
  readonly source: AwsImportSource
}

const NEED_PRIVATE: NeededField = { path: '/gateway/privateCidrs', what: "the agency's private CIDRs that must reach the dedicated hosts through the tunnels (not in AWS's export)" }
const NEED_DEDICATED: NeededField = { path: '/remote/dedicatedCidrs', what: "the provider's dedicated subnet CIDR(s), from cloud.gov or the VPC (not in AWS's export)" }
const NEED_PUBLIC: NeededField = { path: '/gateway/publicIp', what: "the gateway's public IP, the AWS customer gateway address (the export has only a placeholder)" }

// ---------------------------------------------------------------------------------------------
// Shapes

/** The shapes the import reads: `export` recognises the other three from the content. */
export type AwsExportShape = 'xml' | 'json' | 'text' | 'export'

/**
 * Which reader a text is for, from its content; throws UserError for files that are something else
 * AWS users often have (a CloudFormation or Terraform source), saying what to feed instead.
 */
export function detectAwsShape(text: string): 'xml' | 'json' | 'text' {
  const t = text.replace(/^\uFEFF/, '').trimStart()
  if (t === '') fail('aws-export-empty', 'The AWS export is empty.')
  if (t.startsWith('<')) return 'xml'
  if (t.startsWith('{') || t.startsWith('[')) return 'json'
  // A JSON document under whole-line comments (# or //), as some tools write it.
  if (/^(?:(?:#|\/\/)[^\n]*\n\s*)+[{[]/.test(t)) return 'json'
  if (/^AWSTemplateFormatVersion\s*:/m.test(t) || (/^Resources\s*:/m.test(t) && /Type\s*:\s*['"]?AWS::/.test(t))) {
    fail('aws-export-cloudformation', 'This is a CloudFormation template (YAML): it describes a VPN connection to create, not the tunnels AWS created for it (no outside IPs, no keys).', 'Once the stack is deployed, export the connection: aws ec2 describe-vpn-connections --vpn-connection-ids vpn-… > vpn.json, and import that.')
  }
  if (/^\s*(?:resource|provider|terraform|module|variable|data|output)\s+(?:"[^"]*"\s*)*\{/m.test(t)) {
    fail('aws-export-terraform', 'This is Terraform configuration (HCL): it describes a VPN connection to create, not the tunnels AWS created for it.', 'Import what AWS made of it: terraform output the aws_vpn_connection\'s customer_gateway_configuration (the XML) to a file, or aws ec2 describe-vpn-connections --vpn-connection-ids vpn-… > vpn.json.')
  }
  return 'text'
}

const SHAPE_NAMES = { xml: 'the CustomerGatewayConfiguration XML', json: 'describe-vpn-connections JSON', text: 'a text download (Generic or a device template)' } as const

function assertShape(text: string, want: 'xml' | 'json' | 'text'): void {
  const t = text.replace(/^\uFEFF/, '').trimStart()
  if (t === '') return
  const got = detectAwsShape(text)
  if (got === want) return
  const what = got === 'xml' ? 'XML' : got === 'json' ? 'JSON (AWS CLI output?)' : 'text, neither XML nor JSON'
  fail('aws-export-shape', `This file is ${what}, not ${SHAPE_NAMES[want]}.`, `Import it as ${SHAPE_NAMES[got]} (CLI: --aws-${got}), or let the import recognise it (CLI: --aws-export).`)
}

/** Parses AWS's CustomerGatewayConfiguration XML into a details draft; throws UserError on anything else. */
export function importAwsXml(xml: string): AwsImport {
  assertShape(xml, 'xml')
  return toImport(parseAwsXml(xml))
}

/** Parses AWS's Generic text or a device template into a details draft; throws UserError on anything else. */
export function importAwsText(text: string): AwsImport {
  assertShape(text, 'text')
  return toImport(parseAwsText(text))
}

/**
 * Parses describe-vpn-connections JSON (or create/modify output) into a details draft. With several
 * connections, `connection` (an id or a 1-based position) picks one; without it an AwsConnectionChoiceError
 * carries the list to choose from.
 */
export function importAwsJson(text: string, connection?: string): AwsImport {
  assertShape(text, 'json')
  return toImport(parseAwsJson(text, connection))
}

/** Imports any shape AWS hands out, recognised from the content (see detectAwsShape). */
export function importAwsExportText(text: string, shape: AwsExportShape = 'export', connection?: string): AwsImport {
  const s = shape === 'export' ? detectAwsShape(text) : shape
  return s === 'xml' ? importAwsXml(text) : s === 'json' ? importAwsJson(text, connection) : importAwsText(text)
}

// ---------------------------------------------------------------------------------------------
// From the facts of any shape to the draft

function toImport(facts: ExportFacts): AwsImport {
  const tunnels = facts.tunnels
  const [a, b] = tunnels
  if (!a || !b || tunnels.length !== 2) fail('aws-export-tunnels', 'The export does not describe two tunnels.')
  if (a.outsideIp === b.outsideIp) {
    fail('aws-export-tunnels', `Both tunnels have the outside IP ${a.outsideIp}; AWS gives each tunnel its own, so the tunnels cannot be told apart (nor their keys paired with them): the export was edited (sanitised?) or is an example with made-up addresses.`, "Use the export exactly as AWS produced it (each tunnel's own outside IP, key and inside CIDR), or ask the provider for it.")
  }
  if (a.insideCidr === b.insideCidr) fail('aws-export-tunnels', `Both tunnels have the inside CIDR ${a.insideCidr}; AWS gives each tunnel its own.`, 'Use the export exactly as AWS produced it, or ask the provider for it.')
  for (const t of tunnels) {
    if (!insideAddresses(t.insideCidr)) fail('aws-export-inside', `The tunnel to ${t.outsideIp} has the inside CIDR ${t.insideCidr}, not a /30.`)
  }
  const customerIps = [...new Set(tunnels.map((t) => t.customerIp).filter((ip): ip is string => ip !== undefined && Ipv4.safeParse(ip).success))]
  if (customerIps.length > 1) fail('aws-export-customer', `The tunnels name different customer gateway addresses (${customerIps.join(', ')}); one VPN connection has one customer gateway.`)
  const publicIp = customerIps[0]
  if (publicIp !== undefined && tunnels.some((t) => t.outsideIp === publicIp)) {
    fail('aws-export-customer', `The customer gateway address ${publicIp} is also a tunnel's AWS outside IP; the two ends of a tunnel cannot share an address: the export was edited (sanitised?).`, 'Use the export exactly as AWS produced it, or ask the provider for it.')
  }
  const notes: string[] = [...facts.notes]
  const crypto = toDraftCrypto(tunnels, facts.shape, notes)
  const bgp = facts.routing === 'bgp' ? toBgp(tunnels) : undefined
  const options = tunnels.map((t) => t.options).filter((o): o is AwsTunnelOptions => o !== undefined)
  toSideNotes(facts, tunnels, bgp, notes)
  notes.push('The provider is set to "aws". If cloud.gov handed this over, set "provider": "cloud.gov" so lint applies cloud.gov\'s stricter requirements.')
  const parsed = DetailsDraft.safeParse({
    format: DETAILS_FORMAT,
    name: facts.vpnConnectionId,
    provider: 'aws',
    gateway: { ...(publicIp === undefined ? {} : { publicIp }), privateCidrs: [] },
    remote: { dedicatedCidrs: [], egressIps: [], tunnels: tunnels.map((t) => ({ outsideIp: t.outsideIp, psk: t.psk, insideCidr: t.insideCidr })) },
    crypto,
    routing: 'auto',
    ...(bgp ? { bgp } : {}),
    ...(options.length ? { tunnelOptions: options } : {}),
  })
  if (!parsed.success) fail('aws-export-invalid', `The export's values do not form valid details (${parsed.error.issues[0]?.message ?? 'invalid'}).`)
  const draft = parsed.data
  const source: AwsImportSource = {
    kind: facts.kind,
    shape: facts.shape,
    vpnConnectionId: facts.vpnConnectionId,
    ...(facts.customerGatewayId ? { customerGatewayId: shown(facts.customerGatewayId) } : {}),
    ...(facts.vpnGatewayId ? { vpnGatewayId: shown(facts.vpnGatewayId) } : {}),
    ...(facts.transitGatewayId ? { transitGatewayId: shown(facts.transitGatewayId) } : {}),
  }
  return { draft, needs: toNeeds(draft), notes, source }
}

function toBgp(tunnels: readonly ExportTunnel[]): Bgp {
  return {
    tunnels: tunnels.map((t) => {
      const x = t.bgp ?? {}
      return {
        outsideIp: t.outsideIp,
        ...(x.awsAsn === undefined ? {} : { awsAsn: x.awsAsn }),
        ...(x.customerAsn === undefined ? {} : { customerAsn: x.customerAsn }),
        neighborIp: x.neighborIp ?? insideAddresses(t.insideCidr)!.aws,
        ...(x.holdTime === undefined ? {} : { holdTime: x.holdTime }),
      }
    }),
  }
}

/** Notes on what the export says beyond the tunnels: routing, DPD and startup at AWS, MSS. */
function toSideNotes(facts: ExportFacts, tunnels: readonly ExportTunnel[], bgp: Bgp | undefined, notes: string[]): void {
  if (bgp) {
    const list = (f: (p: Bgp['tunnels'][number]) => string | number | undefined) => [...new Set(bgp.tunnels.map(f).filter((v) => v !== undefined))].join(' and ')
    const awsAsn = list((p) => p.awsAsn)
    const customerAsn = list((p) => p.customerAsn)
    const hold = list((p) => p.holdTime)
    notes.push(
      `This VPN uses dynamic routing (BGP; the ${facts.shape} says so): AWS expects a BGP session in each tunnel — AWS ASN ${awsAsn || 'not given'}, gateway ASN ${customerAsn || 'not given'}, neighbours ${list((p) => p.neighborIp)}${hold ? `, hold time ${hold} s` : ''} — and routes nothing without them. They are kept in "bgp": apply sets the sessions up in FRR (Linux gateways, or pfSense's FRR package), and the Cisco ASA/IOS, PAN-OS, FortiOS and Junos configurations carry them, route-based; lint says what the gateway needs.`,
    )
  } else if (facts.routing === 'static') {
    notes.push('Static routing: AWS sends traffic into the tunnels only for the static routes entered on the VPN connection; the provider must enter the agency CIDRs there.')
  }
  for (const t of tunnels) {
    const o = t.options
    if (o?.dpd?.action !== undefined) {
      const what = o.dpd.action === 'clear' ? 'ends the IKE session and takes the tunnel down' : o.dpd.action === 'restart' ? 'restarts the IKE session' : 'does nothing'
      notes.push(`Tunnel ${t.outsideIp}: AWS's DPD timeout action is "${o.dpd.action}" (TunnelOptions DpdTimeoutAction): when AWS declares the gateway dead it ${what}; the gateway restarts the tunnel itself (Tunnelwright sets DPD action restart).`)
    }
    if (o?.startupAction === 'start') notes.push(`Tunnel ${t.outsideIp}: AWS's startup action is "start" (TunnelOptions StartupAction): AWS initiates, but only over IKEv2; the gateway initiates anyway.`)
    else if (o?.startupAction === 'add') notes.push(`Tunnel ${t.outsideIp}: AWS's startup action is "add" (TunnelOptions StartupAction): AWS never initiates, so the gateway starts the tunnel and restarts it after DPD or AWS maintenance.`)
  }
  const mss = [...new Set(tunnels.map((t) => t.tcpMss).filter((m) => m !== undefined))]
  if (mss.length) notes.push(`The ${facts.shape} advises clamping TCP MSS to ${mss.join('/')} bytes on traffic through the tunnels (AWS does no path-MTU discovery); every rendered configuration says so too.`)
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
// Crypto: the tunnel options decide when the export has them; otherwise copy only what is at least as
// strong as cloud.gov's requirement. Lifetimes and DPD come from the export when it gives them.

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

/** The one value both tunnels agree on, or undefined (and a note) when they differ or neither has one. */
function agreed<T>(values: readonly (T | undefined)[], what: string, notes: string[]): T | undefined {
  const set = [...new Set(values.filter((v) => v !== undefined))]
  if (set.length > 1) notes.push(`The tunnels' ${what} differ (${set.join(' and ')}); one setting serves both tunnels, so the default is kept and lint reports the tunnel that differs.`)
  return set.length === 1 && values.every((v) => v !== undefined) ? set[0] : undefined
}

function toDraftCrypto(tunnels: readonly ExportTunnel[], shape: string, notes: string[]): Crypto {
  const defaults = Crypto.parse({})
  const withOptions = tunnels.some((t) => t.options !== undefined)
  const base = withOptions ? toOptionsCrypto(tunnels, defaults, notes) : toExportCrypto(tunnels.map((t) => t.crypto), shape, notes)
  const dpd = toDpd(tunnels, base.dpd, notes)
  return { ...base, dpd }
}

/** Proposals from the tunnel options: cloud.gov's profile where both tunnels allow it, else the strongest common one. */
function toOptionsCrypto(tunnels: readonly ExportTunnel[], defaults: Crypto, notes: string[]): Crypto {
  const allows = tunnels.map((t) => toTunnelAllows(t.options))
  const picked = toPickedProposal(allows, defaults)
  const c = picked.crypto
  // A tunnel whose options give no lifetime has AWS's default (28800 s / 3600 s).
  const stated = (get: (t: ExportTunnel) => number | undefined, awsDefault: number, what: string) => (tunnels.some((t) => get(t) !== undefined) ? agreed(tunnels.map((t) => get(t) ?? awsDefault), what, notes) : undefined)
  const ikeLifetime = stated((t) => t.options?.phase1?.lifetime, 28800, 'phase 1 lifetimes (TunnelOptions)')
  const ipsecLifetime = stated((t) => t.options?.phase2?.lifetime, 3600, 'phase 2 lifetimes (TunnelOptions)')
  const shownProposal = `IKEv${c.ikeVersion}, ${AWS_NAMES.encryption[c.encryption as 'aes256'] ?? c.encryption}, ${AWS_NAMES.integrity[c.integrity as 'sha256'] ?? c.integrity}, DH group ${c.dhGroup}, PFS group ${c.pfsGroup}`
  const said = tunnels.some((t) => t.options?.phase1 || t.options?.phase2 || t.options?.ikeVersions)
  if (picked.empty.length) {
    notes.push(`The tunnel options leave no ${picked.empty.map((k) => (k === 'dhGroup' ? 'phase 1 DH group' : k === 'pfsGroup' ? 'phase 2 (PFS) DH group' : k === 'ikeVersion' ? 'IKE version' : k)).join(', ')} that both tunnels allow and cloud.gov accepts; the details keep cloud.gov's (${shownProposal}) and lint says, per tunnel, what to change at AWS.`)
  } else if (said) {
    notes.push(`Proposal from the tunnel options (TunnelOptions): ${shownProposal} — cloud.gov's profile where both tunnels allow it, otherwise the strongest they both allow that every device kind can run. The export's own sample proposal (if any) is not copied.`)
  }
  const lifetimes = [ikeLifetime === undefined ? undefined : `phase 1 ${ikeLifetime} s`, ipsecLifetime === undefined ? undefined : `phase 2 ${ipsecLifetime} s`].filter(Boolean)
  if (lifetimes.length) notes.push(`Lifetimes from the tunnel options (Phase1/Phase2LifetimeSeconds): ${lifetimes.join(', ')}; they must match AWS exactly.`)
  return { ...defaults, ...c, ...(ikeLifetime === undefined ? {} : { ikeLifetime }), ...(ipsecLifetime === undefined ? {} : { ipsecLifetime }) }
}

/** DPD: AWS's own timeout from the tunnel options, or the export's recommended interval × retries. */
function toDpd(tunnels: readonly ExportTunnel[], dpd: Crypto['dpd'], notes: string[]): Crypto['dpd'] {
  const awsTimeout = agreed(tunnels.map((t) => t.options?.dpd?.timeout), 'DPD timeouts (TunnelOptions)', [])
  const interval = agreed(tunnels.map((t) => t.dpd?.interval), 'DPD intervals', [])
  const retries = agreed(tunnels.map((t) => t.dpd?.retries), 'DPD retries', [])
  const delay = interval ?? dpd.delay
  const timeout = awsTimeout ?? (interval !== undefined && retries !== undefined ? interval * retries : dpd.timeout)
  if (timeout <= delay || timeout > 3600) return dpd
  if (awsTimeout !== undefined) notes.push(`DPD: delay ${delay} s, timeout ${timeout} s (AWS's DpdTimeoutSeconds from the tunnel options).`)
  else if (interval !== undefined) notes.push(`DPD: delay ${delay} s, timeout ${timeout} s (the export recommends interval ${interval} s${retries === undefined ? '' : ` × ${retries} retries`}).`)
  return { delay, timeout }
}

/** The export's single sample proposal: copied only when at least as strong as cloud.gov's requirement. */
function toExportCrypto(exported: readonly ExportCrypto[], shape: string, notes: string[]): Crypto {
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
  const raw = exported[0]!
  const empty = Object.keys(raw).length === 0 && exported.every((c) => Object.keys(c).length === 0)
  if (empty) {
    const why = /template/.test(shape) ? `the ${shape}'s proposals are not read (AWS's templates carry its compatibility minimum: AES128, SHA1, DH group 2)` : `the ${shape} gives no proposal`
    notes.push(`Crypto: ${why}. Tunnelwright uses cloud.gov's required crypto: IKEv1 main mode, AES256, SHA256, DH group 14, PFS group 14, lifetimes 28800/3600 s. AWS's default tunnel options allow it; if the provider narrowed them, import the describe-vpn-connections JSON with its TunnelOptions so lint can check.`)
    return defaults
  }
  const lifetimes = { ikeLifetime: a?.ikeLifetime ?? defaults.ikeLifetime, ipsecLifetime: a?.ipsecLifetime ?? defaults.ipsecLifetime }
  if (!a || !b || JSON.stringify(a) !== JSON.stringify(b)) {
    notes.push("The two tunnels' proposals in the export differ; Tunnelwright uses cloud.gov's required crypto (IKEv1, AES256, SHA256, DH group 14, PFS group 14, lifetimes 28800/3600 s). Check the tunnel options with the provider.")
    return defaults
  }
  if (a.ikeLifetime !== undefined || a.ipsecLifetime !== undefined) {
    if (lifetimes.ikeLifetime !== defaults.ikeLifetime || lifetimes.ipsecLifetime !== defaults.ipsecLifetime) notes.push(`The export sets lifetimes ${lifetimes.ikeLifetime}/${lifetimes.ipsecLifetime} s; they are kept because they must match the AWS side exactly.`)
  }
  const weak = raw.ikeIntegrity !== undefined && a.integrity === 'sha1'
  const strong =
    a.encryption !== undefined && a.encryption === a.espEncryption &&
    a.integrity !== undefined && a.integrity !== 'sha1' && (a.espIntegrity === undefined || a.espIntegrity === a.integrity) &&
    a.dh !== undefined && STRONG_DH.has(a.dh) && a.pfs !== undefined && STRONG_DH.has(a.pfs)
  if (!strong) {
    const found = [raw.ikeEncryption, raw.ikeIntegrity, raw.ikeDh].filter((v) => v !== undefined).join(', ')
    const unknownOptions = ' The export does not say which algorithms the tunnel options allow (its XML and text always show this sample); AWS\'s default tunnel options allow cloud.gov\'s profile. If the provider narrowed them, import the describe-vpn-connections JSON (its TunnelOptions) so lint can check.'
    notes.push(
      (weak || /group\s*2\b/i.test(raw.ikeDh ?? '')
        ? `The export carries AWS's minimum-compatibility proposal (${found}). Tunnelwright does not copy it and uses cloud.gov's required crypto instead: IKEv1 main mode, AES256, SHA256, DH group 14, PFS group 14.`
        : `The export's proposal (${found || 'none given'}) is not one Tunnelwright can copy as is; it uses cloud.gov's required crypto instead: IKEv1 main mode, AES256, SHA256, DH group 14, PFS group 14.`) + unknownOptions,
    )
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
