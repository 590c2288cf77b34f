// Property: a random secret, in any of its encodings, never survives into an export (diagnostics
// bundle, change record in Markdown and HTML, activity log line).
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ActivityLog } from '../../main/core/app-data/activity-log'
import { toChangeRecordHtml, toChangeRecordMarkdown, type ChangeRecord } from '../../main/core/app-data/change-record'
import { toDiagnosticsBundle } from '../../main/core/app-data/diagnostics'
import { REDACTED, toRedactor, toSecretForms } from '../../main/core/base/redact'
import { Secret } from '../../main/core/base/secret'

/** Every encoding a leak could take; the test looks for each in the export. */
function encodings(v: string): string[] {
  const b = Buffer.from(v, 'utf8')
  return [v, b.toString('base64'), `0s${b.toString('base64')}`, b.toString('hex'), encodeURIComponent(v), b.toString('base64url')]
}

// Secrets like AWS PSKs (8–64 of [A-Za-z0-9._]) and like passwords (any printable, incl. unicode).
const pskArb = fc.stringMatching(/^[A-Za-z0-9._]{8,64}$/)
const passwordArb = fc.string({ minLength: 6, maxLength: 40, unit: "grapheme" }).filter((s) => s.trim().length >= 6)
const secretArb = fc.oneof(pskArb, passwordArb)

function leaks(text: string, secret: string): string[] {
  // Only forms of at least 6 characters can be searched without false hits on ordinary words; raw value always.
  return encodings(secret).filter((f) => (f === secret || f.length >= 6) && text.includes(f))
}

function sampleRecord(secret: string): ChangeRecord {
  const b64 = Buffer.from(`psk=${secret}\n`).toString('base64')
  return {
    id: 'r-0123456789abcdef',
    profileId: 'p-abcdef012345',
    profileName: 'Agency HQ',
    action: 'apply',
    at: '2025-01-01T00:00:00.000Z',
    user: 'ops',
    gateway: { host: 'gw.example.org', publicIp: '198.51.100.2', kind: 'strongswan', version: '5.9.8' },
    reason: `rotate keys (old one was ${secret})`,
    outcome: 'committed',
    txnId: '20250101T000000Z-abcdef',
    stateDir: '/var/lib/tunnelwright',
    changes: [
      { path: '/etc/swanctl/conf.d/tw.conf', action: 'update', secret: false, diff: `--- a\n+++ b\n-  secret = ${secret}\n+  proposals = aes256-sha256-modp2048\n+ # blob ${b64}` },
      { path: '/etc/swanctl/conf.d/tw.secrets', action: 'update', secret: true, diff: 'content changed (sha256 differs)' },
    ],
    steps: [{ step: 'VERIFY', at: 1735689600, detail: `loaded ${encodeURIComponent(secret)} ok` }],
    detail: `daemon said ${Buffer.from(secret).toString('hex')}`,
    checksBefore: [{ id: 'fw.in.udp500', severity: 'ok', verdict: 'allowed', subject: '203.0.113.10 udp500 inbound', why: `rule ${secret}` }],
    checksAfter: [],
    checksAfterNote: `0s${Buffer.from(secret).toString('base64')}`,
  }
}

