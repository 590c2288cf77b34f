// Line diffs for the plan: what a file looks like now versus what we will write.

/** One line of a diff. */
export interface DiffLine {
  readonly op: ' ' | '+' | '-'
  readonly text: string
}

function splitLines(text: string): string[] {
  if (text === '') return []
  const lines = text.split('\n')
  if (lines[lines.length - 1] === '') lines.pop()
  return lines
}

/** Myers' O(ND) shortest edit script between two texts, line by line. */
export function diffLines(before: string, after: string): DiffLine[] {
  const a = splitLines(before)
  const b = splitLines(after)
  const n = a.length
  const m = b.length
  const max = n + m
  const v = new Map<number, number>([[1, 0]])
  const trace: Map<number, number>[] = []
  outer: for (let d = 0; d <= max; d++) {
    trace.push(new Map(v))
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && (v.get(k - 1) ?? -1) < (v.get(k + 1) ?? -1)) ? (v.get(k + 1) ?? 0) : (v.get(k - 1) ?? 0) + 1
      let y = x - k
      while (x < n && y < m && a[x] === b[y]) {
        x++
        y++
      }
      v.set(k, x)
      if (x >= n && y >= m) break outer
    }
  }
  const out: DiffLine[] = []
  let x = n
  let y = m
  for (let d = trace.length - 1; d >= 0; d--) {
    const vd = trace[d]!
    const k = x - y
    const prevK = k === -d || (k !== d && (vd.get(k - 1) ?? -1) < (vd.get(k + 1) ?? -1)) ? k + 1 : k - 1
    const prevX = vd.get(prevK) ?? 0
    const prevY = prevX - prevK
    while (x > prevX && y > prevY) {
      out.push({ op: ' ', text: a[--x]! })
      y--
    }
    if (d > 0) {
      if (x === prevX) out.push({ op: '+', text: b[--y]! })
      else out.push({ op: '-', text: a[--x]! })
    }
  }
  return out.reverse()
}

/** A unified diff (`--- a` / `+++ b` / `@@` hunks with `context` lines around changes); '' when equal. */
export function unifiedDiff(path: string, before: string | undefined, after: string | undefined, context = 3): string {
  const lines = diffLines(before ?? '', after ?? '')
  if (lines.every((l) => l.op === ' ')) return ''
  const header = `--- ${before === undefined ? '/dev/null' : `a${path}`}\n+++ ${after === undefined ? '/dev/null' : `b${path}`}\n`
  const hunks: string[] = []
  let i = 0
  let aLine = 1
  let bLine = 1
  const counters: Array<{ a: number; b: number }> = []
  for (const l of lines) {
    counters.push({ a: aLine, b: bLine })
    if (l.op !== '+') aLine++
    if (l.op !== '-') bLine++
  }
  while (i < lines.length) {
    if (lines[i]!.op === ' ') {
      i++
      continue
    }
    const start = Math.max(0, i - context)
    let end = i
    // Extend the hunk while changes are within 2*context of each other.
    for (let j = i; j < lines.length; j++) {
      if (lines[j]!.op !== ' ') end = j
      else if (j - end > 2 * context) break
    }
    end = Math.min(lines.length - 1, end + context)
    const slice = lines.slice(start, end + 1)
    const aCount = slice.filter((l) => l.op !== '+').length
    const bCount = slice.filter((l) => l.op !== '-').length
    const aStart = aCount === 0 ? counters[start]!.a - 1 : counters[start]!.a
    const bStart = bCount === 0 ? counters[start]!.b - 1 : counters[start]!.b
    hunks.push(`@@ -${aStart},${aCount} +${bStart},${bCount} @@\n${slice.map((l) => `${l.op}${l.text}`).join('\n')}\n`)
    i = end + 1
  }
  return header + hunks.join('')
}
