/* SPDX-License-Identifier: MIT
 *
 * log-postfix.c - Postfix and Sendmail syslog lines (RFC 3164 or RFC 5424
 * / ISO timestamps).  Lines of one queue id are joined into one message
 * (smtpd client=, cleanup message-id=, qmgr from= size= nrcpt=, one
 * delivery line per recipient, qmgr removed); other mail lines become
 * stand-alone events.  The Postfix logging format is described in its
 * documentation (postfix.org/MAILLOG_README.html); Sendmail's in its
 * op.me ("from=", "to=", "stat=", "nrcpts=", "msgid=").
 */
#include <string.h>
#include <time.h>

#include "core/record.h"
#include "extract/logs-private.h"

/* Postfix keeps undeliverable mail 5 days by default
 * (maximal_queue_lifetime), so a queue id idle for 7 days is done. */
#define QUEUE_IDLE (7 * 86400)

struct syslog_head {
	const char *host;
	size_t host_len;
	const char *program;
	size_t program_len;
	const char *text;        /* after "program[pid]: " */
	gint64 utc;
	int offset_min;
	gboolean zone_known;
	size_t stamp_len;
	const char *stamp;
};

/* Skips "<PRI>" and the RFC 5424 version "1 "; returns the rest. */
static const char *
skip_priority(const char *s, gboolean *rfc5424_r)
{
	const char *p = s;

	*rfc5424_r = FALSE;
	if (*p == '<') {
		p++;
		while (g_ascii_isdigit(*p))
			p++;
		if (*p != '>')
			return s;
		p++;
		if (p[0] == '1' && p[1] == ' ') {
			*rfc5424_r = TRUE;
			p += 2;
		}
	}
	return p;
}

static const char *
token_end(const char *s)
{
	while (*s && *s != ' ')
		s++;
	return s;
}

/* Skips RFC 5424 STRUCTURED-DATA: "-" or one or more [id param="v"]
 * elements, where '\]' and '\"' inside values are escaped. */
static const char *
skip_structured_data(const char *p)
{
	if (*p == '-')
		return p + 1;
	while (*p == '[') {
		gboolean quoted = FALSE;

		for (p++; *p && (quoted || *p != ']'); p++) {
			if (*p == '\\' && p[1] != '\0')
				p++;
			else if (*p == '"')
				quoted = !quoted;
		}
		if (*p == ']')
			p++;
	}
	return p;
}

/* Parses "program[pid]: text" or "program: text" (RFC 3164 tag), or the
 * RFC 5424 "app procid msgid sd text". */
static gboolean
parse_tag(const char *p, gboolean rfc5424, struct syslog_head *h)
{
	const char *end;

	if (rfc5424) {
		end = token_end(p);
		h->program = p;
		h->program_len = (size_t)(end - p);
		for (int i = 0; i < 2 && *end == ' '; i++)
			end = token_end(end + 1);   /* procid, msgid */
		if (*end == ' ')
			end = skip_structured_data(end + 1);
		h->text = *end == ' ' ? end + 1 : end;
		if (strncmp(h->text, "\xef\xbb\xbf", 3) == 0)
			h->text += 3;   /* RFC 5424 allows a BOM before MSG */
		return h->program_len > 0;
	}
	h->program = p;
	while (*p && *p != '[' && *p != ':' && *p != ' ')
		p++;
	h->program_len = (size_t)(p - h->program);
	if (*p == '[') {
		while (*p && *p != ']')
			p++;
		if (*p != ']')
			return FALSE;
		p++;
	}
	if (*p != ':' || h->program_len == 0)
		return FALSE;
	p++;
	while (*p == ' ')
		p++;
	h->text = p;
	return TRUE;
}

