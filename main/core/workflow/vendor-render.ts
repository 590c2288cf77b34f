// Vendor configurations for both faces: details → the configuration a Cisco, Palo Alto, Fortinet, Juniper
// or Windows device gets, with the steps in order. Render-only: nothing connects to the device, and the
// apply path (which takes a DeviceKind) cannot be reached with a VendorKind.
import type { RoutingMode, VendorKind } from '../base/vocabulary'
import type { RenderedConfig } from '../render/types'
import { toRenderInput } from '../details/resolve'
import { renderVendorDevice, toVendorAutoRouting, type VendorRenderedConfig } from '../render'
import { escapeJunosString, escapePsString } from '../render/vendor/escape'
import { PSK_CUT, writeRenderedFiles } from './details'
import type { DetailsInput } from './context'
import { toProfileDetails, toProfileSecretSources, type ProfileDetails } from '../app-data/profiles'
import { PREVIEW_PSKS } from './review'

/** The routing mode of a vendor render and why: the details, a face's override, or what the platform does for "auto". */
export interface VendorRoutingDecision {
  readonly mode: RoutingMode
  readonly basis: 'details' | 'override' | 'platform'
}

/** A vendor configuration rendered from details, with why its routing mode, and a PSK cutter for showing it. */
export interface VendorRenderResult {
  readonly rendered: VendorRenderedConfig
  readonly routing: VendorRoutingDecision
  /** Cuts every PSK, in every form the vendor renderers write (bare, Junos-escaped, PowerShell-doubled), out of a text. */
  readonly cutPsks: (text: string) => string
}

/** Renders a vendor device's configuration (changes nothing anywhere). */
export function renderVendorConfig(
  input: DetailsInput,
  opts: { readonly kind: VendorKind; readonly version?: string; readonly routing?: RoutingMode; readonly wan?: string; readonly lan?: string; readonly templatesDir?: string },
): VendorRenderResult {
  const details = input.details
  const routing: VendorRoutingDecision = opts.routing
    ? { mode: opts.routing, basis: 'override' }
    : details.routing !== 'auto'
      ? { mode: details.routing, basis: 'details' }
      : { mode: toVendorAutoRouting(opts.kind, details.crypto, opts.version), basis: 'platform' }
  const renderInput = toRenderInput(details, { routing: routing.mode, sources: input.sources })
  const rendered = renderVendorDevice(renderInput, opts.kind, {
    ...(opts.version ? { version: opts.version } : {}),
    ...(opts.wan ? { wan: opts.wan } : {}),
    ...(opts.lan ? { lan: opts.lan } : {}),
    ...(opts.templatesDir ? { templatesDir: opts.templatesDir } : {}),
  })
  const forms = renderInput.tunnels
    .flatMap((t) => {
      const raw = t.psk.reveal()
      const out = [raw]
      for (const esc of [escapeJunosString, escapePsString]) {
        try {
          out.push(esc(t.psk).slice(1, -1))
        } catch {
          // A form this PSK cannot take was never written.
        }
      }
      return out
    })
    .filter((f) => f.length > 0)
    .sort((a, b) => b.length - a.length)
  const cutPsks = (text: string) => forms.reduce((acc, f) => acc.split(f).join(PSK_CUT), text)
  const note = routing.basis === 'platform' ? [`Routing is "auto": ${routing.mode}-based is what ${opts.kind} does with these details (set "routing" in the details or --routing to choose).`] : []
  return { rendered: { ...rendered, notes: [...note, ...rendered.notes] }, routing, cutPsks }
}

/** Writes a vendor configuration's files at <out>/<kind>/…, 0600 (they hold the PSKs), refusing symlinks like writeRenderedFiles. */
export function writeVendorFiles(outDir: string, rendered: VendorRenderedConfig): string[] {
  // writeRenderedFiles reads only `files`; the kind a vendor config carries is not a DeviceKind.
  return writeRenderedFiles(outDir, { files: rendered.files } as Pick<RenderedConfig, 'files'> as RenderedConfig)
}

/** A vendor configuration safe to show in a face: the PSKs cut, the steps in order, why its routing mode. */
export interface VendorPreview {
  readonly kind: VendorKind
  readonly version: string
  readonly routing: RoutingMode
  readonly routingBasis: VendorRoutingDecision['basis']
  readonly files: readonly { readonly path: string; readonly role: string; readonly content: string }[]
  readonly connectionNames: readonly [string, string]
  readonly steps: readonly string[]
  readonly notes: readonly string[]
}

/**
 * Renders a profile's draft for a vendor device with placeholder PSKs and cuts them, so no key is ever in
 * the preview (the user pastes the keys from the provider's details where the text says so).
 */
export function previewVendorDraft(draft: ProfileDetails, opts: { readonly kind: VendorKind; readonly version?: string; readonly routing?: RoutingMode; readonly templatesDir?: string }): VendorPreview {
  const details = toProfileDetails(draft)
  const sources = toProfileSecretSources({ psk1: PREVIEW_PSKS[0], psk2: PREVIEW_PSKS[1] })
  const { rendered, routing, cutPsks } = renderVendorConfig({ details, sources }, opts)
  return {
    kind: rendered.kind,
    version: rendered.version,
    routing: rendered.routing,
    routingBasis: routing.basis,
    files: rendered.files.map((f) => ({ path: f.path, role: f.role, content: cutPsks(f.content) })),
    connectionNames: rendered.connectionNames,
    steps: rendered.steps.map(cutPsks),
    notes: rendered.notes.map(cutPsks),
  }
}
