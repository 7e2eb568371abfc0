/* SPDX-License-Identifier: MIT
 *
 * log-zeek.c - Zeek smtp.log and conn.log, as TSV with a "#fields" header
 * or as JSON lines (json-glib).  Each smtp.log record is one SMTP
 * transaction: one log_message with one delivery per RCPT TO address,
 * with client and server addresses.  conn.log records toward SMTP ports
 * add to the hourly flow totals; other records are counted only.
 */
#include <stdlib.h>
#include <string.h>
#include <json-glib/json-glib.h>

#include "core/record.h"
#include "extract/logs-private.h"

/* One record, by field name; values are borrowed from the line. */
struct zeek_record {
	GHashTable *fields;   /* name -> const char * ("-" is unset) */
	JsonObject *json;     /* for JSON lines, else NULL */
};

const char *
log_zeek_detect(char **lines, guint n)
{
	for (guint i = 0; i < n; i++) {
		if (strcmp(lines[i], "#path\tsmtp") == 0)
			return "log-zeek-smtp";
		if (strcmp(lines[i], "#path\tconn") == 0)
			return "log-zeek-conn";
		if (lines[i][0] == '{' && strstr(lines[i], "\"uid\"")) {
			if (strstr(lines[i], "\"mailfrom\"") ||
			    strstr(lines[i], "\"rcptto\"") ||
			    strstr(lines[i], "\"helo\""))
				return "log-zeek-smtp";
			if (strstr(lines[i], "\"conn_state\"") ||
			    strstr(lines[i], "\"orig_bytes\""))
				return "log-zeek-conn";
		}
	}
	return NULL;
}

static char *
field_text(const struct zeek_record *r, const char *name)
{
	const char *v;

	if (r->json != NULL) {
		JsonNode *node = json_object_get_member(r->json, name);

		if (node == NULL || JSON_NODE_TYPE(node) != JSON_NODE_VALUE)
			return NULL;
		if (json_node_get_value_type(node) == G_TYPE_STRING)
			return logs_valid_utf8(json_node_get_string(node), -1);
		if (json_node_get_value_type(node) == G_TYPE_DOUBLE)
			return g_strdup_printf("%.6f",
					       json_node_get_double(node));
		if (json_node_get_value_type(node) == G_TYPE_INT64)
			return g_strdup_printf("%" G_GINT64_FORMAT,
					       json_node_get_int(node));
		return NULL;
	}
	v = g_hash_table_lookup(r->fields, name);
	if (v == NULL || strcmp(v, "-") == 0 || strcmp(v, "(empty)") == 0)
		return NULL;
	return logs_valid_utf8(v, -1);
}

/* Returns the elements of a set/vector field ("a,b" in TSV). */
static GPtrArray *
field_list(const struct zeek_record *r, const char *name)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	char *text;

	if (r->json != NULL) {
		JsonNode *node = json_object_get_member(r->json, name);

		if (node != NULL && JSON_NODE_HOLDS_ARRAY(node)) {
			JsonArray *a = json_node_get_array(node);

			for (guint i = 0; i < json_array_get_length(a); i++) {
				const char *s = json_array_get_string_element(
					a, i);

				if (s != NULL)
					g_ptr_array_add(out,
							logs_valid_utf8(s, -1));
			}
			return out;
		}
	}
	text = field_text(r, name);
	if (text != NULL) {
		char **parts = g_strsplit(text, ",", -1);

		for (char **p = parts; *p != NULL; p++)
			g_ptr_array_add(out, g_strdup(*p));
		g_strfreev(parts);
	}
	g_free(text);
	return out;
}

static gint64
field_number(const struct zeek_record *r, const char *name)
{
	char *text = field_text(r, name);
	gint64 v = -1;

	if (text != NULL && g_ascii_isdigit(*text))
		v = g_ascii_strtoll(text, NULL, 10);
	g_free(text);
	return v;
}

/* ts is seconds since the epoch with a fraction, always UTC. */
static gint64
field_time(const struct zeek_record *r)
{
	char *text = field_text(r, "ts");
	gint64 t = MT_TIME_NONE;
	gboolean known;
	int off;

	if (text != NULL && g_ascii_isdigit(*text)) {
		if (log_time_parse_iso(text, &t, &off, &known) == 0)
			t = (gint64)g_ascii_strtod(text, NULL);
	}
	g_free(text);
	return t;
}

static char *
lower_address(char *s)
{
	char *stripped = logs_strip_brackets(s, -1);
	char *lower = g_utf8_strdown(stripped, -1);

	g_free(stripped);
	g_free(s);
	return lower;
}

