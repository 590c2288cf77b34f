// Property-based: lint never throws on schema-valid details, and no finding ever carries a PSK.
// Runs 2,000 cases; raise with TW_FUZZ_RUNS=N.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { lintDetails, type DeviceFacts } from '../../main/core/details/lint'
import { Details, DeviceKind } from '../../main/core/details/model'
import type { SecretSources } from '../../main/core/details/resolve'

const RUNS = Math.max(2000, Number(process.env.TW_FUZZ_RUNS ?? 0) || 0)

const octet = fc.nat(255)
// Half the addresses come from the blocks lint cares about (private, link-local, lab, documentation…).
const ipv4 = fc.oneof(
  fc.tuple(octet, octet, octet, octet),
  fc.tuple(fc.constantFrom(0, 10, 18, 34, 100, 127, 169, 172, 192, 198, 203, 224, 240, 255), fc.constantFrom(0, 2, 16, 18, 51, 64, 88, 168, 254, 255), octet, octet),
).map((o) => o.join('.'))
const cidr = fc.tuple(ipv4, fc.oneof(fc.integer({ min: 0, max: 32 }), fc.constantFrom(8, 16, 24, 30, 32))).map(([ip, bits]) => `${ip}/${bits}`)
const insideCidr = fc.oneof(cidr, fc.tuple(octet, fc.nat(63)).map(([c, d]) => `169.254.${c}.${d * 4}/30`), fc.constantFrom('169.254.0.0/30', '169.254.169.252/30', '169.254.5.0/30'))

const AWS_CHARS = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._']
const OTHER_CHARS = [...AWS_CHARS, ' ', '"', "'", '\\', '\n', '\t', '-', '!', '#', '$', '/', ':', 'é', '密', '🔑', '\u0000']
const awsKey = fc.string({ unit: fc.constantFrom(...AWS_CHARS), minLength: 8, maxLength: 64 })
const anyKey = fc.string({ unit: fc.constantFrom(...OTHER_CHARS), minLength: 1, maxLength: 256 })
const ENV_NAMES = ['T1_PSK', 'T2_PSK', 'UNSET_PSK'] as const
const FILES = ['t1.psk', 't2.psk', 'missing.psk'] as const
const pskRef = fc.oneof(awsKey, anyKey, fc.constantFrom(...ENV_NAMES).map((env) => ({ env })), fc.constantFrom(...FILES).map((file) => ({ file })))

const tunnel = fc.record({ outsideIp: ipv4, psk: pskRef, insideCidr })
/** ASNs lint has rules for (AS_TRANS, RFC 7300's, AWS's regional ones, AWS's default) and any other. */
const asn = fc.oneof(fc.constantFrom(1, 7224, 9059, 23456, 64512, 65000, 65535, 4294967295), fc.integer({ min: 1, max: 4294967295 }))
const bgpPeer = fc.record({ outsideIp: ipv4, awsAsn: asn, customerAsn: asn, neighborIp: ipv4, holdTime: fc.oneof(fc.constant(30), fc.integer({ min: 3, max: 65535 })) }, { requiredKeys: ['outsideIp', 'neighborIp'] })

const raw = fc.record(
  {
    format: fc.constant('tunnelwright/details@1'),
    name: fc.string({ minLength: 1, maxLength: 100 }),
    provider: fc.constantFrom('cloud.gov', 'aws'),
    gateway: fc.record(
      { publicIp: ipv4, privateCidrs: fc.array(cidr, { minLength: 1, maxLength: 6 }), kind: fc.constantFrom(...DeviceKind.options), localAddress: ipv4 },
      { requiredKeys: ['publicIp', 'privateCidrs'] },
    ),
    remote: fc.record(
      { dedicatedCidrs: fc.array(cidr, { minLength: 1, maxLength: 4 }), egressIps: fc.array(ipv4, { maxLength: 4 }), tunnels: fc.tuple(tunnel, tunnel) },
      { requiredKeys: ['dedicatedCidrs', 'tunnels'] },
    ),
    crypto: fc.record(
      {
        ikeVersion: fc.constantFrom(1, 2),
        encryption: fc.constantFrom('aes256', 'aes128', 'aes256gcm16', 'aes128gcm16', '3des'),
        integrity: fc.constantFrom('sha256', 'sha384', 'sha512', 'sha1', 'md5'),
        dhGroup: fc.integer({ min: 1, max: 32 }),
        pfsGroup: fc.integer({ min: 0, max: 32 }),
        ikeLifetime: fc.oneof(fc.constant(28800), fc.integer({ min: 60, max: 86400 })),
        ipsecLifetime: fc.oneof(fc.constant(3600), fc.integer({ min: 60, max: 86400 })),
        dpd: fc.record({ delay: fc.integer({ min: 1, max: 3600 }), timeout: fc.integer({ min: 1, max: 3600 }) }),
      },
      { requiredKeys: [] },
    ),
    routing: fc.constantFrom('auto', 'route', 'policy'),
    health: fc.record({ target: ipv4 }),
    bgp: fc.record({ tunnels: fc.tuple(bgpPeer, bgpPeer) }),
  },
  { requiredKeys: ['format', 'name', 'provider', 'gateway', 'remote'] },
)

