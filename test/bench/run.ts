// `npm run bench`: performance figures and ratios, printed (and saved to bench-results/latest.json).
// Never an assertion: the targets from the issues are printed beside each figure for a human to judge.
//
//   npm run bench                 every section that can run here
//   npm run bench -- lint apply   only those sections
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { benchApply } from './apply'
import { benchCheck } from './check'
import { benchLintRender } from './lint-render'
import { type Figure, printFigures } from './report'
import { benchRenderer } from './renderer'
import { benchStatus } from './status'

const SECTIONS: Record<string, () => Promise<Figure[]>> = {
  lint: benchLintRender,
  apply: benchApply,
  check: benchCheck,
  status: benchStatus,
  renderer: benchRenderer,
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'))
  const names = wanted.length > 0 ? wanted : Object.keys(SECTIONS)
  const all: Figure[] = []
  for (const name of names) {
    const run = SECTIONS[name]
    if (!run) {
      console.error(`unknown section ${name}; sections: ${Object.keys(SECTIONS).join(', ')}`)
      process.exitCode = 2
      return
    }
    console.log(`\n== ${name}`)
    const t0 = performance.now()
    try {
      const figures = await run()
      printFigures(figures)
      all.push(...figures.map((f) => ({ ...f, section: name })))
    } catch (err) {
      console.log(`  (section ${name} could not run: ${err instanceof Error ? err.message : String(err)})`)
    }
    console.log(`  [${name} took ${((performance.now() - t0) / 1000).toFixed(1)} s]`)
  }
  const dir = join(process.cwd(), 'bench-results')
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'latest.json'), `${JSON.stringify({ at: new Date().toISOString(), node: process.version, figures: all }, null, 2)}\n`)
  console.log(`\nSaved bench-results/latest.json`)
}

void main()
