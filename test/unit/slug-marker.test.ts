// Issue 14: slugs cut to 24 characters or emptied by transliteration made two connections share files,
// connection names and the pfSense marker. Slugs are now one per full name (short ASCII names keep the
// slug the field already has), every rendered file carries a lossless name marker, and the overlap check
// treats a same-slug set whose marker names another full name as a collision.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { findOverlaps } from '../../main/core/gateway/overlap'
import { fromNameMarkerValue, parseNameMarkers, SLUG_MAX, toNameMarkerValue, toSlug } from '../../main/core/details/slug'
import { renderDevice, type RenderKind } from '../../main/core/render/index'
import { sampleDetails, sampleInput } from '../support/render-sample'

const RUNS = Math.max(500, Number(process.env['TW_FUZZ_RUNS'] ?? 0) || 0)
const KINDS: readonly RenderKind[] = ['strongswan', 'strongswan-legacy', 'libreswan', 'openswan', 'pfsense']
const SLUG = /^[a-z](?:[a-z0-9]|-(?=[a-z0-9]))*$/

/** The slug of earlier versions, kept here as the reference for names that must not change. */
function legacySlug(name: string): string {
  const base = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
  const lettered = /^[a-z]/.test(base) ? base : `tw-${base}`
  return lettered.slice(0, 24).replace(/-+$/, '') || 'tw'
}

/** True where the legacy slug was neither cut nor transliterated nor empty: those slugs must not change. */
function isFieldSlug(name: string): boolean {
  const base = name.normalize('NFKD').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '')
  return /^[\x20-\x7e]*$/.test(name) && base !== '' && (/^[a-z]/.test(base) ? base : `tw-${base}`).length <= 24
}

