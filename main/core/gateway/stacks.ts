// How to validate, activate, reload and verify each IPsec stack on the gateway, as sh snippets.
//
// Every snippet is fixed text plus names that went through quoteSh; the details never reach a shell
// any other way.
import type { RenderedConfig } from '../render'
import { compareVersions } from '../render'
import { quoteSh } from '../ssh/quote'
import type { GatewayFacts } from './detect'

/** How to validate, activate, reload and check one IPsec stack, as sh snippets (fixed text + quoted names). */
export interface StackProfile {
  /** Exit 0 when the whole configuration tree (with our new files) is valid; may write to "$ERR". */
  readonly validate: string
  /** Loads the configuration into the daemon; exit non-zero or output on "$ERR" that matches `activateErrors` fails. */
  readonly activate: string
  /** Extended regular expression for stderr lines of `activate` that mean failure even with exit 0. */
  readonly activateErrors: string
  /** Reload after files were restored (revert and rollback). */
  readonly reload: string
  /** Brings up each tunnel (run in parallel). */
  readonly initiate: readonly string[]
  /** Exit 0 when every tunnel is up. */
  readonly isUp: string
  /**
   * Our plumbing scripts (route.sh): when a revert or rollback removes one the change created, it runs
   * with `teardown` first, so no interface, address or route of ours stays behind on a dead tunnel.
   */
  readonly plumbing?: readonly string[]
}

function q(s: string): string {
  return quoteSh(s)
}

/** strongSwan with swanctl (VICI). */
function swanctlProfile(facts: GatewayFacts, rendered: RenderedConfig): StackProfile {
  const keepup = rendered.files.find((f) => f.path.endsWith('-keepup.sh'))?.path
  const conf = facts.paths.swanctlConf ?? (facts.layout === 'rhel' ? '/etc/strongswan/swanctl/swanctl.conf' : '/etc/swanctl/swanctl.conf')
  // swanctl --load-all with a syntax error in ANY file unloads every connection and still exits 0;
  // parsing the whole tree as STRONGSWAN_CONF exits 64 on a syntax error and touches nothing. The same for
  // strongswan.conf and strongswan.d/ (our charon snippet lives there): charon would not start again.
  const parses = (env: string, what: string) => `{ rc=0; ${env}swanctl --version >/dev/null 2>&1 || rc=$?; if [ "$rc" = 64 ]; then echo "syntax error in ${what}"; ${env}swanctl --version 2>&1 | head -n 5; false; fi; }`
  const syntax = `${parses(`STRONGSWAN_CONF=${q(conf)} `, `the swanctl configuration tree (${conf} and its includes)`)} && ${parses('', 'strongswan.conf or a file it includes (strongswan.d/*.conf)')}`
  const [c1, c2] = rendered.connectionNames
  const up = (c: string) => `swanctl --list-sas --ike ${q(c)} 2>/dev/null | grep -q ESTABLISHED && swanctl --list-sas --ike ${q(c)} 2>/dev/null | grep -q INSTALLED`
  return {
    validate: syntax,
    // keepup.sh is started by charon's updown hook when a tunnel comes up; (re)starting it here too covers
    // tunnels that never come up (its watchdog then keeps re-initiating) and makes the loop run this version.
    activate: `swanctl --load-all --noprompt${restartKeepup(keepup)}`,
    // A semantic error is reported on stderr ("loading connection 'x' failed … config discarded") with exit 22;
    // "no connections found" after a load means everything was unloaded.
    activateErrors: 'invalid config file|loading (connection|secret|shared).* failed|syntax error|no connections found',
    // Unloading a connection closes only the SAs it started itself (start_action=start): after a restore that
    // removed ours, a standby that had taken over (start_action=none) would keep carrying traffic. Close the
    // SAs of our connections that are gone (by the SA's own name; the connection no longer exists).
    reload: `${syntax} && swanctl --load-all --noprompt${restartKeepup(keepup)}; for c in ${q(c1)} ${q(c2)}; do swanctl --list-conns 2>/dev/null | grep -q "^$c: " || swanctl --terminate --ike "$c" --force --timeout 5 >/dev/null 2>&1; done; true`,
    // start_action=start already initiates a changed connection on load; initiating it again makes a
    // second CHILD_SA that AWS deletes. Initiate only a connection that has no IKE_SA after a moment
    // (an unchanged but down connection is not re-initiated by --load-all). Policy-based, tunnel 2 stands
    // by: tunnel 1 is initiated only when neither has an IKE_SA, and either one up is up.
    ...oneOrBoth(rendered, (c) => `swanctl --list-sas --ike ${q(c)} 2>/dev/null | grep -Eq 'ESTABLISHED|CONNECTING'`, (c) => `swanctl --initiate --child ${q(c)} --timeout 30`, up),
  }
}

