/* SPDX-License-Identifier: MIT
 *
 * findings-attach.c - what the custodian attached to mail that left the
 * company: archives, encrypted files, files whose name hides their type,
 * files on the examiner's watch-list and unusually large files.  Small
 * images repeated across many messages (logos, signatures) are noise and
 * are left out.  One finding per kind and custodian lists every message.
 */
#include <string.h>

#include "report/findings-private.h"

#define LARGE_MIN_BYTES (10 * 1024 * 1024)
/* Or this many times the custodian's median attachment, and at least
 * LARGE_RELATIVE_MIN_BYTES. */
#define LARGE_FACTOR 20
#define LARGE_RELATIVE_MIN_BYTES (1024 * 1024)

enum attach_kind {
	KIND_ARCHIVE,
	KIND_ENCRYPTED,
	KIND_MISMATCH,
	KIND_WATCHLIST,
	KIND_LARGE,
	N_KINDS
};

static const struct {
	const char *kind;
	double base;            /* points for the first message */
	double per_message;
	double max_volume;      /* cap on the per-message points */
	const char *title;
} kinds[N_KINDS] = {
	{ "archive-attachment", 20, 1, 20, "archives" },
	{ "encrypted-attachment", 50, 2, 20, "encrypted files" },
	{ "type-mismatch", 35, 2, 15, "files whose extension hides the type" },
	{ "watchlist-attachment", 60, 4, 20, "watch-listed files" },
	{ "large-attachment", 25, 2, 20, "unusually large files" },
};

static const char *const archive_types[] = {
	"application/zip", "application/x-7z-compressed",
	"application/x-rar", "application/vnd.rar",
	"application/x-rar-compressed",
	"application/gzip", "application/x-gzip", "application/x-tar",
	"application/x-bzip2", "application/x-xz", "application/zstd",
	"application/x-zstd", "application/vnd.ms-cab-compressed",
	"application/x-iso9660-image", "application/x-lzip",
	"application/x-lzma", "application/x-arj", "application/x-ace",
	NULL
};

static const char *const archive_extensions[] = {
	".zip", ".7z", ".rar", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".zst",
	".cab", ".iso", ".lz", ".arj", NULL
};

struct attach_row {
	gint64 message_id;
	const char *filename, *magic_type, *magic_desc, *sha256;
	gint64 size;
	gboolean ext_mismatch;
};

struct kind_hits {
	struct fd_finding *finding;
	GString *files;         /* examples for the explanation */
	guint files_listed, count;
};

static gboolean
listed(const char *value, const char *const list[])
{
	for (int i = 0; value && list[i]; i++)
		if (g_ascii_strcasecmp(value, list[i]) == 0)
			return TRUE;
	return FALSE;
}

static gboolean
has_extension(const char *filename, const char *const list[])
{
	size_t len = filename ? strlen(filename) : 0;

	for (int i = 0; filename && list[i]; i++) {
		size_t n = strlen(list[i]);

		if (len > n && g_ascii_strcasecmp(filename + len - n,
						  list[i]) == 0)
			return TRUE;
	}
	return FALSE;
}

/* libmagic describes encrypted OOXML as 'CDFV2 Encrypted' but reports
 * no zip or PDF encryption.  NOTE: those are found only once the parser
 * appends parse_encryption_note() to magic_desc. */
static gboolean
is_encrypted(const struct attach_row *a)
{
	return (a->magic_desc && strstr(a->magic_desc, "ncrypted")) ||
	       (a->magic_type && strcmp(a->magic_type,
					"application/encrypted") == 0);
}

static const char *
watch_match(struct fd_context *ctx, const struct attach_row *a)
{
	char *low;
	const char *hit = NULL;

	if (a->sha256 && g_hash_table_contains(ctx->watch_sha256, a->sha256))
		return "SHA-256";
	if (!a->filename)
		return NULL;
	low = g_utf8_strdown(a->filename, -1);
	for (guint i = 0; !hit && i < ctx->watch_patterns->len; i++)
		if (g_pattern_spec_match_string(ctx->watch_patterns->pdata[i],
						low))
			hit = ctx->watch_pattern_text->pdata[i];
	g_free(low);
	return hit;
}

static void
hit_add(struct kind_hits *h, struct fd_custodian *c, enum attach_kind k,
	const struct fd_sent *s, const struct attach_row *a, const char *reason)
{
	if (!h->finding) {
		h->finding = fd_finding_new(kinds[k].kind, c);
		h->files = g_string_new(NULL);
	}
	h->count++;
	fd_finding_add_message(h->finding, s->id);
	if (s->utc != FD_TIME_NONE) {
		struct fd_finding *f = h->finding;

		if (f->window_start == FD_TIME_NONE || s->utc < f->window_start)
			f->window_start = s->utc;
		if (f->window_end == FD_TIME_NONE || s->utc > f->window_end)
			f->window_end = s->utc;
	}
	if (h->files_listed++ >= 5)
		return;
	g_string_append_printf(h->files, "%s'%s' (%s, %" G_GINT64_FORMAT
			       " bytes%s%s)", h->files->len ? ", " : "",
			       a->filename ? a->filename : "unnamed",
			       a->magic_type ? a->magic_type : "unknown type",
			       a->size, reason ? ", " : "",
			       reason ? reason : "");
}

