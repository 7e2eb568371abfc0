/* SPDX-License-Identifier: MIT
 *
 * html.c - the HTML case report: one self-contained file with inline
 * styles, an optional inline script and charts as inline SVG, readable
 * with scripts disabled and when printed.  Every value that came from
 * mail or evidence is escaped with g_markup_escape_text().
 */
#include <math.h>
#include <string.h>

#include "report/report-private.h"
#include "report/html-private.h"

void
html_text(FILE *out, const char *value)
{
	char *valid, *escaped;

	if (value == NULL)
		return;
	/* g_markup_escape_text() requires valid UTF-8. */
	valid = g_utf8_make_valid(value, -1);
	escaped = g_markup_escape_text(valid, -1);
	fputs(escaped, out);
	g_free(escaped);
	g_free(valid);
}

void
html_cell(FILE *out, const char *value)
{
	fputs("<td>", out);
	html_text(out, value);
	fputs("</td>", out);
}

void
html_cell_owned(FILE *out, char *value)
{
	html_cell(out, value);
	g_free(value);
}

void
html_cell_int(FILE *out, gint64 value)
{
	fprintf(out, "<td class=\"num\">%" G_GINT64_FORMAT "</td>", value);
}

/* Formats a statistic without exponent notation: whole numbers as
 * integers, others with two decimals. */
static void
html_format_real(char *buf, size_t size, double value)
{
	if (fabs(value) < 1e15 && value == floor(value))
		g_ascii_formatd(buf, size, "%.0f", value);
	else
		g_ascii_formatd(buf, size, "%.2f", value);
}

void
html_cell_column(FILE *out, sqlite3_stmt *st, int col)
{
	char buf[64];

	switch (sqlite3_column_type(st, col)) {
	case SQLITE_NULL:
		fputs("<td class=\"none\">&#8212;</td>", out);
		break;
	case SQLITE_INTEGER:
		html_cell_int(out, sqlite3_column_int64(st, col));
		break;
	case SQLITE_FLOAT:
		html_format_real(buf, sizeof(buf),
				 sqlite3_column_double(st, col));
		fprintf(out, "<td class=\"num\">%s</td>", buf);
		break;
	default:
		html_cell(out, (const char *)sqlite3_column_text(st, col));
		break;
	}
}

int
html_query_table(FILE *out, sqlite3 *db, const char *sql, gint64 param,
		 const char *empty_text)
{
	sqlite3_stmt *st;
	int ncol, col, rows = 0;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		g_printerr("warning: report: a report table could not be read "
			   "from the case database: %s\n", sqlite3_errmsg(db));
		fputs("<p class=\"error\">This table could not be read from "
		      "the case database: ", out);
		html_text(out, sqlite3_errmsg(db));
		fputs("</p>\n", out);
		return -1;
	}
	if (sqlite3_bind_parameter_count(st) > 0)
		sqlite3_bind_int64(st, 1, param);
	ncol = sqlite3_column_count(st);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (rows++ == 0) {
			fputs("<table>\n<thead><tr>", out);
			for (col = 0; col < ncol; col++) {
				fputs("<th>", out);
				html_text(out, sqlite3_column_name(st, col));
				fputs("</th>", out);
			}
			fputs("</tr></thead>\n<tbody>\n", out);
		}
		fputs("<tr>", out);
		for (col = 0; col < ncol; col++) {
			/* Hash columns wrap anywhere, in a small monospace
			 * font, so the table fits the page. */
			if (strstr(sqlite3_column_name(st, col), "sha256") &&
			    sqlite3_column_type(st, col) == SQLITE_TEXT) {
				fputs("<td class=\"hash\">", out);
				html_text(out, (const char *)
					  sqlite3_column_text(st, col));
				fputs("</td>", out);
			} else {
				html_cell_column(out, st, col);
			}
		}
		fputs("</tr>\n", out);
	}
	sqlite3_finalize(st);
	if (rows > 0)
		fputs("</tbody>\n</table>\n", out);
	else
		fprintf(out, "<p class=\"none\">%s</p>\n", empty_text);
	return rows;
}

