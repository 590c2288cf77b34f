// The sandboxed preload: one named function per channel, one named subscribe function per event.
// Nothing generic: ipcRenderer itself is never exposed.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import { CHANNELS, EVENTS, type EventName, type TunnelwrightApi, type Unsubscribe } from './api'

/** Subscribes `cb` to one event; the returned function removes exactly this listener. */
function subscribe<T>(event: EventName, cb: (payload: T) => void): Unsubscribe {
  const listener = (_e: IpcRendererEvent, payload: T) => cb(payload)
  ipcRenderer.on(event, listener)
  return () => {
    ipcRenderer.removeListener(event, listener)
  }
}

const api: TunnelwrightApi = {
  getAppInfo: () => ipcRenderer.invoke(CHANNELS.getAppInfo),
  getSettings: () => ipcRenderer.invoke(CHANNELS.getSettings),
  updateSettings: (patch) => ipcRenderer.invoke(CHANNELS.updateSettings, patch),
  buildProviderRequest: (input) => ipcRenderer.invoke(CHANNELS.buildProviderRequest, input),
  importDetails: (args) => ipcRenderer.invoke(CHANNELS.importDetails, args),
  listAwsConnections: (args) => ipcRenderer.invoke(CHANNELS.listAwsConnections, args),
  lintDetails: (args) => ipcRenderer.invoke(CHANNELS.lintDetails, args),
  previewRender: (args) => ipcRenderer.invoke(CHANNELS.previewRender, args),
  previewVendor: (args) => ipcRenderer.invoke(CHANNELS.previewVendor, args),
  listProfiles: () => ipcRenderer.invoke(CHANNELS.listProfiles),
  getProfile: (id) => ipcRenderer.invoke(CHANNELS.getProfile, id),
  saveProfile: (input) => ipcRenderer.invoke(CHANNELS.saveProfile, input),
  deleteProfile: (id) => ipcRenderer.invoke(CHANNELS.deleteProfile, id),
  importProfile: (args) => ipcRenderer.invoke(CHANNELS.importProfile, args),
  exportProfile: (opts) => ipcRenderer.invoke(CHANNELS.exportProfile, opts),
  setSecret: (args) => ipcRenderer.invoke(CHANNELS.setSecret, args),
  clearSecret: (args) => ipcRenderer.invoke(CHANNELS.clearSecret, args),
  pickKeyFile: () => ipcRenderer.invoke(CHANNELS.pickKeyFile),
  connectGateway: (args) => ipcRenderer.invoke(CHANNELS.connectGateway, args),
  disconnectGateway: (profileId) => ipcRenderer.invoke(CHANNELS.disconnectGateway, profileId),
  detectGateway: (args) => ipcRenderer.invoke(CHANNELS.detectGateway, args),
  checkGateway: (args) => ipcRenderer.invoke(CHANNELS.checkGateway, args),
  planCheckFix: (args) => ipcRenderer.invoke(CHANNELS.planCheckFix, args),
  applyCheckFix: (args) => ipcRenderer.invoke(CHANNELS.applyCheckFix, args),
  planChange: (args) => ipcRenderer.invoke(CHANNELS.planChange, args),
  applyChange: (args) => ipcRenderer.invoke(CHANNELS.applyChange, args),
  rollbackChange: (args) => ipcRenderer.invoke(CHANNELS.rollbackChange, args),
  previewRollback: (args) => ipcRenderer.invoke(CHANNELS.previewRollback, args),
  cancelJob: (jobId) => ipcRenderer.invoke(CHANNELS.cancelJob, jobId),
  watchStatus: (args) => ipcRenderer.invoke(CHANNELS.watchStatus, args),
  unwatchStatus: (watchId) => ipcRenderer.invoke(CHANNELS.unwatchStatus, watchId),
  watchVendorStatus: (args) => ipcRenderer.invoke(CHANNELS.watchVendorStatus, args),
  listActivity: (args) => ipcRenderer.invoke(CHANNELS.listActivity, args),
  listChangeRecords: (args) => ipcRenderer.invoke(CHANNELS.listChangeRecords, args),
  exportChangeRecord: (args) => ipcRenderer.invoke(CHANNELS.exportChangeRecord, args),
  exportDiagnostics: (args) => ipcRenderer.invoke(CHANNELS.exportDiagnostics, args),
  onJobProgress: (cb) => subscribe(EVENTS.onJobProgress, cb),
  onTunnelStatus: (cb) => subscribe(EVENTS.onTunnelStatus, cb),
  onStatusAlert: (cb) => subscribe(EVENTS.onStatusAlert, cb),
  onWatchError: (cb) => subscribe(EVENTS.onWatchError, cb),
}

contextBridge.exposeInMainWorld('tunnelwright', api)
