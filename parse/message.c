/* SPDX-License-Identifier: MIT
 *
 * message.c - raw RFC 5322 bytes into struct mt_message through GMime 3.
 * The header section is bounded before GMime parses it: an over-long field
 * is cut and fields past PARSE_MAX_HEADER_FIELDS are dropped, each with a
 * defect.  GMime's parser warnings become defects with their offsets.
 */
#include <string.h>

#include "parse/parse-private.h"

/* Maximum GMime warnings recorded per message; the rest are counted. */
#define MESSAGE_MAX_WARNINGS 200

struct message_warnings {
	struct mt_message *msg;
	int count;
	gboolean headers_only;   /* a header block has no body to truncate */
};

static const char *
message_warning_code(GMimeParserWarning code)
{
	static const char *const names[] = {
		[GMIME_WARN_DUPLICATED_HEADER] = "duplicated-header",
		[GMIME_WARN_DUPLICATED_PARAMETER] = "duplicated-parameter",
		[GMIME_WARN_UNENCODED_8BIT_HEADER] = "unencoded-8bit-header",
		[GMIME_WARN_INVALID_CONTENT_TYPE] = "invalid-content-type",
		[GMIME_WARN_INVALID_RFC2047_HEADER_VALUE] =
			"invalid-rfc2047-header-value",
		[GMIME_WARN_MALFORMED_MULTIPART] = "malformed-multipart",
		[GMIME_WARN_TRUNCATED_MESSAGE] = "truncated-message",
		[GMIME_WARN_MALFORMED_MESSAGE] = "malformed-message",
		[GMIME_CRIT_INVALID_HEADER_NAME] = "invalid-header-name",
		[GMIME_CRIT_CONFLICTING_HEADER] = "conflicting-header",
		[GMIME_CRIT_CONFLICTING_PARAMETER] = "conflicting-parameter",
		[GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY] =
			"multipart-without-boundary",
		[GMIME_WARN_INVALID_PARAMETER] = "invalid-parameter",
		[GMIME_WARN_INVALID_ADDRESS_LIST] = "invalid-address-list",
		[GMIME_CRIT_NESTING_OVERFLOW] = "mime-nesting-overflow",
		[GMIME_WARN_PART_WITHOUT_CONTENT] = "part-without-content",
		[GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT] =
			"part-without-headers-or-content",
	};

	if ((unsigned)code >= G_N_ELEMENTS(names) || names[code] == NULL)
		return "mime-warning";
	return names[code];
}

/* Returns what a GMime parser warning means, for the anomaly detail. */
static const char *
message_warning_text(GMimeParserWarning code)
{
	static const char *const texts[] = {
		[GMIME_WARN_DUPLICATED_HEADER] = "a header appears twice",
		[GMIME_WARN_DUPLICATED_PARAMETER] =
			"a header parameter appears twice",
		[GMIME_WARN_UNENCODED_8BIT_HEADER] =
			"a header holds 8-bit bytes without RFC 2047 encoding",
		[GMIME_WARN_INVALID_CONTENT_TYPE] = "invalid Content-Type",
		[GMIME_WARN_INVALID_RFC2047_HEADER_VALUE] =
			"invalid RFC 2047 encoded word in a header",
		[GMIME_WARN_MALFORMED_MULTIPART] = "malformed multipart",
		[GMIME_WARN_TRUNCATED_MESSAGE] =
			"the message ends before its MIME structure does "
			"(closing boundary or part missing)",
		[GMIME_WARN_MALFORMED_MESSAGE] = "malformed message",
		[GMIME_CRIT_INVALID_HEADER_NAME] = "invalid header name",
		[GMIME_CRIT_CONFLICTING_HEADER] =
			"conflicting values of one header",
		[GMIME_CRIT_CONFLICTING_PARAMETER] =
			"conflicting values of one header parameter",
		[GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY] =
			"multipart without a boundary parameter",
		[GMIME_WARN_INVALID_PARAMETER] = "invalid header parameter",
		[GMIME_WARN_INVALID_ADDRESS_LIST] =
			"address list could not be fully parsed",
		[GMIME_CRIT_NESTING_OVERFLOW] = "MIME nesting too deep",
		[GMIME_WARN_PART_WITHOUT_CONTENT] = "MIME part without content",
		[GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT] =
			"MIME part without headers or content",
	};

	if ((unsigned)code >= G_N_ELEMENTS(texts) || texts[code] == NULL)
		return "MIME parser warning";
	return texts[code];
}

