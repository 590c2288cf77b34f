// The rendered pfSense apply script run by REAL PHP against each stock pfSense config.xml (2.4.5 … 2.8-dev),
// with stand-ins for pfSense's own functions (test/support/pfsense-standins, each says it is one).
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { XMLBuilder, XMLParser } from 'fast-xml-parser'
import { afterAll, describe, expect, test } from 'vitest'
import { renderDevice } from '../../main/core/render/index'
import { gate, missing } from '../support/gate'
import { sampleInput } from '../support/render-sample'

const FIXTURES = '/work/shared/fixtures/pfsense'
const STANDINS = resolve(__dirname, '../support/pfsense-standins')
const g = gate('render-pfsense', missing({ executables: ['/usr/bin/php'] }) ?? (readdirSync(FIXTURES, { withFileTypes: true }).length ? undefined : 'no pfSense fixtures'))
const work = mkdtempSync(join(tmpdir(), 'tw-render-pf-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

// pfSense's xmlparse.inc listtags() (the ones these configs hold): always lists, even with one element.
const LIST_TAGS = new Set(['phase1', 'phase2', 'item', 'encryption-algorithm-option', 'hash-algorithm-option', 'rule', 'user', 'group', 'priv', 'member', 'alias', 'route', 'gateway_item', 'vip', 'staticmap', 'servers', 'monitor_type', 'element'])
const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: true, isArray: (name) => LIST_TAGS.has(name) })
const builder = new XMLBuilder({ format: true, suppressEmptyNode: false })

type Conf = { pfsense: { ipsec: { phase1: Record<string, unknown>[]; phase2: Record<string, unknown>[] } | string } }

function versionOf(file: string): string {
  return /config-default-(\d+\.\d+\.\d+)/.exec(file)![1]!
}

const psk1 = `it's \\ "q" $x ?> */ \n {} \u00fc`
const psk2 = 'Tunnel2.Key_ijklmnop'

function runScript(script: string, json: string, calls: string, hasIkeidNext: boolean) {
  return spawnSync('php', ['-d', `include_path=${STANDINS}`, '-d', 'display_errors=stderr', '-d', 'error_reporting=-1'], { input: script, encoding: 'utf8', env: { PATH: process.env['PATH'], TW_CONFIG_JSON: json, TW_CALLS: calls, TW_PFSENSE_HAS_IKEID_NEXT: hasIkeidNext ? '1' : '0' } })
}