/* Parses the syslog header of a line; FALSE when it has none. */
static gboolean
parse_head(struct logs_ctx *ctx, const char *line, struct syslog_head *h)
{
	gboolean rfc5424;
	const char *p = skip_priority(line, &rfc5424);
	int month, day, sod;
	size_t n;

	h->stamp = p;
	n = log_time_parse_iso(p, &h->utc, &h->offset_min, &h->zone_known);
	if (n == 0) {
		n = log_time_parse_3164(p, &month, &day, &sod);
		if (n == 0)
			return FALSE;
		if (ctx != NULL) {
			h->utc = log_clock_resolve(&ctx->clock, month, day,
						   sod, &h->offset_min);
			h->zone_known = ctx->clock.zone_known;
		}
	} else if (!h->zone_known && ctx != NULL) {
		/* An ISO time without zone is local time of the log host. */
		h->utc -= (gint64)ctx->clock.fixed_offset_min * 60;
		h->offset_min = ctx->clock.fixed_offset_min;
		h->zone_known = ctx->clock.zone_known;
	}
	h->stamp_len = n;
	p += n;
	if (*p != ' ')
		return FALSE;
	p++;
	h->host = p;
	p = token_end(p);
	h->host_len = (size_t)(p - h->host);
	if (*p != ' ' || h->host_len == 0)
		return FALSE;
	return parse_tag(p + 1, rfc5424, h);
}

static gboolean
program_is_mail(const char *program, size_t len)
{
	static const char *const prefixes[] = {
		"postfix", "sendmail", "sm-mta", "sm-msp",
	};

	for (size_t i = 0; i < G_N_ELEMENTS(prefixes); i++) {
		size_t n = strlen(prefixes[i]);

		if (len >= n && strncmp(program, prefixes[i], n) == 0)
			return TRUE;
	}
	return FALSE;
}

static gboolean
program_is_sendmail(const char *program, size_t len)
{
	return program_is_mail(program, len) &&
	       strncmp(program, "postfix", 7) != 0;
}

const char *
log_postfix_detect(char **lines, guint n)
{
	guint syslog = 0, other = 0, postfix = 0, sendmail = 0;

	for (guint i = 0; i < n; i++) {
		struct syslog_head h;

		if (lines[i][0] == '\0' || lines[i][0] == '#')
			continue;
		if (!parse_head(NULL, lines[i], &h)) {
			other++;
			continue;
		}
		syslog++;
		if (program_is_sendmail(h.program, h.program_len))
			sendmail++;
		else if (program_is_mail(h.program, h.program_len))
			postfix++;
	}
	if (postfix + sendmail == 0 || syslog < other)
		return NULL;
	return sendmail > postfix ? "log-sendmail" : "log-postfix";
}

/* Finds "key=" at the start of text or after ' ', ',' or ';' and returns
 * its value's length in *len_r.  A value in <> or () runs to the closing
 * bracket, a value of stat= or status= to the end of the text, others to
 * the next ',', ';' or ' '.  to= runs to ", " (Sendmail lists several
 * recipients separated by ','). */
static const char *
kv_find(const char *text, const char *key, size_t *len_r)
{
	size_t klen = strlen(key);
	const char *p = text;

	while ((p = strstr(p, key)) != NULL) {
		const char *v = p + klen, *e;

		if ((p != text && p[-1] != ' ' && p[-1] != ',' &&
		     p[-1] != ';') || *v != '=') {
			p = v;
			continue;
		}
		v++;
		if (strcmp(key, "status") == 0 || strcmp(key, "stat") == 0 ||
		    strcmp(key, "reject") == 0) {
			*len_r = strlen(v);
			return v;
		}
		e = v;
		if (strcmp(key, "to") == 0) {
			while (*e && !(e[0] == ',' && e[1] == ' ') &&
			       !(*e == ' ' && *v == '<' && e[-1] == '>'))
				e++;
		} else if (*v == '<') {
			while (*e && *e != '>')
				e++;
			if (*e == '>')
				e++;
		} else {
			while (*e && *e != ',' && *e != ';' && *e != ' ')
				e++;
			/* Sendmail: "relay=mx.example.com. [192.0.2.1]," */
			if (e[0] == ' ' && e[1] == '[') {
				e = token_end(e + 1);
				if (e[-1] == ',' || e[-1] == ';')
					e--;
			}
		}
		*len_r = (size_t)(e - v);
		return v;
	}
	return NULL;
}

