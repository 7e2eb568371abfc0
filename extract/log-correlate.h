/* SPDX-License-Identifier: MIT
 *
 * log-correlate.h - the steps of logs_correlate, one file each.
 */
#ifndef MAILTRAIL_LOG_CORRELATE_H
#define MAILTRAIL_LOG_CORRELATE_H

#include <sqlite3.h>
#include <glib.h>

/* Message of the last failure, owned here. */
extern char *correlate_error;

/* Links log messages to mailbox messages (log-link.c); returns 0/-1. */
int correlate_link(sqlite3 *db);
/* Rebuilds the log finding kinds (log-findings.c); returns 0/-1. */
int correlate_findings(sqlite3 *db);
/* Adds the flow-unaccounted findings (log-flow-check.c); returns 0/-1. */
int correlate_flows(sqlite3 *db);
/* Runs sql, keeping SQLite's message in correlate_error on failure. */
int correlate_exec(sqlite3 *db, const char *sql);
sqlite3_stmt *correlate_prepare(sqlite3 *db, const char *sql);

#endif
