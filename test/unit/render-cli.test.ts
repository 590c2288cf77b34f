// `tunnelwright render` end to end through runCli: files under --out with their modes, PSKs never on
// stdout, lint errors block rendering, symlinks under --out refused.
import { mkdirSync, mkdtempSync as mkdtempRaw, rmSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { runCli, type CliIo } from '../../main/cli/index'
import { DETAILS_FORMAT } from '../../main/core/details/model'
import { toBgpSessions } from '../support/frr-sample'

const made: string[] = []
const mkdtempSync = (prefix: string): string => {
  const d = mkdtempRaw(prefix)
  made.push(d)
  return d
}
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })))

const PSK1 = 'Tunnel1.Key_abcdefgh'
const PSK2 = 'Tunnel2.Key_ijklmnop'

function detailsFile(over: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'tw-render-cli-'))
  const p = join(dir, 'details.json')
  const doc = {
    format: DETAILS_FORMAT,
    name: 'Agency East',
    provider: 'cloud.gov',
    gateway: { publicIp: '198.51.100.10', privateCidrs: ['10.40.0.0/24'] },
    remote: {
      dedicatedCidrs: ['172.31.16.0/20'],
      tunnels: [
        { outsideIp: '203.0.113.21', psk: PSK1, insideCidr: '169.254.10.0/30' },
        { outsideIp: '203.0.113.22', psk: { env: 'TW_TEST_PSK2' }, insideCidr: '169.254.11.0/30' },
      ],
    },
    ...over,
  }
  writeFileSync(p, JSON.stringify(doc), { mode: 0o600 })
  return p
}

async function cli(args: string[]) {
  let stdout = ''
  let stderr = ''
  const io: CliIo = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: { TW_TEST_PSK2: PSK2 } }
  const code = await runCli(['render', ...args], io)
  return { code, stdout, stderr }
}

describe('tunnelwright render', () => {
  test('--out writes each file at its gateway path under DIR, secrets 0600, and says so', async () => {
    const out = mkdtempSync(join(tmpdir(), 'tw-render-out-'))
    const r = await cli(['--details', detailsFile(), '--device', 'strongswan', '--out', out])
    expect(r.code, r.stderr).toBe(0)
    const conf = join(out, 'etc/swanctl/conf.d/tunnelwright-agency-east.conf')
    expect(statSync(conf).mode & 0o777).toBe(0o600)
    expect(readFileSync(conf, 'utf8')).toContain(`secret = 0s${Buffer.from(PSK2).toString('base64')}`)
    expect(statSync(join(out, 'etc/tunnelwright/agency-east-route.sh')).mode & 0o777).toBe(0o700)
    expect(r.stdout).toContain('holds PSKs')
    expect(r.stdout + r.stderr).not.toContain(Buffer.from(PSK1).toString('base64'))
  })

  test('without --out: configs on stdout with the PSKs redacted; --json carries no secret file content', async () => {
    const r = await cli(['--details', detailsFile(), '--device', 'libreswan', '--device-version', '5.1'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain('keyexchange=ikev1')
    expect(r.stdout).toContain(': PSK [redacted')
    expect(r.stdout).not.toContain(Buffer.from(PSK1).toString('base64'))
    const j = await cli(['--details', detailsFile(), '--device', 'pfsense', '--json'])
    expect(j.code).toBe(0)
    const doc = JSON.parse(j.stdout) as { format: string; ok: boolean; routing: string; routingBasis: string; notes: string[]; files: { secret: boolean; content?: string }[] }
    // Routing "auto" without a gateway is what auto picks on pfSense (route-based), and says it was assumed.
    expect(doc).toMatchObject({ format: 'tunnelwright/render@1', ok: true, routing: 'route', routingBasis: 'assumed' })
    expect(doc.notes[0]).toMatch(/no gateway was inspected/)
    expect(doc.files.every((f) => !f.secret || f.content === undefined)).toBe(true)
    expect(j.stdout).not.toContain(Buffer.from(PSK1).toString('base64'))
  })

  test('lint errors block rendering (exit 1, nothing written)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'tw-render-out-'))
    const r = await cli(['--details', detailsFile({ crypto: { ikeLifetime: 3600, ipsecLifetime: 7200 } }), '--device', 'strongswan', '--out', out])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('lint error')
    expect(() => statSync(join(out, 'etc'))).toThrow()
  })

  test('usage errors exit 2; a symlink under --out is refused', async () => {
    expect((await cli(['--details', detailsFile()])).code).toBe(2)
    expect((await cli(['--details', detailsFile(), '--device', 'cisco'])).code).toBe(2)
    expect((await cli(['--details', detailsFile(), '--device', 'strongswan', '--routing', 'both'])).code).toBe(2)
    expect((await cli(['--details', '/nonexistent/d.json', '--device', 'strongswan'])).code).toBe(2)
    const out = mkdtempSync(join(tmpdir(), 'tw-render-out-'))
    const elsewhere = mkdtempSync(join(tmpdir(), 'tw-render-elsewhere-'))
    mkdirSync(join(out, 'etc'))
    symlinkSync(elsewhere, join(out, 'etc', 'swanctl'))
    const r = await cli(['--details', detailsFile(), '--device', 'strongswan', '--out', out])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('symbolic link')
    expect(readdirSync(elsewhere)).toEqual([])
  })

  test('--out at a file, under /dev/null or in /proc is a clear usage error with one --json document, nothing written', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tw-render-file-')), 'plain')
    writeFileSync(file, 'x')
    for (const out of [file, '/dev/null', '/dev/null/x', '/proc/self/x']) {
      const r = await cli(['--details', detailsFile(), '--device', 'strongswan', '--out', out, '--json'])
      expect(r.code, `${out}: ${r.stderr}`).toBe(2)
      const doc = JSON.parse(r.stdout) as { ok: boolean; error: { code: string; message: string } }
      expect(doc.ok).toBe(false)
      expect(doc.error.message, out).not.toMatch(/internal/i)
    }
    expect(readFileSync(file, 'utf8')).toBe('x')
  })
})

