/* SPDX-License-Identifier: MIT
 *
 * logs.c - mail server logs and network flows: format detection and the
 * entry points core/ingest.c calls.
 */
#include "extract/logs.h"

const char *
logs_detect(const char *path, const unsigned char *head, size_t head_len)
{
	/* TODO: no log format is recognised yet. */
	return NULL;
}

int
logs_ingest(sqlite3 *db, gint64 evidence_id, const char *path,
	    const char *format, const struct mt_sink *sink)
{
	return -1;
}

int
logs_correlate(sqlite3 *db)
{
	return 0;
}
