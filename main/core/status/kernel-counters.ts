// The kernel's own IPsec counters (/proc/net/xfrm_stat): what the daemons cannot see, such as packets
// dropped for arriving through the wrong SA.

/** Parses /proc/net/xfrm_stat ("XfrmInTmplMismatch<tab>12" per line) into counter → value. */
export function parseXfrmStat(text: string): ReadonlyMap<string, number> {
  const m = new Map<string, number>()
  for (const line of text.split('\n')) {
    const r = /^(Xfrm\w+)\s+(\d+)\s*$/.exec(line)
    if (r) m.set(r[1]!, Number(r[2]))
  }
  return m
}
