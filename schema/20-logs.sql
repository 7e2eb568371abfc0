-- SPDX-License-Identifier: MIT
-- Mail server logs and network flows (extract/logs*.c).
--
-- A log file is evidence like a mailbox (evidence.format 'log-postfix',
-- 'log-exchange', 'log-m365', 'log-zeek-smtp', 'log-zeek-conn',
-- 'log-nfdump').  Lines of one message (one Postfix queue id, one
-- Exchange or Microsoft 365 message, one Zeek SMTP transaction) are
-- joined into one log_message; every line that is kept becomes a
-- log_event, and a delivery gives one log_event per envelope recipient,
-- so Bcc fan-out is counted.  Times are UTC seconds next to the text
-- they were parsed from; zone_known is 0 when the log carried no zone
-- and the time was taken in the zone set for the ingest (default UTC).

-- One message as the logs show it.  outcome: 'sent' (every recipient
-- accepted downstream), 'partly-sent', 'deferred', 'bounced',
-- 'rejected', 'unknown'.  merged_into points to the row that continues
-- this message from the previous rotated file; merged rows are left for
-- traceability and skipped by the views.  message_ref is the mailbox
-- copy that correlation linked and link_basis the rule that matched:
-- 'message-id', 'sender-recipients-size-time' or
-- 'sender-recipients-time' (the log gave no size).  duplicate_of is the first log_message
-- of another log source with the same Message-ID and sender.
CREATE TABLE IF NOT EXISTS log_message (
    id            INTEGER PRIMARY KEY,
    evidence_id   INTEGER NOT NULL REFERENCES evidence(id),
    line_no       INTEGER NOT NULL,  -- first line of this message, from 1
    byte_offset   INTEGER NOT NULL,  -- of that line (uncompressed for .gz)
    time_utc      INTEGER,           -- first line's time
    time_raw      TEXT,
    zone_known    INTEGER NOT NULL DEFAULT 1,
    host          TEXT,              -- syslog host or Exchange server
    queue_id      TEXT,              -- Postfix/Sendmail queue id, Zeek uid,
                                     -- Exchange internal-message-id
    from_addr     TEXT,              -- envelope sender, lower-case
    size          INTEGER,           -- bytes as the log gives them
    nrcpt         INTEGER,           -- recipient count the log declares
    rcpt_count    INTEGER NOT NULL DEFAULT 0, -- distinct envelope recipients
    delivered_count INTEGER NOT NULL DEFAULT 0, -- of them accepted downstream
    message_id    TEXT,              -- without angle brackets
    subject       TEXT,
    client_ip     TEXT,              -- who handed the message in
    client_host   TEXT,
    server_ip     TEXT,
    sasl_user     TEXT,
    outcome       TEXT NOT NULL DEFAULT 'unknown',
    has_start     INTEGER NOT NULL DEFAULT 0, -- the log shows it arriving
    has_end       INTEGER NOT NULL DEFAULT 0, -- and leaving the queue
    merged_into   INTEGER REFERENCES log_message(id),
    duplicate_of  INTEGER REFERENCES log_message(id),
    message_ref   INTEGER REFERENCES message(id),
    link_basis    TEXT,
    link_count    INTEGER NOT NULL DEFAULT 0  -- mailbox copies that matched
);
CREATE INDEX IF NOT EXISTS log_message_evidence ON log_message(evidence_id);
CREATE INDEX IF NOT EXISTS log_message_msgid ON log_message(message_id);
CREATE INDEX IF NOT EXISTS log_message_queue ON log_message(host, queue_id);

-- One log line kept, or one envelope recipient of a delivery line.
-- kind: 'delivery' (status= of one recipient), 'receive' (message
-- entered the server), 'reject', 'size-limit', 'attachment-rejected',
-- 'auth-failed', 'connect', 'disconnect', 'lost-connection', 'warning',
-- 'other'.  status is Postfix 'sent', 'deferred', 'bounced', 'expired',
-- Sendmail 'Sent', an Exchange event-id or a Microsoft 365 Status.
CREATE TABLE IF NOT EXISTS log_event (
    id             INTEGER PRIMARY KEY,
    evidence_id    INTEGER NOT NULL REFERENCES evidence(id),
    log_message_id INTEGER REFERENCES log_message(id),
    line_no        INTEGER NOT NULL,
    byte_offset    INTEGER NOT NULL,
    time_utc       INTEGER,
    time_raw       TEXT,
    offset_min     INTEGER,          -- zone offset the line carried
    zone_known     INTEGER NOT NULL DEFAULT 1,
    host           TEXT,
    program        TEXT,             -- 'postfix/smtp', 'sendmail', 'SMTP'
    queue_id       TEXT,
    kind           TEXT NOT NULL,
    from_addr      TEXT,
    to_addr        TEXT,             -- one envelope recipient
    orig_to        TEXT,
    size           INTEGER,
    nrcpt          INTEGER,
    status         TEXT,
    dsn            TEXT,
    relay          TEXT,             -- 'mx.example.com[192.0.2.1]:25'
    relay_ip       TEXT,
    message_id     TEXT,
    subject        TEXT,
    client_ip      TEXT,
    server_ip      TEXT,
    detail         TEXT,             -- the reply text or reason
    message_ref    INTEGER REFERENCES message(id),
    link_basis     TEXT
);
CREATE INDEX IF NOT EXISTS log_event_message ON log_event(log_message_id);
CREATE INDEX IF NOT EXISTS log_event_evidence ON log_event(evidence_id);

