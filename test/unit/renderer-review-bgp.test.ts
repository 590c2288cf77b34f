// Review's BGP card says what changes where: on a Linux gateway our section of frr.conf and a reload that restarts
// nothing; on pfSense the FRR package's settings and the package's restart of FRR (the box's other sessions drop once).
import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import type { ChangeSummaryDto, DeviceKind, TunnelSummaryDto } from '../../preload/api'
import { ChangeSummaryView } from '../../renderer/src/features/review/review-step'

const tunnel = (index: 1 | 2): TunnelSummaryDto => ({
  index,
  name: `t${index}`,
  peer: `203.0.113.${index}`,
  insideCidr: `169.254.1${index}.0/30`,
  insideLocal: `169.254.1${index}.2`,
  insideAws: `169.254.1${index}.1`,
  tunnelInterface: { name: `tw1200${index}`, routes: [] },
  bgp: { neighbor: `169.254.1${index}.1`, remoteAs: 64512 },
  ike: 'IKEv1 main mode, AES-256, SHA-256, DH group 14',
  esp: 'ESP AES-256, SHA-256, PFS DH group 14',
  ikeLifetimeSec: 28800,
  ipsecLifetimeSec: 3600,
  dpd: { delaySec: 10, timeoutSec: 30 },
  role: 'both-up',
  starts: 'at once',
  keepsUp: [],
})

const summary = (kind: DeviceKind): ChangeSummaryDto => ({
  kind,
  version: kind === 'pfsense' ? '2.7.2' : '5.9.8',
  routing: 'route',
  localId: '198.51.100.7',
  localAddress: '198.51.100.7',
  agencyCidrs: ['10.40.0.0/24'],
  dedicatedCidrs: ['172.31.16.0/20'],
  bgp: { asn: 65000, advertise: ['10.40.0.0/24'], accept: ['172.31.16.0/20'], keepaliveSec: 10, holdSec: 30 },
  tunnels: [tunnel(1), tunnel(2)],
})

const html = (kind: DeviceKind) => renderToStaticMarkup(createElement(ChangeSummaryView, { s: summary(kind), basis: 'details', show: (t: string) => t }))

describe("Review's BGP card", () => {
  it('on a Linux gateway: FRR on the gateway, our section of frr.conf, a reload without a restart', () => {
    const h = html('strongswan')
    expect(h).toContain('BGP in FRR on the gateway')
    expect(h).toContain('FRR reloads without a restart')
    expect(h).toContain('169.254.11.1 (tunnel 1), 169.254.12.1 (tunnel 2)')
  })

  it("on pfSense: the FRR package's settings, and its restart of FRR said plainly", () => {
    const h = html('pfsense')
    expect(h).toContain('BGP in pfSense&#x27;s FRR package')
    expect(h).toContain('the package restarts FRR to apply them')
    expect(h).not.toContain('frr.conf')
    expect(h).not.toContain('without a restart')
  })
})
