// Rendered swanctl configs loaded into a REAL charon (5.9.8) in a throwaway namespace, and the rendered
// PSK proven byte-identical by negotiating IKE against a second charon holding the raw key in hex.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import type { RenderInput } from '../../main/core/details/resolve'
import { renderDevice } from '../../main/core/render/index'
import { renderCharonSnippet, toCharonSnippetPath } from '../../main/core/render/keepup'
import { resolveTemplatesDir } from '../../main/core/render/templates'
import { toTunnelInterfaces } from '../../main/core/render/route-plumbing'
import { charonLines, prepareCharonDir, runInSandbox, vethLines } from '../support/daemon-sandbox'
import { labGate } from '../support/gate'
import { sampleInput } from '../support/render-sample'
import { bgpInput } from '../support/frr-sample'

const g = labGate('render-strongswan')
const work = mkdtempSync(join(tmpdir(), 'tw-render-ss-'))
// TW_KEEP_LAB_FILES=1 keeps the rendered files and daemon logs for a look after a failure.
afterAll(() => (process.env['TW_KEEP_LAB_FILES'] === '1' ? undefined : rmSync(work, { recursive: true, force: true })))

const read = (p: string) => readFileSync(p, 'utf8')

describe.skipIf(g.skip)('swanctl configs in a real charon', () => {
  const cases = [
    { label: 'route-based IKEv1', routing: 'route' as const, over: {} },
    { label: 'policy-based IKEv1 behind NAT, several CIDRs summarized', routing: 'policy' as const, over: { localAddress: '192.168.50.2', privateCidrs: ['10.40.0.0/24', '10.40.1.0/24'] } },
    { label: 'IKEv2 policy-based, GCM', routing: 'policy' as const, over: { crypto: { ikeVersion: 2, encryption: 'aes256gcm16' } } },
    { label: 'hostile name', routing: 'route' as const, over: { name: 'x" }\n connections { evil { } } # $(id) `id` ; ünï' } },
  ]
  test.each(cases)('$label: loads with empty stderr, both connections and secrets, expected settings', async ({ routing, over }) => {
    const dir = mkdtempSync(join(work, 'load-'))
    prepareCharonDir(dir, { port: 500, natPort: 4500 })
    const input = sampleInput(routing, over)
    const out = renderDevice(input, 'strongswan')
    writeFileSync(join(dir, 'swanctl/conf.d/tunnelwright.conf'), out.files[0]!.content, { mode: 0o600 })
    const r = await runInSandbox(
      [vethLines([input.localAddress], ['203.0.113.21', '203.0.113.22']), charonLines('gw', dir), `sw_gw --load-all --noprompt >${dir}/load.out 2>${dir}/load.err`, `sw_gw --list-conns --raw >${dir}/raw.out 2>&1`].join('\n'),
    )
    expect(r.code, r.stderr).toBe(0)
    expect(read(join(dir, 'load.err'))).toBe('')
    const load = read(join(dir, 'load.out'))
    const [n1, n2] = out.connectionNames
    expect(load).toContain(`loaded ike secret 'ike-${n1}'`)
    expect(load).toContain(`loaded ike secret 'ike-${n2}'`)
    expect(load).toContain('successfully loaded 2 connections, 0 unloaded')
    const raw = read(join(dir, 'raw.out'))
    const c = input.details.crypto
    for (const [i, name] of [n1, n2].entries()) {
      const line = raw.split('\n').find((l) => l.startsWith(`list-conn event {${name} {`))
      expect(line, raw).toBeDefined()
      expect(line).toContain(`local_addrs=[${input.localAddress}] remote_addrs=[${input.tunnels[i]!.outsideIp}] version=IKEv${c.ikeVersion}`)
      expect(line).toContain(c.ikeVersion === 1 ? `reauth_time=${c.ikeLifetime}` : `rekey_time=${c.ikeLifetime}`)
      expect(line).toContain(`dpd_delay=10 dpd_timeout=30`)
      // Our IKE ID is the public IP even behind NAT.
      expect(line).toContain(`local-1 {id=${input.localId} class=pre-shared key`)
      expect(line).toContain(`remote-1 {id=${input.tunnels[i]!.outsideIp} class=pre-shared key`)
      expect(line).toContain(`rekey_time=3240`)
      expect(line).toContain('dpd_action=start close_action=start')
      expect(line).toContain(`local-ts=[${input.localSelectors.join(', ')}] remote-ts=[${input.remoteSelectors.join(', ')}]`)
    }
    expect(raw.match(/^list-conn event/gm)).toHaveLength(2)
  })

  test('the rendered 0s PSK is byte-identical to the input: IKE SA up against a charon holding the raw key as hex; a one-byte different key fails', async () => {
    const psk = 'p"s k#1\\;$(x)`y`{}\n\u00fcnicode\u2603'
    const dir = mkdtempSync(join(work, 'psk-'))
    const gw = join(dir, 'gw')
    const aws = join(dir, 'aws')
    prepareCharonDir(gw, { port: 1500, natPort: 14500 })
    prepareCharonDir(aws, { port: 500, natPort: 4500, logLevel: 2 })
    const input = sampleInput('route', { psk1: psk, psk2: psk })
    const out = renderDevice(input, 'strongswan')
    writeFileSync(join(gw, 'swanctl/conf.d/tunnelwright.conf'), out.files[0]!.content, { mode: 0o600 })
    // The peer stands in for AWS: responder only, the key written independently as hex.
    const hex = (s: string) => `0x${Buffer.from(s, 'utf8').toString('hex')}`
    const peerConn = (i: 0 | 1, key: string) => {
      const t = input.tunnels[i]
      // One setting per line: an unquoted swanctl value runs to the end of its line.
      return {
        conn: [`aws${i + 1} {`, 'version = 1', `local_addrs = ${t.outsideIp}`, `remote_addrs = ${input.localAddress}`, 'proposals = aes256-sha256-modp2048', 'local {', 'auth = psk', `id = ${t.outsideIp}`, '}', 'remote {', 'auth = psk', `id = ${input.localId}`, '}', 'children {', `aws${i + 1} {`, 'local_ts = 0.0.0.0/0', 'remote_ts = 0.0.0.0/0', 'esp_proposals = aes256-sha256-modp2048', '}', '}', '}'].join('\n'),
        secret: [`ike-aws${i + 1} {`, `id-a = ${t.outsideIp}`, `id-b = ${input.localId}`, `secret = ${key}`, '}'].join('\n'),
      }
    }
    const p1 = peerConn(0, hex(psk))
    const p2 = peerConn(1, hex(`${psk.slice(0, -1)}X`))
    writeFileSync(join(aws, 'swanctl/conf.d/aws.conf'), `connections {\n${p1.conn}\n${p2.conn}\n}\nsecrets {\n${p1.secret}\n${p2.secret}\n}\n`)
    const [n1, n2] = out.connectionNames
    const r = await runInSandbox(
      [
        vethLines([input.localAddress], ['203.0.113.21', '203.0.113.22']),
        charonLines('aws', aws),
        `sw_aws --load-all --noprompt >${aws}/load.out 2>${aws}/load.err`,
        charonLines('gw', gw),
        `sw_gw --load-all --noprompt >${gw}/load.out 2>${gw}/load.err`,
        // start_action=start initiates both; wait for tunnel 1's IKE SA and for tunnel 2's auth failure.
        `for i in $(seq 100); do sw_gw --list-sas --ike ${n1} 2>/dev/null | grep -q ESTABLISHED && break; sleep 0.1; done`,
        `for i in $(seq 100); do grep -q 'decryption failed' ${aws}/charon.log && break; sleep 0.1; done`,
        `sw_gw --list-sas --ike ${n1} >${gw}/sa1.out 2>&1 || true`,
        `sw_gw --list-sas --ike ${n2} >${gw}/sa2.out 2>&1 || true`,
      ].join('\n'),
    )
    expect(r.code, r.stderr).toBe(0)
    expect(read(join(aws, 'load.err'))).toBe('')
    expect(read(join(gw, 'load.err'))).toBe('')
    expect(read(join(gw, 'sa1.out'))).toMatch(new RegExp(`${n1}: #\\d+, ESTABLISHED, IKEv1`))
    expect(read(join(gw, 'sa2.out'))).not.toContain('ESTABLISHED')
    // The control: the peer could not decrypt tunnel 2's main mode message 5 (keys differ by one byte).
    expect(read(join(aws, 'charon.log'))).toContain('decryption failed')
  })
})

