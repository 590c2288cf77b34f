import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { EXIT, runCli } from '../../main/cli/index'
import pkg from '../../package.json'

function capture() {
  const out = { stdout: '', stderr: '' }
  const io = { stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t), env: {} }
  return { out, io }
}

describe('tunnelwright CLI', () => {
  it('--help prints usage on stdout and exits 0', async () => {
    const { out, io } = capture()
    expect(await runCli(['--help'], io)).toBe(EXIT.ok)
    expect(out.stdout).toMatch(/^Usage: tunnelwright <command>/)
    for (const cmd of ['lint', 'render', 'check', 'plan', 'apply', 'status', 'rollback', 'import']) expect(out.stdout).toContain(`  ${cmd} `)
  })

  it('--version prints the package version', async () => {
    const { out, io } = capture()
    expect(await runCli(['--version'], io)).toBe(EXIT.ok)
    expect(out.stdout.trim()).toBe(pkg.version)
  })

  it('an unknown command exits 2 with usage on stderr and nothing on stdout', async () => {
    const { out, io } = capture()
    expect(await runCli(['frobnicate'], io)).toBe(EXIT.usage)
    expect(out.stderr).toContain("unknown command 'frobnicate'")
    expect(out.stderr).toContain('Usage:')
    expect(out.stdout).toBe('')
  })

  it('`<command> --help` prints that command\'s own usage on stdout and exits 0, whatever else is on the line', async () => {
    for (const cmd of ['lint', 'render', 'check', 'plan', 'apply', 'status', 'rollback', 'import']) {
      const { out, io } = capture()
      expect(await runCli([cmd, '--help'], io), cmd).toBe(EXIT.ok)
      expect(out.stdout, cmd).toMatch(new RegExp(`^Usage: tunnelwright ${cmd} `))
      expect(out.stderr).toBe('')
    }
    const { out, io } = capture()
    expect(await runCli(['apply', '--details', 'x.json', '--help'], io)).toBe(EXIT.ok)
    expect(out.stdout).toMatch(/--confirm-within SECONDS/)
    expect(out.stdout).toMatch(/30–900 s/)
  })

  it('an unknown command with --json writes one error document (exit 2)', async () => {
    const { out, io } = capture()
    expect(await runCli(['frob', '--json'], io)).toBe(EXIT.usage)
    expect(JSON.parse(out.stdout)).toMatchObject({ ok: false, exitCode: 2, error: { message: "unknown command 'frob'" } })
  })

  it('--json with no command (found by the CLI fuzz) still writes one error document (exit 2)', async () => {
    for (const argv of [['--json'], ['--json', '--yes'], ['--force', '--json']]) {
      const { out, io } = capture()
      expect(await runCli(argv, io), argv.join(' ')).toBe(EXIT.usage)
      expect(JSON.parse(out.stdout)).toMatchObject({ format: 'tunnelwright/cli@1', ok: false, exitCode: 2, error: { message: `no command before '${argv[0]}'` } })
    }
  })

  it('--confirm-within outside the core\'s bounds (30-900 s) is a usage error, for apply and for check --fix', async () => {
    for (const argv of [['apply', '--details', 'd.json', '--host', 'h', '--confirm-within', '20'], ['apply', '--details', 'd.json', '--host', 'h', '--confirm-within', '901'], ['check', '--details', 'd.json', '--host', 'h', '--fix', 'x', '--confirm-within', '1e2']]) {
      const { out, io } = capture()
      expect(await runCli(argv, io), argv.join(' ')).toBe(EXIT.usage)
      expect(out.stderr).toMatch(/from 30 to 900/)
    }
  })

  it('a port out of range is a usage error (exit 2), before any connection', async () => {
    const { out, io } = capture()
    expect(await runCli(['rollback', '--host', 'root@h:99999', '--yes'], io)).toBe(EXIT.usage)
    expect(out.stderr).toMatch(/not a (host|port).*1 to 65535/)
  })

  it('human output cannot carry terminal control sequences planted in input; --json keeps them escaped as JSON', async () => {
    const { out, io } = capture()
    expect(await runCli(['lint', '--details', '/nonexistent/\u001b]0;pwned\u0007\u001b[2J.json'], io)).toBe(EXIT.usage)
    // eslint-disable-next-line no-control-regex -- the point: no ESC or BEL may reach the terminal
    expect(out.stderr).not.toMatch(/[\u001b\u0007]/)
    expect(out.stderr).toContain('\\u001b')
  })

  it('no command at all is a usage error', async () => {
    const { io } = capture()
    expect(await runCli([], io)).toBe(EXIT.usage)
  })

  it('the installed bin runs the built CLI', () => {
    const r = spawnSync(process.execPath, [join(__dirname, '../../main/bin/tunnelwright.cjs'), '--version'], { encoding: 'utf8' })
    expect(r.status).toBe(0)
    expect(r.stdout.trim()).toBe(pkg.version)
    const bad = spawnSync(process.execPath, [join(__dirname, '../../main/bin/tunnelwright.cjs'), 'nope'], { encoding: 'utf8' })
    expect(bad.status).toBe(2)
  })
})

describe('--json failures', () => {
  it('a failing command with --json still puts exactly one JSON document on stdout', async () => {
    const { out, io } = capture()
    const code = await runCli(['plan', '--details', '/nonexistent/details.json', '--host', 'root@127.0.0.1:1', '--json'], io)
    expect(code).toBe(EXIT.usage)
    const doc = JSON.parse(out.stdout)
    expect(doc).toMatchObject({ format: 'tunnelwright/plan@1', ok: false, exitCode: 2 })
    expect(doc.error.message).toMatch(/details/)
  })
})
