// Electron entry: lifecycle and wiring only. Everything the app knows lives in main/core.
import { join } from 'node:path'
import { app, dialog, safeStorage, type BrowserWindow } from 'electron'
import { EVENTS, type EventName } from '../../preload/api'
import { createHandlers, type HandlerSpec } from './ipc/handlers'
import { createShellServices, type Emit } from './services'
import { handle } from './ipc/ipc'
import { installMenu } from './menu'
import { notifyDesktop } from './notifications'
import { createMainWindow, hardenSession } from './window'

if (!app.requestSingleInstanceLock()) app.quit()

app.enableSandbox()

const EVENT_NAMES = new Set<string>(Object.values(EVENTS))

app.whenReady().then(() => {
  hardenSession()
  // The window is created after the services (it needs the remembered bounds); emit reaches it through this.
  const current: { win?: BrowserWindow } = {}
  const emit: Emit = (event, payload) => {
    if (!EVENT_NAMES.has(event as EventName)) return
    const w = current.win
    if (w && !w.isDestroyed()) w.webContents.send(event, payload)
  }
  const services = createShellServices({
    dataDir: join(app.getPath('userData'), 'data'),
    encryptor: safeStorage,
    emit,
    chooseSavePath: async (o) => {
      const options = { title: o.title, defaultPath: join(app.getPath('documents'), o.defaultName), filters: o.filters.map((f) => ({ name: f.name, extensions: [...f.extensions] })) }
      const w = current.win
      const r = w && !w.isDestroyed() ? await dialog.showSaveDialog(w, options) : await dialog.showSaveDialog(options)
      return r.canceled ? undefined : r.filePath
    },
    notify: notifyDesktop,
    resourcesPath: app.isPackaged ? process.resourcesPath : '',
    versions: { electron: process.versions.electron ?? '', chrome: process.versions.chrome ?? '' },
  })
  installMenu({ isMac: process.platform === 'darwin', devTools: !app.isPackaged })
  const created = createMainWindow(services.settings.getWindow())
  const win = created.win
  current.win = win
  const handlers = createHandlers(services, {
    pickKeyFile: async () => {
      const options = { title: 'Choose the private key file', defaultPath: join(app.getPath('home'), '.ssh'), properties: ['openFile' as const, 'showHiddenFiles' as const] }
      const w = current.win
      const r = w && !w.isDestroyed() ? await dialog.showOpenDialog(w, options) : await dialog.showOpenDialog(options)
      return r.canceled ? undefined : r.filePaths[0]
    },
  })
  for (const spec of Object.values(handlers) as HandlerSpec<never>[]) {
    handle(spec.channel, spec.args, created.isTrustedSender, spec.run as (...a: unknown[]) => unknown)
  }
  // Remember the window; stop pushing status and cancel jobs once it is gone.
  const remember = () => {
    if (win.isDestroyed()) return
    const b = win.getNormalBounds()
    services.settings.setWindow({ x: b.x, y: b.y, width: b.width, height: b.height, maximized: win.isMaximized() })
  }
  win.on('close', remember)
  win.on('closed', () => {
    services.stopAll()
    void services.closeAll()
  })
  app.on('second-instance', () => {
    if (win.isDestroyed()) return
    if (win.isMinimized()) win.restore()
    win.focus()
  })
})

app.on('web-contents-created', (_event, contents) => {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }))
  contents.on('will-attach-webview', (event) => event.preventDefault())
})

app.on('window-all-closed', () => {
  app.quit()
})
