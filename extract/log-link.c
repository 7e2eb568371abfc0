/* SPDX-License-Identifier: MIT
 *
 * log-link.c - links each log message to its mailbox copy: the same
 * Message-ID, or failing that the same sender, every envelope recipient
 * among the message's recipients, size within the tolerance and sent
 * time within the window (struct logs_options).  The copy chosen is the
 * first that is not itself a duplicate, and link_count counts the copies
 * that matched.  A log whose clock runs off the mailboxes' (by the median
 * over its Message-ID links) is noted, and its times are shifted by that
 * offset for the envelope match.
 */
#include <stdlib.h>
#include <string.h>

#include "core/record.h"
#include "extract/logs-private.h"
#include "extract/log-correlate.h"

#define WINDOW_DEFAULT 900
#define SIZE_BYTES_DEFAULT 4096
#define SIZE_PCT_DEFAULT 5
#define CLOCK_MIN_LINKS 3      /* Message-ID links before an offset counts */
#define CLOCK_NOTE_SEC 600     /* offsets this large are noted */

static int
link_by_message_id(sqlite3 *db)
{
	return correlate_exec(db,
		"UPDATE log_message SET message_ref = NULL, link_basis = NULL,"
		" link_count = 0 WHERE message_ref IS NOT NULL"
		" OR link_count != 0;"
		"UPDATE log_message SET"
		" link_count = (SELECT count(*) FROM message m"
		"  WHERE m.message_id = log_message.message_id),"
		" message_ref = (SELECT m.id FROM message m"
		"  WHERE m.message_id = log_message.message_id"
		"  ORDER BY m.duplicate_of IS NOT NULL, m.id LIMIT 1),"
		" link_basis = 'message-id'"
		" WHERE message_id IS NOT NULL AND merged_into IS NULL"
		"  AND EXISTS (SELECT 1 FROM message m"
		"  WHERE m.message_id = log_message.message_id)");
}

struct link_settings {
	gint64 window, size_bytes;
	int size_pct;
};

static gboolean
size_close(gint64 log_size, gint64 box_size, const struct link_settings *s)
{
	gint64 limit = MAX(s->size_bytes, log_size * s->size_pct / 100);

	return llabs(log_size - box_size) <= limit;
}

/* Tries the candidates of one log message; returns the message id chosen
 * (0 for none) and the number that matched in *count_r. */
static gint64
match_one(sqlite3_stmt *cand, sqlite3_stmt *missing, gint64 log_id,
	  const char *from, gint64 t, gint64 size,
	  const struct link_settings *s, int *count_r)
{
	gint64 best = 0, best_distance = G_MAXINT64;

	*count_r = 0;
	sqlite3_bind_text(cand, 1, from, -1, SQLITE_STATIC);
	sqlite3_bind_int64(cand, 2, t - s->window);
	sqlite3_bind_int64(cand, 3, t + s->window);
	while (sqlite3_step(cand) == SQLITE_ROW) {
		gint64 id = sqlite3_column_int64(cand, 0);
		gint64 distance = llabs(sqlite3_column_int64(cand, 2) - t);
		gboolean ok;

		if (size >= 0 && sqlite3_column_type(cand, 1) != SQLITE_NULL &&
		    !size_close(size, sqlite3_column_int64(cand, 1), s))
			continue;
		/* Every envelope recipient must be a recipient of the copy. */
		sqlite3_bind_int64(missing, 1, log_id);
		sqlite3_bind_int64(missing, 2, id);
		ok = sqlite3_step(missing) == SQLITE_ROW &&
		     sqlite3_column_int64(missing, 0) == 0 &&
		     sqlite3_column_int64(missing, 1) > 0;
		sqlite3_reset(missing);
		if (!ok)
			continue;
		(*count_r)++;
		if (distance < best_distance) {
			best = id;
			best_distance = distance;
		}
	}
	sqlite3_reset(cand);
	return best;
}

