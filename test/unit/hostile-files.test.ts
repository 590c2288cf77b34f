// Issue 14: hostile files where the core reads files: a details file, PSK `{"file": …}` references and
// known_hosts that are FIFOs or devices; a world-readable PSK file; details with duplicate keys or
// invalid UTF-8; a multicast CIDR. Real FIFOs and devices of this machine, no fakes.
//
// A FIFO here always has a writer child that writes valid-looking content and exits, so code that still
// reads FIFOs gets data (and fails the assertion) instead of hanging the test run; the writer is killed
// by its pid if nothing ever opened the FIFO. Device cases list /dev/null first: code that still reads
// devices fails on it before it could reach /dev/zero.
import { execFileSync, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { UserError } from '../../main/core/base/result'
import { lintDetails } from '../../main/core/details/lint'
import { loadDetailsFile, parseDetailsText, toDetailsSecretSources } from '../../main/core/details/load'
import { Details } from '../../main/core/details/model'
import { processSecretSources, resolvePsk } from '../../main/core/details/resolve'
import { SshError } from '../../main/core/ssh/errors'
import { readPolicyFiles, toHostKey, verifyHostKey } from '../../main/core/ssh/host-key'
import { readPrivateKeyFile } from '../../main/core/ssh/key-file'
import { readSshConfigFile } from '../../main/core/ssh/ssh-config'
import { readAwsExportFile } from '../../main/core/details/aws-import'
import { PSK1, PSK2, toDetailsDoc } from '../support/details-doc'

const linux = process.platform === 'linux'
const tmp = mkdtempSync(join(tmpdir(), 'tw-hostile-files-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

const writers: ReturnType<typeof spawn>[] = []
afterEach(() => {
  for (const w of writers.splice(0)) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL')
})

/** A FIFO whose writer child writes `content` once a reader opens it (see the header). */
function fifoWithWriter(name: string, content: string): string {
  const path = join(tmp, `${name}-${randomBytes(3).toString('hex')}`)
  execFileSync('mkfifo', [path])
  writers.push(spawn('sh', ['-c', 'printf "%s" "$1" > "$2"', 'writer', content, path], { stdio: 'ignore' }))
  return path
}

function thrown(fn: () => unknown): UserError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(UserError)
    return err as UserError
  }
  throw new Error('expected a UserError')
}

const validText = JSON.stringify(toDetailsDoc())

describe.skipIf(!linux)('special files are refused before a byte is read', () => {
  it('--details on a FIFO or a device: a clear details-unreadable error naming the file', () => {
    const fifo = fifoWithWriter('details', validText)
    const e = thrown(() => loadDetailsFile(fifo))
    expect(e.code).toBe('details-unreadable')
    expect(e.message).toMatch(/the details file .*FIFO \(named pipe\), not a regular file/)
    for (const dev of ['/dev/null', '/dev/zero', '/dev/urandom']) {
      const d = thrown(() => loadDetailsFile(dev))
      expect(d.code).toBe('details-unreadable')
      expect(d.message).toContain(`${dev}: it is a character device, not a regular file`)
    }
  })

  it('a PSK {"file": …} that is a device or a FIFO: psk-file-unreadable, and lint says why', () => {
    const detailsPath = join(tmp, 'refs.json')
    const fifo = fifoWithWriter('psk', `${PSK1}\n`)
    for (const sources of [toDetailsSecretSources(detailsPath, {}), processSecretSources]) {
      for (const file of ['/dev/null', '/dev/zero', '/dev/urandom', fifo]) {
        const e = thrown(() => resolvePsk({ file }, 'Tunnel 1', sources))
        expect(e.code).toBe('psk-file-unreadable')
        expect(e.message).toMatch(/not a regular file/)
      }
    }
    const details = Details.parse(toDetailsDoc((d) => {
      d.remote.tunnels[0]!.psk = { file: '/dev/zero' }
      d.remote.tunnels[1]!.psk = { file: '/dev/urandom' }
    }))
    const findings = lintDetails(details, { sources: toDetailsSecretSources(detailsPath, {}) }).filter((f) => f.id === 'psk-file-unreadable')
    expect(findings.map((f) => f.message)).toEqual([
      "Tunnel 1's PSK file /dev/zero cannot be read: it is a character device, not a regular file.",
      "Tunnel 2's PSK file /dev/urandom cannot be read: it is a character device, not a regular file.",
    ])
  })

  it('a PSK file larger than any key is refused (not read into memory)', () => {
    const big = join(tmp, 'big.psk')
    writeFileSync(big, Buffer.alloc(1024 * 1024, 0x41))
    expect(thrown(() => resolvePsk({ file: big }, 'Tunnel 1', processSecretSources)).message).toMatch(/more than the 4 kB accepted/)
  })

  it('the helpers for the faces refuse FIFOs and devices too: private keys, ssh_config, AWS exports', () => {
    for (const [read, code] of [
      [readPrivateKeyFile, 'key-unreadable'],
      [readSshConfigFile, 'ssh-config-unreadable'],
      [readAwsExportFile, 'aws-export-unreadable'],
    ] as const) {
      for (const file of [fifoWithWriter('face', 'x'), '/dev/zero', '/dev/urandom']) {
        const e = thrown(() => read(file))
        expect(e.code).toBe(code)
        expect(e.message).toMatch(/not a regular file/)
      }
    }
    expect(readSshConfigFile(join(tmp, 'no-such-config'))).toBeUndefined()
  })

  it('known_hosts on a FIFO or a device: a clear SSH error, not a hang; /dev/null means "no entries" as in OpenSSH', () => {
    const blob = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.from([0, 0, 0, 32]), randomBytes(32)])
    const key = toHostKey(blob)
    const line = `gw.example ssh-ed25519 ${blob.toString('base64')}\n`
    const store = join(tmp, 'store')
    const fifo = fifoWithWriter('known_hosts', line)
    for (const file of [fifo, '/dev/zero', '/dev/urandom']) {
      let err: unknown
      try {
        verifyHostKey({ storeDir: store, knownHostsFiles: [file] }, 'gw.example', key)
      } catch (e) {
        err = e
      }
      expect(err).toBeInstanceOf(SshError)
      expect((err as SshError).message).toMatch(/known-hosts file .*not a regular file/)
    }
    expect(readPolicyFiles({ storeDir: store, knownHostsFiles: ['/dev/null'] })).toEqual([])
  })
})

