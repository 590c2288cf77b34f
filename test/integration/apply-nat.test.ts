// A gateway behind NAT, details without a local address: the public IP (AWS's customer gateway address and
// the IKE id) is not on the box, so IKE must leave from the address the kernel picks for the route to the
// peers. Before this was detected, charon logged "error writing to socket: Network is unreachable", verify
// timed out and the change reverted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Details } from '../../main/core/details/model'
import { processSecretSources } from '../../main/core/details/resolve'
import { applyChange, prepareChange, rollbackChange } from '../../main/core/workflow/change'
import { checkGateway } from '../../main/core/workflow/check'
import { waitUntil } from '../support/fault-gateway'
import { up, type Lab } from '../lab'
import { labGate } from '../support/gate'
import { toNodeShell as nodeShell } from '../support/keepup-lab'

const g = labGate('apply behind NAT (lab)')

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

  it('UDP 4500 dropped upstream: IKE is answered on port 500, the NAT-T switch to 4500 goes unanswered, and the check names UDP 4500', async () => {
    // The classic failure behind NAT: port 500 passes, so "IKE requests go unanswered" would send the user to
    // the wrong port. Here charon hears the peer on 500, switches to 4500 and retransmits into the drop.
    const { localAddress: _drop, ...gateway } = lab.details().gateway as { localAddress?: string } & Record<string, unknown>
    const details = Details.parse({ ...lab.details(), gateway, routing: 'policy' })
    const gw = { shell: nodeShell(lab) }
    const change = await prepareChange(gw, { details, sources: processSecretSources })
    expect((await applyChange(gw, change, { confirmWithin: 60 })).outcome).toBe('committed')
    await lab.internet.setBlock(['udp4500'])
    try {
      // Both IKE SAs go and come again (keep-up re-initiates them) into the drop.
      await lab.gateway.exec(['sh', '-c', "for c in $(swanctl --list-conns | sed -n 's/^\\([^ :]*-t[12]\\):.*/\\1/p'); do swanctl --terminate --ike \"$c\" --timeout 5; swanctl --initiate --child \"$c\" --timeout 3 >/dev/null 2>&1 & done; wait"], { timeoutMs: 60_000 })
      let last: Awaited<ReturnType<typeof checkGateway>> | undefined
      await waitUntil('the check to name UDP 4500', async () => {
        last = await checkGateway(gw, { details, sources: processSecretSources, probe: false })
        return last.findings.some((f) => f.severity === 'error' && f.subject.flow === 'udp4500')
      }, 90_000).catch(async (e: unknown) => {
        const log = await lab.gateway.exec(['sh', '-c', 'tail -n 60 /var/log/charon.log'])
        throw new Error(`${String(e)}\n${JSON.stringify(last?.findings.filter((f) => f.severity !== 'ok'), null, 1)}\n--- gateway charon log ---\n${log.stdout}`)
      })
      const problems = last!.findings.filter((f) => f.severity === 'error')
      expect(problems.some((f) => f.subject.flow === 'esp' || f.subject.flow === 'udp500'), JSON.stringify(problems)).toBe(false)
      const natT = problems.find((f) => f.subject.flow === 'udp4500')!
      expect(natT.fix?.upstream ?? natT.fix?.nft ?? '').toContain('4500')
    } finally {
      await lab.internet.setBlock([])
      await rollbackChange(gw)
    }
  }, 240_000)
})
