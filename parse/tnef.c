/* SPDX-License-Identifier: MIT
 *
 * tnef.c - the files inside a TNEF stream (winmail.dat, application/
 * ms-tnef), decoded with bounds checks on every length.  The stream is a
 * signature and a key, then attributes of level, id, length, data and
 * checksum.  Each attachment starts at attAttachRendData; its name is
 * PR_ATTACH_LONG_FILENAME from the attAttachment MAPI block when present,
 * else the 8.3 attAttachTitle.  The message body (attBody, PR_BODY,
 * PR_HTML or PR_RTF_COMPRESSED) is used when the MIME text part is
 * missing or blank.  A length past the end stops the walk with
 * a defect; files read up to then are still listed.
 */
#include <string.h>

#include "parse/parse-private.h"

#define TNEF_SIGNATURE       0x223E9F78u
#define TNEF_LEVEL_ATTACH    2
#define ATT_ATTACH_REND_DATA 0x9002
#define ATT_ATTACH_TITLE     0x8010
#define ATT_ATTACH_DATA      0x800F
#define ATT_ATTACHMENT       0x9005
#define ATT_BODY             0x800C
#define ATT_MAPI_PROPS       0x9003
#define TNEF_LEVEL_MESSAGE   1

#define PR_BODY                  0x1000
#define PR_RTF_COMPRESSED        0x1009
#define PR_HTML                  0x1013
#define PR_DISPLAY_NAME          0x3001
#define PR_ATTACH_DATA_OBJ       0x3701
#define PR_ATTACH_FILENAME       0x3704
#define PR_ATTACH_LONG_FILENAME  0x3707
#define PR_ATTACH_MIME_TAG       0x370E
#define PR_ATTACH_CONTENT_ID     0x3712

#define PT_OBJECT   0x000D
#define PT_STRING8  0x001E
#define PT_UNICODE  0x001F
#define PT_BINARY   0x0102
#define MV_FLAG     0x1000

struct tnef_reader {
	const guint8 *data;
	size_t len, pos;
};

struct tnef_file {
	char *title;           /* attAttachTitle, 8.3 name */
	char *long_name;       /* PR_ATTACH_LONG_FILENAME */
	char *display_name;    /* PR_DISPLAY_NAME */
	char *mime_tag;
	char *content_id;
	const guint8 *bytes;   /* attAttachData, borrowed from the stream */
	size_t size;
	const guint8 *object;  /* PR_ATTACH_DATA_OBJ as PT_OBJECT */
	size_t object_size;
	gboolean started;
	char *body;            /* message level: attBody or PR_BODY */
	const guint8 *html;    /* message level: PR_HTML */
	size_t html_size;
	const guint8 *rtf;     /* message level: PR_RTF_COMPRESSED */
	size_t rtf_size;
};

static gboolean
tnef_read(struct tnef_reader *r, size_t n, const guint8 **p_r)
{
	if (n > r->len - r->pos)
		return FALSE;
	*p_r = r->data + r->pos;
	r->pos += n;
	return TRUE;
}

static gboolean
tnef_read_u32(struct tnef_reader *r, guint32 *v_r)
{
	const guint8 *p;

	if (!tnef_read(r, 4, &p))
		return FALSE;
	*v_r = (guint32)p[0] | (guint32)p[1] << 8 | (guint32)p[2] << 16 |
	       (guint32)p[3] << 24;
	return TRUE;
}

static char *
tnef_string(const guint8 *p, size_t len, guint16 type)
{
	GError *error = NULL;
	char *s;

	if (type == PT_UNICODE) {
		glong units = (glong)(len / 2);
		gunichar2 *copy = g_new(gunichar2, units + 1);

		for (glong i = 0; i < units; i++)
			copy[i] = (gunichar2)(p[2 * i] | p[2 * i + 1] << 8);
		copy[units] = 0;
		s = g_utf16_to_utf8(copy, -1, NULL, NULL, &error);
		g_free(copy);
		if (s != NULL)
			return s;
		g_error_free(error);
		return NULL;
	}
	/* 8-bit strings carry no charset here; GMime's fallback decode
	 * reads them as UTF-8, else Latin-1.  The name stops at a NUL. */
	char *copy = g_strndup((const char *)p, len);

	s = g_mime_utils_decode_8bit(NULL, copy, strlen(copy));
	g_free(copy);
	return s;
}

static void
tnef_file_clear(struct tnef_file *f)
{
	g_free(f->title);
	g_free(f->long_name);
	g_free(f->display_name);
	g_free(f->mime_tag);
	g_free(f->content_id);
	g_free(f->body);
	memset(f, 0, sizeof(*f));
}

/* Bytes a fixed-size MAPI value takes in TNEF, 0 for unknown types. */
static size_t
tnef_fixed_size(guint16 type)
{
	switch (type) {
	case 0x0002: case 0x0003: case 0x0004: case 0x000A: case 0x000B:
		return 4;
	case 0x0005: case 0x0006: case 0x0007: case 0x0014: case 0x0040:
		return 8;
	case 0x0048:
		return 16;
	default:
		return 0;
	}
}

