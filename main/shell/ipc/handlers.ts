// The bridge's server side: one entry per TunnelwrightApi request method, with its argument schema.
//
// No Electron here: main/shell/index.ts registers these with ipcMain through handle(), and the e2e
// harness puts the very same table behind Playwright's exposeBinding, so tests exercise everything
// but Electron's own IPC transport. Every argument list is validated by its zod schema before `run`.
import { z } from 'zod'
import { CHANNELS, type DetailsDraftDto, type ImportId, type JobId, type PlanId, type ProfileId, type RecordId, type TunnelwrightRequests, type WatchId } from '../../../preload/api'
import { buildProviderRequest, Connection, CONFIRM_WITHIN, DeviceKind, getAppInfo, ProfileDetails, VendorKind, ProfileRequest, SecretSlot, StatusDevice, UserError, VENDOR_POLL } from '../../core'
import type { ShellServices } from '../services'
import { SettingsSchema } from '../stores/settings-store'

type Awaited2<T> = T extends Promise<infer U> ? U : T
type ValueOf<R> = R extends { ok: true; value: infer V } ? V : never

/** One handler: the channel, the schema its arguments must pass, the function behind it. */
export interface HandlerSpec<K extends keyof TunnelwrightRequests> {
  readonly channel: (typeof CHANNELS)[K]
  readonly args: z.ZodType<Parameters<TunnelwrightRequests[K]>, unknown>
  readonly run: (...args: Parameters<TunnelwrightRequests[K]>) => ValueOf<Awaited2<ReturnType<TunnelwrightRequests[K]>>> | Promise<ValueOf<Awaited2<ReturnType<TunnelwrightRequests[K]>>>>
}

/** Every request method of the bridge, keyed by its name on window.tunnelwright. */
export type HandlerTable = { readonly [K in keyof TunnelwrightRequests]: HandlerSpec<K> }

/** A string id of a given brand, checked against its shape. */
function id<B>(re: RegExp) {
  return z
    .string()
    .regex(re)
    .transform((s) => s as B)
}

const profileId = id<ProfileId>(/^p-[a-z0-9]{6,40}$/)
const planId = id<PlanId>(/^plan-[0-9a-f]{16}$/)
const importId = id<ImportId>(/^imp-[0-9a-f]{16}$/)
const watchId = id<WatchId>(/^w-[0-9a-f]{16}$/)
const recordId = id<RecordId>(/^r-[0-9a-f]{16}$/)
const jobId = id<JobId>(/^[A-Za-z0-9_-]{8,64}$/)
const routing = z.enum(['route', 'policy'])
/** A check finding id as the checks write them (kebab/dotted words, an address or two). */
const findingId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}$/)
const draft = ProfileDetails.transform((d) => d as DetailsDraftDto & typeof d)
/** Form text: bounded, any content (lint turns what is wrong into findings on the field). */
const text = z.string().max(256)
/** A number field as typed: NaN while it holds no number yet (lint says so on the field). */
const typedNumber = z.union([z.number(), z.nan()])
/** A draft as a form holds it while being typed: every field present, any text in it (the lint of an unfinished form). */
const looseDraft = z
  .strictObject({
    name: z.string().max(200),
    provider: z.enum(['cloud.gov', 'aws']),
    gateway: z.strictObject({ publicIp: text.optional(), privateCidrs: z.array(text).max(64), kind: DeviceKind.optional(), localAddress: text.optional() }),
    remote: z.strictObject({ dedicatedCidrs: z.array(text).max(64), egressIps: z.array(text).max(64), tunnels: z.tuple([z.strictObject({ outsideIp: text, insideCidr: text }), z.strictObject({ outsideIp: text, insideCidr: text })]) }),
    crypto: z.strictObject({
      ikeVersion: typedNumber,
      encryption: z.string().max(32),
      integrity: z.string().max(32),
      dhGroup: typedNumber,
      pfsGroup: typedNumber,
      ikeLifetime: typedNumber,
      ipsecLifetime: typedNumber,
      dpd: z.strictObject({ delay: typedNumber, timeout: typedNumber }),
    }),
    routing: z.string().max(16),
    health: z.strictObject({ target: text }).optional(),
    // Not typed into the form: what an import found (BGP sessions, AWS's tunnel options), checked in full.
    bgp: ProfileDetails.shape.bgp,
    tunnelOptions: ProfileDetails.shape.tunnelOptions,
  })
  .transform((d) => d as DetailsDraftDto & typeof d)
