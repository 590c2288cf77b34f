// A full check on a lab gateway (firewall/NAT/kernel, daemon status, IKE path probe to both peers over VICI):
// time and SSH round trips (detection included; the VICI channel open counts as one).
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Details } from '../../main/core/details/model'
import { toGatewayShell } from '../../main/core/gateway/shell'
import { toRemotePath } from '../../main/core/ssh/catalog'
import { checkGateway } from '../../main/core/workflow/check'
import { up } from '../lab'
import { labSession } from './apply'
import { type Figure, labUnavailable, stats } from './report'

/** Check timings. */
export async function benchCheck(): Promise<Figure[]> {
  const why = labUnavailable()
  if (why) throw new Error(why)
  const lab = await up({ gateway: 'swanctl', hostFirewall: { nft: 'table inet f {\n chain input {\n  type filter hook input priority 0; policy drop;\n  ct state established,related accept\n  iifname "lo" accept\n  tcp dport 22 accept\n  udp dport { 500, 4500 } accept\n  meta l4proto esp accept\n }\n}\n' } })
  const dir = mkdtempSync(join(tmpdir(), 'tw-bench-check-'))
  try {
    const details = Details.parse(lab.details())
    const times: number[] = []
    const trips: number[] = []
    let findings = 0
    let probed = 0
    for (let i = 0; i < 5; i++) {
      const session = await labSession(lab, dir)
      const before = session.roundTrips
      const t0 = performance.now()
      const r = await checkGateway({ shell: toGatewayShell(session), openUnixSocket: (p: string) => session.openUnixSocket(toRemotePath(p)) }, { details, sources: { env: {}, readFile: () => '' } })
      probed = r.findings.filter((f) => f.id.startsWith('path.ike.') && f.verdict === 'ok').length
      times.push(performance.now() - t0)
      trips.push(session.roundTrips - before)
      findings = r.findings.length
      await session.close()
    }
    return [
      { name: 'full check incl. detection (median of 5)', value: stats(times).median, unit: 'ms', target: '≤ 2000 ms', note: `${findings} findings; IKE probe completed to ${probed} of 2 peers (batch and probe run in parallel)` },
      { name: 'SSH round trips per check', value: stats(trips).max, unit: 'trips', target: '≤ 3', note: 'detection + one read-only batch + one VICI channel for the probe' },
    ]
  } finally {
    await lab.down()
  }
}
