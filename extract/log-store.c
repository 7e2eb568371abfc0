/* SPDX-License-Identifier: MIT
 *
 * log-store.c - joined log messages and events into the case database
 * (log_message, log_event, log_flow), and the small field helpers the
 * readers share.  A message's fields (sender, size, Message-ID, client)
 * are copied onto each of its per-recipient event rows.
 */
#include <string.h>

#include "core/record.h"
#include "extract/logs-private.h"

static const char message_sql[] =
	"INSERT INTO log_message (evidence_id, line_no, byte_offset,"
	" time_utc, time_raw, zone_known, host, queue_id, from_addr, size,"
	" nrcpt, rcpt_count, delivered_count, message_id, subject, client_ip,"
	" client_host, server_ip, sasl_user, outcome, has_start, has_end)"
	" VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

static const char event_sql[] =
	"INSERT INTO log_event (evidence_id, log_message_id, line_no,"
	" byte_offset, time_utc, time_raw, offset_min, zone_known, host,"
	" program, queue_id, kind, from_addr, to_addr, orig_to, size, nrcpt,"
	" status, dsn, relay, relay_ip, message_id, subject, client_ip,"
	" server_ip, detail)"
	" VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

static const char flow_sql[] =
	"INSERT INTO log_flow (evidence_id, host, server, port, hour_utc,"
	" bytes, flows, first_line) VALUES (?,?,?,?,?,?,?,?)";

struct flow_total {
	char *host, *server;
	int port;
	gint64 hour, bytes, flows, first_line;
};

