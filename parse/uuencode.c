/* SPDX-License-Identifier: MIT
 *
 * uuencode.c - uuencoded files inside text parts, as pre-MIME mailers
 * send them: 'begin <octal mode> <name>', data lines whose first
 * character gives the byte count, a '`' or ' ' line, then 'end'.  GMime
 * leaves these in the text, so they are cut out here and listed as
 * attachments with encoding 'uuencode'.
 */
#include <string.h>

#include "parse/parse-private.h"

#define UU_DEC(c) ((((unsigned char)(c)) - ' ') & 0x3f)

/* Reads "begin 644 name"; returns the name (new string) or NULL and
 * copies the octal mode digits into mode_r. */
static char *
uu_read_begin(const char *line, size_t len, char mode_r[5])
{
	size_t i = 6, digits = 0;

	if (len < 9 || strncmp(line, "begin ", 6) != 0)
		return NULL;
	while (i < len && line[i] >= '0' && line[i] <= '7' && digits < 4) {
		i++;
		digits++;
	}
	if (digits < 3 || i >= len || line[i] != ' ' || i + 1 >= len)
		return NULL;
	memcpy(mode_r, line + 6, digits);
	mode_r[digits] = '\0';
	while (len > i + 1 && (line[len - 1] == ' ' || line[len - 1] == '\t'))
		len--;
	return g_strndup(line + i + 1, len - i - 1);
}

/* Checks that a line can be uuencoded data for the count it declares. */
static gboolean
uu_line_valid(const char *line, size_t len)
{
	size_t count, needed;

	if (len == 0)
		return FALSE;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)line[i] < ' ' || (unsigned char)line[i] > '`')
			return FALSE;
	count = UU_DEC(line[0]);
	needed = (count + 2) / 3 * 4;
	/* Some mailers strip trailing spaces, which encode zero bits. */
	return len - 1 + 2 >= needed && len - 1 <= needed + 2;
}

static void
uu_decode_line(const char *line, size_t len, GByteArray *out)
{
	size_t count = UU_DEC(line[0]);
	size_t pos = 1;

	while (count > 0) {
		unsigned char c[4];
		guint8 bytes[3];

		for (int k = 0; k < 4; k++, pos++)
			c[k] = pos < len ? UU_DEC(line[pos]) : 0;
		bytes[0] = (guint8)(c[0] << 2 | c[1] >> 4);
		bytes[1] = (guint8)(c[1] << 4 | c[2] >> 2);
		bytes[2] = (guint8)(c[2] << 6 | c[3]);
		g_byte_array_append(out, bytes, (guint)MIN(count, 3));
		count -= MIN(count, 3);
	}
}

static size_t
uu_line_end(const char *p, size_t *len_r)
{
	const char *nl = strchr(p, '\n');
	size_t next = nl != NULL ? (size_t)(nl - p) + 1 : strlen(p);
	size_t len = nl != NULL ? (size_t)(nl - p) : next;

	if (len > 0 && p[len - 1] == '\r')
		len--;
	*len_r = len;
	return next;
}

/* Decodes the block whose begin line ends at p.  Returns the bytes used,
 * up to and including the 'end' line, or 0 when no data follows. */
static size_t
uu_read_block(const char *p, const char *name, const char *mode,
	      int parent, int depth, struct mt_message *msg)
{
	GByteArray *data = g_byte_array_new();
	size_t used = 0, len, next;
	gboolean ended = FALSE;
	int index;

	while (p[used] != '\0') {
		next = uu_line_end(p + used, &len);
		if (len == 3 && strncmp(p + used, "end", 3) == 0) {
			used += next;
			ended = TRUE;
			break;
		}
		if (!uu_line_valid(p + used, len))
			break;
		uu_decode_line(p + used, len, data);
		used += next;
	}
	if (used == 0) {
		g_byte_array_unref(data);
		return 0;
	}
	if (!ended)
		parse_defect(msg, "warning", "truncated-uuencode",
			     "uuencoded '%s' has no 'end' line; %u "
			     "bytes decoded", name, data->len);
	index = parse_attach_add(msg, data->data, data->len, name, parent,
				 depth);
	if (index >= 0) {
		struct mt_attachment *att =
			g_ptr_array_index(msg->attachments, index);

		att->encoding = g_strdup("uuencode");
		att->disposition = g_strdup("inline");
		att->unix_mode = g_strdup(mode);
	}
	g_byte_array_unref(data);
	return used;
}

char *
parse_uuencode_extract(const char *text, int parent, int depth,
		       struct mt_message *msg)
{
	GString *out = g_string_sized_new(strlen(text));
	const char *p = text;

	while (*p != '\0') {
		size_t len, next = uu_line_end(p, &len), used = 0;
		char mode[5];
		char *name = uu_read_begin(p, len, mode);

		if (name != NULL) {
			char *clean = parse_attach_clean_name(name, strlen(name),
							      msg);

			used = uu_read_block(p + next, clean, mode, parent,
					     depth, msg);
			g_free(clean);
			g_free(name);
		}
		if (used > 0) {
			p += next + used;
			continue;
		}
		g_string_append_len(out, p, (gssize)next);
		p += next;
	}
	return g_string_free(out, FALSE);
}
