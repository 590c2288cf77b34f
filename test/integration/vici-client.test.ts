// The VICI client against a REAL charon (strongSwan 5.9.8): first a lone charon in its own namespace,
// reached through its socket (/proc/<holder>/root/run/charon.vici); then the lab topology, reached as the
// app does it: SSH stream-local forwarding (ssh2 openssh_forwardOutStreamLocal) to /run/charon.vici.
import { createHash, randomBytes } from 'node:crypto'
import { connect } from 'node:net'
import { type Duplex } from 'node:stream'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { mkdtempSync } from 'node:fs'
import { Client } from 'ssh2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Secret } from '../../main/core/base/secret'
import { ViciClient, ViciCommandError, type ViciEvent, type ViciSubscription } from '../../main/core/vici/client'
import { type ViciMessage } from '../../main/core/vici/wire'
import { parseViciListSas } from '../../main/core/status/vici-sas'
import { watchStatus, type StatusChange } from '../../main/core/status/watch'
import { Details } from '../../main/core/details/model'
import { detectGateway } from '../../main/core/workflow/gateway'
import { toRemotePath } from '../../main/core/ssh/catalog'
import { labSession, toFaultShell } from '../support/fault-gateway'
import { parseSwanctlListSas } from '../../main/core/status/swanctl-text'
import { up, type Lab } from '../lab/index'
import { addNamespace, DaemonNode, type PidSink } from '../lab/node'
import { newRecord, onExit, saveRecord, teardownRun, type RunRecord } from '../lab/registry'
import { prepareCharon, startCharon } from '../lab/strongswan'
import { labGate } from '../support/gate'

const g = labGate('vici client against charon')

function viciOver(path: string): Promise<ViciClient> {
  return new Promise((resolve, reject) => {
    const s = connect(path)
    s.once('connect', () => resolve(new ViciClient(s, { timeoutMs: 15_000 })))
    s.once('error', reject)
  })
}

/** Collects events from a subscription until `pred` holds for the collected list. */
async function until(sub: ViciSubscription, seen: ViciEvent[], pred: (all: ViciEvent[]) => boolean): Promise<void> {
  if (pred(seen)) return
  for await (const ev of sub) {
    seen.push(ev)
    if (pred(seen)) return
  }
  throw new Error('subscription ended early')
}

function firstSection(m: ViciMessage): [string, ViciMessage] {
  const [entry] = Object.entries(m).filter(([, v]) => typeof v === 'object' && !Array.isArray(v))
  if (!entry) throw new Error('no section')
  return entry as [string, ViciMessage]
}