describe('details text that JSON.parse would accept silently', () => {
  it('a duplicate key is refused with both locations (JSON.parse would keep the last one)', () => {
    const text = validText.replace('"provider":"cloud.gov"', '"provider":"cloud.gov",\n  "name":"other agency"')
    const e = thrown(() => parseDetailsText(text, 'd.json'))
    expect(e.code).toBe('details-duplicate-key')
    expect(e.message).toBe('d.json has the key "name" twice in one object: at line 2, column 3, and before at line 1, column 36.')
    // Equal keys in different objects are fine; escapes that spell the same key are the same key.
    expect(parseDetailsText(validText).name).toBe('agency')
    const escaped = validText.replace('"provider":"cloud.gov"', '"provider":"cloud.gov","n\\u0061me":"x"')
    expect(thrown(() => parseDetailsText(escaped)).code).toBe('details-duplicate-key')
  })

  it('schema errors quote no control characters and no key that is not field-like (a damaged file can turn a PSK into a key)', () => {
    const text = validText.replace('"provider":"cloud.gov"', `"provider":"cloud.gov","ins\\r\\u001b[2J":1,"${PSK1}":2`)
    const e = thrown(() => parseDetailsText(text, 'd.json'))
    expect(e.code).toBe('details-schema')
    expect(e.message).not.toContain(PSK1)
    expect(e.message.includes('\r') || e.message.includes('\u001b')).toBe(false)
    expect(e.message).toMatch(/keys the format does not define: one not shown/)
    const typo = thrown(() => parseDetailsText(validText.replace('"provider":"cloud.gov"', '"provider":"cloud.gov","routng":"route"'), 'd.json'))
    expect(typo.message).toContain('has a key the format does not define: "routng"')
  })

  it('invalid UTF-8 in a details file is refused with its byte offset (not replaced by U+FFFD)', () => {
    const f = join(tmp, 'latin1.json')
    const text = validText.replace('"name":"agency"', '"name":"agence caf\u00e9"')
    const bytes = Buffer.from(text, 'latin1')
    writeFileSync(f, bytes)
    chmodSync(f, 0o600)
    const e = thrown(() => loadDetailsFile(f))
    expect(e.code).toBe('details-utf8')
    expect(e.message).toContain(`byte ${bytes.indexOf(0xe9)} (0xe9)`)
  })
})

describe('lint', () => {
  it('warns when a {"file": …} PSK is readable by group or others, and only then', () => {
    const dir = mkdtempSync(join(tmp, 'psk-'))
    const detailsPath = join(dir, 'details.json')
    writeFileSync(join(dir, 't1.psk'), `${PSK1}\n`)
    writeFileSync(join(dir, 't2.psk'), `${PSK2}\n`)
    const details = Details.parse(toDetailsDoc((d) => {
      d.remote.tunnels[0]!.psk = { file: 't1.psk' }
      d.remote.tunnels[1]!.psk = { file: 't2.psk' }
    }))
    const ids = () => lintDetails(details, { sources: toDetailsSecretSources(detailsPath, {}) }).filter((f) => f.id === 'psk-file-readable')
    chmodSync(join(dir, 't1.psk'), 0o644)
    chmodSync(join(dir, 't2.psk'), 0o600)
    const found = ids()
    expect(found.map((f) => [f.path, f.severity])).toEqual([['/remote/tunnels/0/psk', 'warning']])
    expect(found[0]!.message).toContain('t1.psk')
    expect(JSON.stringify(found)).not.toContain(PSK1)
    chmodSync(join(dir, 't1.psk'), 0o640)
    expect(ids()).toHaveLength(1)
    chmodSync(join(dir, 't1.psk'), 0o600)
    expect(ids()).toEqual([])
  })

  it('refuses multicast, loopback, "this network" and reserved ranges as agency or dedicated CIDRs', () => {
    for (const [cidr, name] of [['224.0.0.0/4', 'multicast'], ['239.1.0.0/16', 'multicast'], ['127.0.0.0/8', 'loopback'], ['0.0.0.0/8', 'this network'], ['240.0.0.0/4', 'reserved']] as const) {
      const agency = lintDetails(Details.parse(toDetailsDoc((d) => void (d.gateway.privateCidrs = [cidr]))), { sources: processSecretSources }).filter((f) => f.id === 'cidr-not-unicast')
      expect(agency.map((f) => [f.severity, f.path]), cidr).toEqual([['error', '/gateway/privateCidrs/0']])
      expect(agency[0]!.message).toContain(name)
      const dedicated = lintDetails(Details.parse(toDetailsDoc((d) => void (d.remote.dedicatedCidrs = [cidr]))), { sources: processSecretSources }).filter((f) => f.id === 'cidr-not-unicast')
      expect(dedicated.map((f) => f.path), cidr).toEqual(['/remote/dedicatedCidrs/0'])
    }
    expect(lintDetails(Details.parse(toDetailsDoc()), { sources: processSecretSources }).filter((f) => f.id === 'cidr-not-unicast')).toEqual([])
  })
})
