/* SPDX-License-Identifier: MIT
 *
 * log-stream.c - reads a log file line by line, gunzipping on the fly
 * (GZlibDecompressor, concatenated gzip members included), with the line
 * number and byte offset of each line.  Memory stays bounded: a line
 * longer than LOGS_LINE_MAX is cut there and the rest of it is skipped.
 * Damaged gzip data ends the stream with an error, after every line
 * decompressed before the damage has been handed out.
 */
#include <string.h>

#include "extract/logs-private.h"

#define STREAM_CHUNK (256 * 1024)
/* Output per conversion step: zlib's output of a step that hits damaged
 * data is lost, so steps are kept small. */
#define INFLATE_STEP 4096
#define COMPRESSED_CHUNK (64 * 1024)

struct log_stream {
	GInputStream *in;         /* the file */
	GConverter *gunzip;       /* NULL for a plain file */
	char *cbuf;               /* compressed bytes read, not converted */
	size_t cstart, cend;
	gboolean file_eof;
	gboolean gunzip_done;     /* the last gzip member ended */
	gint64 file_pos;          /* bytes of the file consumed */
	char *buf;                /* STREAM_CHUNK + LOGS_LINE_MAX + 1 */
	size_t start, end;        /* unread bytes are buf[start..end) */
	gboolean eof;
	gint64 offset;            /* of buf[start] in the (uncompressed) data */
	gint64 line_no;
	gint64 limit;             /* data bytes to read at most, 0: all */
	char *line;               /* the line handed out, LOGS_LINE_MAX + 1 */
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
	st->in = G_INPUT_STREAM(fin);
	if (g_input_stream_read_all(st->in, magic, 2, &got, NULL, NULL) &&
	    got == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
		st->gunzip = G_CONVERTER(g_zlib_decompressor_new(
			G_ZLIB_COMPRESSOR_FORMAT_GZIP));
		st->cbuf = g_malloc(COMPRESSED_CHUNK);
	}
	g_seekable_seek(G_SEEKABLE(fin), 0, G_SEEK_SET, NULL, NULL);
	st->buf = g_malloc(STREAM_CHUNK + LOGS_LINE_MAX + 1);
	st->line = g_malloc(LOGS_LINE_MAX + 1);
	return st;
}

void
log_stream_limit(struct log_stream *st, gint64 bytes)
{
	st->limit = bytes;
}

gboolean
log_stream_is_gzip(const struct log_stream *st)
{
	return st->gunzip != NULL;
}

/* Describes a read error with where it happened. */
static char *
stream_error_text(struct log_stream *st, const GError *error)
{
	gint64 data_pos = st->offset + (gint64)(st->end - st->start);

	if (st->gunzip == NULL)
		return g_strdup_printf("%s at byte %" G_GINT64_FORMAT,
				       error->message, data_pos);
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT))
		return g_strdup_printf("the gzip data ends early (file cut "
				       "off) after %" G_GINT64_FORMAT " bytes "
				       "of the file, %" G_GINT64_FORMAT
				       " bytes uncompressed", st->file_pos,
				       data_pos);
	return g_strdup_printf("gzip data invalid (%s) near byte %"
			       G_GINT64_FORMAT " of the file, after %"
			       G_GINT64_FORMAT " bytes uncompressed",
			       error->message, st->file_pos, data_pos);
}

/* Reads more compressed bytes; returns -1 on a read error. */
static int
gunzip_read(struct log_stream *st, GError **error)
{
	gssize n;

	if (st->cstart > 0) {
		memmove(st->cbuf, st->cbuf + st->cstart, st->cend - st->cstart);
		st->cend -= st->cstart;
		st->cstart = 0;
	}
	n = g_input_stream_read(st->in, st->cbuf + st->cend,
				COMPRESSED_CHUNK - st->cend, NULL, error);
	if (n < 0)
		return -1;
	if (n == 0)
		st->file_eof = TRUE;
	st->cend += (size_t)n;
	return 0;
}

/* Decompresses into buf[end..] up to want bytes; returns the bytes
 * written (0 at the end of the data) or -1 with *error set. */
static gssize
gunzip_fill(struct log_stream *st, size_t want, GError **error)
{
	size_t written_total = 0;

	while (written_total < want && !st->gunzip_done) {
		GConverterFlags flags = st->file_eof ? G_CONVERTER_INPUT_AT_END
						     : G_CONVERTER_NO_FLAGS;
		gsize read = 0, written = 0;
		GConverterResult r;
		GError *step_error = NULL;

		if (st->cstart == st->cend && !st->file_eof) {
			if (gunzip_read(st, error) < 0)
				return -1;
			continue;
		}
		r = g_converter_convert(st->gunzip, st->cbuf + st->cstart,
					st->cend - st->cstart,
					st->buf + st->end + written_total,
					MIN(INFLATE_STEP, want - written_total),
					flags, &read, &written, &step_error);
		if (r == G_CONVERTER_ERROR) {
			if (g_error_matches(step_error, G_IO_ERROR,
					    G_IO_ERROR_PARTIAL_INPUT) &&
			    !st->file_eof) {
				g_error_free(step_error);
				if (gunzip_read(st, error) < 0)
					return -1;
				continue;
			}
			if (written_total > 0) {
				/* Hand out what came before the damage first;
				 * the error comes back on the next call. */
				g_error_free(step_error);
				return (gssize)written_total;
			}
			g_propagate_error(error, step_error);
			return -1;
		}
		st->cstart += read;
		st->file_pos += (gint64)read;
		written_total += written;
		if (r == G_CONVERTER_FINISHED) {
			/* Another gzip member may follow (cat a.gz b.gz). */
			if (st->cstart == st->cend && !st->file_eof &&
			    gunzip_read(st, error) < 0)
				return -1;
			if (st->cstart == st->cend) {
				st->gunzip_done = TRUE;
				break;
			}
			g_converter_reset(st->gunzip);
		}
	}
	return (gssize)written_total;
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
	if (st->limit > 0 && st->offset + (gint64)st->end >= st->limit) {
		st->eof = TRUE;
		return 0;
	}
	if (st->gunzip != NULL)
		n = gunzip_fill(st, STREAM_CHUNK, &error);
	else
		n = g_input_stream_read(st->in, st->buf + st->end,
					STREAM_CHUNK, NULL, &error);
	if (n < 0) {
		*error_r = stream_error_text(st, error);
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
	if (st->gunzip != NULL)
		g_object_unref(st->gunzip);
	g_free(st->cbuf);
	g_free(st->buf);
	g_free(st->line);
	g_free(st);
}
