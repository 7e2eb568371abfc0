"""End-to-end tests of the EML readers (one file, a folder of files)
through 'mailtrail ingest'.

Inputs are the shared EML fixtures and small trees the tests build.
Expected counts come from listing the files.
"""
import os
import shutil
import subprocess

import mtlib
from mtlib import eq, query, scalar


def mail(subject, msgid):
    return ("From: Uma <uma@example.com>\nTo: vic@example.org\n"
            "Subject: %s\nDate: Tue, 02 Jan 2024 09:00:00 +0100\n"
            "Message-ID: <%s>\n\nBody.\n" % (subject, msgid)).encode()


def write(root, rel, data):
    path = os.path.join(root.encode(), rel if isinstance(rel, bytes)
                        else rel.encode())
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    return os.fsdecode(path)


def test_eml_single_file():
    path = mtlib.shared("fixtures", "eml", "tb_mime-torture.eml")
    db = mtlib.ingest(path)
    eq(scalar(db, "SELECT format FROM evidence"), "eml", "format")
    eq(query(db, "SELECT path, declared_count, extracted_count"
             " FROM folder"), [("tb_mime-torture.eml", 1, 1)], "folder")
    eq(query(db, "SELECT locator, subject FROM message"),
       [("tb_mime-torture.eml", "Multi-media mail demonstration ")],
       "message")
    eq(scalar(db, "SELECT size FROM message"), os.path.getsize(path),
       "size is the file size")


def test_eml_fixture_folder():
    folder = mtlib.shared("fixtures", "eml")
    db = mtlib.ingest(folder)
    eq(scalar(db, "SELECT format FROM evidence"), "eml-folder", "format")
    files = sorted(n for n in os.listdir(folder) if not n.startswith("."))
    eq(scalar(db, "SELECT count(*) FROM message"), len(files), "messages")
    locators = sorted(r[0] for r in query(db, "SELECT locator FROM"
                                          " message"))
    # This file starts with a From_ line, so the mbox reader splits it.
    expected = sorted(f + "#offset=0" if f == "mail_attachment_pdf.eml"
                      else f for f in files)
    eq(locators, expected, "locators")


def test_eml_folder_recursive_with_odd_entries():
    d = mtlib.tmpdir()
    root = os.path.join(d, "export")
    write(root, "a.eml", mail("Top", "t@example.com"))
    write(root, "Sent Items/b.eml", mail("Sent one", "s@example.com"))
    write(root, "Sent Items/deeper/c.msgfile", mail("Deep", "d@example.com"))
    write(root, "notes.txt", b"not a message at all\n")
    write(root, b"odd\nname\xfe.eml", mail("Odd", "o@example.com"))
    outside = write(d, "outside.eml", mail("Outside", "x@example.com"))
    os.symlink(outside, os.path.join(root, "link.eml"))
    db = mtlib.ingest(root, expect=(0, 2))
    eq(sorted(r[0] for r in query(db, "SELECT locator FROM message")),
       ["Sent Items/b.eml", "Sent Items/deeper/c.msgfile", "a.eml",
        "odd\\x0aname\\xfe.eml"], "messages found by content")
    eq(query(db, "SELECT path, role FROM folder ORDER BY path"),
       [("Sent Items", "sent"), ("Sent Items/deeper", "other"),
        ("export", "other")], "folders")
    eq(query(db, "SELECT locator FROM anomaly WHERE code ="
             " 'not-a-message'"), [("notes.txt",)], "non-mail file")
    eq(query(db, "SELECT locator FROM anomaly WHERE code ="
             " 'not-a-regular-file'"), [("link.eml",)], "symlink")
    eq(scalar(db, "SELECT skipped_count FROM folder WHERE path ="
              " 'export'"), 2, "skipped in the top folder")


