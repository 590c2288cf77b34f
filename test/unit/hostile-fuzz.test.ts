// Hostile input, fuzzed (issue 14): details documents (as text and as files), details that lint passes
// (rendered for every device kind, routing and device version), AWS exports (every shape, real ones too) and
// profile exports (parse + decrypt). For every input the core either returns a result or throws a
// UserError with a clear message — never another exception type — and no secret of the input appears
// in any error text. Time is measured, not asserted; what bounds it is asserted instead: no profile
// export ever makes the app run scrypt above the cost it writes itself (the real scrypt, observed).
//
// CI runs a modest count; raise it with TW_FUZZ_RUNS=N (e.g. 20000 for a long local run).
import type * as NodeCrypto from 'node:crypto'
import { readdirSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { EXPORT_KDF, type EncryptedEnvelope } from '../../main/core/app-data/export-crypto'
import { openExportSecrets, parseProfileExport, PROFILE_EXPORT_FORMAT, toExportSecretsEnvelope } from '../../main/core/app-data/profiles'
import { UserError } from '../../main/core/base/result'
import { importAwsExportText, importAwsJson, importAwsText, importAwsXml } from '../../main/core/details/aws-import'
import { hasErrors, lintDetails } from '../../main/core/details/lint'
import { loadDetailsFile, parseDetailsText } from '../../main/core/details/load'
import { Details, DeviceKind } from '../../main/core/details/model'
import { toRenderInput } from '../../main/core/details/resolve'
import { renderDevice, type RenderKind } from '../../main/core/render/index'
import { HOSTILE, sampleDetails } from '../support/render-sample'

// The real scrypt, wrapped to record the cost of every call (a spy, not a fake: it still derives keys).
const kdfCalls = vi.hoisted(() => [] as { N: number; r: number; p: number }[])
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof NodeCrypto>()
  const scrypt = ((...args: unknown[]) => {
    const o = args[3] as { N?: number; r?: number; p?: number }
    kdfCalls.push({ N: o.N ?? 16384, r: o.r ?? 8, p: o.p ?? 1 })
    return (real.scrypt as (...a: unknown[]) => void)(...args)
  }) as typeof real.scrypt
  return { ...real, default: { ...real, scrypt }, scrypt }
})

