"""End-to-end tests of the core: CLI, evidence records, custodians.

The mail stores used here are the shared hard cases and small files the
tests write themselves; expected values come from those files.
"""
import hashlib
import os
import shutil
import stat
import subprocess

import mtlib
from mtlib import eq, query, scalar


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def test_help_and_usage_statuses():
    eq(mtlib.run("--help").returncode, 0, "mailtrail --help")
    eq(mtlib.run("ingest", "--help").returncode, 0, "ingest --help")
    eq(mtlib.run("report", "--help").returncode, 0, "report --help")
    eq(mtlib.run("timeline", "--help").returncode, 0, "timeline --help")
    eq(mtlib.run("no-such-command").returncode, 1, "unknown command")
    eq(mtlib.run("ingest").returncode, 1, "ingest without arguments")
    out = mtlib.run("--version").stdout
    assert out.startswith("mailtrail "), out


def test_non_mail_file_rejected():
    d = mtlib.tmpdir()
    junk = os.path.join(d, "photo.mbox")   # the name must not matter
    with open(junk, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)
    db = os.path.join(d, "case.db")
    proc = mtlib.run("ingest", db, junk, expect=2)
    assert junk in proc.stderr, proc.stderr
    assert "not a mail store" in proc.stderr, proc.stderr
    eq(scalar(db, "SELECT count(*) FROM evidence"), 0, "evidence rows")


def test_missing_path_others_ingested():
    d = mtlib.tmpdir()
    db = os.path.join(d, "case.db")
    eml = mtlib.shared("cases", "01-rfc2047-split-multibyte", "input.eml")
    proc = mtlib.run("ingest", db, os.path.join(d, "nope.pst"), eml,
                     expect=1)
    assert "nope.pst" in proc.stderr, proc.stderr
    assert "not found" in proc.stderr, proc.stderr
    eq(scalar(db, "SELECT count(*) FROM message"), 1, "messages stored")


def test_evidence_record_complete():
    eml = mtlib.shared("cases", "03-rfc2231-continuation-split-utf8",
                       "input.eml")
    db = mtlib.ingest(eml)
    rows = query(db, "SELECT path, size, sha256_before, sha256_after,"
                 " format, tool_version, command_line, ingest_start_utc,"
                 " ingest_end_utc, status FROM evidence")
    eq(len(rows), 1, "evidence rows")
    path, size, before, after, fmt, version, cmd, start, end, status = rows[0]
    eq(path, os.path.realpath(eml), "evidence path")
    eq(size, os.path.getsize(eml), "evidence size")
    eq(before, sha256_file(eml), "sha256 before")
    eq(after, before, "sha256 after")
    eq(fmt, "eml", "format")
    assert version, "tool version missing"
    assert "ingest" in cmd, cmd
    assert eml in cmd, cmd
    assert start is not None, "ingest start time missing"
    assert end is not None, "ingest end time missing"
    assert end >= start, (start, end)
    eq(status, "complete", "status")


def test_same_evidence_ingested_once():
    eml = mtlib.shared("cases", "16-address-lists-groups-commas", "input.eml")
    db = mtlib.ingest(eml)
    proc = mtlib.run("ingest", db, eml, expect=0)
    assert "already in the case" in proc.stderr, proc.stderr
    eq(scalar(db, "SELECT count(*) FROM evidence"), 1, "evidence rows")
    eq(scalar(db, "SELECT count(*) FROM message"), 1, "message rows")


def test_evidence_left_untouched():
    src = mtlib.shared("cases", "08-maildir-flags-separators", "maildir")
    d = mtlib.tmpdir()
    copy = os.path.join(d, "maildir")
    shutil.copytree(src, copy)
    before = sorted(os.walk(copy))
    modes = {p: os.stat(os.path.join(r, p)).st_mtime_ns
             for r, _, files in os.walk(copy) for p in files}
    mtlib.ingest(copy, db=os.path.join(d, "case.db"))
    eq(sorted(os.walk(copy)), before, "files below the evidence")
    after = {p: os.stat(os.path.join(r, p)).st_mtime_ns
             for r, _, files in os.walk(copy) for p in files}
    eq(after, modes, "modification times")


