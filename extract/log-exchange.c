/* SPDX-License-Identifier: MIT
 *
 * log-exchange.c - Exchange Server message tracking logs (MSGTRK*.LOG):
 * CSV under a "#Fields:" header (date-time, client-ip, server-hostname,
 * event-id, message-id, recipient-address, recipient-status,
 * total-bytes, message-subject, sender-address, ...), as Microsoft's
 * Get-MessageTrackingLog documentation describes.  Rows of one Message-ID
 * are joined into one message.  SEND, DELIVER, FAIL and DEFER rows give
 * one delivery per recipient (recipient-address lists them with ';');
 * other events are kept as events of the message.
 */
#include <string.h>

#include "core/record.h"
#include "extract/logs-private.h"

/* Exchange gives up on a message after 2 days by default (message
 * expiration timeout), so a Message-ID idle for 3 days is done. */
#define MESSAGE_IDLE (3 * 86400)

const char *
log_exchange_detect(char **lines, guint n)
{
	for (guint i = 0; i < n && i < 10; i++) {
		if (g_str_has_prefix(lines[i], "#Log-type: Message Tracking"))
			return "log-exchange";
		if (g_str_has_prefix(lines[i], "#Fields: date-time,") &&
		    strstr(lines[i], "event-id") != NULL)
			return "log-exchange";
	}
	return NULL;
}

static char *
address_down(const char *s)
{
	char *stripped = logs_strip_brackets(s, -1);
	char *lower = stripped != NULL ? g_utf8_strdown(stripped, -1) : NULL;

	g_free(stripped);
	return lower;
}

/* Item index of a ';'-separated list field, or NULL. */
static char *
list_item(const char *list, guint index)
{
	char **parts;
	char *item = NULL;

	if (list == NULL)
		return NULL;
	parts = g_strsplit(list, ";", -1);
	if (index < g_strv_length(parts))
		item = g_strdup(parts[index]);
	g_strfreev(parts);
	return item;
}

static const char *
delivery_kind(const char *event, const char *status_text)
{
	if (status_text != NULL &&
	    (strstr(status_text, "5.3.4") || strstr(status_text, "size")))
		return "size-limit";
	if (status_text != NULL && strstr(status_text, "ttachment") &&
	    g_ascii_strcasecmp(event, "fail") == 0)
		return "attachment-rejected";
	return "delivery";
}

struct row_ctx {
	GHashTable *header;
	GPtrArray *row;
	const struct log_line *line;
	gint64 utc;
	int offset_min;
};

#define FIELD(r, name) logs_csv_get((r)->header, (r)->row, (name))

static struct log_evt *
row_event(const struct row_ctx *r, const char *kind, const char *event)
{
	struct log_evt *e = log_evt_new(r->line, kind);

	e->time_utc = r->utc;
	e->offset_min = r->offset_min;
	e->time_raw = g_strdup(FIELD(r, "date-time"));
	e->program = g_strdup(FIELD(r, "source"));
	e->status = g_ascii_strdown(event, -1);
	e->relay = g_strdup(FIELD(r, "server-hostname"));
	e->relay_ip = g_strdup(FIELD(r, "server-ip"));
	return e;
}

static void
add_row_events(struct log_msg *m, const struct row_ctx *r,
	       const char *event)
{
	gboolean per_recipient = g_ascii_strcasecmp(event, "SEND") == 0 ||
		g_ascii_strcasecmp(event, "DELIVER") == 0 ||
		g_ascii_strcasecmp(event, "FAIL") == 0 ||
		g_ascii_strcasecmp(event, "DEFER") == 0 ||
		g_ascii_strcasecmp(event, "DROP") == 0;
	const char *rcpts = FIELD(r, "recipient-address");
	const char *statuses = FIELD(r, "recipient-status");
	char **list;

	if (!per_recipient || rcpts == NULL) {
		struct log_evt *e = row_event(r, "other", event);
		const char *context = FIELD(r, "source-context");

		e->detail = g_strdup(statuses != NULL ? statuses : context);
		g_ptr_array_add(m->events, e);
		return;
	}
	list = g_strsplit(rcpts, ";", -1);
	for (guint i = 0; list[i] != NULL; i++) {
		/* One recipient keeps its whole status, ';' included. */
		char *status = list[1] == NULL ? g_strdup(statuses)
					       : list_item(statuses, i);
		struct log_evt *e;

		if (*g_strstrip(list[i]) == '\0') {
			g_free(status);
			continue;
		}
		e = row_event(r, delivery_kind(event, status), event);
		e->to_addr = address_down(list[i]);
		e->detail = status;
		g_ptr_array_add(m->events, e);
	}
	g_strfreev(list);
}

