/* SPDX-License-Identifier: MIT
 *
 * report-private.h - what the report/ modules share: the outbound
 * timeline as loaded once from the case database, the CSV writer and
 * the per-format export writers.  Only report/cli.c is called from
 * outside this directory.
 */
#ifndef MAILTRAIL_REPORT_PRIVATE_H
#define MAILTRAIL_REPORT_PRIVATE_H

#include <stdio.h>
#include <sqlite3.h>
#include <glib.h>
#include <json-glib/json-glib.h>

#include "core/record.h"

/* One recipient of an outbound message (recipient table row). */
struct report_address {
	char *kind;            /* 'to', 'cc', 'bcc', ... */
	char *name;
	char *address;         /* NULL when the store gave none */
	char *raw;             /* Exchange legacy DN or raw text */
	int external;          /* 1, 0, or -1 when unknown */
};

/* One attachment of an outbound message (attachment table row). */
struct report_attachment {
	gint64 id;
	gint64 parent_id;      /* 0 for a direct attachment */
	int depth;
	char *filename;
	char *magic_type;
	char *declared_type;
	gint64 size;
	char *sha256;          /* NULL when not computed */
};

/* One outbound message as the timeline shows it. */
struct report_row {
	gint64 id;                  /* message.id in the case database */
	gint64 duplicate_of;        /* 0 when this is the first copy */
	gint64 sent_utc;            /* MT_TIME_NONE when unknown */
	int sent_offset_min;
	gboolean sent_offset_known;
	char *sent_source;
	gint64 delivery_utc;        /* MT_TIME_NONE when unknown */
	gint64 custodian_id;        /* 0 when none was assigned */
	char *custodian;
	char *from_addr;
	char *from_name;
	char *message_id;
	char *subject;
	gint64 size;
	int external_recipients;    /* -1 when not computed */
	char *sha256;
	char *status;
	char *folder;
	char *locator;
	gint64 evidence_id;
	char *evidence_path;
	char *evidence_sha256;
	char *evidence_format;
	GPtrArray *recipients;      /* struct report_address * */
	GPtrArray *attachments;     /* struct report_attachment * */
};

/* Which outbound messages to load. */
struct report_filter {
	const char *custodian;      /* custodian name, NULL for all */
	gboolean deleted_only;      /* only report_status_is_deleted() rows */
};

struct report_timeline {
	GPtrArray *rows;            /* struct report_row *, by sent UTC */
};

/* Loads the outbound timeline: every message with direction 'outbound',
 * ordered by sent UTC (unknown times last), then by id.  Returns the
 * timeline, or NULL with *error_r set to a message to g_free(). */
struct report_timeline *report_timeline_load(sqlite3 *db,
					     const struct report_filter *f,
					     char **error_r);
void report_timeline_free(struct report_timeline **tl);

/* Returns TRUE for a status that means the sender or the store removed
 * the message: deleted, trashed, expunged, recovered and orphan. */
gboolean report_status_is_deleted(const char *status);

/* Joins the row's recipients of one kind as "Name <addr>; addr". */
char *report_row_join_recipients(const struct report_row *row,
				 const char *kind);
/* Formats "Name <addr>" or "addr" from a pair, either may be NULL. */
char *report_format_mailbox(const char *name, const char *address);
/* Joins one attachment field ("filename" or "magic_type") with "; ". */
char *report_row_join_attachments(const struct report_row *row,
				  const char *field);
gint64 report_row_attachment_bytes(const struct report_row *row);

/* ISO 8601 helpers; each returns a new string, or NULL when utc is
 * MT_TIME_NONE. */
char *report_format_utc(gint64 utc);
char *report_format_local(gint64 utc, int offset_min);

/* CSV writer: RFC 4180 quoting, and cells that a spreadsheet would run as
 * a formula (first character =, +, -, @, tab or CR) get a leading quote
 * mark.  Errors stay in the FILE and are checked by the caller. */
void report_csv_cell(FILE *out, const char *value);
void report_csv_int(FILE *out, gint64 value);
void report_csv_sep(FILE *out);
void report_csv_end(FILE *out);
/* Writes a header line from a NULL-terminated array of column names. */
void report_csv_header(FILE *out, const char *const *columns);
/* Returns the cell text as written (neutralised and quoted); g_free(). */
char *report_csv_quote(const char *value);

/* Timeline writers, one per --format.  Each returns 0, or -1 with
 * *error_r set when the output could not be written. */
int report_export_csv(FILE *out, const struct report_timeline *tl,
		      char **error_r);
int report_export_jsonl(FILE *out, const struct report_timeline *tl,
			char **error_r);
int report_export_timesketch_csv(FILE *out, const struct report_timeline *tl,
				 char **error_r);
int report_export_timesketch_jsonl(FILE *out,
				   const struct report_timeline *tl,
				   char **error_r);
int report_export_bodyfile(FILE *out, const struct report_timeline *tl,
			   char **error_r);
int report_export_case_uco(FILE *out, const struct report_timeline *tl,
			   char **error_r);

/* Adds the members every JSON export shares: the message facts and where
 * it was found.  Times are added by the caller. */
void report_json_add_facts(JsonBuilder *b, const struct report_row *row);
/* Writes the builder's root as one line followed by LF. */
void report_json_write_line(FILE *out, JsonBuilder *b);

/* Column names of the timeline CSV, NULL-terminated. */
extern const char *const report_timeline_columns[];
/* Writes one timeline row as CSV, shared by timeline.csv and the
 * per-custodian files. */
void report_export_csv_row(FILE *out, const struct report_row *row);

/* Returns "reading the case database failed: <SQLite message>". */
char *report_db_error(sqlite3 *db);

/* Opens the case database read-only and checks it has the schema.
 * Returns NULL with *error_r set on failure. */
sqlite3 *report_db_open_readonly(const char *path, char **error_r);

/* Writes the report folder: report.html, timeline.csv and one timeline
 * per custodian, findings, statistics, recipients, evidence and
 * reconcile CSV files.  Creates dir when missing and rejects replacing a
 * file mailtrail did not write.  Returns 0 or -1 with *error_r set. */
int report_write_folder(sqlite3 *db, const char *dir, guint html_max_rows,
			char **error_r);

/* Default for --html-max-rows: a browser still opens a report with this
 * many timeline rows; timeline.csv always has them all. */
#define REPORT_HTML_MAX_ROWS 20000

/* Writes the result of sql as CSV with the query's column names as the
 * header.  Returns 0 or -1 with *error_r set. */
int report_csv_query(FILE *out, sqlite3 *db, const char *sql,
		     char **error_r);

/* The CSV tables beside report.html; each returns 0 or -1. */
int report_tables_findings(FILE *out, sqlite3 *db, char **error_r);
int report_tables_statistics(FILE *out, sqlite3 *db, char **error_r);
int report_tables_recipients(FILE *out, sqlite3 *db, char **error_r);
int report_tables_evidence(FILE *out, sqlite3 *db, char **error_r);
int report_tables_reconcile(FILE *out, sqlite3 *db, char **error_r);

/* Writes the self-contained HTML case report.  Each timeline table
 * shows at most max_rows rows (0: all) and says so when it stops
 * early.  Returns 0 or -1. */
int report_html_write(FILE *out, sqlite3 *db,
		      const struct report_timeline *tl, guint max_rows,
		      char **error_r);

/* Finishes writing out: flushes and turns a stream error into *error_r
 * naming what.  Returns 0 or -1. */
int report_stream_check(FILE *out, const char *what, char **error_r);

#endif
