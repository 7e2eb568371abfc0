/* SPDX-License-Identifier: MIT
 *
 * log-findings.c - findings only the logs can show: mail a custodian sent
 * that no mailbox contains ('sent-deleted-log'), size-limit and attachment
 * rejections of internal senders ('log-size-alert',
 * 'log-rejected-attachment'), and hosts whose bytes toward SMTP ports
 * far exceed what the mail logs account for ('flow-unaccounted').
 */
#include <string.h>

#include "core/record.h"
#include "extract/logs-private.h"
#include "extract/log-correlate.h"

/* Log mail this long after a mailbox's newest message may postdate the
 * copy of the mailbox, so its finding is rated lower. */
#define MAILBOX_SLACK (3 * 86400)

struct finding {
	const char *kind;
	gint64 custodian_id;      /* 0 for none */
	gint64 start, end;        /* MT_TIME_NONE for none */
	double score;
	const char *severity;
	char *title, *explanation, *subject_value;
};

static gint64
finding_insert(sqlite3 *db, const struct finding *f)
{
	sqlite3_stmt *st = correlate_prepare(db,
		"INSERT INTO finding (kind, custodian_id, window_start_utc,"
		" window_end_utc, score, severity, title, explanation,"
		" subject_value) VALUES (?,?,?,?,?,?,?,?,?)");
	gint64 id = -1;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, f->kind, -1, SQLITE_STATIC);
	if (f->custodian_id > 0)
		sqlite3_bind_int64(st, 2, f->custodian_id);
	if (f->start != MT_TIME_NONE)
		sqlite3_bind_int64(st, 3, f->start);
	if (f->end != MT_TIME_NONE)
		sqlite3_bind_int64(st, 4, f->end);
	sqlite3_bind_double(st, 5, f->score);
	sqlite3_bind_text(st, 6, f->severity, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, f->title, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, f->explanation, -1, SQLITE_STATIC);
	if (f->subject_value != NULL)
		sqlite3_bind_text(st, 9, f->subject_value, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_DONE)
		id = sqlite3_last_insert_rowid(db);
	sqlite3_finalize(st);
	return id;
}

static void
finding_release(struct finding *f)
{
	g_free(f->title);
	g_free(f->explanation);
	g_free(f->subject_value);
}

static const char *
text_or(sqlite3_stmt *st, int col, const char *fallback)
{
	const char *s = (const char *)sqlite3_column_text(st, col);

	return s != NULL ? s : fallback;
}

static char *
utc_text(gint64 t)
{
	GDateTime *dt;
	char *s;

	if (t == MT_TIME_NONE)
		return g_strdup("unknown time");
	dt = g_date_time_new_from_unix_utc(t);
	s = dt != NULL ? g_date_time_format(dt, "%Y-%m-%dT%H:%M:%SZ")
		       : g_strdup("invalid time");
	if (dt != NULL)
		g_date_time_unref(dt);
	return s;
}

static gint64
column_time(sqlite3_stmt *st, int col)
{
	return sqlite3_column_type(st, col) == SQLITE_NULL
	       ? MT_TIME_NONE : sqlite3_column_int64(st, col);
}

/* Links the finding to the log message and its delivery events. */
static int
link_log_message(sqlite3 *db, gint64 finding, gint64 log_message)
{
	char *sql = g_strdup_printf(
		"INSERT INTO finding_log (finding_id, log_message_id)"
		" VALUES (%1$" G_GINT64_FORMAT ", %2$" G_GINT64_FORMAT ");"
		"INSERT INTO finding_log (finding_id, log_event_id)"
		" SELECT %1$" G_GINT64_FORMAT ", id FROM log_event"
		" WHERE log_message_id = %2$" G_GINT64_FORMAT
		" AND to_addr IS NOT NULL", finding, log_message);
	int rc = correlate_exec(db, sql);

	g_free(sql);
	return rc;
}

static char *
recipients_text(sqlite3 *db, gint64 log_message)
{
	sqlite3_stmt *st = correlate_prepare(db,
		"SELECT group_concat(to_addr || ' (' || coalesce(status, '?')"
		" || coalesce(', relay ' || relay, '') || ')', '; ')"
		" FROM (SELECT to_addr, status, relay FROM log_event"
		" WHERE log_message_id = ? AND to_addr IS NOT NULL"
		" ORDER BY line_no)");
	char *s = NULL;

	if (st == NULL)
		return g_strdup("?");
	sqlite3_bind_int64(st, 1, log_message);
	if (sqlite3_step(st) == SQLITE_ROW)
		s = g_strdup(text_or(st, 0, "none"));
	sqlite3_finalize(st);
	return s != NULL ? s : g_strdup("none");
}

