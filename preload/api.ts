// THE contract between the Electron shell, the preload bridge and the renderer.
//
// Types and constants only: no runtime imports. The renderer imports this file with `import type`
// (plus the CHANNELS constant through the preload, never directly at runtime).
//
// Secrets never travel main → renderer. The renderer sends a secret once (setSecret, importDetails,
// importProfile's passphrase) and from then on sees only `hasSecret`. No method returns a secret value.

/** Either a value or a user-facing error; every IPC handler returns one, exceptions never cross IPC. */
export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: AppError }

/**
 * An expected failure, in the words a user needs: what failed, the likely cause, the fix.
 *
 * Codes the UI can branch on: 'ipc-sender', 'ipc-args', 'not-available' (the capability is not built
 * yet), 'cancelled' (cancelJob), 'not-connected', 'profile-not-found', 'plan-not-found',
 * 'details-incomplete', 'secret-storage-unavailable', 'ssh-host-key-changed', 'ssh-host-key-revoked',
 * 'export-passphrase', 'internal'; plus the core's own codes (ssh-*, detect-failed, apply-*, …).
 */
export interface AppError {
  readonly code: string
  readonly message: string
  readonly cause?: string
  readonly fix?: string
}

declare const brand: unique symbol
/** A string that only comes from where its brand says (main hands them out). */
export type Brand<T, B extends string> = T & { readonly [brand]: B }
/** A saved gateway profile. */
export type ProfileId = Brand<string, 'ProfileId'>
/** A plan prepared by planChange and held in main until applied or discarded. */
export type PlanId = Brand<string, 'PlanId'>
/** A details import whose secrets (PSKs) wait in main for saveProfile to adopt them. */
export type ImportId = Brand<string, 'ImportId'>
/** A long job; the renderer chooses it (`crypto.randomUUID() as JobId`) so it can cancel before the answer. */
export type JobId = Brand<string, 'JobId'>
/** A running status watch. */
export type WatchId = Brand<string, 'WatchId'>
/** A change record kept after an apply or rollback. */
export type RecordId = Brand<string, 'RecordId'>

/** The device kinds the app renders configs for (cli.md `--device KIND`). */
export type DeviceKind = 'strongswan' | 'strongswan-legacy' | 'libreswan' | 'openswan' | 'pfsense'

/** The vendor devices the app renders a configuration for, to paste by hand (nothing is applied to them). */
export type VendorKind = 'cisco-asa' | 'cisco-ios' | 'paloalto' | 'fortigate' | 'juniper-srx' | 'windows-server'

/** Route-based (XFRM/VTI) or policy-based IPsec. */
export type RoutingMode = 'route' | 'policy'

// ---------------------------------------------------------------------------------------------------
// App and settings

/** What the app is and what it supports, for the About box and the first screen. */
export interface AppInfo {
  readonly name: string
  readonly version: string
  /** The gateways the app configures and applies to over SSH. */
  readonly deviceKinds: readonly DeviceKind[]
  /** The vendor devices it renders a configuration for and reads the status of, read-only, over SSH. */
  readonly vendorKinds: readonly VendorKind[]
  /** How often a vendor device may be polled, in seconds (the bounds both faces accept) and by default. */
  readonly vendorPoll: { readonly min: number; readonly max: number; readonly default: number }
  readonly detailsFormat: string
}

/** User settings, remembered across restarts. */
export interface Settings {
  /** Screen-share safe mode: hide anything sensitive-looking (public IPs, fingerprints) in the UI. */
  readonly screenShareSafe: boolean
  /** Mask public IPs in the UI and in exports (diagnostics, change records). */
  readonly maskPublicIps: boolean
}

// ---------------------------------------------------------------------------------------------------
// Details: request step, import, lint, render preview

/** A finding of lint or of the request step, pointing into the details with a JSON pointer. */
export interface LintFinding {
  /** Stable rule id (kebab-case). */
  readonly id: string
  readonly severity: 'error' | 'warning' | 'info'
  /** JSON pointer into the details ('' = the whole document), e.g. /gateway/privateCidrs/1. */
  readonly path: string
  readonly message: string
  readonly why: string
  readonly fix: string
}

/** What the agency tells cloud.gov when asking for a dedicated egress pool (the first step). */
export interface ProviderRequestInput {
  /** The agency gateway's public IPv4 address (becomes the AWS customer gateway). */
  readonly publicIp: string
  /** The agency's private CIDRs to reach through the tunnels. */
  readonly privateCidrs: readonly string[]
  /** The VPN device on the agency side; 'other' when it is none of the supported kinds. */
  readonly endpointType: DeviceKind | 'other'
  /** Roughly how many apps will use the dedicated pool (sizing). */
  readonly approxApps: number
}

/** The support-ticket text for the request, built offline, with what is wrong in the input. */
export interface ProviderRequest {
  readonly to: string
  readonly subject: string
  readonly body: string
  /** A mailto: link with subject and body (the user's mail client opens it; nothing is sent by the app). */
  readonly mailto: string
  readonly findings: readonly LintFinding[]
  /** True when no finding is an error. */
  readonly ready: boolean
}

