/* SPDX-License-Identifier: MIT
 *
 * html-custodian.c - one section per custodian in the HTML report:
 * facts, statistics, charts, recipients, findings and the timeline.
 * Custodians come in the order findings_run() stored as stat_custodian
 * metric 'rank' (access list first, then by highest finding score).
 * Custodians without a rank follow, by access list, highest score and
 * name.
 */
#include <stdlib.h>
#include <string.h>

#include "report/html-private.h"

#define ISO(col) "strftime('%Y-%m-%dT%H:%M:%SZ', " col ", 'unixepoch')"
#define STAT(metric) "(SELECT value FROM stat_custodian s WHERE" \
	" s.custodian_id = c.id AND s.metric = '" metric "')"

static void
html_custodian_facts(FILE *out, sqlite3 *db, gint64 id)
{
	html_query_table(out, db,
		"SELECT (SELECT group_concat(address, '; ') FROM"
		"  custodian_address a WHERE a.custodian_id = c.id)"
		"  AS addresses, c.inferred_from, c.timezone,"
		" c.tz_offset_min AS inferred_offset_min,"
		" " ISO("c.departure_utc") " AS departure_utc,"
		" CASE " STAT("on_access_list") " WHEN 1 THEN 'yes'"
		"  WHEN 0 THEN 'no' END AS on_access_list,"
		" " STAT("rank") " AS rank,"
		" (SELECT max(score) FROM finding f"
		"  WHERE f.custodian_id = c.id) AS max_finding_score"
		" FROM custodian c WHERE c.id = ?", id, "");
}

static void
html_custodian_stats(FILE *out, sqlite3 *db, gint64 id)
{
	fputs("<h3>Statistics</h3>\n<p>Each sent message counts once; "
	      "copies of one message found in several places are "
	      "skipped.</p>\n", out);
	html_query_table(out, db,
		"SELECT metric, value FROM stat_custodian"
		" WHERE custodian_id = ? AND metric NOT IN"
		" ('rank', 'on_access_list', 'max_score')"
		" ORDER BY metric", id, "No statistics were computed.");
}

static void
html_chart_heatmap(FILE *out, sqlite3 *db, gint64 id)
{
	int counts[7][24] = { { 0 } };
	sqlite3_stmt *st;
	int day, hour;

	if (sqlite3_prepare_v2(db, "SELECT bucket, messages FROM stat_bucket"
			       " WHERE custodian_id = ? AND kind = "
			       "'weekday-hour'", -1, &st, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_int64(st, 1, id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *b = (const char *)sqlite3_column_text(st, 0);

		if (b != NULL && sscanf(b, "%d-%d", &day, &hour) == 2 &&
		    day >= 1 && day <= 7 && hour >= 0 && hour < 24)
			counts[day - 1][hour] += sqlite3_column_int(st, 1);
	}
	sqlite3_finalize(st);
	fputs("<h4>Hour of day by day of week (local time)</h4>\n", out);
	svg_heatmap(out, counts);
}

static void
html_chart_daily(FILE *out, sqlite3 *db, gint64 id)
{
	GArray *days = g_array_new(FALSE, TRUE, sizeof(struct svg_day));
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db, "SELECT bucket, messages, baseline_median,"
			       " baseline_mad, is_spike FROM stat_bucket"
			       " WHERE custodian_id = ? AND kind = 'day'"
			       " ORDER BY bucket", -1, &st, NULL) != SQLITE_OK)
		goto done;
	sqlite3_bind_int64(st, 1, id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *b = (const char *)sqlite3_column_text(st, 0);
		struct svg_day d;

		memset(&d, 0, sizeof(d));
		g_strlcpy(d.day, b != NULL ? b : "", sizeof(d.day));
		d.messages = sqlite3_column_int(st, 1);
		d.baseline_median = sqlite3_column_type(st, 2) == SQLITE_NULL ?
			-1 : sqlite3_column_double(st, 2);
		d.baseline_mad = sqlite3_column_double(st, 3);
		d.spike = sqlite3_column_int(st, 4) != 0;
		g_array_append_val(days, d);
	}
	sqlite3_finalize(st);
	fputs("<h4>Daily volume</h4>\n", out);
	if (days->len == 0)
		fputs("<p class=\"none\">No daily statistics.</p>\n", out);
	else
		svg_daily(out, (struct svg_day *)days->data, days->len);
done:
	g_array_free(days, TRUE);
}

