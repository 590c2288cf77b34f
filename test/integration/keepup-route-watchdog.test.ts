// keepup.sh's route-based watchdog (both tunnels kept up, each on its own) against a real charon.
//
// Why not a route-based apply: this lab kernel has no XFRM interfaces or VTI, so route-based SAs (0/0 with
// if_id) cannot carry traffic here. The route-based loop does not depend on that: it reads and initiates
// each tunnel by name. So the applied policy-based set is switched to what route-based mode does about
// keep-up (keepup.sh MODE=route, start_action=start on both tunnels) and the loop is restarted; the rest is
// the gateway alone against the aws node. The keepalive pings then go to the inside addresses, which do not
// answer here (the loop records "up-noreply"; the tunnel state is what counts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Details } from '../../main/core/details/model'
import { processSecretSources } from '../../main/core/details/resolve'
import { applyChange, prepareChange, type PreparedChange } from '../../main/core/workflow/change'
import { up, type Lab } from '../lab'
import { labGate } from '../support/gate'
import { isUpOnAws, readKeepupState, toNodeShell as nodeShell, within } from '../support/keepup-lab'

const g = labGate('route-based keep-up watchdog (lab)')
const LIMIT_MS = 60_000
const timings: Record<string, number> = {}

describe.skipIf(g.skip)('keepup.sh route-based watchdog: both tunnels kept up, no app', () => {
  let lab: Lab
  let change: PreparedChange

  const bothUp = async () => {
    const sas = await lab.aws.listSas()
    return isUpOnAws(lab, sas, 0) && isUpOnAws(lab, sas, 1) ? true : undefined
  }
  const state = () => readKeepupState(lab)

  beforeAll(async () => {
    lab = await up({ gateway: 'swanctl' })
    const shell = nodeShell(lab)
    change = await prepareChange({ shell: shell }, { details: Details.parse({ ...lab.details(), routing: 'policy' }), sources: processSecretSources })
    const res = await applyChange({ shell: shell }, change, { confirmWithin: 60 })
    expect(res.outcome, JSON.stringify(res)).toBe('committed')
    const keepup = change.rendered.files.find((f) => f.path.endsWith('-keepup.sh'))!.path
    const conf = change.rendered.files[0]!.path
    const r = await lab.gateway.exec(['sh', '-c', `sed -i 's/^MODE=policy$/MODE=route/' ${keepup} && sed -i 's/start_action = none/start_action = start/' ${conf} && swanctl --load-all --noprompt >/dev/null && ${keepup} restart && grep -c '^MODE=route$' ${keepup}`])
    expect(r.stdout.trim(), r.stderr).toBe('1')
  })
  afterAll(async () => {
    console.log(`route-based watchdog timings (ms): ${JSON.stringify(timings)}`)
    await lab?.down()
  })

  it('both tunnels come up and the loop sees both (no standby in route-based mode)', async () => {
    const r = await within('both tunnels up', LIMIT_MS, bothUp, 1000)
    timings['both up after the switch'] = r.ms
    const s = await within('a state line with both tunnels up', 20_000, async () => {
      const v = await state()
      return / t1=up\S* t2=up\S* ping=skip/.test(v) ? v : undefined
    })
    expect(s.value).not.toContain('active=')
  })

  it('AWS deletes tunnel 1 and refuses it, then allows it again: the watchdog brings it back within 60 s; tunnel 2 untouched', async () => {
    const spi2 = (await lab.aws.listSas()).find((s) => s.localHost === lab.aws.outsideIps[1])?.children[0]?.raw['spi-in']
    await lab.aws.tunnelDown(0)
    await within('tunnel 1 seen down by the loop', 30_000, async () => (/ t1=down/.test(await state()) ? true : undefined))
    await lab.aws.tunnelUp(0)
    const back = await within('tunnel 1 back', LIMIT_MS, bothUp, 1000)
    timings['AWS allows again → tunnel 1 back'] = back.ms
    expect((await lab.aws.listSas()).find((s) => s.localHost === lab.aws.outsideIps[1])?.children[0]?.raw['spi-in']).toBe(spi2)
  })

  it('AWS restarted hard: both tunnels re-established within 60 s', async () => {
    await lab.aws.restart()
    const r = await within('both tunnels after an AWS restart', LIMIT_MS, bothUp, 1000)
    timings['hard restart → both re-established'] = r.ms
  })
})
