"""Helpers shared by the end-to-end tests: run mailtrail, query the case DB.

Paths: $MAILTRAIL is the binary under test (default build/release/mailtrail),
SHARED is the shared fixture folder beside the repository (../shared), or
$MAILTRAIL_SHARED.  A test that needs the shared fixtures fails when they
are missing; it never skips.
"""
import os
import sqlite3
import subprocess
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.environ.get("MAILTRAIL_SHARED",
                        os.path.join(os.path.dirname(REPO), "shared"))
BINARY = os.path.abspath(os.environ.get("MAILTRAIL",
                        os.path.join(REPO, "build", "release", "mailtrail")))
# Sanitizer builds: leak reports from GLib's one-time allocations are noise.
os.environ.setdefault("ASAN_OPTIONS", "detect_leaks=0:abort_on_error=0")
os.environ.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")


def shared(*parts):
    """Return a path under the shared fixtures; raise if it is missing."""
    path = os.path.join(SHARED, *parts)
    if not os.path.exists(path):
        raise FileNotFoundError("shared fixture missing: %s" % path)
    return path


def tmpdir():
    return tempfile.mkdtemp(prefix="mt-test-")


def run(*args, expect=None, timeout=900):
    """Run mailtrail with args; return CompletedProcess.

    expect: an exit status (or a set of them) the run must end with.
    """
    proc = subprocess.run([BINARY] + [str(a) for a in args],
                          capture_output=True, text=True, timeout=timeout)
    if expect is not None:
        allowed = expect if isinstance(expect, (set, tuple, list)) else {expect}
        if proc.returncode not in allowed:
            raise AssertionError(
                "mailtrail %s exited %d, expected %s\nstdout:\n%s\nstderr:\n%s"
                % (" ".join(map(str, args)), proc.returncode, allowed,
                   proc.stdout[-3000:], proc.stderr[-3000:]))
    return proc


def ingest(paths, *extra, expect=(0,), db=None):
    """Ingest paths into a new (or the given) case DB; return its path."""
    if db is None:
        db = os.path.join(tmpdir(), "case.db")
    if isinstance(paths, str):
        paths = [paths]
    run("ingest", db, *paths, *extra, expect=expect)
    return db


def query(db, sql, params=()):
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def scalar(db, sql, params=()):
    rows = query(db, sql, params)
    return rows[0][0] if rows else None


def eq(actual, expected, what=""):
    if actual != expected:
        raise AssertionError("%s: expected %r, got %r" % (what, expected,
                                                          actual))
