"""End-to-end tests of 'mailtrail report': the report folder, its CSV
files, the HTML escaping and a headless Chromium rendering offline.

Case databases come from tests/reportcase.py (hand-written rows), from
mbox files written here with hostile subjects, and from a shared hard
case whose expected.json lists the outbound timeline.
"""
import csv
import io
import json
import os
import re
import subprocess
import tempfile

import mtlib
import reportcase
from mtlib import eq, query, scalar
from reportcase import MESSAGES

REPORT_FILES = ["report.html", "timeline.csv", "findings.csv",
                "statistics.csv", "recipients.csv", "evidence.csv",
                "reconcile.csv", "timeline-alice.csv",
                "timeline-.._.._evil_b_.csv"]


def report(db, *args, expect=0):
    out = os.path.join(os.path.dirname(db), "report")
    proc = mtlib.run("report", db, "-o", out, *args, expect=expect)
    return out, proc


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def read_text(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def test_report_writes_every_file():
    db = reportcase.build()
    out, _ = report(db)
    eq(sorted(os.listdir(out)), sorted(REPORT_FILES), "report folder")
    alice = read_csv(os.path.join(out, "timeline-alice.csv"))
    eq([int(r["message_db_id"]) for r in alice], [2, 1, 3], "alice rows")
    evil = read_csv(os.path.join(out, "timeline-.._.._evil_b_.csv"))
    eq([int(r["message_db_id"]) for r in evil], [5], "second custodian")
    eq(evil[0]["custodian"], "../../evil<b>", "name kept inside the file")
    everyone = read_csv(os.path.join(out, "timeline.csv"))
    eq([int(r["message_db_id"]) for r in everyone], [2, 1, 5, 3], "all")
    eq(everyone[2]["subject"], "'" + MESSAGES[5]["subject"], "neutralised")


def test_report_tables_trace_to_rows():
    db = reportcase.build()
    out, _ = report(db)
    evidence = read_csv(os.path.join(out, "evidence.csv"))
    eq([e["sha256_before"] for e in evidence],
       [reportcase.SHA_EVIDENCE_A, reportcase.SHA_EVIDENCE_B], "hashes")
    eq([e["hashes_match"] for e in evidence], ["yes", "yes"], "match")
    eq([e["messages"] for e in evidence], ["4", "1"], "messages per item")
    eq(evidence[0]["anomalies"], "1", "anomalies of evidence 1")
    recon = read_csv(os.path.join(out, "reconcile.csv"))
    eq([(r["folder"], r["declared_count"], r["unaccounted"])
        for r in recon],
       [("Sent", "1", "0"), ("Trash", "3", "0"),
        ("Top of Personal Folders/Sent Items", "", "")], "reconcile")
    findings = read_csv(os.path.join(out, "findings.csv"))
    eq(len(findings), scalar(db, "SELECT count(*) FROM finding"),
       "one row per finding")
    for f in findings:
        ids = [int(i) for i in f["message_db_ids"].split("; ") if i]
        eq(len(ids), int(f["message_count"]), "message count")
        for mid in ids:
            eq(scalar(db, "SELECT count(*) FROM message WHERE id = ?",
                      (mid,)), 1, "finding message %d exists" % mid)
    stats = read_csv(os.path.join(out, "statistics.csv"))
    eq(len(stats), scalar(db, "SELECT (SELECT count(*) FROM stat_custodian)"
                              " + (SELECT count(*) FROM stat_bucket)"),
       "statistics rows")


def test_report_records_its_run():
    db = reportcase.build()
    report(db)
    rows = query(db, "SELECT command_line, exit_status, end_utc IS NOT NULL"
                     " FROM run")
    eq(len(rows), 1, "run rows")
    assert rows[0][0].startswith("mailtrail report "), rows[0][0]
    eq(rows[0][1:], (0, 1), "exit status and end time")


def test_report_html_escapes_mail_values():
    db = reportcase.build()
    out, _ = report(db)
    html = read_text(os.path.join(out, "report.html"))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, \
        "subject shown as text"
    assert "<script>alert(1)" not in html, "subject injected as markup"
    eq(len(re.findall(r"<script\b", html)), 1, "only the report's script")
    assert "report &quot;q&quot;.xlsx" in html, "quoted file name escaped"
    assert "../../evil&lt;b&gt;" in html, "custodian name escaped"
    assert "message cut short &lt;b&gt;here&lt;/b&gt;" in html, "anomaly"
    assert "/cases/bob &quot;x&quot; &lt;y&gt;.pst" in html, "evidence path"


def test_report_html_has_no_external_references():
    db = reportcase.build()
    out, _ = report(db)
    html = read_text(os.path.join(out, "report.html"))
    bad = re.findall(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//"""
                     r"""|url\(\s*["']?\s*(?:https?:)?//|@import""", html,
                     re.I)
    eq(bad, [], "external references")
    assert "default-src 'none'" in html, "Content-Security-Policy"


def test_report_html_sections_and_charts():
    db = reportcase.build()
    out, _ = report(db)
    html = read_text(os.path.join(out, "report.html"))
    for cid in (1, 2):
        assert 'id="custodian-%d"' % cid in html, "custodian %d" % cid
    for chart in ("chart-heatmap", "chart-daily", "chart-recipients",
                  "chart-attachments"):
        eq(html.count('class="%s"' % chart), 2, chart + " per custodian")
    # The charts count each timed sent message once: alice has 2 (message
    # 3 has no sent time), the second custodian 1.
    sections = html.split('<h2 id="custodian-')[1:]
    for section in sections:
        cid = int(section.split('"', 1)[0])
        want = {1: 2, 2: 1}[cid]
        heat = section.split('class="chart-heatmap"')[1].split("</svg>")[0]
        cells = re.findall(r"<title>\w{3} \d\dh: (\d+) message", heat)
        eq(len(cells), 7 * 24, "heat map cells of custodian %d" % cid)
        eq(sum(map(int, cells)), want, "heat map total, custodian %d" % cid)
        daily = section.split('class="chart-daily"')[1].split("</svg>")[0]
        bars = re.findall(r"<title>\d{4}-\d\d-\d\d: (\d+) message", daily)
        eq(sum(map(int, bars)), want, "daily total, custodian %d" % cid)
    # Deleted outbound: alice's 2 and 3 (deleted, recovered) and the
    # second custodian's 5 (expunged), each in its custodian's table.
    for cid, want in ((1, 2), (2, 1)):
        table = html.split('id="deleted-%d"' % cid)[1].split("</table>")[0]
        eq(table.count('<tr class="deleted"'), want,
           "deleted rows of custodian %d" % cid)
        timeline = html.split('id="timeline-%d"' % cid)[1]
        timeline = timeline.split("</table>")[0]
        eq(timeline.count("<tr class="), {1: 3, 2: 1}[cid],
           "timeline rows of custodian %d" % cid)
    eq(html.count('class="deleted-only"'), 2, "filter checkboxes")
    for mid in MESSAGES:
        assert 'id="msg-%d"' % mid in html, "timeline anchor %d" % mid
    # Every finding link points at a timeline row.
    for target in re.findall(r'href="#(msg-\d+)"', html):
        assert 'id="%s"' % target in html, "dangling link " + target


def test_report_rejects_foreign_files():
    db = reportcase.build()
    out = os.path.join(os.path.dirname(db), "report")
    os.makedirs(out)
    mine = os.path.join(out, "report.html")
    with open(mine, "w") as f:
        f.write("examiner notes\n")
    proc = mtlib.run("report", db, "-o", out, expect=3)
    assert "was not written by mailtrail report" in proc.stderr, proc.stderr
    eq(read_text(mine), "examiner notes\n", "foreign file untouched")
    eq(os.listdir(out), ["report.html"], "nothing written beside it")
    os.remove(mine)
    os.symlink("/etc/passwd", os.path.join(out, "findings.csv"))
    proc = mtlib.run("report", db, "-o", out, expect=3)
    assert "not a regular file" in proc.stderr, proc.stderr
    eq(os.readlink(os.path.join(out, "findings.csv")), "/etc/passwd",
       "symlink untouched")


def test_report_rerun_replaces_own_files():
    db = reportcase.build()
    out, _ = report(db)
    before = read_text(os.path.join(out, "timeline.csv"))
    report(db)
    eq(read_text(os.path.join(out, "timeline.csv")), before, "same rows")
    leftovers = [n for n in os.listdir(out) if n.startswith(".")]
    eq(leftovers, [], "temporary files left")
    eq(scalar(db, "SELECT count(*) FROM run"), 2, "two runs recorded")


def test_report_usage_errors():
    db = reportcase.build()
    proc = mtlib.run("report", db, expect=1)
    assert "-o DIR" in proc.stderr, proc.stderr
    missing = os.path.join(os.path.dirname(db), "missing.db")
    proc = mtlib.run("report", missing, "-o", mtlib.tmpdir(), expect=3)
    assert "missing.db" in proc.stderr, proc.stderr
    assert not os.path.exists(missing), "report created a database"


def _write_hostile_mbox(path):
    def one(n, date, to, subject, extra=""):
        return ("From alice@corp.example Tue Mar  5 14:00:00 2024\n"
                "From: Alice <alice@corp.example>\nTo: %s\n"
                "Subject: %s\nDate: %s\nMessage-ID: <%d@corp.example>\n"
                "%s\nbody %d\n\n" % (to, subject, date, n, extra, n))
    text = (one(1, "Tue, 05 Mar 2024 15:00:00 +0100", "carol@ext.example",
                "<img src=x onerror=alert(1)>") +
            one(2, "Tue, 05 Mar 2024 09:00:00 -0500", "dave@ext.example",
                "=cmd|' /C calc'!A0", "X-Mozilla-Status: 0009\n"))
    with open(path, "w") as f:
        f.write(text)


def test_report_from_ingested_mbox():
    d = mtlib.tmpdir()
    mbox = os.path.join(d, "sent.mbox")
    _write_hostile_mbox(mbox)
    db = mtlib.ingest(mbox, "-c", "Alice <alice@corp.example>", "-i",
                      "corp.example")
    out, _ = report(db)
    rows = read_csv(os.path.join(out, "timeline.csv"))
    # Both were sent at 14:00 UTC; ties are ordered by database id.
    eq([r["sent_utc"] for r in rows], ["2024-03-05T14:00:00Z"] * 2, "UTC")
    eq([r["sent_local"] for r in rows],
       ["2024-03-05T15:00:00+01:00", "2024-03-05T09:00:00-05:00"], "local")
    eq([r["subject"] for r in rows],
       ["<img src=x onerror=alert(1)>", "'=cmd|' /C calc'!A0"], "subjects")
    eq([r["status"] for r in rows], ["allocated", "expunged"], "status")
    eq([r["locator"] for r in rows], [r["locator"] for r in rows if
                                      r["locator"]], "locator present")
    assert all(r["evidence_file"] == mbox for r in rows), rows
    html = read_text(os.path.join(out, "report.html"))
    assert "&lt;img src=x onerror=alert(1)&gt;" in html, "escaped"
    assert "<img" not in html, "no image element from mail"


def test_report_shared_case_outbound_timeline():
    case = mtlib.shared("cases", "17-bcc-sent-items")
    with open(os.path.join(case, "expected.json")) as f:
        expected = json.load(f)
    db = mtlib.ingest(os.path.join(case, "maildir"), "-c",
                      "Rita <%s>" % expected["custodian"])
    out, _ = report(db)
    rows = read_csv(os.path.join(out, "timeline.csv"))
    got = []
    for r in rows:
        addresses = set()
        for kind in ("to", "cc", "bcc"):
            for part in r[kind].split("; "):
                m = re.search(r"<([^>]+)>$", part)
                addr = m.group(1) if m else part
                if addr and addr != expected["custodian"]:
                    addresses.add(addr)
        got.append({"message_id": r["message_id"],
                    "date_utc": r["sent_utc"],
                    "recipients": sorted(addresses)})
    want = [dict(t, recipients=sorted(t["recipients"]))
            for t in expected["timeline_outbound"]]
    eq(got, want, "outbound timeline of the shared case")


CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu",
    "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-default-apps",
    "--disable-extensions", "--no-pings", "--disable-domain-reliability",
    # Anything Chromium tries to fetch goes to a closed local port.
    "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
    "--enable-logging=stderr", "--v=0",
]


