// The FRR BGP section for a BGP VPN: what it says (neighbours on the inside /30s, ASNs, AWS's timers, only the
// agency CIDRs out and only the dedicated CIDRs in), and that an frr.conf the gateway already has keeps every
// byte outside the section through apply (toFrrConf) and rollback (removeFrrSection). The real FRR parser
// reads the output in test/integration/render-frr.test.ts.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { UserError } from '../../main/core/base/result'
import { AWS_BGP_TIMERS, removeFrrSection, renderFrrBgpSection, toFrrBgpPlan, toFrrConf } from '../../main/core/render/frr'
import { bgpInput, EXISTING_FRR_CONF } from '../support/frr-sample'
import { HOSTILE, sampleInput } from '../support/render-sample'

const RUNS = Number(process.env['TW_FUZZ_RUNS'] ?? 300)

/** Every line FRR's section may hold: nothing else can reach the file, whatever the details say. */
const SECTION_LINE = new RegExp(
  [
    String.raw`! tunnelwright:begin [a-z][a-z0-9-]* \(managed by Tunnelwright: replaced on apply, removed on rollback; edit outside these lines\)( \+nl)?`,
    String.raw`! tunnelwright:end [a-z][a-z0-9-]*`,
    String.raw`ip prefix-list tw-[a-z0-9-]+-(in|out) seq \d+ permit [\d.]+/\d+( le 32)?`,
    String.raw`route-map tw-[a-z0-9-]+-(in|out) permit 10`,
    String.raw` match ip address prefix-list tw-[a-z0-9-]+-(in|out)`,
    'exit',
    String.raw`router bgp \d+`,
    String.raw` bgp router-id [\d.]+`,
    String.raw` neighbor [\d.]+ (remote-as (\d+|external)|description tunnelwright [a-z0-9-]+ tunnel [12]|timers 10 30|timers connect 10)`,
    ' address-family ipv4 unicast',
    String.raw`  network [\d.]+/\d+`,
    String.raw`  neighbor [\d.]+ (activate|route-map tw-[a-z0-9-]+-(in|out) (in|out))`,
    ' exit-address-family',
  ]
    .map((l) => `(?:${l})`)
    .join('|'),
)
/** The section of the sample's connection (its slug is "agency-east"). */
const sectionOf = (conf: string, slug = 'agency-east') => conf.slice(conf.indexOf(`! tunnelwright:begin ${slug} `), conf.indexOf('\n', conf.indexOf(`! tunnelwright:end ${slug}\n`)) + 1)

