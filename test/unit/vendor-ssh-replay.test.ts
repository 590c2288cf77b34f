// Read-only vendor status over SSH, against a replay server. STAND-IN, on purpose: a Cisco ASA cannot run on
// this machine, so test/support/vendor-replay.ts serves, on loopback in this process, the session AWS published
// in its ASA troubleshooting page (what is not published is marked there). The real client side runs
// unchanged: connect() with a host-key policy, the shell driver, the parsers.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EXIT } from '../../main/cli/index'
import { Secret } from '../../main/core/base/secret'
import { SshError } from '../../main/core/ssh/errors'
import { connect } from '../../main/core/ssh/session'
import { isReadOnlyVendorLine, VENDOR_SSH } from '../../main/core/status/vendor'
import { readVendorStatusOverShell } from '../../main/core/status/vendor/ssh'
import { REPLAY_ENABLE as ENABLE, REPLAY_LOGIN as LOGIN, startReplay, type Replay } from '../support/vendor-replay'
import { runStatusCli, useVendorHome } from '../support/vendor-home'

const DETAILS = { name: 'agency', remote: { tunnels: [{ outsideIp: 'AWS_ENDPOINT_1', insideCidr: '169.254.44.8/30' }, { outsideIp: 'AWS_ENDPOINT_2', insideCidr: '169.254.201.4/30' }] } } as never

