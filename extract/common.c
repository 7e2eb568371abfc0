/* SPDX-License-Identifier: MIT
 *
 * common.c - pieces the mbox, Maildir and EML readers share: recognising
 * RFC 5322 header fields, scoring a file start as a message, and handing
 * raw message bytes through the parser to the sink.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "extract/stores-private.h"
#include "parse/parse.h"

gint64
stores_max_message(const struct mt_extract_options *opts)
{
	if (opts == NULL || opts->max_message_size <= 0)
		return STORES_DEFAULT_MAX_MESSAGE;
	return opts->max_message_size;
}

gboolean
stores_header_line_is_field(const char *line, size_t len)
{
	size_t i;

	/* RFC 5322 2.2: ftext is printable US-ASCII except ':'. */
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];

		if (c == ':')
			break;
		if (c < 33 || c > 126)
			return FALSE;
	}
	return i > 0 && i < len;
}

/* Fields at least one of which every real message carries. */
static const char *const common_fields[] = {
	"from", "date", "message-id", "received", "return-path",
	"mime-version", "subject", "to", "delivered-to", "sender",
	"x-mozilla-status", "content-type",
};

static gboolean
field_is_common(const char *line, size_t len)
{
	const char *colon = memchr(line, ':', len);
	size_t name_len = colon != NULL ? (size_t)(colon - line) : 0;

	for (size_t i = 0; i < G_N_ELEMENTS(common_fields); i++)
		if (strlen(common_fields[i]) == name_len &&
		    g_ascii_strncasecmp(line, common_fields[i],
					name_len) == 0)
			return TRUE;
	return FALSE;
}

int
stores_eml_head_score(const unsigned char *head, size_t len)
{
	const char *p = (const char *)head;
	const char *end = p + len;
	int fields = 0, common = 0;
	gboolean block_ended = FALSE;

	/* Some Windows tools write a UTF-8 byte order mark first. */
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (p < end) {
		const char *nl;
		size_t line_len = stores_line_length(p, end, &nl);

		if (line_len > 0 && p[line_len - 1] == '\r')
			line_len--;
		if (line_len == 0) {
			block_ended = nl != NULL;
			break;
		}
		if (p[0] == ' ' || p[0] == '\t') {
			if (fields == 0)
				return 0;
		} else if (stores_header_line_is_field(p, line_len)) {
			fields++;
			if (field_is_common(p, line_len))
				common++;
		} else if (nl != NULL) {
			return 0;   /* a complete line that is no field */
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	if (fields == 0 || common == 0)
		return 0;
	return block_ended && common >= 2 ? 70 : 50;
}

int
stores_message_emit(const struct mt_sink *sink, gint64 folder_id,
		    const char *data, size_t len, gint64 full_size,
		    struct mt_message *msg)
{
	if (parse_message_bytes(data, len, msg) < 0) {
		mt_message_add_defect(msg, "error", "not-a-message",
				      "no header could be read from %zu bytes",
				      len);
		msg->size = (gint64)len;
		parse_sha256_hex(data, len, msg->sha256);
	}
	if (full_size > (gint64)len)
		msg->size = full_size;
	return sink->message(sink->ctx, folder_id, msg);
}

char *
stores_name_display(const char *raw)
{
	GString *out = g_string_new(NULL);
	const char *p = raw;

	while (*p != '\0') {
		gunichar c = g_utf8_get_char_validated(p, -1);

		if (c == (gunichar)-1 || c == (gunichar)-2 || c < 0x20 ||
		    c == 0x7f || c == '\\') {
			if (*p == '\\')
				g_string_append(out, "\\\\");
			else
				g_string_append_printf(out, "\\x%02x",
						       (unsigned char)*p);
			p++;
			continue;
		}
		g_string_append_unichar(out, c);
		p = g_utf8_next_char(p);
	}
	return g_string_free(out, FALSE);
}

int
stores_file_read(const char *path, gint64 max_size, char **data_r,
		 size_t *len_r, gint64 *full_size_r)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat sb;
	size_t want, got = 0;
	char *data;

	if (fd < 0)
		return -1;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		int saved = S_ISREG(sb.st_mode) ? errno : EINVAL;

		close(fd);
		errno = saved;
		return -1;
	}
	want = (size_t)MIN((gint64)sb.st_size, max_size);
	data = g_malloc(want + 1);
	while (got < want) {
		ssize_t n = read(fd, data + got, want - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int saved = errno;

			g_free(data);
			close(fd);
			errno = saved;
			return -1;
		}
		if (n == 0)
			break;     /* the file shrank while being read */
		got += (size_t)n;
	}
	close(fd);
	data[got] = '\0';
	*data_r = data;
	*len_r = got;
	*full_size_r = sb.st_size;
	return 0;
}
