// Templates and manifests agree, filling is strict, and the templates folder is found in dev, CLI bundle and app.
import { mkdirSync, mkdtempSync as mkdtempRaw, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { fillTemplate, loadKindTemplates, resolveTemplatesDir } from '../../main/core/render/templates'

const made: string[] = []
const mkdtempSync = (prefix: string): string => {
  const d = mkdtempRaw(prefix)
  made.push(d)
  return d
}
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })))

const REPO_TEMPLATES = resolve(__dirname, '../../templates')

describe('templates', () => {
  test.each(['strongswan', 'strongswan-legacy', 'libreswan', 'openswan', 'pfsense'])('%s: every placeholder is declared with an escaper and every declared variable is used', (kind) => {
    const t = loadKindTemplates(REPO_TEMPLATES, kind)
    expect(t.texts.size).toBeGreaterThan(0)
  })

  test('openswan uses the libreswan templates as they are (one copy on disk), with its own kind and description', () => {
    const os = loadKindTemplates(REPO_TEMPLATES, 'openswan')
    const ls = loadKindTemplates(REPO_TEMPLATES, 'libreswan')
    expect(os.texts).toBe(ls.texts)
    expect(os.manifest.kind).toBe('openswan')
    expect(os.manifest.description).toMatch(/Openswan 2\.6/)
  })

  test('a manifest that disagrees with its template is refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-tpl-'))
    mkdirSync(join(dir, 'x'))
    writeFileSync(join(dir, 'x', 'a.conf'), 'name = {{name}} {{extra}}\n')
    writeFileSync(join(dir, 'x', 'manifest.json'), JSON.stringify({ kind: 'x', description: '', templates: { 'a.conf': { description: '', variables: { name: { escape: 'token', description: '' } } } } }))
    expect(() => loadKindTemplates(dir, 'x')).toThrow(/undeclared: extra/)
  })

  test('filling: missing or undeclared values throw; fragments take their line indent and vanish when empty', () => {
    const t = loadKindTemplates(REPO_TEMPLATES, 'strongswan')
    expect(() => fillTemplate(t, 'secret.conf', { name: 'a', localId: '1.2.3.4', remoteId: '1.2.3.5' })).toThrow(/no value for psk/)
    const swanctl = fillTemplate(t, 'swanctl.conf', { comment: 'c', nameMarker: 'tunnelwright-set: s c', slug: 's', connections: { fragment: 'a {\n}' }, secrets: { fragment: '' } })
    expect(swanctl).toContain('connections {\n  a {\n  }\n}')
    expect(swanctl).toContain('secrets {\n}')
    expect(() => fillTemplate(t, 'swanctl.conf', { comment: 'c', nameMarker: 'tunnelwright-set: s c', slug: 's', connections: { fragment: '' }, secrets: { fragment: '' }, bogus: 'x' })).toThrow(/undeclared/)
  })

  test('a value is never re-scanned for placeholders', () => {
    const t = loadKindTemplates(REPO_TEMPLATES, 'strongswan')
    const out = fillTemplate(t, 'swanctl.conf', { comment: '{{slug}}', nameMarker: 'tunnelwright-set: real x', slug: 'real', connections: { fragment: '' }, secrets: { fragment: '' } })
    expect(out).toContain('VPN {{slug}}')
  })

  test('templates dir: packaged app (resourcesPath), bundled CLI (out/main), dev (main/core/render), else error', () => {
    const app = mkdtempSync(join(tmpdir(), 'tw-res-'))
    mkdirSync(join(app, 'templates', 'strongswan'), { recursive: true })
    writeFileSync(join(app, 'templates', 'strongswan', 'manifest.json'), '{}')
    expect(resolveTemplatesDir({ resourcesPath: app })).toBe(join(app, 'templates'))
    expect(resolveTemplatesDir({ from: resolve(__dirname, '../../out/main') })).toBe(REPO_TEMPLATES)
    expect(resolveTemplatesDir({ from: resolve(__dirname, '../../main/core/render') })).toBe(REPO_TEMPLATES)
  })
})
