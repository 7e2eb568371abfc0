"""End-to-end tests of the PST/OST reader.

Each shared PST/OST fixture is ingested and compared with what pffexport
(pff-tools, libpff 20180714) exports from the same file in the same run:
messages per folder, attachments per folder with their SHA-256, and the
recovered items.  Facts such as the format and the password checksum are
those pffinfo reports for the fixture.  Damaged stores are cut from a
fixture at test time.
"""
import base64
import collections
import hashlib
import json
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
    # Every item a folder declares is accounted for.
    rows = query(db, "SELECT path, declared_count, extracted_count + "
                 "skipped_count + failed_count FROM folder WHERE "
                 "declared_count IS NOT NULL")
    for folder, declared, seen in rows:
        eq(seen, declared, "%s '%s' items seen" % (name, folder))
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
    eq(scalar(db, "SELECT level FROM anomaly WHERE code = 'pst-password'"),
       "note", "password note")


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


def test_pst_bare_magic_is_reported():
    path = cut_copy("aspose_Outlook.pst", 4)
    db = os.path.join(mtlib.tmpdir(), "case.db")
    proc = mtlib.run("ingest", db, path, expect=2)
    assert path in proc.stderr, proc.stderr
    assert "offset 4" in proc.stderr, proc.stderr
    eq(scalar(db, "SELECT status FROM evidence"), "damaged", "status")
    eq(scalar(db, "SELECT byte_offset FROM anomaly WHERE code = "
              "'pst-truncated'"), 4, "truncation offset")


PSTGEN = os.path.join(mtlib.REPO, "fixtures", "pstgen", "pstgen.py")
EX_DN = ("/o=Corp/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/"
         "cn=Recipients/cn=")

# One store with the hard cases of the PST reader: a subject with the
# normalised-subject markers, Exchange addresses, Bcc, a file name with a
# NUL and a path, an attached message with its own attachment, Deleted
# Items, a meeting request, a non-delivery report, a contact and a message
# deleted so that only recovery finds it.
GENERATED = {
    "store_name": "Jo Tester",
    "folders": [
        {"name": "Sent Items", "messages": [{
            "subject": "\u0001\u0004RE: quarterly",
            "sender": {"name": "Jo Tester", "smtp": "jo@corp.example",
                       "ex_dn": EX_DN + "jo"},
            "to": [{"name": "Ext Person", "smtp": "ext@partner.example"}],
            "cc": [{"name": "Boss", "smtp": "boss@corp.example",
                    "ex_dn": EX_DN + "boss"}],
            "bcc": [{"smtp": "hidden@rival.example"}],
            "submit_utc": "2024-03-06T22:47:10+01:00",
            "message_id": "<q1@corp.example>",
            "body_text": "see attached",
            "attachments": [
                {"filename": "../../x\u0000.exe",
                 "generate": {"size": 150000, "seed": 3}},
                {"filename": "FW: inner", "message": {
                    "subject": "inner",
                    "sender": {"smtp": "a@corp.example"},
                    "to": [{"smtp": "b@corp.example"}],
                    "attachments": [{"filename": "inner.txt",
                                     "mime_type": "text/plain",
                                     "data_base64": "aGVsbG8K"}]}}]}]},
        {"name": "Deleted Items", "messages": [{
            "subject": "old", "sender": {"smtp": "jo@corp.example"},
            "to": [{"smtp": "x@corp.example"}],
            "submit_utc": "2024-01-01T00:00:00Z"}],
         "folders": [{"name": "Old project", "messages": [{
             "subject": "older", "sender": {"smtp": "jo@corp.example"},
             "to": [{"smtp": "y@corp.example"}]}]}]},
        {"name": "Recoverable Items", "folders": [{
            "name": "Purges", "messages": [{
                "subject": "purged", "sender": {"smtp": "jo@corp.example"},
                "to": [{"smtp": "z@corp.example"}]}]}]},
        {"name": "Inbox", "messages": [
            {"message_class": "IPM.Schedule.Meeting.Request",
             "subject": "meet", "sender": {"smtp": "boss@corp.example"},
             "to": [{"smtp": "jo@corp.example"}]},
            {"message_class": "IPM.Contact", "subject": "a contact"},
            {"message_class": "REPORT.IPM.Note.NDR",
             "subject": "Undeliverable",
             "sender": {"smtp": "postmaster@corp.example"},
             "to": [{"smtp": "jo@corp.example"}]}]}],
    "deleted": [{"folder": "Sent Items", "mode": "unlinked", "message": {
        "subject": "gone", "sender": {"smtp": "jo@corp.example"},
        "to": [{"smtp": "me@home.example"}],
        "submit_utc": "2024-03-07T23:00:00Z",
        "message_id": "<gone@corp.example>",
        "attachments": [{"filename": "secret.bin",
                         "generate": {"size": 5000, "seed": 9}}]}}],
}


