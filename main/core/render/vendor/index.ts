// Vendor renderers (render-only kinds): details (resolved) → a configuration to paste or run on a Cisco,
// Palo Alto, Fortinet, Juniper or Windows device, with the steps in order. Nothing here touches a device.
import type { RenderInput } from '../../details/resolve'
import { coveringSupernet, parsePrefix } from '../../net/cidr'
import { assertNever, UserError } from '../../base/result'
import type { VendorKind } from '../../base/vocabulary'
import { resolveTemplatesDir } from '../templates'
import { escapeVendorWord } from './escape'
import { renderCiscoAsa } from './cisco-asa'
import { renderCiscoIos } from './cisco-ios'
import { DEFAULT_SITES, DEFAULT_VENDOR_VERSIONS, type VendorRenderedConfig, type VendorRenderOptions } from './common'
import { renderFortigate } from './fortigate'
import { renderJuniperSrx } from './juniper-srx'
import { renderPaloalto } from './paloalto'
import { renderWindowsServer } from './windows-server'
import { VENDOR_CHECKERS } from './syntax'

export { DEFAULT_SITES, DEFAULT_VENDOR_VERSIONS, toVendorAutoRouting, type VendorRenderedConfig, type VendorRenderOptions, type VendorSite } from './common'

/** A vendor version as the platform prints it: 9.18(2), 17.9.4a, 10.2.7-h3, 7.2.8, 21.4R3-S5, 2022, 2012R2. */
const VENDOR_VERSION = /^[0-9][0-9A-Za-z.()+~_-]{0,40}$/

/**
 * Policy-based, one selector pair per side whatever the IKE version: every one of these platforms makes an
 * SA per crypto-ACL entry, proxy ID or selector, and AWS allows one SA pair per tunnel.
 */
function toOnePair(input: RenderInput): RenderInput {
  if (input.routing !== 'policy') return input
  const one = (cidrs: readonly string[]) => {
    const prefixes = cidrs.map((c) => parsePrefix(c)).filter((p) => p !== undefined)
    return prefixes.length <= 1 ? cidrs : [coveringSupernet(prefixes).cidr]
  }
  return { ...input, localSelectors: one(input.localSelectors), remoteSelectors: one(input.remoteSelectors) }
}

/** Renders one vendor device's configuration for both AWS tunnels. */
export function renderVendorDevice(given: RenderInput, kind: VendorKind, opts: VendorRenderOptions = {}): VendorRenderedConfig {
  const input = toOnePair(given)
  const version = opts.version ?? DEFAULT_VENDOR_VERSIONS[kind]
  if (!VENDOR_VERSION.test(version)) {
    throw new UserError('device-version', `Device version ${JSON.stringify(version.slice(0, 40))} is not a version number.`, { fix: 'Give it as the device prints it, e.g. 9.18, 17.9, 10.2, 7.2, 21.4 or 2022.' })
  }
  // 0.0.0.0/0 selectors policy-based would capture everything through the device (the Linux renderers refuse the same).
  if (input.routing === 'policy' && [...input.localSelectors, ...input.remoteSelectors].some((c) => c.endsWith('/0'))) {
    throw new UserError('policy-selector-everything', 'Policy-based mode would tunnel 0.0.0.0/0 (the CIDRs summarize to everything).', { fix: 'Use route-based mode (--routing route), or list CIDRs that share a reasonable supernet.' })
  }
  const site = { wan: opts.wan ?? DEFAULT_SITES[kind].wan, lan: opts.lan ?? DEFAULT_SITES[kind].lan }
  for (const [what, v] of Object.entries(site)) {
    try {
      escapeVendorWord(v)
    } catch (err) {
      throw new UserError('vendor-interface-name', `The ${what.toUpperCase()} name ${JSON.stringify(v.slice(0, 64))} cannot be written into a device configuration.`, { cause: err, fix: 'Give the interface or zone name as the device shows it: letters, digits and . _ / : - only.' })
    }
  }
  const behindNat = input.localAddress !== input.localId
  const ctx = { input, kind, version, templatesDir: opts.templatesDir ?? resolveTemplatesDir(), site, behindNat }
  const rendered = render(ctx)
  // The renderer reads its own output back with the syntax's checker: a config the device would parse
  // differently from what we meant (an unclosed block, a value that left its quotes) never leaves here.
  for (const f of rendered.files) {
    const issues = VENDOR_CHECKERS[kind](f.content).issues
    // Only line numbers: a checker's message may quote the line, and the line may hold a PSK.
    if (issues.length > 0) throw new Error(`${kind} renderer wrote text its own syntax check refuses (lines ${issues.map((i) => i.line).slice(0, 5).join(', ')})`)
  }
  return rendered
}

function render(ctx: Parameters<typeof renderCiscoAsa>[0]): VendorRenderedConfig {
  switch (ctx.kind) {
    case 'cisco-asa':
      return renderCiscoAsa(ctx)
    case 'cisco-ios':
      return renderCiscoIos(ctx)
    case 'paloalto':
      return renderPaloalto(ctx)
    case 'fortigate':
      return renderFortigate(ctx)
    case 'juniper-srx':
      return renderJuniperSrx(ctx)
    case 'windows-server':
      return renderWindowsServer(ctx)
    default:
      return assertNever(ctx.kind)
  }
}
