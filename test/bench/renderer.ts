// The renderer in headless Chromium (Debian's, through playwright-core): what the first step costs to
// download and to become usable, and whether the status dashboard keeps 60 fps with 10 gateways
// streaming. Figures only, never assertions.
//
// The bridge is a synthetic one installed in the page (no main process): the first-step figures need
// only getAppInfo/getSettings, and the status figures need events at a rate no lab can drive for 10
// gateways at once; they arrive through the same onTunnelStatus subscription the UI uses.
import { existsSync, readFileSync, statSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize, resolve } from 'node:path'
import { gzipSync } from 'node:zlib'
import { chromium, type Browser, type Page } from 'playwright-core'
import { CHANNELS, EVENTS } from '../../preload/api'
import { type Figure, stats } from './report'

const CHROMIUM = process.env['PW_CHROMIUM_PATH'] ?? '/usr/bin/chromium'
const ROOT = resolve(process.cwd(), 'out/renderer')
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.woff2': 'font/woff2', '.svg': 'image/svg+xml', '.png': 'image/png', '.jpg': 'image/jpeg' }
const GATEWAYS = 10
const EVENTS_PER_SEC = 5
const WINDOW_MS = 10_000

/** The JS files the first step needs: the entry chunk and, transitively, its static imports (not import()). */
export function toFirstStepChunks(root: string): string[] {
  const html = readFileSync(join(root, 'index.html'), 'utf8')
  const entry = /<script[^>]+type="module"[^>]+src="\.\/([^"]+\.js)"/.exec(html)?.[1]
  if (!entry) throw new Error('no module script in out/renderer/index.html')
  const seen = new Set<string>()
  const visit = (rel: string) => {
    if (seen.has(rel)) return
    seen.add(rel)
    const code = readFileSync(join(root, rel), 'utf8')
    const dir = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/') + 1) : ''
    for (const m of code.matchAll(/\b(?:from|import)\s*["'](\.\/[^"']+\.js)["']/g)) visit(normalize(dir + m[1]!.slice(2)))
  }
  visit(entry)
  return [...seen]
}

function gzipBytes(file: string): number {
  return gzipSync(readFileSync(file), { level: 9 }).length
}

async function serve(): Promise<{ origin: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^([/\\])+/, '')
    const file = join(ROOT, path === '' ? 'index.html' : path)
    if (!file.startsWith(ROOT) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end()
      return
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' })
    res.end(readFileSync(file))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  return { origin: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) }
}

/** What the synthetic bridge is told: method names, event names, gateways, rate. */
interface StubConfig {
  readonly methods: readonly string[]
  readonly events: Readonly<Record<string, string>>
  readonly gateways: number
  readonly hz: number
}

/**
 * Runs in the page before the app: window.tunnelwright with canned answers, a first-step probe
 * (__twInteractive) and, per watched gateway, a timer pushing tunnel:status snapshots at `hz`.
 * Plain JS only: the function is serialized into the page.
 */
