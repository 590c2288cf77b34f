// quoteSh against real shells on this machine: whatever the argument, `printf %s <quoted>` prints it back.
import { spawnSync } from 'node:child_process'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { quoteSh, toShellLine } from '../../main/core/ssh/quote'
import { gate, missing } from '../support/gate'

const shells = ['/bin/sh', '/bin/bash'].filter((s) => missing({ executables: [s] }) === undefined)
const g = gate('ssh-quote', shells.length === 0 ? 'needs /bin/sh' : undefined)

function echoThrough(shell: string, args: readonly string[]): Buffer {
  const r = spawnSync(shell, ['-c', toShellLine(['printf', '%s|', ...args])], { env: { PATH: '/usr/bin:/bin', LC_ALL: 'C.UTF-8' } })
  if (r.status !== 0) throw new Error(`${shell} failed: ${r.stderr.toString()}`)
  return r.stdout
}

const hostile = fc.oneof(
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.constantFrom("'", '"', '\\', '$', '`', ';', '\n', '|', '&', '*', '?', '~', '#', ' ', '\t', '!', '{a,b}', '$(id)', '=', '-e', '\r') }),
).filter((s) => !s.includes('\0'))

describe.skipIf(g.skip)('quoteSh', () => {
  it.each(shells)('%s gets back exactly the bytes (fast-check)', (shell) => {
    fc.assert(
      fc.property(fc.array(hostile, { minLength: 1, maxLength: 6 }), (args) => {
        expect(echoThrough(shell, args).equals(Buffer.from(args.map((a) => `${a}|`).join(''), 'utf8'))).toBe(true)
      }),
      { numRuns: 150 },
    )
  })

  it('leaves plain words bare and quotes everything else', () => {
    expect(quoteSh('/etc/swanctl/conf.d/aws.conf')).toBe('/etc/swanctl/conf.d/aws.conf')
    expect(quoteSh('--list-sas')).toBe('--list-sas')
    expect(quoteSh('')).toBe("''")
    expect(quoteSh("it's")).toBe(`'it'\\''s'`)
    expect(quoteSh('~root')).toBe("'~root'")
    expect(quoteSh('a b')).toBe("'a b'")
    expect(quoteSh('=x')).toBe("'=x'")
  })

  it('refuses NUL, which no shell argument can carry', () => {
    expect(() => quoteSh('a\0b')).toThrow(/NUL/)
  })
})
