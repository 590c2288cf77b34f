// Reading a details file: only a regular file of bounded size (base/bounded-read), strict UTF-8 (a bad
// byte is named by its offset), JSON syntax errors with line and column, duplicate keys refused with
// their location, schema errors with JSON pointers, and a warning when a file holding an inline PSK is
// readable by others. Errors never quote the file.
import { dirname, isAbsolute, resolve } from 'node:path'
import { type z } from 'zod'
import { readBoundedFileSync, toShownPath, toUtf8Text } from '../base/bounded-read'
import { UserError } from '../base/result'
import { toPointer, type Finding } from './lint'
import { Details, DETAILS_FORMAT } from './model'
import { isReadableByOthers, readPskFile, type SecretSources } from './resolve'

/** Largest details file accepted (a real one is a few kB). */
export const MAX_DETAILS_BYTES = 1024 * 1024

/** One schema problem: where (JSON pointer) and what. */
export interface SchemaIssue {
  readonly path: string
  readonly message: string
}

/** The details parsed as JSON but do not match tunnelwright/details@1. */
export class DetailsSchemaError extends UserError {
  readonly issues: readonly SchemaIssue[]

  constructor(source: string, issues: readonly SchemaIssue[]) {
    const shown = issues.slice(0, 20).map((i) => `  ${i.path || '(top level)'}: ${i.message}`)
    const more = issues.length > shown.length ? [`  … and ${issues.length - shown.length} more`] : []
    super('details-schema', `${source} does not match ${DETAILS_FORMAT}:\n${[...shown, ...more].join('\n')}`, { fix: 'Correct the fields listed; the JSON Schema is templates/details.schema.json (editors can validate against it).' })
    this.issues = issues
  }
}

/** Where the first JSON syntax error is: 1-based line and column, and what was expected. */
export interface JsonSyntaxError {
  readonly offset: number
  readonly line: number
  readonly column: number
  readonly what: string
}

class Stop {
  constructor(
    readonly offset: number,
    readonly what: string,
  ) {}
}

/**
 * Finds the first JSON syntax error in `text` (undefined when it is valid JSON).
 *
 * Node's own JSON.parse message quotes the source around the error, which may be a PSK, and
 * Node 20 gives no position for many errors; this scanner gives a position and quotes nothing.
 */
export function locateJsonError(text: string): JsonSyntaxError | undefined {
  const s = text
  let i = 0
  const ws = (): void => {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t' || s[i] === '\n' || s[i] === '\r')) i++
  }
  const end = (what: string): never => {
    throw new Stop(i, i >= s.length ? 'unexpected end of file (a missing closing bracket or quote?)' : what)
  }
  const str = (): void => {
    i++
    for (;;) {
      const c = s.charCodeAt(i)
      if (i >= s.length) throw new Stop(i, 'unterminated string (a missing closing quote?)')
      if (c === 0x22) {
        i++
        return
      }
      if (c < 0x20) throw new Stop(i, 'a control character (such as a raw line break) inside a string; write it as an escape like \\n')
      if (c === 0x5c) {
        const e = s[i + 1]
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(s.slice(i + 2, i + 6))) throw new Stop(i, 'invalid \\u escape in a string (needs four hex digits)')
          i += 6
          continue
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) throw new Stop(i, 'invalid escape in a string (a single backslash must be written \\\\)')
        i += 2
        continue
      }
      i++
    }
  }
  const value = (depth: number): void => {
    if (depth > 512) throw new Stop(i, 'nesting deeper than 512 levels')
    ws()
    const c = s[i]
    if (c === '{') {
      i++
      ws()
      if (s[i] === '}') {
        i++
        return
      }
      for (;;) {
        ws()
        if (s[i] !== '"') end(s[i] === '}' ? 'a trailing comma before }' : 'expected a property name in double quotes')
        str()
        ws()
        if (s[i] !== ':') end("expected ':' after the property name")
        i++
        value(depth + 1)
        ws()
        if (s[i] === ',') {
          i++
          continue
        }
        if (s[i] === '}') {
          i++
          return
        }
        end("expected ',' or '}' after a property value (a missing comma?)")
      }
    }
    if (c === '[') {
      i++
      ws()
      if (s[i] === ']') {
        i++
        return
      }
      for (;;) {
        ws()
        if (s[i] === ']') end('a trailing comma before ]')
        value(depth + 1)
        ws()
        if (s[i] === ',') {
          i++
          continue
        }
        if (s[i] === ']') {
          i++
          return
        }
        end("expected ',' or ']' after an array element (a missing comma?)")
      }
    }
    if (c === '"') return str()
    const num = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y
    num.lastIndex = i
    if (c !== undefined && /[-0-9]/.test(c)) {
      if (!num.test(s)) end('invalid number')
      i = num.lastIndex
      return
    }
    for (const lit of ['true', 'false', 'null']) {
      if (s.startsWith(lit, i)) {
        i += lit.length
        return
      }
    }
    end(c === "'" ? 'strings need double quotes, not single quotes' : 'unexpected character (strings need double quotes; comments are not allowed in JSON)')
  }
  try {
    value(0)
    ws()
    if (i < s.length) throw new Stop(i, 'unexpected text after the end of the JSON document')
    return undefined
  } catch (err) {
    if (!(err instanceof Stop)) throw err
    const before = s.slice(0, err.offset)
    const line = before.split('\n').length
    const column = err.offset - before.lastIndexOf('\n')
    return { offset: err.offset, line, column, what: err.what }
  }
}

