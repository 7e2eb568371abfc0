#!/usr/bin/env python3
"""Write a synthetic Postfix maillog of about LINES lines to PATH.

Usage: gen-maillog.py PATH [LINES]

Each message takes 6 to 8 lines (smtpd connect and client=, cleanup
message-id=, qmgr from=, one smtp line per recipient, qmgr removed,
smtpd disconnect); one line in 1000 is damaged on purpose.  The log
starts on Dec 30 and crosses into January, so the year turns over.
"""
import random
import sys

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
          "Oct", "Nov", "Dec"]


def stamp(t):
    """Format seconds since Dec 30 00:00 as an RFC 3164 time."""
    day = 30 + t // 86400
    month = 11
    if day > 31:
        day -= 31
        month = 0
    rest = t % 86400
    return "%s %2d %02d:%02d:%02d" % (MONTHS[month], day, rest // 3600,
                                      rest // 60 % 60, rest % 60)


def main():
    path = sys.argv[1]
    want = int(sys.argv[2]) if len(sys.argv) > 2 else 1000000
    rnd = random.Random(1)
    lines = 0
    t = 0
    n = 0
    with open(path, "w") as out:
        while lines < want:
            n += 1
            qid = "%010X" % (0x1000000000 + n)
            ip = "10.0.%d.%d" % (n % 200, n % 250 + 1)
            sender = "user%d@corp.example" % (n % 500)
            rcpts = ["r%d@partner%d.test" % (n % 977, i)
                     for i in range(1 + n % 3)]
            t += rnd.randint(0, 2)
            s = stamp(t)
            rows = [
                "%s mx1 postfix/smtpd[%d]: connect from ws[%s]" % (s, n, ip),
                "%s mx1 postfix/smtpd[%d]: %s: client=ws[%s]" % (s, n, qid,
                                                                ip),
                "%s mx1 postfix/cleanup[9]: %s: message-id=<%d@corp.example>"
                % (s, qid, n),
                "%s mx1 postfix/qmgr[8]: %s: from=<%s>, size=%d, nrcpt=%d "
                "(queue active)" % (s, qid, sender, 1000 + n % 90000,
                                    len(rcpts)),
            ]
            for r in rcpts:
                rows.append("%s mx1 postfix/smtp[7]: %s: to=<%s>, relay=mx."
                            "test[203.0.113.%d]:25, delay=0.5, delays=0.1/0/"
                            "0.2/0.2, dsn=2.0.0, status=sent (250 2.0.0 Ok)"
                            % (s, qid, r, n % 250))
            rows.append("%s mx1 postfix/qmgr[8]: %s: removed" % (s, qid))
            rows.append("%s mx1 postfix/smtpd[%d]: disconnect from ws[%s] "
                        "ehlo=1 mail=1 rcpt=%d data=1 quit=1 commands=5"
                        % (s, n, ip, len(rcpts)))
            if n % 150 == 0:
                rows.append("this line is damaged %d" % n)
            out.write("\n".join(rows) + "\n")
            lines += len(rows)
    print(lines)


if __name__ == "__main__":
    main()