/** IPsec proposal settings (defaults are cloud.gov's required values). */
export interface CryptoDto {
  readonly ikeVersion: 1 | 2
  readonly encryption: 'aes256' | 'aes128' | 'aes256gcm16' | 'aes128gcm16' | '3des'
  readonly integrity: 'sha256' | 'sha384' | 'sha512' | 'sha1' | 'md5'
  readonly dhGroup: number
  /** 0 = no PFS (AWS requires PFS). */
  readonly pfsGroup: number
  readonly ikeLifetime: number
  readonly ipsecLifetime: number
  readonly dpd: { readonly delay: number; readonly timeout: number }
}

/** One AWS tunnel without its PSK (PSKs live in main's secret store: slots psk1/psk2). */
export interface TunnelDto {
  readonly outsideIp: string
  /** A /30 in 169.254.0.0/16. */
  readonly insideCidr: string
}

/** One tunnel's BGP session as AWS's export gives it (paired with its tunnel by outside IP). */
export interface BgpPeerDto {
  readonly outsideIp: string
  readonly awsAsn?: number
  readonly customerAsn?: number
  /** AWS's inside address of the tunnel. */
  readonly neighborIp: string
  readonly holdTime?: number
}

/** What AWS's tunnel options allow in one phase of a tunnel; an absent list is AWS's default (everything). */
export interface AwsPhaseOptionsDto {
  readonly encryption?: readonly ('aes128' | 'aes256' | 'aes128gcm16' | 'aes256gcm16')[]
  readonly integrity?: readonly ('sha1' | 'sha256' | 'sha384' | 'sha512')[]
  readonly dhGroups?: readonly number[]
  readonly lifetime?: number
}

/** One tunnel's options at AWS (from describe-vpn-connections), paired with its tunnel by outside IP. */
export interface AwsTunnelOptionsDto {
  readonly outsideIp: string
  readonly ikeVersions?: readonly (1 | 2)[]
  readonly phase1?: AwsPhaseOptionsDto
  readonly phase2?: AwsPhaseOptionsDto
  readonly dpd?: { readonly timeout?: number; readonly action?: 'clear' | 'none' | 'restart' }
  readonly startupAction?: 'add' | 'start'
}

/**
 * The details of one connection as the UI edits them: tunnelwright/details@1 minus the PSKs, and
 * allowed to be incomplete (publicIp absent, CIDR lists empty) until the user fills them in.
 */
export interface DetailsDraftDto {
  readonly name: string
  readonly provider: 'cloud.gov' | 'aws'
  readonly gateway: {
    readonly publicIp?: string
    readonly privateCidrs: readonly string[]
    readonly kind?: DeviceKind
    readonly localAddress?: string
  }
  readonly remote: {
    readonly dedicatedCidrs: readonly string[]
    readonly egressIps: readonly string[]
    readonly tunnels: readonly [TunnelDto, TunnelDto]
  }
  readonly crypto: CryptoDto
  readonly routing: 'auto' | RoutingMode
  readonly health?: { readonly target: string }
  /** Present when the VPN uses BGP (an import found it); lint refuses it until BGP is set up by the app. Keep it when editing. */
  readonly bgp?: { readonly tunnels: readonly BgpPeerDto[] }
  /** What AWS's tunnel options allow (a JSON import found them); lint checks the crypto against them. Keep it when editing. */
  readonly tunnelOptions?: readonly AwsTunnelOptionsDto[]
}

/** What an import file is: a details JSON, AWS's CustomerGatewayConfiguration XML, or AWS's generic text. */
export type ImportFormat = 'details-json' | 'aws-xml' | 'aws-text'

/** One VPN connection a describe-vpn-connections JSON lists, for the user to pick (no secrets). */
export interface AwsConnectionDto {
  /** 1-based position in the file: what importDetails takes as `connection`. */
  readonly position: number
  readonly vpnConnectionId: string
  readonly state?: string
  readonly gatewayId?: string
  readonly customerGatewayId?: string
  readonly routing?: 'static' | 'bgp'
  readonly name?: string
  readonly outsideIps: readonly string[]
}

/** The result of an import: a draft (no PSKs), what is still missing, lint findings, and where the PSKs went. */
export interface DetailsImport {
  readonly draft: DetailsDraftDto
  /** Fields the user must still fill in (JSON pointer + what belongs there). */
  readonly needs: readonly { readonly path: string; readonly what: string }[]
  readonly notes: readonly string[]
  readonly findings: readonly LintFinding[]
  /** Pass to saveProfile({ adoptImport }) to move the PSKs found in the file into the profile's secret store. */
  readonly importId?: ImportId
  /** Which PSKs the file carried (held in main, never sent back). */
  readonly secretsFound: { readonly psk1: boolean; readonly psk2: boolean }
}

/** Lint of a draft: findings plus whether the draft is complete enough to render. */
export interface LintReport {
  readonly findings: readonly LintFinding[]
  readonly complete: boolean
}

/** One file of a render preview; secret files (PSKs) carry a placeholder instead of their content. */
export interface PreviewFile {
  readonly path: string
  readonly mode: number
  readonly role: string
  readonly secret: boolean
  readonly content: string
}

/**
 * Why a change or preview uses its routing mode: the details name it, the user chose it, "auto" decided
 * from the gateway's kernel, or "auto" assumed because no gateway was inspected (a note says so).
 */
export type RoutingBasis = 'details' | 'override' | 'gateway' | 'assumed'

/** A rendered config for a device kind, safe to show (no secret anywhere). */
export interface RenderPreview {
  readonly kind: DeviceKind
  readonly version: string
  readonly routing: RoutingMode
  readonly routingBasis: RoutingBasis
  readonly files: readonly PreviewFile[]
  readonly connectionNames: readonly [string, string]
  readonly notes: readonly string[]
}

