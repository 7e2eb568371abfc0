"""End-to-end tests of mail server log and flow ingest (extract/log*.c).

Each test writes a small log in a documented format, ingests it and
checks the rows against values read off the log text itself.  The shared
fixtures are checked against the counts in their EXPECTED.md.
"""
import calendar
import gzip
import os
import subprocess

import mtlib

# RFC 3164 lines carry no year.  MAILTRAIL_LOG_YEAR names the year the
# log ends in (or the day it was collected), and without it the file's
# mtime is taken as the time of its last line.  Tests run in parallel
# threads, so each run gets its own environment (ingest_env) and none
# changes os.environ.
os.environ.pop("MAILTRAIL_LOG_YEAR", None)
os.environ.pop("MAILTRAIL_LOG_TZ", None)


def ingest_env(paths, env, *extra, expect=(0,), db=None):
    """Ingest paths like mtlib.ingest with env added to the environment;
    return (database path, CompletedProcess)."""
    if db is None:
        db = os.path.join(mtlib.tmpdir(), "case.db")
    if isinstance(paths, str):
        paths = [paths]
    proc = subprocess.run([mtlib.BINARY, "ingest", db] + list(paths) +
                          list(extra), capture_output=True, text=True,
                          timeout=900, env=dict(os.environ, **env))
    if expect is not None and proc.returncode not in expect:
        raise AssertionError("mailtrail ingest exited %d, expected %s\n%s"
                             % (proc.returncode, expect, proc.stderr[-3000:]))
    return db, proc

POSTFIX = """\
Dec 31 23:58:01 mx1 postfix/smtpd[101]: connect from ws23.corp.example[10.0.0.23]
Dec 31 23:58:02 mx1 postfix/smtpd[101]: 4A1B2C3D4E: client=ws23.corp.example[10.0.0.23], sasl_method=PLAIN, sasl_username=alice
Dec 31 23:58:02 mx1 postfix/cleanup[102]: 4A1B2C3D4E: message-id=<q1@corp.example>
Dec 31 23:58:02 mx1 postfix/cleanup[102]: 4A1B2C3D4E: warning: header Subject: Q1 numbers from ws23.corp.example[10.0.0.23]; from=<alice@corp.example> to=<bob@partner.test> proto=ESMTP helo=<ws23>
Dec 31 23:58:03 mx1 postfix/qmgr[103]: 4A1B2C3D4E: from=<Alice@corp.example>, size=48213, nrcpt=3 (queue active)
Dec 31 23:58:04 mx1 postfix/smtp[104]: 4A1B2C3D4E: to=<bob@partner.test>, relay=mx.partner.test[203.0.113.25]:25, delay=2, delays=0.1/0/1/0.9, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 99ZZ)
Dec 31 23:58:04 mx1 postfix/smtp[104]: 4A1B2C3D4E: to=<eve@freemail.test>, relay=mx.freemail.test[198.51.100.7]:25, delay=2, dsn=4.4.1, status=deferred (connect to mx.freemail.test[198.51.100.7]:25: Connection timed out)
Dec 31 23:58:05 mx1 postfix/local[105]: 4A1B2C3D4E: to=<carol@corp.example>, relay=local, delay=3, dsn=2.0.0, status=sent (delivered to mailbox)
Jan  1 00:08:04 mx1 postfix/smtp[104]: 4A1B2C3D4E: to=<eve@freemail.test>, relay=mx.freemail.test[198.51.100.7]:25, delay=602, dsn=2.0.0, status=sent (250 ok)
Jan  1 00:08:04 mx1 postfix/qmgr[103]: 4A1B2C3D4E: removed
this line is damaged and not syslog
Jan  1 00:09:00 mx1 postfix/smtpd[101]: NOQUEUE: reject: MAIL from ws23.corp.example[10.0.0.23]: 552 5.3.4 Message size exceeds fixed limit; from=<alice@corp.example> proto=ESMTP helo=<ws23>
Jan  1 00:09:30 mx1 kernel: [1234.5] eth0: link up
Jan  1 00:10:00 mx1 postfix/smtpd[101]: disconnect from ws23.corp.example[10.0.0.23] ehlo=1 mail=1 rcpt=3 data=1 quit=1 commands=7
Jan  1 00:10:01 mx1 postfix/smtpd[101]: 5B6C7D8E9F: client=ws23.corp.example[10.0.0.23]
Jan  1 00:10:01 mx1 postfix/qmgr[103]: 5B6C7D8E9F: from=<alice@corp.example>, size=900, nrcpt=1 (queue active)
Jan  1 00:10:02 mx1 postfix/smtp[104]: 5B6C7D8E9F: to=<dave@other.test>, relay=mx.other.test[192.0.2.9]:25, delay=1, dsn=5.1.1, status=bounced (host mx.other.test[192.0.2.9] said: 550 5.1.1 unknown user)
Jan  1 00:10:03 mx1 postfix/qmgr[103]: 5B6C7D8E9F: removed
Jan  1 00:11:00 mx1 postfix/smtpd[101]: 6C7D8E9F0A: client=ws23.corp.example[10.0.0.23]
Jan  1 00:11:01 mx1 postfix/qmgr[103]: 6C7D8E9F0A: from=<alice@corp.example>, size=1200, nrcpt=1 (queue active)
Jan  1 00:11:0"""


def utc(y, mo, d, h, mi, s):
    return calendar.timegm((y, mo, d, h, mi, s, 0, 0, 0))


def write(path, text, mode="w"):
    with open(path, mode) as f:
        f.write(text)
    return path


def ingest_one(path, *extra, expect=(0, 2)):
    db = mtlib.ingest(path, *extra, expect=expect)
    return db


def set_mtime(path, when):
    os.utime(path, (when, when))
    return path


