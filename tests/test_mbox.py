"""End-to-end tests of the mbox reader through 'mailtrail ingest'.

Inputs are the shared hard cases and fixtures, and small mbox files the
tests write themselves.  Expected values come from the bytes of those
files: offsets are found with bytes.find, hashes with hashlib.
"""
import hashlib
import os

import mtlib
from mtlib import eq, query, scalar


def case_path(name):
    return mtlib.shared("cases", name, "input.mbox")


def write(data, name="store.mbox"):
    path = os.path.join(mtlib.tmpdir(), name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def messages(db):
    return query(db, "SELECT locator, byte_offset, status, subject,"
                 " message_id, flag_seen, flag_replied, flag_flagged,"
                 " flag_deleted, flag_draft, flag_passed, size, sha256,"
                 " recovery_note FROM message ORDER BY byte_offset")


def anomalies(db, code):
    return query(db, "SELECT level, byte_offset, detail FROM anomaly"
                 " WHERE code = ?", (code,))


def message_bytes(subject, body=b"Body.\n", msgid=None, extra=b""):
    msgid = msgid or subject.lower().replace(b" ", b"-") + b"@example.com"
    return (b"From: Alice <alice@example.com>\n"
            b"To: bob@example.org\n"
            b"Subject: " + subject + b"\n"
            b"Date: Mon, 06 Jan 2020 10:00:00 +0000\n"
            b"Message-ID: <" + msgid + b">\n" + extra +
            b"\n" + body)


SEP = b"From alice@example.com Mon Jan  6 10:00:00 2020\n"


def test_mbox_unquoted_from_lines_stay_in_body():
    path = case_path("05-mbox-unescaped-from-in-body")
    db = mtlib.ingest(path)
    rows = messages(db)
    eq(len(rows), 2, "messages")
    data = open(path, "rb").read()
    eq(rows[0][1], 0, "offset of message 1")
    eq(rows[1][1], data.find(b"\nFrom bob@example.org ") + 1,
       "offset of message 2")
    eq(rows[1][0], "offset=%d" % rows[1][1], "locator of message 2")
    eq([r[3] for r in rows], ["Account team update",
                              "Re: Account team update"], "subjects")
    eq([r[4] for r in rows], ["fromline-0001@example.com",
                              "fromline-0002@example.org"], "message ids")
    bodies = [r[0] for r in query(db, "SELECT body_text FROM message"
                                  " ORDER BY byte_offset")]
    eq(bodies[0], "Update from the local account team:\n\n"
       "* This is to be confirmed in the coming days\n\n"
       "From my side, a few queries and observations:\n\n"
       "* Latency issue\nFrom 2020 onwards the contract changes.\n\n"
       "Regards,\nAlice\n", "body of message 1")
    eq(bodies[1], "Thanks, noted.\n", "body of message 2")
    eq(query(db, "SELECT date_utc FROM message ORDER BY byte_offset"),
       [(1562230800,), (1562236200,)], "Date header times")


def test_mbox_from_line_time_has_no_zone():
    db = mtlib.ingest(case_path("05-mbox-unescaped-from-in-body"))
    rows = query(db, "SELECT utc, offset_min, zone_known, raw"
                 " FROM message_time WHERE source = 'mbox-from-line'"
                 " ORDER BY utc")
    # 'Thu Jul  4 09:00:00 2019' and '10:30:00', read as UTC.
    eq(rows, [(1562230800, 0, 0, "Thu Jul  4 09:00:00 2019"),
              (1562236200, 0, 0, "Thu Jul  4 10:30:00 2019")],
       "From_ line times")


def test_mbox_thunderbird_expunged_kept_as_deleted():
    db = mtlib.ingest(case_path("07-thunderbird-expunged-flag"))
    rows = messages(db)
    eq(len(rows), 4, "messages")
    eq([r[4] for r in rows], ["tb-%04d@example.com" % i
                              for i in range(1, 5)], "message ids")
    eq([r[2] for r in rows], ["allocated", "expunged", "allocated",
                              "allocated"], "statuses")
    eq([r[5] for r in rows], [1, 1, 0, 1], "seen flags")
    eq([r[6] for r in rows], [0, 0, 0, 1], "replied flags")
    eq([r[7] for r in rows], [0, 0, 0, 1], "flagged flags")
    eq([r[8] for r in rows], [0, 1, 0, 0], "deleted flags")
    eq(scalar(db, "SELECT format_detail FROM evidence"),
       "mboxo, Thunderbird", "format detail")


def test_mbox_crlf_mixed_and_no_final_newline():
    path = case_path("19-mbox-crlf-mixed-no-final-newline")
    db = mtlib.ingest(path)
    rows = messages(db)
    eq(len(rows), 2, "messages")
    eq([r[4] for r in rows], ["crlf-0019a@example.com",
                              "crlf-0019b@example.org"], "message ids")
    eq([r[5] for r in rows], [1, 0], "seen flags")
    bodies = [r[0] for r in query(db, "SELECT body_text FROM message"
                                  " ORDER BY byte_offset")]
    eq(bodies, ["Two lines\nof text.\n",
                "Got them.\nLast line has no newline"], "bodies")
    att = query(db, "SELECT filename, size, sha256 FROM attachment")
    eq(att, [("blob.bin", 200, "51ed4b2b2b5a9a4839c9333f02227ff44349f62"
              "bef3e6960e1143fb6481492e2")], "attachment")
    for column in ("subject", "message_id", "from_addr", "date_raw"):
        eq(scalar(db, "SELECT count(*) FROM message WHERE %s LIKE ?"
                  % column, ("%\r%",)), 0, "CR in " + column)
    # The last message runs to the end of the file: nothing is lost.
    data = open(path, "rb").read()
    second = data.find(b"\nFrom - Wed Apr 10 09:00:00 2024") + 1
    line_end = data.find(b"\n", second) + 1
    eq(rows[1][11], len(data) - line_end, "size of the last message")
    eq(rows[1][12], hashlib.sha256(data[line_end:]).hexdigest(),
       "sha256 of the last message")
    eq(scalar(db, "SELECT count(*) FROM anomaly WHERE code LIKE 'mbox%'"),
       0, "mbox anomalies")


def test_mbox_fixture_mboxrd_unquotes_once():
    path = mtlib.shared("fixtures", "mbox", "thunderbird_mbox_mboxrd")
    db = mtlib.ingest(path)
    eq(scalar(db, "SELECT count(*) FROM message"), 2, "messages")
    body = scalar(db, "SELECT body_text FROM message WHERE subject ="
                  " 'Sample message 1'")
    eq(body, "This is the body.\nFrom (should be escaped).\n"
       "There are 3 lines.\n", "unquoted body")


def test_mbox_fixture_unquoted_thunderbird_gives_two():
    # The bare 'From ' line inside message 1 is followed by prose, not a
    # header field, so it is body text: two messages, as Thunderbird
    # meant, not the three a naive splitter finds.
    path = mtlib.shared("fixtures", "mbox", "thunderbird_mbox_unquoted")
    db = mtlib.ingest(path)
    rows = messages(db)
    eq([r[3] for r in rows], ["Sample message 1", "Sample message 2"],
       "subjects")
    body = scalar(db, "SELECT body_text FROM message WHERE subject ="
                  " 'Sample message 1'")
    assert "From \nThis could cause problems" in body, body
    data = open(path, "rb").read()
    eq(rows[1][1], data.find(b"\n\nFrom \nFrom: ") + 2, "offset of 2")


def test_mbox_fixture_counts():
    expected = {"thunderbird_movemailspool": 3, "tika_complex.mbox": 3}
    for name, count in expected.items():
        db = mtlib.ingest(mtlib.shared("fixtures", "mbox", name))
        eq(scalar(db, "SELECT count(*) FROM message"), count, name)
        eq(scalar(db, "SELECT format FROM evidence"), "mbox", name)
    db = mtlib.ingest(mtlib.shared("fixtures", "mbox",
                                   "thunderbird_movemailspool"))
    eq([r[0] for r in query(db, "SELECT flag_seen FROM message"
                            " ORDER BY byte_offset")], [1, 0, 1],
       "X-Mozilla-Status read bits 0001/0000/0001")


def test_mbox_mutt_status_flags():
    data = (SEP + message_bytes(b"One", extra=b"Status: RO\nX-Status: AF\n")
            + b"\n" + SEP + message_bytes(b"Two", extra=b"Status: OD\n")
            + b"\n" + SEP + message_bytes(b"Three", extra=b"X-Status: T\n"))
    db = mtlib.ingest(write(data))
    rows = messages(db)
    eq([r[2] for r in rows], ["allocated", "deleted", "allocated"],
       "statuses")
    eq([(r[5], r[6], r[7], r[8], r[9]) for r in rows],
       [(1, 1, 1, 0, 0), (0, 0, 0, 1, 0), (0, 0, 0, 0, 1)],
       "seen, replied, flagged, deleted, draft")


def test_mbox_mozilla_forwarded_and_imap_deleted():
    data = (SEP + message_bytes(b"Fwd", extra=b"X-Mozilla-Status: 1001\n")
            + b"\n" + SEP + message_bytes(
                b"Imap", extra=b"X-Mozilla-Status: 0000\n"
                b"X-Mozilla-Status2: 00200000\n")
            + b"\n" + SEP + message_bytes(
                b"Bad", extra=b"X-Mozilla-Status: zz\n"))
    db = mtlib.ingest(write(data))
    rows = messages(db)
    eq([(r[5], r[10]) for r in rows], [(1, 1), (0, 0), (0, 0)],
       "seen and passed")
    eq([r[2] for r in rows], ["allocated", "deleted", "allocated"],
       "statuses")
    eq(scalar(db, "SELECT count(*) FROM anomaly WHERE code ="
              " 'invalid-flags'"), 1, "unreadable flag header")


def test_mbox_content_length_honoured():
    # mboxcl2: the body contains an unquoted separator-like line that only
    # Content-Length tells apart.
    body = (b"Look:\n\nFrom bob@example.org Mon Jan  6 09:00:00 2020\n"
            b"Subject: not a header\n")
    first = message_bytes(b"Cl", body=body,
                          extra=b"Content-Length: %d\n" % len(body))
    data = SEP + first + b"\n" + SEP + message_bytes(b"Next")
    path = write(data)
    db = mtlib.ingest(path)
    rows = messages(db)
    eq([r[3] for r in rows], ["Cl", "Next"], "subjects")
    eq(rows[1][1], len(SEP + first + b"\n"), "offset of message 2")
    eq(scalar(db, "SELECT format_detail FROM evidence"), "mboxcl2",
       "format detail")


def test_mbox_wrong_content_length_falls_back():
    first = message_bytes(b"Wrong", extra=b"Content-Length: 3\n")
    data = SEP + first + b"\n" + SEP + message_bytes(b"Next")
    db = mtlib.ingest(write(data))
    eq([r[3] for r in messages(db)], ["Wrong", "Next"], "subjects")
    rows = anomalies(db, "content-length-mismatch")
    eq(len(rows), 1, "content-length anomalies")
    eq(rows[0][1], 0, "anomaly offset")


def test_mbox_truncated_last_message():
    full = open(case_path("19-mbox-crlf-mixed-no-final-newline"),
                "rb").read()
    cut = full[:full.find(b"--b19--")]   # cut inside the attachment
    path = write(cut)
    db = mtlib.ingest(path, expect=2)
    rows = messages(db)
    eq(len(rows), 1, "messages")
    eq(rows[0][4], "crlf-0019a@example.com", "message id")
    trunc = anomalies(db, "mbox-truncated")
    eq(len(trunc), 1, "truncation anomalies")
    eq(trunc[0][1], 0, "offset of the truncated message")
    eq(scalar(db, "SELECT status FROM evidence"), "damaged",
       "evidence status")


def test_mbox_truncated_inside_header():
    data = SEP + message_bytes(b"Whole") + b"\n" + SEP + \
        b"From: x@example.com\nSubject: cut"
    db = mtlib.ingest(write(data), expect=2)
    eq(scalar(db, "SELECT count(*) FROM message"), 2, "messages")
    rows = anomalies(db, "mbox-truncated")
    eq([r[1] for r in rows], [len(SEP + message_bytes(b"Whole") + b"\n")],
       "truncation offset")


def test_mbox_text_file_is_not_mbox():
    path = write(b"Meeting notes\nFrom 2020 onwards we meet weekly.\n\n"
                 b"From alice@example.com Mon Jan  6 10:00:00 2020\n"
                 b"Subject: x\n", "notes.mbox")
    proc = mtlib.run("ingest", os.path.join(mtlib.tmpdir(), "c.db"), path,
                     expect=2)
    assert "not a mail store" in proc.stderr, proc.stderr


def test_mbox_huge_header_line_bounded():
    huge = b"X-Junk: " + b"A" * (3 << 20) + b"\n"
    first = message_bytes(b"Huge", extra=huge)
    data = SEP + first + b"\n" + SEP + message_bytes(b"After")
    db = mtlib.ingest(write(data), "--max-message-size", "1000000",
                      expect=2)
    rows = messages(db)
    eq([r[1] for r in rows], [0, len(SEP + first + b"\n")], "offsets")
    eq(rows[0][11], len(first), "size of the huge message")
    eq(rows[1][3], "After", "message after the huge one")
    trunc = anomalies(db, "message-truncated")
    eq(len(trunc), 1, "truncation anomalies")
    assert str(len(first)) in trunc[0][2], trunc[0][2]


def test_mbox_nul_run_carved_as_recovered():
    lost = message_bytes(b"Lost one", msgid=b"lost@example.com")
    first = message_bytes(b"Kept")
    data = (SEP + first + b"\0" * 4096 + lost + b"\n" + SEP +
            message_bytes(b"Last"))
    path = write(data)
    db = mtlib.ingest(path, expect=2)
    rows = messages(db)
    eq([r[3] for r in rows], ["Kept", "Lost one", "Last"], "subjects")
    eq([r[2] for r in rows], ["allocated", "recovered", "allocated"],
       "statuses")
    eq(rows[1][1], data.find(b"From: Alice", len(SEP + first)),
       "offset of the carved message")
    assert "4096 NUL bytes" in rows[1][13], rows[1][13]
    eq(rows[0][12], hashlib.sha256(first).hexdigest(), "sha256 of Kept")
    nul = anomalies(db, "nul-run")
    eq([r[1] for r in nul], [len(SEP + first)], "NUL run offset")


def test_mbox_garbage_after_content_length_kept():
    # Content-Length ends before bytes that are no message: it is not
    # honoured, so the bytes stay in the message and a note explains it.
    body = b"Short.\n"
    first = message_bytes(b"Cl", body=body,
                          extra=b"Content-Length: %d\n" % len(body))
    garbage = b"\x01\x02 leftover bytes of an older message\n"
    data = SEP + first + garbage
    db = mtlib.ingest(write(data))
    rows = messages(db)
    eq(len(rows), 1, "messages")
    eq(rows[0][11], len(first + garbage), "size with the garbage")
    eq([r[1] for r in anomalies(db, "content-length-mismatch")], [0],
       "mismatch note offset")


def test_mbox_headers_after_content_length_recovered():
    # Bytes after the Content-Length end that start with a header block
    # are another message whose From_ line is gone.
    body = b"Short.\n"
    first = message_bytes(b"Cl", body=body,
                          extra=b"Content-Length: %d\n" % len(body))
    old = message_bytes(b"Old mail", msgid=b"old@example.com")
    path = write(SEP + first + b"\n" + old)
    db = mtlib.ingest(path)
    rows = messages(db)
    eq([(r[3], r[2]) for r in rows], [("Cl", "allocated"),
                                       ("Old mail", "recovered")],
       "messages")
    eq(rows[1][1], len(SEP + first + b"\n"), "offset of recovered")
    eq(rows[0][12], hashlib.sha256(first).hexdigest(), "sha256 of Cl")
    assert "Content-Length end" in rows[1][13], rows[1][13]
    db = mtlib.ingest(path, "--no-recover")
    rows = messages(db)
    eq([(r[3], r[2]) for r in rows], [("Cl", "allocated")],
       "without recovery")
    eq(rows[0][11], len(first + b"\n" + old), "size without recovery")


def test_mbox_nul_bytes_and_invalid_utf8_stored():
    data = (SEP + message_bytes(b"Caf\xe9 \xff", body=b"a\0b\n") + b"\n" +
            SEP + message_bytes(b"Next"))
    db = mtlib.ingest(write(data))
    eq(scalar(db, "SELECT count(*) FROM message"), 2, "messages")
    rows = anomalies(db, "nul-bytes")
    eq([r[1] for r in rows], [0], "NUL note offset")
    subject = scalar(db, "SELECT subject FROM message ORDER BY"
                     " byte_offset LIMIT 1")
    assert subject is not None and subject.startswith("Caf"), subject


def test_mbox_valid_from_line_before_prose_is_body():
    body = (b"Quoting the archive:\n\n"
            b"From carol@example.net Sun Jan  5 08:00:00 2020\n"
            b"she wrote that the deal is off.\n")
    first = message_bytes(b"Quote", body=body)
    data = SEP + first + b"\n" + SEP + message_bytes(b"Next")
    db = mtlib.ingest(write(data))
    rows = messages(db)
    eq([r[3] for r in rows], ["Quote", "Next"], "subjects")
    eq(rows[0][12], hashlib.sha256(first).hexdigest(), "sha256 of Quote")


def test_mbox_separator_without_blank_line():
    # Some exporters write no blank line between messages; the header
    # field after the From_ line still marks the separator.
    first = message_bytes(b"Tight")
    data = SEP + first + SEP + message_bytes(b"Next")
    db = mtlib.ingest(write(data))
    rows = messages(db)
    eq([r[3] for r in rows], ["Tight", "Next"], "subjects")
    eq(rows[1][1], len(SEP + first), "offset of message 2")


def test_mbox_trash_file_marks_deleted():
    data = SEP + message_bytes(b"Binned") + b"\n" + SEP + \
        message_bytes(b"Gone", extra=b"X-Mozilla-Status: 0008\n")
    db = mtlib.ingest(write(data, "Trash"))
    eq(query(db, "SELECT path, role FROM folder"), [("Trash", "deleted")],
       "folder")
    eq([r[2] for r in messages(db)], ["deleted", "expunged"], "statuses")


def test_mbox_quoted_envelope_after_separator():
    # A second delivery agent quoted the first one's From_ line.
    second = (b">From old@example.net Sun Jan  5 11:00:00 2020\n" +
              message_bytes(b"Redelivered"))
    first = message_bytes(b"First")
    data = SEP + first + b"\n" + SEP + second
    db = mtlib.ingest(write(data))
    rows = messages(db)
    eq([r[3] for r in rows], ["First", "Redelivered"], "subjects")
    eq(rows[1][1], len(SEP + first + b"\n"), "offset of message 2")


def test_mbox_mutated_inputs_never_crash():
    # Deterministic mutations of the shared mbox cases: every run must
    # end with status 0 or 2 and store the evidence; under the sanitizer
    # build this also catches memory errors.
    import random
    rng = random.Random(4155)
    seeds = [open(case_path(c), "rb").read() for c in (
        "05-mbox-unescaped-from-in-body", "07-thunderbird-expunged-flag",
        "19-mbox-crlf-mixed-no-final-newline")]
    snippets = [SEP, b"\nFrom \n", b"\0" * 600, b"\r", b"\n\n", b">>From ",
                b"Content-Length: 7\n", b"Content-Length: 99999999999\n",
                b"X-Mozilla-Status: 0g08\n", b"\xff\xfe",
                b"From: a@b\nDate: x\nMessage-ID: <m>\n\n"]
    d = mtlib.tmpdir()
    for i in range(25):
        data = bytearray(rng.choice(seeds))
        first_line = data.find(b"\n") + 1    # kept, so detection holds
        for _ in range(rng.randint(1, 6)):
            pos = rng.randint(first_line, max(first_line, len(data)))
            op = rng.random()
            if op < 0.5:
                data[pos:pos] = rng.choice(snippets)
            elif op < 0.75:
                del data[pos:pos + rng.randint(1, 40)]
            else:
                data = data[:max(pos, first_line)]
        path = os.path.join(d, "m%d.mbox" % i)
        with open(path, "wb") as f:
            f.write(bytes(data))
        db = os.path.join(d, "c%d.db" % i)
        mtlib.run("ingest", "--max-message-size", "4000", db, path,
                  expect=(0, 2))
        eq(scalar(db, "SELECT count(*) FROM evidence"), 1,
           "evidence for mutation %d" % i)


def test_mbox_damaged_first_line_still_read():
    first = message_bytes(b"First")
    second = message_bytes(b"Second")
    damaged = b"From alice@exa\x00\x00mple.com Mon Jan  6 1\n"
    data = damaged + first + b"\n" + SEP + second
    path = write(data)
    db = mtlib.ingest(path)
    eq(scalar(db, "SELECT format FROM evidence"), "mbox", "format")
    rows = messages(db)
    eq([(r[3], r[2]) for r in rows], [("First", "recovered"),
                                       ("Second", "allocated")], "messages")
    eq(rows[0][1], len(damaged), "offset of First")
    eq(rows[1][1], len(data) - len(SEP + second), "offset of Second")


def three_messages():
    return b"\n".join(SEP + message_bytes(b"Msg %d" % i) for i in range(3))


def test_mbox_leading_newline_detected():
    data = b"\n" + three_messages()
    db = mtlib.ingest(write(data))
    eq(scalar(db, "SELECT format FROM evidence"), "mbox", "format")
    rows = messages(db)
    eq([r[1] for r in rows], [1, 1 + data[1:].find(b"\nFrom ", 1) + 1,
                              data.rfind(SEP)], "message offsets")
    lead = anomalies(db, "mbox-leading-bytes")
    eq(len(lead), 1, "leading-bytes anomalies")
    eq(lead[0][0], "note", "level for blank lines only")
    eq(lead[0][1], 0, "offset")
    assert "1 bytes at offset 0" in lead[0][2], lead[0][2]


def test_mbox_leading_garbage_detected():
    garbage = b"".join(b"%064x\n" % (i * 7919) for i in range(64))
    data = garbage + three_messages()
    eq(len(garbage) > 4096, True, "garbage longer than 4 KiB")
    db = mtlib.ingest(write(data), expect=(0, 2))
    rows = messages(db)
    eq(len(rows), 3, "messages")
    eq(rows[0][1], len(garbage), "offset of message 1")
    eq([r[2] for r in rows], ["allocated"] * 3, "statuses")
    lead = anomalies(db, "mbox-leading-bytes")
    eq(len(lead), 1, "leading-bytes anomalies")
    eq(lead[0][0], "warning", "level")
    assert "%d bytes at offset 0" % len(garbage) in lead[0][2], lead[0][2]
    slack = anomalies(db, "mbox-slack")
    eq([r[1] for r in slack], [0], "slack offset")


def test_mbox_leading_message_recovered():
    lost = message_bytes(b"Lost separator")
    data = lost + b"\n" + three_messages()
    db = mtlib.ingest(write(data), expect=(0, 2))
    rows = messages(db)
    eq(len(rows), 4, "messages")
    eq((rows[0][1], rows[0][2], rows[0][3]),
       (0, "recovered", "Lost separator"), "recovered leading message")
    eq(len(anomalies(db, "mbox-leading-bytes")), 1, "leading anomaly")


def test_mbox_garbage_past_head_not_detected():
    garbage = b"x" * 70000 + b"\n"
    path = write(garbage + three_messages())
    proc = mtlib.run("ingest", os.path.join(mtlib.tmpdir(), "c.db"), path,
                     expect=2)
    assert "not a mail store" in proc.stderr, proc.stderr


def test_mbox_only_from_line_is_empty_message():
    db = os.path.join(mtlib.tmpdir(), "c.db")
    proc = mtlib.run("ingest", db, write(b"From x Mon Jan  1 00:00:00 2024\n"),
                     expect=(0, 2))
    eq("CRITICAL" in proc.stderr, False, "GLib criticals\n" + proc.stderr)
    rows = messages(db)
    eq(len(rows), 1, "messages")
    eq(rows[0][11], 0, "size")
    eq(rows[0][12], hashlib.sha256(b"").hexdigest(), "sha256")
    eq(scalar(db, "SELECT count(*) FROM anomaly"), 1, "anomalies")
    eq(len(anomalies(db, "empty-message")), 1, "empty-message anomaly")


def test_mbox_nul_in_header_not_truncated():
    body = (b"--b1\nContent-Type: text/plain\n\nHi.\n--b1--\n")
    extra = (b"X-Odd: a\0b\nMIME-Version: 1.0\n"
             b"Content-Type: multipart/mixed; boundary=\"b1\"\n")
    data = SEP + message_bytes(b"Nul", body=body, extra=extra)
    db = mtlib.ingest(write(data))
    eq(scalar(db, "SELECT count(*) FROM message"), 1, "messages")
    eq(anomalies(db, "mbox-truncated"), [], "truncation anomalies")
    eq([r[1] for r in anomalies(db, "nul-bytes")], [0], "NUL note")
    eq(scalar(db, "SELECT status FROM evidence") != "damaged", True,
       "evidence not damaged")
