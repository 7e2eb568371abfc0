/* SPDX-License-Identifier: MIT
 *
 * log-flow-check.c - 'flow-unaccounted': per client host, the bytes that
 * flow records show going toward SMTP ports, against what the mail logs
 * account for in the hours they cover.  The logs account for messages
 * the host handed in (client_ip) and, when the host receives SMTP itself
 * (a relay), for messages it delivered to the flows' servers.  Far more
 * bytes than that points to mail sent around the logged servers.
 */
#include <math.h>
#include <string.h>

#include "core/record.h"
#include "extract/logs-private.h"
#include "extract/log-correlate.h"

/* SMTP dialogue and TLS handshake allowed per flow: an estimate. */
#define FLOW_OVERHEAD 8192
#define FLOW_MIN_UNACCOUNTED (1024 * 1024)

static const char hosts_sql[] =
	"WITH cover AS (SELECT min(first_utc) AS lo, max(last_utc) AS hi"
	"  FROM log_stats WHERE format NOT IN ('log-zeek-conn', 'log-nfdump')"
	"  AND first_utc IS NOT NULL)"
	" SELECT f.host, sum(f.bytes), sum(f.flows), min(f.hour_utc),"
	"  max(f.hour_utc) + 3599,"
	"  (SELECT coalesce(sum(lm.size), 0) FROM log_message lm"
	"   WHERE lm.client_ip = f.host AND lm.merged_into IS NULL"
	"   AND lm.duplicate_of IS NULL AND lm.time_utc BETWEEN cover.lo"
	"   AND cover.hi + 3600),"
	"  (SELECT coalesce(sum(size), 0) FROM (SELECT DISTINCT"
	"    le.log_message_id, le.relay_ip, lm.size FROM log_event le"
	"    JOIN log_message lm ON lm.id = le.log_message_id"
	"    WHERE le.kind = 'delivery' AND lm.size IS NOT NULL"
	"    AND le.relay_ip IN (SELECT server FROM log_flow"
	"     WHERE host = f.host))"
	"   WHERE EXISTS (SELECT 1 FROM log_flow WHERE server = f.host)"
	"   OR EXISTS (SELECT 1 FROM log_message WHERE server_ip = f.host))"
	" FROM log_flow f, cover"
	" WHERE f.hour_utc + 3600 > cover.lo AND f.hour_utc <= cover.hi"
	" GROUP BY f.host ORDER BY f.host";

static char *
utc_text(gint64 t)
{
	GDateTime *dt = g_date_time_new_from_unix_utc(t);
	char *s = dt != NULL ? g_date_time_format(dt, "%Y-%m-%dT%H:%M:%SZ")
			     : g_strdup("invalid time");

	if (dt != NULL)
		g_date_time_unref(dt);
	return s;
}

static int
flow_insert(sqlite3 *db, sqlite3_stmt *row, gint64 unaccounted,
	    gint64 expected)
{
	const char *host = (const char *)sqlite3_column_text(row, 0);
	gint64 bytes = sqlite3_column_int64(row, 1);
	gint64 start = sqlite3_column_int64(row, 3);
	gint64 end = sqlite3_column_int64(row, 4);
	double ratio = (double)bytes / (double)MAX(expected, 1);
	char *from = utc_text(start), *to = utc_text(end);
	char *title = g_strdup_printf("Host %s sent %lld bytes toward SMTP "
				      "ports that the mail logs do not "
				      "account for", host,
				      (long long)unaccounted);
	char *explanation = g_strdup_printf(
		"Between %s and %s, flow records show %lld bytes in %lld "
		"flow(s) from %s toward ports 25, 465, 587 or 2525.  The mail "
		"logs account for %lld bytes handed in by this host and %lld "
		"bytes it relayed to those servers; with %d bytes per flow "
		"allowed for the SMTP dialogue and TLS, %lld bytes remain, "
		"%.1f times what was expected.  Mail may have been sent around "
		"the logged servers.", from, to, (long long)bytes,
		(long long)sqlite3_column_int64(row, 2), host,
		(long long)sqlite3_column_int64(row, 5),
		(long long)sqlite3_column_int64(row, 6), FLOW_OVERHEAD,
		(long long)unaccounted, ratio);
	char *sql = sqlite3_mprintf(
		"INSERT INTO finding (kind, window_start_utc, window_end_utc,"
		" score, severity, title, explanation, subject_value) VALUES"
		" ('flow-unaccounted', %lld, %lld, %f, %Q, %Q, %Q, %Q);"
		"INSERT INTO finding_log (finding_id, log_flow_id)"
		" SELECT last_insert_rowid(), id FROM log_flow WHERE host = %Q"
		" AND hour_utc BETWEEN %lld AND %lld",
		(long long)start, (long long)end,
		MIN(95.0, 50.0 + 10.0 * log2(ratio)),
		unaccounted > 10 * FLOW_MIN_UNACCOUNTED ? "high" : "medium",
		title, explanation, host, host, (long long)start,
		(long long)end);
	int rc = correlate_exec(db, sql);

	sqlite3_free(sql);
	g_free(title);
	g_free(explanation);
	g_free(from);
	g_free(to);
	return rc;
}

int
correlate_flows(sqlite3 *db)
{
	sqlite3_stmt *st = correlate_prepare(db, hosts_sql);
	int rc = st != NULL ? 0 : -1;

	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		gint64 bytes = sqlite3_column_int64(st, 1);
		gint64 expected = sqlite3_column_int64(st, 5) +
				  sqlite3_column_int64(st, 6) +
				  sqlite3_column_int64(st, 2) * FLOW_OVERHEAD;
		gint64 unaccounted = bytes - expected;

		/* NOTE: the thresholds (1 MiB and twice the expected bytes)
		 * are judgement, not measured on real traffic. */
		if (unaccounted > FLOW_MIN_UNACCOUNTED && bytes > 2 * expected)
			rc = flow_insert(db, st, unaccounted, expected);
	}
	sqlite3_finalize(st);
	return rc;
}