/** strongSwan legacy starter (ipsec.conf). */
function starterProfile(facts: GatewayFacts, rendered: RenderedConfig): StackProfile {
  const ipsec = facts.layout === 'rhel' ? 'strongswan' : 'ipsec'
  const keepup = rendered.files.find((f) => f.path.endsWith('-keepup.sh'))?.path
  const [c1, c2] = rendered.connectionNames
  const up = (c: string) => `${ipsec} status ${q(c)} 2>/dev/null | grep -q ESTABLISHED && ${ipsec} status ${q(c)} 2>/dev/null | grep -q INSTALLED`
  const conf = facts.paths.ipsecConf ?? (facts.layout === 'rhel' ? '/etc/strongswan/ipsec.conf' : '/etc/ipsec.conf')
  // Route-based: our charon snippet (strongswan.d/) carries install_routes = no.
  const routesOff = rendered.routing === 'route' ? rendered.files.find((f) => f.path.includes('/strongswan.d/'))?.path : undefined
  return {
    // starter has no offline check, and on a reload it keeps the old config only for fatal errors: an
    // unknown keyword re-adds the conn with that option at its default. So parse the whole tree with the
    // real starter in a private mount namespace (own /run: it neither sees the running starter's pid file
    // nor reaches charon's socket), with `stroke` as its "daemon" (exits at once), and fail on any parse
    // message. Without unshare (e.g. an unprivileged container) fall back to a presence check.
    validate: starterCheck(conf),
    // keepup.sh is started by the leftupdown hook when a tunnel comes up; (re)starting it here too covers
    // tunnels that never come up (its watchdog then keeps re-initiating) and makes the loop run this version.
    // Route-based, charon must run with our install_routes = no first (see toCharonRestartSh).
    activate: `${routesOff ? `${toCharonRestartSh(ipsec, routesOff)} && ` : ''}${ipsec} rereadsecrets && ${ipsec} update && sleep 1 && ${ipsec} statusall >/dev/null${restartKeepup(keepup)}`,
    activateErrors: 'invalid config file|keeping old one|parsing error',
    // `ipsec update` deletes a conn that is gone from the files but leaves its SAs up until they expire
    // (AWS keeps carrying traffic into a tunnel the gateway no longer has): after a restore that removed
    // ours, take their SAs down by name (charon matches the SA's own name, the conn is already gone). statusall
    // right-aligns conn names in 12 columns: a name of 12 characters or more has no indent.
    reload: `${ipsec} rereadsecrets; ${ipsec} update; sleep 1; for c in ${q(c1)} ${q(c2)}; do ${ipsec} statusall 2>/dev/null | grep -Eq "^ *$c: " || ${ipsec} down "$c" >/dev/null 2>&1; done${restartKeepup(keepup)}; true`,
    // auto=start already initiates a changed conn on `ipsec update`; `ipsec up` on top of it makes a second
    // CHILD_SA that AWS deletes. Initiate only a conn that has no IKE_SA after a moment (policy-based: only
    // tunnel 1, and only when neither has one; tunnel 2 stands by).
    ...oneOrBoth(rendered, (c) => `${ipsec} status ${q(c)} 2>/dev/null | grep -Eq 'ESTABLISHED|CONNECTING'`, (c) => `${ipsec} up ${q(c)}`, up),
  }
}

