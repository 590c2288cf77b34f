// The review a person reads before a change (summary + every file with the keys cut) and the check findings
// grouped by cause (one drop rule = one problem, one fix), on real renders and real captured check outputs.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { checkFirewall } from '../../main/core/checks/firewall-check'
import type { Finding } from '../../main/core/checks/model'
import { toProbeFindings, type ProbeTrace } from '../../main/core/checks/path-probe'
import { Secret } from '../../main/core/base/secret'
import { toProfileSecretSources } from '../../main/core/app-data/profiles'
import { Details } from '../../main/core/details/model'
import { toRenderInput } from '../../main/core/details/resolve'
import { renderDevice } from '../../main/core/render'
import { toTunnelsMode } from '../../main/core/render/keepup'
import { toCheckCauses } from '../../main/core/workflow/check-causes'
import { lintPartialDraft } from '../../main/core/workflow/draft-lint'
import { toChangeSummary, toPskCutter, toShownFiles } from '../../main/core/workflow/review'
import { INPUT, loadScenario } from '../fixtures/firewall/load'
import { bgpInput } from '../support/frr-sample'

const PSK1 = 'Abc.def_1234567890Xyz'
const PSK2 = 'Qwe.rty_0987654321Uio'
const details = Details.parse({
  format: 'tunnelwright/details@1',
  name: 'HQ to cloud.gov',
  provider: 'cloud.gov',
  gateway: { publicIp: '198.51.100.5', privateCidrs: ['10.10.0.0/24', '10.10.1.0/24'] },
  remote: { dedicatedCidrs: ['172.31.0.0/16'], tunnels: [{ outsideIp: '203.0.113.10', psk: { env: 'TUNNELWRIGHT_PSK_1' }, insideCidr: '169.254.10.0/30' }, { outsideIp: '203.0.113.20', psk: { env: 'TUNNELWRIGHT_PSK_2' }, insideCidr: '169.254.11.0/30' }] },
})
const sources = toProfileSecretSources({ psk1: PSK1, psk2: PSK2 })