/** A secret as the renderer may send it: non-empty, bounded (a private key passphrase, a PSK). */
const secretValue = z.string().min(1).max(16384)
/** The confirmation window of a change or a fix: the core's bounds, the same for both faces. */
const confirmWithinSec = z.int().min(CONFIRM_WITHIN.min).max(CONFIRM_WITHIN.max)

/** Argument schemas, exported so tests can check that malformed calls are refused. */
export const ARG_SCHEMAS = {
  getAppInfo: z.tuple([]),
  getSettings: z.tuple([]),
  updateSettings: z.tuple([SettingsSchema.partial().strict()]),
  buildProviderRequest: z.tuple([z.strictObject({ publicIp: z.string().max(64), privateCidrs: z.array(z.string().max(64)).max(64), endpointType: z.enum([...DeviceKind.options, 'other']), approxApps: z.number() })]),
  importDetails: z.tuple([z.strictObject({ text: z.string().max(1024 * 1024), format: z.enum(['details-json', 'aws-xml', 'aws-text']), connection: z.string().regex(/^(vpn-[0-9a-f]{8,17}|[1-9][0-9]{0,3})$/).optional() })]),
  listAwsConnections: z.tuple([z.strictObject({ text: z.string().max(1024 * 1024) })]),
  lintDetails: z.tuple([z.strictObject({ draft: looseDraft, profileId: profileId.optional(), device: DeviceKind.optional() })]),
  previewVendor: z.tuple([z.strictObject({ draft, device: VendorKind, routing: routing.optional() })]),
  previewRender: z.tuple([z.strictObject({ draft, device: DeviceKind, version: z.string().regex(/^[0-9][0-9A-Za-z.+~_-]{0,40}$/).optional(), routing: routing.optional(), profileId: profileId.optional() })]),
  listProfiles: z.tuple([]),
  getProfile: z.tuple([profileId]),
  saveProfile: z.tuple([z.strictObject({ id: profileId.optional(), name: z.string().min(1).max(100), details: draft, connection: Connection, request: ProfileRequest.optional(), adoptImport: importId.optional(), adoptSlots: z.array(z.enum(['psk1', 'psk2'])).max(2).optional() })]),
  deleteProfile: z.tuple([profileId]),
  importProfile: z.tuple([z.strictObject({ text: z.string().max(1024 * 1024), passphrase: z.string().max(1024).optional() })]),
  exportProfile: z.tuple([
    z.discriminatedUnion('includeSecrets', [z.strictObject({ id: profileId, includeSecrets: z.literal(false) }), z.strictObject({ id: profileId, includeSecrets: z.literal(true), passphrase: z.string().min(1).max(1024) })]),
  ]),
  setSecret: z.tuple([z.strictObject({ profileId, slot: SecretSlot, value: secretValue })]),
  clearSecret: z.tuple([z.strictObject({ profileId, slot: SecretSlot })]),
  pickKeyFile: z.tuple([]),
  connectGateway: z.tuple([z.strictObject({ profileId, acceptFingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/).optional(), jobId: jobId.optional() })]),
  disconnectGateway: z.tuple([profileId]),
  detectGateway: z.tuple([z.strictObject({ profileId, jobId: jobId.optional() })]),
  checkGateway: z.tuple([z.strictObject({ profileId, jobId: jobId.optional() })]),
  planCheckFix: z.tuple([z.strictObject({ profileId, findingId, findingIds: z.array(findingId).min(1).max(64).optional(), jobId: jobId.optional() })]),
  applyCheckFix: z.tuple([z.strictObject({ profileId, findingId, confirmWithinSec: confirmWithinSec.optional(), jobId: jobId.optional() })]),
  planChange: z.tuple([z.strictObject({ profileId, device: DeviceKind.optional(), routing: routing.optional(), jobId: jobId.optional() })]),
  applyChange: z.tuple([z.strictObject({ planId, reason: z.string().max(2000).optional(), confirmWithinSec: confirmWithinSec.optional(), jobId: jobId.optional() })]),
  rollbackChange: z.tuple([z.strictObject({ profileId, reason: z.string().max(2000).optional(), jobId: jobId.optional() })]),
  previewRollback: z.tuple([z.strictObject({ profileId, jobId: jobId.optional() })]),
  cancelJob: z.tuple([jobId]),
  watchStatus: z.tuple([z.strictObject({ profileId, intervalMs: z.int().min(1000).max(600_000).optional() })]),
  unwatchStatus: z.tuple([watchId]),
  watchVendorStatus: z.tuple([z.strictObject({ profileId, device: StatusDevice.required({ kind: true, allowLegacySsh: true }), intervalSec: z.int().min(VENDOR_POLL.min).max(VENDOR_POLL.max).optional(), acceptFingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/).optional() })]),
  listActivity: z.tuple([z.strictObject({ limit: z.int().min(1).max(5000).optional() })]),
  listChangeRecords: z.tuple([z.strictObject({ profileId: profileId.optional() })]),
  exportChangeRecord: z.tuple([z.strictObject({ recordId, format: z.enum(['markdown', 'html']) })]),
  exportDiagnostics: z.tuple([z.strictObject({ profileId: profileId.optional() })]),
} as const

