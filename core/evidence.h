/* SPDX-License-Identifier: MIT
 *
 * evidence.h - hashing evidence files and folders before and after ingest.
 */
#ifndef MAILTRAIL_EVIDENCE_H
#define MAILTRAIL_EVIDENCE_H

#include <glib.h>

/* Computes the SHA-256 of a regular file, or of a folder's manifest.  The
 * manifest has a line 'relative-path NUL sha256 LF' for every regular file
 * below the folder, sorted by path in byte order.  A file that cannot be
 * read has 'unreadable' in place of its hash, and symbolic links are not
 * followed.  size_r gets
 * the file size or the sum of the folder's file sizes.  Returns 0, or -1
 * with *error_r set (g_free it). */
int evidence_hash(const char *path, char out[65], gint64 *size_r,
		  char **error_r);

#endif
