/* SPDX-License-Identifier: MIT
 *
 * export-tables.c - the CSV files beside report.html: findings,
 * statistics, recipients, evidence and reconcile.  Each is one query
 * whose column names become the header; times are ISO 8601 UTC.
 */
#include "report/report-private.h"

#define ISO(col) "strftime('%Y-%m-%dT%H:%M:%SZ', " col ", 'unixepoch')"

static void
csv_query_value(FILE *out, sqlite3_stmt *st, int col)
{
	char buf[64];

	switch (sqlite3_column_type(st, col)) {
	case SQLITE_NULL:
		break;
	case SQLITE_INTEGER:
		report_csv_int(out, sqlite3_column_int64(st, col));
		break;
	case SQLITE_FLOAT:
		g_ascii_formatd(buf, sizeof(buf), "%.6g",
				sqlite3_column_double(st, col));
		fputs(buf, out);
		break;
	default:
		report_csv_cell(out,
				(const char *)sqlite3_column_text(st, col));
		break;
	}
}

int
report_csv_query(FILE *out, sqlite3 *db, const char *sql, char **error_r)
{
	sqlite3_stmt *st;
	int ncol, col, rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		*error_r = report_db_error(db);
		return -1;
	}
	ncol = sqlite3_column_count(st);
	for (col = 0; col < ncol; col++) {
		if (col > 0)
			report_csv_sep(out);
		report_csv_cell(out, sqlite3_column_name(st, col));
	}
	report_csv_end(out);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (col = 0; col < ncol; col++) {
			if (col > 0)
				report_csv_sep(out);
			csv_query_value(out, st, col);
		}
		report_csv_end(out);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		*error_r = report_db_error(db);
		return -1;
	}
	return report_stream_check(out, "a CSV table", error_r);
}

int
report_tables_findings(FILE *out, sqlite3 *db, char **error_r)
{
	return report_csv_query(out, db,
		"SELECT f.id AS finding_id, f.kind, c.name AS custodian,"
		" f.severity, f.score,"
		" " ISO("f.window_start_utc") " AS window_start_utc,"
		" " ISO("f.window_end_utc") " AS window_end_utc,"
		" f.title, f.explanation, f.explained_by, f.subject_value,"
		" (SELECT count(*) FROM finding_message fm"
		"  WHERE fm.finding_id = f.id) AS message_count,"
		" (SELECT group_concat(message_id, '; ') FROM"
		"  (SELECT fm.message_id FROM finding_message fm"
		"   WHERE fm.finding_id = f.id ORDER BY fm.message_id))"
		"  AS message_db_ids"
		" FROM finding f LEFT JOIN custodian c ON c.id = f.custodian_id"
		" ORDER BY f.score DESC, f.id", error_r);
}

int
report_tables_statistics(FILE *out, sqlite3 *db, char **error_r)
{
	return report_csv_query(out, db,
		"SELECT custodian, metric, bucket, value, messages, bytes,"
		" deliveries, baseline_median, baseline_mad, is_spike FROM ("
		" SELECT 0 AS part, s.custodian_id AS cid,"
		"  coalesce(c.name, '(all)') AS custodian,"
		"  s.metric, NULL AS bucket, s.value, NULL AS messages,"
		"  NULL AS bytes, NULL AS deliveries, NULL AS baseline_median,"
		"  NULL AS baseline_mad, NULL AS is_spike"
		"  FROM stat_custodian s"
		"  LEFT JOIN custodian c ON c.id = s.custodian_id"
		" UNION ALL"
		" SELECT 1, b.custodian_id, coalesce(c.name, '(all)'), b.kind,"
		"  b.bucket, NULL, b.messages, b.bytes, b.deliveries,"
		"  b.baseline_median, b.baseline_mad, b.is_spike"
		"  FROM stat_bucket b"
		"  LEFT JOIN custodian c ON c.id = b.custodian_id)"
		" ORDER BY cid IS NOT NULL, cid, part, metric, bucket",
		error_r);
}

int
report_tables_recipients(FILE *out, sqlite3 *db, char **error_r)
{
	return report_csv_query(out, db,
		"SELECT coalesce(c.name, '(all)') AS custodian, r.address,"
		" r.domain, r.external, r.messages_sent, r.deliveries,"
		" r.bytes_sent, r.replies, r.messages_received,"
		" " ISO("r.first_utc") " AS first_utc,"
		" " ISO("r.last_utc") " AS last_utc"
		" FROM stat_recipient r"
		" LEFT JOIN custodian c ON c.id = r.custodian_id"
		" ORDER BY r.custodian_id IS NOT NULL, r.custodian_id,"
		" r.messages_sent DESC, r.address", error_r);
}

int
report_tables_evidence(FILE *out, sqlite3 *db, char **error_r)
{
	return report_csv_query(out, db,
		"SELECT e.id AS evidence_id, e.path, e.format, e.format_detail,"
		" e.size, e.sha256_before, e.sha256_after,"
		" CASE WHEN e.sha256_after IS NULL THEN NULL"
		"  WHEN e.sha256_after = e.sha256_before THEN 'yes'"
		"  ELSE 'NO' END AS hashes_match,"
		" c.name AS custodian, e.status, e.store_name,"
		" e.tool_version, e.command_line,"
		" " ISO("e.ingest_start_utc") " AS ingest_start_utc,"
		" " ISO("e.ingest_end_utc") " AS ingest_end_utc,"
		" (SELECT count(*) FROM message m WHERE m.evidence_id = e.id)"
		"  AS messages,"
		" (SELECT count(*) FROM anomaly a WHERE a.evidence_id = e.id)"
		"  AS anomalies"
		" FROM evidence e"
		" LEFT JOIN custodian c ON c.id = e.custodian_id"
		" ORDER BY e.id", error_r);
}

int
report_tables_reconcile(FILE *out, sqlite3 *db, char **error_r)
{
	return report_csv_query(out, db,
		"SELECT e.path AS evidence_file, f.path AS folder, f.role,"
		" f.locator, f.declared_count, f.extracted_count,"
		" f.failed_count, f.skipped_count, f.unlisted_count,"
		" (SELECT count(*) FROM message m WHERE m.folder_id = f.id)"
		"  AS messages_in_db,"
		" CASE WHEN f.declared_count IS NULL THEN NULL"
		"  ELSE f.declared_count - f.extracted_count - f.failed_count"
		"  - f.skipped_count END AS unaccounted"
		" FROM folder f JOIN evidence e ON e.id = f.evidence_id"
		" ORDER BY e.id, f.path, f.id", error_r);
}
