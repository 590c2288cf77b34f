// BGP on the vendor kinds: each route-based render with details.bgp carries the customer ASN, both AWS
// neighbours (169.254.x.1) with AWS's ASN and timers, advertises exactly the agency CIDRs (an outbound
// filter), accepts the dedicated CIDRs only, and has no static route to a dedicated CIDR; policy-based,
// Windows Server and a missing AWS ASN are refused with a fix. Each syntax's checker refuses a broken BGP
// block, and fuzzed ASNs and names never leave the grammar.
import fc from 'fast-check'
import { describe, expect, it, test } from 'vitest'
import { UserError } from '../../main/core/base/result'
import { VENDOR_KINDS, type VendorKind } from '../../main/core/base/vocabulary'
import { lintDetails } from '../../main/core/details/lint'
import { EscapeError } from '../../main/core/render/escape'
import { renderVendorDevice, toVendorAutoRouting } from '../../main/core/render/vendor'
import { VENDOR_CHECKERS } from '../../main/core/render/vendor/syntax'
import type { Doc } from '../support/details-doc'
import { toVendorDetails, toVendorInput } from '../support/vendor-details'

const BGP_KINDS = ['cisco-asa', 'cisco-ios', 'paloalto', 'fortigate', 'juniper-srx'] as const

function withBgp(d: Doc, customerAsn = 65010, awsAsn: number | null = 64512): void {
  // IKEv2: the ASA hashes IKEv1 with SHA-1 only, and every kind takes IKEv2 with SHA-256.
  d['crypto'] = { ikeVersion: 2 }
  d.gateway.privateCidrs = ['10.10.0.0/24', '10.20.0.0/16']
  d.remote.dedicatedCidrs = ['10.200.0.0/16']
  d['bgp'] = {
    tunnels: [
      { outsideIp: '18.253.1.10', neighborIp: '169.254.44.9', customerAsn, ...(awsAsn === null ? {} : { awsAsn }), holdTime: 30 },
      { outsideIp: '18.253.2.20', neighborIp: '169.254.201.5', customerAsn, ...(awsAsn === null ? {} : { awsAsn }), holdTime: 30 },
    ],
  }
}

function render(kind: VendorKind, over: (d: Doc) => void = (d) => withBgp(d), routing: 'route' | 'policy' = 'route'): string {
  return renderVendorDevice(toVendorInput(toVendorDetails(over), routing), kind).files[0]!.content
}

/** Per syntax: the lines that carry each BGP value (a regex whose first capture is the value). */
const READ: Record<(typeof BGP_KINDS)[number], { asn: RegExp; neighbour: RegExp; awsAsn: RegExp; keepalive?: RegExp; hold: RegExp; advertise: RegExp; accept: RegExp; staticRoute: RegExp }> = {
  'cisco-asa': { asn: /^router bgp (\d+)$/, neighbour: /^ {2}neighbor (\S+) activate$/, awsAsn: /^ {2}neighbor \S+ remote-as (\d+)$/, keepalive: /^ {2}neighbor \S+ timers (\d+) \d+ \d+$/, hold: /^ {2}neighbor \S+ timers \d+ (\d+) \d+$/, advertise: /^prefix-list \S+-bgp-out seq \d+ permit (\S+)$/, accept: /^prefix-list \S+-bgp-in seq \d+ permit (\S+) le 32$/, staticRoute: /^route \S+ 10\.200\./ },
  'cisco-ios': { asn: /^router bgp (\d+)$/, neighbour: /^ {2}neighbor (\S+) activate$/, awsAsn: /^ neighbor \S+ remote-as (\d+)$/, keepalive: /^ neighbor \S+ timers (\d+) \d+ \d+$/, hold: /^ neighbor \S+ timers \d+ (\d+) \d+$/, advertise: /^ip prefix-list \S+-bgp-out seq \d+ permit (\S+)$/, accept: /^ip prefix-list \S+-bgp-in seq \d+ permit (\S+) le 32$/, staticRoute: /^ip route 10\.200\./ },
  paloalto: { asn: /protocol bgp local-as (\d+)$/, neighbour: /peer-group \S+ peer \S+ peer-address ip (\S+)$/, awsAsn: /peer \S+ peer-as (\d+)$/, keepalive: /keep-alive-interval (\d+)/, hold: /hold-time (\d+)$/, advertise: /policy export rules \S+ match address-prefix (\S+) exact yes$/, accept: /policy import rules \S+ match address-prefix (\S+) exact no$/, staticRoute: /static-route/ },
  fortigate: { asn: /^ {4}set as (\d+)$/, neighbour: /^ {8}edit "(169\.254\.\S+)"$/, awsAsn: /set remote-as (\d+)$/, keepalive: /set keep-alive-timer (\d+)$/, hold: /set holdtime-timer (\d+)$/, advertise: /^ {12,16}set prefix (\S+ \S+)\n {8,12}next$/, accept: /^ {16}set prefix (\S+ \S+)\n {16}set le 32$/, staticRoute: /config router static/ },
  'juniper-srx': { asn: /group \S+ local-as (\d+)$/, neighbour: /group \S+ neighbor (\S+) peer-as/, awsAsn: /neighbor \S+ peer-as (\d+)$/, hold: /group \S+ hold-time (\d+)$/, advertise: /-bgp-out term agency from route-filter (\S+) exact$/, accept: /-bgp-in term dedicated from route-filter (\S+) orlonger$/, staticRoute: /routing-options static/ },
}

