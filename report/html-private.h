/* SPDX-License-Identifier: MIT
 *
 * html-private.h - the pieces of the HTML case report: escaping cell
 * writers, the report sections and the SVG charts.
 */
#ifndef MAILTRAIL_HTML_PRIVATE_H
#define MAILTRAIL_HTML_PRIVATE_H

#include <stdio.h>
#include <sqlite3.h>
#include <glib.h>

#include "report/report-private.h"

/* Escaped text and table cells; NULL writes nothing (an empty cell). */
void html_text(FILE *out, const char *value);
void html_cell(FILE *out, const char *value);
void html_cell_owned(FILE *out, char *value);
void html_cell_int(FILE *out, gint64 value);
void html_cell_column(FILE *out, sqlite3_stmt *st, int col);

/* Writes the rows of sql (one optional integer parameter) as a table
 * headed by the column names, or empty_text (trusted HTML) when there
 * are none.  Returns the row count, or -1 on a query error. */
int html_query_table(FILE *out, sqlite3 *db, const char *sql, gint64 param,
		     const char *empty_text);

/* Report sections. */
void html_summary_write(FILE *out, sqlite3 *db);
/* Writes one section per custodian, each ending with its outbound
 * timeline.  shown_ids contains the ids of the timeline rows the report
 * shows, so findings link only to rows that exist. */
void html_custodians_write(FILE *out, sqlite3 *db,
			   const struct report_timeline *tl,
			   GHashTable *shown_ids, guint max_rows);
/* Writes the outbound timeline and deleted-outbound tables of one
 * custodian (0: messages without a custodian). */
void html_timeline_write(FILE *out, const struct report_timeline *tl,
			 gint64 custodian_id, guint max_rows);
/* Returns the ids of the rows the timeline tables show: the first
 * max_rows (0: all) of each custodian. */
GHashTable *html_timeline_shown(const struct report_timeline *tl,
				guint max_rows);

/* One day of the daily volume chart. */
struct svg_day {
	char day[11];           /* 'YYYY-MM-DD' */
	int messages;
	double baseline_median; /* negative when not computed */
	double baseline_mad;
	gboolean spike;
};

/* Charts as inline SVG.  Labels are escaped. */
void svg_heatmap(FILE *out, const int counts[7][24]);
void svg_daily(FILE *out, const struct svg_day *days, guint n);
void svg_paired_bars(FILE *out, const char *const *labels, const int *sent,
		     const int *replies, guint n);
void svg_histogram(FILE *out, const char *const *labels, const int *counts,
		   guint n);

#endif
