/* SPDX-License-Identifier: MIT
 *
 * findings.c - findings_run(): statistics and exfiltration indicators
 * computed from the case database into the tables of
 * schema/30-findings.sql, and the finding builder the detectors share.
 * Every run replaces the results of the previous one inside one
 * transaction.  Output order depends only on the database content, so
 * two runs over the same case give the same rows.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report/findings-private.h"

/* Findings inside this many days before a departure weigh more. */
#define DEPARTURE_WINDOW_DAYS 30
#define DEPARTURE_FACTOR 1.25
/* A finding explained by a corporate event scores at most this. */
#define EXPLAINED_MAX_SCORE 30.0
#define DELETED_MAX_POINTS 20.0
/* Text from mail (names, file names) can be of any length. */
#define TITLE_MAX_CHARS 300
#define EXPLANATION_MAX_CHARS 8000
#define SUBJECT_VALUE_MAX_CHARS 1000

sqlite3_stmt *
fd_prepare(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "error: findings: cannot prepare '%.60s': %s\n",
			sql, sqlite3_errmsg(db));
		return NULL;
	}
	return st;
}

int
fd_exec(sqlite3 *db, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		fprintf(stderr, "error: findings: '%.60s' failed: %s\n", sql,
			err ? err : sqlite3_errmsg(db));
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

static int
compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double
fd_median(double *values, size_t n)
{
	if (n == 0)
		return 0;
	qsort(values, n, sizeof(*values), compare_double);
	if (n % 2)
		return values[n / 2];
	return (values[n / 2 - 1] + values[n / 2]) / 2;
}

double
fd_mean(const double *values, size_t n)
{
	double sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += values[i];
	return n ? sum / n : 0;
}

double
fd_mad(const double *values, size_t n, double median)
{
	double *dev = g_new(double, n ? n : 1);
	double mad;

	for (size_t i = 0; i < n; i++)
		dev[i] = fabs(values[i] - median);
	mad = fd_median(dev, n);
	g_free(dev);
	return mad;
}

int
fd_custodian_offset(const struct fd_custodian *c, gint64 utc,
		    int message_offset_min)
{
	if (c->zone) {
		int interval = g_time_zone_find_interval(
			c->zone, G_TIME_TYPE_UNIVERSAL, utc);

		if (interval >= 0)
			return g_time_zone_get_offset(c->zone, interval) / 60;
	}
	if (c->tz_fixed)
		return c->tz_fixed_min;
	if (c->tz_inferred)
		return c->tz_offset_min;
	return message_offset_min;
}

gint64
fd_local_day(gint64 local)
{
	gint64 day = local / 86400;

	if (local % 86400 < 0)
		day--;
	return day;
}

char *
fd_format_local(gint64 local, const char *format)
{
	time_t t = (time_t)local;
	struct tm tm;
	char buf[64];

	if (!gmtime_r(&t, &tm) || strftime(buf, sizeof(buf), format, &tm) == 0)
		return g_strdup("?");
	return g_strdup(buf);
}

char *
fd_format_utc(gint64 utc)
{
	if (utc == FD_TIME_NONE)
		return g_strdup("unknown time");
	return fd_format_local(utc, "%Y-%m-%dT%H:%M:%SZ");
}

const struct fd_event *
fd_event_find(const struct fd_context *ctx, gint64 first_day,
	      gint64 last_day)
{
	for (guint i = 0; i < ctx->events->len; i++) {
		const struct fd_event *e = ctx->events->pdata[i];

		if (e->start_day <= last_day && e->end_day >= first_day)
			return e;
	}
	return NULL;
}

gboolean
fd_is_internal_domain(const struct fd_context *ctx, const char *domain)
{
	return domain && g_hash_table_contains(ctx->internal_domains, domain);
}

const char *
fd_severity(double score)
{
	if (score >= 70)
		return "high";
	if (score >= 40)
		return "medium";
	if (score >= 15)
		return "low";
	return "info";
}

struct fd_finding *
fd_finding_new(const char *kind, struct fd_custodian *custodian)
{
	struct fd_finding *f = g_new0(struct fd_finding, 1);

	f->kind = kind;
	f->custodian = custodian;
	f->window_start = FD_TIME_NONE;
	f->window_end = FD_TIME_NONE;
	f->explanation = g_string_new(NULL);
	f->messages = g_array_new(FALSE, FALSE, sizeof(gint64));
	return f;
}

void
fd_finding_title(struct fd_finding *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	g_free(f->title);
	f->title = g_strdup_vprintf(fmt, ap);
	va_end(ap);
}

void
fd_finding_add(struct fd_finding *f, double points, const char *fmt, ...)
{
	va_list ap;

	if (f->explanation->len)
		g_string_append(f->explanation, "; ");
	g_string_append_printf(f->explanation, "%+.0f: ", points);
	va_start(ap, fmt);
	g_string_append_vprintf(f->explanation, fmt, ap);
	va_end(ap);
	f->score += points;
}

void
fd_finding_add_message(struct fd_finding *f, gint64 message_id)
{
	guint n = f->messages->len;

	if (n && g_array_index(f->messages, gint64, n - 1) == message_id)
		return;
	g_array_append_val(f->messages, message_id);
}

static void
finding_free(struct fd_finding *f)
{
	g_string_free(f->explanation, TRUE);
	g_free(f->title);
	g_free(f->subject_value);
	g_free(f->explained_by);
	g_array_free(f->messages, TRUE);
	g_free(f);
}

/* Weighs deleted copies: each deleted message adds its share of
 * DELETED_MAX_POINTS, because hiding sent mail is itself a signal. */
static void
weigh_deleted(struct fd_context *ctx, struct fd_finding *f)
{
	guint deleted = 0;

	for (guint i = 0; i < f->messages->len; i++) {
		gint64 id = g_array_index(f->messages, gint64, i);
		struct fd_sent *s = g_hash_table_lookup(ctx->sent_by_id, &id);

		if (s && s->deleted)
			deleted++;
	}
	if (deleted == 0 || f->no_deleted_bonus)
		return;
	fd_finding_add(f, DELETED_MAX_POINTS * deleted / f->messages->len,
		       "%u of %u messages are deleted, trashed or expunged "
		       "copies", deleted, f->messages->len);
}

static void
weigh_departure(struct fd_finding *f)
{
	gint64 departure = f->custodian ? f->custodian->departure_utc
					: FD_TIME_NONE;
	gint64 from = departure - DEPARTURE_WINDOW_DAYS * 86400;
	char *day;
	double before;

	if (departure == FD_TIME_NONE || f->window_end == FD_TIME_NONE)
		return;
	if (f->window_end < from || f->window_start > departure + 86400)
		return;
	before = f->score;
	f->score *= DEPARTURE_FACTOR;
	day = fd_format_local(departure, "%Y-%m-%d");
	g_string_append_printf(f->explanation, "; x%.2f: within %d days "
			       "before the departure on %s (%.0f -> %.0f)",
			       DEPARTURE_FACTOR, DEPARTURE_WINDOW_DAYS, day,
			       before, f->score);
	g_free(day);
}

/* Returns text as one line of at most max_chars characters: control
 * characters from mail (a newline in a file name) become spaces and a
 * longer text is cut with an ellipsis. */
static char *
one_line(const char *text, glong max_chars)
{
	char *valid = g_utf8_make_valid(text ? text : "", -1);
	GString *out = g_string_new(NULL);
	glong n = 0;

	for (const char *p = valid; *p && n < max_chars;
	     p = g_utf8_next_char(p), n++) {
		gunichar c = g_utf8_get_char(p);

		if (g_unichar_iscntrl(c))
			c = ' ';
		g_string_append_unichar(out, c);
	}
	if (n == max_chars && *g_utf8_offset_to_pointer(valid, n))
		g_string_append(out, "\u2026");
	g_free(valid);
	return g_string_free(out, FALSE);
}

static int
finding_insert(struct fd_context *ctx, struct fd_finding *f,
	       const char *severity)
{
	static const char sql[] =
		"INSERT INTO finding (kind, custodian_id, window_start_utc,"
		" window_end_utc, score, severity, title, explanation,"
		" explained_by, subject_value) VALUES (?,?,?,?,?,?,?,?,?,?)";
	sqlite3_stmt *st = fd_prepare(ctx->db, sql);
	gint64 finding_id;
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, f->kind, -1, SQLITE_STATIC);
	if (f->custodian && f->custodian->id)
		sqlite3_bind_int64(st, 2, f->custodian->id);
	if (f->window_start != FD_TIME_NONE)
		sqlite3_bind_int64(st, 3, f->window_start);
	if (f->window_end != FD_TIME_NONE)
		sqlite3_bind_int64(st, 4, f->window_end);
	sqlite3_bind_double(st, 5, round(f->score * 10) / 10);
	sqlite3_bind_text(st, 6, severity, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, one_line(f->title ? f->title : f->kind,
					  TITLE_MAX_CHARS), -1, g_free);
	sqlite3_bind_text(st, 8, one_line(f->explanation->str,
					  EXPLANATION_MAX_CHARS), -1, g_free);
	if (f->explained_by)
		sqlite3_bind_text(st, 9, one_line(f->explained_by,
						  TITLE_MAX_CHARS), -1, g_free);
	if (f->subject_value)
		sqlite3_bind_text(st, 10, one_line(f->subject_value,
						   SUBJECT_VALUE_MAX_CHARS),
				  -1, g_free);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		fprintf(stderr, "error: findings: cannot store finding '%s': "
			"%s\n", f->kind, sqlite3_errmsg(ctx->db));
		return -1;
	}
	finding_id = sqlite3_last_insert_rowid(ctx->db);

	st = fd_prepare(ctx->db, "INSERT OR IGNORE INTO finding_message "
			"(finding_id, message_id) VALUES (?,?)");
	if (!st)
		return -1;
	for (guint i = 0; i < f->messages->len; i++) {
		sqlite3_bind_int64(st, 1, finding_id);
		sqlite3_bind_int64(st, 2,
				   g_array_index(f->messages, gint64, i));
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE) {
			fprintf(stderr, "error: findings: cannot link message "
				"to finding: %s\n", sqlite3_errmsg(ctx->db));
			sqlite3_finalize(st);
			return -1;
		}
	}
	sqlite3_finalize(st);
	ctx->findings_written++;
	return 0;
}

