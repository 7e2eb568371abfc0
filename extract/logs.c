/* SPDX-License-Identifier: MIT
 *
 * logs.c - mail server logs and network flows: format detection from
 * content, the ingest driver shared by the readers (extract/log-*.c),
 * line counts and rate-limited anomalies.  A line not understood is
 * counted, and the first one of each kind is reported with its line
 * number and byte offset.  Reading always goes on to the end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/record.h"
#include "extract/logs-private.h"

#define DETECT_LINES 200
#define DETECT_BYTES (256 * 1024)

static struct logs_options options;
static char *options_timezone;

void
logs_set_options(const struct logs_options *opts)
{
	g_free(options_timezone);
	options = *opts;
	options_timezone = g_strdup(opts->timezone);
	options.timezone = options_timezone;
}

const struct logs_options *
logs_get_options(void)
{
	return &options;
}

struct log_anomaly_count {
	const char *code;     /* static string */
	gint64 count;
	gint64 line_no, offset;
	char *detail;
};

static void
anomaly_count_free(gpointer p)
{
	struct log_anomaly_count *a = p;

	g_free(a->detail);
	g_free(a);
}

/* Reads the first lines of path for the detectors; NULL when unreadable. */
static GPtrArray *
detect_read_lines(const char *path)
{
	char *error = NULL;
	struct log_stream *st = log_stream_open(path, &error);
	GPtrArray *lines;
	struct log_line line;
	size_t bytes = 0;

	if (st == NULL) {
		g_free(error);
		return NULL;
	}
	log_stream_limit(st, DETECT_BYTES);
	lines = g_ptr_array_new_with_free_func(g_free);
	while (lines->len < DETECT_LINES && bytes < DETECT_BYTES &&
	       log_stream_next(st, &line, &error) == 1) {
		const char *text = line.text;

		if (line.line_no == 1 && strncmp(text, "\xef\xbb\xbf", 3) == 0)
			text += 3;
		bytes += line.len;
		g_ptr_array_add(lines, g_strdup(text));
	}
	g_free(error);
	log_stream_free(&st);
	g_ptr_array_add(lines, NULL);
	return lines;
}

const char *
logs_detect(const char *path, const unsigned char *head, size_t head_len)
{
	const char *(*const detectors[])(char **, guint) = {
		log_exchange_detect, log_zeek_detect, log_m365_detect,
		log_flow_detect, log_postfix_detect,
	};
	const char *format = NULL;
	GPtrArray *lines;

	/* head is not used: a syslog file may start with NUL bytes after a
	 * crash, and gzip files must be read decompressed anyway. */
	lines = detect_read_lines(path);
	if (lines == NULL)
		return NULL;
	for (size_t i = 0; i < G_N_ELEMENTS(detectors) && !format; i++)
		format = detectors[i]((char **)lines->pdata, lines->len - 1);
	g_ptr_array_free(lines, TRUE);
	return format;
}