def test_logs_postfix_join_and_year_turnover():
    d = mtlib.tmpdir()
    path = write(os.path.join(d, "maillog"), POSTFIX)
    db = ingest_one(set_mtime(path, utc(2025, 1, 1, 0, 12, 0)))
    q = lambda sql: mtlib.query(db, sql)
    mtlib.eq(mtlib.scalar(db, "SELECT format FROM evidence"),
             "log-postfix", "format")
    stats = q("SELECT lines_total, lines_blank, lines_comment, lines_parsed,"
              " lines_foreign, lines_unknown, lines_truncated FROM log_stats")
    # 21 lines: 18 Postfix, 1 kernel, 1 damaged, 1 cut off at the end.
    mtlib.eq(stats, [(21, 0, 0, 18, 1, 2, 1)], "line counts")
    msgs = q("SELECT queue_id, from_addr, size, nrcpt, rcpt_count,"
             " delivered_count, message_id, subject, client_ip, sasl_user,"
             " outcome, time_utc, has_start, has_end FROM log_message"
             " ORDER BY line_no")
    mtlib.eq(len(msgs), 3, "joined messages")
    mtlib.eq(msgs[0], ("4A1B2C3D4E", "alice@corp.example", 48213, 3, 3, 3,
                       "q1@corp.example", "Q1 numbers", "10.0.0.23", "alice",
                       "sent", utc(2024, 12, 31, 23, 58, 2), 1, 1),
             "first message")
    mtlib.eq(msgs[1][10], "bounced", "second message outcome")
    mtlib.eq(msgs[2][0], "6C7D8E9F0A", "open message kept")
    mtlib.eq(msgs[2][13], 0, "open message has no end")
    rows = q("SELECT to_addr, status, time_utc, relay_ip, line_no"
             " FROM log_event WHERE kind = 'delivery'"
             " AND queue_id = '4A1B2C3D4E' ORDER BY line_no")
    mtlib.eq(rows, [
        ("bob@partner.test", "sent", utc(2024, 12, 31, 23, 58, 4),
         "203.0.113.25", 6),
        ("eve@freemail.test", "deferred", utc(2024, 12, 31, 23, 58, 4),
         "198.51.100.7", 7),
        ("carol@corp.example", "sent", utc(2024, 12, 31, 23, 58, 5), None, 8),
        # The log turns over into 2025 here.
        ("eve@freemail.test", "sent", utc(2025, 1, 1, 0, 8, 4),
         "198.51.100.7", 9),
    ], "per-recipient deliveries")
    mtlib.eq(q("SELECT kind, from_addr, time_utc FROM log_event"
               " WHERE kind = 'size-limit'"),
             [("size-limit", "alice@corp.example",
               utc(2025, 1, 1, 0, 9, 0))], "size-limit event")
    mtlib.eq(mtlib.scalar(db, "SELECT count(*) FROM anomaly"
                          " WHERE code = 'log-line-unknown'"
                          " AND locator = 'line=11'"), 1, "unknown line")
    mtlib.eq(mtlib.scalar(db, "SELECT count(*) FROM anomaly"
                          " WHERE code = 'log-line-truncated'"), 1,
             "truncated last line")


def test_logs_gzip_rotation_merges_queue_id():
    d = mtlib.tmpdir()
    lines = POSTFIX.splitlines(True)
    older = "".join(lines[:6])     # up to the first delivery
    newer = "".join(lines[6:10])   # the rest of 4A1B2C3D4E
    with gzip.open(os.path.join(d, "maillog.1.gz"), "wt") as f:
        f.write(older)
    set_mtime(os.path.join(d, "maillog.1.gz"), utc(2024, 12, 31, 23, 58, 5))
    write(os.path.join(d, "maillog"), newer)
    set_mtime(os.path.join(d, "maillog"), utc(2025, 1, 1, 0, 8, 5))
    db = mtlib.ingest([os.path.join(d, "maillog.1.gz"),
                       os.path.join(d, "maillog")], expect=(0, 2))
    mtlib.eq(mtlib.scalar(db, "SELECT format_detail FROM evidence"
                          " WHERE path LIKE '%.gz'"), "gzip", "gzip seen")
    live = mtlib.query(db, "SELECT queue_id, from_addr, size,"
                       " delivered_count, outcome, has_end FROM log_message"
                       " WHERE merged_into IS NULL")
    mtlib.eq(live, [("4A1B2C3D4E", "alice@corp.example", 48213, 3, "sent",
                     1)], "message merged across rotation")
    mtlib.eq(mtlib.scalar(db, "SELECT count(*) FROM log_message"
                          " WHERE merged_into IS NOT NULL"), 1, "merged row")


def test_logs_shared_fail2ban_postfix():
    path = mtlib.shared("fixtures", "logs", "fail2ban_postfix.log")
    # The lines are not in time order; fail2ban dated them as collected
    # in mid-August 2005.
    db, _ = ingest_env(path, {"MAILTRAIL_LOG_YEAR": "2005-08-15"},
                       expect=(0, 2))
    # EXPECTED.md: 203 lines, 88 comment lines, 52 blank, 63 records.
    mtlib.eq(mtlib.query(db, "SELECT lines_total, lines_comment,"
                         " lines_blank, lines_parsed, lines_unknown"
                         " FROM log_stats"), [(203, 88, 52, 63, 0)], "counts")
    mtlib.eq(mtlib.scalar(db, "SELECT count(*) FROM log_event"), 63, "rows")
    # Times from the file's own failJSON annotations.
    for line_no, when in ((6, utc(2005, 2, 21, 9, 21, 54)),
                          (93, utc(2004, 12, 30, 18, 19, 15)),
                          (115, utc(2004, 9, 6, 0, 44, 56))):
        mtlib.eq(mtlib.scalar(db, "SELECT time_utc FROM log_event"
                              " WHERE line_no = ?", (line_no,)), when,
                 "time of line %d" % line_no)
    mtlib.eq(mtlib.scalar(db, "SELECT count(*) FROM log_event"
                          " WHERE kind = 'auth-failed'"), 14, "SASL failures")


def test_logs_shared_zeek_smtp():
    db = mtlib.ingest(mtlib.shared("fixtures", "logs", "zeek_smtp.log"))
    mtlib.eq(mtlib.scalar(db, "SELECT format FROM evidence"),
             "log-zeek-smtp", "format")
    rows = mtlib.query(db, "SELECT from_addr, rcpt_count, message_id,"
                       " subject, client_ip, server_ip, time_utc"
                       " FROM log_message ORDER BY line_no")
    mtlib.eq(rows, [
        ("gurpartap@patriots.in", 1, "000301ca4581$ef9e57f0$cedb07d0$@in",
         "SMTP", "10.10.1.4", "74.53.140.153", 1254722768),
        ("albert@example.com", 3,
         "A6202DF2-8E58-4E41-BE0B-C8D3989A4AEE@example.com",
         "Re: Bro SMTP CC Header", "192.168.133.100", "192.168.133.102",
         1437831787),
    ], "smtp transactions")
    mtlib.eq(mtlib.scalar(db, "SELECT count(*) FROM log_event"
                          " WHERE kind = 'delivery'"), 4, "recipients")


