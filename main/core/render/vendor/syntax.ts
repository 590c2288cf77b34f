// Structural checkers for what the vendor renderers write, one per syntax: Cisco indentation blocks,
// PAN-OS and Junos `set` grammars, FortiOS config/edit/next/end nesting, PowerShell statements and quoting.
// Each reads a configuration the way the device's parser would (words, quoted strings, blocks) and
// matches every line against the grammar of the commands we emit, so a missing `end`, an unquoted PSK
// or a misspelt keyword is an error. The renderers check their own output with them before returning it.

/** One problem found, with its 1-based line. */
export interface SyntaxIssue {
  readonly line: number
  readonly message: string
}

/** A word of a command line; `quoted` when it was written in quotes (its text is the unquoted value). */
export interface Word {
  readonly text: string
  readonly quoted: boolean
}

/** What a checker read: the commands as word lists (comments dropped) and the problems found. */
export interface ParsedConfig {
  readonly commands: readonly { readonly line: number; readonly words: readonly Word[]; readonly depth: number }[]
  readonly issues: readonly SyntaxIssue[]
}

type QuoteStyle = 'none' | 'panos' | 'junos' | 'fortios'

/** Splits a line into words; quoted strings are one word (PAN-OS/FortiOS: no escapes; Junos: \" and \\). */
export function toWords(text: string, style: QuoteStyle): { words: Word[]; error?: string } {
  const words: Word[] = []
  let i = 0
  while (i < text.length) {
    const ch = text[i]!
    if (ch === ' ') {
      i++
      continue
    }
    if (ch === '"' || ch === "'") {
      if (style === 'none') return { words, error: `a quote where the CLI cannot quote (${ch})` }
      if (ch === "'") return { words, error: 'a single quote (only double quotes are written)' }
      let out = ''
      let j = i + 1
      for (; j < text.length; j++) {
        const c = text[j]!
        if (c === '\\') {
          if (style !== 'junos') return { words, error: 'a backslash inside a quoted string (no escapes in this CLI)' }
          const n = text[j + 1]
          if (n !== '"' && n !== '\\') return { words, error: 'an unknown escape inside a quoted string' }
          out += n
          j++
          continue
        }
        if (c === '"') break
        out += c
      }
      if (j >= text.length) return { words, error: 'an unterminated quoted string' }
      if (text[j + 1] !== undefined && text[j + 1] !== ' ') return { words, error: 'text right after a closing quote' }
      words.push({ text: out, quoted: true })
      i = j + 1
      continue
    }
    let j = i
    while (j < text.length && text[j] !== ' ') j++
    const w = text.slice(i, j)
    if (/["'\\]/.test(w)) return { words, error: `a quote or backslash inside the word ${w}` }
    words.push({ text: w, quoted: false })
    i = j
  }
  return { words }
}

const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,30}$/
const WORD = /^[A-Za-z0-9][A-Za-z0-9._/:-]{0,62}$/
const IP = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/
const INT = /^(0|[1-9]\d{0,9})$/
const PSKWORD = /^[A-Za-z0-9._-]{1,128}$/

function isCidr(s: string): boolean {
  const [ip, bits, ...rest] = s.split('/')
  return rest.length === 0 && ip !== undefined && IP.test(ip) && bits !== undefined && /^(3[0-2]|[12]?\d)$/.test(bits)
}

function isMask(s: string): boolean {
  if (!IP.test(s)) return false
  const n = s.split('.').reduce((a, b) => a * 256 + Number(b), 0)
  const inv = 0xffffffff - n
  return ((inv + 1) & inv) === 0
}

/**
 * Matches words against a pattern: literal words, `a|b` alternatives, and slots — {name} {word} {ip}
 * {mask} {cidr} {int} {q} (a quoted string) {pskword} (Cisco: one plain word) {any} (one unquoted word)
 * {list:ip} / {list:cidr} / {list:any} (`[ x y ]`) and {rest} (what remains, unquoted words).
 */
function matches(pattern: readonly string[], words: readonly Word[]): boolean {
  let w = 0
  for (let p = 0; p < pattern.length; p++) {
    const pt = pattern[p]!
    if (pt === '{rest}') return w < words.length && words.slice(w).every((x) => !x.quoted)
    const word = words[w]
    if (pt.startsWith('{list:')) {
      const kind = pt.slice(6, -1)
      if (word?.text !== '[' || word.quoted) return false
      w++
      let n = 0
      while (w < words.length && !(words[w]!.text === ']' && !words[w]!.quoted)) {
        if (!slot(`{${kind}}`, words[w]!)) return false
        w++
        n++
      }
      if (w >= words.length || n === 0) return false
      w++
      continue
    }
    if (word === undefined) return false
    if (pt.startsWith('{')) {
      if (!slot(pt, word)) return false
    } else if (word.quoted || !pt.split('|').includes(word.text)) {
      return false
    }
    w++
  }
  return w === words.length
}

function slot(pt: string, word: Word): boolean {
  if (pt === '{q}') return word.quoted
  if (word.quoted) return false
  switch (pt) {
    case '{name}':
      return NAME.test(word.text)
    case '{word}':
      return WORD.test(word.text)
    case '{ip}':
      return IP.test(word.text)
    case '{mask}':
      return isMask(word.text)
    case '{cidr}':
      return isCidr(word.text)
    case '{int}':
      return INT.test(word.text)
    case '{pskword}':
      return PSKWORD.test(word.text)
    case '{ifpair}':
      return /^\([A-Za-z0-9._/:-]+,[A-Za-z0-9._/:-]+\)$/.test(word.text)
    case '{any}':
      return word.text.length > 0 && !word.text.includes('?')
    default:
      throw new Error(`unknown grammar slot ${pt}`)
  }
}

function compile(lines: readonly string[]): string[][] {
  return lines.map((l) => l.split(' '))
}

// ------------------------------------------------------------------------------------------------
// PAN-OS and Junos `set` commands

const PANOS = compile([
  'set network ike crypto-profiles ike-crypto-profiles {name} encryption aes-256-cbc|aes-128-cbc|aes-256-gcm|aes-128-gcm|3des',
  'set network ike crypto-profiles ike-crypto-profiles {name} hash sha256|sha384|sha512|sha1|md5',
  'set network ike crypto-profiles ike-crypto-profiles {name} dh-group {any}',
  'set network ike crypto-profiles ike-crypto-profiles {name} lifetime seconds {int}',
  'set network ike crypto-profiles ipsec-crypto-profiles {name} esp encryption aes-256-cbc|aes-128-cbc|aes-256-gcm|aes-128-gcm|3des',
  'set network ike crypto-profiles ipsec-crypto-profiles {name} esp authentication sha256|sha384|sha512|sha1|md5|none',
  'set network ike crypto-profiles ipsec-crypto-profiles {name} dh-group {any}',
  'set network ike crypto-profiles ipsec-crypto-profiles {name} lifetime seconds {int}',
  'set network profiles monitor-profile {name} action fail-over interval {int} threshold {int}',
  'set network ike gateway {name} authentication pre-shared-key key {q}',
  'set network ike gateway {name} protocol version ikev1|ikev2',
  'set network ike gateway {name} protocol ikev1 exchange-mode main',
  'set network ike gateway {name} protocol ikev1|ikev2 ike-crypto-profile {name}',
  'set network ike gateway {name} protocol ikev1 dpd enable yes interval {int} retry {int}',
  'set network ike gateway {name} protocol ikev2 dpd enable yes interval {int}',
  'set network ike gateway {name} protocol-common nat-traversal enable yes|no',
  'set network ike gateway {name} local-address interface {word}',
  'set network ike gateway {name} peer-address ip {ip}',
  'set network ike gateway {name} local-id type ipaddr id {ip}',
  'set network ike gateway {name} peer-id type ipaddr id {ip}',
  'set network interface tunnel units {word} ip {cidr}',
  'set network interface tunnel units {word} mtu {int}',
  'set network interface tunnel units {word} comment {q}',
  'set network tunnel ipsec {name} auto-key ike-gateway {name}',
  'set network tunnel ipsec {name} auto-key ipsec-crypto-profile {name}',
  'set network tunnel ipsec {name} tunnel-interface {word}',
  'set network tunnel ipsec {name} anti-replay yes',
  'set network tunnel ipsec {name} tunnel-monitor enable yes destination-ip {ip} tunnel-monitor-profile {name}',
  'set network tunnel ipsec {name} auto-key proxy-id {name} local {cidr} remote {cidr} protocol any',
  'set network virtual-router {word} interface {word}',
  'set network virtual-router {word} routing-table ip static-route {name} destination {cidr} interface {word} nexthop ip-address {ip} metric {int}',
  'set zone {name} network layer3 {word}',
  'set network interface ethernet {word} layer3 adjust-tcp-mss enable yes ipv4-mss-adjustment {int}',
  'set rulebase security rules {name} from {word} to {word} source {list:ip} destination {ip} application {list:any} service application-default action allow',
  'set rulebase security rules {name} from {word} to {word} source any destination {list:cidr} application any service any action allow',
  'set rulebase security rules {name} from {word} to {word} source {list:cidr} destination any application any service any action allow',
  'set network virtual-router {word} protocol bgp enable yes',
  'set network virtual-router {word} protocol bgp router-id {ip}',
  'set network virtual-router {word} protocol bgp local-as {int}',
  'set network virtual-router {word} protocol bgp install-route yes',
  'set network virtual-router {word} protocol bgp peer-group {name} type ebgp',
  'set network virtual-router {word} protocol bgp peer-group {name} enable yes',
  'set network virtual-router {word} protocol bgp peer-group {name} peer {name} peer-as {int}',
  'set network virtual-router {word} protocol bgp peer-group {name} peer {name} local-address interface {word} ip {cidr}',
  'set network virtual-router {word} protocol bgp peer-group {name} peer {name} peer-address ip {ip}',
  'set network virtual-router {word} protocol bgp peer-group {name} peer {name} connection-options keep-alive-interval {int} hold-time {int}',
  'set network virtual-router {word} protocol bgp peer-group {name} peer {name} enable yes',
  'set network virtual-router {word} protocol redist-profile {name} filter type [ connect static ] destination {list:cidr}',
  'set network virtual-router {word} protocol redist-profile {name} priority {int} action redist',
  'set network virtual-router {word} protocol bgp redist-rules {name} enable yes',
  'set network virtual-router {word} protocol bgp policy export|import rules {name} used-by {name}',
  'set network virtual-router {word} protocol bgp policy export|import rules {name} match address-prefix {cidr} exact yes|no',
  'set network virtual-router {word} protocol bgp policy export|import rules {name} action allow|deny',
])

const JUNOS = compile([
  'set security ike proposal {name} authentication-method pre-shared-keys',
  'set security ike proposal {name} dh-group {any}',
  'set security ike proposal {name} authentication-algorithm sha-256|sha-384|sha1|md5',
  'set security ike proposal {name} encryption-algorithm aes-256-cbc|aes-128-cbc|aes-256-gcm|aes-128-gcm|3des-cbc',
  'set security ike proposal {name} lifetime-seconds {int}',
  'set security ipsec proposal {name} protocol esp',
  'set security ipsec proposal {name} authentication-algorithm hmac-sha-256-128|hmac-sha-384|hmac-sha-512|hmac-sha1-96|hmac-md5-96',
  'set security ipsec proposal {name} encryption-algorithm aes-256-cbc|aes-128-cbc|aes-256-gcm|aes-128-gcm|3des-cbc',
  'set security ipsec proposal {name} lifetime-seconds {int}',
  'set security ipsec policy {name} perfect-forward-secrecy keys {any}',
  'set security ipsec policy {name} proposals {name}',
  'set security flow tcp-mss ipsec-vpn mss {int}',
  'set security zones security-zone {word} interfaces {word} host-inbound-traffic system-services ike',
  'set security zones security-zone {name} interfaces {word}',
  'set security ike policy {name} mode main',
  'set security ike policy {name} proposals {name}',
  'set security ike policy {name} pre-shared-key ascii-text {q}',
  'set security ike gateway {name} ike-policy {name}',
  'set security ike gateway {name} address {ip}',
  'set security ike gateway {name} external-interface {word}',
  'set security ike gateway {name} local-identity inet {ip}',
  'set security ike gateway {name} remote-identity inet {ip}',
  'set security ike gateway {name} dead-peer-detection interval {int} threshold {int}',
  'set security ike gateway {name} version v1-only|v2-only',
  'set security ike gateway {name} no-nat-traversal',
  'set interfaces st0 unit {int} family inet address {cidr}',
  'set interfaces st0 unit {int} family inet mtu {int}',
  'set interfaces st0 unit {int} description {q}',
  'set security ipsec vpn {name} bind-interface {word}',
  'set security ipsec vpn {name} ike gateway {name}',
  'set security ipsec vpn {name} ike ipsec-policy {name}',
  'set security ipsec vpn {name} df-bit clear',
  'set security ipsec vpn {name} establish-tunnels immediately',
  'set security ipsec vpn {name} vpn-monitor destination-ip {ip}',
  'set security ipsec vpn {name} vpn-monitor source-interface {word}',
  'set security ipsec vpn {name} traffic-selector {name} local-ip|remote-ip {cidr}',
  'set routing-options static route {cidr} qualified-next-hop {ip} preference {int}',
  'set security policies from-zone {word} to-zone {word} policy {name} match source-address any destination-address any application any',
  'set security policies from-zone {word} to-zone {word} policy {name} then permit',
  'set policy-options policy-statement {name} term agency|dedicated from route-filter {cidr} exact|orlonger',
  'set policy-options policy-statement {name} term agency|dedicated then accept',
  'set policy-options policy-statement {name} term reject then reject',
  'set protocols bgp group {name} type external',
  'set protocols bgp group {name} local-as {int}',
  'set protocols bgp group {name} hold-time {int}',
  'set protocols bgp group {name} import|export {name}',
  'set protocols bgp group {name} neighbor {ip} peer-as {int}',
  'set security zones security-zone {name} host-inbound-traffic protocols bgp',
])

function checkSetLines(text: string, style: 'panos' | 'junos', grammar: readonly string[][]): ParsedConfig {
  const commands: { line: number; words: Word[]; depth: number }[] = []
  const issues: SyntaxIssue[] = []
  text.split('\n').forEach((raw, i) => {
    const line = i + 1
    if (raw === '') return
    if (raw !== raw.trim()) issues.push({ line, message: 'leading or trailing space' })
    const { words, error } = toWords(raw.trim(), style)
    if (error) return issues.push({ line, message: error })
    if (words[0]?.text !== 'set') return issues.push({ line, message: `not a set command: ${words[0]?.text ?? ''}` })
    if (words.some((w) => !w.quoted && w.text.includes('?'))) return issues.push({ line, message: 'a ? (opens CLI help)' })
    if (!grammar.some((g) => matches(g, words))) return issues.push({ line, message: `no such command (or a value of the wrong kind): ${raw.slice(0, 120)}` })
    commands.push({ line, words, depth: 0 })
  })
  return { commands, issues }
}

/** Checks PAN-OS configure-mode set commands. */
export function checkPanosSet(text: string): ParsedConfig {
  return checkSetLines(text, 'panos', PANOS)
}

/** Checks Junos set commands (load set terminal). */
export function checkJunosSet(text: string): ParsedConfig {
  return checkSetLines(text, 'junos', JUNOS)
}

// ------------------------------------------------------------------------------------------------
// Cisco ASA / IOS: `!` comments, top-level commands, one-space-indented sub-commands, `exit` closing.

/**
 * A block nested one level inside another: opened by a sub-command matching `open`, its lines indented twice
 * (the sub patterns that start with an empty word), closed by `close` indented once.
 */
interface CiscoNest {
  readonly open: readonly string[]
  readonly close: string
}

interface CiscoGrammar {
  /** Top-level commands that open a block (sub-commands follow, then `exit`). */
  readonly openers: readonly { readonly head: string[]; readonly sub: readonly string[][]; readonly nest?: CiscoNest }[]
  /** Top-level one-line commands. */
  readonly lines: readonly string[][]
}

const ASA: CiscoGrammar = {
  openers: [
    { head: 'crypto ikev2 policy {int}'.split(' '), sub: compile(['encryption aes-256|aes|aes-gcm-256|aes-gcm|3des', 'integrity sha256|sha384|sha512|sha|md5|null', 'group {int}', 'prf sha256|sha384|sha512|sha|md5', 'lifetime seconds {int}']) },
    { head: 'crypto ikev1 policy {int}'.split(' '), sub: compile(['authentication pre-share', 'encryption aes-256|aes|3des', 'hash sha|md5', 'group {int}', 'lifetime {int}']) },
    { head: 'crypto ipsec ikev2 ipsec-proposal {name}'.split(' '), sub: compile(['protocol esp encryption aes-256|aes|aes-gcm-256|aes-gcm|3des', 'protocol esp integrity sha-256|sha-384|sha-512|sha-1|md5|null']) },
    { head: 'tunnel-group {ip} ipsec-attributes'.split(' '), sub: compile(['ikev2 remote-authentication pre-shared-key {pskword}', 'ikev2 local-authentication pre-shared-key {pskword}', 'ikev1 pre-shared-key {pskword}', 'isakmp keepalive threshold {int} retry {int}']) },
    { head: 'crypto ipsec profile {name}'.split(' '), sub: compile(['set ikev2 ipsec-proposal {name}', 'set ikev1 transform-set {name}', 'set pfs {any}', 'set security-association lifetime seconds {int}']) },
    { head: 'interface {any}'.split(' '), sub: compile(['nameif {name}', 'ip address {ip} {mask}', 'tunnel source interface {word}', 'tunnel destination {ip}', 'tunnel mode ipsec ipv4', 'tunnel protection ipsec profile {name}', 'no shutdown']) },
    { head: 'sla monitor {int}'.split(' '), sub: compile(['type echo protocol ipIcmpEcho {ip} interface {word}', 'frequency {int}']) },
    { head: 'object network {name}'.split(' '), sub: compile(['subnet {ip} {mask}']) },
    {
      head: 'router bgp {int}'.split(' '),
      sub: compile(['bgp log-neighbor-changes', 'address-family ipv4 unicast', ' neighbor {ip} remote-as {int}', ' neighbor {ip} timers {int} {int} {int}', ' neighbor {ip} activate', ' neighbor {ip} prefix-list {name} in|out', ' network {ip} mask {mask}', ' no auto-summary', ' no synchronization']),
      nest: { open: ['address-family', 'ipv4', 'unicast'], close: 'exit-address-family' },
    },
  ],
  lines: compile([
    'crypto ikev2 enable {word}',
    'crypto ikev1 enable {word}',
    'crypto ipsec ikev1 transform-set {name} esp-aes-256|esp-aes|esp-3des esp-sha-hmac|esp-md5-hmac',
    'crypto isakmp nat-traversal {int}',
    'crypto ipsec df-bit clear-df {word}',
    'crypto ipsec fragmentation before-encryption {word}',
    'crypto ipsec security-association replay window-size {int}',
    'sysopt connection tcpmss {int}',
    'sysopt connection permit-vpn',
    'tunnel-group {ip} type ipsec-l2l',
    'sla monitor schedule {int} life forever start-time now',
    'track {int} rtr {int} reachability',
    'route {name} {ip} {mask} {ip} {int} track {int}',
    'access-list {name} extended permit ip object {name} object {name}',
    'nat {ifpair} source static {name} {name} destination static {name} {name} no-proxy-arp route-lookup',
    'crypto map {name} {int} match address {name}',
    'crypto map {name} {int} set peer {ip} {ip}',
    'crypto map {name} {int} set ikev2 ipsec-proposal {name}',
    'crypto map {name} {int} set ikev1 transform-set {name}',
    'crypto map {name} {int} set pfs {any}',
    'crypto map {name} {int} set security-association lifetime seconds {int}',
    'crypto map {name} interface {word}',
    'prefix-list {name} seq {int} permit {cidr}',
    'prefix-list {name} seq {int} permit {cidr} le {int}',
  ]),
}

const IOS: CiscoGrammar = {
  openers: [
    { head: 'crypto ikev2 proposal {name}'.split(' '), sub: compile(['encryption aes-cbc-256|aes-cbc-128|aes-gcm-256|aes-gcm-128', 'integrity sha256|sha384|sha512|sha1|md5', 'prf sha256|sha384|sha512|sha1|md5', 'group {int}']) },
    { head: 'crypto ikev2 policy {name}'.split(' '), sub: compile(['proposal {name}']) },
    { head: 'crypto ikev2 keyring {name}'.split(' '), sub: compile(['peer {name}', ' address {ip}', ' pre-shared-key {pskword}', 'exit']), nest: { open: ['peer', '{name}'], close: 'exit' } },
    { head: 'crypto ikev2 profile {name}'.split(' '), sub: compile(['match identity remote address {ip} 255.255.255.255', 'identity local address {ip}', 'authentication remote pre-share', 'authentication local pre-share', 'keyring local {name}', 'lifetime {int}', 'dpd {int} {int} on-demand']) },
    { head: 'crypto isakmp policy {int}'.split(' '), sub: compile(['encryption aes {int}', 'hash sha256|sha384|sha512|sha|md5', 'authentication pre-share', 'group {int}', 'lifetime {int}']) },
    { head: 'crypto keyring {name}'.split(' '), sub: compile(['local-address {word}', 'pre-shared-key address {ip} key {pskword}']) },
    { head: 'crypto isakmp profile {name}'.split(' '), sub: compile(['keyring {name}', 'match identity address {ip} 255.255.255.255', 'local-address {word}']) },
    { head: 'crypto ipsec transform-set {name} {rest}'.split(' '), sub: compile(['mode tunnel']) },
    { head: 'crypto ipsec profile {name}'.split(' '), sub: compile(['set transform-set {name}', 'set pfs {any}', 'set security-association lifetime seconds {int}', 'set ikev2-profile {name}', 'set isakmp-profile {name}']) },
    { head: 'interface {word}'.split(' '), sub: compile(['description {name}', 'ip address {ip} {mask}', 'ip virtual-reassembly', 'ip tcp adjust-mss {int}', 'tunnel source {word}', 'tunnel destination {ip}', 'tunnel mode ipsec ipv4', 'tunnel protection ipsec profile {name}', 'no shutdown', 'crypto map {name}']) },
    { head: 'ip sla {int}'.split(' '), sub: compile(['icmp-echo {ip} source-interface {word}', 'frequency {int}']) },
    { head: 'ip access-list extended {name}'.split(' '), sub: compile(['permit ip {ip} {ip} {ip} {ip}', 'permit udp host {ip} host {ip} eq isakmp|non500-isakmp', 'permit esp host {ip} host {ip}']) },
    {
      head: 'router bgp {int}'.split(' '),
      sub: compile(['bgp log-neighbor-changes', 'neighbor {ip} remote-as {int}', 'neighbor {ip} timers {int} {int} {int}', 'address-family ipv4 unicast', ' network {ip} mask {mask}', ' neighbor {ip} activate', ' neighbor {ip} prefix-list {name} in|out']),
      nest: { open: ['address-family', 'ipv4', 'unicast'], close: 'exit-address-family' },
    },
    { head: 'crypto map {name} {int} ipsec-isakmp'.split(' '), sub: compile(['set peer {ip}', 'set transform-set {name}', 'set pfs {any}', 'set security-association lifetime seconds {int}', 'set ikev2-profile {name}', 'set isakmp-profile {name}', 'match address {name}']) },
  ],
  lines: compile([
    'crypto ikev2 nat keepalive {int}',
    'crypto isakmp keepalive {int} {int} on-demand',
    'crypto isakmp nat keepalive {int}',
    'crypto ipsec df-bit clear',
    'crypto ipsec fragmentation before-encryption',
    'crypto ipsec security-association replay window-size {int}',
    'ip sla schedule {int} life forever start-time now',
    'track {int} ip sla {int} reachability',
    'ip route {ip} {mask} {word} {ip} {int} track {int}',
    'ip prefix-list {name} seq {int} permit {cidr}',
    'ip prefix-list {name} seq {int} permit {cidr} le {int}',
  ]),
}

function checkCisco(text: string, g: CiscoGrammar): ParsedConfig {
  const commands: { line: number; words: Word[]; depth: number }[] = []
  const issues: SyntaxIssue[] = []
  let open: { head: string[]; sub: readonly string[][]; nest?: CiscoNest; line: number } | undefined
  let nested = false
  text.split('\n').forEach((raw, i) => {
    const line = i + 1
    if (raw === '' || raw.startsWith('!')) return
    if (raw.includes('?')) return issues.push({ line, message: 'a ? (opens CLI help when pasted)' })
    if (/\s$/.test(raw) || /\t/.test(raw)) return issues.push({ line, message: 'trailing space or tab' })
    const indent = /^ */.exec(raw)![0].length
    const { words, error } = toWords(raw.trim(), 'none')
    if (error) return issues.push({ line, message: error })
    if (indent === 0) {
      if (raw === 'exit') {
        if (!open) return issues.push({ line, message: 'exit without an open block' })
        if (nested) issues.push({ line, message: 'a nested block was not closed before exit' })
        open = undefined
        return
      }
      if (open) issues.push({ line: open.line, message: `block "${open.head.join(' ')}" is not closed with exit` })
      open = undefined
      const opener = g.openers.find((o) => matches(o.head, words))
      if (opener) {
        open = { ...opener, line }
        nested = false
        commands.push({ line, words, depth: 0 })
        return
      }
      if (!g.lines.some((l) => matches(l, words))) return issues.push({ line, message: `no such command (or a value of the wrong kind): ${raw.slice(0, 120)}` })
      commands.push({ line, words, depth: 0 })
      return
    }
    if (!open) return issues.push({ line, message: 'an indented line outside any block' })
    // Nested blocks (IOS keyring `peer`, BGP `address-family`): lines indented twice, closed by an indented word.
    const expected = nested ? 2 : 1
    if (indent === 1 && nested && raw.trim() === open.nest?.close) {
      nested = false
      return
    }
    if (indent !== expected) return issues.push({ line, message: `indented ${indent}, expected ${expected}` })
    const sub = nested ? open.sub.filter((s) => s[0] === '').map((s) => s.slice(1)) : open.sub.filter((s) => s[0] !== '')
    if (!sub.some((s) => matches(s, words))) return issues.push({ line, message: `not a sub-command of "${open.head.join(' ')}": ${raw.trim().slice(0, 120)}` })
    const opens = !nested && open.nest !== undefined && matches(open.nest.open, words)
    if (opens) nested = true
    commands.push({ line, words, depth: nested && !opens ? 2 : 1 })
  })
  if (open) issues.push({ line: open.line, message: `block "${open.head.join(' ')}" is not closed with exit` })
  return { commands, issues }
}

/** Checks Cisco ASA configuration-mode text. */
export function checkAsaConfig(text: string): ParsedConfig {
  return checkCisco(text, ASA)
}

/** Checks Cisco IOS / IOS-XE configuration-mode text. */
export function checkIosConfig(text: string): ParsedConfig {
  return checkCisco(text, IOS)
}

// ------------------------------------------------------------------------------------------------
// FortiOS: config <path> … end, edit <name> … next, set <key> <values>.

const FORTIOS_SETS: Readonly<Record<string, readonly string[][]>> = {
  'vpn ipsec phase1-interface': compile([
    'set interface {q}', 'set ike-version 1|2', 'set mode main', 'set peertype any', 'set net-device disable', 'set proposal {any}', 'set dhgrp {int}', 'set keylife {int}',
    'set local-gw {ip}', 'set remote-gw {ip}', 'set psksecret {q}', 'set dpd on-idle', 'set dpd-retryinterval {int}', 'set dpd-retrycount {int}', 'set nattraversal enable|disable',
  ]),
  'vpn ipsec phase2-interface': compile(['set phase1name {q}', 'set proposal {any}', 'set pfs enable', 'set dhgrp {int}', 'set keylifeseconds {int}', 'set auto-negotiate enable', 'set keepalive enable', 'set src-subnet {ip} {mask}', 'set dst-subnet {ip} {mask}']),
  'system interface': compile(['set vdom {q}', 'set ip {ip} {mask}', 'set remote-ip {ip} {mask}', 'set allowaccess ping', 'set type tunnel', 'set tcp-mss {int}', 'set mtu-override enable', 'set mtu {int}', 'set interface {q}']),
  'router static': compile(['set dst {ip} {mask}', 'set device {q}', 'set gateway {ip}', 'set distance {int}', 'set comment {q}']),
  'system link-monitor': compile(['set srcintf {q}', 'set server {ip}', 'set protocol ping', 'set update-static-route enable']),
  'firewall address': compile(['set subnet {ip} {mask}']),
  'firewall policy': compile(['set name {q}', 'set srcintf {rest-q}', 'set dstintf {rest-q}', 'set srcaddr {rest-q}', 'set dstaddr {rest-q}', 'set action accept', 'set schedule {q}', 'set service {q}', 'set nat disable']),
  'router prefix-list': [],
  'router prefix-list > rule': compile(['set prefix {ip} {mask}', 'set le {int}']),
  'router bgp': compile(['set as {int}']),
  'router bgp > neighbor': compile(['set remote-as {int}', 'set keep-alive-timer {int}', 'set holdtime-timer {int}', 'set prefix-list-in {q}', 'set prefix-list-out {q}']),
  'router bgp > network': compile(['set prefix {ip} {mask}']),
}
/** Sections set directly, without an edit (`config router bgp` / `set as`), which may also hold sub-sections. */
const FORTIOS_FLAT = new Set(['router bgp'])
/** Sections whose entries are numbered (`edit 1`; 0 takes the next free number) instead of named. */
const FORTIOS_NUMBERED = new Set(['router prefix-list > rule', 'router bgp > network'])

function matchesForti(pattern: readonly string[], words: readonly Word[]): boolean {
  // {rest-q}: one or more quoted names.
  const at = pattern.indexOf('{rest-q}')
  if (at < 0) return matches(pattern, words)
  return matches(pattern.slice(0, at), words.slice(0, at)) && words.length > at && words.slice(at).every((w) => w.quoted)
}

/** Checks a FortiOS CLI script: config/edit/next/end nesting, quoted strings in pairs, known set keys per section. */
export function checkFortiosScript(text: string): ParsedConfig {
  const commands: { line: number; words: Word[]; depth: number }[] = []
  const issues: SyntaxIssue[] = []
  const stack: { kind: 'config' | 'edit'; path: string; line: number }[] = []
  text.split('\n').forEach((raw, i) => {
    const line = i + 1
    const t = raw.trim()
    if (t === '' || t.startsWith('#')) return
    if (t.includes('?')) return issues.push({ line, message: 'a ? (opens CLI help)' })
    const { words, error } = toWords(t, 'fortios')
    if (error) return issues.push({ line, message: error })
    const [verb] = words
    const top = stack.at(-1)
    switch (verb?.text) {
      case 'config': {
        if (top?.kind === 'config' && !FORTIOS_FLAT.has(top.path)) return issues.push({ line, message: 'config directly inside config (edit first)' })
        const own = words.slice(1).map((w) => w.text).join(' ')
        const path = top ? `${top.path} > ${own}` : own
        if (!(path in FORTIOS_SETS)) issues.push({ line, message: `unknown section: config ${path}` })
        stack.push({ kind: 'config', path, line })
        break
      }
      case 'edit':
        if (top?.kind !== 'config') return issues.push({ line, message: 'edit outside a config section' })
        if (FORTIOS_NUMBERED.has(top.path) ? words.length !== 2 || words[1]!.quoted || !INT.test(words[1]!.text) : words.length !== 2 || !(words[1]!.quoted || words[1]!.text === '0')) issues.push({ line, message: `edit takes one ${FORTIOS_NUMBERED.has(top.path) ? 'number' : 'quoted name (or 0)'}` })
        stack.push({ kind: 'edit', path: top.path, line })
        break
      case 'next':
        if (top?.kind !== 'edit') return issues.push({ line, message: 'next without an open edit' })
        stack.pop()
        break
      case 'end':
        if (top?.kind === 'edit') issues.push({ line, message: `edit at line ${top.line} not closed with next before end` })
        while (stack.length && stack.at(-1)!.kind === 'edit') stack.pop()
        if (stack.at(-1)?.kind !== 'config') return issues.push({ line, message: 'end without an open config' })
        stack.pop()
        break
      case 'set': {
        if (top === undefined || (top.kind !== 'edit' && !FORTIOS_FLAT.has(top.path))) return issues.push({ line, message: 'set outside an edit block' })
        const grammar = FORTIOS_SETS[top.path] ?? []
        if (!grammar.some((g) => matchesForti(g, words))) issues.push({ line, message: `no such setting in config ${top.path} (or a value of the wrong kind): ${t.slice(0, 120)}` })
        break
      }
      default:
        return issues.push({ line, message: `unknown command ${verb?.text ?? ''}` })
    }
    commands.push({ line, words, depth: stack.length })
  })
  for (const s of stack) issues.push({ line: s.line, message: `${s.kind} ${s.path} is never closed (${s.kind === 'edit' ? 'next' : 'end'} missing)` })
  return { commands, issues }
}

// ------------------------------------------------------------------------------------------------
// PowerShell: the statements the Windows renderer writes.

const PS_CMDLETS: Readonly<Record<string, readonly string[]>> = {
  'New-NetIPsecMainModeCryptoProposal': ['Encryption', 'Hash', 'KeyExchange'],
  'New-NetIPsecMainModeCryptoSet': ['DisplayName', 'Proposal', 'MaxMinutes', 'MaxSessions', 'ForceDiffieHellman'],
  'New-NetIPsecQuickModeCryptoProposal': ['Encapsulation', 'ESPHash', 'Encryption', 'MaxMinutes', 'MaxKilobytes'],
  'New-NetIPsecQuickModeCryptoSet': ['DisplayName', 'Proposal', 'PerfectForwardSecrecyGroup'],
  'New-NetIPsecAuthProposal': ['Machine', 'PreSharedKey'],
  'New-NetIPsecPhase1AuthSet': ['DisplayName', 'Proposal'],
  'New-NetIPsecMainModeRule': ['DisplayName', 'MainModeCryptoSet', 'Phase1AuthSet', 'LocalAddress', 'RemoteAddress'],
  'New-NetIPsecRule': ['DisplayName', 'Mode', 'KeyModule', 'LocalTunnelEndpoint', 'RemoteTunnelEndpoint', 'LocalAddress', 'RemoteAddress', 'InboundSecurity', 'OutboundSecurity', 'Phase1AuthSet', 'QuickModeCryptoSet', 'Profile'],
  'New-NetFirewallRule': ['DisplayName', 'Direction', 'Protocol', 'LocalPort', 'RemoteAddress', 'Action'],
  'Add-VpnS2SInterface': ['Name', 'Destination', 'Protocol', 'AuthenticationMethod', 'SharedSecret', 'IPv4Subnet', 'Persistent', 'CustomPolicy', 'EncryptionMethod', 'IntegrityCheckMethod', 'DHGroup', 'CipherTransformConstants', 'AuthenticationTransformConstants', 'PfsGroup', 'SALifeTimeSeconds', 'IdleDisconnectSeconds'],
  'Connect-VpnS2SInterface': ['Name'],
  'Out-Null': [],
}
/** Parameters whose value must be a single-quoted literal (secrets and free names). */
const PS_QUOTED = new Set(['PreSharedKey', 'SharedSecret', 'DisplayName', 'Name'])
const PS_SWITCHES = new Set(['Machine', 'Persistent', 'CustomPolicy'])

/** A PowerShell token of our subset: a single-quoted string ('' and smart quotes doubled), or a bare word up to a space. */
export function toPsTokens(text: string): { tokens: Word[]; error?: string } {
  const tokens: Word[] = []
  const QUOTES = "'\u2018\u2019\u201a\u201b"
  let i = 0
  while (i < text.length) {
    const ch = text[i]!
    if (ch === ' ') {
      i++
      continue
    }
    if (QUOTES.includes(ch)) {
      let out = ''
      let j = i + 1
      for (; j < text.length; j++) {
        const c = text[j]!
        if (QUOTES.includes(c)) {
          const next = text[j + 1]
          if (next !== undefined && QUOTES.includes(next)) {
            out += c
            j++
            continue
          }
          break
        }
        out += c
      }
      if (j >= text.length) return { tokens, error: 'an unterminated single-quoted string' }
      tokens.push({ text: out, quoted: true })
      i = j + 1
      continue
    }
    if (ch === '"') return { tokens, error: 'a double-quoted string (expands $ and `; only single quotes are written)' }
    if (text.startsWith('@(', i)) {
      // An array of single-quoted strings: @('a', 'b').
      const end = text.indexOf(')', i)
      if (end < 0) return { tokens, error: 'an array not closed with )' }
      const inner = toPsTokens(text.slice(i + 2, end).replace(/', '/g, "' '"))
      if (inner.error || inner.tokens.length === 0 || inner.tokens.some((t) => !t.quoted)) return { tokens, error: 'an array of anything but single-quoted strings' }
      tokens.push({ text: `@(${inner.tokens.map((t) => t.text).join(',')})`, quoted: false })
      i = end + 1
      continue
    }
    let j = i
    while (j < text.length && text[j] !== ' ') j++
    const w = text.slice(i, j)
    if ([...w].some((c) => QUOTES.includes(c) || c === '"' || c === '`' || c === ';')) return { tokens, error: `a quote, backtick or ; inside the bare word ${w}` }
    tokens.push({ text: w, quoted: false })
    i = j
  }
  return { tokens }
}

/** Checks the PowerShell script: known cmdlets and parameters, secrets and names single-quoted, arrays closed. */
export function checkPowerShell(text: string): ParsedConfig {
  const commands: { line: number; words: Word[]; depth: number }[] = []
  const issues: SyntaxIssue[] = []
  text.split('\n').forEach((raw, i) => {
    const line = i + 1
    if (raw === '' || raw.startsWith('#')) return
    if (raw === "$ErrorActionPreference = 'Stop'") return
    const { tokens, error } = toPsTokens(raw)
    if (error) return issues.push({ line, message: error })
    let k = 0
    if (tokens[0] && /^\$[A-Za-z][A-Za-z0-9]*$/.test(tokens[0].text) && tokens[1]?.text === '=') k = 2
    const segments: Word[][] = [[]]
    for (const t of tokens.slice(k)) {
      if (t.text === '|' && !t.quoted) segments.push([])
      else segments.at(-1)!.push(t)
    }
    for (const seg of segments) {
      const cmdlet = seg[0]
      const params = cmdlet && !cmdlet.quoted ? PS_CMDLETS[cmdlet.text] : undefined
      if (!params) return issues.push({ line, message: `unknown cmdlet ${cmdlet?.text ?? '(none)'}` })
      for (let p = 1; p < seg.length; p++) {
        const t = seg[p]!
        const name = t.quoted ? undefined : /^-([A-Za-z0-9]+)$/.exec(t.text)?.[1]
        if (!name || !params.includes(name)) return issues.push({ line, message: `${cmdlet!.text}: unexpected ${t.quoted ? 'string' : t.text}` })
        if (PS_SWITCHES.has(name)) continue
        const v = seg[p + 1]
        if (!v || (!v.quoted && v.text.startsWith('-'))) return issues.push({ line, message: `${cmdlet!.text}: -${name} has no value` })
        if (PS_QUOTED.has(name) && !v.quoted) return issues.push({ line, message: `${cmdlet!.text}: -${name} must be a single-quoted string` })
        if (!v.quoted) {
          const balanced = !v.text.startsWith('@(') || v.text.endsWith(')')
          if (!balanced) return issues.push({ line, message: `${cmdlet!.text}: -${name} array not closed` })
          if (!/^(\$[A-Za-z][A-Za-z0-9]*(\.Name)?|\$true|\$false|[A-Za-z0-9][A-Za-z0-9.,/]*)$/.test(v.text) && !v.text.startsWith('@(')) return issues.push({ line, message: `${cmdlet!.text}: -${name} value ${v.text.slice(0, 40)} is not a plain word` })
        }
        p++
      }
    }
    commands.push({ line, words: tokens, depth: 0 })
  })
  return { commands, issues }
}

/** The checker of each vendor kind's syntax. */
export const VENDOR_CHECKERS = {
  'cisco-asa': checkAsaConfig,
  'cisco-ios': checkIosConfig,
  paloalto: checkPanosSet,
  fortigate: checkFortiosScript,
  'juniper-srx': checkJunosSet,
  'windows-server': checkPowerShell,
} as const