const RUNS = Number(process.env['TW_FUZZ_RUNS'] ?? 0) || 150
const SLOW = { timeout: 600_000 }
const KINDS: readonly RenderKind[] = ['strongswan', 'strongswan-legacy', 'libreswan', 'openswan', 'pfsense']
const tmp = mkdtempSync(join(tmpdir(), 'tw-hostile-fuzz-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

/** Wall time per family, printed once at the end (a measurement, never an assertion). */
const timings = new Map<string, number[]>()
function timed<T>(family: string, f: () => T): T {
  const t0 = performance.now()
  try {
    return f()
  } finally {
    const list = timings.get(family) ?? []
    list.push(performance.now() - t0)
    timings.set(family, list)
  }
}
afterAll(() => {
  const rows = [...timings].map(([k, v]) => `${k}: ${v.length} cases, max ${Math.max(...v).toFixed(1)} ms, total ${v.reduce((a, b) => a + b, 0).toFixed(0)} ms`)
  process.stdout.write(`hostile-fuzz timings (measured, not asserted) — ${rows.join('; ')}\n`)
})

/** True when text holds a control or bidi-override character other than a line break. */
function hasControl(text: string): boolean {
  return Array.from(text).some((ch) => {
    const c = ch.codePointAt(0)!
    return (c < 0x20 && c !== 0x0a) || (c >= 0x7f && c < 0xa0) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)
  })
}

/** The error a hostile input may produce: a UserError whose text is clear and carries no secret. */
function expectClearUserError(err: unknown, secrets: readonly string[]): void {
  if (!(err instanceof UserError)) throw new Error(`not a UserError: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`)
  const text = [err.message, err.likelyCause ?? '', err.fix ?? ''].join('\n')
  expect(err.code).toMatch(/^[a-z0-9-]+$/)
  expect(err.message.trim().length, err.code).toBeGreaterThan(10)
  expect((err.fix ?? err.likelyCause ?? '').length, `${err.code} has neither fix nor likely cause`).toBeGreaterThan(0)
  expect(err.message.length, err.code).toBeLessThan(4000)
  // One line per message part (schema errors list issues on their own lines); no terminal escapes.
  expect(hasControl(text), `${err.code}: control characters in ${JSON.stringify(err.message)}`).toBe(false)
  for (const s of secrets) {
    if (s.length < 6) continue
    expect(text.includes(s), `${err.code} quotes a secret`).toBe(false)
    expect(text.includes(JSON.stringify(s).slice(1, -1)), `${err.code} quotes a secret (JSON-escaped)`).toBe(false)
  }
}

/** Runs f: its result is fine, a UserError must be clear, anything else fails the property. */
function resultOrClearError<T>(f: () => T, secrets: readonly string[]): T | undefined {
  try {
    return f()
  } catch (err) {
    expectClearUserError(err, secrets)
    return undefined
  }
}

async function resultOrClearErrorAsync<T>(f: () => Promise<T>, secrets: readonly string[]): Promise<T | undefined> {
  try {
    return await f()
  } catch (err) {
    expectClearUserError(err, secrets)
    return undefined
  }
}

// ---------------------------------------------------------------------------------------------
// Text mutations shared by every family: the shapes a damaged or crafted file takes.

type Mutation =
  | { readonly kind: 'delete'; readonly at: number; readonly len: number }
  | { readonly kind: 'insert'; readonly at: number; readonly text: string }
  | { readonly kind: 'replace'; readonly at: number; readonly len: number; readonly text: string }
  | { readonly kind: 'duplicate-line'; readonly at: number }
  | { readonly kind: 'truncate'; readonly at: number }

const junk = fc.oneof(
  fc.constantFrom(...HOSTILE, '\u001b[2J', '\u202e', '\ufeff', '<!DOCTYPE x [<!ENTITY a "b">]>', '&a;', ']]>', '<![CDATA[', '{', '}', '[', ']', ',', '"', ':', 'null', '1e999', '-0', '\\u0000', '\\ud800'),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
)
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: junk }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 12 }), text: junk }),
  fc.record({ kind: fc.constant('duplicate-line' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
)

function applyMutations(text: string, ms: readonly Mutation[]): string {
  let s = text
  for (const m of ms) {
    const at = s.length === 0 ? 0 : m.at % (s.length + 1)
    if (m.kind === 'delete') s = s.slice(0, at) + s.slice(at + m.len)
    else if (m.kind === 'insert') s = s.slice(0, at) + m.text + s.slice(at)
    else if (m.kind === 'replace') s = s.slice(0, at) + m.text + s.slice(at + m.len)
    else if (m.kind === 'truncate') s = s.slice(0, at)
    else {
      const lines = s.split('\n')
      const i = lines.length === 0 ? 0 : m.at % lines.length
      lines.splice(i, 0, lines[i] ?? '')
      s = lines.join('\n')
    }
  }
  return s
}

// ---------------------------------------------------------------------------------------------
// Details documents.

const octet = fc.nat(255)
const pub = fc.tuple(fc.constantFrom(3, 18, 34, 35, 52, 54, 99, 44, 8), octet, octet, fc.integer({ min: 1, max: 254 })).map((o) => o.join('.'))
const anyIp = fc.oneof(pub, fc.tuple(octet, octet, octet, octet).map((o) => o.join('.')))
function toNet(a: number, b: number, bits: number): string {
  const v = ((a << 24) | (b << 16)) >>> 0
  const m = bits === 0 ? 0 : (v & ((~0 << (32 - bits)) >>> 0)) >>> 0
  return `${m >>> 24}.${(m >>> 16) & 255}.${(m >>> 8) & 255}.${m & 255}/${bits}`
}
const agencyCidr = fc.oneof(
  fc.tuple(fc.constant(10), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 8, max: 30 })),
  fc.tuple(fc.constant(192), fc.constant(168), fc.integer({ min: 16, max: 30 })),
  fc.tuple(fc.constant(172), fc.integer({ min: 16, max: 31 }), fc.integer({ min: 12, max: 30 })),
  fc.tuple(octet, octet, fc.integer({ min: 0, max: 32 })),
).map(([a, b, n]) => toNet(a, b, n))
const dedicatedCidr = fc.tuple(fc.constant(10), fc.integer({ min: 100, max: 255 }), fc.integer({ min: 9, max: 30 })).map(([a, b, n]) => toNet(a, b, n))
const insideCidr = fc.oneof(fc.integer({ min: 1600, max: 16000 }).map((k) => `169.254.${Math.floor((k * 4) / 256)}.${(k * 4) % 256}/30`), fc.constantFrom('169.254.0.0/30', '169.254.10.1/30', '169.254.0.0/29'))
const awsPsk = fc.stringMatching(/^[A-Za-z1-9._][A-Za-z0-9._]{7,63}$/)
const hostileName = fc.oneof(
  fc.array(fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ unit: 'grapheme', maxLength: 6 })), { minLength: 1, maxLength: 12 }).map((p) => p.join('').slice(0, 100)),
  fc.string({ minLength: 1, maxLength: 100 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 100 }),
  fc.constantFrom('Department of Agriculture East', '农业部', '🛰️'),
).filter((s) => s.length >= 1 && s.length <= 100)
/** Mostly lint-clean documents (so rendering is reached), with enough variety to hit every branch. */
const detailsDoc = fc.record(
  {
    format: fc.constant('tunnelwright/details@1'),
    name: hostileName,
    provider: fc.constantFrom('cloud.gov', 'aws'),
    gateway: fc.record({ publicIp: pub, privateCidrs: fc.array(agencyCidr, { minLength: 1, maxLength: 3 }), kind: fc.constantFrom(...DeviceKind.options), localAddress: fc.oneof(pub, fc.constantFrom('192.168.1.2', '100.64.0.2')) }, { requiredKeys: ['publicIp', 'privateCidrs'] }),
    remote: fc.record(
      { dedicatedCidrs: fc.array(dedicatedCidr, { minLength: 1, maxLength: 2 }), egressIps: fc.array(anyIp, { maxLength: 2 }), tunnels: fc.tuple(fc.record({ outsideIp: pub, psk: awsPsk, insideCidr }), fc.record({ outsideIp: pub, psk: awsPsk, insideCidr })) },
      { requiredKeys: ['dedicatedCidrs', 'tunnels'] },
    ),
    crypto: fc.record(
      {
        ikeVersion: fc.constantFrom(1, 2),
        encryption: fc.constantFrom('aes256', 'aes128', 'aes256gcm16', 'aes128gcm16', '3des'),
        integrity: fc.constantFrom('sha256', 'sha384', 'sha512', 'sha1'),
        dhGroup: fc.constantFrom(14, 15, 16, 17, 18, 19, 20, 21, 2, 24),
        pfsGroup: fc.constantFrom(14, 15, 16, 17, 18, 19, 20, 21, 0, 5),
        ikeLifetime: fc.oneof(fc.constant(28800), fc.integer({ min: 900, max: 28800 })),
        ipsecLifetime: fc.oneof(fc.constant(3600), fc.integer({ min: 900, max: 3600 })),
        dpd: fc.record({ delay: fc.integer({ min: 1, max: 60 }), timeout: fc.integer({ min: 1, max: 300 }) }),
      },
      { requiredKeys: [] },
    ),
    routing: fc.constantFrom('auto', 'route', 'policy'),
    health: fc.record({ target: anyIp }),
  },
  { requiredKeys: ['format', 'name', 'provider', 'gateway', 'remote'] },
)
type DetailsDoc = typeof detailsDoc extends fc.Arbitrary<infer T> ? T : never
/** The same documents with crypto AWS accepts and no health target: most pass lint, so rendering is reached. */
const renderableDoc = fc
  .tuple(
    detailsDoc,
    fc.record({
      ikeVersion: fc.constantFrom(1, 2),
      encryption: fc.constantFrom('aes256', 'aes128'),
      integrity: fc.constantFrom('sha256', 'sha384', 'sha512'),
      dhGroup: fc.constantFrom(14, 15, 16, 19, 20, 21),
      pfsGroup: fc.constantFrom(14, 15, 16, 19, 20, 21),
    }),
  )
  .map(([doc, crypto]) => ({ ...doc, crypto, health: undefined, remote: { ...doc.remote, egressIps: [] } }))
