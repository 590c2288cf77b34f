// The one window and its hardening: sandbox, isolation, no Node, nothing remote, deny by default.
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { BrowserWindow, screen, session, type IpcMainInvokeEvent } from 'electron'
import { allowPermission, toWindowPlacement, type SavedWindow } from './window-policy'

/** The renderer's own origin: the built index.html, or the dev server in `npm run dev`. */
function rendererEntry(): { url: string; isOwn: (url: string) => boolean } {
  const dev = process.env['ELECTRON_RENDERER_URL']
  if (dev && !process.env['TUNNELWRIGHT_RELEASE']) {
    const origin = new URL(dev).origin
    return { url: dev, isOwn: (u) => safeOrigin(u) === origin }
  }
  const file = pathToFileURL(join(__dirname, '../renderer/index.html')).href
  return { url: file, isOwn: (u) => u.split('#')[0] === file }
}

function safeOrigin(url: string): string | undefined {
  try {
    return new URL(url).origin
  } catch {
    return undefined
  }
}

/** Creates the main window and returns it with a check that IPC comes from its own top frame. */
export function createMainWindow(saved?: SavedWindow): { win: BrowserWindow; isTrustedSender: (e: IpcMainInvokeEvent) => boolean } {
  const entry = rendererEntry()
  const primary = screen.getPrimaryDisplay()
  const state = toWindowPlacement(saved, [primary, ...screen.getAllDisplays().filter((d) => d.id !== primary.id)].map((d) => d.workArea))
  const win = new BrowserWindow({
    width: state.width,
    height: state.height,
    ...(state.x !== undefined && state.y !== undefined ? { x: state.x, y: state.y } : {}),
    minWidth: 800,
    minHeight: 600,
    show: false,
    title: 'Tunnelwright',
    webPreferences: {
      // Reviewed (Electronegativity's PRELOAD_JS_CHECK asks for it): the preload is the contract bridge,
      // sandboxed, and exposes only named functions, never ipcRenderer. Its own suppression comment follows.
      preload: join(__dirname, '../preload/index.js'), // eng-disable PRELOAD_JS_CHECK
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      spellcheck: false,
      navigateOnDragDrop: false,
      // Middle-click would open links in a new window (Electronegativity AUXCLICK_JS_CHECK).
      disableBlinkFeatures: 'Auxclick',
    },
  })

  // No navigation away from the app, no new windows (a mailto: link goes to the mail program through the
  // 'openExternal' permission below, never through a window).
  win.webContents.on('will-navigate', (event, url) => {
    if (!entry.isOwn(url)) event.preventDefault()
  })
  win.webContents.on('will-redirect', (event) => event.preventDefault())
  win.webContents.on('will-attach-webview', (event) => event.preventDefault())
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }))
  win.once('ready-to-show', () => {
    if (state.maximized) win.maximize()
    win.show()
  })
  void win.loadURL(entry.url)

  const isTrustedSender = (event: IpcMainInvokeEvent): boolean =>
    event.sender === win.webContents && event.senderFrame !== null && event.senderFrame === win.webContents.mainFrame && entry.isOwn(event.senderFrame.url)
  return { win, isTrustedSender }
}

/** Session-wide defaults: deny every permission, block every request that is not the app's own files. */
export function hardenSession(): void {
  const ses = session.defaultSession
  ses.setPermissionRequestHandler((_wc, permission, callback, details) => callback(allowPermission(permission, 'externalURL' in details ? details.externalURL : undefined)))
  ses.setPermissionCheckHandler(() => false)
  ses.setDevicePermissionHandler(() => false)
  // Offline by construction: the renderer loads only file:// (or the local dev server) and devtools.
  ses.webRequest.onBeforeRequest((details, callback) => {
    const u = details.url
    const allowed = u.startsWith('file://') || u.startsWith('devtools://') || (process.env['ELECTRON_RENDERER_URL'] !== undefined && u.startsWith(process.env['ELECTRON_RENDERER_URL']))
    callback({ cancel: !allowed })
  })
}
