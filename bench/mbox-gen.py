#!/usr/bin/env python3
"""Write a synthetic mbox of about SIZE megabytes to PATH.

Usage: mbox-gen.py PATH SIZE_MB

Two of three messages are plain text (about 3 KB); the third is multipart
mail with a 45,000-byte base64 attachment (about 64 KB).  Every body has a
'>From ' quoted line and every tenth message uses CRLF line ends.  No body
line starts with 'From ', because GMime would split there.  Content comes
from a fixed seed, so the file is the same on every run.
"""
import base64
import random
import sys


def message(i, rng):
    date = "Mon, %02d Jan 2024 %02d:%02d:00 +0100" % (
        1 + i % 28, i % 24, i % 60)
    head = ("From: Sender %d <sender%d@example.com>\n"
            "To: rcpt%d@example.org\nSubject: Report %d\n"
            "Date: %s\nMessage-ID: <bench-%d@example.com>\n"
            "MIME-Version: 1.0\n" % (i % 50, i % 50, i % 97, i, date, i))
    words = " ".join(rng.choice(("alpha", "beta", "gamma", "delta",
                                 "budget", "contract", "from"))
                     for _ in range(400))
    text = "\n".join(words[k:k + 72] for k in range(0, len(words), 72))
    text += "\n\n>From the archive\n"
    if i % 3:
        return head + "Content-Type: text/plain\n\n" + text + "\n"
    blob = base64.encodebytes(rng.randbytes(45000)).decode()
    return (head + 'Content-Type: multipart/mixed; boundary="b%d"\n\n'
            "--b%d\nContent-Type: text/plain\n\n%s\n--b%d\n"
            "Content-Type: application/octet-stream\n"
            'Content-Disposition: attachment; filename="data%d.bin"\n'
            "Content-Transfer-Encoding: base64\n\n%s--b%d--\n"
            % (i, i, text, i, i, blob, i))


def main():
    path, size_mb = sys.argv[1], int(sys.argv[2])
    rng = random.Random(4155)
    limit = size_mb << 20
    written = 0
    i = 0
    with open(path, "wb") as f:
        while written < limit:
            msg = message(i, rng)
            if i % 10 == 7:
                msg = msg.replace("\n", "\r\n")
            data = ("From sender@example.com Mon Jan  1 00:00:00 2024\n"
                    + msg + "\n").encode()
            f.write(data)
            written += len(data)
            i += 1
    print(i)


main()
