// What the window allows and where it opens: pure decisions, kept out of the Electron-bound window.ts so
// the unit suite can prove them without the Electron binary.
import type { WindowStateValue } from './stores/settings-store'

/**
 * The one thing the renderer may hand to the operating system: a mail draft (the request step's ticket,
 * a plain mailto: link). Chromium asks for the 'openExternal' permission when a link has a scheme it does
 * not handle; every other permission, and every other scheme (https, file, custom handlers), is refused.
 * The app itself never calls shell.openExternal.
 */
export function allowPermission(permission: string, externalUrl: string | undefined): boolean {
  if (permission !== 'openExternal' || externalUrl === undefined) return false
  try {
    const u = new URL(externalUrl)
    return u.protocol === 'mailto:' && u.username === '' && u.password === '' && u.host === ''
  } catch {
    return false
  }
}

/** A rectangle on the desktop (Electron's Rectangle). */
export interface Area {
  readonly x: number
  readonly y: number
  readonly width: number
  readonly height: number
}

/** The remembered window (settings.json). */
export type SavedWindow = WindowStateValue

/** Where the window opens. */
export interface WindowPlacement {
  readonly x?: number
  readonly y?: number
  readonly width: number
  readonly height: number
  readonly maximized: boolean
}

const DEFAULT = { width: 1200, height: 820 }
const MIN = { width: 800, height: 600 }
/** How much of the title bar must be on a screen for the user to grab it. */
const GRAB = { width: 120, height: 40 }

function visible(a: Area, b: Area): { width: number; height: number } {
  return { width: Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x), height: Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y) }
}

/**
 * The remembered bounds if the window would still be reachable on today's screens (a monitor unplugged
 * since, a laptop off its dock); else the remembered size, shrunk to the primary work area and centred
 * by the OS. The size never drops below the window's minimum.
 */
export function toWindowPlacement(saved: SavedWindow | undefined, workAreas: readonly Area[]): WindowPlacement {
  const primary = workAreas[0]
  const fit = (w: number, h: number) => ({
    width: Math.max(MIN.width, primary ? Math.min(w, primary.width) : w),
    height: Math.max(MIN.height, primary ? Math.min(h, primary.height) : h),
  })
  if (saved === undefined) return { ...fit(DEFAULT.width, DEFAULT.height), maximized: false }
  const size = fit(saved.width, saved.height)
  if (saved.x !== undefined && saved.y !== undefined) {
    // The title bar strip: the top of the window, where the user grabs it.
    const bar: Area = { x: saved.x, y: saved.y, width: size.width, height: GRAB.height }
    const reachable = workAreas.some((a) => {
      const v = visible(bar, a)
      return v.width >= GRAB.width && v.height >= GRAB.height / 2
    })
    if (reachable) return { x: saved.x, y: saved.y, ...size, maximized: saved.maximized }
  }
  return { ...size, maximized: saved.maximized }
}
