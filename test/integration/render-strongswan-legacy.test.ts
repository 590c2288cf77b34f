// Rendered ipsec.conf/ipsec.secrets includes read by the REAL starter + charon (strongSwan 5.9.8, stroke)
// in a throwaway namespace: both conns loaded with the expected settings, no parse errors, secrets read.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { renderDevice } from '../../main/core/render/index'
import { runInSandbox, vethLines } from '../support/daemon-sandbox'
import { labGate } from '../support/gate'
import { sampleInput } from '../support/render-sample'

const g = labGate('render-strongswan-legacy')
const work = mkdtempSync(join(tmpdir(), 'tw-render-legacy-'))
// TW_KEEP_LAB_FILES=1 keeps the rendered files and daemon logs for a look after a failure.
afterAll(() => (process.env['TW_KEEP_LAB_FILES'] === '1' ? undefined : rmSync(work, { recursive: true, force: true })))
const read = (p: string) => readFileSync(p, 'utf8')

describe.skipIf(g.skip)('legacy ipsec.conf includes under the real starter', () => {
  const cases = [
    { label: 'route-based (mark)', routing: 'route' as const, over: {} },
    { label: 'policy-based behind NAT, hostile name', routing: 'policy' as const, over: { localAddress: '192.168.50.2', name: 'a\n conn evil\n  auto=start # "q" $(id) {}' } },
  ]
  test.each(cases)('$label', async ({ routing, over }) => {
    const dir = mkdtempSync(join(work, 'node-'))
    const input = sampleInput(routing, over)
    const out = renderDevice(input, 'strongswan-legacy')
    const conf = out.files.find((f) => f.path.endsWith('.conf') && f.path.includes('ipsec.d'))!
    const secrets = out.files.find((f) => f.path.endsWith('.secrets'))!
    expect(secrets.mode).toBe(0o600)
    writeFileSync(join(dir, 'rendered.conf'), conf.content)
    writeFileSync(join(dir, 'rendered.secrets'), secrets.content, { mode: 0o600 })
    writeFileSync(join(dir, 'ipsec.conf'), `config setup\n\ninclude ${dir}/rendered.conf\n`)
    writeFileSync(join(dir, 'ipsec.secrets'), `include ${dir}/rendered.secrets\n`, { mode: 0o600 })
    mkdirSync(join(dir, 'log'))
    writeFileSync(join(dir, 'strongswan.conf'), ['charon {', '  install_routes = no', '  load_modular = yes', '  plugins {', '    include /etc/strongswan.d/charon/*.conf', '  }', '  filelog {', '    tw {', `      path = ${dir}/log/charon.log`, '      default = 1', '    }', '  }', '}', 'starter {', '  load_warning = no', '}', ''].join('\n'))
    const [n1, n2] = out.connectionNames
    const r = await runInSandbox(
      [
        // The AWS addresses must not be local here: starter swaps left/right when right is a local address.
        vethLines([input.localAddress], ['203.0.113.1']),
        'mount -t tmpfs tw-run /run',
        `mount --bind ${dir}/ipsec.conf /etc/ipsec.conf`,
        `mount --bind ${dir}/ipsec.secrets /etc/ipsec.secrets`,
        `mount --bind ${dir}/strongswan.conf /etc/strongswan.conf`,
        `ipsec start --nofork >${dir}/starter.out 2>&1 &`,
        // Wait for the state: both conns known to charon.
        `for i in $(seq 200); do n=$(ipsec statusall 2>/dev/null | grep -cE '^ *(${n1}|${n2}):  ' || true); [ "$n" -ge 2 ] && break; sleep 0.05; done`,
        `ipsec statusall >${dir}/statusall.out 2>&1`,
        `ipsec listall >${dir}/listall.out 2>&1 || true`,
        'ipsec stop >/dev/null 2>&1 || true',
      ].join('\n'),
    )
    expect(r.code, r.stderr).toBe(0)
    const starter = read(join(dir, 'starter.out'))
    expect(starter).not.toMatch(/unknown keyword|parsing error|syntax error|invalid config/i)
    const log = read(join(dir, 'log/charon.log'))
    expect(log).not.toMatch(/syntax error|parse error|invalid config|unknown keyword|line \d+:/i)
    expect(log).toContain(`loaded IKE secret for ${input.localId} 203.0.113.21`)
    expect(log).toContain(`loaded IKE secret for ${input.localId} 203.0.113.22`)
    const status = read(join(dir, 'statusall.out'))
    for (const [i, name] of [n1, n2].entries()) {
      const t = input.tunnels[i]!
      expect(status).toContain(`${name}:  ${input.localAddress}...${t.outsideIp}  IKEv1, dpddelay=10s`)
      expect(status).toContain(`${name}:   local:  [${input.localId}] uses pre-shared key authentication`)
      expect(status).toContain(`${name}:   remote: [${t.outsideIp}] uses pre-shared key authentication`)
      expect(status).toMatch(new RegExp(`${name}:   child:  ${input.localSelectors[0]!.replace(/\./g, '\\.')} === ${input.remoteSelectors[0]!.replace(/\./g, '\\.')} TUNNEL, dpdaction=start`)) // charon prints dpdaction=restart as "start"
    }
  })
})
