// starter's activation, route-based: charon reads install_routes only when it starts, so a charon that predates
// our snippet is restarted once (through the systemd unit that runs starter, when there is one) before the
// conns are loaded; otherwise its 0.0.0.0/0 route in table 220 cut the gateway off its LAN (seen on a real
// kernel, test/integration/vm-apply-starter.test.ts). The sh runs for real here, with `ipsec` and
// `systemctl` stand-ins on PATH that record their calls (the real ones would act on this machine).
import { execFileSync } from 'node:child_process'
import { chmodSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { GatewayFacts } from '../../main/core/gateway/detect'
import { toCharonRestartSh, toStackProfile } from '../../main/core/gateway/stacks'
import { renderDevice } from '../../main/core/render/index'
import { sampleInput } from '../support/render-sample'
import { toTunnelNames } from '../../main/core/base/vocabulary'

const FACTS = { os: { id: 'debian', family: 'debian' }, stack: { kind: 'strongswan-legacy', version: '5.9.8' }, frontEnds: { swanctl: true, starter: true }, layout: 'debian', paths: {}, routeBased: { xfrmInterface: true, vti: true } } as unknown as GatewayFacts

/** Runs the restart snippet with stand-ins; returns the calls they saw and the exit code. */
function run(o: { snippetNewer: boolean; pidFile?: boolean; unitActive?: boolean; charonAnswersAfter?: number }): { calls: string[]; code: number; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tw-starter-restart-'))
  const log = join(dir, 'calls')
  writeFileSync(log, '')
  const pid = join(dir, 'charon.pid')
  const snippet = join(dir, 'tunnelwright-x.conf')
  writeFileSync(snippet, 'charon { install_routes = no }\n')
  if (o.pidFile !== false) {
    writeFileSync(pid, '123\n')
    const t = Date.now() / 1000
    utimesSync(pid, t, o.snippetNewer ? t - 60 : t + 60)
  }
  // rereadsecrets fails (as stroke does) until charon "answers": after N calls.
  const stub = (name: string, body: string) => {
    writeFileSync(join(dir, name), `#!/bin/sh\necho "${name} $*" >> ${log}\n${body}\n`)
    chmodSync(join(dir, name), 0o755)
  }
  stub('ipsec', `case "$1" in rereadsecrets) n=$(grep -c 'ipsec rereadsecrets' ${log}); [ "$n" -gt ${o.charonAnswersAfter ?? 0} ] ;; *) true ;; esac`)
  stub('systemctl', `case "$1" in is-active) [ "$3" = ${o.unitActive ? 'strongswan-starter' : 'none'} ] ;; cat) echo 'ExecStart=/usr/sbin/ipsec start --nofork' ;; *) true ;; esac`)
  stub('sleep', 'true')
  let code = 0
  let stderr = ''
  try {
    execFileSync('sh', ['-c', toCharonRestartSh('ipsec', snippet, [join(dir, 'absent.pid'), pid])], { env: { PATH: `${dir}:/usr/bin:/bin` }, stdio: ['ignore', 'pipe', 'pipe'] })
  } catch (e) {
    code = (e as { status: number }).status
    stderr = String((e as { stderr: Buffer }).stderr)
  }
  return { calls: readFileSync(log, 'utf8').split('\n').filter(Boolean), code, stderr }
}

describe('starter route-based activation restarts charon once for install_routes = no', () => {
  it('restarts through `ipsec restart` when charon started before the snippet, then waits until charon itself answers', () => {
    const r = run({ snippetNewer: true, charonAnswersAfter: 3 })
    expect(r.code).toBe(0)
    expect(r.calls.filter((c) => c.startsWith('ipsec'))).toEqual(['ipsec restart', 'ipsec rereadsecrets', 'ipsec rereadsecrets', 'ipsec rereadsecrets', 'ipsec rereadsecrets'])
  })

  it('restarts the systemd unit that runs starter when it is active (so systemd keeps the new starter)', () => {
    const r = run({ snippetNewer: true, unitActive: true })
    expect(r.code).toBe(0)
    expect(r.calls).toContain('systemctl restart strongswan-starter')
    expect(r.calls).not.toContain('ipsec restart')
  })

  it('leaves a charon alone that started after the snippet, or that has no pid file', () => {
    expect(run({ snippetNewer: false }).calls).toEqual([])
    expect(run({ snippetNewer: true, pidFile: false }).calls).toEqual([])
  })

  it('fails, saying so, when charon does not answer within 30 s of the restart', () => {
    const r = run({ snippetNewer: true, charonAnswersAfter: 1000 })
    expect(r.code).not.toBe(0)
    expect(r.stderr).toMatch(/charon did not come back/)
  })

  it('is part of the route-based activation only, before the conns are loaded', () => {
    const route = renderDevice(sampleInput('route'), 'strongswan-legacy')
    const snippet = route.files.find((f) => f.path.includes('/strongswan.d/'))!
    expect(snippet.content).toContain('install_routes = no')
    const activate = toStackProfile(FACTS, route).activate
    expect(activate.indexOf(toCharonRestartSh('ipsec', snippet.path))).toBe(0)
    expect(activate).toMatch(/ && ipsec rereadsecrets && ipsec update /)
    const policy = renderDevice(sampleInput('policy'), 'strongswan-legacy')
    expect(toStackProfile(FACTS, policy).activate).not.toContain('charon.pid')
  })
})

// stroke right-aligns conn names in 12 columns ("%12s[%d]:"); a name of 12 characters or more has no indent
// (slugs go up to 24 characters). keepup.sh on starter matched "^ +<conn>", so with such a name it saw its
// tunnels as down and not loaded. Its own sa_state/loaded run here against stroke-aligned lines.
describe("starter keepup.sh reads stroke's lines for conn names of any length", () => {
  it.each(['lab', 'agency-east-wing'])('slug %s', (name) => {
    const input = sampleInput('route', { name })
    const conn = toTunnelNames(input.slug)[0]
    const keepup = renderDevice(input, 'strongswan-legacy').files.find((f) => f.path.endsWith('-keepup.sh'))!.content
    const dir = mkdtempSync(join(tmpdir(), 'tw-keepup-stroke-'))
    const at = (suffix: string) => `${conn}${suffix}`.padStart(12 + suffix.length)
    writeFileSync(join(dir, 'ipsec'), `#!/bin/sh\ncat <<'X'\nConnections:\n${at(':')}  198.51.100.10...203.0.113.21  IKEv1\nSecurity Associations (1 up, 0 connecting):\n${at('[1]')}: ESTABLISHED 4 seconds ago, 198.51.100.10[198.51.100.10]...203.0.113.21[203.0.113.21]\n${at('{1}')}:  INSTALLED, TUNNEL, reqid 1, ESP SPIs: c1d2e3f4_i c5d6e7f8_o\nX\n`)
    chmodSync(join(dir, 'ipsec'), 0o755)
    const body = keepup.slice(0, keepup.indexOf('case "${1:-}" in'))
    const out = execFileSync('sh', ['-c', `${body}\nIPSEC=${join(dir, 'ipsec')}; tunnel 1; sa_state; loaded && echo loaded`], { env: { PATH: `${dir}:/usr/bin:/bin` } }).toString()
    expect(conn.length >= 12 ? 'no indent' : 'indented').toBe(name === 'lab' ? 'indented' : 'no indent')
    expect(out.trim().split('\n')).toEqual(['up', 'loaded'])
  })
})
