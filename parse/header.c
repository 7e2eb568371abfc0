/* SPDX-License-Identifier: MIT
 *
 * header.c - one RFC 5322 header section into struct mt_message: ids,
 * subject, Date, Received times and address fields.  GMime decodes the
 * RFC 2047 words and joins adjacent words of one charset.  This file
 * checks their charsets itself, so that a broken one becomes a defect
 * that carries the raw value.
 */
#include <string.h>

#include "parse/parse-private.h"

char *
parse_header_unfold(const char *raw)
{
	GString *out = g_string_sized_new(raw != NULL ? strlen(raw) : 0);

	for (const char *p = raw; p != NULL && *p != '\0'; p++)
		if (*p != '\r' && *p != '\n')
			g_string_append_c(out, *p);
	return g_strstrip(g_string_free(out, FALSE));
}

/* Makes a decoded value safe to store: valid UTF-8, no CR or LF. */
static char *
header_clean_value(const char *value, const char *field,
		   struct mt_message *msg)
{
	char *clean;

	if (value == NULL)
		return NULL;
	if (g_utf8_validate(value, -1, NULL)) {
		clean = g_strdup(value);
	} else {
		clean = g_utf8_make_valid(value, -1);
		parse_defect(msg, "warning", "invalid-utf8-header",
			     "%s: value is not valid UTF-8", field);
	}
	for (char *p = clean; *p != '\0'; p++)
		if (*p == '\r' || *p == '\n')
			*p = ' ';
	return g_strchug(clean);
}

/* Decodes the payload of one encoded-word (B or Q) into out. */
static void
header_decode_word(char encoding, const char *text, size_t len,
		   GByteArray *out)
{
	if (encoding == 'B' || encoding == 'b') {
		GByteArray *bytes = parse_base64_decode(
			(const unsigned char *)text, len, NULL, NULL);

		g_byte_array_append(out, bytes->data, bytes->len);
		g_byte_array_unref(bytes);
		return;
	}
	for (size_t i = 0; i < len; i++) {
		guint8 c = (guint8)text[i];

		if (c == '_') {
			c = ' ';
		} else if (c == '=' && i + 2 < len &&
			   g_ascii_isxdigit(text[i + 1]) &&
			   g_ascii_isxdigit(text[i + 2])) {
			c = (guint8)(g_ascii_xdigit_value(text[i + 1]) * 16 +
				     g_ascii_xdigit_value(text[i + 2]));
			i += 2;
		}
		g_byte_array_append(out, &c, 1);
	}
}

/* Tries to convert bytes from charset; adds a defect when that fails. */
static gboolean
header_check_run(const char *charset, GByteArray *bytes, const char *raw,
		 const char *field, struct mt_message *msg)
{
	const char *iconv_name = g_mime_charset_iconv_name(charset);
	GIConv cd = g_iconv_open("UTF-8", iconv_name);
	GError *error = NULL;
	char *utf8, *value;

	if (cd == (GIConv)-1) {
		value = parse_header_unfold(raw);
		parse_defect(msg, "warning", "unknown-charset",
			     "%s: charset '%s' is unknown; raw value: %s",
			     field, charset, value);
		g_free(value);
		return TRUE;
	}
	utf8 = g_convert_with_iconv((const char *)bytes->data, bytes->len, cd,
				    NULL, NULL, &error);
	g_iconv_close(cd);
	g_free(utf8);
	if (error == NULL)
		return FALSE;
	value = parse_header_unfold(raw);
	parse_defect(msg, "warning", "invalid-charset-bytes",
		     "%s: bytes invalid in charset '%s'; raw value: %s",
		     field, charset, value);
	g_free(value);
	g_error_free(error);
	return TRUE;
}

/* Parses "=?charset[*lang]?E?text?=" at p; returns the end or NULL. */
static const char *
header_read_word(const char *p, char **charset_r, char *encoding_r,
		 const char **text_r, size_t *text_len_r)
{
	const char *cs = p + 2, *q1, *q2, *end;

	q1 = strchr(cs, '?');
	if (q1 == NULL || q1 == cs || q1 - cs > 64 || q1[1] == '\0' ||
	    q1[2] != '?')
		return NULL;
	q2 = q1 + 2;
	end = strstr(q2 + 1, "?=");
	if (end == NULL)
		return NULL;
	*charset_r = g_strndup(cs, (gsize)(q1 - cs));
	/* RFC 2231 section 5 allows a language after '*'. */
	char *star = strchr(*charset_r, '*');

	if (star != NULL)
		*star = '\0';
	*encoding_r = q1[1];
	*text_r = q2 + 1;
	*text_len_r = (size_t)(end - (q2 + 1));
	return end + 2;
}

gboolean
parse_header_check_charsets(const char *raw, const char *field,
			    struct mt_message *msg)
{
	GByteArray *run = g_byte_array_new();
	char *run_charset = NULL;
	gboolean found = FALSE;
	const char *p = raw;

