/* SPDX-License-Identifier: MIT
 *
 * stats.c - sending statistics per custodian and for everyone: volumes,
 * sizes, messages per hour/day/week, time buckets in the custodian's
 * local time and per-recipient exchanges (stat_custodian, stat_bucket,
 * stat_recipient).  Each sent message counts once; messages without a
 * sent time count in the totals but in no time bucket.
 */
#include <stdio.h>
#include <string.h>

#include "report/findings-private.h"

struct bucket {
	gint64 messages, bytes, deliveries;
};

static const struct {
	const char *kind;
	const char *format;     /* strftime of the local time */
} bucket_kinds[] = {
	{ "hour-of-day", "%H" },
	{ "day-of-week", "%u" },
	{ "weekday-hour", "%u-%H" },
	{ "day", "%Y-%m-%d" },
	{ "iso-week", "%G-W%V" },
	{ "hour", "%Y-%m-%dT%H" },
};

#define N_KINDS G_N_ELEMENTS(bucket_kinds)

static int
metric_insert(sqlite3_stmt *st, gint64 custodian_id, const char *metric,
	      double value)
{
	int rc;

	if (custodian_id)
		sqlite3_bind_int64(st, 1, custodian_id);
	else
		sqlite3_bind_null(st, 1);
	sqlite3_bind_text(st, 2, metric, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 3, value);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Counts messages per local bucket key of each kind. */
static void
buckets_count(GPtrArray *sent, GHashTable *tables[N_KINDS])
{
	for (guint i = 0; i < sent->len; i++) {
		const struct fd_sent *s = sent->pdata[i];

		if (s->utc == FD_TIME_NONE)
			continue;
		for (guint k = 0; k < N_KINDS; k++) {
			char *key = fd_format_local(s->local,
						    bucket_kinds[k].format);
			struct bucket *b = g_hash_table_lookup(tables[k], key);

			if (!b) {
				b = g_new0(struct bucket, 1);
				g_hash_table_insert(tables[k], key, b);
			} else {
				g_free(key);
			}
			b->messages++;
			b->bytes += s->size;
			b->deliveries += s->deliveries;
		}
	}
}

static int
buckets_write(sqlite3 *db, gint64 custodian_id, GHashTable *tables[N_KINDS])
{
	sqlite3_stmt *st = fd_prepare(db, "INSERT INTO stat_bucket"
		" (custodian_id, kind, bucket, messages, bytes, deliveries)"
		" VALUES (?,?,?,?,?,?)");
	int rc = st ? 0 : -1;

	for (guint k = 0; k < N_KINDS && rc == 0; k++) {
		GList *keys = g_list_sort(g_hash_table_get_keys(tables[k]),
					  (GCompareFunc)strcmp);

		for (GList *l = keys; l && rc == 0; l = l->next) {
			struct bucket *b = g_hash_table_lookup(tables[k],
							       l->data);

			if (custodian_id)
				sqlite3_bind_int64(st, 1, custodian_id);
			else
				sqlite3_bind_null(st, 1);
			sqlite3_bind_text(st, 2, bucket_kinds[k].kind, -1,
					  SQLITE_STATIC);
			sqlite3_bind_text(st, 3, l->data, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 4, b->messages);
			sqlite3_bind_int64(st, 5, b->bytes);
			sqlite3_bind_int64(st, 6, b->deliveries);
			if (sqlite3_step(st) != SQLITE_DONE)
				rc = -1;
			sqlite3_reset(st);
		}
		g_list_free(keys);
	}
	sqlite3_finalize(st);
	return rc;
}

static int
compare_gint64(const void *a, const void *b)
{
	gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;

	return (x > y) - (x < y);
}

/* Returns the k-th smallest (from 0) of zeros empty periods followed by
 * the sorted counts of the periods with mail. */
static double
kth_with_zeros(const double *sorted, gint64 zeros, gint64 k)
{
	return k < zeros ? 0 : sorted[k - zeros];
}

/* Returns mean and median of per-period counts, where period() maps a
 * local time to a period index.  Without active_only, every period from
 * the first to the last one with mail counts, empty ones as 0.  The
 * empty periods are counted, not stored, because a hostile Date header
 * (year 9999) can stretch the span to millions of periods. */
static void
period_rates(GPtrArray *sent, gint64 (*period)(gint64), gboolean active_only,
	     double *mean_r, double *median_r)
{
	GArray *index = g_array_new(FALSE, FALSE, sizeof(gint64));
	GArray *counts = g_array_new(FALSE, FALSE, sizeof(double));
	gint64 zeros = 0, total;
	guint messages = 0;

	for (guint i = 0; i < sent->len; i++) {
		const struct fd_sent *s = sent->pdata[i];
		gint64 p;

		if (s->utc == FD_TIME_NONE)
			continue;
		p = period(s->local);
		g_array_append_val(index, p);
	}
	g_array_sort(index, compare_gint64);
	for (guint i = 0; i < index->len; i++) {
		gint64 p = g_array_index(index, gint64, i);
		double first_message = 1;

		messages++;
		if (i > 0 && p == g_array_index(index, gint64, i - 1))
			g_array_index(counts, double, counts->len - 1) += 1;
		else
			g_array_append_val(counts, first_message);
	}
	if (index->len && !active_only)
		zeros = g_array_index(index, gint64, index->len - 1) -
			g_array_index(index, gint64, 0) + 1 - counts->len;
	total = zeros + counts->len;
	fd_median((double *)counts->data, counts->len);  /* sorts counts */
	*mean_r = total ? (double)messages / total : 0;
	*median_r = 0;
	if (total % 2)
		*median_r = kth_with_zeros((double *)counts->data, zeros,
					   total / 2);
	else if (total)
		*median_r = (kth_with_zeros((double *)counts->data, zeros,
					    total / 2 - 1) +
			     kth_with_zeros((double *)counts->data, zeros,
					    total / 2)) / 2;
	g_array_free(index, TRUE);
	g_array_free(counts, TRUE);
}

static gint64
period_hour(gint64 local)
{
	return fd_local_day(local) * 24 + (local - fd_local_day(local) * 86400)
		/ 3600;
}

/* Weeks start on Monday; 1970-01-01 was a Thursday. */
static gint64
period_week(gint64 local)
{
	gint64 day = fd_local_day(local) + 3;

	return day >= 0 ? day / 7 : (day - 6) / 7;
}

static int
attachment_sizes(sqlite3 *db, gint64 custodian_id, double *mean_r,
		 double *median_r)
{
	sqlite3_stmt *st = fd_prepare(db, "SELECT a.size FROM attachment a"
		" JOIN message m ON m.id = a.message_id WHERE " FD_SENT_WHERE
		" AND a.depth = 0 AND (?1 IS NULL OR m.custodian_id = ?1)"
		" AND (a.sha256 IS NULL OR a.sha256 NOT IN"
		" (SELECT sha256 FROM temp.fd_repeated_image))");
	GArray *sizes = g_array_new(FALSE, FALSE, sizeof(double));
	int rc;

	if (!st)
		return -1;
	if (custodian_id)
		sqlite3_bind_int64(st, 1, custodian_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		double v = sqlite3_column_double(st, 0);

		g_array_append_val(sizes, v);
	}
	sqlite3_finalize(st);
	*mean_r = fd_mean((double *)sizes->data, sizes->len);
	*median_r = fd_median((double *)sizes->data, sizes->len);
	g_array_free(sizes, TRUE);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int
metrics_write(sqlite3 *db, gint64 custodian_id, GPtrArray *sent,
	      const struct fd_custodian *c)
{
	double totals[6] = { 0 }, rates[6], sizes[2];
	double *msg_sizes = g_new(double, sent->len + 1);
	gint64 undated = 0;
	sqlite3_stmt *st;
	int rc = 0;

	for (guint i = 0; i < sent->len; i++) {
		const struct fd_sent *s = sent->pdata[i];

		totals[0] += 1;
		totals[1] += s->deliveries;
		totals[2] += s->external_deliveries;
		totals[3] += s->size;
		totals[4] += s->attachments;
		totals[5] += s->attachment_bytes;
		msg_sizes[i] = s->size;
		undated += s->utc == FD_TIME_NONE;
	}
	period_rates(sent, period_hour, TRUE, &rates[0], &rates[1]);
	period_rates(sent, fd_local_day, FALSE, &rates[2], &rates[3]);
	period_rates(sent, period_week, FALSE, &rates[4], &rates[5]);
	if (attachment_sizes(db, custodian_id, &sizes[0], &sizes[1]) < 0)
		rc = -1;
	st = fd_prepare(db, "INSERT INTO stat_custodian (custodian_id,"
			" metric, value) VALUES (?,?,?)");
	if (!st)
		rc = -1;
	if (rc == 0) {
		static const char *const names[] = {
			"messages_sent", "deliveries", "external_deliveries",
			"bytes_sent", "attachments_sent", "attachment_bytes",
			"per_hour_mean", "per_hour_median", "per_day_mean",
			"per_day_median", "per_week_mean", "per_week_median",
			"attachment_size_mean", "attachment_size_median",
			"msg_size_mean", "msg_size_median", "undated_messages",
		};
		double values[G_N_ELEMENTS(names)];

		memcpy(values, totals, sizeof(totals));
		memcpy(values + 6, rates, sizeof(rates));
		memcpy(values + 12, sizes, sizeof(sizes));
		values[14] = fd_mean(msg_sizes, sent->len);
		values[15] = fd_median(msg_sizes, sent->len);
		values[16] = undated;
		for (guint i = 0; i < G_N_ELEMENTS(names) && rc == 0; i++)
			rc = metric_insert(st, custodian_id, names[i],
					   values[i]);
		if (rc == 0 && c && (c->tz_fixed || c->tz_inferred || c->zone))
			rc = metric_insert(st, custodian_id, "tz_offset_min",
					   c->tz_fixed ? c->tz_fixed_min
					   : c->tz_offset_min);
	}
	sqlite3_finalize(st);
	g_free(msg_sizes);
	return rc;
}

static int
recipients_write(sqlite3 *db, const struct fd_custodian *c)
{
	sqlite3_stmt *st = fd_prepare(db, "INSERT INTO stat_recipient"
		" (custodian_id, address, domain, external, messages_sent,"
		" deliveries, bytes_sent, replies, messages_received,"
		" first_utc, last_utc) VALUES (?,?,?,?,?,?,?,?,?,?,?)");
	int rc = st ? 0 : -1;

	for (guint i = 0; st && i < c->recipients->len && rc == 0; i++) {
		const struct fd_recipient *r = c->recipients->pdata[i];
		gint64 first = r->first_sent, last = r->last_sent;

		if (r->first_received != FD_TIME_NONE &&
		    (first == FD_TIME_NONE || r->first_received < first))
			first = r->first_received;
		if (r->last_received != FD_TIME_NONE &&
		    (last == FD_TIME_NONE || r->last_received > last))
			last = r->last_received;
		sqlite3_bind_int64(st, 1, c->id);
		sqlite3_bind_text(st, 2, r->address, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, r->domain, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 4, r->external);
		sqlite3_bind_int64(st, 5, r->sent->len);
		sqlite3_bind_int64(st, 6, r->sent->len);
		sqlite3_bind_int64(st, 7, r->bytes);
		sqlite3_bind_int(st, 8, r->replies);
		sqlite3_bind_int(st, 9, r->received);
		if (first != FD_TIME_NONE)
			sqlite3_bind_int64(st, 10, first);
		else
			sqlite3_bind_null(st, 10);
		if (last != FD_TIME_NONE)
			sqlite3_bind_int64(st, 11, last);
		else
			sqlite3_bind_null(st, 11);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = -1;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return rc;
}

static int
stats_write_one(sqlite3 *db, gint64 custodian_id, GPtrArray *sent,
		const struct fd_custodian *c)
{
	GHashTable *tables[N_KINDS];
	int rc;

	for (guint k = 0; k < N_KINDS; k++)
		tables[k] = g_hash_table_new_full(g_str_hash, g_str_equal,
						  g_free, g_free);
	buckets_count(sent, tables);
	rc = buckets_write(db, custodian_id, tables);
	if (rc == 0)
		rc = metrics_write(db, custodian_id, sent, c);
	if (rc == 0 && c)
		rc = recipients_write(db, c);
	for (guint k = 0; k < N_KINDS; k++)
		g_hash_table_destroy(tables[k]);
	return rc;
}

static void
sent_pointers(const struct fd_custodian *c, GPtrArray *out)
{
	for (guint i = 0; i < c->sent->len; i++)
		g_ptr_array_add(out,
				&g_array_index(c->sent, struct fd_sent, i));
}

int
stats_write(struct fd_context *ctx)
{
	GPtrArray *everyone = g_ptr_array_new();
	int rc = 0;

	for (guint i = 0; i < ctx->custodians->len && rc == 0; i++) {
		struct fd_custodian *c = ctx->custodians->pdata[i];
		GPtrArray *own = g_ptr_array_new();

		sent_pointers(c, own);
		sent_pointers(c, everyone);
		if (c->id)
			rc = stats_write_one(ctx->db, c->id, own, c);
		g_ptr_array_free(own, TRUE);
	}
	if (rc == 0)
		rc = stats_write_one(ctx->db, 0, everyone, NULL);
	if (rc < 0)
		fprintf(stderr, "error: findings: cannot store statistics: "
			"%s\n", sqlite3_errmsg(ctx->db));
	g_ptr_array_free(everyone, TRUE);
	return rc;
}
