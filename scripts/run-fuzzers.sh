#!/bin/sh
# Runs every libFuzzer target in $1 for $2 seconds on its seed corpus
# (fuzz/corpus/NAME, copied to a scratch dir so the repository stays clean).
set -eu
build=$1
seconds=$2
status=0
for f in fuzz/*_fuzz.cc; do
	name=$(basename "$f" .cc)
	corpus=fuzz/corpus/${name%_fuzz}
	work=$(mktemp -d)
	[ -d "$corpus" ] && cp -r "$corpus"/. "$work"/
	echo "fuzz: $name for ${seconds}s"
	if ! "$build/$name" -max_total_time="$seconds" -print_final_stats=0 "$work" >"$work.log" 2>&1; then
		tail -50 "$work.log"
		echo "fuzz: $name FAILED"
		status=1
	fi
	rm -rf "$work" "$work.log"
done
[ $status -eq 0 ] && echo "fuzz: all targets passed"
exit $status
