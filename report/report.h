/* SPDX-License-Identifier: MIT
 *
 * report.h - what leaves the tool: the case report, timelines, exports
 * and the exfiltration findings behind them.
 */
#ifndef MAILTRAIL_REPORT_H
#define MAILTRAIL_REPORT_H

#include <sqlite3.h>
#include <glib.h>

/* 'mailtrail report CASE.db -o DIR [...]'; argv[0] is "report".
 * Returns the process exit status. */
int report_cmd_report(int argc, char **argv);

/* 'mailtrail timeline CASE.db [--custodian NAME] [--format F]'. */
int report_cmd_timeline(int argc, char **argv);

/* Examiner inputs for findings; NULL or 0 fields are absent. */
struct findings_options {
	const char *events_path;     /* CSV: date or date range, description */
	const char *domains_path;    /* 'domain list-name' per line */
	const char *watchlist_path;  /* SHA-256 values or file-name patterns */
	const char *access_path;     /* addresses with access to the data */
	GPtrArray *timezones;        /* "custodian=zone" strings */
	GPtrArray *departures;       /* "custodian=YYYY-MM-DD" strings */
};

/* Computes statistics and findings into the case database, replacing
 * those of an earlier run.  Returns 0; -2 when an examiner option or file
 * is invalid; -1 on any other failure.  Errors are printed to stderr. */
int findings_run(sqlite3 *db, const struct findings_options *opts);

#endif
