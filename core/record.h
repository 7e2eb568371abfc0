/* SPDX-License-Identifier: MIT
 *
 * record.h - one message as extracted, before it reaches the case database.
 *
 * Extractors (extract/) fill a struct mt_message, from raw RFC 5322 bytes
 * through parse/ or from MAPI properties, and hand it to the ingest sink.
 * All strings are UTF-8 owned by the record; mt_message_free() releases
 * them.  Times are seconds since the Unix epoch in UTC.
 */
#ifndef MAILTRAIL_RECORD_H
#define MAILTRAIL_RECORD_H

#include <glib.h>

#define MT_TIME_NONE G_MININT64    /* "no time known", never a real value */

enum mt_status {
	MT_STATUS_ALLOCATED,
	MT_STATUS_DELETED,     /* live, but in a Deleted/Trash folder or marked D */
	MT_STATUS_TRASHED,     /* Maildir T flag */
	MT_STATUS_EXPUNGED,    /* mbox X-Mozilla-Status 0x0008 */
	MT_STATUS_RECOVERED,   /* libpff recovered item, carved mbox slack */
	MT_STATUS_ORPHAN,      /* PST item that no folder references */
	MT_STATUS_TMP          /* Maildir tmp/ file */
};

enum mt_address_kind {
	MT_ADDR_FROM,
	MT_ADDR_SENDER,
	MT_ADDR_TO,
	MT_ADDR_CC,
	MT_ADDR_BCC,
	MT_ADDR_REPLY_TO,
	MT_ADDR_DELIVERED_TO,
	MT_ADDR_X_ORIGINAL_TO
};

struct mt_address {
	enum mt_address_kind kind;
	char *name;        /* decoded display name or NULL */
	char *address;     /* lower-case addr-spec, NULL when none was found */
	char *group;       /* RFC 5322 group name or NULL */
	char *raw;         /* Exchange legacy DN or raw text, may be NULL */
};

/* Source of a time; mt_time_source_name() returns the schema string. */
enum mt_time_source {
	MT_TIME_DATE,
	MT_TIME_RECEIVED_FIRST,   /* the oldest hop: last Received header */
	MT_TIME_RECEIVED_LAST,    /* the newest hop: first Received header */
	MT_TIME_CLIENT_SUBMIT,
	MT_TIME_DELIVERY,
	MT_TIME_CREATION,
	MT_TIME_MODIFICATION,
	MT_TIME_MBOX_FROM_LINE,
	MT_TIME_MAILDIR_NAME
};

struct mt_time {
	enum mt_time_source source;
	gint64 utc;
	int offset_min;       /* minutes east of UTC as written */
	gboolean zone_known;  /* FALSE for -0000, military letters, no zone */
	char *raw;            /* the text it was parsed from, may be NULL */
};

struct mt_attachment {
	int parent;           /* index in mt_message.attachments, -1 for none */
	int depth;            /* 0 for a direct attachment */
	char *filename;
	char *short_filename;
	char *declared_type;
	char *magic_type;
	char *magic_desc;
	gint64 size;          /* decoded bytes */
	char sha256[65];      /* lower-case hex, "" when not computed */
	gboolean ext_mismatch;
	char *encoding;
	char *disposition;
	char *content_id;
	char *unix_mode;      /* octal mode of a uuencode 'begin' line */
	gboolean is_message;
};

/* A defect or note about one message, stored as an anomaly row. */
struct mt_defect {
	char *level;          /* "error", "warning", "note" */
	char *code;
	char *detail;
};

struct mt_message {
	char *locator;
	gint64 byte_offset;   /* -1 when not applicable */
	gint64 pst_nid;       /* -1 when not applicable */
	enum mt_status status;
	char *recovery_note;
	char *item_class;

	char *message_id;     /* without angle brackets */
	char *in_reply_to;
	char *references;
	char *subject;
	char *date_raw;

	gint64 size;
	char sha256[65];
	char content_key[65];
	gboolean has_transport_headers;

	gboolean flag_seen, flag_replied, flag_flagged, flag_draft;
	gboolean flag_passed, flag_trashed, flag_deleted;

	char *body_text;
	gint64 body_text_size;
	gint64 body_html_size;

	GPtrArray *addresses;    /* struct mt_address * */
	GPtrArray *times;        /* struct mt_time * */
	GPtrArray *attachments;  /* struct mt_attachment * */
	GPtrArray *defects;      /* struct mt_defect * */
};

struct mt_message *mt_message_new(void);
void mt_message_free(struct mt_message **msg);

/* Append helpers copy their string arguments; NULL is allowed. */
struct mt_address *mt_message_add_address(struct mt_message *msg,
					  enum mt_address_kind kind,
					  const char *name,
					  const char *address,
					  const char *group);
struct mt_time *mt_message_add_time(struct mt_message *msg,
				    enum mt_time_source source, gint64 utc,
				    int offset_min, gboolean zone_known,
				    const char *raw);
struct mt_attachment *mt_message_add_attachment(struct mt_message *msg);
void mt_message_add_defect(struct mt_message *msg, const char *level,
			   const char *code, const char *fmt, ...)
	G_GNUC_PRINTF(4, 5);

/* Returns the first time of the given source, or NULL. */
const struct mt_time *mt_message_find_time(const struct mt_message *msg,
					   enum mt_time_source source);

const char *mt_status_name(enum mt_status status);
const char *mt_address_kind_name(enum mt_address_kind kind);
const char *mt_time_source_name(enum mt_time_source source);

#endif
