// Lint of a details draft as a person types it: empty fields and half-typed values become findings in words
// on their own field, and lint's real rules (crypto, overlaps, a tunnel pointing at the gateway itself) still
// run on everything that is already whole. The faces show these while the form is unfinished.
import type { DeviceKind } from '../base/vocabulary'
import { toProfileDetails, toProfileSecretSources, type ProfileDetails } from '../app-data/profiles'
import { lintDetails, type Finding } from '../details/lint'
import { Cidr4, Ipv4 } from '../details/model'

/** A draft exactly as a form holds it: any text in any field (bounded by the caller's schema). */
export interface LooseDraft {
  readonly name: string
  readonly provider: 'cloud.gov' | 'aws'
  readonly gateway: { readonly publicIp?: string; readonly privateCidrs: readonly string[]; readonly kind?: DeviceKind; readonly localAddress?: string }
  readonly remote: {
    readonly dedicatedCidrs: readonly string[]
    readonly egressIps: readonly string[]
    readonly tunnels: readonly [{ readonly outsideIp: string; readonly insideCidr: string }, { readonly outsideIp: string; readonly insideCidr: string }]
  }
  readonly crypto: {
    readonly ikeVersion: number
    readonly encryption: string
    readonly integrity: string
    readonly dhGroup: number
    readonly pfsGroup: number
    readonly ikeLifetime: number
    readonly ipsecLifetime: number
    readonly dpd: { readonly delay: number; readonly timeout: number }
  }
  readonly routing: string
  readonly health?: { readonly target: string }
  /** What an import found and the form carries unchanged: the VPN's BGP sessions and AWS's tunnel options. */
  readonly bgp?: ReadonlyDeep<NonNullable<ProfileDetails['bgp']>>
  readonly tunnelOptions?: ReadonlyDeep<NonNullable<ProfileDetails['tunnelOptions']>>
}

/** A type with every array and property read-only, as the faces hand data over. */
type ReadonlyDeep<T> = T extends readonly (infer U)[] ? readonly ReadonlyDeep<U>[] : T extends object ? { readonly [K in keyof T]: ReadonlyDeep<T[K]> } : T

/** What a partial draft's lint found, and whether the draft is whole enough to render. */
export interface DraftLint {
  readonly findings: Finding[]
  /** No field is missing or malformed (lint's own errors may still stand). */
  readonly complete: boolean
}

/**
 * Stand-ins for missing or malformed fields, so lint can judge the rest. They sit in 240.0.0.0/4 (reserved,
 * never a real peer or network) and in a link-local /30 AWS does not reserve; any finding that lands on a
 * stand-in's field or names a stand-in is dropped, so none of them ever reaches the screen.
 */
const STAND_IN = {
  publicIp: '240.0.0.1',
  outsideIp: ['240.0.0.11', '240.0.0.12'],
  insideCidr: ['169.254.250.0/30', '169.254.250.4/30'],
  privateCidr: '240.1.0.0/24',
  dedicatedCidr: '240.2.0.0/24',
} as const
const STAND_IN_TEXTS = [STAND_IN.publicIp, ...STAND_IN.outsideIp, ...STAND_IN.insideCidr, STAND_IN.privateCidr, STAND_IN.dedicatedCidr, '240.0.0.0', '240.1.0.0', '240.2.0.0', '169.254.250.']

const NEED_WHY = 'The VPN cannot be configured without it.'

/** The range every crypto number must be in (the details schema's), in words for the finding. */
const NUMBER_RULES: readonly { readonly key: 'dhGroup' | 'pfsGroup' | 'ikeLifetime' | 'ipsecLifetime'; readonly label: string; readonly min: number; readonly max: number; readonly fix: string }[] = [
  { key: 'dhGroup', label: 'The DH group', min: 1, max: 32, fix: 'Use 14 (MODP 2048), which cloud.gov requires.' },
  { key: 'pfsGroup', label: 'The PFS group', min: 0, max: 32, fix: 'Use 14 (MODP 2048), which cloud.gov requires.' },
  { key: 'ikeLifetime', label: 'The phase 1 lifetime', min: 60, max: 86400, fix: 'Use 28800 seconds (8 hours).' },
  { key: 'ipsecLifetime', label: 'The phase 2 lifetime', min: 60, max: 86400, fix: 'Use 3600 seconds (1 hour).' },
]

const ENCRYPTIONS = ['aes256', 'aes128', 'aes256gcm16', 'aes128gcm16', '3des']
const INTEGRITIES = ['sha256', 'sha384', 'sha512', 'sha1', 'md5']

function isIpv4(text: string): boolean {
  return Ipv4.safeParse(text).success
}

