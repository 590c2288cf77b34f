// The app's vendor status path, below the window: watchVendorStatus over the shell's services and handler
// table (the same ones main/shell registers), against the replayed ASA session (test/support/vendor-replay.ts:
// a STAND-IN, an ASA cannot run here). What the window receives is checked for the status model, the
// core's verdicts and diagnoses, the read-only/polling facts, and for secrets: none may ever reach it.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHandlers } from '../../main/shell/ipc/handlers'
import { createShellServices } from '../../main/shell/services'
import type { ProfileId, StatusSnapshotDto, VendorWatchOutcome, WatchError } from '../../preload/api'
import { createTestEncryptor } from '../e2e/bridge'
import { REPLAY_ENABLE as ENABLE, REPLAY_LOGIN as LOGIN, startReplay, type Replay } from '../support/vendor-replay'

const PSK = 'Psk.Never.In.Window_42'
const DRAFT = { name: 'HQ east', provider: 'cloud.gov', gateway: { publicIp: '34.201.10.20', privateCidrs: ['10.40.0.0/24'] }, remote: { dedicatedCidrs: ['10.200.0.0/16'], egressIps: [], tunnels: [{ outsideIp: '52.1.2.3', insideCidr: '169.254.10.0/30' }, { outsideIp: '52.1.2.4', insideCidr: '169.254.11.0/30' }] }, crypto: { ikeVersion: 1, encryption: 'aes256', integrity: 'sha256', dhGroup: 14, pfsGroup: 14, ikeLifetime: 28800, ipsecLifetime: 3600, dpd: { delay: 10, timeout: 30 } }, routing: 'auto' }

