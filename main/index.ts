// Electron entry: lifecycle and wiring only. Everything the app knows lives in main/core.
import { app } from 'electron'
import { createHandlers, type HandlerSpec } from './api-handlers'
import { handle } from './ipc'
import { createMainWindow, hardenSession } from './window'

if (!app.requestSingleInstanceLock()) app.quit()

app.enableSandbox()

app.whenReady().then(() => {
  hardenSession()
  const { win, isTrustedSender } = createMainWindow()
  const handlers = createHandlers()
  for (const spec of Object.values(handlers) as HandlerSpec<never>[]) {
    handle(spec.channel, spec.args, isTrustedSender, spec.run as (...a: unknown[]) => unknown)
  }
  app.on('second-instance', () => {
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
