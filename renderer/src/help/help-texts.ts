// Built-in help, offline: what each step and finding means and why AWS needs it.
//
// Plain text only (no links that would leave the app); sources are in the project's research notes.

/** One help topic: a title, a few paragraphs, and why AWS (or IPsec) needs it. */
export interface HelpTopic {
  readonly title: string
  readonly paragraphs: readonly string[]
  readonly why?: string
}

/** Help for each step of the wizard. */
export const STEP_HELP = {
  request: {
    title: 'Requesting a dedicated pool',
    paragraphs: [
      "Before anything can be configured, your organization's Org Admin asks the provider (cloud.gov support) for a dedicated pool of hosts. The request must contain four things: the public IP address of your VPN endpoint, the private networks (CIDRs) to connect, the type of endpoint, and roughly how many applications will use it.",
      'Tunnelwright checks these as you type, writes the ticket text for you, and keeps the request with this connection so that the details you get back can be compared with what you asked for. Nothing is sent anywhere: you copy, save or e-mail the text yourself.',
    ],
    why: 'AWS registers your public IP as the "customer gateway" and only accepts IPsec from it; the CIDRs become static routes on the AWS side (at most 100), and traffic to anything not listed is dropped.',
  },
  details: {
    title: 'Connection details',
    paragraphs: [
      'Enter what the provider sent back, or drop in the file they sent: a Tunnelwright details file, the AWS "Generic" configuration XML, or the AWS text download. AWS always gives two tunnels, each with its own outside IP, pre-shared key and a /30 inside CIDR in 169.254.0.0/16.',
      'Pre-shared keys are sent to the app once and stored encrypted by the operating system; this window then only knows whether a key is set.',
    ],
    why: 'AWS runs each VPN connection as two tunnels in different availability zones and replaces one endpoint at a time during maintenance. Configuring both keeps you connected.',
  },
  gateway: {
    title: 'Connecting to your gateway',
    paragraphs: [
      'Tunnelwright signs in to your own VPN gateway over SSH to read what it runs and, later, to apply the change. It needs a user that can run commands as root (directly or with sudo).',
      "On first connect you are shown the gateway's host-key fingerprint. Compare it with the one your gateway reports (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub) before you trust it. If a known gateway's key changes, Tunnelwright stops: that can mean a reinstall, or someone in the middle.",
    ],
  },
  checks: {
    title: 'Firewall, NAT and path checks',
    paragraphs: [
      'IPsec needs UDP port 500 (IKE) and IP protocol 50 (ESP) in both directions between your gateway and both AWS tunnel addresses. Behind NAT, UDP port 4500 is needed too. A NAT rule that rewrites traffic before IPsec sees it makes the tunnel come up but carry nothing.',
      'Problems come first, one per cause (one drop rule that blocks UDP 500 both ways to both endpoints is one problem) with one fix in the words of the firewall the gateway runs: copy it, or let Tunnelwright apply it with confirm-or-revert. The matrix below shows every path at a glance; the details of each check are one click away.',
    ],
    why: 'AWS never initiates an IKEv1 tunnel: your gateway must reach both AWS endpoints, and their answers must get back in.',
  },
  review: {
    title: 'Reviewing the change',
    paragraphs: [
      'The summary says what each tunnel will be: the AWS endpoint, what it carries (selectors or an interface), the proposals, the lifetimes, and what starts it and keeps it up without the app.',
      'Below it is every file the gateway gets, exactly as written. Files that hold the pre-shared keys are shown too, with the keys cut out; in a diff, lines starting with + are added and lines with - removed.',
      'The confirm-or-revert window is how long the gateway waits for the change to be confirmed. Tunnelwright confirms it by itself once the tunnels are verified; if it cannot (the change cut off the SSH session, or the tunnels did not come up), the gateway restores the previous configuration on its own when the window ends.',
    ],
  },
  apply: {
    title: 'Applying the change',
    paragraphs: [
      'The gateway backs up its current configuration, writes the new files, validates them with the IPsec software itself, activates them, starts the tunnels (policy-based on strongSwan: tunnel 1, with tunnel 2 standing by) and verifies them. Tunnelwright then confirms the change by itself: there is nothing to press. If any step fails, or the confirmation does not arrive in time, the gateway puts the previous configuration back and you see why.',
      'If the checks did not run, or found a problem that can stop the tunnels, Apply asks you to confirm first, and the change record notes why you went ahead.',
    ],
  },
  status: {
    title: 'Live status',
    paragraphs: [
      'The first line says how the connection is doing as a whole. Below it, one row per tunnel: its state and since when, the last change and why, the traffic now and since the last rekey, the algorithms in use, when it rekeys next, and the health probe through it.',
      'A healthy AWS tunnel has one IKE SA and one child SA; extra child SAs are deleted by AWS after about 10 seconds. Counters restart at zero after each rekey; throughput is computed within one SA so a rekey never shows as a spike.',
      'With policy-based routing on strongSwan one tunnel is "standing by": AWS allows only one policy-based tunnel up at a time, so your gateway keeps the second one ready and brings it up when the active one fails. That is healthy, not an outage.',
    ],
    why: 'AWS drops idle tunnels and replaces endpoints during maintenance; the connection is initiated and maintained from your side, so you are the one who must notice when it is down.',
  },
} satisfies Record<string, HelpTopic>

