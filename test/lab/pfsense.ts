// The pfSense-shaped gateway: a Linux node that looks like pfSense to everything the app does over SSH.
//
// - /etc/version ("2.7.0-RELEASE"), /etc/platform ("pfSense"), /cf/conf/config.xml (+ /conf → /cf/conf,
//   /cf/conf/backup/) started from pfSense's stock config.xml of that version (../shared/fixtures/pfsense),
//   with WAN/LAN set to the lab's addresses (and the partner tunnel) by a write_config() like the setup
//   wizard's — so the box already has one config revision, as a real one does.
// - /usr/local/bin/php is the real PHP; its include path is /etc/inc, where the STAND-INS for pfSense's own
//   functions live (test/support/pfsense-standins, each says it is one): config.inc/write_config() keep
//   revisions like pfSense, ipsec_configure()/vpn_ipsec_configure() turn $config['ipsec'] into
//   /var/etc/ipsec/swanctl.conf with pfSense's connection names and load it into the node's real charon.
// - admin (uid 0) logs in with /etc/rc.initial as its shell, a stand-in that handles `-c` as the version
//   does: 2.4 runs only the first word of the command (`/bin/sh -c $1`), 2.5+ runs all of it.
// - /usr/local/sbin/swanctl (and ipsec) → strongSwan's; charon runs with kernel-libipsec like every lab node.
//
// New top-level paths (/cf, /conf, /var/db, /var/etc) need a writable root: the node gets an overlay on /
// (tmpfs upper, inside its own mount namespace), so nothing is created on the host.
// Not emulated: FreeBSD itself (`uname` says Linux; detection goes by /etc/version + /etc/platform), pf
// (no pfctl on Linux), the web GUI, the console menu.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { type GatewayContext, type GatewaySetup, logTail } from './gateways'
import { type DaemonNode } from './node'
import { type PartnerConf } from './peer2'
import { repoRoot } from './registry'
import { startSshd } from './sshd'
import { listSas, prepareCharon, startCharon, waitForSas } from './strongswan'
import { ADDR } from './topology'

/** Where the stand-ins for pfSense's PHP includes live in the repo (shared with the render test). */
export const STANDINS_DIR = resolve(repoRoot(), 'test/support/pfsense-standins')

/** The stock config.xml fixtures (shared/ beside the repo clone). */
export function pfsenseFixturesDir(): string {
  const candidates = [resolve(repoRoot(), '../shared/fixtures/pfsense'), '/work/shared/fixtures/pfsense']
  const found = candidates.find((d) => existsSync(d))
  if (!found) throw new Error(`pfSense fixtures not found (looked in ${candidates.join(', ')})`)
  return found
}

/** /etc/version text for a lab version name ("2.4.5_1" → "2.4.5-RELEASE-p1", "2.8.0-dev-…" → "2.8.0-DEVELOPMENT"). */
export function toEtcVersion(v: string): string {
  if (v.includes('-dev')) return `${v.replace(/-dev.*$/, '')}-DEVELOPMENT`
  const m = /^(\d+\.\d+\.\d+)(?:_(\d+))?$/.exec(v)
  if (!m) throw new Error(`not a pfSense version: ${v}`)
  return m[2] ? `${m[1]}-RELEASE-p${m[2]}` : `${m[1]}-RELEASE`
}

// Overlay on / inside the node's mount namespace; every existing mount is carried over on top of it.
// `nsenter -m` (sshd, daemons, exec) then lands in the new root (setns follows mounts stacked on /).
const ROOT_OVERLAY = `
set -eu
mkdir -p /run/ovl/root-up /run/ovl/root-work /run/ovl/root
mount -t overlay tw-root -o lowerdir=/,upperdir=/run/ovl/root-up,workdir=/run/ovl/root-work /run/ovl/root
findmnt -n -l -o TARGET | grep -v '^/$' | grep -v '^/run/ovl/root' | sort > /run/ovl/mounts
while read -r m; do
  p="$m"; nested=0
  while [ "\${p%/*}" != "" ]; do p="\${p%/*}"; grep -qx "$p" /run/ovl/mounts && nested=1 && break; done
  [ "$nested" = 1 ] && continue
  [ -d "$m" ] || continue
  mount --rbind "$m" "/run/ovl/root$m"
done < /run/ovl/mounts
mount --rbind /run/ovl/root /
`

