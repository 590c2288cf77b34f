import { describe, expect, it } from 'vitest'
import { hasErrors, lintDetails, type DeviceFacts, type Finding } from '../../main/core/details/lint'
import { Details } from '../../main/core/details/model'
import type { SecretSources } from '../../main/core/details/resolve'

const PSK1 = 'Qn7xV2._kdP3aZ4rT8mWyL3sHc6bJ9fE'
const PSK2 = 'mR5_tY8.wK2nA7qX4zB1cV6hL9pD3gS2'

/** A cloud.gov details document that lints clean. */
function base(): Record<string, unknown> & { gateway: Record<string, unknown>; remote: Record<string, unknown> & { tunnels: Array<Record<string, unknown>> }; crypto: Record<string, unknown> } {
  return {
    format: 'tunnelwright/details@1',
    name: 'agency to cloud.gov',
    provider: 'cloud.gov',
    gateway: { publicIp: '34.120.5.6', privateCidrs: ['10.10.0.0/24'] },
    remote: {
      dedicatedCidrs: ['10.200.0.0/16'],
      egressIps: ['10.200.1.10'],
      tunnels: [
        { outsideIp: '18.253.1.10', psk: PSK1, insideCidr: '169.254.44.8/30' },
        { outsideIp: '18.253.2.20', psk: PSK2, insideCidr: '169.254.201.4/30' },
      ],
    },
    crypto: { ikeVersion: 1, encryption: 'aes256', integrity: 'sha256', dhGroup: 14, pfsGroup: 14, ikeLifetime: 28800, ipsecLifetime: 3600, dpd: { delay: 10, timeout: 30 } },
    routing: 'auto',
    health: { target: '10.200.1.10' },
  }
}
type Raw = ReturnType<typeof base>

const noSources: SecretSources = { env: {}, readFile: () => { throw new Error('ENOENT') } }

function lint(mutate: (d: Raw) => void, opts: { sources?: SecretSources; device?: DeviceFacts } = {}): Finding[] {
  const raw = base()
  mutate(raw)
  const details = Details.parse(raw)
  const findings = lintDetails(details, { sources: opts.sources ?? noSources, ...(opts.device ? { device: opts.device } : {}) })
  // Whatever the rule, a finding never carries a key.
  const text = JSON.stringify(findings)
  for (const t of details.remote.tunnels) if (typeof t.psk === 'string' && t.psk.length >= 6) expect(text).not.toContain(t.psk)
  return findings
}

const find = (fs: Finding[], id: string) => fs.filter((f) => f.id === id)

interface Rule {
  readonly id: string
  readonly severity: Finding['severity']
  readonly path: string
  readonly bad: (d: Raw) => void
  readonly good: (d: Raw) => void
  readonly opts?: { sources?: SecretSources; device?: DeviceFacts }
  readonly goodOpts?: { sources?: SecretSources; device?: DeviceFacts }
  readonly says?: RegExp
}

const t = (d: Raw, i: number) => d.remote.tunnels[i]!
const aws = (d: Raw) => void (d.provider = 'aws')

