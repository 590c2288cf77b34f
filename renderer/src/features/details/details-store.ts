import { create } from 'zustand'
import type { AppError, AwsConnectionDto, CryptoDto, DetailsDraftDto, DetailsImport, ImportFormat, ImportId, LintFinding, ProfileId } from '../../../../preload/api'
import { call } from '../../bridge/bridge'

/** cloud.gov's required proposal (the contract's defaults). */
export const DEFAULT_CRYPTO: CryptoDto = { ikeVersion: 1, encryption: 'aes256', integrity: 'sha256', dhGroup: 14, pfsGroup: 14, ikeLifetime: 28800, ipsecLifetime: 3600, dpd: { delay: 10, timeout: 30 } }

/** The form as typed: lists as multi-line text so half-typed values survive. */
export interface DetailsForm {
  readonly name: string
  readonly provider: 'cloud.gov' | 'aws'
  readonly publicIp: string
  readonly privateCidrs: string
  readonly dedicatedCidrs: string
  readonly egressIps: string
  readonly t1OutsideIp: string
  readonly t1InsideCidr: string
  readonly t2OutsideIp: string
  readonly t2InsideCidr: string
  readonly routing: 'auto' | 'route' | 'policy'
  readonly crypto: CryptoDto
  readonly healthTarget: string
  /**
   * What an AWS export said about the VPN beyond the fields (BGP sessions, tunnel options): not edited in the
   * form, but carried to lint and the profile, so a BGP VPN is never saved as static without a word.
   */
  readonly awsFacts?: Pick<DetailsDraftDto, 'bgp' | 'tunnelOptions'>
}

/** An empty form. */
export const EMPTY_FORM: DetailsForm = { name: '', provider: 'cloud.gov', publicIp: '', privateCidrs: '', dedicatedCidrs: '', egressIps: '', t1OutsideIp: '', t1InsideCidr: '', t2OutsideIp: '', t2InsideCidr: '', routing: 'auto', crypto: DEFAULT_CRYPTO, healthTarget: '' }

/** The two PSK slots of the Details step. */
export type PskSlot = 'psk1' | 'psk2'

function lines(text: string): string[] {
  return text
    .split(/[\n,;]+/)
    .map((l) => l.trim())
    .filter((l) => l !== '')
}

/** The contract's draft from the form (as typed: half-typed values go to lint, which says what is wrong with them). */
export function toDraft(f: DetailsForm): DetailsDraftDto {
  return {
    name: f.name.trim() || 'Unnamed connection',
    provider: f.provider,
    gateway: { ...(f.publicIp.trim() ? { publicIp: f.publicIp.trim() } : {}), privateCidrs: lines(f.privateCidrs) },
    remote: {
      dedicatedCidrs: lines(f.dedicatedCidrs),
      egressIps: lines(f.egressIps),
      tunnels: [
        { outsideIp: f.t1OutsideIp.trim(), insideCidr: f.t1InsideCidr.trim() },
        { outsideIp: f.t2OutsideIp.trim(), insideCidr: f.t2InsideCidr.trim() },
      ],
    },
    crypto: f.crypto,
    routing: f.routing,
    ...(f.healthTarget.trim() ? { health: { target: f.healthTarget.trim() } } : {}),
    ...(f.awsFacts?.bgp ? { bgp: f.awsFacts.bgp } : {}),
    ...(f.awsFacts?.tunnelOptions ? { tunnelOptions: f.awsFacts.tunnelOptions } : {}),
  }
}

/** The form from a draft (an import, or a saved profile). */
export function toForm(d: DetailsDraftDto): DetailsForm {
  return {
    name: d.name,
    provider: d.provider,
    publicIp: d.gateway.publicIp ?? '',
    privateCidrs: d.gateway.privateCidrs.join('\n'),
    dedicatedCidrs: d.remote.dedicatedCidrs.join('\n'),
    egressIps: d.remote.egressIps.join('\n'),
    t1OutsideIp: d.remote.tunnels[0].outsideIp,
    t1InsideCidr: d.remote.tunnels[0].insideCidr,
    t2OutsideIp: d.remote.tunnels[1].outsideIp,
    t2InsideCidr: d.remote.tunnels[1].insideCidr,
    routing: d.routing,
    crypto: d.crypto,
    healthTarget: d.health?.target ?? '',
    ...(d.bgp || d.tunnelOptions ? { awsFacts: { ...(d.bgp ? { bgp: d.bgp } : {}), ...(d.tunnelOptions ? { tunnelOptions: d.tunnelOptions } : {}) } } : {}),
  }
}

