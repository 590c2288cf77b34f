// BGP on pfSense in tests: the apply script run by real PHP on pfSense's stock config.xml (as JSON, through the
// stand-ins in test/support/pfsense-standins, the FRR package's frr.inc among them), and an admin's FRR settings.
import { spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { XMLParser } from 'fast-xml-parser'

const FIXTURE = '/work/shared/fixtures/pfsense/config-default-2.7.0.xml'
const STANDINS = resolve(__dirname, 'pfsense-standins')

type Entry = Record<string, unknown>
export type PfsenseFrrPkgs = { frr?: { config: Entry[] }; frrbgp?: { config: Entry[] }; frrbgpneighbors?: { config: Entry[] }; frrglobalprefixes?: { config: Entry[] } }
export type PfsenseConf = { installedpackages: PfsenseFrrPkgs | string; [k: string]: unknown }

const LIST_TAGS = new Set(['phase1', 'phase2', 'item', 'rule', 'user', 'group', 'priv', 'member', 'alias', 'route', 'gateway_item', 'vip', 'staticmap', 'config', 'row'])
/** pfSense 2.7.0's stock config.xml as the JSON the stand-ins read. */
export const stockPfsenseConf = () => (new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: true, isArray: (n) => LIST_TAGS.has(n) }).parse(readFileSync(FIXTURE, 'utf8')) as { pfsense: PfsenseConf }).pfsense

/** An admin's FRR package settings: FRR on, BGP as AS 65000 with a network, a neighbour of their own and its prefix list. */
export function adminFrr(over: { asnum?: string; bgpEnable?: boolean; frrEnable?: boolean } = {}): PfsenseFrrPkgs {
  return {
    frr: { config: [{ ...(over.frrEnable === false ? {} : { enable: 'on' }), routerid: '192.0.2.1', logging: 'on' }] },
    frrbgp: { config: [{ ...(over.bgpEnable === false ? {} : { enable: 'on' }), asnum: over.asnum ?? '65000', routerid: '', row: [{ distributeroutevalue: '192.168.77.0/24', distributeroutemap: 'none' }] }] },
    frrbgpneighbors: { config: [{ peer: '192.0.2.9', descr: 'ISP uplink', asnum: '64999', timers_keepalive: '', prefixfilter_in: 'none', prefixfilter_out: 'LAN-OUT' }] },
    frrglobalprefixes: { config: [{ iptype: 'IPv4', name: 'LAN-OUT', descr: 'our LAN', row: [{ seq: '5', action: 'permit', source: '192.168.77.0/24' }] }] },
  }
}

/** Runs apply scripts in a scratch folder: the config after, the stand-ins' calls, the FRR configuration the package generated. */
export function pfsenseFrrRunner(tmpPrefix: string) {
  const work = mkdtempSync(join(tmpdir(), tmpPrefix))
  // The stand-ins without frr.inc: a pfSense without the FRR package.
  const NO_PACKAGE = join(work, 'standins-no-frr')
  cpSync(STANDINS, NO_PACKAGE, { recursive: true })
  rmSync(join(NO_PACKAGE, 'frr.inc'))
  const read = (f: string) => {
    try {
      return readFileSync(f, 'utf8')
    } catch {
      return undefined
    }
  }
  const run = (script: string, conf: PfsenseConf, opts: { standins?: string } = {}) => {
    const dir = mkdtempSync(join(work, 'run-'))
    const json = join(dir, 'config.json')
    writeFileSync(json, JSON.stringify(conf))
    const calls = join(dir, 'calls.tsv')
    const frrConf = join(dir, 'frr.conf')
    const r = spawnSync('php', ['-d', `include_path=${opts.standins ?? STANDINS}`, '-d', 'display_errors=stderr', '-d', 'error_reporting=-1'], {
      input: script,
      encoding: 'utf8',
      env: { PATH: process.env['PATH'], TW_CONFIG_JSON: json, TW_CALLS: calls, TW_FRR_CONF: frrConf, TW_PFSENSE_HAS_IKEID_NEXT: '1' },
    })
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, conf: JSON.parse(readFileSync(json, 'utf8')) as PfsenseConf, calls: (read(calls) ?? '').trim().split('\n').filter(Boolean).map((l) => l.split('\t')[0]), frrConf: read(frrConf) }
  }
  return { run, NO_PACKAGE, cleanup: () => rmSync(work, { recursive: true, force: true }) }
}

/** The package's integrated file as bgpd alone reads it (its vtysh line and zebra's router-id are not bgpd's). */
export function toBgpdPart(text: string): string {
  return text.replace(/^(service integrated-vtysh-config|router-id \S+)\n/gm, '')
}