/** Help for a finding, keyed by its stable rule id; an unknown id falls back to the finding's own text. */
export const FINDING_HELP: Readonly<Record<string, HelpTopic>> = {
  udp500: { title: 'UDP 500 (IKE)', paragraphs: ['IKE, the key exchange, runs on UDP port 500. If it is blocked, the gateway keeps retransmitting and no tunnel comes up.'], why: 'AWS only answers IKE; it never starts it, so the gateway must be able to send to and receive from both AWS endpoints on UDP 500.' },
  udp4500: { title: 'UDP 4500 (NAT traversal)', paragraphs: ['Behind NAT, IKE and ESP move to UDP port 4500 (NAT traversal). It must be open in both directions.'], why: 'Without NAT it is optional; with NAT nothing passes once IKE has switched to it.' },
  esp: { title: 'ESP (IP protocol 50)', paragraphs: ['Without NAT, encrypted traffic is IP protocol 50 (ESP), not TCP or UDP. If it is blocked, IKE comes up but no data passes (inbound bytes stay 0).'], why: "cloud.gov's documentation asks for ESP open both ways to both AWS endpoints." },
  nat: { title: 'NAT in front of the gateway', paragraphs: ['When the gateway sends from an address other than the public IP in the details, something translates it. IPsec then runs over UDP 4500, and the gateway must identify itself with the public IP AWS knows.'] },
  'nat-before-ipsec': { title: 'NAT rewrites traffic before IPsec', paragraphs: ['A masquerade or SNAT rule changes the source address before the IPsec policy matches, so the traffic leaves unencrypted or not at all. Exclude the dedicated subnet from NAT.'] },
  mss: { title: 'TCP MSS clamping', paragraphs: ['IPsec adds headers, so full-size TCP packets no longer fit. Clamping the MSS on the tunnel traffic (1382 with NAT traversal, 1398 without) avoids stalled connections that ping cannot show.'] },
  ip_forward: { title: 'IP forwarding', paragraphs: ['The gateway must forward packets between the agency network and the tunnels. With forwarding off the tunnel can be up while no agency host reaches the dedicated subnet.'] },
  rp_filter: { title: 'Reverse-path filtering', paragraphs: ['Strict reverse-path filtering drops packets that arrive on an interface other than the route back. AWS picks which tunnel it answers on, so loose mode (2) is needed, as in AWS\'s own templates.'] },
  xfrm: { title: 'Packets dropped by the IPsec policy check', paragraphs: ['The kernel counts packets that arrived through a tunnel its policy does not name (XfrmInTmplMismatch). With policy-based tunnels both tunnels share one policy, and what AWS sends down the other one is dropped.'], why: 'AWS: with policy-based tunnels only one tunnel may be up at a time; route-based tunnels do not have this limit.' },
  'path-probe': { title: 'Path probe', paragraphs: ['Before anything is applied, the gateway starts a throwaway IKE exchange with each AWS endpoint (nothing is kept). An answer proves UDP 500 (and 4500 behind NAT) passes end to end; no answer points at a block upstream.'] },
  ike: { title: 'IKE through NAT', paragraphs: ['Whether IKE detected NAT on the path, and whether the identity the gateway sends is the public IP AWS expects.'] },
  tunnel: { title: 'What the daemon sees', paragraphs: ["After apply the daemon's own counters tell the truth: retransmits without an answer mean UDP is blocked upstream; IKE up with inbound ESP bytes at 0 while outbound grows means ESP (or UDP 4500) is dropped on the way back."] },
  firewall: { title: 'Firewalls found', paragraphs: ['Which firewall sources the check read (nftables, iptables, iptables-legacy, firewalld, ufw, pf). Every one of them must let IKE and ESP through: an accept in one table does not override a drop in another.'] },
  bgp: { title: 'BGP sessions (TCP 179)', paragraphs: ["A BGP VPN routes only what its BGP sessions announce. Each tunnel carries one session between the gateway's inside address and AWS's (TCP port 179), opened by either end; the gateway's own firewall must let it through on the tunnel interface both ways.", 'A session that is up but receives no prefix routes nothing: AWS announces only what route propagation gives it.'], why: 'With both sessions up, BGP moves the traffic to the other tunnel when one fails (within the 30 s hold time, or at once when AWS withdraws the route).' },
  'pfsense-ipsec-tab': { title: 'pfSense IPsec tab rules', paragraphs: ['Traffic that comes out of a tunnel is filtered by the rules on the IPsec tab (enc0). Without a pass rule there, the tunnel is up but nothing reaches the LAN.'] },
  'pfsense-vpn-rules': { title: 'pfSense automatic VPN rules', paragraphs: ['pfSense adds pass rules for IKE and ESP to each IPsec peer unless "Disable all auto-added VPN rules" is set; then they must be written by hand on the WAN tab.'] },
}

/** The help topic of a finding: by its flow (UDP 500, UDP 4500, ESP) or by its topic. */
export function toFindingHelp(f: { readonly subject: { readonly flow?: string; readonly topic?: string } }): HelpTopic | undefined {
  return FINDING_HELP[f.subject.flow ?? f.subject.topic ?? '']
}