/** What only the Electron shell can do (native dialogs); absent in tests, where those methods answer 'not-available'. */
export interface ShellDialogs {
  /** The path of a private key file the user chose, or undefined when cancelled. */
  readonly pickKeyFile: () => Promise<string | undefined>
}

/** The handlers of the app over the shell's services (none given: only the method list is usable). */
export function createHandlers(s?: ShellServices, dialogs?: ShellDialogs): HandlerTable {
  const a = ARG_SCHEMAS
  // Without services (a caller only listing the table's methods) every handler but app info refuses.
  const svc = (): ShellServices => {
    if (!s) throw new UserError('not-available', 'The app services are not running.', { fix: 'Restart Tunnelwright.' })
    return s
  }
  return {
    getAppInfo: { channel: CHANNELS.getAppInfo, args: a.getAppInfo, run: () => getAppInfo() },
    getSettings: { channel: CHANNELS.getSettings, args: a.getSettings, run: () => svc().settings.get() },
    updateSettings: { channel: CHANNELS.updateSettings, args: a.updateSettings, run: (patch) => svc().settings.update(patch) },
    buildProviderRequest: { channel: CHANNELS.buildProviderRequest, args: a.buildProviderRequest, run: (input) => buildProviderRequest(input) },
    importDetails: { channel: CHANNELS.importDetails, args: a.importDetails, run: ({ text, format, connection }) => svc().details.importDetails(text, format, connection) },
    listAwsConnections: { channel: CHANNELS.listAwsConnections, args: a.listAwsConnections, run: ({ text }) => svc().details.listAwsConnections(text) },
    lintDetails: { channel: CHANNELS.lintDetails, args: a.lintDetails, run: (x) => svc().details.lint(x.draft, x.profileId, x.device) },
    previewVendor: { channel: CHANNELS.previewVendor, args: a.previewVendor, run: (x) => svc().details.previewVendor(x.draft as ProfileDetails, x.device, x.routing) },
    previewRender: { channel: CHANNELS.previewRender, args: a.previewRender, run: (x) => svc().details.previewRender(x.draft as ProfileDetails, x.device, x.version, x.routing, x.profileId) },
    listProfiles: { channel: CHANNELS.listProfiles, args: a.listProfiles, run: () => svc().profiles.list() },
    getProfile: { channel: CHANNELS.getProfile, args: a.getProfile, run: (pid) => svc().profiles.get(pid) },
    saveProfile: { channel: CHANNELS.saveProfile, args: a.saveProfile, run: (input) => svc().profiles.save({ ...input, details: input.details as ProfileDetails }) },
    deleteProfile: { channel: CHANNELS.deleteProfile, args: a.deleteProfile, run: (pid) => svc().profiles.delete(pid) },
    importProfile: { channel: CHANNELS.importProfile, args: a.importProfile, run: (x) => svc().profiles.import(x.text, x.passphrase) },
    exportProfile: { channel: CHANNELS.exportProfile, args: a.exportProfile, run: (opts) => svc().profiles.export(opts) },
    setSecret: { channel: CHANNELS.setSecret, args: a.setSecret, run: (x) => svc().profiles.setSecret(x.profileId, x.slot, x.value) },
    clearSecret: { channel: CHANNELS.clearSecret, args: a.clearSecret, run: (x) => svc().profiles.clearSecret(x.profileId, x.slot) },
    pickKeyFile: {
      channel: CHANNELS.pickKeyFile,
      args: a.pickKeyFile,
      run: async () => {
        if (!dialogs) throw new UserError('not-available', 'Choosing a file needs the desktop app.', { fix: 'Type the full path of the key file.' })
        const path = await dialogs.pickKeyFile()
        return path === undefined ? { picked: false } : { picked: true, path }
      },
    },
    connectGateway: { channel: CHANNELS.connectGateway, args: a.connectGateway, run: (x) => svc().gateway.connect(x.profileId, x.acceptFingerprint, x.jobId) },
    disconnectGateway: { channel: CHANNELS.disconnectGateway, args: a.disconnectGateway, run: (pid) => svc().gateway.disconnect(pid) },
    detectGateway: { channel: CHANNELS.detectGateway, args: a.detectGateway, run: (x) => svc().gateway.detect(x.profileId, x.jobId) },
    checkGateway: { channel: CHANNELS.checkGateway, args: a.checkGateway, run: (x) => svc().gateway.check(x.profileId, x.jobId) },
    planCheckFix: { channel: CHANNELS.planCheckFix, args: a.planCheckFix, run: (x) => svc().gateway.planFix(x.profileId, x.findingId, x.jobId, x.findingIds) },
    applyCheckFix: { channel: CHANNELS.applyCheckFix, args: a.applyCheckFix, run: (x) => svc().gateway.applyFix(x.profileId, x.findingId, x.confirmWithinSec, x.jobId) },
    planChange: { channel: CHANNELS.planChange, args: a.planChange, run: (x) => svc().gateway.plan(x.profileId, x.device, x.routing, x.jobId) },
    applyChange: { channel: CHANNELS.applyChange, args: a.applyChange, run: (x) => svc().gateway.apply(x.planId, x.reason, x.confirmWithinSec, x.jobId) },
    rollbackChange: { channel: CHANNELS.rollbackChange, args: a.rollbackChange, run: (x) => svc().gateway.rollback(x.profileId, x.reason, x.jobId) },
    previewRollback: { channel: CHANNELS.previewRollback, args: a.previewRollback, run: (x) => svc().gateway.previewRollback(x.profileId, x.jobId) },
    cancelJob: { channel: CHANNELS.cancelJob, args: a.cancelJob, run: (j) => ({ cancelled: svc().jobs.cancel(j) }) },
    watchStatus: { channel: CHANNELS.watchStatus, args: a.watchStatus, run: (x) => svc().status.watch(x.profileId, x.intervalMs) },
    unwatchStatus: { channel: CHANNELS.unwatchStatus, args: a.unwatchStatus, run: (w) => svc().status.unwatch(w) },
    watchVendorStatus: { channel: CHANNELS.watchVendorStatus, args: a.watchVendorStatus, run: (x) => svc().status.watchVendor(x.profileId, x.device, { ...(x.intervalSec ? { intervalSec: x.intervalSec } : {}), ...(x.acceptFingerprint ? { acceptFingerprint: x.acceptFingerprint } : {}) }) },
    listActivity: { channel: CHANNELS.listActivity, args: a.listActivity, run: (x) => svc().records.listActivity(x.limit) },
    listChangeRecords: { channel: CHANNELS.listChangeRecords, args: a.listChangeRecords, run: (x) => svc().records.listRecords(x.profileId) },
    exportChangeRecord: { channel: CHANNELS.exportChangeRecord, args: a.exportChangeRecord, run: (x) => svc().records.exportRecord(x.recordId, x.format) },
    exportDiagnostics: { channel: CHANNELS.exportDiagnostics, args: a.exportDiagnostics, run: (x) => svc().records.exportDiagnostics(x.profileId) },
  }
}
