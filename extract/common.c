/* SPDX-License-Identifier: MIT
 *
 * common.c - pieces the mbox, Maildir and EML readers share: recognising
 * RFC 5322 header fields, scoring a file start as a message, and handing
 * raw message bytes through the parser to the sink.
 */
#include <dirent.h>
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
	"x-mozilla-status", "content-type", "references", "in-reply-to",
	"reply-to", "cc", "dkim-signature", "arc-seal",
	"arc-message-signature", "arc-authentication-results",
	"authentication-results", "x-received", "thread-index",
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

	/* Some Windows tools write a UTF-8 byte order mark first, and
	 * some exporters blank lines. */
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	p += stores_blank_lines_length(p, (size_t)(end - p), NULL);
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

size_t
stores_blank_lines_length(const char *data, size_t len, int *count_r)
{
	size_t i = 0;
	int count = 0;

	while (i < len) {
		if (data[i] == '\n')
			i += 1;
		else if (data[i] == '\r' && i + 1 < len && data[i + 1] == '\n')
			i += 2;
		else
			break;
		count++;
	}
	if (count_r != NULL)
		*count_r = count;
	return i;
}

/* Parses data, skipping blank lines before the header block: GMime
 * would read them as an empty header block.  The record's size and
 * hash still cover every byte. */
static int
message_parse(const char *data, size_t len, struct mt_message *msg)
{
	int blank_lines;
	size_t skip = stores_blank_lines_length(data, len, &blank_lines);
	int rc;

	if (skip == 0 || skip == len)
		return parse_message_bytes(data, len, msg);
	rc = parse_message_bytes(data + skip, len - skip, msg);
	mt_message_add_defect(msg, "note", "leading-blank-lines",
			      "%d blank lines (%zu bytes) come before the "
			      "header block and were skipped for parsing",
			      blank_lines, skip);
	msg->size = (gint64)len;
	parse_sha256_hex(data, len, msg->sha256);
	return rc;
}

int
stores_message_emit(const struct mt_sink *sink, gint64 folder_id,
		    const char *data, size_t len, gint64 full_size,
		    struct mt_message *msg)
{
	/* GMime rejects an empty buffer with a GLib critical. */
	if (len == 0) {
		mt_message_add_defect(msg, "warning", "empty-message",
				      "the message has no bytes after its "
				      "separator or file start");
		msg->size = 0;
		parse_sha256_hex("", 0, msg->sha256);
	} else if (message_parse(data, len, msg) < 0) {
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

static int
name_compare(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

GPtrArray *
stores_dir_list(const char *dir, int *errno_r)
{
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	DIR *d = opendir(dir);
	struct dirent *e;

	*errno_r = 0;
	if (d == NULL) {
		*errno_r = errno;
		return names;
	}
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			g_ptr_array_add(names, g_strdup(e->d_name));
	closedir(d);
	g_ptr_array_sort(names, name_compare);
	return names;
}
