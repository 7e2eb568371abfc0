/* SPDX-License-Identifier: MIT
 *
 * ingest.h - 'mailtrail ingest': evidence into the case database.
 */
#ifndef MAILTRAIL_INGEST_H
#define MAILTRAIL_INGEST_H

#include <sqlite3.h>
#include <glib.h>

#include "extract/extract.h"

/* Exit statuses shared by every subcommand. */
enum {
	MT_EXIT_OK = 0,
	MT_EXIT_USAGE = 1,
	MT_EXIT_DAMAGED = 2,   /* input damaged, the rest was extracted */
	MT_EXIT_FATAL = 3
};

struct ingest_options {
	const char *custodian;         /* "Name <addr>[,alias...]" or NULL */
	GPtrArray *internal_domains;   /* char *, lower-case */
	struct mt_extract_options extract;
	const char *command_line;
	gboolean quiet;
};

int ingest_cmd(int argc, char **argv);

/* Ingests one path (file or folder) as evidence; folders that are not a
 * store themselves are walked and each store inside becomes evidence.
 * Returns an MT_EXIT_* status. */
int ingest_path(sqlite3 *db, const char *path,
		const struct ingest_options *opts);

/* Like ingest_path, for a path already made absolute, with the custodian
 * already resolved (0 when it is to be inferred). */
int ingest_path_with(sqlite3 *db, const char *path,
		     const struct ingest_options *opts, gint64 custodian_id);

/* custodian.c */

/* Creates or finds the custodian described by spec ("Name <addr>,alias").
 * Returns its id, or -1 with *error_r set for an invalid spec. */
gint64 custodian_from_spec(sqlite3 *db, const char *spec, char **error_r);

/* Infers the owner of evidence_id when none was given: PST store name,
 * dominant sender of Sent folders, dominant recipient otherwise.
 * Returns the custodian id or -1 when nothing could be inferred. */
gint64 custodian_infer(sqlite3 *db, gint64 evidence_id);

/* Recomputes direction, custodian_id, external flags and
 * external_recipients for the messages of evidence_id (all when 0). */
int custodian_classify(sqlite3 *db, gint64 evidence_id);

/* Links copies of one message (same Message-ID, else same content key)
 * through message.duplicate_of, over the whole case. */
int custodian_link_duplicates(sqlite3 *db);

#endif