describe('the review of a change', () => {
  it('policy-based strongSwan: both tunnels in words, the one selector pair, tunnel 2 standing by, and what keeps each up', () => {
    const input = toRenderInput(details, { routing: 'policy', sources })
    const rendered = renderDevice(input, 'strongswan')
    const s = toChangeSummary(input, rendered, 'active-standby')
    expect(s.tunnels.map((t) => [t.peer, t.role])).toEqual([
      ['203.0.113.10', 'active'],
      ['203.0.113.20', 'standby'],
    ])
    // IKEv1 carries one pair: the two agency networks travel as their supernet.
    expect(s.tunnels[0].selectors).toEqual({ local: ['10.10.0.0/23'], remote: ['172.31.0.0/16'] })
    expect(s.tunnels[0].ike).toBe('IKEv1 main mode, AES-256, SHA-256, DH group 14 (MODP 2048)')
    expect(s.tunnels[0].esp).toBe('ESP AES-256, SHA-256, PFS DH group 14 (MODP 2048)')
    expect([s.tunnels[0].ikeLifetimeSec, s.tunnels[0].ipsecLifetimeSec]).toEqual([28800, 3600])
    expect(s.tunnels[0].starts).toMatch(/start_action = start/)
    expect(s.tunnels[1].starts).toMatch(/^Stands by/)
    expect(s.tunnels[0].keepsUp.join(' ')).toMatch(/keepup\.sh/)
    expect(s.tunnels[0].insideLocal).toBe('169.254.10.2')
  })

  it('Libreswan: policy-based holds one tunnel (tunnel 2 on auto=add, keepup.sh fails over); route-based names the VTI the renderer makes', () => {
    const input = toRenderInput(details, { routing: 'policy', sources })
    const rendered = renderDevice(input, 'libreswan', { version: '4.10' })
    expect(toTunnelsMode(rendered.kind, rendered.routing)).toBe('active-standby')
    const s = toChangeSummary(input, rendered, toTunnelsMode(rendered.kind, rendered.routing))
    expect(s.tunnels.map((t) => t.role)).toEqual(['active', 'standby'])
    expect(s.tunnels[1].starts).toMatch(/^Stands by: added but not started \(auto=add\)/)
    expect(s.tunnels[0].keepsUp.join(' ')).toMatch(/keepup\.sh brings tunnel 2 up/)
    expect(toTunnelsMode('openswan', 'policy')).toBe('both-up')
    const route = toRenderInput(details, { routing: 'route', sources })
    const r = renderDevice(route, 'libreswan', { version: '4.10' })
    const rs = toChangeSummary(route, r, toTunnelsMode(r.kind, r.routing))
    const vti = /\tvti-interface=(\S+)\n/.exec(r.files[0]!.content)![1]
    expect(rs.tunnels[0].tunnelInterface?.name).toBe(vti)
    expect(rs.tunnels.map((t) => t.role)).toEqual(['both-up', 'both-up'])
  })

  it('route-based: each tunnel names its interface and the routes into it', () => {
    const input = toRenderInput(details, { routing: 'route', sources })
    const s = toChangeSummary(input, renderDevice(input, 'strongswan'), 'both-up')
    expect(s.tunnels[0].tunnelInterface?.name).toMatch(/^tw\d+$/)
    expect(s.tunnels[0].tunnelInterface?.routes).toEqual(['172.31.0.0/16'])
    expect(s.tunnels.every((t) => t.role === 'both-up' && t.selectors === undefined)).toBe(true)
    expect(s.bgp).toBeUndefined()
  })

  it('a BGP VPN: FRR as the customer ASN with what it advertises and accepts, AWS timers, each tunnel its neighbour and no static route', () => {
    const input = bgpInput({ privateCidrs: ['10.40.0.0/24'], dedicatedCidrs: ['172.31.16.0/20'] })
    const s = toChangeSummary(input, renderDevice(input, 'strongswan'), 'both-up')
    expect(s.bgp).toEqual({ asn: 65000, advertise: ['10.40.0.0/24'], accept: ['172.31.16.0/20'], keepaliveSec: 10, holdSec: 30 })
    expect(s.tunnels.map((t) => [t.tunnelInterface?.routes, t.bgp])).toEqual([
      [[], { neighbor: '169.254.10.1', remoteAs: 64512 }],
      [[], { neighbor: '169.254.11.1', remoteAs: 64512 }],
    ])
  })

  for (const kind of ['strongswan', 'strongswan-legacy', 'libreswan', 'pfsense'] as const) {
    it(`${kind}: every file shown, the PSKs cut in every encoding, the rest of each secret file intact`, () => {
      const input = toRenderInput(details, { routing: 'policy', sources })
      const rendered = renderDevice(input, kind)
      const files = toShownFiles(details, sources, 'policy', rendered)
      expect(files.length).toBe(rendered.files.length + (rendered.phpScript === undefined ? 0 : 1))
      const text = JSON.stringify(files)
      for (const psk of [PSK1, PSK2]) {
        expect(text).not.toContain(psk)
        expect(text).not.toContain(Buffer.from(psk).toString('base64'))
      }
      for (const f of files.filter((x) => x.secret)) {
        expect(f.content).toContain('[redacted: the pre-shared key]')
        // What a reviewer must see of it: the peers are there.
        expect(f.content).toContain('203.0.113.10')
      }
    })
  }

  it('the cutter leaves text without a key alone', () => {
    const cut = toPskCutter([new Secret(PSK1)])
    expect(cut('proposals = aes256-sha256-modp2048')).toBe('proposals = aes256-sha256-modp2048')
    expect(cut(`secret = ${PSK1}`)).toBe('secret = [redacted: the pre-shared key]')
  })
})

