#!/bin/sh
# Builds imaptest, Dovecot's IMAP compliance and stress tester (MIT licence,
# see COPYING.MIT in the archive), from the archive beside this script
# against Debian 12's dovecot-dev (scripts/install-deps.sh installs it).
#   build.sh OUTDIR  -> prints OUTDIR/imaptest/src/imaptest
# Does nothing but print the path when that binary is already built.
# The archive is upstream commit 924f619 (2022): newer upstream needs
# Dovecot 2.4. The patch gives imap_parser_create() the 4th argument that
# Dovecot 2.3.19's takes.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$(mkdir -p "$1" && cd "$1" && pwd)
bin="$out/imaptest/src/imaptest"
if [ -x "$bin" ]; then echo "$bin"; exit 0; fi
cd "$out"
rm -rf imaptest && tar xzf "$here/imaptest-924f619.tar.gz"
cd imaptest && patch -s -p1 < "$here/dovecot-2.3.patch"
echo "0.0.0-924f619" > version   # read by the scripts when there is no .git
./autogen.sh >/dev/null 2>&1
./configure --with-dovecot=/usr/lib/dovecot LDFLAGS=-Wl,-rpath,/usr/lib/dovecot >/dev/null
make -j2 >/dev/null 2>&1 || make >&2
echo "$bin"
