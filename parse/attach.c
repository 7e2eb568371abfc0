/* SPDX-License-Identifier: MIT
 *
 * attach.c - describes attachment bytes: size, SHA-256, libmagic type and
 * description, and whether the file-name extension contradicts the
 * content.  libmagic is called once per cookie per attachment, and the
 * description also names zip, PDF and Office encryption.
 */
#include <string.h>

#include "parse/parse-private.h"

/* Extensions whose content libmagic identifies reliably, with the types
 * it may report for them (file 5.x).  A type listed with a trailing '/'
 * matches every subtype. */
static const struct {
	const char *ext;
	const char *types;   /* space-separated */
} ext_types[] = {
	{ "pdf", "application/pdf" },
	{ "zip", "application/zip application/x-zip-compressed" },
	{ "docx", "application/vnd.openxmlformats-officedocument."
		  "wordprocessingml.document application/zip" },
	{ "xlsx", "application/vnd.openxmlformats-officedocument."
		  "spreadsheetml.sheet application/zip" },
	{ "pptx", "application/vnd.openxmlformats-officedocument."
		  "presentationml.presentation application/zip" },
	{ "doc", "application/msword application/x-ole-storage "
		 "application/CDFV2 application/vnd.ms-office" },
	{ "xls", "application/vnd.ms-excel application/x-ole-storage "
		 "application/CDFV2 application/vnd.ms-office" },
	{ "ppt", "application/vnd.ms-powerpoint application/x-ole-storage "
		 "application/CDFV2 application/vnd.ms-office" },
	{ "msg", "application/vnd.ms-outlook application/x-ole-storage "
		 "application/CDFV2" },
	{ "png", "image/png" },
	{ "jpg", "image/jpeg" },
	{ "jpeg", "image/jpeg" },
	{ "gif", "image/gif" },
	{ "gz", "application/gzip application/x-gzip" },
	{ "7z", "application/x-7z-compressed" },
	{ "rar", "application/x-rar application/vnd.rar" },
	{ "exe", "application/x-dosexec "
		 "application/vnd.microsoft.portable-executable" },
	{ "txt", "text/" },
	{ "csv", "text/ application/csv" },
	{ "log", "text/" },
	{ "eml", "message/ text/" },
};

static gboolean
attach_type_listed(const char *types, const char *type)
{
	char **list = g_strsplit(types, " ", -1);
	gboolean found = FALSE;

	for (int i = 0; !found && list[i] != NULL; i++) {
		size_t n = strlen(list[i]);

		if (n > 0 && list[i][n - 1] == '/')
			found = g_ascii_strncasecmp(type, list[i], n) == 0;
		else
			found = g_ascii_strcasecmp(type, list[i]) == 0;
	}
	g_strfreev(list);
	return found;
}

/* An extension mismatch needs a known extension and a content type that
 * proves something: octet-stream and empty files prove nothing, and any
 * text type fits a text extension. */
static gboolean
attach_ext_mismatch(const char *filename, const char *magic_type)
{
	const char *dot;

	if (filename == NULL || magic_type == NULL)
		return FALSE;
	if (strcmp(magic_type, "application/octet-stream") == 0 ||
	    strcmp(magic_type, "application/x-empty") == 0 ||
	    strcmp(magic_type, "inode/x-empty") == 0)
		return FALSE;
	dot = strrchr(filename, '.');
	if (dot == NULL || dot[1] == '\0')
		return FALSE;
	for (size_t i = 0; i < G_N_ELEMENTS(ext_types); i++)
		if (g_ascii_strcasecmp(dot + 1, ext_types[i].ext) == 0)
			return !attach_type_listed(ext_types[i].types,
						   magic_type);
	return FALSE;
}

void
parse_describe_bytes(const unsigned char *data, size_t len,
		     const char *filename, struct mt_attachment *att)
{
	static const unsigned char empty[1];
	const char *note;

	if (data == NULL)
		data = empty;
	att->size = (gint64)len;
	parse_sha256_hex(data, len, att->sha256);
	g_free(att->magic_type);
	g_free(att->magic_desc);
	parse_magic_lookup(data, len, att->sha256, &att->magic_type,
			   &att->magic_desc);
	att->ext_mismatch = attach_ext_mismatch(filename, att->magic_type);

	/* libmagic does not report encrypted zip entries or PDFs, so the
	 * description gets the note that encrypted.c finds. */
	note = parse_encryption_note(data, len);
	if (note != NULL) {
		char *desc = g_strdup_printf("%s; %s", att->magic_desc != NULL
					     ? att->magic_desc : "data", note);

		g_free(att->magic_desc);
		att->magic_desc = desc;
	}
}

char *
parse_attach_clean_name(const char *name, size_t len, struct mt_message *msg)
{
	GString *out;
	gboolean replaced = FALSE;
	char *valid;

	if (name == NULL)
		return NULL;
	/* U+2400 SYMBOL FOR NULL replaces a NUL byte, because a C string
	 * cannot contain one. */
	out = g_string_sized_new(len);
	for (size_t i = 0; i < len; i++) {
		if (name[i] == '\0') {
			g_string_append(out, "\u2400");
			replaced = TRUE;
		} else {
			g_string_append_c(out, name[i]);
		}
	}
	if (!g_utf8_validate(out->str, (gssize)out->len, NULL)) {
		valid = g_utf8_make_valid(out->str, (gssize)out->len);
		g_string_assign(out, valid);
		g_free(valid);
		replaced = TRUE;
	}
	if (replaced && msg != NULL)
		parse_defect(msg, "warning", "attachment-name-bytes",
			     "attachment name '%s' had NUL or invalid "
			     "UTF-8 bytes, which were replaced",
			     out->str);
	return g_string_free(out, FALSE);
}

static gboolean
attach_limit_reported(const struct mt_message *msg)
{
	for (guint i = 0; i < msg->defects->len; i++) {
		const struct mt_defect *d = g_ptr_array_index(msg->defects, i);

		if (strcmp(d->code, "attachment-limit") == 0)
			return TRUE;
	}
	return FALSE;
}

int
parse_attach_add(struct mt_message *msg, const unsigned char *data,
		 size_t len, const char *filename, int parent, int depth)
{
	struct mt_attachment *att;

	if (msg->attachments->len >= PARSE_MAX_ATTACHMENTS) {
		if (attach_limit_reported(msg))
			return -1;
		parse_defect(msg, "error", "attachment-limit",
			     "more than %d attachments; '%s' (%zu "
			     "bytes) and later ones are not listed",
			     PARSE_MAX_ATTACHMENTS,
			     filename != NULL ? filename : "", len);
		return -1;
	}
	att = mt_message_add_attachment(msg);
	att->parent = parent;
	att->depth = depth;
	att->filename = g_strdup(filename);
	parse_describe_bytes(data, len, filename, att);
	return (int)msg->attachments->len - 1;
}