const pskOf = (d: DetailsDoc) => d.remote.tunnels.map((t) => t.psk)
const NO_FILES = { env: {}, readFile: () => '' }

describe('details documents', () => {
  it(`parseDetailsText: a document, or a clear UserError without the PSKs (${RUNS} runs)`, SLOW, () => {
    fc.assert(
      fc.property(detailsDoc, fc.array(mutation, { maxLength: 4 }), fc.boolean(), (doc, ms, pretty) => {
        const text = applyMutations(JSON.stringify(doc, null, pretty ? 2 : 0), ms)
        const parsed = timed('details-text', () => resultOrClearError(() => parseDetailsText(text, 'd.json'), pskOf(doc)))
        if (parsed !== undefined) expect(() => lintDetails(parsed, { sources: NO_FILES })).not.toThrow()
      }),
      { numRuns: RUNS },
    )
  })

  it(`loadDetailsFile on arbitrary bytes: a document, or a clear UserError (${Math.ceil(RUNS / 3)} runs)`, SLOW, () => {
    const file = join(tmp, 'details.json')
    fc.assert(
      fc.property(detailsDoc, fc.uint8Array({ maxLength: 6 }), fc.nat(), (doc, bytes, at) => {
        const good = Buffer.from(JSON.stringify(doc), 'utf8')
        const i = at % (good.length + 1)
        writeFileSync(file, Buffer.concat([good.subarray(0, i), bytes, good.subarray(i)]), { mode: 0o600 })
        timed('details-file', () => resultOrClearError(() => loadDetailsFile(file), pskOf(doc)))
      }),
      { numRuns: Math.ceil(RUNS / 3) },
    )
  })
})