describe('tunnelwright render, a BGP VPN', () => {
  const TUNNELS = [
    { outsideIp: '203.0.113.21', insideCidr: '169.254.10.0/30' },
    { outsideIp: '203.0.113.22', insideCidr: '169.254.11.0/30' },
  ]
  const bgpFile = () => detailsFile({ routing: 'route', bgp: toBgpSessions(TUNNELS) })
  const SECTION = '/etc/frr/frr.conf.tunnelwright-agency-east-section'

  test.each(['strongswan', 'strongswan-legacy', 'libreswan'])('%s: the FRR section apply would put in is shown after the IPsec files, marked as a section of /etc/frr/frr.conf, with the note on where it goes and what the gateway needs', async (device) => {
    const r = await cli(['--details', bgpFile(), '--device', device])
    expect(r.code, r.stderr).toBe(0)
    const at = r.stdout.indexOf(`### ${SECTION} (mode 0640) — a section of /etc/frr/frr.conf, not a whole file`)
    expect(at).toBeGreaterThan(0)
    const section = r.stdout.slice(r.stdout.indexOf('\n', at) + 1)
    expect(section).toMatch(/^! tunnelwright:begin agency-east \(managed by Tunnelwright/)
    expect(section).toContain(' neighbor 169.254.10.1 remote-as 64512\n')
    expect(section).toContain(' neighbor 169.254.11.1 timers 10 30\n')
    expect(section).toContain('  network 10.40.0.0/24\n')
    expect(section).toContain('ip prefix-list tw-agency-east-in seq 5 permit 172.31.16.0/20 le 32\n')
    expect(section).toMatch(/! tunnelwright:end agency-east\n\n$/)
    const note = r.stderr.split('\n').find((l) => l.startsWith('note: BGP:')) ?? ''
    for (const words of ['is a section, not a whole file', 'between the lines "! tunnelwright:begin agency-east …" and "! tunnelwright:end agency-east"', 'bgpd=yes in /etc/frr/daemons', 'frr-reload.py', 'apt-get install frr frr-pythontools', 'leave out the section\'s "bgp router-id" line']) expect(note).toContain(words)
  })

  test('--json lists the section with sectionOf and its content; --out writes it at its own path, never over etc/frr/frr.conf', async () => {
    const j = await cli(['--details', bgpFile(), '--device', 'strongswan', '--json'])
    expect(j.code, j.stderr).toBe(0)
    const doc = JSON.parse(j.stdout) as { files: { path: string; mode: string; sectionOf?: string; content?: string }[]; notes: string[] }
    const frr = doc.files.filter((f) => f.sectionOf !== undefined)
    expect(frr.map((f) => [f.path, f.mode, f.sectionOf])).toEqual([[SECTION, '0640', '/etc/frr/frr.conf']])
    expect(frr[0]!.content).toMatch(/^! tunnelwright:begin agency-east [^\n]*\n[\s\S]*\n! tunnelwright:end agency-east\n$/)
    expect(doc.notes.some((n) => n.startsWith('BGP: '))).toBe(true)
    const out = mkdtempSync(join(tmpdir(), 'tw-render-out-'))
    const w = await cli(['--details', bgpFile(), '--device', 'strongswan', '--out', out])
    expect(w.code, w.stderr).toBe(0)
    expect(readFileSync(join(out, SECTION), 'utf8')).toBe(frr[0]!.content)
    expect(statSync(join(out, SECTION)).mode & 0o777).toBe(0o640)
    expect(readdirSync(join(out, 'etc/frr'))).toEqual(['frr.conf.tunnelwright-agency-east-section'])
    expect(w.stdout).toContain(`, a section of /etc/frr/frr.conf): FRR's BGP section`)
  })

  test('a static VPN shows no FRR section and no BGP note', async () => {
    const r = await cli(['--details', detailsFile({ routing: 'route' }), '--device', 'strongswan', '--json'])
    expect(r.code, r.stderr).toBe(0)
    const doc = JSON.parse(r.stdout) as { files: { path: string }[]; notes: string[] }
    expect(doc.files.map((f) => f.path).filter((p) => p.includes('frr'))).toEqual([])
    expect(doc.notes.filter((n) => n.startsWith('BGP'))).toEqual([])
  })
})