#define TOP_RECIPIENTS 15

static void
html_chart_recipients(FILE *out, sqlite3 *db, gint64 id)
{
	char *labels[TOP_RECIPIENTS];
	int sent[TOP_RECIPIENTS], replies[TOP_RECIPIENTS];
	guint n = 0, i;
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db, "SELECT address, messages_sent, replies"
			       " FROM stat_recipient WHERE custodian_id = ?"
			       " ORDER BY messages_sent DESC, address LIMIT 15",
			       -1, &st, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_int64(st, 1, id);
	while (n < TOP_RECIPIENTS && sqlite3_step(st) == SQLITE_ROW) {
		labels[n] = g_strdup((const char *)sqlite3_column_text(st, 0));
		if (labels[n] == NULL)
			labels[n] = g_strdup("");
		sent[n] = sqlite3_column_int(st, 1);
		replies[n] = sqlite3_column_int(st, 2);
		n++;
	}
	sqlite3_finalize(st);
	fputs("<h4>Sent versus replies per recipient (top 15)</h4>\n", out);
	if (n == 0)
		fputs("<p class=\"none\">No recipient statistics.</p>\n", out);
	else
		svg_paired_bars(out, (const char *const *)labels, sent, replies,
				n);
	for (i = 0; i < n; i++)
		g_free(labels[i]);
}

static const struct {
	const char *label;
	gint64 below;          /* upper bound in bytes, exclusive */
} size_classes[] = {
	{ "< 10 KB", 10 * 1024 },
	{ "10-100 KB", 100 * 1024 },
	{ "0.1-1 MB", 1024 * 1024 },
	{ "1-10 MB", 10 * 1024 * 1024 },
	{ "10-25 MB", 25 * 1024 * 1024 },
	{ ">= 25 MB", G_MAXINT64 },
};

