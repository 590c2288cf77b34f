// BGP on pfSense through its FRR package: the rendered apply script run by REAL PHP against pfSense's stock
// config.xml with an admin's FRR settings in it, and the FRR configuration the package would generate from the
// result checked by the REAL FRR 8.4 parsers. pfSense's own functions and the package's frr_generate_config()
// are stand-ins (test/support/pfsense-standins, each says it is one): FreeBSD and the package cannot run here.
import { afterAll, describe, expect, test } from 'vitest'
import { renderDevice } from '../../main/core/render/index'
import { UserError } from '../../main/core/base/result'
import { checkFrrConfig, frrMissing } from '../support/frr'
import { bgpInput } from '../support/frr-sample'
import { gate, missing } from '../support/gate'
import { HOSTILE } from '../support/render-sample'
import { adminFrr, pfsenseFrrRunner, toBgpdPart, stockPfsenseConf as stock, type PfsenseConf as Conf, type PfsenseFrrPkgs as Pkgs } from '../support/pfsense-frr'

const g = gate('render-pfsense-frr', missing({ executables: ['/usr/bin/php'] }) ?? frrMissing())
const pf = pfsenseFrrRunner('tw-render-pf-frr-')
afterAll(() => pf.cleanup())
const { run, NO_PACKAGE } = pf

/**
 * FRR's verdict on the package's integrated file: vtysh on all of it, bgpd on what is bgpd's (the file also holds
 * a vtysh line and zebra's router-id, which bgpd alone reports as unknown; vtysh checks those).
 */
function frrAccepts(text: string): boolean {
  const whole = checkFrrConfig(text)
  const bgpd = checkFrrConfig(toBgpdPart(text))
  if (!bgpd.ok) console.log(`bgpd refused: ${bgpd.bgpdErrors.join(' | ')}`)
  return whole.vtysh.status === 0 && bgpd.ok
}

const pkgs = (c: Conf) => c.installedpackages as Pkgs
const script = (input = bgpInput()) => renderDevice(input, 'pfsense', { version: '2.7.0' }).phpScript!

