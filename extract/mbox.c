/* SPDX-License-Identifier: MIT
 *
 * mbox.c - mbox files (mboxo, mboxrd, mboxcl2; LF, CRLF or mixed).
 *
 * The file is streamed through a bounded buffer and split at From_ lines
 * (mbox-from.c).  A separator needs a header field right after it, so
 * unquoted "From " body lines stay body text.  A Content-Length header
 * is honoured only when it ends exactly at a separator or at the end of
 * the file.  '>From ' lines outside Content-Length bodies are unquoted
 * the mboxrd way.  Bytes no message owns (after a NUL run, or after a
 * Content-Length end that another header block follows) become a
 * recovered message when they start with a header block.  Otherwise
 * they are reported as slack.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "extract/stores-private.h"
#include "extract/mbox-private.h"

/* Read buffer size; a line longer than this is handled in pieces. */
#define MBOX_READ_SIZE (1024 * 1024)

static void
reader_init(struct mbox_reader *r, int fd)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->cap = MBOX_READ_SIZE;
	r->buf = g_malloc(r->cap);
	r->at_line_start = TRUE;
}

static void
reader_release(struct mbox_reader *r)
{
	g_free(r->buf);
	r->buf = NULL;
}

/* Moves unread bytes to the front and reads more.  Returns -1 on a read
 * error (errno in r->error). */
static int
reader_fill(struct mbox_reader *r)
{
	ssize_t n;

	if (r->pos > 0) {
		memmove(r->buf, r->buf + r->pos, r->end - r->pos);
		r->buf_offset += (gint64)r->pos;
		r->end -= r->pos;
		r->pos = 0;
	}
	do {
		n = read(r->fd, r->buf + r->end, r->cap - r->end);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		r->error = errno;
		return -1;
	}
	if (n == 0)
		r->eof = TRUE;
	r->end += (size_t)n;
	return 0;
}

int
mbox_reader_next(struct mbox_reader *r, gint64 limit, struct mbox_piece *p)
{
	size_t len;

	for (;;) {
		size_t avail = r->end - r->pos;
		const char *nl;

		if (limit >= 0 && (gint64)avail >= limit) {
			nl = memchr(r->buf + r->pos, '\n', (size_t)limit);
			len = nl != NULL ? (size_t)(nl - (r->buf + r->pos)) + 1
					 : (size_t)limit;
			break;
		}
		nl = memchr(r->buf + r->pos, '\n', avail);
		if (nl != NULL) {
			len = (size_t)(nl - (r->buf + r->pos)) + 1;
			break;
		}
		if (r->eof) {
			if (avail == 0)
				return 0;
			len = avail;
			break;
		}
		if (r->pos == 0 && r->end == r->cap) {
			len = avail;    /* a line longer than the buffer */
			break;
		}
		if (reader_fill(r) < 0)
			return -1;
	}
	p->data = r->buf + r->pos;
	p->len = len;
	p->offset = r->buf_offset + (gint64)r->pos;
	p->line_start = r->at_line_start;
	p->line_end = p->data[len - 1] == '\n';
	r->at_line_start = p->line_end;
	r->pos += len;
	return 1;
}

gboolean
mbox_piece_is_blank(const struct mbox_piece *p)
{
	if (!p->line_start || !p->line_end)
		return FALSE;
	return p->len == 1 || (p->len == 2 && p->data[0] == '\r');
}

/* Opens the file read-only and starts the folder it becomes, named
 * folder_path or else after the file.  mt_folder_role_guess() gives
 * "Sent.mbox" and Thunderbird's extension-less "Sent" the role sent.
 * Returns 0, 1 when the file cannot be opened (reported), or -1 when
 * the sink failed. */
