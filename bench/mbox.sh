#!/bin/sh
# mbox throughput: 'mailtrail ingest' against GMime 3 alone (bench/
# gmime-mbox.c) on the same generated mbox, in the same run.  MBOX_MB
# sets the file size in megabytes (default 500).  Prints wall-clock and
# CPU seconds, MB/s and the ratios mailtrail/GMime.
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

# /usr/bin/time writes "wall user system" seconds for each run.
/usr/bin/time -f '%e %U %S' -o "$work/gmime.time" \
	"$work/gmime-mbox" "$work/bench.mbox" > "$work/gmime.count"
/usr/bin/time -f '%e %U %S' -o "$work/mailtrail.time" \
	"$bin" ingest --quiet "$work/case.db" "$work/bench.mbox" > /dev/null
floor=$(cat "$work/gmime.count")
stored=$(sqlite3 "$work/case.db" "SELECT count(*) FROM message")

awk -v b="$bytes" -v n="$count" -v f="$floor" -v s="$stored" '
FNR == 1 && NR == 1 { gw = $1; gc = $2 + $3 }
FNR == 1 && NR == 2 { mw = $1; mc = $2 + $3 }
END {
	mb = b / 1048576
	printf "mbox %.0f MB, %d messages written; GMime found %d, " \
	       "mailtrail stored %d\n", mb, n, f, s
	printf "GMime alone: wall %.2f s (%.1f MB/s), cpu %.2f s\n", \
	       gw, mb / gw, gc
	printf "mailtrail ingest: wall %.2f s (%.1f MB/s), cpu %.2f s " \
	       "(%.1f MB/s)\n", mw, mb / mw, mc, mb / mc
	printf "ratio mailtrail/GMime: wall %.2f, cpu %.2f\n", mw / gw, \
	       mc / gc
}' "$work/gmime.time" "$work/mailtrail.time"
