"""End-to-end checks of fixtures/pstgen: generated PSTs read by three readers.

Each test writes a PST from a JSON description into a temporary folder and
reads it back with readpst (pst-utils), pffexport (pff-tools) and pypff
(only /usr/bin/python3 has it).  Expected values come from the description
itself; attachment bytes for 'generate' are recomputed here from the rule
in FORMAT.md, not taken from pstgen.
"""
import base64
import email
import email.header
import email.policy
import hashlib
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
PSTGEN = os.path.join(REPO, "fixtures", "pstgen", "pstgen.py")
EXAMPLE = os.path.join(REPO, "fixtures", "pstgen", "examples",
                       "exfiltration.json")
SYSTEM_PYTHON = "/usr/bin/python3"      # the interpreter that has pypff
SUBTREE = "Top of Personal Folders"


# -- expectations from the description -------------------------------------

def generated(size, seed):
    count = (size + 31) // 32
    return b"".join(hashlib.sha256(("pstgen:%d:%d" % (seed, counter))
                                   .encode()).digest()
                    for counter in range(count))[:size]


def attachment_bytes(attachment):
    if "generate" in attachment:
        spec = attachment["generate"]
        return generated(spec["size"], spec.get("seed", 0))
    return base64.b64decode(attachment["data_base64"])


def expected_message(message):
    attachments = []
    for attachment in message.get("attachments", []):
        if "message" in attachment:
            inner = expected_message(attachment["message"])
            attachments.append({"name": attachment.get("filename")
                                or inner["subject"], "message": inner})
        else:
            data = attachment_bytes(attachment)
            attachments.append({"name": attachment["filename"],
                                "size": len(data),
                                "sha256": hashlib.sha256(data).hexdigest()})
    return {"subject": message.get("subject", ""),
            "sender": message.get("sender"),
            "to": message.get("to", []), "cc": message.get("cc", []),
            "bcc": message.get("bcc", []), "attachments": attachments}


def expected_folders(description):
    """Return {folder path below the IPM subtree: [expected messages]}."""
    folders = {}

    def walk(items, prefix):
        for folder in items:
            path = prefix + folder["name"]
            folders[path] = [expected_message(m)
                             for m in folder.get("messages", [])]
            walk(folder.get("folders", []), path + "/")
    walk(description["folders"], "")
    return folders


