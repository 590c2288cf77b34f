// The status board's words for a BGP VPN: each tunnel's session in a few words, and the overall line that
// says when an up tunnel carries nothing because its BGP session is down.
import { describe, expect, it } from 'vitest'
import type { TunnelStatusDto } from '../../preload/api'
import { toBgpWords, toOverall } from '../../renderer/src/features/status/status-words'

const tunnel = (n: 1 | 2, bgp?: TunnelStatusDto['bgp']): TunnelStatusDto => ({ peer: `203.0.113.${n}`, name: `t${n}`, up: true, bytesIn: 10, bytesOut: 10, packetsIn: 1, packetsOut: 1, natT: false, ikeSaCount: 1, childSaCount: 1, ...(bgp ? { bgp } : {}) })
const label = (t: TunnelStatusDto) => `Tunnel ${t.peer.endsWith('1') ? 1 : 2}`

describe('BGP on the status board', () => {
  it('says the state, for how long, and the prefixes each way', () => {
    const up = toBgpWords({ neighbor: '169.254.10.1', state: 'Established', established: true, uptimeSec: 125, prefixesReceived: 1, prefixesSent: 2 })
    expect(up.head).toBe('BGP Established 2 min')
    expect(up.detail).toBe('prefixes: 1 received, 2 advertised')
    expect(toBgpWords({ neighbor: '169.254.11.1', state: 'Active', established: false, downSec: 40 })).toEqual({ head: 'BGP Active for 40 s', detail: 'no routes through this tunnel' })
  })

  it('both tunnels up and both sessions Established: healthy; a session down on an up tunnel: a warning naming it', () => {
    const ok = { neighbor: 'x', state: 'Established', established: true, prefixesReceived: 1, prefixesSent: 1 }
    expect(toOverall([tunnel(1, ok), tunnel(2, ok)], label, 0).tone).toBe('success')
    const o = toOverall([tunnel(1, { neighbor: 'x', state: 'Connect', established: false }), tunnel(2, ok)], label, 0)
    expect(o.tone).toBe('warning')
    expect(o.text).toMatch(/But Tunnel 1: the BGP session is not Established, so no traffic is routed there\.$/)
    expect(toOverall([tunnel(1), tunnel(2)], label, 0).tone, 'a static VPN has no BGP to judge').toBe('success')
  })
})
