/* SPDX-License-Identifier: MIT
 *
 * pst-attach.c - attachments of a PST message, attached messages included.
 *
 * Data attachments are read in PST_CHUNK_SIZE pieces and hashed while
 * reading, so memory stays bounded whatever the declared size.  libmagic
 * gets the first PST_MAGIC_HEAD_MAX bytes.  An attached message becomes
 * one attachment row with is_message set, followed by its own attachments
 * one level deeper.  A failed attachment is a defect on the message.
 */
#include <stdio.h>
#include <string.h>

#include "extract/pst-private.h"
#include "parse/parse.h"

/* PR_ATTACH_METHOD value of an attached message (MS-OXCMSG 2.2.2.9). */
#define PST_ATTACH_EMBEDDED_MSG 5
/* PR_ATTACH_FLAGS: ATT_MHTML_REF, the attachment is rendered in the body. */
#define PST_ATT_MHTML_REF 0x4

struct pst_attach_props {
	char *long_name;
	char *short_name;
	char *display_name;
	char *mime_tag;
	char *content_id;
	uint32_t method;
	uint32_t size;
	uint32_t flags;
	uint32_t hidden;
};

static void
pst_attach_props_clear(struct pst_attach_props *p)
{
	g_free(p->long_name);
	g_free(p->short_name);
	g_free(p->display_name);
	g_free(p->mime_tag);
	g_free(p->content_id);
}

static char *
props_string(libpff_record_set_t *set, uint32_t type, GString *errors)
{
	char *value = NULL;
	char *detail = NULL;

	if (pst_set_string(set, type, &value, &detail) == -1)
		g_string_append_printf(errors, " 0x%04x: %s;", type, detail);
	g_free(detail);
	if (value != NULL && value[0] == '\0')
		g_clear_pointer(&value, g_free);
	return value;
}

static uint32_t
props_u32(libpff_record_set_t *set, uint32_t type, GString *errors)
{
	char *detail = NULL;
	uint32_t value = 0;

	if (pst_set_u32(set, type, &value, &detail) == -1)
		g_string_append_printf(errors, " 0x%04x: %s;", type, detail);
	g_free(detail);
	return value;
}

static void
pst_attach_props_read(libpff_item_t *att, struct pst_attach_props *p,
		      struct mt_message *msg, int index)
{
	libpff_record_set_t *set = NULL;
	GString *errors = g_string_new(NULL);
	char *detail = NULL;

	if (pst_set_get(att, 0, &set, &detail) != 1) {
		mt_message_add_defect(msg, "warning", "pst-attachment-damaged",
				      "attachment %d: properties unreadable: "
				      "%s", index, detail);
		g_free(detail);
		g_string_free(errors, TRUE);
		return;
	}
	p->long_name = props_string(set, PST_PR_ATTACH_LONG_FILENAME, errors);
	p->short_name = props_string(set, PST_PR_ATTACH_FILENAME, errors);
	p->display_name = props_string(set, PST_PR_DISPLAY_NAME, errors);
	p->mime_tag = props_string(set, PST_PR_ATTACH_MIME_TAG, errors);
	p->content_id = props_string(set, PST_PR_ATTACH_CONTENT_ID, errors);
	p->method = props_u32(set, PST_PR_ATTACH_METHOD, errors);
	p->size = props_u32(set, PST_PR_ATTACH_SIZE, errors);
	p->flags = props_u32(set, PST_PR_ATTACH_FLAGS, errors);
	p->hidden = props_u32(set, PST_PR_ATTACHMENT_HIDDEN, errors);
	if (errors->len > 0)
		mt_message_add_defect(msg, "warning", "pst-attachment-damaged",
				      "attachment %d: properties unreadable:%s",
				      index, errors->str);
	g_string_free(errors, TRUE);
	libpff_record_set_free(&set, NULL);
}

/* Streams the attachment data through SHA-256; keeps the head for
 * libmagic.  Returns the number of bytes read, -2 when the attachment has
 * no data object, or -1 with *error_r. */
