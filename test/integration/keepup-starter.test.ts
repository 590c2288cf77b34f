// Keep-up on a strongSwan legacy (starter, ipsec.conf) gateway with no app after apply: the loop started
// by apply/leftupdown, holding one policy-based tunnel up (tunnel 2 auto=add, standing by), failing over
// when AWS deletes and refuses the active one, closing a second one, rollback ending it.
//
// After apply this file only uses the lab's aws/gateway handles: whatever keeps the tunnels up runs on the
// gateway by itself (charon plus the rendered keepup.sh, driving charon through `ipsec status|up`).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Details } from '../../main/core/details/model'
import { processSecretSources } from '../../main/core/details/resolve'
import { applyChange, prepareChange, rollbackChange, type PreparedChange } from '../../main/core/workflow/change'
import { up, type IkeSa, type Lab } from '../lab'
import { labGate } from '../support/gate'
import { isUpOnAws, listKeepupPids, readKeepupState, sleep, toNodeShell as nodeShell, within } from '../support/keepup-lab'

const g = labGate('keep-up on starter (lab)')
const LIMIT_MS = 60_000

const timings: Record<string, number> = {}

describe.skipIf(g.skip)('keep-up on a starter (ipsec.conf) gateway, no app after apply', () => {
  let lab: Lab
  let change: PreparedChange

  const upOnAws = (sas: IkeSa[], i: 0 | 1) => isUpOnAws(lab, sas, i)
  const keepup = () => change.rendered.files.find((f) => f.path.endsWith('-keepup.sh'))!
  const state = () => readKeepupState(lab)
  const keepupPids = () => listKeepupPids(lab)

  beforeAll(async () => {
    lab = await up({ gateway: 'starter' })
    const shell = nodeShell(lab)
    change = await prepareChange({ shell: shell }, { details: Details.parse({ ...lab.details(), routing: 'policy' }), sources: processSecretSources })
    expect(change.rendered.kind).toBe('strongswan-legacy')
    const res = await applyChange({ shell: shell }, change, { confirmWithin: 60 })
    expect(res.outcome, JSON.stringify(res)).toBe('committed')
  })
  afterAll(async () => {
    console.log(`keep-up (starter) timings (ms): ${JSON.stringify(timings)}`)
    await lab?.down()
  })

  it('apply installs keepup.sh as leftupdown; exactly one loop runs, reading tunnel 1 up and tunnel 2 standing by through `ipsec status`', async () => {
    const k = keepup()
    expect(k.mode).toBe(0o700)
    expect(k.secret).toBe(false)
    expect(k.content).not.toContain(lab.aws.psks[0])
    expect(k.content).toContain('STACK=starter')
    const conf = change.rendered.files[0]!
    expect(conf.content).toContain(`leftupdown="${k.path} updown 1"`)
    expect(conf.content).toContain(`leftupdown="${k.path} updown 2"`)
    expect(conf.content.match(/\tauto=\w+/g)).toEqual(['\tauto=start', '\tauto=add'])
    // starter loaded it with the hook: statusall lists the conns (the loop's "loaded" check).
    const all = (await lab.gateway.exec(['ipsec', 'statusall', change.rendered.connectionNames[0]])).stdout
    expect(all).toMatch(new RegExp(`^ +${change.rendered.connectionNames[0]}: `, 'm'))
    const r = await within('the keep-up loop to run', 15_000, async () => ((await keepupPids()).length > 0 ? true : undefined))
    timings['loop started after apply'] = r.ms
    await sleep(1000)
    expect(await keepupPids()).toHaveLength(1)
    // The loop's own view (parsed from `ipsec status`) and the keepalive ping through the active SA.
    const s = await within('a state line with tunnel 1 active and a keepalive reply', 20_000, async () => {
      const v = await state()
      return / t1=up t2=standby active=1 ping=ok/.test(v) ? v : undefined
    })
    expect(s.value).toMatch(/initiated=0,0/)
    const sas = await lab.aws.listSas()
    expect([upOnAws(sas, 0), sas.some((x) => x.localHost === lab.aws.outsideIps[1])]).toEqual([true, false])
  })

  it('the active tunnel deleted by AWS and refused: tunnel 2 takes over within 60 s (`ipsec up`); allowed again: no failback', async () => {
    await lab.aws.tunnelDown(0)
    const over = await within('tunnel 2 up in place of tunnel 1', LIMIT_MS, async () => {
      const sas = await lab.aws.listSas()
      return upOnAws(sas, 1) && !upOnAws(sas, 0) ? true : undefined
    })
    timings['DELETE → tunnel 2 up'] = over.ms
    expect((await lab.gateway.execLanHost(['ping', '-c', '1', '-W', '2', lab.aws.hostIp])).code).toBe(0)
    await lab.aws.tunnelUp(0)
    const v = await within('the loop to hold tunnel 2 active', 15_000, async () => {
      const st = await state()
      return / t1=standby t2=up active=2/.test(st) ? st : undefined
    })
    expect(Number(/ initiated=(\d+),(\d+)/.exec(v.value)?.[2])).toBeGreaterThanOrEqual(1)
    // No failback, no flapping: tunnel 1 stays without an SA while AWS allows it again.
    const end = Date.now() + 20_000
    while (Date.now() < end) {
      const sas = await lab.aws.listSas()
      expect([upOnAws(sas, 0), upOnAws(sas, 1)]).toEqual([false, true])
      await sleep(2000)
    }
  })

  it('a second tunnel brought up by hand (`ipsec up`) beside the active one is closed again', async () => {
    const upOut = await lab.gateway.exec(['timeout', '20', 'ipsec', 'up', change.rendered.connectionNames[0]])
    expect(upOut.stdout).toContain('established successfully')
    const closed = await within('tunnel 1 closed by keepup.sh', 20_000, async () => {
      const sas = await lab.aws.listSas()
      return !upOnAws(sas, 0) && upOnAws(sas, 1) ? true : undefined
    })
    timings['second tunnel up → closed'] = closed.ms
  })

  it('rollback removes keepup.sh and the loop ends by itself', async () => {
    await rollbackChange({ shell: nodeShell(lab) })
    expect((await lab.gateway.exec(['test', '-e', keepup().path])).code).not.toBe(0)
    const gone = await within('the keep-up loop to end', 15_000, async () => ((await keepupPids()).length === 0 ? true : undefined))
    timings['rollback → loop gone'] = gone.ms
    expect((await lab.gateway.exec(['sh', '-c', 'ls /run/tunnelwright/ 2>/dev/null; true'])).stdout.trim()).toBe('')
    // starter unloaded the conns (its `update` deletes a removed conn's config but, measured here, leaves
    // its established SAs in place until they expire: a rollback gap of the starter profile, not keep-up's).
    const all = (await lab.gateway.exec(['ipsec', 'statusall'])).stdout
    for (const c of change.rendered.connectionNames) expect(all).not.toMatch(new RegExp(`^ +${c}: `, 'm'))
  })
})
