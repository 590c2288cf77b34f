// Where changes are written down, for both faces: change records (one JSON file each, under the app's
// data folder) and the activity log. The CLI writes to the same folder the app reads, so a change made
// from a terminal shows in the app's list and exports like any other.
import { randomBytes } from 'node:crypto'
import { existsSync, readdirSync } from 'node:fs'
import { readBoundedTextSync } from '../base/bounded-read'
import { join } from 'node:path'
import { writePrivateFile } from '../base/fs-atomic'
import { redactDeep } from '../base/redact'
import { UserError } from '../base/result'
import { ActivityLog } from './activity-log'
import { toChangeRecordHtml, toChangeRecordMarkdown, type ChangeRecord, type RecordRenderOptions } from './change-record'

const RECORD_ID = /^r-[0-9a-f]{16}$/

/** A change record in a list (newest first). */
export interface RecordSummary {
  readonly id: string
  readonly profileId?: string
  readonly profileName: string
  readonly via: 'app' | 'cli'
  readonly at: string
  readonly action: ChangeRecord['action']
  readonly outcome: string
  readonly txnId?: string
}

/** The change records in one folder. */
export class ChangeRecordStore {
  constructor(readonly dir: string) {}

  /** Writes a new record (id and time filled in); every value passes `redact` first. */
  save(r: Omit<ChangeRecord, 'id' | 'at'>, redact: (text: string) => string): ChangeRecord {
    const rec: ChangeRecord = { id: `r-${randomBytes(8).toString('hex')}`, at: new Date().toISOString(), ...r }
    // Redact value by value: cutting the serialized text turned `"secret": true` into `"secret": [redacted]`
    // (redactPatterns cuts any `secret: …`), and the record no longer parsed.
    writePrivateFile(join(this.dir, `${rec.id}.json`), JSON.stringify(redactDeep(rec, redact), null, 2))
    return rec
  }

  /** One record by id. */
  read(id: string): ChangeRecord {
    const f = join(this.dir, `${id}.json`)
    if (!RECORD_ID.test(id) || !existsSync(f)) throw new UserError('record-not-found', 'No such change record.', { fix: 'Choose a record from the list.' })
    return JSON.parse(readBoundedTextSync(f, { what: 'the change record', maxBytes: 16 * 1024 * 1024, code: 'record-unreadable' })) as ChangeRecord
  }

  /** Every record (optionally of one profile), newest first; a damaged one does not hide the others. */
  list(profileId?: string): RecordSummary[] {
    if (!existsSync(this.dir)) return []
    return readdirSync(this.dir)
      .filter((n) => n.endsWith('.json'))
      .flatMap((n) => {
        try {
          return [this.read(n.slice(0, -5))]
        } catch {
          return []
        }
      })
      .filter((r) => profileId === undefined || r.profileId === profileId)
      .sort((a, b) => b.at.localeCompare(a.at))
      .map((r) => ({ id: r.id, ...(r.profileId ? { profileId: r.profileId } : {}), profileName: r.profileName, via: r.via ?? 'app', at: r.at, action: r.action, outcome: r.outcome, ...(r.txnId ? { txnId: r.txnId } : {}) }))
  }

  /** A record as Markdown (tickets) or printable HTML (change boards), redacted, IPs masked on request. */
  toText(id: string, format: 'markdown' | 'html', opts: RecordRenderOptions): string {
    const r = this.read(id)
    return format === 'html' ? toChangeRecordHtml(r, opts) : toChangeRecordMarkdown(r, opts)
  }
}

/** Where a face writes changes down: the record store and the activity log, with the redactor of every known secret. */
export interface ChangeJournal {
  readonly records: ChangeRecordStore
  readonly activity: ActivityLog
  /** The OS user making the change. */
  readonly user: string
  /** Cuts every secret the face knows (PSKs, passwords) out of a text. */
  readonly redact: (text: string) => string
}

/** The journal in a data folder (`<data>/records`, `<data>/activity.jsonl`): the one both faces use. */
export function openChangeJournal(dataDir: string, user: string, redact: (text: string) => string): ChangeJournal {
  return { records: new ChangeRecordStore(join(dataDir, 'records')), activity: new ActivityLog(join(dataDir, 'activity.jsonl'), user, redact), user, redact }
}
