// The append-only activity log: one JSON line per action (who, when, gateway, what, txn id, outcome),
// secrets redacted before the line is written.
import { appendFileSync, existsSync, mkdirSync } from 'node:fs'
import { readBoundedTextSync } from '../base/bounded-read'
import { dirname } from 'node:path'
import { redactPatterns } from '../base/redact'

/** One entry (the contract's ActivityEntry). */
export interface ActivityRecord {
  readonly at: string
  readonly user: string
  readonly profileId?: string
  readonly gateway?: string
  readonly action: string
  readonly txnId?: string
  readonly outcome: string
  readonly detail?: string
}

/** The log file, appended to by one app instance (single-instance lock). */
export class ActivityLog {
  constructor(
    private readonly file: string,
    private readonly user: string,
    /** Cuts known secrets (the profile's PSKs, passwords) out of every field. */
    private readonly redact: (text: string) => string = redactPatterns,
  ) {}

  /** Appends one entry (time and user filled in). */
  append(entry: Omit<ActivityRecord, 'at' | 'user'>, now = new Date()): ActivityRecord {
    const raw: ActivityRecord = { at: now.toISOString(), user: this.user, ...entry }
    const rec = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined).map(([k, v]) => [k, this.redact(String(v))])) as unknown as ActivityRecord
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 })
    appendFileSync(this.file, JSON.stringify(rec) + '\n', { mode: 0o600 })
    return rec
  }

  /** The newest entries, newest first (lines that do not parse are skipped). */
  list(limit = 200): ActivityRecord[] {
    if (!existsSync(this.file)) return []
    // The log grows for ever; the newest entries are what is listed (a 64 MB cap keeps a runaway file from filling memory).
    const lines = readBoundedTextSync(this.file, { what: 'the activity log', maxBytes: 64 * 1024 * 1024, code: 'activity-unreadable' }).split('\n').filter((l) => l.trim() !== '')
    const out: ActivityRecord[] = []
    for (const l of lines.slice(-limit).reverse()) {
      try {
        out.push(JSON.parse(l) as ActivityRecord)
      } catch {
        // a torn last line after a crash
      }
    }
    return out
  }
}