// ---------------------------------------------------------------------------------------------------
// Profiles and secrets

/** The secret slots of a profile. */
export type SecretSlot = 'psk1' | 'psk2' | 'sshPassword' | 'keyPassphrase' | 'sudoPassword' | 'enablePassword'

/** How to reach the gateway over SSH. */
export interface ConnectionDto {
  readonly host: string
  readonly port: number
  readonly username: string
  /** password: slot sshPassword; key: privateKeyPath (+ slot keyPassphrase); agent: the SSH agent. */
  readonly auth: 'password' | 'key' | 'agent'
  /** Path of the private key file on this computer (read by main when connecting). */
  readonly privateKeyPath?: string
  /** Non-root login: run root commands through sudo (password from slot sudoPassword when it asks). */
  readonly useSudo: boolean
  /** Connect through this jump host (ProxyJump): same sign-in as the gateway; port 22 and the gateway's user unless given. */
  readonly jump?: { readonly host: string; readonly port?: number; readonly username?: string }
}

/** What the Request step asked the provider for, kept with the profile (as typed: may be incomplete). */
export interface ProviderRequestRecord {
  readonly name: string
  readonly organization: string
  readonly contact: string
  readonly publicIp: string
  readonly privateCidrs: readonly string[]
  readonly endpointType: DeviceKind | 'other' | ''
  /** The device's name when endpointType is 'other'. */
  readonly endpointOther: string
  /** Absent when the user has not given a whole number yet. */
  readonly approxApps?: number
}

/** A profile in the list. */
export interface ProfileSummary {
  readonly id: ProfileId
  readonly name: string
  readonly host: string
  readonly kind?: DeviceKind
  readonly updatedAt: string
}

/** The vendor devices whose status the app reads over SSH, read-only: every vendor kind. */
export type VendorStatusKind = VendorKind

/** A vendor device whose status the board reads: its kind, whether older SSH algorithms are allowed for it, how often it is polled. */
export interface StatusDeviceDto {
  readonly kind: VendorStatusKind
  readonly allowLegacySsh: boolean
  /** Seconds between samples (VENDOR_POLL bounds); absent = the default, 30. */
  readonly intervalSec?: number
}

/** A saved gateway profile: details, connection, and which secrets are stored (never their values). */
export interface Profile {
  readonly id: ProfileId
  readonly name: string
  readonly details: DetailsDraftDto
  readonly connection: ConnectionDto
  /** What the Request step asked for (absent in profiles saved before it was kept). */
  readonly request?: ProviderRequestRecord
  /** The vendor device whose status the board reads (read-only), when the user picked one. */
  readonly statusDevice?: StatusDeviceDto
  readonly hasSecret: Readonly<Record<SecretSlot, boolean>>
  readonly createdAt: string
  readonly updatedAt: string
}

/** What saveProfile takes: a new profile (no id) or an update. */
export interface ProfileInput {
  readonly id?: ProfileId
  readonly name: string
  readonly details: DetailsDraftDto
  readonly connection: ConnectionDto
  /** What the Request step asked for; absent keeps what the profile already has. */
  readonly request?: ProviderRequestRecord
  /** Adopt the PSKs of this import into the profile's secret store (then the import is forgotten). */
  readonly adoptImport?: ImportId
  /** Which of the import's PSKs to adopt (default both): the user kept a key they had typed or stored for the others. */
  readonly adoptSlots?: readonly ('psk1' | 'psk2')[]
}

/** Export options: secrets are excluded unless asked; when included they are encrypted with a passphrase. */
export type ProfileExportOptions =
  | { readonly id: ProfileId; readonly includeSecrets: false }
  | { readonly id: ProfileId; readonly includeSecrets: true; readonly passphrase: string }

/** What the key-file open dialog in main ended with (the path only; the key is read when connecting). */
export type PickOutcome = { readonly picked: true; readonly path: string } | { readonly picked: false }

/** What a save dialog in main ended with. */
export type SaveOutcome = { readonly saved: true; readonly path: string } | { readonly saved: false }

// ---------------------------------------------------------------------------------------------------
// Gateway

/** How connectGateway ended: connected, or the gateway's key is unknown and the user must decide. */
export type ConnectOutcome =
  | {
      readonly status: 'connected'
      readonly hostId: string
      /** 'accepted' = recorded just now on the user's decision. */
      readonly hostKey: { readonly keyType: string; readonly fingerprint: string; readonly status: 'known' | 'accepted' }
    }
  | {
      /** Ask the user; if they accept, call connectGateway again with acceptFingerprint = fingerprint. */
      readonly status: 'host-key-unknown'
      /** Whose key this is (`host` or `[host]:port`): the jump host's or the gateway's. */
      readonly hostId: string
      /** True when the key is the jump host's (the gateway's own key is asked about after). */
      readonly jumpHost: boolean
      readonly keyType: string
      readonly fingerprint: string
    }