static char *
kv_dup(const char *text, const char *key)
{
	size_t len;
	const char *v = kv_find(text, key, &len);

	return v != NULL ? logs_valid_utf8(v, (gssize)len) : NULL;
}

static char *
kv_address(const char *text, const char *key)
{
	size_t len;
	const char *v = kv_find(text, key, &len);
	char *s, *lower;

	if (v == NULL)
		return NULL;
	s = logs_strip_brackets(v, (gssize)len);
	lower = g_utf8_strdown(s, -1);
	g_free(s);
	return lower;
}

static gint64
kv_number(const char *text, const char *key)
{
	size_t len;
	const char *v = kv_find(text, key, &len);

	if (v == NULL || !g_ascii_isdigit(*v))
		return -1;
	return g_ascii_strtoll(v, NULL, 10);
}

/* Takes "host[ip]" (Postfix) or "host [ip]" (Sendmail) from s. */
static void
host_and_ip(const char *s, size_t len, char **host_r, char **ip_r)
{
	const char *open = memchr(s, '[', len), *close;

	*host_r = *ip_r = NULL;
	if (open == NULL)
		return;
	close = memchr(open, ']', len - (size_t)(open - s));
	if (close == NULL)
		return;
	*ip_r = logs_valid_utf8(open + 1, close - open - 1);
	while (open > s && open[-1] == ' ')
		open--;
	if (open > s)
		*host_r = logs_valid_utf8(s, open - s);
	if (!logs_is_address(*ip_r)) {
		g_free(*ip_r);
		*ip_r = NULL;
	}
}

/* Returns the recipient in to=, or NULL when absent or "<>". */
static char *
kv_recipient(const char *text)
{
	char *to = kv_address(text, "to");

	if (to != NULL && *to == '\0') {
		g_free(to);
		to = NULL;
	}
	return to;
}

/* Finds the client address in "... from host[ip]..." text. */
static char *
text_client_ip(const char *text)
{
	const char *from = strstr(text, " from ");
	char *host, *ip;

	from = from != NULL ? from + 6 : text;
	host_and_ip(from, strlen(from), &host, &ip);
	g_free(host);
	return ip;
}

static gboolean
text_has(const char *text, const char *needle)
{
	return g_strstr_len(text, -1, needle) != NULL;
}

static gboolean
is_size_text(const char *t)
{
	return text_has(t, "exceeds size limit") ||
	       text_has(t, "size exceeds") || text_has(t, "5.3.4") ||
	       text_has(t, "too big") || text_has(t, "too large") ||
	       text_has(t, "Message size") || text_has(t, "message size");
}

static gboolean
is_attachment_text(const char *t)
{
	return text_has(t, "ttachment") || text_has(t, "filename=") ||
	       text_has(t, "name=\"") || text_has(t, "name=");
}

/* Names the kind of a reject/warning/delivery text. */
static const char *
classify_problem(const char *t, const char *fallback)
{
	if (is_size_text(t))
		return "size-limit";
	if ((g_str_has_prefix(t, "reject: header") ||
	     g_str_has_prefix(t, "reject: body") ||
	     g_str_has_prefix(t, "reject: mime") ||
	     g_str_has_prefix(t, "discard: header") ||
	     g_str_has_prefix(t, "discard: body") ||
	     g_str_has_prefix(t, "milter-reject")) && is_attachment_text(t))
		return "attachment-rejected";
	return fallback;
}

