// Windows Server read-only status over SSH, against a replay server. STAND-IN, on purpose: there is no Windows on
// this machine (no Windows OpenSSH Server, no powershell.exe, no RRAS), so test/support/vendor-replay.ts answers
// the exec requests a Windows OpenSSH Server would get, `powershell.exe … -EncodedCommand <base64>`, by decoding the
// script and replaying the windows-server fixtures for the cmdlet it runs (what is published and what is
// HANDWRITTEN is said there and in the fixtures README). The real client side runs unchanged: connect() with a
// host-key policy and password login, one exec channel per cmdlet, stderr and exit status read, the parsers.
import { createServer } from 'node:net'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EXIT } from '../../main/cli/index'
import { redactPatterns } from '../../main/core/base/redact'
import { Secret } from '../../main/core/base/secret'
import { SshError } from '../../main/core/ssh/errors'
import { connect } from '../../main/core/ssh/session'
import { isReadOnlyVendorLine } from '../../main/core/status/vendor'
import { readVendorStatusOverShell } from '../../main/core/status/vendor/ssh'
import { isReadOnlyPowerShellLine, toPowerShellErrorText, toPowerShellExec, toWindowsOutput, WINDOWS_STATUS_COMMANDS } from '../../main/core/status/vendor/windows'
import { decodeEncodedCommand, REPLAY_LOGIN as LOGIN, startReplay, type ReplayFaults } from '../support/vendor-replay'
import { runStatusCli, useVendorHome } from '../support/vendor-home'

const PEERS = ['52.1.2.3', '52.1.2.4'] as const
const details = (ikeVersion: 1 | 2) => ({ name: 'HQ east', crypto: { ikeVersion }, remote: { tunnels: PEERS.map((outsideIp, i) => ({ outsideIp, insideCidr: `169.254.1${i}.0/30` })) } }) as never

describe('the PowerShell exec line', () => {
  it('is powershell.exe with the script base64-encoded (UTF-16LE): nothing in it for cmd.exe or PowerShell to interpret', () => {
    for (const c of WINDOWS_STATUS_COMMANDS) {
      const line = toPowerShellExec(c.line)
      expect(line).toMatch(/^powershell\.exe -NoProfile -NonInteractive -EncodedCommand [A-Za-z0-9+/]+=*$/)
      expect(decodeEncodedCommand(line)).toBe(`$ProgressPreference = 'SilentlyContinue'; ${c.line}`)
      expect(isReadOnlyVendorLine(c.line)).toBe(true)
    }
  })

  it('refuses anything but one listed Get- cmdlet', () => {
    for (const bad of ['Remove-VpnS2SInterface | Format-List -Property *', 'Get-VpnS2SInterface; Stop-Service sshd | Format-List -Property *', 'Get-X | Format-List -Property * | Out-File c:\\x', 'Set-NetIPsecRule | Format-List -Property *']) {
      expect(isReadOnlyPowerShellLine(bad), bad).toBe(false)
      expect(() => toPowerShellExec(bad)).toThrow(/not a read-only PowerShell line/)
    }
  })

  it("reads PowerShell's CLIXML error stream as published in PowerShell issue 16678 (ssh -T, -EncodedCommand)", () => {
    // Verbatim from github.com/PowerShell/PowerShell/issues/16678 ("Actual output in stderr").
    const published = '#< CLIXML\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04"><S S="Error">_x001B_[91mWrite-Error: _x001B_[91mboomed_x001B_[0m_x000A_</S></Objs>'
    expect(toPowerShellErrorText(published)).toContain('Write-Error: ')
    expect(toPowerShellErrorText(published)).toContain('boomed')
    // A failure that says nothing recognisable is still an error with PowerShell's own first line, control characters cut.
    const err = (() => {
      try {
        toWindowsOutput('mm', WINDOWS_STATUS_COMMANDS[1].line, { stdout: '', stderr: published, code: 1 }, { rrasExpected: true })
      } catch (e) {
        return e as SshError
      }
    })()
    expect(err).toBeInstanceOf(SshError)
    expect(err!.message).toMatch(/^Windows Server: Get-NetIPsecMainModeSA failed \(exit 1\): .*Write-Error: .*boomed/)
    expect(err!.message).not.toContain(String.fromCharCode(0x1b))
  })
})