// STAND-IN for pfSense's /etc/rc.initial (admin's login shell): only the `-c` handling, per version.
function rcInitial(v24: boolean): string {
  return `#!/bin/sh
# STAND-IN for pfSense's /etc/rc.initial (the admin account's login shell), Tunnelwright lab only.
# Only the exec-channel path is reproduced (research/pfsense.md §2.1): ${v24 ? 'pfSense 2.4 runs `/bin/sh -c $1`\n# unquoted, so ONLY THE FIRST WORD of the command runs.' : 'pfSense 2.5+ runs `/bin/sh -c "$@"`.'}
if [ "$1" = "-c" ]; then
  shift
  ${v24 ? '/bin/sh -c $1' : '/bin/sh -c "$@"'}
  exit
fi
echo "pfSense console menu (lab stand-in: no menu; use an exec channel)"
exit 0
`
}

// PHP run once at setup, through the stand-ins: the setup wizard's interface settings, SSH on, and the
// unrelated partner tunnel, saved with write_config() (the box's first revision).
function setupPhp(ctx: GatewayContext, partner: PartnerConf | undefined): string {
  const lit = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
  const partnerPhp = partner
    ? `
$config['ipsec'] = array(
	'phase1' => array(array(
		'ikeid' => '1', 'iketype' => 'ikev2', 'interface' => 'wan', 'remote-gateway' => ${lit(ADDR.peer2)}, 'protocol' => 'inet',
		'myid_type' => 'fqdn', 'myid_data' => ${lit(partner.gwId)}, 'peerid_type' => 'fqdn', 'peerid_data' => ${lit(partner.peerId)},
		'encryption' => array('item' => array(array('encryption-algorithm' => array('name' => 'aes', 'keylen' => '256'), 'hash-algorithm' => 'sha256', 'dhgroup' => '14'))),
		'lifetime' => '28800', 'pre-shared-key' => ${lit(partner.psk)}, 'authentication_method' => 'pre_shared_key',
		'nat_traversal' => 'on', 'mobike' => 'off', 'dpd_delay' => '10', 'dpd_maxfail' => '5', 'startaction' => 'start',
		'descr' => 'partner',
	)),
	'phase2' => array(array(
		'ikeid' => '1', 'uniqid' => '5f0c0ffee1234', 'reqid' => '1', 'mode' => 'tunnel',
		'localid' => array('type' => 'lan'), 'remoteid' => array('type' => 'network', 'address' => '10.60.0.0', 'netbits' => '24'),
		'protocol' => 'esp', 'encryption-algorithm-option' => array(array('name' => 'aes', 'keylen' => '256')),
		'hash-algorithm-option' => array('hmac_sha256'), 'pfsgroup' => '14', 'lifetime' => '3600', 'descr' => 'partner LAN',
	)),
);`
    : ''
  return `<?php
require_once("globals.inc");
require_once("functions.inc");
require_once("config.inc");
global $config;
$config['interfaces']['wan']['if'] = ${lit(ctx.wanIf)};
$config['interfaces']['wan']['ipaddr'] = ${lit(ctx.wanIp)};
$config['interfaces']['wan']['subnet'] = '24';
$config['interfaces']['lan']['if'] = ${lit(ctx.lanIf)};
$config['interfaces']['lan']['ipaddr'] = ${lit(ADDR.gwLan)};
$config['interfaces']['lan']['subnet'] = '24';
$config['system']['ssh'] = array('enable' => 'enabled');
${partnerPhp}
write_config('Lab setup: interfaces, SSH${partner ? ', partner tunnel' : ''}');
echo "TW-SETUP-OK\\n";
`
}

/** The PHP that applies IPsec the way this version's GUI does (used at setup). */
export function toPfsenseApplyPhp(v24: boolean): string {
  return `<?php
require_once("globals.inc");
require_once("functions.inc");
require_once("config.inc");
require_once("ipsec.inc");
require_once("filter.inc");
${v24 ? 'require_once("vpn.inc");\n$rc = vpn_ipsec_configure();' : '$rc = ipsec_configure();'}
filter_configure();
clear_subsystem_dirty('ipsec');
echo "TW-IPSEC-RC $rc\\n";
`
}