describe.skipIf(g.skip)('the charon snippet in a real charon', () => {
  test.each([false, true])('charon parses it at the top level and runs keepup.sh start when it starts (install_routes = no: %s)', async (installRoutesOff) => {
    const dir = mkdtempSync(join(work, 'snippet-'))
    prepareCharonDir(dir, { port: 500, natPort: 4500 })
    const input = sampleInput('policy')
    // Both renderers ship it, at the top-level strongswan.d/ path.
    for (const kind of ['strongswan', 'strongswan-legacy'] as const) expect(renderDevice(input, kind).files.map((f) => f.path)).toContain(toCharonSnippetPath(input.slug, 'debian'))
    // Here keepup.sh is a stand-in in the test folder that records its arguments (the real path is under /etc).
    const script = join(dir, 'keepup.sh')
    writeFileSync(script, `#!/bin/sh\necho "$@" >> ${dir}/ran\n`, { mode: 0o755 })
    const snippet = renderCharonSnippet(resolveTemplatesDir(), input, { layout: 'debian', keepupPath: script, installRoutesOff })
    writeFileSync(join(dir, 'tunnelwright.conf'), snippet.content)
    // As strongswan.conf includes strongswan.d/*.conf: at the top level, after the charon section.
    writeFileSync(join(dir, 'strongswan.conf'), `${read(join(dir, 'strongswan.conf'))}include ${dir}/tunnelwright.conf\n`)
    const r = await runInSandbox([vethLines([input.localAddress], ['203.0.113.21']), charonLines('gw', dir), `for i in $(seq 50); do [ -s ${dir}/ran ] && break; sleep 0.1; done`].join('\n'))
    expect(r.code, r.stderr + read(join(dir, 'charon.stdout'))).toBe(0)
    expect(read(join(dir, 'ran'))).toBe('start\n')
    expect(read(join(dir, 'charon.log'))).not.toMatch(/syntax error|invalid config/)
    expect(snippet.content.includes('install_routes = no')).toBe(installRoutesOff)
  })
})

