/* SPDX-License-Identifier: MIT
 *
 * mbox-split.c - turning the lines of an mbox into messages.
 *
 * A From_ line separates messages only when a header field follows it.
 * mboxo writers leave "From " body lines unquoted, even well-formed ones
 * after a blank line, and a message without any header field is no mail,
 * so one line of lookahead decides.  The blank line before a separator
 * belongs to the separator.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "extract/mbox-private.h"

static void
msg_reset(struct mbox_msg *m)
{
	if (m->data != NULL)
		g_byte_array_unref(m->data);
	if (m->unquoted_at != NULL)
		g_array_unref(m->unquoted_at);
	g_free(m->flag_problem);
	memset(m, 0, sizeof(*m));
	m->content_length = -1;
	m->cl_remaining = -1;
}

void
mbox_state_init(struct mbox_state *st, const char *path,
		const struct mt_extract_options *opts,
		const struct mt_sink *sink)
{
	memset(st, 0, sizeof(*st));
	st->path = path;
	st->locator_prefix = "";
	st->opts = opts;
	st->sink = sink;
	st->max_size = stores_max_message(opts);
	st->fd = -1;
	msg_reset(&st->cur);
	st->slack.data = g_byte_array_new();
}

void
mbox_state_release(struct mbox_state *st)
{
	msg_reset(&st->cur);
	g_byte_array_unref(st->slack.data);
	g_free(st->slack.reason);
	if (st->fd >= 0)
		close(st->fd);
	st->fd = -1;
}

void
mbox_sink_result(struct mbox_state *st, int rc)
{
	if (rc < 0)
		st->rc = -1;
}

void
mbox_damaged(struct mbox_state *st)
{
	if (st->rc == 0)
		st->rc = 1;
}

static void
msg_append(struct mbox_state *st, const char *data, size_t len)
{
	struct mbox_msg *m = &st->cur;
	gint64 room = st->max_size - (gint64)m->data->len;

	if (room > 0)
		g_byte_array_append(m->data, (const guint8 *)data,
				    (guint)MIN((gint64)len, room));
	m->length += (gint64)len;
}

/* Parses a hexadecimal flag value of 1..max_digits digits. */
static gboolean
flag_hex_parse(const char *value, size_t len, size_t max_digits,
	       guint32 *out)
{
	guint32 v = 0;
	size_t i = 0;

	while (i < len && i < max_digits && g_ascii_isxdigit(value[i])) {
		v = v * 16 + (guint32)g_ascii_xdigit_value(value[i]);
		i++;
	}
	if (i == 0 || (i < len && !g_ascii_isspace(value[i])))
		return FALSE;
	*out = v;
	return TRUE;
}

static void
flags_from_mozilla(struct mbox_msg *m, guint32 bits)
{
	m->seen |= (bits & MOZ_READ) != 0;
	m->replied |= (bits & MOZ_REPLIED) != 0;
	m->flagged |= (bits & MOZ_MARKED) != 0;
	m->expunged |= (bits & MOZ_EXPUNGED) != 0;
	m->passed |= (bits & MOZ_FORWARDED) != 0;
	m->deleted |= (bits & MOZ_IMAP_DELETED) != 0;
}

/* Reads Status (R seen, O old, D deleted) and X-Status (A answered,
 * F flagged, T draft, D deleted), as mutt and Pine write them. */
static void
flags_from_status(struct mbox_msg *m, const char *value, size_t len,
		  gboolean x_status)
{
	for (size_t i = 0; i < len; i++) {
		switch (value[i]) {
		case 'R':
			if (!x_status)
				m->seen = TRUE;
			break;
		case 'D':
			m->deleted = TRUE;
			break;
		case 'A':
			if (x_status)
				m->replied = TRUE;
			break;
		case 'F':
			if (x_status)
				m->flagged = TRUE;
			break;
		case 'T':
			if (x_status)
				m->draft = TRUE;
			break;
		default:
			break;
		}
	}
}

/* Returns the value of field name in line, or NULL. */
static const char *
header_value(const char *line, size_t len, const char *name,
	     size_t *value_len_r)
{
	size_t name_len = strlen(name);
	size_t i = name_len + 1;

	if (len <= name_len || line[name_len] != ':' ||
	    g_ascii_strncasecmp(line, name, name_len) != 0)
		return NULL;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	while (len > i && g_ascii_isspace(line[len - 1]))
		len--;
	*value_len_r = len - i;
	return line + i;
}

static void
header_flag_problem(struct mbox_msg *m, const char *name, const char *value,
		    size_t len)
{
	if (m->flag_problem != NULL)
		return;
	m->flag_problem = g_strdup_printf("%s value '%.*s' is not hexadecimal",
					  name, (int)MIN(len, 32), value);
}