// ---------------------------------------------------------------------------------------------
// Rendering: whatever lint passes renders, for every kind, routing and device version.

const VERSIONS: Readonly<Record<RenderKind, readonly string[]>> = {
  strongswan: ['5.9.8', '6.0.1', '5.9.13-2+deb13u1', '5.5.3'],
  'strongswan-legacy': ['5.9.8', '5.6.2-1ubuntu2.9', '5.9.13~rc1'],
  libreswan: ['4.10', '5.2', '3.29', '4.10-2+deb12u1', '4.12-2.el9_4.1.x86_64.really.long.package.release.string.with-more-parts'],
  openswan: ['2.6.38', '2.6.51.5-1.el6'],
  pfsense: ['2.7.2', '2.7.2+p1', '2.7.2~rc1', '2.4.5_1', '24.11-RELEASE', '2.8.0-dev-dcc7c577b5'],
}
const anyVersion = fc.stringMatching(/^\d{1,3}(\.\d{1,3}){0,3}([._+~-][A-Za-z0-9]{1,12}){0,8}$/)

describe('rendering details that lint passes', () => {
  it('pfSense versions with + or ~ and long Libreswan versions render (they hit EscapeError)', () => {
    const input = toRenderInput(sampleDetails(), { routing: 'policy', sources: NO_FILES })
    for (const version of VERSIONS.pfsense) expect(renderDevice(input, 'pfsense', { version }).phpScript).toContain(`pfSense ${version}`)
    for (const version of VERSIONS.libreswan) expect(renderDevice(input, 'libreswan', { version }).files[0]!.content).toContain(`libreswan-${version.replace(/[^A-Za-z0-9_.-]/g, '-')}`)
    const tooLong = `4.10-${'x'.repeat(200)}`
    expect(() => renderDevice(input, 'libreswan', { version: tooLong })).toThrow(/not a version number \(longer than 128 characters\)/)
  })

  it(`every kind × routing × version renders, or refuses with a clear UserError (${Math.ceil(RUNS / 2)} runs)`, SLOW, () => {
    let rendered = 0
    fc.assert(
      fc.property(renderableDoc, anyVersion, fc.nat(), (doc, randomVersion, pick) => {
        const parsed = Details.safeParse(doc)
        fc.pre(parsed.success)
        const details = parsed.data!
        fc.pre(!timed('lint', () => hasErrors(lintDetails(details, { sources: NO_FILES }))))
        for (const kind of KINDS) {
          if (timed('lint', () => hasErrors(lintDetails(details, { sources: NO_FILES, device: { kind } })))) continue
          for (const routing of ['route', 'policy'] as const) {
            for (const version of [undefined, VERSIONS[kind][pick % VERSIONS[kind].length], randomVersion]) {
              const out = timed('render', () => resultOrClearError(() => renderDevice(toRenderInput(details, { routing, sources: NO_FILES }), kind, version === undefined ? {} : { version }), pskOf(doc)))
              if (out !== undefined) rendered++
            }
          }
        }
      }),
      { numRuns: Math.ceil(RUNS / 2) },
    )
    expect(rendered).toBeGreaterThan(0)
  })
})