def generated_bytes(size, seed):
    """Content of a pstgen 'generate' attachment, by its documented rule."""
    out = b""
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(b"pstgen:%d:%d" % (seed, counter)).digest()
        counter += 1
    return out[:size]


def generated_store():
    d = mtlib.tmpdir()
    desc = os.path.join(d, "store.json")
    pst = os.path.join(d, "store.pst")
    with open(desc, "w") as f:
        json.dump(GENERATED, f)
    subprocess.run(["python3", PSTGEN, desc, pst], check=True,
                   capture_output=True, timeout=120)
    return pst


def test_pst_generated_message_fields():
    db = mtlib.ingest(generated_store())
    row = query(db, "SELECT subject, from_addr, message_id, submit_utc, "
                "status FROM message m JOIN folder f ON f.id = m.folder_id "
                "WHERE f.path = 'Top of Personal Folders/Sent Items'")
    eq(row, [("RE: quarterly", "jo@corp.example", "q1@corp.example",
              1709761630, "allocated")], "sent message")
    recipients = query(db, "SELECT kind, address, address_raw FROM "
                       "recipient r JOIN message m ON m.id = r.message_id "
                       "WHERE m.subject = 'RE: quarterly' ORDER BY kind")
    eq(recipients, [("bcc", "hidden@rival.example", None),
                    ("cc", "boss@corp.example", EX_DN + "boss"),
                    ("to", "ext@partner.example", None)], "recipients")


def test_pst_generated_attachments():
    db = mtlib.ingest(generated_store())
    rows = query(db, "SELECT a.id, a.filename, a.size, a.sha256, a.depth, "
                 "a.parent_id, a.is_message FROM attachment a JOIN message "
                 "m ON m.id = a.message_id WHERE m.subject = "
                 "'RE: quarterly' ORDER BY a.id")
    eq(len(rows), 3, "attachment rows")
    data = generated_bytes(150000, 3)
    eq(rows[0][1:], ("../../x\u2400.exe", 150000,
                     hashlib.sha256(data).hexdigest(), 0, None, 0),
       "file with NUL in its name")
    eq(rows[1][1], "FW: inner", "attached message name")
    eq(rows[1][4:], (0, None, 1), "attached message row")
    eq(rows[2][1:], ("inner.txt", 6, hashlib.sha256(b"hello\n").hexdigest(),
                     1, rows[1][0], 0), "file inside attached message")