/** Where a key occurs a second time in one object of a valid JSON text. */
export interface DuplicateKey {
  readonly key: string
  readonly line: number
  readonly column: number
  readonly firstLine: number
  readonly firstColumn: number
}

function toLineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset)
  return { line: before.split('\n').length, column: offset - before.lastIndexOf('\n') }
}

/**
 * Finds the first key that occurs twice in one object of a VALID JSON text (JSON.parse keeps the last
 * one silently, so a value the user sees in the file would be ignored). Undefined when there is none.
 */
export function findDuplicateKey(text: string): DuplicateKey | undefined {
  const frames: { keys: Map<string, number> | undefined; expectKey: boolean }[] = []
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    const top = frames[frames.length - 1]
    if (c === '{') frames.push({ keys: new Map(), expectKey: true })
    else if (c === '[') frames.push({ keys: undefined, expectKey: false })
    else if (c === '}' || c === ']') frames.pop()
    else if (c === ',' && top?.keys !== undefined) top.expectKey = true
    else if (c === '"') {
      const start = i
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++
      if (top?.keys !== undefined && top.expectKey) {
        top.expectKey = false
        const key = JSON.parse(text.slice(start, i + 1)) as string
        const first = top.keys.get(key)
        if (first !== undefined) {
          const at = toLineColumn(text, start)
          const was = toLineColumn(text, first)
          return { key, line: at.line, column: at.column, firstLine: was.line, firstColumn: was.column }
        }
        top.keys.set(key, start)
      }
    }
  }
  return undefined
}

function toIssue(issue: z.core.$ZodIssue): SchemaIssue {
  const path = toPointer(issue.path.map((p) => (typeof p === 'symbol' ? String(p.description) : p)))
  const last = issue.path[issue.path.length - 1]
  if (issue.code === 'invalid_union' && last === 'psk') return { path, message: 'must be the key as a string, { "env": "NAME" } or { "file": "PATH" }' }
  if (issue.code === 'too_small' && issue.origin === 'array' && (last === 'privateCidrs' || last === 'dedicatedCidrs')) {
    return { path, message: `is empty: list at least one CIDR (${last === 'privateCidrs' ? "the agency's private networks" : "the provider's dedicated subnet"}; an AWS import leaves it for you to fill in)` }
  }
  if (issue.code === 'invalid_value' && last === 'format') return { path, message: `must be "${DETAILS_FORMAT}"` }
  if (issue.code === 'unrecognized_keys') {
    // A key is quoted only when it looks like a mistyped field name: a damaged file can turn a PSK into a key.
    const keys = issue.keys.map((k) => (/^[A-Za-z][A-Za-z_-]{0,23}$/.test(k) ? JSON.stringify(k) : 'one not shown (not a field-like name)'))
    return { path: toInert(path), message: `has ${issue.keys.length === 1 ? 'a key' : 'keys'} the format does not define: ${keys.join(', ')}` }
  }
  return { path: toInert(path), message: toInert(issue.message) }
}

