import { create } from 'zustand'
import type { AppError, CryptoDto, DetailsDraftDto, DetailsImport, ImportFormat, ImportId, LintFinding } from '../../../../preload/api'
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
}

/** An empty form. */
export const EMPTY_FORM: DetailsForm = { name: '', provider: 'cloud.gov', publicIp: '', privateCidrs: '', dedicatedCidrs: '', egressIps: '', t1OutsideIp: '', t1InsideCidr: '', t2OutsideIp: '', t2InsideCidr: '', routing: 'auto', crypto: DEFAULT_CRYPTO, healthTarget: '' }

function lines(text: string): string[] {
  return text.split(/[\n,;]+/).map((l) => l.trim()).filter((l) => l !== '')
}

/** The contract's draft from the form. */
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
  }
}

/** Guesses the format of a dropped file from its text. */
export function toImportFormat(text: string): ImportFormat {
  const t = text.trimStart()
  if (t.startsWith('<')) return 'aws-xml'
  if (t.startsWith('{')) return 'details-json'
  return 'aws-text'
}

interface DetailsState {
  readonly form: DetailsForm
  readonly findings: readonly LintFinding[]
  readonly complete: boolean
  readonly linting: boolean
  readonly lintError: AppError | undefined
  readonly imported: (Pick<DetailsImport, 'needs' | 'notes' | 'secretsFound'> & { readonly fileName: string; readonly importId?: ImportId }) | undefined
  readonly importError: AppError | undefined
  readonly importing: boolean
  readonly set: <K extends keyof DetailsForm>(key: K, value: DetailsForm[K]) => void
  readonly load: (form: DetailsForm) => void
  readonly importText: (fileName: string, text: string) => Promise<void>
  readonly lint: () => Promise<void>
  readonly clearImportId: () => void
}

let lintSeq = 0

/** The details being entered or imported, and the core's lint of them. */
export const useDetailsStore = create<DetailsState>()((set, get) => ({
  form: EMPTY_FORM,
  findings: [],
  complete: false,
  linting: false,
  lintError: undefined,
  imported: undefined,
  importError: undefined,
  importing: false,
  set: (key, value) => set((s) => ({ form: { ...s.form, [key]: value } })),
  load: (form) => set({ form }),
  importText: async (fileName, text) => {
    set({ importing: true, importError: undefined })
    const r = await call('importDetails', { text, format: toImportFormat(text) })
    if (!r.ok) {
      set({ importing: false, importError: r.error })
      return
    }
    const v = r.value
    set({
      importing: false,
      form: toForm(v.draft),
      findings: v.findings,
      imported: { fileName, needs: v.needs, notes: v.notes, secretsFound: v.secretsFound, ...(v.importId ? { importId: v.importId } : {}) },
    })
  },
  lint: async () => {
    const seq = ++lintSeq
    set({ linting: true })
    const r = await call('lintDetails', { draft: toDraft(get().form) })
    if (seq !== lintSeq) return
    set(r.ok ? { linting: false, findings: r.value.findings, complete: r.value.complete, lintError: undefined } : { linting: false, lintError: r.error })
  },
  clearImportId: () => set((s) => (s.imported ? { imported: { fileName: s.imported.fileName, needs: s.imported.needs, notes: s.imported.notes, secretsFound: s.imported.secretsFound } } : {})),
}))
