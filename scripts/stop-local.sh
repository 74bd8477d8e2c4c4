#!/bin/sh
# make stop: ends the servers that make run started.
local=${1:-local}
for f in "$local"/run/*.pid; do
	[ -f "$f" ] || continue
	kill "$(cat "$f")" 2>/dev/null && echo "stopped $(basename "$f" .pid)"
	rm -f "$f"
done
