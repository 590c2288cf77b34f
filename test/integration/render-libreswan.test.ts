// Rendered Libreswan 4.x conns checked by the REAL Libreswan 4.10 parser (unpacked by test/lab/prepare.sh):
// `addconn --checkconfig` with EMPTY stderr (it exits 0 on semantic errors) and `algparse` for the algorithms.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { toLibreswanEsp, toLibreswanIke } from '../../main/core/render/crypto'
import { renderDevice } from '../../main/core/render/index'
import { gate } from '../support/gate'
import { sampleInput } from '../support/render-sample'

const LS = resolve(__dirname, '../../.lab-cache/libreswan/usr/libexec/ipsec')
const g = gate('render-libreswan', process.platform !== 'linux' ? 'needs Linux' : existsSync(join(LS, 'addconn')) ? undefined : 'needs Libreswan unpacked: run `bash test/lab/prepare.sh`')
const work = mkdtempSync(join(tmpdir(), 'tw-render-ls-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

function checkconfig(confText: string) {
  const dir = mkdtempSync(join(work, 'c-'))
  writeFileSync(join(dir, 'rendered.conf'), confText)
  writeFileSync(join(dir, 'ipsec.conf'), `config setup\n\tikev1-policy=accept\n\ninclude ${dir}/rendered.conf\n`)
  const check = spawnSync(join(LS, 'addconn'), ['--checkconfig', '--config', join(dir, 'ipsec.conf')], { encoding: 'utf8' })
  const list = spawnSync(join(LS, 'addconn'), ['--config', join(dir, 'ipsec.conf'), '--listall'], { encoding: 'utf8' })
  return { check, list }
}

describe.skipIf(g.skip)('Libreswan 4.10 parser', () => {
  const cases = [
    { label: 'policy-based IKEv1', routing: 'policy' as const, over: {} },
    { label: 'route-based (a VTI and a mark per conn), behind NAT', routing: 'route' as const, over: { localAddress: '192.168.50.2' } },
    { label: 'hostile name', routing: 'policy' as const, over: { name: 'x\nconn evil\n\tauto=start "q" #' } },
  ]
  test.each(cases)('$label: checkconfig passes with empty stderr and lists both conns', ({ routing, over }) => {
    const input = sampleInput(routing, over)
    const out = renderDevice(input, 'libreswan', { version: '4.10' })
    const { check, list } = checkconfig(out.files[0]!.content)
    expect(check.stderr).toBe('')
    expect(check.status).toBe(0)
    expect(list.stderr).toBe('')
    expect(list.stdout.trim().split(/\s+/).sort()).toEqual([...out.connectionNames].sort())
    expect(out.files[1]!.mode).toBe(0o600)
    expect(out.files[1]!.content).toMatch(/^198\.51\.100\.10 203\.0\.113\.21 : PSK 0s[A-Za-z0-9+/=]+$/m)
  })

  test('a broken conn is caught (the check can fail)', () => {
    const out = renderDevice(sampleInput('policy'), 'libreswan', { version: '4.10' })
    const { check } = checkconfig(out.files[0]!.content.replace('dpddelay=10', 'dpddely=10'))
    expect(check.status).not.toBe(0)
    expect(check.stderr).toContain('dpddely')
  })

  const cryptos = [{}, { encryption: 'aes128' }, { integrity: 'sha384', dhGroup: 19 }, { encryption: 'aes256gcm16', ikeVersion: 2 }, { pfsGroup: 0 }]
  test('ECP PFS groups with IKEv1, which algparse refuses, are refused at render time', () => {
    const out = spawnSync(join(LS, 'algparse'), ['-v1', '-pfs', 'esp=aes256-sha2_256;dh19'], { encoding: 'utf8' })
    expect(out.stdout).toContain('not supported by IKEv1')
    expect(() => renderDevice(sampleInput('policy', { crypto: { pfsGroup: 19 } }), 'libreswan', { version: '4.10' })).toThrow(/PFS/)
  })

  test.each(cryptos)('algparse accepts the algorithms for %o', (crypto) => {
    const c = sampleInput('policy', { crypto }).details.crypto
    const v = c.ikeVersion === 1 ? '-v1' : '-v2'
    const ike = spawnSync(join(LS, 'algparse'), [v, `ike=${toLibreswanIke(c)}`], { encoding: 'utf8' })
    expect(ike.status, ike.stdout + ike.stderr).toBe(0)
    expect(ike.stdout).not.toMatch(/ERROR/)
    const esp = spawnSync(join(LS, 'algparse'), [v, ...(c.pfsGroup ? ['-pfs'] : []), `esp=${toLibreswanEsp(c)}`], { encoding: 'utf8' })
    expect(esp.status, esp.stdout + esp.stderr).toBe(0)
    expect(esp.stdout).not.toMatch(/ERROR|ignored/)
  })
})
