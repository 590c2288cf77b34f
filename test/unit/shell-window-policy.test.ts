// The window's pure decisions (main/shell/window-policy.ts, main/shell/menu-template.ts): which permission requests
// pass, where the window reopens on today's screens, and what the native menu holds.
import { describe, expect, it } from 'vitest'
import type { MenuItemConstructorOptions } from 'electron'
import { toMenuTemplate } from '../../main/shell/menu-template'
import { allowPermission, toWindowPlacement, type Area } from '../../main/shell/window-policy'

describe('permissions', () => {
  it('lets a plain mailto: draft reach the mail program and nothing else', () => {
    expect(allowPermission('openExternal', 'mailto:support@cloud.gov?subject=VPN%20request&body=a%0Ab')).toBe(true)
    for (const url of ['https://cloud.gov/', 'http://198.51.100.2/', 'file:///etc/passwd', 'ms-settings:network', 'javascript:alert(1)', 'mailto://user:pw@evil.example/', 'not a url', 'smb://203.0.113.5/share']) {
      expect(allowPermission('openExternal', url), url).toBe(false)
    }
    expect(allowPermission('openExternal', undefined)).toBe(false)
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'fullscreen', 'pointerLock', 'unknown']) {
      expect(allowPermission(p, 'mailto:support@cloud.gov'), p).toBe(false)
    }
  })
})

describe('window placement', () => {
  const laptop: Area = { x: 0, y: 0, width: 1440, height: 860 }
  const rightMonitor: Area = { x: 1440, y: 0, width: 2560, height: 1400 }

  it('first run: the default size, fitted to a small screen but never below the minimum', () => {
    expect(toWindowPlacement(undefined, [laptop])).toEqual({ width: 1200, height: 820, maximized: false })
    expect(toWindowPlacement(undefined, [{ x: 0, y: 0, width: 1024, height: 700 }])).toEqual({ width: 1024, height: 700, maximized: false })
    expect(toWindowPlacement(undefined, [{ x: 0, y: 0, width: 640, height: 480 }])).toEqual({ width: 800, height: 600, maximized: false })
  })

  it('reopens where it was while that place is still on a screen', () => {
    const saved = { x: 2000, y: 100, width: 1300, height: 900, maximized: true }
    expect(toWindowPlacement(saved, [laptop, rightMonitor])).toEqual({ x: 2000, y: 100, width: 1300, height: 860, maximized: true })
  })

  it('a monitor unplugged since: same size, placed by the OS on the remaining screen (never off-screen)', () => {
    const saved = { x: 2000, y: 100, width: 1300, height: 800, maximized: false }
    expect(toWindowPlacement(saved, [laptop])).toEqual({ width: 1300, height: 800, maximized: false })
    // Only a sliver of the title bar left on screen is not reachable either.
    expect(toWindowPlacement({ ...saved, x: 1400 }, [laptop])).toEqual({ width: 1300, height: 800, maximized: false })
    // Title bar above the top of every screen.
    expect(toWindowPlacement({ ...saved, x: 100, y: -200 }, [laptop])).toEqual({ width: 1300, height: 800, maximized: false })
    expect(toWindowPlacement({ ...saved, x: 100, y: 10 }, [laptop])).toEqual({ x: 100, y: 10, width: 1300, height: 800, maximized: false })
  })
})

describe('native menu', () => {
  const roles = (t: MenuItemConstructorOptions[]): string[] => t.flatMap((i) => [...(i.role ? [i.role] : []), ...(Array.isArray(i.submenu) ? roles(i.submenu) : [])])

  it('has the usual menus (Edit for copy and paste), the app menu only on macOS', () => {
    for (const isMac of [true, false]) {
      const r = roles(toMenuTemplate({ isMac, devTools: false }))
      expect(r).toEqual(expect.arrayContaining(['fileMenu', 'editMenu', 'windowMenu', 'zoomIn', 'zoomOut', 'resetZoom', 'togglefullscreen']))
      expect(r.includes('appMenu')).toBe(isMac)
    }
  })

  it('release builds have neither developer tools nor reload (Ctrl+R mid-apply would drop the progress view)', () => {
    const release = roles(toMenuTemplate({ isMac: false, devTools: false }))
    expect(release).not.toContain('toggleDevTools')
    expect(release).not.toContain('reload')
    expect(release).not.toContain('forceReload')
    expect(roles(toMenuTemplate({ isMac: false, devTools: true }))).toEqual(expect.arrayContaining(['reload', 'toggleDevTools']))
  })
})