describe('check findings grouped by cause', () => {
  it('one rule that drops UDP 500 from both AWS endpoints is one cause with one merged fix', () => {
    const fs = checkFirewall(INPUT, loadScenario('nft-drop-udp500'))
    const causes = toCheckCauses(fs)
    const udp500 = causes.filter((c) => c.flow === 'udp500')
    expect(udp500).toHaveLength(1)
    const c = udp500[0]!
    expect(c).toMatchObject({ kind: 'flow', severity: 'error', verdict: 'blocked', directions: ['inbound'], fixable: true })
    expect([...c.peers].sort()).toEqual(['203.0.113.10', '203.0.113.20'])
    expect(c.findingIds).toEqual(expect.arrayContaining(['fw.inbound.udp500.203.0.113.10', 'fw.inbound.udp500.203.0.113.20']))
    expect(c.blockedBy).toEqual(['inet filter wan_in handle 3 (ip saddr 203.0.113.0/24 udp dport 500 counter drop)'])
    // One line per peer, each once.
    expect(c.fix?.nft?.split('\n')).toHaveLength(2)
  })

  it("the probe's silence the gateway's own firewall explains joins that cause; an upstream silence is its own", () => {
    const doc = JSON.parse(readFileSync(join(__dirname, '../fixtures/path-probe/traces.json'), 'utf8')) as { scenarios: Record<string, { publicIp: string; traces: ProbeTrace[] }> }
    const traces = doc.scenarios['drop-udp500']!.traces
    const host: Finding[] = traces.map((t) => ({ id: `fw.inbound.udp500.${t.peer}`, severity: 'error', subject: { peer: t.peer, flow: 'udp500', direction: 'inbound' }, verdict: 'blocked', evidence: [`inet agency input: drop by inet agency input handle 3: udp dport 500 drop [4 packets]`], why: 'x', fix: { nft: `nft 'insert rule inet agency input ip saddr ${t.peer} udp dport 500 accept'` } }))
    const probe = traces.flatMap((t) => toProbeFindings(t, { publicIp: '198.18.2.2', timeoutMs: 4500, hostFindings: host }))
    const causes = toCheckCauses([...host, ...probe])
    expect(causes).toHaveLength(1)
    expect(causes[0]!.findingIds).toHaveLength(4)
    expect(causes[0]!.blockedBy).toEqual(['inet agency input handle 3 (udp dport 500 drop)'])
    const upstream = toCheckCauses(traces.flatMap((t) => toProbeFindings(t, { publicIp: '198.18.2.2', timeoutMs: 4500, hostFindings: [] })))
    expect(upstream.map((c) => [c.kind, c.flow, c.fixable])).toEqual([['path', 'udp500', false]])
    expect(upstream[0]!.fix?.upstream).toMatch(/Ask whoever runs the network/)
  })

  it('gateway-wide problems are one cause each; greens and notes are none', () => {
    const fs = checkFirewall(INPUT, loadScenario('nft-masq-wrong', { sysctl: 'sysctl-fwd0-rp1.txt' }))
    const topics = toCheckCauses(fs).filter((c) => c.kind === 'topic').map((c) => c.topic)
    expect(topics).toEqual(expect.arrayContaining(['ip_forward', 'nat-before-ipsec']))
    expect(new Set(topics).size).toBe(topics.length)
    expect(toCheckCauses(fs.filter((f) => f.severity === 'ok' || f.severity === 'info'))).toEqual([])
  })
})

describe('lint of a draft as typed', () => {
  const crypto = { ikeVersion: 1, encryption: 'aes256', integrity: 'sha256', dhGroup: 14, pfsGroup: 14, ikeLifetime: 28800, ipsecLifetime: 3600, dpd: { delay: 10, timeout: 30 } }
  const empty = { name: '', provider: 'cloud.gov', gateway: { privateCidrs: [] }, remote: { dedicatedCidrs: [], egressIps: [], tunnels: [{ outsideIp: '', insideCidr: '' }, { outsideIp: '', insideCidr: '' }] }, crypto, routing: 'auto' } as const

  it('an empty form: one "missing" finding per field in words, nothing else, not complete', () => {
    const r = lintPartialDraft(empty, {})
    expect(r.complete).toBe(false)
    expect(r.findings.map((f) => f.path)).toEqual(['/gateway/publicIp', '/gateway/privateCidrs', '/remote/dedicatedCidrs', '/remote/tunnels/0/outsideIp', '/remote/tunnels/0/insideCidr', '/remote/tunnels/1/outsideIp', '/remote/tunnels/1/insideCidr', '/remote/tunnels/0/psk', '/remote/tunnels/1/psk'])
    expect(r.findings.find((f) => f.path === '/remote/tunnels/0/psk')?.message).toBe("Tunnel 1's pre-shared key is not set.")
    expect(JSON.stringify(r)).not.toMatch(/TUNNELWRIGHT_PSK|environment variable|240\./)
  })

  it('a whole draft: exactly what lint says of the same details', () => {
    const whole = { ...empty, name: 'x', gateway: { publicIp: '198.51.100.5', privateCidrs: ['10.10.0.0/24'] }, remote: { dedicatedCidrs: ['172.31.0.0/16'], egressIps: [], tunnels: [{ outsideIp: '203.0.113.10', insideCidr: '169.254.10.0/30' }, { outsideIp: '203.0.113.20', insideCidr: '169.254.11.0/30' }] } } as const
    const r = lintPartialDraft(whole, { psk1: PSK1, psk2: PSK2 })
    expect(r.complete).toBe(true)
    expect(r.findings.filter((f) => f.severity === 'error')).toEqual([])
  })
})
