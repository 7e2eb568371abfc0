/* SPDX-License-Identifier: MIT
 *
 * log-m365.c - Microsoft 365 message trace exports as CSV: the
 * Get-MessageTrace columns (Received, SenderAddress, RecipientAddress,
 * Subject, Status, ToIP, FromIP, Size, MessageId, MessageTraceId), one
 * row per recipient, and the historical search report (origin_timestamp
 * _utc, sender_address, recipient_status "addr##Receive, Deliver;...",
 * message_subject, total_bytes, message_id, original_client_ip).  A
 * "#TYPE" line from Export-Csv is skipped.  Rows of one Message-ID and
 * sender are joined into one message.  Times are UTC as Microsoft 365
 * writes them; "M/D/YYYY h:mm:ss AM" dates are read as US culture.
 */
#include <string.h>

#include "core/record.h"
#include "extract/logs-private.h"

/* Rows of one message lie minutes apart; a day without one ends it. */
#define MESSAGE_IDLE 86400

const char *
log_m365_detect(char **lines, guint n)
{
	for (guint i = 0; i < n && i < 3; i++) {
		char *lower = g_ascii_strdown(lines[i], -1);
		gboolean trace = strstr(lower, "senderaddress") &&
				 strstr(lower, "recipientaddress") &&
				 strstr(lower, "received");
		gboolean report = strstr(lower, "origin_timestamp_utc") &&
				  strstr(lower, "sender_address");

		g_free(lower);
		if (trace || report)
			return "log-m365";
	}
	return NULL;
}

#define FIELD(name) logs_csv_get(header, row, (name))

static gboolean
row_time(const char *text, gint64 *utc_r)
{
	int off;
	gboolean known;

	if (text == NULL)
		return FALSE;
	if (log_time_parse_iso(text, utc_r, &off, &known) > 0)
		return TRUE;
	return log_time_parse_us(text, utc_r);
}

static char *
address_down(const char *s)
{
	char *stripped = logs_strip_brackets(s, -1);
	char *lower = stripped != NULL ? g_utf8_strdown(stripped, -1) : NULL;

	g_free(stripped);
	return lower;
}

static struct log_msg *
message_for_row(struct logs_ctx *ctx, GHashTable *header, GPtrArray *row,
		const struct log_line *line, gint64 utc)
{
	const char *msgid = FIELD("messageid") ? FIELD("messageid")
					       : FIELD("message_id");
	const char *sender = FIELD("senderaddress") ? FIELD("senderaddress")
						    : FIELD("sender_address");
	char *id = logs_strip_brackets(msgid, -1);
	char *from = address_down(sender);
	char *key = g_strconcat(id != NULL ? id : "", " ",
				from != NULL ? from : "", NULL);
	struct log_msg *m = NULL;
	const char *v;

	/* A row without Message-ID is a message of its own. */
	if (id != NULL)
		m = g_hash_table_lookup(ctx->pending, key);
	if (m == NULL) {
		m = log_msg_new(from, id, line);
		if (id == NULL) {
			g_free(m->key);
			m->key = g_strdup_printf("line %" G_GINT64_FORMAT,
						 line->line_no);
		}
		m->time_utc = utc;
		m->from_addr = g_strdup(from);
		m->message_id = g_strdup(id);
		m->has_start = TRUE;
		g_free(m->queue_id);
		m->queue_id = g_strdup(FIELD("messagetraceid") ?
				       FIELD("messagetraceid") :
				       FIELD("network_message_id"));
		g_hash_table_insert(ctx->pending, m->key, m);
	}
	g_free(m->host);
	m->host = g_strdup("");
	if (m->subject == NULL && ((v = FIELD("subject")) ||
				   (v = FIELD("message_subject"))))
		m->subject = g_strdup(v);
	if (m->size < 0 && ((v = FIELD("size")) || (v = FIELD("total_bytes"))))
		m->size = g_ascii_strtoll(v, NULL, 10);
	if (m->client_ip == NULL && ((v = FIELD("fromip")) ||
				     (v = FIELD("original_client_ip"))))
		m->client_ip = g_strdup(v);
	g_free(id);
	g_free(from);
	g_free(key);
	return m;
}

static struct log_evt *
recipient_event(const struct log_line *line, gint64 utc, const char *raw,
		const char *address, const char *status)
{
	struct log_evt *e = log_evt_new(line, "delivery");

	e->time_utc = utc;
	e->time_raw = g_strdup(raw);
	e->program = g_strdup("m365");
	e->to_addr = address_down(address);
	e->status = g_strdup(status);
	return e;
}

/* "a@x##Receive, Deliver;b@y##Receive, Fail": the last event counts. */
static void
add_report_recipients(struct log_msg *m, const char *list,
		      const struct log_line *line, gint64 utc,
		      const char *raw)
{
	char **items = g_strsplit(list, ";", -1);

	for (char **it = items; *it != NULL; it++) {
		char *sep = strstr(*it, "##");
		char *last;

		if (sep == NULL)
			continue;
		*sep = '\0';
		last = strrchr(sep + 2, ',');
		last = g_strstrip(last != NULL ? last + 1 : sep + 2);
		g_ptr_array_add(m->events, recipient_event(line, utc, raw, *it,
							   last));
	}
	g_strfreev(items);
}

static void
handle_row(struct logs_ctx *ctx, GHashTable *header, GPtrArray *row,
	   const struct log_line *line)
{
	const char *raw = FIELD("received") ? FIELD("received")
					    : FIELD("origin_timestamp_utc");
	struct log_msg *m;
	gint64 utc;

	if (!row_time(raw, &utc)) {
		ctx->lines_unknown++;
		logs_note_line(ctx, "log-line-unknown", line,
			       "row without a valid Received time");
		return;
	}
	ctx->lines_parsed++;
	logs_note_time(ctx, utc);
	m = message_for_row(ctx, header, row, line, utc);
	m->last_utc = utc;
	if (m->time_raw == NULL)
		m->time_raw = g_strdup(raw);
	if (FIELD("recipient_status") != NULL)
		add_report_recipients(m, FIELD("recipient_status"), line, utc,
				      raw);
	else if (FIELD("recipientaddress") != NULL)
		g_ptr_array_add(m->events,
				recipient_event(line, utc, raw,
						FIELD("recipientaddress"),
						FIELD("status")));
}

int
log_m365_read(struct logs_ctx *ctx, struct log_stream *st)
{
	GHashTable *header = NULL;
	struct log_line line;

	while (logs_next_line(ctx, st, &line) == 1) {
		const char *text = line.text;
		GPtrArray *row;

		if (line.line_no == 1 && g_str_has_prefix(text, "\xef\xbb\xbf"))
			text += 3;
		if (*text == '\0') {
			ctx->lines_blank++;
			continue;
		}
		if (*text == '#') {
			ctx->lines_comment++;
			continue;
		}
		row = logs_csv_split(text, ',');
		if (header == NULL) {
			header = logs_csv_header(row);
			ctx->lines_comment++;
		} else {
			handle_row(ctx, header, row, &line);
		}
		g_ptr_array_unref(row);
		if (logs_sweep_pending(ctx, &line, MESSAGE_IDLE) < 0)
			break;
	}
	if (header != NULL)
		g_hash_table_destroy(header);
	return ctx->failed ? -1 : 0;
}
