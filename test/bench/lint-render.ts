// Lint + render of every device kind: one details file, and 1,000 random ones.
import fc from 'fast-check'
import { lintDetails } from '../../main/core/details/lint'
import { Details } from '../../main/core/details/model'
import { toRenderInput, type SecretSources } from '../../main/core/details/resolve'
import { renderDevice, resolveTemplatesDir, type RenderKind } from '../../main/core/render'
import { detailsArbitraries, sampleDetails } from '../support/render-sample'
import { type Figure, stats } from './report'

const KINDS: RenderKind[] = ['strongswan', 'strongswan-legacy', 'libreswan', 'openswan', 'pfsense']
const sources: SecretSources = { env: {}, readFile: () => '' }

function once(details: Details, templatesDir: string): number {
  const t0 = performance.now()
  lintDetails(details, { sources })
  for (const kind of KINDS) {
    for (const routing of ['policy', 'route'] as const) {
      try {
        renderDevice(toRenderInput(details, { routing, sources }), kind, { templatesDir })
      } catch {
        // a combination the renderer refuses (e.g. pfSense route-based limits) still counts its work
      }
    }
  }
  return performance.now() - t0
}

/** Lint + render timings. */
export async function benchLintRender(): Promise<Figure[]> {
  const templatesDir = resolveTemplatesDir()
  const one = Details.parse(sampleDetails())
  once(one, templatesDir) // warm: template files read and cached
  const runs = Array.from({ length: 50 }, () => once(one, templatesDir))
  const s = stats(runs)
  const { details: arb } = detailsArbitraries(fc)
  const samples = fc.sample(arb, { numRuns: 1000, seed: 42 }).map((d) => {
    const parsed = Details.safeParse(sampleDetails(d as Parameters<typeof sampleDetails>[0]))
    return parsed.success ? parsed.data : one
  })
  const t0 = performance.now()
  for (const d of samples) once(d, templatesDir)
  const total = performance.now() - t0
  return [
    { name: 'lint + render, all 5 kinds × 2 modes, one file (median)', value: s.median, unit: 'ms', target: '≪ 50 ms' },
    { name: 'same, max of 50', value: s.max, unit: 'ms' },
    { name: '1,000 random details files, total', value: total, unit: 'ms' },
    { name: '1,000 random details files, per file', value: total / samples.length, unit: 'ms' },
  ]
}
