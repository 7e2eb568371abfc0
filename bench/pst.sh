#!/bin/sh
# PST throughput: 'mailtrail ingest' against libpff's own pffexport on the
# same PST, written at the size asked for by fixtures/pstgen (synthetic
# mode).  PST_MESSAGES and PST_SIZE set the store (default 8000 messages,
# 200M); libpff's open time grows with the square of the message count,
# so keep the count moderate.  Prints CPU seconds and the ratio.
set -eu
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
messages=${PST_MESSAGES:-8000}
size=${PST_SIZE:-200M}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 "$here/../fixtures/pstgen/pstgen.py" --synthetic \
	--messages "$messages" --size "$size" "$work/bench.pst" > /dev/null
bytes=$(stat -c %s "$work/bench.pst")
cat "$work/bench.pst" > /dev/null    # both runs start from a warm cache

python3 - "$bin" "$work" "$bytes" "$messages" <<'PY'
import os, resource, sqlite3, subprocess, sys
binary, work, size, messages = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]

def cpu(cmd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)

floor = cpu(["pffexport", "-q", "-m", "items", "-t",
             os.path.join(work, "export"), os.path.join(work, "bench.pst")])
ours = cpu([binary, "ingest", "-q", "--no-recover",
            os.path.join(work, "case.db"), os.path.join(work, "bench.pst")])
stored = sqlite3.connect(os.path.join(work, "case.db")).execute(
    "SELECT count(*) FROM message").fetchone()[0]
print("PST %.0f MB, %s messages written, mailtrail stored %d"
      % (size / 1048576, messages, stored))
print("pffexport -m items: %.2f s CPU (%.1f MB/s)" % (floor, size / 1048576 / floor))
print("mailtrail ingest:   %.2f s CPU (%.1f MB/s)" % (ours, size / 1048576 / ours))
print("ratio mailtrail/pffexport: %.2f" % (ours / floor))
PY
