// BGP render inputs for the FRR tests: the renderer sample with AWS's BGP sessions added (as an import of a
// BGP export gives them), and a realistic frr.conf a gateway may already have.
import { Details } from '../../main/core/details/model'
import { toRenderInput, type RenderInput } from '../../main/core/details/resolve'
import { sampleDetails } from './render-sample'

/** sampleDetails plus the bgp section (AWS ASN 64512, customer ASN 65000 unless given), resolved route-based. */
export function bgpInput(over: Parameters<typeof sampleDetails>[0] & { awsAsn?: number | null; customerAsn?: number } = {}): RenderInput {
  const d = sampleDetails(over)
  const bgp = toBgpSessions(d.remote.tunnels, over)
  return toRenderInput(Details.parse({ ...d, routing: 'route', bgp }), { routing: 'route', sources: { env: {}, readFile: () => { throw new Error('no files in tests') } } })
}

/** A details file's bgp section for these tunnels, as an import of a BGP export gives it: AWS on the first address of each inside /30, AWS ASN 64512 (none with null), customer ASN 65000. */
export function toBgpSessions(tunnels: readonly { readonly outsideIp: string; readonly insideCidr: string }[], over: { awsAsn?: number | null; customerAsn?: number } = {}) {
  return {
    tunnels: tunnels.map((t) => {
      const [a, b, c, x] = t.insideCidr.split('/')[0]!.split('.').map(Number) as [number, number, number, number]
      return { outsideIp: t.outsideIp, neighborIp: `${a}.${b}.${c}.${x + 1}`, ...(over.awsAsn === null ? {} : { awsAsn: over.awsAsn ?? 64512 }), customerAsn: over.customerAsn ?? 65000, holdTime: 30 }
    }),
  }
}

/** An frr.conf as `write memory` leaves it on a gateway that already peers with someone else (same ASN 65000). */
export const EXISTING_FRR_CONF = `frr version 8.4.4
frr defaults traditional
hostname edge-gw
log syslog informational
!
ip prefix-list LAN-OUT seq 5 permit 192.168.77.0/24
!
route-map ISP-OUT permit 10
 match ip address prefix-list LAN-OUT
exit
!
route-map ISP-IN permit 10
exit
!
router bgp 65000
 bgp router-id 10.77.0.2
 neighbor 10.77.0.1 remote-as 64999
 neighbor 10.77.0.1 description upstream ISP
 !
 address-family ipv4 unicast
  network 192.168.77.0/24
  neighbor 10.77.0.1 route-map ISP-IN in
  neighbor 10.77.0.1 route-map ISP-OUT out
 exit-address-family
exit
!
end
`