int
fd_finding_emit(struct fd_context *ctx, struct fd_finding *f)
{
	const char *severity;
	int rc;

	weigh_deleted(ctx, f);
	weigh_departure(f);
	if (f->score > 100)
		f->score = 100;
	if (f->score < 0)
		f->score = 0;
	if (f->explained_by && f->score > EXPLAINED_MAX_SCORE) {
		g_string_append_printf(f->explanation, "; capped at %.0f "
				       "because the corporate event '%s' "
				       "explains it", EXPLAINED_MAX_SCORE,
				       f->explained_by);
		f->score = EXPLAINED_MAX_SCORE;
	}
	severity = fd_severity(f->score);
	g_string_append_printf(f->explanation, ". Score %.0f of 100, "
			       "severity %s.", f->score, severity);
	if (f->custodian && f->score > f->custodian->max_score)
		f->custodian->max_score = f->score;
	rc = finding_insert(ctx, f, severity);
	finding_free(f);
	return rc;
}

static int
compare_rank(const void *a, const void *b)
{
	const struct fd_custodian *x = *(const struct fd_custodian **)a;
	const struct fd_custodian *y = *(const struct fd_custodian **)b;

	if (x->on_access_list != y->on_access_list)
		return x->on_access_list ? -1 : 1;
	if (x->max_score != y->max_score)
		return x->max_score > y->max_score ? -1 : 1;
	return g_strcmp0(x->name, y->name);
}

