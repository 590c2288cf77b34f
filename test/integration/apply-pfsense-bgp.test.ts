// A BGP VPN on the pfSense-shaped lab node (real PHP, real sshd, real charon; pfSense's functions and the FRR
// package's frr.inc are stand-ins, each says so): whatever the box lacks, the change is refused with the fix and
// nothing on the box changes. Without the package the plan refuses; with the package but FRR not enabled, or
// running BGP as another ASN, our script stops before write_config() and the transaction puts everything back.
// (The sessions themselves cannot come up here: the lab kernel has no VTI for pfSense's route-based tunnels;
// test/integration/render-pfsense-frr.test.ts proves what the script writes and that FRR accepts the result.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { GatewayShell } from '../../main/core/gateway/shell'
import { UserError } from '../../main/core/base/result'
import { Details } from '../../main/core/details/model'
import { processSecretSources } from '../../main/core/details/resolve'
import { applyChange, prepareChange } from '../../main/core/workflow/change'
import { checkGateway } from '../../main/core/workflow/check'
import { up, type Lab } from '../lab'
import { labGate } from '../support/gate'
import { toNodeShell as nodeShell } from '../support/keepup-lab'

const g = labGate('BGP on pfSense (lab)')

describe.skipIf(g.skip)('BGP on pfSense: refused with the fix, nothing changed', () => {
  let lab: Lab
  let shell: GatewayShell
  // What an apply may change: config.xml (and its revisions), what IPsec loaded, our scripts. (The transaction's
  // own record of a rolled-back change stays in the state folder: that is the history, not the box's config.)
  const state = async () => (await lab.gateway.exec(['sh', '-c', 'cat /cf/conf/config.xml; ls /cf/conf/backup; cat /var/etc/ipsec/swanctl.conf; ls /var/db/tunnelwright/pfsense 2>/dev/null; swanctl --list-conns'])).stdout
  const details = () => Details.parse(lab.details({ bgp: true }))

  beforeAll(async () => {
    lab = await up({ gateway: 'pfsense', pfsenseVersion: '2.7.0', pfsenseFrr: true, existingConnection: true })
    shell = nodeShell(lab)
  })
  afterAll(async () => {
    await lab?.down()
  })

  it('without the FRR package: the plan refuses, naming the package', async () => {
    await lab.gateway.exec(['mv', '/usr/local/pkg/frr.inc', '/usr/local/pkg/frr.inc.away'])
    try {
      const before = await state()
      const err = await prepareChange({ shell }, { details: details(), sources: processSecretSources }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(UserError)
      expect((err as UserError).code).toBe('pfsense-frr-missing')
      expect((err as UserError).fix).toMatch(/Package Manager → Available Packages → frr/)
      expect(await state()).toBe(before)
    } finally {
      await lab.gateway.exec(['mv', '/usr/local/pkg/frr.inc.away', '/usr/local/pkg/frr.inc'])
    }
  })

  it('with the package, the plan carries both neighbours and the script holds their entries', async () => {
    const change = await prepareChange({ shell }, { details: details(), sources: processSecretSources })
    expect(change.kind).toBe('pfsense')
    expect(change.routing).toBe('route')
    expect(change.facts.frr).toBe(true)
    expect(change.frr?.neighbours).toEqual(lab.details({ bgp: true }).bgp!.tunnels.map((t) => t.neighborIp))
    expect(change.lint.find((f) => f.id === 'bgp-frr-pfsense')?.severity).toBe('info')
    expect(change.rendered.notes.join(' ')).toMatch(/restarts FRR/)
  })

  it("check reads each session through the package's vtysh, and says so per tunnel when FRR does not answer (no FRR daemons run here)", async () => {
    const r = await checkGateway({ shell }, { details: details(), sources: processSecretSources, probe: false })
    const bgp = r.findings.filter((f) => f.id.startsWith('daemon.bgp.'))
    expect(bgp.map((f) => f.id)).toEqual(lab.details({ bgp: true }).bgp!.tunnels.map((t) => `daemon.bgp.${t.neighborIp}`))
    for (const f of bgp) {
      expect(f).toMatchObject({ verdict: 'unknown', severity: 'warning' })
      expect(f.fix?.details).toMatch(/Services → FRR/)
    }
    // pfSense's pf is judged by its own check, never by nft/iptables rules the box does not have.
    expect(r.findings.some((f) => f.id.startsWith('fw.bgp.'))).toBe(false)
  })

  it.each([
    ['FRR is not enabled (the stock config)', undefined, /FRR is installed but not enabled/],
    ['FRR runs BGP as another ASN', "$config['installedpackages']['frr']['config'] = array(array('enable' => 'on')); $config['installedpackages']['frrbgp']['config'] = array(array('enable' => 'on', 'asnum' => '64999'));", /already runs BGP as AS 64999/],
  ] as const)('%s: apply stops before write_config, the box is as it was', async (_what, seed, message) => {
    if (seed) {
      const out = await lab.gateway.exec(['/usr/local/bin/php'], { input: `<?php require_once("config.inc"); global $config; ${seed} write_config("lab: the admin's FRR"); echo "SEEDED\\n";` })
      expect(out.stdout + out.stderr).toContain('SEEDED')
    }
    const before = await state()
    const change = await prepareChange({ shell }, { details: details(), sources: processSecretSources })
    const r = await applyChange({ shell }, change, { confirmWithin: 30 })
    expect(r.outcome, JSON.stringify(r)).toBe('rolled-back')
    expect(r.failedStep).toBe('activate')
    expect(r.detail).toMatch(message)
    expect(r.fix).toMatch(/stopped before writing config\.xml/)
    expect(JSON.stringify(r)).not.toContain(lab.details().remote.tunnels[0]!.psk)
    expect(await state()).toBe(before)
    // The box's own tunnel to its partner is untouched.
    expect((await lab.peer2!.listSas()).some((s) => s.state === 'ESTABLISHED')).toBe(true)
  })
})
