/* SPDX-License-Identifier: MIT
 *
 * mbox-message.c - finishing mbox messages and carving what lies between
 * them.  A run of NUL bytes ends a message, and so does a Content-Length
 * end that is followed by another header block.  The bytes after either
 * become a recovered message when they start with a header block.
 * Otherwise they are reported as slack.
 */
#define _GNU_SOURCE       /* memmem */
#include <string.h>

#include "extract/mbox-private.h"

/* Maps a position in the current message's kept data back to a file
 * offset, counting the '>' characters removed by unquoting before it. */
static gint64
data_file_offset(const struct mbox_msg *m, size_t index)
{
	gint64 removed = 0;

	for (guint i = 0; i < m->unquoted_at->len; i++)
		if (g_array_index(m->unquoted_at, gint64, i) <= (gint64)index)
			removed++;
	return m->data_offset + (gint64)index + removed;
}

/* Finds the first run of at least MBOX_NUL_RUN_MIN NUL bytes in
 * data[from, len).  Returns TRUE and its bounds. */
static gboolean
nul_run_find(const char *data, size_t len, size_t from, size_t *start_r,
	     size_t *end_r)
{
	size_t i = from;

	while (i < len) {
		const char *z = memchr(data + i, '\0', len - i);
		size_t start, end;

		if (z == NULL)
			return FALSE;
		start = end = (size_t)(z - data);
		while (end < len && data[end] == '\0')
			end++;
		if (end - start >= MBOX_NUL_RUN_MIN) {
			*start_r = start;
			*end_r = end;
			return TRUE;
		}
		i = end;
	}
	return FALSE;
}

static gint64
nul_count(const char *data, size_t len)
{
	gint64 count = 0;
	const char *p = data, *end = data + len;

	if (len == 0)
		return 0;     /* an empty GByteArray has data NULL */
	while ((p = memchr(p, '\0', (size_t)(end - p))) != NULL) {
		count++;
		p++;
	}
	return count;
}

/* Copies the top-level multipart boundary of a message into out ("" when
 * there is none).  Only the unfolded Content-Type of the header block
 * is read. */
