// How to validate, activate, reload and verify each IPsec stack on the gateway, as sh snippets.
//
// Every snippet is fixed text plus names that went through quoteSh; the details never reach a shell
// any other way.
import type { StackProfile } from '../apply/txn-script'
import type { RenderedConfig } from '../render'
import { compareVersions } from '../render'
import { quoteSh } from '../ssh/quote'
import type { GatewayFacts } from './detect'

function q(s: string): string {
  return quoteSh(s)
}

/** strongSwan with swanctl (VICI). */
function swanctlProfile(facts: GatewayFacts, rendered: RenderedConfig): StackProfile {
  const conf = facts.paths.swanctlConf ?? (facts.layout === 'rhel' ? '/etc/strongswan/swanctl/swanctl.conf' : '/etc/swanctl/swanctl.conf')
  // swanctl --load-all with a syntax error in ANY file unloads every connection and still exits 0;
  // parsing the whole tree as STRONGSWAN_CONF exits 64 on a syntax error and touches nothing.
  const syntax = `rc=0; STRONGSWAN_CONF=${q(conf)} swanctl --version >/dev/null 2>&1 || rc=$?; if [ "$rc" = 64 ]; then echo "syntax error in the swanctl configuration tree (${conf} and its includes)"; STRONGSWAN_CONF=${q(conf)} swanctl --version 2>&1 | head -n 5; false; fi`
  const [c1, c2] = rendered.connectionNames
  const up = (c: string) => `swanctl --list-sas --ike ${q(c)} 2>/dev/null | grep -q ESTABLISHED && swanctl --list-sas --ike ${q(c)} 2>/dev/null | grep -q INSTALLED`
  return {
    validate: syntax,
    activate: 'swanctl --load-all --noprompt',
    // A semantic error is reported on stderr ("loading connection 'x' failed … config discarded") with exit 22;
    // "no connections found" after a load means everything was unloaded.
    activateErrors: 'invalid config file|loading (connection|secret|shared).* failed|syntax error|no connections found',
    reload: `${syntax} && swanctl --load-all --noprompt`,
    // start_action=start already initiates a changed connection on load; initiating it again makes a
    // second CHILD_SA that AWS deletes. Initiate only a connection that has no IKE_SA after a moment
    // (an unchanged but down connection is not re-initiated by --load-all).
    initiate: [c1, c2].map((c) => `i=0; while [ $i -lt 15 ]; do swanctl --list-sas --ike ${q(c)} 2>/dev/null | grep -Eq 'ESTABLISHED|CONNECTING' && exit 0; i=$((i + 1)); sleep 0.2; done; swanctl --initiate --child ${q(c)} --timeout 30`),
    isUp: `${up(c1)} && ${up(c2)}`,
  }
}

/** strongSwan legacy starter (ipsec.conf). */
function starterProfile(facts: GatewayFacts, rendered: RenderedConfig): StackProfile {
  const ipsec = facts.layout === 'rhel' ? 'strongswan' : 'ipsec'
  const [c1, c2] = rendered.connectionNames
  const up = (c: string) => `${ipsec} status ${q(c)} 2>/dev/null | grep -q ESTABLISHED && ${ipsec} status ${q(c)} 2>/dev/null | grep -q INSTALLED`
  return {
    // starter keeps the old config when the new one has a fatal error ("can't reload config file due
    // to errors -- keeping old one"); an unknown keyword is only a warning, so our renderer emits none.
    validate: `${ipsec} --version >/dev/null 2>&1 && grep -q . ${q(facts.paths.ipsecConf ?? '/etc/ipsec.conf')}`,
    activate: `${ipsec} rereadsecrets && ${ipsec} update && sleep 1 && ${ipsec} statusall >/dev/null`,
    activateErrors: 'invalid config file|keeping old one|parsing error',
    reload: `${ipsec} rereadsecrets; ${ipsec} update`,
    initiate: [c1, c2].map((c) => `${ipsec} up ${q(c)}`),
    isUp: `${up(c1)} && ${up(c2)}`,
  }
}