static struct log_evt *
event_new(const struct log_line *line, const struct syslog_head *h,
	  const char *kind)
{
	struct log_evt *e = log_evt_new(line, kind);

	e->time_utc = h->utc;
	e->offset_min = h->offset_min;
	e->zone_known = h->zone_known;
	e->time_raw = g_strndup(h->stamp, h->stamp_len);
	e->program = logs_valid_utf8(h->program, (gssize)h->program_len);
	return e;
}

static char *
detail_dup(const char *text)
{
	size_t len = strlen(text);

	return logs_valid_utf8(text, len < LOGS_DETAIL_MAX ? (gssize)len
							   : LOGS_DETAIL_MAX);
}

/* Status word and the text after it: "sent (250 ok)" -> "sent". */
static void
split_status(struct log_evt *e, const char *text, const char *key)
{
	size_t len;
	const char *v = kv_find(text, key, &len);
	const char *end;

	if (v == NULL)
		return;
	end = v;
	while (*end && *end != ' ' && *end != ':' && *end != '(')
		end++;
	e->status = logs_valid_utf8(v, end - v);
	while (*end == ' ' || *end == ':')
		end++;
	if (*end)
		e->detail = detail_dup(end);
}

static void
fill_delivery(struct log_evt *e, const char *text)
{
	char *relay_host = NULL;

	e->orig_to = kv_address(text, "orig_to");
	e->relay = kv_dup(text, "relay");
	e->dsn = kv_dup(text, "dsn");
	if (e->relay != NULL)
		host_and_ip(e->relay, strlen(e->relay), &relay_host,
			    &e->relay_ip);
	g_free(relay_host);
	if (kv_find(text, "status", &(size_t){ 0 }) != NULL)
		split_status(e, text, "status");
	else
		split_status(e, text, "stat");
}

static struct log_msg *
pending_get(struct logs_ctx *ctx, const struct syslog_head *h,
	    const char *qid, const struct log_line *line)
{
	char *host = g_strndup(h->host, h->host_len);
	char *key = g_strconcat(qid, " ", host, NULL);
	struct log_msg *m = g_hash_table_lookup(ctx->pending, key);

	if (m == NULL) {
		m = log_msg_new(host, qid, line);
		m->time_utc = h->utc;
		m->zone_known = h->zone_known;
		m->time_raw = g_strndup(h->stamp, h->stamp_len);
		g_hash_table_insert(ctx->pending, m->key, m);
	}
	m->last_utc = h->utc;
	g_free(host);
	g_free(key);
	return m;
}

static int
pending_flush(struct logs_ctx *ctx, struct log_msg *m)
{
	g_hash_table_steal(ctx->pending, m->key);
	return logs_store_message(ctx, m);
}

/* Adds one delivery event per recipient in to= (Sendmail lists several). */
static void
add_deliveries(struct log_msg *m, const struct log_line *line,
	       const struct syslog_head *h, const char *text)
{
	size_t len;
	const char *v = kv_find(text, "to", &len);
	char *list = g_strndup(v, len);
	char **rcpts = g_strsplit(list, ",", -1);

	for (char **r = rcpts; *r != NULL; r++) {
		struct log_evt *e;
		char *addr = logs_strip_brackets(*r, -1);

		if (*addr == '\0') {
			g_free(addr);
			continue;
		}
		e = event_new(line, h, "delivery");
		e->to_addr = g_utf8_strdown(addr, -1);
		g_free(addr);
		fill_delivery(e, text);
		if (e->status != NULL &&
		    g_ascii_strcasecmp(e->status, "sent") != 0 &&
		    e->detail != NULL && is_size_text(e->detail))
			e->kind = "size-limit";
		g_ptr_array_add(m->events, e);
	}
	g_strfreev(rcpts);
	g_free(list);
}

