import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { EXIT, runCli } from '../../main/cli/index'
import { PSK1, PSK2, toDetailsDoc, type Doc } from '../support/details-doc'


function capture(env: Record<string, string> = {}) {
  const out = { stdout: '', stderr: '' }
  const io = { stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t), env }
  return { out, io }
}

const tmp = mkdtempSync(join(tmpdir(), 'tw-lint-cli-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

function detailsFile(name: string, over: (d: Doc) => void = () => {}, mode = 0o600): string {
  const d = toDetailsDoc(over)
  const path = join(tmp, name)
  writeFileSync(path, JSON.stringify(d, null, 2))
  chmodSync(path, mode)
  return path
}

function noKeys(out: { stdout: string; stderr: string }): void {
  for (const k of [PSK1, PSK2]) expect(out.stdout + out.stderr).not.toContain(k)
}

describe('tunnelwright lint', () => {
  it('exits 0 and says so when there is nothing to report', async () => {
    const { out, io } = capture()
    expect(await runCli(['lint', '--details', detailsFile('clean.json')], io)).toBe(EXIT.ok)
    expect(out.stdout).toMatch(/no problems found/)
  })

  it('prints severity, path, message and fix, and exits 1 on an error finding', async () => {
    const f = detailsFile('sha1.json', (d) => { d.crypto = { integrity: 'sha1' }; d.gateway.publicIp = '198.18.0.1' })
    const { out, io } = capture()
    expect(await runCli(['lint', '--details', f], io)).toBe(EXIT.failed)
    expect(out.stdout).toMatch(/^error {3}\/crypto\/integrity {2}\[crypto-sha1\]\n {2}SHA1 .*\n {2}Why: .*\n {2}Fix: Set crypto\.integrity to "sha256"\./m)
    expect(out.stdout).toMatch(/^warning \/gateway\/publicIp/m)
    // Errors are listed before warnings.
    expect(out.stdout.indexOf('error ')).toBeLessThan(out.stdout.indexOf('warning '))
    expect(out.stdout).toMatch(/1 error, 1 warning, 0 info\.\n$/)
    noKeys(out)
  })

  it('warnings and info alone exit 0', async () => {
    const f = detailsFile('lab.json', (d) => void (d.gateway.publicIp = '198.18.0.1'))
    const { io } = capture()
    expect(await runCli(['lint', '--details', f], io)).toBe(EXIT.ok)
  })

  it('--json prints one tunnelwright/lint@1 document and nothing else on stdout', async () => {
    const f = detailsFile('same-psk.json', (d) => { d.remote.tunnels[1]!.psk = PSK1; d.crypto = { pfsGroup: 0 } })
    const { out, io } = capture()
    expect(await runCli(['lint', '--details', f, '--json'], io)).toBe(EXIT.failed)
    const doc = JSON.parse(out.stdout) as { format: string; ok: boolean; findings: Array<{ id: string; severity: string; path: string; message: string; why: string; fix: string }> }
    expect(doc.format).toBe('tunnelwright/lint@1')
    expect(doc.ok).toBe(false)
    expect(doc.findings.map((x) => [x.id, x.severity, x.path])).toEqual([
      ['psk-same', 'warning', '/remote/tunnels/1/psk'],
      ['pfs-off', 'error', '/crypto/pfsGroup'],
    ])
    expect(out.stderr).toBe('')
    noKeys(out)
  })

  it('resolves { "env": NAME } PSKs from the environment it is given', async () => {
    const f = detailsFile('env.json', (d) => void (d.remote.tunnels[0]!.psk = { env: 'TW_TEST_T1' }))
    const missing = capture()
    expect(await runCli(['lint', '--details', f, '--json'], missing.io)).toBe(EXIT.failed)
    expect(JSON.parse(missing.out.stdout).findings[0]).toMatchObject({ id: 'psk-env-missing', path: '/remote/tunnels/0/psk' })
    const set = capture({ TW_TEST_T1: PSK1 })
    expect(await runCli(['lint', '--details', f], set.io)).toBe(EXIT.ok)
    noKeys(set.out)
  })

  it('warns when the file holds a PSK and others may read it', async () => {
    const f = detailsFile('open.json', () => {}, 0o644)
    const { out, io } = capture()
    expect(await runCli(['lint', '--details', f], io)).toBe(EXIT.ok)
    expect(out.stdout).toMatch(/^warning \(file\) {2}\[details-file-readable\]/m)
    expect(out.stdout).toContain('chmod 600')
  })

  it('--device libreswan --device-version 5.1 adds the ikev1-policy warning', async () => {
    const f = detailsFile('lsw.json')
    const { out, io } = capture()
    expect(await runCli(['lint', '--details', f, '--device', 'libreswan', '--device-version', '5.1'], io)).toBe(EXIT.ok)
    expect(out.stdout).toContain('[libreswan-ikev1-policy]')
    expect(out.stdout).toContain('ikev1-policy=accept')
  })

  it('unreadable or invalid input exits 2, with the position of a JSON error', async () => {
    const missing = capture()
    expect(await runCli(['lint', '--details', join(tmp, 'nope.json')], missing.io)).toBe(EXIT.usage)
    expect(missing.out.stderr).toMatch(/does not exist/)

    const broken = join(tmp, 'broken.json')
    writeFileSync(broken, `{\n  "format": "tunnelwright/details@1"\n  "name": "${PSK1}"\n}`)
    const bad = capture()
    expect(await runCli(['lint', '--details', broken], bad.io)).toBe(EXIT.usage)
    expect(bad.out.stderr).toMatch(/not valid JSON at line 3, column 3/)
    noKeys(bad.out)

    const schema = capture()
    expect(await runCli(['lint', '--details', detailsFile('schema.json', (d) => void (d.remote.tunnels = [d.remote.tunnels[0]!])), '--json'], schema.io)).toBe(EXIT.usage)
    const doc = JSON.parse(schema.out.stdout)
    expect(doc).toMatchObject({ format: 'tunnelwright/lint@1', ok: false, error: { code: 'details-schema' } })
    expect(doc.error.message).toContain('/remote/tunnels')
  })

  it('usage errors exit 2', async () => {
    for (const args of [['lint'], ['lint', '--details'], ['lint', '--details', 'x', '--device', 'cisco'], ['lint', '--details', 'x', '--device-version', '5'], ['lint', '--details', 'x', '--bogus'], ['lint', 'stray']]) {
      const { out, io } = capture()
      expect(await runCli(args, io), args.join(' ')).toBe(EXIT.usage)
      expect(out.stdout).toBe('')
    }
  })
})
