// Traffic outages measured from the LAN side of a lab gateway (a figure to print, never to assert).
import type { Lab } from '../lab'

/**
 * Pings the dedicated host from the LAN every 0.2 s while `during` runs; the longest stretch without an
 * answer is the traffic's outage (ping -D stamps each reply).
 */
export async function outageDuring(lab: Lab, seconds: number, during: () => Promise<void>): Promise<{ longestGapS: number; answered: number; sent: number; lastAnswerS: number }> {
  const count = Math.round(seconds / 0.2)
  const t0 = Date.now() / 1000
  const pinging = lab.gateway.execLanHost(['ping', '-D', '-n', '-i', '0.2', '-W', '1', '-c', String(count), lab.aws.hostIp], { timeoutMs: (seconds + 60) * 1000 })
  await new Promise((r) => setTimeout(r, 2000)) // a baseline of answers before the event
  await during()
  const out = (await pinging).stdout
  const times = [...out.matchAll(/^\[(\d+\.\d+)\] \d+ bytes from/gm)].map((m) => Number(m[1]))
  const gaps = times.slice(1).map((t, i) => t - times[i]!)
  return { longestGapS: Math.max(0, ...gaps), answered: times.length, sent: count, lastAnswerS: (times.at(-1) ?? t0) - t0 }
}