describe.skipIf(g.skip)('pfSense apply script under real PHP', () => {
  const files = g.skip ? [] : readdirSync(FIXTURES).filter((f) => f.endsWith('.xml'))
  test.each(files)('%s: adds both tunnels, replaces on re-run, keeps an unrelated phase 1', (file) => {
    const version = versionOf(file)
    const dir = mkdtempSync(join(work, `${version}-`))
    const input = sampleInput('policy', { psk1, psk2, name: "Evil ' name ?> */ $(x)\n", health: '172.31.16.10' })
    const out = renderDevice(input, 'pfsense', { version })
    const script = out.phpScript!
    writeFileSync(join(dir, 'apply.php'), script)
    const lint = spawnSync('php', ['-l', join(dir, 'apply.php')], { encoding: 'utf8' })
    expect(lint.status, lint.stdout + lint.stderr).toBe(0)
    expect(script).not.toContain(psk2) // secrets travel as base64_decode('…') only

    const conf = parser.parse(readFileSync(join(FIXTURES, file), 'utf8')) as Conf
    expect(conf.pfsense.ipsec).toBe('') // stock configs have an empty <ipsec/>
    const unrelated1 = { ikeid: '1', iketype: 'ikev2', 'remote-gateway': '192.0.2.77', descr: 'Branch office', 'pre-shared-key': 'other' }
    const unrelated2 = { ikeid: '1', uniqid: '5f0c0ffee1234', reqid: '1', mode: 'tunnel', descr: 'Branch LAN' }
    conf.pfsense.ipsec = { phase1: [unrelated1], phase2: [unrelated2] }
    const json = join(dir, 'config.json')
    const calls = join(dir, 'calls.tsv')
    writeFileSync(json, JSON.stringify(conf.pfsense))
    const hasIkeidNext = version >= '2.5'

    const first = runScript(script, json, calls, hasIkeidNext)
    expect(first.stderr).toBe('')
    expect(first.status).toBe(0)
    const r1 = JSON.parse(first.stdout) as { ok: boolean; ikeids: string[]; replaced: string[] }
    expect(r1).toMatchObject({ ok: true, replaced: [] })
    expect(r1.ikeids).toEqual(['2', '3'])
    const after1 = JSON.parse(readFileSync(json, 'utf8')) as Conf['pfsense']
    const ipsec1 = after1.ipsec as { phase1: Record<string, unknown>[]; phase2: Record<string, unknown>[] }
    expect(ipsec1.phase1).toHaveLength(3)
    expect(ipsec1.phase2).toHaveLength(3)
    expect(ipsec1.phase1[0]).toEqual(unrelated1)
    expect(ipsec1.phase2[0]).toEqual(unrelated2)
    for (const [i, t] of input.tunnels.entries()) {
      const p1 = ipsec1.phase1[i + 1]!
      expect(p1).toMatchObject({ ikeid: r1.ikeids[i], iketype: 'ikev1', mode: 'main', 'remote-gateway': t.outsideIp, myid_type: 'address', myid_data: input.localId, authentication_method: 'pre_shared_key', lifetime: '28800', dpd_delay: '10', dpd_maxfail: '2' })
      expect(p1['pre-shared-key']).toBe(i === 0 ? psk1 : psk2)
      expect(p1['encryption']).toEqual({ item: [{ 'encryption-algorithm': { name: 'aes', keylen: '256' }, 'hash-algorithm': 'sha256', dhgroup: '14' }] })
      expect(String(p1['descr'])).toMatch(new RegExp(`^\\[tunnelwright:${input.slug}:t${i + 1}\\] `))
      if (version >= '2.5.2') expect(p1['startaction']).toBe('start')
      else expect(p1).not.toHaveProperty('startaction')
      expect(p1['closeaction']).toBe(version < '2.5' ? 'restart' : 'start')
      const p2 = ipsec1.phase2[i + 1]!
      expect(p2).toMatchObject({ ikeid: r1.ikeids[i], mode: 'tunnel', localid: { type: 'network', address: '10.40.0.0', netbits: '24' }, remoteid: { type: 'network', address: '172.31.16.0', netbits: '20' }, protocol: 'esp', pfsgroup: '14', lifetime: '3600', pinghost: '172.31.16.10' })
      expect(p2['hash-algorithm-option']).toEqual(['hmac_sha256'])
      // pfSense's own keep-up: 2.6+ re-initiates a phase 2 with keepalive=enabled (ipsec_keepalive.php, every 300 s).
      if (version >= '2.6') expect(p2['keepalive']).toBe('enabled')
      else expect(p2).not.toHaveProperty('keepalive')
      expect(String(p2['uniqid'])).toMatch(/^[0-9a-f]{13}$/)
    }
    const apply = [version < '2.5' ? 'vpn_ipsec_configure' : 'ipsec_configure', 'ipsec_reload_package_hook']
    expect(readFileSync(calls, 'utf8').trim().split('\n').map((l) => l.split('\t')[0])).toEqual(['write_config', ...apply, 'filter_configure', 'clear_subsystem_dirty'])

    // Second run: ours are replaced in place (same ikeids), nothing duplicated, the unrelated entries kept.
    const second = runScript(script, json, calls, hasIkeidNext)
    expect(second.stderr).toBe('')
    const r2 = JSON.parse(second.stdout) as { ikeids: string[]; replaced: string[] }
    expect(r2.ikeids).toEqual(r1.ikeids)
    expect([...r2.replaced].sort()).toEqual([...r1.ikeids].sort())
    const after2 = JSON.parse(readFileSync(json, 'utf8')) as Conf['pfsense']
    const ipsec2 = after2.ipsec as { phase1: Record<string, unknown>[]; phase2: Record<string, unknown>[] }
    expect(ipsec2.phase1).toHaveLength(3)
    expect(ipsec2.phase2).toHaveLength(3)
    expect(ipsec2.phase1[0]).toEqual(unrelated1)
    expect(ipsec2.phase2[0]).toEqual(unrelated2)

    // The resulting config.xml (as pfSense's writer would lay it out) carries our entries.
    const xml = builder.build({ pfsense: after2 }) as string
    expect(xml).toContain('<remote-gateway>203.0.113.21</remote-gateway>')
    expect(xml).toContain('<remote-gateway>203.0.113.22</remote-gateway>')
    expect(xml.match(/<phase1>/g)).toHaveLength(3)
  })
})
