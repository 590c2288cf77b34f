// The bridge contract: every request method has a channel, a schema and a preload function; names
// follow `domain:verb-noun` / `domain:noun`; malformed calls and foreign senders are refused before
// any handler runs; exceptions come back as Results.
import { readFileSync } from 'node:fs'
import { describe, expect, it, vi } from 'vitest'
import { z } from 'zod'
import { ARG_SCHEMAS, createHandlers } from '../../main/shell/ipc/handlers'
import { UserError } from '../../main/core/base/result'
import { VENDOR_KINDS, VENDOR_POLL } from '../../main/core/base/vocabulary'
import { VENDOR_STATUS_KINDS } from '../../main/core/status/vendor'
import { toGuardedHandler } from '../../main/shell/ipc/ipc-guard'
import { CHANNELS, EVENTS } from '../../preload/api'

const PID = 'p-abcdef012345'

describe('contract shape', () => {
  it('names channels domain:verb-noun and events domain:noun, all distinct', () => {
    for (const c of Object.values(CHANNELS)) expect(c).toMatch(/^[a-z]+:[a-z]+(-[a-z]+)+$|^app:get-info$/)
    for (const e of Object.values(EVENTS)) expect(e).toMatch(/^[a-z]+:[a-z]+(-[a-z]+)*$/)
    expect(new Set(Object.values(CHANNELS)).size).toBe(Object.values(CHANNELS).length)
  })

  it('has a handler and a schema for every channel, and the preload exposes each by name', () => {
    const table = createHandlers()
    const preload = readFileSync('preload/index.ts', 'utf8')
    for (const [name, channel] of Object.entries(CHANNELS)) {
      expect(table[name as keyof typeof table].channel).toBe(channel)
      expect(ARG_SCHEMAS).toHaveProperty(name)
      expect(preload).toContain(`${name}: (`)
    }
    for (const name of Object.keys(EVENTS)) expect(preload).toContain(`${name}: (cb) => subscribe(EVENTS.${name}, cb)`)
    expect(preload).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer/)
  })
})

/** A well-formed draft, so a vendor preview refusal is about the device or an extra field, not the draft. */
const VDRAFT = { name: 'gw', provider: 'cloud.gov', gateway: { publicIp: '34.120.5.6', privateCidrs: ['10.10.0.0/24'] }, remote: { dedicatedCidrs: ['10.200.0.0/16'], egressIps: [], tunnels: [{ outsideIp: '198.51.100.1', insideCidr: '169.254.10.0/30' }, { outsideIp: '198.51.100.2', insideCidr: '169.254.11.0/30' }] }, crypto: { ikeVersion: 1, encryption: 'aes256', integrity: 'sha256', dhGroup: 14, pfsGroup: 14, ikeLifetime: 28800, ipsecLifetime: 3600, dpd: { delay: 10, timeout: 30 } }, routing: 'auto' }

