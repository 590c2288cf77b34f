import { chmodSync, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { EXIT, runCli } from '../../main/cli/index'

const fixtures = join(__dirname, '../fixtures/aws')
const real = join(fixtures, 'real')
const XML = join(fixtures, 'vpn-static.xml')
const JSON_EXPORT = join(fixtures, 'vpn-describe-tunnel-options.json')
const TEXT = join(fixtures, 'vpn-static-generic.txt')
const PSK_A = 'Qn7xV2._kdP3aZ4rT8mWyL3sHc6bJ9fE'
const PSK_B = 'mR5_tY8.wK2nA7qX4zB1cV6hL9pD3gS2'

function capture() {
  const out = { stdout: '', stderr: '' }
  const io = { stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t), env: {} }
  return { out, io }
}

const tmp = mkdtempSync(join(tmpdir(), 'tw-import-cli-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))
const mode = (p: string) => statSync(p).mode & 0o777

describe('tunnelwright import', () => {
  it('writes a 0600 draft and lists what is left to fill in', async () => {
    const dest = join(tmp, 'draft.json')
    const { out, io } = capture()
    expect(await runCli(['import', '--aws-xml', XML, '--out', dest], io)).toBe(EXIT.ok)
    expect(mode(dest)).toBe(0o600)
    const written = JSON.parse(readFileSync(dest, 'utf8'))
    expect(written.remote.tunnels.map((t: { outsideIp: string; psk: string }) => [t.outsideIp, t.psk])).toEqual([['203.0.113.36', PSK_A], ['203.0.113.164', PSK_B]])
    expect(written.gateway.privateCidrs).toEqual([])
    expect(out.stdout).toContain(`Wrote ${dest} (mode 0600`)
    expect(out.stdout).toMatch(/Still to fill in[\s\S]*\/gateway\/privateCidrs: [\s\S]*\/remote\/dedicatedCidrs: /)
    expect(out.stdout).toMatch(/Note: .*does not copy/)
    expect(out.stdout + out.stderr).not.toContain(PSK_A)

    // The draft is not usable until filled in: lint says exactly what is empty (exit 2: invalid input).
    const lint = capture()
    expect(await runCli(['lint', '--details', dest], lint.io)).toBe(EXIT.usage)
    expect(lint.out.stderr).toMatch(/\/gateway\/privateCidrs: is empty/)
  })

  it('refuses to overwrite without --force; --force replaces and tightens the mode', async () => {
    const dest = join(tmp, 'exists.json')
    writeFileSync(dest, 'keep me')
    chmodSync(dest, 0o644)
    const first = capture()
    expect(await runCli(['import', '--aws-xml', XML, '--out', dest], first.io)).toBe(EXIT.failed)
    expect(first.out.stderr).toMatch(/already exists[\s\S]*--force/)
    expect(readFileSync(dest, 'utf8')).toBe('keep me')
    const forced = capture()
    expect(await runCli(['import', '--aws-xml', XML, '--out', dest, '--force'], forced.io)).toBe(EXIT.ok)
    expect(mode(dest)).toBe(0o600)
    expect(JSON.parse(readFileSync(dest, 'utf8')).name).toBe('vpn-0a1b2c3d4e5f60718')
  })

  it('--out never follows a symbolic link, not even with --force: the PSKs stay out of where it points', async () => {
    const target = join(tmp, 'public-share.txt')
    writeFileSync(target, 'someone else\'s file', { mode: 0o644 })
    const link = join(tmp, 'innocent.json')
    symlinkSync(target, link)
    for (const extra of [[], ['--force']]) {
      const { out, io } = capture()
      expect(await runCli(['import', '--aws-xml', XML, '--out', link, ...extra, '--json'], io)).toBe(EXIT.failed)
      expect(JSON.parse(out.stdout).error.code).toBe('out-symlink')
    }
    expect(readFileSync(target, 'utf8')).toBe("someone else's file")
    expect(lstatSync(link).isSymbolicLink()).toBe(true)
  })

  it('with the CIDRs given, the file is complete and lints without errors', async () => {
    const dest = join(tmp, 'complete.json')
    const { out, io } = capture()
    expect(await runCli(['import', '--aws-text', TEXT, '--out', dest, '--private-cidr', '10.10.0.0/24', '--private-cidr', '10.10.1.0/24', '--dedicated-cidr', '10.200.0.0/16'], io)).toBe(EXIT.ok)
    expect(out.stdout).toContain('Nothing left to fill in')
    const lint = capture()
    expect(await runCli(['lint', '--details', dest, '--json'], lint.io)).toBe(EXIT.ok)
    const ids = JSON.parse(lint.out.stdout).findings.map((f: { id: string }) => f.id)
    expect(ids).toContain('ikev1-several-cidrs')
    expect(ids).toContain('gateway-ip-example')
  })

  it('without --out prints the details on stdout and the report on stderr', async () => {
    const { out, io } = capture()
    expect(await runCli(['import', '--aws-text', TEXT], io)).toBe(EXIT.ok)
    expect(JSON.parse(out.stdout).remote.tunnels[1].psk).toBe(PSK_B)
    expect(out.stderr).toMatch(/Still to fill in/)
  })

  it('--json --out prints one tunnelwright/import@1 document without the keys', async () => {
    const dest = join(tmp, 'json.json')
    const { out, io } = capture()
    expect(await runCli(['import', '--aws-xml', XML, '--out', dest, '--json'], io)).toBe(EXIT.ok)
    const doc = JSON.parse(out.stdout)
    expect(doc).toMatchObject({ format: 'tunnelwright/import@1', ok: true, out: dest, source: { kind: 'xml', vpnConnectionId: 'vpn-0a1b2c3d4e5f60718' } })
    expect(doc.needs.map((n: { path: string }) => n.path)).toEqual(['/gateway/privateCidrs', '/remote/dedicatedCidrs'])
    expect(out.stdout).not.toContain(PSK_A)
  })

  it('unreadable or hostile input exits 2 and writes nothing', async () => {
    const dest = join(tmp, 'never.json')
    const bomb = join(tmp, 'bomb.xml')
    writeFileSync(bomb, '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><vpn_connection id="vpn-1">&a;</vpn_connection>')
    for (const args of [['--aws-xml', bomb], ['--aws-xml', join(tmp, 'missing.xml')], ['--aws-text', XML], ['--aws-xml', TEXT]]) {
      const { out, io } = capture()
      expect(await runCli(['import', ...args, '--out', dest], io), args.join(' ')).toBe(EXIT.usage)
      expect(out.stderr).toMatch(/^tunnelwright import: /)
      expect(existsSync(dest)).toBe(false)
    }
  })

  it('usage errors exit 2', async () => {
    for (const args of [['import'], ['import', '--aws-xml', XML, '--aws-text', TEXT], ['import', '--aws-xml', XML, '--force'], ['import', '--aws-xml', XML, '--private-cidr', '10.0.0.0/33']]) {
      const { io } = capture()
      expect(await runCli(args, io), args.join(' ')).toBe(EXIT.usage)
    }
  })

  it('--aws-json: the describe-vpn-connections export, its tunnel options in the file; lint then says what to change at AWS (exit 1)', async () => {
    const dest = join(tmp, 'from-json.json')
    const { out, io } = capture()
    expect(await runCli(['import', '--aws-json', JSON_EXPORT, '--out', dest, '--private-cidr', '10.10.0.0/24', '--dedicated-cidr', '10.200.0.0/16'], io)).toBe(EXIT.ok)
    expect(out.stdout).toContain('Imported vpn-0a1b2c3d4e5f60718 (describe-vpn-connections JSON)')
    const written = JSON.parse(readFileSync(dest, 'utf8'))
    expect(written.tunnelOptions.map((o: { outsideIp: string }) => o.outsideIp)).toEqual(['203.0.113.36', '203.0.113.164'])
    const lint = capture()
    expect(await runCli(['lint', '--details', dest, '--json'], lint.io)).toBe(EXIT.failed)
    const f = JSON.parse(lint.out.stdout).findings.find((x: { id: string }) => x.id === 'aws-proposal-none-acceptable')
    expect(f.message).toMatch(/Tunnel 1 \(203\.0\.113\.36\) allows only DH group 2 in phase 1/)
    expect(lint.out.stdout + out.stdout + out.stderr).not.toContain(PSK_A)
  })

  it('--aws-export recognises each shape; a BGP template imports with its sessions; lint says FRR sets them up (on pfSense, its FRR package)', async () => {
    for (const [file, shape] of [[XML, 'CustomerGatewayConfiguration XML'], [TEXT, 'Generic text'], [JSON_EXPORT, 'describe-vpn-connections JSON'], [join(real, 'vyatta-bgp-vgw-cloudneta.txt'), 'Vyatta template']] as const) {
      const { out, io } = capture()
      expect(await runCli(['import', '--aws-export', file, '--json'], io), file).toBe(EXIT.ok)
      expect(JSON.parse(out.stdout).source.shape).toBe(shape)
    }
    const dest = join(tmp, 'vyatta.json')
    const { io } = capture()
    expect(await runCli(['import', '--aws-export', join(real, 'vyatta-bgp-vgw-cloudneta.txt'), '--out', dest, '--private-cidr', '10.10.0.0/24', '--dedicated-cidr', '10.200.0.0/16'], io)).toBe(EXIT.ok)
    expect(JSON.parse(readFileSync(dest, 'utf8')).bgp.tunnels[0]).toEqual({ outsideIp: '15.164.80.217', awsAsn: 64512, customerAsn: 65000, neighborIp: '169.254.70.181', holdTime: 30 })
    const lint = capture()
    expect(await runCli(['lint', '--details', dest], lint.io), lint.out.stdout).toBe(EXIT.ok)
    expect(lint.out.stdout).toMatch(/BGP[\s\S]*in FRR on the gateway/)
    const onPfsense = capture()
    expect(await runCli(['lint', '--details', dest, '--device', 'pfsense'], onPfsense.io), onPfsense.out.stdout).toBe(EXIT.ok)
    expect(onPfsense.out.stdout).toMatch(/to pfSense's FRR package[\s\S]*Package Manager/)
    // A vendor device the app writes a configuration for is linted as that device too.
    const onForti = capture()
    expect(await runCli(['lint', '--details', dest, '--device', 'fortigate'], onForti.io), onForti.out.stdout).toBe(EXIT.ok)
    expect(onForti.out.stdout).toMatch(/\[bgp-vendor\][\s\S]*config router bgp/)
    const onWindows = capture()
    expect(await runCli(['lint', '--details', dest, '--device', 'windows-server'], onWindows.io)).toBe(EXIT.failed)
    expect(onWindows.out.stdout).toContain('[bgp-not-supported]')
  })

  it("the issue's path for a BGP export on a vendor device: render passes the lint gate and writes AWS's neighbours and no static route; Windows Server is refused", async () => {
    const dest = join(tmp, 'vyatta-vendor.json')
    expect(await runCli(['import', '--aws-export', join(real, 'vyatta-bgp-vgw-cloudneta.txt'), '--out', dest, '--private-cidr', '10.10.0.0/24', '--dedicated-cidr', '10.200.0.0/16'], capture().io)).toBe(EXIT.ok)
    // IKEv2: the ASA hashes IKEv1 with SHA-1 only (its own lint error, not BGP's).
    writeFileSync(dest, JSON.stringify({ ...JSON.parse(readFileSync(dest, 'utf8')), crypto: { ikeVersion: 2 } }))
    for (const [device, neighbour] of [['cisco-asa', /^ {2}neighbor 169\.254\.70\.181 remote-as 64512$/m], ['cisco-ios', /^ neighbor 169\.254\.70\.181 remote-as 64512$/m], ['paloalto', /peer-address ip 169\.254\.70\.181$/m], ['fortigate', /edit "169\.254\.70\.181"/], ['juniper-srx', /neighbor 169\.254\.70\.181 peer-as 64512$/m]] as const) {
      const outDir = join(tmp, `out-${device}`)
      const render = capture()
      expect(await runCli(['render', '--details', dest, '--device', device, '--out', outDir], render.io), render.out.stderr).toBe(EXIT.ok)
      // render lints first (its gate): the BGP note passes it, and the render's note says what was set up.
      expect(render.out.stdout + render.out.stderr, device).toMatch(/BGP \(AS 65000\): a session with AWS \(AS 64512\) in each tunnel/)
      const text = readFileSync(join(outDir, device, readdirSync(join(outDir, device))[0]!), 'utf8')
      expect(text, device).toMatch(neighbour)
      expect(text, device).toMatch(/169\.254\.50\.253/)
      expect(text, device).not.toMatch(/(ip )?route .*10\.200\.0\.0|static-route|config router static|routing-options static/)
    }
    const windows = capture()
    expect(await runCli(['render', '--details', dest, '--device', 'windows-server', '--out', join(tmp, 'out-windows')], windows.io)).toBe(EXIT.failed)
    expect(windows.out.stderr).toMatch(/bgp-not-supported/)
    expect(existsSync(join(tmp, 'out-windows'))).toBe(false)
  })

  it('a JSON export listing several connections: without --connection the list and what to pass, exit 2; with it, the one chosen', async () => {
    const two = join(tmp, 'two.json')
    const one = JSON.parse(readFileSync(JSON_EXPORT, 'utf8')).VpnConnections[0]
    const other = JSON.parse(readFileSync(join(real, 'awscli-create-vpn-connection-psk-insidecidr.json'), 'utf8')).VpnConnection
    writeFileSync(two, JSON.stringify({ VpnConnections: [one, other] }))
    const list = capture()
    expect(await runCli(['import', '--aws-export', two], list.io)).toBe(EXIT.usage)
    expect(list.out.stderr).toMatch(/lists 2 VPN connections[\s\S]*1\. vpn-0a1b2c3d4e5f60718 \(available, static, vgw-07a6b5c4d3e2f1009, "agency-egress", tunnels 203\.0\.113\.36, 203\.0\.113\.164\)[\s\S]*2\. vpn-123123123123abcab[\s\S]*Pass --connection/)
    expect(list.out.stdout).toBe('')
    const json = capture()
    expect(await runCli(['import', '--aws-json', two, '--json'], json.io)).toBe(EXIT.usage)
    const doc = JSON.parse(json.out.stdout)
    expect(doc).toMatchObject({ format: 'tunnelwright/import@1', ok: false, exitCode: 2, error: { code: 'aws-json-choose' } })
    expect(doc.connections.map((c: { vpnConnectionId: string }) => c.vpnConnectionId)).toEqual(['vpn-0a1b2c3d4e5f60718', 'vpn-123123123123abcab'])
    for (const pick of ['vpn-123123123123abcab', '2']) {
      const { out, io } = capture()
      expect(await runCli(['import', '--aws-json', two, '--connection', pick, '--json'], io), pick).toBe(EXIT.ok)
      expect(JSON.parse(out.stdout).source.vpnConnectionId).toBe('vpn-123123123123abcab')
    }
    const missing = capture()
    expect(await runCli(['import', '--aws-json', two, '--connection', 'vpn-0000000000000000f'], missing.io)).toBe(EXIT.usage)
    expect(missing.out.stderr).toMatch(/has no VPN connection vpn-0000000000000000f/)
  })

  it("NetBrain's export (# comments, two connections with one id): listed with a hint to use the position; the position reaches the edited XML's error", async () => {
    const file = join(real, 'netbrain-vgw-2conn-describe.jsonc')
    const list = capture()
    expect(await runCli(['import', '--aws-export', file], list.io)).toBe(EXIT.usage)
    expect(list.out.stderr).toMatch(/two share an id here: use the position/)
    const byId = capture()
    expect(await runCli(['import', '--aws-export', file, '--connection', 'vpn-xxxxxxxxxxxxxxxxx'], byId.io)).toBe(EXIT.usage)
    expect(byId.out.stderr).toMatch(/pick one by position/)
    const byPosition = capture()
    expect(await runCli(['import', '--aws-export', file, '--connection', '1'], byPosition.io)).toBe(EXIT.usage)
    expect(byPosition.out.stderr).toMatch(/Both tunnels have the outside IP 1\.2\.3\.4/)
  })

  it('wrong or unreadable shapes exit 2 with what the file is: invalid JSON, a details file, JSON given as XML, --connection on XML', async () => {
    const details = join(tmp, 'a-details.json')
    writeFileSync(details, JSON.stringify({ format: 'tunnelwright/details@1', name: 'x' }))
    const cases: Array<[string[], RegExp]> = [
      [['--aws-export', join(real, 'awscli-modify-vpn-tunnel-certificate-INVALID-json.txt')], /not valid JSON at line 3, column \d+/],
      [['--aws-json', details], /Tunnelwright details file/],
      [['--aws-xml', JSON_EXPORT], /This file is JSON \(AWS CLI output\?\), not the CustomerGatewayConfiguration XML[\s\S]*Fix: .*--aws-json/],
      [['--aws-export', join(real, 'aws-doc-cisco-asa-static.txt')], /policy-based/],
      [['--aws-xml', XML, '--connection', '1'], /--connection picks one connection of a JSON export/],
      [['--aws-json', JSON_EXPORT, '--aws-xml', XML], /give exactly one of --aws-export/],
    ]
    for (const [args, re] of cases) {
      const { out, io } = capture()
      expect(await runCli(['import', ...args], io), args.join(' ')).toBe(EXIT.usage)
      expect(out.stderr, args.join(' ')).toMatch(re)
    }
  })
})