static void
take_message_fields(struct log_msg *m, const struct row_ctx *r,
		    const char *event)
{
	const char *v;

	if (m->from_addr == NULL && (v = FIELD(r, "sender-address")))
		m->from_addr = address_down(v);
	if (m->subject == NULL && (v = FIELD(r, "message-subject")))
		m->subject = g_strdup(v);
	if ((v = FIELD(r, "total-bytes")) && g_ascii_isdigit(*v) &&
	    m->size < 0)
		m->size = g_ascii_strtoll(v, NULL, 10);
	if ((v = FIELD(r, "recipient-count")) && g_ascii_isdigit(*v) &&
	    m->nrcpt < 0)
		m->nrcpt = g_ascii_strtoll(v, NULL, 10);
	if (g_ascii_strcasecmp(event, "RECEIVE") == 0 ||
	    g_ascii_strcasecmp(event, "SUBMIT") == 0) {
		m->has_start = TRUE;
		v = FIELD(r, "original-client-ip");
		if (m->client_ip == NULL && (v || (v = FIELD(r, "client-ip"))))
			m->client_ip = g_strdup(v);
		if (m->client_host == NULL &&
		    (v = FIELD(r, "client-hostname")))
			m->client_host = g_strdup(v);
		if (m->server_ip == NULL && (v = FIELD(r, "server-ip")))
			m->server_ip = g_strdup(v);
	}
}

static void
handle_row(struct logs_ctx *ctx, struct row_ctx *r)
{
	const char *event = FIELD(r, "event-id");
	const char *msgid = FIELD(r, "message-id");
	const char *key = msgid != NULL ? msgid
					: FIELD(r, "internal-message-id");
	const char *host = FIELD(r, "server-hostname");
	gboolean known;
	struct log_msg *m;
	char *id, *lookup;

	if (event == NULL || key == NULL || FIELD(r, "date-time") == NULL ||
	    log_time_parse_iso(FIELD(r, "date-time"), &r->utc,
			       &r->offset_min, &known) == 0) {
		ctx->lines_unknown++;
		logs_note_line(ctx, "log-line-unknown", r->line,
			       "row without date-time, event-id or message id");
		return;
	}
	ctx->lines_parsed++;
	logs_note_time(ctx, r->utc);
	id = logs_strip_brackets(key, -1);
	/* One message per Message-ID in the file, whatever server logged. */
	lookup = g_strconcat(id, " ", NULL);
	m = g_hash_table_lookup(ctx->pending, lookup);
	g_free(lookup);
	if (m == NULL) {
		m = log_msg_new(NULL, id, r->line);
		g_free(m->queue_id);
		m->queue_id = g_strdup(FIELD(r, "internal-message-id"));
		m->time_utc = r->utc;
		m->time_raw = g_strdup(FIELD(r, "date-time"));
		if (msgid != NULL)
			m->message_id = g_strdup(id);
		g_hash_table_insert(ctx->pending, m->key, m);
	}
	g_free(id);
	(void)host;
	m->last_utc = r->utc;
	take_message_fields(m, r, event);
	add_row_events(m, r, event);
}

int
log_exchange_read(struct logs_ctx *ctx, struct log_stream *st)
{
	GHashTable *header = NULL;
	struct log_line line;

	while (logs_next_line(ctx, st, &line) == 1) {
		struct row_ctx r = { .line = &line };

		if (line.len == 0) {
			ctx->lines_blank++;
			continue;
		}
		if (line.text[0] == '#') {
			ctx->lines_comment++;
			if (g_str_has_prefix(line.text, "#Fields: ")) {
				GPtrArray *names = logs_csv_split(
					line.text + 9, ',');

				if (header != NULL)
					g_hash_table_destroy(header);
				header = logs_csv_header(names);
				g_ptr_array_unref(names);
			}
			continue;
		}
		if (header == NULL) {
			ctx->lines_unknown++;
			logs_note_line(ctx, "log-line-unknown", &line,
				       "row before the #Fields header");
			continue;
		}
		r.header = header;
		r.row = logs_csv_split(line.text, ',');
		handle_row(ctx, &r);
		g_ptr_array_unref(r.row);
		if (logs_sweep_pending(ctx, &line, MESSAGE_IDLE) < 0)
			break;
	}
	if (header != NULL)
		g_hash_table_destroy(header);
	return ctx->failed ? -1 : 0;
}
