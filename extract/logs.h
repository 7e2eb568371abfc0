/* SPDX-License-Identifier: MIT
 *
 * logs.h - mail server logs and network flows (Postfix/Sendmail syslog,
 * Exchange message tracking, Microsoft 365 message trace, Zeek smtp.log
 * and conn.log, nfdump CSV).  Their events go into their own tables, not
 * into message; correlation with mailbox messages happens afterwards.
 */
#ifndef MAILTRAIL_LOGS_H
#define MAILTRAIL_LOGS_H

#include <sqlite3.h>
#include <glib.h>
#include "extract/extract.h"

/* Settings for log ingest and correlation.  Zero or NULL means the
 * default, given in brackets. */
struct logs_options {
	/* Year a log ends in, for timestamps that carry none (RFC 3164
	 * syslog): earlier lines get earlier years where the months turn
	 * over [$MAILTRAIL_LOG_YEAR, which may also be the day the log was
	 * collected, "2024-03-05"; else the file's mtime is taken as the
	 * time of the last line]. */
	int year;
	/* Zone of timestamps that carry none: "+0100", "UTC" or an IANA
	 * name such as "Europe/Berlin" [$MAILTRAIL_LOG_TZ, else UTC]. */
	const char *timezone;
	/* Correlation: max distance between log time and the mailbox
	 * copy's sent time, seconds [900]. */
	gint64 match_window_sec;
	/* Correlation: max size difference, bytes and percent of the log
	 * size; the larger applies [4096 bytes, 5 %]. */
	gint64 size_tolerance;
	int size_tolerance_pct;
};

/* Sets the options for later calls; the strings are copied. */
void logs_set_options(const struct logs_options *opts);
/* Returns the options set (zeroes when none were). */
const struct logs_options *logs_get_options(void);

/* Returns the log format name when path contains a log this module reads,
 * judged from its content (gzip is opened), or NULL: 'log-postfix',
 * 'log-sendmail', 'log-exchange', 'log-m365', 'log-zeek-smtp',
 * 'log-zeek-conn', 'log-nfdump'. */
const char *logs_detect(const char *path, const unsigned char *head,
			size_t head_len);

/* Streams the log at path into the case database under evidence_id.
 * Lines not understood are counted and reported through sink->anomaly
 * (rate-limited).  Returns 0, 1 when some lines were not understood, -1 on
 * a fatal error. */
int logs_ingest(sqlite3 *db, gint64 evidence_id, const char *path,
		const char *format, const struct mt_sink *sink);

/* Links log deliveries to mailbox messages; runs after every ingest.
 * Returns 0 or -1. */
int logs_correlate(sqlite3 *db);
/* Returns why the last logs_correlate failed (SQLite's message), or NULL;
 * the string stays valid until the next call. */
const char *logs_correlate_error(void);

#endif
