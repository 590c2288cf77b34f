// Redaction of known secrets (and their encoded forms) from anything the app exports: diagnostics
// bundles, change records, activity log lines.
//
// How a secret is found. A secret reaches an export raw or encoded by whatever printed it, and often
// by several layers at once. Instead of a list of exact encoded strings (which missed base64 wrapped at
// 76 columns, hex with separators, %xx for every byte, XML character references, \uXXXX escapes and
// NFD text), each secret becomes a few patterns that match every spelling:
//  - text: for each character (of the NFC, NFD, NFKC and NFKD forms), any of: the character itself;
//    %XX of each of its UTF-8 bytes (either case; `+` for a space); \uXXXX or \u{X} (either case) and
//    \xHH; &#DDD; or &#xHH; (any zero padding, either case) and the named XML entities; JSON escapes.
//    Encodings may change from one character to the next, as they do in real output.
//  - base64 and base64url of each form's UTF-8 bytes, at all three byte alignments (a secret inside a
//    larger blob) and with line breaks or spaces anywhere (MIME and PEM wrap at 64 or 76 columns).
//  - hex of those bytes in either case, each byte optionally prefixed (0x, \x, %) and the bytes
//    optionally separated (`:`, `-`, `.`, `,`, `_`, spaces, line breaks).
// All matches of all secrets are collected on the original text and overlapping or touching ones are
// merged before anything is replaced, so two secrets that overlap in the text leave no tail.
//
// Short secrets. A secret shorter than MIN_SECRET_LENGTH (a 1-character SSH password) is NOT cut by
// value in free text: cutting every "a" shreds the bundle into something nobody can read, and the holes
// themselves spell the secret (every place an "a" was is now [redacted]). A value that short cannot be
// hidden in text by search; it is cut where context marks it as a secret instead: an assignment
// (`password: a`, `PSK "a"`, see redactPatterns) and a string that is exactly the secret (a JSON field
// holding it, as redactDeep passes each string). toRedactor reports how many secrets it treated this way
// (`shortSecrets`), so an export can say so.
import { Secret } from './secret'

/** What replaces a secret in an export. */
export const REDACTED = '[redacted]'

/** Shortest secret cut by value wherever it appears (see the header for why shorter ones are not). */
export const MIN_SECRET_LENGTH = 6

/** Shortest encoded run cut (a base64 core of a few characters would cut ordinary text). */
const MIN_ENCODED = 6

/** A redactor: cuts secrets from text; `shortSecrets` counts secrets too short to cut by value. */
export interface Redactor {
  (text: string): string
  readonly shortSecrets: number
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
}

/** Longest secret matched in every spelling; longer ones (not realistic for a PSK or password) match their common forms exactly. */
const MAX_PATTERN_SECRET = 256

/** A pattern for one hex digit in either case. */
function hexDigit(d: string): string {
  return /[a-f]/i.test(d) ? `[${d.toLowerCase()}${d.toUpperCase()}]` : d
}

