// The pfSense-shaped gateway (placeholder until implemented).
import { type DaemonNode } from './node'
import { type GatewayContext, type GatewaySetup } from './gateways'

/** Builds a pfSense-shaped gateway node. */
export async function setupPfsense(_node: DaemonNode, _ctx: GatewayContext): Promise<GatewaySetup> {
  throw new Error('pfsense gateway: not implemented yet')
}
