import { useEffect, useRef } from 'react'
import type uPlot from 'uplot'
import { toRate, type Sample } from './status-store'

/** The throughput chart of one tunnel; uPlot and its CSS load only when a chart is first shown. */
export function ThroughputChart({ samples, label }: { readonly samples: readonly Sample[]; readonly label: string }) {
  const box = useRef<HTMLDivElement>(null)
  const plot = useRef<uPlot | undefined>(undefined)
  useEffect(() => {
    let dead = false
    void Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css')]).then(([mod]) => {
      if (dead || !box.current) return
      const UPlot = mod.default
      plot.current = new UPlot(
        {
          width: Math.max(280, box.current.clientWidth || 480),
          height: 180,
          series: [{}, { label: 'In', stroke: '#005ea2', width: 2 }, { label: 'Out', stroke: '#b50909', width: 2, dash: [6, 4] }],
          // toRate, not whole KB/s: a keepalive's few bytes per second labelled every tick "0 KB/s".
          axes: [{}, { values: (_u, vals) => vals.map((v) => toRate(v)), size: 70 }],
        },
        [[], [], []],
        box.current,
      )
    })
    return () => {
      dead = true
      plot.current?.destroy()
      plot.current = undefined
    }
  }, [])
  useEffect(() => {
    plot.current?.setData([samples.map((s) => s[0]), samples.map((s) => s[1]), samples.map((s) => s[2])])
  }, [samples])
  const last = samples.at(-1)
  return (
    <figure className="margin-0">
      <div ref={box} className="tw-chart" role="img" aria-label={`${label}: throughput over the last ${samples.length} samples${last ? `, now ${Math.round(last[1])} bytes per second in and ${Math.round(last[2])} out` : ''}`} />
      <figcaption className="usa-hint">Throughput in (solid) and out (dashed)</figcaption>
    </figure>
  )
}
