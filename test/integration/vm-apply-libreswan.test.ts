// Libreswan on a real Linux kernel: the aws responder and a Libreswan 4.10 gateway are QEMU guests with
// Debian's stock kernel (kernel ESP, VTI), the app reaches the gateway over SSH with its own connect() and
// drives it with its own core. Proven: the guest's own ipsec.conf drops IKEv1 (Debian's default) and the
// app stops at validate naming the fix; with ikev1-policy=accept a route-based IKEv1 apply (routing auto)
// commits with a VTI and a mark per tunnel, the inside /30s and metric-ordered routes, raw ESP and each
// tunnel's SAs counting its own traffic (the internet node drops cleartext between the sites); status reads
// packets from the kernel; AWS deleting and refusing tunnel 1 moves the traffic to tunnel 2; rollback leaves
// no interface, address or route and pluto no failed updown; IKEv2 commits the same way. Policy-based IKEv1
// commits with tunnel 1 active and tunnel 2 standing by (one SA, one set of policies, XfrmInTmplMismatch
// still), keepup.sh fails over when AWS deletes tunnel 1 and does not fail back, and rolls back byte for
// byte. And why VTIs: two 0.0.0.0/0 conns on XFRM interfaces (ipsec-interface=) cannot both be routed by pluto.
//
// Two long-lived VMs for the whole file; figures are printed, never asserted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Details } from '../../main/core/details/model'
import { processSecretSources } from '../../main/core/details/resolve'
import { toAutoRouting } from '../../main/core/gateway/detect'
import type { GatewayShell } from '../../main/core/gateway/shell'
import type { SshSession } from '../../main/core/ssh/session'
import { readStatus } from '../../main/core/status/read'
import { applyChange, prepareChange, rollbackChange } from '../../main/core/workflow/change'
import { detectGateway } from '../../main/core/workflow/gateway'
import { isRunning, namespacesWithPrefix, rootNetSnapshot, type Lab } from '../lab'
import { insideAddresses } from '../lab/vm-lab'
import { listConfigFiles, toGatewayState, waitUntil } from '../support/fault-gateway'
import { vmGate } from '../support/gate'
import { bootVmLab, vmFigures } from '../support/vm-figures'
import { within } from '../support/keepup-lab'
import { outageDuring } from '../support/outage'
import { childTo, counter, dedicatedRoutes, eachTunnelCarries, tmplMismatch, tunnelLinks } from '../support/vm-tunnels'

const g = vmGate('apply on a Libreswan VM gateway (real kernel)')
const CONFIG_DIRS = ['/etc/ipsec.conf', '/etc/ipsec.secrets', '/etc/ipsec.d', '/etc/tunnelwright', '/etc/systemd/system/ipsec.service.d']

