// What the workflows share: the gateway they run on, the details they drive it with, who a change is
// written down for, and the one confirm-within rule.
import { InputError } from '../base/result'
import { CONFIRM_WITHIN, isConfirmWithin } from '../base/vocabulary'
import type { ChangeJournal } from '../app-data/records'
import type { Details } from '../details/model'
import type { SecretSources } from '../details/resolve'
import type { Gateway } from './gateway'

/** What a workflow needs of an open gateway: its shell, and the facts and last check it keeps. */
export type GatewayAccess = Pick<Gateway, 'shell' | 'facts' | 'lastCheck'> & Partial<Pick<Gateway, 'openUnixSocket' | 'hostKey'>>

/** Details ready to drive a gateway, with where their PSKs come from (the details file's env/files, or the app's secret store). */
export interface DetailsInput {
  readonly details: Details
  readonly sources: SecretSources
}

/** Who made a change and where it is written down (the change record and the activity log). */
export interface ChangeContext {
  readonly journal: ChangeJournal
  /** The app's profile (absent for the CLI). */
  readonly profileId?: string
  /** The profile's name, or the details' connection name. */
  readonly name: string
  readonly via: 'app' | 'cli'
  /** The gateway as the user named it. */
  readonly host: string
  readonly reason?: string
}

/** Refuses a confirm-within outside CONFIRM_WITHIN (the same bounds for every face and every change). */
export function assertConfirmWithin(sec: number): void {
  if (!isConfirmWithin(sec)) {
    throw new InputError('confirm-within-range', `The confirmation window must be whole seconds from ${CONFIRM_WITHIN.min} to ${CONFIRM_WITHIN.max} (got ${sec}).`, {
      fix: `Choose ${CONFIRM_WITHIN.min}–${CONFIRM_WITHIN.max} s: long enough for the tunnels to come up, short enough that an unconfirmed change does not stay for long.`,
    })
  }
}