function isCidr(text: string): boolean {
  return Cidr4.safeParse(text).success
}

function quoted(text: string): string {
  const t = text.length > 40 ? `${text.slice(0, 40)}…` : text
  return `"${t}"`
}

function missing(path: string, what: string, fix: string): Finding {
  return { id: 'details-missing', severity: 'error', path, message: `Missing: ${what}.`, why: NEED_WHY, fix }
}

function malformed(path: string, message: string, fix: string): Finding {
  return { id: 'details-malformed', severity: 'error', path, message, why: 'Tunnelwright cannot use a value in this shape; the other fields are still checked.', fix }
}

/** A profile's PSKs live in the app's secret store: "the environment variable … is not set" means "not set yet". */
function toStoreWords(f: Finding): Finding {
  if (f.id !== 'psk-env-missing') return f
  const n = /\/remote\/tunnels\/(\d)\/psk$/.exec(f.path)?.[1] === '1' ? 2 : 1
  return { id: 'psk-not-set', severity: 'error', path: f.path, message: `Tunnel ${n}'s pre-shared key is not set.`, why: 'Without the pre-shared key the gateway cannot authenticate to AWS.', fix: `Type tunnel ${n}'s pre-shared key; the provider sends it, usually through a separate secure channel.` }
}

/**
 * Lints a draft however unfinished: each missing or malformed field is one finding on that field, in words
 * (no schema paths), and lint's rules run on the rest. PSK rules use the given PSKs; without them the PSK
 * findings are left to the caller (a face knows whether a key was typed but not stored yet).
 */
