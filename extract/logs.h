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

/* Returns the log format name ('log-postfix', 'log-exchange', ...) when
 * path holds a log this module reads, judged from its content, or NULL. */
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

#endif
