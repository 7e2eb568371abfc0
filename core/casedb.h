/* SPDX-License-Identifier: MIT
 *
 * casedb.h - the SQLite case database.
 *
 * The schema lives in the .sql files of schema/ and is compiled in.
 * Every ingest of one evidence item runs inside one transaction, so an
 * interrupted run leaves the database as it was before that item.
 */
#ifndef MAILTRAIL_CASEDB_H
#define MAILTRAIL_CASEDB_H

#include <sqlite3.h>
#include <glib.h>

#define MT_SCHEMA_VERSION 1

/* Opens (creating when missing) the case database at path and applies
 * the schema.  Returns the handle, or NULL with *error_r set to a message
 * the caller must g_free(). */
sqlite3 *casedb_open(const char *path, gboolean create, char **error_r);
void casedb_close(sqlite3 **db);

/* Runs one SQL statement without results; returns 0 or -1 and logs the
 * SQLite error to stderr prefixed with what. */
int casedb_exec(sqlite3 *db, const char *sql, const char *what);

/* Prepares a statement; returns NULL after printing the SQLite error. */
sqlite3_stmt *casedb_prepare(sqlite3 *db, const char *sql);

/* Binds a UTF-8 string, or NULL when s is NULL. */
void casedb_bind_text(sqlite3_stmt *st, int index, const char *s);
/* Binds an integer, or NULL when v is MT_TIME_NONE. */
void casedb_bind_time(sqlite3_stmt *st, int index, gint64 v);

/* Joins argv into 'mailtrail ARG...' for the run and evidence records,
 * shell-quoting each argument that needs it.  Returns a new string. */
char *casedb_command_line(int argc, char **argv);

/* Current time as seconds since the epoch, UTC. */
gint64 casedb_now(void);

/* Formats utc as ISO 8601 with 'Z' ("1970-01-01T07:59:59Z") into a
 * newly allocated string; NULL for MT_TIME_NONE. */
char *casedb_format_utc(gint64 utc);
/* Formats utc shifted by offset_min as local ISO 8601 with its offset
 * ("2020-01-06T11:00:00+01:00"). */
char *casedb_format_local(gint64 utc, int offset_min);

extern const char mt_schema_sql[];

#endif