SENT_MBOX = """\
From alice@corp.example Tue Mar  5 14:02:00 2024
From: Alice <alice@corp.example>
To: Bob <bob@partner.test>
Subject: Q1 numbers
Date: Tue, 05 Mar 2024 14:02:00 +0000
Message-ID: <m1@corp.example>

numbers attached

From alice@corp.example Tue Mar  5 15:00:00 2024
From: Alice <alice@corp.example>
To: Carol <carol@corp.example>
Bcc: eve@freemail.test
Subject: lunch
Date: Tue, 05 Mar 2024 15:00:00 +0000

see you
"""

# AAAA11111 is m1 (same Message-ID); BBBB22222 logs no Message-ID but
# matches the second mbox message by sender, recipients (the Bcc one
# included), size and time; CCCC33333 is in no mailbox.
SENT_LOG = """\
Mar  5 14:02:01 mx1 postfix/smtpd[1]: AAAA11111: client=ws23[10.0.0.23]
Mar  5 14:02:01 mx1 postfix/cleanup[2]: AAAA11111: message-id=<m1@corp.example>
Mar  5 14:02:01 mx1 postfix/qmgr[3]: AAAA11111: from=<alice@corp.example>, size=500, nrcpt=1 (queue active)
Mar  5 14:02:02 mx1 postfix/smtp[4]: AAAA11111: to=<bob@partner.test>, relay=mx.partner.test[203.0.113.25]:25, delay=1, dsn=2.0.0, status=sent (250 ok)
Mar  5 14:02:02 mx1 postfix/qmgr[3]: AAAA11111: removed
Mar  5 15:00:01 mx1 postfix/smtpd[1]: BBBB22222: client=ws23[10.0.0.23]
Mar  5 15:00:01 mx1 postfix/qmgr[3]: BBBB22222: from=<alice@corp.example>, size=600, nrcpt=2 (queue active)
Mar  5 15:00:02 mx1 postfix/local[5]: BBBB22222: to=<carol@corp.example>, relay=local, delay=1, dsn=2.0.0, status=sent (delivered to mailbox)
Mar  5 15:00:02 mx1 postfix/smtp[4]: BBBB22222: to=<eve@freemail.test>, relay=mx.freemail.test[198.51.100.7]:25, delay=1, dsn=2.0.0, status=sent (250 ok)
Mar  5 15:00:02 mx1 postfix/qmgr[3]: BBBB22222: removed
Mar  5 15:30:00 mx1 postfix/smtpd[1]: CCCC33333: client=ws23[10.0.0.23]
Mar  5 15:30:00 mx1 postfix/cleanup[2]: CCCC33333: message-id=<m3@corp.example>
Mar  5 15:30:00 mx1 postfix/qmgr[3]: CCCC33333: from=<alice@corp.example>, size=7340032, nrcpt=2 (queue active)
Mar  5 15:30:05 mx1 postfix/smtp[4]: CCCC33333: to=<eve@freemail.test>, relay=mx.freemail.test[198.51.100.7]:25, delay=5, dsn=2.0.0, status=sent (250 ok)
Mar  5 15:30:05 mx1 postfix/smtp[4]: CCCC33333: to=<eve2@freemail.test>, relay=mx.freemail.test[198.51.100.7]:25, delay=5, dsn=2.0.0, status=sent (250 ok)
Mar  5 15:30:06 mx1 postfix/qmgr[3]: CCCC33333: removed
"""


def sent_case():
    d = mtlib.tmpdir()
    mbox = write(os.path.join(d, "sent.mbox"), SENT_MBOX)
    log = set_mtime(write(os.path.join(d, "maillog"), SENT_LOG),
                    utc(2024, 3, 5, 23, 0, 0))
    return mtlib.ingest([mbox, log], "-c", "Alice <alice@corp.example>",
                        "-i", "corp.example")


def test_logs_correlation_links_and_sent_deleted():
    db = sent_case()
    links = mtlib.query(db, "SELECT lm.queue_id, m.message_id,"
                        " m.subject, lm.link_basis FROM log_message lm"
                        " LEFT JOIN message m ON m.id = lm.message_ref"
                        " ORDER BY lm.line_no")
    mtlib.eq(links, [
        ("AAAA11111", "m1@corp.example", "Q1 numbers", "message-id"),
        ("BBBB22222", None, "lunch", "sender-recipients-size-time"),
        ("CCCC33333", None, None, None),
    ], "links")
    found = mtlib.query(db, "SELECT kind, severity, subject_value,"
                        " window_start_utc, custodian_id IS NOT NULL"
                        " FROM finding WHERE kind = 'sent-deleted-log'")
    mtlib.eq(found, [("sent-deleted-log", "high", "m3@corp.example",
                      utc(2024, 3, 5, 15, 30, 0), 1)], "one finding")
    explanation = mtlib.scalar(db, "SELECT explanation FROM finding"
                               " WHERE kind = 'sent-deleted-log'")
    for part in ("line 11", "queue id CCCC33333", "7340032 bytes",
                 "eve@freemail.test (sent", "eve2@freemail.test (sent"):
        if part not in explanation:
            raise AssertionError("explanation lacks %r: %s"
                                 % (part, explanation))
    mtlib.eq(mtlib.scalar(db, "SELECT count(*) FROM finding_log fl"
                          " JOIN finding f ON f.id = fl.finding_id"
                          " WHERE f.kind = 'sent-deleted-log'"
                          " AND fl.log_event_id IS NOT NULL"), 2,
             "finding linked to both deliveries")


def test_logs_outbound_view_counts_bcc_fanout():
    db = sent_case()
    rows = mtlib.query(db, "SELECT recipients, external_recipients,"
                       " bytes, linked_message_id IS NOT NULL"
                       " FROM log_outbound ORDER BY time_utc")
    mtlib.eq(rows, [(1, 1, 500, 1), (2, 1, 600, 1), (2, 2, 7340032, 0)],
             "outbound view")
    deliveries = mtlib.query(db, "SELECT to_addr, domain, external"
                             " FROM log_delivery ORDER BY log_event_id")
    mtlib.eq(deliveries, [
        ("bob@partner.test", "partner.test", 1),
        ("carol@corp.example", "corp.example", 0),
        ("eve@freemail.test", "freemail.test", 1),
        ("eve@freemail.test", "freemail.test", 1),
        ("eve2@freemail.test", "freemail.test", 1),
    ], "delivery view")