def test_pst_generated_status_and_classes():
    db = mtlib.ingest(generated_store())
    eq(scalar(db, "SELECT m.status FROM message m WHERE m.subject = "
              "'old'"), "deleted", "Deleted Items status")
    eq(query(db, "SELECT m.status, f.role FROM message m JOIN folder f ON "
             "f.id = m.folder_id WHERE m.subject = 'older'"),
       [("deleted", "deleted")], "folder inside Deleted Items")
    eq(query(db, "SELECT m.status, f.role, f.path FROM message m JOIN "
             "folder f ON f.id = m.folder_id WHERE m.subject = 'purged'"),
       [("deleted", "recoverable",
         "Top of Personal Folders/Recoverable Items/Purges")],
       "Recoverable Items/Purges")
    eq(query(db, "SELECT item_class FROM message m JOIN folder f ON f.id "
             "= m.folder_id WHERE f.path = 'Top of Personal Folders/Inbox' "
             "ORDER BY item_class"),
       [("IPM.Schedule.Meeting.Request",), ("REPORT.IPM.Note.NDR",)],
       "mail classes in Inbox")
    eq(scalar(db, "SELECT skipped_count FROM folder WHERE path = "
              "'Top of Personal Folders/Inbox'"), 1, "contact skipped")
    gone = query(db, "SELECT m.status, f.path, f.role, a.sha256 FROM "
                 "message m JOIN folder f ON f.id = m.folder_id JOIN "
                 "attachment a ON a.message_id = m.id WHERE m.subject = "
                 "'gone'")
    eq(gone, [("recovered", "(recovered)", "recovered",
               hashlib.sha256(generated_bytes(5000, 9)).hexdigest())],
       "deleted message recovered")


def test_pst_body_over_limit_not_stored():
    db = mtlib.ingest(generated_store(), "--max-message-size", "10")
    row = query(db, "SELECT body_text, body_text_size FROM message WHERE "
                "subject = 'RE: quarterly'")
    eq(row, [(None, 12)], "body of 12 bytes over a 10-byte limit")
    eq(scalar(db, "SELECT count(*) FROM anomaly WHERE code = "
              "'pst-body-too-large'"), 1, "anomaly for the body")


# The same mail as an RFC 5322 file: the PST and EML readers must give it
# the same content_key.
TWIN_EML = (b"Message-ID: <twin-1@corp.example>\r\n"
            b"Date: Wed, 06 Mar 2024 22:47:10 +0100\r\n"
            b"From: Jo Tester <jo@corp.example>\r\n"
            b"To: Ext Person <ext@partner.example>\r\n"
            b"Subject: plan\r\n"
            b"MIME-Version: 1.0\r\n"
            b"Content-Type: multipart/mixed; boundary=b1\r\n\r\n"
            b"--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            b"the plan\r\n"
            b"--b1\r\nContent-Type: text/plain; name=plan.txt\r\n"
            b"Content-Disposition: attachment; filename=plan.txt\r\n"
            b"Content-Transfer-Encoding: base64\r\n\r\n"
            b"aGVsbG8K\r\n--b1--\r\n")


def test_pst_content_key_matches_eml_copy():
    d = mtlib.tmpdir()
    desc = {"folders": [{"name": "Sent Items", "messages": [{
        "subject": "plan",
        "sender": {"name": "Jo Tester", "smtp": "jo@corp.example"},
        "to": [{"name": "Ext Person", "smtp": "ext@partner.example"}],
        "submit_utc": "2024-03-06T21:47:10Z",
        "message_id": "<twin-1@corp.example>",
        "body_text": "the plan\n",
        "attachments": [{"filename": "plan.txt", "mime_type": "text/plain",
                         "data_base64": "aGVsbG8K"}]}]}]}
    with open(os.path.join(d, "twin.json"), "w") as f:
        json.dump(desc, f)
    pst = os.path.join(d, "twin.pst")
    subprocess.run(["python3", PSTGEN, os.path.join(d, "twin.json"), pst],
                   check=True, capture_output=True, timeout=120)
    eml = os.path.join(d, "twin.eml")
    with open(eml, "wb") as f:
        f.write(TWIN_EML)
    db = mtlib.ingest([pst, eml])
    keys = query(db, "SELECT e.format, m.content_key FROM message m JOIN "
                 "evidence e ON e.id = m.evidence_id ORDER BY e.format")
    eq([k[0] for k in keys], ["eml", "pst"], "both copies stored")
    assert keys[0][1], "content key set"
    eq(keys[1][1], keys[0][1], "content key of the PST copy")