def write_pst(description, name="case"):
    """Write description with pstgen into a new temp dir; return the path."""
    folder = tempfile.mkdtemp(prefix="mt-pstgen-")
    source = os.path.join(folder, name + ".json")
    with open(source, "w", encoding="utf-8") as handle:
        json.dump(description, handle, ensure_ascii=False)
    pst = os.path.join(folder, name + ".pst")
    proc = subprocess.run([sys.executable, PSTGEN, source, pst],
                          capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        raise AssertionError("pstgen failed (%d): %s"
                             % (proc.returncode, proc.stderr))
    return pst


def load_example():
    with open(EXAMPLE, encoding="utf-8") as handle:
        return json.load(handle)


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def eq(actual, expected, what):
    if actual != expected:
        raise AssertionError("%s: expected %r, got %r"
                             % (what, expected, actual))


# -- pffexport --------------------------------------------------------------

def pffexport(pst, mode="all"):
    target = os.path.join(os.path.dirname(pst), "pffexport-" + mode)
    proc = subprocess.run(["pffexport", "-m", mode, "-f", "all", "-t",
                           target, pst], capture_output=True, text=True,
                          timeout=300)
    eq(proc.returncode, 0, "pffexport exit status (%s)" % proc.stderr[-2000:])
    return target, proc.stdout + proc.stderr


def read_fields(path):
    """Return {key: value} of a pffexport 'Key:<tabs>value' text file."""
    fields = {}
    if os.path.exists(path):
        with open(path, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                key, sep, value = line.partition(":")
                if sep and value.strip():
                    fields.setdefault(key.strip(), value.strip())
    return fields


def read_recipients(path):
    recipients = []
    if not os.path.exists(path):
        return recipients
    with open(path, encoding="utf-8") as handle:
        for block in handle.read().split("\n\n"):
            fields = {}
            for line in block.splitlines():
                key, _sep, value = line.partition(":")
                fields[key.strip()] = value.strip()
            if fields.get("Email address"):
                recipients.append((fields["Recipient type"],
                                   fields["Email address"]))
    return recipients


def pffexport_message(folder):
    headers = read_fields(os.path.join(folder, "OutlookHeaders.txt"))
    attachments = []
    attachment_dir = os.path.join(folder, "Attachments")
    names = os.listdir(attachment_dir) if os.path.isdir(attachment_dir) else []
    for name in sorted(names, key=lambda n: int(re.match(r"\D*(\d+)",
                                                         n).group(1))):
        path = os.path.join(attachment_dir, name)
        if os.path.isdir(path):
            inner = os.path.join(path, "Message00001")
            attachments.append({"message": pffexport_message(inner)})
        else:
            with open(path, "rb") as handle:
                data = handle.read()
            attachments.append({"name": name.split("_", 1)[1],
                                "sha256": hashlib.sha256(data).hexdigest()})
    return {"subject": headers.get("Subject", ""),
            "sender": headers.get("Sender email address"),
            "recipients": read_recipients(os.path.join(folder,
                                                       "Recipients.txt")),
            "attachments": attachments}


def pffexport_folders(root):
    """Return {folder path: [message dicts]} of a pffexport .export tree."""
    folders = {}
    for dirpath, dirnames, _files in os.walk(root):
        if re.search(r"/Message\d{5}(/|$)", dirpath):
            continue
        rel = os.path.relpath(dirpath, root)
        messages = sorted(d for d in dirnames if re.match(r"Message\d{5}$", d))
        if rel != ".":
            folders[rel] = [pffexport_message(os.path.join(dirpath, d))
                            for d in messages]
    return folders


def until_nul(text):
    """Return text up to its first NUL, where all three readers stop."""
    return text.split("\0", 1)[0]


def libpff_text(text):
    """Return text as libpff 20180714 decodes it from UTF-16.

    Its decoder reads a surrogate pair as the code point minus 0x3FF
    (U+1F4CE comes back as U+1F0CF), while readpst and the bytes in the
    file are right.
    """
    return "".join(chr(ord(c) - 0x3FF) if ord(c) > 0xFFFF else c
                   for c in text)


def pffexport_subject(subject):
    """Return the subject as pffexport 20180714 prints it.

    pffexport drops two bytes ("subject control codes") when the first byte
    of the UTF-8 subject compares below 0x20 as a signed char, which is
    true for every subject that starts with a non-ASCII character.
    """
    data = libpff_text(until_nul(subject)).encode("utf-8")
    if len(data) >= 2 and data[0] >= 0x80:
        return data[2:].decode("utf-8", errors="replace")
    return libpff_text(until_nul(subject))


def pffexport_expected_message(message):
    kinds = (("to", "To"), ("cc", "CC"), ("bcc", "BCC"))
    recipients = [(label, a.get("ex_dn") or a["smtp"])
                  for key, label in kinds for a in message[key]]
    attachments = []
    for attachment in message["attachments"]:
        if "message" in attachment:
            attachments.append({"message": pffexport_expected_message(
                attachment["message"])})
        else:
            name = until_nul(attachment["name"]).replace("/", "_")
            attachments.append({"name": name,
                                "sha256": attachment["sha256"]})
    sender = message["sender"]
    return {"subject": pffexport_subject(message["subject"]),
            "sender": (sender.get("ex_dn") or sender["smtp"]) if sender
            else None,
            "recipients": recipients, "attachments": attachments}


def check_pffexport(pst, description):
    target, _log = pffexport(pst)
    actual = pffexport_folders(os.path.join(target + ".export", SUBTREE))
    expected = {path: [pffexport_expected_message(m) for m in messages]
                for path, messages in expected_folders(description).items()}
    eq(sorted(actual), sorted(expected), "pffexport folder paths")
    for path in expected:
        eq(len(actual[path]), len(expected[path]),
           "pffexport message count in %s" % path)
        for got, want in zip(actual[path], expected[path]):
            eq(got, want, "pffexport message in %s" % path)


def test_pstgen_example_pffexport():
    description = load_example()
    check_pffexport(write_pst(description), description)


# -- readpst ----------------------------------------------------------------

def raw_header(message, name):
    """Return a header as written, RFC 2047 words decoded, or None."""
    for key, value in message.raw_items():
        if key.lower() == name.lower():
            unfolded = re.sub(r"\r?\n[ \t]+", " ", str(value))
            return str(email.header.make_header(
                email.header.decode_header(unfolded)))
    return None


def readpst_message(message):
    attachments = []
    for part in message.iter_attachments():
        if part.get_content_type() == "message/rfc822":
            inner = part.get_payload()[0]
            if not inner.keys():
                # readpst 0.6.76 starts an embedded message with an escaped
                # mbox ">From " line, so its headers parse as body text.
                text = inner.get_payload()
                first, _sep, rest = text.partition("\n")
                if first.startswith((">From ", "From ")):
                    text = rest
                inner = email.message_from_string(
                    text, policy=email.policy.default)
            attachments.append({"message": readpst_message(inner)})
            continue
        data = part.get_payload(decode=True) or b""
        # readpst writes filename*= without percent-encoding, which the
        # email package misreads for names like "../x"; the plain
        # filename= parameter contains the name as stored.
        disposition = raw_header(part, "Content-Disposition") or ""
        match = re.search(r'filename="([^"]*)"', disposition)
        attachments.append({"name": match.group(1) if match else None,
                            "sha256": hashlib.sha256(data).hexdigest()})
    # readpst 0.6.76 writes attachments in reverse table order
    attachments.sort(key=lambda a: json.dumps(a, sort_keys=True))

    def names(header):
        value = raw_header(message, header)
        if not value:
            return []
        # readpst quotes display names that contain spaces
        return sorted(n.strip().strip('"') for n in value.split(";"))
    sender = message.get("X-libpst-forensic-sender")
    if sender is None and message.get("From"):
        sender = message["From"].addresses[0].addr_spec
        if sender == "MAILER-DAEMON":
            sender = None           # readpst's placeholder for no sender
    return {"subject": str(message.get("Subject", "")),
            "sender": str(sender) if sender else None,
            "to": names("To"), "cc": names("Cc"),
            "bcc": names("X-libpst-forensic-bcc"),
            "attachments": attachments}


def readpst_folders(pst, store_name):
    out = os.path.join(os.path.dirname(pst), "readpst")
    os.makedirs(out, exist_ok=True)
    # -j 0: readpst 0.6.76 forks per message by default, and its children
    # can overwrite each other's numbered output files.
    proc = subprocess.run(["readpst", "-j", "0", "-D", "-8", "-e", "-o", out,
                           pst], capture_output=True, text=True,
                          timeout=300)
    eq(proc.returncode, 0, "readpst exit status (%s)" % proc.stderr[-2000:])
    root = os.path.join(out, store_name)
    folders = {}
    for dirpath, _dirs, files in os.walk(root):
        rel = os.path.relpath(dirpath, root)
        messages = []
        for name in sorted(f for f in files if f.endswith(".eml")):
            with open(os.path.join(dirpath, name), "rb") as handle:
                parsed = email.message_from_binary_file(
                    handle, policy=email.policy.default)
            messages.append(readpst_message(parsed))
        if rel != ".":
            folders[rel] = messages
    return folders


def readpst_expected_message(message):
    attachments = []
    for attachment in message["attachments"]:
        if "message" in attachment:
            attachments.append({"message": readpst_expected_message(
                attachment["message"])})
        elif attachment["size"] > 0:
            # readpst 0.6.76 leaves out attachments of 0 bytes
            attachments.append({"name": until_nul(attachment["name"]),
                                "sha256": attachment["sha256"]})
    sender = message["sender"]
    return {"subject": until_nul(message["subject"]),
            "sender": (sender.get("ex_dn") or sender["smtp"]) if sender
            else None,
            "to": sorted(a.get("name") or a["smtp"] for a in message["to"]),
            "cc": sorted(a.get("name") or a["smtp"] for a in message["cc"]),
            "bcc": sorted(a.get("name") or a["smtp"]
                          for a in message["bcc"]),
            "attachments": sorted(attachments, key=lambda a: json.dumps(
                a, sort_keys=True))}


def by_subject(messages):
    return sorted(messages, key=lambda m: m["subject"])


def check_readpst(pst, description):
    actual = readpst_folders(pst, description["store_name"])
    expected = {path: [readpst_expected_message(m) for m in messages]
                for path, messages in expected_folders(description).items()}
    # readpst finds messages by their parent NID in the NBT, so it shows
    # orphaned ones, which are in no contents table, in their folder.
    for item in description.get("deleted", []):
        if item["mode"] == "orphaned":
            expected[item["folder"]].append(readpst_expected_message(
                expected_message(item["message"])))
    # readpst makes no directory for a folder without messages
    expected_paths = sorted(p for p, m in expected.items() if m)
    eq(sorted(p for p, m in actual.items() if m), expected_paths,
       "readpst folder paths with messages")
    for path in expected_paths:
        eq(len(actual[path]), len(expected[path]),
           "readpst message count in %s" % path)
        for got, want in zip(by_subject(actual[path]),
                             by_subject(expected[path])):
            eq(got, want, "readpst message in %s" % path)


def test_pstgen_edge_cases_three_readers():
    """Empty, long and NUL-cut subjects, emoji, 150 attachments, depth 10."""
    with open(os.path.join(os.path.dirname(EXAMPLE), "edge-cases.json"),
              encoding="utf-8") as handle:
        description = json.load(handle)
    pst = write_pst(description)
    check_pffexport(pst, description)
    check_readpst(pst, description)
    check_pypff(pst, description)


def test_pstgen_example_readpst():
    description = load_example()
    check_readpst(write_pst(description), description)


# -- pypff --------------------------------------------------------------------

PYPFF_DUMP = r'''
import hashlib, json, sys
import pypff

def entry(item, entry_type):
    for record_set in item.record_sets:
        for e in record_set.entries:
            if e.entry_type == entry_type and e.data is not None:
                if e.value_type == 0x1F:
                    return e.data.decode("utf-16-le").rstrip("\0")
                if e.value_type == 0x3:
                    return e.data_as_integer
    return None

def message(m):
    attachments = []
    for a in m.attachments:
        method = entry(a, 0x3705)
        item = {"name": entry(a, 0x3707) or entry(a, 0x3001),
                "method": method}
        if method == 1:
            data = a.read_buffer(a.size) if a.size else b""
            item["sha256"] = hashlib.sha256(data).hexdigest()
        attachments.append(item)
    return {"subject": m.subject or "", "sender_name": m.sender_name,
            "display_to": entry(m, 0x0E04), "display_cc": entry(m, 0x0E03),
            "display_bcc": entry(m, 0x0E02), "attachments": attachments}

def walk(folder, path, out):
    out[path] = [message(m) for m in folder.sub_messages]
    for sub in folder.sub_folders:
        walk(sub, (path + "/" if path else "") + sub.name, out)

f = pypff.file()
f.open(sys.argv[1])
out = {}
walk(f.root_folder, "", out)
print(json.dumps({"folders": out, "orphans": f.number_of_orphan_items,
                  "store": entry(f.message_store, 0x3001)}))
'''


def pypff_dump(pst):
    proc = subprocess.run([SYSTEM_PYTHON, "-c", PYPFF_DUMP, pst],
                          capture_output=True, text=True, timeout=300)
    eq(proc.returncode, 0, "pypff dump exit status (%s)" % proc.stderr)
    return json.loads(proc.stdout)


def pypff_expected_message(message):
    attachments = []
    for attachment in message["attachments"]:
        if "message" in attachment:
            attachments.append({"name": attachment["name"], "method": 5})
        else:
            attachments.append({"name": attachment["name"], "method": 1,
                                "sha256": attachment["sha256"]})

    def names(key):
        joined = "; ".join(a.get("name") or a["smtp"] for a in message[key])
        return joined or None
    sender = message["sender"]
    return {"subject": libpff_text(until_nul(message["subject"])),
            "sender_name": (sender.get("name") or sender["smtp"]) if sender
            else None,
            "display_to": names("to"), "display_cc": names("cc"),
            "display_bcc": names("bcc"), "attachments": attachments}


def check_pypff(pst, description):
    dump = pypff_dump(pst)
    eq(dump["store"], description["store_name"], "pypff store name")
    eq(dump["orphans"], 0, "pypff orphan items")
    prefix = SUBTREE + "/"
    actual = {p[len(prefix):]: m for p, m in dump["folders"].items()
              if p.startswith(prefix)}
    expected = {path: [pypff_expected_message(m) for m in messages]
                for path, messages in expected_folders(description).items()}
    eq(sorted(actual), sorted(expected), "pypff folder paths")
    for path in expected:
        eq(len(actual[path]), len(expected[path]),
           "pypff message count in %s" % path)
        for got, want in zip(actual[path], expected[path]):
            eq(got, want, "pypff message in %s" % path)


def test_pstgen_example_pypff():
    description = load_example()
    check_pypff(write_pst(description), description)


# -- deleted messages -----------------------------------------------------------

def deleted_by_mode(description):
    return [(item["mode"], expected_message(item["message"]))
            for item in description["deleted"]]


def test_pstgen_deleted_recovered_by_pffexport():
    """Unlinked messages come back whole; overwritten ones come back damaged.

    libpff 20180714 recovers a deleted node from the superseded B-tree
    leaf pages in free space.  When the overwritten block is an attachment,
    the message is exported with the damaged bytes and no CRC complaint.
    When it is the property context, pffexport cannot read the item type
    and exports nothing for it.
    """
    description = load_example()
    pst = write_pst(description)
    target, log = pffexport(pst, "recovered")
    recovered = [pffexport_message(os.path.join(target + ".recovered", d))
                 for d in sorted(os.listdir(target + ".recovered"))]
    by_subject_map = {m["subject"]: m for m in recovered}
    deleted = deleted_by_mode(description)
    eq(sorted(mode for mode, _message in deleted),
       ["orphaned", "overwritten", "overwritten", "unlinked"],
       "deletion modes in the example")
    for mode, message in deleted:
        want = pffexport_expected_message(message)
        got = by_subject_map.get(want["subject"])
        if mode == "orphaned":
            # the node is still allocated, so there is nothing to recover
            check(got is None, "orphaned message %r reported as recovered"
                  % want["subject"])
        elif mode == "unlinked":
            eq(got, want, "recovered unlinked message")
        elif message["attachments"]:
            check(got is not None, "overwritten message with attachment %r "
                  "not recovered" % want["subject"])
            eq(got["recipients"], want["recipients"],
               "recovered overwritten message recipients")
            eq(len(got["attachments"]), 1, "recovered attachment count")
            check(got["attachments"][0]["sha256"]
                  != want["attachments"][0]["sha256"],
                  "overwritten attachment came back intact")
        else:
            check(got is None, "message with overwritten properties %r "
                  "was exported" % want["subject"])
    eq(len(recovered), 2, "pffexport recovered message count")
    check("Unable to retrieve type of item" in log,
          "pffexport did not report the unreadable recovered item")


def test_pstgen_deleted_bytes_stay_in_free_space():
    description = load_example()
    description["crypt"] = "none"
    pst = write_pst(description)
    layout = read_layout(pst)
    with open(pst, "rb") as handle:
        data = handle.read()
    for mode, message in deleted_by_mode(description):
        if mode != "unlinked":
            continue
        needle = message["subject"].encode("utf-16-le")
        at = data.find(needle)
        check(at > 0, "deleted subject %r not in the file"
              % message["subject"])
        check(not layout["is_allocated"](at),
              "deleted subject at 0x%x is still allocated" % at)
    for path, messages in expected_folders(description).items():
        for message in messages:
            if message["subject"]:
                at = data.find(message["subject"].encode("utf-16-le"))
                check(at > 0 and layout["is_allocated"](at),
                      "live subject %r not in allocated space"
                      % message["subject"])


# -- NDB structure, checked by an independent minimal parser -----------------

def pst_crc(data):
    return ~zlib.crc32(data, 0xFFFFFFFF) & 0xFFFFFFFF


def read_btree(data, ib, bid, ptype, out, depth=0):
    page = data[ib:ib + 512]
    eq(page[496], ptype, "page type at 0x%x" % ib)
    eq(page[497], ptype, "repeated page type at 0x%x" % ib)
    sig, crc, back = struct.unpack_from("<HIQ", page, 498)
    eq(crc, pst_crc(page[:496]), "page CRC at 0x%x" % ib)
    eq(back, bid, "page BID at 0x%x" % ib)
    value = (ib ^ bid) & 0xFFFFFFFF
    eq(sig, ((value >> 16) ^ value) & 0xFFFF, "page signature at 0x%x" % ib)
    count, maximum, size, level = page[488:492]
    eq(maximum, 488 // size, "cEntMax at 0x%x" % ib)
    keys = []
    for i in range(count):
        entry = page[i * size:(i + 1) * size]
        if level > 0:
            key, child_bid, child_ib = struct.unpack("<QQQ", entry)
            keys.append(key)
            out["pages"].append(child_ib)
            read_btree(data, child_ib, child_bid, ptype, out, depth + 1)
        else:
            keys.append(struct.unpack_from("<Q", entry)[0])
            out["entries"].append(entry)
    eq(keys, sorted(keys), "keys sorted at 0x%x" % ib)
    out["levels"] = max(out.get("levels", 0), level)


def read_layout(pst):
    """Check header, B-trees, blocks and AMaps; return what was found."""
    with open(pst, "rb") as handle:
        data = handle.read()
    eq(data[0:4], b"!BDN", "magic")
    eq(data[8:10], b"SM", "client magic")
    eq(struct.unpack_from("<H", data, 10)[0], 23, "wVer")
    eq(struct.unpack_from("<I", data, 4)[0], pst_crc(data[8:8 + 471]),
       "dwCRCPartial")
    eq(struct.unpack_from("<I", data, 524)[0], pst_crc(data[8:8 + 516]),
       "dwCRCFull")
    (eof, amap_last, amap_free, _pmap_free, nbt_bid, nbt_ib, bbt_bid,
     bbt_ib) = struct.unpack_from("<QQQQQQQQ", data, 184)
    eq(eof, len(data), "ibFileEof")
    span = 496 * 8 * 64
    eq((eof - 0x4400) % span, 0, "file size in whole AMap ranges")
    eq(amap_last, eof - span, "ibAMapLast")
    nbt = {"entries": [], "pages": [nbt_ib]}
    bbt = {"entries": [], "pages": [bbt_ib]}
    read_btree(data, nbt_ib, nbt_bid, 0x81, nbt)
    read_btree(data, bbt_ib, bbt_bid, 0x80, bbt)
    bits = bytearray()
    free = 0
    for base in range(0x4400, eof, span):
        page = data[base:base + 512]
        eq(page[496], 0x84, "AMap page type at 0x%x" % base)
        eq(struct.unpack_from("<I", page, 500)[0], pst_crc(page[:496]),
           "AMap CRC at 0x%x" % base)
        eq(struct.unpack_from("<Q", page, 504)[0], base,
           "AMap back pointer at 0x%x" % base)
        if (base - 0x4400) // span % 8 == 0:
            eq(data[base + 512 + 496], 0x83, "PMap after AMap 0x%x" % base)
        bits += page[:496]
        free += sum(8 - bin(b).count("1") for b in page[:496]) * 64
    eq(amap_free, free, "cbAMapFree")

    def is_allocated(offset):
        unit = (offset - 0x4400) // 64
        return bool(bits[unit >> 3] & (0x80 >> (unit & 7)))
    for ib in nbt["pages"] + bbt["pages"]:
        check(all(is_allocated(ib + i) for i in range(0, 512, 64)),
              "B-tree page at 0x%x not allocated" % ib)
    for entry in bbt["entries"]:
        bid, ib, cb, _ref = struct.unpack_from("<QQHH", entry)
        total = (cb + 16 + 63) // 64 * 64
        trailer = data[ib + total - 16:ib + total]
        got_cb, _sig, crc, back = struct.unpack("<HHIQ", trailer)
        eq((got_cb, back), (cb, bid), "block trailer at 0x%x" % ib)
        eq(crc, pst_crc(data[ib:ib + cb]), "block CRC at 0x%x" % ib)
        check(all(is_allocated(ib + i) for i in range(0, total, 64)),
              "block 0x%x at 0x%x not allocated" % (bid, ib))
    return {"nbt": nbt, "bbt": bbt, "is_allocated": is_allocated,
            "crypt": data[513]}


def test_pstgen_ndb_structure():
    description = load_example()
    layout = read_layout(write_pst(description))
    eq(layout["crypt"], 1, "bCryptMethod of the example (permute)")
    nids = [struct.unpack_from("<Q", e)[0] for e in layout["nbt"]["entries"]]
    for nid in (0x21, 0x61, 0x122, 0x12D, 0x12E, 0x12F):
        check(nid in nids, "node 0x%x missing from the NBT" % nid)


# -- large stores: multi-level trees, XXBLOCK, row matrix in subnodes -------

def large_description():
    people = [{"name": "Person %d" % i, "smtp": "p%d@example.org" % i}
              for i in range(300)]
    inbox = [{"subject": "bulk %04d" % i,
              "sender": {"smtp": "bulk@example.com"},
              "to": [people[i % 300]],
              "submit_utc": "2024-01-01T00:00:00Z"} for i in range(1200)]
    sent = [{"subject": "many recipients and a 9 MB attachment",
             "sender": {"name": "Dana", "smtp": "dana@example.com"},
             "to": people[:150], "cc": people[150:250],
             "bcc": people[250:],
             "body_text": "x" * 100000,
             "attachments": [{"filename": "dump.bin",
                              "generate": {"size": 9 * 2**20, "seed": 4}}]}]
    return {"store_name": "Large", "crypt": "none",
            "folders": [{"name": "Inbox", "messages": inbox},
                        {"name": "Sent Items", "messages": sent}]}


def test_pstgen_large_store_readers():
    description = large_description()
    pst = write_pst(description)
    layout = read_layout(pst)
    check(layout["nbt"]["levels"] >= 1, "NBT has a single level")
    check(layout["bbt"]["levels"] >= 1, "BBT has a single level")
    check_pypff(pst, description)
    check_readpst(pst, description)
    check_pffexport(pst, description)


def test_pstgen_synthetic_counts():
    folder = tempfile.mkdtemp(prefix="mt-pstgen-")
    pst = os.path.join(folder, "synthetic.pst")
    proc = subprocess.run([sys.executable, PSTGEN, "--synthetic",
                           "--messages", "300", "--size", "3M", pst],
                          capture_output=True, text=True, timeout=300)
    eq(proc.returncode, 0, "pstgen --synthetic exit status (%s)"
       % proc.stderr)
    size = os.path.getsize(pst)
    check(2 * 2**20 <= size <= 5 * 2**20, "synthetic size %d not near 3M"
          % size)
    dump = pypff_dump(pst)
    total = sum(len(m) for m in dump["folders"].values())
    eq(total, 300, "pypff synthetic message count")
    out = os.path.join(folder, "readpst")
    os.makedirs(out)
    subprocess.run(["readpst", "-j", "0", "-D", "-e", "-o", out, pst],
                   capture_output=True, check=True, timeout=300)
    emls = sum(len([f for f in files if f.endswith(".eml")])
               for _d, _s, files in os.walk(out))
    eq(emls, 300, "readpst synthetic message count")
    read_layout(pst)
    ansi = os.path.join(folder, "synthetic-ansi.pst")
    proc = subprocess.run([sys.executable, PSTGEN, "--synthetic", "--ansi",
                           "--messages", "120", "--size", "1M", ansi],
                          capture_output=True, text=True, timeout=300)
    eq(proc.returncode, 0, "pstgen --synthetic --ansi exit status (%s)"
       % proc.stderr)
    dump = pypff_dump(ansi)
    eq(sum(len(m) for m in dump["folders"].values()), 120,
       "pypff ANSI synthetic message count")


# -- invalid input ---------------------------------------------------------------

def run_pstgen_on(description):
    folder = tempfile.mkdtemp(prefix="mt-pstgen-")
    source = os.path.join(folder, "bad.json")
    with open(source, "w", encoding="utf-8") as handle:
        json.dump(description, handle)
    return subprocess.run([sys.executable, PSTGEN, source,
                           os.path.join(folder, "bad.pst")],
                          capture_output=True, text=True, timeout=60)


def test_pstgen_rejects_invalid_description():
    cases = [
        ({"folders": [{"name": "Inbox", "mesages": []}]}, "mesages"),
        ({"folders": [{"name": "Inbox"}],
          "deleted": [{"folder": "Outbox", "mode": "unlinked",
                       "message": {}}]}, "Outbox"),
        ({"folders": [{"name": "Inbox", "messages": [
            {"submit_utc": "2024-01-01T00:00:00"}]}]}, "no UTC offset"),
        ({"folders": [{"name": "Inbox", "messages": [
            {"attachments": [{"filename": "a", "data_base64": "%%"}]}]}]},
         "data_base64"),
        ({"folders": [{"name": "a/b"}]}, "'/'"),
    ]
    for description, needle in cases:
        proc = run_pstgen_on(description)
        eq(proc.returncode, 1, "exit status for %r" % needle)
        check(needle in proc.stderr, "error for %r does not mention it: %s"
              % (needle, proc.stderr))


def test_pstgen_expect_file_matches_description():
    description = load_example()
    folder = tempfile.mkdtemp(prefix="mt-pstgen-")
    expect = os.path.join(folder, "expect.json")
    proc = subprocess.run([sys.executable, PSTGEN, "--expect", expect,
                           EXAMPLE, os.path.join(folder, "x.pst")],
                          capture_output=True, text=True, timeout=120)
    eq(proc.returncode, 0, "pstgen --expect exit status (%s)" % proc.stderr)
    with open(expect, encoding="utf-8") as handle:
        written = json.load(handle)
    for path, messages in expected_folders(description).items():
        got = written["folders"][path]
        eq([m["subject"] for m in got], [m["subject"] for m in messages],
           "subjects in --expect for %s" % path)
        eq([[a.get("sha256") for a in m["attachments"]] for m in got],
           [[a.get("sha256") for a in m["attachments"]] for m in messages],
           "attachment hashes in --expect for %s" % path)
    eq(sorted(d["subject"] for d in written["deleted"]),
       sorted(d["message"]["subject"] for d in description["deleted"]),
       "deleted subjects in --expect")


def test_pstgen_ansi_three_readers():
    """The same stores as 32-bit ANSI files (wVer 14)."""
    names = ("exfiltration.json", "edge-cases.json")
    for name in names:
        with open(os.path.join(os.path.dirname(EXAMPLE), name),
                  encoding="utf-8") as handle:
            description = json.load(handle)
        description["format"] = "ansi"
        pst = write_pst(description)
        with open(pst, "rb") as handle:
            header = handle.read(512)
        eq(struct.unpack_from("<H", header, 10)[0], 14, "ANSI wVer")
        eq(struct.unpack_from("<I", header, 4)[0],
           pst_crc(header[8:8 + 471]), "ANSI dwCRCPartial")
        check_pffexport(pst, description)
        check_readpst(pst, description)
        check_pypff(pst, description)
        target, _log = pffexport(pst, "recovered")
        recovered = (sorted(os.listdir(target + ".recovered"))
                     if os.path.isdir(target + ".recovered") else [])
        eq(len(recovered), 2 if description.get("deleted") else 0,
           "ANSI %s: pffexport recovered message count" % name)
