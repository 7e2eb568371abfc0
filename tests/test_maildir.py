"""End-to-end tests of the Maildir reader through 'mailtrail ingest'.

Inputs are the shared hard cases and fixtures, and small maildirs the
tests build.  Expected flags come from the file names, counts from
listing the directories.
"""
import os
import subprocess

import mtlib
from mtlib import eq, query, scalar


def case_dir(name):
    return mtlib.shared("cases", name, "maildir")


def mail(subject, msgid):
    return ("From: Rita <rita@example.com>\nTo: sam@example.org\n"
            "Subject: %s\nDate: Wed, 15 Mar 2023 13:20:00 +0000\n"
            "Message-ID: <%s>\n\nBody.\n" % (subject, msgid)).encode()


def make_maildir(root, files):
    """Create root with cur/new/tmp and the given {relpath: bytes}."""
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(root, sub), exist_ok=True)
    for rel, data in files.items():
        path = os.path.join(root.encode(), rel.encode()
                            if isinstance(rel, str) else rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
    return root


def by_locator(db):
    rows = query(db, "SELECT m.locator, m.status, m.subject, m.flag_seen,"
                 " m.flag_replied, m.flag_flagged, m.flag_draft,"
                 " m.flag_passed, m.flag_trashed, f.path, f.role"
                 " FROM message m JOIN folder f ON f.id = m.folder_id")
    return {r[0]: r[1:] for r in rows}


def test_maildir_flags_and_separators():
    db = mtlib.ingest(case_dir("08-maildir-flags-separators"))
    rows = by_locator(db)
    # seen, replied, flagged, draft, passed, trashed by file name
    expected = {
        "cur/1704067200.M100P1.mx1.example.com:2,S": (1, 0, 0, 0, 0, 0),
        "cur/1704067201.M101P1.mx1.example.com:2,ST": (1, 0, 0, 0, 0, 1),
        "cur/1704067202.M102P1.mx1.example.com;2,FS": (1, 0, 1, 0, 0, 0),
        "cur/1704067203.M103P1.mx1.example.com!2,RS": (1, 1, 0, 0, 0, 0),
        "cur/1704067204.M104P1.mx1.example.com,S=412,W=420:2,":
            (0, 0, 0, 0, 0, 0),
        "new/1704067205.M105P1.mx1.example.com": (0, 0, 0, 0, 0, 0),
    }
    eq(sorted(rows), sorted(expected), "message files (dot files ignored)")
    for locator, flags in expected.items():
        eq(rows[locator][2:8], flags, "flags of " + locator)
    eq(rows["cur/1704067201.M101P1.mx1.example.com:2,ST"][0], "trashed",
       "status of the T file")
    eq(sum(1 for r in rows.values() if r[0] == "allocated"), 5,
       "allocated messages")
    # .DS_Store in cur/ and .keep in tmp/ are declared and skipped.
    eq(query(db, "SELECT path, role, declared_count, extracted_count,"
             " failed_count, skipped_count FROM folder ORDER BY path"),
       [("INBOX", "inbox", 7, 6, 0, 1), ("INBOX/tmp", "tmp", 1, 0, 0, 1)],
       "folders")
    eq(query(db, "SELECT level, locator FROM anomaly WHERE code ="
             " 'hidden-file-skipped' ORDER BY locator"),
       [("note", "cur/.DS_Store"), ("note", "tmp/.keep")],
       "hidden files leave a trace")
    times = query(db, "SELECT t.utc FROM message_time t JOIN message m"
                  " ON m.id = t.message_id WHERE t.source ="
                  " 'maildir-filename' ORDER BY t.utc")
    eq([t[0] for t in times], list(range(1704067200, 1704067206)),
       "file-name times")
    dovecot = "cur/1704067204.M104P1.mx1.example.com,S=412,W=420:2,"
    size = os.path.getsize(os.path.join(
        case_dir("08-maildir-flags-separators"), dovecot))
    eq(scalar(db, "SELECT size FROM message WHERE locator = ?",
              (dovecot,)), size, "real size, not the S=412 hint")
    eq(query(db, "SELECT level, locator FROM anomaly WHERE code ="
             " 'maildir-size-mismatch'"), [("note", dovecot)],
       "size hint mismatch noted")


def test_maildir_plus_plus_sent_folder():
    db = mtlib.ingest(case_dir("17-bcc-sent-items"))
    eq(query(db, "SELECT path, role, declared_count, extracted_count"
             " FROM folder ORDER BY path"),
       [("INBOX", "inbox", 2, 1), ("INBOX/tmp", "tmp", 1, 0),
        ("Sent", "sent", 3, 2), ("Sent/tmp", "tmp", 1, 0)],
       "folders (each .keep declared and skipped)")
    eq(scalar(db, "SELECT count(*) FROM message"), 3, "messages")
    eq(scalar(db, "SELECT format_detail FROM evidence"), "maildir++",
       "format detail")
    rows = by_locator(db)
    eq(sorted(rows), [".Sent/cur/1678886400.M1P1.ws1.example.com:2,S",
                      ".Sent/cur/1678890000.M2P1.ws1.example.com:2,S",
                      "cur/1678893600.M3P1.mx1.example.com:2,S"],
       "locators")
    eq(scalar(db, "SELECT count(*) FROM anomaly WHERE code ="
              " 'not-mail-file'"), 0, "maildirfolder is no anomaly")


def test_maildir_fixture_counts_per_folder():
    db = mtlib.ingest(mtlib.shared("fixtures", "maildir", "mu_testdir"))
    eq(query(db, "SELECT path, role, declared_count, extracted_count"
             " FROM folder ORDER BY path"),
       [("INBOX", "inbox", 19, 19), ("INBOX/tmp", "tmp", 1, 1)],
       "cur+new and tmp folders")
    eq(query(db, "SELECT status, count(*) FROM message GROUP BY status"
             " ORDER BY status"), [("allocated", 19), ("tmp", 1)],
       "statuses")
    eq(scalar(db, "SELECT count(*) FROM message WHERE locator LIKE"
              " 'new/%' AND flag_seen = 0"), 4, "unseen new messages")
    notes = query(db, "SELECT locator, detail FROM anomaly WHERE code ="
                  " 'maildir-keywords'")
    eq([n[0] for n in notes], ["cur/special!2,Sabc"], "keyword note")
    db = mtlib.ingest(mtlib.shared("fixtures", "maildir", "notmuch_lkml"))
    eq(scalar(db, "SELECT count(*) FROM message"), 210, "notmuch_lkml")


def test_maildir_trash_folders_mark_deleted():
    root = make_maildir(os.path.join(mtlib.tmpdir(), "Mail"), {
        "cur/1.a:2,S": mail("Inbox one", "i1@example.com"),
        ".Trash/cur/2.b:2,S": mail("In trash", "t1@example.com"),
        ".Trash/cur/3.c:2,ST": mail("Trashed in trash", "t2@example.com"),
        ".Trash/maildirfolder": b"",
        ".Deleted Messages/new/4.d": mail("Deleted new", "d1@example.com"),
        ".Drafts/cur/5.e:2,D": mail("Draft", "r1@example.com"),
    })
    db = mtlib.ingest(root)
    rows = by_locator(db)
    eq(rows["cur/1.a:2,S"][0], "allocated", "inbox message")
    eq(rows[".Trash/cur/2.b:2,S"][0], "deleted", "message in Trash")
    eq(rows[".Trash/cur/3.c:2,ST"][0], "trashed", "T flag in Trash")
    eq(rows[".Deleted Messages/new/4.d"][0], "deleted",
       "message in Deleted Messages")
    eq(rows[".Drafts/cur/5.e:2,D"][5], 1, "draft flag")
    eq(query(db, "SELECT path, role FROM folder ORDER BY path"),
       [("Deleted Messages", "deleted"), ("Drafts", "drafts"),
        ("INBOX", "inbox"), ("Trash", "deleted")], "folder roles")


def test_maildir_nested_layout():
    top = os.path.join(mtlib.tmpdir(), "Mail")
    make_maildir(os.path.join(top, "Inbox"),
                 {"cur/1.a:2,S": mail("One", "n1@example.com")})
    make_maildir(os.path.join(top, "Sent Items"),
                 {"cur/2.b:2,S": mail("Two", "n2@example.com")})
    make_maildir(os.path.join(top, "Archive", "2019"),
                 {"new/3.c": mail("Three", "n3@example.com")})
    db = mtlib.ingest(top)
    eq(scalar(db, "SELECT format FROM evidence"), "maildir", "format")
    eq(query(db, "SELECT path, role FROM folder ORDER BY path"),
       [("Archive/2019", "other"), ("Inbox", "inbox"),
        ("Sent Items", "sent")], "folders")
    eq(sorted(by_locator(db)), ["Archive/2019/new/3.c",
                                "Inbox/cur/1.a:2,S",
                                "Sent Items/cur/2.b:2,S"], "locators")


def test_maildir_hostile_names_kept_readable():
    root = make_maildir(os.path.join(mtlib.tmpdir(), "md"), {
        b"cur/1.x\nevil\xff:2,S": mail("Odd name", "o1@example.com"),
        "cur/../2.y:2,S": mail("Dot dot", "o2@example.com"),
    })
    db = mtlib.ingest(root)
    rows = by_locator(db)
    eq(sorted(rows), ["2.y:2,S", "cur/1.x\\x0aevil\\xff:2,S"],
       "escaped locator")
    # 'cur/../2.y' is the file '2.y:2,S' in the root: a loose message.
    eq(rows["2.y:2,S"][8], "INBOX/loose files", "folder of the loose file")
    eq(query(db, "SELECT locator FROM anomaly WHERE code ="
             " 'loose-message-file'"), [("2.y:2,S",)], "stray root file")


def test_maildir_symlink_and_fifo_not_read():
    d = mtlib.tmpdir()
    secret = os.path.join(d, "secret.eml")
    with open(secret, "wb") as f:
        f.write(mail("Outside", "x@example.com"))
    root = make_maildir(os.path.join(d, "md"), {
        "cur/1.a:2,S": mail("Real", "r@example.com")})
    os.symlink(secret, os.path.join(root, "cur", "2.link:2,S"))
    os.mkfifo(os.path.join(root, "cur", "3.fifo:2,S"))
    db = mtlib.ingest(root, expect=(0, 2))
    eq(sorted(by_locator(db)), ["cur/1.a:2,S"], "messages read")
    rows = query(db, "SELECT locator FROM anomaly WHERE code ="
                 " 'not-a-regular-file' ORDER BY locator")
    eq(rows, [("cur/2.link:2,S",), ("cur/3.fifo:2,S",)], "reported")
    eq(query(db, "SELECT declared_count, extracted_count, failed_count,"
             " skipped_count FROM folder"), [(3, 1, 0, 2)],
       "every entry declared and counted once")


def test_maildir_unreadable_file_reported():
    d = mtlib.tmpdir()
    os.chmod(d, 0o755)
    root = make_maildir(os.path.join(d, "md"), {
        "cur/1.a:2,S": mail("Readable", "a@example.com"),
        "cur/2.b:2,S": mail("Locked", "b@example.com"),
        "new/3.c": mail("Also readable", "c@example.com"),
    })
    os.chmod(os.path.join(root, "cur", "2.b:2,S"), 0)
    out = os.path.join(d, "out")
    os.mkdir(out)
    os.chmod(out, 0o777)
    db = os.path.join(out, "case.db")
    # root reads any file, so the ingest runs as 'nobody' when possible.
    demote = (lambda: os.setuid(65534)) if os.getuid() == 0 else None
    proc = subprocess.run([mtlib.BINARY, "ingest", db, root],
                          capture_output=True, text=True, timeout=120,
                          preexec_fn=demote)
    eq(proc.returncode, 2, "exit status\n" + proc.stderr)
    eq(sorted(by_locator(db)), ["cur/1.a:2,S", "new/3.c"],
       "readable messages extracted")
    rows = query(db, "SELECT level, locator FROM anomaly WHERE code ="
                 " 'unreadable-file'")
    eq(rows, [("error", "cur/2.b:2,S")], "unreadable file anomaly")
    eq(scalar(db, "SELECT failed_count FROM folder"), 1, "failed count")


def test_maildir_plain_folder_is_not_maildir():
    d = mtlib.tmpdir()
    os.makedirs(os.path.join(d, "docs", "current"))
    with open(os.path.join(d, "docs", "current", "a.txt"), "w") as f:
        f.write("plain text\n")
    proc = mtlib.run("ingest", os.path.join(d, "c.db"),
                     os.path.join(d, "docs"), expect=(0, 2))
    eq(scalar(os.path.join(d, "c.db"), "SELECT count(*) FROM evidence"
              " WHERE format = 'maildir'"), 0, "maildir evidence\n" +
       proc.stderr)


def test_maildir_per_person_folder_walked():
    top = os.path.join(mtlib.tmpdir(), "seized")
    make_maildir(os.path.join(top, "alice"),
                 {"cur/1.a:2,S": mail("From Alice", "pa@example.com")})
    make_maildir(os.path.join(top, "bob"),
                 {"cur/2.b:2,S": mail("From Bob", "pb@example.com")})
    db = mtlib.ingest(top)
    rows = query(db, "SELECT path, format FROM evidence ORDER BY path")
    eq([(os.path.basename(r[0]), r[1]) for r in rows],
       [("alice", "maildir"), ("bob", "maildir")],
       "one evidence item per maildir")


def test_maildir_unlistable_cur_reported():
    d = mtlib.tmpdir()
    os.chmod(d, 0o755)
    root = make_maildir(os.path.join(d, "md"), {
        "cur/1.a:2,S": mail("Hidden", "h@example.com"),
        "new/2.b": mail("Visible", "v@example.com"),
    })
    os.chmod(os.path.join(root, "cur"), 0)
    out = os.path.join(d, "out")
    os.mkdir(out)
    os.chmod(out, 0o777)
    db = os.path.join(out, "case.db")
    # root lists any directory, so the ingest runs as 'nobody' then.
    demote = (lambda: os.setuid(65534)) if os.getuid() == 0 else None
    proc = subprocess.run([mtlib.BINARY, "ingest", db, root],
                          capture_output=True, text=True, timeout=120,
                          preexec_fn=demote)
    eq(proc.returncode, 2, "exit status\n" + proc.stderr)
    eq(sorted(by_locator(db)), ["new/2.b"], "messages read")
    eq(query(db, "SELECT level, locator FROM anomaly WHERE code ="
             " 'unreadable-folder'"), [("error", "cur")],
       "unlistable cur/ reported")


def test_maildir_dovecot_keywords_named():
    root = make_maildir(os.path.join(mtlib.tmpdir(), "md"), {
        "cur/1.a:2,Sab": mail("Keyworded", "k@example.com"),
        "cur/2.b:2,Sc": mail("Unnamed", "u@example.com"),
        "dovecot-keywords": b"0 $Forwarded\n1 Work\n",
    })
    db = mtlib.ingest(root)
    rows = by_locator(db)
    eq(rows["cur/1.a:2,Sab"][6], 1, "passed from $Forwarded")
    eq(rows["cur/2.b:2,Sc"][6], 0, "passed without a name")
    notes = dict(query(db, "SELECT locator, detail FROM anomaly WHERE"
                       " code = 'maildir-keywords'"))
    assert notes["cur/1.a:2,Sab"].endswith(": a=$Forwarded, b=Work"), notes
    assert "'c'" in notes["cur/2.b:2,Sc"], notes
    eq(scalar(db, "SELECT count(*) FROM anomaly WHERE code ="
              " 'not-mail-file'"), 0, "dovecot-keywords is no mail file")


def test_maildir_sent_copies_keep_bcc():
    db = mtlib.ingest(case_dir("17-bcc-sent-items"), "--custodian",
                      "Rita <rita@example.com>")
    rows = query(db, "SELECT m.message_id, f.path, m.direction"
                 " FROM message m JOIN folder f ON f.id = m.folder_id"
                 " ORDER BY m.message_id")
    eq(rows, [("bcc-0017a@example.com", "Sent", "outbound"),
              ("bcc-0017b@example.com", "Sent", "outbound"),
              ("bcc-0017c@example.org", "INBOX", "inbound")],
       "folders and directions")
    bcc = query(db, "SELECT r.address FROM recipient r JOIN message m"
                " ON m.id = r.message_id WHERE r.kind = 'bcc' AND"
                " m.message_id = 'bcc-0017a@example.com' ORDER BY 1")
    eq(bcc, [("sam@example.org",), ("tina@example.net",)], "Bcc of a")
    eq(query(db, "SELECT r.address FROM recipient r JOIN message m"
             " ON m.id = r.message_id WHERE r.kind = 'delivered-to'"),
       [("rita@example.com",)], "Delivered-To of c")


def test_maildir_single_subfolder_named():
    sent = os.path.join(case_dir("17-bcc-sent-items"), ".Sent")
    db = mtlib.ingest(sent)
    eq(query(db, "SELECT path, role, declared_count FROM folder"
             " ORDER BY path"), [("Sent", "sent", 3), ("Sent/tmp", "tmp", 1)],
       "a Maildir++ subfolder given alone")
    trash = make_maildir(os.path.join(mtlib.tmpdir(), "Trash"), {
        "cur/1.a:2,S": mail("Binned", "b@example.com")})
    db = mtlib.ingest(trash)
    eq(query(db, "SELECT f.path, f.role, m.status FROM folder f JOIN"
             " message m ON m.folder_id = f.id"),
       [("Trash", "deleted", "deleted")], "a maildir named Trash")


def test_maildir_hidden_message_file_read():
    root = make_maildir(os.path.join(mtlib.tmpdir(), "md"), {
        "cur/1.a:2,S": mail("Visible", "v@example.com"),
        "cur/.2.b:2,S": mail("Hidden", "h@example.com"),
        "tmp/.3.c": mail("Hidden tmp", "t@example.com"),
        "new/.keep": b"",
    })
    db = mtlib.ingest(root)
    rows = by_locator(db)
    eq(sorted(rows), ["cur/.2.b:2,S", "cur/1.a:2,S", "tmp/.3.c"],
       "messages")
    eq(rows["cur/.2.b:2,S"][0], "allocated", "status in cur/")
    eq(rows["cur/.2.b:2,S"][2], 1, "seen flag from the name")
    eq(rows["tmp/.3.c"][0], "tmp", "status in tmp/")
    eq(query(db, "SELECT locator FROM anomaly WHERE code ="
             " 'hidden-message-file' ORDER BY locator"),
       [("cur/.2.b:2,S",), ("tmp/.3.c",)], "hidden names noted")
    eq(query(db, "SELECT locator FROM anomaly WHERE code ="
             " 'hidden-file-skipped'"), [("new/.keep",)], "empty .keep")
    eq(query(db, "SELECT path, declared_count, extracted_count,"
             " skipped_count FROM folder ORDER BY path"),
       [("INBOX", 3, 2, 1), ("INBOX/tmp", 1, 1, 0)], "counts")


def test_maildir_loose_eml_files_read():
    root = make_maildir(os.path.join(mtlib.tmpdir(), "md"), {
        "cur/1.a:2,S": mail("In cur", "c@example.com"),
        "export.eml": mail("At root", "r@example.com"),
        "Saved/old.eml": mail("In subfolder", "s@example.com"),
        "Saved/notes.txt": b"not mail\n",
    })
    db = mtlib.ingest(root)
    rows = by_locator(db)
    eq(sorted(rows), ["Saved/old.eml", "cur/1.a:2,S", "export.eml"],
       "messages")
    eq(rows["export.eml"][8], "INBOX/loose files", "root loose folder")
    eq(rows["Saved/old.eml"][8], "Saved", "folder named after directory")
    eq(rows["Saved/old.eml"][0], "allocated", "status")
    eq(query(db, "SELECT level, locator FROM anomaly WHERE code ="
             " 'not-mail-file'"), [("warning", "Saved/notes.txt")],
       "non-mail file reported")
    eq(scalar(db, "SELECT count(*) FROM message_time t JOIN message m ON"
              " m.id = t.message_id WHERE m.locator = 'export.eml' AND"
              " t.source = 'maildir-filename'"), 0, "no name time")
