// Detection reads the name markers Tunnelwright wrote on the gateway, and prepare hands them to the overlap
// check: a slug another full name already owns is a collision the plan names, not "ours".
import { describe, expect, it } from 'vitest'
import { parseDetect } from '../../main/core/gateway/detect'
import { findOverlaps } from '../../main/core/gateway/overlap'
import { toNameMarkerLine, toSlug } from '../../main/core/details/slug'
import { Details } from '../../main/core/details/model'

const section = (name: string, lines: string[]) => [`==TW-SECTION ${name}`, ...lines]

const details = Details.parse({
  format: 'tunnelwright/details@1',
  name: 'Department of Agriculture West',
  provider: 'cloud.gov',
  gateway: { publicIp: '198.51.100.10', privateCidrs: ['10.40.0.0/24'] },
  remote: { dedicatedCidrs: ['172.31.16.0/20'], tunnels: [{ outsideIp: '203.0.113.21', psk: 'k1k1k1k1k1', insideCidr: '169.254.10.0/30' }, { outsideIp: '203.0.113.22', psk: 'k2k2k2k2k2', insideCidr: '169.254.11.0/30' }] },
})

describe('name markers from the gateway', () => {
  it('detection collects the markers of swanctl/ipsec.d files and pfSense descriptions', () => {
    const east = 'Department of Agriculture East'
    const out = [
      ...section('uname', ['Linux 6.1.0']),
      ...section('markers', [`# ${toNameMarkerLine(toSlug(east), east)}`, `[tunnelwright:${toSlug('Ops \u6771')}:t1] ${encodeURIComponent('Ops \u6771')}`]),
      '==TW-SECTION end',
    ].join('\n')
    const facts = parseDetect(out)
    expect(facts.nameMarkers).toEqual(expect.arrayContaining([{ slug: toSlug(east), name: east }, { slug: toSlug('Ops \u6771'), name: 'Ops \u6771' }]))
  })

  it('a set written for another full name under our slug is reported; our own marker is not', () => {
    const slug = toSlug(details.name)
    const ours = [`${slug}-t1`, `${slug}-t2`]
    expect(findOverlaps([], details, ours, [{ slug, name: details.name }])).toEqual([])
    const clash = findOverlaps([], details, ours, [{ slug, name: 'Someone else' }])
    expect(clash).toHaveLength(1)
    expect(clash[0]!.reason).toMatch(/made by Tunnelwright for "Someone else"/)
  })
})