describe('redaction of secrets in every export', () => {
  it('toSecretForms includes the raw value and its encodings', () => {
    const forms = toSecretForms('Abc.def_123')
    for (const f of encodings('Abc.def_123')) expect(forms).toContain(f)
  })

  it('cuts a secret hidden at any byte alignment inside a larger base64 blob', () => {
    fc.assert(
      fc.property(pskArb, fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), (secret, pre, post) => {
        const blob = Buffer.from(pre + secret + post).toString('base64')
        const out = toRedactor([secret])(`config=${blob}`)
        // The base64 of the secret at the blob's alignment no longer appears.
        const shift = Buffer.from(pre).length % 3
        const aligned = Buffer.concat([Buffer.alloc(shift), Buffer.from(secret)]).toString('base64').slice(Math.ceil((shift * 8) / 6), Math.floor(((shift + Buffer.from(secret).length) * 8) / 6))
        expect(out.includes(aligned)).toBe(false)
      }),
      { numRuns: 200 },
    )
  })

  it('the diagnostics bundle never contains a secret in any encoding', () => {
    fc.assert(
      fc.property(secretArb, secretArb, (psk, password) => {
        const text = toDiagnosticsBundle(
          {
            generatedAt: '2025-01-01T00:00:00.000Z',
            versions: { app: '0.1.0' },
            facts: { note: `login ${password}`, [`key-${psk}`]: 1 },
            checkFindings: [{ evidence: [`nft rule comment "${psk}"`, Buffer.from(psk).toString('hex')] }],
            daemonLog: [`charon: loaded IKE secret for ${psk}`, ': PSK "something-else-entirely"', `url ${encodeURIComponent(password)}`, `b64 ${Buffer.from(password).toString('base64')}`].join('\n'),
            rendered: [
              { path: '/etc/ipsec.secrets', mode: 0o600, secret: true, content: `: PSK "${psk}"` },
              { path: '/etc/ipsec.conf', mode: 0o644, secret: false, content: `conn a\n  # leaked ${psk}\n  authby=secret` },
            ],
            activity: [{ detail: `0s${Buffer.from(psk).toString('base64')}` }],
          },
          { secrets: [new Secret(psk), password] },
        )
        expect(leaks(text, psk)).toEqual([])
        expect(leaks(text, password)).toEqual([])
        expect(text).not.toContain('something-else-entirely') // secret-looking assignments are cut even when unknown
        expect(text).toContain(REDACTED)
        JSON.parse(text)
      }),
      { numRuns: 150 },
    )
  })

  it('change records (Markdown and HTML) never contain a secret in any encoding', () => {
    fc.assert(
      fc.property(pskArb, (psk) => {
        const opts = { redact: toRedactor([psk]) }
        for (const text of [toChangeRecordMarkdown(sampleRecord(psk), opts), toChangeRecordHtml(sampleRecord(psk), opts)]) {
          expect(leaks(text, psk)).toEqual([])
        }
      }),
      { numRuns: 150 },
    )
  })

  it('activity log lines never contain a known secret', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-act-'))
    fc.assert(
      fc.property(pskArb, (psk) => {
        const file = join(dir, `${psk.length}-${Math.random().toString(36).slice(2)}.jsonl`)
        const log = new ActivityLog(file, 'ops', toRedactor([psk]))
        log.append({ action: 'apply', outcome: 'failed', detail: `gateway said: secret = ${psk}; ${Buffer.from(psk).toString('base64')}` })
        const text = readFileSync(file, 'utf8')
        expect(leaks(text, psk)).toEqual([])
        expect(log.list(1)[0]?.action).toBe('apply')
      }),
      { numRuns: 50 },
    )
  })

  it('keeps ordinary text readable', () => {
    const r = toRedactor(['Sup3rSecretPsk.value'])
    expect(r('tunnel 1 up, proposals aes256-sha256-modp2048')).toBe('tunnel 1 up, proposals aes256-sha256-modp2048')
  })
})