/** What detection found on the gateway. */
export interface GatewayFactsDto {
  readonly os: { readonly id: string; readonly name: string; readonly version: string; readonly family: 'debian' | 'rhel' | 'freebsd' | 'other' }
  readonly kernel: string
  readonly stack: { readonly kind: DeviceKind | 'none'; readonly version: string; readonly detail: string }
  readonly frontEnds: { readonly swanctl: boolean; readonly starter: boolean }
  readonly daemonRunning: boolean
  readonly layout: 'debian' | 'rhel'
  readonly init: 'systemd' | 'other'
  readonly routeBased: { readonly xfrmInterface: boolean; readonly vti: boolean }
  readonly sftp: boolean
  readonly isRoot: boolean
  readonly pfsenseVersion?: string
  readonly existingConnections: readonly string[]
  readonly addresses: readonly string[]
}

/** The exact fix of a check finding, in the words of each firewall in use. */
export interface CheckFix {
  readonly nft?: string
  readonly iptables?: string
  readonly firewalld?: string
  readonly ufw?: string
  readonly pfsense?: string
  readonly sysctl?: string
  /** Not a command: what to ask whoever runs the network path upstream (a firewall or NAT device, the provider). */
  readonly upstream?: string
  /** Not a command: what to change in the details, then apply again. */
  readonly details?: string
}

/** One firewall/NAT/kernel check result: verdict, evidence, why, fix. */
export interface CheckFinding {
  readonly id: string
  readonly severity: 'ok' | 'info' | 'warning' | 'error'
  readonly subject: { readonly peer?: string; readonly flow?: 'udp500' | 'udp4500' | 'esp'; readonly direction?: 'inbound' | 'outbound'; readonly topic?: string }
  readonly verdict: 'allowed' | 'blocked' | 'unknown' | 'ok' | 'problem'
  readonly evidence: readonly string[]
  readonly why: string
  readonly fix?: CheckFix
}

/** The result of checkGateway. */
export interface CheckReport {
  readonly at: string
  readonly findings: readonly CheckFinding[]
  /** The findings that need attention grouped by cause, worst first: one entry and one fix per cause. */
  readonly causes?: readonly CheckCauseDto[]
}

/** One cause of one or more check findings (e.g. one drop rule that blocks UDP 500 both ways to both endpoints). */
export interface CheckCauseDto {
  /** The first finding's id (stable within one report). */
  readonly id: string
  readonly severity: 'error' | 'warning'
  /** flow: the gateway's own firewall; path: the end-to-end probe (upstream); topic: NAT, forwarding, MSS, the daemon… */
  readonly kind: 'flow' | 'path' | 'topic'
  readonly flow?: 'udp500' | 'udp4500' | 'esp'
  readonly topic?: string
  readonly verdict: CheckFinding['verdict']
  readonly findingIds: readonly string[]
  readonly peers: readonly string[]
  readonly directions: readonly ('inbound' | 'outbound')[]
  /** The rules or policies that drop the traffic, as the firewall names them. */
  readonly blockedBy: readonly string[]
  /** The fix of every finding of the cause, merged (each line once). */
  readonly fix?: CheckFix
  /** Tunnelwright can run the fix itself (planCheckFix with findingIds). */
  readonly fixable: boolean
}

/** A check finding's fix as Tunnelwright would run it: the exact commands, what they touch now, and notes. */
export interface CheckFixPlanDto {
  readonly findingId: string
  readonly commands: readonly string[]
  /** Each nft table / iptables table / sysctl key the commands touch, with its current state (absent: none). */
  readonly targets: readonly { readonly kind: 'nft' | 'iptables' | 'sysctl'; readonly name: string; readonly before?: string }[]
  /** Running state only, how to persist it, what is not applied. */
  readonly notes: readonly string[]
}

/** How applying a check fix ended, with the finding as a fresh check reports it afterwards. */
export interface CheckFixResultDto {
  readonly findingId: string
  readonly outcome: ApplyResultDto['outcome']
  /** True when committed and the fresh check shows the finding allowed/ok. */
  readonly ok: boolean
  readonly txnId?: string
  readonly failedStep?: ApplyFailedStep
  readonly detail?: string
  readonly fix?: string
  readonly steps: ApplyResultDto['steps']
  /** The finding after the fix (absent when the check no longer reports it or could not run). */
  readonly after?: CheckFinding
  /** The whole fresh check, to replace the list on screen. */
  readonly report?: CheckReport
}

/** One tunnel of a change in plain words (Review opens with these). */
export interface TunnelSummaryDto {
  readonly index: 1 | 2
  readonly name: string
  readonly peer: string
  readonly insideCidr: string
  readonly insideLocal: string
  readonly insideAws: string
  /** Policy-based: the traffic selectors, ours then AWS's. */
  readonly selectors?: { readonly local: readonly string[]; readonly remote: readonly string[] }
  /** Route-based: the tunnel's interface and the networks routed into it. */
  readonly tunnelInterface?: { readonly name: string; readonly routes: readonly string[] }
  /** A BGP VPN: this tunnel's session (AWS's inside address and ASN). */
  readonly bgp?: { readonly neighbor: string; readonly remoteAs: number | 'external' }
  readonly ike: string
  readonly esp: string
  readonly ikeLifetimeSec: number
  readonly ipsecLifetimeSec: number
  readonly dpd: { readonly delaySec: number; readonly timeoutSec: number }
  readonly role: 'both-up' | 'active' | 'standby'
  readonly starts: string
  readonly keepsUp: readonly string[]
}

