// What a change does to FRR on a Linux gateway: refusals (nothing changed) when FRR cannot take a BGP VPN, the
// merged frr.conf when it can, the section removed when the VPN is static again; and the stack profile wrapper.
// FRR's own parser and reload on a running FRR are proven in the VM lab (vm-bgp-*.test.ts).
import { describe, expect, it } from 'vitest'
import { UserError } from '../../main/core/base/result'
import { toFrrConfChange, withFrr, type FrrState } from '../../main/core/gateway/frr'
import type { StackProfile } from '../../main/core/gateway/stacks'
import { unifiedDiff } from '../../main/core/apply/diff'
import { Details } from '../../main/core/details/model'
import { cutFrrSecrets, FRR_CONF, FRR_SECRET_CUT } from '../../main/core/render/frr'
import { renderDevice } from '../../main/core/render'
import type { PreparedChange } from '../../main/core/workflow/change'
import { toChangeReview } from '../../main/core/workflow/review'
import { sampleDetails, sampleInput } from '../support/render-sample'
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

describe("the admin's FRR secrets never reach what the app shows or records", () => {
  const SECRETS = ['zebraVty1', 'enabl3Pw', 'Md5Peer!x', 'k3yString9', 'ospfAuth7', 'digestKey8']
  const conf = `frr version 8.4.4
password ${SECRETS[0]}
enable password ${SECRETS[1]}
key chain peers
 key 1
  key-string ${SECRETS[3]}
interface eth1
 ip ospf authentication-key ${SECRETS[4]}
 ip ospf message-digest-key 1 md5 ${SECRETS[5]}
exit
${EXISTING_FRR_CONF.replace(' neighbor 10.77.0.1 description upstream ISP\n', ` neighbor 10.77.0.1 description upstream ISP\n neighbor 10.77.0.1 password ${SECRETS[2]}\n`)}`

  it('cuts every secret-bearing line of frr.conf and of a diff of it (prefixes kept), and nothing of our section', () => {
    const merged = toFrrConfChange({ ...READY, conf }, bgpInput())!.content
    const cut = cutFrrSecrets(merged)
    for (const s of SECRETS) expect(cut).not.toContain(s)
    expect(cut).toContain(` neighbor 10.77.0.1 password ${FRR_SECRET_CUT}\n`)
    expect(cut).toContain(`  key-string ${FRR_SECRET_CUT}\n`)
    const section = /! tunnelwright:begin [\s\S]*! tunnelwright:end \S+\n/
    expect(section.exec(cut)![0]).toBe(section.exec(merged)![0])
    // A diff whose context and removed lines carry them (the whole file replaced by our section).
    const diff = unifiedDiff(FRR_CONF, conf, section.exec(merged)![0])
    for (const s of SECRETS) expect(diff).toContain(s)
    for (const s of SECRETS) expect(cutFrrSecrets(diff)).not.toContain(s)
    expect(cutFrrSecrets('-enable password x\n+ neighbor 1.2.3.4 password y\n')).toBe(`-enable password ${FRR_SECRET_CUT}\n+ neighbor 1.2.3.4 password ${FRR_SECRET_CUT}\n`)
  })

  it('the review shows frr.conf whole with the secrets cut', () => {
    const input = bgpInput()
    const details = Details.parse({ ...sampleDetails(), routing: 'route', bgp: input.details.bgp })
    const rendered = renderDevice(input, 'strongswan')
    const content = toFrrConfChange({ ...READY, conf }, input)!.content
    const change = { details, sources: { env: {}, readFile: () => '' }, routing: 'route', kind: 'strongswan', rendered, tunnels: 'both-up', frr: { neighbours: ['169.254.10.1', '169.254.11.1'] }, plan: { changes: [], noop: false, files: [{ path: FRR_CONF, mode: 0o640, content, secret: false }], remove: [], ensureLines: [] } } as unknown as PreparedChange
    const shown = toChangeReview(change).files.find((f) => f.path === FRR_CONF)!
    expect(shown.content).toContain(' neighbor 169.254.10.1 remote-as 64512\n')
    for (const s of SECRETS) expect(shown.content).not.toContain(s)
  })
})