function installStubBridge(cfg: StubConfig): void {
  const w = window as unknown as Record<string, unknown>
  const listeners: Record<string, ((p: unknown) => void)[]> = {}
  const dispatch = (event: string, payload: unknown) => {
    for (const cb of listeners[event] ?? []) cb(payload)
  }
  const ok = (value: unknown) => Promise.resolve({ ok: true, value })
  const profiles = Array.from({ length: cfg.gateways }, (_, i) => ({ id: `p-bench${String(i).padStart(4, '0')}`, name: `Gateway ${i + 1}`, host: `gw${i + 1}.example.test`, kind: 'strongswan', updatedAt: '2025-01-01T00:00:00.000Z' }))
  let delivered = 0
  const timers: number[] = []
  const answers: Record<string, (...a: never[]) => Promise<unknown>> = {
    getAppInfo: () => ok({ name: 'Tunnelwright', version: 'bench', deviceKinds: ['strongswan', 'strongswan-legacy', 'libreswan', 'openswan', 'pfsense'], vendorKinds: ['cisco-asa', 'cisco-ios', 'paloalto', 'fortigate', 'juniper-srx', 'windows-server'], vendorPoll: { min: 5, max: 3600, default: 30 }, detailsFormat: 'tunnelwright/details@1' }),
    getSettings: () => ok({ screenShareSafe: false, maskPublicIps: true }),
    updateSettings: () => ok({ screenShareSafe: false, maskPublicIps: true }),
    listProfiles: () => ok(profiles),
    listChangeRecords: () => ok([]),
    listActivity: () => ok([]),
    unwatchStatus: () => ok(undefined),
    watchStatus: ((args: { profileId: string }) => {
      const watchId = `w-${args.profileId.slice(-4).padStart(16, '0')}`
      const idx = profiles.findIndex((p) => p.id === args.profileId)
      let n = 0
      const tick = () => {
        n++
        const at = Date.now()
        const tunnel = (k: number) => {
          const rate = 2000 + 1500 * Math.sin(n / 7 + idx + k)
          return {
            peer: `198.18.${idx}.${10 + k * 10}`,
            name: `gw${idx + 1}-t${k + 1}`,
            up: true,
            ikeState: 'ESTABLISHED',
            ikeAgeSec: Math.floor(n / cfg.hz),
            childState: 'INSTALLED',
            bytesIn: n * 400,
            bytesOut: n * 420,
            packetsIn: n * 4,
            packetsOut: n * 4,
            rates: { bytesInPerSec: rate, bytesOutPerSec: rate * 1.1, packetsInPerSec: 20, packetsOutPerSec: 21 },
            natT: false,
            ikeSaCount: 1,
            childSaCount: 1,
          }
        }
        delivered++
        dispatch('tunnel:status', { watchId, profileId: args.profileId, at, source: 'vici', mode: 'events', tunnels: [tunnel(0), tunnel(1)] })
      }
      // Staggered so the gateways' events interleave as independent sources would.
      window.setTimeout(() => timers.push(window.setInterval(tick, 1000 / cfg.hz)), (idx * 1000) / cfg.hz / cfg.gateways)
      return ok({ watchId })
    }) as never,
  }
  const api: Record<string, unknown> = {}
  for (const m of cfg.methods) {
    api[m] = answers[m] ?? (() => Promise.resolve({ ok: false, error: { code: 'not-available', message: `${m} is not part of the bench bridge.` } }))
  }
  for (const [fn, event] of Object.entries(cfg.events)) {
    api[fn] = (cb: (p: unknown) => void) => {
      ;(listeners[event] ??= []).push(cb)
      return () => {
        listeners[event] = (listeners[event] ?? []).filter((x) => x !== cb)
      }
    }
  }
  Object.defineProperty(window, 'tunnelwright', { value: Object.freeze(api), writable: false })
  w['__twDelivered'] = () => delivered

  // First step usable: its heading shown and its first field enabled (checked every frame from the start).
  const probe = () => {
    const h = Array.from(document.querySelectorAll('h2')).find((x) => /Request a dedicated pool/.test(x.textContent ?? ''))
    const field = document.querySelector('main input, main textarea, main select') as HTMLInputElement | null
    if (h && h.getBoundingClientRect().height > 0 && field && !field.disabled) w['__twInteractive'] = performance.now()
    else requestAnimationFrame(probe)
  }
  requestAnimationFrame(probe)

  // Frame times and long tasks over a window, for the status figures.
  w['__twMeasure'] = (ms: number) =>
    new Promise((done) => {
      const frames: number[] = []
      const longTasks: number[] = []
      const po = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) longTasks.push(e.duration)
      })
      po.observe({ type: 'longtask', buffered: false })
      const startDelivered = delivered
      let last = 0
      let end = 0
      const tick = (t: number) => {
        frames.push(t - last)
        last = t
        if (t < end) requestAnimationFrame(tick)
        else {
          po.disconnect()
          done({ frames, longTasks, events: delivered - startDelivered })
        }
      }
      requestAnimationFrame((t) => {
        last = t
        end = t + ms
        requestAnimationFrame(tick)
      })
    })
}

function stubConfig(): StubConfig {
  return { methods: Object.keys(CHANNELS), events: { ...EVENTS }, gateways: GATEWAYS, hz: EVENTS_PER_SEC }
}

async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
  const page = await context.newPage()
  await page.addInitScript(installStubBridge, stubConfig())
  return page
}

/** Percentile (0–100) of a list, nearest rank. */
function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!
}