// Issue 14: spellings the exact-form list missed, each as a property over random secrets. Every check
// decodes the output the way a reader would and looks for the secret in the decoded bytes.
describe('redaction of every spelling of a secret', () => {
  const RUNS = Math.max(100, Number(process.env['TW_FUZZ_RUNS'] ?? 0) || 0)
  // Passwords with characters every encoding must carry: quotes, %, &, <, \, non-ASCII, astral.
  const spicy = fc.string({ unit: fc.constantFrom(...'aZ09._-+/= "\'%&<>\\:;é€ü🔑ñÅ'), minLength: 6, maxLength: 24 }).filter((s) => s.trim().length >= 6)
  const anySecret = fc.oneof(pskArb, passwordArb, spicy)
  const noise = fc.string({ unit: fc.constantFrom(...'xyz ,;:\n'), maxLength: 5 })
  const randomCase = (s: string, flips: readonly boolean[]) => Array.from(s, (c, i) => (flips[i % flips.length] ? c.toUpperCase() : c.toLowerCase())).join('')
  const flipsArb = fc.array(fc.boolean(), { minLength: 1, maxLength: 8 })

  it('base64 wrapped at 64 or 76 columns, at any alignment inside a larger blob', () => {
    fc.assert(
      fc.property(anySecret, fc.string({ maxLength: 5 }), fc.string({ maxLength: 80 }), fc.constantFrom(64, 76), fc.constantFrom('\n', '\r\n'), (secret, pre, post, width, eol) => {
        const b64 = Buffer.from(pre + secret + post).toString('base64')
        const wrapped = (b64.match(new RegExp(`.{1,${width}}`, 'g')) ?? []).join(eol)
        const out = toRedactor([secret])(`-----BEGIN DATA-----\n${wrapped}\n-----END DATA-----`)
        const decoded = Buffer.from(out.replace(/-----[A-Z ]+-----|\s/g, '').replace(/\[redacted\]/g, ''), 'base64')
        expect(decoded.includes(Buffer.from(secret))).toBe(false)
        const shift = Buffer.from(pre).length % 3
        const core = Buffer.concat([Buffer.alloc(shift), Buffer.from(secret)]).toString('base64').slice(Math.ceil((shift * 8) / 6), Math.floor(((shift + Buffer.from(secret).length) * 8) / 6))
        expect(out.replace(/\s/g, '').includes(core)).toBe(false)
      }),
      { numRuns: RUNS },
    )
  })

  it('hex in any case, with separators and per-byte prefixes', () => {
    fc.assert(
      fc.property(anySecret, fc.constantFrom(':', ' ', '-', ', ', '\n', ''), fc.constantFrom('', '0x', '\\x', '%'), flipsArb, noise, noise, (secret, sep, prefix, flips, pre, post) => {
        const hex = randomCase(Buffer.from(secret).toString('hex'), flips)
        const spelled = (hex.match(/../g) ?? []).map((b) => prefix + b).join(sep)
        const out = toRedactor([secret])(`${pre}${spelled}${post}`)
        expect(out.replace(/[^0-9a-fA-F]/g, '').toLowerCase().includes(Buffer.from(secret).toString('hex'))).toBe(false)
      }),
      { numRuns: RUNS },
    )
  })

  it('%xx for every byte, in any case (and mixed with plain characters)', () => {
    fc.assert(
      fc.property(anySecret, flipsArb, fc.boolean(), noise, noise, (secret, flips, mixed, pre, post) => {
        const spelled = Array.from(secret, (ch, i) => (mixed && i % 2 === 0 && /[A-Za-z0-9]/.test(ch) ? ch : [...Buffer.from(ch)].map((b) => `%${randomCase(b.toString(16).padStart(2, '0'), flips)}`).join(''))).join('')
        const out = toRedactor([secret])(`q=${pre}${spelled}${post}`)
        const decoded = Buffer.from(out.replace(/%([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1')
        expect(decoded.includes(Buffer.from(secret))).toBe(false)
      }),
      { numRuns: RUNS },
    )
  })

  it('XML numeric character references (decimal or hex, any padding and case)', () => {
    fc.assert(
      fc.property(anySecret, fc.array(fc.constantFrom('dec', 'hex', 'HEX', 'pad', 'raw'), { minLength: 1, maxLength: 6 }), noise, noise, (secret, styles, pre, post) => {
        const spelled = Array.from(secret, (ch, i) => {
          const cp = ch.codePointAt(0)!
          const style = styles[i % styles.length]
          return style === 'dec' ? `&#${cp};` : style === 'hex' ? `&#x${cp.toString(16)};` : style === 'HEX' ? `&#X${cp.toString(16).toUpperCase()};` : style === 'pad' ? `&#000${cp};` : ch
        }).join('')
        const out = toRedactor([secret])(`<descr>${pre}${spelled}${post}</descr>`)
        const decoded = out.replace(/&#[xX]([0-9a-fA-F]+);/g, (_m, h: string) => String.fromCodePoint(parseInt(h, 16))).replace(/&#(\d+);/g, (_m, d: string) => String.fromCodePoint(Number(d)))
        expect(decoded.includes(secret)).toBe(false)
      }),
      { numRuns: RUNS },
    )
  })

  it('\\uXXXX escapes of every UTF-16 unit, in any case', () => {
    fc.assert(
      fc.property(anySecret, flipsArb, noise, noise, (secret, flips, pre, post) => {
        const spelled = Array.from({ length: secret.length }, (_, i) => `\\u${randomCase(secret.charCodeAt(i).toString(16).padStart(4, '0'), flips)}`).join('')
        const out = toRedactor([secret])(`{"v":"${pre}${spelled}${post}"}`)
        const decoded = out.replace(/\\u([0-9a-fA-F]{4})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)))
        expect(decoded.includes(secret)).toBe(false)
      }),
      { numRuns: RUNS },
    )
  })

  it('NFD (or NFC) text of a secret given in the other form', () => {
    const composed = fc.string({ unit: fc.constantFrom(...'aeéèüñÅöçx9'), minLength: 6, maxLength: 20 })
    fc.assert(
      fc.property(composed, fc.boolean(), noise, noise, (raw, giveNfd, pre, post) => {
        const secret = giveNfd ? raw.normalize('NFD') : raw.normalize('NFC')
        const shown = giveNfd ? raw.normalize('NFC') : raw.normalize('NFD')
        const out = toRedactor([secret])(`${pre}${shown}${post}`)
        expect(out.normalize('NFC').includes(raw.normalize('NFC'))).toBe(false)
      }),
      { numRuns: RUNS },
    )
  })

  it('two secrets that overlap in the text leave no tail', () => {
    const part = fc.stringMatching(/^[A-Za-z0-9]{6,12}$/)
    fc.assert(
      fc.property(part, part, part, (x, y, z) => {
        const a = x + y
        const b = y + z
        fc.pre(!a.includes(b) && !b.includes(a))
        const out = toRedactor([a, b])(`<<${x}${y}${z}>>`)
        expect(out).toBe(`<<${REDACTED}>>`)
      }),
      { numRuns: RUNS },
    )
  })

  it('a secret shorter than the floor is cut where marked as a secret, and does not shred the rest', () => {
    const r = toRedactor(['a', new Secret('Qn7xV2._kdP3aZ4rT8mWyL3sHc6bJ9fE')])
    expect(r.shortSecrets).toBe(1)
    const prose = 'a gateway at a site: tunnel 1 up (aes256-sha256-modp2048)'
    expect(r(prose)).toBe(prose)
    expect(r('password: a')).toBe(`password: ${REDACTED}`)
    expect(r('a')).toBe(REDACTED)
    const bundle = JSON.parse(toDiagnosticsBundle({ generatedAt: '2025-01-01T00:00:00.000Z', versions: { app: '0.1.0' }, profile: { sshPassword: 'a', note: prose } }, { secrets: ['a'] })) as { profile: { sshPassword: string; note: string }; redactionNote?: string }
    expect(bundle.profile).toEqual({ sshPassword: REDACTED, note: prose })
    expect(bundle.redactionNote).toMatch(/shorter than 6 characters/)
  })

  it('the diagnostics bundle cuts a secret wrapped across daemon log lines', () => {
    fc.assert(
      fc.property(pskArb, (psk) => {
        const b64 = Buffer.from(`secret blob ${psk} end`).toString('base64')
        const log = (b64.match(/.{1,16}/g) ?? []).map((chunk) => chunk).join('\n')
        const text = toDiagnosticsBundle({ generatedAt: '2025-01-01T00:00:00.000Z', versions: { app: '0.1.0' }, daemonLog: log }, { secrets: [psk] })
        const lines = (JSON.parse(text) as { daemonLog: string[] }).daemonLog.join('').replace(/\[redacted\]/g, '')
        expect(Buffer.from(lines, 'base64').includes(Buffer.from(psk))).toBe(false)
      }),
      { numRuns: Math.min(RUNS, 100) },
    )
  })
})