/** Where charon writes its pid file (Debian and RHEL's /var/run, which is /run; RHEL's strongswan/ folder). */
export const CHARON_PID_FILES = ['/var/run/charon.pid', '/run/charon.pid', '/var/run/strongswan/charon.pid', '/run/strongswan/charon.pid'] as const

/**
 * sh that restarts starter (and with it charon) when the running charon started before `snippet` was written,
 * then waits until charon answers again; exit non-zero if it does not.
 *
 * charon reads install_routes only when it starts. Route-based starter conns are 0.0.0.0/0 with a mark: a
 * charon still installing routes puts 0.0.0.0/0 into table 220, which wins over the main table, so the
 * gateway's own replies to its LAN (the admin's SSH session) and the LAN's traffic go out of the WAN in
 * clear. Seen on a Debian kernel: the app's session died as soon as `ipsec update` brought the tunnels up.
 * The restart drops every tunnel of this charon for a few seconds; it happens once (later applies find a
 * charon younger than the snippet). Under systemd the unit that runs starter is restarted, so systemd keeps
 * the new starter. `ipsec status` answers 0 as soon as starter runs, before charon does: the wait asks charon
 * itself (stroke fails until charon's socket answers).
 */
export function toCharonRestartSh(ipsec: 'ipsec' | 'strongswan', snippet: string, pidFiles: readonly string[] = CHARON_PID_FILES): string {
  const unit = [
    'u=; if command -v systemctl >/dev/null 2>&1; then',
    'for x in strongswan-starter strongswan; do systemctl is-active --quiet "$x" 2>/dev/null && systemctl cat "$x" 2>/dev/null | grep -Eq \'^ExecStart=.*((ipsec|strongswan) start|/starter)\' && u=$x && break; done; fi',
  ].join(' ')
  return [
    `{ p=; for f in ${pidFiles.map(q).join(' ')}; do [ -s "$f" ] && p=$f && break; done`,
    `if [ -n "$p" ] && [ ${q(snippet)} -nt "$p" ]; then ${unit}`,
    `if [ -n "$u" ]; then systemctl restart "$u"; else ${ipsec} restart; fi </dev/null >/dev/null 2>&1`,
    `i=0; until ${ipsec} rereadsecrets >/dev/null 2>&1; do i=$((i + 1)); [ $i -le 150 ] || { echo "charon did not come back within 30 s of the restart (needed for install_routes = no)" >&2; exit 1; }; sleep 0.2; done; fi; }`,
  ].join('\n')
}

/** sh (a suffix to an && chain) that restarts keepup.sh when it is installed, so the loop runs the version on disk. */
function restartKeepup(keepup: string | undefined): string {
  return keepup ? ` && { [ -x ${q(keepup)} ] && ${q(keepup)} restart >/dev/null 2>&1 || true; }` : ''
}

/**
 * initiate/isUp for strongSwan. Route-based: each tunnel is initiated unless it already has an IKE_SA after a
 * moment, and both must be up. Policy-based: tunnel 2 is the standby (start_action=none / auto=add), so
 * only tunnel 1 is initiated, only when neither has an IKE_SA (after a failover tunnel 2 is the active
 * one), and one tunnel up is up.
 */
function oneOrBoth(
  rendered: RenderedConfig,
  pending: (conn: string) => string,
  start: (conn: string) => string,
  up: (conn: string) => string,
): Pick<StackProfile, 'initiate' | 'isUp'> {
  const [c1, c2] = rendered.connectionNames
  const wait = (conns: readonly string[], c: string) => `i=0; while [ $i -lt 15 ]; do ${conns.map((x) => `${pending(x)} && exit 0`).join('; ')}; i=$((i + 1)); sleep 0.2; done; ${start(c)}`
  if (rendered.routing === 'policy') return { initiate: [wait([c1, c2], c1)], isUp: `{ ${up(c1)}; } || { ${up(c2)}; }` }
  return { initiate: [c1, c2].map((c) => wait([c], c)), isUp: `${up(c1)} && ${up(c2)}` }
}