/** Renderer bundle size, first-step time to interactive, status dashboard frame rate. */
export async function benchRenderer(): Promise<Figure[]> {
  if (!existsSync(join(ROOT, 'index.html'))) throw new Error('out/renderer is missing: run `npx electron-vite build` first')
  if (!existsSync(CHROMIUM)) throw new Error(`needs ${CHROMIUM} (apt-get install chromium)`)
  const figures: Figure[] = []

  const chunks = toFirstStepChunks(ROOT)
  const jsGzip = chunks.reduce((n, c) => n + gzipBytes(join(ROOT, c)), 0)
  figures.push({ name: 'first-step JS, gzip', value: jsGzip / 1024, unit: 'KB', target: '≤ 250 KB', note: `${chunks.length} chunk(s): ${chunks.join(', ')}` })
  const css = /<link[^>]+rel="stylesheet"[^>]+href="\.\/([^"]+\.css)"/.exec(readFileSync(join(ROOT, 'index.html'), 'utf8'))?.[1]
  if (css) figures.push({ name: 'first-step CSS, gzip', value: gzipBytes(join(ROOT, css)) / 1024, unit: 'KB', note: `${css}, ${(statSync(join(ROOT, css)).size / 1024).toFixed(0)} KB raw; fonts load on use` })

  const server = await serve()
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--disable-gpu', '--disable-quic', '--disable-background-networking', '--no-first-run'] })
  try {
    const times: number[] = []
    for (let i = 0; i < 5; i++) {
      const page = await newPage(browser)
      await page.goto(`${server.origin}/`)
      await page.waitForFunction(() => (window as unknown as { __twInteractive?: number }).__twInteractive !== undefined, undefined, { timeout: 30_000 })
      times.push(await page.evaluate(() => (window as unknown as { __twInteractive: number }).__twInteractive))
      await page.context().close()
    }
    const t = stats(times)
    figures.push({ name: 'first step interactive (median of 5)', value: t.median, unit: 'ms', target: '≤ 1000 ms', note: `min ${t.min.toFixed(0)}, max ${t.max.toFixed(0)}; navigation start → heading shown and first field enabled; fresh context each` })

    // The status dashboard with 10 watched gateways, each pushing 5 snapshots a second.
    const page = await newPage(browser)
    await page.goto(`${server.origin}/`)
    await page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name: /Step 7: Status/ }).click()
    await page.getByRole('heading', { level: 2, name: /Live status/ }).waitFor()
    for (let i = 1; i <= GATEWAYS; i++) await page.getByRole('button', { name: `Watch Gateway ${i}`, exact: true }).click()
    await page.getByRole('article').nth(GATEWAYS * 2 - 1).waitFor({ timeout: 30_000 })
    // Let the charts (uPlot loads on first use) settle before measuring.
    await page.waitForTimeout(2000)
    const m = await page.evaluate((ms) => (window as unknown as { __twMeasure: (ms: number) => Promise<{ frames: number[]; longTasks: number[]; events: number }> }).__twMeasure(ms), WINDOW_MS)
    const fps = m.frames.filter((d) => d > 0).map((d) => 1000 / d)
    const sumLong = m.longTasks.reduce((a, b) => a + b, 0)
    const note = `${GATEWAYS} gateways × ${EVENTS_PER_SEC} Hz, ${m.events} events in ${WINDOW_MS / 1000} s, ${m.frames.length} frames`
    figures.push({ name: 'status view fps, median', value: stats(fps).median, unit: 'fps', target: '60 fps', note })
    figures.push({ name: 'status view fps, p5 (worst 5 % of frames)', value: percentile(fps, 5), unit: 'fps', target: '60 fps' })
    figures.push({ name: 'status view frames/s delivered', value: (m.frames.length * 1000) / WINDOW_MS, unit: 'fps', note: 'frames drawn per second of wall time' })
    figures.push({ name: 'status view long tasks', value: m.longTasks.length, unit: 'count', note: `over ${WINDOW_MS / 1000} s (tasks > 50 ms)` })
    figures.push({ name: 'status view long tasks, total', value: sumLong, unit: 'ms', note: m.longTasks.length ? `longest ${Math.max(...m.longTasks).toFixed(0)} ms` : 'none' })
    await page.context().close()
  } finally {
    await browser.close()
    await server.close()
  }
  return figures
}
