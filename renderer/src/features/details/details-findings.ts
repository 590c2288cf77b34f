// Lint findings in the words of the Details form: which field each belongs to, its label, and the text with
// the details file's dotted names replaced by the labels a person sees. No rule id or JSON pointer is shown.
import type { LintFinding } from '../../../../preload/api'
import type { DetailsForm, PskSlot } from './details-store'

/** A field of the Details form a finding can point at. */
export type FormField = keyof DetailsForm | PskSlot | 'ikeVersion' | 'encryption' | 'integrity' | 'dhGroup' | 'pfsGroup' | 'ikeLifetime' | 'ipsecLifetime'

/** JSON pointer prefixes of the details, the form field each belongs to, and that field's label. */
const POINTER_FIELDS: readonly (readonly [string, FormField, string])[] = [
  ['/name', 'name', 'Connection name'],
  ['/provider', 'provider', 'Provider'],
  ['/gateway/publicIp', 'publicIp', 'Gateway public IP'],
  ['/gateway/privateCidrs', 'privateCidrs', 'Private networks'],
  ['/remote/dedicatedCidrs', 'dedicatedCidrs', 'Dedicated subnet CIDRs'],
  ['/remote/egressIps', 'egressIps', 'Egress IPs'],
  ['/remote/tunnels/0/outsideIp', 't1OutsideIp', 'Tunnel 1 outside IP'],
  ['/remote/tunnels/0/insideCidr', 't1InsideCidr', 'Tunnel 1 inside CIDR'],
  ['/remote/tunnels/0/psk', 'psk1', 'Tunnel 1 pre-shared key'],
  ['/remote/tunnels/1/outsideIp', 't2OutsideIp', 'Tunnel 2 outside IP'],
  ['/remote/tunnels/1/insideCidr', 't2InsideCidr', 'Tunnel 2 inside CIDR'],
  ['/remote/tunnels/1/psk', 'psk2', 'Tunnel 2 pre-shared key'],
  ['/crypto/ikeVersion', 'ikeVersion', 'IKE version'],
  ['/crypto/encryption', 'encryption', 'Encryption'],
  ['/crypto/integrity', 'integrity', 'Integrity'],
  ['/crypto/dhGroup', 'dhGroup', 'DH group (IKE)'],
  ['/crypto/pfsGroup', 'pfsGroup', 'PFS group'],
  ['/crypto/ikeLifetime', 'ikeLifetime', 'Phase 1 lifetime'],
  ['/crypto/ipsecLifetime', 'ipsecLifetime', 'Phase 2 lifetime'],
  ['/crypto/dpd', 'crypto', 'Dead-peer detection'],
  ['/crypto', 'crypto', 'Encryption settings'],
  ['/routing', 'routing', 'Routing'],
  ['/health', 'healthTarget', 'Health-check target'],
]

/** Fields that live in the form's "Advanced" section (it opens when one of them has a finding). */
export const ADVANCED_FIELDS: ReadonlySet<FormField> = new Set(['routing', 'ikeVersion', 'encryption', 'integrity', 'dhGroup', 'pfsGroup', 'ikeLifetime', 'ipsecLifetime', 'crypto', 'healthTarget'])

/** The form field and label of a finding, or undefined for a finding about the whole connection. */
export function toFindingField(f: Pick<LintFinding, 'path'>): { readonly field: FormField; readonly label: string } | undefined {
  const hit = POINTER_FIELDS.find(([ptr]) => f.path === ptr || f.path.startsWith(`${ptr}/`))
  return hit ? { field: hit[1], label: hit[2] } : undefined
}

/** The details file's dotted names (lint speaks to files as well as to people) as the form labels them. */
const WORDS: readonly (readonly [RegExp, string])[] = [
  [/crypto\.integrity/g, 'Integrity'],
  [/crypto\.encryption/g, 'Encryption'],
  [/crypto\.pfsGroup/g, 'PFS group'],
  [/crypto\.dhGroup/g, 'DH group (IKE)'],
  [/crypto\.ikeVersion/g, 'IKE version'],
  [/crypto\.ikeLifetime/g, 'Phase 1 lifetime'],
  [/crypto\.ipsecLifetime/g, 'Phase 2 lifetime'],
  [/crypto\.dpd\.timeout/g, 'the dead-peer detection timeout'],
  [/crypto\.dpd to \{ "delay": (\d+), "timeout": (\d+) \}/g, 'dead-peer detection to every $1 s with a $2 s timeout'],
  [/gateway\.localAddress/g, "the gateway's local address"],
  [/gateway\.publicIp/g, 'Gateway public IP'],
  [/"routing": "route"/g, 'Routing to "Route-based"'],
  [/ \(Tunnelwright's import does this: tunnelwright import --aws-xml FILE\)/g, ' (the import at the top of this step does this)'],
]

/** A finding's text with file field names in the form's words. */
export function toFormWords(text: string): string {
  return WORDS.reduce((t, [re, words]) => t.replace(re, words), text)
}

/** What AWS accepts as a pre-shared key (the core's lint rule, mirrored for keys typed but not stored yet). */
export function checkTypedPsk(value: string): string | undefined {
  if (value === '') return undefined
  if (value.length < 8 || value.length > 64) return `The key is ${value.length} characters long; AWS keys are 8 to 64.`
  if (!/^[A-Za-z0-9._]+$/.test(value)) return 'The key has characters AWS does not use (only letters, digits, "." and "_"): check for spaces, quotes or a line break.'
  if (value.startsWith('0')) return 'The key starts with "0", which AWS does not allow: copy it again.'
  return undefined
}
