// The native menu (thin: the template is main/shell/menu-template.ts; Electron's roles do the work).
import { Menu } from 'electron'
import { toMenuTemplate } from './menu-template'

/** Installs the application menu. */
export function installMenu(opts: { readonly isMac: boolean; readonly devTools: boolean }): void {
  Menu.setApplicationMenu(Menu.buildFromTemplate(toMenuTemplate(opts)))
}