// ---------------------------------------------------------------------------------------------
// AWS exports.

const AWS_DIR = join(__dirname, '../fixtures/aws')
const XML = ['vpn-static.xml', 'vpn-static-govcloud.xml'].map((f) => readFileSync(join(AWS_DIR, f), 'utf8'))
const TEXT = ['vpn-static-generic.txt', 'vpn-static-generic-reordered.txt', 'vpn-generic-placeholder.txt'].map((f) => readFileSync(join(AWS_DIR, f), 'utf8'))
const pskIn = (text: string) => [...text.matchAll(/(?:<pre_shared_key>|Pre-Shared Key\s+:\s*)([A-Za-z0-9._]{8,64})/g)].map((m) => m[1]!)

describe('AWS exports', () => {
  it(`importAwsXml: a draft, or a clear UserError without the PSKs (${RUNS} runs)`, SLOW, () => {
    fc.assert(
      fc.property(fc.constantFrom(...XML), fc.array(mutation, { maxLength: 4 }), (xml, ms) => {
        timed('aws-xml', () => resultOrClearError(() => importAwsXml(applyMutations(xml, ms)), pskIn(xml)))
      }),
      { numRuns: RUNS },
    )
  })

  it(`importAwsText: a draft, or a clear UserError without the PSKs (${RUNS} runs)`, SLOW, () => {
    fc.assert(
      fc.property(fc.constantFrom(...TEXT), fc.array(mutation, { maxLength: 4 }), (text, ms) => {
        timed('aws-text', () => resultOrClearError(() => importAwsText(applyMutations(text, ms)), pskIn(text)))
      }),
      { numRuns: RUNS },
    )
  })

  // Every shape the import reads: the real, published exports and the samples written for the tests.
  const ALL = [...readdirSync(AWS_DIR).filter((f) => /\.(xml|txt|json)$/.test(f)).map((f) => join(AWS_DIR, f)), ...readdirSync(join(AWS_DIR, 'real')).filter((f) => /\.(xml|txt|json|jsonc)$/.test(f)).map((f) => join(AWS_DIR, 'real', f))].map((p) => readFileSync(p, 'utf8'))
  /** Every key the exports carry, in each syntax a shape writes it in (XML, Generic text, JSON, device templates). */
  const keysIn = (text: string) =>
    [
      /<pre_shared_key>([^<]+)</g,
      /Pre-Shared Key\s*:\s*(\S+)/gi,
      /"PreSharedKey":\s*"([^"]+)"/g,
      /pre-shared-key address \S+ key (\S+)/g,
      /pre-shared-secret\s+'([^']+)'/g,
      /ascii-text\s+"?([^"\s]+)/g,
      /preshare\s+"([^"]+)"/g,
      /psksecret\s+(\S+)/g,
      /pre-shared-key key\s+(\S+)/g,
      /pre-shared-key \d+ text\s+(\S+)/g,
      /PSK\s+"([^"]+)"/g,
      /^\s*(?:ikev1\s+)?pre-shared-key\s+(\S+)\s*$/gm,
    ]
      .flatMap((re) => [...text.matchAll(re)].map((m) => m[1]!))
      // AWS's Cisco ASA VTI example leaves the key as the keyword itself ("pre-shared-key pre-shared-key"):
      // a word every message about keys may say, not a secret.
      .filter((k) => k.toLowerCase() !== 'pre-shared-key')

  it(`every real and written export, mutated, through shape detection: a draft, or a clear UserError without the keys (${RUNS} runs)`, SLOW, () => {
    expect(ALL.length).toBeGreaterThan(25)
    // The key patterns must find the keys, or the secrecy check below checks nothing.
    expect(ALL.filter((t) => keysIn(t).length >= 2).length).toBeGreaterThan(20)
    fc.assert(
      fc.property(fc.nat(ALL.length - 1), fc.array(mutation, { maxLength: 4 }), fc.constantFrom(undefined, '1', '2', 'vpn-0a1b2c3d4e5f60718'), (i, ms, pick) => {
        const text = ALL[i]!
        const mutated = applyMutations(text, ms)
        timed('aws-export', () => resultOrClearError(() => importAwsExportText(mutated, 'export', /^\s*[[{]/.test(mutated) ? pick : undefined), keysIn(text)))
      }),
      { numRuns: RUNS },
    )
  })

  it(`describe-vpn-connections JSON with any value replaced by any JSON: a draft, or a clear UserError without the keys (${RUNS} runs)`, SLOW, () => {
    const docs = ALL.filter((t) => /^\s*\{/.test(t) && /"VpnConnections?"/.test(t)).flatMap((t) => {
      try {
        return [JSON.parse(t) as unknown]
      } catch {
        return []
      }
    })
    expect(docs.length).toBeGreaterThan(4)
    /** Every path to a value in a JSON document. */
    const pathsOf = (v: unknown, at: (string | number)[] = []): (string | number)[][] =>
      v !== null && typeof v === 'object' ? [at, ...Object.entries(v as Record<string, unknown>).flatMap(([k, x]) => pathsOf(x, [...at, Array.isArray(v) ? Number(k) : k]))] : [at]
    const replaced = (doc: unknown, path: readonly (string | number)[], value: unknown): unknown => {
      if (path.length === 0) return value
      const copy = structuredClone(doc) as Record<string | number, unknown>
      let cur = copy
      for (const k of path.slice(0, -1)) cur = cur[k] as Record<string | number, unknown>
      cur[path[path.length - 1]!] = value
      return copy
    }
    fc.assert(
      fc.property(fc.nat(docs.length - 1), fc.nat(), fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(...HOSTILE), fc.constantFrom('<vpn_connection id="vpn-1"/>', 'ikev3', 'AES512', 99, -1, 1e21, '169.254.0.1/30', '2001:db8::/126')), (d, p, value) => {
        const doc = docs[d]!
        const paths = pathsOf(doc)
        const text = JSON.stringify(replaced(doc, paths[p % paths.length]!, value))
        timed('aws-json', () => resultOrClearError(() => importAwsJson(text, '1'), keysIn(JSON.stringify(doc))))
      }),
      { numRuns: RUNS },
    )
  })

  it('arbitrary text and XML-shaped junk is refused clearly by both importers', SLOW, () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 }), junk.map((j) => `<vpn_connection id="vpn-1">${j}</vpn_connection>`)), (text) => {
        timed('aws-junk', () => {
          resultOrClearError(() => importAwsXml(text), [])
          resultOrClearError(() => importAwsText(text), [])
          resultOrClearError(() => importAwsJson(text), [])
          resultOrClearError(() => importAwsExportText(text), [])
        })
      }),
      { numRuns: RUNS },
    )
  })
})

