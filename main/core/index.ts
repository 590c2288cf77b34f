// THE DOOR: the only module the two faces (main/cli, main/shell) import. Everything either face does goes
// through what is exported here, so a rule (the lint gate, routing from facts, confirm-within bounds, the
// change record, fix until green, tunnel names) lives once, behind it, and the faces cannot drift apart.
//
// Inside, the flow runs one way: details → lint → render → gateway (over SSH) → apply / checks / status.

// ---- Words and results both faces share
export { CONFIRM_WITHIN, DETAILS_FORMAT, DEVICE_KINDS, DeviceKind, isConfirmWithin, toTunnelNames, type RoutingMode } from './base/vocabulary'
export { isVendorKind, RenderKind, VENDOR_KINDS, VendorKind } from './base/vocabulary'
export { InputError, UserError, ok, toAppError, assertNever, type AppError, type Result } from './base/result'
export { Secret } from './base/secret'
export { REDACTED, redactDeep, redactPatterns, toRedactor, maskIp } from './base/redact'
export { writePrivateFile } from './base/fs-atomic'
export { toAppDataDir, toDataDir, toKnownHostsStoreDir, toLegacyCliKnownHosts } from './base/paths'
export { getAppInfo, type AppInfo } from './base/app-info'
export { toSshExitCode } from './ssh/errors'

// ---- Details: read, lint, import, render
export type { Details } from './details/model'
export { hasErrors, type Finding as LintFinding, type DeviceFacts } from './details/lint'
export { toSlug } from './details/resolve'
export { AwsConnectionChoiceError, toConnectionLine, toTunnelSummary, type AwsConnectionSummary, type AwsImport, type AwsImportSource, type NeededField } from './details/aws-import'
export {
  importAwsExport,
  importAwsExportFile,
  importDetailsText,
  lintDetailsInput,
  listAwsConnections,
  lintDraft,
  loadDetails,
  previewDraft,
  PSK_CUT,
  renderConfig,
  writeRenderedFiles,
  type AwsExportFormat,
  type AwsImportOptions,
  type ImportedDraft,
  type LoadedDetailsInput,
  type PreviewFile,
  type RenderPreview,
  type RenderResult,
} from './workflow/details'
export { writeDetailsFile, toDetailsSecrets } from './workflow/details-file'
export { lintPartialDraft, type DraftLint, type LooseDraft } from './workflow/draft-lint'
export { previewDraftForReview, toChangeReview, toChangeSummary, toCryptoWords, toPskCutter, toShownFiles, type ChangeSummary, type ShownFile, type TunnelSummary } from './workflow/review'
export { resolveTemplatesDir, type FileLayout, type RenderedConfig, type RenderedFile } from './render'
export { previewVendorDraft, renderVendorConfig, writeVendorFiles, type VendorPreview, type VendorRenderResult, type VendorRoutingDecision } from './workflow/vendor-render'
export type { VendorRenderedConfig } from './render'
export type { RoutingDecision } from './gateway/routing'

// ---- The gateway: open, detect
export {
  detectGateway,
  openGateway,
  parseHostText,
  toCliTarget,
  toHostKeyQuestion,
  toProfileAuth,
  toProfileTarget,
  toUserKnownHosts,
  type Connector,
  type Gateway,
  type GatewayTarget,
  type KeyReader,
  type OpenResult,
  type SlotReader,
  type SshOptionValues,
  type VerifiedHostKey,
} from './workflow/gateway'
export type { GatewayFacts } from './gateway/detect'
export { readDaemonLog } from './workflow/logs'

// ---- A change: prepare (lint gate), apply (confirm-or-revert, check after, record), roll back
export type { ChangeContext, DetailsInput, GatewayAccess } from './workflow/context'
export { applyChange, assertLintClean, DetailsRefusedError, prepareChange, previewRollback, rollbackChange, toDeviceKind, type AppliedChange, type PreparedChange, type RollbackPreview, type RolledBack } from './workflow/change'
export { APPLY_STEPS, FAILED_STEPS, toFailedStep, type ApplyStep, type FailedStep } from './apply/steps'
export type { ApplyProgress, ApplyResult, FileChange, Plan } from './apply/engine'

// ---- Checks and fixes
export { applyCheckFix, checkGateway, isGreen, planCheckFix, type CheckReport, type FixOutcome, type FixPlan } from './workflow/check'
export type { Finding as CheckFinding } from './checks/model'
export type { PlannedFix } from './apply/fix'
export { applyCauseFix, isFixable, needsAttention, planCauseFix, toCheckCauses, type CheckCause, type PlannedCauseFix } from './workflow/check-causes'

// ---- Status
export { isStatusOk, readGatewayStatus, toTunnelDiagnoses, toTunnelHealth, toTunnelVerdict, watchGatewayStatus, type TunnelHealth, type TunnelVerdict } from './workflow/status'
export { isVendorPollInterval, VENDOR_POLL, watchVendorStatus, type VendorStatusChange, type VendorWatchInfo } from './workflow/vendor-status'
export type { StatusSnapshot, TunnelStatus } from './status/model'
export type { BgpSessionStatus } from './status/frr-bgp'
export { readVendorDeviceStatus } from './status/vendor/ssh'
export { isVendorStatusKind, VENDOR_STATUS_KINDS, type VendorStatusKind, type VendorStatusReading } from './status/vendor'
export type { StatusChange } from './status/watch'
export type { StatusReading } from './status/read'
export type { Diagnosis } from './status/diagnosis'

// ---- App data: profiles, export, records, diagnostics, the provider request
export {
  Connection,
  ExportedSecrets,
  parseProfileExport,
  parseProfileFile,
  PROFILE_EXPORT_FORMAT,
  PROFILE_FORMAT,
  ProfileDetails,
  ProfileFile,
  ProfileRequest,
  SECRET_SLOTS,
  SecretSlot,
  StatusDevice,
  toDraftWithoutPsks,
  toProfileDetails,
  toProfileSecretSources,
} from './app-data/profiles'
export { decryptExport, encryptExport } from './app-data/export-crypto'
export { openExportSecrets, toExportSecretsEnvelope } from './app-data/profiles'
export { BoundedReadError, readBoundedTextSync } from './base/bounded-read'
export { ChangeRecordStore, openChangeJournal, type ChangeJournal, type RecordSummary } from './app-data/records'
export { ActivityLog, type ActivityRecord } from './app-data/activity-log'
export type { ChangeRecord } from './app-data/change-record'
export { toDiagnosticsBundle } from './app-data/diagnostics'
export { buildProviderRequest, type ProviderRequest, type ProviderRequestInput } from './app-data/provider-request'
