import { useEffect, useRef } from 'react'
import type uPlot from 'uplot'
import type { Sample } from './status-store'
import { toRate } from './status-words'

/** In and out: two colours that differ for colour-blind eyes too, and a dash, so neither rests on colour alone. */
export const SERIES = { in: { stroke: '#005ea2', fill: 'rgba(0, 94, 162, 0.12)', label: 'In (from AWS)' }, out: { stroke: '#c05600', label: 'Out (to AWS)' } } as const

const HEIGHT = 150

/**
 * One tunnel's throughput. Every chart of a board shares `yMax` (one scale: a busy tunnel and an idle one
 * are compared by eye), follows its box's width (no sideways scrolling), and has its own legend in words.
 * uPlot and its CSS load only when a chart is first shown.
 */
export function ThroughputChart({ samples, label, yMax }: { readonly samples: readonly Sample[]; readonly label: string; readonly yMax: number }) {
  const box = useRef<HTMLDivElement>(null)
  const plot = useRef<uPlot | undefined>(undefined)
  const latest = useRef({ samples, yMax })
  latest.current = { samples, yMax }
  useEffect(() => {
    let dead = false
    let observer: ResizeObserver | undefined
    void Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css')]).then(([mod]) => {
      if (dead || !box.current) return
      const UPlot = mod.default
      const el = box.current
      const p = new UPlot(
        {
          width: Math.max(200, el.clientWidth),
          height: HEIGHT,
          legend: { show: false },
          cursor: { show: false },
          scales: { x: { time: true }, y: { range: () => [0, Math.max(1, latest.current.yMax)] } },
          series: [{}, { label: SERIES.in.label, stroke: SERIES.in.stroke, fill: SERIES.in.fill, width: 2 }, { label: SERIES.out.label, stroke: SERIES.out.stroke, width: 2, dash: [6, 4] }],
          // toRate, not whole KB/s: a keepalive's few bytes per second labelled every tick "0 KB/s".
          axes: [{ size: 30 }, { values: (_u, vals) => vals.map((v) => toRate(v)), size: 64 }],
        },
        toData(latest.current.samples),
        el,
      )
      plot.current = p
      observer = new ResizeObserver(() => {
        const w = Math.max(200, el.clientWidth)
        if (w !== p.width) p.setSize({ width: w, height: HEIGHT })
      })
      observer.observe(el)
    })
    return () => {
      dead = true
      observer?.disconnect()
      plot.current?.destroy()
      plot.current = undefined
    }
  }, [])
  useEffect(() => {
    plot.current?.setData(toData(samples))
  }, [samples, yMax])
  const last = samples.at(-1)
  return (
    <figure className="tw-chart-figure" data-y-max={Math.max(1, yMax)}>
      <figcaption className="tw-chart-caption">
        <strong>{label}</strong>
        <span className="tw-legend">
          <span className="tw-legend__item">
            <span className="tw-legend__swatch tw-legend__swatch--in" aria-hidden="true" /> {SERIES.in.label}
            {last ? `: ${toRate(last[1])}` : ''}
          </span>
          <span className="tw-legend__item">
            <span className="tw-legend__swatch tw-legend__swatch--out" aria-hidden="true" /> {SERIES.out.label}
            {last ? `: ${toRate(last[2])}` : ''}
          </span>
        </span>
      </figcaption>
      <div ref={box} className="tw-chart" role="img" aria-label={`${label}: throughput over the last ${samples.length} samples, scale 0 to ${toRate(Math.max(1, yMax))}${last ? `, now ${toRate(last[1])} in and ${toRate(last[2])} out` : ''}`} />
    </figure>
  )
}

function toData(samples: readonly Sample[]): uPlot.AlignedData {
  return [samples.map((s) => s[0]), samples.map((s) => s[1]), samples.map((s) => s[2])]
}