// ---------------------------------------------------------------------------------------------
// Profile exports (parse + decrypt).

const PASSPHRASE = 'correct horse battery staple'
const SECRETS = { psk1: 'Qn7xV2._kdP3aZ4rT8mWyL3sHc6bJ9fE', sshPassword: 'hunter2-hunter2-hunter2', sudoPassword: 'S3cond.sudo-password' }
const PROFILE = {
  name: 'Agency HQ',
  details: { name: 'Agency HQ', provider: 'cloud.gov', gateway: { publicIp: '34.120.5.6', privateCidrs: ['10.10.0.0/24'] }, remote: { dedicatedCidrs: ['10.200.0.0/16'], egressIps: [], tunnels: [{ outsideIp: '18.253.1.10', insideCidr: '169.254.44.8/30' }, { outsideIp: '18.253.2.20', insideCidr: '169.254.201.4/30' }] } },
  connection: { host: 'gw.example.org', port: 22, username: 'admin', auth: 'password', useSudo: false },
}
const b64Of = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map((b) => Buffer.from(b).toString('base64'))
/** What a crafted export changes: its KDF cost (within what the schema allows), IV, tag, salt, data, passphrase. */
const envelopeChange = fc.oneof(
  fc.record({ N: fc.constantFrom(2 ** 14, 2 ** 15, 2 ** 16, 2 ** 18, 2 ** 20), r: fc.integer({ min: 1, max: 32 }), p: fc.integer({ min: 1, max: 16 }) }).map((kdf) => ({ kdf })),
  fc.oneof(b64Of(0), b64Of(4), b64Of(12), b64Of(16), b64Of(64)).map((iv) => ({ iv })),
  fc.oneof(b64Of(0), b64Of(4), b64Of(15), b64Of(16)).map((tag) => ({ tag })),
  fc.oneof(b64Of(0), b64Of(8), b64Of(16), b64Of(1000)).map((salt) => ({ salt })),
  fc.oneof(b64Of(0), b64Of(3), b64Of(200)).map((data) => ({ data })),
  fc.constant({}),
)

