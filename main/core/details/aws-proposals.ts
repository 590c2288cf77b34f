// Proposals: what AWS allows on a tunnel (its tunnel options), what cloud.gov requires and every device kind
// can run, and the proposal picked from their intersection. Import picks with it; lint checks with it.
import type { AwsPhaseOptions, AwsTunnelOptions, Crypto } from './model'

type Encryption = NonNullable<AwsPhaseOptions['encryption']>[number]
type Integrity = NonNullable<AwsPhaseOptions['integrity']>[number]

/** What one phase of a tunnel allows, every list filled in (AWS's defaults where the export is silent). */
export interface PhaseAllows {
  readonly encryption: readonly Encryption[]
  readonly integrity: readonly Integrity[]
  readonly dhGroups: readonly number[]
}

/** What a tunnel allows, every list filled in. */
export interface TunnelAllows {
  readonly ikeVersions: readonly (1 | 2)[]
  readonly phase1: PhaseAllows
  readonly phase2: PhaseAllows
}

const ALL_ENCRYPTION: readonly Encryption[] = ['aes128', 'aes256', 'aes128gcm16', 'aes256gcm16']
const ALL_INTEGRITY: readonly Integrity[] = ['sha1', 'sha256', 'sha384', 'sha512']

/** AWS's tunnel-option defaults (VPNTunnels.md): every value it offers; phase 2 also offers DH group 5. */
export const AWS_DEFAULT_ALLOWS: TunnelAllows = {
  ikeVersions: [1, 2],
  phase1: { encryption: ALL_ENCRYPTION, integrity: ALL_INTEGRITY, dhGroups: [2, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24] },
  phase2: { encryption: ALL_ENCRYPTION, integrity: ALL_INTEGRITY, dhGroups: [2, 5, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24] },
}

/** AWS's spelling of each value, for telling the provider what to add in the tunnel options. */
export const AWS_NAMES: { readonly encryption: Readonly<Record<Encryption, string>>; readonly integrity: Readonly<Record<Integrity, string>> } = {
  encryption: { aes128: 'AES128', aes256: 'AES256', aes128gcm16: 'AES128-GCM-16', aes256gcm16: 'AES256-GCM-16' },
  integrity: { sha1: 'SHA1', sha256: 'SHA2-256', sha384: 'SHA2-384', sha512: 'SHA2-512' },
}

/**
 * What Tunnelwright proposes from, best first: cloud.gov's profile (AES256, SHA2-256, DH group 14) where
 * the tunnel allows it, then the strongest alternative. Only what cloud.gov accepts (AES, SHA2, 2048-bit
 * MODP or stronger, no RFC 5114 groups 22–24) and every device kind runs: AES-CBC only (the one
 * encryption setting serves both phases, and IKEv1 has no AES-GCM phase 1), and no ECP group under IKEv1
 * (Libreswan refuses ECP groups for IKEv1 PFS).
 */
export const PREFERRED = {
  ikeVersions: [1, 2] as readonly (1 | 2)[],
  encryption: ['aes256', 'aes128'] as readonly Encryption[],
  integrity: ['sha256', 'sha512', 'sha384'] as readonly Integrity[],
  dhGroups: { 1: [14, 18, 17, 16, 15], 2: [14, 21, 20, 18, 17, 16, 19, 15] } as Readonly<Record<1 | 2, readonly number[]>>,
}

/** A tunnel's options with AWS's defaults filled in where the export says nothing. */
export function toTunnelAllows(o: AwsTunnelOptions | undefined): TunnelAllows {
  const phase = (p: AwsPhaseOptions | undefined, d: PhaseAllows): PhaseAllows => ({ encryption: p?.encryption ?? d.encryption, integrity: p?.integrity ?? d.integrity, dhGroups: p?.dhGroups ?? d.dhGroups })
  return { ikeVersions: o?.ikeVersions ?? AWS_DEFAULT_ALLOWS.ikeVersions, phase1: phase(o?.phase1, AWS_DEFAULT_ALLOWS.phase1), phase2: phase(o?.phase2, AWS_DEFAULT_ALLOWS.phase2) }
}

