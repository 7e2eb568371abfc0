#!/usr/bin/env python3
"""Run mailtrail's main job on the generated demo case.

Generates the demo organisation (fixtures/demo/generate.py) into
build/demo/case, writes the PST custodian's mailbox as a real PST file with
fixtures/pstgen, ingests every custodian's stores and the mail server log
into build/demo/case.db, then writes the case report to build/demo/report.

Usage: scripts/demo.py MAILTRAIL_BINARY
"""
import json
import os
import shutil
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(REPO, "build", "demo")


def run(cmd, ok=(0,)):
    print("+ " + " ".join(cmd), flush=True)
    proc = subprocess.run(cmd)
    if proc.returncode not in ok:
        sys.exit("demo: command failed with exit status %d" % proc.returncode)


def person(custodian):
    """Return the custodian's name as the case database will hold it."""
    return custodian.get("display_name") or custodian["name"]


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    binary = os.path.abspath(sys.argv[1])
    shutil.rmtree(OUT, ignore_errors=True)
    case_dir = os.path.join(OUT, "case")
    run([sys.executable, os.path.join(REPO, "fixtures", "demo",
                                      "generate.py"), case_dir])
    with open(os.path.join(case_dir, "case.json")) as f:
        case = json.load(f)

    # The PST custodian's mailbox is written as a PST file, so the demo
    # exercises the PST reader next to mbox, Maildir and EML.
    pst_owner = case.get("pstgen", {}).get("custodian")
    pst_path = None
    if pst_owner:
        pst_path = os.path.join(case_dir, pst_owner, pst_owner + ".pst")
        run([sys.executable, os.path.join(REPO, "fixtures", "pstgen",
                                          "pstgen.py"),
             os.path.join(case_dir, case["pstgen"]["description"]),
             pst_path])

    db = os.path.join(OUT, "case.db")
    for c in case["custodians"]:
        if c["name"] == pst_owner:
            stores = [pst_path]
        else:
            stores = [os.path.join(case_dir, s) for s in c["stores"]]
        spec = "%s <%s>" % (person(c), ",".join(c["addresses"]))
        args = [binary, "ingest", db] + stores + ["--custodian", spec, "-q"]
        for d in case["internal_domains"]:
            args += ["--internal-domain", d]
        run(args)
    for log in case.get("logs", []):
        run([binary, "ingest", db, os.path.join(case_dir, log["path"]),
             "-q"])

    report = os.path.join(OUT, "report")
    args = [binary, "report", db, "-o", report]
    for key in ("events", "domains", "watchlist", "access"):
        if case.get(key):
            args += ["--" + key, os.path.join(case_dir, case[key])]
    for c in case["custodians"]:
        args += ["--timezone", "%s=%s" % (person(c), c["timezone"])]
        if c.get("departure"):
            args += ["--departure", "%s=%s" % (person(c), c["departure"])]
    run(args)
    print("\ndemo: case database: %s" % db)
    print("demo: case report:   %s" % os.path.join(report, "report.html"))


if __name__ == "__main__":
    main()
