// The path check against real daemons: the IKE probe through the lab gateway's own charon (over SSH
// stream-local forwarding to its VICI socket), the post-apply truth from its status, and the host checks,
// for each blocking scenario of issue 6; each fix, applied, turns its finding green on a re-check.
//
// What the lab models (test/lab/README.md): the kernel has no ESP, so every SA is ESP-in-UDP on 4500 and
// libipsec always floats IKE to 4500; an `esp` block drops ESP-in-UDP (non-zero marker) while IKE passes.
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EXIT, runCli } from '../../main/cli/index'
import type { Finding } from '../../main/core/checks/model'
import { PROBE_TIMEOUT_MS } from '../../main/core/checks/path-probe'
import { Details } from '../../main/core/details/model'
import { toGatewayShell } from '../../main/core/gateway/shell'
import { toRemotePath } from '../../main/core/ssh/catalog'
import type { SshSession } from '../../main/core/ssh/session'
import { checkGateway } from '../../main/core/workflow/check'
import { labSession } from '../bench/apply'
import { up, type Lab } from '../lab'
import { labGate } from '../support/gate'

const g = labGate('check: path probe and daemon truth')

const errors = (fs: readonly Finding[]) => fs.filter((f) => f.severity === 'error')
const byId = (fs: readonly Finding[], id: string) => fs.find((f) => f.id === id)
const sources = { env: {}, readFile: () => '' }

async function check(lab: Lab, session: SshSession, probeTimeoutMs = PROBE_TIMEOUT_MS): Promise<Finding[]> {
  const details = Details.parse(lab.details())
  const r = await checkGateway({ shell: toGatewayShell(session), openUnixSocket: (p: string) => session.openUnixSocket(toRemotePath(p)) }, { details, sources, probeTimeoutMs })
  return r.findings
}

/** Runs one fix line (as printed by the check) on the gateway. */
async function runFix(lab: Lab, text: string): Promise<void> {
  for (const line of text.split('\n').filter((l) => l !== '')) {
    const r = await lab.gateway.exec(['sh', '-c', line])
    expect(r.code, `${line}: ${r.stderr}`).toBe(0)
  }
}

async function probeNames(lab: Lab): Promise<string> {
  const r = await lab.gateway.exec(['swanctl', '--list-conns'])
  const s = await lab.gateway.exec(['swanctl', '--list-sas'])
  const k = await lab.gateway.exec(['swanctl', '--list-creds'])
  return `${r.stdout}${s.stdout}${k.stdout}`
}