describe('argument schemas refuse malformed calls', () => {
  const bad: Record<keyof typeof ARG_SCHEMAS, unknown[][]> = {
    getAppInfo: [[1]],
    getSettings: [['x']],
    updateSettings: [[{ maskPublicIps: 'yes' }], [{ extra: true }], []],
    buildProviderRequest: [[{ publicIp: '1.2.3.4', privateCidrs: 'x', endpointType: 'strongswan', approxApps: 1 }], [{ publicIp: '1.2.3.4', privateCidrs: [], endpointType: 'cisco', approxApps: 1 }]],
    importDetails: [[{ text: 1, format: 'aws-xml' }], [{ text: '', format: 'pdf' }], [{ text: 'x'.repeat(1024 * 1024 + 1), format: 'aws-xml' }], [{ text: '{}', format: 'details-json', connection: '0' }], [{ text: '{}', format: 'details-json', connection: "2'; rm" }]],
    listAwsConnections: [[{ text: 1 }], [{}], [{ text: 'x'.repeat(1024 * 1024 + 1) }], [{ text: '{}', extra: 1 }]],
    // An unfinished form is fine (lint says what is missing); a draft of the wrong shape or size is not.
    lintDetails: [[{ draft: {} }], [{ draft: null }], [{ draft: { name: 'x', provider: 'cloud.gov', gateway: { privateCidrs: ['x'.repeat(300)] }, remote: { dedicatedCidrs: [], egressIps: [], tunnels: [{ outsideIp: '', insideCidr: '' }] }, crypto: {}, routing: 'auto' } }]],
    previewRender: [[{ draft: {}, device: 'strongswan' }]],
    // Only the six vendor kinds; no secret, version or profile travels with a vendor preview.
    previewVendor: [[{ draft: VDRAFT, device: 'strongswan' }], [{ draft: VDRAFT, device: 'sonicwall' }], [{ draft: VDRAFT, device: 'cisco-asa', psk1: 'x' }], [{ draft: VDRAFT, device: 'cisco-asa', routing: 'bgp' }], [{ draft: {}, device: 'cisco-asa' }]],
    listProfiles: [[1]],
    getProfile: [['../../etc/passwd'], [42], []],
    saveProfile: [[{ name: 'x' }], [{ name: '', details: {}, connection: {} }], [{ name: 'x', details: {}, connection: {}, request: { endpointType: 'cisco' } }], [{ name: 'x', details: {}, connection: {}, adoptSlots: ['sshPassword'] }]],
    deleteProfile: [['p-'], [{}]],
    importProfile: [[{ text: 3 }]],
    exportProfile: [[{ id: PID, includeSecrets: true }], [{ id: PID }], [{ id: PID, includeSecrets: false, passphrase: 'x' }]],
    setSecret: [[{ profileId: PID, slot: 'psk3', value: 'x' }], [{ profileId: PID, slot: 'psk1', value: '' }], [{ profileId: PID, slot: 'psk1' }]],
    clearSecret: [[{ profileId: PID, slot: 'everything' }]],
    // The renderer never names the path: main's dialog chooses it.
    pickKeyFile: [[{ path: '/etc/shadow' }], ['/etc/shadow']],
    connectGateway: [[{ profileId: PID, acceptFingerprint: 'MD5:aa:bb' }], [{ profileId: PID, acceptFingerprint: 'SHA256:short' }], [PID]],
    // Only the five vendor kinds with status; no password travels with it (the enable password is a stored slot); intervals within bounds.
    watchVendorStatus: [[{ profileId: PID, device: { kind: 'checkpoint', allowLegacySsh: false } }], [{ profileId: PID, device: { kind: 'windows-server', allowLegacySsh: false, intervalSec: 4 } }], [{ profileId: PID, device: { kind: 'cisco-asa' } }], [{ profileId: PID, device: { kind: 'cisco-asa', allowLegacySsh: false }, enablePassword: 'x' }], [{ profileId: PID, device: { kind: 'cisco-asa', allowLegacySsh: false }, intervalSec: 1 }], [{ profileId: PID, device: { kind: 'cisco-asa', allowLegacySsh: true }, acceptFingerprint: 'MD5:aa' }]],
    disconnectGateway: [[{ profileId: PID }]],
    detectGateway: [[{ profileId: PID, jobId: 'x' }]],
    checkGateway: [[{}]],
    planCheckFix: [[{ profileId: PID }], [{ profileId: PID, findingId: '' }], [{ profileId: PID, findingId: 'a b; rm -rf /' }], [{ profileId: 'x', findingId: 'path.udp500.198.51.100.1' }], [{ profileId: PID, findingId: 'fw.x', findingIds: ['$(reboot)'] }], [{ profileId: PID, findingId: 'fw.x', findingIds: [] }]],
    applyCheckFix: [
      [{ profileId: PID, findingId: 'fw.x', confirmWithinSec: 5 }],
      [{ profileId: PID, findingId: 'fw.x', confirmWithinSec: 901 }],
      [{ profileId: PID, findingId: 'fw.x', confirmWithinSec: 60.5 }],
      [{ profileId: PID, findingId: 'fw.x', commands: ['reboot'] }],
      [{ profileId: PID, findingId: '$(reboot)' }],
    ],
    planChange: [[{ profileId: PID, device: 'cisco' }], [{ profileId: PID, routing: 'bgp' }]],
    applyChange: [[{ planId: 'plan-zz' }], [{ planId: 'plan-0123456789abcdef', confirmWithinSec: 5 }]],
    rollbackChange: [[{ profileId: PID, reason: 'x'.repeat(3000) }]],
    previewRollback: [[{ profileId: 'x' }], [{ profileId: PID, files: ['/etc/shadow'] }], [PID]],
    cancelJob: [[''], [1]],
    watchStatus: [[{ profileId: PID, intervalMs: 10 }]],
    unwatchStatus: [['w-1']],
    listActivity: [[{ limit: -1 }], [{ limit: 1.5 }]],
    listChangeRecords: [[{ profileId: 'x' }]],
    exportChangeRecord: [[{ recordId: 'r-0123456789abcdef', format: 'pdf' }]],
    exportDiagnostics: [[{ profileId: PID, include: 'secrets' }]],
  }

  for (const [name, calls] of Object.entries(bad)) {
    it(`${name}: ${calls.length} malformed call(s) refused`, () => {
      const schema = ARG_SCHEMAS[name as keyof typeof ARG_SCHEMAS] as z.ZodType
      for (const args of calls) expect(schema.safeParse(args).success, JSON.stringify(args).slice(0, 80)).toBe(false)
    })
  }

  it('accepts well-formed calls', () => {
    expect(ARG_SCHEMAS.getProfile.safeParse([PID]).success).toBe(true)
    expect(ARG_SCHEMAS.setSecret.safeParse([{ profileId: PID, slot: 'psk1', value: 'Psk.one_1234' }]).success).toBe(true)
    expect(ARG_SCHEMAS.connectGateway.safeParse([{ profileId: PID, acceptFingerprint: 'SHA256:' + 'A'.repeat(43) }]).success).toBe(true)
    expect(ARG_SCHEMAS.exportProfile.safeParse([{ id: PID, includeSecrets: true, passphrase: 'long enough passphrase' }]).success).toBe(true)
    expect(ARG_SCHEMAS.planCheckFix.safeParse([{ profileId: PID, findingId: 'path.udp500.198.51.100.1' }]).success).toBe(true)
    expect(ARG_SCHEMAS.applyCheckFix.safeParse([{ profileId: PID, findingId: 'route-get:198.51.100.1', confirmWithinSec: 120, jobId: 'job-12345678' }]).success).toBe(true)
    expect(ARG_SCHEMAS.applyCheckFix.safeParse([{ profileId: PID, findingId: 'fw.ipv4-forward' }]).success).toBe(true)
    expect(ARG_SCHEMAS.planCheckFix.safeParse([{ profileId: PID, findingId: 'fw.inbound.udp500.198.51.100.1', findingIds: ['fw.inbound.udp500.198.51.100.2', 'path.udp500.198.51.100.1'] }]).success).toBe(true)
    expect(ARG_SCHEMAS.previewRollback.safeParse([{ profileId: PID }]).success).toBe(true)
    expect(ARG_SCHEMAS.previewVendor.safeParse([{ draft: VDRAFT, device: 'juniper-srx', routing: 'route' }]).success).toBe(true)
  })

  it('lintDetails takes an unfinished form as typed: empty and half-typed fields are lint findings, not refusals', () => {
    const crypto = { ikeVersion: 1, encryption: 'aes256', integrity: 'md5', dhGroup: 2, pfsGroup: 14, ikeLifetime: 28800, ipsecLifetime: 3600, dpd: { delay: 10, timeout: 30 } }
    const empty = { name: '', provider: 'cloud.gov', gateway: { privateCidrs: [] }, remote: { dedicatedCidrs: [], egressIps: [], tunnels: [{ outsideIp: '', insideCidr: '' }, { outsideIp: '52.1.2', insideCidr: '169.254.1' }] }, crypto, routing: 'auto' }
    expect(ARG_SCHEMAS.lintDetails.safeParse([{ draft: empty }]).success).toBe(true)
  })
})

