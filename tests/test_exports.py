"""End-to-end tests of 'mailtrail timeline': CSV, JSON Lines, Timesketch,
the Sleuth Kit body file (read back with the real mactime) and CASE/UCO.

The case database comes from tests/reportcase.py, so every expected value
is a constant written there.
"""
import csv
import io
import json
import os
import re
import sqlite3
import subprocess

import mtlib
import reportcase
from mtlib import eq
from reportcase import MESSAGES

# Outbound ids in sent-time order; message 3 has no sent time, so last.
ORDER = [2, 1, 5, 3]


def timeline(db, *args, expect=0):
    return mtlib.run("timeline", db, *args, expect=expect)


def csv_rows(text):
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_timeline_csv_rows_exact():
    db = reportcase.build()
    rows = csv_rows(timeline(db).stdout)
    eq([int(r["message_db_id"]) for r in rows], ORDER, "row order")
    r = rows[1]
    m = MESSAGES[1]
    eq(r["sent_utc"], m["sent"], "sent UTC")
    eq(r["sent_local"], reportcase.local(m["sent"], 60), "sent local")
    eq(r["custodian"], "alice", "custodian")
    eq(r["from"], "Alice A <alice@corp.example>", "from")
    eq(r["to"], "Carol <carol@ext.example>", "to")
    eq(r["cc"], "dave@corp.example", "cc")
    eq(r["bcc"], "eve@ext.example", "bcc")
    eq(r["external_recipients"], "2", "external recipients")
    eq(r["size"], "4321", "size")
    eq(r["attachment_count"], "2", "attachment count")
    eq(r["attachment_names"], '../../x; report "q".xlsx', "names")
    eq(r["attachment_types"],
       "application/octet-stream; application/vnd.ms-excel", "types")
    eq(r["attachment_bytes"], "3000", "attachment bytes")
    eq(r["attachment_sha256"], "%s; %s" % (reportcase.SHA_ATTACH_1,
                                           reportcase.SHA_ATTACH_2), "hashes")
    eq(r["evidence_file"], "/cases/alice.mbox", "evidence")
    eq(r["evidence_sha256"], reportcase.SHA_EVIDENCE_A, "evidence hash")
    eq(r["locator"], "offset=0", "locator")
    eq(r["message_sha256"], m["sha"], "message hash")
    eq(r["status"], "allocated", "status")
    eq(r["folder"], "Sent", "folder")
    eq(rows[3]["sent_utc"], "", "untimed message has no sent time")


def test_timeline_csv_neutralises_formulas():
    db = reportcase.build()
    text = timeline(db).stdout
    rows = {int(r["message_db_id"]): r for r in csv_rows(text)}
    eq(rows[1]["subject"], "'" + MESSAGES[1]["subject"], "= subject")
    eq(rows[3]["subject"], "'" + MESSAGES[3]["subject"], "+ subject")
    eq(rows[5]["subject"], "'" + MESSAGES[5]["subject"], "@ subject")
    eq(rows[2]["subject"], MESSAGES[2]["subject"], "plain subject")
    assert '"\'=HYPERLINK(""http://x.example"",""click"")"' in text, \
        "quotes in a cell are doubled per RFC 4180"
    assert text.startswith('"message_db_id",'), text[:40]
    out = os.path.join(os.path.dirname(db), "t.csv")
    timeline(db, "-o", out)
    with open(out, "rb") as f:
        raw = f.read()
    eq(raw.count(b"\r\n"), 5, "records end with CRLF")
    assert b'"\'@SUM(1)|pipe\nnewline"' in raw, "newline kept inside quotes"


def test_timeline_filters_custodian_and_deleted():
    db = reportcase.build()
    rows = csv_rows(timeline(db, "--custodian", "alice").stdout)
    eq([int(r["message_db_id"]) for r in rows], [2, 1, 3], "alice only")
    rows = csv_rows(timeline(db, "--deleted-only").stdout)
    eq([int(r["message_db_id"]) for r in rows], [2, 5, 3], "deleted only")
    proc = timeline(db, "--custodian", "nobody", expect=1)
    assert "'nobody' not found" in proc.stderr, proc.stderr
    rows = csv_rows(timeline(db, "--custodian", "ALICE").stdout)
    eq([int(r["message_db_id"]) for r in rows], [2, 1, 3],
       "name in another letter case")


