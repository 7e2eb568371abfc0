"""End-to-end tests of the PST/OST reader.

Each shared PST/OST fixture is ingested and compared with what pffexport
(pff-tools, libpff 20180714) exports from the same file in the same run:
messages per folder, attachments per folder with their SHA-256, and the
recovered items.  Facts pffinfo reports (format, password checksum) come
from EXPECTED.md of the shared fixtures.  Damaged stores are cut from a
fixture at test time.
"""
import collections
import hashlib
import os
import re
import subprocess

import mtlib
from mtlib import eq, query, scalar

ITEM_DIR = re.compile(r"^(Message|Meeting|Appointment|Contact|"
                      r"DistributionList|Task|Note|Activity|Document|"
                      r"RSSFeed)\d{5}$")


def fixture(name):
    return mtlib.shared("fixtures", "pst", name)


def sha256_file(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def pffexport(path):
    """Export path with pffexport -m all; return (export, recovered) dirs."""
    target = os.path.join(mtlib.tmpdir(), "ref")
    subprocess.run(["pffexport", "-m", "all", "-q", "-t", target, path],
                   check=True, capture_output=True, timeout=300)
    return target + ".export", target + ".recovered"


def pff_items(root):
    """Map folder path -> {'Message': n, 'Meeting': n, 'attachments': n,
    'hashes': Counter of SHA-256 of attachment files of Message items}."""
    folders = collections.defaultdict(
        lambda: {"Message": 0, "Meeting": 0, "attachments": 0,
                 "hashes": collections.Counter()})
    if not os.path.isdir(root):
        return folders
    for dirpath, dirnames, _ in os.walk(root):
        rel = os.path.relpath(dirpath, root)
        rel = "" if rel == "." else rel
        items = [d for d in dirnames if ITEM_DIR.match(d)]
        # Item directories hold attachments, not folders: do not descend.
        dirnames[:] = [d for d in dirnames if not ITEM_DIR.match(d)]
        for item in items:
            kind = re.sub(r"\d+$", "", item)
            if kind not in ("Message", "Meeting"):
                continue
            entry = folders[rel]
            entry[kind] += 1
            att_dir = os.path.join(dirpath, item, "Attachments")
            if kind != "Message" or not os.path.isdir(att_dir):
                continue
            for name in os.listdir(att_dir):
                entry["attachments"] += 1
                full = os.path.join(att_dir, name)
                if os.path.isfile(full):
                    entry["hashes"][sha256_file(full)] += 1
    return folders


def db_items(db, path):
    """Return the same shape as pff_items for one folder of the case."""
    meeting = "m.item_class LIKE 'IPM.Schedule.Meeting%'"
    counts = query(db, "SELECT sum(NOT (%s)), sum(%s) FROM message m "
                   "JOIN folder f ON f.id = m.folder_id WHERE f.path = ?"
                   % (meeting, meeting), (path,))[0]
    attachments = scalar(db, "SELECT count(*) FROM attachment a JOIN "
                         "message m ON m.id = a.message_id JOIN folder f "
                         "ON f.id = m.folder_id WHERE f.path = ? AND "
                         "a.depth = 0 AND NOT (%s)" % meeting, (path,))
    hashes = collections.Counter(
        row[0] for row in query(
            db, "SELECT a.sha256 FROM attachment a JOIN message m ON "
            "m.id = a.message_id JOIN folder f ON f.id = m.folder_id "
            "WHERE f.path = ? AND a.depth = 0 AND a.is_message = 0 AND "
            "NOT (%s)" % meeting, (path,)))
    return {"Message": counts[0] or 0, "Meeting": counts[1] or 0,
            "attachments": attachments, "hashes": hashes}


def check_against_pffexport(name):
    path = fixture(name)
    export, recovered = pffexport(path)
    db = mtlib.ingest(path)
    expected = pff_items(export)
    for folder, want in expected.items():
        got = db_items(db, folder)
        for key in ("Message", "Meeting", "attachments", "hashes"):
            eq(got[key], want[key], "%s '%s' %s" % (name, folder, key))
    # Every folder holding mail in the case must be one pffexport saw.
    rows = query(db, "SELECT path, extracted_count FROM folder WHERE "
                 "extracted_count > 0 AND role NOT IN "
                 "('recovered', 'orphan')")
    for folder, count in rows:
        want = expected.get(folder, {"Message": 0, "Meeting": 0})
        eq(count, want["Message"] + want["Meeting"],
           "%s '%s' extracted_count" % (name, folder))
    rec = pff_items(recovered).get("", {"Message": 0, "Meeting": 0})
    eq(db_items(db, "(recovered)")["Message"], rec["Message"],
       "%s recovered messages" % name)
    eq(db_items(db, "(recovered)")["Meeting"], rec["Meeting"],
       "%s recovered meetings" % name)
    return db


def test_pst_aspose_pst_matches_pffexport():
    db = check_against_pffexport("aspose_Outlook.pst")
    eq(scalar(db, "SELECT count(*) FROM message WHERE status = "
              "'recovered'"), 2, "recovered messages")
    eq(scalar(db, "SELECT count(*) FROM folder WHERE path = "
              "'Top of Personal Folders/Sent Items' AND role = 'sent'"), 1,
       "sent folder role")
    eq(scalar(db, "SELECT extracted_count FROM folder WHERE path = "
              "'Top of Personal Folders/Sent Items'"), 6,
       "sent items count")


def test_pst_aspose_ost_matches_pffexport():
    db = check_against_pffexport("aspose_SampleOstFile.ost")
    eq(scalar(db, "SELECT format FROM evidence"), "ost", "format")
    eq(scalar(db, "SELECT extracted_count FROM folder WHERE path = "
              "'Root - Mailbox/IPM_SUBTREE/Sent Items'"), 6,
       "sent items count")
    # pffexport -m recovered: 7 email, 1 meeting, 1 appointment.
    eq(scalar(db, "SELECT count(*) FROM message WHERE status = "
              "'recovered'"), 8, "recovered mail")
    eq(query(db, "SELECT DISTINCT m.status FROM message m JOIN folder f "
             "ON f.id = m.folder_id WHERE f.path = "
             "'Root - Mailbox/IPM_SUBTREE/Deleted Items'"), [("deleted",)],
       "status in Deleted Items")


def test_pst_4k_ost_matches_pffexport():
    db = check_against_pffexport("pst-extractor_pstextractortest.ost")
    eq(scalar(db, "SELECT format_detail FROM evidence"), "unicode-64-4k",
       "format detail")
    eq(scalar(db, "SELECT extracted_count FROM folder WHERE path = "
              "'Root - Mailbox/IPM_SUBTREE/Sent Items'"), 2,
       "sent items count")
    eq(scalar(db, "SELECT skipped_count FROM folder WHERE path = "
              "'Root - Mailbox/IPM_SUBTREE/Calendar/United States "
              "holidays'"), 160, "appointments skipped")


def test_pst_tika_matches_pffexport():
    db = check_against_pffexport("tika_testPST_variousBodyTypes.pst")
    eq(scalar(db, "SELECT count(*) FROM message WHERE status = "
              "'recovered'"), 1, "recovered messages")


def test_pst_ansi_32bit_store():
    db = check_against_pffexport("go-pst_32-bit.pst")
    eq(scalar(db, "SELECT format_detail FROM evidence"), "ansi-32",
       "format detail")
    eq(scalar(db, "SELECT count(*) FROM message"), 0, "messages")
    eq(scalar(db, "SELECT skipped_count FROM folder WHERE path = "
              "'Top of Personal Folders/Calendar'"), 1, "appointment")


def test_pst_dist_list_recovered_appointments():
    db = check_against_pffexport("java-libpst_dist-list.pst")
    eq(scalar(db, "SELECT count(*) FROM message"), 0, "messages")
    # pffexport -m recovered finds 3 appointments, which are not mail.
    eq(scalar(db, "SELECT skipped_count FROM folder WHERE path = "
              "'(recovered)'"), 3, "recovered appointments skipped")


def test_pst_password_crc_recorded():
    db = check_against_pffexport("java-libpst_passworded.pst")
    eq(scalar(db, "SELECT password_crc FROM evidence"), "0xe61eb50f",
       "password checksum (pffinfo)")
    eq(scalar(db, "SELECT format FROM evidence"), "pst", "format")


def test_pst_locator_names_node():
    db = mtlib.ingest(fixture("aspose_Outlook.pst"))
    rows = query(db, "SELECT locator, pst_nid, sha256 FROM message")
    eq(len(rows), 16, "messages")
    for locator, nid, sha in rows:
        eq(locator, "nid=0x%x" % nid, "locator of nid %d" % nid)
        eq(len(sha or ""), 64, "sha256 length of %s" % locator)


def test_pst_no_recover_skips_recovery():
    db = mtlib.ingest(fixture("aspose_Outlook.pst"), "--no-recover")
    eq(scalar(db, "SELECT count(*) FROM message WHERE status = "
              "'recovered'"), 0, "recovered messages")
    eq(scalar(db, "SELECT count(*) FROM message"), 14, "messages")


def cut_copy(name, size):
    src = fixture(name)
    out = os.path.join(mtlib.tmpdir(), "cut-%d-%s" % (size, name))
    with open(src, "rb") as f:
        data = f.read(size)
    with open(out, "wb") as f:
        f.write(data)
    return out


def test_pst_truncated_copy_keeps_readable_items():
    path = cut_copy("aspose_Outlook.pst", 2000000)
    db = mtlib.ingest(path, expect=2)
    eq(scalar(db, "SELECT status FROM evidence"), "damaged", "status")
    eq(scalar(db, "SELECT byte_offset FROM anomaly WHERE code = "
              "'pst-truncated'"), 2000000, "truncation offset")
    eq(scalar(db, "SELECT count(*) FROM message"), 14, "messages kept")


def test_pst_header_only_copy_is_reported():
    path = cut_copy("aspose_Outlook.pst", 564)
    db = mtlib.ingest(path, expect=2)
    eq(scalar(db, "SELECT byte_offset FROM anomaly WHERE code = "
              "'pst-truncated'"), 564, "truncation offset")
    eq(scalar(db, "SELECT count(*) FROM message"), 0, "messages")


def test_pst_bare_magic_fails_with_path():
    path = cut_copy("aspose_Outlook.pst", 4)
    db = os.path.join(mtlib.tmpdir(), "case.db")
    proc = mtlib.run("ingest", db, path, expect=3)
    assert path in proc.stderr, proc.stderr
    assert "offset 4" in proc.stderr, proc.stderr