/** A change in plain words: device, routing, and both tunnels. */
export interface ChangeSummaryDto {
  readonly kind: DeviceKind
  readonly version: string
  readonly routing: RoutingMode
  readonly localId: string
  readonly localAddress: string
  readonly agencyCidrs: readonly string[]
  readonly dedicatedCidrs: readonly string[]
  readonly keepalive?: string
  /** A BGP VPN: FRR's speaker on the gateway, what it advertises and accepts, AWS's timers. */
  readonly bgp?: { readonly asn: number; readonly advertise: readonly string[]; readonly accept: readonly string[]; readonly keepaliveSec: number; readonly holdSec: number }
  readonly tunnels: readonly [TunnelSummaryDto, TunnelSummaryDto]
}

/** A vendor device's configuration to paste by hand, safe to show: the PSKs cut, the steps in order. */
export interface VendorPreviewDto {
  readonly kind: VendorKind
  readonly version: string
  readonly routing: RoutingMode
  /** The details name the mode, the user chose it, or it is what the platform does for "auto". */
  readonly routingBasis: 'details' | 'override' | 'platform'
  readonly files: readonly { readonly path: string; readonly role: string; readonly content: string }[]
  readonly connectionNames: readonly [string, string]
  /** What to do, in order (back up, paste, put the keys in, verify). */
  readonly steps: readonly string[]
  readonly notes: readonly string[]
}

/** A render preview with its plain summary (previewRender's answer). */
export interface ReviewPreview extends RenderPreview {
  readonly summary: ChangeSummaryDto
}

/** What apply will do to one file; secret files carry a sentence instead of a diff. */
export interface FileChangeDto {
  readonly path: string
  readonly action: 'create' | 'update' | 'unchanged' | 'remove' | 'append-line'
  readonly secret: boolean
  readonly diff: string
}

/** A prepared change, held in main under planId until applied. */
export interface PlanDto {
  readonly planId: PlanId
  readonly profileId: ProfileId
  readonly kind: DeviceKind
  readonly routing: RoutingMode
  readonly routingBasis: RoutingBasis
  /** How the tunnels run once applied: both up, or (policy-based on strongSwan) one active and one standing by. */
  readonly tunnels: 'both-up' | 'active-standby'
  readonly version: string
  readonly changes: readonly FileChangeDto[]
  readonly noop: boolean
  readonly notes: readonly string[]
  /** Lint's warnings for these details on this device (errors refuse the plan). */
  readonly warnings: readonly LintFinding[]
  /** The change in plain words: each tunnel's peer, selectors or interface, crypto, lifetimes, what starts and keeps it up. */
  readonly summary?: ChangeSummaryDto
  /** Every file the change writes, as it will be written; secret-bearing files with the pre-shared keys cut, nothing withheld. */
  readonly files?: readonly PreviewFile[]
}

/** The markers the gateway-side transaction writes, in the order they can appear (the core's APPLY_STEPS). */
export type ApplyStep = 'STARTED' | 'SETTLED' | 'BACKED-UP' | 'WRITTEN' | 'VALIDATED' | 'ACTIVATED' | 'INITIATED' | 'VERIFIED' | 'VERIFY-TIMEOUT' | 'COMMITTED' | 'REVERTED' | 'FAILED' | 'ROLLED-BACK' | 'BUSY'

/** Where a change can stop (the core's FAILED_STEPS). */
export type ApplyFailedStep = 'prevalidate' | 'backup' | 'write' | 'validate' | 'activate' | 'initiate' | 'verify' | 'health' | 'confirm' | 'lock' | 'unknown'

/** The phase a job other than apply reports as it starts. */
export type JobPhase = 'CONNECT' | 'DETECT' | 'CHECK' | 'PLAN' | 'ROLLBACK'

/** A progress event of a long job. */
export interface JobProgress {
  readonly jobId: JobId
  readonly kind: 'connect' | 'detect' | 'check' | 'plan' | 'apply' | 'rollback'
  /** An apply's transaction marker, or the phase another job is in. */
  readonly step: ApplyStep | JobPhase
  readonly detail: string
  /** Epoch ms. */
  readonly at: number
}

/** How an apply ended. 'reverted' = the gateway undid it (unhealthy or cancelled before confirmation). */
export interface ApplyResultDto {
  readonly outcome: 'no-change' | 'committed' | 'reverted' | 'rolled-back' | 'failed'
  readonly txnId?: string
  readonly steps: readonly { readonly step: ApplyStep; readonly at: number; readonly detail: string }[]
  readonly failedStep?: ApplyFailedStep
  readonly detail?: string
  /** The change record of this apply (export it with exportChangeRecord). */
  readonly recordId?: RecordId
}

/** What a rollback would restore, read from the gateway before asking (nothing changes). */
export type RollbackPreviewDto =
  | { readonly available: false }
  | {
      readonly available: true
      /** The change whose backup goes back. */
      readonly txnId: string
      readonly files: readonly { readonly path: string; readonly action: 'restore' | 'remove' }[]
    }

/** What rollback restored. */
export interface RollbackResultDto {
  readonly restored: string
  readonly files: readonly string[]
  readonly recordId?: RecordId
}

// ---------------------------------------------------------------------------------------------------
// Status