def test_logs_correlation_reruns_idempotent():
    db = sent_case()
    # Ingesting more evidence runs correlation again over the whole case.
    mtlib.ingest(mtlib.shared("fixtures", "logs", "zeek_smtp.log"), db=db)
    mtlib.eq(mtlib.scalar(db, "SELECT count(*) FROM evidence"), 3,
             "third evidence ingested")
    mtlib.eq(mtlib.scalar(db, "SELECT count(*) FROM finding"
                          " WHERE kind = 'sent-deleted-log'"), 1,
             "findings after a rerun")


EXCHANGE = """\
#Software: Microsoft Exchange Server
#Version: 15.02.1118.007
#Log-type: Message Tracking Log
#Date: 2024-03-05T00:00:02.012Z
#Fields: date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,connector-id,source,event-id,internal-message-id,message-id,network-message-id,recipient-address,recipient-status,total-bytes,recipient-count,related-recipient-address,reference,message-subject,sender-address,return-path,message-info,directionality,tenant-id,original-client-ip,original-server-ip,custom-data,transport-traffic-type,log-id,schema-version
2024-03-05T14:02:11.123Z,,EX01.corp.example,10.0.0.10,EX01,MDB:1234,,STOREDRIVER,RECEIVE,1001,<AM0PR01@corp.example>,1111-2222,bob@partner.test;eve@freemail.test;carol@corp.example,,48213,3,,,"Q1 numbers, final",alice@corp.example,alice@corp.example,,Originating,,10.0.0.23,,,Email,1,15.02.1118.007
2024-03-05T14:02:12.500Z,10.0.0.10,EX01,203.0.113.25,mx.partner.test,,Outbound,SMTP,SEND,1001,<AM0PR01@corp.example>,1111-2222,bob@partner.test;eve@freemail.test,250 2.0.0 OK;250 2.0.0 queued,48213,2,,,"Q1 numbers, final",alice@corp.example,alice@corp.example,,Originating,,10.0.0.23,,,Email,2,15.02.1118.007
2024-03-05T14:02:12.700Z,,,10.0.0.10,EX01,,,STOREDRIVER,DELIVER,1001,<AM0PR01@corp.example>,1111-2222,carol@corp.example,250 2.1.5 Delivered,48213,1,,,"Q1 numbers, final",alice@corp.example,alice@corp.example,,Originating,,10.0.0.23,,,Email,3,15.02.1118.007
2024-03-05T15:30:00.000Z,,EX01.corp.example,10.0.0.10,EX01,MDB:1234,,STOREDRIVER,RECEIVE,1002,<BIG01@corp.example>,3333,dave@other.test,,31457280,1,,,Archive,alice@corp.example,alice@corp.example,,Originating,,10.0.0.23,,,Email,4,15.02.1118.007
2024-03-05T15:30:05.000Z,,,10.0.0.10,EX01,,,SMTP,FAIL,1002,<BIG01@corp.example>,3333,dave@other.test,550 5.3.4 ROUTING.SizeLimit; message size exceeds fixed maximum size,31457280,1,,,Archive,alice@corp.example,alice@corp.example,,Originating,,10.0.0.23,,,Email,5,15.02.1118.007
2024-03-05T15:31:00.000Z,broken row
"""


def test_logs_exchange_tracking():
    d = mtlib.tmpdir()
    db = mtlib.ingest(write(os.path.join(d, "MSGTRK2024030501-1.LOG"),
                            EXCHANGE), "-c", "Alice <alice@corp.example>",
                      "-i", "corp.example", expect=(0, 2))
    mtlib.eq(mtlib.scalar(db, "SELECT format FROM evidence"),
             "log-exchange", "format")
    mtlib.eq(mtlib.query(db, "SELECT lines_total, lines_comment,"
                         " lines_parsed, lines_unknown FROM log_stats"),
             [(11, 5, 5, 1)], "line counts")
    msgs = mtlib.query(db, "SELECT queue_id, message_id, from_addr, size,"
                       " rcpt_count, delivered_count, subject, client_ip,"
                       " outcome, time_utc FROM log_message ORDER BY line_no")
    mtlib.eq(msgs, [
        ("1001", "AM0PR01@corp.example", "alice@corp.example", 48213, 3, 3,
         "Q1 numbers, final", "10.0.0.23", "sent",
         utc(2024, 3, 5, 14, 2, 11)),
        ("1002", "BIG01@corp.example", "alice@corp.example", 31457280, 1, 0,
         "Archive", "10.0.0.23", "rejected", utc(2024, 3, 5, 15, 30, 0)),
    ], "messages")
    mtlib.eq(mtlib.query(db, "SELECT to_addr, status, detail FROM log_event"
                         " WHERE kind = 'delivery' ORDER BY id"), [
        ("bob@partner.test", "send", "250 2.0.0 OK"),
        ("eve@freemail.test", "send", "250 2.0.0 queued"),
        ("carol@corp.example", "deliver", "250 2.1.5 Delivered"),
    ], "deliveries")
    alerts = mtlib.query(db, "SELECT kind, subject_value, severity FROM"
                         " finding WHERE kind = 'log-size-alert'")
    mtlib.eq(alerts, [("log-size-alert", "alice@corp.example", "medium")],
             "size alert")


M365 = '''\
#TYPE Deserialized.Microsoft.Exchange.Management.FfoReporting.MessageTrace
"Organization","MessageId","Received","SenderAddress","RecipientAddress","Subject","Status","ToIP","FromIP","Size","MessageTraceId","StartDate","EndDate","Index"
"corp.onmicrosoft.com","<CAF1@mail.corp.example>","3/5/2024 2:02:11 PM","Alice@corp.example","bob@partner.test","=HYPERLINK(""http://x"")","Delivered","203.0.113.25","10.0.0.23","48213","aaaa-1111","3/4/2024 12:00:00 AM","3/6/2024 12:00:00 AM","0"
"corp.onmicrosoft.com","<CAF1@mail.corp.example>","3/5/2024 2:02:11 PM","Alice@corp.example","eve@freemail.test","=HYPERLINK(""http://x"")","Delivered","203.0.113.26","10.0.0.23","48213","aaaa-1111","3/4/2024 12:00:00 AM","3/6/2024 12:00:00 AM","1"
"corp.onmicrosoft.com","<CAF2@mail.corp.example>","2024-03-05T23:59:59Z","alice@corp.example","x@partner.test","Hi","Failed","","10.0.0.23","100","bbbb","3/4/2024 12:00:00 AM","3/6/2024 12:00:00 AM","2"
"corp.onmicrosoft.com","<CAF3@mail.corp.example>","13/45/2024 2:02:11 PM","alice@corp.example","x@partner.test","Hi","Failed","","10.0.0.23","100","cccc","3/4/2024 12:00:00 AM","3/6/2024 12:00:00 AM","3"
'''


