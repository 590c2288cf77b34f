// Per-format escapers: every value that reaches a template goes through exactly one of these
// (templates/<kind>/manifest.json names which). Values that cannot be escaped for a format
// (a name with a space where only a token fits) are rejected, never silently rewritten.
import { Secret } from '../base/secret'

/** The escaper names a manifest may use. */
export type EscapeKind = 'token' | 'proposal' | 'path' | 'ipv4' | 'cidr4' | 'cidr4-list' | 'int' | 'comment' | 'marker' | 'psk-0s' | 'shell' | 'php' | 'php-b64' | 'fragment'

/** A value handed to a template: plain text, a number, a list of prefixes, a secret, or a pre-rendered fragment. */
export type TemplateValue = string | number | readonly string[] | Secret | { readonly fragment: string }

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/
const TOKEN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/

/** Thrown when a value cannot go into its format: a programmer error (validation should have stopped it). */
export class EscapeError extends Error {
  override name = 'EscapeError'
}

function text(v: TemplateValue, what: string): string {
  if (typeof v === 'string') return v
  if (typeof v === 'number') return String(v)
  throw new EscapeError(`${what}: expected a string`)
}

/** A bare token (connection name, interface, keyword value): letters, digits, `_.-`; anything else is refused. */
export function escapeToken(v: string): string {
  if (!TOKEN.test(v)) throw new EscapeError(`not a safe token: ${JSON.stringify(v)}`)
  return v
}

/** An algorithm proposal string (strongSwan `aes256-sha256-modp2048`, Libreswan `aes256-sha2_256;modp2048`). */
export function escapeProposal(v: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_;,+-]{0,200}$/.test(v)) throw new EscapeError(`not a proposal string: ${JSON.stringify(v)}`)
  return v
}

/** An absolute path of safe characters (letters, digits, `_.-/`), no `..` segment. */
export function escapePath(v: string): string {
  if (!/^(\/[A-Za-z0-9_.-]+)+$/.test(v) || v.split('/').includes('..')) throw new EscapeError(`not a safe absolute path: ${JSON.stringify(v)}`)
  return v
}

/** A dotted-quad IPv4 address, checked. */
export function escapeIpv4(v: string): string {
  if (!IPV4.test(v)) throw new EscapeError(`not an IPv4 address: ${JSON.stringify(v)}`)
  return v
}

/** An IPv4 prefix a.b.c.d/n, checked. */
export function escapeCidr4(v: string): string {
  const [ip, bits, ...rest] = v.split('/')
  if (rest.length > 0 || ip === undefined || bits === undefined || !/^(3[0-2]|[12]?\d)$/.test(bits)) throw new EscapeError(`not an IPv4 prefix: ${JSON.stringify(v)}`)
  return `${escapeIpv4(ip)}/${bits}`
}

/** A non-negative integer. */
export function escapeInt(v: string | number): string {
  const s = String(v)
  if (!/^(0|[1-9]\d{0,9})$/.test(s)) throw new EscapeError(`not a non-negative integer: ${JSON.stringify(s)}`)
  return s
}

/**
 * Free text inside a `#` comment of a line-based format: printable ASCII only, everything else
 * (newlines, control characters, non-ASCII) as \uXXXX, so nothing can end the comment line; also
 * a star followed by a slash and `?>`, which would end a PHP block comment or PHP mode.
 */
export function escapeComment(v: string): string {
  return Array.from(v.slice(0, 200), (ch) => {
    const c = ch.codePointAt(0) ?? 0
    if (c >= 0x20 && c < 0x7f && ch !== '\\') return ch
    if (ch === '\\') return '\\\\'
    return c > 0xffff ? `\\u{${c.toString(16)}}` : `\\u${c.toString(16).padStart(4, '0')}`
  })
    .join('')
    .replace(/\*\//g, '*\\u002f')
    .replace(/\?>/g, '?\\u003e')
}

/**
 * A name marker line (details/slug.ts toNameMarkerLine): checked, never rewritten or cut. Its alphabet has
 * no #, quotes, backslash, brackets, `*` or `/`, `?` or `>`, so it is inert in a # comment, a PHP block
 * comment and a pfSense description.
 */
export function escapeMarker(v: string): string {
  if (!/^tunnelwright-set: [a-z][a-z0-9-]{0,23} [A-Za-z0-9,_.:()@+% -]{1,1200}$/.test(v)) throw new EscapeError(`not a name marker: ${JSON.stringify(v.slice(0, 80))}`)
  return v
}

/** A PSK as `0s<base64>` of its UTF-8 bytes: the one form strongSwan, Libreswan and Openswan all read without quoting traps. */
export function escapePsk0s(v: Secret): string {
  return `0s${Buffer.from(v.reveal(), 'utf8').toString('base64')}`
}

/** A POSIX shell word in single quotes (a `'` becomes `'\''`). */
export function escapeShell(v: string): string {
  return `'${v.replace(/'/g, `'\\''`)}'`
}

/**
 * A PHP single-quoted string literal. Inside single quotes PHP knows only `\\` and `\'`; `$`, newlines
 * and everything else are literal, so nothing can start an expression or end the string.
 */
export function escapePhp(v: string): string {
  return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
}

/** A PHP expression decoding a base64 literal: the secret's bytes never appear in the script as text. */
export function escapePhpB64(v: Secret | string): string {
  const raw = v instanceof Secret ? v.reveal() : v
  return `base64_decode('${Buffer.from(raw, 'utf8').toString('base64')}')`
}

/** Applies the named escaper to a template value. */
export function escapeAs(kind: EscapeKind, v: TemplateValue, what: string): string {
  switch (kind) {
    case 'token':
      return escapeToken(text(v, what))
    case 'proposal':
      return escapeProposal(text(v, what))
    case 'path':
      return escapePath(text(v, what))
    case 'ipv4':
      return escapeIpv4(text(v, what))
    case 'cidr4':
      return escapeCidr4(text(v, what))
    case 'cidr4-list':
      if (!Array.isArray(v) || v.length === 0) throw new EscapeError(`${what}: expected a non-empty list of prefixes`)
      return (v as readonly string[]).map(escapeCidr4).join(',')
    case 'int':
      return escapeInt(text(v, what))
    case 'comment':
      return escapeComment(text(v, what))
    case 'marker':
      return escapeMarker(text(v, what))
    case 'psk-0s':
      if (!(v instanceof Secret)) throw new EscapeError(`${what}: a PSK must be a Secret`)
      return escapePsk0s(v)
    case 'shell':
      return escapeShell(text(v, what))
    case 'php':
      return escapePhp(text(v, what))
    case 'php-b64':
      if (v instanceof Secret) return escapePhpB64(v)
      return escapePhpB64(text(v, what))
    case 'fragment':
      if (typeof v === 'object' && v !== null && 'fragment' in v) return v.fragment
      throw new EscapeError(`${what}: expected a rendered fragment`)
  }
}