/** Live state of one tunnel (one AWS outside IP). */
export interface TunnelStatusDto {
  readonly peer: string
  readonly name: string
  readonly up: boolean
  /** Policy-based on strongSwan: down on purpose while the other tunnel carries the traffic. */
  readonly standby?: boolean
  readonly ikeState?: string
  readonly ikeAgeSec?: number
  readonly childState?: string
  readonly spiIn?: string
  readonly spiOut?: string
  readonly ikeAlgorithms?: string
  readonly childAlgorithms?: string
  /** The IKE state in the device's own words, when a vendor device reported one ("MM_ACTIVE"). */
  readonly deviceState?: string
  readonly bytesIn: number
  readonly bytesOut: number
  readonly packetsIn: number
  readonly packetsOut: number
  readonly rates?: { readonly bytesInPerSec: number; readonly bytesOutPerSec: number; readonly packetsInPerSec: number; readonly packetsOutPerSec: number }
  readonly nextRekeySec?: number
  readonly natT: boolean
  readonly ikeSaCount: number
  readonly childSaCount: number
  readonly lastChange?: { readonly at: number; readonly cause: string }
  readonly probe?: { readonly at: number; readonly ok: boolean; readonly rttMs?: number; readonly detail?: string }
  /** A BGP VPN: the tunnel's BGP session as FRR reports it. */
  readonly bgp?: BgpSessionDto
  /** The verdict and diagnosis, decided in the core as for the CLI. */
  readonly health?: TunnelHealthDto
}

/** One BGP session (FRR's state; uptime while Established, time down otherwise; prefixes accepted from AWS and advertised). */
export interface BgpSessionDto {
  readonly neighbor: string
  readonly state: string
  readonly established: boolean
  readonly uptimeSec?: number
  readonly downSec?: number
  readonly prefixesReceived?: number
  readonly prefixesSent?: number
  readonly remoteAs?: number
  readonly drops?: number
}

/** One tunnel's health: the verdict, and the diagnoses behind it when it is not healthy (the CLI's `health`). */
export interface TunnelHealthDto {
  readonly verdict: 'healthy' | 'standby' | 'down' | 'unhealthy'
  readonly diagnoses: readonly { readonly id: string; readonly severity: 'error' | 'warning'; readonly cause: string; readonly fix: string; readonly evidence: readonly string[] }[]
}

/** How a vendor watch reads the device: read-only, polled, and which older SSH algorithms it allowed. */
export interface VendorWatchInfoDto {
  readonly kind: VendorStatusKind
  /** Always true: only show/get commands and this session's paging-off are ever sent. */
  readonly readOnly: true
  readonly intervalSec: number
  /** The older SSH algorithms this connection offered because the user allowed them ([] = none). */
  readonly legacyAlgorithms: readonly string[]
}

/** How watchVendorStatus ended: watching, or the device's host key is unknown and the user must decide. */
export type VendorWatchOutcome =
  | { readonly status: 'watching'; readonly watchId: WatchId }
  | { readonly status: 'host-key-unknown'; readonly hostId: string; readonly jumpHost: boolean; readonly keyType: string; readonly fingerprint: string }

/** All tunnels at one moment, pushed on `tunnel:status`. */
export interface StatusSnapshotDto {
  readonly watchId: WatchId
  readonly profileId: ProfileId
  /** Epoch ms. */
  readonly at: number
  readonly source: 'vici' | 'swanctl' | 'stroke' | 'libreswan' | 'vendor'
  /** How the watch learns of changes: charon's own events as they happen, or polling alone. */
  readonly mode: 'events' | 'polling'
  /** Present for a vendor device: read-only polling, and the SSH algorithms allowed. */
  readonly device?: VendorWatchInfoDto
  readonly tunnels: readonly TunnelStatusDto[]
}

/** An edge-triggered alert (tunnel down/up, one-way traffic, duplicate SAs), pushed on `tunnel:alert`. */
export interface StatusAlert {
  readonly watchId: WatchId
  readonly profileId: ProfileId
  readonly kind: 'tunnel-down' | 'tunnel-up' | 'one-way' | 'sa-count'
  readonly peer: string
  readonly name: string
  readonly at: number
  readonly detail: string
}

/** A status watch failed (connection lost); the watch has stopped. Pushed on `tunnel:watch-error`. */
export interface WatchError {
  readonly watchId: WatchId
  readonly profileId: ProfileId
  readonly error: AppError
}

// ---------------------------------------------------------------------------------------------------
// Records

/** One line of the append-only activity log (secrets redacted). */
export interface ActivityEntry {
  /** ISO time. */
  readonly at: string
  /** OS user who ran the app. */
  readonly user: string
  readonly profileId?: string
  /** Gateway host (masked when the setting says so in exports). */
  readonly gateway?: string
  /** What was done, e.g. 'apply', 'rollback', 'connect', 'profile-save'. */
  readonly action: string
  readonly txnId?: string
  readonly outcome: string
  readonly detail?: string
}

/** A change record in the list (the CLI's changes too: it writes to the same data folder). */
export interface ChangeRecordSummary {
  readonly id: RecordId
  /** The profile it was made for; absent for a change made with the CLI. */
  readonly profileId?: ProfileId
  /** The profile's name, or the connection name of the CLI's details file. */
  readonly profileName: string
  /** Which face made the change. */
  readonly via: 'app' | 'cli'
  readonly at: string
  readonly action: 'apply' | 'rollback'
  readonly outcome: string
  readonly txnId?: string
}

// ---------------------------------------------------------------------------------------------------
// Channels and the bridge