/* "client=host[ip], sasl_method=PLAIN, sasl_username=alice" */
static void
take_client(struct log_msg *m, const char *text)
{
	size_t len;
	const char *v = kv_find(text, "client", &len);

	if (v != NULL) {
		g_free(m->client_host);
		g_free(m->client_ip);
		host_and_ip(v, len, &m->client_host, &m->client_ip);
	}
	if (m->sasl_user == NULL)
		m->sasl_user = kv_dup(text, "sasl_username");
}

/* "warning: header Subject: text from host[ip]; from=<a> to=<b> ..." */
static char *
header_subject(const char *text)
{
	const char *s = strstr(text, "header Subject: ");
	const char *end, *semi;

	if (s == NULL)
		return NULL;
	s += 16;
	semi = strstr(s, "; from=");
	end = semi != NULL ? semi : s + strlen(s);
	/* The subject ends at the last " from " before "; from=". */
	for (const char *p = end - 1; p > s; p--)
		if (strncmp(p, " from ", 6) == 0) {
			end = p;
			break;
		}
	return logs_valid_utf8(s, end - s);
}

/* Starts a message on a client=/pickup line; a queue id seen again after
 * its message started begins a new message. */
static struct log_msg *
message_start(struct logs_ctx *ctx, const struct syslog_head *h,
	      const char *qid, const struct log_line *line)
{
	struct log_msg *m = pending_get(ctx, h, qid, line);

	if (m->has_start || m->events->len > 0) {
		pending_flush(ctx, m);
		m = pending_get(ctx, h, qid, line);
	}
	m->has_start = TRUE;
	return m;
}

/* Sendmail "from=<a>, size=N, class=0, nrcpts=N, msgid=<x>, relay=h [ip]" */
static void
take_sendmail_from(struct log_msg *m, const char *text)
{
	size_t len;
	const char *relay = kv_find(text, "relay", &len);

	m->has_start = TRUE;
	if (m->message_id == NULL)
		m->message_id = kv_address(text, "msgid");
	if (m->nrcpt < 0)
		m->nrcpt = kv_number(text, "nrcpts");
	if (relay != NULL && m->client_ip == NULL)
		host_and_ip(relay, len, &m->client_host, &m->client_ip);
}

static int handle_message_event(struct logs_ctx *ctx, struct log_msg *m,
				const struct syslog_head *h, const char *text,
				const struct log_line *line);

static int
handle_message_line(struct logs_ctx *ctx, const struct syslog_head *h,
		    const char *qid, const char *text,
		    const struct log_line *line)
{
	struct log_msg *m;
	gboolean sendmail = program_is_sendmail(h->program, h->program_len);

	if (g_str_has_prefix(text, "client=") ||
	    (g_str_has_prefix(text, "uid=") && text_has(text, "from="))) {
		m = message_start(ctx, h, qid, line);
		take_client(m, text);
		if (g_str_has_prefix(text, "uid="))
			m->from_addr = kv_address(text, "from");
		return 0;
	}
	m = pending_get(ctx, h, qid, line);
	if (g_str_has_prefix(text, "message-id=")) {
		g_free(m->message_id);
		m->message_id = logs_strip_brackets(text + 11, -1);
	} else if (g_str_has_prefix(text, "removed")) {
		m->has_end = TRUE;
		return pending_flush(ctx, m);
	} else if (kv_find(text, "to", &(size_t){ 0 }) != NULL &&
		   (kv_find(text, "status", &(size_t){ 0 }) != NULL ||
		    kv_find(text, "stat", &(size_t){ 0 }) != NULL)) {
		add_deliveries(m, line, h, text);
	} else if (g_str_has_prefix(text, "from=") &&
		   !text_has(text, "status=")) {
		g_free(m->from_addr);
		m->from_addr = kv_address(text, "from");
		if (m->size < 0 || kv_number(text, "size") >= 0)
			m->size = kv_number(text, "size");
		m->nrcpt = kv_number(text, sendmail ? "nrcpts" : "nrcpt");
		if (sendmail)
			take_sendmail_from(m, text);
	} else {
		return handle_message_event(ctx, m, h, text, line);
	}
	return 0;
}