/** sh that parses an ipsec.conf tree with the gateway's own starter, touching nothing; prints the errors and fails. */
function starterCheck(conf: string): string {
  return [
    `s=; for f in /usr/lib/ipsec/starter /usr/libexec/strongswan/starter /usr/libexec/ipsec/starter; do [ -x "$f" ] && s=$f && break; done`,
    `if [ -z "$s" ] || ! unshare -m true 2>/dev/null; then [ -s ${q(conf)} ] || { echo "${conf} is missing or empty"; false; }; else`,
    `o=$(mktemp) || exit 1`,
    `unshare -m sh -c 'mount -t tmpfs tw-check /run && { [ -L /var/run ] || mount -t tmpfs tw-check /var/run; } && exec "$1" --nofork --conf "$2" --daemon stroke' tw-check "$s" ${q(conf)} > "$o" 2>&1 & p=$!`,
    `i=0; while [ $i -lt 100 ] && kill -0 $p 2>/dev/null && ! grep -Eq 'fatal errors in config|has died|refused to be started|already running' "$o"; do i=$((i + 1)); sleep 0.1; done`,
    `kill $p 2>/dev/null; wait $p 2>/dev/null`,
    `e=$(grep -E 'syntax error|invalid config|fatal errors|unknown keyword|parsing error|already running|must be superuser' "$o"); rm -f "$o"`,
    `[ -z "$e" ] || { echo "starter rejects ${conf} (or a file it includes): $e"; false; }; fi`,
  ].join('\n')
}