static void
tnef_keep_value(struct tnef_file *f, guint16 id, guint16 type,
		const guint8 *p, size_t len)
{
	char **slot = NULL;

	if (id == PR_ATTACH_DATA_OBJ && type == PT_OBJECT) {
		f->object = p;
		f->object_size = len;
		return;
	}
	if (id == PR_ATTACH_DATA_OBJ && type == PT_BINARY && f->bytes == NULL) {
		f->bytes = p;
		f->size = len;
		return;
	}
	if (id == PR_HTML && type == PT_BINARY) {
		f->html = p;
		f->html_size = len;
		return;
	}
	if (id == PR_RTF_COMPRESSED && type == PT_BINARY) {
		f->rtf = p;
		f->rtf_size = len;
		return;
	}
	if (type != PT_UNICODE && type != PT_STRING8)
		return;
	if (id == PR_ATTACH_LONG_FILENAME)
		slot = &f->long_name;
	else if (id == PR_DISPLAY_NAME)
		slot = &f->display_name;
	else if (id == PR_ATTACH_MIME_TAG)
		slot = &f->mime_tag;
	else if (id == PR_ATTACH_CONTENT_ID)
		slot = &f->content_id;
	else if (id == PR_BODY)
		slot = &f->body;
	else if (id == PR_ATTACH_FILENAME && f->title == NULL)
		slot = &f->title;
	if (slot != NULL && *slot == NULL)
		*slot = tnef_string(p, len, type);
}

/* Skips a named property's GUID and name or id. */
static gboolean
tnef_skip_name(struct tnef_reader *r)
{
	const guint8 *p;
	guint32 kind, n;

	if (!tnef_read(r, 16, &p) || !tnef_read_u32(r, &kind))
		return FALSE;
	if (kind == 0)
		return tnef_read_u32(r, &n);
	if (!tnef_read_u32(r, &n) || n > r->len)
		return FALSE;
	return tnef_read(r, (n + 3) & ~3u, &p);
}

static gboolean
tnef_read_prop(struct tnef_reader *r, struct tnef_file *f)
{
	const guint8 *p;
	guint32 tag, count = 1, n;
	guint16 type, base, id;

	if (!tnef_read_u32(r, &tag))
		return FALSE;
	type = (guint16)(tag & 0xffff);
	id = (guint16)(tag >> 16);
	base = type & ~MV_FLAG;
	if (id >= 0x8000 && !tnef_skip_name(r))
		return FALSE;
	gboolean variable = base == PT_STRING8 || base == PT_UNICODE ||
			    base == PT_BINARY || base == PT_OBJECT;

	if (((type & MV_FLAG) || variable) && !tnef_read_u32(r, &count))
		return FALSE;
	if (count > r->len)
		return FALSE;
	for (guint32 i = 0; i < count; i++) {
		if (!variable) {
			size_t size = tnef_fixed_size(base);

			if (size == 0 || !tnef_read(r, size, &p))
				return FALSE;
			continue;
		}
		if (!tnef_read_u32(r, &n) || n > r->len - r->pos)
			return FALSE;
		p = r->data + r->pos;
		if (i == 0)
			tnef_keep_value(f, id, base, p, n);
		if (!tnef_read(r, ((size_t)n + 3) & ~(size_t)3, &p))
			r->pos = r->len;
	}
	return TRUE;
}

/* Reads an attAttachment block of MAPI properties into f. */
static gboolean
tnef_read_props(const guint8 *data, size_t len, struct tnef_file *f)
{
	struct tnef_reader r = { data, len, 0 };
	guint32 count;

	if (!tnef_read_u32(&r, &count))
		return FALSE;
	for (guint32 i = 0; i < count; i++)
		if (!tnef_read_prop(&r, f))
			return FALSE;
	return TRUE;
}

static void
tnef_emit(struct tnef_file *f, int parent, int depth, struct mt_message *msg)
{
	const char *name = f->long_name != NULL ? f->long_name
			 : f->display_name != NULL && f->title == NULL
			   ? f->display_name : f->title;
	const guint8 *bytes = f->bytes;
	size_t size = f->size;
	gboolean embedded = bytes == NULL && f->object_size > 16;
	int index;

	if (!f->started)
		return;
	/* An embedded message is a 16-byte interface id and a TNEF stream. */
	if (embedded) {
		bytes = f->object + 16;
		size = f->object_size - 16;
	}
	index = parse_attach_add(msg, bytes, size, name, parent, depth);
	if (index < 0)
		return;
	struct mt_attachment *att = g_ptr_array_index(msg->attachments, index);

	if (f->long_name != NULL && f->title != NULL)
		att->short_filename = g_strdup(f->title);
	att->declared_type = parse_text_one_line(f->mime_tag);
	att->content_id = parse_text_one_line(f->content_id);
	att->encoding = g_strdup("tnef");
	att->is_message = embedded;
	if (embedded && depth < PARSE_MAX_MIME_DEPTH)
		parse_tnef_extract(bytes, size, index, depth + 1, msg);
}

