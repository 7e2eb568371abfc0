"""End-to-end tests of the findings: the demo case with planted
exfiltration (ground truth from fixtures/demo/generate.py's truth.json,
matched through Message-IDs), and exact statistics for a small mbox
written here with known times, sizes and replies.
"""
import datetime
import json
import os
import shutil
import subprocess
import sys
import threading

import mtlib

GENERATOR = os.path.join(mtlib.REPO, "fixtures", "demo", "generate.py")
SEVERITY_RANK = {"info": 0, "low": 1, "medium": 2, "high": 3}

_demo_lock = threading.Lock()
_demo = {}


def demo_case():
    """Generate, ingest and report the demo case once per test run.

    Returns (outdir, db, case, truth, report options)."""
    with _demo_lock:
        if _demo:
            return _demo["value"]
        out = mtlib.tmpdir()
        subprocess.run([sys.executable, GENERATOR, out], check=True)
        with open(os.path.join(out, "case.json")) as f:
            case = json.load(f)
        with open(os.path.join(out, "truth.json")) as f:
            truth = json.load(f)
        db = os.path.join(out, "case.db")
        for c in case["custodians"]:
            stores = [os.path.join(out, s) for s in c["stores"]]
            spec = "%s <%s>" % (c["name"], c["addresses"][0])
            mtlib.ingest(stores, "--custodian", spec, "--internal-domain",
                         case["organisation"], "-q", db=db)
        mtlib.ingest(os.path.join(out, case["logs"][0]["path"]), "-q",
                     db=db)
        args = []
        for key in ("events", "domains", "watchlist", "access"):
            args += ["--" + key, os.path.join(out, case[key])]
        for c in case["custodians"]:
            args += ["--timezone", "%s=%s" % (c["name"], c["timezone"])]
            if c["departure"]:
                args += ["--departure", "%s=%s" % (c["name"],
                                                   c["departure"])]
        mtlib.run("report", db, "-o", os.path.join(out, "report"), *args,
                  expect=0)
        _demo["value"] = (out, db, case, truth, args)
        return _demo["value"]


def findings(db):
    """Return every finding with the Message-IDs behind it."""
    rows = mtlib.query(db, "SELECT f.id, c.name, f.kind, f.severity,"
                       " f.score, f.explained_by, f.title, f.subject_value"
                       " FROM finding f"
                       " LEFT JOIN custodian c ON c.id = f.custodian_id"
                       " ORDER BY f.id")
    ids = {}
    for fid, msgid in mtlib.query(db, "SELECT fm.finding_id, m.message_id"
                                  " FROM finding_message fm JOIN message m"
                                  " ON m.id = fm.message_id"):
        ids.setdefault(fid, set()).add(msgid)
    return [{"id": r[0], "custodian": r[1], "kind": r[2], "severity": r[3],
             "score": r[4], "explained_by": r[5], "title": r[6],
             "subject_value": r[7], "message_ids": ids.get(r[0], set())}
            for r in rows]


def found_ids(all_findings, custodian, kind):
    """Message-IDs behind every finding of kind for custodian, with the
    Message-IDs that log findings name in subject_value."""
    ids = set()
    for f in all_findings:
        if f["custodian"] == custodian and f["kind"] == kind:
            ids |= f["message_ids"]
            if f["subject_value"] is not None:
                ids.add(f["subject_value"])
    return ids


def planted_ids(p):
    """Message-IDs of a planted behaviour, in mailboxes or only in logs."""
    return set(p["message_ids"]) | set(p.get("log_message_ids", []))


def planted_pairs(truth):
    """(behaviour, kind) pairs the findings must contain."""
    for p in truth["planted"]:
        for kind in p["kinds"]:
            yield p, kind


def is_true_positive(f, truth):
    """A finding is correct when its messages include some of a planted
    behaviour's messages of the same custodian."""
    for p in truth["planted"]:
        if p.get("noise"):
            continue
        if p["custodian"] == f["custodian"] and \
                (f["message_ids"] | {f["subject_value"]}) & planted_ids(p):
            return True
    return False