static void
settings_read(struct link_settings *s)
{
	const struct logs_options *o = logs_get_options();

	s->window = o->match_window_sec > 0 ? o->match_window_sec
					    : WINDOW_DEFAULT;
	s->size_bytes = o->size_tolerance > 0 ? o->size_tolerance
					      : SIZE_BYTES_DEFAULT;
	s->size_pct = o->size_tolerance_pct > 0 ? o->size_tolerance_pct
						: SIZE_PCT_DEFAULT;
}

/* A log message still without a link, read before any is updated. */
struct unlinked {
	gint64 id, evidence_id, time, size;
	char *from;
};

static void
unlinked_free(gpointer p)
{
	struct unlinked *u = p;

	g_free(u->from);
	g_free(u);
}

static GPtrArray *
unlinked_read(sqlite3 *db)
{
	sqlite3_stmt *st = correlate_prepare(db,
		"SELECT id, evidence_id, time_utc, coalesce(size, -1),"
		" from_addr FROM log_message WHERE message_ref IS NULL"
		" AND merged_into IS NULL AND time_utc IS NOT NULL"
		" AND from_addr IN (SELECT from_addr FROM message"
		"  UNION SELECT sender_addr FROM message)");
	GPtrArray *all;

	if (st == NULL)
		return NULL;
	all = g_ptr_array_new_with_free_func(unlinked_free);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct unlinked *u = g_new0(struct unlinked, 1);

		u->id = sqlite3_column_int64(st, 0);
		u->evidence_id = sqlite3_column_int64(st, 1);
		u->time = sqlite3_column_int64(st, 2);
		u->size = sqlite3_column_int64(st, 3);
		u->from = g_strdup((const char *)sqlite3_column_text(st, 4));
		g_ptr_array_add(all, u);
	}
	sqlite3_finalize(st);
	return all;
}

static gint
compare_gint64(gconstpointer a, gconstpointer b)
{
	gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;

	return x < y ? -1 : x > y;
}

/* Median of log time minus sent time over the Message-ID links of one
 * log evidence; 0 with fewer than CLOCK_MIN_LINKS links. */
static gint64
clock_offset(sqlite3 *db, gint64 evidence_id, int *links_r)
{
	sqlite3_stmt *st = correlate_prepare(db,
		"SELECT lm.time_utc - m.sent_utc FROM log_message lm"
		" JOIN message m ON m.id = lm.message_ref"
		" WHERE lm.evidence_id = ? AND lm.link_basis = 'message-id'"
		" AND lm.time_utc IS NOT NULL AND m.sent_utc IS NOT NULL");
	GArray *deltas = g_array_new(FALSE, FALSE, sizeof(gint64));
	gint64 median = 0;

	if (st != NULL) {
		sqlite3_bind_int64(st, 1, evidence_id);
		while (sqlite3_step(st) == SQLITE_ROW) {
			gint64 d = sqlite3_column_int64(st, 0);

			g_array_append_val(deltas, d);
		}
		sqlite3_finalize(st);
	}
	*links_r = (int)deltas->len;
	if (deltas->len >= CLOCK_MIN_LINKS) {
		g_array_sort(deltas, compare_gint64);
		median = g_array_index(deltas, gint64, deltas->len / 2);
	}
	g_array_free(deltas, TRUE);
	return median;
}

/* Notes a log whose clock differs from the mailboxes' by CLOCK_NOTE_SEC
 * or more: often a log in local time ingested without its zone. */
static int
note_clock_offset(sqlite3 *db, gint64 evidence_id, gint64 offset,
		  int links)
{
	char *sql = sqlite3_mprintf(
		"INSERT INTO anomaly (evidence_id, level, code, detail)"
		" VALUES (%lld, 'note', 'log-clock-offset', 'log times run"
		" %lld minutes %s the sent times of the mailbox copies"
		" (median of %d Message-ID matches); if the log is in local"
		" time, ingest it again with MAILTRAIL_LOG_TZ set')",
		(long long)evidence_id, (long long)llabs(offset) / 60,
		offset > 0 ? "ahead of" : "behind", links);
	int rc = correlate_exec(db, sql);

	sqlite3_free(sql);
	return rc;
}