static void
tnef_read_attribute(guint16 id, const guint8 *p, size_t len,
		    struct tnef_file *f, int parent, int depth,
		    struct mt_message *msg)
{
	if (id == ATT_ATTACH_REND_DATA) {
		tnef_emit(f, parent, depth, msg);
		tnef_file_clear(f);
		f->started = TRUE;
	} else if (id == ATT_ATTACH_TITLE && f->title == NULL) {
		f->title = tnef_string(p, len, PT_STRING8);
	} else if (id == ATT_ATTACH_DATA) {
		f->bytes = p;
		f->size = len;
	} else if (id == ATT_ATTACHMENT && !tnef_read_props(p, len, f)) {
		parse_defect(msg, "warning", "invalid-tnef-properties",
			     "TNEF attachment property block of %zu "
			     "bytes is damaged; names may be missing",
			     len);
	}
}

/* Reads the message-level attributes that can carry the body. */
static void
tnef_read_message_attribute(guint16 id, const guint8 *p, size_t len,
			    struct tnef_file *m, struct mt_message *msg)
{
	if (id == ATT_BODY && m->body == NULL)
		m->body = tnef_string(p, len, PT_STRING8);
	else if (id == ATT_MAPI_PROPS && !tnef_read_props(p, len, m))
		parse_defect(msg, "warning", "invalid-tnef-properties",
			     "TNEF message property block of %zu bytes is "
			     "damaged; the body may be missing", len);
}

static gboolean
tnef_text_blank(const char *text)
{
	for (const char *p = text; p != NULL && *p != '\0'; p++)
		if (!g_ascii_isspace(*p))
			return FALSE;
	return TRUE;
}

/* Outlook's rich-text mail may carry its body only inside winmail.dat;
 * it becomes the body when the MIME text part is missing or blank. */
static void
tnef_use_body(struct tnef_file *m, struct mt_message *msg)
{
	char *text = NULL;

	if (!tnef_text_blank(msg->body_text))
		return;
	if (!tnef_text_blank(m->body)) {
		text = g_strdup(m->body);
	} else if (m->html != NULL) {
		char *html = parse_text_to_utf8(m->html, m->html_size, NULL,
						"TNEF PR_HTML", msg);

		msg->body_html_size = (gint64)strlen(html);
		text = parse_html_to_text(html, strlen(html));
		g_free(html);
	} else if (m->rtf != NULL) {
		text = parse_rtf_compressed_to_text(m->rtf, m->rtf_size);
		if (text == NULL)
			parse_defect(msg, "warning", "invalid-rtf-body",
				     "TNEF compressed RTF body of %zu bytes "
				     "cannot be decompressed", m->rtf_size);
	}
	if (text == NULL)
		return;
	parse_text_normalize_eol(text, strlen(text));
	g_free(msg->body_text);
	msg->body_text = text;
	msg->body_text_size = (gint64)strlen(text);
}

static gboolean
tnef_checksum_ok(const guint8 *p, size_t len, const guint8 *sum)
{
	guint16 total = 0;

	for (size_t i = 0; i < len; i++)
		total = (guint16)(total + p[i]);
	return total == (guint16)(sum[0] | sum[1] << 8);
}

int
parse_tnef_extract(const unsigned char *data, size_t len, int parent,
		   int depth, struct mt_message *msg)
{
	struct tnef_reader r = { data, len, 0 };
	struct tnef_file f = { 0 }, m = { 0 };
	guint before = msg->attachments->len;
	guint32 signature, id, size;
	const guint8 *p, *level, *sum;

	if (!tnef_read_u32(&r, &signature) || signature != TNEF_SIGNATURE ||
	    !tnef_read(&r, 2, &p)) {
		parse_defect(msg, "warning", "invalid-tnef",
			     "TNEF part of %zu bytes lacks the TNEF "
			     "signature", len);
		return 0;
	}
	while (r.pos < r.len) {
		if (!tnef_read(&r, 1, &level) || !tnef_read_u32(&r, &id) ||
		    !tnef_read_u32(&r, &size) || !tnef_read(&r, size, &p) ||
		    !tnef_read(&r, 2, &sum)) {
			parse_defect(msg, "warning", "truncated-tnef",
				     "TNEF stream ends inside an "
				     "attribute at offset %zu", r.pos);
			break;
		}
		if (!tnef_checksum_ok(p, size, sum))
			parse_defect(msg, "note", "tnef-checksum",
				     "TNEF attribute 0x%08x has a "
				     "wrong checksum", id);
		if (level[0] == TNEF_LEVEL_ATTACH)
			tnef_read_attribute((guint16)(id & 0xffff), p, size,
					    &f, parent, depth, msg);
		else if (level[0] == TNEF_LEVEL_MESSAGE)
			tnef_read_message_attribute((guint16)(id & 0xffff), p,
						    size, &m, msg);
	}
	tnef_emit(&f, parent, depth, msg);
	tnef_file_clear(&f);
	/* Only winmail.dat of the top message (depth 1) carries its body. */
	if (depth == 1)
		tnef_use_body(&m, msg);
	tnef_file_clear(&m);
	return (int)(msg->attachments->len - before);
}
