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