/* Returns the clock offset of a log evidence, computed once per run. */
static gint64
offset_for(sqlite3 *db, GHashTable *offsets, gint64 evidence_id, int *rc)
{
	gint64 *cached = g_hash_table_lookup(offsets, &evidence_id);
	gint64 key, offset;
	int links;

	if (cached != NULL)
		return *cached;
	offset = clock_offset(db, evidence_id, &links);
	if (llabs(offset) >= CLOCK_NOTE_SEC &&
	    note_clock_offset(db, evidence_id, offset, links) < 0)
		*rc = -1;
	key = evidence_id;
	g_hash_table_insert(offsets, g_memdup2(&key, sizeof(key)),
			    g_memdup2(&offset, sizeof(offset)));
	return offset;
}

static int
link_by_envelope(sqlite3 *db)
{
	GPtrArray *todo = unlinked_read(db);
	sqlite3_stmt *cand = correlate_prepare(db,
		"SELECT id, size, sent_utc FROM message WHERE from_addr = ?1"
		" AND sent_utc BETWEEN ?2 AND ?3 UNION"
		" SELECT id, size, sent_utc FROM message WHERE sender_addr = ?1"
		" AND sent_utc BETWEEN ?2 AND ?3");
	sqlite3_stmt *missing = correlate_prepare(db,
		"SELECT count(*) FILTER (WHERE to_addr NOT IN (SELECT address"
		"  FROM recipient WHERE message_id = ?2"
		"  AND address IS NOT NULL)), count(*)"
		" FROM (SELECT DISTINCT to_addr FROM log_event"
		"  WHERE log_message_id = ?1 AND to_addr IS NOT NULL)");
	sqlite3_stmt *set = correlate_prepare(db,
		"UPDATE log_message SET message_ref = ?2, link_count = ?3,"
		" link_basis = ?4 WHERE id = ?1");
	GHashTable *offsets = g_hash_table_new_full(g_int64_hash,
						    g_int64_equal, g_free,
						    g_free);
	struct link_settings s;
	int rc = todo && cand && missing && set ? 0 : -1;

	settings_read(&s);
	if (rc == 0)
		rc = correlate_exec(db, "DELETE FROM anomaly"
				    " WHERE code = 'log-clock-offset'");
	for (guint i = 0; rc == 0 && i < todo->len; i++) {
		struct unlinked *u = g_ptr_array_index(todo, i);
		gint64 t = u->time - offset_for(db, offsets, u->evidence_id,
						&rc);
		int count;
		gint64 ref = match_one(cand, missing, u->id, u->from, t,
				       u->size, &s, &count);

		if (ref == 0)
			continue;
		sqlite3_bind_int64(set, 1, u->id);
		sqlite3_bind_int64(set, 2, ref);
		sqlite3_bind_int(set, 3, count);
		sqlite3_bind_text(set, 4,
				  u->size >= 0 ? "sender-recipients-size-time"
					       : "sender-recipients-time",
				  -1, SQLITE_STATIC);
		rc = sqlite3_step(set) == SQLITE_DONE ? 0 : -1;
		sqlite3_reset(set);
	}
	if (todo != NULL)
		g_ptr_array_unref(todo);
	g_hash_table_destroy(offsets);
	sqlite3_finalize(cand);
	sqlite3_finalize(missing);
	sqlite3_finalize(set);
	return rc;
}

int
correlate_link(sqlite3 *db)
{
	if (link_by_message_id(db) < 0 || link_by_envelope(db) < 0)
		return -1;
	/* Each event row carries its message's link too. */
	return correlate_exec(db,
		"UPDATE log_event SET"
		" message_ref = (SELECT message_ref FROM log_message lm"
		"  WHERE lm.id = log_event.log_message_id),"
		" link_basis = (SELECT link_basis FROM log_message lm"
		"  WHERE lm.id = log_event.log_message_id)"
		" WHERE log_message_id IN (SELECT id FROM log_message"
		"  WHERE message_ref IS NOT NULL) OR message_ref IS NOT NULL");
}
