#!/bin/sh
# Measures log ingest: a generated Postfix maillog of about a million
# lines (bench/gen-maillog.py), plain and gzip-compressed, each ingested
# into a new case database.  Prints wall-clock and CPU (user + system)
# lines per second of 'mailtrail ingest', which includes hashing the
# evidence twice and correlation.  On a busy machine the CPU figure is
# the one to compare.
# Usage: bench/logs.sh [MAILTRAIL-BINARY] [LINES]
set -eu
bin=${1:-build/release/mailtrail}
want=${2:-1000000}
here=$(dirname "$0")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

lines=$(python3 "$here/gen-maillog.py" "$work/maillog" "$want")
gzip -c "$work/maillog" > "$work/maillog.1.gz"
echo "generated $lines lines ($(du -h "$work/maillog" | cut -f1) plain," \
	"$(du -h "$work/maillog.1.gz" | cut -f1) gzip)"

python3 - "$bin" "$work" "$lines" <<'PY'
import os, resource, sqlite3, subprocess, sys, time
binary, work, lines = sys.argv[1], sys.argv[2], int(sys.argv[3])
env = dict(os.environ, MAILTRAIL_LOG_YEAR="2025")
for name in ("maillog", "maillog.1.gz"):
    db = os.path.join(work, name + ".db")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    proc = subprocess.run([binary, "ingest", db, os.path.join(work, name)],
                          env=env, capture_output=True, text=True)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + \
          (after.ru_stime - before.ru_stime)
    if proc.returncode not in (0, 2):
        sys.exit("ingest of %s failed (%d): %s" % (name, proc.returncode,
                                                    proc.stderr[-2000:]))
    con = sqlite3.connect(db)
    parsed, unknown = con.execute("SELECT lines_parsed, lines_unknown"
                                  " FROM log_stats").fetchone()
    msgs = con.execute("SELECT count(*) FROM log_message").fetchone()[0]
    print("%-13s wall %6.2f s (%7.0f lines/s)  cpu %6.2f s (%7.0f lines/s)"
          "  parsed %d, unknown %d, %d messages"
          % (name, wall, lines / wall, cpu, lines / cpu, parsed, unknown,
             msgs))
PY
