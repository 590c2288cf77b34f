// Fuzzed names and PSKs never break out of a vendor configuration: every render either refuses the value
// (UserError / EscapeError) or passes its syntax's checker with each PSK read back, whole and unchanged,
// exactly where a PSK belongs and nowhere else.
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { UserError } from '../../main/core/base/result'
import { VENDOR_KINDS, type VendorKind } from '../../main/core/base/vocabulary'
import { EscapeError } from '../../main/core/render/escape'
import { renderVendorDevice } from '../../main/core/render/vendor'
import { VENDOR_CHECKERS, type ParsedConfig } from '../../main/core/render/vendor/syntax'
import { toVendorDetails, toVendorInput } from '../support/vendor-details'

const RUNS = Number(process.env['TW_FUZZ_RUNS'] ?? 150)

const HOSTILE = ['"', "'", '\\', '?', '\n', '\r\n', '!', '#', ';', '|', '`', '$(x)', '${x}', ' ', '\t', '\u2019', '\u2018', '\u201b', '\u2028', '\u0000', '\u001b[2J', 'end', 'next', 'exit', '}', '{', '[', ']', '#>', '*/', 'set ', '\ud83d\udef0']
const hostile = fc.oneof(
  fc.array(fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ maxLength: 5 })), { minLength: 1, maxLength: 10 }).map((p) => p.join('').slice(0, 120)),
  fc.string({ minLength: 1, maxLength: 80 }),
  fc.stringMatching(/^[A-Za-z1-9._][A-Za-z0-9._]{7,63}$/),
).filter((v) => v.length >= 1 && v.length <= 100)
const name = fc.oneof(hostile, fc.constantFrom('Department of Agriculture East', '农业部', '🛰️'))

/** The PSK values as the device would read them from the parsed commands. */
function readPsks(kind: VendorKind, parsed: ParsedConfig): string[] {
  const out: string[] = []
  for (const { words } of parsed.commands) {
    const t = words.map((w) => w.text)
    const after = (marker: string) => {
      // The marker is a keyword: never a quoted value (a PSK may well be "key").
      const i = words.findLastIndex((w) => w.text === marker && !w.quoted)
      if (i >= 0 && words[i + 1]) out.push(words[i + 1]!.text)
    }
    // Cisco: fixed positions (the key is the last word: `… pre-shared-key KEY`, `pre-shared-key address IP key KEY`).
    if (kind === 'cisco-asa' && t.includes('pre-shared-key')) out.push(t.at(-1)!)
    if (kind === 'cisco-ios' && t[0] === 'pre-shared-key') out.push(t[1] === 'address' ? t[4]! : t[1]!)
    if (kind === 'paloalto' && t.includes('pre-shared-key')) after('key')
    if (kind === 'fortigate' && t[1] === 'psksecret') after('psksecret')
    if (kind === 'juniper-srx' && t.includes('ascii-text')) after('ascii-text')
    if (kind === 'windows-server') {
      after('-PreSharedKey')
      after('-SharedSecret')
    }
  }
  return out
}

function modeOf(kind: VendorKind): { ike: 1 | 2; routing: 'route' | 'policy' } {
  return kind === 'windows-server' ? { ike: 1, routing: 'policy' } : kind === 'cisco-asa' ? { ike: 2, routing: 'route' } : { ike: 1, routing: 'route' }
}

describe('vendor configurations under hostile names and PSKs', () => {
  test.each(VENDOR_KINDS.map((k) => [k]))(`%s: refused, or parsed back with each PSK whole and in place (${RUNS} runs)`, (kind) => {
    fc.assert(
      fc.property(name, hostile, hostile, fc.boolean(), (n, psk1, psk2, rras) => {
        const mode = kind === 'windows-server' && rras ? { ike: 2 as const, routing: 'route' as const } : modeOf(kind)
        const details = toVendorDetails((d) => {
          d.name = n
          d['crypto'] = { ikeVersion: mode.ike }
          d.remote.tunnels[0]!.psk = psk1
          d.remote.tunnels[1]!.psk = psk2
        })
        let rendered
        try {
          rendered = renderVendorDevice(toVendorInput(details, mode.routing), kind)
        } catch (err) {
          expect(err instanceof UserError || err instanceof EscapeError, String(err)).toBe(true)
          // A refusal never repeats the key.
          for (const p of [psk1, psk2]) if (p.length >= 4) expect((err as Error).message).not.toContain(p)
          return
        }
        const parsed = VENDOR_CHECKERS[kind](rendered.files[0]!.content)
        expect(parsed.issues).toEqual([])
        const psks = readPsks(kind, parsed)
        const perTunnel = kind === 'cisco-asa' ? 2 : 1
        expect(psks.filter((p) => p === psk1).length).toBeGreaterThanOrEqual(perTunnel)
        expect(psks.filter((p) => p === psk2).length).toBeGreaterThanOrEqual(perTunnel)
        expect(psks.every((p) => p === psk1 || p === psk2)).toBe(true)
        expect(psks).toHaveLength(perTunnel * 2)
      }),
      { numRuns: RUNS },
    )
  })
})