/** IPC channel names, `domain:verb-noun`. */
export const CHANNELS = {
  getAppInfo: 'app:get-info',
  getSettings: 'settings:get-settings',
  updateSettings: 'settings:update-settings',
  buildProviderRequest: 'details:build-request',
  importDetails: 'details:import-details',
  listAwsConnections: 'details:list-aws-connections',
  lintDetails: 'details:lint-details',
  previewRender: 'details:preview-render',
  previewVendor: 'details:preview-vendor',
  listProfiles: 'profile:list-profiles',
  getProfile: 'profile:get-profile',
  saveProfile: 'profile:save-profile',
  deleteProfile: 'profile:delete-profile',
  importProfile: 'profile:import-profile',
  exportProfile: 'profile:export-profile',
  setSecret: 'secret:set-secret',
  clearSecret: 'secret:clear-secret',
  pickKeyFile: 'gateway:pick-key-file',
  connectGateway: 'gateway:connect-gateway',
  disconnectGateway: 'gateway:disconnect-gateway',
  detectGateway: 'gateway:detect-gateway',
  checkGateway: 'gateway:check-firewall',
  planCheckFix: 'gateway:plan-check-fix',
  applyCheckFix: 'gateway:apply-check-fix',
  planChange: 'gateway:plan-change',
  applyChange: 'gateway:apply-plan',
  rollbackChange: 'gateway:rollback-change',
  previewRollback: 'gateway:preview-rollback',
  cancelJob: 'job:cancel-job',
  watchStatus: 'status:watch-status',
  unwatchStatus: 'status:unwatch-status',
  watchVendorStatus: 'status:watch-vendor-status',
  listActivity: 'activity:list-entries',
  listChangeRecords: 'record:list-records',
  exportChangeRecord: 'record:export-record',
  exportDiagnostics: 'diagnostics:export-bundle',
} as const

export type Channel = (typeof CHANNELS)[keyof typeof CHANNELS]

/** Event names main pushes to the window, `domain:noun`, keyed by the bridge's subscribe function. */
export const EVENTS = {
  onJobProgress: 'job:progress',
  onTunnelStatus: 'tunnel:status',
  onStatusAlert: 'tunnel:alert',
  onWatchError: 'tunnel:watch-error',
} as const

export type EventName = (typeof EVENTS)[keyof typeof EVENTS]

/** The payload of each event, by subscribe function. */
export interface EventPayloads {
  readonly onJobProgress: JobProgress
  readonly onTunnelStatus: StatusSnapshotDto
  readonly onStatusAlert: StatusAlert
  readonly onWatchError: WatchError
}

/** Stops a subscription. */
export type Unsubscribe = () => void

/** The request half of the bridge: one named function per channel, each answering a Result. */
export interface TunnelwrightRequests {
  /** Versions and supported device kinds. */
  getAppInfo(): Promise<Result<AppInfo>>

  /** The remembered settings. */
  getSettings(): Promise<Result<Settings>>
  /** Changes some settings and returns all of them. */
  updateSettings(patch: Partial<Settings>): Promise<Result<Settings>>

  /** The dedicated-pool request text for cloud.gov support, with findings on the input (offline). */
  buildProviderRequest(input: ProviderRequestInput): Promise<Result<ProviderRequest>>
  /** Parses a details JSON or an AWS export into a draft; PSKs in it stay in main (see importId). */
  importDetails(args: { readonly text: string; readonly format: ImportFormat; readonly connection?: string }): Promise<Result<DetailsImport>>
  /** The VPN connections a describe-vpn-connections JSON lists (for a pick when importDetails says aws-json-choose); [] for any other file. */
  listAwsConnections(args: { readonly text: string }): Promise<Result<readonly AwsConnectionDto[]>>
  /** Lints a draft however unfinished (empty or half-typed fields are findings on their field); with profileId the PSK rules use the profile's stored PSKs. */
  lintDetails(args: { readonly draft: DetailsDraftDto; readonly profileId?: ProfileId; readonly device?: DeviceKind }): Promise<Result<LintReport>>
  /** Renders the config a device would get (pre-shared keys cut, every file shown) with its plain summary; routing "auto" from the profile's open gateway when given, else marked assumed. */
  previewRender(args: { readonly draft: DetailsDraftDto; readonly device: DeviceKind; readonly version?: string; readonly routing?: RoutingMode; readonly profileId?: ProfileId }): Promise<Result<ReviewPreview>>
  /** Renders the configuration a vendor device (Cisco, Palo Alto, Fortinet, Juniper, Windows Server) gets, with the steps in order; pre-shared keys cut. */
  previewVendor(args: { readonly draft: DetailsDraftDto; readonly device: VendorKind; readonly routing?: RoutingMode }): Promise<Result<VendorPreviewDto>>

  /** All saved profiles. */
  listProfiles(): Promise<Result<readonly ProfileSummary[]>>
  /** One profile. */
  getProfile(id: ProfileId): Promise<Result<Profile>>
  /** Creates or updates a profile. */
  saveProfile(input: ProfileInput): Promise<Result<Profile>>
  /** Deletes a profile and its stored secrets. */
  deleteProfile(id: ProfileId): Promise<Result<void>>
  /** Imports an exported profile file (its text); the passphrase opens encrypted secrets. */
  importProfile(args: { readonly text: string; readonly passphrase?: string }): Promise<Result<Profile>>
  /** Exports a profile through a save dialog in main (secrets excluded unless asked, then encrypted). */
  exportProfile(opts: ProfileExportOptions): Promise<Result<SaveOutcome>>