def test_logs_m365_message_trace():
    d = mtlib.tmpdir()
    db = mtlib.ingest(write(os.path.join(d, "trace.csv"), M365),
                      expect=(0, 2))
    mtlib.eq(mtlib.scalar(db, "SELECT format FROM evidence"), "log-m365",
             "format")
    mtlib.eq(mtlib.query(db, "SELECT lines_total, lines_comment,"
                         " lines_parsed, lines_unknown FROM log_stats"),
             [(6, 2, 3, 1)], "line counts")
    msgs = mtlib.query(db, "SELECT queue_id, message_id, from_addr, size,"
                       " rcpt_count, delivered_count, subject, outcome,"
                       " time_utc FROM log_message ORDER BY line_no")
    mtlib.eq(msgs, [
        ("aaaa-1111", "CAF1@mail.corp.example", "alice@corp.example", 48213,
         2, 2, '=HYPERLINK("http://x")', "sent", utc(2024, 3, 5, 14, 2, 11)),
        ("bbbb", "CAF2@mail.corp.example", "alice@corp.example", 100, 1, 0,
         "Hi", "bounced", utc(2024, 3, 5, 23, 59, 59)),
    ], "messages")


NFDUMP_HEADER = ("ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt,"
                 "in,out,sas,das,smk,dmk,dtos,dir,nh,nhb,svln,dvln,ismc,odmc,"
                 "idmc,osmc,mpls1,mpls2,mpls3,mpls4,mpls5,mpls6,mpls7,mpls8,"
                 "mpls9,mpls10,cl,sl,al,ra,eng,exid,tr\n")


def nfdump_row(ts, sa, da, sp, dp, pr, ibyt):
    tail = ",0,0,0,0,0,0,0,0,0.0.0.0,0.0.0.0,0,0" + ",00:00:00:00:00:00" * 4 \
        + ",0-0-0" * 10 + ",0.000,0.000,0.000,127.0.0.1,0/0,0," + ts + "\n"
    return "%s,%s,1.000,%s,%s,%d,%d,%s,.AP.SF,0,0,10,%d,5,900%s" % (
        ts, ts, sa, da, sp, dp, pr, ibyt, tail)


def test_logs_nfdump_flows_and_unaccounted():
    d = mtlib.tmpdir()
    flows = NFDUMP_HEADER
    # 10.0.0.23 sends 5 MiB straight to an outside MX and 2 MiB to a
    # submission port; 10.0.0.5 submits 30000 bytes; port 443 is no SMTP.
    flows += nfdump_row("2024-03-05 14:02:11", "10.0.0.23", "203.0.113.25",
                        50312, 25, "TCP", 5242880)
    flows += nfdump_row("2024-03-05 14:40:00", "10.0.0.23", "203.0.113.25",
                        50313, 587, "TCP", 2097152)
    flows += nfdump_row("2024-03-05 15:10:00", "10.0.0.23", "198.51.100.7",
                        50400, 443, "TCP", 999999)
    flows += nfdump_row("2024-03-05 15:20:00", "10.0.0.5", "10.0.0.2",
                        50500, 587, "TCP", 30000)
    flows += "garbage,line\nSummary\nflows,bytes,packets\n4,8370031,40\n"
    flow_path = write(os.path.join(d, "flows.csv"), flows)
    log_path = set_mtime(write(os.path.join(d, "maillog"), SENT_LOG),
                         utc(2024, 3, 5, 23, 0, 0))
    db = mtlib.ingest([flow_path, log_path], expect=(0, 2))
    mtlib.eq(mtlib.query(db, "SELECT lines_total, lines_comment,"
                         " lines_parsed, lines_unknown FROM log_stats"
                         " WHERE format = 'log-nfdump'"),
             [(9, 4, 4, 1)], "line counts")
    mtlib.eq(mtlib.query(db, "SELECT host, server, port, hour_utc, bytes,"
                         " flows FROM log_flow ORDER BY id"), [
        ("10.0.0.23", "203.0.113.25", 25, utc(2024, 3, 5, 14, 0, 0),
         5242880, 1),
        ("10.0.0.23", "203.0.113.25", 587, utc(2024, 3, 5, 14, 0, 0),
         2097152, 1),
        ("10.0.0.5", "10.0.0.2", 587, utc(2024, 3, 5, 15, 0, 0), 30000, 1),
    ], "flow totals")
    # The log accounts for 500 + 600 + 7340032 bytes from 10.0.0.23, so
    # only 10.0.0.5 (30000 bytes, nothing logged) stays under the
    # threshold and 10.0.0.23 is accounted for.
    mtlib.eq(mtlib.scalar(db, "SELECT count(*) FROM finding"
                          " WHERE kind = 'flow-unaccounted'"), 0,
             "accounted hosts")


def test_logs_flow_unaccounted_host():
    d = mtlib.tmpdir()
    flows = NFDUMP_HEADER + nfdump_row("2024-03-05 15:05:00", "10.0.0.99",
                                       "203.0.113.25", 50312, 25, "TCP",
                                       20971520)
    flow_path = write(os.path.join(d, "flows.csv"), flows)
    log_path = set_mtime(write(os.path.join(d, "maillog"), SENT_LOG),
                         utc(2024, 3, 5, 23, 0, 0))
    db = mtlib.ingest([flow_path, log_path])
    rows = mtlib.query(db, "SELECT subject_value, severity,"
                       " window_start_utc FROM finding"
                       " WHERE kind = 'flow-unaccounted'")
    mtlib.eq(rows, [("10.0.0.99", "high", utc(2024, 3, 5, 15, 0, 0))],
             "unaccounted host")
    mtlib.eq(mtlib.scalar(db, "SELECT count(*) FROM finding_log fl JOIN"
                          " finding f ON f.id = fl.finding_id WHERE"
                          " f.kind = 'flow-unaccounted'"
                          " AND fl.log_flow_id IS NOT NULL"), 1, "flow row")


