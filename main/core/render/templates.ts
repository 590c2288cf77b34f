// Device templates on disk (templates/<kind>/): loading, their manifests, and filling placeholders.
//
// A template is plain text with `{{name}}` placeholders. Its manifest (manifest.json) lists every
// variable of every template with the escaper for its format; a placeholder without a manifest entry,
// a manifest entry without a placeholder, or a missing value is an error, so nothing reaches a config
// unescaped. A `fragment` placeholder alone on its line takes that line's indentation and the line
// disappears when the fragment is empty (optional blocks are chosen in code, not in templates).
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { readBoundedTextSync } from '../base/bounded-read'
import { escapeAs, type EscapeKind, type TemplateValue } from './escape'
import { escapeVendor, isVendorEscape, VENDOR_ESCAPES, type VendorEscapeKind } from './vendor/escape'

/** One variable of a template as its manifest declares it. */
export interface ManifestVariable {
  readonly escape: EscapeKind | VendorEscapeKind
  readonly description: string
}

/** templates/<kind>/manifest.json. */
export interface Manifest {
  readonly kind: string
  readonly description: string
  readonly templates: Readonly<Record<string, { readonly description: string; readonly variables: Readonly<Record<string, ManifestVariable>> }>>
}

/** A manifest that reuses another kind's templates as they are (Openswan's files are Libreswan's: what differs is chosen in code). */
interface SharedManifest {
  readonly kind: string
  readonly description: string
  readonly sameTemplatesAs: string
}

/** A device kind's templates, loaded and cross-checked against its manifest. */
export interface KindTemplates {
  readonly manifest: Manifest
  readonly texts: ReadonlyMap<string, string>
}

const PLACEHOLDER = /\{\{([a-zA-Z][a-zA-Z0-9]*)\}\}/g
const ESCAPES: readonly string[] = ['token', 'proposal', 'path', 'ipv4', 'cidr4', 'cidr4-list', 'int', 'comment', 'marker', 'psk-0s', 'shell', 'php', 'php-b64', 'fragment', ...VENDOR_ESCAPES] satisfies readonly (EscapeKind | VendorEscapeKind)[]

/**
 * Finds the templates folder: the packaged app passes process.resourcesPath (→ resources/templates);
 * otherwise it is looked for above `from` (dev: main/core/render → ../../../templates; bundled CLI:
 * out/main → ../../templates) and finally under the working directory.
 */
export function resolveTemplatesDir(opts: { resourcesPath?: string; from?: string } = {}): string {
  const candidates: string[] = []
  if (opts.resourcesPath) candidates.push(join(opts.resourcesPath, 'templates'))
  let dir = opts.from ?? (typeof __dirname === 'string' ? __dirname : process.cwd())
  for (let i = 0; i < 6; i++) {
    candidates.push(join(dir, 'templates'))
    const up = dirname(dir)
    if (up === dir) break
    dir = up
  }
  candidates.push(resolve(process.cwd(), 'templates'))
  const found = candidates.find((c) => existsSync(join(c, 'strongswan', 'manifest.json')))
  if (!found) throw new Error(`device templates not found (looked in ${candidates.join(', ')})`)
  return found
}

/** Placeholder names used in a template text, in order of first use. */
export function toPlaceholders(text: string): string[] {
  return [...new Set(Array.from(text.matchAll(PLACEHOLDER), (m) => m[1]!))]
}

const loaded = new Map<string, KindTemplates>()

/** Loads one kind's manifest and templates and checks that they agree (cached per folder and kind). */
export function loadKindTemplates(templatesDir: string, kind: string): KindTemplates {
  const key = `${templatesDir}\0${kind}`
  const cached = loaded.get(key)
  if (cached) return cached
  const t = readKindTemplates(templatesDir, kind)
  loaded.set(key, t)
  return t
}

/** The app's own template files are small; the cap only keeps a broken install from filling memory. */
const MAX_TEMPLATE_BYTES = 1024 * 1024

function readTemplateFile(path: string): string {
  return readBoundedTextSync(path, { what: 'the device template', maxBytes: MAX_TEMPLATE_BYTES, code: 'templates-unreadable' })
}

function readKindTemplates(templatesDir: string, kind: string): KindTemplates {
  const base = join(templatesDir, kind)
  const raw = JSON.parse(readTemplateFile(join(base, 'manifest.json'))) as Manifest | SharedManifest
  if (raw.kind !== kind) throw new Error(`${base}/manifest.json is for ${raw.kind}, not ${kind}`)
  if ('sameTemplatesAs' in raw) {
    const shared = loadKindTemplates(templatesDir, raw.sameTemplatesAs)
    return { manifest: { ...shared.manifest, kind: raw.kind, description: raw.description }, texts: shared.texts }
  }
  const manifest = raw
  const texts = new Map<string, string>()
  for (const [name, spec] of Object.entries(manifest.templates)) {
    const text = readTemplateFile(join(base, name))
    const used = toPlaceholders(text)
    const declared = Object.keys(spec.variables)
    const undeclared = used.filter((u) => !declared.includes(u))
    const unused = declared.filter((d) => !used.includes(d))
    if (undeclared.length > 0 || unused.length > 0) {
      throw new Error(`${kind}/${name}: placeholders and manifest disagree (undeclared: ${undeclared.join(', ') || '-'}; unused: ${unused.join(', ') || '-'})`)
    }
    for (const [v, decl] of Object.entries(spec.variables)) {
      if (!ESCAPES.includes(decl.escape)) throw new Error(`${kind}/${name}: variable ${v} has unknown escaper ${decl.escape}`)
    }
    texts.set(name, text)
  }
  return { manifest, texts }
}

/** Fills one template: every declared variable must be given, and each is escaped as its manifest says. */
export function fillTemplate(t: KindTemplates, name: string, values: Readonly<Record<string, TemplateValue>>): string {
  const spec = t.manifest.templates[name]
  const text = t.texts.get(name)
  if (!spec || text === undefined) throw new Error(`no template ${t.manifest.kind}/${name}`)
  for (const k of Object.keys(values)) {
    if (!(k in spec.variables)) throw new Error(`${t.manifest.kind}/${name}: value for undeclared variable ${k}`)
  }
  const escaped = new Map<string, string>()
  for (const [k, decl] of Object.entries(spec.variables)) {
    const v = values[k]
    if (v === undefined) throw new Error(`${t.manifest.kind}/${name}: no value for ${k}`)
    const what = `${t.manifest.kind}/${name} ${k}`
    escaped.set(k, isVendorEscape(decl.escape) ? escapeVendor(decl.escape, v, what) : escapeAs(decl.escape, v, what))
  }
  const lines: string[] = []
  for (const line of text.split('\n')) {
    const alone = /^([ \t]*)\{\{([a-zA-Z][a-zA-Z0-9]*)\}\}[ \t]*$/.exec(line)
    if (alone && spec.variables[alone[2]!]?.escape === 'fragment') {
      const frag = escaped.get(alone[2]!)!
      if (frag === '') continue
      const body = frag.endsWith('\n') ? frag.slice(0, -1) : frag
      lines.push(...body.split('\n').map((l) => (l === '' ? l : alone[1] + l)))
      continue
    }
    lines.push(line.replace(PLACEHOLDER, (_m, k: string) => escaped.get(k)!))
  }
  return lines.join('\n')
}
