// Keep-up on a Libreswan gateway with no app: what the rendered conns (auto=start, dpdaction=restart,
// keyingtries=%forever on 3.x/4.x) make pluto do by itself when AWS deletes a tunnel, refuses it for a
// while (maintenance) and then allows it again, and when AWS restarts hard.
//
// This lab cannot install a CHILD SA for Libreswan (no kernel ESP, and pluto has no user-space ESP), so
// the proof is at the IKE level: the aws node's own view of the ISAKMP SAs. Apply cannot commit here
// (verification needs CHILD SAs), so the rendered files are written and loaded the way apply loads them.
// A hard AWS restart (no DELETE) is not provable here: IKEv1 DPD in pluto runs only while an IPsec SA
// exists, and none can exist in this lab (tried: the ISAKMP SA stays "up" on our side for ever).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Details } from '../../main/core/details/model'
import { processSecretSources, toRenderInput } from '../../main/core/details/resolve'
import { detectGateway } from '../../main/core/workflow/gateway'
import { renderDevice } from '../../main/core/render'
import { up, type Lab } from '../lab'
import { labGate } from '../support/gate'
import { sleep, toNodeShell, within } from '../support/keepup-lab'

const g = labGate('keep-up on libreswan (lab)')
const LIMIT_MS = 60_000
const timings: Record<string, number> = {}

describe.skipIf(g.skip)('keep-up on a Libreswan gateway, no app', () => {
  let lab: Lab
  const ikeUp = async (i: 0 | 1) => (await lab.aws.listSas()).some((s) => s.localHost === lab.aws.outsideIps[i] && s.state === 'ESTABLISHED')

  beforeAll(async () => {
    lab = await up({ gateway: 'libreswan' })
    const conf = await lab.gateway.readFile('/etc/ipsec.conf')
    await lab.gateway.writeFile('/etc/ipsec.conf', conf.replace(/^config setup\n/m, 'config setup\n    ikev1-policy=accept\n'))
    expect((await lab.gateway.exec(['ipsec', 'restart'])).code).toBe(0)
    await within('pluto to answer', 20_000, async () => ((await lab.gateway.exec(['ipsec', 'whack', '--status'])).code === 0 ? true : undefined))
    const facts = await detectGateway({ shell: toNodeShell(lab) })
    const input = toRenderInput(Details.parse({ ...lab.details(), routing: 'policy' }), { routing: 'policy', sources: processSecretSources })
    const r = renderDevice(input, 'libreswan', { version: facts.stack.version })
    for (const f of r.files) await lab.gateway.writeFile(f.path, f.content, f.mode)
    for (const c of r.connectionNames) expect((await lab.gateway.exec(['ipsec', 'auto', '--add', c])).code).toBe(0)
    await lab.gateway.exec(['ipsec', 'auto', '--rereadsecrets'])
    for (const c of r.connectionNames) await lab.gateway.exec(['ipsec', 'auto', '--asynchronous', '--up', c])
    await within('both IKE SAs on aws', 30_000, async () => ((await ikeUp(0)) && (await ikeUp(1)) ? true : undefined))
    // What makes pluto keep them up (3.x/4.x; 5.x revives on its own and ignores these keywords).
    for (const k of ['auto=start', 'dpdaction=restart', 'keyingtries=%forever']) expect(r.files[0]!.content).toContain(k)
  })
  afterAll(async () => {
    console.log(`keep-up (libreswan) timings (ms): ${JSON.stringify(timings)}`)
    await lab?.down()
  })

  it('a tunnel deleted by AWS and refused for 20 s, then allowed again: pluto re-establishes it within 60 s', async () => {
    await lab.aws.tunnelDown(0)
    await sleep(20_000)
    expect(await ikeUp(0)).toBe(false)
    expect(await ikeUp(1)).toBe(true)
    await lab.aws.tunnelUp(0)
    const back = await within('tunnel 1 back', LIMIT_MS, async () => ((await ikeUp(0)) ? true : undefined), 1000)
    timings['AWS allows again → IKE SA re-established'] = back.ms
  })
})