static gint64
pst_attach_stream(libpff_item_t *att, GByteArray *head, char out[65],
		  char **error_r)
{
	libpff_error_t *error = NULL;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	uint8_t *chunk = g_malloc(PST_CHUNK_SIZE);
	size64_t size = 0;
	gint64 done = 0;
	int result;

	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	result = libpff_attachment_get_data_size(att, &size, &error);
	if (result == 0) {
		EVP_MD_CTX_free(md);
		g_free(chunk);
		return -2;
	}
	if (result == 1 && size > 0 &&
	    libpff_attachment_data_seek_offset(att, 0, SEEK_SET, &error) != 0)
		result = -1;
	while (result == 1 && (size64_t)done < size) {
		size_t want = (size_t)MIN(size - (size64_t)done,
					  (size64_t)PST_CHUNK_SIZE);
		ssize_t got = libpff_attachment_data_read_buffer(att, chunk,
								 want, &error);

		if (got <= 0) {
			result = -1;
			break;
		}
		EVP_DigestUpdate(md, chunk, (size_t)got);
		if (head->len < PST_MAGIC_HEAD_MAX)
			g_byte_array_append(head, chunk,
					    (guint)MIN((gsize)got,
						       PST_MAGIC_HEAD_MAX -
							       head->len));
		done += got;
	}
	pst_digest_hex(md, out);
	EVP_MD_CTX_free(md);
	g_free(chunk);
	if (result == -1) {
		char *detail = pst_error_take(&error);

		*error_r = g_strdup_printf(
			"data read failed after %" G_GINT64_FORMAT " of %"
			G_GUINT64_FORMAT " bytes: %s", done, (guint64)size,
			detail);
		g_free(detail);
		return -1;
	}
	return done;
}

static void
pst_attach_data(libpff_item_t *att, struct mt_attachment *a,
		struct mt_message *msg, int index)
{
	GByteArray *head = g_byte_array_new();
	char *detail = NULL;
	char sha256[65];
	gint64 size;

	size = pst_attach_stream(att, head, sha256, &detail);
	parse_describe_bytes(head->data, head->len, a->filename, a);
	if (size == -2) {
		a->size = 0;
		a->sha256[0] = '\0';
		mt_message_add_defect(msg, "warning", "pst-attachment-no-data",
				      "attachment %d '%s' has no data object",
				      index,
				      a->filename != NULL ? a->filename : "");
	} else if (size >= 0) {
		a->size = size;
		memcpy(a->sha256, sha256, sizeof a->sha256);
	} else {
		/* Hash and size of a partial read would mislead. */
		a->size = head->len;
		a->sha256[0] = '\0';
		mt_message_add_defect(msg, "error", "pst-attachment-unreadable",
				      "attachment %d '%s': %s", index,
				      a->filename != NULL ? a->filename : "",
				      detail);
	}
	g_free(detail);
	g_byte_array_unref(head);
}

static void
pst_attach_embedded(struct pst_walk *walk, libpff_item_t *att,
		    struct mt_message *msg, guint self, int depth, int index)
{
	struct mt_attachment *a = g_ptr_array_index(msg->attachments, self);
	libpff_item_t *sub = NULL;
	libpff_error_t *error = NULL;
	EVP_MD_CTX *md;
	char *detail;

	a->is_message = TRUE;
	if (depth + 1 > PST_MAX_EMBED_DEPTH) {
		mt_message_add_defect(msg, "warning", "pst-nesting-too-deep",
				      "attachment %d: attached message nested "
				      "%d deep; not opened", index, depth + 1);
		return;
	}
	if (libpff_attachment_get_item(att, &sub, &error) != 1) {
		detail = pst_error_take(&error);
		mt_message_add_defect(msg, "error", "pst-attachment-unreadable",
				      "attachment %d: attached message "
				      "unreadable: %s", index, detail);
		g_free(detail);
		return;
	}
	md = EVP_MD_CTX_new();
	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	EVP_DigestUpdate(md, "mailtrail-pst-sha256-v1", 23);
	pst_item_hash_sets(sub, md, msg);
	pst_attachments_read(walk, sub, msg, (int)self, depth + 1, md);
	/* The array may have grown: fetch the row again. */
	a = g_ptr_array_index(msg->attachments, self);
	pst_digest_hex(md, a->sha256);
	EVP_MD_CTX_free(md);
	libpff_item_free(&sub, NULL);
}

