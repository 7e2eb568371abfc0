/* SPDX-License-Identifier: MIT
 *
 * extract.h - store readers: PST/OST, mbox, Maildir, EML.
 *
 * Each store format is one module with one ops table.  A reader opens the
 * evidence read-only, walks it and reports what it finds to an mt_sink:
 * folders, messages (as struct mt_message) and anomalies.  Readers never
 * print and never write next to the evidence.  A damaged item is reported
 * through sink->anomaly and counted as failed; the walk goes on.
 */
#ifndef MAILTRAIL_EXTRACT_H
#define MAILTRAIL_EXTRACT_H

#include <glib.h>
#include "core/record.h"

enum mt_folder_role {
	MT_FOLDER_OTHER,
	MT_FOLDER_INBOX,
	MT_FOLDER_SENT,
	MT_FOLDER_DELETED,
	MT_FOLDER_DRAFTS,
	MT_FOLDER_OUTBOX,
	MT_FOLDER_JUNK,
	MT_FOLDER_RECOVERABLE,   /* Exchange Recoverable Items and its children */
	MT_FOLDER_TMP,           /* Maildir tmp/ */
	MT_FOLDER_RECOVERED,     /* pseudo-folder for libpff recovered items */
	MT_FOLDER_ORPHAN         /* pseudo-folder for orphan PST items */
};

const char *mt_folder_role_name(enum mt_folder_role role);

/* Guesses a role from a folder's display name ("Sent Items", ".Sent",
 * "Gesendete Objekte", "[Gmail]/Sent Mail", "Trash", ...). */
enum mt_folder_role mt_folder_role_guess(const char *name);

enum mt_level { MT_LEVEL_NOTE, MT_LEVEL_WARNING, MT_LEVEL_ERROR };

/* Options shared by all readers.  Zero means the default. */
struct mt_extract_options {
	gboolean no_recover;        /* skip recovered/orphan/slack scanning */
	gint64 max_message_size;    /* bytes; larger messages are truncated
				       with an anomaly (default 256 MiB) */
};

/* Callbacks a reader calls.  Each returns 0 on success and -1 on a fatal
 * sink error (database write failed); the reader then stops with -1. */
struct mt_sink {
	void *ctx;

	/* Starts a folder.  parent_id is 0 for a top folder; *folder_id_r
	 * receives the id to pass to message().  declared_count is -1 when
	 * the store does not say how many items the folder holds. */
	int (*folder)(void *ctx, gint64 parent_id, const char *path,
		      enum mt_folder_role role, gint64 declared_count,
		      const char *locator, gint64 *folder_id_r);

	/* Hands over one message; the sink takes ownership of msg. */
	int (*message)(void *ctx, gint64 folder_id, struct mt_message *msg);

	/* Counts an item that is not mail (contact, appointment) or that
	 * failed; these go into the folder's skipped/failed counts. */
	int (*skipped)(void *ctx, gint64 folder_id, gboolean failed);

	/* Records an anomaly.  offset is -1 when unknown, locator may be
	 * NULL.  Nothing is printed by the reader itself. */
	int (*anomaly)(void *ctx, gint64 folder_id, enum mt_level level,
		       const char *code, gint64 offset, const char *locator,
		       const char *detail);

	/* Sets evidence facts a reader learns: key is 'format_detail',
	 * 'store_name' or 'password_crc'. */
	int (*evidence_fact)(void *ctx, const char *key, const char *value);
};

/* Formats a detail with printf and calls sink->anomaly. */
int mt_sink_anomalyf(const struct mt_sink *sink, gint64 folder_id,
		     enum mt_level level, const char *code, gint64 offset,
		     const char *locator, const char *fmt, ...)
	G_GNUC_PRINTF(7, 8);

struct mt_extractor {
	const char *name;     /* 'pst', 'mbox', 'maildir', 'eml' */

	/* Returns a confidence 0..100 that path is of this format.  head
	 * contains the first bytes of a regular file (NULL for a directory). */
	int (*probe)(const char *path, gboolean is_dir,
		     const unsigned char *head, size_t head_len);

	/* Walks the store.  Returns 0 when everything was read, 1 when some
	 * items were damaged or skipped (the anomalies name them) and -1 on a
	 * fatal error (the store could not be opened, or the sink failed). */
	int (*run)(const char *path, const struct mt_extract_options *opts,
		   const struct mt_sink *sink);
};

extern const struct mt_extractor mt_extract_pst;
extern const struct mt_extractor mt_extract_mbox;
extern const struct mt_extractor mt_extract_maildir;
extern const struct mt_extractor mt_extract_eml;
extern const struct mt_extractor mt_extract_eml_folder;

/* Picks the reader for path by content; returns NULL when none fits.
 * format_r receives the format name ('pst', 'ost', ...).  errno is 0
 * after it, unless path could not be examined (missing, unreadable):
 * then NULL is returned with errno set. */
const struct mt_extractor *mt_extract_detect(const char *path,
					     const char **format_r);

#endif