describe('Windows Server status over SSH (replayed exec requests)', () => {
  let storeDir: string
  beforeAll(() => void (storeDir = mkdtempSync(join(tmpdir(), 'tw-windows-ssh-'))))
  afterAll(() => rmSync(storeDir, { recursive: true, force: true }))

  const sample = async (faults: ReplayFaults, ikeVersion: 1 | 2) => {
    const replay = await startReplay('windows-server', faults)
    const session = await connect({ host: '127.0.0.1', port: replay.port, username: 'Administrator', auth: { kind: 'password', password: new Secret(LOGIN) } }, { storeDir, accept: 'first-use' }, { readyTimeoutMs: 10_000 })
    try {
      const result = await readVendorStatusOverShell(() => session.openShell(), 'windows-server', details(ikeVersion), { at: 1_000, timeoutMs: 10_000, openExec: (line) => session.openExec(line) }).catch((e: unknown) => e)
      return { result, replay }
    } finally {
      await session.close()
      await replay.close()
    }
  }

  it('password login, three read-only cmdlets through powershell.exe, no shell: tunnel 1 up (RRAS Connected, IKEv1 SAs), tunnel 2 stuck connecting', async () => {
    const { result: r, replay } = await sample({}, 2)
    if (r instanceof Error) throw r
    const reading = r as Awaited<ReturnType<typeof readVendorStatusOverShell>>
    expect(reading.source).toBe('windows-server')
    expect(reading.snapshot.source).toBe('vendor')
    expect(reading.snapshot.tunnels.map((t) => [t.name, t.peer, t.up, t.ikeState])).toEqual([
      ['hq-east-t1', '52.1.2.3', true, 'ESTABLISHED'],
      ['hq-east-t2', '52.1.2.4', false, 'CONNECTING'],
    ])
    // The decimal SPIs of Get-NetIPsecQuickModeSA, as the model's hex.
    expect(reading.snapshot.tunnels[0]).toMatchObject({ spiIn: 'cafe0000', spiOut: 'abcdef01' })
    expect(reading.diagnoses.map((d) => [d.id, d.tunnel])).toContainEqual(['ike-no-answer', 'hq-east-t2'])
    expect(reading.diagnoses.find((d) => d.id === 'ike-no-answer')?.evidence.join(' ')).toMatch(/Connecting \(error 13801\)/)
    // The redactor the app passes diagnoses through must leave their words whole ("PSK with" read as a key once).
    for (const d of reading.diagnoses) expect(redactPatterns(`${d.cause} ${d.fix}`)).toBe(`${d.cause} ${d.fix}`)
    // Exactly the three catalog cmdlets, each on its own exec channel, each a read-only Get- line once decoded.
    expect(replay.received.map((l) => decodeEncodedCommand(l)?.replace("$ProgressPreference = 'SilentlyContinue'; ", ''))).toEqual(WINDOWS_STATUS_COMMANDS.map((c) => c.line))
  })

  it('RemoteAccess module missing with IKEv2 (RRAS) details: a clear error naming the module and how to install it', async () => {
    const { result: err } = await sample({ windows: { fail: 'module-missing', cmdlet: 'Get-VpnS2SInterface' } }, 2)
    expect(err).toBeInstanceOf(SshError)
    expect((err as SshError).code).toBe('ssh-command-failed')
    expect((err as SshError).message).toMatch(/no RemoteAccess PowerShell module: Get-VpnS2SInterface is not recognized/)
    expect((err as SshError).fix).toMatch(/Install-WindowsFeature RemoteAccess, Routing -IncludeManagementTools/)
  })

  it('RemoteAccess module missing with IKEv1 details (connection security rules, no RRAS): no error, the tunnel read from the SA cmdlets', async () => {
    const { result: r } = await sample({ windows: { fail: 'module-missing', cmdlet: 'Get-VpnS2SInterface' } }, 1)
    if (r instanceof Error) throw r
    const reading = r as Awaited<ReturnType<typeof readVendorStatusOverShell>>
    expect(reading.snapshot.tunnels.map((t) => [t.peer, t.up])).toEqual([['52.1.2.3', true], ['52.1.2.4', false]])
    expect(reading.diagnoses.map((d) => [d.id, d.tunnel])).toContainEqual(['not-reinitiated', 'hq-east-t2'])
  })

  it('NetSecurity cmdlet missing: a clear error (an older Windows), whatever the IKE version', async () => {
    const { result: err } = await sample({ windows: { fail: 'module-missing', cmdlet: 'Get-NetIPsecMainModeSA' } }, 1)
    expect((err as SshError).message).toMatch(/no NetSecurity PowerShell module: Get-NetIPsecMainModeSA/)
  })

  it('not an administrator (access denied): says so and that nothing is changed', async () => {
    const { result: err } = await sample({ windows: { fail: 'access-denied' } }, 2)
    expect(err).toBeInstanceOf(SshError)
    expect((err as SshError).message).toBe('Windows Server refused Get-VpnS2SInterface for this account: access denied.')
    expect((err as SshError).likelyCause).toMatch(/local Administrators group/)
    expect((err as SshError).fix).toMatch(/nothing on the server is changed/)
  })

  it('no powershell.exe (not Windows): says the device kind or address is likely wrong', async () => {
    const { result: err } = await sample({ windows: { fail: 'not-windows' } }, 2)
    expect((err as SshError).message).toMatch(/did not start powershell\.exe \('powershell\.exe' is not recognized as an internal or external command/)
    expect((err as SshError).likelyCause).toMatch(/not a Windows Server/)
  })
})

describe('tunnelwright status --device windows-server (replayed exec requests)', () => {
  const v = useVendorHome([PEERS[0], PEERS[1]], { kind: 'windows-server' })
  const run = (extra: string[], port = v.replay.port, abortOnOutput?: AbortController) => runStatusCli({ home: v.home, kind: 'windows-server', host: `Administrator@127.0.0.1:${port}`, extra, ...(abortOnOutput ? { abortOnOutput } : {}) })

  it('both tunnels in the JSON of cli.md, tunnel 2 down: exit 1; the password never printed', async () => {
    const r = await run(['--json'])
    expect(r.code, r.stderr).toBe(EXIT.failed)
    const json = JSON.parse(r.stdout) as { source: string; device: string; tunnels: { peer: string; ikeState: string; health: { verdict: string } }[] }
    expect(json).toMatchObject({ source: 'vendor', device: 'windows-server' })
    expect(json.tunnels.map((t) => [t.peer, t.ikeState, t.health.verdict])).toEqual([['52.1.2.3', 'ESTABLISHED', 'healthy'], ['52.1.2.4', 'CONNECTING', 'down']])
    expect(r.stdout + r.stderr).not.toContain(LOGIN)
  })

  it('--watch --interval polls at the chosen interval and stops on Ctrl-C after the first sample', async () => {
    const r = await run(['--json', '--watch', '--interval', '7'], v.replay.port, new AbortController())
    expect(r.code, r.stderr).toBe(EXIT.ok)
    expect(JSON.parse(r.stdout)).toMatchObject({ device: { kind: 'windows-server', readOnly: true, intervalSec: 7 } })
    expect(r.stderr).toMatch(/polling the windows-server's Get- cmdlets every 7 s/)
  })

  it('OpenSSH not enabled (nothing listens on the port): exit 4, and the fix says how to enable OpenSSH Server', async () => {
    // A port that was just free on loopback: bound, then closed, so the connection is refused.
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port
        s.close(() => resolve(p))
      })
    })
    for (const extra of [[], ['--watch']]) {
      const r = await run(extra, port)
      expect(r.code, r.stderr).toBe(EXIT.connect)
      expect(r.stderr).toMatch(/ECONNREFUSED/)
      expect(r.stderr).toMatch(/Add-WindowsCapability -Online -Name OpenSSH\.Server~~~~0\.0\.1\.0/)
    }
  })
})
