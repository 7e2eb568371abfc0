"""Build a small case database for the report and export tests.

The database is created from schema/*.sql with sqlite3 and filled with
hand-written rows, so every expected value in the tests comes from the
constants below, not from mailtrail.  Subjects, names and file names are
hostile on purpose: formulas, HTML, quotes, '|', newlines, '../'.
"""
import calendar
import datetime
import glob
import os
import sqlite3
import time

import mtlib

SHA_EVIDENCE_A = "a" * 64
SHA_EVIDENCE_B = "b" * 64
SHA_ATTACH_1 = "1" * 64
SHA_ATTACH_2 = "2" * 64


def ts(text):
    """Return seconds since the epoch for 'YYYY-MM-DDTHH:MM:SSZ'."""
    return calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ"))


# Outbound messages: id -> facts the tests check.
MESSAGES = {
    1: dict(custodian=1, evidence=1, folder=1, status="allocated",
            sent="2024-03-05T14:00:00Z", offset=60,
            delivery="2024-03-05T14:00:05Z",
            subject='=HYPERLINK("http://x.example","click")',
            from_addr="alice@corp.example", from_name="Alice A",
            size=4321, sha="c" * 64, locator="offset=0",
            external=2),
    2: dict(custodian=1, evidence=1, folder=2, status="deleted",
            sent="2024-03-05T13:00:00Z", offset=-300, delivery=None,
            subject="<script>alert(1)</script>",
            from_addr="alice@corp.example", from_name=None,
            size=100, sha="d" * 64, locator="offset=4321", external=1),
    3: dict(custodian=1, evidence=1, folder=2, status="recovered",
            sent=None, offset=None, delivery=None,
            subject="+cmd|' /C calc'!A0",
            from_addr="alice@corp.example", from_name=None,
            size=50, sha="e" * 64, locator="offset=9000", external=0),
    5: dict(custodian=2, evidence=2, folder=3, status="expunged",
            sent="2024-03-06T08:30:00Z", offset=0, delivery=None,
            subject="@SUM(1)|pipe\nnewline",
            from_addr="bob@corp.example", from_name='Bob "B" <x>',
            size=777, sha="f" * 64, locator="nid=0x200024", external=1),
}

# Recipients: (message id, kind, name, address, external).
RECIPIENTS = [
    (1, "to", "Carol", "carol@ext.example", 1),
    (1, "cc", None, "dave@corp.example", 0),
    (1, "bcc", None, "eve@ext.example", 1),
    (2, "to", None, "mallory@ext.example", 1),
    (5, "to", None, "trent@ext.example", 1),
]

# Attachments: (id, message id, filename, magic type, size, sha256, depth).
ATTACHMENTS = [
    (1, 1, "../../x", "application/octet-stream", 1000, SHA_ATTACH_1, 0),
    (2, 1, 'report "q".xlsx', "application/vnd.ms-excel", 2000,
     SHA_ATTACH_2, 0),
]

CUSTODIANS = {1: "alice", 2: "../../evil<b>"}


def schema_sql():
    parts = []
    for path in sorted(glob.glob(os.path.join(mtlib.REPO, "schema",
                                              "*.sql"))):
        with open(path, encoding="utf-8") as f:
            parts.append(f.read())
    return "\n".join(parts)


