/* SPDX-License-Identifier: MIT
 *
 * mime.c - the MIME tree of a parsed message: body text and attachments.
 * The first inline text/plain part of the top message is the body.  The
 * text of the first text/html part stands in when that part is missing
 * or blank.  Every leaf
 * with a file name, an 'attachment' disposition or a non-text type is an
 * attachment, every message/rfc822 part too (its own attachments are
 * listed beneath it).  Base64 is decoded here, not by GMime, so that a
 * final quantum without padding keeps its octets.  Nesting deeper than
 * PARSE_MAX_MIME_DEPTH is not walked and is reported.
 */
#define _GNU_SOURCE    /* memmem */
#include <string.h>

#include "parse/parse-private.h"

struct mime_walk {
	struct mt_message *msg;
	const char *data;        /* the bytes GMime parsed, for offsets */
	size_t len;
	gboolean have_text;
	char *html_text;         /* decoded first text/html body, UTF-8 */
	int part_number;         /* leaf parts seen, for defect details */
	gboolean depth_reported;
	const char *boundary;    /* of the multipart being walked, or NULL */
};

static GByteArray *
mime_stream_bytes(GMimeStream *stream)
{
	GMimeStream *mem = g_mime_stream_mem_new();
	GByteArray *bytes;

	if (stream != NULL) {
		g_mime_stream_reset(stream);
		g_mime_stream_write_to_stream(stream, mem);
	}
	bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
	g_object_unref(mem);
	return bytes;
}

/* Finds the bytes of a part inside the memory stream GMime parsed, to
 * decode them without a copy: the parser's part streams are substreams
 * that share the parent's array, bounded by bound_start and bound_end. */
static gboolean
mime_stream_span(GMimeStream *stream, const guint8 **start_r, size_t *len_r)
{
	GByteArray *array;
	gint64 start, end;

	if (stream == NULL || !GMIME_IS_STREAM_MEM(stream))
		return FALSE;
	array = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(stream));
	if (array == NULL)
		return FALSE;
	start = stream->bound_start;
	end = stream->bound_end < 0 ? (gint64)array->len : stream->bound_end;
	if (start < 0 || end < start || end > (gint64)array->len)
		return FALSE;
	*start_r = array->data + start;
	*len_r = (size_t)(end - start);
	return TRUE;
}

/* Decodes a leaf's content; base64 through parse_base64_decode. */
static GByteArray *
mime_part_decode(GMimePart *part, const char *label, struct mt_message *msg)
{
	GMimeDataWrapper *content = g_mime_part_get_content(part);
	GMimeStream *mem;
	GByteArray *raw, *bytes;

	if (content == NULL)
		return g_byte_array_new();
	if (g_mime_data_wrapper_get_encoding(content) ==
	    GMIME_CONTENT_ENCODING_BASE64) {
		GMimeStream *stream = g_mime_data_wrapper_get_stream(content);
		const guint8 *start;
		size_t len;

		if (mime_stream_span(stream, &start, &len))
			return parse_base64_decode(start, len, label, msg);
		raw = mime_stream_bytes(stream);
		bytes = parse_base64_decode(raw->data, raw->len, label, msg);
		g_byte_array_unref(raw);
		return bytes;
	}
	mem = g_mime_stream_mem_new();
	g_mime_data_wrapper_write_to_stream(content, mem);
	bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
	g_object_unref(mem);
	return bytes;
}

static void
mime_check_encoding(GMimeObject *object, const char *label,
		    struct mt_message *msg)
{
	const char *cte = g_mime_object_get_header(object,
						   "Content-Transfer-Encoding");
	char *value;

	if (cte == NULL)
		return;
	value = parse_header_unfold(cte);
	if (*value != '\0' && g_mime_content_encoding_from_string(value) ==
	    GMIME_CONTENT_ENCODING_DEFAULT)
		parse_defect(msg, "warning",
			     "unknown-transfer-encoding",
			     "%s: Content-Transfer-Encoding '%s' is "
			     "unknown; content kept as is", label,
			     value);
	g_free(value);
}

/* Reads the 'name' parameter from the raw Content-Type header, for a
 * type GMime rejected ("BINARY;name=x") and replaced without parameters. */