describe('the FRR BGP section', () => {
  it('peers with AWS on each inside /30 with the export\'s ASNs and AWS\'s timers, advertises only the agency CIDRs, accepts only the dedicated ones', () => {
    const input = bgpInput({ privateCidrs: ['10.40.0.0/24', '10.41.0.0/16'], dedicatedCidrs: ['172.31.16.0/20'] })
    const plan = toFrrBgpPlan(input)!
    const text = renderFrrBgpSection(plan, { routerId: true })
    const slug = input.slug
    expect(text).toContain(`router bgp 65000\n bgp router-id 169.254.10.2\n`)
    for (const [aws] of [['169.254.10.1'], ['169.254.11.1']]) {
      expect(text).toContain(` neighbor ${aws} remote-as 64512\n`)
      expect(text).toContain(` neighbor ${aws} timers ${AWS_BGP_TIMERS.keepalive} ${AWS_BGP_TIMERS.hold}\n`)
      expect(text).toContain(`  neighbor ${aws} route-map tw-${slug}-out out\n`)
      expect(text).toContain(`  neighbor ${aws} route-map tw-${slug}-in in\n`)
    }
    expect([...text.matchAll(/^ip prefix-list tw-\S+-out seq \d+ permit (\S+)$/gm)].map((m) => m[1])).toEqual(['10.40.0.0/24', '10.41.0.0/16'])
    expect([...text.matchAll(/^ {2}network (\S+)$/gm)].map((m) => m[1])).toEqual(['10.40.0.0/24', '10.41.0.0/16'])
    expect([...text.matchAll(/^ip prefix-list tw-\S+-in seq \d+ permit (.+)$/gm)].map((m) => m[1])).toEqual(['172.31.16.0/20 le 32'])
    for (const line of text.slice(0, -1).split('\n')) expect(line).toMatch(new RegExp(`^(?:${SECTION_LINE.source})$`))
  })

  it('without AWS\'s ASN the neighbours are "remote-as external"; a static VPN has no BGP plan; policy-based routing is refused', () => {
    expect(renderFrrBgpSection(toFrrBgpPlan(bgpInput({ awsAsn: null }))!, { routerId: false })).toMatch(/^ neighbor 169\.254\.10\.1 remote-as external$/m)
    expect(toFrrBgpPlan(sampleInput('route'))).toBeUndefined()
    const policy = { ...bgpInput(), routing: 'policy' as const }
    expect(() => toFrrBgpPlan(policy)).toThrow(UserError)
  })

  it("into a gateway's own frr.conf: before its `end`, without a second router id, and out again byte for byte", () => {
    const plan = toFrrBgpPlan(bgpInput())!
    expect(plan.slug).toBe('agency-east')
    const conf = toFrrConf(EXISTING_FRR_CONF, plan)
    expect(sectionOf(conf)).toMatch(/^! tunnelwright:begin agency-east [\s\S]*! tunnelwright:end agency-east\n$/)
    expect(conf.indexOf('! tunnelwright:begin')).toBeLessThan(conf.lastIndexOf('\nend\n'))
    expect(sectionOf(conf)).not.toContain('bgp router-id')
    expect(removeFrrSection(conf, plan.slug)).toBe(EXISTING_FRR_CONF)
    // Applying again replaces the section in place; an edited ASN shows in the file.
    expect(toFrrConf(conf, plan)).toBe(conf)
    // With no frr.conf at all, the section is the file and has the router id.
    expect(toFrrConf(undefined, plan)).toMatch(/^! tunnelwright:begin [\s\S]* bgp router-id 169\.254\.10\.2\n/)
  })

  it('refuses, changing nothing, when FRR already runs BGP under another ASN, or our section was damaged', () => {
    const plan = toFrrBgpPlan(bgpInput({ customerAsn: 65010 }))!
    const e = (() => {
      try {
        toFrrConf(EXISTING_FRR_CONF, plan)
      } catch (err) {
        return err
      }
    })()
    expect(e).toBeInstanceOf(UserError)
    expect((e as UserError).code).toBe('frr-bgp-asn-conflict')
    expect((e as UserError).message).toMatch(/AS 65000.*65010/)
    const good = toFrrBgpPlan(bgpInput())!
    const conf = toFrrConf(EXISTING_FRR_CONF, good)
    const damaged = conf.replace(/^! tunnelwright:end .*\n/m, '')
    expect(() => toFrrConf(damaged, good)).toThrow(/damaged/)
    expect(() => removeFrrSection(damaged, good.slug)).toThrow(/damaged/)
  })

  it(`any existing file: the section goes in and out leaving every other byte, and applying twice is applying once (${RUNS} runs)`, () => {
    const plan = toFrrBgpPlan(bgpInput())!
    const line = fc.oneof(
      fc.constantFrom('end', 'end ', '!', 'router bgp 65000', 'router bgp 65000 vrf blue', 'router bgp 65001 vrf red', ' neighbor 10.0.0.1 remote-as 1', 'exit', '', '! tunnelwright:end other', 'hostname gw\r'),
      fc.string({ maxLength: 30 }).filter((s) => !s.includes('tunnelwright') && !/^router bgp/.test(s)),
    )
    fc.assert(
      fc.property(fc.array(line, { maxLength: 20 }), fc.boolean(), (lines, finalNewline) => {
        const before = lines.join('\n') + (finalNewline && lines.length > 0 ? '\n' : '')
        const after = toFrrConf(before, plan)
        expect(removeFrrSection(after, plan.slug)).toBe(before)
        expect(toFrrConf(after, plan)).toBe(after)
        for (const l of sectionOf(after).slice(0, -1).split('\n')) expect(l).toMatch(new RegExp(`^(?:${SECTION_LINE.source})$`))
      }),
      { numRuns: RUNS },
    )
  })

  it('a hostile connection name reaches the section only as the slug (letters, digits, dashes)', () => {
    for (const h of HOSTILE) {
      const text = renderFrrBgpSection(toFrrBgpPlan(bgpInput({ name: `x${h}y` }))!, { routerId: true })
      for (const l of text.slice(0, -1).split('\n')) expect(l).toMatch(new RegExp(`^(?:${SECTION_LINE.source})$`))
    }
  })
})