const anyName = fc.oneof(
  fc.string({ minLength: 1, maxLength: 100 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
  fc.stringMatching(/^[A-Za-z][A-Za-z ]{0,60}$/),
  fc.constantFrom('Department of Agriculture East', 'Department of Agriculture West', '农业部', '财政部', '🚀🚀', '🛰️', 'Agency A', 'agency-a', 'Café', 'Cafe'),
)

describe('toSlug', () => {
  it('names that used to meet on one slug get different ones', () => {
    const pairs = [
      ['Department of Agriculture East', 'Department of Agriculture West'],
      ['农业部', '财政部'],
      ['🚀', '🛰️'],
      ['!!!', '???'],
      ['Café Agency', 'Cafe Agency'],
    ]
    for (const [a, b] of pairs) {
      expect(toSlug(a!), `${a} / ${b}`).not.toBe(toSlug(b!))
      for (const s of [toSlug(a!), toSlug(b!)]) {
        expect(s).toMatch(SLUG)
        expect(s.length).toBeLessThanOrEqual(SLUG_MAX)
        expect(s).not.toBe('tw')
      }
    }
    expect(toSlug('Department of Agriculture East')).toMatch(/^department-of-ag-[a-z2-7]{7}$/)
  })

  it('short printable-ASCII names keep the slug gateways in the field already carry', () => {
    for (const name of ['Agency East', 'agency', '123 Agency', 'Department of Agricultur', 'USDA / FS (West)']) expect(toSlug(name)).toBe(legacySlug(name))
    fc.assert(
      fc.property(anyName, (name) => {
        if (isFieldSlug(name)) expect(toSlug(name)).toBe(legacySlug(name))
      }),
      { numRuns: RUNS },
    )
  })

  it('is always a valid name, and different names meet only where both are short ASCII names (the marker tells those apart)', () => {
    fc.assert(
      fc.property(anyName, anyName, (a, b) => {
        for (const s of [toSlug(a), toSlug(b)]) {
          expect(s).toMatch(SLUG)
          expect(s.length).toBeLessThanOrEqual(SLUG_MAX)
        }
        if (a.normalize('NFC') !== b.normalize('NFC') && toSlug(a) === toSlug(b)) expect(isFieldSlug(a) && isFieldSlug(b)).toBe(true)
      }),
      { numRuns: RUNS },
    )
  })
})

describe('the name marker', () => {
  it('is lossless and uses only characters inert in every format', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 100 }), fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 })), (name) => {
        const v = toNameMarkerValue(name)
        expect(v).toMatch(/^[A-Za-z0-9,_.:()@+% -]*$/)
        expect(v).not.toMatch(/^ | $|\*\/|\?>/)
        // Lone surrogates cannot be UTF-8 encoded; they come back as U+FFFD like any UTF-8 text would.
        expect(fromNameMarkerValue(v)).toBe(Buffer.from(name.normalize('NFC'), 'utf8').toString('utf8'))
      }),
      { numRuns: RUNS },
    )
  })

  it('every rendered file and the pfSense descriptions carry it, and parseNameMarkers reads it back', () => {
    for (const name of ['Department of Agriculture East', '农业部 [HQ] "north" & <south>', 'Agency A']) {
      for (const kind of KINDS) {
        const r = renderDevice(sampleInput('policy', { name }), kind)
        const slug = toSlug(name)
        const texts = kind === 'pfsense' ? [r.phpScript ?? ''] : r.files.map((f) => f.content)
        for (const t of texts) expect(parseNameMarkers(t), `${kind}: ${name}`).toContainEqual({ slug, name: name.normalize('NFC') })
      }
    }
    // As pfSense stores the description in config.xml.
    expect(parseNameMarkers('<descr><![CDATA[[tunnelwright:agency-a:t1] Agency A]]></descr>')).toEqual([{ slug: 'agency-a', name: 'Agency A' }])
  })

  it('East and West now render to different files and connection names', () => {
    const east = renderDevice(sampleInput('policy', { name: 'Department of Agriculture East' }), 'strongswan')
    const west = renderDevice(sampleInput('policy', { name: 'Department of Agriculture West' }), 'strongswan')
    expect(east.files.map((f) => f.path).filter((p) => west.files.some((w) => w.path === p))).toEqual([])
    expect(east.connectionNames.filter((n) => west.connectionNames.includes(n))).toEqual([])
  })
})

describe('overlap check with name markers', () => {
  it('a same-slug connection set made for another full name is a collision with a clear warning, not ours', () => {
    const theirs = renderDevice(sampleInput('policy', { name: 'Agency A' }), 'strongswan')
    const markers = parseNameMarkers(theirs.files.map((f) => f.content).join('\n'))
    const conns = theirs.connectionNames.map((name) => ({ name, remoteAddrs: ['203.0.113.99'], localTs: ['10.99.0.0/24'], remoteTs: ['10.98.0.0/24'] }))

    const other = sampleDetails({ name: 'agency-a' })
    expect(toSlug(other.name)).toBe(toSlug('Agency A'))
    const ours = renderDevice(sampleInput('policy', { name: 'agency-a' }), 'strongswan').connectionNames
    const found = findOverlaps(conns, other, ours, markers)
    expect(found).toHaveLength(1)
    expect(found[0]!.reason).toContain('made by Tunnelwright for "Agency A", not for "agency-a"')
    expect(found[0]!.reason).toMatch(/would overwrite it/)

    // The same name is ours: nothing to report.
    expect(findOverlaps(conns, sampleDetails({ name: 'Agency A' }), theirs.connectionNames, markers)).toEqual([])
  })

  it('a marker from a hostile gateway is shown quoted, never raw', () => {
    const markers = [{ slug: 'agency-a', name: 'x\u001b[31m\nFAKE' }]
    const [found] = findOverlaps([], sampleDetails({ name: 'agency-a' }), ['agency-a-t1', 'agency-a-t2'], markers)
    expect(found!.reason.includes('\u001b') || found!.reason.includes('\n')).toBe(false)
  })
})