describe('saveProfile: the optional jump host', () => {
  const base = { name: 'gw', details: { name: 'gw', provider: 'cloud.gov', gateway: { privateCidrs: [] }, remote: { dedicatedCidrs: [], egressIps: [], tunnels: [{ outsideIp: '198.51.100.1', insideCidr: '169.254.10.0/30' }, { outsideIp: '198.51.100.2', insideCidr: '169.254.11.0/30' }] }, crypto: { ikeVersion: 1, encryption: 'aes256', integrity: 'sha256', dhGroup: 14, pfsGroup: 14, ikeLifetime: 28800, ipsecLifetime: 3600, dpd: { delay: 10, timeout: 30 } }, routing: 'auto' } }
  const save = (jump: unknown) => ARG_SCHEMAS.saveProfile.safeParse([{ ...base, connection: { host: '203.0.113.10', port: 22, username: 'root', auth: 'agent', useSudo: false, ...(jump === undefined ? {} : { jump }) } }])

  it('accepts no jump host, a host name, and an IP with port and user', () => {
    expect(save(undefined).success).toBe(true)
    expect(save({ host: 'bastion.agency.example' }).success).toBe(true)
    const r = save({ host: '198.51.100.7', port: 2222, username: 'ops' })
    expect(r.success).toBe(true)
    expect(r.data?.[0].connection.jump).toEqual({ host: '198.51.100.7', port: 2222, username: 'ops' })
  })

  it('refuses a bad host, a port outside 1-65535, a bad user and unknown keys', () => {
    for (const jump of [{ host: '' }, { host: 'bad host; rm -rf /' }, { host: '-bastion' }, { host: 'b', port: 0 }, { host: 'b', port: 65536 }, { host: 'b', port: 22.5 }, { host: 'b', port: '22' }, { host: 'b', username: 'a b' }, { host: 'b', proxyCommand: 'nc %h %p' }]) {
      expect(save(jump).success, JSON.stringify(jump)).toBe(false)
    }
  })
})

