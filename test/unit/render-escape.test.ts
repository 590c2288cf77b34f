// The per-format escapers: what they accept, what they refuse, and that escaped text is inert.
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { escapeAs, escapeCidr4, escapeComment, EscapeError, escapeInt, escapeIpv4, escapePath, escapePhp, escapePhpB64, escapeProposal, escapePsk0s, escapeShell, escapeToken } from '../../main/core/render/escape'
import { Secret } from '../../main/core/base/secret'
import { HOSTILE } from '../support/render-sample'

const RUNS = Number(process.env['TW_FUZZ_RUNS'] ?? 2000)

/** Decodes a PHP single-quoted literal the way PHP does (only \\ and \' are escapes). */
function fromPhpSingleQuoted(lit: string): string {
  expect(lit.startsWith("'") && lit.endsWith("'")).toBe(true)
  let out = ''
  const body = lit.slice(1, -1)
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!
    if (ch === '\\' && (body[i + 1] === '\\' || body[i + 1] === "'")) {
      out += body[++i]
      continue
    }
    expect(ch, `an unescaped quote ends the string early in ${lit}`).not.toBe("'")
    out += ch
  }
  return out
}

describe('escapers', () => {
  test('tokens, addresses, prefixes, ints, paths, proposals refuse anything outside their grammar', () => {
    expect(escapeToken('agency-east-t1')).toBe('agency-east-t1')
    for (const bad of ['a b', 'a\nb', 'a"b', 'a{', '', '-x', 'a;b', 'a#b']) expect(() => escapeToken(bad)).toThrow(EscapeError)
    expect(escapeIpv4('198.51.100.1')).toBe('198.51.100.1')
    for (const bad of ['256.1.1.1', '01.2.3.4', '1.2.3', '1.2.3.4 ', '1.2.3.4\n#']) expect(() => escapeIpv4(bad)).toThrow(EscapeError)
    expect(escapeCidr4('10.0.0.0/8')).toBe('10.0.0.0/8')
    for (const bad of ['10.0.0.0/33', '10.0.0.0', '10.0.0.0/8/8', '10.0.0.0/08x']) expect(() => escapeCidr4(bad)).toThrow(EscapeError)
    expect(escapeInt(28800)).toBe('28800')
    for (const bad of ['-1', '1.5', '0x10', '1e3', '']) expect(() => escapeInt(bad)).toThrow(EscapeError)
    expect(escapePath('/etc/tunnelwright/a-route.sh')).toBe('/etc/tunnelwright/a-route.sh')
    for (const bad of ['relative', '/a/../b', '/a b', '/a;b', '/a"b']) expect(() => escapePath(bad)).toThrow(EscapeError)
    expect(escapeProposal('aes256-sha2_256;modp2048')).toBe('aes256-sha2_256;modp2048')
    for (const bad of ['aes 256', 'aes!', 'a\nb', '"x"']) expect(() => escapeProposal(bad)).toThrow(EscapeError)
  })

  test('comments: printable ASCII only, nothing can end the line, a PHP comment or PHP mode', () => {
    expect(escapeComment('Agency "East" #1')).toBe('Agency "East" #1')
    expect(escapeComment('a\nb\rc\u2028d')).toBe('a\\u000ab\\u000dc\\u2028d')
    expect(escapeComment('x */ y ?> z')).toBe('x *\\u002f y ?\\u003e z')
    expect(escapeComment('\u{1F600}\\')).toBe('\\u{1f600}\\\\')
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ unit: 'binary', maxLength: 5 }))).map((a) => a.join('')), (s) => {
        const e = escapeComment(s)
        expect(e).toMatch(/^[\x20-\x7e]*$/)
        expect(e).not.toContain('*/')
        expect(e).not.toContain('?>')
      }),
      { numRuns: RUNS },
    )
  })

  test('PSKs: 0s base64 of the UTF-8 bytes, decodes to the input for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 80 }), (s) => {
        const e = escapePsk0s(new Secret(s))
        expect(e).toMatch(/^0s[A-Za-z0-9+/]*={0,2}$/)
        expect(Buffer.from(e.slice(2), 'base64').toString('utf8')).toBe(s)
      }),
      { numRuns: RUNS },
    )
  })

  test('PHP: a single-quoted literal that decodes to the input and never ends early', () => {
    expect(escapePhp("it's \\ $x")).toBe("'it\\'s \\\\ $x'")
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ unit: 'binary', maxLength: 5 }))).map((a) => a.join('')), (s) => {
        expect(fromPhpSingleQuoted(escapePhp(s))).toBe(s)
      }),
      { numRuns: RUNS },
    )
    expect(escapePhpB64(new Secret('a\'b'))).toBe(`base64_decode('${Buffer.from("a'b").toString('base64')}')`)
  })

  test('shell: single-quoted word', () => {
    expect(escapeShell("a'b $(x)")).toBe(`'a'\\''b $(x)'`)
  })

  test('escapeAs refuses the wrong kind of value', () => {
    expect(() => escapeAs('psk-0s', 'plain text', 'x')).toThrow(EscapeError)
    expect(() => escapeAs('fragment', 'plain text', 'x')).toThrow(EscapeError)
    expect(() => escapeAs('cidr4-list', [], 'x')).toThrow(EscapeError)
    expect(escapeAs('cidr4-list', ['10.0.0.0/8', '192.168.0.0/16'], 'x')).toBe('10.0.0.0/8,192.168.0.0/16')
  })
})
