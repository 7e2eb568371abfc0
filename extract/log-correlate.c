/* SPDX-License-Identifier: MIT
 *
 * log-correlate.c - what the logs add to the case, recomputed after every
 * ingest: messages split across rotated files are merged, copies logged
 * by two sources marked, log messages linked to mailbox messages
 * (Message-ID, else sender + recipients + size + time), and the log
 * findings rebuilt: 'sent-deleted-log', 'log-size-alert',
 * 'log-rejected-attachment', 'flow-unaccounted'.  Only these kinds are
 * deleted and recreated; the other kinds belong to findings_run.
 */
#include <math.h>
#include <string.h>

#include "core/record.h"
#include "extract/logs-private.h"
#include "extract/log-correlate.h"

char *correlate_error;

int
correlate_exec(sqlite3 *db, const char *sql)
{
	char *error = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &error) == SQLITE_OK)
		return 0;
	/* Library code does not print: the caller reports the failure. */
	g_free(correlate_error);
	correlate_error = g_strdup_printf("log correlation failed: %s",
					  error);
	sqlite3_free(error);
	return -1;
}

sqlite3_stmt *
correlate_prepare(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		g_free(correlate_error);
		correlate_error = g_strdup_printf("log correlation failed: %s",
						  sqlite3_errmsg(db));
		return NULL;
	}
	return st;
}

/* Counts and outcome of one log message, recomputed from its events. */
static const char recount_sql[] =
	"UPDATE log_message SET"
	" rcpt_count = (SELECT count(DISTINCT to_addr) FROM log_event e"
	"  WHERE e.log_message_id = log_message.id AND e.to_addr IS NOT NULL),"
	" delivered_count = (SELECT count(DISTINCT to_addr) FROM log_event e"
	"  WHERE e.log_message_id = log_message.id AND e.kind = 'delivery'"
	"  AND lower(e.status) IN ('sent', 'delivered', 'deliver', 'send'))"
	" WHERE id = ?1;"
	"UPDATE log_message SET outcome = CASE"
	" WHEN delivered_count > 0 AND delivered_count = rcpt_count THEN 'sent'"
	" WHEN delivered_count > 0 THEN 'partly-sent' ELSE outcome END"
	" WHERE id = ?1";