static void
html_chart_attachments(FILE *out, sqlite3 *db, gint64 id)
{
	const char *labels[G_N_ELEMENTS(size_classes)];
	int counts[G_N_ELEMENTS(size_classes)] = { 0 };
	sqlite3_stmt *st;
	guint i;

	if (sqlite3_prepare_v2(db, "SELECT a.size FROM attachment a"
			       " JOIN message m ON m.id = a.message_id"
			       " WHERE m.custodian_id = ? AND m.direction ="
			       " 'outbound' AND m.duplicate_of IS NULL"
			       " AND a.depth = 0", -1, &st, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_int64(st, 1, id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		gint64 size = sqlite3_column_int64(st, 0);

		for (i = 0; i < G_N_ELEMENTS(size_classes); i++)
			if (size < size_classes[i].below) {
				counts[i]++;
				break;
			}
	}
	sqlite3_finalize(st);
	for (i = 0; i < G_N_ELEMENTS(size_classes); i++)
		labels[i] = size_classes[i].label;
	fputs("<h4>Attachment sizes (direct attachments of sent mail, each "
	      "message once)</h4>\n", out);
	svg_histogram(out, labels, counts, G_N_ELEMENTS(size_classes));
}

static void
html_custodian_recipients(FILE *out, sqlite3 *db, gint64 id)
{
	fputs("<h3>Recipients (top 25 by messages sent)</h3>\n", out);
	html_query_table(out, db,
		"SELECT address, domain, CASE external WHEN 1 THEN 'yes'"
		" WHEN 0 THEN 'no' END AS external, messages_sent, deliveries,"
		" bytes_sent, replies, messages_received,"
		" " ISO("first_utc") " AS first_utc,"
		" " ISO("last_utc") " AS last_utc"
		" FROM stat_recipient WHERE custodian_id = ?"
		" ORDER BY messages_sent DESC, address LIMIT 25", id,
		"No recipient statistics.");
}

/* Writes the message links of one finding: an anchor for messages the
 * timeline table shows, the bare id for others. */
static void
html_finding_messages(FILE *out, sqlite3 *db, gint64 finding_id,
		      GHashTable *shown_ids)
{
	sqlite3_stmt *st;
	int n = 0;

	if (sqlite3_prepare_v2(db, "SELECT message_id FROM finding_message"
			       " WHERE finding_id = ? ORDER BY message_id",
			       -1, &st, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_int64(st, 1, finding_id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		gint64 mid = sqlite3_column_int64(st, 0);

		if (n++ > 0)
			fputs(", ", out);
		if (g_hash_table_contains(shown_ids, &mid))
			fprintf(out, "<a href=\"#msg-%" G_GINT64_FORMAT "\">%"
				G_GINT64_FORMAT "</a>", mid, mid);
		else
			fprintf(out, "%" G_GINT64_FORMAT, mid);
	}
	sqlite3_finalize(st);
}

static void
html_custodian_findings(FILE *out, sqlite3 *db, gint64 id,
			GHashTable *shown_ids)
{
	sqlite3_stmt *st;
	int n = 0;

	fputs("<h3>Findings (highest score first)</h3>\n", out);
	if (sqlite3_prepare_v2(db, "SELECT id, score, severity, kind, title,"
			       " " ISO("window_start_utc") ","
			       " " ISO("window_end_utc") ", explanation,"
			       " explained_by, subject_value FROM finding"
			       " WHERE custodian_id = ?"
			       " ORDER BY score DESC, id",
			       -1, &st, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_int64(st, 1, id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *sev = (const char *)sqlite3_column_text(st, 2);
		int col;

		if (n++ == 0)
			fputs("<table class=\"findings\">\n<thead><tr>"
			      "<th>id</th><th>score</th><th>severity</th>"
			      "<th>kind</th><th>title</th><th>window start</th>"
			      "<th>window end</th><th>explanation</th>"
			      "<th>explained by</th><th>concerning</th>"
			      "<th>messages</th></tr></thead>\n<tbody>\n", out);
		fputs("<tr class=\"sev-", out);
		html_text(out, sev != NULL ? sev : "none");
		fputs("\">", out);
		for (col = 0; col < 10; col++)
			html_cell_column(out, st, col);
		fputs("<td>", out);
		html_finding_messages(out, db, sqlite3_column_int64(st, 0),
				      shown_ids);
		fputs("</td></tr>\n", out);
	}
	sqlite3_finalize(st);
	if (n > 0)
		fputs("</tbody>\n</table>\n", out);
	else
		fputs("<p class=\"none\">No findings.</p>\n", out);
}

static void
html_custodian_section(FILE *out, sqlite3 *db, gint64 id, const char *name,
		       const struct report_timeline *tl, GHashTable *shown_ids,
		       guint max_rows)
{
	fprintf(out, "<section class=\"custodian\">\n"
		"<h2 id=\"custodian-%" G_GINT64_FORMAT "\">Custodian ", id);
	html_text(out, name);
	fputs("</h2>\n", out);
	html_custodian_facts(out, db, id);
	html_custodian_stats(out, db, id);
	fputs("<h3>Charts</h3>\n", out);
	html_chart_heatmap(out, db, id);
	html_chart_daily(out, db, id);
	html_chart_recipients(out, db, id);
	html_chart_attachments(out, db, id);
	html_custodian_recipients(out, db, id);
	html_custodian_findings(out, db, id, shown_ids);
	html_timeline_write(out, tl, id, max_rows);
	fputs("</section>\n", out);
}

/* Writes a section for outbound mail without a custodian, if any, so no
 * outbound message is left out of the report. */
static void
html_unassigned_section(FILE *out, const struct report_timeline *tl,
			guint max_rows)
{
	guint i;

	for (i = 0; i < tl->rows->len; i++) {
		const struct report_row *row = tl->rows->pdata[i];

		if (row->custodian_id == 0)
			break;
	}
	if (i == tl->rows->len)
		return;
	fputs("<section class=\"custodian\">\n<h2 id=\"custodian-0\">"
	      "Outbound mail without a custodian</h2>\n", out);
	html_timeline_write(out, tl, 0, max_rows);
	fputs("</section>\n", out);
}

void
html_custodians_write(FILE *out, sqlite3 *db,
		      const struct report_timeline *tl, GHashTable *shown_ids,
		      guint max_rows)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db, "SELECT c.id, c.name FROM custodian c"
			       " ORDER BY " STAT("rank") " IS NULL,"
			       " " STAT("rank") ", " STAT("on_access_list")
			       " = 1 DESC, (SELECT max(score) FROM finding f"
			       " WHERE f.custodian_id = c.id) DESC, c.name",
			       -1, &st, NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW)
			html_custodian_section(out, db,
					       sqlite3_column_int64(st, 0),
					       (const char *)
					       sqlite3_column_text(st, 1),
					       tl, shown_ids, max_rows);
		sqlite3_finalize(st);
	}
	html_unassigned_section(out, tl, max_rows);
}