describe.skipIf(g.skip)('path probe on a gateway without NAT (core API)', () => {
  let lab: Lab
  let session: SshSession
  let dir: string
  beforeAll(async () => {
    lab = await up({ gateway: 'swanctl' })
    dir = mkdtempSync(join(tmpdir(), 'tw-check-path-'))
    session = await labSession(lab, dir)
  })
  afterAll(async () => {
    await session?.close()
    await lab?.down()
  })

  it('a clean gateway: both peers answer, IKE completes with the real PSK, no errors, nothing left behind', async () => {
    const t0 = performance.now()
    const before = session.roundTrips
    const fs = await check(lab, session)
    const ms = performance.now() - t0
    expect(errors(fs), JSON.stringify(errors(fs), null, 1)).toEqual([])
    for (const peer of lab.aws.outsideIps) {
      expect(byId(fs, `path.udp500.${peer}`)?.verdict).toBe('allowed')
      expect(byId(fs, `path.ike.${peer}`)?.verdict).toBe('ok')
      expect(byId(fs, `path.ike.${peer}`)?.evidence[0]).toMatch(/IKE_SA tw-probe-[0-9a-f]+\[\d+\] established between/)
      // No NAT here: the probe does not claim one (libipsec's faked NAT is "remote host is behind NAT" only).
      expect(byId(fs, `path.nat.${peer}`)).toBeUndefined()
    }
    expect(JSON.stringify(fs)).not.toContain(lab.aws.psks[0])
    expect(JSON.stringify(fs)).not.toContain(lab.aws.psks[1])
    expect(await probeNames(lab)).not.toMatch(/tw-probe-/)
    // Detection + batch + VICI channel (this call detects: no facts passed).
    expect(session.roundTrips - before).toBeLessThanOrEqual(3)
    // Target ≤ 2 s (test/bench/check.ts measures it); margin here for the shared CPUs.
    expect(ms).toBeLessThan(3000)
  })

  it('internet drops UDP 500: blocked upstream, retransmits as evidence, the provider fix; unblocked → green', async () => {
    await lab.internet.setBlock(['udp500'])
    const fs = await check(lab, session)
    for (const peer of lab.aws.outsideIps) {
      const f = byId(fs, `path.udp500.${peer}`)
      expect(f?.verdict).toBe('blocked')
      expect(f?.severity).toBe('error')
      expect(f?.evidence.join('\n')).toMatch(/sending retransmit 1 of request/)
      expect(f?.why).toMatch(/dropped upstream/)
      expect(f?.fix?.upstream).toMatch(/allow UDP 500/)
      expect(f?.fix?.upstream).toMatch(/customer gateway/)
      // The host firewall lets it pass: the check does not blame the gateway.
      expect(byId(fs, `fw.outbound.udp500.${peer}`)?.verdict).toBe('allowed')
    }
    expect(await probeNames(lab)).not.toMatch(/tw-probe-/)
    await lab.internet.setBlock([])
    const after = await check(lab, session)
    for (const peer of lab.aws.outsideIps) expect(byId(after, `path.udp500.${peer}`)?.verdict).toBe('allowed')
    expect(errors(after)).toEqual([])
  }, 30_000)

  it('forwarding off: the kernel finding with its sysctl fix; the fix turns it green', async () => {
    await lab.gateway.exec(['sysctl', '-qw', 'net.ipv4.ip_forward=0'])
    const fs = await check(lab, session)
    const f = byId(fs, 'kernel.ip_forward')
    expect(f?.verdict).toBe('problem')
    expect(f?.severity).toBe('error')
    expect(f?.fix?.sysctl).toMatch(/ip_forward=1/)
    await runFix(lab, f!.fix!.sysctl!.split('\n')[0]!)
    expect(byId(await check(lab, session), 'kernel.ip_forward')?.verdict).toBe('ok')
  }, 30_000)

  it('a masquerade rule that catches tunnel traffic: nat.masquerade with its fix; the fix turns it green', async () => {
    const wan = (await lab.gateway.exec(['sh', '-c', `ip -j route get ${lab.aws.outsideIps[0]} | sed 's/.*"dev":"\\([^"]*\\)".*/\\1/'`])).stdout.trim()
    // The classic mistake: "masquerade everything from the LAN that leaves the LAN" also takes LAN → dedicated.
    const load = await lab.gateway.exec(['nft', '-f', '-'], { input: `table ip natlab {\n chain post {\n  type nat hook postrouting priority 100; policy accept;\n  ip saddr ${lab.gateway.lanCidr} ip daddr != ${lab.gateway.lanCidr} masquerade\n }\n}\n` })
    expect(load.code, load.stderr).toBe(0)
    const fs = await check(lab, session)
    const f = byId(fs, 'nat.masquerade')
    expect(f?.verdict).toBe('problem')
    expect(f?.severity).toBe('error')
    expect(f?.fix?.nft).toMatch(/insert rule ip natlab post ip saddr 192\.168\.50\.0\/24 ip daddr 10\.40\.0\.0\/24 accept/)
    await runFix(lab, f!.fix!.nft!)
    expect(byId(await check(lab, session), 'nat.masquerade')?.verdict).toBe('ok')
    expect(wan).not.toBe('')
    await lab.gateway.exec(['nft', 'delete', 'table', 'ip', 'natlab'])
  }, 30_000)
})