/** Every first capture of `re` over the text, line anchors per line. */
const all = (text: string, re: RegExp) => [...text.matchAll(new RegExp(re.source, 'gm'))].map((m) => m[1]!)

describe.each(BGP_KINDS)('%s with BGP', (kind) => {
  const text = render(kind)
  const r = READ[kind]

  it('runs as the customer ASN with both AWS neighbours at AWS ASN, keepalive 10 and hold 30', () => {
    expect([...new Set(all(text, r.asn))]).toEqual(['65010'])
    expect(all(text, r.neighbour)).toEqual(['169.254.44.9', '169.254.201.5'])
    expect(all(text, r.awsAsn)).toEqual(['64512', '64512'])
    if (r.keepalive) expect([...new Set(all(text, r.keepalive))]).toEqual(['10'])
    // PAN-OS installs BGP's routes only with install-route on (off by default): without it nothing is routed.
    if (kind === 'paloalto') expect(text).toMatch(/^set network virtual-router default protocol bgp install-route yes$/m)
    expect([...new Set(all(text, r.hold))]).toEqual(['30'])
  })

  it('advertises exactly the agency CIDRs, accepts only the dedicated CIDRs, and routes nothing statically', () => {
    const spelled = (cidrs: string[]) => (kind === 'fortigate' ? cidrs.map((c) => ({ '10.10.0.0/24': '10.10.0.0 255.255.255.0', '10.20.0.0/16': '10.20.0.0 255.255.0.0', '10.200.0.0/16': '10.200.0.0 255.255.0.0' })[c]) : cidrs)
    // FortiOS writes the agency prefixes twice: the out prefix list and config network.
    const adv = all(text, r.advertise)
    expect(kind === 'fortigate' ? [...new Set(adv)] : adv).toEqual(spelled(['10.10.0.0/24', '10.20.0.0/16']))
    expect(all(text, r.accept)).toEqual(spelled(['10.200.0.0/16']))
    expect(text.split('\n').some((l) => r.staticRoute.test(l))).toBe(false)
    // The static render of the same details does route them: the pattern can match.
    const statics = render(kind, (d) => void (d['crypto'] = { ikeVersion: 2 }))
    expect(statics.split('\n').some((l) => r.staticRoute.test(l))).toBe(true)
  })

  it('policy-based is refused: BGP needs the tunnel interfaces', () => {
    let err: unknown
    try {
      render(kind, (d) => withBgp(d), 'policy')
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(UserError)
    expect((err as UserError).code).toBe('bgp-needs-route-based')
    expect((err as UserError).fix).toMatch(/route/)
  })

  it("without AWS's ASN it refuses with the fix", () => {
    expect(() => render(kind, (d) => withBgp(d, 65010, null))).toThrow(expect.objectContaining({ code: 'vendor-bgp-aws-asn' }))
  })

  it('a BGP block with its closing line or a keyword broken fails the checker', () => {
    const check = (t: string) => VENDOR_CHECKERS[kind](t).issues.length
    expect(check(text)).toBe(0)
    const lines = text.split('\n')
    const breakers: Record<typeof kind, readonly ((l: string) => string | undefined)[]> = {
      'cisco-asa': [(l) => (l === ' exit-address-family' ? '' : undefined), (l) => (l.endsWith(' activate') ? l.replace('activate', 'activ') : undefined), (l) => (l.startsWith('  neighbor') ? l.slice(1) : undefined)],
      'cisco-ios': [(l) => (l === ' exit-address-family' ? '' : undefined), (l) => (l.includes('timers') ? l.replace('timers 10', 'timers ten') : undefined), (l) => (l.startsWith('  network') ? l.slice(1) : undefined)],
      paloalto: [(l) => (l.includes('keep-alive-interval') ? l.replace('keep-alive-interval', 'keepalive') : undefined), (l) => (l.includes('local-as') ? l.replace(/\d+$/, '"65010"') : undefined)],
      fortigate: [(l) => (l === '    end' ? '' : undefined), (l) => (l.includes('holdtime-timer') ? l.replace('holdtime-timer', 'hold-timer') : undefined), (l) => (l.includes('edit "169.254') ? l.replace(/"/g, '') : undefined)],
      'juniper-srx': [(l) => (l.includes('peer-as') ? l.replace('peer-as', 'peer_as') : undefined), (l) => (l.includes('route-filter') ? l.replace('exact', 'exactly') : undefined)],
    }
    for (const b of breakers[kind]) {
      let changed = false
      const broken = lines.map((l) => {
        const n = b(l)
        if (n === undefined) return l
        changed = true
        return n
      })
      expect(changed).toBe(true)
      expect(check(broken.join('\n'))).toBeGreaterThan(0)
    }
  })
})

describe('BGP refusals', () => {
  it('Windows Server: refused with why and the fix', () => {
    const details = toVendorDetails((d) => {
      withBgp(d)
      d['crypto'] = { ikeVersion: 2 }
    })
    expect(() => renderVendorDevice(toVendorInput(details, 'route'), 'windows-server')).toThrow(expect.objectContaining({ code: 'bgp-not-supported', fix: expect.stringMatching(/static VPN/) }))
  })
})

describe('lint and render agree on BGP', () => {
  const cases = VENDOR_KINDS.flatMap((kind) => (['route', 'policy', 'auto'] as const).flatMap((routing) => ([1, 2] as const).map((ike) => ({ kind, routing, ike }))))
  test.each(cases)('$kind $routing IKEv$ike: lint has an error exactly when the render refuses', ({ kind, routing, ike }) => {
    const details = toVendorDetails((d) => {
      withBgp(d)
      d['crypto'] = { ikeVersion: ike }
      d['routing'] = routing
    })
    const errors = lintDetails(details, { sources: { env: {}, readFile: () => '' }, device: { kind } }).filter((f) => f.severity === 'error')
    let refused: string | undefined
    try {
      renderVendorDevice(toVendorInput(details, routing === 'auto' ? toVendorAutoRouting(kind, details.crypto) : routing), kind)
    } catch (err) {
      if (!(err instanceof UserError)) throw err
      refused = err.code
    }
    if (refused === undefined) expect(errors.map((f) => f.id)).toEqual([])
    else expect(errors.length, `render refused with ${refused}`).toBeGreaterThan(0)
  })
})

const RUNS = Number(process.env['TW_FUZZ_RUNS'] ?? 100)
const HOSTILE = ['"', "'", '\\', '?', '\n', '!', '#', ';', ' ', 'end', 'next', 'exit', 'exit-address-family', '[', ']', 'set ']

test.each(BGP_KINDS)('%s: fuzzed ASNs and names render inside the grammar or are refused', (kind) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 4294967295 }),
      fc.integer({ min: 1, max: 4294967295 }),
      fc.oneof(fc.string({ minLength: 1, maxLength: 60 }), fc.array(fc.constantFrom(...HOSTILE), { minLength: 1, maxLength: 8 }).map((p) => p.join(''))),
      (customerAsn, awsAsn, name) => {
        let text: string
        try {
          text = render(kind, (d) => {
            d.name = name
            withBgp(d, customerAsn, awsAsn)
          })
        } catch (err) {
          // Only refusals with a reason: bad names are refused by the details' schema or the escapers.
          if (err instanceof UserError || err instanceof EscapeError || (err instanceof Error && err.name === 'ZodError')) return
          throw err
        }
        expect(VENDOR_CHECKERS[kind](text).issues).toEqual([])
        expect(all(text, READ[kind].asn)).toContain(String(customerAsn))
        expect(all(text, READ[kind].awsAsn)).toEqual([String(awsAsn), String(awsAsn)])
      },
    ),
    { numRuns: RUNS },
  )
})

it('every BGP kind has a reader above (a new kind is not silently skipped)', () => {
  expect(Object.keys(READ).sort()).toEqual([...BGP_KINDS].sort())
})