def test_pst_demo_mailbox_equals_mbox_copy():
    """Dave's demo mailbox is written both as mbox files and, through
    pstgen, as a PST: every message must come out the same from both."""
    out = mtlib.tmpdir()
    demo = os.path.join(mtlib.REPO, "fixtures", "demo", "generate.py")
    subprocess.run(["python3", demo, out], check=True, capture_output=True,
                   timeout=300)
    pst = os.path.join(out, "dave.pst")
    subprocess.run(["python3", PSTGEN, os.path.join(out, "dave",
                                                    "dave.pstgen.json"),
                    pst], check=True, capture_output=True, timeout=300)
    db = mtlib.ingest([pst, os.path.join(out, "dave", "Mail")])
    rows = query(db, "SELECT e.format = 'pst', m.message_id, m.subject, "
                 "m.from_addr, m.content_key, (SELECT group_concat(sha256) "
                 "FROM (SELECT a.sha256 FROM attachment a WHERE "
                 "a.message_id = m.id ORDER BY 1)) FROM message m JOIN "
                 "evidence e ON e.id = m.evidence_id")
    pst_rows = {r[1]: r[2:] for r in rows if r[0]}
    other = {r[1]: r[2:] for r in rows if not r[0]}
    assert len(pst_rows) > 100, "messages in the PST: %d" % len(pst_rows)
    eq(set(pst_rows), set(other), "Message-IDs of the two copies")
    for message_id, fields in pst_rows.items():
        eq(fields, other[message_id], "subject, from, content key and "
           "attachment hashes of <%s>" % message_id)


# Deleted Sent items the way pstgen leaves them: one orphaned (its node
# still in the node B-tree under Sent Items, its row gone from the
# contents table) and one whose attachment block was overwritten after
# the deletion.
DELETED = {
    "store_name": "Jo Tester",
    "folders": [{"name": "Sent Items", "messages": [{
        "subject": "kept", "sender": {"smtp": "jo@corp.example"},
        "to": [{"smtp": "boss@corp.example"}]}]}],
    "deleted": [
        {"folder": "Sent Items", "mode": "orphaned", "message": {
            "subject": "salary list", "sender": {"smtp": "jo@corp.example"},
            "to": [{"name": "Rival", "smtp": "jobs@rival.example"}],
            "bcc": [{"smtp": "me@home.example"}],
            "submit_utc": "2024-05-02T08:00:00Z",
            "attachments": [{"filename": "salaries.xlsx",
                             "generate": {"size": 3000, "seed": 5}}]}},
        {"folder": "Sent Items", "mode": "overwritten", "message": {
            "subject": "budget", "sender": {"smtp": "jo@corp.example"},
            "to": [{"smtp": "ext@partner.example"}],
            "attachments": [{"filename": "budget.xlsx",
                             "generate": {"size": 40000, "seed": 7}}]}},
        {"folder": "Sent Items", "mode": "unlinked", "message": {
            "subject": "plans", "sender": {"smtp": "jo@corp.example"},
            "to": [{"smtp": "ext@partner.example"}],
            "attachments": [{"filename": "plans.pdf",
                             "generate": {"size": 20000, "seed": 8}}]}}],
}


def deleted_store():
    d = mtlib.tmpdir()
    desc = os.path.join(d, "deleted.json")
    pst = os.path.join(d, "deleted.pst")
    with open(desc, "w") as f:
        json.dump(DELETED, f)
    subprocess.run(["python3", PSTGEN, desc, pst], check=True,
                   capture_output=True, timeout=120)
    return pst


