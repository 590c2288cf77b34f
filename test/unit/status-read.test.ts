// Status reads what the kernel and the clock say, not only the daemon: old log lines are history, the
// kernel's inbound-policy drops are a finding, each route-based tunnel is probed on its own path, and the
// exit rule agrees with the verdicts. The batch runs in a real local sh; only the gateway's programs are
// stand-ins on PATH (swanctl printing a captured real listing, date, cat of xfrm_stat, ping answering per
// address) because this machine's kernel has no XFRM interfaces to probe through — the VM lab proves the
// same on a real kernel.
import { spawnSync } from 'node:child_process'
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Details } from '../../main/core/details/model'
import type { GatewayFacts } from '../../main/core/gateway/detect'
import type { GatewayShell } from '../../main/core/gateway/shell'
import { diagnose } from '../../main/core/status/diagnosis'
import { parseDaemonLog } from '../../main/core/status/log-lines'
import { toDaemonCommands } from '../../main/core/checks/daemon-findings'
import { readStatus, toStatusCommands } from '../../main/core/status/read'
import { isStatusOk, toTunnelVerdict } from '../../main/core/workflow/status'

const FIX = join(__dirname, '../fixtures/status/strongswan-5.9.8')
// The captured listing has tunnels to 10.99.0.2 (aws-tun1) and 10.99.0.3 (aws-tun2), both ESTABLISHED.
const details = (routing: 'route' | 'policy') =>
  Details.parse({
    format: 'tunnelwright/details@1',
    name: 'lab',
    provider: 'cloud.gov',
    routing,
    gateway: { publicIp: '10.99.0.1', privateCidrs: ['10.1.0.0/24'] },
    remote: { dedicatedCidrs: ['10.2.0.0/24'], tunnels: [{ outsideIp: '10.99.0.2', psk: 'k1k1k1k1k1', insideCidr: '169.254.10.0/30' }, { outsideIp: '10.99.0.3', psk: 'k2k2k2k2k2', insideCidr: '169.254.11.0/30' }] },
    health: { target: '10.2.0.10' },
  })

const facts = {
  os: { id: 'debian', name: 'Debian 12', version: '12', family: 'debian' },
  kernel: 'Linux 6.1',
  stack: { kind: 'strongswan', version: '5.9.8', detail: 'strongSwan 5.9.8 (swanctl)' },
  frontEnds: { swanctl: true, starter: false },
  daemonRunning: true,
  paths: {},
  layout: 'debian',
  init: 'systemd',
  routeBased: { xfrmInterface: true, vti: true },
  sftp: true,
  frr: false,
  isRoot: true,
  existingConnections: [],
  connectionDetails: [],
  nameMarkers: [],
  addresses: ['10.99.0.1', '10.1.0.1'],
} as unknown as GatewayFacts

