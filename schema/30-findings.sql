-- SPDX-License-Identifier: MIT
-- Findings: exfiltration indicators computed by 'mailtrail report'.
-- Each finding names the custodian, the time window and the messages
-- (or log events) behind it, so every number can be traced back.

-- kind: 'spike', 'off-hours', 'one-recipient-no-replies',
-- 'new-recipient-share', 'high-entropy-domain', 'nonsense-handle',
-- 'listed-domain', 'self-forwarding', 'freemail', 'large-attachment',
-- 'archive-attachment', 'encrypted-attachment', 'type-mismatch',
-- 'watchlist-attachment', 'deleted-outbound', 'forwarding-rule',
-- 'auto-forward', 'lookalike-address', 'sent-deleted-log',
-- 'log-size-alert', 'flow-unaccounted', ...
-- severity: 'high', 'medium', 'low', 'info'.
CREATE TABLE IF NOT EXISTS finding (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL,
    custodian_id  INTEGER REFERENCES custodian(id),
    window_start_utc INTEGER,
    window_end_utc   INTEGER,
    score         REAL NOT NULL,      -- 0..100, higher is more suspicious
    severity      TEXT NOT NULL,
    title         TEXT NOT NULL,      -- one line
    explanation   TEXT NOT NULL,      -- how the score was reached
    explained_by  TEXT,               -- corporate event that explains it
    subject_value TEXT                -- the domain, address or hash concerned
);

CREATE TABLE IF NOT EXISTS finding_message (
    finding_id INTEGER NOT NULL REFERENCES finding(id),
    message_id INTEGER NOT NULL REFERENCES message(id),
    PRIMARY KEY (finding_id, message_id)
);

-- Examiner inputs given to 'mailtrail report', kept with their hashes.
CREATE TABLE IF NOT EXISTS examiner_input (
    id       INTEGER PRIMARY KEY,
    kind     TEXT NOT NULL,           -- 'events', 'domains', 'watchlist', 'access'
    path     TEXT NOT NULL,
    sha256   TEXT NOT NULL,
    loaded_utc INTEGER NOT NULL
);

-- Statistics behind the report, recomputed by every 'mailtrail report'.
-- custodian_id NULL means all custodians together.  Each sent message is
-- counted once: copies linked through message.duplicate_of are skipped.

-- metric: 'messages_sent', 'deliveries' (each to/cc/bcc address of a
-- message counts: 40 Bcc are 40 deliveries), 'external_deliveries',
-- 'bytes_sent', 'attachments_sent', 'attachment_bytes' (direct
-- attachments, logos and signature images left out), 'per_hour_mean',
-- 'per_hour_median' (over hours with mail), 'per_day_mean',
-- 'per_day_median', 'per_week_mean', 'per_week_median' (over every day
-- or ISO week from the first to the last one with mail, empty ones as
-- 0), 'msg_size_mean', 'msg_size_median', 'attachment_size_mean',
-- 'attachment_size_median', 'undated_messages' (no sent time, so in no
-- bucket), 'tz_offset_min' (the offset used for local time).  Per
-- custodian only: 'rank' (1 is examined first: custodians on the access
-- list, then by highest finding score), 'on_access_list' (0/1),
-- 'max_score'.
CREATE TABLE IF NOT EXISTS stat_custodian (
    custodian_id INTEGER REFERENCES custodian(id),
    metric       TEXT NOT NULL,
    value        REAL
);

-- kind: 'hour-of-day' (bucket '00'..'23'), 'day-of-week' ('1' Monday
-- .. '7' Sunday), 'weekday-hour' ('1-09': Monday 09h), 'day'
-- ('2024-03-05'), 'iso-week' ('2024-W10'), 'hour' ('2024-03-05T14'),
-- all in the custodian's local time: the examiner-set zone, else the
-- most frequent Date offset of the custodian's sent mail.
-- baseline_median, baseline_mad and is_spike are filled for 'day' and
-- 'hour' from comparable periods (same hour, weekday or weekend) within
-- 28 days either side, leaving out automatic replies.  They stay NULL
-- when fewer than 7 such periods exist.
CREATE TABLE IF NOT EXISTS stat_bucket (
    custodian_id    INTEGER REFERENCES custodian(id),
    kind            TEXT NOT NULL,
    bucket          TEXT NOT NULL,
    messages        INTEGER NOT NULL,
    bytes           INTEGER NOT NULL,
    deliveries      INTEGER NOT NULL,
    baseline_median REAL,
    baseline_mad    REAL,
    is_spike        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS stat_bucket_key
    ON stat_bucket(custodian_id, kind, bucket);

-- Per custodian and recipient address: what was sent and what came back.
CREATE TABLE IF NOT EXISTS stat_recipient (
    custodian_id  INTEGER REFERENCES custodian(id),
    address       TEXT NOT NULL,
    domain        TEXT,
    external      INTEGER,
    messages_sent INTEGER NOT NULL,
    deliveries    INTEGER NOT NULL,
    bytes_sent    INTEGER NOT NULL,
    replies       INTEGER NOT NULL,   -- its messages whose In-Reply-To or
                                      -- References names a sent message
    messages_received INTEGER NOT NULL, -- any mail from it to the custodian
    first_utc     INTEGER,
    last_utc      INTEGER
);