static const char html_style[] =
	"body{font:14px/1.4 sans-serif;margin:1.5em;color:#111}"
	"h1,h2,h3{font-weight:600}h2{border-bottom:2px solid #444;"
	"margin-top:2em}h3{margin-top:1.5em}"
	"table{border-collapse:collapse;margin:.5em 0;font-size:12px}"
	"th,td{border:1px solid #bbb;padding:2px 5px;text-align:left;"
	"vertical-align:top;overflow-wrap:anywhere}"
	"th{background:#eee;overflow-wrap:normal}"
	"td.num{text-align:right;font-variant-numeric:tabular-nums;"
	"overflow-wrap:normal}"
	".none{color:#777}.error{color:#a00;font-weight:600}"
	"td.hash{font-family:monospace;font-size:11px;word-break:break-all;"
	"min-width:12em}"
	"tr.deleted td{background:#fde8e8}"
	"td.time{white-space:nowrap}td.subject{min-width:16em}"
	"table.findings td:nth-child(5){min-width:14em}"
	"table.findings td:nth-child(8){min-width:24em}"
	"table.findings td:nth-child(11){min-width:16em;max-width:24em;"
	"font-size:11px}"
	"tr.sev-high td:nth-child(3){color:#a00;font-weight:600}"
	"tr.sev-medium td:nth-child(3){color:#b60;font-weight:600}"
	"svg{display:block;margin:.5em 0;max-width:100%}"
	"svg text{font:10px sans-serif}"
	".filter{display:none}"
	"body.js .filter{display:block}"
	"section.deleted-only table.timeline tr.live{display:none}"
	"nav ul{columns:2}"
	"@media print{body{margin:0;font-size:11px}.filter{display:none}"
	"h2{break-before:page}table{break-inside:auto}"
	"tr{break-inside:avoid}}";

/* The only script: it marks the body so the checkboxes appear, and each
 * checkbox hides the live rows of its custodian's timeline.  Without
 * scripts the separate 'deleted outbound mail' tables serve the same
 * purpose. */
static const char html_script[] =
	"document.body.classList.add('js');"
	"document.querySelectorAll('input.deleted-only').forEach(function(b){"
	"b.addEventListener('change',function(){"
	"b.closest('section').classList.toggle('deleted-only',b.checked);"
	"});});";

static void
html_head(FILE *out)
{
	fputs("<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"generator\" content=\"mailtrail " MAILTRAIL_VERSION
	      "\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\""
	      "default-src 'none'; style-src 'unsafe-inline'; "
	      "script-src 'unsafe-inline'; img-src data:\">\n"
	      "<title>mailtrail case report</title>\n<style>", out);
	fputs(html_style, out);
	fputs("</style>\n</head>\n<body>\n", out);
}

static void
html_nav(FILE *out, sqlite3 *db)
{
	sqlite3_stmt *st;

	fputs("<h1>mailtrail case report</h1>\n<nav><ul>\n"
	      "<li><a href=\"#summary\">Case summary</a></li>\n", out);
	if (sqlite3_prepare_v2(db, "SELECT id, name FROM custodian ORDER BY id",
			       -1, &st, NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			gint64 id = sqlite3_column_int64(st, 0);

			const char *name;

			name = (const char *)sqlite3_column_text(st, 1);
			fprintf(out, "<li><a href=\"#custodian-%"
				G_GINT64_FORMAT "\">Custodian ", id);
			html_text(out, name);
			fprintf(out, "</a> (<a href=\"#deleted-outbound-%"
				G_GINT64_FORMAT "\">deleted outbound</a>)"
				"</li>\n", id);
		}
		sqlite3_finalize(st);
	}
	fputs("</ul></nav>\n", out);
}

int
report_html_write(FILE *out, sqlite3 *db, const struct report_timeline *tl,
		  guint max_rows, char **error_r)
{
	GHashTable *shown_ids = html_timeline_shown(tl, max_rows);

	html_head(out);
	html_nav(out, db);
	html_summary_write(out, db);
	html_custodians_write(out, db, tl, shown_ids, max_rows);
	g_hash_table_destroy(shown_ids);
	fputs("<script>", out);
	fputs(html_script, out);
	fputs("</script>\n</body>\n</html>\n", out);
	return report_stream_check(out, "report.html", error_r);
}