/* A queued line that is neither start, sender, delivery nor end: reject
 * of one recipient, header_checks warnings (which may carry the
 * Subject), Sendmail ruleset rejects, other notes. */
static int
handle_message_event(struct logs_ctx *ctx, struct log_msg *m,
		     const struct syslog_head *h, const char *text,
		     const struct log_line *line)
{
	const char *kind = "other";
	struct log_evt *e;
	char *subject = header_subject(text);

	if (subject != NULL && m->subject == NULL) {
		m->subject = subject;
		return 0;
	}
	g_free(subject);
	if (g_str_has_prefix(text, "reject:") ||
	    g_str_has_prefix(text, "milter-reject:") ||
	    g_str_has_prefix(text, "discard:") ||
	    g_str_has_prefix(text, "ruleset="))
		kind = classify_problem(text, "reject");
	else if (g_str_has_prefix(text, "warning:"))
		kind = classify_problem(text, "warning");
	else
		kind = classify_problem(text, "other");
	e = event_new(line, h, kind);
	e->detail = detail_dup(text);
	if (strcmp(kind, "other") != 0) {
		e->from_addr = kv_address(text, "from");
		e->to_addr = kv_recipient(text);
		if (e->to_addr == NULL)
			e->to_addr = kv_address(text, "arg1");
		e->client_ip = text_client_ip(text);
	}
	g_ptr_array_add(m->events, e);
	(void)ctx;
	return 0;
}

/* A mail line without a queue id (connect, disconnect, NOQUEUE reject,
 * SASL failure, warnings) becomes one stand-alone event. */
static int
handle_plain_line(struct logs_ctx *ctx, const struct syslog_head *h,
		  const char *text, gboolean noqueue,
		  const struct log_line *line)
{
	const char *kind = "other";
	struct log_evt *e;
	char *host;
	int rc;

	if (noqueue)
		kind = classify_problem(text, "reject");
	else if (g_str_has_prefix(text, "connect from "))
		kind = "connect";
	else if (g_str_has_prefix(text, "disconnect from "))
		kind = "disconnect";
	else if (g_str_has_prefix(text, "lost connection "))
		kind = "lost-connection";
	else if (text_has(text, "authentication failed"))
		kind = "auth-failed";
	else if (g_str_has_prefix(text, "warning:"))
		kind = classify_problem(text, "warning");
	else
		kind = classify_problem(text, "other");
	e = event_new(line, h, kind);
	e->detail = detail_dup(text);
	e->client_ip = text_client_ip(text);
	e->from_addr = kv_address(text, "from");
	e->to_addr = kv_recipient(text);
	host = g_strndup(h->host, h->host_len);
	rc = logs_store_event(ctx, e, host);
	g_free(host);
	log_evt_free(e);
	return rc;
}

/* Returns the length of a queue id at text ("3F2A1B4C0D: ", long ids
 * such as "4Z9kqT1Ckmz9sWN: ", Sendmail "q0KAi0aB012345: "), or 0. */
static size_t
queue_id_length(const char *text)
{
	size_t n = 0;
	gboolean digit = FALSE, upper_hex = TRUE;

	while (g_ascii_isalnum(text[n]) && n < 24) {
		digit |= g_ascii_isdigit(text[n]);
		if (!g_ascii_isdigit(text[n]) &&
		    !(text[n] >= 'A' && text[n] <= 'F'))
			upper_hex = FALSE;
		n++;
	}
	if (n < 5 || n > 20 || text[n] != ':' || text[n + 1] != ' ')
		return 0;
	/* Words such as "warning:" are no queue ids. */
	return digit || upper_hex ? n : 0;
}