int
logs_prepare(struct logs_ctx *ctx)
{
	if (sqlite3_prepare_v2(ctx->db, message_sql, -1, &ctx->st_message,
			       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(ctx->db, event_sql, -1, &ctx->st_event,
			       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(ctx->db, flow_sql, -1, &ctx->st_flow,
			       NULL) != SQLITE_OK) {
		mt_sink_anomalyf(ctx->sink, 0, MT_LEVEL_ERROR, "log-db-failed",
				 -1, NULL, "preparing log inserts failed: %s",
				 sqlite3_errmsg(ctx->db));
		return -1;
	}
	return 0;
}

struct log_evt *
log_evt_new(const struct log_line *line, const char *kind)
{
	struct log_evt *e = g_new0(struct log_evt, 1);

	e->line_no = line->line_no;
	e->offset = line->offset;
	e->time_utc = MT_TIME_NONE;
	e->kind = (char *)kind;
	e->size = e->nrcpt = -1;
	return e;
}

void
log_evt_free(gpointer p)
{
	struct log_evt *e = p;

	g_free(e->time_raw);
	g_free(e->program);
	g_free(e->from_addr);
	g_free(e->to_addr);
	g_free(e->orig_to);
	g_free(e->status);
	g_free(e->dsn);
	g_free(e->relay);
	g_free(e->relay_ip);
	g_free(e->message_id);
	g_free(e->subject);
	g_free(e->client_ip);
	g_free(e->server_ip);
	g_free(e->detail);
	g_free(e->queue_id);
	g_free(e);
}

struct log_msg *
log_msg_new(const char *host, const char *queue_id,
	    const struct log_line *line)
{
	struct log_msg *m = g_new0(struct log_msg, 1);

	m->host = g_strdup(host != NULL ? host : "");
	m->queue_id = g_strdup(queue_id != NULL ? queue_id : "");
	/* Neither part contains a space: the key is unique per pair. */
	m->key = g_strconcat(m->queue_id, " ", m->host, NULL);
	m->line_no = line->line_no;
	m->offset = line->offset;
	m->time_utc = m->last_utc = MT_TIME_NONE;
	m->size = m->nrcpt = -1;
	m->zone_known = TRUE;
	m->events = g_ptr_array_new_with_free_func(log_evt_free);
	return m;
}

void
log_msg_free(gpointer p)
{
	struct log_msg *m = p;

	g_free(m->key);
	g_free(m->host);
	g_free(m->queue_id);
	g_free(m->time_raw);
	g_free(m->from_addr);
	g_free(m->message_id);
	g_free(m->subject);
	g_free(m->client_ip);
	g_free(m->client_host);
	g_free(m->server_ip);
	g_free(m->sasl_user);
	g_ptr_array_unref(m->events);
	g_free(m);
}

int
log_msg_compare_line(const struct log_msg *a, const struct log_msg *b)
{
	return a->line_no < b->line_no ? -1 : a->line_no > b->line_no;
}

static void
bind_text(sqlite3_stmt *st, int index, const char *s)
{
	if (s != NULL)
		sqlite3_bind_text(st, index, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, index);
}

static void
bind_int(sqlite3_stmt *st, int index, gint64 v, gint64 none)
{
	if (v != none)
		sqlite3_bind_int64(st, index, v);
	else
		sqlite3_bind_null(st, index);
}

static int
step(struct logs_ctx *ctx, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc == SQLITE_DONE) {
		if (st == ctx->st_message)
			ctx->rows_message++;
		else if (st == ctx->st_event)
			ctx->rows_event++;
		else
			ctx->rows_flow++;
		return 0;
	}
	if (!ctx->failed)
		mt_sink_anomalyf(ctx->sink, 0, MT_LEVEL_ERROR, "log-db-failed",
				 -1, NULL, "writing %s failed: %s", what,
				 sqlite3_errmsg(ctx->db));
	ctx->failed = TRUE;
	return -1;
}

/* Binds an event; fields it lacks are taken from its message (m). */
static void
bind_event(struct logs_ctx *ctx, const struct log_evt *e,
	   const struct log_msg *m, gint64 message_row, const char *host)
{
	sqlite3_stmt *st = ctx->st_event;
#define FROM_MSG(field) (e->field != NULL || m == NULL ? e->field : m->field)

	sqlite3_bind_int64(st, 1, ctx->evidence_id);
	bind_int(st, 2, message_row, 0);
	sqlite3_bind_int64(st, 3, e->line_no);
	sqlite3_bind_int64(st, 4, e->offset);
	bind_int(st, 5, e->time_utc, MT_TIME_NONE);
	bind_text(st, 6, e->time_raw);
	if (e->time_utc != MT_TIME_NONE)
		sqlite3_bind_int64(st, 7, e->offset_min);
	sqlite3_bind_int(st, 8, e->zone_known);
	bind_text(st, 9, host);
	bind_text(st, 10, e->program);
	bind_text(st, 11, e->queue_id != NULL || m == NULL ? e->queue_id
							   : m->queue_id);
	sqlite3_bind_text(st, 12, e->kind, -1, SQLITE_STATIC);
	bind_text(st, 13, FROM_MSG(from_addr));
	bind_text(st, 14, e->to_addr);
	bind_text(st, 15, e->orig_to);
	bind_int(st, 16, e->size >= 0 || m == NULL ? e->size : m->size, -1);
	bind_int(st, 17, e->nrcpt >= 0 || m == NULL ? e->nrcpt : m->nrcpt,
		 -1);
	bind_text(st, 18, e->status);
	bind_text(st, 19, e->dsn);
	bind_text(st, 20, e->relay);
	bind_text(st, 21, e->relay_ip);
	bind_text(st, 22, FROM_MSG(message_id));
	bind_text(st, 23, FROM_MSG(subject));
	bind_text(st, 24, FROM_MSG(client_ip));
	bind_text(st, 25, FROM_MSG(server_ip));
	bind_text(st, 26, e->detail);
#undef FROM_MSG
}

int
logs_store_event(struct logs_ctx *ctx, const struct log_evt *evt,
		 const char *host)
{
	bind_event(ctx, evt, NULL, 0, host);
	return step(ctx, ctx->st_event, "a log event");
}

/* Statuses that mean the next hop took the message for a recipient. */
static gboolean
status_is_delivered(const char *status)
{
	/* Postfix/Sendmail/Zeek, Microsoft 365, Exchange event-ids. */
	static const char *const ok[] = {
		"sent", "delivered", "deliver", "send",
	};

	if (status == NULL)
		return FALSE;
	for (size_t i = 0; i < G_N_ELEMENTS(ok); i++)
		if (g_ascii_strcasecmp(status, ok[i]) == 0)
			return TRUE;
	return FALSE;
}

/* Counts distinct recipients and those delivered, and names the outcome
 * by each recipient's last status. */
static const char *
message_outcome(const struct log_msg *m, gint64 *rcpts_r,
		gint64 *delivered_r)
{
	GHashTable *last = g_hash_table_new(g_str_hash, g_str_equal);
	gint64 sent = 0, deferred = 0, bounced = 0, rejected = 0;
	GHashTableIter it;
	gpointer key, value;

	for (guint i = 0; i < m->events->len; i++) {
		struct log_evt *e = g_ptr_array_index(m->events, i);

		if (e->to_addr == NULL)
			continue;
		if (strcmp(e->kind, "delivery") == 0 ||
		    strcmp(e->kind, "reject") == 0 ||
		    !g_hash_table_contains(last, e->to_addr))
			g_hash_table_insert(last, e->to_addr, e);
	}
	g_hash_table_iter_init(&it, last);
	while (g_hash_table_iter_next(&it, &key, &value)) {
		struct log_evt *e = value;

		if (strcmp(e->kind, "delivery") != 0 ||
		    (e->status != NULL &&
		     g_ascii_strcasecmp(e->status, "rejected") == 0))
			rejected++;
		else if (status_is_delivered(e->status))
			sent++;
		else if (e->status != NULL &&
			 (g_ascii_strcasecmp(e->status, "deferred") == 0 ||
			  g_ascii_strcasecmp(e->status, "defer") == 0 ||
			  g_ascii_strcasecmp(e->status, "pending") == 0))
			deferred++;
		else
			bounced++;
	}
	*rcpts_r = g_hash_table_size(last);
	*delivered_r = sent;
	g_hash_table_destroy(last);
	if (sent > 0)
		return sent == *rcpts_r ? "sent" : "partly-sent";
	if (deferred > 0)
		return "deferred";
	if (bounced > 0)
		return "bounced";
	return rejected > 0 ? "rejected" : "unknown";
}

static void
bind_message(struct logs_ctx *ctx, const struct log_msg *m)
{
	sqlite3_stmt *st = ctx->st_message;
	gint64 rcpts, delivered;
	const char *outcome = message_outcome(m, &rcpts, &delivered);

	sqlite3_bind_int64(st, 1, ctx->evidence_id);
	sqlite3_bind_int64(st, 2, m->line_no);
	sqlite3_bind_int64(st, 3, m->offset);
	bind_int(st, 4, m->time_utc, MT_TIME_NONE);
	bind_text(st, 5, m->time_raw);
	sqlite3_bind_int(st, 6, m->zone_known);
	bind_text(st, 7, m->host && *m->host ? m->host : NULL);
	bind_text(st, 8, m->queue_id && *m->queue_id ? m->queue_id : NULL);
	bind_text(st, 9, m->from_addr);
	bind_int(st, 10, m->size, -1);
	bind_int(st, 11, m->nrcpt, -1);
	sqlite3_bind_int64(st, 12, rcpts);
	sqlite3_bind_int64(st, 13, delivered);
	bind_text(st, 14, m->message_id);
	bind_text(st, 15, m->subject);
	bind_text(st, 16, m->client_ip);
	bind_text(st, 17, m->client_host);
	bind_text(st, 18, m->server_ip);
	bind_text(st, 19, m->sasl_user);
	sqlite3_bind_text(st, 20, outcome, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 21, m->has_start);
	sqlite3_bind_int(st, 22, m->has_end);
}

int
logs_store_message(struct logs_ctx *ctx, struct log_msg *m)
{
	gint64 row;
	int rc = 0;

	bind_message(ctx, m);
	if (step(ctx, ctx->st_message, "a log message") < 0) {
		log_msg_free(m);
		return -1;
	}
	row = sqlite3_last_insert_rowid(ctx->db);
	for (guint i = 0; i < m->events->len && rc == 0; i++) {
		bind_event(ctx, g_ptr_array_index(m->events, i), m, row,
			   *m->host ? m->host : NULL);
		rc = step(ctx, ctx->st_event, "a log event");
	}
	log_msg_free(m);
	return rc;
}

gboolean
logs_is_address(const char *s)
{
	if (s == NULL || *s == '\0' || strlen(s) > 45)
		return FALSE;
	for (; *s; s++)
		if (!g_ascii_isxdigit(*s) && *s != '.' && *s != ':')
			return FALSE;
	return TRUE;
}

gboolean
logs_is_smtp_port(int port)
{
	return port == 25 || port == 465 || port == 587 || port == 2525;
}

void
logs_add_flow(struct logs_ctx *ctx, const char *host, const char *server,
	      int port, gint64 utc, gint64 bytes, gint64 line_no)
{
	gint64 hour = utc - ((utc % 3600) + 3600) % 3600;
	/* Readers pass addresses checked by logs_is_address, so '|' cannot
	 * occur inside host or server. */
	char *key = g_strdup_printf("%s|%s|%d|%" G_GINT64_FORMAT, host,
				    server, port, hour);
	struct flow_total *t;

	t = g_hash_table_lookup(ctx->flows, key);
	if (t == NULL) {
		t = g_new0(struct flow_total, 1);
		t->host = g_strdup(host);
		t->server = g_strdup(server);
		t->port = port;
		t->hour = hour;
		t->first_line = line_no;
		g_hash_table_insert(ctx->flows, key, t);
	} else {
		g_free(key);
	}
	t->bytes += bytes;
	t->flows++;
}

static gint
flow_compare(gconstpointer a, gconstpointer b)
{
	const struct flow_total *x = a, *y = b;

	return x->first_line < y->first_line ? -1
					     : x->first_line > y->first_line;
}

int
logs_store_flows(struct logs_ctx *ctx)
{
	GList *all = g_hash_table_get_values(ctx->flows);
	int rc = 0;

	all = g_list_sort(all, flow_compare);
	for (GList *l = all; l != NULL && rc == 0; l = l->next) {
		struct flow_total *t = l->data;
		sqlite3_stmt *st = ctx->st_flow;

		sqlite3_bind_int64(st, 1, ctx->evidence_id);
		bind_text(st, 2, t->host);
		bind_text(st, 3, t->server);
		sqlite3_bind_int(st, 4, t->port);
		sqlite3_bind_int64(st, 5, t->hour);
		sqlite3_bind_int64(st, 6, t->bytes);
		sqlite3_bind_int64(st, 7, t->flows);
		sqlite3_bind_int64(st, 8, t->first_line);
		rc = step(ctx, st, "a flow total");
	}
	for (GList *l = all; l != NULL; l = l->next) {
		struct flow_total *t = l->data;

		g_free(t->host);
		g_free(t->server);
	}
	g_list_free(all);
	return rc;
}

char *
logs_valid_utf8(const char *s, gssize len)
{
	if (s == NULL)
		return NULL;
	return g_utf8_make_valid(s, len);
}

char *
logs_strip_brackets(const char *s, gssize len)
{
	char *out;

	if (s == NULL)
		return NULL;
	if (len < 0)
		len = (gssize)strlen(s);
	while (len > 0 && g_ascii_isspace(*s)) {
		s++;
		len--;
	}
	while (len > 0 && g_ascii_isspace(s[len - 1]))
		len--;
	if (len >= 2 && s[0] == '<' && s[len - 1] == '>') {
		s++;
		len -= 2;
	}
	out = logs_valid_utf8(s, len);
	return out;
}

GPtrArray *
logs_csv_split(const char *line, char separator)
{
	GPtrArray *fields = g_ptr_array_new_with_free_func(g_free);
	GString *field = g_string_new(NULL);
	const char *p = line;
	gboolean quoted = FALSE;

	for (;; p++) {
		if (quoted) {
			if (*p == '\0')
				break;
			if (*p == '"' && p[1] == '"') {
				g_string_append_c(field, '"');
				p++;
			} else if (*p == '"') {
				quoted = FALSE;
			} else {
				g_string_append_c(field, *p);
			}
			continue;
		}
		if (*p == '"' && field->len == 0) {
			quoted = TRUE;
		} else if (*p == separator || *p == '\0') {
			g_ptr_array_add(fields, logs_valid_utf8(field->str,
								field->len));
			g_string_truncate(field, 0);
			if (*p == '\0')
				break;
		} else {
			g_string_append_c(field, *p);
		}
	}
	/* An unterminated quote keeps what was read. */
	if (quoted)
		g_ptr_array_add(fields,
				logs_valid_utf8(field->str, field->len));
	g_string_free(field, TRUE);
	return fields;
}

GHashTable *
logs_csv_header(GPtrArray *names)
{
	GHashTable *map = g_hash_table_new_full(g_str_hash, g_str_equal,
						g_free, NULL);

	for (guint i = 0; i < names->len; i++) {
		char *name = g_ascii_strdown(g_ptr_array_index(names, i), -1);

		g_strstrip(name);
		g_hash_table_insert(map, name, GUINT_TO_POINTER(i + 1));
	}
	return map;
}

const char *
logs_csv_get(GHashTable *header, GPtrArray *row, const char *name)
{
	guint index = GPOINTER_TO_UINT(g_hash_table_lookup(header, name));
	const char *v;

	if (index == 0 || index > row->len)
		return NULL;
	v = g_ptr_array_index(row, index - 1);
	return *v != '\0' ? v : NULL;
}

gint64
logs_cache_raise(sqlite3 *db)
{
	sqlite3_stmt *st;
	gint64 old = 0;
	char sql[64];

	if (sqlite3_prepare_v2(db, "PRAGMA cache_size", -1, &st, NULL) !=
	    SQLITE_OK)
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW)
		old = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	/* Negative values are KiB, positive ones pages (of 4 KiB here). */
	if (old < 0 ? -old >= LOGS_CACHE_KIB : old * 4 >= LOGS_CACHE_KIB)
		return 0;
	g_snprintf(sql, sizeof(sql), "PRAGMA cache_size = -%d", LOGS_CACHE_KIB);
	sqlite3_exec(db, sql, NULL, NULL, NULL);
	return old;
}

void
logs_cache_restore(sqlite3 *db, gint64 old)
{
	char sql[64];

	if (old == 0)
		return;
	g_snprintf(sql, sizeof(sql), "PRAGMA cache_size = %" G_GINT64_FORMAT,
		   old);
	sqlite3_exec(db, sql, NULL, NULL, NULL);
}
