// The batch script run by the real /bin/sh here, parsed back: per-command exit codes, separate streams,
// exact bytes, commands cannot eat the script from stdin, forged markers do not confuse the parser.
import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { parseBatchOutput, toBatchNonce, toBatchScript } from '../../main/core/ssh/batch'

function runLocally(script: string): { stdout: Buffer; stderr: Buffer; code: number } {
  const r = spawnSync('/bin/sh', [], { input: script, env: { PATH: '/usr/bin:/bin', LC_ALL: 'C.UTF-8' } })
  return { stdout: r.stdout, stderr: r.stderr, code: r.status ?? -1 }
}

describe('runBatch wire format', () => {
  it('frames each command with its exit code and keeps stdout and stderr apart', () => {
    const nonce = toBatchNonce()
    const cmds = [
      { id: 'a', argv: ['printf', '%s', 'out-a'] },
      { id: 'b', argv: ['sh', '-c', 'printf err-b >&2; printf "out-b\\n"; exit 3'] },
      // A command reading stdin gets /dev/null, not the rest of the script.
      { id: 'c', argv: ['cat'] },
      { id: 'd', argv: ['printf', '%s', `${nonce.slice(0, 5)}:E:3:0\nTWB:B:4\n`] },
      { id: 'e', argv: ['false'] },
      { id: 'f', argv: ['printf', '%s', 'tail\n\n'] },
    ]
    const { stdout, stderr, code } = runLocally(toBatchScript(cmds, nonce))
    expect(code).toBe(0)
    const parsed = parseBatchOutput(cmds.map((c) => c.id), stdout, stderr, nonce)
    expect(parsed.complete).toBe(true)
    expect(parsed.results).toEqual([
      { id: 'a', code: 0, stdout: 'out-a', stderr: '' },
      { id: 'b', code: 3, stdout: 'out-b\n', stderr: 'err-b' },
      { id: 'c', code: 0, stdout: '', stderr: '' },
      { id: 'd', code: 0, stdout: `${nonce.slice(0, 5)}:E:3:0\nTWB:B:4\n`, stderr: '' },
      { id: 'e', code: 1, stdout: '', stderr: '' },
      { id: 'f', code: 0, stdout: 'tail\n\n', stderr: '' },
    ])
  })

  it('reports a cut batch as incomplete (code -1 from the first missing frame)', () => {
    const nonce = toBatchNonce()
    const cmds = [
      { id: 'a', argv: ['printf', 'x'] },
      { id: 'kill', argv: ['sh', '-c', 'kill -9 $PPID'] },
      { id: 'never', argv: ['printf', 'y'] },
    ]
    const { stdout, stderr } = runLocally(toBatchScript(cmds, nonce))
    const parsed = parseBatchOutput(cmds.map((c) => c.id), stdout, stderr, nonce)
    expect(parsed.complete).toBe(false)
    expect(parsed.results.map((r) => r.code)).toEqual([0, -1, -1])
  })

  it('makes a fresh 128-bit alphanumeric nonce each time', () => {
    const a = toBatchNonce()
    expect(a).toMatch(/^TWB[0-9a-f]{32}$/)
    expect(toBatchNonce()).not.toBe(a)
    expect(() => toBatchScript([], "x'y")).toThrow()
  })
})