def precision_recall(db, truth, min_severity="medium"):
    """Return (precision, recall, false positives, misses) of the
    findings at or above min_severity against the planted behaviours."""
    all_findings = findings(db)
    judged = [f for f in all_findings
              if SEVERITY_RANK[f["severity"]] >= SEVERITY_RANK[min_severity]
              and not f["explained_by"]]
    false_pos = [f for f in judged if not is_true_positive(f, truth)]
    misses = [(p["id"], kind) for p, kind in planted_pairs(truth)
              if not planted_ids(p) <= found_ids(
                  all_findings, p["custodian"], kind)]
    pairs = len(list(planted_pairs(truth)))
    precision = 1 - len(false_pos) / len(judged) if judged else 0.0
    return precision, 1 - len(misses) / pairs, false_pos, misses


def test_demo_planted_behaviours_found():
    _, db, _, truth, _ = demo_case()
    all_findings = findings(db)
    for p, kind in planted_pairs(truth):
        if kind == "encrypted-attachment":
            continue        # checked on its own below
        missing = planted_ids(p) - found_ids(all_findings, p["custodian"],
                                             kind)
        if missing:
            raise AssertionError("%s: no %s finding covers %d of its %d "
                                 "messages, e.g. %s" % (
                                     p["id"], kind, len(missing),
                                     len(planted_ids(p)),
                                     sorted(missing)[0]))


def test_demo_encrypted_zip_found():
    _, db, _, truth, _ = demo_case()
    night = next(p for p in truth["planted"]
                 if p["id"] == "alice-exfiltration-night")
    ids = found_ids(findings(db), "alice", "encrypted-attachment")
    mtlib.eq(ids, {night["encrypted_message_id"]},
             "messages behind the encrypted-attachment finding")


def test_demo_night_is_high_severity():
    _, db, _, truth, _ = demo_case()
    night = set(next(p for p in truth["planted"]
                     if p["id"] == "alice-exfiltration-night")
                ["message_ids"])
    high = [f for f in findings(db) if f["custodian"] == "alice"
            and f["severity"] == "high" and f["message_ids"] & night]
    kinds = {f["kind"] for f in high}
    for kind in ("spike", "off-hours", "deleted-outbound",
                 "high-entropy-domain"):
        if kind not in kinds:
            raise AssertionError("no high-severity %s finding for the "
                                 "night; high kinds: %s" % (kind,
                                                            sorted(kinds)))


def test_demo_ordinary_custodians_not_high():
    _, db, _, truth, _ = demo_case()
    for f in findings(db):
        if f["custodian"] in truth["ordinary_custodians"] and \
                f["severity"] == "high":
            raise AssertionError("ordinary custodian %s has a high finding:"
                                 " %s" % (f["custodian"], f["title"]))


def test_demo_noise_triggers_nothing():
    _, db, _, truth, _ = demo_case()
    noise = set()
    for p in truth["planted"]:
        if p.get("noise"):
            noise |= set(p["message_ids"])
    if not noise:
        raise AssertionError("truth.json plants no noise messages")
    for f in findings(db):
        if f["message_ids"] & noise:
            raise AssertionError("finding %r contains automatic replies"
                                 % f["title"])
    logo = mtlib.query(db, "SELECT COUNT(*) FROM finding WHERE explanation"
                       " LIKE '%logo.png%'")
    mtlib.eq(logo, [(0,)], "findings that name the logo")


def test_demo_event_explains_spike():
    _, db, _, truth, _ = demo_case()
    mailing = next(p for p in truth["planted"]
                   if p["id"] == "bob-event-mailing")
    spikes = [f for f in findings(db) if f["custodian"] == "bob"
              and f["kind"] == "spike"
              and f["message_ids"] & set(mailing["message_ids"])]
    if not spikes:
        raise AssertionError("the mailing day is no spike finding")
    for f in spikes:
        mtlib.eq(f["explained_by"], mailing["explained_by"],
                 "explained_by of %r" % f["title"])
        if f["severity"] == "high":
            raise AssertionError("explained spike is high: %s" % f["title"])


