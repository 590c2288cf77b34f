// The IPC contract (preload/api.ts, which may import nothing) and the core declare the shared words each
// once; these compile-time checks make them one vocabulary: if either side changes alone, `tsc` fails here.
import type * as Api from '../../../preload/api'
import type * as Core from '../../core'

/** True when A and B are the same type (not merely assignable one way). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
/** Compiles only for `true`. */
type Assert<T extends true> = T

/** Each line is one word of the shared vocabulary; a mismatch is a compile error naming it. */
export type ContractChecks = [
  Assert<Equal<Api.DeviceKind, Core.DeviceKind>>,
  Assert<Equal<Api.RoutingMode, Core.RoutingMode>>,
  Assert<Equal<Api.AppError, Core.AppError>>,
  Assert<Equal<Api.Result<string>, Core.Result<string>>>,
  Assert<Equal<Api.ApplyStep, Core.ApplyStep>>,
  Assert<Equal<Api.ApplyFailedStep, Core.FailedStep>>,
  Assert<Equal<Api.RoutingBasis, Core.RoutingDecision['basis']>>,
  Assert<Equal<Api.AppInfo, Core.AppInfo>>,
  Assert<Equal<Api.SecretSlot, Core.SecretSlot>>,
  Assert<Equal<Api.ApplyResultDto['outcome'], Core.ApplyResult['outcome']>>,
  Assert<Equal<Api.PlanDto['tunnels'], Core.PreparedChange['tunnels']>>,
  Assert<Equal<Api.ActivityEntry, Core.ActivityRecord>>,
  Assert<Equal<Api.ProviderRequestInput, Core.ProviderRequestInput>>,
  Assert<Equal<Omit<Api.ProviderRequest, 'findings'>, Omit<Core.ProviderRequest, 'findings'>>>,
  Assert<Equal<Api.PreviewFile, Core.PreviewFile>>,
  Assert<Equal<Omit<Api.RenderPreview, 'files'>, Omit<Core.RenderPreview, 'files'>>>,
  Assert<Equal<Api.ChangeSummaryDto, Core.ChangeSummary>>,
  Assert<Equal<Api.TunnelSummaryDto, Core.TunnelSummary>>,
  Assert<Equal<Api.BgpSessionDto, Core.BgpSessionStatus>>,
  Assert<Equal<Api.PreviewFile, Core.ShownFile>>,
  Assert<Equal<Omit<Api.CheckCauseDto, 'fix'>, Omit<Core.CheckCause, 'fix'>>>,
  Assert<Equal<Api.VendorStatusKind, Core.VendorStatusKind>>,
  Assert<Equal<Api.StatusDeviceDto, Readonly<Core.StatusDevice>>>,
  Assert<Equal<Api.TunnelHealthDto, Core.TunnelHealth>>,
  Assert<Equal<Api.VendorWatchInfoDto, Core.VendorWatchInfo>>,
  Assert<Equal<Api.TunnelHealthDto['verdict'], Core.TunnelVerdict>>,
  Assert<Equal<Extract<Api.RollbackPreviewDto, { available: true }>['files'], Core.RollbackPreview['files']>>,
]