/** Guesses the format of a dropped file from its text. */
export function toImportFormat(text: string): ImportFormat {
  const t = text.trimStart()
  if (t.startsWith('<')) return 'aws-xml'
  if (t.startsWith('{')) return 'details-json'
  return 'aws-text'
}

/** The fields an import can fill, with the words the form shows for them. */
export const MERGE_FIELDS: readonly (readonly [keyof DetailsForm, string])[] = [
  ['name', 'Connection name'],
  ['provider', 'Provider'],
  ['publicIp', 'Gateway public IP'],
  ['privateCidrs', 'Private networks (CIDRs)'],
  ['dedicatedCidrs', 'Dedicated subnet CIDRs'],
  ['egressIps', 'Egress IPs of the dedicated pool'],
  ['t1OutsideIp', 'Tunnel 1 outside IP'],
  ['t1InsideCidr', 'Tunnel 1 inside CIDR'],
  ['t2OutsideIp', 'Tunnel 2 outside IP'],
  ['t2InsideCidr', 'Tunnel 2 inside CIDR'],
  ['routing', 'Routing'],
  ['crypto', 'Encryption settings'],
  ['healthTarget', 'Health-check target'],
]

/** A value as the conflict table shows it. */
export function toShownValue(key: keyof DetailsForm, v: DetailsForm[keyof DetailsForm]): string {
  if (key === 'crypto') {
    const c = v as CryptoDto
    return `IKEv${c.ikeVersion}, ${c.encryption}, ${c.integrity}, DH ${c.dhGroup}, PFS ${c.pfsGroup}, ${c.ikeLifetime} s / ${c.ipsecLifetime} s`
  }
  return lines(String(v)).join(', ') || String(v)
}

function same(key: keyof DetailsForm, a: DetailsForm[keyof DetailsForm], b: DetailsForm[keyof DetailsForm]): boolean {
  if (key === 'crypto') return JSON.stringify(a) === JSON.stringify(b)
  if (typeof a === 'string' && typeof b === 'string') return lines(a).join('\n') === lines(b).join('\n')
  return a === b
}

/** True when a field still holds what the form starts with (nothing the user typed would be lost). */
function isUntouched(key: keyof DetailsForm, v: DetailsForm[keyof DetailsForm]): boolean {
  return same(key, v, EMPTY_FORM[key]) || (typeof v === 'string' && v.trim() === '')
}

/** One field where the file and what the user entered disagree. */
export interface MergeConflict {
  readonly key: keyof DetailsForm | PskSlot
  readonly label: string
  readonly mine: string
  readonly theirs: string
}

/**
 * Merges an import into the form: an empty field takes the file's value, a field the user filled keeps it when
 * the file has nothing for it (AWS's export lacks the private networks, the dedicated subnet and the public IP),
 * and a field where both have different values is a conflict the user decides. AWS's exports do not say who
 * the provider is, so the provider stays as chosen unless a details file names it.
 */
