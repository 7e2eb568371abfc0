"""End-to-end tests of the parser through `mailtrail ingest` on the shared
hard cases: what parse/ reads must reach the case database unchanged.

Expected values are read from each case's expected.json; the mapping from
its keys onto the schema is the only knowledge these tests add.
"""
import datetime
import json
import os

import mtlib
from mtlib import eq, query, scalar


def load_case(name):
    folder = mtlib.shared("cases", name)
    with open(os.path.join(folder, "expected.json"), encoding="utf-8") as f:
        expected = json.load(f)
    return os.path.join(folder, expected["input"]), expected


def iso_utc(seconds):
    epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
    moment = epoch + datetime.timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def recipients(db, message_id, kind):
    rows = query(db, "SELECT address FROM recipient WHERE message_id = ? "
                 "AND kind = ? AND address IS NOT NULL ORDER BY id",
                 (message_id, kind))
    return [r[0] for r in rows]


def check_message(db, row_id, e, label):
    row = query(db, "SELECT subject, from_addr, from_name, date_utc, "
                "message_id FROM message WHERE id = ?", (row_id,))[0]
    eq(row[0], e["subject"], label + " subject")
    if "from" in e:
        eq(row[1], e["from"], label + " from")
    if "from_name" in e:
        eq(row[2], e["from_name"], label + " from name")
    eq(iso_utc(row[3]) if row[3] is not None else None, e["date_utc"],
       label + " date")
    if "message_id" in e:
        eq(row[4], e["message_id"], label + " message-id")
    for kind in ("to", "cc", "bcc"):
        if kind in e:
            eq(recipients(db, row_id, kind), e[kind], label + " " + kind)


def attachment_rows(db, row_id):
    rows = query(db, "SELECT id, parent_id, depth, filename, size, sha256,"
                 " magic_type, declared_type, encoding, short_filename "
                 "FROM attachment WHERE message_id = ? ORDER BY id",
                 (row_id,))
    return {r[3]: r for r in rows}


def check_attachments(rows, expected, parent_id, label):
    for ea in expected:
        name = ea["filename"]
        assert name in rows, "%s: attachment %r missing from %r" % (
            label, name, sorted(rows))
        row = rows[name]
        eq(row[1], parent_id, "%s %s parent" % (label, name))
        eq(row[4], ea["size"], "%s %s size" % (label, name))
        eq(row[5], ea["sha256"], "%s %s sha256" % (label, name))
        # mime_type is libmagic's result for real payloads and the
        # declared type for the synthetic ones (truncated PNG, TNEF).
        if "mime_type" in ea:
            assert ea["mime_type"] in (row[6], row[7]), (
                "%s %s type %r not in %r" % (label, name, ea["mime_type"],
                                             (row[6], row[7])))
        if "declared_mime_type" in ea:
            eq(row[7], ea["declared_mime_type"], label + " declared type")
        if "encoding" in ea:
            eq(row[8], ea["encoding"], "%s %s encoding" % (label, name))
        if "short_filename" in ea:
            eq(row[9], ea["short_filename"], label + " short name")
        check_attachments(rows, ea.get("children", []), row[0], label)
    return len(rows)


def ingest_single(name):
    path, expected = load_case(name)
    db = mtlib.ingest(path)
    eq(scalar(db, "SELECT count(*) FROM message"), expected["messages"],
       name + " messages")
    row_id = scalar(db, "SELECT id FROM message")
    e = expected["messages_detail"][0]
    check_message(db, row_id, e, name[:2])
    return db, row_id, e, expected


def test_case01_split_multibyte_words():
    db, row_id, e, expected = ingest_single("01-rfc2047-split-multibyte")
    for forbidden in expected["must_not_contain"]:
        hits = scalar(db, "SELECT count(*) FROM message WHERE "
                      "instr(subject, ?) OR instr(from_name, ?) OR "
                      "instr(body_text, ?)", (forbidden,) * 3)
        eq(hits, 0, "01 rows containing %r" % forbidden)


def test_case03_rfc2231_filename():
    db, row_id, e, _ = ingest_single("03-rfc2231-continuation-split-utf8")
    rows = attachment_rows(db, row_id)
    eq(check_attachments(rows, e["attachments"], None, "03"), 1,
       "03 attachment count")