describe('guarded handler', () => {
  const schema = z.tuple([z.string()])

  it('refuses a foreign sender before validating or running anything', async () => {
    const fn = vi.fn(() => 'ran')
    const h = toGuardedHandler<{ frame: string }, typeof schema, string>('x:do-thing', schema, (e) => e.frame === 'main', fn)
    const r = await h({ frame: 'iframe' }, 'arg')
    expect(r).toMatchObject({ ok: false, error: { code: 'ipc-sender' } })
    expect(fn).not.toHaveBeenCalled()
    expect(await h({ frame: 'main' }, 'arg')).toEqual({ ok: true, value: 'ran' })
  })

  it('refuses malformed arguments without running the handler', async () => {
    const fn = vi.fn(() => 'ran')
    const h = toGuardedHandler('x:do-thing', schema, () => true, fn)
    expect(await h({}, 42)).toMatchObject({ ok: false, error: { code: 'ipc-args' } })
    expect(await h({}, 'a', 'b')).toMatchObject({ ok: false, error: { code: 'ipc-args' } })
    expect(fn).not.toHaveBeenCalled()
  })

  it('turns a UserError into its AppError and hides unexpected errors', async () => {
    const user = toGuardedHandler('x:do-thing', schema, () => true, () => {
      throw new UserError('thing-failed', 'The thing failed.', { fix: 'Do it right.' })
    })
    expect(await user({}, 'a')).toEqual({ ok: false, error: { code: 'thing-failed', message: 'The thing failed.', fix: 'Do it right.' } })
    const bug = toGuardedHandler('x:do-thing', schema, () => true, () => {
      throw new Error('/home/ops/secret/path exploded')
    })
    const r = await bug({}, 'a')
    expect(r).toMatchObject({ ok: false, error: { code: 'internal' } })
    expect(JSON.stringify(r)).not.toContain('/home/ops')
  })

  it('a table without services refuses everything but app info with not-available', async () => {
    const t = createHandlers()
    expect(() => t.listProfiles.run()).toThrow(/not running/)
    expect((await t.getAppInfo.run()).name).toBe('Tunnelwright')
  })

  it('app info names the vendor devices from the one vocabulary the status and render paths use', async () => {
    const info = await createHandlers().getAppInfo.run()
    expect(info.vendorKinds).toEqual(VENDOR_KINDS)
    // Every vendor kind has both a configuration and a read-only status driver: the same list, not a second one.
    expect(VENDOR_STATUS_KINDS).toBe(VENDOR_KINDS)
    expect(info.vendorKinds).toContain('windows-server')
    expect(info.vendorPoll).toEqual(VENDOR_POLL)
  })

  it('pickKeyFile answers the dialog\'s path or "not picked", and not-available without the desktop shell', async () => {
    await expect(createHandlers().pickKeyFile.run()).rejects.toMatchObject({ code: 'not-available' })
    expect(await createHandlers(undefined, { pickKeyFile: async () => '/home/ops/.ssh/id_ed25519' }).pickKeyFile.run()).toEqual({ picked: true, path: '/home/ops/.ssh/id_ed25519' })
    expect(await createHandlers(undefined, { pickKeyFile: async () => undefined }).pickKeyFile.run()).toEqual({ picked: false })
  })
})