static void
header_mozilla(struct mbox_state *st, const char *line, size_t len)
{
	struct mbox_msg *m = &st->cur;
	const char *v;
	size_t vlen;
	guint32 bits;

	if ((v = header_value(line, len, "X-Mozilla-Status", &vlen)) != NULL &&
	    !m->have_moz) {
		m->have_moz = TRUE;
		st->mozilla_headers++;
		if (flag_hex_parse(v, vlen, 4, &bits))
			flags_from_mozilla(m, bits);
		else
			header_flag_problem(m, "X-Mozilla-Status", v, vlen);
	} else if ((v = header_value(line, len, "X-Mozilla-Status2",
				     &vlen)) != NULL && !m->have_moz2) {
		m->have_moz2 = TRUE;
		if (flag_hex_parse(v, vlen, 8, &bits))
			flags_from_mozilla(m, bits & 0xffff0000u);
		else
			header_flag_problem(m, "X-Mozilla-Status2", v, vlen);
	}
}

/* Parses Content-Length; a value that is not a plain decimal number or
 * exceeds the file is ignored. */
static void
header_content_length(struct mbox_state *st, const char *v, size_t vlen)
{
	gint64 n = 0;

	if (vlen == 0 || vlen > 18 || st->cur.content_length >= 0)
		return;
	for (size_t i = 0; i < vlen; i++) {
		if (!g_ascii_isdigit(v[i]))
			return;
		n = n * 10 + (v[i] - '0');
	}
	st->cur.content_length = n;
}

/* Looks at one header line for the fields the mbox reader itself needs:
 * flags and Content-Length. */
static void
header_line(struct mbox_state *st, const char *line, size_t len)
{
	struct mbox_msg *m = &st->cur;
	const char *v;
	size_t vlen;

	if (len < 7)
		return;
	if ((v = header_value(line, len, "Status", &vlen)) != NULL) {
		if (!m->have_status)
			flags_from_status(m, v, vlen, FALSE);
		m->have_status = TRUE;
	} else if ((v = header_value(line, len, "X-Status", &vlen)) != NULL) {
		if (!m->have_xstatus)
			flags_from_status(m, v, vlen, TRUE);
		m->have_xstatus = TRUE;
	} else if ((v = header_value(line, len, "Content-Length",
				     &vlen)) != NULL) {
		header_content_length(st, v, vlen);
	} else if (g_ascii_strncasecmp(line, "X-Mozilla-Status", 16) == 0) {
		header_mozilla(st, line, len);
	}
}

/* Returns TRUE when offset is the end of the file or the start of a
 * separator, optionally after one blank line. */
static gboolean
cl_target_is_separator(struct mbox_state *st, gint64 offset)
{
	char buf[MBOX_FROM_LINE_MAX + 4];
	struct mbox_from from;
	ssize_t n;
	const char *p = buf, *nl;

	if (offset == st->file_size)
		return TRUE;
	if (offset > st->file_size)
		return FALSE;
	do {
		n = pread(st->fd, buf, sizeof(buf), offset);
	} while (n < 0 && errno == EINTR);
	if (n <= 0)
		return FALSE;
	if (n >= 1 && p[0] == '\n')
		p++;
	else if (n >= 2 && p[0] == '\r' && p[1] == '\n')
		p += 2;
	nl = memchr(p, '\n', (size_t)(buf + n - p));
	if (nl == NULL && buf + n < buf + sizeof(buf))
		nl = buf + n;     /* the separator is the file's last line */
	if (nl == NULL)
		return FALSE;
	return mbox_from_line_parse(p, (size_t)(nl - p), &from) !=
	       MBOX_FROM_NONE;
}

/* Ends the header block and decides whether Content-Length is honoured:
 * only when it lands exactly on a separator or the end of the file. */
static void
header_end(struct mbox_state *st, const struct mbox_piece *blank)
{
	struct mbox_msg *m = &st->cur;
	gint64 body_offset = blank->offset + (gint64)blank->len;
	gint64 target;

	m->in_header = FALSE;
	m->body_index = m->data->len + blank->len;
	if (m->content_length < 0)
		return;
	target = body_offset + m->content_length;
	if (cl_target_is_separator(st, target)) {
		st->cl_messages++;
		m->cl_remaining = m->content_length;
		if (m->cl_remaining == 0) {
			m->cl_remaining = -1;
			m->cl_closed = TRUE;
		}
		return;
	}
	m->cl_mismatch = TRUE;
	mbox_sink_result(st, mt_sink_anomalyf(
		st->sink, st->folder_id, MT_LEVEL_NOTE,
		"content-length-mismatch", m->offset, NULL,
		"'%s': Content-Length %" G_GINT64_FORMAT " of the message at "
		"offset %" G_GINT64_FORMAT " ends at offset %" G_GINT64_FORMAT
		", which is neither a From_ line nor the end of the file; the "
		"message is split at From_ lines instead", st->path,
		m->content_length, m->offset, target));
}