describe.skipIf(g.skip)('path probe through the CLI on a gateway behind NAT, then after apply', () => {
  let lab: Lab
  let dir: string
  let ssh: string[]
  const run = async (...argv: string[]) => {
    const out = { stdout: '', stderr: '' }
    const code = await runCli(argv, { stdout: (t) => void (out.stdout += t), stderr: (t) => void (out.stderr += t), env: { HOME: dir, TUNNELWRIGHT_HOME: join(dir, 'app') } })
    return { code, ...out }
  }
  const checkCli = async () => {
    const r = await run('check', '--details', join(dir, 'details.json'), ...ssh, '--json')
    const doc = JSON.parse(r.stdout) as { ok: boolean; findings: Finding[] }
    expect(r.stdout + r.stderr).not.toContain(lab.aws.psks[0])
    return { code: r.code, doc, fs: doc.findings }
  }

  beforeAll(async () => {
    lab = await up({ gateway: 'swanctl', nat: true })
    dir = mkdtempSync(join(tmpdir(), 'tw-check-cli-'))
    writeFileSync(join(dir, 'key'), lab.gateway.ssh.privateKey!, { mode: 0o600 })
    writeFileSync(join(dir, 'known_hosts'), `${lab.gateway.ssh.knownHostsLine}\n`)
    writeFileSync(join(dir, 'details.json'), JSON.stringify({ ...lab.details(), routing: 'policy' }), { mode: 0o600 })
    chmodSync(join(dir, 'details.json'), 0o600)
    ssh = ['--host', `${lab.gateway.ssh.username}@127.0.0.1:${lab.gateway.ssh.port}`, '--identity', join(dir, 'key'), '--known-hosts', join(dir, 'known_hosts')]
  })
  afterAll(async () => {
    await lab?.down()
  })

  it('behind NAT: exit 0, NAT seen by IKE (4500 required, ID = public IP accepted), 4500 answers', async () => {
    const { code, doc, fs } = await checkCli()
    expect(code, JSON.stringify(errors(fs), null, 1)).toBe(EXIT.ok)
    expect(doc.ok).toBe(true)
    for (const peer of lab.aws.outsideIps) {
      const nat = byId(fs, `path.nat.${peer}`)
      expect(nat?.evidence.join('\n')).toMatch(/local host is behind NAT/)
      expect(nat?.evidence.join('\n')).toContain(`${lab.gateway.wanIp}[${lab.gateway.publicIp}]`)
      expect(nat?.why).toMatch(/UDP 4500 is required/)
      expect(byId(fs, `path.udp4500.${peer}`)?.verdict).toBe('allowed')
    }
    // The host side saw the NAT too (route source ≠ public IP).
    expect(byId(fs, 'nat.detect')?.evidence.join(' ')).toContain(lab.gateway.wanIp)
  })

  it('internet drops UDP 4500 with NAT on: exit 1, 500 answers, 4500 blocked upstream with the provider fix; unblocked → exit 0', async () => {
    await lab.internet.setBlock(['udp4500'])
    const { code, fs } = await checkCli()
    expect(code).toBe(EXIT.failed)
    for (const peer of lab.aws.outsideIps) {
      expect(byId(fs, `path.udp500.${peer}`)?.verdict).toBe('allowed')
      const f = byId(fs, `path.udp4500.${peer}`)
      expect(f?.verdict).toBe('blocked')
      expect(f?.severity).toBe('error')
      expect(f?.why).toMatch(/answers on UDP 500 but not after the switch to UDP 4500/)
      expect(f?.fix?.upstream).toMatch(/UDP 4500/)
    }
    await lab.internet.setBlock([])
    const after = await checkCli()
    expect(after.code, JSON.stringify(errors(after.fs), null, 1)).toBe(EXIT.ok)
  }, 30_000)

  it('after apply: the probe stands aside; internet drops ESP → IKE up, inbound 0 while outbound grows (daemon truth); unblocked → green', async () => {
    const apply = await run('apply', '--details', join(dir, 'details.json'), ...ssh, '--yes', '--json', '--confirm-within', '60')
    expect(apply.code, apply.stderr).toBe(0)
    const clean = await checkCli()
    expect(clean.code, JSON.stringify(errors(clean.fs), null, 1)).toBe(EXIT.ok)
    const [p1, p2] = lab.aws.outsideIps as [string, string]
    // Tunnel 1 (active): a probe with the tunnel's identities would replace the live SA at AWS, so it is
    // skipped and status read instead.
    expect(byId(clean.fs, `path.probe.${p1}`)?.evidence[0]).toMatch(/already exists/)
    expect(byId(clean.fs, `daemon.tunnel.${p1}`)?.verdict).toBe('ok')
    // Tunnel 2 stands by with no SA (policy-based): the probe proves its path and PSK, so a failover would work.
    expect(byId(clean.fs, `path.probe.${p2}`)).toBeUndefined()
    expect(byId(clean.fs, `path.ike.${p2}`)?.verdict).toBe('ok')
    expect(byId(clean.fs, `daemon.tunnel.${p2}`)?.evidence[0]).toMatch(/standing by/)
    // …and removes what it set up: AWS is left with tunnel 1 alone.
    expect((await lab.aws.listSas()).filter((s) => s.state === 'ESTABLISHED').map((s) => s.localHost)).toEqual([p1])

    await lab.internet.setBlock(['esp'])
    // Fresh SAs (counters from 0) while ESP is dropped: as after a rekey, or a tunnel brought up behind the block.
    // (Tunnel 1 only: tunnel 2 stands by, and keepup.sh would close it again.)
    for (const n of ['lab-t1']) {
      await lab.gateway.exec(['swanctl', '--terminate', '--ike', n, '--timeout', '5'])
      const r = await lab.gateway.exec(['swanctl', '--initiate', '--child', n, '--timeout', '10'])
      expect(r.code, r.stdout + r.stderr).toBe(0)
    }
    await lab.gateway.execLanHost(['ping', '-c', '3', '-i', '0.2', '-W', '1', lab.aws.hostIp])
    const { code, fs } = await checkCli()
    expect(code).toBe(EXIT.failed)
    const zero = fs.filter((f) => f.id.startsWith('daemon.inbound-zero.'))
    expect(zero.length, JSON.stringify(fs.filter((f) => f.id.startsWith('daemon')), null, 1)).toBeGreaterThanOrEqual(1)
    // libipsec: every SA is UDP-encapsulated, so the dropped ESP travels in UDP 4500.
    expect(zero[0]?.subject.flow).toBe('udp4500')
    expect(zero[0]?.verdict).toBe('blocked')
    expect(zero[0]?.fix?.upstream).toMatch(/UDP 4500 \(ESP-in-UDP\)/)
    // The aws side really received nothing (the symptom is real, not inferred).
    const awsChild = (await lab.aws.listSas()).flatMap((s) => s.children).find((c) => c.bytesIn === 0 && c.state === 'INSTALLED')
    expect(awsChild).toBeDefined()

    await lab.internet.setBlock([])
    await lab.gateway.execLanHost(['ping', '-c', '3', '-i', '0.2', '-W', '1', lab.aws.hostIp])
    const after = await checkCli()
    expect(after.fs.filter((f) => f.id.startsWith('daemon.inbound-zero.'))).toEqual([])
    expect(after.code).toBe(EXIT.ok)
  }, 60_000)
})