/** The proposal settings a tunnel's options constrain. */
export type ProposalKey = 'ikeVersion' | 'encryption' | 'integrity' | 'dhGroup' | 'pfsGroup'

/** One setting of one phase: its AWS option name and what the tunnel allows there. */
export interface ProposalSlot {
  readonly key: ProposalKey
  readonly phase: 1 | 2
  /** The TunnelOptions field AWS knows it by (IKEVersions, Phase1DHGroupNumbers …). */
  readonly option: string
  readonly allowed: readonly (string | number)[]
}

/** Every setting a tunnel's options constrain, phase by phase (integrity is not checked in phase 2 with AES-GCM, which carries its own). */
export function toProposalSlots(allows: TunnelAllows, c: Pick<Crypto, 'encryption'>): ProposalSlot[] {
  const aead = c.encryption.endsWith('gcm16')
  return [
    { key: 'ikeVersion', phase: 1, option: 'IKEVersions', allowed: allows.ikeVersions },
    { key: 'encryption', phase: 1, option: 'Phase1EncryptionAlgorithms', allowed: allows.phase1.encryption },
    { key: 'encryption', phase: 2, option: 'Phase2EncryptionAlgorithms', allowed: allows.phase2.encryption },
    { key: 'integrity', phase: 1, option: 'Phase1IntegrityAlgorithms', allowed: allows.phase1.integrity },
    ...(aead ? [] : [{ key: 'integrity' as const, phase: 2 as const, option: 'Phase2IntegrityAlgorithms', allowed: allows.phase2.integrity }]),
    { key: 'dhGroup', phase: 1, option: 'Phase1DHGroupNumbers', allowed: allows.phase1.dhGroups },
    { key: 'pfsGroup', phase: 2, option: 'Phase2DHGroupNumbers', allowed: allows.phase2.dhGroups },
  ]
}

/** The values Tunnelwright would accept for a setting, best first (see PREFERRED). */
export function toPreferred(key: ProposalKey, ikeVersion: 1 | 2): readonly (string | number)[] {
  switch (key) {
    case 'ikeVersion':
      return PREFERRED.ikeVersions
    case 'encryption':
      return PREFERRED.encryption
    case 'integrity':
      return PREFERRED.integrity
    case 'dhGroup':
    case 'pfsGroup':
      return PREFERRED.dhGroups[ikeVersion]
  }
}

/** The proposal picked for both tunnels, and the settings no value of which every tunnel allows. */
export interface PickedProposal {
  readonly crypto: Pick<Crypto, 'ikeVersion' | 'encryption' | 'integrity' | 'dhGroup' | 'pfsGroup'>
  /** Settings where the intersection is empty: the default (cloud.gov's) value is kept and lint reports it per tunnel. */
  readonly empty: readonly ProposalKey[]
}

/**
 * Picks the proposal both tunnels allow: per setting, the first preferred value every tunnel allows in
 * every phase it applies to. A setting with no such value keeps `fallback`'s (and is listed in `empty`).
 */
export function toPickedProposal(tunnels: readonly TunnelAllows[], fallback: Pick<Crypto, 'ikeVersion' | 'encryption' | 'integrity' | 'dhGroup' | 'pfsGroup'>): PickedProposal {
  const empty: ProposalKey[] = []
  const pick = <T extends string | number>(key: ProposalKey, ikeVersion: 1 | 2, fb: T): T => {
    const slots = tunnels.flatMap((t) => toProposalSlots(t, { encryption: 'aes256' }).filter((s) => s.key === key))
    const found = toPreferred(key, ikeVersion).find((v) => slots.every((s) => s.allowed.includes(v)))
    if (found === undefined) {
      empty.push(key)
      return fb
    }
    return found as T
  }
  const ikeVersion = pick<1 | 2>('ikeVersion', 1, fallback.ikeVersion)
  return {
    crypto: {
      ikeVersion,
      encryption: pick('encryption', ikeVersion, fallback.encryption),
      integrity: pick('integrity', ikeVersion, fallback.integrity),
      dhGroup: pick('dhGroup', ikeVersion, fallback.dhGroup),
      pfsGroup: pick('pfsGroup', ikeVersion, fallback.pfsGroup),
    },
    empty,
  }
}