def _chromium(html_path, *extra):
    profile = tempfile.mkdtemp(prefix="mt-chromium-")
    proc = subprocess.run(["chromium", *CHROMIUM_FLAGS,
                           "--user-data-dir=" + profile, *extra,
                           "file://" + html_path],
                          capture_output=True, text=True, timeout=120)
    eq(proc.returncode, 0, "chromium exit status\n" + proc.stderr[-2000:])
    return proc


def _page_requests(netlog_path):
    """Return the URLs the page itself requested (initiator is an origin).

    Chromium's own background requests carry the initiator 'not an
    origin'; a request made by a file:// page carries 'null'."""
    with open(netlog_path) as f:
        log = json.load(f)
    names = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    urls = []
    for ev in log["events"]:
        params = ev.get("params", {})
        if names.get(ev["type"]) == "URL_REQUEST_START_JOB" and \
                params.get("initiator") not in (None, "not an origin"):
            urls.append(params.get("url"))
    return urls


def test_report_renders_offline_in_chromium():
    db = reportcase.build()
    out, _ = report(db)
    html_path = os.path.join(out, "report.html")
    work = mtlib.tmpdir()
    netlog = os.path.join(work, "net.json")
    proc = _chromium(html_path, "--dump-dom", "--log-net-log=" + netlog)
    console = [line for line in proc.stderr.splitlines()
               if ":CONSOLE" in line]
    eq(console, [], "console messages")
    eq(_page_requests(netlog), [], "requests made by the page")
    dom = proc.stdout
    assert re.search(r'<body[^>]*class="js"', dom), "script ran"
    for name in reportcase.CUSTODIANS.values():
        escaped = name.replace("<", "&lt;").replace(">", "&gt;")
        assert "Custodian " + escaped in dom, "custodian " + name
    eq(dom.count('class="chart-heatmap"'), 2, "heat maps in the DOM")
    eq(dom.count('class="cell"'), 2 * 7 * 24, "heat map cells")
    eq(dom.count('<tr class="deleted" id="msg-'), 3, "deleted rows")
    eq(dom.count('<tr class="live" id="msg-'), 1, "live rows")
    assert "<script>alert(1)" not in dom, "mail subject became markup"
    shot = os.path.join(work, "report.png")
    _chromium(html_path, "--screenshot=" + shot, "--window-size=1280,2000")
    with open(shot, "rb") as f:
        eq(f.read(8), b"\x89PNG\r\n\x1a\n", "screenshot is a PNG")
    pdf = os.path.join(work, "report.pdf")
    _chromium(html_path, "--print-to-pdf=" + pdf, "--no-pdf-header-footer")
    with open(pdf, "rb") as f:
        data = f.read()
    eq(data[:5], b"%PDF-", "printed report is a PDF")
    pages = re.findall(rb"/Type\s*/Page\b(?!s)", data)
    # Summary and two custodian sections each start a new page.
    assert len(pages) >= 3, "printed pages: %d" % len(pages)