static const char sent_deleted_sql[] =
	"SELECT lm.id, ca.custodian_id, c.name, ev.path, lm.line_no,"
	" lm.queue_id, lm.host, lm.time_utc, lm.from_addr, lm.message_id,"
	" lm.size, lm.subject, lm.delivered_count, lm.outcome, lm.client_ip,"
	" (SELECT max(coalesce(m.sent_utc, m.delivery_utc, m.date_utc))"
	"  FROM message m JOIN evidence e3 ON e3.id = m.evidence_id"
	"  WHERE e3.custodian_id = ca.custodian_id), ev.format"
	" FROM log_message lm"
	" JOIN custodian_address ca ON ca.address = lm.from_addr"
	" JOIN custodian c ON c.id = ca.custodian_id"
	" JOIN evidence ev ON ev.id = lm.evidence_id"
	" WHERE lm.merged_into IS NULL AND lm.duplicate_of IS NULL"
	"  AND lm.message_ref IS NULL AND lm.outcome IN ('sent', 'partly-sent')"
	"  AND EXISTS (SELECT 1 FROM evidence e2"
	"   WHERE e2.custodian_id = ca.custodian_id"
	"   AND e2.format NOT LIKE 'log-%')"
	" ORDER BY lm.time_utc, lm.id";

static int
sent_deleted_one(sqlite3 *db, sqlite3_stmt *st)
{
	struct finding f = { .kind = "sent-deleted-log" };
	gint64 lm = sqlite3_column_int64(st, 0);
	gint64 t = column_time(st, 7), newest = column_time(st, 15);
	char *when = utc_text(t), *newest_text = utc_text(newest);
	char *rcpts = recipients_text(db, lm);
	char *subject = sqlite3_column_type(st, 11) == SQLITE_NULL
			? g_strdup("not logged")
			: g_strdup_printf("'%s'", text_or(st, 11, ""));
	/* A mailbox taken well before the mail was sent cannot hold it. */
	gboolean after = newest != MT_TIME_NONE && t != MT_TIME_NONE &&
			 t > newest + MAILBOX_SLACK;
	gint64 id;

	f.custodian_id = sqlite3_column_int64(st, 1);
	f.start = f.end = t;
	f.score = after ? 55 : 85;
	f.severity = after ? "medium" : "high";
	f.title = g_strdup_printf("Log shows %s sending mail to %lld "
				  "recipient(s) at %s that no mailbox contains",
				  text_or(st, 8, "?"),
				  sqlite3_column_int64(st, 12), when);
	f.explanation = g_strdup_printf(
		"%s '%s' line %lld (queue id %s on host %s) shows a message "
		"from %s at %s: Message-ID <%s>, %s bytes, subject %s, "
		"client %s, outcome %s; recipients: %s.  No message in the "
		"case matches it by Message-ID, or by sender, recipients, size "
		"and time, deleted and recovered items included, although the "
		"mailbox of %s is in the case%s%s%s.",
		text_or(st, 16, "log"), text_or(st, 3, "?"),
		sqlite3_column_int64(st, 4), text_or(st, 5, "-"),
		text_or(st, 6, "-"), text_or(st, 8, "?"), when,
		text_or(st, 9, "none"), text_or(st, 10, "unknown"),
		subject, text_or(st, 14, "unknown"),
		text_or(st, 13, "?"), rcpts, text_or(st, 2, "?"),
		after ? "; but its newest message is from " : "",
		after ? newest_text : "",
		after ? ", so the mailbox may have been taken before this "
			"mail was sent" : "");
	f.subject_value = g_strdup(sqlite3_column_text(st, 9) != NULL
				   ? text_or(st, 9, "")
				   : text_or(st, 5, ""));
	id = finding_insert(db, &f);
	finding_release(&f);
	g_free(when);
	g_free(newest_text);
	g_free(rcpts);
	g_free(subject);
	if (id < 0)
		return -1;
	return link_log_message(db, id, lm);
}

static int
sent_deleted(sqlite3 *db)
{
	sqlite3_stmt *st = correlate_prepare(db, sent_deleted_sql);
	int rc = st != NULL ? 0 : -1;

	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW)
		rc = sent_deleted_one(db, st);
	sqlite3_finalize(st);
	return rc;
}

/* Size-limit and attachment rejections of senders that are custodians,
 * in an internal domain, or unknown; one finding per log message (or per
 * stand-alone event). */