describe.skipIf(g.skip)('VICI client against a lone charon', () => {
  let rec: RunRecord
  let unhook: () => void
  let node: DaemonNode
  let vici: ViciClient

  beforeAll(async () => {
    const prefix = `tw${randomBytes(2).toString('hex')}-`
    const tmp = mkdtempSync(join(tmpdir(), `tunnelwright-lab-${prefix}`))
    rec = newRecord(prefix, tmp)
    saveRecord(rec)
    unhook = onExit(prefix, () => teardownRun(rec))
    const sink: PidSink = {
      prefix,
      tmpDir: tmp,
      addPid: (pid) => (rec.pids.push(pid), saveRecord(rec)),
      addNamespace: (ns) => (rec.namespaces.push(ns), saveRecord(rec)),
    }
    await addNamespace(sink, `${prefix}vici`)
    node = new DaemonNode(sink, 'vici', `${prefix}vici`)
    await node.start()
    prepareCharon(node)
    await startCharon(node)
    vici = await viciOver(node.hostPath('/run/charon.vici'))
  })

  afterAll(() => {
    vici?.close()
    teardownRun(rec)
    unhook?.()
  })

  it('reads the daemon version and stats', async () => {
    const v = await vici.version()
    expect(v['daemon']).toBe('charon')
    expect(v['version']).toMatch(/^5\.9\./)
    const s = await vici.stats()
    expect(s['ikesas']).toMatchObject({ total: '0' })
  })

  it('loads a connection and a PSK, lists it, and unloads it again', async () => {
    const conf: ViciMessage = {
      version: '1',
      local_addrs: ['198.18.2.2'],
      remote_addrs: ['198.18.1.10'],
      proposals: ['aes128-sha256-modp2048'],
      local: { auth: 'psk', id: '198.18.2.2' },
      remote: { auth: 'psk', id: '198.18.1.10' },
      children: { tun1: { local_ts: ['192.168.50.0/24'], remote_ts: ['10.40.0.0/24'], esp_proposals: ['aes128-sha256-modp2048'] } },
    }
    await vici.loadConn('tw-test', conf)
    await vici.loadShared({ id: 'tw-test-psk', type: 'IKE', data: new Secret('Pa.secret_value_1'), owners: ['198.18.1.10'] })
    expect(await vici.getConns()).toContain('tw-test')
    const conns = await vici.listConns()
    const [name, listed] = firstSection(conns.find((c) => 'tw-test' in c) ?? {})
    expect(name).toBe('tw-test')
    expect(listed['version']).toBe('IKEv1')
    expect(listed['remote_addrs']).toEqual(['198.18.1.10'])
    await vici.unloadShared('tw-test-psk')
    await vici.unloadConn('tw-test')
    expect(await vici.getConns()).not.toContain('tw-test')
  })

  it('turns charon refusals into typed errors and keeps the session usable', async () => {
    await expect(vici.unloadConn('no-such-conn')).rejects.toBeInstanceOf(ViciCommandError)
    await expect(vici.request('no-such-command')).rejects.toThrow(/unknown command/)
    await expect(vici.subscribe(['no-such-event'])).rejects.toThrow(/unknown event/)
    const r = await vici.initiate({ child: 'nope', timeoutMs: 2000 })
    expect(r.success).toBe(false)
    expect(r.errmsg).toMatch(/not found/)
    expect((await vici.version())['daemon']).toBe('charon')
  })

  it('lists no SAs, registers and unregisters events, and serializes concurrent requests', async () => {
    expect(await vici.listSas()).toEqual([])
    const sub = await vici.subscribe(['ike-updown', 'child-updown', 'ike-rekey', 'child-rekey'])
    const results = await Promise.all([vici.version(), vici.listSas(), vici.stats(), vici.getConns(), vici.version()])
    expect(results[0]).toEqual(results[4])
    await sub.close()
    expect((await vici.version())['daemon']).toBe('charon')
  })

  it('rejects outstanding requests when the connection closes', async () => {
    const other = await viciOver(node.hostPath('/run/charon.vici'))
    const sub = await other.subscribe(['ike-updown'])
    const p = other.stats()
    other.close()
    await expect(p).rejects.toThrow(/closed/)
    const it = sub[Symbol.asyncIterator]()
    await expect(it.next()).resolves.toMatchObject({ done: true })
    await expect(other.version()).rejects.toThrow(/closed/)
  })
})