describe('profile exports', () => {
  let envelope: EncryptedEnvelope
  beforeAll(async () => {
    envelope = await toExportSecretsEnvelope(SECRETS, PASSPHRASE)
  })

  it(`parse + open: the secrets, or a clear UserError; no scrypt above the app's own cost is ever run (${Math.ceil(RUNS / 3)} runs)`, SLOW, async () => {
    // The spy sees the KDF, and the app's own export opens: one known-good file, so this does not hang on what
    // the random cases happen to reach (a CI run once drew 50 cases that were all refused before the KDF).
    kdfCalls.length = 0
    const good = JSON.stringify({ format: PROFILE_EXPORT_FORMAT, profile: PROFILE, secrets: envelope }, null, 2)
    expect(await openExportSecrets(parseProfileExport(good), PASSPHRASE)).toEqual(SECRETS)
    expect(kdfCalls).toEqual([{ N: EXPORT_KDF.N, r: EXPORT_KDF.r, p: EXPORT_KDF.p }])
    await fc.assert(
      fc.asyncProperty(envelopeChange, fc.array(mutation, { maxLength: 2 }), fc.constantFrom(PASSPHRASE, 'wrong horse battery staple', 'x'.repeat(5000), undefined), async (change, ms, passphrase) => {
        const { kdf, salt, ...rest } = change as { kdf?: object; salt?: string } & Record<string, string>
        const env = { ...envelope, ...rest, kdf: { ...envelope.kdf, ...kdf, ...(salt === undefined ? {} : { salt }) } }
        const text = applyMutations(JSON.stringify({ format: PROFILE_EXPORT_FORMAT, profile: PROFILE, secrets: env }, null, 2), ms)
        const t0 = performance.now()
        const exp = resultOrClearError(() => parseProfileExport(text), [PASSPHRASE, ...Object.values(SECRETS)])
        if (exp === undefined) return
        const secrets = await resultOrClearErrorAsync(() => openExportSecrets(exp, passphrase), [PASSPHRASE, ...Object.values(SECRETS)])
        timings.set('profile-export', [...(timings.get('profile-export') ?? []), performance.now() - t0])
        if (secrets !== undefined && Object.keys(secrets).length > 0) expect(secrets).toEqual(SECRETS)
      }),
      { numRuns: Math.ceil(RUNS / 3) },
    )
    for (const c of kdfCalls) expect(c).toEqual({ N: EXPORT_KDF.N, r: EXPORT_KDF.r, p: EXPORT_KDF.p })
  })

  it('a crafted export asking for N=2^20, r=32, p=16 is refused before any key derivation', async () => {
    kdfCalls.length = 0
    const text = JSON.stringify({ format: PROFILE_EXPORT_FORMAT, profile: PROFILE, secrets: { ...envelope, kdf: { ...envelope.kdf, N: 2 ** 20, r: 32, p: 16 } } })
    const err = await openExportSecrets(parseProfileExport(text), PASSPHRASE).then(
      () => undefined,
      (e: unknown) => e,
    )
    expectClearUserError(err, [PASSPHRASE])
    expect((err as UserError).code).toBe('export-kdf')
    expect(kdfCalls).toEqual([])
  })
})