/** Libreswan 3/4/5 and Openswan 2.6. */
function libreswanProfile(facts: GatewayFacts, rendered: RenderedConfig): StackProfile {
  const v5 = facts.stack.kind === 'libreswan' && compareVersions(facts.stack.version, '5.0') >= 0
  const [c1, c2] = rendered.connectionNames
  const conf = q(facts.paths.ipsecConf ?? '/etc/ipsec.conf')
  const verb = (v: string, c: string) => (v5 ? `ipsec ${v} ${c}` : `ipsec auto --${v} ${c}`)
  const rereadSecrets = v5 ? 'ipsec rereadsecrets' : 'ipsec auto --rereadsecrets'
  const keepup = rendered.files.find((f) => f.path.endsWith('-keepup.sh'))?.path
  // Our ipsec.service drop-in starts keepup.sh when pluto starts; systemd reads a new or changed one only
  // after daemon-reload (at boot it reads them anyway). No systemd: nothing to do.
  const dropIn = rendered.files.some((f) => f.path.includes('/ipsec.service.d/'))
  const daemonReload = dropIn ? ' && { command -v systemctl >/dev/null 2>&1 && systemctl daemon-reload >/dev/null 2>&1; true; }' : ''
  // addconn --checkconfig exits 0 on semantic errors and reports them only on stderr: any stderr fails.
  const check = `e=$(ipsec addconn --checkconfig --config ${conf} 2>&1 >/dev/null); rc=$?; [ "$rc" = 0 ] && [ -z "$e" ] || { echo "$e"; false; }`
  // Stage under a throwaway name before touching the live conns: a copy of each of ours, pointed at a
  // documentation address and never started, is added and deleted again. pluto's verdict (e.g. IKEv1
  // dropped by ikev1-policy, an algorithm this build lacks) then comes before anything live changes.
  const ours = rendered.files.find((f) => !f.secret && f.path.endsWith('.conf') && f.path.includes('/ipsec.d/'))?.path
  const log = (c: string) => `{ tail -n 300 /var/log/pluto.log /var/log/secure /var/log/auth.log 2>/dev/null; journalctl -q -o cat -u ipsec -n 300 2>/dev/null; } | grep -F "\\"${c}\\"" | tail -n 3`
  const staged = ours
    ? [
        // (validate also runs before our file is written, on the tree as it was: nothing to stage then.)
        `if [ -f ${q(ours)} ]; then t=$(mktemp) || exit 1`,
        `sed -e 's/^conn \\(.*\\)$/conn \\1-twstaged/' -e 's/^\\([[:space:]]*\\)right=.*/\\1right=192.0.2.1/' -e 's/^\\([[:space:]]*\\)auto=.*/\\1auto=ignore/' ${q(ours)} > "$t"`,
        `ok=1; for c in ${q(`${c1}-twstaged`)} ${q(`${c2}-twstaged`)}; do if ! ipsec addconn --config "$t" "$c" >/dev/null 2>&1; then echo "pluto refused the staged copy $c:"; ${log('$c')}; ok=0; fi; ${v5 ? 'ipsec delete "$c"' : 'ipsec auto --delete "$c"'} >/dev/null 2>&1; done`,
        `rm -f "$t"; [ "$ok" = 1 ]; fi`,
      ].join('\n')
    : 'true'
  // Only our conns are touched: re-adding any other conn (addconn --autoall) would tear its SAs down.
  const deleteOurs = `for c in ${q(c1)} ${q(c2)}; do ${verb('delete', '"$c"')} >/dev/null 2>&1; done`
  // One trafficstatus per check (it lists established IPsec SAs only); the verify loop runs it often.
  const traffic = 't=$(ipsec whack --trafficstatus 2>/dev/null)'
  const up = (c: string) => `printf '%s\\n' "$t" | grep -qF ${q(`"${c}"`)}`
  // Policy-based Libreswan: tunnel 2 stands by (auto=add) and keepup.sh holds one tunnel up, so only tunnel
  // 1 is initiated and one tunnel up is up. Openswan, and route-based, bring both up. `add` starts nothing
  // (auto=start acts only when pluto starts), and activate has just re-added both: initiate at once, unless
  // keepup.sh already did.
  const standby = rendered.kind === 'libreswan' && rendered.routing === 'policy'
  // keepup.sh (restarted by activate) initiates a conn that has had no state for three rounds: when activate
  // runs long (a BGP VPN's FRR reload under a slow CPU) it gets there first, and `up` on top of its exchange
  // made a second IPsec SA (seen on a real kernel; AWS deletes the extra one). So a conn that already has a
  // state in pluto (showstates: `#N: "conn"[M]:500 STATE…`; 4.x prefixes a 3-digit code) is left to it;
  // policy-based, tunnel 1 is initiated only when neither conn has one (after a failover tunnel 2 is active).
  const pending = (c: string) => `ipsec whack --showstates 2>/dev/null | grep -Eq ${q(`^([0-9]{3} )?#[0-9]+: "${c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"(\\[[0-9]+\\])?[: ]`)}`
  return {
    validate: `${check} && { ${staged}\n}`,
    // `ipsec auto --replace` of a conn pluto has not loaded yet exits non-zero without a word (4.10), and it
    // tears the SA down even when nothing changed: delete (ignoring "not found"), then add, per conn.
    // pluto gives the reason an add failed only in its log (e.g. "global ikev1-policy does not allow IKEv1
    // connections"): print its last lines about that conn so the error names the cause.
    // keepup.sh is started by the leftupdown hook when a tunnel comes up and by ipsec.service at start;
    // (re)starting it here too covers tunnels that never come up and makes the loop run this version.
    activate: `${rereadSecrets} >/dev/null && for c in ${q(c1)} ${q(c2)}; do ${verb('delete', '"$c"')} >/dev/null 2>&1; if ! ${verb('add', '"$c"')}; then ${log('$c')}; exit 1; fi; done${daemonReload}${restartKeepup(keepup)}`,
    activateErrors: 'did not load properly|failed to add|does not allow IKEv1|syntax error',
    // After a restore: our conns go (with their SAs, even when the file that defined them is gone), what the
    // restored files define of ours comes back and the auto=start ones are started.
    reload: [
      `${check} && ${rereadSecrets}; ${deleteOurs}`,
      `for c in ${q(c1)} ${q(c2)}; do ${verb('add', '"$c"')} >/dev/null 2>&1; done`,
      `for c in $(ipsec addconn --config ${conf} --liststart 2>/dev/null); do case "$c" in ${q(c1)}|${q(c2)}) ipsec whack --name "$c" --initiate --asynchronous >/dev/null 2>&1 ;; esac; done`,
      `true${daemonReload}${restartKeepup(keepup)}; true`,
    ].join('\n'),
    initiate: standby ? [`{ ${pending(c1)} || ${pending(c2)}; } || ${verb('up', q(c1))}`] : [c1, c2].map((c) => `${pending(c)} || ${verb('up', q(c))}`),
    isUp: `${traffic}; ${standby ? `{ ${up(c1)}; } || { ${up(c2)}; }` : `${up(c1)} && ${up(c2)}`}`,
  }
}

