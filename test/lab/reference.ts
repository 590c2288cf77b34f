// Hand-written, known-good gateway configs for a running lab: the baseline the lab's own tests load to
// prove the topology, and a reference for what the app's renderers should produce.
import { type Lab } from './lab'

/** Names used by the reference configs. */
export const REF_NAMES = ['aws-tun1', 'aws-tun2'] as const

/** swanctl.conf for both AWS tunnels (IKEv1, AES256/SHA256/MODP2048, PFS 14, policy-based). */
export function referenceSwanctlConf(lab: Lab, o: { proposals?: string } = {}): string {
  const g = lab.gateway
  const proposals = o.proposals ?? 'aes256-sha256-modp2048'
  const conns = ([0, 1] as const).map((i) => {
    const name = REF_NAMES[i]
    const peer = lab.aws.outsideIps[i]
    return `  ${name} {
    version = 1
    local_addrs = ${g.wanIp}
    remote_addrs = ${peer}
    proposals = ${proposals}
    dpd_delay = 10s
    dpd_timeout = 30s
    reauth_time = 28800s
    local {
      auth = psk
      id = ${g.publicIp}
    }
    remote {
      auth = psk
      id = ${peer}
    }
    children {
      ${name} {
        local_ts = ${g.lanCidr}
        remote_ts = ${lab.aws.dedicatedCidr}
        esp_proposals = ${proposals}
        life_time = 3600s
        dpd_action = restart
        start_action = start
        close_action = start
      }
    }
  }`
  })
  const secrets = ([0, 1] as const).map(
    (i) => `  ike-${REF_NAMES[i]} {\n    id-a = ${g.publicIp}\n    id-b = ${lab.aws.outsideIps[i]}\n    secret = "${lab.aws.psks[i]}"\n  }`,
  )
  return `connections {\n${conns.join('\n')}\n}\nsecrets {\n${secrets.join('\n')}\n}\n`
}

/** ipsec.conf conns for both AWS tunnels (strongSwan starter). */
export function referenceIpsecConf(lab: Lab, o: { ike?: string } = {}): string {
  const g = lab.gateway
  const ike = o.ike ?? 'aes256-sha256-modp2048!'
  return ([0, 1] as const)
    .map(
      (i) => `conn ${REF_NAMES[i]}
    keyexchange=ikev1
    authby=secret
    left=${g.wanIp}
    leftid=${g.publicIp}
    leftsubnet=${g.lanCidr}
    right=${lab.aws.outsideIps[i]}
    rightid=${lab.aws.outsideIps[i]}
    rightsubnet=${lab.aws.dedicatedCidr}
    ike=${ike}
    esp=${ike}
    ikelifetime=8h
    lifetime=1h
    dpddelay=10s
    dpdtimeout=30s
    dpdaction=restart
    closeaction=restart
    keyingtries=%forever
    auto=start
`,
    )
    .join('\n')
}

/** ipsec.secrets lines for both AWS tunnels. */
export function referenceIpsecSecrets(lab: Lab): string {
  return ([0, 1] as const).map((i) => `${lab.gateway.publicIp} ${lab.aws.outsideIps[i]} : PSK "${lab.aws.psks[i]}"\n`).join('')
}
