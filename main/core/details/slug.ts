// Names on the gateway: the slug (connection, file and interface names derived from the details' free-text
// name) and the name marker every rendered file and pfSense description carries.
//
// The slug used to be the name lower-cased, non-alphanumerics as '-', cut to 24 characters: two names
// that differ after the cut ("Department of Agriculture East" / "…West") or only in letters it dropped
// (Chinese, emoji: both "tw") got the same files, connection names and pfSense marker, and one
// silently overwrote the other. Now a name that fits unchanged keeps today's slug (gateways in the field
// carry those), and any name that was cut, transliterated or emptied gets a readable prefix plus a short
// hash of the full name. Names that still meet on one slug (printable-ASCII names that differ only in
// case or punctuation: "Agency A" / "agency-a") are told apart by the marker, which keeps the full name.
import { createHash } from 'node:crypto'

/** Longest slug: connection names are `<slug>-t<N>`, files `tunnelwright-<slug>.conf`. */
export const SLUG_MAX = 24
/** Base32 characters of the name hash: 35 bits, so two names on one gateway do not meet by chance. */
const HASH_LENGTH = 7
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567'

/** A short hash of the full name (NFC), in lower-case base32. */
export function toNameHash(name: string): string {
  const digest = createHash('sha256').update(name.normalize('NFC'), 'utf8').digest()
  let out = ''
  let acc = 0
  let bits = 0
  for (const byte of digest) {
    acc = ((acc << 8) | byte) & 0xffff
    bits += 8
    while (bits >= 5 && out.length < HASH_LENGTH) {
      out += BASE32[(acc >>> (bits - 5)) & 31]
      bits -= 5
    }
    if (out.length >= HASH_LENGTH) break
  }
  return out
}

/**
 * Turns a free-text name into a connection/file/interface name: [a-z0-9-], starts with a letter, at most
 * SLUG_MAX characters, different for different names (see the header for the one exception the marker
 * covers). A printable-ASCII name whose slug fits keeps exactly the slug earlier versions gave it.
 */
export function toSlug(name: string): string {
  const base = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
  const lettered = /^[a-z]/.test(base) ? base : `tw-${base}`
  const plainAscii = /^[\x20-\x7e]*$/.test(name)
  if (plainAscii && base !== '' && lettered.length <= SLUG_MAX) return lettered
  const prefix = lettered.slice(0, SLUG_MAX - 1 - HASH_LENGTH).replace(/-+$/, '')
  return `${prefix === '' ? 'tw' : prefix}-${toNameHash(name)}`
}

/** Characters a marker keeps as they are; everything else is %XX of its UTF-8 bytes. */
const MARKER_PLAIN = /^[A-Za-z0-9,_.:()@+-]$/

/**
 * The full name as the marker writes it: letters, digits and `,_.:()@+-` as they are, inner spaces as
 * spaces, everything else %XX (UTF-8). Lossless, one line, and inert in every format the renderers write
 * (no #, quotes, backslash, brackets, `*` + `/`, `?` + `>`, &, <).
 */
export function toNameMarkerValue(name: string): string {
  const chars = Array.from(name.normalize('NFC'))
  return chars
    .map((ch, i) => (MARKER_PLAIN.test(ch) || (ch === ' ' && i > 0 && i < chars.length - 1) ? ch : [...Buffer.from(ch, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('')))
    .join('')
}

/** The name a marker value spells (undefined when it is not a marker value this version writes). */
export function fromNameMarkerValue(value: string): string | undefined {
  if (!/^[A-Za-z0-9,_.:()@+% -]*$/.test(value)) return undefined
  try {
    return decodeURIComponent(value)
  } catch {
    return undefined
  }
}

/** The marker line of a rendered file (after the format's comment sign): `tunnelwright-set: <slug> <name>`. */
export function toNameMarkerLine(slug: string, name: string): string {
  return `tunnelwright-set: ${slug} ${toNameMarkerValue(name)}`
}

/** A marker found on a gateway: which slug it claims and for which full name. */
export interface NameMarker {
  readonly slug: string
  /** The full name decoded from the marker (NFC). Comes from the gateway: show it quoted, never raw. */
  readonly name: string
}

/**
 * Finds the markers in text from a gateway: `tunnelwright-set: <slug> <name>` lines of rendered files and
 * `[tunnelwright:<slug>:tN] <name>` pfSense descriptions (config.xml or a listing). One entry per slug and
 * name. Pure; text that is not a marker is ignored.
 */
export function parseNameMarkers(text: string): NameMarker[] {
  const found = new Map<string, NameMarker>()
  const add = (slug: string, raw: string) => {
    const name = fromNameMarkerValue(raw.trim())
    if (name !== undefined && name !== '') found.set(`${slug}\0${name}`, { slug, name })
  }
  for (const m of text.matchAll(/tunnelwright-set: ([a-z][a-z0-9-]{0,23}) ([^\r\n]*)/g)) add(m[1]!, m[2]!)
  for (const m of text.matchAll(/\[tunnelwright:([a-z][a-z0-9-]{0,23}):t[12]\] ([^\]<&\r\n]*)/g)) add(m[1]!, m[2]!)
  return [...found.values()]
}