/** What the pfSense profile needs beyond the facts: our script's path, the AWS outside IPs, an optional ping through the tunnels. */
export interface PfsenseProfileOptions {
  readonly scriptPath: string
  readonly peers: readonly string[]
  readonly probe?: { readonly from: string; readonly to: string }
  /** A BGP VPN (FRR package): the AWS neighbours whose sessions must be Established for the change to be up. */
  readonly bgpNeighbours?: readonly string[]
}

/** Where pfSense keeps its configuration (research/pfsense.md §2.4: cf_conf_path). */
export const PFSENSE_CONFIG_XML = '/cf/conf/config.xml'

/** The path of our apply script on a pfSense box (under the state folder; it holds the PSKs, mode 0600). */
export function toPfsenseScriptPath(facts: GatewayFacts, slug: string): string {
  return `${toStateDir(facts)}/pfsense/apply-${slug}.php`
}

// Version-neutral: 2.4 has vpn_ipsec_configure() in vpn.inc, 2.5+ ipsec_configure() in ipsec.inc.
const PFSENSE_REAPPLY_PHP = [
  'require_once("globals.inc"); require_once("functions.inc"); require_once("config.inc");',
  'require_once("ipsec.inc"); require_once("filter.inc");',
  'if (function_exists("ipsec_configure")) { $rc = ipsec_configure(); } else { require_once("vpn.inc"); $rc = vpn_ipsec_configure(); }',
  'if (function_exists("ipsec_reload_package_hook")) { ipsec_reload_package_hook(); }',
  'filter_configure(); clear_subsystem_dirty("ipsec"); echo "TW-REAPPLIED $rc\\n";',
].join(' ')

// After config.xml went back: the FRR package regenerates frr.conf from it and restarts FRR (its own resync).
const PFSENSE_FRR_REAPPLY_PHP = 'require_once("globals.inc"); require_once("functions.inc"); require_once("config.inc"); if (stream_resolve_include_path("frr.inc") !== false) { require_once("frr.inc"); frr_generate_config(); echo "TW-FRR-REGENERATED\\n"; }'

/**
 * pfSense: our PHP script (a DesiredFile under the state folder) edits $config['ipsec'], write_config()s
 * and runs the version's apply calls; config.xml is backed up and restored by the transaction. SAs are
 * matched by the AWS outside IP (remote host), never by name: pfSense names connections by ikeid, and
 * the naming changed between versions (research/pfsense.md §0.4).
 */