static int
handle_line(struct logs_ctx *ctx, const struct log_line *line)
{
	struct syslog_head h;
	const char *text;
	size_t qlen;
	char *qid;
	int rc;

	if (!parse_head(ctx, line->text, &h)) {
		ctx->lines_unknown++;
		logs_note_line(ctx, "log-line-unknown", line,
			       "not a syslog line");
		return 0;
	}
	if (!program_is_mail(h.program, h.program_len)) {
		ctx->lines_foreign++;
		return 0;
	}
	if (h.utc == MT_TIME_NONE) {
		ctx->lines_unknown++;
		logs_note_line(ctx, "log-time-invalid", line,
			       "day not in the month for the year assumed");
		return 0;
	}
	ctx->lines_parsed++;
	logs_note_time(ctx, h.utc);
	text = h.text;
	if (g_str_has_prefix(text, "NOQUEUE: "))
		return handle_plain_line(ctx, &h, text + 9, TRUE, line);
	qlen = queue_id_length(text);
	if (qlen == 0)
		return handle_plain_line(ctx, &h, text, FALSE, line);
	qid = g_strndup(text, qlen);
	rc = handle_message_line(ctx, &h, qid, text + qlen + 2, line);
	g_free(qid);
	return rc;
}

int
log_postfix_read(struct logs_ctx *ctx, struct log_stream *st)
{
	struct log_line line;

	while (logs_next_line(ctx, st, &line) == 1) {
		if (line.len == 0) {
			ctx->lines_blank++;
			continue;
		}
		if (line.text[0] == '#') {
			ctx->lines_comment++;
			continue;
		}
		if (handle_line(ctx, &line) < 0 || ctx->failed ||
		    logs_sweep_pending(ctx, &line, QUEUE_IDLE) < 0)
			return -1;
	}
	return 0;
}

gint64
log_postfix_clock_anchor(const char *path, struct log_clock *clock,
			 gint64 reference_local, gboolean *unordered_r)
{
	/* 2000 is a leap year, so Feb 29 lines resolve on the pre-scan. */
	struct log_clock walk = { .year = 2000,
				  .previous_local = MT_TIME_NONE,
				  .reference_local = MT_TIME_NONE };
	char *error = NULL;
	struct log_stream *st = log_stream_open(path, &error);
	struct log_line line;
	gint64 last = MT_TIME_NONE;
	int month = 0, day = 0, sod = 0, offset, backward = 0;
	gint64 count = 0;
	time_t ref_seconds = (time_t)reference_local;
	struct tm ref_tm;
	int ref_year;

	gmtime_r(&ref_seconds, &ref_tm);
	ref_year = ref_tm.tm_year + 1900;
	*unordered_r = FALSE;
	clock->year = ref_year;
	if (st == NULL) {
		g_free(error);
		return 0;
	}
	while (log_stream_next(st, &line, &error) == 1) {
		gboolean rfc5424;
		const char *p = skip_priority(line.text, &rfc5424);
		gint64 t;

		if (log_time_parse_3164(p, &month, &day, &sod) == 0)
			continue;
		t = log_clock_resolve(&walk, month, day, sod, &offset);
		count++;
		if (last != MT_TIME_NONE && t < last - 86400)
			backward++;
		last = t;
	}
	g_free(error);
	log_stream_free(&st);
	if (backward >= 3) {
		*unordered_r = TRUE;
		clock->reference_local = reference_local;
		return count;
	}
	if (last == MT_TIME_NONE)
		return count;
	/* The last line's year: the reference year, or the one before when
	 * its date comes after the reference date. */
	for (int y = ref_year; y > ref_year - 2; y--) {
		if (day > 28 && month == 2 && y % 4 != 0)
			continue;
		if (log_time_civil(y, month, day, 0, 0, 0) + sod <=
		    reference_local + 86400) {
			clock->year = y - (walk.year - 2000);
			return count;
		}
	}
	clock->year = ref_year - 1 - (walk.year - 2000);
	return count;
}