void
logs_note_line(struct logs_ctx *ctx, const char *code,
	       const struct log_line *line, const char *why)
{
	struct log_anomaly_count *a = g_hash_table_lookup(ctx->anomalies,
							  code);
	char *excerpt;

	if (a != NULL) {
		a->count++;
		return;
	}
	a = g_new0(struct log_anomaly_count, 1);
	a->code = code;
	a->count = 1;
	a->line_no = line->line_no;
	a->offset = line->offset;
	excerpt = logs_valid_utf8(line->text, line->len < 120 ? line->len
							       : 120);
	/* The excerpt may reach a terminal: no escape sequences. */
	for (char *p = excerpt; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '.';
	a->detail = g_strdup_printf("%s; first at line %" G_GINT64_FORMAT
				    ": '%s'", why, line->line_no, excerpt);
	g_free(excerpt);
	g_hash_table_insert(ctx->anomalies, (gpointer)code, a);
}

void
logs_note_time(struct logs_ctx *ctx, gint64 utc)
{
	if (utc == MT_TIME_NONE)
		return;
	ctx->current_utc = utc;
	if (ctx->first_utc == MT_TIME_NONE || utc < ctx->first_utc)
		ctx->first_utc = utc;
	if (ctx->last_utc == MT_TIME_NONE || utc > ctx->last_utc)
		ctx->last_utc = utc;
}

static gint
anomaly_compare(gconstpointer a, gconstpointer b)
{
	const struct log_anomaly_count *x = *(struct log_anomaly_count **)a;
	const struct log_anomaly_count *y = *(struct log_anomaly_count **)b;

	return x->line_no < y->line_no ? -1 : x->line_no > y->line_no;
}

/* Reports each anomaly code once with its count, in the order of their
 * first lines; returns -1 when the sink failed. */
static int
report_anomalies(struct logs_ctx *ctx)
{
	GPtrArray *all = g_ptr_array_new();
	GHashTableIter it;
	gpointer key, value;
	int rc = 0;

	g_hash_table_iter_init(&it, ctx->anomalies);
	while (g_hash_table_iter_next(&it, &key, &value))
		g_ptr_array_add(all, value);
	g_ptr_array_sort(all, anomaly_compare);
	for (guint i = 0; i < all->len && rc == 0; i++) {
		struct log_anomaly_count *a = g_ptr_array_index(all, i);
		char *locator = g_strdup_printf("line=%" G_GINT64_FORMAT,
						a->line_no);

		rc = mt_sink_anomalyf(ctx->sink, 0, MT_LEVEL_WARNING, a->code,
				      a->offset, locator,
				      "%" G_GINT64_FORMAT " line(s): %s",
				      a->count, a->detail);
		g_free(locator);
	}
	g_ptr_array_free(all, TRUE);
	return rc < 0 ? -1 : 0;
}

static int
zone_from_text(struct log_clock *clock, const char *tz)
{
	int off = 0;
	gint64 utc;
	gboolean known;
	char probe[40];

	clock->zone_known = tz != NULL && *tz != '\0';
	if (!clock->zone_known || g_ascii_strcasecmp(tz, "UTC") == 0)
		return 0;
	/* "+0100" and "+01:00" are parsed as the zone of a dummy time. */
	g_snprintf(probe, sizeof(probe), "2000-01-01T00:00:00%s", tz);
	if (log_time_parse_iso(probe, &utc, &off, &known) == strlen(probe)) {
		clock->fixed_offset_min = off;
		return 0;
	}
	clock->zone = g_time_zone_new_identifier(tz);
	return clock->zone != NULL ? 0 : -1;
}

/* Parses MAILTRAIL_LOG_YEAR: "2024" (the log ends in 2024) or
 * "2024-03-05" (the log was collected that day).  Returns the end of
 * that year or day in local seconds, or MT_TIME_NONE. */
static gint64
reference_from_text(const char *text)
{
	int y = 0, m = 12, d = 31;

	if (text == NULL)
		return MT_TIME_NONE;
	if (sscanf(text, "%d-%d-%d", &y, &m, &d) < 1 || y < 1970 ||
	    y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
		return MT_TIME_NONE;
	return log_time_civil(y, m, d, 23, 59, 59);
}

/* Anchors the year of year-less syslog times: the examiner's option,
 * else the file's mtime taken as the time of its last line. */
static void
clock_choose_year(struct logs_ctx *ctx)
{
	gint64 reference = MT_TIME_NONE;
	gboolean unordered;
	struct stat sb;

	ctx->clock.reference_local = MT_TIME_NONE;
	if (options.year > 0)
		reference = log_time_civil(options.year, 12, 31, 23, 59, 59);
	else
		reference = reference_from_text(g_getenv("MAILTRAIL_LOG_YEAR"));
	ctx->year_basis = "option";
	if (reference == MT_TIME_NONE) {
		reference = stat(ctx->path, &sb) == 0 ? sb.st_mtime
						      : time(NULL);
		reference += (gint64)ctx->clock.fixed_offset_min * 60;
		ctx->year_basis = "mtime";
	}
	if (log_postfix_clock_anchor(ctx->path, &ctx->clock, reference,
				     &unordered) == 0) {
		/* Every time carries its year (RFC 5424 / ISO). */
		ctx->year_basis = NULL;
		return;
	}
	if (unordered)
		ctx->year_basis = strcmp(ctx->year_basis, "mtime") == 0
				  ? "mtime-unordered" : "option-unordered";
}

static int
ctx_init(struct logs_ctx *ctx, char **error_r)
{
	const char *tz = options.timezone;

	if (tz == NULL)
		tz = g_getenv("MAILTRAIL_LOG_TZ");
	ctx->clock.previous_local = MT_TIME_NONE;
	ctx->clock.reference_local = MT_TIME_NONE;
	if (zone_from_text(&ctx->clock, tz) < 0) {
		*error_r = g_strdup_printf("invalid log time zone '%s': use "
					   "+HHMM, UTC or an IANA name", tz);
		return -1;
	}
	ctx->first_utc = ctx->last_utc = ctx->current_utc = MT_TIME_NONE;
	ctx->anomalies = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
					       anomaly_count_free);
	ctx->pending = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
					     log_msg_free);
	ctx->flows = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					   g_free);
	if (strcmp(ctx->format, "log-postfix") == 0 ||
	    strcmp(ctx->format, "log-sendmail") == 0)
		clock_choose_year(ctx);
	return 0;
}