ZEEK_CONN_JSON = """\
{"ts":1709647331.5,"uid":"C1","id.orig_h":"10.0.0.23","id.orig_p":50312,"id.resp_h":"203.0.113.25","id.resp_p":465,"proto":"tcp","service":"ssl","orig_bytes":4000000,"resp_bytes":9000,"conn_state":"SF"}
{"ts":1709647400.0,"uid":"C2","id.orig_h":"10.0.0.23","id.orig_p":50313,"id.resp_h":"203.0.113.25","id.resp_p":465,"proto":"tcp","orig_bytes":1000,"conn_state":"SF"}
{"ts":1709647500.0,"uid":"C3","id.orig_h":"10.0.0.23","id.orig_p":50314,"id.resp_h":"198.51.100.7","id.resp_p":443,"proto":"tcp","orig_bytes":77,"conn_state":"SF"}
{"ts":1709647500.0,"uid":"C4","id.orig_h
"""


def test_logs_zeek_conn_json():
    d = mtlib.tmpdir()
    db = mtlib.ingest(write(os.path.join(d, "conn.log"), ZEEK_CONN_JSON),
                      expect=(0, 2))
    mtlib.eq(mtlib.scalar(db, "SELECT format FROM evidence"),
             "log-zeek-conn", "format")
    mtlib.eq(mtlib.query(db, "SELECT lines_parsed, lines_unknown"
                         " FROM log_stats"), [(3, 1)], "line counts")
    mtlib.eq(mtlib.query(db, "SELECT host, server, port, hour_utc, bytes,"
                         " flows FROM log_flow"),
             [("10.0.0.23", "203.0.113.25", 465, utc(2024, 3, 5, 14, 0, 0),
               4001000, 2)], "flows")


SENDMAIL_5424 = """\
<22>1 2024-03-05T15:02:11.120+01:00 mail sendmail 812 - - 424E2B3P012345: from=<Alice@corp.example>, size=2048, class=0, nrcpts=2, msgid=<sm1@corp.example>, proto=ESMTP, daemon=MTA, relay=ws23.corp.example [10.0.0.23]
<22>1 2024-03-05T15:02:12.000+01:00 mail sendmail 813 - - 424E2B3P012345: to=<bob@partner.test>,<eve@freemail.test>, delay=00:00:01, xdelay=00:00:01, mailer=esmtp, pri=120048, relay=mx.partner.test. [203.0.113.25], dsn=2.0.0, stat=Sent (ok 1234)
<22>1 2024-03-05T15:02:13.000+01:00 mail sendmail 814 - [meta sequenceId="3" note="a \\] b"][x@1 y="z"] 424E2B3P012346: ruleset=check_rcpt, arg1=<x@nowhere.test>, relay=ws23.corp.example [10.0.0.23], reject=550 5.7.1 <x@nowhere.test>... Relaying denied
"""


def test_logs_sendmail_rfc5424():
    d = mtlib.tmpdir()
    db = mtlib.ingest(write(os.path.join(d, "maillog"), SENDMAIL_5424))
    mtlib.eq(mtlib.scalar(db, "SELECT format FROM evidence"),
             "log-sendmail", "format")
    msg = mtlib.query(db, "SELECT from_addr, size, nrcpt, message_id,"
                      " client_ip, delivered_count, outcome, time_utc"
                      " FROM log_message WHERE queue_id = '424E2B3P012345'")
    mtlib.eq(msg, [("alice@corp.example", 2048, 2, "sm1@corp.example",
                    "10.0.0.23", 2, "sent", utc(2024, 3, 5, 14, 2, 11))],
             "sendmail message")
    mtlib.eq(mtlib.query(db, "SELECT to_addr, status, relay, relay_ip,"
                         " offset_min FROM log_event"
                         " WHERE kind = 'delivery' ORDER BY to_addr"), [
        ("bob@partner.test", "Sent", "mx.partner.test. [203.0.113.25]",
         "203.0.113.25", 60),
        ("eve@freemail.test", "Sent", "mx.partner.test. [203.0.113.25]",
         "203.0.113.25", 60),
    ], "one delivery per listed recipient")
    mtlib.eq(mtlib.query(db, "SELECT kind, to_addr FROM log_event"
                         " WHERE queue_id = '424E2B3P012346'"),
             [("reject", "x@nowhere.test")], "ruleset reject")
    # Every time carried its year, so no year was guessed.
    mtlib.eq(mtlib.scalar(db, "SELECT year_basis FROM log_stats"), None,
             "year basis")
    mtlib.eq(mtlib.scalar(db, "SELECT count(*) FROM anomaly"
                          " WHERE code = 'log-year-from-mtime'"), 0,
             "no year note")


def test_logs_damaged_lines_counted_not_fatal():
    d = mtlib.tmpdir()
    good = SENT_LOG.splitlines(True)
    text = ("\0\0\0\0" + good[0] + "garbage one\n" + "".join(good[1:5]) +
            "x" * 70000 + "\n" + "garbage two\n" + "".join(good[5:]))
    path = set_mtime(write(os.path.join(d, "maillog"), text),
                     utc(2024, 3, 5, 23, 0, 0))
    db = mtlib.ingest(path, expect=2)
    mtlib.eq(mtlib.query(db, "SELECT lines_total, lines_parsed,"
                         " lines_unknown, lines_truncated FROM log_stats"),
             [(19, 16, 3, 1)], "line counts")
    unknown = mtlib.query(db, "SELECT detail, byte_offset, locator"
                          " FROM anomaly WHERE code = 'log-line-unknown'")
    mtlib.eq(len(unknown), 1, "one anomaly per kind")
    mtlib.eq(unknown[0][2], "line=2", "first unknown line")
    mtlib.eq(unknown[0][1], 4 + len(good[0]), "its byte offset")
    if not unknown[0][0].startswith("3 line(s)"):
        raise AssertionError("count missing: %s" % unknown[0][0])
    mtlib.eq(mtlib.scalar(db, "SELECT count(*) FROM anomaly"
                          " WHERE code = 'log-nul-bytes'"), 1, "NUL note")
    mtlib.eq(mtlib.scalar(db, "SELECT count(*) FROM log_message"
                          " WHERE outcome = 'sent'"), 3, "messages kept")


