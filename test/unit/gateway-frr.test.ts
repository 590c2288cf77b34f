// What a change does to FRR on a Linux gateway: refusals (nothing changed) when FRR cannot take a BGP VPN, the
// merged frr.conf when it can, the section removed when the VPN is static again; and the stack profile wrapper.
// FRR's own parser and reload on a running FRR are proven in the VM lab (vm-bgp-*.test.ts).
import { describe, expect, it } from 'vitest'
import { UserError } from '../../main/core/base/result'
import { toFrrConfChange, withFrr, type FrrState } from '../../main/core/gateway/frr'
import type { StackProfile } from '../../main/core/gateway/stacks'
import { FRR_CONF } from '../../main/core/render/frr'
import { sampleInput } from '../support/render-sample'
import { bgpInput, EXISTING_FRR_CONF } from '../support/frr-sample'

const READY: FrrState = { installed: true, bgpdEnabled: true, reloadTool: true, running: true, conf: EXISTING_FRR_CONF }

function refusal(state: FrrState): UserError {
  try {
    toFrrConfChange(state, bgpInput())
  } catch (e) {
    if (e instanceof UserError) return e
    throw e
  }
  throw new Error('not refused')
}

describe('FRR on the gateway for a BGP VPN', () => {
  it.each([
    ['not installed', { installed: false }, 'frr-missing', /apt-get install frr frr-pythontools/],
    ['bgpd not enabled', { bgpdEnabled: false }, 'frr-bgpd-disabled', /bgpd=yes in \/etc\/frr\/daemons.*restarts FRR's other daemons/],
    ['no frr-reload.py', { reloadTool: false }, 'frr-reload-missing', /frr-pythontools/],
    ['bgpd not answering', { running: false }, 'frr-not-running', /systemctl start frr/],
  ] as const)('%s: refused with %s and what to do', (_what, over, code, fix) => {
    const e = refusal({ ...READY, ...over })
    expect(e.code).toBe(code)
    expect(e.fix).toMatch(fix)
  })

  it("puts the VPN's section into the admin's frr.conf, every other byte kept, and names the neighbours to wait for", () => {
    const change = toFrrConfChange(READY, bgpInput())!
    expect(change.path).toBe(FRR_CONF)
    expect(change.neighbours).toEqual(['169.254.10.1', '169.254.11.1'])
    expect(change.content.startsWith(EXISTING_FRR_CONF.slice(0, EXISTING_FRR_CONF.indexOf('end\n')))).toBe(true)
    expect(change.content).toContain(' neighbor 169.254.10.1 remote-as 64512\n')
    expect(change.content).toContain(' neighbor 10.77.0.1 remote-as 64999\n')
    expect(change.content.endsWith('end\n')).toBe(true)
  })

  it('a static VPN takes out the section an earlier BGP version left (byte for byte); with none, frr.conf is not touched', () => {
    const withSection = toFrrConfChange(READY, bgpInput())!.content
    const input = sampleInput('route')
    expect(input.slug).toBe(bgpInput().slug)
    expect(toFrrConfChange({ ...READY, conf: withSection }, input)).toEqual({ path: FRR_CONF, content: EXISTING_FRR_CONF, neighbours: [] })
    expect(toFrrConfChange(READY, input)).toBeUndefined()
    expect(toFrrConfChange({ installed: false, bgpdEnabled: false, reloadTool: false, running: false }, input)).toBeUndefined()
  })

  it('the stack profile validates and reloads FRR after the IPsec daemon, and with neighbours waits for both sessions', () => {
    const base: StackProfile = { validate: 'V', activate: 'A', activateErrors: 'E', reload: 'R', initiate: ['I'], isUp: 'U' }
    const p = withFrr(base, ['169.254.10.1', '169.254.11.1'])
    expect(p.validate).toMatch(/^V && \{ o=\$\(vtysh --dryrun -f '?\/etc\/frr\/frr\.conf'?/)
    expect(p.activate).toMatch(/^A && \{ if command -v systemctl .*systemctl reload frr; else '?\/usr\/lib\/frr\/frrinit\.sh'? reload; fi; \}$/)
    expect(p.reload.split('\n')[0]).toBe('R')
    expect(p.isUp).toMatch(/^\{ U; \} && vtysh -c 'show bgp neighbors 169\.254\.10\.1 json'.* && vtysh -c 'show bgp neighbors 169\.254\.11\.1 json'/)
    expect(withFrr(base, []).isUp).toBe('U')
    expect(() => withFrr(base, ['1.2.3.4; reboot'])).toThrow(/not an IPv4 neighbour/)
  })
})
