// The IPsec daemons' recent log on the gateway, for the diagnostics bundle.
import { runReadOnly } from '../gateway/commands'
import type { GatewayAccess } from './context'

/** The last 300 journal lines of the IPsec units (charon, starter, pluto); undefined when the gateway has no journal. */
export async function readDaemonLog(gateway: GatewayAccess): Promise<string | undefined> {
  const out = await runReadOnly(gateway.shell, [{ id: 'log', argv: ['journalctl', '--no-pager', '-n', '300', '-u', 'strongswan', '-u', 'strongswan-starter', '-u', 'ipsec', '-u', 'charon-systemd'] }], 30_000)
  return out['log']?.stdout
}
