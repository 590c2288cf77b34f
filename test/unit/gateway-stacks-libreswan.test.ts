// Libreswan's initiate step leaves a conn alone that already has a state in pluto: keepup.sh (restarted by
// activate) initiates a conn with no state after three rounds, and when activate ran long (a BGP VPN's FRR
// reload on a slow gateway) `ipsec auto --up` on top of that exchange made a second IPsec SA
// (test/integration/vm-apply-bgp.test.ts, Libreswan). The sh runs for real here with an `ipsec` stand-in on
// PATH that prints real pluto state lines (captured on the lab's Libreswan 4.10 VM,
// test/fixtures/status/libreswan-real/) and records every `auto --up` (the real one would act on this machine).
import { execFileSync } from 'node:child_process'
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { GatewayFacts } from '../../main/core/gateway/detect'
import { toStackProfile } from '../../main/core/gateway/stacks'
import { renderDevice } from '../../main/core/render/index'
import { sampleInput } from '../support/render-sample'

const FACTS = { os: { id: 'debian', family: 'debian' }, stack: { kind: 'libreswan', version: '4.10' }, frontEnds: {}, layout: 'debian', paths: {}, routeBased: { xfrmInterface: true, vti: true } } as unknown as GatewayFacts

// Lines 137–138 of v4.10-vm-policy-standby.status.txt: tunnel 2 (`lab-t2`) with its ISAKMP and IPsec SA, tunnel 1 without a state.
const CAPTURE = readFileSync('test/fixtures/status/libreswan-real/v4.10-vm-policy-standby.status.txt', 'utf8').split('\n')
const T2_STATES = CAPTURE.filter((l) => /^000 #\d+: "lab-t2":500 /.test(l))
// A conn whose name only starts like ours (`lab-t1x`) is not ours.
const LOOKALIKE = T2_STATES.map((l) => l.replace('"lab-t2"', '"lab-t1x"'))

const dirs: string[] = []
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

/** Runs each initiate snippet with pluto's states as given; the conns `auto --up` was called for. */
function initiated(routing: 'route' | 'policy', states: readonly string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'tw-libreswan-initiate-'))
  dirs.push(dir)
  const log = join(dir, 'calls')
  writeFileSync(log, '')
  writeFileSync(join(dir, 'states'), states.map((l) => `${l}\n`).join(''))
  writeFileSync(join(dir, 'ipsec'), `#!/bin/sh\ncase "$1 $2" in\n  'whack --showstates') cat ${join(dir, 'states')} ;;\n  'auto --up') echo "$3" >> ${log} ;;\n  *) exit 9 ;;\nesac\n`)
  chmodSync(join(dir, 'ipsec'), 0o755)
  const rendered = renderDevice(sampleInput(routing, { name: 'lab' }), 'libreswan', { version: '4.10' })
  expect(rendered.connectionNames).toEqual(['lab-t1', 'lab-t2'])
  for (const sh of toStackProfile(FACTS, rendered).initiate) execFileSync('sh', ['-c', sh], { env: { PATH: `${dir}:/usr/bin:/bin` } })
  return readFileSync(log, 'utf8').split('\n').filter(Boolean)
}

describe('Libreswan initiate', () => {
  it('route-based: brings up each conn that has no state, and leaves one that keepup.sh already started', () => {
    expect(T2_STATES).toHaveLength(2)
    expect(initiated('route', [])).toEqual(['lab-t1', 'lab-t2'])
    expect(initiated('route', T2_STATES)).toEqual(['lab-t1'])
    expect(initiated('route', LOOKALIKE)).toEqual(['lab-t1', 'lab-t2'])
    // 5.x drops the 000 code; the same lines without it.
    expect(initiated('route', T2_STATES.map((l) => l.slice(4)))).toEqual(['lab-t1'])
  })

  it('policy-based: tunnel 1 only, and not when either tunnel has a state (after a failover tunnel 2 is the active one)', () => {
    expect(initiated('policy', [])).toEqual(['lab-t1'])
    expect(initiated('policy', T2_STATES)).toEqual([])
    expect(initiated('policy', T2_STATES.map((l) => l.replace('"lab-t2"', '"lab-t1"')))).toEqual([])
  })
})
