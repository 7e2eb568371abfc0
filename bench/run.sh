#!/bin/sh
# Runs every benchmark script in bench/ (bench/*.sh except this one) with
# the mailtrail binary given as $1.  Each script compares mailtrail with
# the bare library floor on the same input in the same run and prints the
# ratio.  Benchmarks are not part of 'make check'.
set -eu
bin=$(realpath "${1:-build/release/mailtrail}")
here=$(dirname "$0")
status=0
for script in "$here"/*.sh; do
	[ "$(basename "$script")" = run.sh ] && continue
	echo "== $(basename "$script")"
	sh "$script" "$bin" || status=1
done
exit $status
