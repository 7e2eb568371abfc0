"""End-to-end tests of mail server log and flow ingest (extract/log*.c).

Each test writes a small log in a documented format, ingests it and
checks the rows against values read off the log text itself; the shared
fixtures are checked against the counts in their EXPECTED.md.
"""
import calendar
import gzip
import os

import mtlib

# RFC 3164 lines carry no year: MAILTRAIL_LOG_YEAR names the year the
# log ends in (or the day it was collected); without it the file's mtime
# is the time of its last line.
os.environ.pop("MAILTRAIL_LOG_YEAR", None)

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
    os.environ["MAILTRAIL_LOG_YEAR"] = "2005-08-15"
    try:
        db = mtlib.ingest(path, expect=(0, 2))
    finally:
        del os.environ["MAILTRAIL_LOG_YEAR"]
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