def test_invalid_custodian_is_usage_error():
    eml = mtlib.shared("cases", "01-rfc2047-split-multibyte", "input.eml")
    db = os.path.join(mtlib.tmpdir(), "case.db")
    proc = mtlib.run("ingest", db, eml, "--custodian", "Just A Name",
                     expect=1)
    assert "--custodian" in proc.stderr, proc.stderr


def test_custodian_spec_with_aliases():
    eml = mtlib.shared("cases", "01-rfc2047-split-multibyte", "input.eml")
    db = mtlib.ingest(eml, "--custodian",
                      '"Müller, Zoë" <Zoe.Mueller@example.com>,'
                      'zoe@example.net')
    eq(query(db, "SELECT name, inferred_from FROM custodian"),
       [("Müller, Zoë", "command-line")], "custodian")
    eq(sorted(r[0] for r in query(db, "SELECT address FROM"
                                  " custodian_address")),
       ["zoe.mueller@example.com", "zoe@example.net"], "addresses")
    eq(scalar(db, "SELECT direction FROM message"), "outbound",
       "direction of the custodian's own mail")


def test_bcc_sent_items_direction():
    case = mtlib.shared("cases", "17-bcc-sent-items", "maildir")
    db = mtlib.ingest(case, "--custodian", "Rita <rita@example.com>",
                      "--internal-domain", "example.com")
    rows = query(db, "SELECT message_id, direction FROM message"
                 " ORDER BY message_id")
    eq(rows, [("bcc-0017a@example.com", "outbound"),
              ("bcc-0017b@example.com", "outbound"),
              ("bcc-0017c@example.org", "inbound")], "directions")
    bcc = query(db, "SELECT r.address FROM recipient r JOIN message m"
                " ON m.id = r.message_id WHERE m.message_id ="
                " 'bcc-0017a@example.com' AND r.kind = 'bcc'"
                " ORDER BY r.address")
    eq([r[0] for r in bcc], ["sam@example.org", "tina@example.net"],
       "bcc of message a")
    eq(scalar(db, "SELECT external_recipients FROM message"
              " WHERE message_id = 'bcc-0017a@example.com'"), 2,
       "external recipients of message a")
    eq(scalar(db, "SELECT external_recipients FROM message"
              " WHERE message_id = 'bcc-0017b@example.com'"), 1,
       "the custodian's Cc to herself is not external")
    eq(scalar(db, "SELECT r.address FROM recipient r JOIN message m"
              " ON m.id = r.message_id WHERE m.message_id ="
              " 'bcc-0017c@example.org' AND r.kind = 'delivered-to'"),
       "rita@example.com", "Delivered-To recorded")


def test_custodian_inferred_from_sent():
    case = mtlib.shared("cases", "17-bcc-sent-items", "maildir")
    db = mtlib.ingest(case)
    rows = query(db, "SELECT c.inferred_from, a.address FROM custodian c"
                 " JOIN custodian_address a ON a.custodian_id = c.id")
    eq(rows, [("sent-folder-sender", "rita@example.com")], "inferred")
    eq(scalar(db, "SELECT count(*) FROM message WHERE direction ="
              " 'outbound'"), 2, "outbound messages")


def test_folder_of_stores_is_walked():
    d = mtlib.tmpdir()
    top = os.path.join(d, "seized")
    os.makedirs(top)
    shutil.copy(mtlib.shared("cases", "05-mbox-unescaped-from-in-body",
                             "input.mbox"), os.path.join(top, "a"))
    shutil.copytree(mtlib.shared("cases", "08-maildir-flags-separators",
                                 "maildir"), os.path.join(top, "md"))
    db = mtlib.ingest(top, db=os.path.join(d, "case.db"))
    eq(sorted(r[0] for r in query(db, "SELECT format FROM evidence")),
       ["maildir", "mbox"], "formats")
    eq(scalar(db, "SELECT count(*) FROM message"), 8, "messages")