describe.skipIf(g.skip)('host firewall drops (lab hostFirewall): the gateway is blamed, not the path', () => {
  const cases = [
    { name: 'nft', fw: { nft: 'table inet hostfw {\n chain input {\n  type filter hook input priority 0; policy accept;\n  udp dport 500 drop\n }\n}\n' }, fixKey: 'nft' as const },
    { name: 'iptables', fw: { iptables: '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -p udp --dport 500 -j DROP\nCOMMIT\n' }, fixKey: 'iptables' as const },
  ]
  for (const c of cases) {
    it(`${c.name} drop of UDP 500: host finding and probe agree, the host fix turns both green`, async () => {
      const lab = await up({ gateway: 'swanctl', hostFirewall: c.fw })
      const dir = mkdtempSync(join(tmpdir(), 'tw-check-host-'))
      const session = await labSession(lab, dir)
      try {
        const fs = await check(lab, session)
        const peer = lab.aws.outsideIps[0]
        const host = byId(fs, `fw.inbound.udp500.${peer}`)
        expect(host?.verdict).toBe('blocked')
        const path = byId(fs, `path.udp500.${peer}`)
        expect(path?.verdict).toBe('blocked')
        expect(path?.why).toMatch(/this gateway's own firewall drops UDP 500/)
        expect(path?.fix?.[c.fixKey]).toBe(host?.fix?.[c.fixKey])
        for (const p of lab.aws.outsideIps) await runFix(lab, byId(fs, `fw.inbound.udp500.${p}`)!.fix![c.fixKey]!)
        const after = await check(lab, session)
        expect(errors(after), JSON.stringify(errors(after), null, 1)).toEqual([])
        for (const p of lab.aws.outsideIps) {
          expect(byId(after, `fw.inbound.udp500.${p}`)?.verdict).toBe('allowed')
          expect(byId(after, `path.udp500.${p}`)?.verdict).toBe('allowed')
        }
      } finally {
        await session.close()
        await lab.down()
      }
    }, 40_000)
  }
})