def test_report_html_row_limit():
    db = reportcase.build()
    out, _ = report(db, "--html-max-rows", "1")
    html = read_text(os.path.join(out, "report.html"))
    alice = html.split('id="timeline-1"')[1].split("</table>")[0]
    eq(alice.count("<tr class="), 1, "rows in alice's timeline")
    assert "shows the first 1 of 3 rows" in html, "limit note, timeline"
    assert "shows the first 1 of 2 rows" in html, "limit note, deleted"
    eq(html.count("This table shows the first"), 2, "notes only where cut")
    for target in re.findall(r'href="#(msg-\d+)"', html):
        assert 'id="%s"' % target in html, "dangling link " + target
    eq(len(read_csv(os.path.join(out, "timeline.csv"))), 4,
       "the CSV keeps every row")
    proc = report(db, "--html-max-rows", "-5", expect=1)[1]
    assert "invalid --html-max-rows '-5'" in proc.stderr, proc.stderr


def test_report_findings_failure_recorded():
    db = reportcase.build()
    # An option naming no custodian is the examiner's to fix: status 1.
    out, proc = report(db, "--timezone", "nobody=UTC", expect=1)
    assert "no report was written" in proc.stderr, proc.stderr
    assert not os.path.exists(os.path.join(out, "report.html")), \
        "report written after findings failed"
    eq(query(db, "SELECT exit_status, end_utc IS NOT NULL FROM run"),
       [(1, 1)], "failed run recorded")