/** A shell that runs the batch in a real sh with stand-in gateway programs first on PATH. */
function gatewayWith(o: { now: number; log: string; xfrm: number; answers: readonly string[] }): GatewayShell {
  const bin = mkdtempSync(join(tmpdir(), 'tw-status-bin-'))
  const stub = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`)
    chmodSync(join(bin, name), 0o755)
  }
  stub('swanctl', `cat ${JSON.stringify(join(FIX, 'after-rekey.list-sas.pretty.txt'))}`)
  stub('journalctl', 'exit 1')
  writeFileSync(join(bin, 'charon.log'), o.log)
  stub('tail', `cat ${JSON.stringify(join(bin, 'charon.log'))}`)
  stub('date', `echo "${o.now} +0000"`)
  writeFileSync(join(bin, 'xfrm_stat'), `XfrmInError\t0\nXfrmInTmplMismatch\t${o.xfrm}\nXfrmInNoPols\t0\n`)
  stub('cat', `[ "$1" = /proc/net/xfrm_stat ] && exec /bin/cat ${JSON.stringify(join(bin, 'xfrm_stat'))}; exec /bin/cat "$@"`)
  stub('ping', `for a in "$@"; do last="$a"; done; case " ${o.answers.join(' ')} " in *" $last "*) echo "64 bytes from $last: icmp_seq=1 ttl=64 time=0.4 ms"; exit 0;; esac; exit 1`)
  return {
    async runScript(script) {
      const r = spawnSync('sh', [], { input: script.replace(/^PATH=[^\n;]*/m, `PATH=${bin}:/usr/bin:/bin`), encoding: 'utf8', env: { PATH: `${bin}:/usr/bin:/bin` } })
      return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr }
    },
  }
}

// The listing's SAs were established 300 s ago or less (ikeAgeSec from the capture); "now" is fixed.
const NOW = Date.UTC(2025, 10, 25, 15, 30, 0) / 1000
const stamp = (secAgo: number) => {
  const d = new Date((NOW - secAgo) * 1000)
  return `Nov 25 ${d.toISOString().slice(11, 19)}`
}

describe('status: time, kernel counters and probes', () => {
  it('reads syslog and unix time stamps of daemon log lines against the gateway clock', () => {
    const lines = parseDaemonLog(`${stamp(30)} 07[IKE] <aws-tun1|1> sending DPD request\n1764084570.5 gw charon[1]: 07[IKE] <aws-tun2|2> deleting IKE_SA\nno time here`, { now: NOW, utcOffsetSec: 0 })
    expect(lines.map((l) => l.at)).toEqual([NOW - 30, 1764084570, undefined])
  })

  it('a proposal failure from an hour ago is history; the same line a minute ago is evidence', () => {
    const clock = { now: NOW, utcOffsetSec: 0 }
    const line = (ago: number) => `${stamp(ago)} 12[IKE] <aws-tun9|3> received NO_PROPOSAL_CHOSEN error notify`
    expect(diagnose({ log: line(3600), clock }).map((d) => d.id)).toEqual([])
    expect(diagnose({ log: line(60), clock }).map((d) => d.id)).toEqual(['proposal-mismatch'])
    // Without a clock nothing can be aged (the old behaviour).
    expect(diagnose({ log: line(3600) }).map((d) => d.id)).toEqual(['proposal-mismatch'])
  })

  it('route-based: each tunnel gets its own probe to its AWS inside address; a dead path shows on that tunnel only', async () => {
    const shell = gatewayWith({ now: NOW, log: '', xfrm: 0, answers: ['169.254.10.1'] })
    const r = await readStatus(shell, details('route'), facts, { names: ['aws-tun1', 'aws-tun2'] })
    const [t1, t2] = r.snapshot.tunnels
    expect(t1?.probe).toMatchObject({ ok: true })
    expect(t1?.probe?.detail).toMatch(/tunnel 1 to AWS's inside address 169\.254\.10\.1: answered/)
    expect(t2?.probe).toMatchObject({ ok: false })
    expect(t2?.probe?.detail).toMatch(/tunnel 2 .*169\.254\.11\.1: no answer/)
    expect(toTunnelVerdict(t1!, r.diagnoses)).toBe('healthy')
    expect(toTunnelVerdict(t2!, r.diagnoses)).toBe('unhealthy')
    expect(isStatusOk(r.snapshot, r.diagnoses)).toBe(false)
  })

  it('policy-based with both tunnels up: XfrmInTmplMismatch is the hazard itself; a rise between readings is an error and the exit agrees', async () => {
    const first = await readStatus(gatewayWith({ now: NOW, log: '', xfrm: 4, answers: ['10.2.0.10'] }), details('policy'), facts, { names: ['aws-tun1', 'aws-tun2'] })
    expect(first.xfrmInTmplMismatch).toBe(4)
    expect(first.diagnoses.find((d) => d.id === 'inbound-policy-mismatch')).toMatchObject({ severity: 'warning' })
    const second = await readStatus(gatewayWith({ now: NOW + 5, log: '', xfrm: 14, answers: ['10.2.0.10'] }), details('policy'), facts, { names: ['aws-tun1', 'aws-tun2'], previous: [first.snapshot], previousXfrmInTmplMismatch: first.xfrmInTmplMismatch! })
    const d = second.diagnoses.find((x) => x.id === 'inbound-policy-mismatch')
    expect(d).toMatchObject({ severity: 'error' })
    expect(d?.evidence.join(' ')).toMatch(/rose from 4 to 14/)
    expect(isStatusOk(second.snapshot, second.diagnoses)).toBe(false)
    // Counters that stay still are no finding.
    const third = await readStatus(gatewayWith({ now: NOW + 10, log: '', xfrm: 14, answers: ['10.2.0.10'] }), details('policy'), facts, { names: ['aws-tun1', 'aws-tun2'], previous: [first.snapshot, second.snapshot], previousXfrmInTmplMismatch: 14 })
    expect(third.diagnoses.map((x) => x.id)).not.toContain('inbound-policy-mismatch')
  })

  it('a failure logged before the tunnel came up (its IKE SA is newer) does not mark the up tunnel unhealthy', async () => {
    const listing = readFileSync(join(FIX, 'after-rekey.list-sas.pretty.txt'), 'utf8')
    const age = Number(/established = (\d+)/.exec(listing)?.[1] ?? '0')
    const log = `${stamp(age + 120)} 12[IKE] <aws-tun1|3> received NO_PROPOSAL_CHOSEN error notify\n`
    const r = await readStatus(gatewayWith({ now: NOW, log, xfrm: 0, answers: ['169.254.10.1', '169.254.11.1'] }), details('route'), facts, { names: ['aws-tun1', 'aws-tun2'] })
    expect(r.diagnoses.map((d) => d.id)).not.toContain('proposal-mismatch')
    expect(isStatusOk(r.snapshot, r.diagnoses)).toBe(true)
  })
})

describe("the check's daemon batch", () => {
  it('reads SAs, log and counters but sends no ping (status probes each route-based tunnel; check must not pay seconds for it)', () => {
    for (const routing of ['route', 'policy'] as const) {
      const status = toStatusCommands(facts, details(routing)).map((c) => c.argv[0])
      expect(status).toContain('ping')
      const check = toDaemonCommands(facts, details(routing))
      expect(check.map((c) => c.argv[0]), routing).not.toContain('ping')
      expect(check.map((c) => c.id)).toEqual(expect.arrayContaining(['sas', 'charon-log', 'xfrm-stat']))
    }
  })
})