def test_pst_orphaned_sent_item_stored():
    db = os.path.join(mtlib.tmpdir(), "case.db")
    proc = mtlib.run("ingest", db, deleted_store(), expect=0)
    sent = "Top of Personal Folders/Sent Items"
    row = query(db, "SELECT m.id, m.status, f.path, m.recovery_note, "
                "m.from_addr FROM message m JOIN folder f ON f.id = "
                "m.folder_id WHERE m.subject = 'salary list'")
    eq(len(row), 1, "orphaned message rows")
    msg_id, status, path, note, sender = row[0]
    eq((status, path, sender), ("orphan", sent, "jo@corp.example"),
       "status, folder and sender of the orphaned message")
    assert "node B-tree under folder '%s'" % sent in note, note
    assert "contents table" in note, note
    eq(query(db, "SELECT kind, address FROM recipient WHERE message_id = ? "
             "ORDER BY kind", (msg_id,)),
       [("bcc", "me@home.example"), ("to", "jobs@rival.example")],
       "recipients of the orphaned message")
    eq(query(db, "SELECT sha256 FROM attachment WHERE message_id = ?",
             (msg_id,)),
       [(hashlib.sha256(generated_bytes(3000, 5)).hexdigest(),)],
       "attachment of the orphaned message")
    eq(query(db, "SELECT declared_count, extracted_count, failed_count, "
             "unlisted_count FROM folder WHERE path = ?", (sent,)),
       [(1, 1, 0, 1)], "Sent Items counts: one listed, one unlisted")
    eq(scalar(db, "SELECT count(*) FROM message WHERE subject = 'kept' "
              "AND status = 'allocated'"), 1, "listed message")
    assert "descriptor 0x" in proc.stderr, proc.stderr


def test_pst_overwritten_attachment_marked():
    db = mtlib.ingest(deleted_store())
    rows = query(db, "SELECT m.id, m.status, m.recovery_note, a.filename, "
                 "a.sha256 FROM message m JOIN attachment a ON "
                 "a.message_id = m.id WHERE m.subject = 'budget'")
    eq(len(rows), 1, "recovered overwritten message with its attachment")
    msg_id, status, note, filename, sha = rows[0]
    eq((status, filename), ("recovered", "budget.xlsx"), "recovered row")
    intact = hashlib.sha256(generated_bytes(40000, 7)).hexdigest()
    assert sha != intact, "pstgen left the attachment intact"
    assert "block CRC mismatch" in note, note
    marks = [r[0] for r in query(db, "SELECT detail FROM anomaly WHERE "
                                 "message_id = ? AND level = 'warning' "
                                 "AND code = 'recovered-data-crc-mismatch'",
                                 (msg_id,))]
    eq(len(marks), 2, "marks on the message and its attachment")
    assert "budget.xlsx" in marks[1], marks
    assert sha in marks[1], marks
    eq(scalar(db, "SELECT count(*) FROM anomaly a JOIN message m ON m.id "
              "= a.message_id WHERE m.subject = 'salary list' AND a.code "
              "LIKE 'recovered-data-%'"), 0, "allocated orphan unmarked")


def test_pst_intact_recovered_item_verified():
    db = mtlib.ingest(deleted_store())
    rows = query(db, "SELECT m.id, m.status, m.recovery_note, a.sha256 "
                 "FROM message m JOIN attachment a ON a.message_id = m.id "
                 "WHERE m.subject = 'plans'")
    eq(len(rows), 1, "recovered unlinked message with its attachment")
    msg_id, status, note, sha = rows[0]
    eq(status, "recovered", "status")
    eq(sha, hashlib.sha256(generated_bytes(20000, 8)).hexdigest(),
       "attachment recovered intact")
    assert "block CRCs checked: all match" in note, note
    eq(scalar(db, "SELECT count(*) FROM anomaly WHERE message_id = ? AND "
              "code LIKE 'recovered-data-%'", (msg_id,)), 0,
       "no mark on intact data")