static char *
mime_raw_type_name(GMimeObject *object)
{
	const char *raw = g_mime_object_get_header(object, "Content-Type");
	const char *semicolon = raw != NULL ? strchr(raw, ';') : NULL;
	GMimeParamList *params;
	const char *name = NULL;
	char *copy = NULL;

	if (semicolon == NULL)
		return NULL;
	params = g_mime_param_list_parse(NULL, semicolon + 1);
	for (int i = 0; params != NULL &&
	     i < g_mime_param_list_length(params); i++) {
		GMimeParam *param = g_mime_param_list_get_parameter_at(params,
								       i);

		if (g_ascii_strcasecmp(g_mime_param_get_name(param),
				       "name") == 0)
			name = g_mime_param_get_value(param);
	}
	copy = g_strdup(name);
	if (params != NULL)
		g_object_unref(params);
	return copy;
}

/* Copies the raw header field at offset with every NUL byte replaced by
 * U+2400; returns NULL when the field contains no NUL. */
static char *
mime_field_without_nul(const struct mime_walk *w, gint64 offset)
{
	const char *p, *end;
	gboolean nul = FALSE;
	GString *out;

	if (offset < 0 || (size_t)offset >= w->len)
		return NULL;
	p = w->data + offset;
	end = w->data + MIN(w->len, (size_t)offset + 65536);
	for (const char *q = p; q < end; q++) {
		if (*q == '\n' && (q + 1 >= end || (q[1] != ' ' &&
						   q[1] != '\t'))) {
			end = q;
			break;
		}
		nul |= *q == '\0';
	}
	if (!nul)
		return NULL;
	out = g_string_sized_new((gsize)(end - p) + 8);
	for (const char *q = p; q < end; q++) {
		if (*q == '\0')
			g_string_append(out, "\u2400");
		else if (*q != '\r' && *q != '\n')
			g_string_append_c(out, *q);
	}
	return g_string_free(out, FALSE);
}

/* GMime ends a header value at a NUL byte, so a name such as
 * "evil<NUL>.exe" is read again from the raw field. */
static char *
mime_name_with_nul(struct mime_walk *w, GMimeObject *object,
		   const char *field, const char *param)
{
	GMimeHeader *header = g_mime_header_list_get_header(
		g_mime_object_get_header_list(object), field);
	char *raw, *semicolon, *value = NULL;
	GMimeParamList *params;

	if (header == NULL)
		return NULL;
	raw = mime_field_without_nul(w, g_mime_header_get_offset(header));
	semicolon = raw != NULL ? strchr(raw, ';') : NULL;
	if (semicolon == NULL) {
		g_free(raw);
		return NULL;
	}
	params = g_mime_param_list_parse(NULL, semicolon + 1);
	if (params != NULL && g_mime_param_list_get_parameter(params, param))
		value = g_strdup(g_mime_param_get_value(
			g_mime_param_list_get_parameter(params, param)));
	if (params != NULL)
		g_object_unref(params);
	if (value != NULL)
		parse_defect(w->msg, "warning", "nul-in-header",
			     "%s: NUL byte in '%s' shown as U+2400",
			     field, value);
	g_free(raw);
	return value;
}

static char *
mime_object_filename(struct mime_walk *w, GMimeObject *object)
{
	struct mt_message *msg = w->msg;
	const char *name = NULL;
	char *raw_name, *clean;

	raw_name = mime_name_with_nul(w, object, "Content-Disposition",
				      "filename");
	if (raw_name == NULL)
		raw_name = mime_name_with_nul(w, object, "Content-Type", "name");
	if (raw_name != NULL) {
		clean = parse_attach_clean_name(raw_name, strlen(raw_name),
						msg);
		g_free(raw_name);
		return clean;
	}
	if (GMIME_IS_PART(object))
		name = g_mime_part_get_filename(GMIME_PART(object));
	if (name == NULL)
		name = g_mime_object_get_content_disposition_parameter(
			object, "filename");
	if (name == NULL)
		name = g_mime_object_get_content_type_parameter(object, "name");
	if (name == NULL)
		name = raw_name = mime_raw_type_name(object);
	if (name == NULL)
		return NULL;
	clean = parse_attach_clean_name(name, strlen(name), msg);
	g_free(raw_name);
	return clean;
}

/* The type as the sender declared it, lower-cased: the first token of
 * the raw Content-Type header, or GMime's implied type without one. */
