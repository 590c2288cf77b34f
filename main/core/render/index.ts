// Device config renderers: details (resolved) → files for the gateway, one module per device kind.
import type { RenderInput } from '../details/resolve'
import { assertNever, UserError } from '../base/result'
import { renderLibreswan } from './libreswan'
import { renderPfsense } from './pfsense'
import { renderStrongswan } from './strongswan'
import { renderStrongswanLegacy } from './strongswan-legacy'
import { resolveTemplatesDir } from './templates'
import type { RenderedConfig, RenderKind, RenderOptions } from './types'

export type { RenderedConfig, RenderedFile, RenderKind, RenderOptions, FileLayout } from './types'
export { resolveTemplatesDir } from './templates'
export { compareVersions } from '../base/version'

/** The version each kind is rendered for when none is given. */
export const DEFAULT_VERSIONS: Readonly<Record<RenderKind, string>> = {
  strongswan: '5.9.8',
  'strongswan-legacy': '5.9.8',
  libreswan: '4.10',
  openswan: '2.6.38',
  pfsense: '2.7.2',
}

/** Longest device version accepted (an RPM release string with its architecture fits). */
export const MAX_VERSION_LENGTH = 128

/** Renders one device's configuration for both AWS tunnels. */
export function renderDevice(input: RenderInput, kind: RenderKind, opts: RenderOptions = {}): RenderedConfig {
  const version = opts.version ?? DEFAULT_VERSIONS[kind]
  // Every version this accepts must render: versions reach templates only as comments (Plus and Debian
  // package versions carry + and ~, RPM ones are long); comparisons use the leading numbers.
  if (version.length > MAX_VERSION_LENGTH || !/^\d+(\.\d+){0,3}([._+~-][A-Za-z0-9]+)*$/.test(version)) {
    throw new UserError('device-version', `Device version ${JSON.stringify(version.length > 40 ? `${version.slice(0, 40)}…` : version)} is not a version number${version.length > MAX_VERSION_LENGTH ? ` (longer than ${MAX_VERSION_LENGTH} characters)` : ''}.`, { fix: 'Give it like 5.9.8, 4.10, 2.7.2 or 4.10-2+deb12u1.' })
  }
  // 0.0.0.0/0 selectors without an interface capture all host traffic, our SSH session included (domain.md).
  if (input.routing === 'policy' && [...input.localSelectors, ...input.remoteSelectors].some((c) => c.endsWith('/0'))) {
    throw new UserError('policy-selector-everything', 'Policy-based mode would tunnel 0.0.0.0/0 (the CIDRs summarize to everything), capturing all of the gateway\'s traffic, SSH included.', {
      likelyCause: 'Under IKEv1 several CIDRs are summarized into one supernet, and these CIDRs only fit into 0.0.0.0/0.',
      fix: 'Use route-based mode (--routing route), or list CIDRs that share a reasonable supernet.',
    })
  }
  const common = { templatesDir: opts.templatesDir ?? resolveTemplatesDir(), layout: opts.layout ?? 'debian', version }
  const rendered = renderKind(input, kind, common)
  return { ...rendered, notes: [...rendered.notes, toMssNote(kind)] }
}

function renderKind(input: RenderInput, kind: RenderKind, common: { templatesDir: string; layout: 'debian' | 'rhel'; version: string }): RenderedConfig {
  switch (kind) {
    case 'strongswan':
      return renderStrongswan(input, common)
    case 'strongswan-legacy':
      return renderStrongswanLegacy(input, common)
    case 'libreswan':
    case 'openswan':
      return renderLibreswan(input, kind, common)
    case 'pfsense':
      return renderPfsense(input, common)
    default:
      return assertNever(kind)
  }
}

/** The TCP MSS AWS's exports advise clamping to (the XML's tcp_mss_adjustment, the Generic text's "TCP MSS Adjustment"). */
export const AWS_TCP_MSS = 1379

/** The MSS advice every device kind's render carries: AWS does no path-MTU discovery, so large TCP transfers stall without a clamp. */
function toMssNote(kind: RenderKind): string {
  const how =
    kind === 'pfsense'
      ? `on pfSense: VPN → IPsec → Advanced Settings → "Enable MSS clamping on VPN traffic", Maximum MSS ${AWS_TCP_MSS}`
      : `on Linux, in the mangle table for forwarded TCP SYNs between the agency and dedicated CIDRs: -j TCPMSS --set-mss ${AWS_TCP_MSS} (nft: tcp option maxseg size set ${AWS_TCP_MSS})`
  return `Clamp TCP MSS to ${AWS_TCP_MSS} bytes on traffic through the tunnels, as AWS's exports advise (AWS does no path-MTU discovery: without it large transfers stall while pings work); ${how}. It must stay at or below 1382 behind NAT-T and 1398 without; tunnelwright check looks for the rule.`
}

// Render-only vendor kinds (Cisco, Palo Alto, Fortinet, Juniper, Windows): their own entry, so the apply path never sees them.
export { renderVendorDevice, DEFAULT_SITES, DEFAULT_VENDOR_VERSIONS, toVendorAutoRouting, type VendorRenderedConfig, type VendorRenderOptions, type VendorSite } from './vendor'
