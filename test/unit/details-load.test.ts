import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { DetailsSchemaError, loadDetailsFile, locateJsonError, MAX_DETAILS_BYTES, parseDetailsText, toDetailsSecretSources } from '../../main/core/details/load'
import { resolvePsk } from '../../main/core/details/resolve'
import { UserError } from '../../main/core/base/result'
import { PSK1, PSK2, toDetailsDoc } from '../support/details-doc'


const doc = toDetailsDoc

function userError(fn: () => unknown): UserError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(UserError)
    return err as UserError
  }
  throw new Error('expected a UserError')
}

const tmp = mkdtempSync(join(tmpdir(), 'tw-details-load-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

describe('parseDetailsText', () => {
  it('parses valid details and fills the crypto defaults', () => {
    const d = parseDetailsText(JSON.stringify(doc()))
    expect(d.crypto).toMatchObject({ ikeVersion: 1, encryption: 'aes256', integrity: 'sha256', dhGroup: 14, pfsGroup: 14, ikeLifetime: 28800, ipsecLifetime: 3600 })
    expect(d.routing).toBe('auto')
  })

  it('accepts a UTF-8 byte order mark', () => {
    expect(parseDetailsText(`\uFEFF${JSON.stringify(doc())}`).name).toBe('agency')
  })

  it('gives line and column of a JSON syntax error and never quotes the text (which may hold a PSK)', () => {
    const text = JSON.stringify(doc(), null, 2).replace(`"psk": "${PSK1}",`, `"psk": "${PSK1}"`)
    const line = text.split('\n').findIndex((l) => l.includes(PSK1)) + 2
    const e = userError(() => parseDetailsText(text, 'd.json'))
    expect(e.code).toBe('details-json')
    expect(e.message).toContain(`d.json is not valid JSON at line ${line}, column 9`)
    expect(e.message).toMatch(/missing comma/)
    expect(e.message).not.toContain(PSK1)
  })

  it.each([
    ['{"a": 1,}', 1, 9, /trailing comma/],
    ['{\n  "a": [1, 2,]\n}', 2, 14, /trailing comma/],
    ["{'a': 1}", 1, 2, /double quotes/],
    ['{"a": "unterminated', 1, 20, /unterminated string/],
    ['{"a": 1} x', 1, 10, /after the end/],
    ['{"a": 01}', 1, 8, /expected ','/],
    ['// comment\n{}', 1, 1, /comments are not allowed/],
    ['{"a": "line\nbreak"}', 1, 12, /control character/],
    ['', 1, 1, /end of file/],
  ])('locates %j at %i:%i', (text, line, column, what) => {
    const at = locateJsonError(text)
    expect(at).toMatchObject({ line, column })
    expect(at?.what).toMatch(what)
    expect(() => JSON.parse(text)).toThrow()
  })

  it('locateJsonError agrees with JSON.parse on what is valid', () => {
    fc.assert(
      fc.property(fc.json(), fc.nat(), fc.constantFrom('', ',', '}', ']', '"', ':', ' ', 'x', '\\'), (json, at, junk) => {
        expect(locateJsonError(json)).toBeUndefined()
        const i = at % (json.length + 1)
        const broken = json.slice(0, i) + junk + json.slice(i)
        let valid = true
        try {
          JSON.parse(broken)
        } catch {
          valid = false
        }
        expect(locateJsonError(broken) === undefined).toBe(valid)
      }),
      { numRuns: 1000 },
    )
  })

  it('reports schema errors as JSON pointers, without values', () => {
    const text = JSON.stringify(doc((d) => {
      d.remote.tunnels[1]!.insideCidr = '169.254.1'
      d.gateway.privateCidrs = []
      d.remote.tunnels[0]!.psk = 12345
      d.extra = true
    }))
    const e = userError(() => parseDetailsText(text, 'd.json')) as DetailsSchemaError
    expect(e).toBeInstanceOf(DetailsSchemaError)
    const byPath = Object.fromEntries(e.issues.map((i) => [i.path, i.message]))
    expect(byPath['/remote/tunnels/1/insideCidr']).toMatch(/IPv4 CIDR/)
    expect(byPath['/gateway/privateCidrs']).toMatch(/is empty: list at least one CIDR/)
    expect(byPath['/remote/tunnels/0/psk']).toMatch(/\{ "env": "NAME" \}/)
    expect(byPath['']).toMatch(/extra/)
    expect(e.message).toContain('/remote/tunnels/1/insideCidr:')
    expect(e.message).not.toContain(PSK2)
  })

  it('a PSK that breaks the schema is not echoed', () => {
    const long = 'S3cretLongKey_'.repeat(20)
    const e = userError(() => parseDetailsText(JSON.stringify(doc((d) => void (d.remote.tunnels[0]!.psk = long)))))
    expect(e.message).toContain('/remote/tunnels/0/psk')
    expect(e.message).not.toContain('S3cretLongKey_')
  })

  it('names the expected format', () => {
    const e = userError(() => parseDetailsText(JSON.stringify(doc((d) => void (d.format = 'tunnelwright/details@2')))))
    expect(e.message).toContain('/format: must be "tunnelwright/details@1"')
  })

  it('refuses oversized input', () => {
    expect(userError(() => parseDetailsText(' '.repeat(MAX_DETAILS_BYTES + 1))).code).toBe('details-too-large')
  })
})

describe('loadDetailsFile', () => {
  it('a missing file or a directory is an unreadable-input UserError', () => {
    expect(userError(() => loadDetailsFile(join(tmp, 'nope.json'))).message).toMatch(/does not exist/)
    expect(userError(() => loadDetailsFile(tmp)).code).toBe('details-unreadable')
  })

  it('warns when a file holding an inline PSK is readable by others, and only then', () => {
    const shared = join(tmp, 'shared.json')
    writeFileSync(shared, JSON.stringify(doc()))
    chmodSync(shared, 0o644)
    const loaded = loadDetailsFile(shared)
    expect(loaded.findings.map((f) => f.id)).toEqual(['details-file-readable'])
    expect(loaded.findings[0]!.fix).toContain(`chmod 600 '${shared}'`)
    expect(JSON.stringify(loaded.findings)).not.toContain(PSK1)

    chmodSync(shared, 0o600)
    expect(loadDetailsFile(shared).findings).toEqual([])

    const refs = join(tmp, 'refs.json')
    writeFileSync(refs, JSON.stringify(doc((d) => { d.remote.tunnels[0]!.psk = { env: 'T1' }; d.remote.tunnels[1]!.psk = { file: 't2.psk' } })))
    chmodSync(refs, 0o644)
    expect(loadDetailsFile(refs).findings).toEqual([])
  })

  it('resolves relative PSK files against the details file folder', () => {
    const sub = join(tmp, 'conn')
    mkdirSync(sub, { recursive: true })
    writeFileSync(join(sub, 't2.psk'), `${PSK2}\n`)
    const sources = toDetailsSecretSources(join(sub, 'details.json'), {})
    expect(resolvePsk({ file: 't2.psk' }, 'Tunnel 2', sources).reveal()).toBe(PSK2)
    expect(resolvePsk({ file: join(sub, 't2.psk') }, 'Tunnel 2', sources).reveal()).toBe(PSK2)
  })
})
