#!/bin/sh
# mbox throughput: 'mailtrail ingest' against GMime 3 alone (bench/
# gmime-mbox.c) on the same generated mbox, in the same run.  MBOX_MB
# sets the file size in megabytes (default 500).  Prints wall-clock
# seconds, MB/s and the ratio mailtrail/GMime.
set -eu
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
size=${MBOX_MB:-500}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cc -O2 -o "$work/gmime-mbox" "$here/gmime-mbox.c" \
	$(pkg-config --cflags --libs gmime-3.0)
count=$(python3 "$here/mbox-gen.py" "$work/bench.mbox" "$size")
bytes=$(stat -c %s "$work/bench.mbox")
cat "$work/bench.mbox" > /dev/null    # both runs start from a warm cache

now() { date +%s.%N; }
t0=$(now)
floor=$("$work/gmime-mbox" "$work/bench.mbox")
t1=$(now)
"$bin" ingest --quiet "$work/case.db" "$work/bench.mbox" > /dev/null
t2=$(now)
stored=$(sqlite3 "$work/case.db" "SELECT count(*) FROM message")

awk -v b="$bytes" -v g0="$t0" -v g1="$t1" -v m1="$t2" \
    -v n="$count" -v f="$floor" -v s="$stored" 'BEGIN {
	g = g1 - g0; m = m1 - g1
	printf "mbox %.0f MB, %d messages written; GMime found %d, " \
	       "mailtrail stored %d\n", b / 1048576, n, f, s
	printf "GMime alone: %.2f s (%.1f MB/s)\n", g, b / 1048576 / g
	printf "mailtrail ingest: %.2f s (%.1f MB/s)\n", m, b / 1048576 / m
	printf "ratio mailtrail/GMime: %.2f\n", m / g
}'
