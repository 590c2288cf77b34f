// Which routing mode a change uses, and on what grounds: the details' own choice, a face's override,
// the gateway's kernel (for "auto"), or, with no gateway inspected yet, an assumption that says so.
import type { DeviceKind, RoutingMode } from '../base/vocabulary'
import { toAutoRouting, type GatewayFacts } from './detect'

/** A routing mode and why it was chosen. */
export interface RoutingDecision {
  readonly mode: RoutingMode
  /** details: the details name it; override: --routing / the UI chose it; gateway: "auto" decided from the gateway's kernel; assumed: "auto" with no gateway inspected. */
  readonly basis: 'details' | 'override' | 'gateway' | 'assumed'
  /** For "assumed": what was assumed and how to get a real decision. */
  readonly note?: string
}

/**
 * Decides the routing mode. "auto" is decided from the gateway's facts when they are known; without them
 * the decision is what auto picks on a typical gateway of that kind, and the note says it was assumed.
 */
export function decideRouting(requested: 'auto' | RoutingMode, ctx: { readonly override?: RoutingMode; readonly facts?: GatewayFacts; readonly kind?: DeviceKind } = {}): RoutingDecision {
  if (ctx.override) return { mode: ctx.override, basis: 'override' }
  if (requested !== 'auto') return { mode: requested, basis: 'details' }
  if (ctx.facts && ctx.facts.stack.kind !== 'none') return { mode: toAutoRouting(ctx.facts), basis: 'gateway' }
  // Openswan has neither XFRM interfaces nor a VTI it can drive; pfSense and current Linux kernels route.
  const mode: RoutingMode = ctx.kind === 'openswan' ? 'policy' : 'route'
  return {
    mode,
    basis: 'assumed',
    note: `Routing is "auto" and no gateway was inspected, so this shows ${mode}-based: what auto picks on ${mode === 'route' ? 'a kernel with XFRM interfaces or VTI (every stock distribution kernel) and on pfSense' : 'Openswan'}. Connect to the gateway (plan) to decide from its kernel, or set "routing" in the details.`,
  }
}
