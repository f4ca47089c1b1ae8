#!/bin/sh
# fw4 include (`config include 'portico'`, type script, fw4_compatible 1; added by uci-defaults): fw4
# runs it after every start, restart and reload of the firewall.
#
# Portico's rules live in their own table (`inet portico` by default), which `fw4 reload` leaves alone:
# fw4 only flushes and redeclares `table inet fw4` (gateways.md §3.5). But `fw4 restart`/`fw4 flush`, an
# `nft flush ruleset` by hand, or a package that does one, delete every table, and with it the hook that
# keeps unauthenticated residents behind the portal. So this re-asserts it: if any of Portico's base
# chains is missing while Portico is enabled, Portico is restarted, which re-creates the table and
# re-authorizes every device from its database (the nftables driver reconciles; nobody is logged out).
# When the table is intact it does nothing: a reload never restarts Portico.
: "${NFT:=nft}"
: "${PORTICO_INIT:=/etc/init.d/portico}"

driver="$(uci -q get portico.gateway.driver)"
[ "${driver:-nftables}" = nftables ] || exit 0
table="$(uci -q get portico.gateway.table)"
table="${table:-portico}"

intact=1
for chain in prerouting forward input; do
	"$NFT" list chain inet "$table" "$chain" >/dev/null 2>&1 || intact=0
done
[ "$intact" = 1 ] && exit 0

"$PORTICO_INIT" enabled || exit 0
logger -t portico -p daemon.notice "fw4: table inet $table is gone; restarting Portico to restore it" 2>/dev/null
"$PORTICO_INIT" restart