def _insert_fixed_rows(con):
    con.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    for cid, name in CUSTODIANS.items():
        con.execute("INSERT INTO custodian (id, name, inferred_from)"
                    " VALUES (?, ?, 'command-line')", (cid, name))
    con.execute("INSERT INTO custodian_address VALUES"
                " (1, 'alice@corp.example'), (2, 'bob@corp.example')")
    con.execute("INSERT INTO internal_domain VALUES ('corp.example')")
    start = ts("2024-04-01T10:00:00Z")
    con.execute(
        "INSERT INTO evidence (id, path, size, sha256_before, sha256_after,"
        " format, custodian_id, tool_version, command_line,"
        " ingest_start_utc, ingest_end_utc, status) VALUES"
        " (1, '/cases/alice.mbox', 123456, ?, ?, 'mbox', 1, '0.1.0',"
        " 'mailtrail ingest case.db /cases/alice.mbox', ?, ?, 'complete'),"
        " (2, '/cases/bob \"x\" <y>.pst', 654321, ?, ?, 'pst', 2, '0.1.0',"
        " 'mailtrail ingest case.db bob.pst', ?, ?, 'damaged')",
        (SHA_EVIDENCE_A, SHA_EVIDENCE_A, start, start + 5,
         SHA_EVIDENCE_B, SHA_EVIDENCE_B, start + 6, start + 9))
    con.execute(
        "INSERT INTO folder (id, evidence_id, path, role, declared_count,"
        " extracted_count, failed_count, skipped_count) VALUES"
        " (1, 1, 'Sent', 'sent', 1, 1, 0, 0),"
        " (2, 1, 'Trash', 'deleted', 3, 2, 1, 0),"
        " (3, 2, 'Top of Personal Folders/Sent Items', 'sent', NULL, 1,"
        " 0, 0)")
    con.execute(
        "INSERT INTO anomaly (evidence_id, level, code, path, byte_offset,"
        " detail) VALUES (1, 'error', 'truncated-mbox', '/cases/alice.mbox',"
        " 9100, 'message cut short <b>here</b>')")


def _insert_messages(con):
    for mid, m in MESSAGES.items():
        sent = ts(m["sent"]) if m["sent"] else None
        delivery = ts(m["delivery"]) if m["delivery"] else None
        con.execute(
            "INSERT INTO message (id, evidence_id, folder_id, locator, status,"
            " subject, from_addr, from_name, sent_utc, sent_offset_min,"
            " sent_source, delivery_utc, size, sha256, direction,"
            " custodian_id, external_recipients, message_id) VALUES"
            " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'date', ?, ?, ?, 'outbound', ?,"
            " ?, ?)",
            (mid, m["evidence"], m["folder"], m["locator"], m["status"],
             m["subject"], m["from_addr"], m["from_name"], sent,
             m["offset"], delivery, m["size"], m["sha"], m["custodian"],
             m["external"], "msg%d@corp.example" % mid))
    # One inbound message, which no timeline may show.
    con.execute(
        "INSERT INTO message (id, evidence_id, folder_id, locator, status,"
        " subject, from_addr, sent_utc, size, direction, custodian_id)"
        " VALUES (4, 1, 1, 'offset=5000', 'allocated', 'inbound only',"
        " 'carol@ext.example', ?, 10, 'inbound', 1)",
        (ts("2024-03-05T15:00:00Z"),))
    for r in RECIPIENTS:
        con.execute("INSERT INTO recipient (message_id, kind, name, address,"
                    " domain, external) VALUES (?, ?, ?, ?, ?, ?)",
                    (r[0], r[1], r[2], r[3], r[3].split("@")[1], r[4]))
    for a in ATTACHMENTS:
        con.execute("INSERT INTO attachment (id, message_id, filename,"
                    " magic_type, size, sha256, depth) VALUES"
                    " (?, ?, ?, ?, ?, ?, ?)", a)


def build(directory=None):
    """Create the case database; return its path."""
    directory = directory or mtlib.tmpdir()
    path = os.path.join(directory, "case.db")
    con = sqlite3.connect(path)
    con.executescript(schema_sql())
    _insert_fixed_rows(con)
    _insert_messages(con)
    con.commit()
    con.close()
    return path


def local(utc_text, offset_min):
    """Return the local ISO 8601 time with its offset, computed here."""
    t = datetime.datetime.fromtimestamp(ts(utc_text) + offset_min * 60,
                                        datetime.timezone.utc)
    sign = "-" if offset_min < 0 else "+"
    return "%s%s%02d:%02d" % (t.strftime("%Y-%m-%dT%H:%M:%S"), sign,
                              abs(offset_min) // 60, abs(offset_min) % 60)
