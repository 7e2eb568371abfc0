/* SPDX-License-Identifier: MIT
 *
 * log-link.c - links each log message to its mailbox copy: the same
 * Message-ID, or failing that the same sender, every envelope recipient
 * among the message's recipients, size within the tolerance and sent
 * time within the window (struct logs_options).  The copy chosen is the
 * first that is not itself a duplicate, and link_count counts the copies
 * that matched.
 */
#include <stdlib.h>
#include <string.h>

#include "core/record.h"
#include "extract/logs-private.h"
#include "extract/log-correlate.h"

#define WINDOW_DEFAULT 900
#define SIZE_BYTES_DEFAULT 4096
#define SIZE_PCT_DEFAULT 5

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

static int
link_by_envelope(sqlite3 *db)
{
	sqlite3_stmt *todo = correlate_prepare(db,
		"SELECT id, from_addr, time_utc, coalesce(size, -1)"
		" FROM log_message WHERE message_ref IS NULL"
		" AND merged_into IS NULL AND time_utc IS NOT NULL"
		" AND from_addr IN (SELECT from_addr FROM message"
		"  UNION SELECT sender_addr FROM message)");
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
	struct link_settings s;
	int rc = todo && cand && missing && set ? 0 : -1;

	settings_read(&s);
	while (rc == 0 && sqlite3_step(todo) == SQLITE_ROW) {
		gint64 id = sqlite3_column_int64(todo, 0);
		gint64 size = sqlite3_column_int64(todo, 3);
		const char *from = (const char *)sqlite3_column_text(todo, 1);
		int count;
		gint64 ref = match_one(cand, missing, id, from,
				       sqlite3_column_int64(todo, 2), size, &s,
				       &count);

		if (ref == 0)
			continue;
		sqlite3_bind_int64(set, 1, id);
		sqlite3_bind_int64(set, 2, ref);
		sqlite3_bind_int(set, 3, count);
		sqlite3_bind_text(set, 4,
				  size >= 0 ? "sender-recipients-size-time"
					    : "sender-recipients-time",
				  -1, SQLITE_STATIC);
		rc = sqlite3_step(set) == SQLITE_DONE ? 0 : -1;
		sqlite3_reset(set);
	}
	sqlite3_finalize(todo);
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
