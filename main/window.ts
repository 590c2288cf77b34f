// The one window and its hardening: sandbox, isolation, no Node, nothing remote, deny by default.
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { BrowserWindow, session, shell, type IpcMainInvokeEvent } from 'electron'

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

/** Links allowed to leave the app: https pages and mail drafts (parsed, not prefix-matched). */
export function isExternalLink(url: string): boolean {
  try {
    const u = new URL(url)
    return (u.protocol === 'https:' && u.username === '' && u.password === '') || u.protocol === 'mailto:'
  } catch {
    return false
  }
}

/** Creates the main window and returns it with a check that IPC comes from its own top frame. */
export function createMainWindow(state?: { x?: number | undefined; y?: number | undefined; width: number; height: number; maximized: boolean }): { win: BrowserWindow; isTrustedSender: (e: IpcMainInvokeEvent) => boolean } {
  const entry = rendererEntry()
  const win = new BrowserWindow({
    width: state?.width ?? 1200,
    height: state?.height ?? 820,
    ...(state?.x !== undefined && state.y !== undefined ? { x: state.x, y: state.y } : {}),
    minWidth: 800,
    minHeight: 600,
    show: false,
    title: 'Tunnelwright',
    webPreferences: {
      preload: join(__dirname, '../preload/index.js'),
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

  // No navigation away from the app, no new windows. Links the user clicks open outside the app only
  // if they are https (help pages) or mailto: (the request step's ticket); everything else is dropped.
  win.webContents.on('will-navigate', (event, url) => {
    if (!entry.isOwn(url)) event.preventDefault()
  })
  win.webContents.on('will-redirect', (event) => event.preventDefault())
  win.webContents.on('will-attach-webview', (event) => event.preventDefault())
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (isExternalLink(url)) void shell.openExternal(url)
    return { action: 'deny' }
  })
  win.once('ready-to-show', () => {
    if (state?.maximized) win.maximize()
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
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false))
  ses.setPermissionCheckHandler(() => false)
  ses.setDevicePermissionHandler(() => false)
  // Offline by construction: the renderer loads only file:// (or the local dev server) and devtools.
  ses.webRequest.onBeforeRequest((details, callback) => {
    const u = details.url
    const allowed = u.startsWith('file://') || u.startsWith('devtools://') || (process.env['ELECTRON_RENDERER_URL'] !== undefined && u.startsWith(process.env['ELECTRON_RENDERER_URL']))
    callback({ cancel: !allowed })
  })
}