def test_logs_rejected_attachment_finding():
    d = mtlib.tmpdir()
    text = ("Mar  5 16:00:00 mx1 postfix/cleanup[2]: DDDD44444: reject: "
            "header Content-Disposition: attachment; filename=\"plans.exe\""
            " from ws23[10.0.0.23]; from=<alice@corp.example> "
            "to=<eve@freemail.test> proto=ESMTP helo=<ws23>: 5.7.1 "
            "Attachment type not allowed\n"
            "Mar  5 16:00:01 mx1 postfix/cleanup[2]: EEEE55555: reject: "
            "header Content-Disposition: attachment; filename=\"x.exe\""
            " from mx.out[192.0.2.1]; from=<spam@outside.test> "
            "to=<alice@corp.example> proto=ESMTP helo=<out>: 5.7.1 "
            "Attachment type not allowed\n")
    path = set_mtime(write(os.path.join(d, "maillog"), text),
                     utc(2024, 3, 5, 23, 0, 0))
    db = mtlib.ingest(path, "-i", "corp.example")
    # Only the internal sender's rejection is a finding.
    mtlib.eq(mtlib.query(db, "SELECT subject_value FROM finding"
                         " WHERE kind = 'log-rejected-attachment'"),
             [("alice@corp.example",)], "attachment finding")


def test_logs_demo_case_log_only_mail():
    """The demo organisation's maillog: the messages truth.json lists as
    log-only are exactly the sent-deleted-log findings."""
    import json
    import subprocess
    import sys
    out = mtlib.tmpdir()
    subprocess.run([sys.executable, os.path.join(mtlib.REPO, "fixtures",
                                                 "demo", "generate.py"), out],
                   check=True, capture_output=True)
    case = json.load(open(os.path.join(out, "case.json")))
    truth = json.load(open(os.path.join(out, "truth.json")))
    db = os.path.join(out, "case.db")
    # The log-only mail is Alice's; her mailbox alone keeps the test
    # fast, and the other senders are then no custodians.
    owners = {truth_id.split("@")[0].split(".")[1]
              for truth_id in truth["log_only_message_ids"]}
    for c in case["custodians"]:
        if c["name"] not in owners:
            continue
        spec = "%s <%s>" % (c["display_name"], c["addresses"][0])
        stores = [os.path.join(out, s) for s in c["stores"]]
        mtlib.ingest(stores, "-c", spec, "-i", "example.com", db=db,
                     expect=(0, 2))
    log = case["logs"][0]
    ingest_env(os.path.join(out, log["path"]),
               {"MAILTRAIL_LOG_YEAR": str(log["year"])}, db=db)
    lines = sum(1 for _ in open(os.path.join(out, log["path"])))
    mtlib.eq(mtlib.query(db, "SELECT lines_total, lines_parsed,"
                         " lines_unknown FROM log_stats"),
             [(lines, lines, 0)], "every line parsed")
    found = [r[0] for r in mtlib.query(
        db, "SELECT subject_value FROM finding"
        " WHERE kind = 'sent-deleted-log' ORDER BY subject_value")]
    mtlib.eq(found, sorted(truth["log_only_message_ids"]),
             "log-only messages")


def test_logs_zone_for_syslog_times():
    d = mtlib.tmpdir()
    text = ("Jan 15 10:00:00 mx1 postfix/smtpd[1]: connect from a[10.0.0.1]\n"
            "Jul 15 10:00:00 mx1 postfix/smtpd[1]: connect from a[10.0.0.1]\n")
    path = write(os.path.join(d, "maillog"), text)
    db, _ = ingest_env(path, {"MAILTRAIL_LOG_YEAR": "2024",
                              "MAILTRAIL_LOG_TZ": "Europe/Berlin"})
    # Berlin is UTC+1 in January and UTC+2 (summer time) in July.
    mtlib.eq(mtlib.query(db, "SELECT time_utc, offset_min, zone_known"
                         " FROM log_event ORDER BY line_no"),
             [(utc(2024, 1, 15, 9, 0, 0), 60, 1),
              (utc(2024, 7, 15, 8, 0, 0), 120, 1)], "local times")


def test_logs_invalid_zone_rejected():
    d = mtlib.tmpdir()
    path = write(os.path.join(d, "maillog"), POSTFIX)
    _, proc = ingest_env(path, {"MAILTRAIL_LOG_TZ": "Mars/Olympus_Mons"},
                         expect=None)
    if proc.returncode == 0:
        raise AssertionError("ingest with an invalid zone succeeded")
    if "Mars/Olympus_Mons" not in proc.stderr:
        raise AssertionError("zone not named: %s" % proc.stderr[-2000:])


