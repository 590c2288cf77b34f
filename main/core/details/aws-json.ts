// AWS's VPN connections as JSON: `aws ec2 describe-vpn-connections` output (one connection or many), the
// `{"VpnConnection": …}` that create/modify return, or one connection object. The CustomerGatewayConfiguration
// string holds the XML; TunnelOptions hold what the XML cannot (allowed algorithms, lifetimes, DPD,
// startup action, IKE versions), and the keys and inside CIDRs when the XML is absent.
import { InputError } from '../base/result'
import { parseAwsXml } from './aws-xml'
import { assertIpv4, assertPsk, assertSize, fail, isIpv4, shown, toCount, toInsideCidr, type ExportFacts, type ExportTunnel } from './aws-facts'
import { locateJsonError } from './load'
import type { AwsPhaseOptions, AwsTunnelOptions } from './model'

type Obj = Record<string, unknown>

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function str(o: Obj, key: string): string | undefined {
  const v = o[key]
  return typeof v === 'string' && v !== '' ? v : undefined
}

/** One VPN connection of a JSON export, as a list to choose from shows it. */
export interface AwsConnectionSummary {
  /** 1-based position in the file (two entries can share an id in edited files). */
  readonly position: number
  readonly vpnConnectionId: string
  readonly state?: string
  /** The virtual private gateway (vgw-…) or transit gateway (tgw-…). */
  readonly gatewayId?: string
  readonly customerGatewayId?: string
  readonly routing?: 'static' | 'bgp'
  /** The connection's Name tag. */
  readonly name?: string
  readonly outsideIps: readonly string[]
}

/** A JSON export holding several VPN connections, none chosen: the caller lets the user pick one. */
export class AwsConnectionChoiceError extends InputError {
  readonly connections: readonly AwsConnectionSummary[]

  constructor(message: string, connections: readonly AwsConnectionSummary[], fix: string) {
    super('aws-json-choose', message, { fix })
    this.connections = connections
  }
}

/** A JSON export parsed down to its VPN connection objects. */
export interface AwsJsonDocument {
  /** What the JSON is: "describe-vpn-connections JSON", "VpnConnection JSON" (create/modify output) … */
  readonly shape: string
  readonly connections: readonly Obj[]
  readonly summaries: readonly AwsConnectionSummary[]
  readonly notes: readonly string[]
}

const PLACEHOLDER_FIX = 'Save the output of `aws ec2 describe-vpn-connections --vpn-connection-ids vpn-…` exactly as the AWS CLI prints it (JSON), or download the Generic configuration from the console.'