def test_read_only_evidence_is_fine():
    d = mtlib.tmpdir()
    path = os.path.join(d, "ro.eml")
    shutil.copy(mtlib.shared("cases", "12-base64-with-garbage", "input.eml"),
                path)
    os.chmod(path, stat.S_IRUSR)
    db = mtlib.ingest(path, db=os.path.join(d, "case.db"))
    eq(scalar(db, "SELECT count(*) FROM attachment"), 2, "attachments")


def test_info_lists_evidence():
    case = mtlib.shared("cases", "17-bcc-sent-items", "maildir")
    db = mtlib.ingest(case)
    out = mtlib.run("info", db, expect=0).stdout
    assert "maildir" in out, out
    assert "sent" in out, out


def test_info_lists_logs():
    log = mtlib.shared("fixtures", "logs", "zeek_smtp.log")
    db = mtlib.ingest(log)
    out = mtlib.run("info", db, expect=0).stdout
    section = out.split("mail server logs:")[1].split("\n\n")[0]
    rows = [line.split("\t") for line in section.strip().splitlines()[1:]]
    eq(len(rows), 1, "log rows\n" + out)
    eq(rows[0][1], "log-zeek-smtp", "format")


def write_mbox(path, messages):
    """Write an mbox of (message-id, subject, date, body) tuples."""
    with open(path, "w") as f:
        for mid, subject, date, body in messages:
            f.write("From alice@example.com Mon Jan  1 00:00:00 2024\n"
                    "From: Alice <alice@example.com>\n"
                    "To: drop@evil.example.net\n"
                    "Subject: %s\nDate: %s\nMessage-ID: <%s>\n\n%s\n\n"
                    % (subject, date, mid, body))


def test_reused_message_id_counted_apart():
    d = mtlib.tmpdir()
    path = os.path.join(d, "same.mbox")
    write_mbox(path, [
        ("same@example.com", "part %d" % i,
         "Mon, 1 Jan 2024 1%d:00:00 +0000" % i, "payload %d" % i)
        for i in range(3)])
    db = mtlib.ingest(path, "-c", "Alice <alice@example.com>",
                      db=os.path.join(d, "case.db"))
    eq(scalar(db, "SELECT count(*) FROM message WHERE duplicate_of IS NULL"),
       3, "messages counted")
    eq(scalar(db, "SELECT count(*) FROM anomaly WHERE code ="
              " 'message-id-reused'"), 2, "reuse anomalies")


def test_copies_linked_by_content_or_id():
    d = mtlib.tmpdir()
    a = os.path.join(d, "sent.mbox")
    b = os.path.join(d, "other.mbox")
    date = "Mon, 1 Jan 2024 10:00:00 +0000"
    write_mbox(a, [("m1@example.com", "report", date, "full body"),
                   ("m2@example.com", "plan", date, "plan body")])
    # m1 again with a body the store kept differently, m2 byte-identical
    write_mbox(b, [("m1@example.com", "report", date, "truncated"),
                   ("m2@example.com", "plan", date, "plan body")])
    db = os.path.join(d, "case.db")
    mtlib.ingest([a, b], "-c", "Alice <alice@example.com>", db=db)
    rows = query(db, "SELECT m.message_id, m.duplicate_of = c.id"
                 " FROM message m JOIN message c"
                 " ON c.message_id = m.message_id AND c.evidence_id = 1"
                 " WHERE m.evidence_id = 2 ORDER BY m.message_id")
    eq(rows, [("m1@example.com", 1), ("m2@example.com", 1)],
       "copies in the second store point at the first")
    eq(scalar(db, "SELECT count(*) FROM anomaly WHERE code ="
              " 'message-id-reused'"), 0, "reuse anomalies")


def test_evidence_copy_recorded():
    d = mtlib.tmpdir()
    first = os.path.join(d, "a.eml")
    second = os.path.join(d, "b.eml")
    src = mtlib.shared("cases", "16-address-lists-groups-commas", "input.eml")
    shutil.copy(src, first)
    shutil.copy(src, second)
    db = mtlib.ingest(first, "-c", "Jane <jane.doe@example.com>",
                      db=os.path.join(d, "case.db"))
    proc = mtlib.run("ingest", db, second, "-c", "Bob <bob@example.org>",
                     expect=0)
    assert "another custodian" in proc.stderr, proc.stderr
    eq(query(db, "SELECT evidence_id, path FROM evidence_copy"),
       [(1, second)], "copy recorded")
    eq(scalar(db, "SELECT count(*) FROM message"), 1, "messages")


