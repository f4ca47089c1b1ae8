#!/bin/sh
# procd instance `table-watch` of the portico service (init script): waits until Portico's nftables
# table exists, then writes the marker the fw4 include reads (/var/run/portico/table), and exits.
#
# Why a marker, and why written here: the fw4 include must restart Portico when a firewall restart or
# flush has deleted the table Portico had created, but never while Portico has not created it yet: at
# boot fw4 runs at S19, long before S95portico, and the package's postinst reloads the firewall less
# than a second after restarting Portico, before node has built its table. Neither the init script
# (procd starts node after start_service returns) nor fw4 can know when that happened; watching the
# kernel can. Running it as a procd instance ties it to the service: `stop` kills it, so it never marks
# a table after a deliberate stop, and `restart` starts it afresh. stop_service removes the marker.
#
#   table-watch.sh TABLE MARKER [TRIES]   (one try a second; 300 by default)
: "${NFT:=nft}"
table="$1"
marker="$2"
tries="${3:-300}"

intact() {
	for chain in prerouting forward input; do
		"$NFT" list chain inet "$table" "$chain" >/dev/null 2>&1 || return 1
	done
}

while [ "$tries" -gt 0 ]; do
	if intact; then
		mkdir -p "${marker%/*}"
		echo "$table" >"$marker.tmp" && mv "$marker.tmp" "$marker"
		exit 0
	fi
	tries=$((tries - 1))
	sleep 1
done
logger -t portico -p daemon.warn "table inet $table did not appear; the fw4 include will not restore it after a firewall restart until it does" 2>/dev/null
exit 1