static char *
mime_declared_type(GMimeObject *object)
{
	const char *raw = g_mime_object_get_header(object, "Content-Type");
	GMimeContentType *type = g_mime_object_get_content_type(object);
	char *token, *lower;

	if (raw == NULL)
		return type != NULL ? g_mime_content_type_get_mime_type(type)
				    : NULL;
	token = g_strndup(raw, strcspn(raw, ";"));
	g_strstrip(token);
	lower = g_ascii_strdown(token, -1);
	g_free(token);
	token = parse_text_one_line(lower);
	g_free(lower);
	return token;
}

static void
mime_fill_attachment(GMimeObject *object, struct mt_attachment *att)
{
	GMimeContentDisposition *disposition =
		g_mime_object_get_content_disposition(object);

	att->declared_type = mime_declared_type(object);
	if (disposition != NULL &&
	    g_mime_content_disposition_get_disposition(disposition) != NULL) {
		char *lower = g_ascii_strdown(
			g_mime_content_disposition_get_disposition(disposition),
			-1);

		att->disposition = parse_text_one_line(lower);
		g_free(lower);
	}
	att->content_id = parse_text_one_line(
		g_mime_object_get_content_id(object));
	if (GMIME_IS_PART(object)) {
		GMimeContentEncoding enc =
			g_mime_part_get_content_encoding(GMIME_PART(object));
		const char *name = g_mime_content_encoding_to_string(enc);

		att->encoding = name != NULL ? g_strdup(name) : NULL;
	}
}

static gboolean
mime_is_tnef(GMimeObject *object, const char *filename, GByteArray *bytes)
{
	GMimeContentType *type = g_mime_object_get_content_type(object);

	if (bytes->len >= 4 && bytes->data[0] == 0x78 &&
	    bytes->data[1] == 0x9f && bytes->data[2] == 0x3e &&
	    bytes->data[3] == 0x22)
		return TRUE;
	if (type != NULL &&
	    (g_mime_content_type_is_type(type, "application", "ms-tnef") ||
	     g_mime_content_type_is_type(type, "application", "vnd.ms-tnef")))
		return TRUE;
	return filename != NULL && g_ascii_strcasecmp(filename,
						      "winmail.dat") == 0;
}

static void mime_walk_object(struct mime_walk *w, GMimeObject *object,
			     int parent, int depth, int nesting,
			     gboolean top);

/* A message sent as an encoded leaf (message/rfc822 in base64, or a .eml
 * file sent as application/octet-stream) is parsed from its decoded bytes
 * and its attachments listed beneath it. */
static void
mime_walk_encoded_message(struct mime_walk *w, GByteArray *bytes,
			  int index, int depth, int nesting)
{
	GMimeMessage *inner = parse_message_construct(
		(const char *)bytes->data, bytes->len, NULL);
	struct mt_attachment *att = g_ptr_array_index(w->msg->attachments,
						      index);
	const char *outer_data = w->data;
	size_t outer_len = w->len;

	if (inner == NULL)
		return;
	att->is_message = TRUE;
	/* Header offsets of the inner message point into its own bytes. */
	w->data = (const char *)bytes->data;
	w->len = bytes->len;
	if (g_mime_message_get_mime_part(inner) != NULL)
		mime_walk_object(w, g_mime_message_get_mime_part(inner), index,
				 depth + 1, nesting + 1, FALSE);
	w->data = outer_data;
	w->len = outer_len;
	g_object_unref(inner);
}

static gboolean
mime_is_encoded_message(GMimeObject *object, const char *magic_type)
{
	GMimeContentType *type = g_mime_object_get_content_type(object);

	if (type != NULL &&
	    (g_mime_content_type_is_type(type, "message", "rfc822") ||
	     g_mime_content_type_is_type(type, "message", "global")))
		return TRUE;
	return g_strcmp0(magic_type, "message/rfc822") == 0;
}

static void
mime_add_leaf(struct mime_walk *w, GMimePart *part, const char *label,
	      int parent, int depth, int nesting)
{
	char *filename = mime_object_filename(w, GMIME_OBJECT(part));
	GByteArray *bytes = mime_part_decode(part, label, w->msg);
	int index;

	index = parse_attach_add(w->msg, bytes->data, bytes->len, filename,
				 parent, depth);
	if (index >= 0) {
		mime_fill_attachment(GMIME_OBJECT(part),
				     g_ptr_array_index(w->msg->attachments,
						       index));
		struct mt_attachment *att =
			g_ptr_array_index(w->msg->attachments, index);

		if (mime_is_tnef(GMIME_OBJECT(part), filename, bytes) &&
		    depth < PARSE_MAX_MIME_DEPTH)
			parse_tnef_extract(bytes->data, bytes->len, index,
					   depth + 1, w->msg);
		else if (mime_is_encoded_message(GMIME_OBJECT(part),
						 att->magic_type) &&
			 nesting < PARSE_MAX_MIME_DEPTH)
			mime_walk_encoded_message(w, bytes, index, depth,
						  nesting);
	}
	g_byte_array_unref(bytes);
	g_free(filename);
}