def test_skipped_paths_recorded():
    d = mtlib.tmpdir()
    top = os.path.join(d, "seized")
    os.makedirs(top)
    shutil.copytree(mtlib.shared("cases", "08-maildir-flags-separators",
                                 "maildir"), os.path.join(top, "md"))
    with open(os.path.join(top, "notes.bin"), "wb") as f:
        f.write(bytes(range(256)))
    os.symlink(top, os.path.join(top, "loop"))
    db = os.path.join(d, "case.db")
    mtlib.run("ingest", db, top, expect=2)
    rows = query(db, "SELECT code, path FROM anomaly"
                 " WHERE evidence_id IS NULL ORDER BY code")
    eq(rows, [("not-a-mail-store", os.path.join(top, "notes.bin")),
              ("symbolic-link-not-followed", os.path.join(top, "loop"))],
       "skipped paths")


def test_named_symlink_is_read():
    d = mtlib.tmpdir()
    target = os.path.join(d, "real.eml")
    shutil.copy(mtlib.shared("cases", "01-rfc2047-split-multibyte",
                             "input.eml"), target)
    link = os.path.join(d, "link.eml")
    os.symlink(target, link)
    db = mtlib.ingest(link, db=os.path.join(d, "case.db"))
    eq(scalar(db, "SELECT path FROM evidence"), target, "evidence path")


def test_unlistable_subfolder_rest_extracted():
    d = mtlib.tmpdir()
    os.chmod(d, 0o755)
    root = os.path.join(d, "md")
    shutil.copytree(mtlib.shared("cases", "17-bcc-sent-items", "maildir"),
                    root)
    for r, dirs, files in os.walk(root):
        os.chmod(r, 0o755)
        for f in files:
            os.chmod(os.path.join(r, f), 0o644)
    os.chmod(os.path.join(root, ".Sent", "cur"), 0)
    out = os.path.join(d, "out")
    os.mkdir(out)
    os.chmod(out, 0o777)
    db = os.path.join(out, "case.db")
    # root lists any folder, so the ingest runs as 'nobody' when possible.
    demote = (lambda: os.setuid(65534)) if os.getuid() == 0 else None
    proc = subprocess.run([mtlib.BINARY, "ingest", db, root],
                          capture_output=True, text=True, timeout=120,
                          preexec_fn=demote)
    eq(proc.returncode, 2, "exit status\n" + proc.stderr)
    eq(scalar(db, "SELECT count(*) FROM evidence"), 1, "evidence rows")
    eq(scalar(db, "SELECT count(*) FROM message"), 1, "inbox message")


def test_report_invalid_examiner_input():
    eml = mtlib.shared("cases", "01-rfc2047-split-multibyte", "input.eml")
    db = mtlib.ingest(eml, "-c", "Zoe <zoe.mueller@example.com>")
    out = os.path.join(mtlib.tmpdir(), "report")
    cases = [
        ("--timezone", "Zoe=Mars/Olympus"),
        ("--timezone", "Nobody=Europe/Berlin"),
        ("--departure", "Zoe=2024-02-30"),
        ("--watchlist", "/nonexistent/watchlist.txt"),
    ]
    for option, value in cases:
        proc = mtlib.run("report", db, "-o", out, option, value)
        eq(proc.returncode, 1, "%s %s\n%s" % (option, value, proc.stderr))
    eq(os.path.exists(os.path.join(out, "report.html")), False,
       "no report written")


def test_database_inside_evidence_rejected():
    d = mtlib.tmpdir()
    folder = os.path.join(d, "seized")
    os.makedirs(folder)
    shutil.copy(mtlib.shared("cases", "01-rfc2047-split-multibyte",
                             "input.eml"), os.path.join(folder, "a.eml"))
    proc = mtlib.run("ingest", os.path.join(folder, "case.db"), folder,
                     expect=1)
    assert "inside the evidence" in proc.stderr, proc.stderr
    eq(sorted(os.listdir(folder)), ["a.eml"], "evidence folder unchanged")
