/* SPDX-License-Identifier: MIT
 *
 * html-timeline.c - each custodian's outbound timeline in the HTML
 * report, with a checkbox (scripts on) and a separate table (scripts
 * off, and print) for deleted outbound mail.  Row ids are "msg-<id>" so
 * findings link to the messages behind them.  Each table stops after
 * max_rows rows (0: no limit), and a note under it gives the total.
 */
#include "report/html-private.h"

/* The custodian is the section's, so it has no column. */
static const char *const html_timeline_headers[] = {
	"id", "sent UTC", "sent local", "from", "to", "cc",
	"bcc", "external", "subject", "size", "attachments",
	"attachment types", "attachment bytes", "evidence", "locator",
	"message SHA-256", "status", "folder", NULL
};

static void
html_timeline_head(FILE *out, const char *kind, gint64 custodian_id)
{
	int i;

	fprintf(out, "<table class=\"timeline\" id=\"%s-%" G_GINT64_FORMAT
		"\">\n<thead><tr>", kind, custodian_id);
	for (i = 0; html_timeline_headers[i] != NULL; i++)
		fprintf(out, "<th>%s</th>", html_timeline_headers[i]);
	fputs("</tr></thead>\n<tbody>\n", out);
}

static char *
html_attachment_summary(const struct report_row *row)
{
	char *names;
	char *s;

	if (row->attachments->len == 0)
		return g_strdup("0");
	names = report_row_join_attachments(row, "filename");
	s = g_strdup_printf("%u: %s", row->attachments->len, names);
	g_free(names);
	return s;
}

/* Writes a cell with a class and takes ownership of value. */
static void
html_cell_class(FILE *out, const char *cls, char *value)
{
	fprintf(out, "<td class=\"%s\">", cls);
	html_text(out, value);
	fputs("</td>", out);
	g_free(value);
}

static void
html_timeline_row(FILE *out, const struct report_row *row, gboolean anchor)
{
	gboolean deleted = report_status_is_deleted(row->status);

	fprintf(out, "<tr class=\"%s\"", deleted ? "deleted" : "live");
	if (anchor)
		fprintf(out, " id=\"msg-%" G_GINT64_FORMAT "\"", row->id);
	fputs(">", out);
	html_cell_int(out, row->id);
	html_cell_class(out, "time", report_format_utc(row->sent_utc));
	html_cell_class(out, "time", row->sent_offset_known ?
			report_format_local(row->sent_utc,
					    row->sent_offset_min) : NULL);
	html_cell_owned(out, report_format_mailbox(row->from_name,
						   row->from_addr));
	html_cell_owned(out, report_row_join_recipients(row, "to"));
	html_cell_owned(out, report_row_join_recipients(row, "cc"));
	html_cell_owned(out, report_row_join_recipients(row, "bcc"));
	if (row->external_recipients >= 0)
		html_cell_int(out, row->external_recipients);
	else
		html_cell(out, NULL);
	html_cell_class(out, "subject", g_strdup(row->subject));
	html_cell_int(out, row->size);
	html_cell_owned(out, html_attachment_summary(row));
	html_cell_owned(out, report_row_join_attachments(row, "magic_type"));
	html_cell_int(out, report_row_attachment_bytes(row));
	html_cell(out, row->evidence_path);
	html_cell(out, row->locator);
	fputs("<td class=\"hash\">", out);
	html_text(out, row->sha256);
	fputs("</td>", out);
	html_cell(out, row->status);
	html_cell(out, row->folder);
	fputs("</tr>\n", out);
}

/* Returns TRUE when row belongs in the tables of custodian_id and, with
 * deleted_only, is deleted outbound mail. */
static gboolean
html_row_selected(const struct report_row *row, gint64 custodian_id,
		  gboolean deleted_only)
{
	if (row->custodian_id != custodian_id)
		return FALSE;
	return !deleted_only || report_status_is_deleted(row->status);
}