/** Text from a document, made inert for a terminal: control and format characters as \uXXXX. */
function toInert(text: string): string {
  return text.replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/** Parses details from JSON text; `source` names it in errors. Throws UserError with line/column or JSON pointers. */
export function parseDetailsText(text: string, source = 'the details'): Details {
  if (text.length > MAX_DETAILS_BYTES) throw new UserError('details-too-large', `${source} is larger than ${MAX_DETAILS_BYTES} bytes; a details file is a few kB.`, { fix: 'Check that this is the right file.' })
  const body = text.replace(/^\uFEFF/, '')
  let raw: unknown
  try {
    raw = JSON.parse(body)
  } catch {
    let at: JsonSyntaxError | undefined
    try {
      at = locateJsonError(body)
    } catch {
      at = undefined
    }
    const where = at ? ` at line ${at.line}, column ${at.column}: ${at.what}` : ''
    throw new UserError('details-json', `${source} is not valid JSON${where}.`, { fix: 'Fix the JSON syntax there (commas between items, none after the last, double quotes around keys and strings).' })
  }
  const dup = findDuplicateKey(body)
  if (dup !== undefined) {
    const key = JSON.stringify(dup.key.length > 40 ? `${dup.key.slice(0, 40)}…` : dup.key)
    throw new UserError('details-duplicate-key', `${source} has the key ${key} twice in one object: at line ${dup.line}, column ${dup.column}, and before at line ${dup.firstLine}, column ${dup.firstColumn}.`, {
      likelyCause: 'A field was pasted twice; JSON readers keep only the last value, so the other one would be silently ignored.',
      fix: 'Keep one of the two (the one you mean) and delete the other.',
    })
  }
  const parsed = Details.safeParse(raw)
  if (!parsed.success) throw new DetailsSchemaError(source, parsed.error.issues.map(toIssue))
  return parsed.data
}

/** True when the details hold at least one PSK inline (not as an env/file reference). */
export function hasInlinePsk(details: Details): boolean {
  return details.remote.tunnels.some((t) => typeof t.psk === 'string')
}

/** A details file read from disk, with file-level findings (permissions). */
export interface LoadedDetails {
  readonly details: Details
  readonly findings: readonly Finding[]
}

/** Reads and parses a details file; warns when it holds an inline PSK and others may read it. */
export function loadDetailsFile(path: string): LoadedDetails {
  // A regular file only (a FIFO or device is refused before a byte is read), at most MAX_DETAILS_BYTES.
  const file = readBoundedFileSync(path, { what: 'the details file', maxBytes: MAX_DETAILS_BYTES, code: 'details-unreadable' })
  const shown = toShownPath(path)
  const text = toUtf8Text(file.bytes, `The details file ${shown}`, 'details-utf8')
  const details = parseDetailsText(text, shown)
  const findings: Finding[] = []
  if (hasInlinePsk(details) && process.platform !== 'win32' && (file.mode & 0o044) !== 0) {
    findings.push({ id: 'details-file-readable', severity: 'warning', path: '', message: `${shown} holds a pre-shared key and other users may read it.`, why: 'Anyone who can read the PSK can impersonate the gateway to AWS (with its public IP) or decrypt captured IKE exchanges.', fix: `Run: chmod 600 ${shown === path ? `'${path.replace(/'/g, "'\\''")}'` : 'on the file'} (or move the keys out: "psk": { "env": "NAME" } or { "file": "PATH" }).` })
  }
  return { details, findings }
}

/** PSK sources for one details file: relative `file` references resolve against the file's folder. */
export function toDetailsSecretSources(detailsPath: string, env: Readonly<Record<string, string | undefined>>): SecretSources {
  const base = dirname(resolve(detailsPath))
  const at = (p: string) => (isAbsolute(p) ? p : resolve(base, p))
  return { env, readFile: (p) => readPskFile(at(p)), readableByOthers: (p) => isReadableByOthers(at(p)) }
}
