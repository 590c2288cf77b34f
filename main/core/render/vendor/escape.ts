// Escapers for the vendor CLIs (Cisco, PAN-OS, FortiOS, Junos, PowerShell): every value that reaches a
// vendor template goes through one of these (templates/<kind>/manifest.json names which). As in
// ../escape.ts a value a format cannot hold is refused, never rewritten, so nothing can end a word, a
// quoted string or a line early. PSKs arrive as Secrets and are only ever revealed here.
import { parsePrefix } from '../../net/cidr'
import { Secret } from '../../base/secret'
import { escapeComment, EscapeError } from '../escape'

/** The escaper names the vendor manifests may use. */
export const VENDOR_ESCAPES = ['vendor-name', 'vendor-word', 'ipv4-mask', 'ipv4-wildcard', 'cisco-psk', 'cisco-comment', 'panos-string', 'fortios-string', 'fortios-comment', 'junos-string', 'ps-string', 'ps-comment'] as const
/** One vendor escaper name. */
export type VendorEscapeKind = (typeof VENDOR_ESCAPES)[number]

/** True when a manifest names a vendor escaper. */
export function isVendorEscape(kind: string): kind is VendorEscapeKind {
  return (VENDOR_ESCAPES as readonly string[]).includes(kind)
}

function reveal(v: unknown, what: string): string {
  if (v instanceof Secret) return v.reveal()
  if (typeof v === 'string') return v
  if (typeof v === 'number') return String(v)
  throw new EscapeError(`${what}: expected a string`)
}

/**
 * An object name we make (tunnel, proposal, profile, policy): letters, digits, `_` and `-`, starting with a
 * letter, at most 31 characters, which every one of these CLIs takes unquoted (PAN-OS names: 31 characters;
 * FortiOS interface names need ≤ 15, which the FortiGate renderer ensures itself).
 */
export function escapeVendorName(v: string): string {
  if (!/^[A-Za-z][A-Za-z0-9_-]{0,30}$/.test(v)) throw new EscapeError(`not a safe vendor object name: ${JSON.stringify(v)}`)
  return v
}

/** An interface, zone or nameif the operator names (`outside`, `ethernet1/1`, `ge-0/0/0.0`, `GigabitEthernet0/0/0`): no spaces, quotes or `?`. */
export function escapeVendorWord(v: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._/:-]{0,62}$/.test(v)) throw new EscapeError(`not a safe interface or zone name: ${JSON.stringify(v)}`)
  return v
}

function toMaskParts(cidr: string): { address: string; mask: string; wildcard: string } {
  const p = parsePrefix(cidr)
  if (!p || p.cidr !== cidr) throw new EscapeError(`not an IPv4 network prefix: ${JSON.stringify(cidr)}`)
  const bits = p.bits
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0
  const dotted = (n: number) => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.')
  return { address: cidr.split('/')[0]!, mask: dotted(mask), wildcard: dotted(~mask >>> 0) }
}

/** A prefix as `address netmask` (Cisco ACLs and routes, FortiOS subnets): 10.0.0.0/16 → `10.0.0.0 255.255.0.0`. */
export function escapeIpv4Mask(cidr: string): string {
  const m = toMaskParts(cidr)
  return `${m.address} ${m.mask}`
}

/** A prefix as `address wildcard` (Cisco IOS ACLs): 10.0.0.0/16 → `10.0.0.0 0.0.255.255`. */
export function escapeIpv4Wildcard(cidr: string): string {
  const m = toMaskParts(cidr)
  return `${m.address} ${m.wildcard}`
}

/**
 * A Cisco ASA/IOS pre-shared key: one unquoted word. The Cisco CLI has no quoting for keys (the key is the
 * next word; ASA: "1 to 128 characters"), `?` anywhere on a pasted line opens context help and whitespace
 * ends the key, so only letters, digits and `._-` are written: AWS keys are `[A-Za-z0-9._]` (VPNTunnels.md).
 * Sources: Cisco ASA command reference, `ikev1 pre-shared-key`; Cisco IOS Security Command Reference,
 * `pre-shared-key (crypto keyring)`.
 */
export function escapeCiscoPsk(v: Secret): string {
  const s = v.reveal()
  if (!/^[A-Za-z0-9._-]{1,128}$/.test(s)) throw new EscapeError('a Cisco pre-shared key must be 1–128 letters, digits, ".", "_" or "-" (the CLI cannot quote it)')
  return s
}

/** Free text in a Cisco `!` comment: the `#`-comment escaper, and `?` too (it opens help in a pasted line). */
export function escapeCiscoComment(v: string): string {
  return escapeComment(v).replace(/\?/g, '\\u003f')
}

