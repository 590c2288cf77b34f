// Daemon log lines (charon filelog/syslog/journal, pluto) → structured lines for diagnosis.

/** One daemon log line. */
export interface LogLine {
  readonly daemon: 'charon' | 'pluto' | 'unknown'
  /** charon's subsystem (IKE, ENC, CFG, NET, …); empty for pluto. */
  readonly group: string
  /** Connection name when the line carries one (charon `<name|id>` with ike_name, pluto `"name"`). */
  readonly conn?: string
  /** charon's IKE_SA unique id (`<name|id>`): tells one negotiation attempt from the next of the same connection. */
  readonly ikeSa?: number
  readonly message: string
  /** The line as read (for evidence). */
  readonly raw: string
  /** When it was logged (epoch seconds), when the line says: journal `short-unix`, or syslog/charon `Mon dd HH:MM:SS`. */
  readonly at?: number
}

// charon: "[time] NN[GRP] <conn|id> msg"; the prefix may be a syslog or journal header ("charon[12]:").
const CHARON = /\b\d{2}\[([A-Z]{3})\] (?:<([^|>]*?)(?:\|(\d+))?> )?(.*)$/
// pluto: 'pluto[12]: "conn" #3: msg' or '"conn"[1] 1.2.3.4 #3: msg' (4.x and 5.x).
const PLUTO = /(?:pluto\[\d+\]: )?"([^"]+)"(?:\[\d+\])?(?: [0-9a-f.:]+)?(?: #\d+)?: (.*)$/

const UNIX_TIME = /^(\d{9,11})(?:\.\d+)?\s/
const SYSLOG_TIME = /^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})\s/
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/**
 * A line's time in epoch seconds. Syslog-style stamps carry no year or zone: they are read as the gateway's
 * local time in the year that puts them at or before `now` (the gateway's clock and UTC offset, when known).
 */
function toLineTime(raw: string, clock: { readonly now: number; readonly utcOffsetSec: number } | undefined): number | undefined {
  const u = UNIX_TIME.exec(raw)
  if (u) return Number(u[1])
  const s = SYSLOG_TIME.exec(raw)
  if (!s || clock === undefined) return undefined
  const local = (year: number) => Date.UTC(year, MONTHS.indexOf(s[1]!), Number(s[2]), Number(s[3]), Number(s[4]), Number(s[5])) / 1000 - clock.utcOffsetSec
  const year = new Date((clock.now + clock.utcOffsetSec) * 1000).getUTCFullYear()
  const t = local(year)
  // A stamp up to a day "in the future" is clock skew; further means it was last year.
  return t > clock.now + 86_400 ? local(year - 1) : t
}

/**
 * Splits a log text into structured lines (blank lines dropped; unknown lines kept as `unknown`). With the
 * gateway's clock, syslog-style time stamps become times too, so old lines can be told from new ones.
 */
export function parseDaemonLog(text: string, clock?: { readonly now: number; readonly utcOffsetSec: number }): LogLine[] {
  const out: LogLine[] = []
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue
    const t = toLineTime(raw, clock)
    const at = t === undefined ? {} : { at: t }
    const c = CHARON.exec(raw)
    if (c) {
      const conn = c[2] && /^\d+$/.test(c[2]) ? undefined : c[2]
      const ikeSa = c[3] === undefined ? {} : { ikeSa: Number(c[3]) }
      out.push({ daemon: 'charon', group: c[1] as string, ...(conn ? { conn } : {}), ...ikeSa, message: c[4] as string, raw, ...at })
      continue
    }
    const p = PLUTO.exec(raw)
    if (p) {
      out.push({ daemon: 'pluto', group: '', conn: p[1] as string, message: p[2] as string, raw, ...at })
      continue
    }
    out.push({ daemon: /pluto/.test(raw) ? 'pluto' : 'unknown', group: '', message: raw.trim(), raw, ...at })
  }
  return out
}