/* Returns the number of '>' before "From " at the start of line, or 0. */
static size_t
line_quote_depth(const char *line, size_t len)
{
	size_t i = 0;

	while (i < len && line[i] == '>')
		i++;
	if (i == 0 || len - i < 5 || memcmp(line + i, "From ", 5) != 0)
		return 0;
	return i;
}

static void
slack_add(struct mbox_state *st, const struct mbox_piece *p)
{
	struct mbox_slack *s = &st->slack;
	gint64 room = st->max_size - (gint64)s->data->len;

	if (s->length == 0) {
		s->offset = p->offset;
		g_free(s->reason);
		if (st->cur.active)
			s->reason = g_strdup_printf(
				"after the Content-Length body of the message "
				"at offset %" G_GINT64_FORMAT, st->cur.offset);
		else
			s->reason = g_strdup("before the first From_ line");
	}
	if (room > 0)
		g_byte_array_append(s->data, (const guint8 *)p->data,
				    (guint)MIN((gint64)p->len, room));
	s->length += (gint64)p->len;
}

static void
slack_close(struct mbox_state *st)
{
	struct mbox_slack *s = &st->slack;

	if (s->length == 0)
		return;
	if (s->length > (gint64)s->data->len)
		mbox_sink_result(st, mt_sink_anomalyf(
			st->sink, st->folder_id, MT_LEVEL_WARNING,
			"slack-truncated", s->offset, NULL,
			"'%s': only the first %u of %" G_GINT64_FORMAT
			" bytes %s were examined", st->path, s->data->len,
			s->length, s->reason));
	mbox_fragment_examine(st, (const char *)s->data->data, s->data->len,
			      s->offset, s->reason);
	g_byte_array_set_size(s->data, 0);
	s->length = 0;
}

/* Adds a line that belongs to no message: blank lines after a
 * Content-Length body are part of the separator, the rest is slack. */
static void
between_add(struct mbox_state *st, const struct mbox_piece *p)
{
	if (!(mbox_piece_is_blank(p) && st->slack.length == 0))
		slack_add(st, p);
}

/* Adds one line or piece to the current message. */
static void
line_add(struct mbox_state *st, const struct mbox_piece *p)
{
	struct mbox_msg *m = &st->cur;
	gboolean blank = mbox_piece_is_blank(p);
	size_t depth;

	if (!m->active || m->cl_closed) {
		between_add(st, p);
		return;
	}
	if (m->in_header && p->line_start) {
		if (blank)
			header_end(st, p);
		else
			header_line(st, p->data, p->len);
	}
	depth = 0;
	if (!m->in_header && p->line_start)
		depth = line_quote_depth(p->data, p->len);
	if (depth > 0) {
		/* mboxrd: one '>' was added in front of '>*From '. */
		gint64 at = (gint64)m->data->len;

		g_array_append_val(m->unquoted_at, at);
		if (depth > 1)
			st->multi_quoted++;
		msg_append(st, p->data + 1, p->len - 1);
	} else {
		msg_append(st, p->data, p->len);
	}
	if (p->line_end) {
		m->last_blank = blank;
		m->last_line_len = p->len;
	}
}

/* Reports the bytes before the first separator of a file that does not
 * start with one.  Blank lines there are dropped, and other bytes are
 * also examined as slack, so this anomaly is what records both. */
static void
leading_bytes_report(struct mbox_state *st, gint64 offset)
{
	gboolean blank_only = st->slack.length == 0;

	st->separator_seen = TRUE;
	if (offset == 0)
		return;
	mbox_sink_result(st, mt_sink_anomalyf(
		st->sink, st->folder_id,
		blank_only ? MT_LEVEL_NOTE : MT_LEVEL_WARNING,
		"mbox-leading-bytes", 0, NULL,
		"'%s': %" G_GINT64_FORMAT " bytes at offset 0 come before the "
		"first From_ line at offset %" G_GINT64_FORMAT "%s", st->path,
		offset, offset, blank_only ? " and are only blank lines" : ""));
}

static void
message_start(struct mbox_state *st, gint64 offset, size_t line_len,
	      const struct mbox_from *from)
{
	struct mbox_msg *m = &st->cur;

	if (!st->separator_seen)
		leading_bytes_report(st, offset);
	if (m->active)
		mbox_message_finish(st, FALSE);
	slack_close(st);
	msg_reset(m);
	m->active = TRUE;
	m->offset = offset;
	m->data_offset = offset + (gint64)line_len;
	m->from = *from;
	m->data = g_byte_array_new();
	m->unquoted_at = g_array_new(FALSE, FALSE, sizeof(gint64));
	m->in_header = TRUE;
}