static void
classify(struct fd_context *ctx, struct fd_custodian *c,
	 const struct fd_sent *s, const struct attach_row *a,
	 double median, struct kind_hits hits[N_KINDS])
{
	const char *watch = watch_match(ctx, a);
	char *reason;

	if (listed(a->magic_type, archive_types) ||
	    has_extension(a->filename, archive_extensions))
		hit_add(&hits[KIND_ARCHIVE], c, KIND_ARCHIVE, s, a, NULL);
	if (is_encrypted(a))
		hit_add(&hits[KIND_ENCRYPTED], c, KIND_ENCRYPTED, s, a,
			a->magic_desc);
	if (a->ext_mismatch)
		hit_add(&hits[KIND_MISMATCH], c, KIND_MISMATCH, s, a,
			"extension does not match the content");
	if (watch) {
		reason = g_strdup_printf("watch-list match: %s", watch);
		hit_add(&hits[KIND_WATCHLIST], c, KIND_WATCHLIST, s, a, reason);
		g_free(reason);
	}
	if (a->size >= LARGE_MIN_BYTES ||
	    (a->size >= LARGE_RELATIVE_MIN_BYTES &&
	     a->size >= LARGE_FACTOR * median)) {
		reason = g_strdup_printf("median attachment %.0f bytes",
					 median);
		hit_add(&hits[KIND_LARGE], c, KIND_LARGE, s, a, reason);
		g_free(reason);
	}
}

static int
hits_emit(struct fd_context *ctx, struct fd_custodian *c,
	  struct kind_hits hits[N_KINDS])
{
	int rc = 0;

	for (int k = 0; k < N_KINDS; k++) {
		struct fd_finding *f = hits[k].finding;
		guint n;

		if (!f)
			continue;
		n = f->messages->len;
		fd_finding_title(f, "%s sent %s outside the company: %u "
				 "file%s in %u message%s", c->name,
				 kinds[k].title, hits[k].count,
				 FD_PLURAL(hits[k].count), n, FD_PLURAL(n));
		fd_finding_add(f, kinds[k].base, "%s to external recipients: "
			       "%s%s", kinds[k].title, hits[k].files->str,
			       hits[k].files_listed > 5 ? ", ..." : "");
		fd_finding_add(f, MIN(kinds[k].max_volume,
				      kinds[k].per_message * (n - 1)),
			       "%u messages", n);
		g_string_free(hits[k].files, TRUE);
		if (rc == 0)
			rc = fd_finding_emit(ctx, f);
		else
			fd_finding_emit(ctx, f);
	}
	return rc;
}

static double
median_attachment(const struct fd_custodian *c)
{
	GArray *v = g_array_new(FALSE, FALSE, sizeof(double));
	double median;

	for (guint i = 0; i < c->sent->len; i++) {
		const struct fd_sent *s = &g_array_index(c->sent,
							 struct fd_sent, i);
		double mean;

		if (s->attachments == 0)
			continue;
		mean = (double)s->attachment_bytes / s->attachments;
		g_array_append_val(v, mean);
	}
	median = fd_median((double *)v->data, v->len);
	g_array_free(v, TRUE);
	return median;
}

int
fd_attachments_find(struct fd_context *ctx, struct fd_custodian *c)
{
	sqlite3_stmt *st = fd_prepare(ctx->db,
		"SELECT a.message_id, a.filename, a.magic_type, a.magic_desc,"
		" a.sha256, a.size, a.ext_mismatch FROM attachment a"
		" JOIN message m ON m.id = a.message_id WHERE " FD_SENT_WHERE
		" AND m.custodian_id = ? AND (a.sha256 IS NULL OR a.sha256"
		" NOT IN (SELECT sha256 FROM temp.fd_repeated_image))"
		" ORDER BY m.sent_utc IS NULL, m.sent_utc, a.message_id, a.id");
	struct kind_hits hits[N_KINDS] = { { 0 } };
	double median = median_attachment(c);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, c->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		gint64 id = sqlite3_column_int64(st, 0);
		const struct fd_sent *s = g_hash_table_lookup(ctx->sent_by_id,
							      &id);
		struct attach_row a = {
			.message_id = id,
			.filename = (const char *)sqlite3_column_text(st, 1),
			.magic_type = (const char *)sqlite3_column_text(st, 2),
			.magic_desc = (const char *)sqlite3_column_text(st, 3),
			.sha256 = (const char *)sqlite3_column_text(st, 4),
			.size = sqlite3_column_int64(st, 5),
			.ext_mismatch = sqlite3_column_int(st, 6) != 0,
		};

		if (s && s->external_deliveries > 0)
			classify(ctx, c, s, &a, median, hits);
	}
	sqlite3_finalize(st);
	if (hits_emit(ctx, c, hits) < 0 || rc != SQLITE_DONE)
		return -1;
	return 0;
}
