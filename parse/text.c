/* SPDX-License-Identifier: MIT
 *
 * text.c - decoded text parts to UTF-8 with LF line ends, and the text of
 * an HTML part for messages that have no text/plain body.  Bytes that
 * are invalid in the declared charset are decoded through GMime's
 * fallback charsets and reported as a defect.
 */
#include <string.h>

#include "parse/parse-private.h"

size_t
parse_text_normalize_eol(char *text, size_t len)
{
	size_t out = 0;

	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\r') {
			text[out++] = '\n';
			if (i + 1 < len && text[i + 1] == '\n')
				i++;
			continue;
		}
		text[out++] = text[i];
	}
	if (out < len)
		text[out] = '\0';
	return out;
}

/* Converts with iconv; returns NULL when charset is unknown or a byte
 * is invalid in it. */
static char *
text_convert_strict(const unsigned char *data, size_t len,
		    const char *charset, gboolean *unknown_r)
{
	const char *iconv_name = g_mime_charset_iconv_name(charset);
	GIConv cd = g_iconv_open("UTF-8", iconv_name);
	GError *error = NULL;
	gsize written = 0;
	char *utf8;

	*unknown_r = cd == (GIConv)-1;
	if (*unknown_r)
		return NULL;
	utf8 = g_convert_with_iconv((const char *)data, (gssize)len, cd, NULL,
				    &written, &error);
	g_iconv_close(cd);
	if (error != NULL) {
		g_error_free(error);
		g_free(utf8);
		return NULL;
	}
	/* NUL bytes would end the text early; they are replaced. */
	for (gsize i = 0; i < written; i++)
		if (utf8[i] == '\0')
			utf8[i] = ' ';
	return utf8;
}

/* Decodes through GMime's fallback charsets (UTF-8, then Latin-1). */
static char *
text_convert_fallback(const unsigned char *data, size_t len)
{
	char *copy = g_malloc(len + 1);
	char *utf8;

	for (size_t i = 0; i < len; i++)
		copy[i] = data[i] != '\0' ? (char)data[i] : ' ';
	copy[len] = '\0';
	utf8 = g_mime_utils_decode_8bit(NULL, copy, len);
	g_free(copy);
	return utf8;
}

char *
parse_text_to_utf8(const unsigned char *data, size_t len,
		   const char *charset, const char *part,
		   struct mt_message *msg)
{
	gboolean unknown = FALSE;
	char *utf8 = NULL;

	if (charset == NULL || *charset == '\0')
		charset = g_utf8_validate((const char *)data, (gssize)len, NULL)
				  ? "UTF-8" : NULL;
	if (charset != NULL)
		utf8 = text_convert_strict(data, len, charset, &unknown);
	if (utf8 == NULL) {
		if (charset != NULL && msg != NULL)
			parse_defect(
				msg, "warning",
				unknown ? "unknown-charset"
					: "invalid-charset-bytes",
				unknown ? "%s: charset '%s' is unknown"
					: "%s: bytes invalid in charset '%s'",
				part, charset);
		utf8 = text_convert_fallback(data, len);
	}
	parse_text_normalize_eol(utf8, strlen(utf8));
	return utf8;
}

char *
parse_text_one_line(const char *s)
{
	char *clean;

	if (s == NULL)
		return NULL;
	clean = g_utf8_make_valid(s, -1);
	for (char *p = clean; *p != '\0'; p++)
		if (*p == '\r' || *p == '\n' || *p == '\t')
			*p = ' ';
	return clean;
}

static const struct {
	const char *name;
	const char *text;
} html_entities[] = {
	{ "amp", "&" }, { "lt", "<" }, { "gt", ">" }, { "quot", "\"" },
	{ "apos", "'" }, { "nbsp", " " }, { "copy", "\u00a9" },
	{ "reg", "\u00ae" }, { "euro", "\u20ac" }, { "hellip", "\u2026" },
	{ "ndash", "\u2013" }, { "mdash", "\u2014" },
};

/* Decodes the entity at p ("&amp;", "&#228;", "&#xe4;"); returns the
 * bytes used, 0 when p starts no known entity. */
static size_t
html_read_entity(const char *p, const char *end, GString *out)
{
	const char *semi = memchr(p, ';', (size_t)MIN(end - p, 12));
	size_t used;

	if (semi == NULL)
		return 0;
	used = (size_t)(semi - p) + 1;
	if (p[1] == '#') {
		gboolean hex = p[2] == 'x' || p[2] == 'X';
		gunichar c = (gunichar)g_ascii_strtoull(p + (hex ? 3 : 2), NULL,
							hex ? 16 : 10);

		if (c == 0 || !g_unichar_validate(c))
			return 0;
		g_string_append_unichar(out, c);
		return used;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(html_entities); i++) {
		size_t n = strlen(html_entities[i].name);

		if (n == used - 2 &&
		    strncmp(p + 1, html_entities[i].name, n) == 0) {
			g_string_append(out, html_entities[i].text);
			return used;
		}
	}
	return 0;
}

/* Skips one tag starting at '<'; returns the position after it.  Block
 * tags add a line break, script and style content is skipped. */
static const char *
html_skip_tag(const char *p, const char *end, GString *out)
{
	const char *close = memchr(p, '>', (size_t)(end - p));
	char name[8] = "";
	size_t n = 0;

	if (close == NULL)
		return end;
	for (const char *q = p + 1 + (p[1] == '/'); q < close && n < 7 &&
	     g_ascii_isalnum(*q); q++)
		name[n++] = g_ascii_tolower(*q);
	name[n] = '\0';
	if (strcmp(name, "br") == 0 || strcmp(name, "p") == 0 ||
	    strcmp(name, "div") == 0 || strcmp(name, "tr") == 0 ||
	    strcmp(name, "li") == 0)
		g_string_append_c(out, '\n');
	if (p[1] != '/' && (strcmp(name, "script") == 0 ||
			    strcmp(name, "style") == 0)) {
		const char *endtag = g_strstr_len(close, end - close, "</");

		while (endtag != NULL &&
		       g_ascii_strncasecmp(endtag + 2, name, n) != 0)
			endtag = g_strstr_len(endtag + 2, end - endtag - 2,
					      "</");
		if (endtag == NULL)
			return end;
		close = memchr(endtag, '>', (size_t)(end - endtag));
		if (close == NULL)
			return end;
	}
	return close + 1;
}

char *
parse_html_to_text(const char *html, size_t len)
{
	GString *out = g_string_sized_new(len / 2 + 1);
	const char *p = html, *end = html + len;

	while (p < end) {
		if (*p == '<') {
			p = html_skip_tag(p, end, out);
			continue;
		}
		if (*p == '&') {
			size_t used = html_read_entity(p, end, out);

			if (used > 0) {
				p += used;
				continue;
			}
		}
		g_string_append_c(out, *p);
		p++;
	}
	return g_string_free(out, FALSE);
}
