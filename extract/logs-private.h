/* SPDX-License-Identifier: MIT
 *
 * logs-private.h - what the log readers (extract/log-*.c) share: the line
 * stream, time parsing, the joined message and the rows it becomes.
 */
#ifndef MAILTRAIL_LOGS_PRIVATE_H
#define MAILTRAIL_LOGS_PRIVATE_H

#include <gio/gio.h>
#include "extract/logs.h"

#define LOGS_LINE_MAX (64 * 1024)   /* longer lines are cut and counted */
#define LOGS_DETAIL_MAX 2048        /* bytes of reply text kept per event */
#define LOGS_SWEEP_LINES 100000     /* lines between sweeps of pending */
#define LOGS_SWEEP_PENDING 50000    /* messages pending before a sweep */

/* One line as read: text without the line break, NUL-terminated. */
struct log_line {
	char *text;
	size_t len;
	gint64 line_no;      /* from 1 */
	gint64 offset;       /* of the line start; uncompressed for gzip */
	gboolean truncated;  /* cut at LOGS_LINE_MAX or at the end of file */
};

struct log_stream;

/* Opens path read-only, gunzipping when it starts with the gzip magic.
 * Returns NULL with *error_r set (caller frees) when it cannot be read. */
struct log_stream *log_stream_open(const char *path, char **error_r);
/* Reads the next line into *line_r (valid until the next call).  Returns
 * 1 for a line, 0 at the end, and -1 when decompression or reading
 * failed, with the reason in *error_r. */
int log_stream_next(struct log_stream *st, struct log_line *line_r,
		    char **error_r);
gboolean log_stream_is_gzip(const struct log_stream *st);
/* Makes the stream end after about bytes of data (whole reads), so a
 * probe of a huge file without line breaks stays short. */
void log_stream_limit(struct log_stream *st, gint64 bytes);
void log_stream_free(struct log_stream **st);

/* Seconds since the epoch of a proleptic Gregorian date and time, UTC. */
gint64 log_time_civil(int year, int month, int day, int hour, int minute,
		      int second);
/* Parses "YYYY-MM-DD[T ]HH:MM:SS[.frac][Z|+HH:MM|+HHMM]" at s.  Returns
 * the bytes consumed, or 0 when s does not start with such a time.
 * Without a zone the time is taken as UTC and *zone_known_r is FALSE. */
size_t log_time_parse_iso(const char *s, gint64 *utc_r, int *offset_min_r,
			  gboolean *zone_known_r);
/* Parses an RFC 3164 "Mmm dd hh:mm:ss" at s.  Returns the bytes consumed
 * or 0. */
size_t log_time_parse_3164(const char *s, int *month_r, int *day_r,
			   int *seconds_of_day_r);
/* Parses "M/D/YYYY h:mm:ss AM" (US culture, as PowerShell Export-Csv
 * writes dates); returns TRUE and the UTC time. */
gboolean log_time_parse_us(const char *s, gint64 *utc_r);

/* Year and zone for year-less, zone-less syslog times. */
struct log_clock {
	int year;             /* year of the first line */
	gint64 previous_local; /* last line's local time, MT_TIME_NONE
				  before the first line */
	gint64 reference_local; /* set for unordered files: each line takes
				   the latest year that keeps it at or
				   before this time; MT_TIME_NONE else */
	GTimeZone *zone;      /* NULL: UTC */
	int fixed_offset_min; /* used when zone is NULL */
	gboolean zone_known;  /* a zone was set for the ingest */
};

/* Assigns a year to a month/day/time and converts local time to UTC.
 * The year is the one that puts the line closest to the previous line,
 * so a log turning over from December to January moves to the next
 * year.  When reference_local is set, that rule applies instead.
 * Returns MT_TIME_NONE for a day the month does not have. */
gint64 log_clock_resolve(struct log_clock *clock, int month, int day,
			 int seconds_of_day, int *offset_min_r);

/* One event of a joined message, or a stand-alone line. */
struct log_evt {
	gint64 line_no, offset;
	gint64 time_utc;
	int offset_min;
	gboolean zone_known;
	char *time_raw;
	char *program;
	char *kind;           /* static string, see schema/20-logs.sql */
	char *from_addr, *to_addr, *orig_to;
	gint64 size, nrcpt;   /* -1 when absent */
	char *status, *dsn, *relay, *relay_ip;
	char *message_id, *subject, *client_ip, *server_ip;
	char *detail;
	char *queue_id;
};

/* A message joined from the lines of one queue id (or one CSV message). */
struct log_msg {
	char *key;            /* "queue-id host", the pending-table key */
	char *host, *queue_id;
	gint64 line_no, offset;
	gint64 time_utc, last_utc;
	char *time_raw;
	gboolean zone_known;
	char *from_addr;      /* "" for the null sender <> */
	gint64 size, nrcpt;
	char *message_id, *subject, *client_ip, *client_host, *server_ip;
	char *sasl_user;
	gboolean has_start, has_end;
	GPtrArray *events;    /* struct log_evt *, in line order */
};

/* Per-ingest state every reader writes through. */
struct logs_ctx {
	sqlite3 *db;
	gint64 evidence_id;
	const char *path;
	const char *format;
	const struct mt_sink *sink;
	sqlite3_stmt *st_message, *st_event, *st_flow;
	struct log_clock clock;
	const char *year_basis;