function pfsenseProfile(facts: GatewayFacts, opts: PfsenseProfileOptions): StackProfile {
  const php = '/usr/local/bin/php'
  const script = q(opts.scriptPath)
  const v24 = compareVersions(facts.stack.version, '2.5') < 0
  for (const p of opts.peers) if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(p)) throw new Error(`not an IPv4 peer: ${p}`)
  const re = (ip: string) => ip.replace(/\./g, '\\.')
  // 2.4 reads status the 2.4 way (stroke: `ipsec statusall`); 2.5+ through swanctl (VICI).
  const up = (peer: string) =>
    v24
      ? `n=$(ipsec statusall 2>/dev/null | sed -n ${q(String.raw`s/^ *\([^[ ]*\)\[[0-9]*\]: ESTABLISHED .*\.\.\.${re(peer)}\[.*/\1/p`)} | head -n 1); [ -n "$n" ] && ipsec statusall 2>/dev/null | grep -Eq "^ *$n\\{[0-9]+\\}: +INSTALLED"`
      : `swanctl --list-sas --raw 2>/dev/null | grep -F ${q(`remote-host=${peer} `)} | grep -F 'state=ESTABLISHED' | grep -qF 'state=INSTALLED'`
  const pending = (peer: string) =>
    v24 ? `ipsec statusall 2>/dev/null | grep -Eq ${q(String.raw`(ESTABLISHED|CONNECTING).*\.\.\.${re(peer)}\[`)}` : `swanctl --list-sas --raw 2>/dev/null | grep -F ${q(`remote-host=${peer} `)} | grep -Eq 'state=(ESTABLISHED|CONNECTING)'`
  // Without startaction=start (2.4 to 2.5.1: trap) nothing comes up until traffic: initiate a peer that has
  // no SA after a moment, by the child name pfSense gave it (found by the peer address).
  const initiate = (peer: string) => {
    const start = v24
      ? `n=$(ipsec statusall 2>/dev/null | sed -n ${q(String.raw`s/^ *\([^: ]*\): *[^ ]*\.\.\.${re(peer)}  .*/\1/p`)} | head -n 1); [ -n "$n" ] && ipsec up "$n"`
      : `n=$(swanctl --list-conns --raw 2>/dev/null | sed -n ${q(String.raw`s/^list-conn event {\([^ ]*\) {.*remote_addrs=\[${re(peer)}\].* children {\([^ ]*\) {.*/\2/p`)} | head -n 1); [ -n "$n" ] && swanctl --initiate --child "$n" --timeout 30`
    return `i=0; while [ $i -lt 15 ]; do ${pending(peer)} && exit 0; i=$((i + 1)); sleep 0.2; done; ${start}`
  }
  // pfSense keeps the parsed config in /tmp/config.cache: a restored config.xml is not read until it goes.
  // Unloading a connection leaves its SAs up (strongSwan only closes start_action=start ones): after a
  // restore, close the SAs of a peer that no longer has a connection.
  const closeGone = (peer: string) =>
    v24
      ? `ipsec statusall 2>/dev/null | grep -qE ${q(String.raw`^ *[^ ]*: +[^ ]*\.\.\.${re(peer)}  `)} || for n in $(ipsec statusall 2>/dev/null | sed -n ${q(String.raw`s/^ *\([^[ ]*\)\[[0-9]*\]: [A-Z]* .*\.\.\.${re(peer)}\[.*/\1/p`)} | sort -u); do ipsec down "$n" >/dev/null 2>&1; done`
      : `swanctl --list-conns --raw 2>/dev/null | grep -qF ${q(`remote_addrs=[${peer}]`)} || for id in $(swanctl --list-sas --raw 2>/dev/null | grep -F ${q(`remote-host=${peer} `)} | sed -n ${q(String.raw`s/^list-sa event {[^ ]* {uniqueid=\([0-9]*\) .*/\1/p`)}); do swanctl --terminate --ike-id "$id" --force --timeout 5 >/dev/null 2>&1; done`
  const bgp = opts.bgpNeighbours ?? []
  const reapply = [`rm -f /tmp/config.cache; ${php} -r ${q(PFSENSE_REAPPLY_PHP)}`, ...opts.peers.map(closeGone), ...(bgp.length > 0 ? [`${php} -r ${q(PFSENSE_FRR_REAPPLY_PHP)}`] : [])].join('\n')
  return {
    validate: `[ -r ${q(PFSENSE_CONFIG_XML)} ] || { echo "${PFSENSE_CONFIG_XML} is missing"; false; }; [ ! -f ${script} ] || ${php} -l ${script} >/dev/null`,
    // The script prints {"ok":true,...} after write_config() and the apply calls; anything else failed.
    activate: `out=$(${php} -f ${script}); rc=$?; printf '%s\\n' "$out"; [ "$rc" = 0 ] && printf '%s' "$out" | grep -q '"ok":true'`,
    activateErrors: 'PHP (Fatal|Parse) error|^(Fatal|Parse) error:|TW-APPLY-FAILED',
    reload: reapply,
    initiate: opts.peers.map(initiate),
    isUp: [...opts.peers.map((p) => `{ ${up(p)}; }`), ...(opts.probe ? [pingFrom(opts.probe)] : []), ...(bgp.length > 0 ? [toBgpEstablishedSh(bgp)] : [])].join(' && '),
  }
}

/** sh: exit 0 when FRR's BGP session with each neighbour is Established. */
export function toBgpEstablishedSh(neighbours: readonly string[]): string {
  return neighbours
    .map((ip) => {
      if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) throw new Error(`not an IPv4 neighbour: ${ip}`)
      return `vtysh -c ${quoteSh(`show bgp neighbors ${ip} json`)} 2>/dev/null | grep -Eq '"bgpState": ?"Established"'`
    })
    .join(' && ')
}

/** One ping from a local address; FreeBSD's ping (pfSense) takes -S/-t where Linux's takes -I/-W. */
function pingFrom(probe: { readonly from: string; readonly to: string }): string {
  return `if [ "$(uname -s)" = FreeBSD ]; then ping -c 1 -t 2 -S ${q(probe.from)} ${q(probe.to)}; else ping -c 1 -W 1 -I ${q(probe.from)} ${q(probe.to)}; fi`
}

/** The stack profile for a detected gateway and what was rendered for it. */
export function toStackProfile(facts: GatewayFacts, rendered: RenderedConfig, opts: { readonly pfsense?: PfsenseProfileOptions } = {}): StackProfile {
  const plumbing = rendered.files.filter((f) => f.plumbing).map((f) => f.path)
  const withPlumbing = (p: StackProfile): StackProfile => (plumbing.length ? { ...p, plumbing } : p)
  switch (rendered.kind) {
    case 'strongswan':
      return withPlumbing(swanctlProfile(facts, rendered))
    case 'strongswan-legacy':
      return withPlumbing(starterProfile(facts, rendered))
    case 'libreswan':
    case 'openswan':
      return withPlumbing(libreswanProfile(facts, rendered))
    case 'pfsense':
      if (!opts.pfsense) throw new Error('pfSense profile needs the script path and the peers')
      return pfsenseProfile(facts, opts.pfsense)
  }
}

/**
 * Verification that includes traffic: the tunnels count as up only when a ping from the gateway's LAN
 * address reaches a host in the dedicated subnet (the details' health target) through them.
 */
export function withTrafficProbe(profile: StackProfile, probe: { readonly from: string; readonly to: string } | undefined): StackProfile {
  if (!probe) return profile
  return { ...profile, isUp: `${profile.isUp} && ping -c 1 -W 1 -I ${q(probe.from)} ${q(probe.to)}` }
}

/** Root-owned folder on the gateway where backups and transactions live. */
export function toStateDir(facts: GatewayFacts): string {
  return facts.os.family === 'freebsd' ? '/var/db/tunnelwright' : '/var/lib/tunnelwright'
}
