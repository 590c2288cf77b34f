// Redaction of known secrets (and their encoded forms) from anything the app exports: diagnostics
// bundles, change records, activity log lines.
//
// A secret can reach an export raw, base64-encoded (file contents read back, pfSense config.xml),
// as Libreswan's `0s` base64 form, hex, URL-encoded or JSON-escaped. Base64 is matched at all three
// byte alignments, so a secret inside a larger base64 blob is cut too.
import { Secret } from './secret'

/** What replaces a secret in an export. */
export const REDACTED = '[redacted]'

/** Shortest encoded form we cut (shorter patterns would cut ordinary text; raw values are always cut). */
const MIN_ENCODED = 6

/** Base64 characters of `bytes` that do not depend on what surrounds them, for a given byte alignment. */
function base64Cores(bytes: Buffer): string[] {
  const out: string[] = []
  for (const shift of [0, 1, 2]) {
    const padded = Buffer.concat([Buffer.alloc(shift), bytes, Buffer.alloc(3)])
    const enc = padded.toString('base64')
    const startBit = shift * 8
    const endBit = (shift + bytes.length) * 8
    const first = Math.ceil(startBit / 6)
    const last = Math.floor(endBit / 6) // exclusive
    if (last - first >= MIN_ENCODED) {
      const core = enc.slice(first, last)
      out.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'))
    }
  }
  return out
}

/** Every form of one secret value that must not appear in an export, longest first. */
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
    ...base64Cores(bytes),
  ])
  return [...forms].filter((f) => f === value || f.length >= MIN_ENCODED).sort((a, b) => b.length - a.length)
}

/** A function that cuts the given secrets (in every form) and secret-looking assignments out of text. */
export function toRedactor(secrets: readonly (Secret | string)[]): (text: string) => string {
  const values = secrets.map((s) => (s instanceof Secret ? s.reveal() : s)).filter((v) => v.length > 0)
  const forms = [...new Set(values.flatMap(toSecretForms))].sort((a, b) => b.length - a.length)
  return (text) => {
    let out = text
    for (const f of forms) if (out.includes(f)) out = out.split(f).join(REDACTED)
    return redactPatterns(out)
  }
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
