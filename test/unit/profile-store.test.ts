// Profiles on disk (tunnelwright/profile@1): round trip, privacy of the files, migration path, and
// the export file: secrets left out unless asked, then AES-256-GCM under a scrypt key.
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { decryptExport, encryptExport, ENCRYPTED_FORMAT } from '../../main/core/app-data/export-crypto'
import { parseProfileFile, PROFILE_FORMAT, toMigratedRaw, toProfileDetails, type ProfileDetails } from '../../main/core/app-data/profiles'
import { UserError } from '../../main/core/base/result'
import { createProfileStore } from '../../main/shell/stores/profile-store'

/** A complete PSK-free draft. */
export const DRAFT: ProfileDetails = {
  name: 'Agency HQ',
  provider: 'cloud.gov',
  gateway: { publicIp: '198.51.100.2', privateCidrs: ['10.40.0.0/24'] },
  remote: {
    dedicatedCidrs: ['10.200.0.0/24'],
    egressIps: [],
    tunnels: [
      { outsideIp: '203.0.113.10', insideCidr: '169.254.10.0/30' },
      { outsideIp: '203.0.113.20', insideCidr: '169.254.11.0/30' },
    ],
  },
  crypto: { ikeVersion: 1, encryption: 'aes256', integrity: 'sha256', dhGroup: 14, pfsGroup: 14, ikeLifetime: 28800, ipsecLifetime: 3600, dpd: { delay: 10, timeout: 30 } },
  routing: 'auto',
}
const CONN = { host: 'gw.example.org', port: 22, username: 'admin', auth: 'password' as const, useSudo: true }

describe('profile store', () => {
  it('saves, lists, reads back, updates and deletes; files are 0600 and tagged', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-prof-'))
    const store = createProfileStore(dir)
    const a = store.save({ name: 'HQ', details: DRAFT, connection: CONN }, new Date('2025-01-01T00:00:00Z'))
    expect(a.id).toMatch(/^p-[0-9a-f]{16}$/)
    const file = join(dir, `${a.id}.json`)
    expect(JSON.parse(readFileSync(file, 'utf8')).format).toBe(PROFILE_FORMAT)
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600)
    const b = store.save({ id: a.id, name: 'HQ renamed', details: DRAFT, connection: CONN }, new Date('2025-02-01T00:00:00Z'))
    expect(b.createdAt).toBe(a.createdAt)
    expect(b.updatedAt).toBe('2025-02-01T00:00:00.000Z')
    expect(store.list().map((p) => p.name)).toEqual(['HQ renamed'])
    store.delete(a.id)
    expect(() => store.get(a.id)).toThrow(/No such profile/)
  })

  it('keeps the Request step\'s request across a restart, and an update without one keeps it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-prof-'))
    const request = { name: 'HQ', organization: 'agency-org', contact: 'ops@agency.example', publicIp: '198.51.100.2', privateCidrs: ['10.40.0.0/24', '10.41.0.0/24'], endpointType: 'other' as const, endpointOther: 'Palo Alto PAN-OS 10.2', approxApps: 12 }
    const a = createProfileStore(dir).save({ name: 'HQ', details: DRAFT, connection: CONN, request })
    // A second store on the same folder is the app after a restart.
    expect(createProfileStore(dir).get(a.id).request).toEqual(request)
    createProfileStore(dir).save({ id: a.id, name: 'HQ renamed', details: DRAFT, connection: CONN })
    expect(createProfileStore(dir).get(a.id).request).toEqual(request)
    expect(JSON.parse(readFileSync(join(dir, `${a.id}.json`), 'utf8')).format).toBe(PROFILE_FORMAT)
  })

  it('loads a profile written before the request was kept (no request field) and refuses a malformed one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-prof-'))
    const old = { format: PROFILE_FORMAT, id: 'p-old0000000001', name: 'Old', details: DRAFT, connection: CONN, createdAt: '2024-06-01T00:00:00.000Z', updatedAt: '2024-06-01T00:00:00.000Z' }
    writeFileSync(join(dir, `${old.id}.json`), JSON.stringify(old))
    const p = createProfileStore(dir).get(old.id)
    expect(p.name).toBe('Old')
    expect(p.request).toBeUndefined()
    expect(() => parseProfileFile(JSON.stringify({ ...old, request: { endpointType: 'cisco' } }))).toThrow(/\/request\/endpointType/)
  })

  it('refuses ids that could escape the folder', () => {
    const store = createProfileStore(mkdtempSync(join(tmpdir(), 'tw-prof-')))
    expect(() => store.get('../../etc/passwd')).toThrow(UserError)
  })

  it('skips a corrupt file in the list but says why on get', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-prof-'))
    const store = createProfileStore(dir)
    writeFileSync(join(dir, 'p-bad000000.json'), '{ not json')
    expect(store.list()).toEqual([])
    expect(() => store.get('p-bad000000')).toThrow(/not valid JSON/)
  })

  it('builds Details whose PSKs point at the secret store, and names what is missing', () => {
    const d = toProfileDetails(DRAFT)
    expect(d.remote.tunnels.map((t) => t.psk)).toEqual([{ env: 'TUNNELWRIGHT_PSK_1' }, { env: 'TUNNELWRIGHT_PSK_2' }])
    expect(() => toProfileDetails({ ...DRAFT, gateway: { ...DRAFT.gateway, privateCidrs: [] } })).toThrow(/\/gateway\/privateCidrs/)
  })
})