# Appended to a copy of report.html: counts alice's visible live rows,
# ticks her 'deleted only' checkbox and counts them again.
CHECKBOX_PROBE = """<script>
function visibleLive(section) {
  var n = 0;
  section.querySelectorAll('table.timeline tr.live').forEach(function (r) {
    if (getComputedStyle(r).display !== 'none') n++;
  });
  return n;
}
var box = document.getElementById('custodian-1').closest('section')
  .querySelector('input.deleted-only');
var section = box.closest('section');
document.body.setAttribute('data-before', visibleLive(section));
box.checked = true;
box.dispatchEvent(new Event('change'));
document.body.setAttribute('data-after', visibleLive(section));
document.body.setAttribute('data-deleted-shown',
  section.querySelectorAll('table.timeline tr.deleted').length);
</script>"""


def test_report_checkbox_hides_live_rows():
    db = reportcase.build()
    out, _ = report(db)
    html = read_text(os.path.join(out, "report.html"))
    probe = os.path.join(mtlib.tmpdir(), "probe.html")
    with open(probe, "w", encoding="utf-8") as f:
        f.write(html.replace("</body>", CHECKBOX_PROBE + "</body>"))
    dom = _chromium(probe, "--dump-dom").stdout
    body = re.search(r"<body[^>]*>", dom).group(0)
    assert 'data-before="1"' in body, body
    assert 'data-after="0"' in body, body
    # Alice's 2 deleted rows, in the timeline and in the deleted table.
    assert 'data-deleted-shown="4"' in body, body