describe('vendor status in the app (shell services, replayed ASA session)', () => {
  let replay: Replay
  let dataDir: string
  const events: { event: string; payload: unknown }[] = []
  beforeAll(async () => {
    replay = await startReplay('cisco-asa', { peers: { AWS_ENDPOINT_1: '52.1.2.3', AWS_ENDPOINT_2: '52.1.2.4' } })
    dataDir = mkdtempSync(join(tmpdir(), 'tw-vboard-'))
  })
  afterAll(async () => {
    await replay.close()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('asks about the unknown host key, then polls read-only: tunnel 1 up and healthy, tunnel 2 down with the diagnosis; no secret in anything the window got', async () => {
    const services = createShellServices({ dataDir, encryptor: createTestEncryptor(), emit: (event, payload) => events.push({ event, payload }), chooseSavePath: async () => undefined, user: 'ops' })
    const table = createHandlers(services)
    const p = await table.saveProfile.run({ name: 'HQ east', details: DRAFT as never, connection: { host: '127.0.0.1', port: replay.port, username: 'admin', auth: 'password', useSudo: false } })
    const id = p.id as ProfileId
    for (const [slot, value] of [['sshPassword', LOGIN], ['enablePassword', ENABLE], ['psk1', PSK]] as const) await table.setSecret.run({ profileId: id, slot, value })
    const device = { kind: 'cisco-asa', allowLegacySsh: true } as const

    const q = (await table.watchVendorStatus.run({ profileId: id, device, intervalSec: 5 })) as VendorWatchOutcome
    expect(q.status).toBe('host-key-unknown')
    if (q.status !== 'host-key-unknown') return
    expect(q.fingerprint).toMatch(/^SHA256:/)
    expect(events.filter((e) => e.event === 'tunnel:status')).toHaveLength(0)

    const w = (await table.watchVendorStatus.run({ profileId: id, device, intervalSec: 5, acceptFingerprint: q.fingerprint })) as VendorWatchOutcome
    expect(w.status).toBe('watching')
    const snap = events.find((e) => e.event === 'tunnel:status')!.payload as StatusSnapshotDto
    expect(snap).toMatchObject({ source: 'vendor', mode: 'polling', device: { kind: 'cisco-asa', readOnly: true, intervalSec: 5 } })
    expect(snap.device!.legacyAlgorithms).toEqual(expect.arrayContaining(['diffie-hellman-group14-sha1', 'aes128-cbc', 'ssh-rsa']))
    expect(snap.tunnels.map((t) => [t.name, t.peer, t.up, t.health?.verdict])).toEqual([
      ['hq-east-t1', '52.1.2.3', true, 'healthy'],
      ['hq-east-t2', '52.1.2.4', false, 'down'],
    ])
    expect(snap.tunnels[1]!.health!.diagnoses.map((d) => d.id)).toContain('not-reinitiated')
    // The device's own word for the IKE state travels as such, not as an algorithm.
    expect(snap.tunnels[0]).toMatchObject({ deviceState: 'MM_ACTIVE', childAlgorithms: 'esp-aes esp-sha-hmac' })
    expect(snap.tunnels[0]!.ikeAlgorithms).toBeUndefined()
    // The choice, with the interval it is polled at, is kept in the profile; the enable password only as a flag.
    const saved = await table.getProfile.run(id)
    expect(saved.statusDevice).toEqual({ ...device, intervalSec: 5 })
    expect(saved.hasSecret.enablePassword).toBe(true)
    // Read-only: everything the device received was enable, its password (never echoed), paging off, show commands, exit.
    expect(replay.received.filter((l) => !/^(show |enable$|<enable password>$|terminal pager 0$|exit$)/.test(l))).toEqual([])

    if (w.status === 'watching') await table.unwatchStatus.run(w.watchId)
    // Everything the window got, the profile, and every file the app wrote (the secret store is encrypted).
    const files = (readdirSync(dataDir, { recursive: true }) as string[]).map((n) => join(dataDir, n)).filter((f) => statSync(f).isFile()).map((f) => readFileSync(f, 'utf8'))
    expect(files.join('\n')).toContain('vendor-status')
    const everything = JSON.stringify(events) + JSON.stringify(saved) + files.join('\n')
    for (const secret of [LOGIN, ENABLE, PSK]) expect(everything).not.toContain(secret)

    // The vendor device goes with the profile export and comes back on import; its passwords only inside the
    // encrypted envelope, never in clear.
    const passphrase = 'correct horse battery staple'
    const text = await services.profiles.toExportText({ id, includeSecrets: true, passphrase })
    const doc = JSON.parse(text) as { profile: { statusDevice?: unknown }; secrets: unknown }
    expect(doc.profile.statusDevice).toEqual({ kind: 'cisco-asa', allowLegacySsh: true, intervalSec: 5 })
    for (const secret of [LOGIN, ENABLE, PSK]) expect(text).not.toContain(secret)
    const back = await table.importProfile.run({ text, passphrase })
    expect(back.id).not.toBe(id)
    expect(back.statusDevice).toEqual({ kind: 'cisco-asa', allowLegacySsh: true, intervalSec: 5 })
    expect(back.hasSecret).toMatchObject({ enablePassword: true, sshPassword: true, psk1: true })
    // Without secrets: the device still travels (it holds none), the passwords do not.
    const plain = await services.profiles.toExportText({ id, includeSecrets: false })
    const plainBack = await table.importProfile.run({ text: plain })
    expect(plainBack.statusDevice).toEqual({ kind: 'cisco-asa', allowLegacySsh: true, intervalSec: 5 })
    expect(plainBack.hasSecret.enablePassword).toBe(false)

    // A tampered vendor device is refused with a clear error, and no profile is created.
    const count = (await table.listProfiles.run()).length
    const tampered = (statusDevice: unknown) => JSON.stringify({ ...JSON.parse(plain), profile: { ...JSON.parse(plain).profile, statusDevice } })
    for (const [bad, says] of [
      [{ kind: 'checkpoint', allowLegacySsh: false }, /vendor device \(\/profile\/statusDevice\/kind\) is not valid/],
      [{ kind: 'cisco-asa', allowLegacySsh: false, intervalSec: 1 }, /\/profile\/statusDevice\/intervalSec/],
      [{ kind: 'cisco-asa', allowLegacySsh: 'yes' }, /\/profile\/statusDevice\/allowLegacySsh/],
      // A password put beside the device by hand: refused, never stored anywhere.
      [{ kind: 'cisco-asa', allowLegacySsh: false, enablePassword: 'In-Clear.7' }, /vendor device \(\/profile\/statusDevice\) is not valid/],
    ] as const) {
      const err = await Promise.resolve()
        .then(() => table.importProfile.run({ text: tampered(bad) }))
        .catch((e: unknown) => e)
      expect(err, JSON.stringify(bad)).toMatchObject({ code: 'profile-import' })
      expect((err as Error).message).toMatch(says)
      expect((err as { fix?: string }).fix).toMatch(/kind one of cisco-asa, .*windows-server/)
    }
    expect((await table.listProfiles.run()).length).toBe(count)
    const after = (readdirSync(dataDir, { recursive: true }) as string[]).map((n) => join(dataDir, n)).filter((f) => statSync(f).isFile()).map((f) => readFileSync(f, 'utf8')).join('\n')
    expect(after).not.toContain('In-Clear.7')
  })

  it('a refused login answers the call with a clear error and no secret; nothing is watched', async () => {
    const services = createShellServices({ dataDir: mkdtempSync(join(tmpdir(), 'tw-vboard-')), encryptor: createTestEncryptor(), emit: (event, payload) => events.push({ event, payload }), chooseSavePath: async () => undefined, user: 'ops' })
    const table = createHandlers(services)
    const p = await table.saveProfile.run({ name: 'HQ east', details: DRAFT as never, connection: { host: '127.0.0.1', port: replay.port, username: 'admin', auth: 'password', useSudo: false } })
    const id = p.id as ProfileId
    await table.setSecret.run({ profileId: id, slot: 'sshPassword', value: 'Wrong-Login.9' })
    const before = events.length
    const q = (await table.watchVendorStatus.run({ profileId: id, device: { kind: 'cisco-asa', allowLegacySsh: true } })) as VendorWatchOutcome
    if (q.status !== 'host-key-unknown') throw new Error('expected the host key question')
    const err = await Promise.resolve()
      .then(() => table.watchVendorStatus.run({ profileId: id, device: { kind: 'cisco-asa', allowLegacySsh: true }, acceptFingerprint: q.fingerprint }))
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(Error)
    expect((err as { code: string }).code).toBe('ssh-auth-failed')
    expect((err as Error).message).not.toContain('Wrong-Login.9')
    expect(events.slice(before).filter((e) => e.event === 'tunnel:status' || e.event === 'tunnel:watch-error')).toEqual([] as WatchError[])
  })

  it('a failed poll stops the watch with a tunnel:watch-error the board shows (no secret in it), and the activity log says so', async () => {
    const failing = await startReplay('cisco-asa', { shellsServed: 1, peers: { AWS_ENDPOINT_1: '52.1.2.3', AWS_ENDPOINT_2: '52.1.2.4' } })
    const dir = mkdtempSync(join(tmpdir(), 'tw-vboard-'))
    const got: { event: string; payload: unknown }[] = []
    let stopped: (e: WatchError) => void = () => undefined
    const watchError = new Promise<WatchError>((resolve) => (stopped = resolve))
    try {
      const services = createShellServices({ dataDir: dir, encryptor: createTestEncryptor(), emit: (event, payload) => (got.push({ event, payload }), event === 'tunnel:watch-error' && stopped(payload as WatchError)), chooseSavePath: async () => undefined, user: 'ops' })
      const table = createHandlers(services)
      const p = await table.saveProfile.run({ name: 'HQ east', details: DRAFT as never, connection: { host: '127.0.0.1', port: failing.port, username: 'admin', auth: 'password', useSudo: false } })
      const id = p.id as ProfileId
      await table.setSecret.run({ profileId: id, slot: 'sshPassword', value: LOGIN })
      await table.setSecret.run({ profileId: id, slot: 'enablePassword', value: ENABLE })
      const device = { kind: 'cisco-asa', allowLegacySsh: true } as const
      const q = (await table.watchVendorStatus.run({ profileId: id, device, intervalSec: 5 })) as VendorWatchOutcome
      if (q.status !== 'host-key-unknown') throw new Error('expected the host key question')
      const w = (await table.watchVendorStatus.run({ profileId: id, device, intervalSec: 5, acceptFingerprint: q.fingerprint })) as VendorWatchOutcome
      expect(w.status).toBe('watching')
      const e = await watchError
      expect(e.error.code).toBe('ssh-session-closed')
      expect(e.error.message).toMatch(/closed the session/)
      expect(got.filter((x) => x.event === 'tunnel:status')).toHaveLength(1)
      const log = (readdirSync(dir, { recursive: true }) as string[]).map((n) => join(dir, n)).filter((f) => statSync(f).isFile()).map((f) => readFileSync(f, 'utf8')).join('\n')
      expect(log).toMatch(/vendor-status[^\n]*stopped/)
      for (const secret of [LOGIN, ENABLE]) expect(JSON.stringify(got) + log).not.toContain(secret)
    } finally {
      await failing.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
