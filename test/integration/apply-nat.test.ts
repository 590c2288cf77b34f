// A gateway behind NAT, details without a local address: the public IP (AWS's customer gateway address and
// the IKE id) is not on the box, so IKE must leave from the address the kernel picks for the route to the
// peers. Before this was detected, charon logged "error writing to socket: Network is unreachable", verify
// timed out and the change reverted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Details } from '../../main/core/details/model'
import { processSecretSources } from '../../main/core/details/resolve'
import type { GatewayShell } from '../../main/core/gateway/shell'
import { applyChange, prepareChange, rollbackChange } from '../../main/core/workflow/change'
import { up, type Lab } from '../lab'
import { labGate } from '../support/gate'

const g = labGate('apply behind NAT (lab)')

function nodeShell(lab: Lab): GatewayShell {
  return {
    async runScript(script, opts) {
      const r = await lab.gateway.exec(['sh'], { input: script, timeoutMs: opts?.timeoutMs ?? 60_000 })
      opts?.onOutput?.(r.stdout)
      return { code: r.code, stdout: r.stdout, stderr: r.stderr }
    },
  }
}

describe.skipIf(g.skip)('apply behind NAT with no local address in the details', () => {
  let lab: Lab
  beforeAll(async () => {
    lab = await up({ gateway: 'swanctl', nat: true })
  })
  afterAll(async () => {
    await lab?.down()
  })

  it('finds the local address from the route to the peers, commits, and the tunnel runs NAT-T with the public IP as its id', async () => {
    const { localAddress: _drop, ...gateway } = lab.details().gateway as { localAddress?: string } & Record<string, unknown>
    const details = Details.parse({ ...lab.details(), gateway, routing: 'policy' })
    expect(details.gateway.localAddress).toBeUndefined()
    expect(lab.gateway.wanIp).not.toBe(lab.gateway.publicIp)
    const gw = { shell: nodeShell(lab) }
    const change = await prepareChange(gw, { details, sources: processSecretSources })
    expect(change.rendered.notes[0]).toContain(`IKE leaves from ${lab.gateway.wanIp}`)
    const conf = change.rendered.files.find((f) => f.path.endsWith('.conf'))!.content
    expect(conf).toContain(`local_addrs = ${lab.gateway.wanIp}`)
    expect(conf).toContain(`id = ${lab.gateway.publicIp}`)
    const result = await applyChange(gw, change, { confirmWithin: 60 })
    expect(result.outcome, JSON.stringify(result.steps)).toBe('committed')
    const sas = await lab.aws.listSas()
    const up1 = sas.find((s) => s.state === 'ESTABLISHED' && s.localHost === lab.aws.outsideIps[0])
    expect(up1?.remoteId).toBe(lab.gateway.publicIp)
    expect(up1?.natAny).toBe(true)
    await rollbackChange(gw)
  })
})