	gint64 lines_total, lines_blank, lines_comment, lines_parsed;
	gint64 lines_foreign, lines_unknown, lines_truncated;
	gint64 rows_message, rows_event, rows_flow;  /* rows written */
	gint64 first_utc, last_utc;
	gint64 current_utc;      /* time of the line read last */
	GHashTable *anomalies;   /* code -> struct log_anomaly_count */
	GHashTable *pending;     /* key -> struct log_msg (owned) */
	GHashTable *flows;       /* "host|server|port|hour" -> struct */
	gboolean failed;         /* a database write failed */
};

struct log_evt *log_evt_new(const struct log_line *line, const char *kind);
void log_evt_free(gpointer p);
struct log_msg *log_msg_new(const char *host, const char *queue_id,
			    const struct log_line *line);
void log_msg_free(gpointer p);

/* Orders messages by their first line (for GCompareFunc). */
int log_msg_compare_line(const struct log_msg *a, const struct log_msg *b);

/* Reads the next line and counts it: total, truncated, NUL bytes and read
 * errors become line counts and anomalies here, so readers only parse.
 * Returns 1 for a line, 0 at the end (or after a read error). */
int logs_next_line(struct logs_ctx *ctx, struct log_stream *st,
		   struct log_line *line_r);

/* Bounds memory: every LOGS_SWEEP_LINES lines, when more than
 * LOGS_SWEEP_PENDING messages are pending, stores those whose last line
 * is more than idle_sec of log time away from the current line.
 * Returns 0 or -1. */
int logs_sweep_pending(struct logs_ctx *ctx, const struct log_line *line,
		       gint64 idle_sec);

/* Prepares the insert statements; returns 0 or -1. */
int logs_prepare(struct logs_ctx *ctx);
/* Writes the hourly flow totals; returns 0 or -1. */
int logs_store_flows(struct logs_ctx *ctx);

/* Notes a line that was not understood (or damaged) under code; only the
 * first of each code is kept in detail, the rest are counted. */
void logs_note_line(struct logs_ctx *ctx, const char *code,
		    const struct log_line *line, const char *why);
/* Notes the time range covered. */
void logs_note_time(struct logs_ctx *ctx, gint64 utc);

/* Writes one stand-alone event; returns 0 or -1. */
int logs_store_event(struct logs_ctx *ctx, const struct log_evt *evt,
		     const char *host);
/* Writes a joined message and its events, then frees it; returns 0/-1. */
int logs_store_message(struct logs_ctx *ctx, struct log_msg *msg);
/* Adds bytes of one flow toward an SMTP port to the hourly totals. */
void logs_add_flow(struct logs_ctx *ctx, const char *host,
		   const char *server, int port, gint64 utc, gint64 bytes,
		   gint64 line_no);

/* Helpers for fields. */
char *logs_strip_brackets(const char *s, gssize len);
char *logs_valid_utf8(const char *s, gssize len);
gboolean logs_is_smtp_port(int port);
/* TRUE for text made of IPv4/IPv6 address characters only. */
gboolean logs_is_address(const char *s);
/* Splits one CSV record (RFC 4180 quoting, no embedded line breaks). */
GPtrArray *logs_csv_split(const char *line, char separator);

/* Raises SQLite's page cache for the connection to LOGS_CACHE_KIB while
 * a log is written or correlated, because the default 2 MiB cache
 * spills and re-reads pages of a large case; returns the old setting
 * for logs_cache_restore. */
#define LOGS_CACHE_KIB (128 * 1024)
gint64 logs_cache_raise(sqlite3 *db);
void logs_cache_restore(sqlite3 *db, gint64 old);

/* Maps lower-case CSV column names to their index. */
GHashTable *logs_csv_header(GPtrArray *names);
/* Returns the named field of row, or NULL when absent or empty. */
const char *logs_csv_get(GHashTable *header, GPtrArray *row,
			 const char *name);

/* The readers.  Each returns 0, or -1 on a fatal error. */
int log_postfix_read(struct logs_ctx *ctx, struct log_stream *st);
int log_exchange_read(struct logs_ctx *ctx, struct log_stream *st);
int log_m365_read(struct logs_ctx *ctx, struct log_stream *st);
int log_zeek_read(struct logs_ctx *ctx, struct log_stream *st);
int log_flow_read(struct logs_ctx *ctx, struct log_stream *st);

/* Content tests for logs_detect, on the first lines of a file. */
const char *log_postfix_detect(char **lines, guint n);
const char *log_exchange_detect(char **lines, guint n);
const char *log_m365_detect(char **lines, guint n);
const char *log_zeek_detect(char **lines, guint n);
const char *log_flow_detect(char **lines, guint n);

/* Pre-scans the year-less timestamps of path and sets clock->year so the
 * last line falls at or before reference_local (local seconds).  A file
 * whose times jump back by more than a day several times is not in
 * time order: clock->reference_local is then set instead and
 * *unordered_r is TRUE.  Returns the number of year-less lines. */
gint64 log_postfix_clock_anchor(const char *path, struct log_clock *clock,
			      gint64 reference_local, gboolean *unordered_r);

#endif
