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