static guint
html_row_count(const struct report_timeline *tl, gint64 custodian_id,
	       gboolean deleted_only)
{
	guint i, n = 0;

	for (i = 0; i < tl->rows->len; i++)
		if (html_row_selected(tl->rows->pdata[i], custodian_id,
				      deleted_only))
			n++;
	return n;
}

GHashTable *
html_timeline_shown(const struct report_timeline *tl, guint max_rows)
{
	GHashTable *shown = g_hash_table_new(g_int64_hash, g_int64_equal);
	GHashTable *per_custodian = g_hash_table_new(g_int64_hash,
						     g_int64_equal);
	guint i;

	for (i = 0; i < tl->rows->len; i++) {
		struct report_row *row = tl->rows->pdata[i];
		gpointer seen = g_hash_table_lookup(per_custodian,
						    &row->custodian_id);
		guint n = GPOINTER_TO_UINT(seen);

		if (max_rows > 0 && n >= max_rows)
			continue;
		g_hash_table_insert(per_custodian, &row->custodian_id,
				    GUINT_TO_POINTER(n + 1));
		g_hash_table_add(shown, &row->id);
	}
	g_hash_table_destroy(per_custodian);
	return shown;
}

/* Writes the note under a table that stopped at max_rows. */
static void
html_limit_note(FILE *out, guint shown, guint total, const char *file)
{
	if (shown < total)
		fprintf(out, "<p class=\"error\">This table shows the first "
			"%u of %u rows (--html-max-rows); %s lists them "
			"all.</p>\n", shown, total, file);
}

static void
html_timeline_table(FILE *out, const struct report_timeline *tl,
		    gint64 custodian_id, gboolean deleted_only,
		    guint max_rows)
{
	guint i, shown = 0;

	html_timeline_head(out, deleted_only ? "deleted" : "timeline",
			   custodian_id);
	for (i = 0; i < tl->rows->len; i++) {
		const struct report_row *row = tl->rows->pdata[i];

		if (!html_row_selected(row, custodian_id, deleted_only))
			continue;
		if (max_rows > 0 && shown == max_rows)
			break;
		html_timeline_row(out, row, !deleted_only);
		shown++;
	}
	fputs("</tbody>\n</table>\n", out);
	html_limit_note(out, shown,
			html_row_count(tl, custodian_id, deleted_only),
			deleted_only ? "'mailtrail timeline --deleted-only'" :
			"the timeline CSV");
}

void
html_timeline_write(FILE *out, const struct report_timeline *tl,
		    gint64 custodian_id, guint max_rows)
{
	guint total = html_row_count(tl, custodian_id, FALSE);
	guint deleted = html_row_count(tl, custodian_id, TRUE);

	fprintf(out, "<h3>Outbound timeline</h3>\n"
		"<p>%u outbound message(s), %u of them deleted, trashed, "
		"expunged, recovered or orphaned (rows shaded red), ordered by "
		"sent time; messages without a sent time come last.</p>\n",
		total, deleted);
	if (total == 0) {
		fputs("<p class=\"none\">None.</p>\n", out);
		return;
	}
	fputs("<p class=\"filter\"><label><input type=\"checkbox\" "
	      "class=\"deleted-only\"> show only deleted outbound mail"
	      "</label></p>\n", out);
	html_timeline_table(out, tl, custodian_id, FALSE, max_rows);

	fprintf(out, "<h3 id=\"deleted-outbound-%" G_GINT64_FORMAT "\">"
		"Deleted outbound mail</h3>\n<p>The %u outbound message(s) "
		"whose status is deleted, trashed, expunged, recovered or "
		"orphan.</p>\n", custodian_id, deleted);
	if (deleted == 0)
		fputs("<p class=\"none\">None.</p>\n", out);
	else
		html_timeline_table(out, tl, custodian_id, TRUE, max_rows);
}