static void
boundary_find(const char *data, size_t len, char *out, size_t out_len)
{
	const char *p = data, *end = data + len;
	GString *ct = NULL;

	out[0] = '\0';
	while (p < end) {
		const char *nl;
		size_t line_len = stores_line_length(p, end, &nl);

		if (line_len > 0 && p[line_len - 1] == '\r')
			line_len--;
		if (line_len == 0)
			break;
		if (ct != NULL && (p[0] == ' ' || p[0] == '\t'))
			g_string_append_len(ct, p, (gssize)line_len);
		else if (ct != NULL)
			break;
		else if (line_len > 13 &&
			 g_ascii_strncasecmp(p, "Content-Type:", 13) == 0)
			ct = g_string_new_len(p + 13, (gssize)line_len - 13);
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	if (ct == NULL)
		return;
	{
		char *lower = g_ascii_strdown(ct->str, -1);
		char *b = strstr(lower, "boundary=");

		if (strstr(lower, "multipart/") != NULL && b != NULL) {
			const char *v = ct->str + (b - lower) + 9;
			size_t n = 0;

			if (*v == '"') {
				v++;
				while (v[n] != '\0' && v[n] != '"')
					n++;
			} else {
				while (v[n] != '\0' && v[n] != ';' &&
				       !g_ascii_isspace(v[n]))
					n++;
			}
			if (n > 0 && n < out_len) {
				memcpy(out, v, n);
				out[n] = '\0';
			}
		}
		g_free(lower);
	}
	g_string_free(ct, TRUE);
}

/* Returns TRUE when a multipart message lacks its closing delimiter. */
static gboolean
multipart_unterminated(const char *data, size_t len)
{
	char boundary[80], close[84];

	boundary_find(data, len, boundary, sizeof(boundary));
	if (boundary[0] == '\0')
		return FALSE;
	g_snprintf(close, sizeof(close), "--%s--", boundary);
	/* memmem, because g_strstr_len() stops at the first NUL byte. */
	return memmem(data, len, close, strlen(close)) == NULL;
}

static void
message_emit(struct mbox_state *st, const char *data, size_t len,
	     gint64 full_len)
{
	struct mbox_msg *m = &st->cur;
	struct mt_message *msg = mt_message_new();

	msg->locator = g_strdup_printf("%soffset=%" G_GINT64_FORMAT,
					st->locator_prefix, m->offset);
	msg->byte_offset = m->offset;
	msg->flag_seen = m->seen;
	msg->flag_replied = m->replied;
	msg->flag_flagged = m->flagged;
	msg->flag_draft = m->draft;
	msg->flag_passed = m->passed;
	msg->flag_deleted = m->deleted || m->expunged;
	if (m->expunged)
		msg->status = MT_STATUS_EXPUNGED;
	else if (m->deleted || st->folder_role == MT_FOLDER_DELETED ||
		 st->folder_role == MT_FOLDER_RECOVERABLE)
		msg->status = MT_STATUS_DELETED;
	if (m->from.utc != MT_TIME_NONE)
		mt_message_add_time(msg, MT_TIME_MBOX_FROM_LINE, m->from.utc,
				    m->from.offset_min, m->from.zone_known,
				    m->from.date_raw);
	if (m->flag_problem != NULL)
		mt_message_add_defect(msg, "warning", "invalid-flags", "%s",
				      m->flag_problem);
	mbox_sink_result(st, stores_message_emit(st->sink, st->folder_id,
						 data, len, full_len, msg));
	st->messages++;
}

/* Reports what is wrong with the message as a whole before it is cut:
 * size over the limit, NUL bytes, an end inside the header block or
 * before the closing MIME boundary of the file's last message. */
static void
message_check(struct mbox_state *st, gboolean at_eof)
{
	struct mbox_msg *m = &st->cur;
	const char *data = (const char *)m->data->data;
	gint64 nuls = nul_count(data, m->data->len);
	const char *place = NULL;

	if (m->length > (gint64)m->data->len) {
		mbox_sink_result(st, mt_sink_anomalyf(
			st->sink, st->folder_id, MT_LEVEL_WARNING,
			"message-truncated", m->offset, NULL,
			"'%s': the message at offset %" G_GINT64_FORMAT " is %"
			G_GINT64_FORMAT " bytes; only the first %u were kept "
			"(maximum message size)", st->path, m->offset,
			m->length, m->data->len));
		mbox_damaged(st);
	}
	if (nuls > 0)
		mbox_sink_result(st, mt_sink_anomalyf(
			st->sink, st->folder_id, MT_LEVEL_NOTE, "nul-bytes",
			m->offset, NULL, "'%s': the message at offset %"
			G_GINT64_FORMAT " contains %" G_GINT64_FORMAT
			" NUL bytes", st->path, m->offset, nuls));
	if (!at_eof)
		return;
	if (m->in_header && m->length > 0)
		place = "inside its header block";
	else if (m->length == (gint64)m->data->len &&
		 multipart_unterminated(data, m->data->len))
		place = "before the closing MIME boundary";
	if (place == NULL)
		return;
	mbox_sink_result(st, mt_sink_anomalyf(
		st->sink, st->folder_id, MT_LEVEL_WARNING, "mbox-truncated",
		m->offset, NULL, "'%s': the file ends %s of the message at "
		"offset %" G_GINT64_FORMAT "; the message was stored as far "
		"as it goes", st->path, place, m->offset));
	mbox_damaged(st);
}

static int fragment_key_fields(const char *data, size_t len);

/* Returns the position where a message whose Content-Length was not
 * honoured really ends: at the Content-Length end when a header block
 * of another message starts there (its From_ line overwritten or never
 * written), else at len. */
static size_t
cl_end_find(struct mbox_state *st, const char *data, size_t len)
{
	const struct mbox_msg *m = &st->cur;
	size_t end, start;

	if (!m->cl_mismatch || (st->opts != NULL && st->opts->no_recover))
		return len;
	if (m->content_length > (gint64)(len - m->body_index))
		return len;
	end = m->body_index + (size_t)m->content_length;
	start = end;
	while (start < len && (data[start] == '\0' ||
			       g_ascii_isspace(data[start])))
		start++;
	if (start == len || fragment_key_fields(data + start,
						len - start) < 2)
		return len;
	return end;
}

/* Reports each NUL run in data[0, len), the first at [start, end), and
 * examines the bytes after each run up to the next one. */
static void
nul_runs_examine(struct mbox_state *st, const char *data, size_t len,
		 size_t start, size_t end)
{
	struct mbox_msg *m = &st->cur;
	size_t next_start, next_end;
	gboolean more = TRUE;

	while (more && st->rc >= 0) {
		gint64 run_offset = data_file_offset(m, start);
		char *reason;

		mbox_sink_result(st, mt_sink_anomalyf(
			st->sink, st->folder_id, MT_LEVEL_WARNING, "nul-run",
			run_offset, NULL, "'%s': %zu NUL bytes at offset %"
			G_GINT64_FORMAT " inside the message at offset %"
			G_GINT64_FORMAT "; the message is cut there and the "
			"bytes after them are examined on their own", st->path,
			end - start, run_offset, m->offset));
		mbox_damaged(st);
		more = nul_run_find(data, len, end, &next_start, &next_end);
		reason = g_strdup_printf("after %zu NUL bytes at offset %"
					 G_GINT64_FORMAT, end - start,
					 run_offset);
		mbox_fragment_examine(st, data + end,
				      (more ? next_start : len) - end,
				      data_file_offset(m, end), reason);
		g_free(reason);
		start = next_start;
		end = next_end;
	}
}

void
mbox_message_finish(struct mbox_state *st, gboolean at_eof)
{
	struct mbox_msg *m = &st->cur;
	const char *data;
	size_t len, start, end, cl_end;

	/* The blank line before the next From_ line (or the end of the
	 * file) belongs to the separator, not to the message. */
	if (m->last_blank && !m->cl_closed && !m->in_header) {
		m->length -= (gint64)m->last_line_len;
		if ((gint64)m->data->len > m->length)
			g_byte_array_set_size(m->data, (guint)m->length);
	}
	message_check(st, at_eof);
	data = (const char *)m->data->data;
	len = m->data->len;

	/* The message ends at the first NUL run or where a header block
	 * follows its Content-Length end, whichever comes first. */
	cl_end = cl_end_find(st, data, len);
	if (nul_run_find(data, cl_end, 0, &start, &end)) {
		message_emit(st, data, start, -1);
		nul_runs_examine(st, data, cl_end, start, end);
	} else {
		message_emit(st, data, cl_end, cl_end < len ? -1 : m->length);
	}
	if (cl_end < len && st->rc >= 0) {
		char *reason = g_strdup_printf(
			"after the Content-Length end of the message at "
			"offset %" G_GINT64_FORMAT, m->offset);

		mbox_fragment_examine(st, data + cl_end, len - cl_end,
				      data_file_offset(m, cl_end), reason);
		g_free(reason);
	}
	m->active = FALSE;
}

/* Counts which of From, Date and Message-ID the header block at the start
 * of data contains.  Returns 0 when data starts with no header field. */
static int
fragment_key_fields(const char *data, size_t len)
{
	static const char *const keys[] = { "from:", "date:", "message-id:" };
	gboolean found[3] = { FALSE, FALSE, FALSE };
	const char *p = data, *end = data + MIN(len, (size_t)65536);
	int count = 0;

	while (p < end) {
		const char *nl;
		size_t line_len = stores_line_length(p, end, &nl);

		if (line_len == 0 || (line_len == 1 && p[0] == '\r'))
			break;
		if (p[0] != ' ' && p[0] != '\t') {
			if (!stores_header_line_is_field(p, line_len))
				break;
			for (int k = 0; k < 3; k++)
				if (line_len > strlen(keys[k]) &&
				    g_ascii_strncasecmp(p, keys[k],
							strlen(keys[k])) == 0)
					found[k] = TRUE;
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	for (int k = 0; k < 3; k++)
		count += found[k];
	return count;
}

static void
fragment_emit(struct mbox_state *st, const char *data, size_t len,
	      gint64 offset, const struct mbox_from *from, const char *reason)
{
	struct mt_message *msg = mt_message_new();

	msg->locator = g_strdup_printf("%soffset=%" G_GINT64_FORMAT,
					st->locator_prefix, offset);
	msg->byte_offset = offset;
	msg->status = MT_STATUS_RECOVERED;
	msg->recovery_note = g_strdup_printf(
		"carved from %zu bytes at offset %" G_GINT64_FORMAT " %s; no "
		"From_ separator leads to it, so it may be incomplete", len,
		offset, reason);
	if (from->utc != MT_TIME_NONE)
		mt_message_add_time(msg, MT_TIME_MBOX_FROM_LINE, from->utc,
				    from->offset_min, from->zone_known,
				    from->date_raw);
	mbox_sink_result(st, stores_message_emit(st->sink, st->folder_id,
						 data, len, -1, msg));
	st->recovered++;
}

void
mbox_fragment_examine(struct mbox_state *st, const char *data, size_t len,
		      gint64 offset, const char *reason)
{
	struct mbox_from from;
	size_t skip = 0;
	const char *nl;

	while (skip < len && (data[skip] == '\0' ||
			      g_ascii_isspace(data[skip])))
		skip++;
	if (skip == len)
		return;    /* only NUL bytes and white space */
	data += skip;
	len -= skip;
	offset += (gint64)skip;
	if (st->opts != NULL && st->opts->no_recover) {
		mbox_sink_result(st, mt_sink_anomalyf(
			st->sink, st->folder_id, MT_LEVEL_NOTE,
			"slack-not-examined", offset, NULL,
			"'%s': %zu bytes at offset %" G_GINT64_FORMAT " %s "
			"belong to no message and were not examined "
			"(recovery is off)", st->path, len, offset, reason));
		return;
	}

	/* A From_ line that lost its place still dates the fragment, and a
	 * damaged one ("From " and garbage) is skipped all the same. */
	nl = memchr(data, '\n', MIN(len, (size_t)MBOX_FROM_LINE_MAX));
	mbox_from_line_parse(data, nl != NULL ? (size_t)(nl - data) : 0,
			     &from);
	if (nl != NULL && len >= 5 && memcmp(data, "From ", 5) == 0) {
		size_t line_len = (size_t)(nl - data) + 1;

		data += line_len;
		len -= line_len;
		offset += (gint64)line_len;
	}
	if (fragment_key_fields(data, len) >= 2) {
		fragment_emit(st, data, len, offset, &from, reason);
		return;
	}
	mbox_sink_result(st, mt_sink_anomalyf(
		st->sink, st->folder_id, MT_LEVEL_WARNING, "mbox-slack",
		offset, NULL, "'%s': %zu bytes at offset %" G_GINT64_FORMAT
		" %s belong to no message and do not start with a header "
		"block", st->path, len, offset, reason));
}
