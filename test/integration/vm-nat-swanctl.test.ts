// Behind NAT on a real kernel: the gateway's WAN address is private, the internet node translates it to
// the public IP AWS knows. Details with no local address: apply finds the address to send IKE from, the
// tunnels come up with NAT-T (ESP inside UDP 4500, as the kernel really does behind NAT), and a UDP 4500
// drop upstream is named by the check as a UDP 4500 problem (not ESP).
//
// Two long-lived VMs for the whole file; figures are printed, never asserted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Details } from '../../main/core/details/model'
import { processSecretSources } from '../../main/core/details/resolve'
import { toGatewayShell, type GatewayShell } from '../../main/core/gateway/shell'
import type { SshSession } from '../../main/core/ssh/session'
import { applyChange, prepareChange, rollbackChange } from '../../main/core/workflow/change'
import { checkGateway } from '../../main/core/workflow/check'
import { isRunning, namespacesWithPrefix, rootNetSnapshot, up, type Lab } from '../lab'
import { vmGate } from '../support/gate'
import { labSession, waitUntil } from '../support/fault-gateway'

const g = vmGate('apply behind NAT on a swanctl VM gateway (real kernel)')

function counter(ruleset: string, comment: string): number {
  return ruleset
    .split('\n')
    .filter((l) => l.includes(`comment "${comment}"`))
    .reduce((sum, l) => sum + Number(/counter packets (\d+)/.exec(l)?.[1] ?? 0), 0)
}

describe.skipIf(g.skip)('behind NAT on a swanctl gateway VM (Debian kernel under QEMU)', () => {
  let lab: Lab
  let session: SshSession
  let shell: GatewayShell
  let details: Details
  let rootBefore = ''

  beforeAll(async () => {
    rootBefore = rootNetSnapshot()
    lab = await up({ gateway: 'swanctl', vm: true, nat: true })
    session = await labSession(lab)
    shell = toGatewayShell(session)
    // The details as a user behind NAT writes them: the public IP only, no local address.
    const { localAddress: _drop, ...gateway } = lab.details().gateway as { localAddress?: string } & Record<string, unknown>
    details = Details.parse({ ...lab.details(), gateway })
  }, 420_000)
  afterAll(async () => {
    await session?.close()
    await lab?.down()
  })

  it('apply finds the local address, commits, and the tunnels run NAT-T (ESP in UDP 4500, no raw ESP)', async () => {
    expect(details.gateway.localAddress).toBeUndefined()
    const change = await prepareChange({ shell }, { details, sources: processSecretSources })
    expect(change.rendered.notes[0]).toContain(`IKE leaves from ${lab.gateway.wanIp}`)
    const t0 = Date.now()
    const result = await applyChange({ shell }, change, { confirmWithin: 300, verifyWithin: 200 })
    console.log(`apply behind NAT: ${result.outcome} in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
    expect(result.outcome, JSON.stringify(result.steps)).toBe('committed')
    const sas = await lab.gateway.listSas()
    const children = sas.filter((s) => s.state === 'ESTABLISHED').flatMap((s) => s.children.filter((c) => c.state === 'INSTALLED'))
    expect(children.length).toBeGreaterThanOrEqual(1)
    expect(children.every((c) => c.encap)).toBe(true)
    const before = await lab.internet.ruleset()
    const ping = await lab.gateway.execLanHost(['ping', '-n', '-c', '5', '-i', '0.3', '-W', '3', lab.aws.hostIp], { timeoutMs: 60_000 })
    expect(ping.code, ping.stdout).toBe(0)
    const after = await lab.internet.ruleset()
    expect(counter(after, 'udp4500') - counter(before, 'udp4500')).toBeGreaterThanOrEqual(10)
    expect(counter(after, 'esp') - counter(before, 'esp')).toBe(0)
  }, 900_000)

  it('UDP 4500 dropped upstream: the check names UDP 4500, not ESP', async () => {
    await lab.internet.setBlock(['udp4500'])
    try {
      // Both IKE SAs go and are started again into the drop: port 500 answers, the NAT-T switch to 4500 does not.
      await lab.gateway.exec(['sh', '-c', "for c in lab-t1 lab-t2; do swanctl --terminate --ike $c --timeout 5; swanctl --initiate --child $c --timeout 3 >/dev/null 2>&1 & done; wait"], { timeoutMs: 60_000 })
      let last: Awaited<ReturnType<typeof checkGateway>> | undefined
      await waitUntil('the check to see UDP 4500 blocked', async () => {
        last = await checkGateway({ shell }, { details, sources: processSecretSources, probe: false })
        return last.findings.some((f) => f.severity === 'error' && f.subject.flow === 'udp4500')
      }, 240_000).catch(async (e: unknown) => {
        const log = await lab.gateway.exec(['sh', '-c', 'date; tail -n 80 /var/log/charon.log'])
        throw new Error(`${String(e)}\n${JSON.stringify(last?.findings.filter((f) => f.severity !== 'ok'), null, 1)}\n--- gateway charon log ---\n${log.stdout}`)
      })
      const r = await checkGateway({ shell }, { details, sources: processSecretSources, probe: false })
      const problems = r.findings.filter((f) => f.severity === 'error')
      console.log(`UDP 4500 blocked behind NAT: ${problems.map((f) => f.id).join(', ')}`)
      expect(problems.some((f) => f.subject.flow === 'esp' || f.subject.flow === 'udp500'), JSON.stringify(problems)).toBe(false)
    } finally {
      await lab.internet.setBlock([])
    }
    await rollbackChange({ shell })
  }, 600_000)

  it('goes down to nothing', async () => {
    const qemus = lab.vms.map((v) => v.qemuPid)
    await lab.down()
    expect(qemus.filter((p) => isRunning(p))).toEqual([])
    expect(namespacesWithPrefix(lab.prefix)).toEqual([])
    expect(rootNetSnapshot()).toBe(rootBefore)
  }, 120_000)
})
