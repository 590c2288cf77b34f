// Figures as the bench prints them.

/** One measured figure with the issue's target beside it (a target is information, not a pass/fail). */
export interface Figure {
  readonly name: string
  readonly value: number
  readonly unit: string
  readonly target?: string
  readonly note?: string
  readonly section?: string
}

/** Median and maximum of a list of numbers. */
export function stats(xs: readonly number[]): { median: number; max: number; min: number; mean: number } {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
  return { median, max: s[s.length - 1]!, min: s[0]!, mean: s.reduce((a, b) => a + b, 0) / s.length }
}

function fmt(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2)
}

/** Prints figures as an aligned table. */
export function printFigures(figures: readonly Figure[]): void {
  const w = Math.max(...figures.map((f) => f.name.length), 10)
  for (const f of figures) {
    console.log(`  ${f.name.padEnd(w)}  ${fmt(f.value).padStart(9)} ${f.unit.padEnd(6)}${f.target ? `  target ${f.target}` : ''}${f.note ? `  (${f.note})` : ''}`)
  }
}

/** Why a lab section cannot run here, or undefined. */
export function labUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'needs Linux'
  if (process.getuid?.() !== 0) return 'needs root (network namespaces)'
  return undefined
}