	while (p != NULL && (p = strstr(p, "=?")) != NULL) {
		char *charset = NULL, encoding = 0;
		const char *text, *end;
		size_t text_len;

		end = header_read_word(p, &charset, &encoding, &text,
				       &text_len);
		if (end == NULL) {
			p += 2;
			continue;
		}
		if (run_charset != NULL &&
		    g_ascii_strcasecmp(run_charset, charset) != 0) {
			found |= header_check_run(run_charset, run, raw, field,
						  msg);
			g_byte_array_set_size(run, 0);
		}
		g_free(run_charset);
		run_charset = charset;
		header_decode_word(encoding, text, text_len, run);
		p = end;
	}
	if (run_charset != NULL)
		found |= header_check_run(run_charset, run, raw, field, msg);
	g_free(run_charset);
	g_byte_array_unref(run);
	return found;
}

/* Joins the ids of an In-Reply-To or References value with spaces. */
static char *
header_read_ids(GMimeParserOptions *options, const char *raw,
		const char *field, struct mt_message *msg)
{
	GMimeReferences *refs = g_mime_references_parse(options, raw);
	GString *out = g_string_new(NULL);
	char *ids;

	for (int i = 0; refs != NULL && i < g_mime_references_length(refs);
	     i++) {
		if (out->len > 0)
			g_string_append_c(out, ' ');
		g_string_append(out, g_mime_references_get_message_id(refs, i));
	}
	if (refs != NULL)
		g_mime_references_free(refs);
	if (out->len == 0) {
		g_string_free(out, TRUE);
		return NULL;
	}
	ids = header_clean_value(out->str, field, msg);
	g_string_free(out, TRUE);
	return ids;
}

static char *
header_read_message_id(const char *raw, struct mt_message *msg)
{
	char *id = g_mime_utils_decode_message_id(raw);
	char *clean;

	if (id == NULL || *id == '\0') {
		g_free(id);
		id = parse_header_unfold(raw);
		if (*id == '\0') {
			g_free(id);
			return NULL;
		}
	}
	clean = header_clean_value(id, "Message-ID", msg);
	g_free(id);
	return clean;
}

static void
header_read_date(const char *raw, gboolean transport_only,
		 struct mt_message *msg)
{
	gint64 utc;
	int offset;
	gboolean zone_known;
	char *value = parse_header_unfold(raw);

	if (mt_message_find_time(msg, MT_TIME_DATE) != NULL) {
		if (!transport_only)
			parse_defect(msg, "note", "duplicate-date",
				     "second Date header ignored: %s",
				     value);
		g_free(value);
		return;
	}
	if (msg->date_raw == NULL)
		msg->date_raw = header_clean_value(value, "Date", msg);
	if (parse_date(value, &utc, &offset, &zone_known))
		mt_message_add_time(msg, MT_TIME_DATE, utc, offset,
				    zone_known, value);
	else
		parse_defect(msg, "warning", "invalid-date",
			     "Date header cannot be parsed: %s",
			     value);
	g_free(value);
}

/* Received headers are newest first: the first parseable one is the last
 * hop and the last parseable one the first hop.  With a single hop only
 * MT_TIME_RECEIVED_FIRST is recorded. */
static void
header_read_received(GPtrArray *values, struct mt_message *msg)
{
	int newest = -1, oldest = -1, unreadable = 0;
	const char *first_unreadable = NULL;
	gint64 utc[2];
	int offset[2];
	gboolean known[2];

	for (guint i = 0; i < values->len; i++) {
		const char *v = g_ptr_array_index(values, i);
		gint64 u;
		int o;
		gboolean k;

		if (!parse_received_date(v, &u, &o, &k)) {
			if (unreadable++ == 0)
				first_unreadable = v;
			continue;
		}
		int slot = newest < 0 ? 0 : 1;

		if (newest < 0)
			newest = (int)i;
		oldest = (int)i;
		utc[slot] = u;
		offset[slot] = o;
		known[slot] = k;
	}
	if (unreadable > 0)
		parse_defect(msg, "note", "invalid-received-date",
			     "%d of %u Received headers have no readable date, "
			     "the first: %.200s", unreadable, values->len,
			     first_unreadable);
	if (newest < 0)
		return;
	if (oldest == newest) {
		mt_message_add_time(msg, MT_TIME_RECEIVED_FIRST, utc[0],
				    offset[0], known[0],
				    g_ptr_array_index(values, newest));
		return;
	}
	mt_message_add_time(msg, MT_TIME_RECEIVED_FIRST, utc[1], offset[1],
			    known[1], g_ptr_array_index(values, oldest));
	mt_message_add_time(msg, MT_TIME_RECEIVED_LAST, utc[0], offset[0],
			    known[0], g_ptr_array_index(values, newest));
}

