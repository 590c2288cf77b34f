// Daemon log lines (charon filelog/syslog/journal, pluto) → structured lines for diagnosis.

/** One daemon log line. */
export interface LogLine {
  readonly daemon: 'charon' | 'pluto' | 'unknown'
  /** charon's subsystem (IKE, ENC, CFG, NET, …); empty for pluto. */
  readonly group: string
  /** Connection name when the line carries one (charon `<name|id>` with ike_name, pluto `"name"`). */
  readonly conn?: string
  readonly message: string
  /** The line as read (for evidence). */
  readonly raw: string
}

// charon: "[time] NN[GRP] <conn|id> msg"; the prefix may be a syslog or journal header ("charon[12]:").
const CHARON = /\b\d{2}\[([A-Z]{3})\] (?:<([^|>]*?)(?:\|\d+)?> )?(.*)$/
// pluto: 'pluto[12]: "conn" #3: msg' or '"conn"[1] 1.2.3.4 #3: msg' (4.x and 5.x).
const PLUTO = /(?:pluto\[\d+\]: )?"([^"]+)"(?:\[\d+\])?(?: [0-9a-f.:]+)?(?: #\d+)?: (.*)$/

/** Splits a log text into structured lines (blank lines dropped; unknown lines kept as `unknown`). */
export function parseDaemonLog(text: string): LogLine[] {
  const out: LogLine[] = []
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue
    const c = CHARON.exec(raw)
    if (c) {
      const conn = c[2] && /^\d+$/.test(c[2]) ? undefined : c[2]
      out.push({ daemon: 'charon', group: c[1] as string, ...(conn ? { conn } : {}), message: c[3] as string, raw })
      continue
    }
    const p = PLUTO.exec(raw)
    if (p) {
      out.push({ daemon: 'pluto', group: '', conn: p[1] as string, message: p[2] as string, raw })
      continue
    }
    out.push({ daemon: /pluto/.test(raw) ? 'pluto' : 'unknown', group: '', message: raw.trim(), raw })
  }
  return out
}
