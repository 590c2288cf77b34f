// Host-key policy on real OpenSSH key material: fingerprints equal `ssh-keygen -l`, hashed entries made by
// `ssh-keygen -H` match, entries we write are found by `ssh-keygen -F`, and the policy's decisions.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { classifySshError, HostKeyError, SshError, toSshExitCode } from '../../main/core/ssh/errors'
import {
  lookupHostKey,
  matchKnownHost,
  matchPatternList,
  parseKnownHosts,
  STORE_FILE,
  toHashedHost,
  toHostId,
  toHostKey,
  verifyHostKey,
} from '../../main/core/ssh/host-key'
import { UserError } from '../../main/core/base/result'
import { gate, missing } from '../support/gate'

const g = gate('ssh-host-key', missing({ executables: ['/usr/bin/ssh-keygen'] }))

function keygen(dir: string, name: string, type: 'ed25519' | 'ecdsa' | 'rsa'): { line: string; blob: Buffer; file: string } {
  const file = join(dir, name)
  const r = spawnSync('ssh-keygen', ['-q', '-t', type, ...(type === 'rsa' ? ['-b', '2048'] : []), '-N', '', '-C', name, '-f', file])
  if (r.status !== 0) throw new Error(r.stderr.toString())
  const line = readFileSync(`${file}.pub`, 'utf8').trim()
  return { line, blob: Buffer.from(line.split(' ')[1] ?? '', 'base64'), file }
}