static const struct {
	const char *name;
	enum mt_address_kind kind;
} address_fields[] = {
	{ "From", MT_ADDR_FROM },
	{ "Sender", MT_ADDR_SENDER },
	{ "To", MT_ADDR_TO },
	{ "Cc", MT_ADDR_CC },
	{ "Bcc", MT_ADDR_BCC },
	{ "Reply-To", MT_ADDR_REPLY_TO },
	{ "Delivered-To", MT_ADDR_DELIVERED_TO },
	{ "X-Original-To", MT_ADDR_X_ORIGINAL_TO },
};

static gboolean
header_has_kind(const struct mt_message *msg, enum mt_address_kind kind)
{
	for (guint i = 0; i < msg->addresses->len; i++) {
		const struct mt_address *a =
			g_ptr_array_index(msg->addresses, i);

		if (a->kind == kind)
			return TRUE;
	}
	return FALSE;
}

/* Returns TRUE when name is an address field, after reading it. */
static gboolean
header_read_address(GMimeParserOptions *options, const char *name,
		    const char *raw, const guint8 *skip_kind,
		    struct mt_message *msg)
{
	for (size_t i = 0; i < G_N_ELEMENTS(address_fields); i++) {
		if (g_ascii_strcasecmp(name, address_fields[i].name) != 0)
			continue;
		if (!skip_kind[address_fields[i].kind])
			parse_address_list(options, raw,
					   address_fields[i].kind, msg);
		return TRUE;
	}
	return FALSE;
}

static void
header_read_subject(GMimeParserOptions *options, const char *raw,
		    struct mt_message *msg)
{

	GString *unfolded;
	char *decoded;

	if (msg->subject != NULL)
		return;
	if (strstr(raw, "=?") != NULL)
		parse_header_check_charsets(raw, "Subject", msg);
	/* Decoded from the raw value, because GMime's stored value loses
	 * trailing white space that is part of the subject as sent. */
	unfolded = g_string_sized_new(strlen(raw));
	for (const char *p = raw; *p != '\0'; p++)
		if (*p != '\r' && *p != '\n')
			g_string_append_c(unfolded, *p);
	decoded = g_mime_utils_header_decode_text(options, unfolded->str);
	msg->subject = header_clean_value(decoded, "Subject", msg);
	g_free(decoded);
	g_string_free(unfolded, TRUE);
}

static void
header_read_one(GMimeParserOptions *options, GMimeHeader *header,
		gboolean transport_only, const guint8 *skip_kind,
		GPtrArray *received, struct mt_message *msg)
{
	const char *name = g_mime_header_get_name(header);
	const char *raw = g_mime_header_get_raw_value(header);

	if (name == NULL || raw == NULL)
		return;
	if (header_read_address(options, name, raw, skip_kind, msg))
		return;
	if (g_ascii_strcasecmp(name, "Subject") == 0) {
		header_read_subject(options, raw, msg);
	} else if (g_ascii_strcasecmp(name, "Message-ID") == 0) {
		if (msg->message_id == NULL)
			msg->message_id = header_read_message_id(raw, msg);
	} else if (g_ascii_strcasecmp(name, "In-Reply-To") == 0) {
		if (msg->in_reply_to == NULL)
			msg->in_reply_to = header_read_ids(options, raw,
							   "In-Reply-To", msg);
	} else if (g_ascii_strcasecmp(name, "References") == 0) {
		if (msg->references == NULL)
			msg->references = header_read_ids(options, raw,
							  "References", msg);
	} else if (g_ascii_strcasecmp(name, "Date") == 0) {
		header_read_date(raw, transport_only, msg);
	} else if (g_ascii_strcasecmp(name, "Received") == 0) {
		g_ptr_array_add(received, parse_header_unfold(raw));
	}
}

void
parse_header_read(GMimeObject *object, GMimeParserOptions *options,
		  gboolean transport_only, struct mt_message *msg)
{
	GMimeHeaderList *list = g_mime_object_get_header_list(object);
	GPtrArray *received = g_ptr_array_new_with_free_func(g_free);
	guint8 skip_kind[MT_ADDR_X_ORIGINAL_TO + 1] = { 0 };
	gboolean had_received =
		mt_message_find_time(msg, MT_TIME_RECEIVED_FIRST) != NULL;

	/* Transport headers of a PST item fill only what MAPI left empty. */
	for (int k = 0; transport_only && k <= MT_ADDR_X_ORIGINAL_TO; k++)
		skip_kind[k] = header_has_kind(msg, (enum mt_address_kind)k);
	for (int i = 0; i < g_mime_header_list_get_count(list); i++)
		header_read_one(options,
				g_mime_header_list_get_header_at(list, i),
				transport_only, skip_kind, received, msg);
	if (!had_received)
		header_read_received(received, msg);
	g_ptr_array_unref(received);
}