export function mergeImport(current: DetailsForm, incoming: DetailsForm, format: ImportFormat): { readonly merged: DetailsForm; readonly filled: readonly string[]; readonly conflicts: readonly MergeConflict[]; readonly replaced: DetailsForm } {
  let merged: DetailsForm = current
  let replaced: DetailsForm = current
  const filled: string[] = []
  const conflicts: MergeConflict[] = []
  const fromAws = format !== 'details-json'
  for (const [key, label] of MERGE_FIELDS) {
    const theirs = incoming[key]
    const mine = current[key]
    if (isUntouched(key, theirs) || same(key, mine, theirs)) continue
    const untouched = isUntouched(key, mine)
    // AWS's exports name the connection after its VPN id and do not say who the provider is: they fill, never replace.
    if (fromAws && (key === 'provider' || (key === 'name' && !untouched))) continue
    if (untouched) {
      merged = { ...merged, [key]: theirs }
      replaced = { ...replaced, [key]: theirs }
      filled.push(label)
    } else {
      conflicts.push({ key, label, mine: toShownValue(key, mine), theirs: toShownValue(key, theirs) })
      replaced = { ...replaced, [key]: theirs }
    }
  }
  // The export's BGP sessions and tunnel options describe the VPN the file is about: they come with it (both
  // ways of settling a conflict), and an AWS export without them (a static VPN) clears an earlier file's.
  if (fromAws || incoming.awsFacts) {
    const { awsFacts: _m, ...m } = merged
    const { awsFacts: _r, ...r } = replaced
    merged = incoming.awsFacts ? { ...m, awsFacts: incoming.awsFacts } : m
    replaced = incoming.awsFacts ? { ...r, awsFacts: incoming.awsFacts } : r
  }
  return { merged, filled, conflicts, replaced }
}

/** What an import left waiting: the file's name, what it lacks, and which PSKs it holds in main. */
export interface ImportedFile extends Pick<DetailsImport, 'notes' | 'secretsFound'> {
  readonly fileName: string
  readonly importId?: ImportId
  /** Labels of the fields the import filled. */
  readonly filled: readonly string[]
  /** The file the held keys came from (an earlier import, when the last file carried none). */
  readonly keysFrom?: string
  /** The file's PSKs that will be stored on save (a key the user typed, or chose to keep, wins). */
  readonly adopt: Readonly<Record<PskSlot, boolean>>
}

/** An import that found values different from what the user entered: nothing is replaced until they choose. */
export interface PendingChoice {
  readonly fileName: string
  readonly conflicts: readonly MergeConflict[]
  /** The form with the file's values in the conflicting fields (what "use the file's" gives). */
  readonly replaced: DetailsForm
  /** PSK slots where the user has a key (typed or stored) and the file has one too. */
  readonly pskConflicts: readonly PskSlot[]
}

/**
 * A describe-vpn-connections JSON that lists several VPN connections: which one to import. The file's text is
 * held only until the pick (or the next import), to send it again with the choice.
 */
export interface ConnectionPick {
  readonly fileName: string
  readonly connections: readonly AwsConnectionDto[]
  readonly text: string
  readonly stored: Readonly<Record<PskSlot, boolean>>
}

interface DetailsState {
  readonly form: DetailsForm
  /** PSKs typed but not stored yet: kept in memory only, stored by "Save and continue" (never lost silently). */
  readonly pendingPsk: Readonly<Record<PskSlot, string>>
  readonly findings: readonly LintFinding[]
  readonly complete: boolean
  readonly linting: boolean
  readonly lintError: AppError | undefined
  readonly imported: ImportedFile | undefined
  readonly choice: PendingChoice | undefined
  readonly importError: AppError | undefined
  readonly importing: boolean
  readonly pick: ConnectionPick | undefined
  readonly set: <K extends keyof DetailsForm>(key: K, value: DetailsForm[K]) => void
  readonly setPendingPsk: (slot: PskSlot, value: string) => void
  readonly load: (form: DetailsForm) => void
  /** Reads a file through the core and merges it; `stored` says which PSKs the profile already holds. */
  readonly importText: (fileName: string, text: string, stored: Readonly<Record<PskSlot, boolean>>, connection?: string) => Promise<void>
  /** Imports the connection the user picked from a file that lists several. */
  readonly pickConnection: (position: number) => Promise<void>
  /** Settles a pending choice: replace what the user entered with the file's values, or keep it. */
  readonly choose: (useFile: boolean) => void
  readonly lint: (profileId?: ProfileId) => Promise<void>
  /** After a save: the import's keys were adopted (or declined) and the typed ones stored. */
  readonly settleSaved: (storedSlots: readonly PskSlot[]) => void
}

let lintSeq = 0