describe('Cisco ASA status over SSH (replayed published session)', () => {
  let replay: Replay
  let storeDir: string
  beforeAll(async () => {
    replay = await startReplay('cisco-asa')
    storeDir = mkdtempSync(join(tmpdir(), 'tw-vendor-ssh-'))
  })
  afterAll(async () => {
    await replay.close()
    rmSync(storeDir, { recursive: true, force: true })
  })
  const endpoint = () => ({ host: '127.0.0.1', port: replay.port, username: 'admin', auth: { kind: 'password' as const, password: new Secret(LOGIN) } })

  it('refuses the SHA-1/CBC-only device unless older algorithms are allowed for this connection', async () => {
    const err = await connect(endpoint(), { storeDir, accept: 'first-use' }, { readyTimeoutMs: 10_000 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SshError)
    expect((err as SshError).likelyCause).toMatch(/only older algorithms/)
  })

  it('keyboard-interactive login, enable, paging off, the show commands: tunnel 1 up, tunnel 2 down, nothing written', async () => {
    const session = await connect(endpoint(), { storeDir, accept: 'first-use' }, { readyTimeoutMs: 10_000, legacyAlgorithms: VENDOR_SSH['cisco-asa'].legacyAlgorithms })
    try {
      const r = await readVendorStatusOverShell(() => session.openShell(), 'cisco-asa', DETAILS, { at: 1_000, enablePassword: new Secret(ENABLE), timeoutMs: 10_000 })
      expect(r.snapshot.source).toBe('vendor')
      expect(r.snapshot.tunnels.map((t) => [t.name, t.peer, t.up])).toEqual([['agency-t1', 'AWS_ENDPOINT_1', true], ['agency-t2', 'AWS_ENDPOINT_2', false]])
      expect(r.snapshot.tunnels[0]).toMatchObject({ spiIn: '48b456a6', spiOut: '6d9f8d3b' })
      expect(r.diagnoses.map((d) => [d.id, d.tunnel])).toContainEqual(['not-reinitiated', 'agency-t2'])
    } finally {
      await session.close()
    }
    // Everything the device received: enable, its password (never echoed), paging off, show commands, exit.
    expect(replay.received.slice(0, 3)).toEqual(['enable', '<enable password>', 'terminal pager 0'])
    for (const line of replay.received.filter((l) => !['enable', '<enable password>', 'exit'].includes(l))) expect(isReadOnlyVendorLine(line), line).toBe(true)
    expect(replay.received.join('\n')).not.toContain(ENABLE)
  })

  it('a wrong enable password is a clear error without the password', async () => {
    const session = await connect(endpoint(), { storeDir, accept: 'first-use' }, { readyTimeoutMs: 10_000, legacyAlgorithms: VENDOR_SSH['cisco-asa'].legacyAlgorithms })
    try {
      const err = await readVendorStatusOverShell(() => session.openShell(), 'cisco-asa', DETAILS, { at: 1_000, enablePassword: new Secret('wrong-one'), timeoutMs: 10_000 }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(SshError)
      expect((err as Error).message).toMatch(/refused the enable password/)
      expect((err as Error).message).not.toContain('wrong-one')
    } finally {
      await session.close()
    }
  })
})

describe('tunnelwright status --device cisco-ios (replayed published IOS session)', () => {
  const v = useVendorHome(['205.251.233.121', '205.251.233.122'], { kind: 'cisco-ios', insideCidrs: ['169.254.249.16/30', '169.254.249.20/30'] })
  const run = (extra: string[], env: Record<string, string> = {}, abortOnOutput?: AbortController) =>
    runStatusCli({ home: v.home, kind: 'cisco-ios', host: `admin@127.0.0.1:${v.replay.port}`, extra, env: { EN: ENABLE, ...env }, ...(abortOnOutput ? { abortOnOutput } : {}) })

  it('both AWS tunnels up from the published outputs, JSON per cli.md, the legacy notice on stderr, exit 0', async () => {
    const r = await run(['--allow-legacy-ssh', '--enable-password-env', 'EN', '--json'])
    expect(r.code, r.stderr).toBe(EXIT.ok)
    const json = JSON.parse(r.stdout) as { source: string; device: string; tunnels: { peer: string; ikeState: string; packetsIn: number; health: { verdict: string } }[] }
    expect(json.source).toBe('vendor')
    expect(json.tunnels.map((t) => [t.peer, t.ikeState, t.packetsIn])).toEqual([['205.251.233.121', 'ESTABLISHED', 146], ['205.251.233.122', 'ESTABLISHED', 24]])
    expect(r.stderr).toMatch(/also allows older SSH algorithms/)
    expect(r.stdout + r.stderr).not.toContain(ENABLE)
    expect(r.stdout + r.stderr).not.toContain(LOGIN)
  })

  it('--watch polls (no event feed on these devices) and stops on Ctrl-C after the first sample', async () => {
    const r = await run(['--allow-legacy-ssh', '--enable-password-env', 'EN', '--json', '--watch', '--interval', '5'], {}, new AbortController())
    expect(r.code).toBe(EXIT.ok)
    // One sample only (two JSON documents would not parse as one).
    expect((JSON.parse(r.stdout) as { tunnels: unknown[] }).tunnels).toHaveLength(2)
  })

  it('without --allow-legacy-ssh: exit 4 (cannot connect) and the reason names the older algorithms', async () => {
    const r = await run(['--enable-password-env', 'EN'])
    expect(r.code).toBe(EXIT.connect)
    expect(r.stderr).toMatch(/older algorithms/)
  })

  it('a bad --interval or an unset enable variable is a usage error, and nothing connects', async () => {
    const before = v.replay.received.length
    expect((await run(['--allow-legacy-ssh', '--watch', '--interval', '1'])).code).toBe(EXIT.usage)
    expect((await run(['--allow-legacy-ssh', '--enable-password-env', 'NOPE'])).code).toBe(EXIT.usage)
    expect(v.replay.received.length).toBe(before)
  })
})

describe('status --device … --watch ends on a failed poll (clear error, documented exit), never loops or hangs', () => {
  const v = useVendorHome(['205.251.233.121', '205.251.233.122'], { insideCidrs: ['169.254.249.16/30', '169.254.249.20/30'] })
  const watch = (replay: Replay, json: boolean) =>
    runStatusCli({ home: v.home, kind: 'cisco-ios', host: `admin@127.0.0.1:${replay.port}`, extra: ['--allow-legacy-ssh', '--enable-password-env', 'EN', '--watch', '--interval', '5', ...(json ? ['--json'] : [])], env: { EN: ENABLE }, signal: new AbortController().signal })

  it('the device drops the session in the middle of the second sample: exit 1 at once (not after the prompt timeout), the reason on stderr', async () => {
    const replay = await startReplay('cisco-ios', { shellsServed: 1 })
    try {
      const r = await watch(replay, false)
      expect(r.code, r.stderr).toBe(EXIT.failed)
      expect(r.stdout.match(/^--- /gm)).toHaveLength(1)
      expect(r.stderr).toMatch(/the watch stopped at .* after 1 sample\(s\): The cisco-ios closed the session/)
      expect(r.stderr).toMatch(/Fix: /)
      // Noticed when the device closed it, not by waiting out the prompt timeout (that error says "did not show").
      expect(r.stderr).not.toMatch(/did not show its prompt/)
      expect(r.stdout + r.stderr).not.toContain(ENABLE)
      expect(r.stdout + r.stderr).not.toContain(LOGIN)
    } finally {
      await replay.close()
    }
  })

  it('the device closes the idle session and then refuses the login: exit 4 (cannot connect or authenticate), last NDJSON line says so', async () => {
    const replay = await startReplay('cisco-ios', { endConnectionAfterShells: 1, loginsAllowed: 1 })
    try {
      const r = await watch(replay, true)
      expect(r.code, r.stderr).toBe(EXIT.connect)
      const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { format: string; ok?: boolean; exitCode?: number; error?: { code: string; message: string }; tunnels?: unknown[] })
      expect(lines).toHaveLength(2)
      expect(lines[0]).toMatchObject({ format: 'tunnelwright/status-event@1', trigger: 'initial', mode: 'polling', device: { kind: 'cisco-ios', readOnly: true, intervalSec: 5 } })
      expect(lines[0]!.tunnels).toHaveLength(2)
      expect(lines[1]).toMatchObject({ format: 'tunnelwright/status-event@1', ok: false, exitCode: EXIT.connect, error: { code: 'ssh-auth-failed' } })
      expect(r.stderr).toMatch(/the watch stopped/)
      expect(r.stdout + r.stderr).not.toContain(ENABLE)
      expect(r.stdout + r.stderr).not.toContain(LOGIN)
    } finally {
      await replay.close()
    }
  })
})

// PAN-OS, Junos and FortiOS over SSH end to end (CLI → core → ssh2 → the replay): the published outputs of
// PAN-OS (VyOS docs) and Junos (AWS NAG) behind their published prompts; FortiOS from Fortinet's administration
// guide, over exec channels. These replays offer current SSH algorithms only, so no
// --allow-legacy-ssh is needed, and none of them has an enable mode.
describe.each([
  {
    kind: 'paloalto',
    peers: ['10.0.1.2', '198.51.100.77'],
    code: EXIT.failed,
    tunnels: [['10.0.1.2', 'ESTABLISHED', 'healthy'], ['198.51.100.77', 'NONE', 'down']],
    // PAN-OS: the pager is turned off for this CLI session first.
    received: ['set cli pager off', 'show vpn ike-sa', 'show vpn ipsec-sa', 'exit'],
  },
  {
    kind: 'juniper-srx',
    peers: ['72.21.209.225', '72.21.209.193'],
    code: EXIT.ok,
    tunnels: [['72.21.209.225', 'ESTABLISHED', 'healthy'], ['72.21.209.193', 'ESTABLISHED', 'healthy']],
    // Junos: no session-wide pager command; "| no-more" on each line; then each SA's ESP counters, by the indexes
    // the SA table listed (the replay answers those with nothing: AWS published none, so the st0 packets remain).
    received: [
      'show security ike security-associations | no-more',
      'show security ipsec security-associations | no-more',
      'show security ipsec inactive-tunnels | no-more',
      'show interfaces st0.101 | no-more',
      'show interfaces st0.102 | no-more',
      'show security ipsec statistics index 131073 | no-more',
      'show security ipsec statistics index 131074 | no-more',
      'exit',
    ],
  },
  {
    kind: 'fortigate',
    peers: ['172.16.208.2', '172.16.210.2'],
    code: EXIT.failed,
    tunnels: [['172.16.208.2', 'ESTABLISHED', 'healthy'], ['172.16.210.2', 'DOWN', 'down']],
    // FortiOS: one exec channel per command (no pager there, nothing to turn off), no shell at all.
    received: ['get vpn ipsec tunnel summary'],
  },
] as const)('tunnelwright status --device $kind (replayed session)', ({ kind, peers, code, tunnels, received }) => {
  const v = useVendorHome([peers[0], peers[1]], { kind })

  it('reads both tunnels into the shared model, sends only the read-only lines, exits as cli.md says', async () => {
    const { code: exit, ...out } = await runStatusCli({ home: v.home, kind, host: `admin@127.0.0.1:${v.replay.port}`, extra: ['--json'] })
    expect(exit, out.stderr).toBe(code)
    const json = JSON.parse(out.stdout) as { source: string; device: string; tunnels: { peer: string; name: string; ikeState: string; health: { verdict: string } }[] }
    expect(json).toMatchObject({ source: 'vendor', device: kind })
    expect(json.tunnels.map((t) => [t.peer, t.ikeState, t.health.verdict])).toEqual(tunnels)
    expect(json.tunnels.map((t) => t.name)).toEqual(['agency-t1', 'agency-t2'])
    expect(v.replay.received).toEqual(received)
    for (const line of v.replay.received.filter((l) => l !== 'exit')) expect(isReadOnlyVendorLine(line), line).toBe(true)
    expect(out.stdout + out.stderr).not.toContain(LOGIN)
    expect(out.stderr).not.toMatch(/older SSH algorithms/)
  })
})