/** Libreswan 3/4/5 and Openswan 2.6. */
function libreswanProfile(facts: GatewayFacts, rendered: RenderedConfig): StackProfile {
  const v5 = facts.stack.kind === 'libreswan' && compareVersions(facts.stack.version, '5.0') >= 0
  const [c1, c2] = rendered.connectionNames
  const verb = (v: string, c: string) => (v5 ? `ipsec ${v} ${q(c)}` : `ipsec auto --${v} ${q(c)}`)
  // addconn --checkconfig exits 0 on semantic errors and reports them only on stderr: any stderr fails.
  const check = `e=$(ipsec addconn --checkconfig --config ${q(facts.paths.ipsecConf ?? '/etc/ipsec.conf')} 2>&1 >/dev/null); rc=$?; [ "$rc" = 0 ] && [ -z "$e" ] || { echo "$e"; false; }`
  return {
    validate: check,
    // `ipsec auto --replace` tears the SA down even when nothing changed, and leaves no connection when the
    // new definition fails; the transaction restores the files and re-adds the old ones in that case.
    activate: `${v5 ? 'ipsec rereadsecrets' : 'ipsec auto --rereadsecrets'} && ${verb('replace', c1)} && ${verb('replace', c2)}`,
    activateErrors: 'did not load properly|failed to add|does not allow IKEv1|syntax error',
    reload: `${check} && ${v5 ? 'ipsec rereadsecrets' : 'ipsec auto --rereadsecrets'}; for c in ${q(c1)} ${q(c2)}; do ${v5 ? 'ipsec delete "$c"' : 'ipsec auto --delete "$c"'} >/dev/null 2>&1; done; ipsec addconn --config ${q(facts.paths.ipsecConf ?? '/etc/ipsec.conf')} --autoall >/dev/null 2>&1; true`,
    initiate: [c1, c2].map((c) => `${verb('up', c)} --asynchronous`),
    isUp: `ipsec trafficstatus 2>/dev/null | grep -q ${q(`"${c1}"`)} && ipsec trafficstatus 2>/dev/null | grep -q ${q(`"${c2}"`)}`,
  }
}

/** pfSense: config.xml edited by PHP on the box, then the version's apply calls. */
function pfsenseProfile(facts: GatewayFacts, rendered: RenderedConfig, scriptPath: string): StackProfile {
  const [c1, c2] = rendered.connectionNames
  const php = '/usr/local/bin/php'
  // pfSense names its swanctl connections by ikeid (con<ikeid>); match SAs by remote host instead.
  const up = (peer: string) => `swanctl --list-sas 2>/dev/null | grep -A3 ${q(`remote '${peer}'`)} | grep -q ESTABLISHED || swanctl --list-sas 2>/dev/null | grep -E ${q(`^[^ ].*${peer.replace(/\./g, '\\.')}`)} | grep -q ESTABLISHED`
  void c1
  void c2
  return {
    validate: `${php} -l ${q(scriptPath)} >/dev/null`,
    activate: `${php} -f ${q(scriptPath)} apply`,
    activateErrors: 'PHP (Fatal|Parse) error|TW-APPLY-FAILED',
    reload: `${php} -f ${q(scriptPath)} reload-restored`,
    initiate: [],
    isUp: `${up(rendered.files.length >= 0 ? peerOf(rendered, 0) : '')} && ${up(peerOf(rendered, 1))}`,
  }
}

function peerOf(rendered: RenderedConfig, i: 0 | 1): string {
  return (rendered as RenderedConfig & { peers?: readonly [string, string] }).peers?.[i] ?? ''
}

/** The stack profile for a detected gateway and what was rendered for it. */
export function toStackProfile(facts: GatewayFacts, rendered: RenderedConfig, opts: { pfsenseScriptPath?: string } = {}): StackProfile {
  switch (rendered.kind) {
    case 'strongswan':
      return swanctlProfile(facts, rendered)
    case 'strongswan-legacy':
      return starterProfile(facts, rendered)
    case 'libreswan':
    case 'openswan':
      return libreswanProfile(facts, rendered)
    case 'pfsense':
      return pfsenseProfile(facts, rendered, opts.pfsenseScriptPath ?? '/var/db/tunnelwright/apply.php')
  }
}

/** Root-owned folder on the gateway where backups and transactions live. */
export function toStateDir(facts: GatewayFacts): string {
  return facts.os.family === 'freebsd' ? '/var/db/tunnelwright' : '/var/lib/tunnelwright'
}
