// The second peer: an unrelated IPsec site (IKEv2, FQDN ids) that the gateway is already connected to
// before the app touches it. Tests check that this connection survives whatever the app does.
import { ADDR } from './topology'

/** The existing connection's settings, shared by the peer2 node and every gateway kind. */
export interface PartnerConf {
  readonly psk: string
  readonly gwId: string
  readonly peerId: string
}

/** The name every gateway kind gives the existing connection (conn/phase1 description). */
export const PARTNER_NAME = 'partner'

/** swanctl.conf of the peer2 node (a responder). */
export function renderPeer2Swanctl(p: PartnerConf): string {
  return `# tunnelwright lab: the partner site behind the gateway's existing, unrelated connection
connections {
  partner {
    version = 2
    local_addrs = ${ADDR.peer2}
    proposals = aes256-sha256-modp2048
    local {
      auth = psk
      id = @${p.peerId}
    }
    remote {
      auth = psk
      id = @${p.gwId}
    }
    children {
      partner-net {
        local_ts = ${ADDR.peer2Cidr}
        remote_ts = ${ADDR.lanCidr}
        esp_proposals = aes256-sha256-modp2048
      }
    }
  }
}
secrets {
  ike-partner {
    id-a = @${p.peerId}
    id-b = @${p.gwId}
    secret = "${p.psk}"
  }
}
`
}

/** The gateway's existing connection in swanctl form (/etc/swanctl/conf.d/partner.conf). */
export function renderPartnerSwanctl(p: PartnerConf): string {
  return `# Existing site-to-site connection to the partner office (not managed by Tunnelwright)
connections {
  partner {
    version = 2
    remote_addrs = ${ADDR.peer2}
    proposals = aes256-sha256-modp2048
    dpd_delay = 30s
    local {
      auth = psk
      id = @${p.gwId}
    }
    remote {
      auth = psk
      id = @${p.peerId}
    }
    children {
      partner-net {
        local_ts = ${ADDR.lanCidr}
        remote_ts = ${ADDR.peer2Cidr}
        esp_proposals = aes256-sha256-modp2048
        start_action = start
        dpd_action = restart
      }
    }
  }
}
secrets {
  ike-partner {
    id-a = @${p.gwId}
    id-b = @${p.peerId}
    secret = "${p.psk}"
  }
}
`
}

/** The gateway's existing connection as an ipsec.conf conn (strongSwan starter and Libreswan). */
export function renderPartnerIpsecConf(p: PartnerConf, flavour: 'strongswan' | 'libreswan'): string {
  const ike = flavour === 'strongswan' ? 'aes256-sha256-modp2048!' : 'aes256-sha2_256;modp2048'
  const esp = flavour === 'strongswan' ? 'aes256-sha256-modp2048!' : 'aes256-sha2_256;modp2048'
  return `# Existing site-to-site connection to the partner office (not managed by Tunnelwright)
conn ${PARTNER_NAME}
    keyexchange=ikev2
    authby=secret
    left=%defaultroute
    leftid=@${p.gwId}
    leftsubnet=${ADDR.lanCidr}
    right=${ADDR.peer2}
    rightid=@${p.peerId}
    rightsubnet=${ADDR.peer2Cidr}
    ike=${ike}
    esp=${esp}
    auto=start
`
}

/** The existing connection's line in ipsec.secrets. */
export function renderPartnerSecrets(p: PartnerConf): string {
  return `@${p.gwId} @${p.peerId} : PSK "${p.psk}"\n`
}
