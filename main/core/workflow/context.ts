// What the workflows share: the gateway they run on, the details they drive it with, and who a change is
// written down for.
import type { ChangeRecord } from '../app-data/change-record'
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

/** The fields every change record of a context starts with: whose change, made how, by whom, and why. */
export function toRecordHead(ctx: ChangeContext, action: ChangeRecord['action']): Pick<ChangeRecord, 'profileId' | 'profileName' | 'via' | 'action' | 'user' | 'reason'> {
  return { ...(ctx.profileId ? { profileId: ctx.profileId } : {}), profileName: ctx.name, via: ctx.via, action, user: ctx.journal.user, ...(ctx.reason ? { reason: ctx.reason } : {}) }
}

/** The gateway's host key as a record names it. */
export function toRecordHostKey(gateway: Pick<GatewayAccess, 'hostKey'>): { hostKey?: string } {
  return gateway.hostKey ? { hostKey: `${gateway.hostKey.keyType} ${gateway.hostKey.fingerprint}` } : {}
}

/** Appends one activity entry for a context (a CLI action is marked so). */
export function logActivity(ctx: ChangeContext | undefined, action: string, entry: { readonly txnId?: string; readonly outcome: string; readonly detail?: string }): void {
  ctx?.journal.activity.append({ ...(ctx.profileId ? { profileId: ctx.profileId } : {}), gateway: ctx.host, action: ctx.via === 'cli' ? `${action} (cli)` : action, ...(entry.txnId ? { txnId: entry.txnId } : {}), outcome: entry.outcome, ...(entry.detail ? { detail: entry.detail } : {}) })
}
