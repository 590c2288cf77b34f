#!/bin/sh
# Tunnelwright route-based plumbing for {{comment}} ({{slug}}); generated.
# {{nameMarker}}
# The IKE daemon runs "THIS updown N" after tunnel N's SA comes up or goes down (PLUTO_VERB is set);
# "THIS setup" and "THIS teardown" are for hands-on use. Every step is idempotent.
# Routes follow the SA: they are added when tunnel N is up and removed when it goes down, so traffic
# never sits on an interface whose tunnel is dead; tunnel 1's routes win (lower metric) while both are up.
# With BGP (ROUTES_BY=bgp) this script adds no route: the BGP daemon installs what AWS announces and
# chooses the tunnel (a route of ours would outlive a BGP withdrawal).
set -u
PATH=/usr/sbin:/usr/bin:/sbin:/bin
LINK={{linkType}}
LOCALADDR={{localAddress}}
MTU={{mtu}}
ROUTES={{dedicatedCidrs}}
ROUTES_BY={{routesBy}}

tunnel() {
  case "$1" in
    1) IFACE={{iface1}}; IFID={{ifId1}}; PEER={{peer1}}; LOCAL={{insideLocal1}}; METRIC=101 ;;
    2) IFACE={{iface2}}; IFID={{ifId2}}; PEER={{peer2}}; LOCAL={{insideLocal2}}; METRIC=102 ;;
    *) echo "tunnelwright: unknown tunnel '$1'" >&2; exit 2 ;;
  esac
}

link_up() {
  if ! ip link show dev "$IFACE" >/dev/null 2>&1; then
    case "$LINK" in
      xfrm) ip link add "$IFACE" type xfrm if_id "$IFID" ;;
      vti) ip link add "$IFACE" type vti local "$LOCALADDR" remote "$PEER" key "$IFID" ;;
    esac
  fi
  ip link set dev "$IFACE" mtu "$MTU" up
  ip addr replace "$LOCAL/30" dev "$IFACE"
  # AWS answers on either tunnel (asymmetric routing): loose reverse-path filtering on this interface.
  sysctl -qw "net.ipv4.conf.$IFACE.rp_filter=2" "net.ipv4.conf.$IFACE.disable_policy=1" >/dev/null
}

routes() {
  # (removing is harmless either way, and clears routes a static version of this script left)
  [ "$1" = add ] && [ "$ROUTES_BY" != static ] && return 0
  old_ifs=$IFS; IFS=,
  for cidr in $ROUTES; do
    if [ "$1" = add ]; then
      ip route replace "$cidr" dev "$IFACE" metric "$METRIC"
    else
      ip route del "$cidr" dev "$IFACE" metric "$METRIC" 2>/dev/null || true
    fi
  done
  IFS=$old_ifs
}

link_down() {
  routes del
  if ip link show dev "$IFACE" >/dev/null 2>&1; then ip link del dev "$IFACE"; fi
}

case "${1:-}" in
  setup) for n in 1 2; do tunnel "$n"; link_up; done ;;
  teardown) for n in 1 2; do tunnel "$n"; link_down; done ;;
  updown)
    tunnel "${2:-}"
    case "${PLUTO_VERB:-}" in
      up-client|up-host) link_up; routes add ;;
      down-client|down-host) routes del ;;
      *) ;;
    esac ;;
  *) echo "usage: $0 setup | teardown | updown 1|2" >&2; exit 2 ;;
esac
exit 0
