#!/bin/sh
# Installs every build and test dependency of mox-cpp from Debian's packages.
# Idempotent: does nothing (and needs no network) when all are present.
set -eu
PKGS="build-essential cmake ninja-build pkg-config
libssl-dev libsqlite3-dev libsodium-dev libidn2-dev libcli11-dev libunbound-dev zlib1g-dev
googletest libgtest-dev clang libclang-rt-14-dev clang-format
openssl sqlite3 python3 swaks libnet-ssleay-perl libauthen-sasl-perl libdigest-hmac-perl
libio-socket-ssl-perl curl man-db groff-base mandoc systemd procps
python3-dkim python3-nacl python3-spf python3-authres publicsuffix
dovecot-dev dovecot-core autoconf automake libtool make gcc
libzstd-dev zstd isync"
missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
echo "install-deps: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >&2
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing >&2