describe.skipIf(g.skip)('host keys', () => {
  const dir = g.skip ? '' : mkdtempSync(join(tmpdir(), 'tw-hostkey-'))
  const keys = g.skip ? [] : (['ed25519', 'ecdsa', 'rsa'] as const).map((t) => ({ t, ...keygen(dir, `k_${t}`, t) }))

  it('fingerprints and types equal ssh-keygen -l', () => {
    for (const k of keys) {
      const out = spawnSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${k.file}.pub`], { encoding: 'utf8' }).stdout
      const hk = toHostKey(k.blob)
      expect(hk.fingerprint).toBe(out.split(' ')[1])
      expect(hk.type).toBe(k.line.split(' ')[0])
    }
  })

  it('matches plain patterns, [host]:port, negation and hashed entries (ssh-keygen -H)', () => {
    expect(toHostId('gw', 22)).toBe('gw')
    expect(toHostId('10.0.0.1', 2222)).toBe('[10.0.0.1]:2222')
    expect(matchPatternList('gw*,!gw-old', 'gw-new')).toBe(true)
    expect(matchPatternList('gw*,!gw-old', 'gw-old')).toBe(false)
    expect(matchPatternList('10.0.0.?', '10.0.0.7')).toBe(true)
    expect(matchPatternList('10.0.0.?', '10.0.0.17')).toBe(false)
    expect(matchKnownHost('[10.0.0.1]:2222,other', '[10.0.0.1]:2222')).toBe(true)
    expect(matchKnownHost('10.0.0.1', '[10.0.0.1]:2222')).toBe(false)
    const k = keys[0]
    if (k === undefined) throw new Error('no key')
    const file = join(dir, 'hashed')
    writeFileSync(file, `[gw.example]:2222 ${k.line}\n`)
    spawnSync('ssh-keygen', ['-H', '-f', file])
    const [entry] = parseKnownHosts(readFileSync(file, 'utf8'))
    expect(entry?.hosts).toMatch(/^\|1\|/)
    expect(matchKnownHost(entry?.hosts ?? '', '[gw.example]:2222')).toBe(true)
    expect(matchKnownHost(entry?.hosts ?? '', 'gw.example')).toBe(false)
    // Ours, the other way round: ssh-keygen -F finds a hashed line we made.
    const ours = join(dir, 'ours')
    writeFileSync(ours, `${toHashedHost('gw2')} ${k.line}\n`)
    expect(spawnSync('ssh-keygen', ['-F', 'gw2', '-f', ours]).status).toBe(0)
  })

  it('parses markers and skips malformed lines', () => {
    const [a, b] = keys
    if (a === undefined || b === undefined) throw new Error('no keys')
    const text = `# c\n\n@revoked * ${a.line}\n@cert-authority *.x ${b.line}\n@bogus h ${a.line}\nh ssh-ed25519 !!!\nh ssh-rsa ${a.line.split(' ')[1]}\nh ${b.line}\n`
    const entries = parseKnownHosts(text)
    expect(entries.map((e) => [e.marker, e.hosts, e.line])).toEqual([
      ['@revoked', '*', 3],
      ['@cert-authority', '*.x', 4],
      [undefined, 'h', 8],
    ])
  })

  it('decides: known, revoked beats known, changed, unknown', () => {
    const [a, b] = keys
    if (a === undefined || b === undefined) throw new Error('no keys')
    const ka = toHostKey(a.blob)
    const f = (text: string) => [{ file: 'kh', text }]
    expect(lookupHostKey(f(`gw ${a.line}`), 'gw', ka).kind).toBe('known')
    expect(lookupHostKey(f(`gw ${a.line}\n@revoked * ${a.line}`), 'gw', ka).kind).toBe('revoked')
    expect(lookupHostKey(f(`gw ${b.line}`), 'gw', ka).kind).toBe('changed')
    expect(lookupHostKey(f(`gw ${b.line}\ngw ${a.line}`), 'gw', ka).kind).toBe('known')
    expect(lookupHostKey(f(`other ${b.line}`), 'gw', ka).kind).toBe('unknown')
    expect(lookupHostKey(f(`@cert-authority gw ${a.line}`), 'gw', ka).kind).toBe('unknown')
  })

  it('refuses unknown unless accepted; stores accepted keys 0600; never accepts a changed key', () => {
    const [a, b] = keys
    if (a === undefined || b === undefined) throw new Error('no keys')
    const ka = toHostKey(a.blob)
    const storeDir = join(mkdtempSync(join(tmpdir(), 'tw-store-')), 'nested')
    let err: unknown
    try {
      verifyHostKey({ storeDir }, '[gw]:2222', ka)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(HostKeyError)
    expect((err as HostKeyError).presented).toEqual({ hostId: '[gw]:2222', keyType: 'ssh-ed25519', fingerprint: ka.fingerprint })
    expect(toSshExitCode(err)).toBe(3)

    expect(verifyHostKey({ storeDir, accept: { fingerprint: ka.fingerprint } }, '[gw]:2222', ka).status).toBe('accepted')
    expect(verifyHostKey({ storeDir }, '[gw]:2222', ka).status).toBe('known')
    expect(statSync(join(storeDir, STORE_FILE)).mode & 0o777).toBe(0o600)
    expect(statSync(storeDir).mode & 0o777).toBe(0o700)
    expect(verifyHostKey({ storeDir, accept: 'first-use' }, 'gw-other', ka).status).toBe('accepted')
    expect(readFileSync(join(storeDir, STORE_FILE), 'utf8').trim().split('\n')).toHaveLength(2)

    const kb = toHostKey(b.blob)
    expect(() => verifyHostKey({ storeDir, accept: { fingerprint: kb.fingerprint } }, '[gw]:2222', kb)).toThrow(/CHANGED/)
    expect(() => verifyHostKey({ storeDir, accept: 'first-use' }, '[gw]:2222', kb)).toThrow(HostKeyError)
    expect(readFileSync(join(storeDir, STORE_FILE), 'utf8').trim().split('\n')).toHaveLength(2)
  })

  it('classifies errors into the CLI exit classes', () => {
    expect(classifySshError(new SshError('ssh-auth-failed', 'x'))).toBe('connect')
    expect(toSshExitCode(new SshError('ssh-sudo-failed', 'x'))).toBe(4)
    expect(toSshExitCode(new SshError('ssh-command-timeout', 'x'))).toBeUndefined()
    expect(toSshExitCode(new UserError('lint', 'x'))).toBeUndefined()
    expect(toSshExitCode(new Error('x'))).toBeUndefined()
  })
})
