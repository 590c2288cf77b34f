// The secret store: values encrypted by the OS keystore (safeStorage), failing closed.
//
// Electron's safeStorage needs the Electron runtime and an OS keyring; neither exists in the test
// runner, so these tests drive the real store (files, modes, rules) with a stand-in encryptor.
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createSecretStore, type Encryptor } from '../../main/shell/stores/secret-store'
import { createTestEncryptor } from '../e2e/bridge'

const PID = 'p-abcdef012345'

function unavailable(): Encryptor {
  return { isEncryptionAvailable: () => false, encryptString: () => Buffer.from('never'), decryptString: () => 'never' }
}

describe('secret store', () => {
  it('stores encrypted, reports only which slots are set, and reads back as a Secret', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-sec-'))
    const store = createSecretStore(dir, createTestEncryptor())
    store.set(PID, 'psk1', 'Psk.one_1234567890')
    expect(store.slots(PID)).toEqual({ psk1: true, psk2: false, sshPassword: false, keyPassphrase: false, sudoPassword: false, enablePassword: false })
    const raw = readFileSync(join(dir, `${PID}.json`), 'utf8')
    expect(raw).not.toContain('Psk.one_1234567890')
    expect(raw).not.toContain(Buffer.from('Psk.one_1234567890').toString('base64'))
    const s = store.get(PID, 'psk1')!
    expect(String(s)).toBe('[redacted]')
    expect(s.reveal()).toBe('Psk.one_1234567890')
    store.delete(PID, 'psk1')
    expect(store.slots(PID).psk1).toBe(false)
  })

  it('fails closed when the OS offers no encryption: refuses, explains, writes nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-sec-'))
    const store = createSecretStore(dir, unavailable())
    expect(() => store.set(PID, 'psk1', 'Psk.one_1234567890')).toThrow(/cannot be stored safely.*no encryption/)
    expect(readdirSync(dir)).toEqual([])
  })

  it("refuses Linux's basic_text backend (a fixed, public key) like no encryption", () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-sec-'))
    const store = createSecretStore(dir, { ...createTestEncryptor(), getSelectedStorageBackend: () => 'basic_text' })
    expect(() => store.set(PID, 'sshPassword', 'hunter2-hunter2')).toThrow(/keyring/)
    expect(existsSync(join(dir, `${PID}.json`))).toBe(false)
  })

  it('refuses an empty secret and a path-like profile id', () => {
    const store = createSecretStore(mkdtempSync(join(tmpdir(), 'tw-sec-')), createTestEncryptor())
    expect(() => store.set(PID, 'psk1', '')).toThrow(/empty/)
    expect(() => store.set('../x', 'psk1', 'abc')).toThrow(/bad profile id/)
  })
})