-- Bytes the flow records show a host sending toward an SMTP port (25,
-- 465, 587, 2525), summed per client host, server, port and UTC hour.
CREATE TABLE IF NOT EXISTS log_flow (
    id           INTEGER PRIMARY KEY,
    evidence_id  INTEGER NOT NULL REFERENCES evidence(id),
    host         TEXT NOT NULL,      -- client (source) address
    server       TEXT NOT NULL,      -- destination address
    port         INTEGER NOT NULL,
    hour_utc     INTEGER NOT NULL,   -- start of the hour, seconds
    bytes        INTEGER NOT NULL,   -- client to server payload bytes
    flows        INTEGER NOT NULL,
    first_line   INTEGER NOT NULL    -- first record that added to this row
);
CREATE INDEX IF NOT EXISTS log_flow_host ON log_flow(host, hour_utc);

-- Line counts per log evidence, so nothing is skipped silently.
CREATE TABLE IF NOT EXISTS log_stats (
    evidence_id     INTEGER PRIMARY KEY REFERENCES evidence(id),
    format          TEXT NOT NULL,
    lines_total     INTEGER NOT NULL,
    lines_blank     INTEGER NOT NULL,
    lines_comment   INTEGER NOT NULL, -- '#' lines: headers, annotations
    lines_parsed    INTEGER NOT NULL,
    lines_foreign   INTEGER NOT NULL, -- valid syslog lines of other programs
    lines_unknown   INTEGER NOT NULL, -- not understood, see anomaly rows
    lines_truncated INTEGER NOT NULL, -- cut off (no newline at end of file,
                                      -- or longer than the line limit)
    first_utc       INTEGER,
    last_utc        INTEGER,
    year_basis      TEXT              -- where a year-less timestamp's year
                                      -- came from: 'option', 'mtime',
                                      -- '...-unordered' (see anomaly)
);

-- Log rows behind a finding of the log kinds.
CREATE TABLE IF NOT EXISTS finding_log (
    finding_id     INTEGER NOT NULL REFERENCES finding(id) ON DELETE CASCADE,
    log_message_id INTEGER REFERENCES log_message(id),
    log_event_id   INTEGER REFERENCES log_event(id),
    log_flow_id    INTEGER REFERENCES log_flow(id)
);
CREATE INDEX IF NOT EXISTS finding_log_finding ON finding_log(finding_id);

-- Correlation looks mailbox messages up by sender and time.
CREATE INDEX IF NOT EXISTS message_from_sent ON message(from_addr, sent_utc);

-- Each envelope recipient the next hop accepted, one row per recipient
-- and log message (the last accepting line), for per-recipient
-- statistics.  external is 1 when the domain is not in internal_domain.
-- Rows of every log message are listed: join log_outbound on
-- log_message_id to keep a custodian's mail counted once.
CREATE VIEW IF NOT EXISTS log_delivery AS
SELECT e.log_message_id     AS log_message_id,
       max(e.id)            AS log_event_id,
       max(e.time_utc)      AS time_utc,
       e.to_addr            AS to_addr,
       substr(e.to_addr, instr(e.to_addr, '@') + 1) AS domain,
       substr(e.to_addr, instr(e.to_addr, '@') + 1) NOT IN
           (SELECT domain FROM internal_domain) AS external
FROM log_event e
WHERE e.kind = 'delivery' AND e.to_addr IS NOT NULL
  AND lower(e.status) IN ('sent', 'delivered', 'deliver', 'send')
GROUP BY e.log_message_id, e.to_addr;

-- Mail the logs show a custodian sending, one row per log message (rows
-- merged into another or duplicating another log source are left out).
-- recipients counts the envelope recipients the next hop accepted,
-- external_recipients those outside internal_domain.
-- linked_message_id is the mailbox copy when correlation found one:
-- statistics that also count mailbox messages should take only rows
-- where it is NULL, or they count those messages twice.
CREATE VIEW IF NOT EXISTS log_outbound AS
SELECT ca.custodian_id      AS custodian_id,
       lm.time_utc          AS time_utc,
       lm.delivered_count   AS recipients,
       lm.size              AS bytes,
       lm.message_id        AS message_id,
       lm.id                AS log_message_id,
       lm.evidence_id       AS evidence_id,
       lm.message_ref       AS linked_message_id,
       lm.from_addr         AS from_addr,
       lm.subject           AS subject,
       (SELECT count(DISTINCT d.to_addr) FROM log_delivery d
        WHERE d.log_message_id = lm.id AND d.external = 1)
                            AS external_recipients
FROM log_message lm
JOIN custodian_address ca ON ca.address = lm.from_addr
WHERE lm.merged_into IS NULL AND lm.duplicate_of IS NULL
  AND lm.outcome IN ('sent', 'partly-sent');
