// What every shape of AWS's VPN export says about a connection, before it becomes a details draft: the
// readers (aws-xml, aws-json, aws-text) each produce these facts; aws-import turns them into the draft.
import { UserError } from '../base/result'
import { parsePrefix } from '../net/cidr'
import { Ipv4, type AwsTunnelOptions } from './model'

/** Largest export accepted (AWS's files are under 30 kB; a describe-vpn-connections listing of many connections is larger). */
export const MAX_EXPORT_BYTES = 512 * 1024

/** Which reader produced the facts. */
export type AwsExportKind = 'xml' | 'text' | 'json'

/** One tunnel's crypto as the export spells it (raw strings: XML elements, Generic text values). */
export interface ExportCrypto {
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

/** One tunnel's BGP facts (any may be missing: AWS's examples write placeholders like YOUR_BGP_ASN). */
export interface ExportBgp {
  readonly awsAsn?: number
  readonly customerAsn?: number
  readonly neighborIp?: string
  readonly holdTime?: number
}

/** What an export says about one tunnel. */
export interface ExportTunnel {
  readonly outsideIp: string
  /** The customer gateway's outside address, when the export has a real one (not a placeholder). */
  readonly customerIp?: string
  readonly psk: string
  readonly insideCidr: string
  readonly crypto: ExportCrypto
  /** The DPD the export recommends on the gateway (XML and Generic text: interval 10, retries 3). */
  readonly dpd?: { readonly interval?: number; readonly retries?: number }
  /** The TCP MSS the export advises clamping to (1379 in current exports). */
  readonly tcpMss?: number
  readonly bgp?: ExportBgp
  /** What AWS's tunnel options allow (describe-vpn-connections JSON only). */
  readonly options?: AwsTunnelOptions
}

/** What an export says about one VPN connection. */
export interface ExportFacts {
  readonly kind: AwsExportKind
  /** The shape read, for notes and errors: "CustomerGatewayConfiguration XML", "Generic text", "Vyatta template" … */
  readonly shape: string
  readonly vpnConnectionId: string
  readonly customerGatewayId?: string
  readonly vpnGatewayId?: string
  readonly transitGatewayId?: string
  readonly tunnels: readonly ExportTunnel[]
  /** static or bgp when the export says; undefined when it does not. */
  readonly routing?: 'static' | 'bgp'
  readonly notes: readonly string[]
}

const DEFAULT_FIX = "Export the VPN connection's configuration again (AWS console: Download configuration → Generic, or aws ec2 describe-vpn-connections), or ask the provider for it."

/** Throws the UserError of a broken or unusable export. */
export function fail(code: string, message: string, fix = DEFAULT_FIX): never {
  throw new UserError(code, message, { fix })
}

/** Refuses an empty export or one far larger than AWS writes. */
export function assertSize(text: string, what: string): void {
  if (text.length > MAX_EXPORT_BYTES) fail('aws-export-too-large', `The ${what} is larger than ${MAX_EXPORT_BYTES / 1024} kB; AWS's exports are a few kB.`, 'Check that this is the right file.')
  if (text.trim() === '') fail('aws-export-empty', `The ${what} is empty.`)
}

/**
 * Shortens an untrusted value for an error message (only called on non-secret fields): one line, at most
 * 40 characters, control and format characters (terminal escapes, bidi overrides) written as \uXXXX.
 */
export function shown(v: string): string {
  const one = v.replace(/\s+/g, ' ')
  const cut = one.length > 40 ? `${one.slice(0, 40)}…` : one
  return cut.replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/** An inside CIDR from an address and a prefix length; throws when either is not what AWS writes. */
export function toInsideCidr(ip: string, bits: string, where: string): string {
  if (!/^\d{1,2}$/.test(bits) || Number(bits) > 32) fail('aws-export-inside', `${where}: the inside network_cidr "${shown(bits)}" is not a prefix length.`)
  const p = parsePrefix(`${ip}/${bits}`)
  if (!p || !isIpv4(ip)) fail('aws-export-inside', `${where}: the inside address "${shown(ip)}" is not an IPv4 address.`)
  return p.cidr
}

/** True for a dotted-quad IPv4 address as the details accept it. */
export function isIpv4(v: string | undefined): v is string {
  return v !== undefined && Ipv4.safeParse(v).success
}

/** The address, or a UserError naming where it was expected. */
export function assertIpv4(v: string, where: string): string {
  if (!isIpv4(v)) fail('aws-export-address', `${where} "${shown(v)}" is not an IPv4 address.`)
  return v
}

/** The pre-shared key, or a UserError naming the tunnel (never the key). */
export function assertPsk(v: string | undefined, where: string): string {
  if (v === undefined || v === '') fail('aws-export-psk', `${where}: the pre-shared key is missing.`)
  if (v.length > 256 || [...v].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f)) fail('aws-export-psk', `${where}: the pre-shared key is not a single line of at most 256 characters.`)
  return v
}

/** A key with a value, or nothing: for optional fields built by spreading. */
export function optional<K extends string>(key: K, v: string | undefined): Partial<Record<K, string>> {
  return v === undefined || v === '' ? {} : ({ [key]: v } as Record<K, string>)
}

/** A whole number within bounds from export text ("30", "28800 seconds"); undefined otherwise. */
export function toCount(v: string | undefined, min: number, max: number): number | undefined {
  const m = v === undefined ? null : /^\s*(\d{1,10})(?:\s*(?:seconds|bytes|s))?\s*$/i.exec(v)
  const n = m ? Number(m[1]) : undefined
  return n !== undefined && n >= min && n <= max ? n : undefined
}

/** An ASN from export text; undefined for placeholders (YOUR_BGP_ASN) and values out of range. */
export function toAsn(v: string | number | undefined): number | undefined {
  return toCount(v === undefined ? undefined : String(v), 1, 4294967295)
}