describe('profile migration path', () => {
  const current = { format: PROFILE_FORMAT, id: 'p-abcdef012345', name: 'x', details: DRAFT, connection: CONN, createdAt: '2025-01-01T00:00:00.000Z', updatedAt: '2025-01-01T00:00:00.000Z' }

  it('passes the current format through and parses it', () => {
    expect(parseProfileFile(JSON.stringify(current)).name).toBe('x')
  })

  it('refuses a newer format with "update Tunnelwright", and an unknown tag', () => {
    expect(() => toMigratedRaw({ ...current, format: 'tunnelwright/profile@9' })).toThrow(/newer version/)
    expect(() => toMigratedRaw({ ...current, format: 'something-else' })).toThrow(/no known format/)
    expect(() => toMigratedRaw([1, 2])).toThrow(/not a JSON object/)
  })

  it('runs a chain of steps in order up to the current format', () => {
    const steps = {
      'tunnelwright/profile@1': (r: Record<string, unknown>) => ({ ...r, format: 'tunnelwright/profile@2', host: undefined, connection: { host: r['host'] } }),
      'tunnelwright/profile@2': (r: Record<string, unknown>) => ({ ...r, format: 'tunnelwright/profile@3', migrated: true }),
    }
    const out = toMigratedRaw({ format: 'tunnelwright/profile@1', host: 'gw' }, steps, 'tunnelwright/profile@3')
    expect(out).toMatchObject({ format: 'tunnelwright/profile@3', connection: { host: 'gw' }, migrated: true })
    expect(() => toMigratedRaw({ format: 'tunnelwright/profile@1' }, {}, 'tunnelwright/profile@3')).toThrow(/No migration from/)
  })
})

describe('export encryption (AES-256-GCM, scrypt)', () => {
  const secret = JSON.stringify({ psk1: 'Psk.one_1234567890', sshPassword: 'hunter2-hunter2' })
  const PASS = 'correct horse battery staple'

  it('round-trips, and the envelope holds no plaintext', async () => {
    const env = await encryptExport(secret, PASS)
    expect(env.format).toBe(ENCRYPTED_FORMAT)
    expect(env.kdf).toMatchObject({ name: 'scrypt', N: 32768, r: 8, p: 1 })
    const text = JSON.stringify(env)
    expect(text).not.toContain('Psk.one_1234567890')
    expect(text).not.toContain(Buffer.from('Psk.one_1234567890').toString('base64').slice(0, 12))
    expect(await decryptExport(env, PASS)).toBe(secret)
  })

  it('uses a fresh salt and IV each time', async () => {
    const a = await encryptExport(secret, PASS)
    const b = await encryptExport(secret, PASS)
    expect(a.kdf.salt).not.toBe(b.kdf.salt)
    expect(a.iv).not.toBe(b.iv)
    expect(a.data).not.toBe(b.data)
  })

  it('refuses a wrong passphrase and a tampered file with a UserError, never garbage', async () => {
    const env = await encryptExport(secret, PASS)
    await expect(decryptExport(env, 'wrong horse battery staple')).rejects.toThrow(/Could not open/)
    const data = Buffer.from(env.data, 'base64')
    data[0] = data[0]! ^ 1
    await expect(decryptExport({ ...env, data: data.toString('base64') }, PASS)).rejects.toThrow(/Could not open/)
    await expect(decryptExport({ ...env, kdf: { ...env.kdf, N: 2 } }, PASS)).rejects.toThrow(/format/)
  })

  it('refuses a short passphrase', async () => {
    await expect(encryptExport(secret, 'short')).rejects.toThrow(/too short/)
  })

  it('refuses KDF parameters other than the ones it writes, before deriving any key (issue 14: N=2^20, r=32, p=16 froze the app)', async () => {
    const env = await encryptExport(secret, PASS)
    // Cheap ones first: code without the bound fails on them before it could start the 4 GB one.
    for (const kdf of [{ N: 2 ** 14, r: 8, p: 1 }, { N: 2 ** 15, r: 9, p: 1 }, { N: 2 ** 15, r: 8, p: 4 }, { N: 2 ** 16, r: 8, p: 1 }, { N: 2 ** 20, r: 32, p: 16 }]) {
      const err = await decryptExport({ ...env, kdf: { ...env.kdf, ...kdf } }, PASS).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(err).toBeInstanceOf(UserError)
      expect((err as UserError).code).toBe('export-kdf')
      expect((err as UserError).message).toContain(`N=${kdf.N}, r=${kdf.r}, p=${kdf.p}`)
    }
  })

  it('derives the key off the event loop (the main process keeps serving while scrypt runs)', async () => {
    const env = await encryptExport(secret, PASS)
    const order: string[] = []
    setImmediate(() => order.push('event loop turned'))
    const pending = decryptExport(env, PASS)
    expect(pending).toBeInstanceOf(Promise)
    await pending.then(() => order.push('decrypted'))
    expect(order).toEqual(['event loop turned', 'decrypted'])
  })

  it('an empty or short IV, tag or salt is a clear format error, not "Internal error (TypeError)"', async () => {
    const env = await encryptExport(secret, PASS)
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ iv: '' }, /IV is 0 bytes/],
      [{ tag: '' }, /tag is 0 bytes/],
      [{ tag: Buffer.alloc(4).toString('base64') }, /tag is 4 bytes/],
      [{ iv: Buffer.alloc(64).toString('base64') }, /IV is 64 bytes/],
      [{ kdf: { ...env.kdf, salt: '' } }, /salt is 0 bytes/],
    ]
    for (const [over, message] of cases) {
      const err = await decryptExport({ ...env, ...over }, PASS).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(err).toBeInstanceOf(UserError)
      expect((err as UserError).code).toBe('export-format')
      expect((err as UserError).message).toMatch(message)
    }
  })
})
