/* SPDX-License-Identifier: MIT
 *
 * info.c - prints a case database's evidence, custodians and per-folder
 * reconcile counts (declared by the store, extracted, failed, skipped).
 */
#include <stdio.h>
#include <string.h>

#include "core/casedb.h"
#include "core/info.h"
#include "core/ingest.h"

static void
print_rows(sqlite3 *db, const char *title, const char *sql)
{
	sqlite3_stmt *st = casedb_prepare(db, sql);
	int cols;

	if (st == NULL)
		return;
	printf("%s\n", title);
	cols = sqlite3_column_count(st);
	for (int i = 0; i < cols; i++)
		printf("%s%s", i ? "\t" : "  ", sqlite3_column_name(st, i));
	printf("\n");
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (int i = 0; i < cols; i++) {
			const unsigned char *v = sqlite3_column_text(st, i);

			printf("%s%s", i ? "\t" : "  ",
			       v != NULL ? (const char *)v : "");
		}
		printf("\n");
	}
	printf("\n");
	sqlite3_finalize(st);
}

int
info_cmd(int argc, char **argv)
{
	char *error = NULL;
	sqlite3 *db;

	if (argc != 2 || strcmp(argv[1], "--help") == 0) {
		fputs("usage: mailtrail info CASE.db\n\n"
		      "Prints the evidence, custodians and per-folder counts "
		      "of a case database.\n", argc == 2 ? stdout : stderr);
		return argc == 2 ? MT_EXIT_OK : MT_EXIT_USAGE;
	}
	db = casedb_open(argv[1], FALSE, &error);
	if (db == NULL) {
		fprintf(stderr, "error: %s\n", error);
		g_free(error);
		return MT_EXIT_FATAL;
	}
	print_rows(db, "evidence:",
		   "SELECT id, format, status, size, sha256_before, path"
		   " FROM evidence ORDER BY id");
	print_rows(db, "custodians:",
		   "SELECT c.id, c.name, c.inferred_from,"
		   " group_concat(a.address, ', ') AS addresses"
		   " FROM custodian c LEFT JOIN custodian_address a"
		   " ON a.custodian_id = c.id GROUP BY c.id ORDER BY c.id");
	print_rows(db, "folders (declared / extracted / failed / skipped):",
		   "SELECT evidence_id, role, declared_count, extracted_count,"
		   " failed_count, skipped_count, path FROM folder"
		   " ORDER BY evidence_id, path");
	print_rows(db, "messages by status and direction:",
		   "SELECT status, direction, count(*) FROM message"
		   " GROUP BY status, direction ORDER BY status, direction");
	print_rows(db, "mail server logs:",
		   "SELECT e.id AS evidence_id, e.format,"
		   " (SELECT count(*) FROM log_event l WHERE l.evidence_id ="
		   " e.id) AS events,"
		   " (SELECT count(*) FROM log_message l WHERE l.evidence_id ="
		   " e.id) AS logged_messages FROM evidence e"
		   " WHERE e.format LIKE 'log-%' ORDER BY e.id");
	print_rows(db, "anomalies by code:",
		   "SELECT level, code, count(*) FROM anomaly"
		   " GROUP BY level, code ORDER BY count(*) DESC");
	casedb_close(&db);
	return MT_EXIT_OK;
}