/** Builds a pfSense-shaped gateway node. */
export async function setupPfsense(node: DaemonNode, ctx: GatewayContext): Promise<GatewaySetup> {
  const version = ctx.pfsenseVersion
  const fixture = resolve(pfsenseFixturesDir(), `config-default-${version}.xml`)
  if (!existsSync(fixture)) throw new Error(`no stock config.xml for pfSense ${version}: ${fixture}`)
  const v24 = /^2\.4\./.test(version)
  await node.start()
  await node.sh(ROOT_OVERLAY)
  // The pfSense layout (all inside the node's root overlay).
  await node.sh(
    [
      'set -e',
      'mkdir -p /cf/conf/backup /var/db /var/etc/ipsec /etc/inc /usr/local/bin /usr/local/sbin',
      'ln -sfn /cf/conf /conf',
      'ln -sf /usr/bin/php /usr/local/bin/php',
      'ln -sf /usr/sbin/swanctl /usr/local/sbin/swanctl',
      'ln -sf /usr/sbin/ipsec /usr/local/sbin/ipsec',
      'chmod 700 /cf/conf',
    ].join('\n'),
  )
  node.writeFile('/etc/version', `${toEtcVersion(version)}\n`)
  node.writeFile('/etc/platform', 'pfSense\n')
  // pfSense's own includes in /etc/inc; a package's in /usr/local/pkg (only when the lab installs it).
  for (const f of readdirSync(STANDINS_DIR).filter((n) => n.endsWith('.inc') && n !== 'frr.inc')) node.writeFile(`/etc/inc/${f}`, readFileSync(resolve(STANDINS_DIR, f)))
  if (ctx.pfsenseFrr) {
    // Written from inside the node (its root overlay), like the files of a package install.
    await node.mustExec(['sh', '-c', 'mkdir -p /usr/local/pkg && cat > /usr/local/pkg/frr.inc'], { input: readFileSync(resolve(STANDINS_DIR, 'frr.inc'), 'utf8') })
  }
  const scan = /Scan for additional \.ini files in: (\S+)/.exec(await node.mustExec(['php', '--ini']))?.[1]
  if (!scan) throw new Error('php --ini did not name its conf.d')
  // pfSense's php.ini puts /etc/inc and /usr/local/pkg (packages) on the include path; errors go to stderr (the transaction reads it).
  node.writeFile(`${scan}/99-tunnelwright-pfsense-lab.ini`, 'include_path = ".:/etc/inc:/usr/local/pkg"\ndisplay_errors = stderr\nerror_reporting = E_ALL & ~E_DEPRECATED\n')
  await node.mustExec(['cp', fixture, '/cf/conf/config.xml'])
  // The stock file predates the wizard's first save (its backup must not share that revision's second).
  await node.mustExec(['sh', '-c', `chmod 0644 /cf/conf/config.xml && touch -d @${Math.floor(Date.now() / 1000) - 3600} /cf/conf/config.xml`])
  const setupOut = await node.mustExec(['/usr/local/bin/php'], { input: setupPhp(ctx, ctx.partner) })
  if (!setupOut.includes('TW-SETUP-OK')) throw new Error(`pfSense lab setup failed: ${setupOut}`)
  node.writeFile('/etc/rc.initial', rcInitial(v24), 0o755)
  prepareCharon(node)

  const [ssh] = await Promise.all([
    startSshd(node, ctx.login),
    (async () => {
      await startCharon(node)
      await ctx.partnerReady
      const out = await node.mustExec(['/usr/local/bin/php'], { input: toPfsenseApplyPhp(v24) })
      if (!/TW-IPSEC-RC 0/.test(out)) throw new Error(`ipsec apply at setup failed: ${out}\n${logTail(node, '/var/log/ipsec.log')}`)
      if (ctx.partner) {
        // Without startaction (2.4, 2.5.0) the partner is a trap policy: bring it up as traffic would.
        const name = (await node.exec(['sh', '-c', `swanctl --list-conns --raw | sed -n 's/^list-conn event {\\([^ ]*\\) {.*remote_addrs=\\[${ADDR.peer2}\\].* children {\\([^ ]*\\) {.*/\\2/p'`])).stdout.trim()
        if (name) await node.exec(['swanctl', '--initiate', '--child', name, '--timeout', '20'])
      }
    })(),
  ])
  // pfSense's admin: uid 0, login shell /etc/rc.initial, same key/password as root.
  if (ctx.login.login === 'root') {
    await node.sh(
      [
        'set -e',
        'useradd -o -u 0 -g 0 -M -d /root -s /etc/rc.initial admin',
        'cp /run/lab/authorized_keys/root /run/lab/authorized_keys/admin',
        'chmod 0644 /run/lab/authorized_keys/admin',
        'chpasswd',
      ].join('\n'),
      { input: `admin:${ssh.creds.password ?? 'unused-' + Math.random().toString(36).slice(2)}\n` },
    )
  }
  const creds = ctx.login.login === 'root' ? { ...ssh.creds, username: 'admin' } : ssh.creds
  return {
    creds,
    hostPublicKey: ssh.hostPublicKey,
    listSas: () => listSas(node),
    waitExisting: async () => {
      try {
        await waitForSas(node, 'the existing partner tunnel (pfSense phase 1 "partner")', (sas) =>
          sas.some((s) => s.remoteHost === ADDR.peer2 && s.state === 'ESTABLISHED' && s.children.some((c) => c.state === 'INSTALLED')),
        )
      } catch (e) {
        throw new Error(`${(e as Error).message}\n--- charon log ---\n${logTail(node, '/var/log/charon.log')}\n--- ipsec.log ---\n${logTail(node, '/var/log/ipsec.log')}`, { cause: e })
      }
    },
  }
}
