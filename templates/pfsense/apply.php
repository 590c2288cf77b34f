<?php
/*
 * Tunnelwright: AWS Site-to-Site VPN {{comment}}
 * {{nameMarker}}
 * Generated for pfSense {{version}}, connection set {{slug}}. Run on the box as admin/root:
 *   /usr/local/bin/php < this-script     (stdin: pfSense 2.4 runs only the first word of an exec command)
 * It replaces only the phase 1/2 entries whose description starts with the marker below (and the
 * phase 2 entries of their ikeids), keeps everything else, writes the config and applies it.
 */
require_once("globals.inc");
require_once("functions.inc");
require_once("config.inc");
require_once("ipsec.inc");
require_once("filter.inc");
{{requireVpnInc}}
global $config;

$tw_marker = {{marker}};
$tw_tunnels = {{tunnels}};

if (!isset($config['ipsec']) || !is_array($config['ipsec'])) {
	/* an empty <ipsec/> parses to a string */
	$config['ipsec'] = array();
}
foreach (array('phase1', 'phase2') as $tw_k) {
	if (!isset($config['ipsec'][$tw_k]) || !is_array($config['ipsec'][$tw_k])) {
		$config['ipsec'][$tw_k] = array();
	}
}

/* Find our previous entries: the marker at the start of the description. */
$tw_old = array();
foreach ($config['ipsec']['phase1'] as $tw_i => $tw_p1) {
	$tw_descr = (is_array($tw_p1) && isset($tw_p1['descr'])) ? (string)$tw_p1['descr'] : '';
	if (strpos($tw_descr, $tw_marker) === 0) {
		$tw_old[substr($tw_descr, 0, strpos($tw_descr, ']') + 1)] = (string)$tw_p1['ikeid'];
		unset($config['ipsec']['phase1'][$tw_i]);
	}
}
foreach ($config['ipsec']['phase2'] as $tw_i => $tw_p2) {
	if (is_array($tw_p2) && isset($tw_p2['ikeid']) && in_array((string)$tw_p2['ikeid'], array_values($tw_old), true)) {
		unset($config['ipsec']['phase2'][$tw_i]);
	}
}
$config['ipsec']['phase1'] = array_values($config['ipsec']['phase1']);
$config['ipsec']['phase2'] = array_values($config['ipsec']['phase2']);

function tw_next_ikeid() {
	global $config;
	if (function_exists('ipsec_ikeid_next')) {
		return (string)ipsec_ikeid_next();
	}
	$max = 0;
	foreach ($config['ipsec']['phase1'] as $p1) {
		$max = max($max, intval($p1['ikeid']));
	}
	return (string)($max + 1);
}

function tw_next_reqid() {
	global $config;
	if (function_exists('ipsec_new_reqid')) {
		return (string)ipsec_new_reqid();
	}
	$max = 0;
	foreach ($config['ipsec']['phase2'] as $p2) {
		$max = max($max, isset($p2['reqid']) ? intval($p2['reqid']) : 0);
	}
	return (string)($max + 1);
}

/* Add ours, reusing our previous ikeid per tunnel so connection names stay stable. */
$tw_ikeids = array();
foreach ($tw_tunnels as $tw_t) {
	$tw_p1 = $tw_t['phase1'];
	$tw_p1['ikeid'] = isset($tw_old[$tw_t['key']]) ? $tw_old[$tw_t['key']] : tw_next_ikeid();
	$config['ipsec']['phase1'][] = $tw_p1;
	$tw_p2 = $tw_t['phase2'];
	$tw_p2['ikeid'] = $tw_p1['ikeid'];
	$tw_p2['uniqid'] = uniqid();
	$tw_p2['reqid'] = tw_next_reqid();
	$config['ipsec']['phase2'][] = $tw_p2;
	$tw_ikeids[] = $tw_p1['ikeid'];
}

/*
 * BGP (pfSense's FRR package): our neighbours, prefix lists and network rows carry the marker below in their
 * description. They are taken out first (a static VPN leaves it at that), then a BGP VPN's are put in.
 * Nothing is written when the package cannot take them: the script stops before write_config().
 */
$tw_frr = {{frr}};
$tw_frr_marker = {{frrMarker}};
$tw_frr_changed = false;

function tw_fail($msg) {
	echo json_encode(array('format' => 'tunnelwright/pfsense-apply@1', 'ok' => false, 'error' => $msg)) . "\nTW-APPLY-FAILED\n";
	exit(3);
}

/* A package section's list of entries (an empty or missing section parses to a string or nothing). */
function &tw_pkg_list($name) {
	global $config;
	if (!isset($config['installedpackages']) || !is_array($config['installedpackages'])) {
		$config['installedpackages'] = array();
	}
	if (!isset($config['installedpackages'][$name]) || !is_array($config['installedpackages'][$name])) {
		$config['installedpackages'][$name] = array();
	}
	if (!isset($config['installedpackages'][$name]['config']) || !is_array($config['installedpackages'][$name]['config'])) {
		$config['installedpackages'][$name]['config'] = array();
	}
	return $config['installedpackages'][$name]['config'];
}

