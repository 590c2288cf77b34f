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

const PSK_MARKERS = new Set(['key', 'pre-shared-key', 'psksecret', 'ascii-text', '-PreSharedKey', '-SharedSecret'])

/** The word after an unquoted PSK keyword is the PSK (a quoted value "key" is not a keyword). */
function isPskSlot(prev: ParsedConfig['commands'][number]['words'][number] | undefined): boolean {
  return prev !== undefined && !prev.quoted && PSK_MARKERS.has(prev.text)
}

/** The shape of a parsed configuration: per command its depth and its words, quoted values and PSKs (the word after a PSK keyword) blanked. */
function shapeOf(parsed: ParsedConfig): string[] {
  return parsed.commands.map((c) => `${c.depth}:${c.words.map((w, i) => (w.quoted || isPskSlot(c.words[i - 1]) ? '·' : w.text)).join(' ')}`)
}

describe('a hostile name or PSK never changes what the configuration says', () => {
  // Breaking out of a quoted value or a comment would add, drop or reshape a command: so the same details
  // with a plain name and plain PSKs must give the same commands, keyword for keyword, in every mode
  // (route/policy, IKEv1/IKEv2, behind NAT or not) the platform accepts.
  const mode = fc.record({ ike: fc.constantFrom(1 as const, 2 as const), routing: fc.constantFrom('route' as const, 'policy' as const), nat: fc.boolean() })
  const PLAIN = { name: 'agency', psk1: 'Plain1psk.aaaaaaaa', psk2: 'Plain2psk.bbbbbbbb' }

  function renderWith(kind: VendorKind, m: { ike: 1 | 2; routing: 'route' | 'policy'; nat: boolean }, n: string, psk1: string, psk2: string) {
    const details = toVendorDetails((d) => {
      d.name = n
      d['crypto'] = { ikeVersion: m.ike }
      if (m.nat) d.gateway['localAddress'] = '192.168.1.5'
      d.remote.tunnels[0]!.psk = psk1
      d.remote.tunnels[1]!.psk = psk2
    })
    return renderVendorDevice(toVendorInput(details, m.routing), kind).files[0]!.content
  }

  test.each(VENDOR_KINDS.map((k) => [k]))(`%s: same commands as with a plain name and PSKs, in every mode (${RUNS} runs)`, (kind) => {
    let compared = 0
    fc.assert(
      fc.property(hostile, hostile, mode, (psk1, psk2, m) => {
        let plain: string
        try {
          plain = renderWith(kind, m, PLAIN.name, PLAIN.psk1, PLAIN.psk2)
        } catch (err) {
          // The platform refuses this mode whatever the values (e.g. ASA IKEv1 with SHA-2): a clear UserError.
          expect(err instanceof UserError, String(err)).toBe(true)
          return
        }
        let hostileText: string
        try {
          hostileText = renderWith(kind, m, PLAIN.name, psk1, psk2)
        } catch (err) {
          expect(err instanceof UserError || err instanceof EscapeError, String(err)).toBe(true)
          for (const p of [psk1, psk2]) if (p.length >= 4) expect((err as Error).message).not.toContain(p)
          return
        }
        const a = VENDOR_CHECKERS[kind](plain)
        const b = VENDOR_CHECKERS[kind](hostileText)
        expect(b.issues).toEqual([])
        expect(shapeOf(b)).toEqual(shapeOf(a))
        compared++
      }),
      { numRuns: RUNS },
    )
    expect(compared, 'some hostile PSKs render (not every case is refused)').toBeGreaterThan(0)
  })

  test.each(VENDOR_KINDS.map((k) => [k]))(`%s: a hostile name is refused or changes no command (${RUNS} runs)`, (kind) => {
    fc.assert(
      fc.property(name, mode, (n, m) => {
        let plain: string
        try {
          plain = renderWith(kind, m, PLAIN.name, PLAIN.psk1, PLAIN.psk2)
        } catch {
          return
        }
        let named: string
        try {
          named = renderWith(kind, m, n, PLAIN.psk1, PLAIN.psk2)
        } catch (err) {
          expect(err instanceof UserError || err instanceof EscapeError, String(err)).toBe(true)
          return
        }
        const a = VENDOR_CHECKERS[kind](plain)
        const b = VENDOR_CHECKERS[kind](named)
        expect(b.issues).toEqual([])
        // Names become identifiers (slugs) and comments: the command count and depth never change.
        expect(b.commands.map((c) => c.depth)).toEqual(a.commands.map((c) => c.depth))
        expect(b.commands.map((c) => c.words[0]?.text)).toEqual(a.commands.map((c) => c.words[0]?.text))
      }),
      { numRuns: RUNS },
    )
  })
})
