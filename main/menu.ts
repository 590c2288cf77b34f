// The native menu with the usual roles and shortcuts (thin: Electron's roles do the work).
import { Menu, type MenuItemConstructorOptions } from 'electron'

/** Installs the application menu (macOS app menu; Edit for copy/paste shortcuts; View without devtools in release). */
export function installMenu(opts: { readonly isMac: boolean; readonly devTools: boolean }): void {
  const template: MenuItemConstructorOptions[] = [
    ...(opts.isMac ? [{ role: 'appMenu' as const }] : []),
    { role: 'fileMenu' },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        ...(opts.devTools ? [{ role: 'toggleDevTools' as const }] : []),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
  ]
  Menu.setApplicationMenu(Menu.buildFromTemplate(template))
}