describe.skipIf(g.skip)('VICI client over SSH stream-local forwarding to the lab gateway', () => {
  let lab: Lab
  let ssh: Client
  let vici: ViciClient

  beforeAll(async () => {
    lab = await up({ gateway: 'swanctl' })
    const creds = lab.gateway.ssh
    ssh = new Client()
    await new Promise<void>((resolve, reject) => {
      ssh.once('ready', () => resolve())
      ssh.once('error', reject)
      ssh.connect({
        host: creds.host,
        port: creds.port,
        username: creds.username,
        ...(creds.privateKey === undefined ? {} : { privateKey: creds.privateKey }),
        ...(creds.password === undefined ? {} : { password: creds.password }),
        hostVerifier: (key: Buffer) => `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}` === creds.hostKeySha256,
      })
    })
    const channel = await new Promise<Duplex>((resolve, reject) =>
      ssh.openssh_forwardOutStreamLocal('/run/charon.vici', (err, ch) => (err ? reject(err) : resolve(ch))),
    )
    vici = new ViciClient(channel, { timeoutMs: 30_000 })
  })

  afterAll(async () => {
    vici?.close()
    ssh?.end()
    await lab?.down()
  })

  it('brings a tunnel up, sees the up events and the SA, then takes it down and sees the down events', async () => {
    const aws = lab.aws
    const gw = lab.gateway
    await vici.loadConn('tw-aws-tun1', {
      version: '1',
      local_addrs: [gw.wanIp],
      remote_addrs: [aws.outsideIps[0]],
      proposals: ['aes128-sha256-modp2048'],
      rekey_time: '28800',
      dpd_delay: '10',
      local: { auth: 'psk', id: gw.publicIp },
      remote: { auth: 'psk', id: aws.outsideIps[0] },
      children: { tun1: { local_ts: [gw.lanCidr], remote_ts: [aws.dedicatedCidr], esp_proposals: ['aes128-sha256-modp2048'], rekey_time: '3600' } },
    })
    await vici.loadShared({ id: 'tw-aws-tun1', type: 'IKE', data: new Secret(aws.psks[0]), owners: [aws.outsideIps[0]] })

    const sub = await vici.subscribe(['ike-updown', 'child-updown'])
    const seen: ViciEvent[] = []
    const r = await vici.initiate({ child: 'tun1', ike: 'tw-aws-tun1', timeoutMs: 20_000 })
    expect(r.errmsg, r.log.map((l) => l.message).join('\n')).toBeUndefined()
    expect(r.success).toBe(true)
    expect(r.log.some((l) => /CHILD_SA tun1\{\d+\} established/.test(l.message))).toBe(true)
    await until(sub, seen, (all) => all.some((e) => e.name === 'ike-updown' && e.message['up'] === 'yes') && all.some((e) => e.name === 'child-updown' && e.message['up'] === 'yes'))

    await gw.execLanHost(['ping', '-c', '3', '-i', '0.2', '-W', '2', aws.hostIp])
    const events = await vici.listSas()
    const model = parseViciListSas(events)
    const t = model.find((s) => s.name === 'tw-aws-tun1')
    expect(t?.state).toBe('ESTABLISHED')
    expect(t?.remoteHost).toBe(aws.outsideIps[0])
    expect(t?.children[0]?.state).toBe('INSTALLED')
    expect(t?.children[0]?.bytesOut).toBeGreaterThan(0)
    expect(t?.children[0]?.bytesIn).toBeGreaterThan(0)

    // The same SAs read through swanctl's human output give the same model (minus the clock).
    const text = await gw.exec(['swanctl', '--list-sas'])
    const fromText = parseSwanctlListSas(text.stdout).find((s) => s.name === 'tw-aws-tun1')
    expect(fromText?.children[0]?.spiIn).toBe(t?.children[0]?.spiIn)
    expect(fromText?.ikeSpiInitiator).toBe(t?.ikeSpiInitiator)

    const down = await vici.terminate({ ike: 'tw-aws-tun1', timeoutMs: 10_000 })
    expect(down.success).toBe(true)
    await until(sub, seen, (all) => all.some((e) => e.name === 'ike-updown' && e.message['up'] === undefined))
    const ikeDown = seen.filter((e) => e.name === 'ike-updown' && e.message['up'] === undefined)
    expect(firstSection(ikeDown[0]?.message ?? {})[0]).toBe('tw-aws-tun1')
    await sub.close()
    expect(await vici.listSas({ ike: 'tw-aws-tun1' })).toEqual([])
  })

  it('watchStatus: a change right after the first reading arrives as an event, not at the next poll', async () => {
    // The tunnel goes down from inside the first onChange, before the watch could have subscribed if it
    // subscribed after its first reading (it did: the first change after a watch started waited ~15 s).
    const r = await vici.initiate({ child: 'tun1', ike: 'tw-aws-tun1', timeoutMs: 20_000 })
    expect(r.success).toBe(true)
    const session = await labSession(lab)
    const stop = new AbortController()
    try {
      const facts = await detectGateway({ shell: toFaultShell(session) })
      const changes: StatusChange[] = []
      const details = Details.parse(lab.details())
      const peer = lab.aws.outsideIps[0]!
      let terminating: Promise<boolean> | undefined
      const seenDown = new Promise<StatusChange>((resolve) => {
        watchWithEvents(session, details, facts, stop.signal, (c) => {
          changes.push(c)
          if (c.trigger === 'initial') terminating = vici.terminate({ ike: 'tw-aws-tun1', timeoutMs: 10_000 }).then((t) => t.success)
          else if (c.snapshot.tunnels.find((t) => t.peer === peer)?.up === false) resolve(c)
        })
      })
      const down = await Promise.race([seenDown, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 20_000))])
      // The terminate itself finished (and is not left pending when the client closes after the suite).
      expect(await terminating).toBe(true)
      expect(changes[0]?.trigger).toBe('initial')
      expect(changes[0]?.mode).toBe('events')
      expect(changes[0]?.snapshot.tunnels.find((t) => t.peer === peer)?.up).toBe(true)
      expect(down?.trigger, JSON.stringify(changes.map((c) => c.trigger))).toBe('event')
    } finally {
      stop.abort()
      await session.close()
    }
  })
  it('watchStatus: a tunnel still up keeps the last poll\'s probe result through a quick event read', async () => {
    // charon's events get a VICI-only read that cannot ping; without the carry-over the probe would vanish
    // from tunnel 1 at every rekey or change of the other tunnel, and the board would flap. The event here is
    // a CHILD_SA rekey (the connection tw-aws-tun1 was loaded by the test above).
    expect((await vici.initiate({ child: 'tun1', ike: 'tw-aws-tun1', timeoutMs: 20_000 })).success).toBe(true)
    const session = await labSession(lab)
    const stop = new AbortController()
    try {
      const facts = await detectGateway({ shell: toFaultShell(session) })
      const details = Details.parse(lab.details())
      expect(details.health?.target).toBeTruthy()
      const peer1 = lab.aws.outsideIps[0]!
      const changes: StatusChange[] = []
      const firstEvent = new Promise<StatusChange>((resolve) => {
        watchWithEvents(session, details, facts, stop.signal, (c) => {
          changes.push(c)
          if (c.trigger === 'initial') void vici.request('rekey', { child: 'tun1' })
          else if (c.trigger === 'event') resolve(c)
        })
      })
      const ev = await Promise.race([firstEvent, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 25_000))])
      const initialProbe = changes[0]?.snapshot.tunnels.find((t) => t.peer === peer1)?.probe
      expect(initialProbe, 'the initial full read probes tunnel 1').toBeDefined()
      expect(ev, JSON.stringify(changes.map((c) => c.trigger))).toBeDefined()
      expect(ev?.snapshot.source).toBe('vici')
      expect(ev?.snapshot.tunnels.find((t) => t.peer === peer1)?.probe).toEqual(initialProbe)
    } finally {
      stop.abort()
      await session.close()
      await vici.terminate({ ike: 'tw-aws-tun1', timeoutMs: 10_000 }).catch(() => undefined)
    }
  })
})

/** A status watch on charon's events (polls 5 min apart, so every change it reports comes from an event or the first reading). */
function watchWithEvents(session: Awaited<ReturnType<typeof labSession>>, details: Details, facts: Awaited<ReturnType<typeof detectGateway>>, signal: AbortSignal, onChange: (c: StatusChange) => void): void {
  void watchStatus(toFaultShell(session), details, facts, { signal, intervalMs: 300_000, openVici: () => session.openUnixSocket(toRemotePath('/run/charon.vici')), onChange })
}