def test_timeline_rejects_bad_arguments():
    db = reportcase.build()
    proc = timeline(db, "--format", "xml", expect=1)
    assert "unknown format 'xml'" in proc.stderr, proc.stderr
    proc = timeline(db, "-o", db, expect=3)
    assert "is the case database" in proc.stderr, proc.stderr
    out = os.path.join(os.path.dirname(db), "t.csv")
    timeline(db, "-o", out)
    proc = timeline(db, "-o", out, expect=3)
    assert "--force" in proc.stderr, proc.stderr
    timeline(db, "-o", out, "--force")
    with open(out, encoding="utf-8", newline="") as f:
        eq(len(csv_rows(f.read())), 4, "rows in the -o file")
    proc = mtlib.run("timeline", os.path.join(os.path.dirname(db), "no.db"),
                     expect=3)
    assert "no.db" in proc.stderr, proc.stderr


def test_timeline_jsonl_lines_parse():
    db = reportcase.build()
    lines = timeline(db, "--format", "jsonl").stdout.splitlines()
    eq(len(lines), 4, "one line per outbound message")
    objs = [json.loads(line) for line in lines]
    eq([o["message_db_id"] for o in objs], ORDER, "order")
    one = objs[1]
    eq(one["subject"], MESSAGES[1]["subject"], "subject is not neutralised")
    eq(one["sent_utc"], MESSAGES[1]["sent"], "sent UTC")
    eq([a["filename"] for a in one["attachments"]],
       ["../../x", 'report "q".xlsx'], "attachment names")
    eq([r["kind"] for r in one["recipients"]], ["to", "cc", "bcc"], "kinds")
    eq(one["evidence_sha256"], reportcase.SHA_EVIDENCE_A, "evidence hash")
    eq(objs[3]["sent_utc"], None, "untimed message")
    eq(objs[2]["subject"], MESSAGES[5]["subject"], "newline kept in JSON")


def _check_timesketch_event(ev, where):
    for field in ("message", "datetime", "timestamp_desc"):
        assert isinstance(ev.get(field), str) and ev[field], \
            "%s: Timesketch field %s missing: %r" % (where, field, ev)
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$",
                    ev["datetime"]), ev["datetime"]


def test_timesketch_jsonl_required_fields():
    db = reportcase.build()
    lines = timeline(db, "--format", "timesketch-jsonl").stdout.splitlines()
    events = [json.loads(line) for line in lines]
    # sent for 1, 2 and 5, delivered for 1; message 3 has no time.
    eq(len(events), 4, "events")
    for i, ev in enumerate(events):
        _check_timesketch_event(ev, "line %d" % (i + 1))
    eq([(e["message_db_id"], e["timestamp_desc"]) for e in events],
       [(2, "Email Sent"), (1, "Email Sent"), (1, "Email Delivered"),
        (5, "Email Sent")], "events in time order")
    eq(events[2]["datetime"], "2024-03-05T14:00:05+00:00", "delivery")
    eq(events[1]["timestamp"], reportcase.ts(MESSAGES[1]["sent"]) * 10**6,
       "timestamp in microseconds")
    eq(events[1]["evidence_file"], "/cases/alice.mbox", "evidence file")
    eq([e.get("tag") for e in events],
       [["deleted-outbound"], None, None, ["deleted-outbound"]], "tags")
    eq({e["data_type"] for e in events}, {"mailtrail:email:outbound"},
       "data type")
    assert not any(k.startswith("_") for e in events for k in e), \
        "Timesketch drops fields starting with '_'"


def test_timesketch_csv_required_fields():
    db = reportcase.build()
    proc = timeline(db, "--format", "timesketch-csv")
    rows = csv_rows(proc.stdout)
    eq(len(rows), 4, "events")
    for i, row in enumerate(rows):
        _check_timesketch_event(row, "row %d" % (i + 1))
    eq(rows[0]["subject"], MESSAGES[2]["subject"], "subject")
    eq([r["tag"] for r in rows],
       ["deleted-outbound", "", "", "deleted-outbound"], "tags")
    eq(rows[3]["subject"], "'" + MESSAGES[5]["subject"], "neutralised")
    assert "1 outbound message(s) have no sent or delivery time" in \
        proc.stderr, proc.stderr