static int
store_smtp(struct logs_ctx *ctx, const struct zeek_record *r,
	   const struct log_line *line, gint64 t)
{
	char *uid = field_text(r, "uid");
	struct log_msg *m = log_msg_new(NULL, uid, line);
	GPtrArray *rcpts = field_list(r, "rcptto");
	char *reply = field_text(r, "last_reply");
	char *from = field_text(r, "mailfrom");
	char *raw = field_text(r, "ts");
	char *msg_id;

	m->time_utc = t;
	m->time_raw = raw;
	m->has_start = m->has_end = TRUE;
	m->from_addr = from != NULL ? lower_address(from) : NULL;
	msg_id = field_text(r, "msg_id");
	m->message_id = logs_strip_brackets(msg_id, -1);
	g_free(msg_id);
	m->subject = field_text(r, "subject");
	m->client_ip = field_text(r, "id.orig_h");
	m->server_ip = field_text(r, "id.resp_h");
	m->client_host = field_text(r, "helo");
	for (guint i = 0; i < rcpts->len; i++) {
		struct log_evt *e = log_evt_new(line, "delivery");

		e->time_utc = t;
		e->time_raw = g_strdup(raw);
		e->program = g_strdup("zeek/smtp");
		e->to_addr = lower_address(g_strdup(rcpts->pdata[i]));
		/* The transaction's last reply: 2xx means the server took it
		 * for every accepted recipient. */
		e->status = g_strdup(reply != NULL && reply[0] == '2'
				     ? "sent" : "rejected");
		e->detail = g_strdup(reply);
		g_ptr_array_add(m->events, e);
	}
	g_free(uid);
	g_free(reply);
	g_ptr_array_unref(rcpts);
	return logs_store_message(ctx, m);
}

static void
add_conn(struct logs_ctx *ctx, const struct zeek_record *r,
	 const struct log_line *line, gint64 t)
{
	char *host = field_text(r, "id.orig_h");
	char *server = field_text(r, "id.resp_h");
	gint64 port = field_number(r, "id.resp_p");
	gint64 bytes = field_number(r, "orig_bytes");

	if (port >= 0 && logs_is_smtp_port((int)port) &&
	    logs_is_address(host) && logs_is_address(server))
		logs_add_flow(ctx, host, server, (int)port, t,
			      bytes > 0 ? bytes : 0, line->line_no);
	g_free(host);
	g_free(server);
}

static int
handle_record(struct logs_ctx *ctx, const struct zeek_record *r,
	      const struct log_line *line)
{
	gint64 t = field_time(r);

	if (t == MT_TIME_NONE) {
		ctx->lines_unknown++;
		logs_note_line(ctx, "log-time-invalid", line,
			       "record without a valid ts");
		return 0;
	}
	ctx->lines_parsed++;
	logs_note_time(ctx, t);
	if (strcmp(ctx->format, "log-zeek-smtp") == 0)
		return store_smtp(ctx, r, line, t);
	add_conn(ctx, r, line, t);
	return 0;
}

static int
handle_json(struct logs_ctx *ctx, JsonParser *parser,
	    const struct log_line *line)
{
	struct zeek_record r = { 0 };
	JsonNode *root;

	if (!json_parser_load_from_data(parser, line->text,
					(gssize)line->len, NULL) ||
	    (root = json_parser_get_root(parser)) == NULL ||
	    !JSON_NODE_HOLDS_OBJECT(root)) {
		ctx->lines_unknown++;
		logs_note_line(ctx, "log-line-unknown", line,
			       "not a JSON object");
		return 0;
	}
	r.json = json_node_get_object(root);
	return handle_record(ctx, &r, line);
}

static int
handle_tsv(struct logs_ctx *ctx, char **names, const struct log_line *line)
{
	struct zeek_record r = { 0 };
	char **values = g_strsplit(line->text, "\t", -1);
	guint nv = g_strv_length(values), nn = g_strv_length(names);
	int rc = 0;

	if (nv != nn) {
		ctx->lines_unknown++;
		logs_note_line(ctx, "log-fields-mismatch", line,
			       "field count differs from the #fields header");
	} else {
		r.fields = g_hash_table_new(g_str_hash, g_str_equal);
		for (guint i = 0; i < nn; i++)
			g_hash_table_insert(r.fields, names[i], values[i]);
		rc = handle_record(ctx, &r, line);
		g_hash_table_destroy(r.fields);
	}
	g_strfreev(values);
	return rc;
}

int
log_zeek_read(struct logs_ctx *ctx, struct log_stream *st)
{
	JsonParser *parser = json_parser_new();
	char **names = NULL;
	struct log_line line;
	int rc = 0;

	while (rc == 0 && logs_next_line(ctx, st, &line) == 1) {
		if (line.len == 0) {
			ctx->lines_blank++;
		} else if (line.text[0] == '#') {
			ctx->lines_comment++;
			if (g_str_has_prefix(line.text, "#fields\t")) {
				g_strfreev(names);
				names = g_strsplit(line.text + 8, "\t", -1);
			}
		} else if (line.text[0] == '{') {
			rc = handle_json(ctx, parser, &line);
		} else if (names != NULL) {
			rc = handle_tsv(ctx, names, &line);
		} else {
			ctx->lines_unknown++;
			logs_note_line(ctx, "log-line-unknown", &line,
				       "record before any #fields header");
		}
	}
	g_strfreev(names);
	g_object_unref(parser);
	return rc;
}