def test_demo_sent_counts_match_truth():
    _, db, _, truth, _ = demo_case()
    for name, sent in sorted(truth["sent"].items()):
        value = mtlib.scalar(db, "SELECT s.value FROM stat_custodian s JOIN"
                             " custodian c ON c.id = s.custodian_id"
                             " WHERE c.name = ? AND s.metric ="
                             " 'messages_sent'", (name,))
        mtlib.eq(value, sent, "messages sent by %s" % name)


def test_demo_access_list_ranks_first():
    _, db, _, _, _ = demo_case()
    rows = mtlib.query(db, "SELECT c.name FROM stat_custodian s JOIN"
                       " custodian c ON c.id = s.custodian_id"
                       " WHERE s.metric = 'rank' ORDER BY s.value")
    mtlib.eq(sorted(r[0] for r in rows[:2]), ["alice", "dave"],
             "custodians on the access list ranked first")


def test_demo_precision_recall():
    _, db, _, truth, _ = demo_case()
    precision, recall, false_pos, misses = precision_recall(db, truth)
    print("demo findings: precision %.2f, recall %.2f, misses %s"
          % (precision, recall, misses))
    if false_pos:
        raise AssertionError("false positives at medium or above: %s"
                             % [f["title"] for f in false_pos])
    if recall < 0.9:
        raise AssertionError("recall %.2f below 0.9; missed %s"
                             % (recall, misses))


def test_demo_report_is_deterministic():
    out, db, _, _, args = demo_case()
    sql = ("SELECT kind, custodian_id, window_start_utc, window_end_utc,"
           " score, severity, title, explanation, explained_by FROM finding"
           " ORDER BY id")
    first = mtlib.query(db, sql)
    copy = os.path.join(mtlib.tmpdir(), "copy.db")
    shutil.copy(db, copy)
    mtlib.run("report", copy, "-o", os.path.join(out, "report-again"),
              *args, expect=0)
    mtlib.eq(mtlib.query(copy, sql), first, "findings of a second run")
    if not first:
        raise AssertionError("no findings in the demo case")


# Ten messages sent by Alice with Date offset +0100, as (local time,
# recipients); message i carries 100 * i bytes of body.
SMALL = [
    ("2024-03-04 09:05", ["bob@partner.org"]),
    ("2024-03-04 09:40", ["bob@partner.org"]),
    ("2024-03-04 10:15", ["bob@partner.org"]),
    ("2024-03-04 14:00", ["bob@partner.org"]),
    ("2024-03-04 14:30", ["bob@partner.org"]),
    ("2024-03-05 09:10", ["carol@example.com"]),
    ("2024-03-05 16:45", ["bob@partner.org", "dave@partner.org"]),
    ("2024-03-06 09:20", ["carol@example.com"]),
    ("2024-03-10 23:50", ["carol@example.com"]),
    ("2024-03-11 10:00", ["p%d@list.example.net" % i for i in range(40)]),
]


def small_message(i, when, rcpts):
    t = datetime.datetime.strptime(when + " +0100", "%Y-%m-%d %H:%M %z")
    header = "Bcc" if len(rcpts) > 2 else "To"
    lines = ["From: Alice <alice@example.com>",
             "%s: %s" % (header, ", ".join(rcpts)),
             "Subject: note %d" % i,
             "Date: " + t.strftime("%a, %d %b %Y %H:%M:%S +0100"),
             "Message-ID: <small%d@example.com>" % i, "", "x" * (100 * i)]
    return t, "\n".join(lines) + "\n"