describe.skipIf(g.skip)("pfSense's FRR package: the apply script under real PHP, its FRR configuration under FRR's parsers", () => {
  test("adds both AWS neighbours, the prefix lists and the agency networks beside the admin's own; FRR accepts the result; a re-run changes nothing", () => {
    const input = bgpInput()
    const conf = { ...stock(), installedpackages: adminFrr() }
    const before = adminFrr()
    const r = run(script(input), conf)
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, frr: true })
    // FRR is regenerated after the config is written and IPsec applied (the package restarts FRR itself).
    expect(r.calls).toEqual(['write_config', 'ipsec_configure', 'ipsec_reload_package_hook', 'filter_configure', 'clear_subsystem_dirty', 'frr_generate_config'])
    const p = pkgs(r.conf)
    // The admin's entries, byte for byte, first.
    expect(p.frrbgpneighbors!.config[0]).toEqual(before.frrbgpneighbors!.config[0])
    expect(p.frrglobalprefixes!.config[0]).toEqual(before.frrglobalprefixes!.config[0])
    expect(p.frrbgp!.config[0]).toMatchObject({ enable: 'on', asnum: '65000', routerid: '' })
    expect(p.frrbgp!.config[0]!['row']).toEqual([before.frrbgp!.config[0]!['row']![0 as never], { distributeroutevalue: '10.40.0.0/24', distributeroutemap: 'none', descr: `[tunnelwright-bgp:${input.slug}:net]` }])
    const ours = p.frrbgpneighbors!.config.slice(1)
    expect(ours.map((n) => n['peer'])).toEqual(input.tunnels.map((t) => t.insideAws))
    for (const n of ours) expect(n).toMatchObject({ asnum: '64512', timers_keepalive: '10', timers_holdtime: '30', prefixfilter_in: `tw-${input.slug}-in`, prefixfilter_out: `tw-${input.slug}-out` })
    expect(p.frrglobalprefixes!.config.slice(1).map((l) => [l['name'], l['row']])).toEqual([
      [`tw-${input.slug}-out`, [{ seq: '5', action: 'permit', source: '10.40.0.0/24' }]],
      [`tw-${input.slug}-in`, [{ seq: '5', action: 'permit', source: '172.31.16.0/20', le: '32' }]],
    ])

    // What the package makes of it, through FRR's own parsers.
    const frr = r.frrConf!
    expect(frr).toMatch(/^router bgp 65000$/m)
    for (const t of input.tunnels) {
      expect(frr).toContain(`neighbor ${t.insideAws} remote-as 64512`)
      expect(frr).toContain(`neighbor ${t.insideAws} timers 10 30`)
      expect(frr).toContain(`neighbor ${t.insideAws} prefix-list tw-${input.slug}-out out`)
    }
    expect(frr).toContain('neighbor 192.0.2.9 remote-as 64999')
    expect(frr).toContain('network 10.40.0.0/24')
    expect(frrAccepts(frr)).toBe(true)
    // The check can fail: a neighbour's timers FRR does not allow are refused.
    expect(frrAccepts(frr.replace(' timers 10 30', ' timers 10 99999'))).toBe(false)

    // A second run replaces ours in place: nothing doubled.
    const again = run(script(input), r.conf)
    expect(again.status).toBe(0)
    expect(pkgs(again.conf)).toEqual(p)
  })

  test("a static VPN's script takes out what a BGP version left, and only that; FRR is regenerated", () => {
    const bgp = run(script(), { ...stock(), installedpackages: adminFrr() })
    expect(bgp.status).toBe(0)
    const staticInput = bgpInput()
    const staticScript = renderDevice({ ...staticInput, details: { ...staticInput.details, bgp: undefined } } as typeof staticInput, 'pfsense', { version: '2.7.0' }).phpScript!
    const r = run(staticScript, bgp.conf)
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, frr: true })
    expect(pkgs(r.conf)).toEqual(adminFrr())
    expect(r.calls.at(-1)).toBe('frr_generate_config')
    expect(frrAccepts(r.frrConf!)).toBe(true)
    // With nothing of ours in FRR, a static apply leaves FRR alone (no restart of the admin's sessions).
    const quiet = run(staticScript, r.conf)
    expect(JSON.parse(quiet.stdout)).toMatchObject({ ok: true, frr: false })
    expect(quiet.calls).not.toContain('frr_generate_config')
  })

  test('a box whose FRR has no BGP yet gets ours as its BGP router (enabled, the customer ASN, a router id)', () => {
    const none: Pkgs = { frr: { config: [{ enable: 'on' }] } }
    const r = run(script(), { ...stock(), installedpackages: none })
    expect(r.status).toBe(0)
    const input = bgpInput()
    expect(pkgs(r.conf).frrbgp!.config[0]).toMatchObject({ enable: 'on', asnum: '65000', routerid: input.tunnels[0]!.insideLocal })
    expect(frrAccepts(r.frrConf!)).toBe(true)
  })

  test.each([
    ['the package is missing', {}, { standins: NO_PACKAGE }, /FRR package is not installed.*Package Manager/],
    ['FRR is not enabled', { frrEnable: false }, {}, /FRR is installed but not enabled/],
    ['BGP runs as another ASN', { asnum: '65001' }, {}, /already runs BGP as AS 65001; this VPN's customer gateway ASN is 65000/],
    ['BGP is configured but switched off', { bgpEnable: false }, {}, /not enabled \(Services > FRR > BGP/],
  ] as const)('refused with the fix, and nothing written, when %s', (_what, over, opts, message) => {
    const conf = { ...stock(), installedpackages: adminFrr(over) }
    const r = run(script(), conf, opts)
    expect(r.status).toBe(3)
    expect(r.stdout).toContain('TW-APPLY-FAILED')
    expect((JSON.parse(r.stdout.split('\n')[0]!) as { error: string }).error).toMatch(message)
    expect(r.calls).toEqual([])
    expect(r.conf).toEqual(conf)
  })

  test("a neighbour the admin already has at AWS's inside address is refused, not taken over", () => {
    const input = bgpInput()
    const admin = adminFrr()
    admin.frrbgpneighbors!.config.push({ peer: input.tunnels[1]!.insideAws, descr: 'hand-made AWS peer', asnum: '64512' })
    const conf = { ...stock(), installedpackages: admin }
    const r = run(script(input), conf)
    expect(r.status).toBe(3)
    expect(r.stdout).toMatch(/already has a BGP neighbour 169\.254\.\d+\.\d+ that Tunnelwright did not add/)
    expect(r.conf).toEqual(conf)
  })

  test('hostile connection names: the entries still carry only the slug, and FRR accepts the result', () => {
    for (const h of HOSTILE.slice(0, 6)) {
      const input = bgpInput({ name: `gw${h}1` })
      const r = run(script(input), { ...stock(), installedpackages: adminFrr() })
      expect(r.status, JSON.stringify(h)).toBe(0)
      expect(frrAccepts(r.frrConf!), JSON.stringify(h)).toBe(true)
    }
  })

  test("without AWS's ASN the render refuses (the package writes no remote-as without one)", () => {
    expect(() => renderDevice(bgpInput({ awsAsn: null }), 'pfsense', { version: '2.7.0' })).toThrow(UserError)
  })
})