const sourcesArb = fc.record({ T1_PSK: fc.oneof(awsKey, anyKey), T2_PSK: fc.oneof(awsKey, anyKey), t1: fc.oneof(awsKey, anyKey), t2: fc.oneof(awsKey, anyKey).map((k) => `${k}\n`) })
const deviceArb = fc.option(fc.record({ kind: fc.constantFrom(...DeviceKind.options), version: fc.oneof(fc.constantFrom('5.1', '4.5-2', '4.5-1', '4.10-2+deb12u1', '3.32', 'Libreswan 5.0', ''), fc.string({ maxLength: 20 })) }, { requiredKeys: ['kind'] }), { nil: undefined })

describe('lint on arbitrary schema-valid details', () => {
  // Slow on a busy 2-core machine (15–50 s: every device kind, the six vendor kinds' platform rules and the BGP
  // rules included): the bound is a budget, not a benchmark (the property is what is tested).
  it(`never throws and never puts a PSK in a finding (${RUNS} runs)`, { timeout: 180_000 }, () => {
    fc.assert(
      fc.property(raw, sourcesArb, deviceArb, fc.boolean(), (generated, secrets, device, paired) => {
        // Half the BGP sections name the details' own tunnels, so the per-session rules run too.
        const input = paired && generated.bgp ? { ...generated, bgp: { tunnels: generated.bgp.tunnels.map((p, i) => ({ ...p, outsideIp: generated.remote.tunnels[i]!.outsideIp })) } } : generated
        const parsed = Details.safeParse(input)
        expect(parsed.success, JSON.stringify(parsed.error?.issues.slice(0, 2))).toBe(true)
        const details = parsed.data!
        const sources: SecretSources = {
          env: { T1_PSK: secrets.T1_PSK, T2_PSK: secrets.T2_PSK },
          readFile: (p) => {
            if (p === 't1.psk') return secrets.t1
            if (p === 't2.psk') return secrets.t2
            throw Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' })
          },
        }
        const findings = lintDetails(details, { sources, ...(device ? { device: device as DeviceFacts } : {}) })

        for (const f of findings) {
          expect(['error', 'warning', 'info']).toContain(f.severity)
          expect(f.path === '' || f.path.startsWith('/')).toBe(true)
          expect(f.id).toMatch(/^[a-z0-9-]+$/)
          for (const k of ['message', 'why', 'fix'] as const) expect(f[k].length).toBeGreaterThan(0)
        }

        // Every key lint could have seen: inline ones and those behind env/file references.
        const keys = [...details.remote.tunnels.map((t) => t.psk).filter((p): p is string => typeof p === 'string'), secrets.T1_PSK, secrets.T2_PSK, secrets.t1, secrets.t2.replace(/\n$/, '')]
        // A key that also occurs in a non-secret field (an IP, a CIDR, the name) proves nothing.
        const publicText = JSON.stringify({ ...details, remote: { ...details.remote, tunnels: details.remote.tunnels.map((t) => ({ ...t, psk: typeof t.psk === 'string' ? '' : t.psk })) } })
        const text = JSON.stringify(findings)
        for (const k of keys) {
          if (k.length < 8 || publicText.includes(k) || publicText.includes(JSON.stringify(k).slice(1, -1))) continue
          expect(text.includes(k), 'a finding contains a PSK').toBe(false)
          expect(text.includes(JSON.stringify(k).slice(1, -1)), 'a finding contains a PSK (JSON-escaped)').toBe(false)
        }
      }),
      { numRuns: RUNS },
    )
  })
})
