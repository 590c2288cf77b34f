import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { diffLines, unifiedDiff } from '../../main/core/apply/diff'

function applyDiff(before: string, lines: ReturnType<typeof diffLines>): string[] {
  void before
  return lines.filter((l) => l.op !== '-').map((l) => l.text)
}

describe('plan diffs', () => {
  it('an unchanged file has no diff', () => {
    expect(unifiedDiff('/etc/x.conf', 'a\nb\n', 'a\nb\n')).toBe('')
  })

  it('diffLines reconstructs both sides (property)', () => {
    const text = fc.array(fc.constantFrom('a', 'b', 'c', 'conn x {', '}', ''), { maxLength: 30 }).map((l) => l.join('\n'))
    fc.assert(
      fc.property(text, text, (x, y) => {
        const d = diffLines(x, y)
        const lines = (s: string) => (s === '' ? [] : s.split('\n').filter((_, i, arr) => !(i === arr.length - 1 && arr[i] === '')))
        expect(d.filter((l) => l.op !== '+').map((l) => l.text)).toEqual(lines(x))
        expect(applyDiff(x, d)).toEqual(lines(y))
      }),
      { numRuns: 2000 },
    )
  })

  it('the unified diff applies with GNU patch and yields the new file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-diff-'))
    const before = Array.from({ length: 40 }, (_, i) => `line ${i}`).join('\n') + '\n'
    const after = before.replace('line 3\n', 'line three\n').replace('line 30\n', '').concat('tail\n')
    writeFileSync(join(dir, 'f.conf'), before)
    writeFileSync(join(dir, 'p.diff'), unifiedDiff('/f.conf', before, after))
    const r = spawnSync('patch', ['-p1', '-d', dir, '-i', join(dir, 'p.diff')], { encoding: 'utf8' })
    if (r.error) throw new Error('GNU patch is needed for this test (apt-get install patch)')
    expect(r.status, r.stderr + r.stdout).toBe(0)
    expect(spawnSync('cat', [join(dir, 'f.conf')], { encoding: 'utf8' }).stdout).toBe(after)
  })

  it('a new file diffs against /dev/null', () => {
    expect(unifiedDiff('/etc/new.conf', undefined, 'x\n')).toBe('--- /dev/null\n+++ b/etc/new.conf\n@@ -0,0 +1,1 @@\n+x\n')
  })
})
