#!/bin/sh
# fw4 include (`config include 'portico'`, type script, fw4_compatible 1; added by uci-defaults): fw4
# runs it after every start, restart and reload of the firewall.
#
# Portico's rules live in their own table (`inet portico` by default), which `fw4 reload` leaves alone:
# fw4 only flushes and redeclares `table inet fw4` (gateways.md §3.5). But `fw4 restart`/`fw4 flush`, an
# `nft flush ruleset` by hand, or a package that does one, delete every table, and with it the hook that
# keeps unauthenticated residents behind the portal. So this re-asserts it: Portico is restarted, which
# re-creates the table and re-authorizes every device from its database (the nftables driver
# reconciles; nobody is logged out).
#
# Only when Portico had created its table since it last started and the table has gone since: that is
# what the marker /var/run/portico/table says (written by the init script's `table-watch` procd
# instance once the table exists, removed by stop; /var/run is tmpfs, so it is gone at boot). Without
# it, fw4's own start at S19 would start Portico before netifd and dnsmasq are up (S95 is its place),
# and the postinst's firewall reload, a second after `restart`, would restart it again before node has
# built its table. When the table is intact it does nothing: a reload never restarts Portico.
: "${NFT:=nft}"
: "${PORTICO_INIT:=/etc/init.d/portico}"
: "${PORTICO_STATE:=/var/run/portico}"
marker="$PORTICO_STATE/table"

driver="$(uci -q get portico.gateway.driver)"
[ "${driver:-nftables}" = nftables ] || exit 0
table="$(uci -q get portico.gateway.table)"
table="${table:-portico}"

intact=1
for chain in prerouting forward input; do
	"$NFT" list chain inet "$table" "$chain" >/dev/null 2>&1 || intact=0
done

if [ "$intact" = 1 ]; then
	# A table-watch that gave up on a slow start leaves no marker; a running Portico's table seen here
	# makes up for it. (Not for a stopped one: with stop_policy 'closed' its table stays on purpose.)
	if [ ! -f "$marker" ] && "$PORTICO_INIT" running >/dev/null 2>&1; then
		mkdir -p "$PORTICO_STATE" && echo "$table" >"$marker"
	fi
	exit 0
fi

[ -f "$marker" ] || exit 0
logger -t portico -p daemon.notice "fw4: table inet $table is gone; restarting Portico to restore it" 2>/dev/null
"$PORTICO_INIT" restart