describe.skipIf(g.skip)('Libreswan 4.10 on a VM gateway (Debian kernel under QEMU)', () => {
  let lab: Lab
  let session: SshSession
  let shell: GatewayShell
  let details: Details
  let rootBefore = ''
  let paths: string[] = []
  let before: Awaited<ReturnType<typeof toGatewayState>>
  const started = Date.now()
  const figures = () => vmFigures(lab)

  /** The gateway's VTIs (key = the conn's mark) and its routes to the dedicated CIDR. */
  const vtis = () => tunnelLinks(lab)
  const routes = () => dedicatedRoutes(lab)
  const plutoLog = async () => (await lab.gateway.exec(['cat', '/var/log/pluto.log'])).stdout

  /** Applies `d` with the app's core and prints the steps; returns the outcome. */
  const apply = async (d: Details, confirmWithin = 300) => {
    const change = await prepareChange({ shell }, { details: d, sources: processSecretSources })
    const t0 = Date.now()
    const steps: string[] = []
    const result = await applyChange({ shell }, change, { confirmWithin, verifyWithin: Math.min(200, confirmWithin - 10), onProgress: (p) => steps.push(`${((Date.now() - t0) / 1000).toFixed(1)}s ${p.step}`) })
    console.log(`apply (${change.routing}, IKEv${d.crypto.ikeVersion}): ${result.outcome} in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${steps.join(', ')}`)
    if (result.outcome !== 'committed' && result.outcome !== 'rolled-back') console.log((await lab.gateway.exec(['sh', '-c', 'tail -n 40 /var/log/pluto.log; tail -n 20 /var/log/messages'])).stdout)
    return { change, result }
  }

  /** Proves traffic through each tunnel by the SA counters on both ends; returns the VTIs. */
  const provesTraffic = async (what: string) => {
    const links = await vtis()
    expect(links.map((l) => l.kind), what).toEqual(['vti', 'vti'])
    await eachTunnelCarries(lab, details, links[1]!.name)
    return links
  }

  /** Rolls back and proves nothing of ours is left. */
  const rollsBackClean = async () => {
    const logAt = (await plutoLog()).length
    const t0 = Date.now()
    const rb = await rollbackChange({ shell })
    console.log(`rollback in ${((Date.now() - t0) / 1000).toFixed(1)} s; left: VTIs ${JSON.stringify(await vtis())}, routes ${JSON.stringify(await routes())}`)
    expect(rb.files.length).toBeGreaterThan(0)
    expect(await listConfigFiles(lab, CONFIG_DIRS)).toEqual(paths)
    expect((await toGatewayState(lab, paths)).files).toEqual(before.files)
    expect(await vtis()).toEqual([])
    expect((await lab.gateway.exec(['ip', '-o', 'addr', 'show'])).stdout).not.toMatch(/169\.254\./)
    expect(await routes()).toEqual([])
    expect((await lab.gateway.exec(['ipsec', 'trafficstatus'])).stdout).not.toMatch(/"lab-t[12]"/)
    await waitUntil('the aws side to drop the SAs', async () => (await lab.aws.listSas()).every((s) => s.state !== 'ESTABLISHED'), 90_000)
    // pluto ran every updown of the rollback while its script still existed, or skipped it: no exit 127.
    expect((await plutoLog()).slice(logAt)).not.toMatch(/command exited with status/)
  }

  beforeAll(async () => {
    rootBefore = rootNetSnapshot()
    ;({ lab, session, shell, details } = await bootVmLab({ gateway: 'libreswan', awsIkev2: true }))
  }, 420_000)

  afterAll(async () => {
    await session?.close()
    await lab?.down()
  })

  it("detects Libreswan 4.10 on a kernel with VTI (routing auto: route-based); the guest's own ipsec.conf drops IKEv1 and validate says how to fix it; nothing changes", async () => {
    expect((await lab.gateway.exec(['ipsec', '--version'])).stdout).toContain('Libreswan 4.10')
    expect((await lab.gateway.exec(['sh', '-c', 'command -v swanctl charon; ls /usr/lib/ipsec 2>&1; true'])).stdout).toMatch(/No such file/)
    const facts = await detectGateway({ shell })
    expect(facts.stack).toMatchObject({ kind: 'libreswan', version: '4.10' })
    expect(facts.routeBased.vti).toBe(true)
    expect(toAutoRouting(facts)).toBe('route')

    paths = await listConfigFiles(lab, CONFIG_DIRS)
    before = await toGatewayState(lab, paths)
    expect(await lab.gateway.readFile('/etc/ipsec.conf')).not.toMatch(/ikev1-policy/)
    const { result } = await apply(details, 60)
    expect(result.outcome, JSON.stringify(result)).toBe('rolled-back')
    expect(result.failedStep).toBe('validate')
    expect(result.detail).toMatch(/ikev1-policy does not allow IKEv1/)
    expect(result.fix).toMatch(/ikev1-policy=accept/)
    expect(await listConfigFiles(lab, CONFIG_DIRS)).toEqual(paths)
    expect((await toGatewayState(lab, paths)).files).toEqual(before.files)
  }, 300_000)

  it('route-based IKEv1 (after the fix): commits; a VTI and a mark per tunnel with the inside /30s and routes 101/102; raw ESP; each tunnel counts its own traffic; status reads packets; a second apply is a no-op', async () => {
    // What the admin does once: accept IKEv1 in config setup and restart the ipsec service.
    const conf = await lab.gateway.readFile('/etc/ipsec.conf')
    await lab.gateway.writeFile('/etc/ipsec.conf', conf.replace(/^config setup\n/m, 'config setup\n\tikev1-policy=accept\n'))
    const restart = await lab.gateway.exec(['systemctl', 'restart', 'ipsec'], { timeoutMs: 120_000 })
    expect(restart.code, restart.stderr).toBe(0)
    paths = await listConfigFiles(lab, CONFIG_DIRS)
    before = await toGatewayState(lab, paths)

    const { change, result } = await apply(details)
    expect(change.routing).toBe('route')
    expect(result.outcome, JSON.stringify(result)).toBe('committed')
    const links = await provesTraffic('route-based IKEv1')
    // Each VTI's key is its conn's mark (policies and SAs), distinct per tunnel; inside /30s; metric-ordered routes.
    expect(links[0]!.key).not.toBe(links[1]!.key)
    expect(links.map((l) => [l.key === l.ikey, l.remote])).toEqual([
      [true, lab.aws.outsideIps[0]],
      [true, lab.aws.outsideIps[1]],
    ])
    const policyMarks = new Set([...(await lab.gateway.exec(['ip', 'xfrm', 'policy'])).stdout.matchAll(/mark 0x([0-9a-f]+)\/0xffffffff/g)].map((m) => parseInt(m[1]!, 16)))
    expect([...policyMarks].sort()).toEqual(links.map((l) => l.key).sort())
    const inside = details.remote.tunnels.map((t) => `${insideAddresses(t.insideCidr).customer}/30`)
    expect(links.map((l) => l.addrs)).toEqual([[inside[0]], [inside[1]]])
    expect((await routes()).map((r) => [r.dev, r.metric]).sort()).toEqual([
      [links[0]!.name, 101],
      [links[1]!.name, 102],
    ])

    // The app's status reads the kernel's packet counters (pluto shows bytes only).
    const facts = await detectGateway({ shell })
    const reading = await readStatus(shell, details, facts, { names: change.rendered.connectionNames })
    expect(reading.snapshot.tunnels.map((t) => [t.up, t.packetsIn > 0, t.packetsOut > 0])).toEqual([
      [true, true, true],
      [true, true, true],
    ])
    console.log(`status: ${reading.snapshot.tunnels.map((t) => `${t.name} in ${t.bytesIn} B/${t.packetsIn} pkts out ${t.bytesOut} B/${t.packetsOut} pkts`).join('; ')}`)

    const again = await prepareChange({ shell }, { details, sources: processSecretSources })
    expect(again.plan.noop).toBe(true)
    expect((await applyChange({ shell }, again)).outcome).toBe('no-change')
    console.log(`after apply:\n  ${figures()}`)
  }, 900_000)

  it('AWS deletes and refuses tunnel 1: traffic moves to tunnel 2 (its route takes over); allowed again: both up', async () => {
    const lanPing = async () => (await lab.gateway.execLanHost(['ping', '-c', '1', '-W', '1', lab.aws.hostIp])).code === 0
    expect(await lanPing()).toBe(true)
    const down = await outageDuring(lab, 20, () => lab.aws.tunnelDown(0))
    console.log(`route-based failover, AWS deleted tunnel 1: longest gap between answers ${down.longestGapS.toFixed(1)} s (${down.answered}/${down.sent} answered)`)
    expect(down.answered).toBeGreaterThan(down.sent / 2)
    const moved = await within('LAN traffic through tunnel 2', 180_000, async () => {
      const r = await routes()
      return r.length === 1 && r[0]!.metric === 102 && (await lanPing()) ? true : undefined
    })
    console.log(`tunnel 1 deleted and refused: its route gone and LAN traffic through tunnel 2 ${(moved.ms / 1000).toFixed(1)} s after the ping window closed`)
    await lab.aws.tunnelUp(0)
    const back = await within('both tunnels up again', 300_000, async () => ((await routes()).length === 2 ? true : undefined), 1000)
    console.log(`tunnel 1 allowed again: both up after ${(back.ms / 1000).toFixed(1)} s (pluto's own retries and keepup.sh)`)
    await provesTraffic('both tunnels again')
  }, 600_000)

  it('rolls back: files as before, no VTI, address or route left, the SAs gone on both ends, no failed updown', async () => {
    await rollsBackClean()
  }, 300_000)

  it('route-based IKEv2: commits with IPsec SAs and traffic on both tunnels, then rolls back clean', async () => {
    const v2 = Details.parse({ ...lab.details(), crypto: { ...lab.details().crypto, ikeVersion: 2 } })
    const { change, result } = await apply(v2)
    expect(change.rendered.files[0]!.content).toContain('\tikev2=yes\n')
    expect(result.outcome, JSON.stringify(result)).toBe('committed')
    const sas = await lab.gateway.listSas()
    expect(sas.filter((s) => s.state === 'ESTABLISHED').map((s) => s.version)).toEqual([2, 2])
    await provesTraffic('route-based IKEv2')
    await rollsBackClean()
  }, 900_000)

  it('policy-based IKEv1: tunnel 1 active, tunnel 2 standing by (one IPsec SA, one set of policies); traffic counted, XfrmInTmplMismatch still; AWS deletes and refuses tunnel 1: keepup.sh fails over to tunnel 2 (gap measured), no failback; rollback byte for byte', async () => {
    const policy = Details.parse({ ...lab.details(), routing: 'policy' })
    const [ip1, ip2] = lab.aws.outsideIps
    const mismatchAtStart = await tmplMismatch(lab)
    const { change, result } = await apply(policy)
    expect(change.routing).toBe('policy')
    expect(change.tunnels).toBe('active-standby')
    expect(result.outcome, JSON.stringify(result)).toBe('committed')
    const keepupPath = change.rendered.files.find((f) => f.path.endsWith('-keepup.sh'))!.path
    const stateFile = `/run/tunnelwright/${keepupPath.split('/').pop()!.replace(/\.sh$/, '.state')}`
    const keepupState = async () => (await lab.gateway.exec(['cat', stateFile])).stdout.trim()

    // Only tunnel 1 holds an IPsec SA and policies; tunnel 2 is added (auto=add) with no state at all.
    const sas = await lab.gateway.listSas()
    const c1 = childTo(sas, ip1)
    expect(sas.filter((x) => x.remoteHost === ip2)).toEqual([])
    const policies = (await lab.gateway.exec(['ip', 'xfrm', 'policy'])).stdout
    expect(policies).toContain(`dst ${ip1}`)
    expect(policies).not.toContain(ip2)

    // Traffic: the LAN reaches the dedicated host through tunnel 1's SA, in ESP; nothing dropped by the inbound check.
    const n = 5
    const rulesBefore = await lab.internet.ruleset()
    const ping = await lab.gateway.execLanHost(['ping', '-n', '-c', String(n), '-i', '0.3', '-W', '3', lab.aws.hostIp], { timeoutMs: 60_000 })
    expect(ping.code, ping.stdout).toBe(0)
    const a1 = childTo(await lab.gateway.listSas(), ip1)
    expect(a1.raw['spi-in']).toBe(c1.raw['spi-in'])
    expect(a1.packetsOut - c1.packetsOut).toBeGreaterThanOrEqual(n)
    expect(a1.packetsIn - c1.packetsIn).toBeGreaterThanOrEqual(n)
    const rulesAfter = await lab.internet.ruleset()
    expect(counter(rulesAfter, 'esp')[0]! - counter(rulesBefore, 'esp')[0]!).toBeGreaterThanOrEqual(2 * n)
    expect(counter(rulesAfter, 'cleartext between the sites')).toEqual(counter(rulesBefore, 'cleartext between the sites'))
    expect(await tmplMismatch(lab)).toBe(mismatchAtStart)

    // The app's status: tunnel 1 up with the kernel's packets, tunnel 2 standing by.
    const facts = await detectGateway({ shell })
    const reading = await readStatus(shell, policy, facts, { names: change.rendered.connectionNames })
    expect(reading.snapshot.tunnels.map((t) => [t.up, t.standby ?? false, t.packetsIn > 0])).toEqual([
      [true, false, true],
      [false, true, false],
    ])

    // AWS deletes and refuses tunnel 1: keepup.sh takes it down, unroutes it and brings tunnel 2 up.
    const clearBefore = counter(await lab.internet.ruleset(), 'cleartext between the sites').reduce((a, b) => a + b, 0)
    const t0 = Date.now()
    const down = await outageDuring(lab, 90, () => lab.aws.tunnelDown(0))
    const clearAfter = counter(await lab.internet.ruleset(), 'cleartext between the sites').reduce((a, b) => a + b, 0)
    console.log(
      `policy-based failover (keepup.sh), AWS deleted tunnel 1: longest gap between answers ${down.longestGapS.toFixed(1)} s (${down.answered}/${down.sent} answered, last answer ${down.lastAnswerS.toFixed(1)} s into the window); ` +
        `${clearAfter - clearBefore} LAN packets left in cleartext meanwhile (dropped by the lab's internet node)`,
    )
    await waitUntil('tunnel 2 carrying the traffic', async () => {
      const x = await lab.gateway.listSas()
      return x.some((i) => i.remoteHost === ip2 && i.state === 'ESTABLISHED' && i.children.some((c) => c.state === 'INSTALLED')) && (await lab.gateway.execLanHost(['ping', '-n', '-c', '1', '-W', '2', lab.aws.hostIp])).code === 0
    }, 180_000)
    console.log(`tunnel 2 confirmed active (SA + ping) ${((Date.now() - t0) / 1000).toFixed(1)} s after AWS deleted tunnel 1 (checked after the ping window); keep-up state: ${await keepupState()}`)
    expect(down.answered).toBeGreaterThan(0)
    const c2 = childTo(await lab.gateway.listSas(), ip2)
    const ping2 = await lab.gateway.execLanHost(['ping', '-n', '-c', String(n), '-i', '0.3', '-W', '3', lab.aws.hostIp], { timeoutMs: 60_000 })
    expect(ping2.code, ping2.stdout).toBe(0)
    const b2 = childTo(await lab.gateway.listSas(), ip2)
    expect(b2.packetsIn - c2.packetsIn).toBeGreaterThanOrEqual(n)
    expect((await lab.gateway.exec(['ip', 'xfrm', 'policy'])).stdout).not.toContain(`dst ${ip1}`)
    expect(await tmplMismatch(lab)).toBe(mismatchAtStart)

    // AWS allows tunnel 1 again: no failback. Wait for three more rounds of the loop, then look.
    await lab.aws.tunnelUp(0)
    const stamp = async () => Number((await keepupState()).split(' ')[0])
    const from = await stamp()
    await waitUntil('three more keep-up rounds', async () => (await stamp()) >= from + 15, 120_000)
    expect(await keepupState()).toMatch(/ active=2 /)
    const held = await lab.gateway.listSas()
    expect(held.filter((x) => x.remoteHost === ip1 && x.state === 'ESTABLISHED')).toEqual([])
    childTo(held, ip2)
    const r2 = await readStatus(shell, policy, facts, { names: change.rendered.connectionNames })
    expect(r2.snapshot.tunnels.map((t) => [t.up, t.standby ?? false])).toEqual([
      [false, true],
      [true, false],
    ])

    await rollsBackClean()
    expect((await lab.gateway.exec(['ip', 'xfrm', 'policy'])).stdout).not.toMatch(/10\.40\.0\.0\/24/)
    await waitUntil('the keep-up loop gone with its files', async () => (await lab.gateway.exec(['sh', '-c', `[ -e ${stateFile} ] || echo gone`])).stdout.trim() === 'gone', 30_000)
  }, 900_000)

  it("why a VTI and a mark per conn: two 0.0.0.0/0 conns on XFRM interfaces (ipsec-interface=) cannot both be routed by pluto", async () => {
    // The layout the renderer used before: each conn on its own XFRM interface. pluto tells two eroutes with
    // the same selectors apart only by their marks, so the second conn fails to route.
    const psk = (i: 0 | 1) => Buffer.from(lab.aws.psks[i]).toString('base64')
    const conn = (i: 0 | 1) =>
      [`conn xfrmi-t${i + 1}`, '\tikev2=no', '\tauthby=secret', '\tauto=add', `\tleft=${lab.gateway.publicIp}`, `\tleftid=${lab.gateway.publicIp}`, '\tleftsubnet=0.0.0.0/0', `\tright=${lab.aws.outsideIps[i]}`, `\trightid=${lab.aws.outsideIps[i]}`, '\trightsubnet=0.0.0.0/0', '\tike=aes256-sha2_256;modp2048', '\tphase2alg=aes256-sha2_256;modp2048', `\tipsec-interface=${71 + i}`, ''].join('\n')
    await lab.gateway.writeFile('/etc/ipsec.d/xfrmi-probe.conf', `${conn(0)}\n${conn(1)}`)
    await lab.gateway.writeFile('/etc/ipsec.d/xfrmi-probe.secrets', [0, 1].map((i) => `${lab.gateway.publicIp} ${lab.aws.outsideIps[i as 0 | 1]} : PSK 0s${psk(i as 0 | 1)}\n`).join(''), 0o600)
    try {
      await lab.gateway.exec(['ipsec', 'auto', '--rereadsecrets'])
      for (const c of ['xfrmi-t1', 'xfrmi-t2']) expect((await lab.gateway.exec(['ipsec', 'auto', '--add', c])).code).toBe(0)
      const first = await lab.gateway.exec(['ipsec', 'auto', '--up', 'xfrmi-t1'], { timeoutMs: 120_000 })
      expect(first.stdout).toMatch(/IPsec SA established/)
      const second = await lab.gateway.exec(['timeout', '90', 'ipsec', 'auto', '--up', 'xfrmi-t2'], { timeoutMs: 120_000 })
      console.log(`the second XFRM-interface conn: ${second.stdout.split('\n').filter((l) => /cannot|error/.test(l)).join(' | ')}`)
      expect(second.stdout).toMatch(/cannot route -- route already in use for "xfrmi-t1"/)
      expect((await lab.gateway.exec(['ipsec', 'trafficstatus'])).stdout).not.toContain('"xfrmi-t2"')
    } finally {
      for (const c of ['xfrmi-t1', 'xfrmi-t2']) await lab.gateway.exec(['ipsec', 'auto', '--delete', c])
      await lab.gateway.exec(['rm', '-f', '/etc/ipsec.d/xfrmi-probe.conf', '/etc/ipsec.d/xfrmi-probe.secrets'])
      await lab.gateway.exec(['ipsec', 'auto', '--rereadsecrets'])
    }
  }, 300_000)

  it('goes down to nothing: no qemu, no namespace, and the root namespace byte-identical', async () => {
    const qemus = lab.vms.map((v) => v.qemuPid)
    expect(qemus.every((p) => isRunning(p))).toBe(true)
    console.log(`Libreswan VM suite: ${((Date.now() - started) / 1000).toFixed(1)} s from up() to down()\n  ${figures()}`)
    await lab.down()
    expect(qemus.filter((p) => isRunning(p))).toEqual([])
    expect(namespacesWithPrefix(lab.prefix)).toEqual([])
    expect(rootNetSnapshot()).toBe(rootBefore)
  }, 120_000)
})