/* Returns TRUE when the line after a separator candidate starts a
 * header block: a header field, or an older From_ line that a second
 * delivery agent quoted (">From x date") in front of the headers. */
static gboolean
line_starts_headers(const struct mbox_piece *next)
{
	struct mbox_from from;

	if (next == NULL || !next->line_start)
		return FALSE;
	if (stores_header_line_is_field(next->data, next->len))
		return TRUE;
	return next->len > 1 && next->len <= MBOX_FROM_LINE_MAX &&
	       next->data[0] == '>' &&
	       mbox_from_line_parse(next->data + 1, next->len - 1, &from) ==
		       MBOX_FROM_VALID;
}

/* Decides a pending candidate with the line after it (NULL at the end of
 * the file): the start of a header block makes it a separator. */
static void
pending_resolve(struct mbox_state *st, const struct mbox_piece *next)
{
	struct mbox_pending *pd = &st->pending;
	struct mbox_piece line;

	pd->active = FALSE;
	if (line_starts_headers(next)) {
		message_start(st, pd->offset, pd->len, &pd->from);
		return;
	}
	line.data = pd->line;
	line.len = pd->len;
	line.offset = pd->offset;
	line.line_start = TRUE;
	line.line_end = pd->len > 0 && pd->line[pd->len - 1] == '\n';
	line_add(st, &line);
}

/* Handles a line starting with "From ".  Returns TRUE when it was taken
 * as a separator or held for the next line. */
static gboolean
separator_check(struct mbox_state *st, const struct mbox_piece *p)
{
	struct mbox_from from;
	gboolean certain;

	if (!p->line_end && p->len >= MBOX_FROM_LINE_MAX)
		return FALSE;
	if (p->len > MBOX_FROM_LINE_MAX)
		return FALSE;
	if (mbox_from_line_parse(p->data, p->len, &from) == MBOX_FROM_NONE)
		return FALSE;

	/* Certain: a valid line at the start of the file, or any From_
	 * line where an honoured Content-Length body ended.  Every other
	 * candidate waits for the next line. */
	certain = st->cur.cl_closed ||
		  (from.kind == MBOX_FROM_VALID && !st->cur.active &&
		   st->slack.length == 0);
	if (certain) {
		message_start(st, p->offset, p->len, &from);
		return TRUE;
	}
	st->pending.active = TRUE;
	memcpy(st->pending.line, p->data, p->len);
	st->pending.len = p->len;
	st->pending.offset = p->offset;
	st->pending.from = from;
	return TRUE;
}

static void
line_count(struct mbox_state *st, const struct mbox_piece *p)
{
	if (!p->line_end)
		return;
	if (p->len >= 2 && p->data[p->len - 2] == '\r')
		st->crlf_lines++;
	else
		st->lf_lines++;
}

void
mbox_piece_handle(struct mbox_state *st, const struct mbox_piece *p)
{
	struct mbox_msg *m = &st->cur;

	line_count(st, p);

	/* Inside an honoured Content-Length body nothing is a separator
	 * and nothing is unquoted: mboxcl2 writers do not quote. */
	if (m->active && m->cl_remaining > 0) {
		msg_append(st, p->data, p->len);
		m->cl_remaining -= (gint64)p->len;
		if (m->cl_remaining == 0) {
			m->cl_remaining = -1;
			m->cl_closed = TRUE;
			st->rd.at_line_start = TRUE;
		}
		return;
	}
	if (st->pending.active)
		pending_resolve(st, p);
	if (p->line_start && p->len >= 5 && memcmp(p->data, "From ", 5) == 0 &&
	    separator_check(st, p))
		return;
	line_add(st, p);
}

void
mbox_read_failed(struct mbox_state *st)
{
	mbox_sink_result(st, mt_sink_anomalyf(
		st->sink, st->folder_id, MT_LEVEL_ERROR, "read-failed",
		st->rd.buf_offset + (gint64)st->rd.end, NULL,
		"'%s': read failed at offset %" G_GINT64_FORMAT ": %s; the "
		"rest of the file was not read", st->path,
		st->rd.buf_offset + (gint64)st->rd.end,
		g_strerror(st->rd.error)));
	mbox_damaged(st);
}

void
mbox_finish_file(struct mbox_state *st)
{
	if (st->pending.active)
		pending_resolve(st, NULL);
	if (st->cur.active)
		mbox_message_finish(st, TRUE);
	slack_close(st);
	if (st->messages == 0 && st->recovered == 0 && st->rc >= 0) {
		mbox_sink_result(st, mt_sink_anomalyf(
			st->sink, st->folder_id, MT_LEVEL_ERROR, "not-mbox", 0,
			NULL, "'%s': no From_ line found; the file is not an "
			"mbox", st->path));
		mbox_damaged(st);
	}
}
