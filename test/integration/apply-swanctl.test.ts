// Apply on a real strongSwan (swanctl) gateway against the AWS-shaped peer: both tunnels up, traffic
// through, the user's other connection untouched, idempotent, rollback byte-identical.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { GatewayShell } from '../../main/core/gateway/shell'
import { Details } from '../../main/core/details/model'
import { processSecretSources } from '../../main/core/details/resolve'
import { applyChange, prepareChange, rollbackChange } from '../../main/core/workflow/change'
import { detectGateway } from '../../main/core/workflow/gateway'
import { up, type Lab } from '../lab'
import { labGate } from '../support/gate'

const g = labGate('apply on swanctl (lab)')

/** The gateway's own shell, as an SSH exec sees it (same mount and network namespaces as sshd). */
function nodeShell(lab: Lab): GatewayShell & { trips: number } {
  const shell = {
    trips: 0,
    async runScript(script: string, opts?: { timeoutMs?: number; onOutput?: (chunk: string) => void }) {
      shell.trips++
      const r = await lab.gateway.exec(['sh'], { input: script, timeoutMs: opts?.timeoutMs ?? 60_000 })
      opts?.onOutput?.(r.stdout)
      return { code: r.code, stdout: r.stdout, stderr: r.stderr }
    },
  }
  return shell
}

async function ping(lab: Lab): Promise<boolean> {
  for (let i = 0; i < 10; i++) {
    const r = await lab.gateway.execLanHost(['ping', '-c', '1', '-W', '2', lab.aws.hostIp])
    if (r.code === 0) return true
  }
  return false
}

describe.skipIf(g.skip)('apply on a swanctl gateway', () => {
  let lab: Lab
  let shell: ReturnType<typeof nodeShell>
  let details: Details
  const snapshot = async () => {
    const r = await lab.gateway.exec(['sh', '-c', 'for f in /etc/swanctl/swanctl.conf /etc/swanctl/conf.d/*; do echo "== $f"; cat "$f"; done'])
    return r.stdout
  }

  beforeAll(async () => {
    lab = await up({ gateway: 'swanctl', existingConnection: true })
    shell = nodeShell(lab)
    details = Details.parse({ ...lab.details(), routing: 'policy' })
  })
  afterAll(async () => {
    await lab?.down()
  })

  it('detects strongSwan with swanctl', async () => {
    const facts = await detectGateway({ shell: shell })
    expect(facts.stack.kind).toBe('strongswan')
    expect(facts.stack.version).toMatch(/^5\.9/)
    expect(facts.paths.swanctlConfD).toBe('/etc/swanctl/conf.d')
    expect(facts.isRoot).toBe(true)
  })

  it('applies: tunnel 1 up and tunnel 2 standing by (policy-based), ping through, the other connection untouched, then no-op, then rollback', async () => {
    const before = await snapshot()
    const otherBefore = (await lab.gateway.exec(['swanctl', '--list-conns'])).stdout
    const change = await prepareChange({ shell: shell }, { details: details, sources: processSecretSources })
    expect(change.plan.noop).toBe(false)
    expect(change.plan.changes.find((c) => c.secret)?.diff).not.toContain(lab.aws.psks[0])

    shell.trips = 0
    const steps: string[] = []
    const result = await applyChange({ shell: shell }, change, { confirmWithin: 60, onProgress: (p) => steps.push(p.step) })
    expect(result.outcome, JSON.stringify(result)).toBe('committed')
    expect(steps).toEqual(expect.arrayContaining(['BACKED-UP', 'WRITTEN', 'VALIDATED', 'ACTIVATED', 'VERIFIED', 'COMMITTED']))
    expect(shell.trips).toBeLessThanOrEqual(3)

    const sas = await lab.aws.listSas()
    // Policy-based: AWS allows one tunnel up at a time; tunnel 2 is loaded, standing by with no SA.
    expect(sas.filter((s) => s.state === 'ESTABLISHED').map((s) => s.localHost)).toEqual([lab.aws.outsideIps[0]])
    expect((await lab.gateway.exec(['swanctl', '--list-conns'])).stdout).toContain(`${change.rendered.connectionNames[1]}:`)
    // Exactly one CHILD_SA: AWS deletes extra SAs (and flaps the tunnel doing so).
    for (const sa of sas) expect(sa.children.map((c) => c.state), sa.name).toEqual(['INSTALLED'])
    expect(await ping(lab)).toBe(true)
    const otherAfter = (await lab.gateway.exec(['swanctl', '--list-conns'])).stdout
    for (const name of otherBefore.split('\n').filter((l) => /^\S.*:/.test(l)).map((l) => l.split(':')[0]!)) expect(otherAfter).toContain(`${name}:`)

    // The same details again: nothing to do, and the tunnels are not bounced.
    const spis = (list: Awaited<ReturnType<Lab['aws']['listSas']>>) => list.map((s) => `${s.raw['initiator-spi']}/${s.children.map((c) => c.raw['spi-in']).join(',')}`).sort()
    const ikeIdsBefore = spis(sas)
    expect(ikeIdsBefore.every((x) => /^[0-9a-f]{16}\/[0-9a-f]{8}$/.test(x)), ikeIdsBefore.join(' ')).toBe(true)
    const again = await prepareChange({ shell: shell }, { details: details, sources: processSecretSources })
    expect(again.plan.noop).toBe(true)
    expect((await applyChange({ shell: shell }, again)).outcome).toBe('no-change')
    expect(spis(await lab.aws.listSas())).toEqual(ikeIdsBefore)

    // Rollback: the files are exactly what they were, and our connections are gone from the daemon.
    const rb = await rollbackChange({ shell: shell })
    expect(rb.files.length).toBeGreaterThan(0)
    expect(await snapshot()).toBe(before)
    expect((await lab.gateway.exec(['swanctl', '--list-conns'])).stdout).not.toContain(`${change.rendered.connectionNames[0]}:`)
  })

  it('warns in the plan when a connection of the user already targets an AWS tunnel endpoint', async () => {
    const conf = `connections {\n  old-aws {\n    version = 1\n    remote_addrs = ${lab.aws.outsideIps[0]}\n    local { auth = psk }\n    remote { auth = psk }\n    children { old-aws { local_ts = 192.168.50.0/24\n remote_ts = 10.40.0.0/24\n start_action = none } }\n  }\n}\n`
    await lab.gateway.writeFile('/etc/swanctl/conf.d/old-aws.conf', conf, 0o600)
    expect((await lab.gateway.exec(['swanctl', '--load-all', '--noprompt'])).code).toBe(0)
    try {
      const facts = await detectGateway({ shell: shell })
      const old = facts.connectionDetails.find((c) => c.name === 'old-aws')
      expect(old).toEqual({ name: 'old-aws', remoteAddrs: [lab.aws.outsideIps[0]], localTs: ['192.168.50.0/24'], remoteTs: ['10.40.0.0/24'] })
      const change = await prepareChange({ shell: shell, facts }, { details: details, sources: processSecretSources })
      expect(change.overlaps.map((o) => o.name)).toEqual(['old-aws'])
      expect(change.overlaps[0]!.reason).toContain(lab.aws.outsideIps[0])
      // The unrelated partner connection (another peer, other subnets) is not reported.
      expect(facts.existingConnections).toContain('partner')
    } finally {
      await lab.gateway.exec(['sh', '-c', 'rm -f /etc/swanctl/conf.d/old-aws.conf && swanctl --load-all --noprompt'])
    }
  })
})