def test_report_shared_pst_evidence_and_reconcile():
    """Counts from pffexport in the shared EXPECTED.md: Inbox 8 and Sent
    Items 6 messages; hash and size are computed here."""
    import hashlib
    pst = mtlib.shared("fixtures", "pst", "aspose_Outlook.pst")
    db = mtlib.ingest(pst, expect=(0, 2))
    out, _ = report(db)
    evidence = read_csv(os.path.join(out, "evidence.csv"))
    eq(len(evidence), 1, "evidence rows")
    with open(pst, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    eq(evidence[0]["sha256_before"], digest, "SHA-256 before")
    eq(evidence[0]["sha256_after"], digest, "SHA-256 after")
    eq(evidence[0]["hashes_match"], "yes", "hashes match")
    eq(int(evidence[0]["size"]), os.path.getsize(pst), "size")
    recon = {r["folder"]: r for r in
             read_csv(os.path.join(out, "reconcile.csv"))}
    for folder, count in (("Top of Personal Folders/Inbox", "8"),
                          ("Top of Personal Folders/Sent Items", "6")):
        eq(recon[folder]["declared_count"], count, folder + " declared")
        eq(recon[folder]["extracted_count"], count, folder + " extracted")
        eq(recon[folder]["unaccounted"], "0", folder + " unaccounted")
    html = read_text(os.path.join(out, "report.html"))
    assert digest in html, "evidence hash in the HTML summary"
