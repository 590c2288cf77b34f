// The native menu's shape (pure data, so the unit suite can check it without the Electron binary).
import type { MenuItemConstructorOptions } from 'electron'

/**
 * The usual menus and shortcuts through Electron's roles: the macOS app menu, File (close/quit), Edit
 * (undo, cut, copy, paste, select all — what admins use to move addresses and keys in and out), View
 * (zoom, full screen) and Window. Release builds have no reload (Ctrl+R mid-apply would drop the live
 * progress view; the job itself runs in main) and no developer tools.
 */
export function toMenuTemplate(opts: { readonly isMac: boolean; readonly devTools: boolean }): MenuItemConstructorOptions[] {
  return [
    ...(opts.isMac ? [{ role: 'appMenu' as const }] : []),
    { role: 'fileMenu' },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        ...(opts.devTools ? [{ role: 'reload' as const }, { role: 'toggleDevTools' as const }, { type: 'separator' as const }] : []),
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
  ]
}