export function lintPartialDraft(draft: LooseDraft, psks: { readonly psk1?: string; readonly psk2?: string }, device?: DeviceKind): DraftLint {
  const own: Finding[] = []
  const standIns = new Set<string>()
  const pub = draft.gateway.publicIp?.trim() ?? ''
  let publicIp: string = pub
  if (pub === '') {
    own.push(missing('/gateway/publicIp', "the gateway's public IP, the address AWS knows as the customer gateway", "Type the gateway's public IPv4 address, like 198.51.100.7."))
    publicIp = STAND_IN.publicIp
    standIns.add('/gateway/publicIp')
  } else if (!isIpv4(pub)) {
    own.push(malformed('/gateway/publicIp', `The gateway public IP ${quoted(pub)} is not an IPv4 address.`, 'Type four numbers 0–255 separated by dots, like 198.51.100.7.'))
    publicIp = STAND_IN.publicIp
    standIns.add('/gateway/publicIp')
  }

  const cidrList = (values: readonly string[], base: string, label: string, what: string, standIn: string, example: string): string[] => {
    const good: string[] = []
    values.forEach((v, i) => {
      if (isCidr(v)) good.push(v)
      else own.push(malformed(`${base}/${i}`, `The ${label} ${quoted(v)} is not an IPv4 CIDR.`, `Write it as a.b.c.d/n, like ${example}.`))
    })
    if (values.length === 0) own.push(missing(base, what, `Type at least one, one per line, like ${example}.`))
    if (good.length === 0) {
      standIns.add(base)
      return [standIn]
    }
    return good
  }
  const privateCidrs = cidrList(draft.gateway.privateCidrs, '/gateway/privateCidrs', 'private network', "the agency's private networks (CIDRs) that reach the dedicated hosts", STAND_IN.privateCidr, '10.40.0.0/24')
  const dedicatedCidrs = cidrList(draft.remote.dedicatedCidrs, '/remote/dedicatedCidrs', 'dedicated subnet', "the provider's dedicated subnet CIDR(s)", STAND_IN.dedicatedCidr, '10.50.0.0/24')
  const egressIps: string[] = []
  draft.remote.egressIps.forEach((v, i) => {
    if (isIpv4(v)) egressIps.push(v)
    else own.push(malformed(`/remote/egressIps/${i}`, `The egress IP ${quoted(v)} is not an IPv4 address.`, 'Type one IPv4 address per line, like 52.222.10.4, or leave the field empty.'))
  })

  const tunnels = draft.remote.tunnels.map((t, i) => {
    const n = i + 1
    let outsideIp = t.outsideIp.trim()
    let insideCidr = t.insideCidr.trim()
    const op = `/remote/tunnels/${i}/outsideIp`
    const ip = `/remote/tunnels/${i}/insideCidr`
    if (outsideIp === '') own.push(missing(op, `tunnel ${n}'s outside IP, the AWS endpoint's public address`, `Copy tunnel ${n}'s outside IP from the provider's configuration.`))
    else if (!isIpv4(outsideIp)) own.push(malformed(op, `Tunnel ${n}'s outside IP ${quoted(outsideIp)} is not an IPv4 address.`, 'Type four numbers 0–255 separated by dots, like 52.1.2.3.'))
    if (outsideIp === '' || !isIpv4(outsideIp)) {
      outsideIp = STAND_IN.outsideIp[i]!
      standIns.add(op)
    }
    if (insideCidr === '') own.push(missing(ip, `tunnel ${n}'s inside CIDR, a /30 in 169.254.0.0/16`, `Copy tunnel ${n}'s inside CIDR from the provider's configuration, like 169.254.10.0/30.`))
    else if (!isCidr(insideCidr)) own.push(malformed(ip, `Tunnel ${n}'s inside CIDR ${quoted(insideCidr)} is not an IPv4 CIDR.`, 'Write it as a.b.c.d/30 inside 169.254.0.0/16, like 169.254.10.0/30.'))
    if (insideCidr === '' || !isCidr(insideCidr)) {
      insideCidr = STAND_IN.insideCidr[i]!
      standIns.add(ip)
    }
    return { outsideIp, insideCidr }
  }) as [{ outsideIp: string; insideCidr: string }, { outsideIp: string; insideCidr: string }]

  const c = draft.crypto
  const crypto = {
    ikeVersion: c.ikeVersion === 2 ? 2 : 1,
    encryption: ENCRYPTIONS.includes(c.encryption) ? c.encryption : 'aes256',
    integrity: INTEGRITIES.includes(c.integrity) ? c.integrity : 'sha256',
    dhGroup: c.dhGroup,
    pfsGroup: c.pfsGroup,
    ikeLifetime: c.ikeLifetime,
    ipsecLifetime: c.ipsecLifetime,
    dpd: { delay: Number.isInteger(c.dpd.delay) && c.dpd.delay >= 1 && c.dpd.delay <= 3600 ? c.dpd.delay : 10, timeout: Number.isInteger(c.dpd.timeout) && c.dpd.timeout >= 1 && c.dpd.timeout <= 3600 ? c.dpd.timeout : 30 },
  }
  const standInCrypto: Record<string, number> = { dhGroup: 14, pfsGroup: 14, ikeLifetime: 28800, ipsecLifetime: 3600 }
  for (const r of NUMBER_RULES) {
    const v = c[r.key]
    if (!Number.isInteger(v) || v < r.min || v > r.max) {
      own.push(malformed(`/crypto/${r.key}`, `${r.label} ${Number.isFinite(v) ? v : '(empty)'} is not a whole number from ${r.min} to ${r.max}.`, r.fix))
      crypto[r.key] = standInCrypto[r.key]!
      standIns.add(`/crypto/${r.key}`)
    }
  }
  const target = draft.health?.target.trim() ?? ''
  if (target !== '' && !isIpv4(target)) own.push(malformed('/health/target', `The health-check target ${quoted(target)} is not an IPv4 address.`, 'Type the address of a host in the dedicated subnet that answers ping, or leave it empty.'))

  const localAddress = draft.gateway.localAddress?.trim()
  const whole: ProfileDetails = {
    name: draft.name.trim() === '' ? 'Unnamed connection' : draft.name.trim().slice(0, 100),
    provider: draft.provider,
    gateway: { publicIp, privateCidrs, ...(draft.gateway.kind ? { kind: draft.gateway.kind } : {}), ...(localAddress && isIpv4(localAddress) ? { localAddress } : {}) },
    remote: { dedicatedCidrs, egressIps, tunnels },
    crypto: crypto as ProfileDetails['crypto'],
    routing: draft.routing === 'route' || draft.routing === 'policy' ? draft.routing : 'auto',
    ...(target !== '' && isIpv4(target) ? { health: { target } } : {}),
    ...(draft.bgp ? { bgp: draft.bgp as ProfileDetails['bgp'] } : {}),
    ...(draft.tunnelOptions ? { tunnelOptions: draft.tunnelOptions as ProfileDetails['tunnelOptions'] } : {}),
  }
  const onStandIn = (f: Finding) => [...standIns].some((p) => f.path === p || f.path.startsWith(`${p}/`)) || STAND_IN_TEXTS.some((t) => f.message.includes(t) || f.fix.includes(t))
  let rules: Finding[] = []
  try {
    rules = lintDetails(toProfileDetails(whole), { sources: toProfileSecretSources(psks), ...(device ? { device: { kind: device } } : {}) }).filter((f) => !onStandIn(f))
  } catch {
    // Lint never throws on valid details; a stand-in it still rejects leaves the field findings alone on screen.
  }
  return { findings: [...own, ...rules.map(toStoreWords)], complete: own.length === 0 }
}