static void
message_on_warning(gint64 offset, GMimeParserWarning code, const char *item,
		   gpointer user_data)
{
	struct message_warnings *w = user_data;
	gboolean critical = code >= GMIME_CRIT_INVALID_HEADER_NAME &&
			    code != GMIME_WARN_INVALID_PARAMETER &&
			    code != GMIME_WARN_INVALID_ADDRESS_LIST &&
			    code != GMIME_WARN_PART_WITHOUT_CONTENT;
	GString *detail;
	char *clean;

	if (w->headers_only && code == GMIME_WARN_TRUNCATED_MESSAGE)
		return;
	if (++w->count > MESSAGE_MAX_WARNINGS)
		return;
	clean = item != NULL ? g_utf8_make_valid(item, MIN(strlen(item), 200))
			     : g_strdup("");
	for (char *p = clean; *p != '\0'; p++)
		if (*p == '\r' || *p == '\n')
			*p = ' ';
	detail = g_string_new(message_warning_text(code));
	if (offset >= 0)
		g_string_append_printf(detail, " at byte %" G_GINT64_FORMAT
				       " of the message", offset);
	if (clean[0] != '\0')
		g_string_append_printf(detail, ": '%s'", clean);
	parse_defect(w->msg,
		     critical || code == GMIME_WARN_TRUNCATED_MESSAGE
				      ? "warning" : "note",
		     message_warning_code(code), "%s", detail->str);
	g_string_free(detail, TRUE);
	g_free(clean);
}

/* Returns the length of the line at p (newline included). */
static size_t
message_line(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));

	return nl != NULL ? (size_t)(nl - p) + 1 : (size_t)(end - p);
}

static void
message_cut_field(GByteArray *out, const char *field, size_t len,
		  struct mt_message *msg)
{
	const char *colon = memchr(field, ':', MIN(len, 200));
	int name_len = colon != NULL ? (int)(colon - field) : 0;

	g_byte_array_append(out, (const guint8 *)field,
			    PARSE_MAX_HEADER_FIELD);
	g_byte_array_append(out, (const guint8 *)"\n", 1);
	/* Data is dropped here (recipients of a huge To: field), so this is
	 * an error and the ingest ends with the damaged-input status. */
	parse_defect(msg, "error", "header-field-truncated",
		     "header field '%.*s' of %zu bytes was cut to %d "
		     "bytes", name_len, field, len,
		     PARSE_MAX_HEADER_FIELD);
}

struct header_bound {
	const char *data;
	GByteArray *out;          /* NULL while no limit was hit */
	size_t fields, dropped;
};

/* Handles one whole field: copies, cuts or drops it once a limit hit. */
static void
message_bound_field(struct header_bound *b, const char *field, size_t flen,
		    size_t total, struct mt_message *msg)
{
	if (b->out == NULL && (flen > PARSE_MAX_HEADER_FIELD ||
			       b->fields >= PARSE_MAX_HEADER_FIELDS)) {
		b->out = g_byte_array_sized_new((guint)MIN(total, 64u << 20));
		g_byte_array_append(b->out, (const guint8 *)b->data,
				    (guint)(field - b->data));
	}
	if (b->out != NULL && b->fields >= PARSE_MAX_HEADER_FIELDS)
		b->dropped++;
	else if (b->out != NULL && flen > PARSE_MAX_HEADER_FIELD)
		message_cut_field(b->out, field, flen, msg);
	else if (b->out != NULL)
		g_byte_array_append(b->out, (const guint8 *)field, (guint)flen);
	b->fields++;
}

/* Copies data with the header section bounded; returns NULL when the
 * header section is within the limits and data can be used as is. */