static char *
mime_part_text(GMimePart *part, const char *label, struct mt_message *msg)
{
	GMimeContentType *type = g_mime_object_get_content_type(
		GMIME_OBJECT(part));
	GByteArray *bytes = mime_part_decode(part, label, msg);
	char *text;

	text = parse_text_to_utf8(bytes->data, bytes->len,
				  g_mime_content_type_get_parameter(type,
								    "charset"),
				  label, msg);
	g_byte_array_unref(bytes);
	return text;
}

/* An inline text part of the top message: the body, or more text that
 * may carry uuencoded files. */
static void
mime_add_text(struct mime_walk *w, GMimePart *part, const char *label,
	      gboolean html)
{
	char *text = mime_part_text(part, label, w->msg);

	if (html) {
		if (w->html_text == NULL) {
			w->msg->body_html_size = (gint64)strlen(text);
			w->html_text = text;
		} else {
			g_free(text);
		}
		return;
	}
	if (strstr(text, "begin ") != NULL) {
		char *rest = parse_uuencode_extract(text, -1, 0, w->msg);

		g_free(text);
		text = rest;
	}
	if (w->have_text) {
		g_free(text);
		return;
	}
	w->have_text = TRUE;
	g_free(w->msg->body_text);   /* a TNEF body read before this part */
	w->msg->body_text = text;
	w->msg->body_text_size = (gint64)strlen(text);
}

static gboolean
mime_is_attachment(GMimeObject *object, gboolean *html_r)
{
	GMimeContentType *type = g_mime_object_get_content_type(object);
	GMimeContentDisposition *disposition =
		g_mime_object_get_content_disposition(object);

	*html_r = FALSE;
	if (disposition != NULL &&
	    g_mime_content_disposition_is_attachment(disposition))
		return TRUE;
	if (g_mime_object_get_content_disposition_parameter(object,
							    "filename") ||
	    g_mime_object_get_content_type_parameter(object, "name"))
		return TRUE;
	if (type == NULL || g_mime_content_type_is_type(type, "text", "plain"))
		return FALSE;
	*html_r = g_mime_content_type_is_type(type, "text", "html");
	return !*html_r;
}

/* Finds the raw content of a message/rfc822 part in the parsed bytes:
 * from the blank line after its headers to the CRLF before the next
 * boundary of the enclosing multipart.  Returns FALSE when the part's
 * header offset is unknown. */
static gboolean
mime_message_part_range(const struct mime_walk *w, GMimeObject *part,
			const char **start_r, size_t *len_r)
{
	GMimeHeaderList *list = g_mime_object_get_header_list(part);
	const char *p, *end = w->data + w->len, *blank, *next;
	char *delimiter;
	gint64 offset;

	if (g_mime_header_list_get_count(list) == 0)
		return FALSE;
	offset = g_mime_header_get_offset(
		g_mime_header_list_get_header_at(list, 0));
	if (offset < 0 || (size_t)offset >= w->len)
		return FALSE;
	p = w->data + offset;
	blank = memmem(p, (size_t)(end - p), "\n\r\n", 3);
	next = memmem(p, (size_t)(end - p), "\n\n", 2);
	if (blank == NULL || (next != NULL && next < blank))
		blank = next;
	if (blank == NULL)
		return FALSE;
	p = blank + (blank[1] == '\r' ? 3 : 2);
	if (w->boundary == NULL) {
		*start_r = p;
		*len_r = (size_t)(end - p);
		return TRUE;
	}
	delimiter = g_strconcat("\n--", w->boundary, NULL);
	next = memmem(p, (size_t)(end - p), delimiter, strlen(delimiter));
	g_free(delimiter);
	if (next == NULL)
		next = end;
	else if (next > p && next[-1] == '\r')
		next--;
	*start_r = p;
	*len_r = (size_t)(next - p);
	return TRUE;
}

