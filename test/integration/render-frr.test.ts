// The FRR BGP section checked by the REAL FRR 8.4 parsers (Debian's frr, unpacked by test/lab/prepare-frr.sh):
// `vtysh --dryrun` and `bgpd --dryrun` (see test/support/frr.ts for why both). Alone, inside a gateway's own
// frr.conf, for hostile names and random details; and broken configurations are refused, so the check can fail.
// And the section the offline `tunnelwright render` shows: what FRR's parsers accept, and what apply merges.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { runCli } from '../../main/cli/index'
import { removeFrrSection, renderFrrBgpSection, toFrrBgpPlan, toFrrConf } from '../../main/core/render/frr'
import { checkFrrConfig, frrMissing } from '../support/frr'
import { bgpInput, EXISTING_FRR_CONF, toBgpSessions } from '../support/frr-sample'
import { sampleDetails } from '../support/render-sample'
import { gate } from '../support/gate'
import { detailsArbitraries, HOSTILE } from '../support/render-sample'

const g = gate('render-frr', frrMissing())
const RUNS = Number(process.env['TW_FUZZ_RUNS'] ?? 15)

describe.skipIf(g.skip)('FRR 8.4 parsers', () => {
  test('the section alone (a gateway without FRR configuration) passes both parsers', () => {
    const conf = toFrrConf(undefined, toFrrBgpPlan(bgpInput({ privateCidrs: ['10.40.0.0/24', '10.41.0.0/16'] }))!)
    const r = checkFrrConfig(conf)
    expect(r.bgpdErrors).toEqual([])
    expect(r.vtysh.status).toBe(0)
    expect(r.ok).toBe(true)
  })

  test("inside a gateway's own frr.conf (same ASN, its own neighbour and route maps, `end`): passes, and removal gives the file back", () => {
    const plan = toFrrBgpPlan(bgpInput())!
    const conf = toFrrConf(EXISTING_FRR_CONF, plan)
    expect(checkFrrConfig(conf)).toMatchObject({ ok: true, bgpdErrors: [] })
    expect(removeFrrSection(conf, plan.slug)).toBe(EXISTING_FRR_CONF)
    expect(checkFrrConfig(EXISTING_FRR_CONF).ok).toBe(true)
  })

  test('without AWS\'s ASN ("remote-as external") it passes too', () => {
    expect(checkFrrConfig(toFrrConf(undefined, toFrrBgpPlan(bgpInput({ awsAsn: null }))!)).ok).toBe(true)
  })

  test('broken configurations are refused (the check can fail)', () => {
    const conf = toFrrConf(undefined, toFrrBgpPlan(bgpInput())!)
    const broken = [
      ['a misspelt keyword', conf.replace(' timers 10 30', ' timerz 10 30')],
      ['a hold time FRR does not allow', conf.replace(' timers 10 30', ' timers 10 99999')],
      ['timers before remote-as (bgpd only)', conf.replace(/^ neighbor 169\.254\.10\.1 remote-as 64512\n/m, '')],
      ['the section appended after `end` (bgpd only)', `${EXISTING_FRR_CONF}${renderFrrBgpSection(toFrrBgpPlan(bgpInput())!, { routerId: false })}`],
    ] as const
    for (const [what, text] of broken) expect(checkFrrConfig(text).ok, what).toBe(false)
  })

  test('hostile connection names render sections FRR accepts', () => {
    for (const h of HOSTILE.slice(0, 8)) expect(checkFrrConfig(toFrrConf(EXISTING_FRR_CONF, toFrrBgpPlan(bgpInput({ name: `gw${h}1` }))!)).ok, JSON.stringify(h)).toBe(true)
  })

  test(`random valid details render sections both parsers accept (${RUNS} runs)`, () => {
    const { details } = detailsArbitraries(fc)
    fc.assert(
      fc.property(details, fc.integer({ min: 1, max: 4294967294 }).filter((a) => a !== 23456 && a !== 65535 && a !== 64512), (d, asn) => {
        const r = checkFrrConfig(toFrrConf(undefined, toFrrBgpPlan(bgpInput({ ...d, customerAsn: asn }))!))
        expect(r.bgpdErrors).toEqual([])
        expect(r.ok).toBe(true)
      }),
      { numRuns: RUNS },
    )
  })

  test.each(['strongswan', 'strongswan-legacy', 'libreswan'])("%s: the section offline `render --json` shows passes both parsers alone and pasted into a gateway's own frr.conf before its `end`; pasted there without its router-id line (as its note says) it is byte for byte what apply merges", async (device) => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-render-frr-'))
    try {
      const d = sampleDetails({ privateCidrs: ['10.40.0.0/24', '10.41.0.0/16'] })
      const file = join(dir, 'details.json')
      writeFileSync(file, JSON.stringify({ ...d, routing: 'route', bgp: toBgpSessions(d.remote.tunnels) }), { mode: 0o600 })
      let stdout = ''
      let stderr = ''
      const code = await runCli(['render', '--details', file, '--device', device, '--json'], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {} })
      expect(code, stderr).toBe(0)
      const doc = JSON.parse(stdout) as { files: { sectionOf?: string; content?: string }[]; notes: string[] }
      const section = doc.files.find((f) => f.sectionOf === '/etc/frr/frr.conf')?.content ?? ''
      // Alone: what a gateway whose FRR has no configuration of its own gets.
      expect(checkFrrConfig(section)).toMatchObject({ ok: true, bgpdErrors: [], vtysh: { status: 0 } })
      // Pasted into the admin's file (same ASN, its own router id), before its top-level `end`.
      const end = EXISTING_FRR_CONF.lastIndexOf('end\n')
      const paste = (s: string) => EXISTING_FRR_CONF.slice(0, end) + s + EXISTING_FRR_CONF.slice(end)
      expect(checkFrrConfig(paste(section))).toMatchObject({ ok: true, bgpdErrors: [] })
      expect(doc.notes.find((n) => n.startsWith('BGP: '))).toContain('leave out the section\'s "bgp router-id" line')
      const byHand = paste(section.replace(/^ bgp router-id \S+\n/m, ''))
      const plan = toFrrBgpPlan(bgpInput({ privateCidrs: ['10.40.0.0/24', '10.41.0.0/16'] }))!
      expect(byHand).toBe(toFrrConf(EXISTING_FRR_CONF, plan))
      expect(section).toBe(toFrrConf(undefined, plan))
      expect(checkFrrConfig(byHand).ok).toBe(true)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