  /** Stores one secret of a profile (sent once; the answer says only that it is stored). */
  setSecret(args: { readonly profileId: ProfileId; readonly slot: SecretSlot; readonly value: string }): Promise<Result<{ readonly hasSecret: true }>>
  /** Forgets one secret of a profile. */
  clearSecret(args: { readonly profileId: ProfileId; readonly slot: SecretSlot }): Promise<Result<{ readonly hasSecret: false }>>

  /** Opens the SSH session of a profile; an unknown host key comes back as a decision to make. */
  /** Opens the system's file dialog for a private key file; answers its path only ('not-available' outside the app). */
  pickKeyFile(): Promise<Result<PickOutcome>>
  connectGateway(args: { readonly profileId: ProfileId; readonly acceptFingerprint?: string; readonly jobId?: JobId }): Promise<Result<ConnectOutcome>>
  /** Closes the profile's session (and its status watches). */
  disconnectGateway(profileId: ProfileId): Promise<Result<void>>
  /** What the gateway is (read-only). */
  detectGateway(args: { readonly profileId: ProfileId; readonly jobId?: JobId }): Promise<Result<GatewayFactsDto>>
  /** Firewall/NAT/kernel checks for UDP 500/4500 and ESP to both AWS peers (read-only). */
  checkGateway(args: { readonly profileId: ProfileId; readonly jobId?: JobId }): Promise<Result<CheckReport>>
  /** Plans a check finding's fix from the last check (read-only); with findingIds, one fix for all of them (a cause), applied as one transaction by applyCheckFix(findingId). 'fix-not-applicable' when Tunnelwright cannot run it. */
  planCheckFix(args: { readonly profileId: ProfileId; readonly findingId: string; readonly findingIds?: readonly string[]; readonly jobId?: JobId }): Promise<Result<CheckFixPlanDto>>
  /** Applies the fix planned by planCheckFix with confirm-or-revert (confirmed only once the re-check is green), then re-checks. */
  applyCheckFix(args: { readonly profileId: ProfileId; readonly findingId: string; readonly confirmWithinSec?: number; readonly jobId?: JobId }): Promise<Result<CheckFixResultDto>>
  /** Renders and plans a change: the diff of every file (secret files redacted). Changes nothing. */
  planChange(args: { readonly profileId: ProfileId; readonly device?: DeviceKind; readonly routing?: RoutingMode; readonly jobId?: JobId }): Promise<Result<PlanDto>>
  /** Applies a plan with confirm-or-revert; progress on `job:progress`; cancelJob before confirmation reverts. */
  applyChange(args: { readonly planId: PlanId; readonly reason?: string; readonly confirmWithinSec?: number; readonly jobId?: JobId }): Promise<Result<ApplyResultDto>>
  /** Reads what a rollback would restore (read-only), so the user can decide before anything changes. */
  previewRollback(args: { readonly profileId: ProfileId; readonly jobId?: JobId }): Promise<Result<RollbackPreviewDto>>
  /** Restores the gateway to before the last committed change. */
  rollbackChange(args: { readonly profileId: ProfileId; readonly reason?: string; readonly jobId?: JobId }): Promise<Result<RollbackResultDto>>
  /** Cancels a long job; it ends with error 'cancelled' (an apply not yet confirmed is reverted by the gateway). */
  cancelJob(jobId: JobId): Promise<Result<{ readonly cancelled: boolean }>>

  /** Starts pushing status snapshots and alerts for a connected profile (stops when the window closes). */
  watchStatus(args: { readonly profileId: ProfileId; readonly intervalMs?: number }): Promise<Result<{ readonly watchId: WatchId }>>
  /**
   * Starts polling a vendor device's status, read-only, over the profile's SSH connection (the choice is kept in
   * the profile; a Cisco enable password is the profile's enablePassword slot). An unknown host key becomes a
   * question: call again with acceptFingerprint.
   */
  watchVendorStatus(args: { readonly profileId: ProfileId; readonly device: StatusDeviceDto; readonly intervalSec?: number; readonly acceptFingerprint?: string }): Promise<Result<VendorWatchOutcome>>
  /** Stops a status watch. */
  unwatchStatus(watchId: WatchId): Promise<Result<void>>

  /** The newest activity log entries, newest first. */
  listActivity(args: { readonly limit?: number }): Promise<Result<readonly ActivityEntry[]>>
  /** Change records, newest first (optionally of one profile). */
  listChangeRecords(args: { readonly profileId?: ProfileId }): Promise<Result<readonly ChangeRecordSummary[]>>
  /** Saves a change record as Markdown or printable HTML through a save dialog in main. */
  exportChangeRecord(args: { readonly recordId: RecordId; readonly format: 'markdown' | 'html' }): Promise<Result<SaveOutcome>>
  /** Saves the diagnostics bundle (every secret redacted) through a save dialog in main. */
  exportDiagnostics(args: { readonly profileId?: ProfileId }): Promise<Result<SaveOutcome>>
}

/** The event half of the bridge: named subscribe functions, each returning its unsubscribe. */
export type TunnelwrightEvents = { readonly [K in keyof EventPayloads]: (cb: (payload: EventPayloads[K]) => void) => Unsubscribe }

/** The bridge exposed on `window.tunnelwright`. */
export type TunnelwrightApi = TunnelwrightRequests & TunnelwrightEvents