def test_eml_folder_with_pst_walked_per_store():
    d = mtlib.tmpdir()
    root = os.path.join(d, "seized")
    write(root, "one.eml", mail("One", "one@example.com"))
    shutil.copy(mtlib.shared("fixtures", "pst", "go-pst_32-bit.pst"),
                os.path.join(root, "archive.pst"))
    db = mtlib.ingest(root, expect=(0, 2))
    eq(query(db, "SELECT format FROM evidence ORDER BY format"),
       [("eml",), ("pst",)], "each store is its own evidence")


def test_eml_text_without_header_rejected():
    d = mtlib.tmpdir()
    path = write(d, "letter.eml", b"Dear Bob,\n\nSee you: Monday.\n")
    proc = mtlib.run("ingest", os.path.join(d, "c.db"), path, expect=2)
    assert "not a mail store" in proc.stderr, proc.stderr


def test_eml_folder_unreadable_file_reported():
    d = mtlib.tmpdir()
    os.chmod(d, 0o755)
    root = os.path.join(d, "export")
    write(root, "a.eml", mail("Readable", "a@example.com"))
    locked = write(root, "b.eml", mail("Locked", "b@example.com"))
    os.chmod(root, 0o755)
    os.chmod(locked, 0)
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
    eq(query(db, "SELECT locator FROM message"), [("a.eml",)],
       "readable message extracted")
    eq(query(db, "SELECT level, locator FROM anomaly WHERE code ="
             " 'unreadable-file'"), [("error", "b.eml")],
       "unreadable file anomaly")


def test_eml_folder_thunderbird_profile():
    # Local Folders: extension-less mbox files, .msf indexes and .sbd
    # subfolder directories.
    d = mtlib.tmpdir()
    root = os.path.join(d, "Local Folders")
    sep = b"From - Mon Jan  6 10:00:00 2020\nX-Mozilla-Status: 0001\n"
    write(root, "Inbox", sep + mail("In", "in@example.com"))
    write(root, "Inbox.msf", b"// <!-- <mdb:mork:z v=\"1.4\"/> -->\n")
    write(root, "Sent", sep + mail("Out 1", "o1@example.com") + b"\n" +
          sep + mail("Out 2", "o2@example.com"))
    write(root, "Trash.sbd/Old", sep + mail("Old", "old@example.com"))
    db = mtlib.ingest(root)
    eq(scalar(db, "SELECT format FROM evidence"), "eml-folder", "format")
    rows = query(db, "SELECT f.path, f.role, count(m.id), min(m.status)"
                 " FROM folder f LEFT JOIN message m ON m.folder_id ="
                 " f.id GROUP BY f.id ORDER BY f.path")
    eq(rows, [("Inbox", "inbox", 1, "allocated"),
              ("Local Folders", "other", 0, None),
              ("Sent", "sent", 2, "allocated"),
              ("Trash.sbd", "deleted", 0, None),
              ("Trash.sbd/Old", "deleted", 1, "deleted")],
       "folders, roles and messages")
    eq(query(db, "SELECT locator FROM anomaly WHERE code ="
             " 'not-a-message'"), [("Inbox.msf",)], "index file noted")


def test_eml_leading_blank_lines_read():
    root = mtlib.tmpdir()
    data = b"\r\n\n" + mail("Blank start", "blank@example.com")
    path = write(root, "blank.eml", data)
    db = mtlib.ingest(path)
    eq(scalar(db, "SELECT format FROM evidence"), "eml", "format")
    eq(query(db, "SELECT subject, message_id, size FROM message"),
       [("Blank start", "blank@example.com", len(data))], "message")
    eq(scalar(db, "SELECT count(*) FROM anomaly WHERE code ="
              " 'leading-blank-lines'"), 1, "leading blank note")


def test_eml_long_first_header_read():
    root = mtlib.tmpdir()
    data = b"X-Trace: " + b"a" * 20000 + b"\n" + mail("Long", "long@x.org")
    path = write(root, "long.eml", data)
    db = mtlib.ingest(path)
    eq(scalar(db, "SELECT format FROM evidence"), "eml", "format")
    eq(query(db, "SELECT subject, size FROM message"),
       [("Long", len(data))], "message")