/** Parses the JSON (tolerating whole-line # and // comments, which some tools add) and finds the VPN connections. */
export function parseAwsJsonDocument(text: string): AwsJsonDocument {
  assertSize(text, 'AWS JSON export')
  const body = text.replace(/^\uFEFF/, '')
  const notes: string[] = []
  let doc: unknown
  try {
    doc = JSON.parse(body)
  } catch {
    // A line that starts with # or // is never valid JSON (strings cannot span lines): blank it and retry.
    const lines = body.split('\n')
    const comment = /^\s*(#|\/\/)/
    const count = lines.filter((l) => comment.test(l)).length
    let parsed: unknown
    let ok = false
    if (count > 0) {
      try {
        parsed = JSON.parse(lines.map((l) => (comment.test(l) ? '' : l)).join('\n'))
        ok = true
      } catch {
        ok = false
      }
    }
    if (!ok) {
      let at
      try {
        at = locateJsonError(count > 0 ? lines.map((l) => (comment.test(l) ? '' : l)).join('\n') : body)
      } catch {
        at = undefined
      }
      const where = at ? ` at line ${at.line}, column ${at.column}: ${at.what}` : ''
      fail('aws-json-syntax', `The file looks like JSON but is not valid JSON${where}.`, `${/\.\.\.?configuration information\.\.\./.test(body) ? "AWS's documentation examples show CustomerGatewayConfiguration as an unquoted \"...configuration information...\"; that is not an export. " : ''}${PLACEHOLDER_FIX}`)
    }
    doc = parsed
    notes.push(`The file has ${count} comment line${count === 1 ? '' : 's'} (starting with # or //), which JSON does not allow; ${count === 1 ? 'it was' : 'they were'} skipped.`)
  }
  const { connections, shape } = toConnectionList(doc)
  if (connections.length === 0) fail('aws-json-empty', 'The export lists no VPN connections ("VpnConnections": []).', 'Check the filters of the describe-vpn-connections call (the connection id, the region: --region), and export again.')
  return { shape, connections, summaries: connections.map((c, i) => toSummary(c, i + 1)), notes }
}

function isConnection(v: unknown): v is Obj {
  return isObj(v) && (typeof v['VpnConnectionId'] === 'string' || typeof v['CustomerGatewayConfiguration'] === 'string' || isObj(v['Options']))
}

function toConnectionList(doc: unknown): { connections: Obj[]; shape: string } {
  if (Array.isArray(doc) && doc.length > 0 && doc.every(isConnection)) return { connections: doc, shape: 'VPN connections JSON' }
  if (isObj(doc)) {
    const list = doc['VpnConnections']
    if (Array.isArray(list)) {
      if (!list.every(isObj)) fail('aws-json-shape', '"VpnConnections" holds something other than connection objects.', PLACEHOLDER_FIX)
      return { connections: list, shape: 'describe-vpn-connections JSON' }
    }
    if (isObj(doc['VpnConnection'])) return { connections: [doc['VpnConnection']], shape: 'VpnConnection JSON' }
    if (typeof doc['VpnConnectionId'] === 'string') return { connections: [doc], shape: 'VPN connection JSON' }
  }
  return identifyJson(doc)
}

/** Says what a JSON file that holds no VPN connection is, and what to feed instead (always throws). */
function identifyJson(doc: unknown): never {
  const o = isObj(doc) ? doc : {}
  const format = typeof o['format'] === 'string' ? o['format'] : ''
  if (format === 'tunnelwright/details@1') fail('aws-json-details', 'This is a Tunnelwright details file (tunnelwright/details@1), not an AWS export: it needs no import.', 'Use it as it is: tunnelwright lint --details FILE (in the app, open it as a details file).')
  if (format.startsWith('tunnelwright/profile')) fail('aws-json-profile', `This is a Tunnelwright profile file (${shown(format)}), not an AWS export.`, 'Import it in the app as a profile (Profiles → Import).')
  if (format.startsWith('tunnelwright/')) fail('aws-json-tunnelwright', `This is Tunnelwright's own output (${shown(format)}), not an AWS export.`, PLACEHOLDER_FIX)
  if ('terraform_version' in o || ('lineage' in o && 'resources' in o)) {
    fail('aws-json-terraform-state', 'This is a Terraform state file, not an AWS export.', 'Its aws_vpn_connection resource holds the export as the attribute customer_gateway_configuration (the XML): save it to a file and import that, e.g. jq -r \'.resources[] | select(.type == "aws_vpn_connection") | .instances[0].attributes.customer_gateway_configuration\' terraform.tfstate > vpn.xml')
  }
  const resources = o['Resources']
  if ('AWSTemplateFormatVersion' in o || (isObj(resources) && Object.values(resources).some((r) => isObj(r) && typeof r['Type'] === 'string' && r['Type'].startsWith('AWS::')))) {
    fail('aws-json-cloudformation', 'This is a CloudFormation template: it describes a VPN connection to create, not the tunnels AWS created for it (no outside IPs, no keys).', 'Once the stack is deployed, export the connection: aws ec2 describe-vpn-connections --vpn-connection-ids vpn-… > vpn.json, and import that.')
  }
  if (Array.isArray(o['VpnGateways'])) fail('aws-json-vpn-gateways', 'This is describe-vpn-gateways output: it lists gateways, not the VPN connections and their tunnels.', 'Export the connections instead: aws ec2 describe-vpn-connections --filters Name=vpn-gateway-id,Values=vgw-… > vpn.json')
  if (Array.isArray(o['CustomerGateways'])) fail('aws-json-customer-gateways', 'This is describe-customer-gateways output: it lists customer gateways, not the VPN connections and their tunnels.', 'Export the connections instead: aws ec2 describe-vpn-connections > vpn.json')
  const keys = Object.keys(o).slice(0, 4).map((k) => `"${shown(k)}"`)
  fail('aws-json-shape', `This JSON is not an AWS VPN connection export: it has none of "VpnConnections", "VpnConnection" or "VpnConnectionId" at the top${keys.length ? ` (it has ${keys.join(', ')}${Object.keys(o).length > 4 ? ' …' : ''})` : Array.isArray(doc) ? ' (it is a list of something else)' : ''}.`, PLACEHOLDER_FIX)
}

function toOutsideIps(c: Obj): string[] {
  const fromOptions = Array.isArray(isObj(c['Options']) ? c['Options']['TunnelOptions'] : undefined) ? ((c['Options'] as Obj)['TunnelOptions'] as unknown[]) : []
  const telemetry = Array.isArray(c['VgwTelemetry']) ? c['VgwTelemetry'] : []
  const ips = [...fromOptions, ...telemetry].map((t) => (isObj(t) ? str(t, 'OutsideIpAddress') : undefined)).filter(isIpv4)
  return [...new Set(ips)]
}

function toRouting(c: Obj): 'static' | 'bgp' | undefined {
  const o = c['Options']
  if (!isObj(o) || typeof o['StaticRoutesOnly'] !== 'boolean') return undefined
  return o['StaticRoutesOnly'] ? 'static' : 'bgp'
}

function toSummary(c: Obj, position: number): AwsConnectionSummary {
  const id = str(c, 'VpnConnectionId') ?? '(no VpnConnectionId)'
  const tags = Array.isArray(c['Tags']) ? c['Tags'] : []
  const name = tags.map((t) => (isObj(t) && t['Key'] === 'Name' ? str(t, 'Value') : undefined)).find((v) => v !== undefined)
  const state = str(c, 'State')
  const gatewayId = str(c, 'VpnGatewayId') ?? str(c, 'TransitGatewayId')
  const customerGatewayId = str(c, 'CustomerGatewayId')
  const routing = toRouting(c)
  return {
    position,
    vpnConnectionId: shown(id),
    ...(state ? { state: shown(state) } : {}),
    ...(gatewayId ? { gatewayId: shown(gatewayId) } : {}),
    ...(customerGatewayId ? { customerGatewayId: shown(customerGatewayId) } : {}),
    ...(routing ? { routing } : {}),
    ...(name ? { name: shown(name) } : {}),
    outsideIps: toOutsideIps(c),
  }
}

/** One line per connection, for a list to choose from. */
export function toConnectionLine(s: AwsConnectionSummary): string {
  const parts = [s.state, s.routing === undefined ? undefined : s.routing === 'bgp' ? 'BGP' : 'static', s.gatewayId, s.name === undefined ? undefined : `"${s.name}"`, s.outsideIps.length ? `tunnels ${s.outsideIps.join(', ')}` : undefined].filter((p) => p !== undefined)
  return `${s.position}. ${s.vpnConnectionId}${parts.length ? ` (${parts.join(', ')})` : ''}`
}

/**
 * Picks one connection of a JSON export: by id (vpn-…) or by 1-based position. Several connections and no
 * pick, an unknown pick, or an id two entries share throw AwsConnectionChoiceError with the list.
 */
export function pickConnection(doc: AwsJsonDocument, pick: string | undefined): { connection: Obj; summary: AwsConnectionSummary } {
  const list = doc.summaries
  const lines = list.map(toConnectionLine).join('; ')
  const choose = (message: string): never => {
    throw new AwsConnectionChoiceError(message, list, `Choose one: pass its id (--connection vpn-…) or its position (--connection 2). The export lists: ${lines}.`)
  }
  let index: number | undefined
  if (pick === undefined) {
    if (list.length === 1) index = 0
    else choose(`The export lists ${list.length} VPN connections; say which one to import.`)
  } else if (/^#?\d{1,4}$/.test(pick)) {
    const n = Number(pick.replace('#', ''))
    if (n < 1 || n > list.length) choose(`There is no connection ${n}: the export lists ${list.length}.`)
    index = n - 1
  } else {
    const hits = list.filter((s) => s.vpnConnectionId === pick)
    if (hits.length === 0) choose(`The export has no VPN connection ${shown(pick)}.`)
    if (hits.length > 1) choose(`${hits.length} connections in the export have the id ${shown(pick)} (the file was edited); pick one by position.`)
    index = hits[0]!.position - 1
  }
  return { connection: doc.connections[index!]!, summary: list[index!]! }
}

// ---------------------------------------------------------------------------------------------
// TunnelOptions

type AwsEncryption = NonNullable<AwsPhaseOptions['encryption']>[number]
type AwsIntegrity = NonNullable<AwsPhaseOptions['integrity']>[number]

const ENCRYPTION: Readonly<Record<string, AwsEncryption>> = { AES128: 'aes128', AES256: 'aes256', 'AES128-GCM-16': 'aes128gcm16', 'AES256-GCM-16': 'aes256gcm16' }
const INTEGRITY: Readonly<Record<string, AwsIntegrity>> = { SHA1: 'sha1', 'SHA2-256': 'sha256', 'SHA2-384': 'sha384', 'SHA2-512': 'sha512' }

/** A TunnelOptions list: [{ "Value": x }] as the API writes it, or plain values; undefined when absent or empty. */
function toValues(v: unknown): (string | number)[] | undefined {
  if (!Array.isArray(v)) return undefined
  const out = v.map((e) => (isObj(e) ? e['Value'] : e)).filter((x): x is string | number => typeof x === 'string' || typeof x === 'number')
  return out.length ? out : undefined
}

interface JsonTunnel {
  readonly outsideIp: string
  readonly psk?: string
  readonly insideCidr?: string
  readonly insideIpv6?: boolean
  readonly options: AwsTunnelOptions
}

function toJsonTunnel(raw: unknown, where: string, notes: string[]): JsonTunnel | undefined {
  if (!isObj(raw)) return undefined
  const outsideIp = str(raw, 'OutsideIpAddress')
  if (!isIpv4(outsideIp)) return undefined
  const unknown: string[] = []
  const phase = (n: 1 | 2): AwsPhaseOptions | undefined => {
    const enc = toValues(raw[`Phase${n}EncryptionAlgorithms`])
    const integ = toValues(raw[`Phase${n}IntegrityAlgorithms`])
    const dh = toValues(raw[`Phase${n}DHGroupNumbers`])
    const lifetime = toCount(raw[`Phase${n}LifetimeSeconds`] === undefined ? undefined : String(raw[`Phase${n}LifetimeSeconds`]), 900, n === 1 ? 28800 : 3600)
    if (raw[`Phase${n}LifetimeSeconds`] !== undefined && lifetime === undefined) unknown.push(`Phase${n}LifetimeSeconds ${shown(String(raw[`Phase${n}LifetimeSeconds`]))}`)
    const map = <T>(vals: (string | number)[] | undefined, table: Readonly<Record<string, T>>, name: string): T[] | undefined => {
      if (!vals) return undefined
      const known = vals.map((v) => table[String(v).toUpperCase()]).filter((x): x is T => x !== undefined)
      for (const v of vals) if (table[String(v).toUpperCase()] === undefined) unknown.push(`${name} ${shown(String(v))}`)
      return known.length ? [...new Set(known)] : undefined
    }
    const encryption = map(enc, ENCRYPTION, `Phase${n}EncryptionAlgorithms`)
    const integrity = map(integ, INTEGRITY, `Phase${n}IntegrityAlgorithms`)
    const groups = dh?.map((g) => Number(g)).filter((g) => Number.isInteger(g) && g >= 1 && g <= 32)
    if (dh && groups?.length !== dh.length) unknown.push(`Phase${n}DHGroupNumbers ${shown(dh.join(','))}`)
    const p: AwsPhaseOptions = { ...(encryption ? { encryption } : {}), ...(integrity ? { integrity } : {}), ...(groups?.length ? { dhGroups: [...new Set(groups)] } : {}), ...(lifetime === undefined ? {} : { lifetime }) }
    return Object.keys(p).length ? p : undefined
  }
  const versions = toValues(raw['IkeVersions'])
    ?.map((v) => (/^ikev1$/i.test(String(v)) ? 1 : /^ikev2$/i.test(String(v)) ? 2 : undefined))
    .filter((v): v is 1 | 2 => v !== undefined)
  const dpdTimeout = toCount(raw['DpdTimeoutSeconds'] === undefined ? undefined : String(raw['DpdTimeoutSeconds']), 1, 3600)
  const dpdAction = str(raw, 'DpdTimeoutAction')
  const startup = str(raw, 'StartupAction')
  const phase1 = phase(1)
  const phase2 = phase(2)
  const options: AwsTunnelOptions = {
    outsideIp,
    ...(versions?.length ? { ikeVersions: [...new Set(versions)] } : {}),
    ...(phase1 ? { phase1 } : {}),
    ...(phase2 ? { phase2 } : {}),
    ...(dpdTimeout !== undefined || dpdAction === 'clear' || dpdAction === 'none' || dpdAction === 'restart'
      ? { dpd: { ...(dpdTimeout === undefined ? {} : { timeout: dpdTimeout }), ...(dpdAction === 'clear' || dpdAction === 'none' || dpdAction === 'restart' ? { action: dpdAction } : {}) } }
      : {}),
    ...(startup === 'add' || startup === 'start' ? { startupAction: startup } : {}),
  }
  if (unknown.length) notes.push(`${where}, tunnel ${outsideIp}: TunnelOptions values not recognised and left out: ${unknown.join('; ')}.`)
  const psk = str(raw, 'PreSharedKey')
  const inside = str(raw, 'TunnelInsideCidr')
  return { outsideIp, ...(psk ? { psk } : {}), ...(inside ? { insideCidr: inside } : {}), ...(str(raw, 'TunnelInsideIpv6Cidr') ? { insideIpv6: true } : {}), options }
}

/** True when the options say anything beyond the outside IP. */
function hasOptions(o: AwsTunnelOptions): boolean {
  return Object.keys(o).length > 1
}

function toInsideFromCidr(text: string, where: string): string {
  const m = /^(\S+)\/(\S+)$/.exec(text)
  if (!m) fail('aws-export-inside', `${where}: TunnelInsideCidr "${shown(text)}" is not a CIDR.`)
  return toInsideCidr(m[1]!, m[2]!, where)
}

/** The export facts of one connection of a JSON export. */
export function toJsonFacts(c: Obj, summary: AwsConnectionSummary, count: number, shape = 'describe-vpn-connections JSON'): ExportFacts {
  const id = str(c, 'VpnConnectionId')
  const where = count > 1 ? `Connection ${summary.position} (${summary.vpnConnectionId})` : id ? shown(id) : 'The connection'
  if (id === undefined || !/^vpn-[0-9A-Za-z]{1,32}$/.test(id)) fail('aws-json-missing', `${where}: "VpnConnectionId" is missing or not vpn-….`, PLACEHOLDER_FIX)
  const type = str(c, 'Type')
  if (type !== undefined && type !== 'ipsec.1') fail('aws-json-type', `${where}: the VPN connection type is "${shown(type)}", not ipsec.1.`)
  const state = str(c, 'State')
  if (state === 'deleted' || state === 'deleting') fail('aws-json-deleted', `${where} is ${state}: its tunnels no longer exist.`, 'Import the connection that replaced it (describe-vpn-connections lists deleted connections for a while).')
  const options = isObj(c['Options']) ? c['Options'] : {}
  if (options['TunnelInsideIpVersion'] === 'ipv6') fail('aws-export-ipv6', `${where}: the tunnels' inside addresses are IPv6 (TunnelInsideIpVersion ipv6); Tunnelwright sets up IPv4 tunnels only.`, 'Ask the provider for a VPN connection with IPv4 inside addresses.')
  const notes: string[] = []
  if (state !== undefined && state !== 'available') notes.push(`The connection's state is "${shown(state)}", not available: AWS may still be changing it; export it again once it is available.`)
  const jsonTunnels = (Array.isArray(options['TunnelOptions']) ? options['TunnelOptions'] : []).map((t) => toJsonTunnel(t, where, notes)).filter((t): t is JsonTunnel => t !== undefined)
  const config = typeof c['CustomerGatewayConfiguration'] === 'string' ? c['CustomerGatewayConfiguration'] : undefined
  const xml = config !== undefined && config.trimStart().startsWith('<') ? parseAwsXml(config, `${where}: its CustomerGatewayConfiguration`) : undefined
  const routing = toRouting(c) ?? xml?.routing
  if (xml && xml.vpnConnectionId !== id) notes.push(`The connection's CustomerGatewayConfiguration names ${shown(xml.vpnConnectionId)}, not ${shown(id)}; ${shown(id)} is used.`)
  if (xml?.routing === 'bgp' && routing === 'static') notes.push('StaticRoutesOnly is true but the configuration XML carries <bgp> blocks; static routing is taken, as StaticRoutesOnly says.')
  let tunnels: ExportTunnel[]
  if (xml) {
    tunnels = xml.tunnels.map((t) => {
      const j = jsonTunnels.find((x) => x.outsideIp === t.outsideIp)
      if (!j) return t
      const insideCidr = j.insideCidr === undefined ? t.insideCidr : toInsideFromCidr(j.insideCidr, `${where}, tunnel ${t.outsideIp}`)
      if (insideCidr !== t.insideCidr) notes.push(`Tunnel ${t.outsideIp}: TunnelOptions give the inside CIDR ${insideCidr}, the XML ${t.insideCidr}; TunnelOptions (AWS's current settings) win.`)
      if (j.psk !== undefined && j.psk !== t.psk) notes.push(`Tunnel ${t.outsideIp}: the pre-shared key in TunnelOptions differs from the XML's; TunnelOptions (AWS's current settings) win.`)
      return { ...t, insideCidr, psk: j.psk === undefined ? t.psk : assertPsk(j.psk, `${where}, tunnel ${t.outsideIp}`), ...(hasOptions(j.options) ? { options: j.options } : {}) }
    })
    const stray = jsonTunnels.filter((j) => !xml.tunnels.some((t) => t.outsideIp === j.outsideIp))
    if (stray.length) notes.push(`TunnelOptions name ${stray.map((j) => j.outsideIp).join(', ')}, which the configuration XML does not; ${stray.length === 1 ? 'it is' : 'they are'} left out.`)
  } else {
    const certificate = Array.isArray(c['VgwTelemetry']) && c['VgwTelemetry'].some((t) => isObj(t) && typeof t['CertificateArn'] === 'string')
    if (certificate && !jsonTunnels.some((j) => j.psk)) fail('aws-export-certificate', `${where} authenticates its tunnels with certificates (VgwTelemetry CertificateArn), not pre-shared keys; Tunnelwright sets up pre-shared keys only.`, 'Ask the provider for a VPN connection with pre-shared keys.')
    const ipv6 = jsonTunnels.find((j) => j.insideIpv6 && j.insideCidr === undefined)
    if (ipv6) fail('aws-export-ipv6', `${where}, tunnel ${ipv6.outsideIp}: the inside CIDR is IPv6; Tunnelwright sets up IPv4 tunnels only.`, 'Ask the provider for a VPN connection with IPv4 inside addresses.')
    const complete = jsonTunnels.filter((j) => j.psk !== undefined && j.insideCidr !== undefined)
    if (complete.length !== 2 || jsonTunnels.length !== 2) {
      const placeholder = config === undefined ? 'has no CustomerGatewayConfiguration' : /^\W*configuration information\W*$/i.test(config) ? `has "${shown(config)}" as its CustomerGatewayConfiguration (a placeholder, as in AWS's documentation examples), not the XML` : 'has no XML in its CustomerGatewayConfiguration'
      const outside = toOutsideIps(c)
      const lacking = jsonTunnels.length === 0 ? 'no TunnelOptions with PreSharedKey and TunnelInsideCidr' : `TunnelOptions without ${[jsonTunnels.some((j) => !j.psk) ? 'PreSharedKey' : '', jsonTunnels.some((j) => !j.insideCidr) ? 'TunnelInsideCidr' : ''].filter(Boolean).join(' and ') || 'two tunnels'}`
      fail('aws-json-no-configuration', `${where} ${placeholder}, and ${lacking}: the export does not carry the tunnels' pre-shared keys and inside addresses${outside.length ? ` (it names the tunnels ${outside.join(', ')})` : ''}.`, PLACEHOLDER_FIX.replace('vpn-…', id))
    }
    tunnels = complete.map((j) => ({
      outsideIp: assertIpv4(j.outsideIp, `${where}: the AWS outside address`),
      psk: assertPsk(j.psk, `${where}, tunnel ${j.outsideIp}`),
      insideCidr: toInsideFromCidr(j.insideCidr!, `${where}, tunnel ${j.outsideIp}`),
      crypto: {},
      ...(hasOptions(j.options) ? { options: j.options } : {}),
    }))
    notes.push("The export has no configuration XML: the tunnels come from TunnelOptions, and the gateway's public IP (the customer gateway address) is not in it.")
  }
  const vgw = str(c, 'VpnGatewayId')
  const tgw = str(c, 'TransitGatewayId')
  const cgw = str(c, 'CustomerGatewayId')
  return {
    kind: 'json',
    shape,
    vpnConnectionId: id,
    ...(cgw ? { customerGatewayId: cgw } : xml?.customerGatewayId ? { customerGatewayId: xml.customerGatewayId } : {}),
    ...(vgw ? { vpnGatewayId: vgw } : xml?.vpnGatewayId ? { vpnGatewayId: xml.vpnGatewayId } : {}),
    ...(tgw ? { transitGatewayId: tgw } : {}),
    tunnels,
    ...(routing ? { routing } : {}),
    notes: [...(xml?.notes ?? []), ...notes],
  }
}

/** Reads a JSON export: the facts of the chosen connection (see pickConnection), with the document's notes. */
export function parseAwsJson(text: string, pick?: string): ExportFacts {
  const doc = parseAwsJsonDocument(text)
  const { connection, summary } = pickConnection(doc, pick)
  const facts = toJsonFacts(connection, summary, doc.summaries.length, doc.shape)
  const picked = doc.summaries.length > 1 ? [`Imported connection ${summary.position} of ${doc.summaries.length} in the export (${summary.vpnConnectionId}).`] : []
  return { ...facts, notes: [...doc.notes, ...picked, ...facts.notes] }
}