def _mactime(body):
    proc = subprocess.run(["mactime", "-b", body, "-d", "-y", "-z", "UTC"],
                          capture_output=True, text=True, timeout=60)
    eq(proc.returncode, 0, "mactime exit status\n" + proc.stderr)
    return list(csv.reader(io.StringIO(proc.stdout)))


def test_bodyfile_parses_with_mactime():
    db = reportcase.build()
    body = os.path.join(os.path.dirname(db), "mail.body")
    timeline(db, "--format", "bodyfile", "-o", body)
    with open(body, encoding="utf-8") as f:
        lines = f.read().splitlines()
    eq(len(lines), 4, "body lines: 3 sent, 1 delivered")
    for line in lines:
        eq(len(line.split("|")), 11, "fields in " + line)
    assert "@SUM(1)%7Cpipe\\x0Anewline" in lines[3], lines[3]
    rows = _mactime(body)
    eq(rows[0][:3], ["Date", "Size", "Type"], "mactime header")
    data = rows[1:]
    eq(len(data), 4, "mactime rows")
    eq([r[0] for r in data],
       ["2024-03-05T13:00:00Z", "2024-03-05T14:00:00Z",
        "2024-03-05T14:00:05Z", "2024-03-06T08:30:00Z"], "times")
    eq([r[2] for r in data], ["macb"] * 4, "macb")
    eq([r[6] for r in data], ["2", "1", "1", "5"], "inode is the id")
    eq(data[0][1], "100", "size")
    name = data[3][7]
    assert name.startswith("mail sent: bob@corp.example -> "), name
    assert "@SUM(1)|pipe\\x0Anewline" in name, name
    assert "locator=nid=0x200024" in name, name
    assert "sha256=" + "f" * 64 in name, name


# Class and property names checked against UCO 1.4.0 (observable.ttl,
# core.ttl, types.ttl); a name outside these sets is a typo.
UCO_TYPES = {
    "observable:EmailMessage", "observable:EmailMessageFacet",
    "observable:EmailAddress", "observable:EmailAddressFacet",
    "observable:EmailAccount", "observable:EmailAccountFacet",
    "observable:File", "observable:FileFacet",
    "observable:ContentDataFacet", "observable:ObservableRelationship",
    "types:Hash",
}
UCO_PROPERTIES = {
    "@id", "@type", "core:hasFacet", "core:description", "core:source",
    "core:target", "core:kindOfRelationship", "core:isDirectional",
    "observable:from", "observable:to", "observable:cc", "observable:bcc",
    "observable:sentTime", "observable:subject", "observable:messageID",
    "observable:addressValue", "observable:displayName",
    "observable:emailAddress", "observable:fileName",
    "observable:filePath", "observable:sizeInBytes",
    "observable:mimeType", "observable:hash", "types:hashMethod",
    "types:hashValue",
}


def _walk_nodes(node, found):
    if isinstance(node, dict):
        if "@value" in node:
            return
        if "@type" in node:
            found.append(node)
        for value in node.values():
            _walk_nodes(value, found)
    elif isinstance(node, list):
        for value in node:
            _walk_nodes(value, found)


def _case_graph(db):
    doc = json.loads(timeline(db, "--format", "case-uco").stdout)
    eq(doc["@context"]["observable"],
       "https://ontology.unifiedcyberontology.org/uco/observable/",
       "observable namespace")
    nodes = []
    _walk_nodes(doc["@graph"], nodes)
    return doc, nodes


def test_case_uco_structure_strict():
    db = reportcase.build()
    doc, nodes = _case_graph(db)
    ids = [n["@id"] for n in nodes]
    eq(len(ids), len(set(ids)), "node ids are unique")
    for n in nodes:
        assert n["@type"] in UCO_TYPES, n["@type"]
        for key in n:
            assert key in UCO_PROPERTIES, "unknown property " + key
    top = {n["@id"]: n for n in doc["@graph"]}
    refs = []
    for n in nodes:
        for key in ("observable:from", "core:source", "core:target",
                    "observable:emailAddress"):
            if key in n:
                refs.append(n[key]["@id"])
        for key in ("observable:to", "observable:cc", "observable:bcc"):
            refs.extend(r["@id"] for r in n.get(key, []))
    for ref in refs:
        assert ref in top, "dangling reference " + ref
    messages = [n for n in doc["@graph"]
                if n["@type"] == "observable:EmailMessage"]
    eq(len(messages), 4, "EmailMessage nodes")


