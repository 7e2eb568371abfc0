/* SPDX-License-Identifier: MIT
 *
 * casedb.c - opening the case database and small SQLite helpers.
 *
 * A database made by another schema version is rejected rather than
 * migrated, because silently changing a case file is worse than asking
 * the examiner to start a new one.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/casedb.h"
#include "core/record.h"

static int
check_version(sqlite3 *db, char **error_r)
{
	sqlite3_stmt *st;
	int rc, version = -1;

	rc = sqlite3_prepare_v2(db,
		"SELECT value FROM meta WHERE key = 'schema_version'",
		-1, &st, NULL);
	if (rc != SQLITE_OK) {
		*error_r = g_strdup(sqlite3_errmsg(db));
		return -1;
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);

	if (version == -1) {
		char *sql = g_strdup_printf(
			"INSERT INTO meta (key, value) VALUES "
			"('schema_version', '%d'), ('created_utc', '%lld')",
			MT_SCHEMA_VERSION, (long long)casedb_now());

		rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
		g_free(sql);
		if (rc != SQLITE_OK) {
			*error_r = g_strdup(sqlite3_errmsg(db));
			return -1;
		}
		return 0;
	}
	if (version != MT_SCHEMA_VERSION) {
		*error_r = g_strdup_printf(
			"case database has schema version %d, this mailtrail "
			"writes version %d: use a new case database",
			version, MT_SCHEMA_VERSION);
		return -1;
	}
	return 0;
}

sqlite3 *
casedb_open(const char *path, gboolean create, char **error_r)
{
	sqlite3 *db = NULL;
	int flags = SQLITE_OPEN_READWRITE;
	char *err = NULL;

	if (create)
		flags |= SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
		*error_r = g_strdup_printf("cannot open case database '%s': "
					   "%s (%s)", path, db != NULL ?
					   sqlite3_errmsg(db) : "out of memory",
					   db != NULL ? g_strerror(
					   sqlite3_system_errno(db)) : "");
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 10000);
	sqlite3_exec(db, "PRAGMA foreign_keys = ON; "
		     "PRAGMA journal_mode = DELETE; "
		     "PRAGMA synchronous = NORMAL;", NULL, NULL, NULL);

	if (sqlite3_exec(db, mt_schema_sql, NULL, NULL, &err) != SQLITE_OK) {
		*error_r = g_strdup_printf("cannot apply schema to '%s': %s",
					   path, err != NULL ? err : "?");
		sqlite3_free(err);
		sqlite3_close(db);
		return NULL;
	}
	if (check_version(db, error_r) < 0) {
		char *inner = *error_r;

		*error_r = g_strdup_printf("'%s': %s", path, inner);
		g_free(inner);
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

void
casedb_close(sqlite3 **db)
{
	if (*db == NULL)
		return;
	sqlite3_close_v2(*db);
	*db = NULL;
}

int
casedb_exec(sqlite3 *db, const char *sql, const char *what)
{
	char *err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) == SQLITE_OK)
		return 0;
	fprintf(stderr, "error: %s: %s\n", what, err != NULL ? err : "?");
	sqlite3_free(err);
	return -1;
}

sqlite3_stmt *
casedb_prepare(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "error: SQL prepare failed: %s\n  in: %.200s\n",
			sqlite3_errmsg(db), sql);
		return NULL;
	}
	return st;
}

void
casedb_bind_text(sqlite3_stmt *st, int index, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(st, index);
	else
		sqlite3_bind_text(st, index, s, -1, SQLITE_TRANSIENT);
}

void
casedb_bind_time(sqlite3_stmt *st, int index, gint64 v)
{
	if (v == MT_TIME_NONE)
		sqlite3_bind_null(st, index);
	else
		sqlite3_bind_int64(st, index, v);
}

char *
casedb_command_line(int argc, char **argv)
{
	static const char plain_chars[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		"0123456789_@%+=:,./-";
	GString *s = g_string_new("mailtrail");

	for (int i = 0; i < argc; i++) {
		gboolean plain = argv[i][0] != '\0' &&
			strspn(argv[i], plain_chars) == strlen(argv[i]);
		char *quoted = plain ? g_strdup(argv[i]) :
			g_shell_quote(argv[i]);

		g_string_append_c(s, ' ');
		g_string_append(s, quoted);
		g_free(quoted);
	}
	return g_string_free(s, FALSE);
}

gint64
casedb_now(void)
{
	return (gint64)time(NULL);
}

char *
casedb_format_utc(gint64 utc)
{
	GDateTime *dt;
	char *s;

	if (utc == MT_TIME_NONE)
		return NULL;
	dt = g_date_time_new_from_unix_utc(utc);
	if (dt == NULL)
		return g_strdup_printf("@%lld", (long long)utc);
	s = g_date_time_format(dt, "%Y-%m-%dT%H:%M:%SZ");
	g_date_time_unref(dt);
	return s;
}

char *
casedb_format_local(gint64 utc, int offset_min)
{
	GDateTime *dt;
	char *base, *s;
	int off = offset_min < 0 ? -offset_min : offset_min;

	if (utc == MT_TIME_NONE)
		return NULL;
	dt = g_date_time_new_from_unix_utc(utc + (gint64)offset_min * 60);
	if (dt == NULL)
		return g_strdup_printf("@%lld", (long long)utc);
	base = g_date_time_format(dt, "%Y-%m-%dT%H:%M:%S");
	s = g_strdup_printf("%s%c%02d:%02d", base,
			    offset_min < 0 ? '-' : '+', off / 60, off % 60);
	g_free(base);
	g_date_time_unref(dt);
	return s;
}
