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

write_config({{writeDescr}});
{{applyCalls}}
echo json_encode(array('format' => 'tunnelwright/pfsense-apply@1', 'ok' => true, 'ikeids' => $tw_ikeids, 'replaced' => array_values($tw_old))) . "\n";