static void
ctx_release(struct logs_ctx *ctx)
{
	sqlite3_finalize(ctx->st_message);
	sqlite3_finalize(ctx->st_event);
	sqlite3_finalize(ctx->st_flow);
	if (ctx->anomalies != NULL)
		g_hash_table_destroy(ctx->anomalies);
	if (ctx->pending != NULL)
		g_hash_table_destroy(ctx->pending);
	if (ctx->flows != NULL)
		g_hash_table_destroy(ctx->flows);
	if (ctx->clock.zone != NULL)
		g_time_zone_unref(ctx->clock.zone);
}

static int
store_stats(struct logs_ctx *ctx)
{
	static const char sql[] =
		"INSERT OR REPLACE INTO log_stats (evidence_id, format,"
		" lines_total, lines_blank, lines_comment, lines_parsed,"
		" lines_foreign, lines_unknown, lines_truncated, first_utc,"
		" last_utc, year_basis) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)";
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(ctx->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, ctx->evidence_id);
	sqlite3_bind_text(st, 2, ctx->format, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, ctx->lines_total);
	sqlite3_bind_int64(st, 4, ctx->lines_blank);
	sqlite3_bind_int64(st, 5, ctx->lines_comment);
	sqlite3_bind_int64(st, 6, ctx->lines_parsed);
	sqlite3_bind_int64(st, 7, ctx->lines_foreign);
	sqlite3_bind_int64(st, 8, ctx->lines_unknown);
	sqlite3_bind_int64(st, 9, ctx->lines_truncated);
	if (ctx->first_utc != MT_TIME_NONE) {
		sqlite3_bind_int64(st, 10, ctx->first_utc);
		sqlite3_bind_int64(st, 11, ctx->last_utc);
	}
	if (ctx->year_basis != NULL)
		sqlite3_bind_text(st, 12, ctx->year_basis, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return rc;
}

static int
run_reader(struct logs_ctx *ctx, struct log_stream *st)
{
	const char *f = ctx->format;

	if (strcmp(f, "log-postfix") == 0 || strcmp(f, "log-sendmail") == 0)
		return log_postfix_read(ctx, st);
	if (strcmp(f, "log-exchange") == 0)
		return log_exchange_read(ctx, st);
	if (strcmp(f, "log-m365") == 0)
		return log_m365_read(ctx, st);
	if (strcmp(f, "log-zeek-smtp") == 0 || strcmp(f, "log-zeek-conn") == 0)
		return log_zeek_read(ctx, st);
	if (strcmp(f, "log-nfdump") == 0)
		return log_flow_read(ctx, st);
	return -1;
}

static int
msg_compare_indirect(const struct log_msg **a, const struct log_msg **b)
{
	return log_msg_compare_line(*a, *b);
}

/* Flushes messages still pending at the end of the file in line order.
 * Only Postfix and Sendmail log a message's end, so only they note open
 * ones. */
static int
flush_pending(struct logs_ctx *ctx)
{
	GList *msgs = g_hash_table_get_values(ctx->pending);
	gint64 open = 0;
	int rc = 0;

	g_hash_table_steal_all(ctx->pending);
	msgs = g_list_sort(msgs, (GCompareFunc)log_msg_compare_line);
	for (GList *l = msgs; l != NULL; l = l->next) {
		struct log_msg *msg = l->data;

		if (!msg->has_end)
			open++;
		if (rc == 0 && logs_store_message(ctx, msg) < 0)
			rc = -1;
		else if (rc < 0)
			log_msg_free(msg);
	}
	g_list_free(msgs);
	if (open > 0 && (strcmp(ctx->format, "log-postfix") == 0 ||
			 strcmp(ctx->format, "log-sendmail") == 0))
		mt_sink_anomalyf(ctx->sink, 0, MT_LEVEL_NOTE,
				 "log-open-messages", -1, NULL,
				 "%" G_GINT64_FORMAT " message(s) have no end "
				 "in this file (still queued, or continued in "
				 "the next rotated file)", open);
	return rc;
}

/* One note with the counts, so the ingest output shows what a log gave
 * (the message counts of the ingest summary are mailbox messages). */
static void
note_summary(struct logs_ctx *ctx)
{
	mt_sink_anomalyf(ctx->sink, 0, MT_LEVEL_NOTE, "log-summary", -1, NULL,
			 "%" G_GINT64_FORMAT " lines: %" G_GINT64_FORMAT
			 " read into %" G_GINT64_FORMAT " log messages, %"
			 G_GINT64_FORMAT " events and %" G_GINT64_FORMAT
			 " hourly flow totals; %" G_GINT64_FORMAT
			 " not understood, %" G_GINT64_FORMAT " cut off, %"
			 G_GINT64_FORMAT " of other programs, %" G_GINT64_FORMAT
			 " blank or comment", ctx->lines_total,
			 ctx->lines_parsed, ctx->rows_message, ctx->rows_event,
			 ctx->rows_flow, ctx->lines_unknown,
			 ctx->lines_truncated, ctx->lines_foreign,
			 ctx->lines_blank + ctx->lines_comment);
}

static void
note_year_basis(struct logs_ctx *ctx)
{
	if (g_str_has_suffix(ctx->year_basis, "unordered"))
		mt_sink_anomalyf(ctx->sink, 0, MT_LEVEL_WARNING,
				 "log-time-unordered", -1, NULL,
				 "syslog times carry no year and the lines are "
				 "not in time order: each line was put in the "
				 "latest year that keeps it before the %s",
				 strcmp(ctx->year_basis, "mtime-unordered") == 0
				 ? "file's mtime" : "--log-year or "
				 "MAILTRAIL_LOG_YEAR date");
	else if (strcmp(ctx->year_basis, "mtime") == 0)
		mt_sink_anomalyf(ctx->sink, 0, MT_LEVEL_NOTE,
				 "log-year-from-mtime", -1, NULL,
				 "syslog times carry no year: the first line "
				 "was put in %d so the last falls before the "
				 "file's mtime; give --log-year, or the date "
				 "the log was collected in MAILTRAIL_LOG_YEAR, "
				 "when this is wrong", ctx->clock.year);
}

int
logs_ingest(sqlite3 *db, gint64 evidence_id, const char *path,
	    const char *format, const struct mt_sink *sink)
{
	struct logs_ctx ctx = { .db = db, .evidence_id = evidence_id,
				.path = path, .format = format, .sink = sink };
	struct log_stream *st = NULL;
	const char *error_code = "log-option-invalid";
	gint64 cache = logs_cache_raise(db);
	char *error = NULL;
	int rc = -1;

	if (ctx_init(&ctx, &error) < 0 || logs_prepare(&ctx) < 0)
		goto end;
	error_code = "log-unreadable";
	st = log_stream_open(path, &error);
	if (st == NULL)
		goto end;
	if (sink->evidence_fact != NULL)
		sink->evidence_fact(sink->ctx, "format_detail",
				    log_stream_is_gzip(st) ? "gzip" : "plain");
	if (ctx.year_basis != NULL)
		note_year_basis(&ctx);
	rc = run_reader(&ctx, st);
	if (rc == 0)
		rc = flush_pending(&ctx);
	if (rc == 0)
		rc = logs_store_flows(&ctx);
	if (rc == 0)
		rc = store_stats(&ctx);
	if (rc == 0)
		note_summary(&ctx);
	if (rc == 0 && report_anomalies(&ctx) < 0)
		rc = -1;
	if (rc == 0 && ctx.failed)
		rc = -1;
	if (rc == 0 && (ctx.lines_unknown > 0 || ctx.lines_truncated > 0))
		rc = 1;
end:
	if (error != NULL) {
		mt_sink_anomalyf(sink, 0, MT_LEVEL_ERROR, error_code, -1,
				 NULL, "%s: %s", path, error);
		g_free(error);
	}
	log_stream_free(&st);
	ctx_release(&ctx);
	logs_cache_restore(db, cache);
	return rc;
}

int
logs_next_line(struct logs_ctx *ctx, struct log_stream *st,
	       struct log_line *line_r)
{
	char *error = NULL;
	int r = log_stream_next(st, line_r, &error);
	size_t lead = 0;

	if (r < 0) {
		mt_sink_anomalyf(ctx->sink, 0, MT_LEVEL_ERROR,
				 "log-read-failed", -1, NULL,
				 "reading stopped after line %" G_GINT64_FORMAT
				 ": %s", ctx->lines_total, error);
		ctx->lines_truncated++;
		g_free(error);
		return 0;
	}
	if (r == 0)
		return 0;
	ctx->lines_total++;
	if (line_r->truncated) {
		ctx->lines_truncated++;
		logs_note_line(ctx, "log-line-truncated", line_r,
			       "line cut off (no line break at the end of "
			       "the file, or longer than 64 KiB)");
	}
	/* Syslog files written during a crash start lines with NUL runs. */
	while (lead < line_r->len && line_r->text[lead] == '\0')
		lead++;
	if (lead > 0 || strlen(line_r->text + lead) != line_r->len - lead) {
		line_r->text += lead;
		line_r->len = strlen(line_r->text);
		logs_note_line(ctx, "log-nul-bytes", line_r,
			       "NUL bytes in the line; the text after the "
			       "leading NUL bytes up to the next one is read");
	}
	return 1;
}

int
logs_sweep_pending(struct logs_ctx *ctx, const struct log_line *line,
		   gint64 idle_sec)
{
	GHashTableIter it;
	gpointer key, value;
	GPtrArray *idle;
	gint64 now = ctx->current_utc;
	int rc = 0;

	if (line->line_no % LOGS_SWEEP_LINES != 0 || now == MT_TIME_NONE ||
	    g_hash_table_size(ctx->pending) <= LOGS_SWEEP_PENDING)
		return 0;
	idle = g_ptr_array_new();
	g_hash_table_iter_init(&it, ctx->pending);
	while (g_hash_table_iter_next(&it, &key, &value)) {
		struct log_msg *m = value;

		/* Exports sorted newest first run backwards in time. */
		if (m->last_utc != MT_TIME_NONE &&
		    llabs(now - m->last_utc) > idle_sec)
			g_ptr_array_add(idle, m);
	}
	g_ptr_array_sort(idle, (GCompareFunc)msg_compare_indirect);
	for (guint i = 0; i < idle->len && rc == 0; i++) {
		struct log_msg *m = g_ptr_array_index(idle, i);

		g_hash_table_steal(ctx->pending, m->key);
		rc = logs_store_message(ctx, m);
	}
	g_ptr_array_free(idle, TRUE);
	return rc;
}
