#!/bin/sh
# make run: writes a quickstart config for a local test domain into $2 (once),
# then starts the servers that exist on loopback.
set -eu
build=$1
local=$2
if [ ! -f "$local/config/mox.conf" ]; then
	mkdir -p "$local"
	"$build/mox-config" quickstart --dir "$local" --local --hostname mail.mox.example \
		--user "$(id -un)" admin@mox.example
else
	echo "Using existing config in $local/config/mox.conf."
fi
export MOX_CONFIG="$PWD/$local/config/mox.conf"
"$build/mox-config" test
started=""
for prog in mox-smtpd mox-imapd; do
	[ -x "$build/$prog" ] || continue
	started="$started $prog"
done
if [ -z "$started" ]; then
	echo "Config is ready in $local/config. (No servers are built yet.)"
	exit 0
fi
