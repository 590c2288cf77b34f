import pkg from '../../../package.json'
import { DETAILS_FORMAT, DEVICE_KINDS, type DeviceKind } from './vocabulary'

/** What the app is and what it supports, for the About box, the first screen and `--version`. */
export interface AppInfo {
  readonly name: string
  readonly version: string
  readonly deviceKinds: readonly DeviceKind[]
  readonly detailsFormat: string
}

/** Name, version and capabilities of this build of the core. */
export function getAppInfo(): AppInfo {
  return { name: 'Tunnelwright', version: pkg.version, deviceKinds: DEVICE_KINDS, detailsFormat: DETAILS_FORMAT }
}
