-- SPDX-License-Identifier: MIT
-- mailtrail case database, schema version 1.
--
-- One database contains one case: the evidence files ingested, the people
-- (custodians) they belong to, every message found in them and the
-- anomalies met on the way.  Times are stored as seconds since the Unix
-- epoch in UTC (INTEGER, negative before 1970) next to the offset in
-- minutes east of UTC that the source carried, so the original local
-- time can be rebuilt.  Text taken from mail is untrusted and stored as
-- decoded UTF-8; raw header values are kept where decoding can lose
-- information.

PRAGMA foreign_keys = ON;

CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,       -- 'schema_version', 'created_utc', ...
    value TEXT NOT NULL
);

-- A person whose mail is examined.
CREATE TABLE IF NOT EXISTS custodian (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    inferred_from TEXT NOT NULL,  -- 'command-line', 'pst-store-name',
                                  -- 'sent-folder-sender', 'dominant-sender'
    timezone      TEXT,           -- examiner-set IANA zone or '+HHMM'
    tz_offset_min INTEGER,        -- inferred from the custodian's own Date
                                  -- offsets (most frequent value)
    departure_utc INTEGER,        -- examiner-set departure date
    UNIQUE (name)
);

CREATE TABLE IF NOT EXISTS custodian_address (
    custodian_id INTEGER NOT NULL REFERENCES custodian(id),
    address      TEXT NOT NULL,   -- lower-case addr-spec
    PRIMARY KEY (custodian_id, address)
);

CREATE TABLE IF NOT EXISTS internal_domain (
    domain TEXT PRIMARY KEY       -- lower-case; recipients here are internal
);

-- One evidence item: a store file (PST, OST, mbox, EML) or a folder
-- (Maildir, folder of EML files).  For a folder, sha256 is computed
-- over a manifest of 'relative-path NUL sha256 LF' lines in byte order
-- of the path.
CREATE TABLE IF NOT EXISTS evidence (
    id              INTEGER PRIMARY KEY,
    path            TEXT NOT NULL,  -- as given on the command line, made absolute
    size            INTEGER NOT NULL,
    sha256_before   TEXT NOT NULL,
    sha256_after    TEXT,           -- computed again when the ingest ends
    format          TEXT NOT NULL,  -- 'pst', 'ost', 'mbox', 'maildir', 'eml',
                                    -- 'eml-folder', 'log-postfix', ...
    format_detail   TEXT,           -- e.g. 'unicode-64', 'mboxrd', 'maildir++'
    custodian_id    INTEGER REFERENCES custodian(id),
    tool_version    TEXT NOT NULL,
    command_line    TEXT NOT NULL,
    ingest_start_utc INTEGER NOT NULL,
    ingest_end_utc  INTEGER,
    status          TEXT NOT NULL,  -- 'complete', 'damaged' (some items skipped)
    store_name      TEXT,           -- PST message-store display name
    password_crc    TEXT,           -- PST password CRC32 when set
    UNIQUE (sha256_before, format)
);

-- Another seized path whose content is already in the case as evidence
-- (same SHA-256 and format): recorded, not extracted a second time.
CREATE TABLE IF NOT EXISTS evidence_copy (
    id           INTEGER PRIMARY KEY,
    evidence_id  INTEGER NOT NULL REFERENCES evidence(id),
    path         TEXT NOT NULL,
    custodian_id INTEGER REFERENCES custodian(id),
    command_line TEXT NOT NULL,
    seen_utc     INTEGER NOT NULL
);

-- A folder inside a store.  role is one of: 'sent', 'inbox',
-- 'deleted', 'drafts', 'outbox', 'junk', 'recoverable', 'tmp',
-- 'recovered', 'orphan', 'other'.  declared_count is what the store
-- itself claims (PST content count, number of files in a Maildir
-- folder).  The other counts are filled in when the folder is done.
CREATE TABLE IF NOT EXISTS folder (
    id              INTEGER PRIMARY KEY,
    evidence_id     INTEGER NOT NULL REFERENCES evidence(id),
    path            TEXT NOT NULL,  -- '/'-separated from the store root
    role            TEXT NOT NULL,
    declared_count  INTEGER,        -- NULL when the store does not say
    extracted_count INTEGER NOT NULL DEFAULT 0,
    failed_count    INTEGER NOT NULL DEFAULT 0,
    skipped_count   INTEGER NOT NULL DEFAULT 0, -- non-mail items (contacts...)
    unlisted_count  INTEGER NOT NULL DEFAULT 0, -- orphan items found under the
                                    -- folder but not in its contents table;
                                    -- stored, not part of extracted_count
    locator         TEXT            -- PST folder node id, directory path
);