const RULES: Rule[] = [
  { id: 'cidr-host-bits', severity: 'error', path: '/gateway/privateCidrs/0', bad: (d) => void (d.gateway.privateCidrs = ['10.10.0.1/24']), good: (d) => void (d.gateway.privateCidrs = ['10.10.0.0/24']), says: /network is 10\.10\.0\.0\/24/ },
  { id: 'cidr-link-local', severity: 'error', path: '/remote/dedicatedCidrs/0', bad: (d) => void (d.remote.dedicatedCidrs = ['169.254.10.0/24']), good: (d) => void (d.remote.dedicatedCidrs = ['10.201.0.0/16']) },
  { id: 'cidr-redundant', severity: 'warning', path: '/gateway/privateCidrs/1', bad: (d) => void (d.gateway.privateCidrs = ['10.10.0.0/16', '10.10.5.0/24']), good: (d) => void (d.gateway.privateCidrs = ['10.10.0.0/24', '10.11.0.0/24']), says: /overlaps 10\.10\.0\.0\/16/ },
  { id: 'cidr-overlap', severity: 'error', path: '/gateway/privateCidrs/0', bad: (d) => void (d.gateway.privateCidrs = ['10.200.5.0/24']), good: (d) => void (d.gateway.privateCidrs = ['10.201.5.0/24']), says: /overlaps the dedicated CIDR 10\.200\.0\.0\/16/ },
  { id: 'inside-host-bits', severity: 'error', path: '/remote/tunnels/0/insideCidr', bad: (d) => void (t(d, 0).insideCidr = '169.254.44.9/30'), good: (d) => void (t(d, 0).insideCidr = '169.254.44.12/30'), says: /network is 169\.254\.44\.8\/30/ },
  { id: 'inside-not-30', severity: 'error', path: '/remote/tunnels/1/insideCidr', bad: (d) => void (t(d, 1).insideCidr = '169.254.201.0/29'), good: (d) => void (t(d, 1).insideCidr = '169.254.201.0/30') },
  { id: 'inside-not-link-local', severity: 'error', path: '/remote/tunnels/0/insideCidr', bad: (d) => void (t(d, 0).insideCidr = '10.99.0.0/30'), good: (d) => void (t(d, 0).insideCidr = '169.254.99.0/30') },
  { id: 'inside-reserved', severity: 'error', path: '/remote/tunnels/0/insideCidr', bad: (d) => void (t(d, 0).insideCidr = '169.254.169.252/30'), good: (d) => void (t(d, 0).insideCidr = '169.254.169.248/30') },
  { id: 'inside-reserved', severity: 'error', path: '/remote/tunnels/1/insideCidr', bad: (d) => void (t(d, 1).insideCidr = '169.254.5.0/30'), good: (d) => void (t(d, 1).insideCidr = '169.254.6.0/30') },
  { id: 'tunnels-same-outside', severity: 'error', path: '/remote/tunnels/1/outsideIp', bad: (d) => void (t(d, 1).outsideIp = '18.253.1.10'), good: (d) => void (t(d, 1).outsideIp = '18.253.1.11') },
  { id: 'tunnels-same-inside', severity: 'error', path: '/remote/tunnels/1/insideCidr', bad: (d) => void (t(d, 1).insideCidr = '169.254.44.8/30'), good: (d) => void (t(d, 1).insideCidr = '169.254.44.12/30') },
  { id: 'outside-ip-not-public', severity: 'error', path: '/remote/tunnels/0/outsideIp', bad: (d) => void (t(d, 0).outsideIp = '172.16.0.5'), good: (d) => void (t(d, 0).outsideIp = '172.32.0.5') },
  { id: 'outside-ip-example', severity: 'warning', path: '/remote/tunnels/1/outsideIp', bad: (d) => void (t(d, 1).outsideIp = '203.0.113.5'), good: (d) => void (t(d, 1).outsideIp = '203.0.114.5'), says: /example or lab/ },
  { id: 'outside-ip-is-gateway', severity: 'error', path: '/remote/tunnels/0/outsideIp', bad: (d) => void (t(d, 0).outsideIp = '34.120.5.6'), good: (d) => void (t(d, 0).outsideIp = '34.120.5.7') },
  { id: 'outside-ip-in-selectors', severity: 'error', path: '/remote/tunnels/0/outsideIp', bad: (d) => void (d.remote.dedicatedCidrs = ['18.253.1.0/24']), good: (d) => void (d.remote.dedicatedCidrs = ['18.253.3.0/24']) },
  { id: 'gateway-ip-not-public', severity: 'error', path: '/gateway/publicIp', bad: (d) => void (d.gateway.publicIp = '192.168.1.1'), good: (d) => void (d.gateway.publicIp = '192.169.1.1'), says: /private/ },
  { id: 'gateway-ip-not-public', severity: 'error', path: '/gateway/publicIp', bad: (d) => void (d.gateway.publicIp = '127.0.0.1'), good: (d) => void (d.gateway.publicIp = '128.0.0.1'), says: /loopback/ },
  { id: 'gateway-ip-not-public', severity: 'error', path: '/gateway/publicIp', bad: (d) => void (d.gateway.publicIp = '224.0.0.5'), good: (d) => void (d.gateway.publicIp = '223.255.0.5'), says: /multicast/ },
  { id: 'gateway-ip-example', severity: 'warning', path: '/gateway/publicIp', bad: (d) => void (d.gateway.publicIp = '198.18.0.1'), good: (d) => void (d.gateway.publicIp = '198.20.0.1'), says: /benchmarking/ },
  { id: 'gateway-ip-example', severity: 'warning', path: '/gateway/publicIp', bad: (d) => void (d.gateway.publicIp = '100.64.1.1'), good: (d) => void (d.gateway.publicIp = '100.128.1.1'), says: /shared/ },
  { id: 'gateway-ip-example', severity: 'warning', path: '/gateway/publicIp', bad: (d) => void (d.gateway.publicIp = '192.0.2.1'), good: (d) => void (d.gateway.publicIp = '192.0.3.1'), says: /documentation/ },
  { id: 'local-address-redundant', severity: 'info', path: '/gateway/localAddress', bad: (d) => void (d.gateway.localAddress = '34.120.5.6'), good: () => {} },
  { id: 'local-address-invalid', severity: 'error', path: '/gateway/localAddress', bad: (d) => void (d.gateway.localAddress = '127.0.0.1'), good: (d) => void (d.gateway.localAddress = '192.168.1.10') },
  { id: 'local-address-public', severity: 'warning', path: '/gateway/localAddress', bad: (d) => void (d.gateway.localAddress = '34.120.5.99'), good: (d) => void (d.gateway.localAddress = '192.168.1.10') },
  { id: 'nat-detected', severity: 'info', path: '/gateway/localAddress', bad: (d) => void (d.gateway.localAddress = '192.168.1.10'), good: () => {}, says: /UDP 4500/ },
  { id: 'psk-env-missing', severity: 'error', path: '/remote/tunnels/0/psk', bad: (d) => void (t(d, 0).psk = { env: 'TW_T1_PSK' }), good: (d) => void (t(d, 0).psk = { env: 'TW_T1_PSK' }), goodOpts: { sources: { env: { TW_T1_PSK: 'fromEnv.Key_1234' }, readFile: noSources.readFile } }, says: /TW_T1_PSK/ },
  { id: 'psk-file-unreadable', severity: 'error', path: '/remote/tunnels/1/psk', bad: (d) => void (t(d, 1).psk = { file: 't2.psk' }), good: (d) => void (t(d, 1).psk = { file: 't2.psk' }), goodOpts: { sources: { env: {}, readFile: () => 'fromFile.Key_5678\n' } } },
  { id: 'psk-length', severity: 'error', path: '/remote/tunnels/0/psk', bad: (d) => void (t(d, 0).psk = 'abc1234'), good: (d) => void (t(d, 0).psk = 'abc12345'), says: /7 characters/ },
  { id: 'psk-length', severity: 'error', path: '/remote/tunnels/0/psk', bad: (d) => void (t(d, 0).psk = 'a'.repeat(65)), good: (d) => void (t(d, 0).psk = 'a'.repeat(64)) },
  { id: 'psk-charset', severity: 'error', path: '/remote/tunnels/1/psk', bad: (d) => void (t(d, 1).psk = 'abcd-efgh!xyz'), good: (d) => void (t(d, 1).psk = 'abcd.efgh_xyz') },
  { id: 'psk-charset', severity: 'error', path: '/remote/tunnels/1/psk', bad: (d) => void (t(d, 1).psk = { file: 'k' }), good: (d) => void (t(d, 1).psk = { file: 'k' }), opts: { sources: { env: {}, readFile: () => 'abcdefgh12\n\n' } }, goodOpts: { sources: { env: {}, readFile: () => 'abcdefgh12\n' } } },
  { id: 'psk-leading-zero', severity: 'error', path: '/remote/tunnels/0/psk', bad: (d) => void (t(d, 0).psk = '0abcdefgh'), good: (d) => void (t(d, 0).psk = 'a0bcdefgh') },
  { id: 'psk-same', severity: 'warning', path: '/remote/tunnels/1/psk', bad: (d) => void (t(d, 1).psk = PSK1), good: () => {} },
  { id: 'cloudgov-ikev2', severity: 'warning', path: '/crypto/ikeVersion', bad: (d) => void (d.crypto.ikeVersion = 2), good: (d) => { d.crypto.ikeVersion = 2; aws(d) } },
  { id: 'crypto-3des', severity: 'error', path: '/crypto/encryption', bad: (d) => { aws(d); d.crypto.encryption = '3des' }, good: (d) => { aws(d); d.crypto.encryption = 'aes128' } },
  { id: 'crypto-gcm-ikev1', severity: 'error', path: '/crypto/encryption', bad: (d) => { aws(d); d.crypto.encryption = 'aes256gcm16' }, good: (d) => { aws(d); d.crypto.encryption = 'aes256gcm16'; d.crypto.ikeVersion = 2 } },
  { id: 'crypto-aes128', severity: 'info', path: '/crypto/encryption', bad: (d) => void (d.crypto.encryption = 'aes128'), good: (d) => { aws(d); d.crypto.encryption = 'aes128' } },
  { id: 'crypto-md5', severity: 'error', path: '/crypto/integrity', bad: (d) => { aws(d); d.crypto.integrity = 'md5' }, good: (d) => { aws(d); d.crypto.integrity = 'sha512' } },
  { id: 'crypto-sha1', severity: 'error', path: '/crypto/integrity', bad: (d) => void (d.crypto.integrity = 'sha1'), good: (d) => void (d.crypto.integrity = 'sha384') },
  { id: 'crypto-sha1', severity: 'warning', path: '/crypto/integrity', bad: (d) => { aws(d); d.crypto.integrity = 'sha1' }, good: (d) => { aws(d); d.crypto.integrity = 'sha256' } },
  { id: 'dh-unsupported', severity: 'error', path: '/crypto/dhGroup', bad: (d) => void (d.crypto.dhGroup = 5), good: (d) => void (d.crypto.dhGroup = 14) },
  { id: 'dh-unsupported', severity: 'error', path: '/crypto/pfsGroup', bad: (d) => void (d.crypto.pfsGroup = 1), good: (d) => { aws(d); d.crypto.pfsGroup = 5 } },
  { id: 'dh-weak', severity: 'error', path: '/crypto/dhGroup', bad: (d) => void (d.crypto.dhGroup = 2), good: (d) => void (d.crypto.dhGroup = 14) },
  { id: 'dh-weak', severity: 'warning', path: '/crypto/pfsGroup', bad: (d) => { aws(d); d.crypto.pfsGroup = 2 }, good: (d) => { aws(d); d.crypto.pfsGroup = 19 } },
  { id: 'dh-subgroup', severity: 'error', path: '/crypto/dhGroup', bad: (d) => void (d.crypto.dhGroup = 24), good: (d) => void (d.crypto.dhGroup = 14), says: /modp2048s256\) is not group 14/ },
  { id: 'dh-subgroup', severity: 'warning', path: '/crypto/pfsGroup', bad: (d) => { aws(d); d.crypto.pfsGroup = 24 }, good: (d) => { aws(d); d.crypto.pfsGroup = 14 } },
  { id: 'dh-not-14', severity: 'warning', path: '/crypto/dhGroup', bad: (d) => void (d.crypto.dhGroup = 19), good: (d) => { aws(d); d.crypto.dhGroup = 19 } },
  { id: 'pfs-off', severity: 'error', path: '/crypto/pfsGroup', bad: (d) => void (d.crypto.pfsGroup = 0), good: (d) => void (d.crypto.pfsGroup = 14) },
  { id: 'lifetime-mismatch', severity: 'error', path: '/crypto/ikeLifetime', bad: (d) => void (d.crypto.ikeLifetime = 28000), good: (d) => void (d.crypto.ikeLifetime = 28800), says: /cloud\.gov requires 28800/ },
  { id: 'lifetime-mismatch', severity: 'error', path: '/crypto/ipsecLifetime', bad: (d) => { aws(d); d.crypto.ipsecLifetime = 7200 }, good: (d) => { aws(d); d.crypto.ipsecLifetime = 3600 } },
  { id: 'lifetime-nondefault', severity: 'warning', path: '/crypto/ikeLifetime', bad: (d) => { aws(d); d.crypto.ikeLifetime = 14400 }, good: (d) => { aws(d); d.crypto.ikeLifetime = 28800 } },
  { id: 'lifetime-order', severity: 'error', path: '/crypto/ipsecLifetime', bad: (d) => { aws(d); d.crypto.ikeLifetime = 3000; d.crypto.ipsecLifetime = 3000 }, good: (d) => { aws(d); d.crypto.ikeLifetime = 3000; d.crypto.ipsecLifetime = 2900 } },
  { id: 'dpd-timeout-not-above-delay', severity: 'error', path: '/crypto/dpd/timeout', bad: (d) => void (d.crypto.dpd = { delay: 30, timeout: 30 }), good: (d) => void (d.crypto.dpd = { delay: 10, timeout: 30 }) },
  { id: 'dpd-timeout-short', severity: 'warning', path: '/crypto/dpd/timeout', bad: (d) => void (d.crypto.dpd = { delay: 5, timeout: 20 }), good: (d) => void (d.crypto.dpd = { delay: 5, timeout: 30 }) },
  { id: 'ikev1-several-cidrs', severity: 'info', path: '/gateway/privateCidrs', bad: (d) => void (d.gateway.privateCidrs = ['10.10.0.0/24', '10.10.2.0/24']), good: (d) => { d.gateway.privateCidrs = ['10.10.0.0/24', '10.10.2.0/24']; d.routing = 'route' }, says: /10\.10\.0\.0\/22, which also covers 10\.10\.1\.0\/24, 10\.10\.3\.0\/24 \(512 addresses/ },
  { id: 'ikev1-policy-several-cidrs', severity: 'warning', path: '/remote/dedicatedCidrs', bad: (d) => { d.routing = 'policy'; d.remote.dedicatedCidrs = ['10.200.0.0/17', '10.200.128.0/17'] }, good: (d) => { aws(d); d.routing = 'policy'; d.crypto.ikeVersion = 2; d.remote.dedicatedCidrs = ['10.200.0.0/17', '10.200.128.0/17'] }, says: /10\.200\.0\.0\/16, which covers exactly them/ },
  { id: 'ikev1-supernet-unusable', severity: 'error', path: '/gateway/privateCidrs', bad: (d) => { d.routing = 'policy'; d.gateway.privateCidrs = ['10.0.0.0/24', '10.255.0.0/24'] }, good: (d) => { d.routing = 'policy'; d.gateway.privateCidrs = ['10.0.0.0/24', '10.1.0.0/24'] }, says: /10\.0\.0\.0\/8 .* overlaps the dedicated CIDR 10\.200\.0\.0\/16/ },
  { id: 'ikev1-supernet-unusable', severity: 'warning', path: '/gateway/privateCidrs', bad: (d) => { d.gateway.privateCidrs = ['1.0.0.0/24', '200.0.0.0/24'] }, good: (d) => { d.routing = 'route'; d.gateway.privateCidrs = ['1.0.0.0/24', '200.0.0.0/24'] }, says: /0\.0\.0\.0\/0/ },
  { id: 'policy-one-tunnel-active', severity: 'info', path: '/routing', bad: (d) => void (d.routing = 'policy'), good: (d) => void (d.routing = 'route') },
  { id: 'libreswan-ikev1-policy', severity: 'warning', path: '/crypto/ikeVersion', bad: () => {}, opts: { device: { kind: 'libreswan', version: '5.1' } }, good: () => {}, goodOpts: { device: { kind: 'libreswan', version: '4.12' } }, says: /ikev1-policy=accept/ },
  { id: 'libreswan-ikev1-policy', severity: 'warning', path: '/crypto/ikeVersion', bad: () => {}, opts: { device: { kind: 'libreswan', version: '4.5-2' } }, good: () => {}, goodOpts: { device: { kind: 'libreswan', version: '4.5-1' } } },
  { id: 'libreswan-ikev1-policy', severity: 'warning', path: '/crypto/ikeVersion', bad: () => {}, opts: { device: { kind: 'libreswan', version: '4.10-2+deb12u1' } }, good: (d) => { aws(d); d.crypto.ikeVersion = 2 }, goodOpts: { device: { kind: 'libreswan', version: '4.10-2+deb12u1' } } },
  { id: 'libreswan-ikev1-policy-unknown', severity: 'info', path: '/crypto/ikeVersion', bad: (d) => void (d.gateway.kind = 'libreswan'), good: (d) => void (d.gateway.kind = 'strongswan') },
  { id: 'egress-ip-in-agency', severity: 'error', path: '/remote/egressIps/1', bad: (d) => void (d.remote.egressIps = ['10.200.1.10', '10.10.0.7']), good: (d) => void (d.remote.egressIps = ['10.200.1.10', '10.200.0.7']) },
  { id: 'health-target-outside', severity: 'error', path: '/health/target', bad: (d) => void (d.health = { target: '10.10.0.5' }), good: (d) => void (d.health = { target: '10.200.255.254' }) },
]