def test_small_case_exact_statistics():
    tmp = mtlib.tmpdir()
    sent = os.path.join(tmp, "Sent")
    with open(sent, "w") as f:
        for i, (when, rcpts) in enumerate(SMALL, 1):
            t, text = small_message(i, when, rcpts)
            f.write("From - %s\n" % t.astimezone(
                datetime.timezone.utc).strftime("%a %b %d %H:%M:%S %Y"))
            f.write(text + "\n")
    inbox = os.path.join(tmp, "Inbox")
    with open(inbox, "w") as f:
        f.write("From - Mon Mar 04 12:00:00 2024\nFrom: bob@partner.org\n"
                "To: alice@example.com\nSubject: Re: note 1\n"
                "Date: Mon, 04 Mar 2024 12:00:00 +0000\n"
                "Message-ID: <r1@partner.org>\n"
                "In-Reply-To: <small1@example.com>\n\nthanks\n\n")
        f.write("From - Wed Mar 06 12:00:00 2024\nFrom: bob@partner.org\n"
                "To: alice@example.com\nSubject: lunch\n"
                "Date: Wed, 06 Mar 2024 12:00:00 +0000\n"
                "Message-ID: <r2@partner.org>\n\nlunch?\n\n")
    db = mtlib.ingest([sent, inbox], "--custodian",
                      "alice <alice@example.com>", "--internal-domain",
                      "example.com")
    mtlib.run("report", db, "-o", os.path.join(tmp, "report"), expect=0)

    def metric(name):
        return mtlib.scalar(db, "SELECT value FROM stat_custodian WHERE"
                            " custodian_id = 1 AND metric = ?", (name,))

    def bucket(kind, key):
        return mtlib.scalar(db, "SELECT messages FROM stat_bucket WHERE"
                            " custodian_id = 1 AND kind = ? AND bucket = ?",
                            (kind, key))

    raw_sizes = mtlib.query(db, "SELECT size FROM message WHERE"
                            " direction = 'outbound' ORDER BY size")
    values = sorted(r[0] for r in raw_sizes)
    mtlib.eq(metric("messages_sent"), 10, "messages sent")
    mtlib.eq(metric("deliveries"), 50, "deliveries with 40 Bcc")
    mtlib.eq(metric("external_deliveries"), 47, "external deliveries")
    mtlib.eq(metric("tz_offset_min"), 60, "inferred offset")
    mtlib.eq(metric("msg_size_median"), (values[4] + values[5]) / 2,
             "median message size")
    mtlib.eq(metric("bytes_sent"), sum(values), "bytes sent")
    mtlib.eq(metric("per_day_mean"), 1.25, "per day mean over 8 days")
    mtlib.eq(metric("per_day_median"), 1, "per day median")
    mtlib.eq(metric("per_week_mean"), 5, "per week mean")
    mtlib.eq(metric("per_hour_median"), 1, "per hour median")
    mtlib.eq(bucket("hour-of-day", "09"), 4, "local hour 09")
    mtlib.eq(bucket("hour-of-day", "23"), 1, "local hour 23")
    mtlib.eq(bucket("day-of-week", "1"), 6, "Mondays")
    mtlib.eq(bucket("day", "2024-03-10"), 1, "local day of 23:50")
    mtlib.eq(bucket("iso-week", "2024-W10"), 9, "ISO week 10")
    row = mtlib.query(db, "SELECT messages_sent, replies, messages_received"
                      " FROM stat_recipient WHERE address ="
                      " 'bob@partner.org'")
    mtlib.eq(row, [(6, 1, 2)], "bob: sent, replies, received")


def test_demo_pst_variant_same_findings():
    out, _, case, truth, _ = demo_case()
    pst = os.path.join(mtlib.tmpdir(), "dave.pst")
    subprocess.run([sys.executable, os.path.join(
        mtlib.REPO, "fixtures", "pstgen", "pstgen.py"),
        os.path.join(out, case["pstgen"]["description"]), pst],
        check=True, capture_output=True)
    db = mtlib.ingest(pst, "--custodian", "dave <dave.dunn@example.com>",
                      "--internal-domain", case["organisation"], "-q")
    mtlib.run("report", db, "-o", os.path.join(out, "report-pst"),
              "--domains", os.path.join(out, case["domains"]),
              "--watchlist", os.path.join(out, case["watchlist"]),
              "--timezone", "dave=America/New_York", expect=0)
    all_findings = findings(db)
    for p, kind in planted_pairs(truth):
        if p["custodian"] != "dave":
            continue
        missing = planted_ids(p) - found_ids(all_findings, "dave", kind)
        if missing:
            raise AssertionError("PST variant: %s: no %s finding covers "
                                 "%s" % (p["id"], kind, sorted(missing)))