/** The details being entered or imported, and the core's lint of them. */
export const useDetailsStore = create<DetailsState>()((set, get) => ({
  form: EMPTY_FORM,
  pendingPsk: { psk1: '', psk2: '' },
  findings: [],
  complete: false,
  linting: false,
  lintError: undefined,
  imported: undefined,
  choice: undefined,
  importError: undefined,
  importing: false,
  pick: undefined,
  set: (key, value) => set((s) => ({ form: { ...s.form, [key]: value } })),
  setPendingPsk: (slot, value) => set((s) => ({ pendingPsk: { ...s.pendingPsk, [slot]: value } })),
  load: (form) => set({ form }),
  importText: async (fileName, text, stored, connection) => {
    // A new file replaces the last file's notice and any question about it (the notice shows only without an error);
    // keys an earlier file left waiting stay held until a file with keys replaces them.
    set({ importing: true, importError: undefined, choice: undefined, pick: undefined })
    const format = toImportFormat(text)
    const r = await call('importDetails', { text, format, ...(connection === undefined ? {} : { connection }) })
    if (!r.ok) {
      const listed = r.error.code === 'aws-json-choose' ? await call('listAwsConnections', { text }) : undefined
      if (listed?.ok && listed.value.length > 1) set({ importing: false, pick: { fileName, connections: listed.value, text, stored } })
      else set({ importing: false, importError: r.error })
      return
    }
    const v = r.value
    const { merged, filled, conflicts, replaced } = mergeImport(get().form, toForm(v.draft), format)
    const pending = get().pendingPsk
    const pskConflicts = (['psk1', 'psk2'] as const).filter((slot) => v.secretsFound[slot] && (pending[slot] !== '' || stored[slot]))
    const adopt = { psk1: v.secretsFound.psk1 && !pskConflicts.includes('psk1'), psk2: v.secretsFound.psk2 && !pskConflicts.includes('psk2') }
    const earlier = get().imported
    const keep = !v.importId && earlier?.importId !== undefined
    set({
      importing: false,
      form: merged,
      imported: keep && earlier ? { ...earlier, fileName, filled, notes: v.notes, secretsFound: v.secretsFound } : { fileName, filled, notes: v.notes, secretsFound: v.secretsFound, adopt, ...(v.importId ? { importId: v.importId, keysFrom: fileName } : {}) },
      choice: conflicts.length > 0 || pskConflicts.length > 0 ? { fileName, conflicts, replaced, pskConflicts } : undefined,
    })
  },
  pickConnection: async (position) => {
    const p = get().pick
    if (!p) return
    await get().importText(p.fileName, p.text, p.stored, String(position))
  },
  choose: (useFile) =>
    set((s) => {
      if (!s.choice || !s.imported) return { choice: undefined }
      if (!useFile) return { choice: undefined }
      const adopt = { ...s.imported.adopt }
      const pendingPsk = { ...s.pendingPsk }
      for (const slot of s.choice.pskConflicts) {
        adopt[slot] = true
        pendingPsk[slot] = ''
      }
      return { choice: undefined, form: s.choice.replaced, imported: { ...s.imported, adopt, filled: [...s.imported.filled, ...s.choice.conflicts.map((c) => c.label)] }, pendingPsk }
    }),
  lint: async (profileId) => {
    const seq = ++lintSeq
    set({ linting: true })
    const r = await call('lintDetails', { draft: toDraft(get().form), ...(profileId ? { profileId } : {}) })
    if (seq !== lintSeq) return
    set(r.ok ? { linting: false, findings: r.value.findings, complete: r.value.complete, lintError: undefined } : { linting: false, lintError: r.error })
  },
  settleSaved: (storedSlots) =>
    set((s) => ({
      imported: s.imported ? { fileName: s.imported.fileName, filled: s.imported.filled, notes: s.imported.notes, secretsFound: s.imported.secretsFound, adopt: { psk1: false, psk2: false } } : undefined,
      pendingPsk: { psk1: storedSlots.includes('psk1') ? '' : s.pendingPsk.psk1, psk2: storedSlots.includes('psk2') ? '' : s.pendingPsk.psk2 },
    })),
}))