# A Sent message whose attachment contains a pattern found nowhere else in the
# file; "crypt": "none" keeps the block bytes as written.
CRC_PROBE = b"mailtrail-crc-probe:" * 150
CRC_STORE = {
    "store_name": "Jo Tester",
    "crypt": "none",
    "folders": [{"name": "Sent Items", "messages": [
        {"subject": "probe", "sender": {"smtp": "jo@corp.example"},
         "to": [{"smtp": "out@rival.example"}],
         "submit_utc": "2024-05-02T10:00:00Z",
         "attachments": [{"filename": "probe.txt",
                          "mime_type": "text/plain",
                          "data_base64": base64.b64encode(
                              CRC_PROBE).decode()}]},
        {"subject": "other", "sender": {"smtp": "jo@corp.example"},
         "to": [{"smtp": "b@corp.example"}]}]}],
}


def crc_store(flip):
    """Writes the probe store; with flip, one byte of the attachment's
    block is changed.  Returns the path and the flipped offset."""
    d = mtlib.tmpdir()
    desc = os.path.join(d, "store.json")
    pst = os.path.join(d, "store.pst")
    with open(desc, "w") as f:
        json.dump(CRC_STORE, f)
    subprocess.run(["python3", PSTGEN, desc, pst], check=True,
                   capture_output=True, timeout=120)
    with open(pst, "rb") as f:
        data = bytearray(f.read())
    at = data.find(CRC_PROBE)
    assert at > 0, "probe not found"
    assert data.find(CRC_PROBE, at + 1) < 0, "probe not unique"
    at += 1000
    if flip:
        data[at] ^= 0x20
        with open(pst, "wb") as f:
            f.write(data)
    return pst, at


def test_pst_live_attachment_crc_mismatch_is_error():
    pst, flipped = crc_store(True)
    db = os.path.join(mtlib.tmpdir(), "case.db")
    proc = mtlib.run("ingest", db, pst, expect=2)
    assert "pst-block-crc-mismatch" in proc.stderr, proc.stderr
    eq(scalar(db, "SELECT status FROM evidence"), "damaged", "status")
    rows = query(db, "SELECT a.level, a.locator, a.detail, m.subject, "
                 "m.locator, m.status FROM anomaly a JOIN message m ON "
                 "m.id = a.message_id WHERE a.code = "
                 "'pst-block-crc-mismatch'")
    eq(len(rows), 1, "one mismatch anomaly")
    level, locator, detail, subject, msg_locator, status = rows[0]
    eq((level, subject, status, locator),
       ("error", "probe", "allocated", msg_locator), "anomaly row")
    found = re.search(r"at offset (\d+)", detail)
    size = re.search(r"\((\d+) bytes\)", detail)
    assert found and size, detail
    start = int(found.group(1))
    assert start <= flipped < start + int(size.group(1)), (detail, flipped)
    assert re.search(r"block 0x[0-9a-f]+ ", detail), detail
    sha = scalar(db, "SELECT sha256 FROM attachment WHERE filename = "
                 "'probe.txt'")
    assert sha != hashlib.sha256(CRC_PROBE).hexdigest(), "flip not read"
    assert "attachment 1 'probe.txt'" in detail, detail
    assert sha in detail, detail


def test_pst_live_attachment_intact_crc_passes():
    pst, _ = crc_store(False)
    db = os.path.join(mtlib.tmpdir(), "case.db")
    mtlib.run("ingest", db, pst, expect=0)
    eq(scalar(db, "SELECT status FROM evidence"), "complete", "status")
    eq(scalar(db, "SELECT count(*) FROM anomaly WHERE code = "
              "'pst-block-crc-mismatch'"), 0, "no mismatch anomaly")
    eq(scalar(db, "SELECT sha256 FROM attachment WHERE filename = "
              "'probe.txt'"), hashlib.sha256(CRC_PROBE).hexdigest(),
       "attachment hash")