/**
 * A PAN-OS CLI string, always in double quotes. PAN-OS reads `"…"` as one value; it has no escape inside
 * quotes, and `?` opens completion help in the CLI, so `"`, `\`, `?` and anything outside printable ASCII
 * are refused (at most 255 characters, the PAN-OS limit of a pre-shared key). Source: PAN-OS CLI Quick
 * Start, "Use the CLI" (quotes around values with spaces) and the IKE gateway reference (key length).
 */
export function escapePanosString(v: string | Secret): string {
  const s = reveal(v, 'PAN-OS string')
  if (!/^[ !#-[\]-~]{1,255}$/.test(s) || s.includes('?')) throw new EscapeError('a PAN-OS value must be 1–255 printable ASCII characters without ", \\ or ?')
  return `"${s}"`
}

/**
 * A FortiOS CLI string, always in double quotes. FortiOS: "The single quotation mark ' and the double
 * quotation mark \" are supported, but must be used in pairs"; `\` escapes spaces and continues lines; `?`
 * opens help (docs.fortinet.com CLI reference, "CLI command syntax" and "Tips and tricks"). So `"`, `'`,
 * `\`, `?` and anything outside printable ASCII are refused; at most 128 characters (psksecret's limit
 * is 6–128).
 */
export function escapeFortiosString(v: string | Secret): string {
  const s = reveal(v, 'FortiOS string')
  if (!/^[ !#-&(-[\]-~]{1,128}$/.test(s) || s.includes('?')) throw new EscapeError('a FortiOS value must be 1–128 printable ASCII characters without quotes, \\ or ?')
  return `"${s}"`
}

/** Free text in a FortiOS `#` comment line: the comment escaper, and `?` too. */
export function escapeFortiosComment(v: string): string {
  return escapeComment(v).replace(/\?/g, '\\u003f')
}

/**
 * A Junos string in double quotes: Junos reads `\"` and `\\` inside a quoted string (Junos CLI User
 * Guide, "Additional Details About Specifying Statements and Identifiers": quote strings with spaces or
 * special characters; backslash escapes a quote). `?` opens completion help even inside quotes on an
 * interactive `load set terminal`, so it is refused with everything outside printable ASCII.
 */
export function escapeJunosString(v: string | Secret): string {
  const s = reveal(v, 'Junos string')
  if (!/^[ -~]{1,255}$/.test(s) || s.includes('?')) throw new EscapeError('a Junos value must be 1–255 printable ASCII characters without ?')
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`
}

/**
 * A PowerShell single-quoted string: nothing expands inside; a quote is written twice. PowerShell also
 * treats the typographic single quotes U+2018–U+201B as quote marks (about_Quoting_Rules, "PowerShell treats
 * smart quotation marks … as normal quotation marks"), so they are doubled too. Control characters (a
 * newline would end a command in a pasted script) are refused.
 */
export function escapePsString(v: string | Secret): string {
  const s = reveal(v, 'PowerShell string')
  if (s.length === 0 || s.length > 1024 || [...s].some((ch) => isControl(ch))) throw new EscapeError('a PowerShell value must be 1–1024 characters without control characters')
  return `'${s.replace(/['\u2018\u2019\u201a\u201b]/g, (q) => q + q)}'`
}

/** C0 and C1 control characters and the Unicode line/paragraph separators. */
function isControl(ch: string): boolean {
  const c = ch.codePointAt(0) ?? 0
  return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029
}

/** Free text in a PowerShell `#` comment: the comment escaper (printable ASCII, so no `#>` block end matters on a line comment). */
export function escapePsComment(v: string): string {
  return escapeComment(v)
}

/** Applies a vendor escaper. */
export function escapeVendor(kind: VendorEscapeKind, v: unknown, what: string): string {
  switch (kind) {
    case 'vendor-name':
      return escapeVendorName(reveal(v, what))
    case 'vendor-word':
      return escapeVendorWord(reveal(v, what))
    case 'ipv4-mask':
      return escapeIpv4Mask(reveal(v, what))
    case 'ipv4-wildcard':
      return escapeIpv4Wildcard(reveal(v, what))
    case 'cisco-psk':
      if (!(v instanceof Secret)) throw new EscapeError(`${what}: a PSK must be a Secret`)
      return escapeCiscoPsk(v)
    case 'cisco-comment':
      return escapeCiscoComment(reveal(v, what))
    case 'panos-string':
      return escapePanosString(v instanceof Secret ? v : reveal(v, what))
    case 'fortios-string':
      return escapeFortiosString(v instanceof Secret ? v : reveal(v, what))
    case 'fortios-comment':
      return escapeFortiosComment(reveal(v, what))
    case 'junos-string':
      return escapeJunosString(v instanceof Secret ? v : reveal(v, what))
    case 'ps-string':
      return escapePsString(v instanceof Secret ? v : reveal(v, what))
    case 'ps-comment':
      return escapePsComment(reveal(v, what))
  }
}