static const char rejection_sql[] =
	"SELECT le.id, le.log_message_id, ev.path, le.line_no, le.time_utc,"
	" coalesce(le.from_addr, lm.from_addr) AS sender, le.to_addr,"
	" le.detail, (SELECT custodian_id FROM custodian_address"
	"  WHERE address = coalesce(le.from_addr, lm.from_addr)), ev.format"
	" FROM log_event le LEFT JOIN log_message lm"
	"  ON lm.id = le.log_message_id"
	" JOIN evidence ev ON ev.id = le.evidence_id"
	" WHERE le.kind = ?1 AND (lm.id IS NULL OR lm.merged_into IS NULL)"
	" AND (coalesce(le.from_addr, lm.from_addr, '') = ''"
	"  OR coalesce(le.from_addr, lm.from_addr) IN"
	"   (SELECT address FROM custodian_address)"
	"  OR substr(coalesce(le.from_addr, lm.from_addr),"
	"   instr(coalesce(le.from_addr, lm.from_addr), '@') + 1)"
	"   IN (SELECT domain FROM internal_domain))"
	" ORDER BY coalesce(le.log_message_id, -le.id), le.line_no";

static int
rejection_one(sqlite3 *db, sqlite3_stmt *st, const char *kind)
{
	struct finding f = { .kind = kind, .severity = "medium" };
	gint64 t = column_time(st, 4);
	char *when = utc_text(t);
	gboolean size = strcmp(kind, "log-size-alert") == 0;
	gint64 id;
	char *sql;
	int rc;

	f.custodian_id = sqlite3_column_int64(st, 8);
	f.start = f.end = t;
	f.score = f.custodian_id > 0 ? 60 : 40;
	f.title = g_strdup_printf("%s from %s to %s rejected at %s",
				  size ? "Mail over a size limit"
				       : "Mail with a blocked attachment",
				  text_or(st, 5, "an unknown sender"),
				  text_or(st, 6, "an unknown recipient"), when);
	f.explanation = g_strdup_printf(
		"%s '%s' line %lld: %s.  %s", text_or(st, 9, "log"),
		text_or(st, 2, "?"), sqlite3_column_int64(st, 3),
		text_or(st, 7, "no reason logged"),
		size ? "A sender hitting a size limit may retry with the data "
		       "split or sent another way."
		     : "A blocked attachment may be retried renamed, zipped "
		       "or sent another way.");
	f.subject_value = g_strdup(text_or(st, 5, ""));
	id = finding_insert(db, &f);
	finding_release(&f);
	g_free(when);
	if (id < 0)
		return -1;
	sql = g_strdup_printf("INSERT INTO finding_log (finding_id,"
			      " log_message_id, log_event_id) VALUES (%"
			      G_GINT64_FORMAT ", %s, %" G_GINT64_FORMAT ")",
			      id, sqlite3_column_type(st, 1) == SQLITE_NULL
			      ? "NULL" : text_or(st, 1, "NULL"),
			      (gint64)sqlite3_column_int64(st, 0));
	rc = correlate_exec(db, sql);
	g_free(sql);
	return rc;
}

static int
rejections(sqlite3 *db, const char *event_kind, const char *kind)
{
	sqlite3_stmt *st = correlate_prepare(db, rejection_sql);
	gint64 last_group = G_MININT64;
	int rc = st != NULL ? 0 : -1;

	if (st != NULL)
		sqlite3_bind_text(st, 1, event_kind, -1, SQLITE_STATIC);
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		gint64 group = sqlite3_column_type(st, 1) == SQLITE_NULL
			       ? -sqlite3_column_int64(st, 0)
			       : sqlite3_column_int64(st, 1);

		if (group == last_group)
			continue;
		last_group = group;
		rc = rejection_one(db, st, kind);
	}
	sqlite3_finalize(st);
	return rc;
}

int
correlate_findings(sqlite3 *db)
{
#define LOG_KINDS "('sent-deleted-log', 'log-size-alert'," \
		  " 'log-rejected-attachment', 'flow-unaccounted')"
	static const char clear_sql[] =
		"DELETE FROM finding_log WHERE finding_id IN"
		" (SELECT id FROM finding WHERE kind IN " LOG_KINDS ");"
		"DELETE FROM finding_message WHERE finding_id IN"
		" (SELECT id FROM finding WHERE kind IN " LOG_KINDS ");"
		"DELETE FROM finding WHERE kind IN " LOG_KINDS;
#undef LOG_KINDS

	if (correlate_exec(db, clear_sql) < 0 || sent_deleted(db) < 0 ||
	    rejections(db, "size-limit", "log-size-alert") < 0 ||
	    rejections(db, "attachment-rejected",
		       "log-rejected-attachment") < 0)
		return -1;
	return correlate_flows(db);
}