-- One message as found in one place.  The same mail found twice (Sent
-- folder and a recipient's Inbox, allocated and recovered) gives two
-- rows linked through content_key / duplicate_of.
--
-- status: 'allocated' (live in its folder), 'deleted' (live but in a
-- Deleted Items / Trash / Recoverable Items folder, or marked deleted:
-- Status: D), 'trashed' (Maildir T flag), 'expunged' (mbox
-- X-Mozilla-Status 0x0008), 'recovered' (libpff recovered item, carved
-- from mbox slack), 'orphan' (PST item no folder references), 'tmp'
-- (Maildir tmp/ file).
CREATE TABLE IF NOT EXISTS message (
    id              INTEGER PRIMARY KEY,
    evidence_id     INTEGER NOT NULL REFERENCES evidence(id),
    folder_id       INTEGER REFERENCES folder(id),
    locator         TEXT NOT NULL,  -- 'nid=0x200024', 'offset=1234',
                                    -- 'cur/123.host:2,S', file path
    byte_offset     INTEGER,        -- mbox: offset of the From_ line
    pst_nid         INTEGER,        -- PST descriptor (node) identifier
    status          TEXT NOT NULL,
    recovery_note   TEXT,           -- how it was recovered, what is missing
    item_class      TEXT,           -- PST message class, 'IPM.Note'
    message_id      TEXT,           -- without angle brackets
    in_reply_to     TEXT,
    references_hdr  TEXT,
    subject         TEXT,
    from_addr       TEXT,
    from_name       TEXT,
    sender_addr     TEXT,
    sender_name     TEXT,
    date_raw        TEXT,           -- the Date header as written
    date_utc        INTEGER,        -- parsed Date header
    date_offset_min INTEGER,
    date_zone_known INTEGER,        -- 0 for '-0000', military letters, none
    submit_utc      INTEGER,        -- PST PR_CLIENT_SUBMIT_TIME
    delivery_utc    INTEGER,        -- PST PR_MESSAGE_DELIVERY_TIME
    sent_utc        INTEGER,        -- chosen by the rule in docs/schema.md
    sent_offset_min INTEGER,
    sent_source     TEXT,           -- 'date', 'client-submit', 'received', ...
    clock_skew_sec  INTEGER,        -- Date minus first Received, when both known
    size            INTEGER NOT NULL, -- raw bytes (RFC 5322) or PST message size
    sha256          TEXT,           -- of the raw bytes as stored
    content_key     TEXT,           -- store-independent hash, links copies
    duplicate_of    INTEGER REFERENCES message(id),
    has_transport_headers INTEGER NOT NULL DEFAULT 0,
    flag_seen       INTEGER NOT NULL DEFAULT 0,
    flag_replied    INTEGER NOT NULL DEFAULT 0,
    flag_flagged    INTEGER NOT NULL DEFAULT 0,
    flag_draft      INTEGER NOT NULL DEFAULT 0,
    flag_passed     INTEGER NOT NULL DEFAULT 0,
    flag_trashed    INTEGER NOT NULL DEFAULT 0,
    flag_deleted    INTEGER NOT NULL DEFAULT 0,
    body_text       TEXT,           -- decoded text/plain (or text of HTML)
    body_text_size  INTEGER,
    body_html_size  INTEGER,
    direction       TEXT,           -- 'outbound', 'inbound', 'internal', NULL
    custodian_id    INTEGER REFERENCES custodian(id),
    external_recipients INTEGER     -- count, filled with direction
);
CREATE INDEX IF NOT EXISTS message_evidence ON message(evidence_id);
CREATE INDEX IF NOT EXISTS message_msgid ON message(message_id);
CREATE INDEX IF NOT EXISTS message_msgid_lower ON message(lower(message_id));
CREATE INDEX IF NOT EXISTS message_content_key ON message(content_key);
CREATE INDEX IF NOT EXISTS message_sent ON message(custodian_id, direction, sent_utc);

-- kind: 'to', 'cc', 'bcc', 'reply-to', 'delivered-to', 'x-original-to'.
CREATE TABLE IF NOT EXISTS recipient (
    id          INTEGER PRIMARY KEY,
    message_id  INTEGER NOT NULL REFERENCES message(id),
    kind        TEXT NOT NULL,
    name        TEXT,
    address     TEXT,             -- lower-case addr-spec, NULL when unknown
    domain      TEXT,
    group_name  TEXT,             -- RFC 5322 group the address was listed in
    address_raw TEXT,             -- Exchange legacy DN or the raw text
    external    INTEGER           -- 1 when the domain is not internal
);
CREATE INDEX IF NOT EXISTS recipient_message ON recipient(message_id);
CREATE INDEX IF NOT EXISTS recipient_address ON recipient(address);

-- Every time a message carries.  source: 'date', 'received-first',
-- 'received-last', 'client-submit', 'delivery', 'creation',
-- 'modification', 'mbox-from-line', 'maildir-filename'.
CREATE TABLE IF NOT EXISTS message_time (
    message_id  INTEGER NOT NULL REFERENCES message(id),
    source      TEXT NOT NULL,
    utc         INTEGER NOT NULL,
    offset_min  INTEGER,
    zone_known  INTEGER NOT NULL DEFAULT 1,
    raw         TEXT
);
CREATE INDEX IF NOT EXISTS message_time_message ON message_time(message_id);

-- parent_id links a file inside a container (TNEF winmail.dat, an
-- attached message) to it; depth 0 is a direct attachment.
CREATE TABLE IF NOT EXISTS attachment (
    id             INTEGER PRIMARY KEY,
    message_id     INTEGER NOT NULL REFERENCES message(id),
    parent_id      INTEGER REFERENCES attachment(id),
    depth          INTEGER NOT NULL DEFAULT 0,
    filename       TEXT,           -- decoded; NUL and '/' are kept as found
    short_filename TEXT,           -- TNEF 8.3 title, PST PR_ATTACH_FILENAME
    declared_type  TEXT,           -- Content-Type or PR_ATTACH_MIME_TAG
    magic_type     TEXT,           -- libmagic MIME type of the decoded bytes
    magic_desc     TEXT,           -- libmagic description
    size           INTEGER NOT NULL,
    sha256         TEXT,
    ext_mismatch   INTEGER NOT NULL DEFAULT 0,
    encoding       TEXT,           -- 'base64', 'uuencode', 'tnef', 'mapi', ...
    disposition    TEXT,           -- 'attachment', 'inline'
    content_id     TEXT,
    unix_mode      TEXT,           -- octal mode of a uuencode 'begin' line
    is_message     INTEGER NOT NULL DEFAULT 0 -- message/rfc822 or embedded item
);
CREATE INDEX IF NOT EXISTS attachment_message ON attachment(message_id);
CREATE INDEX IF NOT EXISTS attachment_sha256 ON attachment(sha256);

-- Everything that went wrong or looked odd.  level: 'error' (an item
-- was skipped or partly lost), 'warning' (damaged but read),
-- 'note'.  offset is a byte offset in the evidence file when known.
-- evidence_id is NULL for a path met while walking a folder that was
-- not read at all (a symbolic link, a file that is no mail store).
CREATE TABLE IF NOT EXISTS anomaly (
    id          INTEGER PRIMARY KEY,
    evidence_id INTEGER REFERENCES evidence(id),
    folder_id   INTEGER REFERENCES folder(id),
    message_id  INTEGER REFERENCES message(id),
    level       TEXT NOT NULL,
    code        TEXT NOT NULL,    -- 'truncated-mbox', 'invalid-base64', ...
    path        TEXT,
    byte_offset INTEGER,
    locator     TEXT,
    detail      TEXT NOT NULL
);

-- One row per ingest or report command run against the case.
CREATE TABLE IF NOT EXISTS run (
    id           INTEGER PRIMARY KEY,
    command_line TEXT NOT NULL,
    tool_version TEXT NOT NULL,
    start_utc    INTEGER NOT NULL,
    end_utc      INTEGER,
    exit_status  INTEGER
);