static GByteArray *
message_bound_headers(const char *data, size_t len, struct mt_message *msg)
{
	struct header_bound b = { data, NULL, 0, 0 };
	const char *p = data, *end = data + len, *field = data;
	gboolean blank = FALSE;

	while (p < end && !blank) {
		size_t n = message_line(p, end);
		gboolean folded = p > data && (p[0] == ' ' || p[0] == '\t');

		blank = p[0] == '\n' || (p[0] == '\r' && n == 2);
		if (!folded && p > field) {
			message_bound_field(&b, field, (size_t)(p - field), len,
					    msg);
			field = p;
		}
		if (!blank)
			p += n;
	}
	/* A header section that runs to the end of the data. */
	if (!blank && p > field) {
		message_bound_field(&b, field, (size_t)(p - field), len, msg);
		field = p;
	}
	if (b.out == NULL)
		return NULL;
	if (b.dropped > 0)
		parse_defect(msg, "error", "header-fields-dropped",
			     "%zu header fields past the first %d "
			     "were not read", b.dropped,
			     PARSE_MAX_HEADER_FIELDS);
	g_byte_array_append(b.out, (const guint8 *)field,
			    (guint)(end - field));
	return b.out;
}

GMimeMessage *
parse_message_construct(const char *data, size_t len, GMimeParserOptions *options)
{
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(data, len);
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	GMimeMessage *message;

	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	message = g_mime_parser_construct_message(parser, options);
	g_object_unref(parser);
	g_object_unref(stream);
	return message;
}

static GMimeParserOptions *
message_options_new(struct message_warnings *warnings)
{
	GMimeParserOptions *options = g_mime_parser_options_new();

	g_mime_parser_options_set_warning_callback(options, message_on_warning,
						   warnings);
	return options;
}

static void
message_options_free(GMimeParserOptions *options,
		     struct message_warnings *warnings)
{
	g_mime_parser_options_free(options);
	if (warnings->count > MESSAGE_MAX_WARNINGS)
		parse_defect(warnings->msg, "note",
			     "mime-warnings-suppressed",
			     "%d more MIME parser warnings were not "
			     "recorded", warnings->count -
			     MESSAGE_MAX_WARNINGS);
}

static gboolean
message_has_headers(GMimeMessage *message)
{
	return message != NULL &&
	       g_mime_header_list_get_count(g_mime_object_get_header_list(
		       GMIME_OBJECT(message))) > 0;
}

int
parse_message_bytes(const char *data, size_t len, struct mt_message *msg)
{
	struct message_warnings warnings = { msg, 0, FALSE };
	GMimeParserOptions *options = message_options_new(&warnings);
	GByteArray *bounded;
	GMimeMessage *message;
	int rc = 0;

	msg->size = (gint64)len;
	parse_sha256_hex(data, len, msg->sha256);
	bounded = message_bound_headers(data, len, msg);
	if (bounded != NULL) {
		data = (const char *)bounded->data;
		len = bounded->len;
	}
	message = parse_message_construct(data, len, options);
	if (!message_has_headers(message)) {
		parse_defect(msg, "error", "no-header",
			     "no RFC 5322 header could be read from "
			     "%" G_GINT64_FORMAT " bytes", msg->size);
		rc = -1;
	} else {
		msg->has_transport_headers = TRUE;
		parse_header_read(GMIME_OBJECT(message), options, FALSE, msg);
		parse_mime_walk(message, data, len, msg);
		parse_content_key(msg);
	}
	if (message != NULL)
		g_object_unref(message);
	if (bounded != NULL)
		g_byte_array_unref(bounded);
	message_options_free(options, &warnings);
	return rc;
}

void
parse_transport_headers(const char *headers, size_t len,
			struct mt_message *msg)
{
	struct message_warnings warnings = { msg, 0, TRUE };
	GMimeParserOptions *options = message_options_new(&warnings);
	GByteArray *block = g_byte_array_sized_new((guint)len + 2);
	GByteArray *bounded;
	GMimeMessage *message;

	/* A blank line ends the block even when the store left it off. */
	g_byte_array_append(block, (const guint8 *)headers, (guint)len);
	g_byte_array_append(block, (const guint8 *)"\n\n", 2);
	bounded = message_bound_headers((const char *)block->data, block->len,
					msg);
	if (bounded != NULL) {
		g_byte_array_unref(block);
		block = bounded;
	}
	message = parse_message_construct((const char *)block->data, block->len,
				    options);
	if (message_has_headers(message)) {
		msg->has_transport_headers = TRUE;
		parse_header_read(GMIME_OBJECT(message), options, TRUE, msg);
	}
	if (message != NULL)
		g_object_unref(message);
	g_byte_array_unref(block);
	message_options_free(options, &warnings);
}
