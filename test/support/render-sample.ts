// Sample details for renderer tests: a cloud.gov-shaped connection with two tunnels and inline PSKs.
import { Details, DETAILS_FORMAT } from '../../main/core/details/model'
import type fcDefault from 'fast-check'
import { toRenderInput, type RenderInput, type RoutingMode } from '../../main/core/details/resolve'

type FastCheck = typeof fcDefault

/** A parsed details document with the given overrides (name, PSKs, CIDRs, NAT). */
export function sampleDetails(over: { name?: string; psk1?: string; psk2?: string; privateCidrs?: string[]; dedicatedCidrs?: string[]; localAddress?: string; publicIp?: string; outside?: [string, string]; inside?: [string, string]; crypto?: Record<string, unknown>; health?: string } = {}): Details {
  return Details.parse({
    format: DETAILS_FORMAT,
    name: over.name ?? 'Agency East',
    provider: 'cloud.gov',
    gateway: { publicIp: over.publicIp ?? '198.51.100.10', privateCidrs: over.privateCidrs ?? ['10.40.0.0/24'], ...(over.localAddress ? { localAddress: over.localAddress } : {}) },
    remote: {
      dedicatedCidrs: over.dedicatedCidrs ?? ['172.31.16.0/20'],
      tunnels: [
        { outsideIp: over.outside?.[0] ?? '203.0.113.21', psk: over.psk1 ?? 'Tunnel1.Key_abcdefgh', insideCidr: over.inside?.[0] ?? '169.254.10.0/30' },
        { outsideIp: over.outside?.[1] ?? '203.0.113.22', psk: over.psk2 ?? 'Tunnel2.Key_ijklmnop', insideCidr: over.inside?.[1] ?? '169.254.11.0/30' },
      ],
    },
    ...(over.crypto ? { crypto: over.crypto } : {}),
    ...(over.health ? { health: { target: over.health } } : {}),
  })
}

/** sampleDetails resolved for rendering (inline PSKs only, so no real environment is read). */
export function sampleInput(routing: RoutingMode, over: Parameters<typeof sampleDetails>[0] = {}): RenderInput {
  return toRenderInput(sampleDetails(over), { routing, sources: { env: {}, readFile: () => { throw new Error('no files in tests') } } })
}

/** Strings that try to break out of every format we write (quotes, newlines, braces, $(), backticks, #, ;, PHP tags, unicode). */
export const HOSTILE = ['"', "'", '\\', '\n', '\r', '{', '}', '$(id)', '`id`', '#', ';', '?>', '*/', '<?php', '${x}', '\u0000', '\u2028', '\u00fc', '\u{1F600}', '%any', '0s', 'include /etc/shadow', ']]>', '=']

/** fast-check arbitraries for valid, varied details (for property tests of the renderers). */
export function detailsArbitraries(fc: FastCheck) {
  const octet = fc.integer({ min: 1, max: 223 })
  const ip = fc.tuple(octet, fc.nat(255), fc.nat(255), fc.integer({ min: 1, max: 254 })).map((a) => a.join('.'))
  const cidr = fc.tuple(fc.integer({ min: 1, max: 223 }), fc.nat(255), fc.integer({ min: 8, max: 30 })).map(([a, b, n]) => {
    const v = ((a << 24) | (b << 16)) >>> 0
    const masked = (v & (n === 0 ? 0 : (~0 << (32 - n)) >>> 0)) >>> 0
    return `${masked >>> 24}.${(masked >>> 16) & 255}.${(masked >>> 8) & 255}.${masked & 255}/${n}`
  })
  const inside = fc.integer({ min: 6, max: 16000 }).map((k) => `169.254.${Math.floor((k * 4) / 256)}.${(k * 4) % 256}/30`)
  const hostile = fc.array(fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ unit: 'grapheme', maxLength: 6 })), { minLength: 1, maxLength: 8 }).map((p) => p.join('')).filter((s) => s.length >= 1)
  const name = fc.oneof(hostile, fc.string({ minLength: 1, maxLength: 40 })).filter((s) => s.length >= 1 && s.length <= 100)
  const psk = fc.oneof(fc.stringMatching(/^[A-Za-z1-9._][A-Za-z0-9._]{7,63}$/), hostile.filter((s) => s.length <= 256))
  const crypto = fc.record({
    ikeVersion: fc.constantFrom(1, 2),
    encryption: fc.constantFrom('aes256', 'aes128'),
    integrity: fc.constantFrom('sha256', 'sha384', 'sha512'),
    dhGroup: fc.constantFrom(14, 15, 16),
    pfsGroup: fc.constantFrom(14, 15, 16, 0),
    ikeLifetime: fc.integer({ min: 900, max: 28800 }),
    ipsecLifetime: fc.integer({ min: 900, max: 3600 }),
  })
  const details = fc.record({
    name,
    psk1: psk,
    psk2: psk,
    publicIp: ip,
    localAddress: fc.option(ip, { nil: undefined }),
    outside: fc.tuple(ip, ip).filter(([a, b]) => a !== b),
    inside: fc.tuple(inside, inside).filter(([a, b]) => a !== b),
    privateCidrs: fc.array(cidr, { minLength: 1, maxLength: 4 }),
    dedicatedCidrs: fc.array(cidr, { minLength: 1, maxLength: 3 }),
    crypto,
  })
  return { details, routing: fc.constantFrom('route' as const, 'policy' as const) }
}