/* Adds one attachment (and what an attached message holds); returns the
 * index of its own row. */
static guint
pst_attach_one(struct pst_walk *walk, libpff_item_t *att,
	       struct mt_message *msg, int parent, int depth, int index)
{
	struct pst_attach_props p = { 0 };
	libpff_error_t *error = NULL;
	struct mt_attachment *a;
	guint self = msg->attachments->len;
	int type = 0;

	pst_attach_props_read(att, &p, msg, index);
	a = mt_message_add_attachment(msg);
	a->parent = parent;
	a->depth = depth;
	a->filename = g_strdup(p.long_name != NULL ? p.long_name :
			       p.short_name != NULL ? p.short_name :
						      p.display_name);
	a->short_filename = g_strdup(p.short_name);
	a->declared_type = g_strdup(p.mime_tag);
	a->content_id = g_strdup(p.content_id);
	a->encoding = g_strdup("mapi");
	a->disposition = g_strdup(p.hidden != 0 ||
				  (p.flags & PST_ATT_MHTML_REF) != 0 ?
					  "inline" : "attachment");
	a->size = p.size;

	if (libpff_attachment_get_type(att, &type, &error) != 1) {
		char *detail = pst_error_take(&error);

		mt_message_add_defect(msg, "error", "pst-attachment-unreadable",
				      "attachment %d: type unreadable: %s",
				      index, detail);
		g_free(detail);
	} else if (type == LIBPFF_ATTACHMENT_TYPE_ITEM ||
		   p.method == PST_ATTACH_EMBEDDED_MSG) {
		pst_attach_embedded(walk, att, msg, self, depth, index);
	} else if (type == LIBPFF_ATTACHMENT_TYPE_DATA) {
		pst_attach_data(att, a, msg, index);
	} else {
		mt_message_add_defect(msg, "note", "pst-attachment-reference",
				      "attachment %d '%s' is stored by "
				      "reference (method %u); no data in the "
				      "store", index,
				      a->filename != NULL ? a->filename : "",
				      p.method);
	}
	pst_attach_props_clear(&p);
	return self;
}

/* Reads every attachment of item into msg with the given parent row and
 * depth, and feeds each attachment's SHA-256 (hex) into md. */
void
pst_attachments_read(struct pst_walk *walk, libpff_item_t *item,
		     struct mt_message *msg, int parent, int depth,
		     EVP_MD_CTX *md)
{
	libpff_error_t *error = NULL;
	int count = 0;

	if (libpff_message_get_number_of_attachments(item, &count,
						     &error) != 1) {
		char *detail = pst_error_take(&error);

		mt_message_add_defect(msg, "error",
				      "pst-attachments-unreadable",
				      "attachment table unreadable: %s",
				      detail);
		g_free(detail);
		return;
	}
	for (int i = 0; i < count; i++) {
		libpff_item_t *att = NULL;
		struct mt_attachment *a;
		guint self;

		if (libpff_message_get_attachment(item, i, &att,
						  &error) != 1) {
			char *detail = pst_error_take(&error);

			/* A row keeps the attachment count true. */
			a = mt_message_add_attachment(msg);
			a->parent = parent;
			a->depth = depth;
			mt_message_add_defect(msg, "error",
					      "pst-attachment-unreadable",
					      "attachment %d of %d unreadable: "
					      "%s", i, count, detail);
			g_free(detail);
			continue;
		}
		self = pst_attach_one(walk, att, msg, parent, depth, i);
		libpff_item_free(&att, NULL);
		a = g_ptr_array_index(msg->attachments, self);
		EVP_DigestUpdate(md, a->sha256, strlen(a->sha256));
	}
}