/* Fills the gaps of a with b, moves b's events to a and marks b. */
static int
merge_pair(sqlite3 *db, gint64 a, gint64 b)
{
	char *sql = g_strdup_printf(
		"UPDATE log_message SET"
		" from_addr = coalesce(from_addr, (SELECT from_addr FROM"
		"  log_message WHERE id = %1$" G_GINT64_FORMAT ")),"
		" size = coalesce(size, (SELECT size FROM log_message"
		"  WHERE id = %1$" G_GINT64_FORMAT ")),"
		" nrcpt = coalesce(nrcpt, (SELECT nrcpt FROM log_message"
		"  WHERE id = %1$" G_GINT64_FORMAT ")),"
		" message_id = coalesce(message_id, (SELECT message_id FROM"
		"  log_message WHERE id = %1$" G_GINT64_FORMAT ")),"
		" subject = coalesce(subject, (SELECT subject FROM log_message"
		"  WHERE id = %1$" G_GINT64_FORMAT ")),"
		" outcome = (SELECT outcome FROM log_message"
		"  WHERE id = %1$" G_GINT64_FORMAT "),"
		" has_end = (SELECT has_end FROM log_message"
		"  WHERE id = %1$" G_GINT64_FORMAT ")"
		" WHERE id = %2$" G_GINT64_FORMAT ";"
		"UPDATE log_event SET log_message_id = %2$" G_GINT64_FORMAT
		" WHERE log_message_id = %1$" G_GINT64_FORMAT ";"
		"UPDATE log_event SET"
		" from_addr = coalesce(from_addr, (SELECT from_addr FROM"
		"  log_message WHERE id = %2$" G_GINT64_FORMAT ")),"
		" message_id = coalesce(message_id, (SELECT message_id FROM"
		"  log_message WHERE id = %2$" G_GINT64_FORMAT ")),"
		" size = coalesce(size, (SELECT size FROM log_message"
		"  WHERE id = %2$" G_GINT64_FORMAT "))"
		" WHERE log_message_id = %2$" G_GINT64_FORMAT ";"
		"UPDATE log_message SET merged_into = %2$" G_GINT64_FORMAT
		" WHERE id = %1$" G_GINT64_FORMAT ";", b, a);
	int rc = correlate_exec(db, sql);
	sqlite3_stmt *st;

	g_free(sql);
	if (rc < 0)
		return -1;
	/* recount_sql contains two statements, run one after the other. */
	for (const char *tail = recount_sql; tail && *tail;) {
		if (sqlite3_prepare_v2(db, tail, -1, &st, &tail) != SQLITE_OK)
			return -1;
		if (st == NULL)
			break;
		sqlite3_bind_int64(st, 1, a);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
		sqlite3_finalize(st);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* A queue id still open at the end of one rotated file continues in the
 * next file (same host and queue id, no start of its own, within the 5
 * days Postfix keeps mail queued by default). */
static int
merge_rotated(sqlite3 *db)
{
	sqlite3_stmt *st = correlate_prepare(db,
		"SELECT a.id, b.id FROM log_message a"
		" JOIN log_message b ON b.host = a.host"
		"  AND b.queue_id = a.queue_id"
		"  AND b.evidence_id != a.evidence_id"
		" JOIN evidence ea ON ea.id = a.evidence_id"
		" JOIN evidence eb ON eb.id = b.evidence_id"
		" WHERE a.has_end = 0 AND b.has_start = 0 AND a.has_start = 1"
		"  AND a.merged_into IS NULL AND b.merged_into IS NULL"
		"  AND ea.format IN ('log-postfix', 'log-sendmail')"
		"  AND eb.format = ea.format"
		"  AND b.time_utc BETWEEN a.time_utc AND a.time_utc + 6 * 86400"
		" ORDER BY a.id, b.time_utc");
	GHashTable *used;
	GArray *pairs;
	int rc = 0;

	if (st == NULL)
		return -1;
	used = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
	pairs = g_array_new(FALSE, FALSE, sizeof(gint64));
	while (sqlite3_step(st) == SQLITE_ROW) {
		gint64 a = sqlite3_column_int64(st, 0);
		gint64 b = sqlite3_column_int64(st, 1);

		if (g_hash_table_contains(used, &a) ||
		    g_hash_table_contains(used, &b))
			continue;
		g_hash_table_add(used, g_memdup2(&a, sizeof(a)));
		g_hash_table_add(used, g_memdup2(&b, sizeof(b)));
		g_array_append_val(pairs, a);
		g_array_append_val(pairs, b);
	}
	sqlite3_finalize(st);
	for (guint i = 0; i + 1 < pairs->len && rc == 0; i += 2)
		rc = merge_pair(db, g_array_index(pairs, gint64, i),
				g_array_index(pairs, gint64, i + 1));
	g_array_free(pairs, TRUE);
	g_hash_table_destroy(used);
	return rc;
}

/* The same message logged twice (two log sources, or a content filter
 * re-injecting it) is counted once: later copies point to the first. */
static int
mark_duplicates(sqlite3 *db)
{
	return correlate_exec(db,
		"UPDATE log_message SET duplicate_of = NULL"
		" WHERE duplicate_of IS NOT NULL;"
		"UPDATE log_message SET duplicate_of = (SELECT min(o.id)"
		"  FROM log_message o"
		"  WHERE o.message_id = log_message.message_id"
		"  AND o.id < log_message.id AND o.merged_into IS NULL"
		"  AND o.from_addr IS log_message.from_addr)"
		" WHERE message_id IS NOT NULL AND message_id != ''"
		"  AND merged_into IS NULL");
}

const char *
logs_correlate_error(void)
{
	return correlate_error;
}

int
logs_correlate(sqlite3 *db)
{
	gint64 cache = logs_cache_raise(db);
	int rc = 0;

	if (merge_rotated(db) < 0 || mark_duplicates(db) < 0 ||
	    correlate_link(db) < 0 || correlate_findings(db) < 0)
		rc = -1;
	logs_cache_restore(db, cache);
	return rc;
}