function tw_is_ours($entry, $marker) {
	return is_array($entry) && isset($entry['descr']) && strpos((string)$entry['descr'], $marker) === 0;
}

/* Takes our entries out of a list; true when there were any. */
function tw_drop_ours(&$list, $marker) {
	$found = false;
	foreach ($list as $i => $e) {
		if (tw_is_ours($e, $marker)) {
			unset($list[$i]);
			$found = true;
		}
	}
	$list = array_values($list);
	return $found;
}

/* Take out ours, touching only sections that exist. */
foreach (array('frrbgpneighbors', 'frrglobalprefixes') as $tw_k) {
	if (isset($config['installedpackages'][$tw_k]['config']) && is_array($config['installedpackages'][$tw_k]['config'])) {
		$tw_frr_changed = tw_drop_ours($config['installedpackages'][$tw_k]['config'], $tw_frr_marker) || $tw_frr_changed;
	}
}
if (isset($config['installedpackages']['frrbgp']['config'][0]['row']) && is_array($config['installedpackages']['frrbgp']['config'][0]['row'])) {
	$tw_frr_changed = tw_drop_ours($config['installedpackages']['frrbgp']['config'][0]['row'], $tw_frr_marker) || $tw_frr_changed;
}

if ($tw_frr !== null) {
	if (stream_resolve_include_path('frr.inc') === false) {
		tw_fail("The FRR package is not installed on this pfSense (System > Package Manager > Available Packages > frr). Install it, enable FRR (Services > FRR > Global Settings), then apply again.");
	}
	$tw_global = &tw_pkg_list('frr');
	if (empty($tw_global[0]['enable'])) {
		tw_fail("FRR is installed but not enabled. Enable it in Services > FRR > Global Settings (Enable FRR), save, then apply again.");
	}
	unset($tw_global);
	$tw_bgp = &tw_pkg_list('frrbgp');
	if (!isset($tw_bgp[0]) || !is_array($tw_bgp[0])) {
		$tw_bgp[0] = array();
	}
	$tw_asn = isset($tw_bgp[0]['asnum']) ? trim((string)$tw_bgp[0]['asnum']) : '';
	if ($tw_asn !== '' && $tw_asn !== $tw_frr['asn']) {
		tw_fail("FRR on this pfSense already runs BGP as AS {$tw_asn}; this VPN's customer gateway ASN is {$tw_frr['asn']}. FRR runs one BGP instance: recreate the customer gateway at AWS with ASN {$tw_asn}, or move the other peerings to AS {$tw_frr['asn']}.");
	}
	if ($tw_asn !== '' && empty($tw_bgp[0]['enable'])) {
		tw_fail("BGP is configured in the FRR package but not enabled (Services > FRR > BGP: Enable BGP Routing). Enable it, or clear its settings, then apply again.");
	}
	if ($tw_asn === '') {
		/* No BGP yet: ours is the box's BGP router. */
		$tw_bgp[0]['enable'] = 'on';
		$tw_bgp[0]['asnum'] = $tw_frr['asn'];
		$tw_bgp[0]['routerid'] = $tw_frr['routerId'];
	}
	if (!isset($tw_bgp[0]['row']) || !is_array($tw_bgp[0]['row'])) {
		$tw_bgp[0]['row'] = array();
	}
	$tw_have = array();
	foreach ($tw_bgp[0]['row'] as $tw_r) {
		if (is_array($tw_r) && isset($tw_r['distributeroutevalue'])) {
			$tw_have[] = (string)$tw_r['distributeroutevalue'];
		}
	}
	foreach ($tw_frr['networks'] as $tw_n) {
		/* A network the admin already originates stays theirs (and stays after rollback). */
		if (!in_array($tw_n, $tw_have, true)) {
			$tw_bgp[0]['row'][] = array('distributeroutevalue' => $tw_n, 'distributeroutemap' => 'none', 'descr' => $tw_frr_marker . 'net]');
		}
	}
	unset($tw_bgp);
	$tw_list = &tw_pkg_list('frrglobalprefixes');
	foreach ($tw_frr['prefixLists'] as $tw_e) {
		$tw_list[] = $tw_e;
	}
	unset($tw_list);
	$tw_list = &tw_pkg_list('frrbgpneighbors');
	foreach ($tw_frr['neighbours'] as $tw_e) {
		foreach ($tw_list as $tw_x) {
			if (is_array($tw_x) && isset($tw_x['peer']) && (string)$tw_x['peer'] === $tw_e['peer']) {
				tw_fail("The FRR package already has a BGP neighbour {$tw_e['peer']} that Tunnelwright did not add. Remove it (Services > FRR > BGP > Neighbors), then apply again.");
			}
		}
		$tw_list[] = $tw_e;
	}
	unset($tw_list);
	$tw_frr_changed = true;
}

write_config({{writeDescr}});
{{applyCalls}}
if ($tw_frr_changed) {
	/* The package's own resync: frr.conf from config.xml, then FRR restarted. */
	require_once("frr.inc");
	frr_generate_config();
}
echo json_encode(array('format' => 'tunnelwright/pfsense-apply@1', 'ok' => true, 'ikeids' => $tw_ikeids, 'replaced' => array_values($tw_old), 'frr' => $tw_frr_changed)) . "\n";