/* Raises each custodian's max_score to the findings stored by others
 * (the log correlation writes its own kinds at ingest). */
static int
other_scores(struct fd_context *ctx)
{
	sqlite3_stmt *st = fd_prepare(ctx->db, "SELECT custodian_id,"
		" MAX(score) FROM finding WHERE custodian_id IS NOT NULL"
		" GROUP BY custodian_id");
	int rc;

	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		gint64 id = sqlite3_column_int64(st, 0);
		double score = sqlite3_column_double(st, 1);

		for (guint i = 0; i < ctx->custodians->len; i++) {
			struct fd_custodian *c = ctx->custodians->pdata[i];

			if (c->id == id && score > c->max_score)
				c->max_score = score;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Stores the custodian order for the report: those on the access list
 * first, then by their highest finding score. */
static int
rank_custodians(struct fd_context *ctx)
{
	GPtrArray *order = g_ptr_array_new();
	sqlite3_stmt *st;
	int rc = 0;

	if (other_scores(ctx) < 0) {
		g_ptr_array_free(order, TRUE);
		return -1;
	}
	for (guint i = 0; i < ctx->custodians->len; i++) {
		struct fd_custodian *c = ctx->custodians->pdata[i];

		if (c->id)
			g_ptr_array_add(order, c);
	}
	g_ptr_array_sort(order, compare_rank);
	st = fd_prepare(ctx->db, "INSERT INTO stat_custodian (custodian_id,"
			" metric, value) VALUES (?,?,?)");
	for (guint i = 0; st && i < order->len && rc == 0; i++) {
		struct fd_custodian *c = order->pdata[i];
		const char *metric[] = { "rank", "on_access_list",
					 "max_score" };
		double value[] = { i + 1, c->on_access_list, c->max_score };

		for (int k = 0; k < 3 && rc == 0; k++) {
			sqlite3_bind_int64(st, 1, c->id);
			sqlite3_bind_text(st, 2, metric[k], -1, SQLITE_STATIC);
			sqlite3_bind_double(st, 3, value[k]);
			if (sqlite3_step(st) != SQLITE_DONE)
				rc = -1;
			sqlite3_reset(st);
		}
	}
	if (!st || rc)
		fprintf(stderr, "error: findings: cannot store the custodian "
			"ranking: %s\n", sqlite3_errmsg(ctx->db));
	sqlite3_finalize(st);
	g_ptr_array_free(order, TRUE);
	return st ? rc : -1;
}

static int
run_detectors(struct fd_context *ctx)
{
	for (guint i = 0; i < ctx->custodians->len; i++) {
		struct fd_custodian *c = ctx->custodians->pdata[i];

		if (c->id == 0)
			continue;
		if (fd_time_spikes(ctx, c) || fd_time_off_hours(ctx, c) ||
		    fd_recipients_find(ctx, c) ||
		    fd_attachments_find(ctx, c) ||
		    fd_mail_deleted(ctx, c) || fd_mail_auto_forward(ctx, c))
			return -1;
	}
	return fd_mail_rules(ctx);
}

/* The kinds findings_run() writes; findings of other kinds (those the
 * log correlation stores) are left alone. */
static const char my_kinds[] =
	"('spike', 'off-hours', 'one-recipient-no-replies',"
	" 'new-recipient-share', 'high-entropy-domain', 'nonsense-handle',"
	" 'listed-domain', 'self-forwarding', 'freemail', 'lookalike-address',"
	" 'archive-attachment', 'encrypted-attachment', 'type-mismatch',"
	" 'watchlist-attachment', 'large-attachment', 'deleted-outbound',"
	" 'auto-forward', 'forwarding-rule')";

static int
clear_previous(sqlite3 *db)
{
	char *sql = g_strdup_printf(
		"DELETE FROM finding_message WHERE finding_id IN"
		" (SELECT id FROM finding WHERE kind IN %s);"
		"DELETE FROM finding WHERE kind IN %s;"
		"DELETE FROM stat_custodian;"
		"DELETE FROM stat_bucket;"
		"DELETE FROM stat_recipient;"
		"DELETE FROM examiner_input;", my_kinds, my_kinds);
	int rc = fd_exec(db, sql);

	g_free(sql);
	return rc;
}

int
findings_run(sqlite3 *db, const struct findings_options *opts)
{
	static const struct findings_options no_options;
	struct fd_context ctx = { .db = db, .opts = opts ? opts : &no_options };
	int rc = -1;

	if (fd_exec(db, "BEGIN IMMEDIATE") < 0)
		return -1;
	if (clear_previous(db) < 0)
		goto out;
	if (fd_input_load(&ctx) < 0) {
		/* The loader prints which file and line was wrong. */
		ctx.input_invalid = TRUE;
		goto out;
	}
	if (fd_load(&ctx) == 0 && stats_write(&ctx) == 0 &&
	    run_detectors(&ctx) == 0 && rank_custodians(&ctx) == 0)
		rc = fd_exec(db, "COMMIT");
out:
	if (rc < 0)
		fd_exec(db, "ROLLBACK");
	if (rc < 0 && ctx.input_invalid)
		rc = -2;
	fd_load_clear(&ctx);
	fd_input_clear(&ctx);
	return rc;
}