def test_case09_obsolete_dates_in_mbox():
    path, expected = load_case("09-date-obsolete-forms")
    db = mtlib.ingest(path)
    rows = query(db, "SELECT subject, date_raw, date_utc, date_zone_known "
                 "FROM message ORDER BY byte_offset")
    eq(len(rows), expected["messages"], "09 messages")
    for row, e in zip(rows, expected["messages_detail"]):
        eq(row[0], e["subject"], "09 subject")
        eq(row[1], e["date_raw"], e["subject"] + " raw")
        eq(iso_utc(row[2]) if row[2] is not None else None, e["date_utc"],
           e["subject"] + " utc")
        if "zone_known" in e:
            eq(bool(row[3]), e["zone_known"], e["subject"] + " zone")
    eq(scalar(db, "SELECT count(*) FROM message WHERE sent_source = "
              "'date'"), expected["messages"], "09 sent time from Date")


def test_case12_lenient_base64():
    db, row_id, e, _ = ingest_single("12-base64-with-garbage")
    rows = attachment_rows(db, row_id)
    eq(check_attachments(rows, e["attachments"], None, "12"), 2,
       "12 attachment count")
    codes = {r[0] for r in query(db, "SELECT code FROM anomaly WHERE "
                                 "message_id = ?", (row_id,))}
    for defect in e["defects"]:
        code = defect.replace("_", "-")
        assert code in codes, "12 anomaly %s missing from %r" % (code, codes)


def test_case13_uuencoded_files():
    db, row_id, e, _ = ingest_single("13-uuencoded-inline-attachment")
    rows = attachment_rows(db, row_id)
    eq(check_attachments(rows, e["attachments"], None, "13"), 2,
       "13 attachment count")
    body = scalar(db, "SELECT body_text FROM message WHERE id = ?",
                  (row_id,))
    for text in e["body_text_contains"]:
        assert text in body, "13 body lacks %r" % text
    for text in e["body_text_must_not_contain"]:
        assert text not in body, "13 body keeps %r" % text
    for att in e["attachments"]:
        eq(scalar(db, "SELECT unix_mode FROM attachment WHERE"
                  " message_id = ? AND filename = ?",
                  (row_id, att["filename"])), att["unix_mode"],
           "13 mode of %s" % att["filename"])


def test_case14_tnef_children():
    db, row_id, e, _ = ingest_single("14-tnef-winmail-dat")
    rows = attachment_rows(db, row_id)
    eq(check_attachments(rows, e["attachments"], None, "14"), 3,
       "14 container and children")
    depths = sorted(r[2] for r in rows.values())
    eq(depths, [0, 1, 1], "14 depths")


def test_case16_address_lists():
    db, row_id, e, expected = ingest_single("16-address-lists-groups-"
                                            "commas")
    groups = query(db, "SELECT group_name, address FROM recipient WHERE "
                   "message_id = ? AND kind = 'to' ORDER BY id", (row_id,))
    for group in e["to_groups"]:
        members = [a for g, a in groups if g == group["name"]]
        eq(members, group["members"], "16 group " + group["name"])
    names = dict(query(db, "SELECT address, name FROM recipient WHERE "
                       "message_id = ? AND kind = 'cc'", (row_id,)))
    for address, name in e["cc_names"].items():
        if address in names:
            eq(names[address], name, "16 cc name of " + address)
    bad = scalar(db, "SELECT count(*) FROM recipient WHERE address IS NOT "
                 "NULL AND (address NOT LIKE '%_@_%' OR address LIKE "
                 "'%@%@%')")
    eq(bad, 0, "16 recipients without exactly one '@'")
    twice = scalar(db, "SELECT count(*) FROM (SELECT kind, address FROM "
                   "recipient GROUP BY kind, address HAVING count(*) > 1)")
    eq(twice, 0, "16 recipients counted twice")


def test_eml_nested_message_attachments():
    eml = mtlib.shared("fixtures", "eml",
                       "mail_attachment_message_rfc822.eml")
    db = mtlib.ingest(eml)
    rows = query(db, "SELECT a.filename, a.is_message, a.depth, "
                 "p.filename FROM attachment a LEFT JOIN attachment p ON "
                 "p.id = a.parent_id ORDER BY a.id")
    # The fixture notes list these two names (Python's email walk).
    eq(rows, [("ForwardedMessage.eml", 1, 0, None),
              ("broken.pdf", 0, 1, "ForwardedMessage.eml")],
       "nested message and its attachment")
