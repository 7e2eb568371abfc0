/* SPDX-License-Identifier: MIT
 *
 * record.c - struct mt_message lifecycle and the schema names of its enums.
 */
#include <stdarg.h>
#include <string.h>

#include "core/record.h"

static void
address_free(gpointer p)
{
	struct mt_address *a = p;

	g_free(a->name);
	g_free(a->address);
	g_free(a->group);
	g_free(a->raw);
	g_free(a);
}

static void
time_free(gpointer p)
{
	struct mt_time *t = p;

	g_free(t->raw);
	g_free(t);
}

static void
attachment_free(gpointer p)
{
	struct mt_attachment *a = p;

	g_free(a->filename);
	g_free(a->short_filename);
	g_free(a->declared_type);
	g_free(a->magic_type);
	g_free(a->magic_desc);
	g_free(a->encoding);
	g_free(a->disposition);
	g_free(a->content_id);
	g_free(a->unix_mode);
	g_free(a);
}

static void
defect_free(gpointer p)
{
	struct mt_defect *d = p;

	g_free(d->level);
	g_free(d->code);
	g_free(d->detail);
	g_free(d);
}

struct mt_message *
mt_message_new(void)
{
	struct mt_message *msg = g_new0(struct mt_message, 1);

	msg->byte_offset = -1;
	msg->pst_nid = -1;
	msg->status = MT_STATUS_ALLOCATED;
	msg->addresses = g_ptr_array_new_with_free_func(address_free);
	msg->times = g_ptr_array_new_with_free_func(time_free);
	msg->attachments = g_ptr_array_new_with_free_func(attachment_free);
	msg->defects = g_ptr_array_new_with_free_func(defect_free);
	return msg;
}

void
mt_message_free(struct mt_message **msgp)
{
	struct mt_message *msg = *msgp;

	if (msg == NULL)
		return;
	*msgp = NULL;
	g_free(msg->locator);
	g_free(msg->recovery_note);
	g_free(msg->item_class);
	g_free(msg->message_id);
	g_free(msg->in_reply_to);
	g_free(msg->references);
	g_free(msg->subject);
	g_free(msg->date_raw);
	g_free(msg->body_text);
	g_ptr_array_unref(msg->addresses);
	g_ptr_array_unref(msg->times);
	g_ptr_array_unref(msg->attachments);
	g_ptr_array_unref(msg->defects);
	g_free(msg);
}

struct mt_address *
mt_message_add_address(struct mt_message *msg, enum mt_address_kind kind,
		       const char *name, const char *address,
		       const char *group)
{
	struct mt_address *a = g_new0(struct mt_address, 1);

	a->kind = kind;
	a->name = g_strdup(name);
	a->address = address != NULL ? g_ascii_strdown(address, -1) : NULL;
	a->group = g_strdup(group);
	g_ptr_array_add(msg->addresses, a);
	return a;
}

struct mt_time *
mt_message_add_time(struct mt_message *msg, enum mt_time_source source,
		    gint64 utc, int offset_min, gboolean zone_known,
		    const char *raw)
{
	struct mt_time *t = g_new0(struct mt_time, 1);

	t->source = source;
	t->utc = utc;
	t->offset_min = offset_min;
	t->zone_known = zone_known;
	t->raw = g_strdup(raw);
	g_ptr_array_add(msg->times, t);
	return t;
}

struct mt_attachment *
mt_message_add_attachment(struct mt_message *msg)
{
	struct mt_attachment *a = g_new0(struct mt_attachment, 1);

	a->parent = -1;
	g_ptr_array_add(msg->attachments, a);
	return a;
}

void
mt_message_add_defect(struct mt_message *msg, const char *level,
		      const char *code, const char *fmt, ...)
{
	struct mt_defect *d = g_new0(struct mt_defect, 1);
	va_list ap;

	d->level = g_strdup(level);
	d->code = g_strdup(code);
	va_start(ap, fmt);
	d->detail = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_ptr_array_add(msg->defects, d);
}

const struct mt_time *
mt_message_find_time(const struct mt_message *msg,
		     enum mt_time_source source)
{
	for (guint i = 0; i < msg->times->len; i++) {
		const struct mt_time *t = g_ptr_array_index(msg->times, i);

		if (t->source == source)
			return t;
	}
	return NULL;
}

const char *
mt_status_name(enum mt_status status)
{
	static const char *const names[] = {
		[MT_STATUS_ALLOCATED] = "allocated",
		[MT_STATUS_DELETED] = "deleted",
		[MT_STATUS_TRASHED] = "trashed",
		[MT_STATUS_EXPUNGED] = "expunged",
		[MT_STATUS_RECOVERED] = "recovered",
		[MT_STATUS_ORPHAN] = "orphan",
		[MT_STATUS_TMP] = "tmp",
	};

	if ((unsigned)status >= G_N_ELEMENTS(names))
		return "allocated";
	return names[status];
}

const char *
mt_address_kind_name(enum mt_address_kind kind)
{
	static const char *const names[] = {
		[MT_ADDR_FROM] = "from",
		[MT_ADDR_SENDER] = "sender",
		[MT_ADDR_TO] = "to",
		[MT_ADDR_CC] = "cc",
		[MT_ADDR_BCC] = "bcc",
		[MT_ADDR_REPLY_TO] = "reply-to",
		[MT_ADDR_DELIVERED_TO] = "delivered-to",
		[MT_ADDR_X_ORIGINAL_TO] = "x-original-to",
	};

	if ((unsigned)kind >= G_N_ELEMENTS(names))
		return "to";
	return names[kind];
}

const char *
mt_time_source_name(enum mt_time_source source)
{
	static const char *const names[] = {
		[MT_TIME_DATE] = "date",
		[MT_TIME_RECEIVED_FIRST] = "received-first",
		[MT_TIME_RECEIVED_LAST] = "received-last",
		[MT_TIME_CLIENT_SUBMIT] = "client-submit",
		[MT_TIME_DELIVERY] = "delivery",
		[MT_TIME_CREATION] = "creation",
		[MT_TIME_MODIFICATION] = "modification",
		[MT_TIME_MBOX_FROM_LINE] = "mbox-from-line",
		[MT_TIME_MAILDIR_NAME] = "maildir-filename",
	};

	if ((unsigned)source >= G_N_ELEMENTS(names))
		return "date";
	return names[source];
}
