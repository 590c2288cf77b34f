// The sandboxed preload: one named function per channel, nothing generic.
import { contextBridge, ipcRenderer } from 'electron'
import { CHANNELS, type TunnelwrightApi } from './api'

const api: TunnelwrightApi = {
  getAppInfo: () => ipcRenderer.invoke(CHANNELS.getAppInfo),
}

contextBridge.exposeInMainWorld('tunnelwright', api)
