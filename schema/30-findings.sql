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
