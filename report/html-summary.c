/* SPDX-License-Identifier: MIT
 *
 * html-summary.c - the case summary at the top of the HTML report:
 * evidence with hashes before and after ingest, the commands run, the
 * per-folder reconciliation and the anomalies by code.
 */
#include "report/html-private.h"

#define ISO(col) "strftime('%Y-%m-%dT%H:%M:%SZ', " col ", 'unixepoch')"

static void
html_counts(FILE *out, sqlite3 *db)
{
	html_query_table(out, db,
		"SELECT (SELECT count(*) FROM evidence) AS evidence_items,"
		" (SELECT count(*) FROM custodian) AS custodians,"
		" (SELECT count(*) FROM message) AS messages,"
		" (SELECT count(*) FROM message WHERE direction = 'outbound')"
		"  AS outbound,"
		" (SELECT count(*) FROM message WHERE direction = 'outbound'"
		"  AND status IN ('deleted','trashed','expunged','recovered',"
		"  'orphan')) AS deleted_outbound,"
		" (SELECT count(*) FROM attachment) AS attachments,"
		" (SELECT count(*) FROM anomaly) AS anomalies,"
		" (SELECT count(*) FROM finding) AS findings", 0, "");
}

static void
html_evidence(FILE *out, sqlite3 *db)
{
	fputs("<h3>Evidence</h3>\n<p>SHA-256 is computed when the ingest "
	      "starts and again when it ends; 'match' says whether the "
	      "evidence stayed unchanged.</p>\n", out);
	html_query_table(out, db,
		"SELECT e.id, e.path, e.format, e.format_detail, e.size,"
		" e.sha256_before, e.sha256_after,"
		" CASE WHEN e.sha256_after IS NULL THEN 'not checked'"
		"  WHEN e.sha256_after = e.sha256_before THEN 'yes'"
		"  ELSE 'NO: evidence changed' END AS match,"
		" c.name AS custodian, e.status, e.store_name,"
		" " ISO("e.ingest_start_utc") " AS ingest_start,"
		" " ISO("e.ingest_end_utc") " AS ingest_end,"
		" (SELECT count(*) FROM message m WHERE m.evidence_id = e.id)"
		"  AS messages"
		" FROM evidence e"
		" LEFT JOIN custodian c ON c.id = e.custodian_id"
		" ORDER BY e.id", 0,
		"No evidence has been ingested into this case.");
}

static void
html_runs(FILE *out, sqlite3 *db)
{
	fputs("<h3>Commands run against this case</h3>\n<p>The report "
	      "run that wrote this file shows no end time or exit status: "
	      "they are recorded after the report is complete.</p>\n", out);
	html_query_table(out, db,
		"SELECT id, " ISO("start_utc") " AS start_utc,"
		" " ISO("end_utc") " AS end_utc, tool_version, command_line,"
		" exit_status FROM run ORDER BY id", 0,
		"No runs are recorded.");
	fputs("<h4>Ingest command line per evidence item</h4>\n", out);
	html_query_table(out, db,
		"SELECT id AS evidence_id, tool_version, command_line"
		" FROM evidence ORDER BY id", 0, "None.");
}

static void
html_reconcile(FILE *out, sqlite3 *db)
{
	fputs("<h3>Reconciliation per folder</h3>\n<p>'declared' is what the "
	      "store itself claims; 'unaccounted' is declared minus "
	      "extracted, failed and skipped, and should be 0. 'unlisted' "
	      "counts orphan items found under the folder but missing from "
	      "its contents table; they are stored too.</p>\n", out);
	html_query_table(out, db,
		"SELECT e.path AS evidence, f.path AS folder, f.role,"
		" f.declared_count AS declared, f.extracted_count AS extracted,"
		" f.failed_count AS failed, f.skipped_count AS skipped,"
		" f.unlisted_count AS unlisted,"
		" CASE WHEN f.declared_count IS NULL THEN NULL"
		"  ELSE f.declared_count - f.extracted_count - f.failed_count"
		"  - f.skipped_count END AS unaccounted"
		" FROM folder f JOIN evidence e ON e.id = f.evidence_id"
		" ORDER BY e.id, f.path, f.id", 0, "No folders are recorded.");
}

static void
html_anomalies(FILE *out, sqlite3 *db)
{
	fputs("<h3>Anomalies by code</h3>\n", out);
	html_query_table(out, db,
		"SELECT level, code, count(*) AS count,"
		" min(path) AS first_path, min(byte_offset) AS first_offset,"
		" min(detail) AS example_detail"
		" FROM anomaly GROUP BY level, code"
		" ORDER BY CASE level WHEN 'error' THEN 0 WHEN 'warning' THEN 1"
		" ELSE 2 END, count(*) DESC, code", 0,
		"No anomalies were recorded.");
}

void
html_summary_write(FILE *out, sqlite3 *db)
{
	GDateTime *now = g_date_time_new_now_utc();
	char *stamp = g_date_time_format(now, "%Y-%m-%dT%H:%M:%SZ");

	fputs("<h2 id=\"summary\">Case summary</h2>\n<p>Written by mailtrail "
	      MAILTRAIL_VERSION " at ", out);
	html_text(out, stamp);
	fputs(". Times are UTC unless marked local.</p>\n", out);
	html_counts(out, db);
	html_evidence(out, db);
	html_runs(out, db);
	html_reconcile(out, db);
	html_anomalies(out, db);
	g_free(stamp);
	g_date_time_unref(now);
}
