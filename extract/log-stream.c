/* SPDX-License-Identifier: MIT
 *
 * log-stream.c - reads a log file line by line, gunzipping on the fly
 * (GZlibDecompressor), with the line number and byte offset of each line.
 * Memory stays bounded: a line longer than LOGS_LINE_MAX is cut there and
 * the rest of it is skipped.
 */
#include <string.h>

#include "extract/logs-private.h"

#define STREAM_CHUNK (256 * 1024)

struct log_stream {
	GInputStream *in;
	gboolean gzip;
	char *buf;            /* STREAM_CHUNK + LOGS_LINE_MAX + 1 bytes */
	size_t start, end;    /* unread bytes are buf[start..end) */
	gboolean eof;
	gint64 offset;        /* of buf[start] in the (uncompressed) data */
	gint64 line_no;
	char *line;           /* the line handed out, LOGS_LINE_MAX + 1 */
};

struct log_stream *
log_stream_open(const char *path, char **error_r)
{
	GFile *file = g_file_new_for_path(path);
	GError *error = NULL;
	GFileInputStream *fin = g_file_read(file, NULL, &error);
	struct log_stream *st;
	guchar magic[2];
	gsize got = 0;

	g_object_unref(file);
	if (fin == NULL) {
		*error_r = g_strdup(error->message);
		g_error_free(error);
		return NULL;
	}
	st = g_new0(struct log_stream, 1);
	if (g_input_stream_read_all(G_INPUT_STREAM(fin), magic, 2, &got,
				    NULL, NULL) && got == 2 &&
	    magic[0] == 0x1f && magic[1] == 0x8b)
		st->gzip = TRUE;
	g_seekable_seek(G_SEEKABLE(fin), 0, G_SEEK_SET, NULL, NULL);
	if (st->gzip) {
		GZlibDecompressor *z = g_zlib_decompressor_new(
			G_ZLIB_COMPRESSOR_FORMAT_GZIP);

		st->in = g_converter_input_stream_new(G_INPUT_STREAM(fin),
						      G_CONVERTER(z));
		g_object_unref(z);
		g_object_unref(fin);
	} else {
		st->in = G_INPUT_STREAM(fin);
	}
	st->buf = g_malloc(STREAM_CHUNK + LOGS_LINE_MAX + 1);
	st->line = g_malloc(LOGS_LINE_MAX + 1);
	return st;
}

gboolean
log_stream_is_gzip(const struct log_stream *st)
{
	return st->gzip;
}

/* Moves unread bytes to the front and reads more; returns -1 on error. */
static int
stream_fill(struct log_stream *st, char **error_r)
{
	GError *error = NULL;
	gssize n;

	if (st->start > 0) {
		memmove(st->buf, st->buf + st->start, st->end - st->start);
		st->end -= st->start;
		st->start = 0;
	}
	n = g_input_stream_read(st->in, st->buf + st->end, STREAM_CHUNK,
				NULL, &error);
	if (n < 0) {
		*error_r = g_strdup_printf("%s at byte %" G_GINT64_FORMAT
					   " of the %s data", error->message,
					   st->offset + (gint64)st->end,
					   st->gzip ? "uncompressed" : "file");
		g_error_free(error);
		return -1;
	}
	if (n == 0)
		st->eof = TRUE;
	st->end += (size_t)n;
	return 0;
}

static void
stream_emit(struct log_stream *st, size_t len, size_t consumed,
	    gboolean truncated, struct log_line *line_r)
{
	size_t keep = len < LOGS_LINE_MAX ? len : LOGS_LINE_MAX;

	memcpy(st->line, st->buf + st->start, keep);
	if (keep > 0 && st->line[keep - 1] == '\r')
		keep--;
	st->line[keep] = '\0';
	line_r->text = st->line;
	line_r->len = keep;
	line_r->line_no = ++st->line_no;
	line_r->offset = st->offset;
	line_r->truncated = truncated || len > LOGS_LINE_MAX;
	st->start += consumed;
	st->offset += (gint64)consumed;
}

/* Skips the rest of an overlong line; returns its full length. */
static int
stream_skip_rest(struct log_stream *st, size_t *skipped_r, char **error_r)
{
	*skipped_r = 0;
	for (;;) {
		char *nl = memchr(st->buf + st->start, '\n',
				  st->end - st->start);

		if (nl != NULL) {
			size_t n = (size_t)(nl - (st->buf + st->start)) + 1;

			*skipped_r += n;
			st->start += n;
			st->offset += (gint64)n;
			return 0;
		}
		*skipped_r += st->end - st->start;
		st->offset += (gint64)(st->end - st->start);
		st->start = st->end;
		if (st->eof)
			return 0;
		if (stream_fill(st, error_r) < 0)
			return -1;
	}
}

int
log_stream_next(struct log_stream *st, struct log_line *line_r,
		char **error_r)
{
	for (;;) {
		size_t avail = st->end - st->start;
		char *nl = memchr(st->buf + st->start, '\n', avail);

		if (nl != NULL) {
			size_t len = (size_t)(nl - (st->buf + st->start));

			stream_emit(st, len, len + 1, FALSE, line_r);
			return 1;
		}
		if (avail >= LOGS_LINE_MAX) {
			gint64 offset = st->offset;
			size_t rest;

			stream_emit(st, LOGS_LINE_MAX, LOGS_LINE_MAX, TRUE,
				    line_r);
			if (stream_skip_rest(st, &rest, error_r) < 0)
				return -1;
			line_r->offset = offset;
			return 1;
		}
		if (st->eof) {
			if (avail == 0)
				return 0;
			stream_emit(st, avail, avail, TRUE, line_r);
			return 1;
		}
		if (stream_fill(st, error_r) < 0)
			return -1;
	}
}

void
log_stream_free(struct log_stream **stp)
{
	struct log_stream *st = *stp;

	if (st == NULL)
		return;
	*stp = NULL;
	g_object_unref(st->in);
	g_free(st->buf);
	g_free(st->line);
	g_free(st);
}