static void
mime_walk_message_part(struct mime_walk *w, GMimeMessagePart *part,
		       int parent, int depth, int nesting)
{
	GMimeMessage *inner = g_mime_message_part_get_message(part);
	GMimeStream *mem = g_mime_stream_mem_new();
	char *filename = mime_object_filename(w, GMIME_OBJECT(part));
	const char *raw;
	size_t raw_len;
	GByteArray *bytes;
	int index;

	/* The attached message is hashed as transmitted; GMime's own
	 * serialisation is the fallback and may differ from it. */
	if (mime_message_part_range(w, GMIME_OBJECT(part), &raw, &raw_len)) {
		index = parse_attach_add(w->msg, (const unsigned char *)raw,
					 raw_len, filename, parent, depth);
	} else {
		if (inner != NULL)
			g_mime_object_write_to_stream(GMIME_OBJECT(inner),
						      NULL, mem);
		bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
		index = parse_attach_add(w->msg, bytes->data, bytes->len,
					 filename, parent, depth);
		parse_defect(w->msg, "note", "attached-message-reserialized",
			     "attached message '%s' hashed as GMime writes it, "
			     "because its raw bytes were not found",
			     filename != NULL ? filename : "");
	}
	g_object_unref(mem);
	g_free(filename);
	if (index < 0)
		return;
	struct mt_attachment *att = g_ptr_array_index(w->msg->attachments,
						       index);

	mime_fill_attachment(GMIME_OBJECT(part), att);
	att->is_message = TRUE;
	if (inner != NULL && g_mime_message_get_mime_part(inner) != NULL)
		mime_walk_object(w, g_mime_message_get_mime_part(inner), index,
				 depth + 1, nesting + 1, FALSE);
}

static void
mime_walk_leaf(struct mime_walk *w, GMimePart *part, int parent, int depth,
	       int nesting, gboolean top)
{
	gboolean html;
	char label[48];

	g_snprintf(label, sizeof(label), "MIME part %d", ++w->part_number);
	mime_check_encoding(GMIME_OBJECT(part), label, w->msg);
	if (mime_is_attachment(GMIME_OBJECT(part), &html))
		mime_add_leaf(w, part, label, parent, depth, nesting);
	else if (top)
		mime_add_text(w, part, label, html);
}

static void
mime_walk_object(struct mime_walk *w, GMimeObject *object, int parent,
		 int depth, int nesting, gboolean top)
{
	if (nesting > PARSE_MAX_MIME_DEPTH) {
		if (!w->depth_reported)
			parse_defect(w->msg, "error",
				     "mime-nesting-limit",
				     "MIME parts nested deeper than "
				     "%d levels were not read",
				     PARSE_MAX_MIME_DEPTH);
		w->depth_reported = TRUE;
		return;
	}
	if (GMIME_IS_MULTIPART(object)) {
		GMimeMultipart *multipart = GMIME_MULTIPART(object);
		const char *outer = w->boundary;

		w->boundary = g_mime_multipart_get_boundary(multipart);
		for (int i = 0; i < g_mime_multipart_get_count(multipart); i++)
			mime_walk_object(w,
					 g_mime_multipart_get_part(multipart, i),
					 parent, depth, nesting + 1, top);
		w->boundary = outer;
	} else if (GMIME_IS_MESSAGE_PART(object)) {
		mime_walk_message_part(w, GMIME_MESSAGE_PART(object), parent,
				       depth, nesting);
	} else if (GMIME_IS_PART(object)) {
		mime_walk_leaf(w, GMIME_PART(object), parent, depth, nesting,
			       top);
	}
}

static gboolean
mime_text_blank(const char *text)
{
	for (const char *p = text; p != NULL && *p != '\0'; p++)
		if (!g_ascii_isspace(*p))
			return FALSE;
	return TRUE;
}

void
parse_mime_walk(GMimeMessage *message, const char *data, size_t len,
		struct mt_message *msg)
{
	struct mime_walk w = { msg, data, len, FALSE, NULL, 0, FALSE, NULL };
	GMimeObject *body = g_mime_message_get_mime_part(message);

	if (body != NULL)
		mime_walk_object(&w, body, -1, 0, 0, TRUE);
	/* A blank text/plain beside real HTML (some webmail sends one)
	 * gives way to the text of the HTML. */
	if (w.html_text != NULL && mime_text_blank(msg->body_text)) {
		g_free(msg->body_text);
		msg->body_text = parse_html_to_text(w.html_text,
						    strlen(w.html_text));
		msg->body_text_size = (gint64)strlen(msg->body_text);
	}
	g_free(w.html_text);
}
