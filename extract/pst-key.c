/* SPDX-License-Identifier: MIT
 *
 * pst-key.c - the store-independent content key of a PST message.
 *
 * The key links copies of one mail found in different stores, such as
 * Sent Items and a recipient's Inbox, or a PST and its mbox export.  So it
 * uses only what survives export: Message-ID, sent time, addresses,
 * subject, body text without white space and attachment hashes.  The recipe
 * is written out in docs/pst.md and has to match the one parse/ uses.
 */
#include <string.h>

#include "extract/pst-private.h"
#include "parse/parse.h"

static void
key_line(GString *text, const char *label, const char *value)
{
	g_string_append(text, label);
	g_string_append_c(text, ':');
	if (value != NULL)
		g_string_append(text, value);
	g_string_append_c(text, '\n');
}

static gint
key_compare(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Joins the sorted, de-duplicated strings of list with ','. */
static char *
key_join_sorted(GPtrArray *list)
{
	GString *joined = g_string_new(NULL);
	const char *last = NULL;

	g_ptr_array_sort(list, key_compare);
	for (guint i = 0; i < list->len; i++) {
		const char *item = g_ptr_array_index(list, i);

		if (last != NULL && strcmp(item, last) == 0)
			continue;
		if (joined->len > 0)
			g_string_append_c(joined, ',');
		g_string_append(joined, item);
		last = item;
	}
	return g_string_free(joined, FALSE);
}

static char *
key_addresses(const struct mt_message *msg, const char **from_r)
{
	GPtrArray *list = g_ptr_array_new();
	char *joined;

	*from_r = NULL;
	for (guint i = 0; i < msg->addresses->len; i++) {
		const struct mt_address *a = g_ptr_array_index(msg->addresses,
							       i);

		if (a->address == NULL)
			continue;
		if (a->kind == MT_ADDR_FROM && *from_r == NULL)
			*from_r = a->address;
		/* Bcc is absent from the recipients' copies. */
		if (a->kind == MT_ADDR_TO || a->kind == MT_ADDR_CC)
			g_ptr_array_add(list, a->address);
	}
	joined = key_join_sorted(list);
	g_ptr_array_free(list, TRUE);
	return joined;
}

static char *
key_attachments(const struct mt_message *msg)
{
	GPtrArray *list = g_ptr_array_new();
	char *joined;

	for (guint i = 0; i < msg->attachments->len; i++) {
		const struct mt_attachment *a =
			g_ptr_array_index(msg->attachments, i);

		if (a->depth == 0 && a->sha256[0] != '\0')
			g_ptr_array_add(list, (gpointer)a->sha256);
	}
	joined = key_join_sorted(list);
	g_ptr_array_free(list, TRUE);
	return joined;
}

/* Subject with runs of white space made one space, trimmed. */
static char *
key_subject(const char *subject)
{
	GString *text = g_string_new(NULL);
	gboolean space = FALSE;

	for (const char *p = subject != NULL ? subject : ""; *p != '\0'; p++) {
		if (g_ascii_isspace(*p)) {
			space = text->len > 0;
			continue;
		}
		if (space)
			g_string_append_c(text, ' ');
		space = FALSE;
		g_string_append_c(text, *p);
	}
	return g_string_free(text, FALSE);
}

/* SHA-256 of the body text with every ASCII white-space byte removed, so
 * that CRLF against LF and re-wrapping do not change the key. */
static void
key_body(const char *body, char out[65])
{
	GString *text;

	out[0] = '\0';
	if (body == NULL || body[0] == '\0')
		return;
	text = g_string_new(NULL);
	for (const char *p = body; *p != '\0'; p++) {
		if (!g_ascii_isspace(*p))
			g_string_append_c(text, *p);
	}
	parse_sha256_hex(text->str, text->len, out);
	g_string_free(text, TRUE);
}

static gint64
key_sent_time(const struct mt_message *msg)
{
	static const enum mt_time_source order[] = {
		MT_TIME_CLIENT_SUBMIT, MT_TIME_DATE, MT_TIME_DELIVERY,
	};

	for (size_t i = 0; i < G_N_ELEMENTS(order); i++) {
		const struct mt_time *t = mt_message_find_time(msg, order[i]);

		if (t != NULL)
			return t->utc;
	}
	return MT_TIME_NONE;
}

void
pst_message_content_key(const struct mt_message *msg, char out[65])
{
	GString *text = g_string_new("mailtrail-content-key-v1\n");
	const char *from = NULL;
	char *to = key_addresses(msg, &from);
	char *attachments = key_attachments(msg);
	char *subject = key_subject(msg->subject);
	char *message_id = msg->message_id != NULL ?
		g_ascii_strdown(msg->message_id, -1) : NULL;
	gint64 sent = key_sent_time(msg);
	char *sent_text = sent != MT_TIME_NONE ?
		g_strdup_printf("%" G_GINT64_FORMAT, sent) : NULL;
	char body[65];

	key_body(msg->body_text, body);
	key_line(text, "message-id", message_id);
	key_line(text, "sent", sent_text);
	key_line(text, "from", from);
	key_line(text, "to-cc", to);
	key_line(text, "subject", subject);
	key_line(text, "body", body);
	key_line(text, "attachments", attachments);
	parse_sha256_hex(text->str, text->len, out);
	g_string_free(text, TRUE);
	g_free(to);
	g_free(attachments);
	g_free(subject);
	g_free(message_id);
	g_free(sent_text);
}