static int
mbox_open(struct mbox_state *st, const char *folder_path, gint64 parent_id)
{
	char *base = g_path_get_basename(st->path);
	char *shown = stores_name_display(folder_path != NULL ? folder_path
							       : base);
	struct stat sb;
	int rc = -1;

	st->fd = open(st->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (st->fd < 0 || fstat(st->fd, &sb) < 0) {
		rc = mt_sink_anomalyf(st->sink, parent_id, MT_LEVEL_ERROR,
				      "open-failed", -1, shown,
				      "cannot open '%s': %s", st->path,
				      g_strerror(errno));
		if (rc >= 0)
			rc = st->sink->skipped(st->sink->ctx, parent_id, TRUE);
		rc = rc < 0 ? -1 : 1;
		goto out;
	}
	st->file_size = sb.st_size;
	posix_fadvise(st->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	st->folder_role = mt_folder_role_guess(shown);
	rc = st->sink->folder(st->sink->ctx, parent_id, shown,
			      st->folder_role, -1, shown, &st->folder_id);
out:
	g_free(shown);
	g_free(base);
	return rc;
}

static void
mbox_format_detail(struct mbox_state *st)
{
	GString *s = g_string_new(NULL);

	if (st->cl_messages > 0)
		g_string_append(s, "mboxcl2");
	else if (st->multi_quoted > 0)
		g_string_append(s, "mboxrd");
	else
		g_string_append(s, "mboxo");
	if (st->crlf_lines > 0 && st->lf_lines > 0)
		g_string_append(s, ", mixed line ends");
	else if (st->crlf_lines > 0)
		g_string_append(s, ", CRLF line ends");
	if (st->mozilla_headers > 0)
		g_string_append(s, ", Thunderbird");
	st->sink->evidence_fact(st->sink->ctx, "format_detail", s->str);
	g_string_free(s, TRUE);
}

static int
mbox_stream(struct mbox_state *st)
{
	struct mbox_piece piece;
	int n;

	while (st->rc >= 0) {
		gint64 limit = st->cur.active ? st->cur.cl_remaining : -1;

		n = mbox_reader_next(&st->rd, limit, &piece);
		if (n == 0)
			break;
		if (n < 0) {
			mbox_read_failed(st);
			break;
		}
		mbox_piece_handle(st, &piece);
	}
	if (st->rc >= 0)
		mbox_finish_file(st);
	return st->rc;
}

int
mbox_read_file(const char *path, const char *folder_path, gint64 parent_id,
	       const struct mt_extract_options *opts,
	       const struct mt_sink *sink)
{
	struct mbox_state st;
	char *prefix = NULL;
	int rc;

	mbox_state_init(&st, path, opts, sink);
	if (folder_path != NULL) {
		char *shown = stores_name_display(folder_path);

		prefix = g_strconcat(shown, "#", NULL);
		st.locator_prefix = prefix;
		g_free(shown);
	}
	rc = mbox_open(&st, folder_path, parent_id);
	if (rc != 0) {
		mbox_state_release(&st);
		g_free(prefix);
		/* A store that cannot be opened at all is fatal on its own,
		 * but only one damaged item inside a folder. */
		return rc < 0 || folder_path == NULL ? -1 : 1;
	}
	reader_init(&st.rd, st.fd);
	mbox_stream(&st);
	if (st.rc >= 0 && folder_path == NULL)
		mbox_format_detail(&st);
	reader_release(&st.rd);
	rc = st.rc;
	mbox_state_release(&st);
	g_free(prefix);
	return rc;
}

static int
mbox_run(const char *path, const struct mt_extract_options *opts,
	 const struct mt_sink *sink)
{
	return mbox_read_file(path, NULL, 0, opts, sink);
}

/* Counts the valid From_ lines after head's first line that are followed
 * by a header field: separators the reader will split at.  With
 * whole_block, the header field must start a complete header block with
 * at least two of the fields every mail carries, because nothing else in
 * the head then says that the file is an mbox. */
static int
head_count_separators(const char *head, size_t len, gboolean whole_block)
{
	const char *p = memchr(head, '\n', len);
	const char *end = head + len;
	int count = 0;

	while (p != NULL && end - p > 6) {
		const char *line = p + 1;
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		struct mbox_from from;

		if (nl == NULL)
			break;
		if (memcmp(line, "From ", 5) == 0 &&
		    mbox_from_line_parse(line, (size_t)(nl - line), &from) ==
			    MBOX_FROM_VALID &&
		    stores_header_line_is_field(nl + 1, (size_t)(end - nl - 1)) &&
		    (!whole_block ||
		     stores_eml_head_score((const unsigned char *)nl + 1,
					   (size_t)(end - nl - 1)) >= 70))
			count++;
		p = nl;
	}
	return count;
}

/* A regular file whose first line is a From_ line.  A file whose start
 * is damaged (garbage, blank lines, a broken first From_ line) still
 * counts, with less confidence, when a real separator follows within the
 * head: the reader then reports the bytes before it.  Without "From " at
 * the start, the separator must lead a whole header block. */
static int
mbox_probe(const char *path, gboolean is_dir, const unsigned char *head,
	   size_t head_len)
{
	const char *text = (const char *)head;
	const char *nl;
	size_t len;
	struct mbox_from from;
	enum mbox_from_kind kind = MBOX_FROM_NONE;
	int separators;

	if (is_dir || head == NULL || head_len < 5)
		return 0;
	nl = memchr(text, '\n', head_len);
	len = nl != NULL ? (size_t)(nl - text) : head_len;
	if (len <= MBOX_FROM_LINE_MAX)
		kind = mbox_from_line_parse(text, len, &from);
	if (kind == MBOX_FROM_VALID)
		return 90;
	/* Old Thunderbird: the next line must be a header field. */
	if (kind == MBOX_FROM_BARE && nl != NULL &&
	    stores_header_line_is_field(nl + 1,
					head_len - (size_t)(nl + 1 - text)))
		return 80;
	if (memcmp(text, "From ", 5) == 0)
		return head_count_separators(text, head_len, FALSE) > 0 ? 60 : 0;
	separators = head_count_separators(text, head_len, TRUE);
	if (stores_eml_head_score(head, head_len) == 0)
		return separators > 0 ? 40 : 0;
	/* A message may carry one mbox From_ line in an attached message,
	 * but two or more after a header block are a message that lost its
	 * separator: the mbox reader recovers it and keeps the messages
	 * after it apart.  75 is above the EML reader's 70. */
	return separators >= 2 ? 75 : 0;
}

const struct mt_extractor mt_extract_mbox = {
	.name = "mbox",
	.probe = mbox_probe,
	.run = mbox_run,
};