/** A pattern for a number in hex, either case, with any zero padding. */
function hexNumber(n: number, minDigits = 1): string {
  return `0*${[...n.toString(16).padStart(minDigits, '0').replace(/^0+(?=.)/, '')].map(hexDigit).join('')}`
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = { '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos', '\u00a0': 'nbsp' }
const JSON_ESCAPES: Readonly<Record<string, string>> = { '"': '\\\\"', '\\': '\\\\\\\\', '\n': '\\\\n', '\r': '\\\\r', '\t': '\\\\t', '\b': '\\\\b', '\f': '\\\\f', '/': '\\\\/', "'": "\\\\'" }

/** Every spelling of one character (see the header), as a regex alternation (common prefixes factored: it compiles faster). */
function charPattern(ch: string): string {
  const cp = ch.codePointAt(0)!
  const hex = (n: number, width: number) => [...n.toString(16).padStart(width, '0')].map(hexDigit).join('')
  const alts = new Set<string>([escapeRe(ch)])
  alts.add([...Buffer.from(ch, 'utf8')].map((b) => `%${hex(b, 2)}`).join(''))
  if (ch === ' ') alts.add('\\+')
  // \uXXXX (a surrogate pair for astral characters), \u{X}, \xHH.
  const backslash = [`\\{${hexNumber(cp)}\\}`]
  if (ch.length === 1) backslash.unshift(hex(cp, 4))
  alts.add(`\\\\(?:[uU](?:${backslash.join('|')})${cp < 0x100 ? `|[xX]${hex(cp, 2)}` : ''})`)
  if (ch.length === 2) alts.add(`\\\\[uU]${hex(ch.charCodeAt(0), 4)}\\\\[uU]${hex(ch.charCodeAt(1), 4)}`)
  alts.add(`&#(?:0*${cp}|[xX]${hexNumber(cp)});`)
  const named = NAMED_ENTITIES[ch]
  if (named) alts.add(`&${named};`)
  const json = JSON_ESCAPES[ch]
  if (json) alts.add(json)
  return `(?:${[...alts].join('|')})`
}

/** Base64 characters of `bytes` that do not depend on what surrounds them, for each byte alignment. */
function base64Cores(bytes: Buffer): string[] {
  const out: string[] = []
  for (const shift of [0, 1, 2]) {
    const padded = Buffer.concat([Buffer.alloc(shift), bytes, Buffer.alloc(3)])
    const enc = padded.toString('base64')
    const first = Math.ceil((shift * 8) / 6)
    const last = Math.floor(((shift + bytes.length) * 8) / 6) // exclusive
    if (last - first >= MIN_ENCODED) out.push(enc.slice(first, last))
  }
  return out
}

/** A run of base64 characters that may be broken by line breaks or spaces anywhere (wrapped output). */
function wrappedPattern(run: string): string {
  return [...run].map(escapeRe).join('[\\r\\n\\t ]*')
}

/** The normalization forms of a value (NFC, NFD, NFKC, NFKD), without repeats. */
function toForms(value: string): string[] {
  return [...new Set([value, value.normalize('NFC'), value.normalize('NFD'), value.normalize('NFKC'), value.normalize('NFKD')])]
}

/** Regexes (global) that together match every spelling of one secret (see the header). */
export function toSecretPatterns(value: string): RegExp[] {
  if (value.length > MAX_PATTERN_SECRET) return toSecretForms(value).map((f) => new RegExp(escapeRe(f), 'g'))
  const exact = new Set<string>()
  const caseless = new Set<string>()
  for (const form of toForms(value)) {
    exact.add(Array.from(form, charPattern).join(''))
    const bytes = Buffer.from(form, 'utf8')
    for (const core of base64Cores(bytes)) {
      exact.add(wrappedPattern(core))
      exact.add(wrappedPattern(core.replace(/\+/g, '-').replace(/\//g, '_')))
    }
    // Hex in either case: a case-insensitive regex (per-digit classes make the regex slow to compile).
    if (bytes.length * 2 >= MIN_ENCODED) caseless.add((bytes.toString('hex').match(/../g) ?? []).map((pair) => `(?:0x|\\\\x|%)?${pair}`).join('[\\s:.,;_-]*'))
  }
  return [...[...exact].map((src) => new RegExp(src, 'g')), ...[...caseless].map((src) => new RegExp(src, 'gi'))]
}

/**
 * The exact strings a secret is most often written as (raw, JSON-escaped, URL, base64, hex, `0s`…),
 * for tests and callers that look for a leak; toRedactor matches far more spellings than these.
 */
export function toSecretForms(value: string): string[] {
  if (value.length === 0) return []
  const bytes = Buffer.from(value, 'utf8')
  const b64 = bytes.toString('base64')
  const forms = new Set<string>([
    value,
    JSON.stringify(value).slice(1, -1),
    encodeURIComponent(value),
    encodeURIComponent(value).replace(/%20/g, '+'),
    b64,
    b64.replace(/=+$/, ''),
    `0s${b64}`,
    bytes.toString('base64url'),
    bytes.toString('hex'),
    bytes.toString('hex').toUpperCase(),
    `0x${bytes.toString('hex')}`,
  ])
  return [...forms].filter((f) => f === value || f.length >= MIN_ENCODED).sort((a, b) => b.length - a.length)
}

/** Merged [start, end) spans of every match of every pattern in text. */
function toSpans(text: string, patterns: readonly RegExp[]): [number, number][] {
  const spans: [number, number][] = []
  for (const re of patterns) {
    re.lastIndex = 0
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      if (m[0].length === 0) {
        re.lastIndex++
        continue
      }
      spans.push([m.index, m.index + m[0].length])
    }
  }
  spans.sort((a, b) => a[0] - b[0] || b[1] - a[1])
  const merged: [number, number][] = []
  for (const s of spans) {
    const last = merged[merged.length - 1]
    if (last !== undefined && s[0] <= last[1]) last[1] = Math.max(last[1], s[1])
    else merged.push([s[0], s[1]])
  }
  return merged
}

/** A function that cuts the given secrets (in every spelling) and secret-looking assignments out of text. */
export function toRedactor(secrets: readonly (Secret | string)[]): Redactor {
  const values = [...new Set(secrets.map((s) => (s instanceof Secret ? s.reveal() : s)).filter((v) => v.length > 0))]
  const long = values.filter((v) => v.length >= MIN_SECRET_LENGTH)
  const short = new Set(values.filter((v) => v.length < MIN_SECRET_LENGTH).flatMap(toForms))
  const patterns = long.flatMap(toSecretPatterns)
  const redact = (text: string): string => {
    // A string that is exactly a secret (a field holding it) is cut whatever its length.
    if (short.has(text) || short.has(text.trim())) return REDACTED
    let out = ''
    let at = 0
    for (const [start, end] of toSpans(text, patterns)) {
      out += text.slice(at, start) + REDACTED
      at = end
    }
    return redactPatterns(out + text.slice(at))
  }
  return Object.assign(redact, { shortSecrets: values.length - long.length })
}

/** Cuts values of secret-looking assignments (`: PSK "…"`, `secret = …`, `password: …`) whatever they are. */
export function redactPatterns(text: string): string {
  return text
    .replace(/(\bPSK\s+)("(?:[^"\\\n]|\\.)*"|'[^'\n]*'|0s[A-Za-z0-9+/=]+|0x[0-9A-Fa-f]+|\S+)/g, `$1"${REDACTED}"`)
    .replace(/(\b(?:secret|psk|password|passphrase|pre_shared_key|pre-shared-key)\b["']?\s*[=:]\s*)("(?:[^"\\\n]|\\.)*"|'[^'\n]*'|[^\s,;}<]+)/gi, (m, k: string, v: string) =>
      v === REDACTED || v === `"${REDACTED}"` ? m : `${k}${REDACTED}`,
    )
    .replace(/(<(?:pre-shared-key|presharedkey|psk)>)([^<]*)(<\/)/gi, `$1${REDACTED}$3`)
}

/** A deep copy of a JSON-like value with every string (and key) redacted; Secret instances become REDACTED. */
export function redactDeep<T>(value: T, redact: (text: string) => string): T {
  const walk = (v: unknown): unknown => {
    if (v instanceof Secret) return REDACTED
    if (typeof v === 'string') return redact(v)
    if (Array.isArray(v)) return v.map(walk)
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {}
      for (const [k, x] of Object.entries(v)) out[redact(k)] = walk(x)
      return out
    }
    return v
  }
  return walk(value) as T
}

/** Masks a public IPv4 address for screen sharing/exports (keeps the first octet: 198.x.x.x). */
export function maskIp(ip: string): string {
  const m = /^(\d{1,3})\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.exec(ip)
  return m ? `${m[1]}.x.x.x` : ip
}