describe.skipIf(g.skip)('route.sh in a throwaway namespace', () => {
  // This kernel has neither xfrm nor vti link types ("Unknown device type"), so the interfaces are veth
  // stand-ins created first under the names the Libreswan render gives its VTIs (route.sh leaves a link that
  // exists alone): what runs for real is the script's addressing, routes, rp_filter and idempotency;
  // `ip link add … type vti` is not (the VM lab runs it: vm-apply-libreswan.test.ts).
  /** route.sh of a Libreswan render in a fresh folder, and the sandbox lines that give it its WAN and its two VTI stand-ins. */
  function routeSandbox(input: RenderInput, prefix: string) {
    const dir = mkdtempSync(join(work, prefix))
    const script = renderDevice(input, 'libreswan', { version: '4.10' }).files.find((f) => f.path.endsWith('-route.sh'))!
    const [i1, i2] = toTunnelInterfaces(input, 'vti')
    writeFileSync(join(dir, 'route.sh'), script.content, { mode: 0o700 })
    const setup = [vethLines([input.localAddress], ['203.0.113.1']), `ip link add ${i1.iface} type veth peer name x1`, `ip link add ${i2.iface} type veth peer name x2`]
    return { dir, sh: join(dir, 'route.sh'), i1, i2, setup }
  }

  test('up-client twice (idempotent) sets the /30, routes and loose rp_filter; down-client removes only that tunnel\'s routes', async () => {
    const { dir, sh, i1, i2, setup } = routeSandbox(sampleInput('route', { dedicatedCidrs: ['172.31.16.0/20', '172.31.64.0/24'] }), 'route-')
    const r = await runInSandbox(
      [
        ...setup,
        `PLUTO_VERB=up-client ${sh} updown 1`,
        `PLUTO_VERB=up-client ${sh} updown 1`,
        `PLUTO_VERB=up-client ${sh} updown 2`,
        `ip -br addr >${dir}/addr.out`,
        `ip route show >${dir}/routes-up.out`,
        `sysctl -n net.ipv4.conf.${i1.iface}.rp_filter >${dir}/rp.out`,
        `PLUTO_VERB=down-client ${sh} updown 1`,
        `ip route show >${dir}/routes-down.out`,
      ].join('\n'),
    )
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toBe('')
    const addr = read(join(dir, 'addr.out'))
    expect(addr).toMatch(new RegExp(`^${i1.iface}@x1 .* 169\\.254\\.10\\.2/30`, 'm'))
    expect(addr).toMatch(new RegExp(`^${i2.iface}@x2 .* 169\\.254\\.11\\.2/30`, 'm'))
    const up = read(join(dir, 'routes-up.out'))
    expect(up).toContain(`172.31.16.0/20 dev ${i1.iface} scope link metric 101`)
    expect(up).toContain(`172.31.64.0/24 dev ${i1.iface} scope link metric 101`)
    expect(up).toContain(`172.31.16.0/20 dev ${i2.iface} scope link metric 102`)
    expect(up.match(/metric 101/g)).toHaveLength(2) // the second up-client added nothing twice
    expect(read(join(dir, 'rp.out')).trim()).toBe('2')
    const down = read(join(dir, 'routes-down.out'))
    expect(down).not.toContain('metric 101')
    expect(down.match(/metric 102/g)).toHaveLength(2)
  })

  test('a BGP VPN: up-client sets the /30s and adds no route (BGP installs them); down-client still clears a route a static version left', async () => {
    const { dir, sh, i1, i2, setup } = routeSandbox(bgpInput({ dedicatedCidrs: ['172.31.16.0/20'] }), 'route-bgp-')
    const r = await runInSandbox(
      [
        ...setup,
        `PLUTO_VERB=up-client ${sh} updown 1`,
        `PLUTO_VERB=up-client ${sh} updown 2`,
        `ip -br addr >${dir}/addr.out`,
        `ip route show >${dir}/routes-up.out`,
        `ip route add 172.31.16.0/20 dev ${i1.iface} metric 101`,
        `PLUTO_VERB=down-client ${sh} updown 1`,
        `ip route show >${dir}/routes-down.out`,
      ].join('\n'),
    )
    expect(r.code, r.stderr).toBe(0)
    const addr = read(join(dir, 'addr.out'))
    expect(addr).toMatch(new RegExp(`^${i1.iface}@x1 .* 169\\.254\\.10\\.2/30`, 'm'))
    expect(addr).toMatch(new RegExp(`^${i2.iface}@x2 .* 169\\.254\\.11\\.2/30`, 'm'))
    expect(read(join(dir, 'routes-up.out'))).not.toContain('172.31.16.0/20')
    expect(read(join(dir, 'routes-down.out'))).not.toContain('172.31.16.0/20')
  })
})
