/* SPDX-License-Identifier: MIT
 *
 * ingest-private.h - the storing sink, shared by ingest.c only.
 */
#ifndef MAILTRAIL_INGEST_PRIVATE_H
#define MAILTRAIL_INGEST_PRIVATE_H

#include "core/ingest.h"

struct ingest_totals {
	gint64 folders, messages, attachments, failed, skipped;
	gint64 anomalies, errors, not_allocated;
};

struct ingest_sink;

/* Prepares a sink for one evidence item; NULL when a statement fails to
 * prepare (the error is printed).  path and reader are borrowed. */
struct ingest_sink *ingest_sink_new(sqlite3 *db, gint64 evidence_id,
				    gint64 custodian_id, const char *path,
				    const char *reader, gboolean quiet);
void ingest_sink_bind(struct ingest_sink *s, struct mt_sink *sink);

/* Writes the per-folder counts; returns -1 when any write failed. */
int ingest_sink_finish(struct ingest_sink *s, struct ingest_totals *totals_r);

/* Stores an evidence-level anomaly (level 'error', 'warning', 'note'). */
int ingest_sink_anomaly(struct ingest_sink *s, const char *level,
			const char *code, const char *detail);
/* Returns TRUE once a write to the case database has failed. */
gboolean ingest_sink_db_failed(const struct ingest_sink *s);
void ingest_sink_free(struct ingest_sink **s);

#endif