def test_logs_truncated_gzip_keeps_lines():
    d = mtlib.tmpdir()
    path = os.path.join(d, "maillog.2.gz")
    data = gzip.compress(SENT_LOG.encode() * 50)
    write(path, data[:len(data) * 2 // 3], "wb")
    set_mtime(path, utc(2024, 3, 5, 23, 0, 0))
    db = mtlib.ingest(path, expect=2)
    failed = mtlib.query(db, "SELECT level, detail FROM anomaly"
                         " WHERE code = 'log-read-failed'")
    mtlib.eq(len(failed), 1, "read failure reported")
    mtlib.eq(failed[0][0], "error", "read failure level")
    parsed = mtlib.scalar(db, "SELECT lines_parsed FROM log_stats")
    if not 0 < parsed < 16 * 50:
        raise AssertionError("lines before the damage not kept: %r"
                             % parsed)
    mtlib.eq(mtlib.scalar(db, "SELECT format_detail FROM evidence"),
             "gzip", "gzip seen")


ZEEK_CONN_TSV = """\
#separator \\x09
#set_separator\t,
#empty_field\t(empty)
#unset_field\t-
#path\tconn
#open\t2024-03-05-14-00-00
#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state
#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring
1709647331.500000\tC1\t10.0.0.23\t50312\t203.0.113.25\t587\ttcp\tsmtp\t4.0\t3000000\t9000\tSF
1709650931.000000\tC2\t10.0.0.23\t50313\t203.0.113.25\t587\ttcp\tsmtp\t1.0\t-\t-\tS0
1709650932.000000\tC3\t10.0.0.23\t50314\t203.0.113.25
#close\t2024-03-05-16-00-00
"""


def test_logs_zeek_conn_tsv():
    d = mtlib.tmpdir()
    db = mtlib.ingest(write(os.path.join(d, "conn.log"), ZEEK_CONN_TSV),
                      expect=2)
    mtlib.eq(mtlib.query(db, "SELECT lines_total, lines_comment,"
                         " lines_parsed, lines_unknown FROM log_stats"),
             [(12, 9, 2, 1)], "line counts")
    # An unset orig_bytes ("-") counts the flow with no bytes.
    mtlib.eq(mtlib.query(db, "SELECT host, port, hour_utc, bytes, flows"
                         " FROM log_flow ORDER BY hour_utc"), [
        ("10.0.0.23", 587, utc(2024, 3, 5, 14, 0, 0), 3000000, 1),
        ("10.0.0.23", 587, utc(2024, 3, 5, 15, 0, 0), 0, 1),
    ], "flows")


def test_logs_gzip_members_concatenated():
    d = mtlib.tmpdir()
    lines = SENT_LOG.splitlines(True)
    path = os.path.join(d, "maillog.gz")
    # 'cat a.gz b.gz' gives one file of two gzip members.
    write(path, gzip.compress("".join(lines[:8]).encode()) +
          gzip.compress("".join(lines[8:]).encode()), "wb")
    set_mtime(path, utc(2024, 3, 5, 23, 0, 0))
    db = mtlib.ingest(path)
    mtlib.eq(mtlib.query(db, "SELECT lines_total, lines_parsed,"
                         " lines_truncated FROM log_stats"),
             [(16, 16, 0)], "both members read")


ZEEK_SMTP_JSON = (
    '{"ts":1437831787.867142,"uid":"CmES5u32sYpV7JYN",'
    '"id.orig_h":"192.168.133.100","id.orig_p":49648,'
    '"id.resp_h":"192.168.133.102","id.resp_p":25,"trans_depth":1,'
    '"helo":"[192.168.133.100]","mailfrom":"albert@example.com",'
    '"rcptto":["felica4uu@hotmail.com","ericlim220@yahoo.com"],'
    '"msg_id":"<A62@example.com>","subject":"Re: <b>hi</b>",'
    '"last_reply":"250 Ok"}\n'
    '{"ts":1437831800.0,"uid":"C2","mailfrom":"x@example.com",'
    '"rcptto":["y@example.org"],"last_reply":"550 5.7.1 rejected"}\n'
    '{"ts":"not a time","uid":"C3","mailfrom":"x@example.com"}\n'
    '{"uid": broken json\n')


def test_logs_zeek_smtp_json():
    d = mtlib.tmpdir()
    db = mtlib.ingest(write(os.path.join(d, "smtp.log"), ZEEK_SMTP_JSON),
                      expect=2)
    mtlib.eq(mtlib.scalar(db, "SELECT format FROM evidence"),
             "log-zeek-smtp", "format")
    mtlib.eq(mtlib.query(db, "SELECT lines_parsed, lines_unknown"
                         " FROM log_stats"), [(2, 2)], "line counts")
    mtlib.eq(mtlib.query(db, "SELECT from_addr, message_id, subject,"
                         " client_ip, server_ip, rcpt_count,"
                         " delivered_count, outcome, time_utc"
                         " FROM log_message ORDER BY line_no"), [
        ("albert@example.com", "A62@example.com", "Re: <b>hi</b>",
         "192.168.133.100", "192.168.133.102", 2, 2, "sent", 1437831787),
        ("x@example.com", None, None, None, None, 1, 0, "rejected",
         1437831800),
    ], "transactions")


def clock_case_files(d):
    """Four sent messages, and a log written one hour ahead (local time
    UTC+1 read as UTC); the fourth has no Message-ID anywhere."""
    mbox, log = [], []
    for i in range(4):
        hour = 10 + i
        msgid = "Message-ID: <c%d@corp.example>\n" % i if i < 3 else ""
        mbox.append(
            "From alice@corp.example Tue Mar  5 %02d:00:00 2024\n"
            "From: Alice <alice@corp.example>\nTo: bob@partner.test\n"
            "Subject: report %d\nDate: Tue, 05 Mar 2024 %02d:00:00 +0000\n"
            "%s\nbody %d\n\n" % (hour, i, hour, msgid, i))
        q = "C%04dABCDE" % i
        stamp = "Mar  5 %02d:00:30" % (hour + 1)
        log.append("%s mx1 postfix/smtpd[1]: %s: client=ws[10.0.0.23]\n"
                   % (stamp, q))
        if i < 3:
            log.append("%s mx1 postfix/cleanup[2]: %s: message-id="
                       "<c%d@corp.example>\n" % (stamp, q, i))
        log.append("%s mx1 postfix/qmgr[3]: %s: from=<alice@corp.example>,"
                   " size=400, nrcpt=1 (queue active)\n" % (stamp, q))
        log.append("%s mx1 postfix/smtp[4]: %s: to=<bob@partner.test>, "
                   "relay=mx[203.0.113.25]:25, dsn=2.0.0, status=sent "
                   "(250 ok)\n" % (stamp, q))
        log.append("%s mx1 postfix/qmgr[3]: %s: removed\n" % (stamp, q))
    mbox_path = write(os.path.join(d, "sent.mbox"), "".join(mbox))
    log_path = set_mtime(write(os.path.join(d, "maillog"), "".join(log)),
                         utc(2024, 3, 5, 23, 0, 0))
    return mbox_path, log_path


def test_logs_clock_offset_noted_and_used():
    d = mtlib.tmpdir()
    mbox, log = clock_case_files(d)
    db = mtlib.ingest([mbox, log], "-c", "Alice <alice@corp.example>")
    notes = mtlib.query(db, "SELECT detail FROM anomaly"
                        " WHERE code = 'log-clock-offset'")
    mtlib.eq(len(notes), 1, "one clock note")
    if "60 minutes ahead of" not in notes[0][0]:
        raise AssertionError("offset not named: %s" % notes[0][0])
    mtlib.eq(mtlib.query(db, "SELECT link_basis, count(*) FROM log_message"
                         " GROUP BY 1 ORDER BY 1"),
             [("message-id", 3), ("sender-recipients-size-time", 1)],
             "all four linked")
    mtlib.eq(mtlib.scalar(db, "SELECT count(*) FROM finding"
                          " WHERE kind = 'sent-deleted-log'"), 0,
             "no false finding")