describe('lintDetails', () => {
  it('finds nothing in a correct cloud.gov details document', () => {
    expect(lint(() => {})).toEqual([])
  })

  for (const r of RULES) {
    it(`${r.id} (${r.severity}): triggered by the bad case, silent on the near miss`, () => {
      const bad = find(lint(r.bad, r.opts), r.id)
      expect(bad.length, `expected ${r.id}`).toBeGreaterThan(0)
      expect(bad[0]!.severity).toBe(r.severity)
      expect(bad[0]!.path).toBe(r.path)
      for (const f of bad) for (const k of ['message', 'why', 'fix'] as const) expect(f[k].length).toBeGreaterThan(10)
      if (r.says) expect(bad.map((f) => f.message).join('\n')).toMatch(r.says)
      expect(find(lint(r.good, r.goodOpts ?? r.opts), r.id)).toEqual([])
    })
  }

  it('malformed CIDRs that bypass the schema are findings, not crashes', () => {
    const d = Details.parse(base())
    const broken = { ...d, gateway: { ...d.gateway, privateCidrs: ['10.10.0.0/33'] }, remote: { ...d.remote, tunnels: [{ ...d.remote.tunnels[0]!, insideCidr: 'nonsense' }, d.remote.tunnels[1]!] } } as Details
    const ids = lintDetails(broken, { sources: noSources }).map((f) => f.id)
    expect(ids).toContain('cidr-malformed')
    expect(ids).toContain('inside-malformed')
  })

  it('reports a missing env var with a fix that names it, and never the other key', () => {
    const fs = lint((d) => void (t(d, 0).psk = { env: 'AGENCY_T1' }))
    const f = find(fs, 'psk-env-missing')[0]!
    expect(f.fix).toContain('AGENCY_T1')
    expect(JSON.stringify(fs)).not.toContain(PSK2)
  })

  it('reads env and file references through the given sources only', () => {
    const seen: string[] = []
    const sources: SecretSources = { env: { K1: PSK1 }, readFile: (p) => (seen.push(p), `${PSK1}\n`) }
    const fs = lint((d) => { t(d, 0).psk = { env: 'K1' }; t(d, 1).psk = { file: 'secrets/t2' } }, { sources })
    expect(seen).toEqual(['secrets/t2'])
    // Same key through two routes is still the same key.
    expect(find(fs, 'psk-same')).toHaveLength(1)
    expect(JSON.stringify(fs)).not.toContain(PSK1)
  })

  it('hasErrors is true only with an error finding', () => {
    expect(hasErrors([])).toBe(false)
    expect(hasErrors(lint((d) => void (d.gateway.publicIp = '198.18.0.1')))).toBe(false)
    expect(hasErrors(lint((d) => void (d.gateway.publicIp = '10.0.0.1')))).toBe(true)
  })

  it('a device passed by the caller overrides gateway.kind', () => {
    const fs = lint((d) => void (d.gateway.kind = 'strongswan'), { device: { kind: 'libreswan', version: '5.0' } })
    expect(find(fs, 'libreswan-ikev1-policy')).toHaveLength(1)
  })
})
