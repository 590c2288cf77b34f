// Property run against the REAL parsers: random valid details (hostile names and PSKs included) rendered
// for swanctl, legacy and Libreswan, batched so one charon / one starter / one addconn checks many.
// Sample size: TW_FUZZ_LAB_RUNS (default 200); the pure structural validator covers 2,000+ per run in
// test/unit/render-devices.test.ts.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import fc from 'fast-check'
import { afterAll, describe, expect, test } from 'vitest'
import { toRenderInput, type RenderInput } from '../../main/core/details/resolve'
import { renderDevice } from '../../main/core/render/index'
import { charonLines, prepareCharonDir, runInSandbox } from '../support/daemon-sandbox'
import { labGate } from '../support/gate'
import { detailsArbitraries, sampleDetails } from '../support/render-sample'

const N = Number(process.env['TW_FUZZ_LAB_RUNS'] ?? 200)
const LS = resolve(__dirname, '../../.lab-cache/libreswan/usr/libexec/ipsec')
const g = labGate('render-fuzz')
const work = mkdtempSync(join(tmpdir(), 'tw-render-fuzz-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

function sample(): RenderInput[] {
  const { details, routing } = detailsArbitraries(fc)
  return fc.sample(fc.tuple(details, routing), { numRuns: N, seed: Number(process.env['TW_FUZZ_SEED'] ?? 4242) }).flatMap(([d, mode], i) => {
    // A unique suffix keeps connection names distinct when many files load into one daemon.
    const input = toRenderInput(sampleDetails({ ...d, name: `${d.name} ${i}` }), { routing: mode, sources: { env: {}, readFile: () => '' } })
    const everything = mode === 'policy' && [...input.localSelectors, ...input.remoteSelectors].includes('0.0.0.0/0')
    return everything ? [] : [input]
  })
}

describe.skipIf(g.skip)(`random details through the real parsers (${N} samples)`, () => {
  const inputs = g.skip ? [] : sample()

  test('charon loads every rendered swanctl file at once with empty stderr', async () => {
    const dir = mkdtempSync(join(work, 'ss-'))
    prepareCharonDir(dir, { port: 500, natPort: 4500 })
    inputs.forEach((input, i) => writeFileSync(join(dir, `swanctl/conf.d/f${i}.conf`), renderDevice(input, 'strongswan').files[0]!.content))
    const r = await runInSandbox(['ip link set lo up', charonLines('gw', dir), `sw_gw --load-all --noprompt >${dir}/load.out 2>${dir}/load.err`].join('\n'), 120_000)
    expect(r.code, r.stderr).toBe(0)
    expect(readFileSync(join(dir, 'load.err'), 'utf8')).toBe('')
    const out = readFileSync(join(dir, 'load.out'), 'utf8')
    expect(out).toContain(`successfully loaded ${inputs.length * 2} connections, 0 unloaded`)
    expect(out.match(/^loaded ike secret/gm)).toHaveLength(inputs.length * 2)
  })

  test('starter parses every rendered ipsec.conf include without a parse error', async () => {
    const dir = mkdtempSync(join(work, 'legacy-'))
    const confs = inputs.map((input, i) => {
      const r = renderDevice(input, 'strongswan-legacy')
      writeFileSync(join(dir, `f${i}.conf`), r.files[0]!.content)
      writeFileSync(join(dir, `f${i}.secrets`), r.files[1]!.content)
      return r
    })
    writeFileSync(join(dir, 'ipsec.conf'), `config setup\n\ninclude ${dir}/f*.conf\n`)
    writeFileSync(join(dir, 'ipsec.secrets'), `include ${dir}/f*.secrets\n`)
    // starter --nofork parses ipsec.conf; `ipsec listall`-free check: starter's own parser output on stdout.
    const r = await runInSandbox(
      ['ip link set lo up', 'mount -t tmpfs tw-run /run', `mount --bind ${dir}/ipsec.conf /etc/ipsec.conf`, `mount --bind ${dir}/ipsec.secrets /etc/ipsec.secrets`, `ipsec start --nofork >${dir}/starter.out 2>&1 &`, `for i in $(seq 400); do n=$(ipsec statusall 2>/dev/null | grep -c ':   child:  ' || true); [ "$n" -ge ${confs.length * 2} ] && break; sleep 0.05; done`, `ipsec statusall >${dir}/status.out 2>&1`, 'ipsec stop >/dev/null 2>&1 || true'].join('\n'),
      120_000,
    )
    expect(r.code, r.stderr).toBe(0)
    expect(readFileSync(join(dir, 'starter.out'), 'utf8')).not.toMatch(/unknown keyword|parsing error|syntax error|invalid config/i)
    expect(readFileSync(join(dir, 'status.out'), 'utf8').match(/^ *\S+: {3}child: /gm)).toHaveLength(confs.length * 2)
  })

  test.skipIf(!existsSync(join(LS, 'addconn')))('Libreswan 4.10 addconn --checkconfig accepts every single-selector render with empty stderr', () => {
    const dir = mkdtempSync(join(work, 'ls-'))
    const ok = inputs.filter((i) => i.localSelectors.length === 1 && i.remoteSelectors.length === 1)
    ok.forEach((input, i) => writeFileSync(join(dir, `f${i}.conf`), renderDevice(input, 'libreswan', { version: '4.10' }).files[0]!.content))
    writeFileSync(join(dir, 'ipsec.conf'), `config setup\n\tikev1-policy=accept\n\ninclude ${dir}/f*.conf\n`)
    const check = spawnSync(join(LS, 'addconn'), ['--checkconfig', '--config', join(dir, 'ipsec.conf')], { encoding: 'utf8' })
    expect(check.stderr).toBe('')
    expect(check.status).toBe(0)
    const list = spawnSync(join(LS, 'addconn'), ['--config', join(dir, 'ipsec.conf'), '--listall'], { encoding: 'utf8' })
    expect(list.stdout.trim().split(/\s+/)).toHaveLength(ok.length * 2)
  })

  test('php -l accepts every rendered pfSense script', () => {
    const ok = inputs.filter((i) => i.localSelectors.length === 1 && i.remoteSelectors.length === 1).slice(0, 50)
    for (const [i, input] of ok.entries()) {
      const p = join(work, `pf${i}.php`)
      writeFileSync(p, renderDevice(input, 'pfsense', { version: '2.7.2' }).phpScript!)
      const lint = spawnSync('php', ['-l', p], { encoding: 'utf8' })
      expect(lint.status, lint.stdout).toBe(0)
    }
  })
})