def test_case_uco_attachment_relationships():
    db = reportcase.build()
    doc, nodes = _case_graph(db)
    top = {n["@id"]: n for n in doc["@graph"]}
    files = [n for n in doc["@graph"] if n["@type"] == "observable:File"]
    names = set()
    for f in files:
        for facet in f["core:hasFacet"]:
            if "observable:fileName" in facet:
                names.add(facet["observable:fileName"])
    eq(names, {"../../x", 'report "q".xlsx'}, "attachment files")
    hashes = {h["types:hashValue"]["@value"] for h in nodes
              if h["@type"] == "types:Hash"}
    for expected in (reportcase.SHA_ATTACH_1, reportcase.SHA_ATTACH_2,
                     reportcase.SHA_EVIDENCE_A, MESSAGES[1]["sha"]):
        assert expected in hashes, "hash %s missing" % expected
    rels = [n for n in doc["@graph"]
            if n["@type"] == "observable:ObservableRelationship"]
    attach_rels = [r for r in rels
                   if top[r["core:target"]["@id"]]["@type"] ==
                   "observable:EmailMessage"]
    eq(len(attach_rels), 2, "attachment-to-message relationships")
    for r in rels:
        eq(r["core:kindOfRelationship"], "Contained_Within", "kind")
    evidence_rels = [r for r in rels if r not in attach_rels]
    eq(len(evidence_rels), 4, "message-to-evidence relationships")


def test_case_uco_parses_as_json_ld():
    """rdflib (Debian python3-rdflib) turns the export into RDF triples."""
    db = reportcase.build()
    path = os.path.join(os.path.dirname(db), "case.jsonld")
    timeline(db, "--format", "case-uco", "-o", path)
    script = (
        "import sys, rdflib\n"
        "g = rdflib.Graph().parse(sys.argv[1], format='json-ld')\n"
        "O = rdflib.Namespace("
        "'https://ontology.unifiedcyberontology.org/uco/observable/')\n"
        "print(len(list(g.subjects(rdflib.RDF.type, O.EmailMessage))))\n"
        "print(len(list(g.subjects(rdflib.RDF.type, O.File))))\n")
    proc = subprocess.run(["/usr/bin/python3", "-c", script, path],
                          capture_output=True, text=True, timeout=120)
    eq(proc.returncode, 0, "rdflib parse (needs python3-rdflib)\n" +
       proc.stderr[-2000:])
    eq(proc.stdout.split(), ["4", "4"], "EmailMessage and File subjects")


def test_timeline_nul_and_invalid_utf8():
    db = reportcase.build()
    con = sqlite3.connect(db)
    con.execute("INSERT INTO attachment (message_id, filename, size, depth)"
                " VALUES (2, ?, 5, 0)", ("a\x00b.exe",))
    con.execute("UPDATE message SET subject = CAST(X'666fff6f' AS TEXT)"
                " WHERE id = 5")
    con.commit()
    con.close()
    objs = {o["message_db_id"]: o for o in
            map(json.loads, timeline(db, "--format", "jsonl").stdout
                .splitlines())}
    eq(objs[2]["attachments"][0]["filename"], "a\u2400b.exe",
       "NUL shown as U+2400, rest of the name kept")
    eq(objs[5]["subject"], "fo\ufffdo", "invalid UTF-8 repaired")
    rows = {int(r["message_db_id"]): r
            for r in csv_rows(timeline(db).stdout)}
    eq(rows[2]["attachment_names"], "a\u2400b.exe", "CSV file name")
    out = os.path.join(os.path.dirname(db), "report")
    mtlib.run("report", db, "-o", out, expect=0)
    with open(os.path.join(out, "report.html"), encoding="utf-8") as f:
        html = f.read()
    assert "a\u2400b.exe" in html, "HTML file name"
