#!/usr/bin/env python3
"""Run the mailtrail test suite: C unit tests and end-to-end tests.

Unit tests are the binaries in $UNIT_DIR (built from tests/unit/test-*.c);
each prints TAP-style 'ok - NAME' / 'not ok - NAME' lines.  End-to-end
tests are functions named test_* in tests/test_*.py; they run the
mailtrail binary named by $MAILTRAIL against the shared fixtures and the
project's own generated fixtures.  The last line is 'N passed, N failed'.

Usage: tests/run.py [-k SUBSTRING] [-j JOBS]
"""
import argparse
import concurrent.futures
import importlib.util
import os
import re
import subprocess
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def run_unit(path):
    """Return a list of (name, ok, detail) for one unit-test binary."""
    env = dict(os.environ)
    try:
        proc = subprocess.run([path], capture_output=True, text=True,
                              timeout=600, env=env)
    except subprocess.TimeoutExpired:
        return [(os.path.basename(path), False, "timed out after 600 s")]
    results = []
    for line in proc.stdout.splitlines():
        m = re.match(r"^(not ok|ok) - (.*)$", line)
        if m:
            results.append((os.path.basename(path) + ": " + m.group(2),
                            m.group(1) == "ok", ""))
    if proc.returncode != 0 and all(ok for _, ok, _ in results):
        results.append((os.path.basename(path), False,
                        "exit status %d\n%s" % (proc.returncode,
                                                proc.stderr[-4000:])))
    elif proc.returncode != 0:
        # attach stderr to the first failure so the cause is visible
        for i, (name, ok, _) in enumerate(results):
            if not ok:
                results[i] = (name, ok, proc.stderr[-4000:])
                break
    return results


def load_module(path):
    name = os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def run_function(modname, fn):
    start = time.time()
    try:
        fn()
        return (modname + "." + fn.__name__, True, "", time.time() - start)
    except Exception:  # noqa: BLE001 - every failure is a test result
        return (modname + "." + fn.__name__, False, traceback.format_exc(),
                time.time() - start)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-k", default="", help="run only tests whose name "
                    "contains this substring")
    ap.add_argument("-j", type=int, default=2, help="parallel jobs")
    args = ap.parse_args()

    results = []
    unit_dir = os.environ.get("UNIT_DIR")
    if unit_dir and os.path.isdir(unit_dir):
        for name in sorted(os.listdir(unit_dir)):
            path = os.path.join(unit_dir, name)
            if name.startswith("test-") and os.access(path, os.X_OK):
                if args.k and args.k not in name:
                    continue
                for r in run_unit(path):
                    results.append(r)
                    print(("ok" if r[1] else "FAIL") + " - " + r[0],
                          flush=True)
                    if not r[1]:
                        print(r[2], flush=True)

    jobs = []
    for name in sorted(os.listdir(HERE)):
        if name.startswith("test_") and name.endswith(".py"):
            mod = load_module(os.path.join(HERE, name))
            for attr in sorted(dir(mod)):
                fn = getattr(mod, attr)
                if attr.startswith("test_") and callable(fn):
                    full = mod.__name__ + "." + attr
                    if args.k and args.k not in full:
                        continue
                    jobs.append((mod.__name__, fn))

    with concurrent.futures.ThreadPoolExecutor(max_workers=args.j) as pool:
        futures = [pool.submit(run_function, m, f) for m, f in jobs]
        for fut in futures:
            name, ok, detail, secs = fut.result()
            results.append((name, ok, detail))
            print("%s - %s (%.1f s)" % ("ok" if ok else "FAIL", name, secs),
                  flush=True)
            if not ok:
                print(detail, flush=True)

    passed = sum(1 for r in results if r[1])
    failed = len(results) - passed
    if failed:
        print("\nfailed tests:")
        for r in results:
            if not r[1]:
                print("  " + r[0])
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or not results else 0


if __name__ == "__main__":
    sys.exit(main())
