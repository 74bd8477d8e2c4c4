#!/bin/sh
# make run: writes a quickstart config for a local test domain into $2 (once),
# then starts the servers on loopback in the background (make stop ends them).
set -eu
build=$1
local=$2
if [ ! -f "$local/config/mox.conf" ]; then
	mkdir -p "$local"
	"$build/mox-config" quickstart --dir "$local" --local --hostname mail.mox.example \
		--user "$(id -un)" admin@mox.example | tee "$local/quickstart.txt"
else
	echo "Using existing config in $local/config/mox.conf (first run's output: $local/quickstart.txt)."
fi
MOX_CONFIG="$(cd "$local/config" && pwd)/mox.conf"
export MOX_CONFIG
"$build/mox-config" test
allow_root=
if [ "$(id -u)" -eq 0 ]; then
	# A development run as root: the config's User is root, and every program
	# (servers, mox-queue, mox-config) refuses to run as root unless
	# MOX_ALLOW_ROOT=1 says this is meant; the same line is printed below for
	# the commands you type. In production the systemd units in contrib/ run
	# everything as the unprivileged user "mox".
	export MOX_ALLOW_ROOT=1
	allow_root=" MOX_ALLOW_ROOT=1"
fi
mkdir -p "$local/run" "$local/log"
"$(dirname "$0")/stop-local.sh" "$local" >/dev/null 2>&1 || true
start() {
	name=$1
	shift
	"$@" >>"$local/log/$name.log" 2>&1 &
	echo $! >"$local/run/$name.pid"
}
start smtp "$build/mox-smtpd" --mode smtp --listen 127.0.0.1:1025
start submission "$build/mox-smtpd" --mode submission --listen 127.0.0.1:1587
start submissions "$build/mox-smtpd" --mode submissions --listen 127.0.0.1:1465
[ -x "$build/mox-imapd" ] && start imap "$build/mox-imapd" --listen 127.0.0.1:1143
[ -x "$build/mox-imapd" ] && start imaps "$build/mox-imapd" --tls --listen 127.0.0.1:1993
[ -x "$build/mox-queue" ] && start queue "$build/mox-queue" serve
sleep 1
cat <<EOT

Servers started on 127.0.0.1 (logs in $local/log, stop with: make stop):
  SMTP (MX)          127.0.0.1:1025
  Submission         127.0.0.1:1587 (STARTTLS), 127.0.0.1:1465 (implicit TLS)
  IMAP               127.0.0.1:1143 (STARTTLS), 127.0.0.1:1993 (implicit TLS)
  Outgoing queue     mox-queue serve (mail for other domains; see: $build/mox-queue list,
                     with the environment below)
The certificate is self-signed for mail.mox.example. Try:
  swaks --server 127.0.0.1:1025 --to admin@mox.example
  curl -k --ssl-reqd 'imap://127.0.0.1:1143/INBOX?ALL' -u 'admin@mox.example:PASSWORD'
  swaks --server 127.0.0.1:1587 -tls --auth PLAIN --auth-user admin@mox.example \\
        --auth-password 'PASSWORD' --to admin@mox.example --from admin@mox.example
(PASSWORD is in $local/quickstart.txt; a new one: $build/mox-config account genpassword admin)
Environment for mox-config, mox-queue and the others:
  export MOX_CONFIG=$MOX_CONFIG$allow_root
EOT
