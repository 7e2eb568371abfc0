/* SPDX-License-Identifier: MIT
 *
 * findings-load.c - reads the custodians, their sent mail (each copy
 * once) and the addresses they wrote to from the case database into
 * memory.  It applies the examiner's time zones, departure dates and
 * access list.  It also lists the small images that repeat across many
 * messages (logos, signatures), so that they count as noise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/findings-private.h"

/* An image this small in this many messages is a logo or signature. */
#define REPEATED_IMAGE_MAX_BYTES (100 * 1024)
#define REPEATED_IMAGE_MIN_MESSAGES 5

static const char *const automatic_subjects[] = {
	"automatic reply:", "auto:", "autoreply:", "auto-reply:",
	"out of office", "abwesenheitsnotiz", "undeliverable:",
	"undelivered mail", "delivery status notification",
	"returned mail:", "read:", "accepted:", "declined:", "tentative:",
	NULL
};

static const char *const automatic_senders[] = {
	"noreply", "no-reply", "donotreply", "do-not-reply", "mailer-daemon",
	"postmaster", "notifications", "notification", "bounce", NULL
};

static const char *
column_text(sqlite3_stmt *st, int col)
{
	return (const char *)sqlite3_column_text(st, col);
}

static gint64
column_time(sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return FD_TIME_NONE;
	return sqlite3_column_int64(st, col);
}

/* Auto-replies, receipts, meeting responses and bounces are not
 * something a person chose to send at that moment. */
static gboolean
is_automatic(const char *subject, const char *from)
{
	const char *at = from ? strchr(from, '@') : NULL;

	for (int i = 0; subject && automatic_subjects[i]; i++)
		if (g_ascii_strncasecmp(subject, automatic_subjects[i],
					strlen(automatic_subjects[i])) == 0)
			return TRUE;
	for (int i = 0; at && automatic_senders[i]; i++)
		if ((size_t)(at - from) == strlen(automatic_senders[i]) &&
		    g_ascii_strncasecmp(from, automatic_senders[i],
					at - from) == 0)
			return TRUE;
	return FALSE;
}

static void
custodian_free(gpointer p)
{
	struct fd_custodian *c = p;

	for (guint i = 0; c->sent && i < c->sent->len; i++) {
		struct fd_sent *s = &g_array_index(c->sent, struct fd_sent, i);

		g_free(s->message_id);
		g_free(s->subject);
	}
	if (c->sent)
		g_array_free(c->sent, TRUE);
	if (c->recipients)
		g_ptr_array_free(c->recipients, TRUE);
	g_ptr_array_free(c->addresses, TRUE);
	g_ptr_array_free(c->names, TRUE);
	if (c->zone)
		g_time_zone_unref(c->zone);
	g_free(c->zone_name);
	g_free(c->name);
	g_free(c);
}

static void
recipient_free(gpointer p)
{
	struct fd_recipient *r = p;

	g_free(r->address);
	g_free(r->domain);
	g_free(r->name);
	g_array_free(r->sent, TRUE);
	g_array_free(r->personal, TRUE);
	g_free(r);
}

/* Parses '+0100', '-05:30', 'UTC' or an IANA name such as
 * 'Europe/Berlin' into the custodian's zone. */
static int
custodian_set_zone(struct fd_custodian *c, const char *zone)
{
	int h, m;
	char sign, tail;

	g_free(c->zone_name);
	c->zone_name = g_strdup(zone);
	if (c->zone)
		g_time_zone_unref(c->zone);
	c->zone = NULL;
	c->tz_fixed = FALSE;
	if ((sscanf(zone, "%c%2d%2d%c", &sign, &h, &m, &tail) == 3 ||
	     sscanf(zone, "%c%2d:%2d%c", &sign, &h, &m, &tail) == 3) &&
	    (sign == '+' || sign == '-') && h <= 14 && m < 60) {
		c->tz_fixed = TRUE;
		c->tz_fixed_min = (sign == '-' ? -1 : 1) * (h * 60 + m);
		return 0;
	}
	c->zone = g_time_zone_new_identifier(zone);
	if (!c->zone) {
		fprintf(stderr, "error: findings: unknown time zone '%s' for "
			"custodian '%s'; give '+HHMM' or an IANA name such as "
			"'Europe/Berlin'\n", zone, c->name);
		return -1;
	}
	return 0;
}

static struct fd_custodian *
custodian_by_name(struct fd_context *ctx, const char *name, size_t len)
{
	for (guint i = 0; i < ctx->custodians->len; i++) {
		struct fd_custodian *c = ctx->custodians->pdata[i];

		if (c->name && strlen(c->name) == len &&
		    g_ascii_strncasecmp(c->name, name, len) == 0)
			return c;
	}
	return NULL;
}

/* Looks up the custodian of a 'custodian=value' option. */
static struct fd_custodian *
option_custodian(struct fd_context *ctx, const char *option,
		 const char *what, const char **value_r)
{
	const char *eq = strchr(option, '=');
	struct fd_custodian *c;

	if (!eq) {
		fprintf(stderr, "error: findings: invalid %s '%s'; expected "
			"'custodian=value'\n", what, option);
		return NULL;
	}
	c = custodian_by_name(ctx, option, eq - option);
	if (!c)
		fprintf(stderr, "error: findings: %s '%s' names no custodian "
			"in this case\n", what, option);
	*value_r = eq + 1;
	return c;
}

static int
apply_options(struct fd_context *ctx)
{
	GPtrArray *zones = ctx->opts->timezones;
	GPtrArray *departures = ctx->opts->departures;
	const char *value;

	for (guint i = 0; zones && i < zones->len; i++) {
		struct fd_custodian *c = option_custodian(
			ctx, zones->pdata[i], "time zone", &value);

		if (!c || custodian_set_zone(c, value) < 0) {
			ctx->input_invalid = TRUE;
			return -1;
		}
	}
	for (guint i = 0; departures && i < departures->len; i++) {
		struct fd_custodian *c = option_custodian(
			ctx, departures->pdata[i], "departure date", &value);
		int y, m, d;
		char tail;
		GDateTime *dt = NULL;

		if (!c) {
			ctx->input_invalid = TRUE;
			return -1;
		}
		if (sscanf(value, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3)
			dt = g_date_time_new_utc(y, m, d, 0, 0, 0);
		if (!dt) {
			fprintf(stderr, "error: findings: invalid departure "
				"date '%s'; expected YYYY-MM-DD\n", value);
			ctx->input_invalid = TRUE;
			return -1;
		}
		c->departure_utc = g_date_time_to_unix(dt);
		g_date_time_unref(dt);
	}
	return 0;
}

static int
load_custodian_rows(struct fd_context *ctx)
{
	sqlite3_stmt *st = fd_prepare(ctx->db, "SELECT id, name, timezone,"
				      " departure_utc FROM custodian"
				      " ORDER BY id");
	int rc;

	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct fd_custodian *c = g_new0(struct fd_custodian, 1);

		c->id = sqlite3_column_int64(st, 0);
		c->name = g_strdup(column_text(st, 1));
		c->addresses = g_ptr_array_new_with_free_func(g_free);
		c->names = g_ptr_array_new_with_free_func(g_free);
		c->departure_utc = column_time(st, 3);
		g_ptr_array_add(ctx->custodians, c);
		if (column_text(st, 2) &&
		    custodian_set_zone(c, column_text(st, 2)) < 0) {
			sqlite3_finalize(st);
			return -1;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Reads a one-column query bound to the custodian into out. */
static int
load_strings(struct fd_context *ctx, struct fd_custodian *c,
	     const char *sql, GPtrArray *out)
{
	sqlite3_stmt *st = fd_prepare(ctx->db, sql);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, c->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (column_text(st, 0))
			g_ptr_array_add(out, g_strdup(column_text(st, 0)));
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static void
infer_offset(struct fd_context *ctx, struct fd_custodian *c)
{
	sqlite3_stmt *st = fd_prepare(ctx->db,
		"SELECT m.date_offset_min, COUNT(*) FROM message m WHERE "
		FD_SENT_WHERE " AND m.custodian_id IS ?"
		" AND m.date_zone_known = 1"
		" AND m.date_offset_min IS NOT NULL GROUP BY 1"
		" ORDER BY 2 DESC, 1 LIMIT 1");

	if (!st)
		return;
	if (c->id)
		sqlite3_bind_int64(st, 1, c->id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		c->tz_offset_min = sqlite3_column_int(st, 0);
		c->tz_inferred = c->id != 0;
	}
	sqlite3_finalize(st);
}

static gboolean
on_access_list(struct fd_context *ctx, struct fd_custodian *c)
{
	char *low = c->name ? g_utf8_strdown(c->name, -1) : NULL;
	gboolean found = low && g_hash_table_contains(ctx->access, low);

	g_free(low);
	for (guint i = 0; !found && i < c->addresses->len; i++)
		found = g_hash_table_contains(ctx->access,
					      c->addresses->pdata[i]);
	return found;
}

/* A Maildir tmp/ file is an unfinished delivery, not a deletion, so
 * only the other statuses mark a message as deleted. */
static const char sent_sql[] =
	"SELECT m.id, m.sent_utc, m.sent_offset_min, m.size, m.message_id,"
	" m.subject, m.from_addr,"
	" (SELECT COUNT(DISTINCT lower(r.address)) FROM recipient r"
	"  WHERE r.message_id = m.id AND r.kind IN ('to','cc','bcc')"
	"  AND r.address IS NOT NULL),"
	" (SELECT COUNT(DISTINCT lower(r.address)) FROM recipient r"
	"  WHERE r.message_id = m.id AND r.kind IN ('to','cc','bcc')"
	"  AND r.address IS NOT NULL AND r.external = 1),"
	" (SELECT COUNT(*) FROM attachment a WHERE a.message_id = m.id"
	"  AND a.depth = 0 AND (a.sha256 IS NULL OR a.sha256 NOT IN"
	"  (SELECT sha256 FROM temp.fd_repeated_image))),"
	" (SELECT COALESCE(SUM(a.size), 0) FROM attachment a"
	"  WHERE a.message_id = m.id AND a.depth = 0 AND (a.sha256 IS NULL"
	"  OR a.sha256 NOT IN (SELECT sha256 FROM temp.fd_repeated_image))),"
	" m.status NOT IN ('allocated', 'tmp')"
	"  OR m.id IN (SELECT id FROM temp.fd_deleted_copy)"
	" FROM message m WHERE " FD_SENT_WHERE " AND m.custodian_id IS ?"
	" ORDER BY m.sent_utc IS NULL, m.sent_utc, m.id";

static void
sent_fill(struct fd_custodian *c, sqlite3_stmt *st, struct fd_sent *s)
{
	s->id = sqlite3_column_int64(st, 0);
	s->utc = column_time(st, 1);
	s->offset_min = sqlite3_column_int(st, 2);
	s->size = sqlite3_column_int64(st, 3);
	s->message_id = g_strdup(column_text(st, 4));
	s->subject = g_strdup(column_text(st, 5));
	s->automatic = is_automatic(s->subject, column_text(st, 6));
	s->deliveries = sqlite3_column_int(st, 7);
	s->external_deliveries = sqlite3_column_int(st, 8);
	s->attachments = sqlite3_column_int(st, 9);
	s->attachment_bytes = sqlite3_column_int64(st, 10);
	s->deleted = sqlite3_column_int(st, 11) != 0;
	if (s->utc != FD_TIME_NONE) {
		s->offset_min = fd_custodian_offset(c, s->utc, s->offset_min);
		s->local = s->utc + s->offset_min * 60;
	}
}

static int
load_sent(struct fd_context *ctx, struct fd_custodian *c)
{
	sqlite3_stmt *st = fd_prepare(ctx->db, sent_sql);
	int rc;

	if (!st)
		return -1;
	if (c->id)
		sqlite3_bind_int64(st, 1, c->id);
	c->sent = g_array_new(FALSE, TRUE, sizeof(struct fd_sent));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct fd_sent s = { 0 };

		sent_fill(c, st, &s);
		g_array_append_val(c->sent, s);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		fprintf(stderr, "error: findings: cannot read sent mail: %s\n",
			sqlite3_errmsg(ctx->db));
		return -1;
	}
	for (guint i = 0; i < c->sent->len; i++) {
		struct fd_sent *s = &g_array_index(c->sent, struct fd_sent, i);

		g_hash_table_insert(ctx->sent_by_id, &s->id, s);
	}
	return 0;
}

static const char recipients_sql[] =
	"SELECT lower(r.address), MAX(lower(r.domain)), MAX(r.external),"
	" MAX(r.name), m.id, m.size, m.sent_utc"
	" FROM message m JOIN recipient r ON r.message_id = m.id"
	" WHERE " FD_SENT_WHERE " AND m.custodian_id = ?"
	" AND r.kind IN ('to','cc','bcc') AND r.address IS NOT NULL"
	" GROUP BY lower(r.address), m.id"
	" ORDER BY 1, m.sent_utc IS NULL, m.sent_utc, m.id";

static struct fd_recipient *
recipient_new(struct fd_context *ctx, sqlite3_stmt *st)
{
	struct fd_recipient *r = g_new0(struct fd_recipient, 1);
	const char *at;

	r->address = g_strdup(column_text(st, 0));
	r->domain = g_strdup(column_text(st, 1));
	at = strrchr(r->address, '@');
	if (!r->domain && at)
		r->domain = g_ascii_strdown(at + 1, -1);
	if (sqlite3_column_type(st, 2) != SQLITE_NULL)
		r->external = sqlite3_column_int(st, 2) != 0;
	else
		r->external = !fd_is_internal_domain(ctx, r->domain);
	r->name = g_strdup(column_text(st, 3));
	r->sent = g_array_new(FALSE, FALSE, sizeof(gint64));
	r->personal = g_array_new(FALSE, FALSE, sizeof(gint64));
	r->first_sent = r->last_sent = FD_TIME_NONE;
	r->first_received = r->last_received = FD_TIME_NONE;
	return r;
}

static void
time_extend(gint64 t, gint64 *first, gint64 *last)
{
	if (t == FD_TIME_NONE)
		return;
	if (*first == FD_TIME_NONE || t < *first)
		*first = t;
	if (*last == FD_TIME_NONE || t > *last)
		*last = t;
}

static int
load_recipients(struct fd_context *ctx, struct fd_custodian *c,
		GHashTable *by_address)
{
	sqlite3_stmt *st = fd_prepare(ctx->db, recipients_sql);
	struct fd_recipient *r = NULL;
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, c->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		gint64 id = sqlite3_column_int64(st, 4);
		const struct fd_sent *s;

		if (!r || strcmp(r->address, column_text(st, 0)) != 0) {
			r = recipient_new(ctx, st);
			g_ptr_array_add(c->recipients, r);
			g_hash_table_insert(by_address, r->address, r);
		}
		g_array_append_val(r->sent, id);
		s = g_hash_table_lookup(ctx->sent_by_id, &id);
		if (s && !s->automatic)
			g_array_append_val(r->personal, id);
		r->bytes += sqlite3_column_int64(st, 5);
		time_extend(column_time(st, 6), &r->first_sent, &r->last_sent);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Adds every Message-ID in an In-Reply-To or References value. */
static gboolean
names_sent_message(const char *value, GHashTable *sent_ids)
{
	char **tokens;
	gboolean found = FALSE;

	if (!value)
		return FALSE;
	tokens = g_strsplit_set(value, " \t\r\n<>,", -1);
	for (int i = 0; tokens[i] && !found; i++)
		found = tokens[i][0] && g_hash_table_contains(sent_ids,
							       tokens[i]);
	g_strfreev(tokens);
	return found;
}

/* Counts, per address written to, the mail that came back from it. */
static int
load_replies(struct fd_context *ctx, struct fd_custodian *c,
	     GHashTable *by_address)
{
	GHashTable *sent_ids = g_hash_table_new(g_str_hash, g_str_equal);
	sqlite3_stmt *st = fd_prepare(ctx->db,
		"SELECT lower(m.from_addr), m.in_reply_to, m.references_hdr,"
		" COALESCE(m.sent_utc, m.delivery_utc) FROM message m"
		" WHERE m.custodian_id = ? AND m.duplicate_of IS NULL"
		" AND (m.direction IS NULL OR m.direction <> 'outbound')"
		" AND m.from_addr IS NOT NULL ORDER BY m.id");
	int rc = SQLITE_ERROR;

	for (guint i = 0; i < c->sent->len; i++) {
		struct fd_sent *s = &g_array_index(c->sent, struct fd_sent, i);

		if (s->message_id)
			g_hash_table_add(sent_ids, s->message_id);
	}
	if (st) {
		sqlite3_bind_int64(st, 1, c->id);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			struct fd_recipient *r = g_hash_table_lookup(
				by_address, column_text(st, 0));

			if (!r)
				continue;
			r->received++;
			time_extend(column_time(st, 3), &r->first_received,
				    &r->last_received);
			if (names_sent_message(column_text(st, 1), sent_ids) ||
			    names_sent_message(column_text(st, 2), sent_ids))
				r->replies++;
		}
		sqlite3_finalize(st);
	}
	g_hash_table_destroy(sent_ids);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int
load_custodian(struct fd_context *ctx, struct fd_custodian *c)
{
	GHashTable *by_address;
	int rc;

	if (c->id && (load_strings(ctx, c, "SELECT lower(address) FROM "
				   "custodian_address WHERE custodian_id = ?"
				   " ORDER BY 1", c->addresses) < 0 ||
		      load_strings(ctx, c, "SELECT DISTINCT m.from_name FROM "
				   "message m WHERE " FD_SENT_WHERE " AND "
				   "m.custodian_id = ? ORDER BY 1 LIMIT 20",
				   c->names) < 0))
		return -1;
	infer_offset(ctx, c);
	c->on_access_list = on_access_list(ctx, c);
	if (load_sent(ctx, c) < 0)
		return -1;
	c->recipients = g_ptr_array_new_with_free_func(recipient_free);
	if (!c->id)
		return 0;
	by_address = g_hash_table_new(g_str_hash, g_str_equal);
	rc = load_recipients(ctx, c, by_address);
	if (rc == 0)
		rc = load_replies(ctx, c, by_address);
	g_hash_table_destroy(by_address);
	return rc;
}

/* Lists the messages with a deleted copy once, because message has no
 * index on duplicate_of and a per-message lookup would scan it. */
static int
find_deleted_copies(struct fd_context *ctx)
{
	return fd_exec(ctx->db,
		"CREATE TEMP TABLE IF NOT EXISTS fd_deleted_copy"
		" (id INTEGER PRIMARY KEY);"
		"DELETE FROM temp.fd_deleted_copy;"
		"INSERT OR IGNORE INTO temp.fd_deleted_copy SELECT duplicate_of"
		" FROM message WHERE duplicate_of IS NOT NULL"
		" AND status NOT IN ('allocated', 'tmp');");
}

static int
find_repeated_images(struct fd_context *ctx)
{
	char *sql = g_strdup_printf(
		"CREATE TEMP TABLE IF NOT EXISTS fd_repeated_image"
		" (sha256 TEXT PRIMARY KEY);"
		"DELETE FROM temp.fd_repeated_image;"
		"INSERT INTO temp.fd_repeated_image SELECT a.sha256"
		" FROM attachment a JOIN message m ON m.id = a.message_id"
		" WHERE a.sha256 IS NOT NULL AND a.size <= %d"
		" AND (a.magic_type LIKE 'image/%%'"
		"  OR a.declared_type LIKE 'image/%%')"
		" GROUP BY a.sha256"
		" HAVING COUNT(DISTINCT COALESCE(m.duplicate_of, m.id)) >= %d;",
		REPEATED_IMAGE_MAX_BYTES, REPEATED_IMAGE_MIN_MESSAGES);
	int rc = fd_exec(ctx->db, sql);

	g_free(sql);
	return rc;
}

/* Records the examiner's zone and departure, and the inferred offset
 * where the case database has none yet. */
static int
store_custodian_facts(struct fd_context *ctx, struct fd_custodian *c)
{
	sqlite3_stmt *st = fd_prepare(ctx->db,
		"UPDATE custodian SET timezone = COALESCE(?, timezone),"
		" departure_utc = ?, tz_offset_min = COALESCE(tz_offset_min, ?)"
		" WHERE id = ?");
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, c->zone_name, -1, SQLITE_STATIC);
	if (c->departure_utc != FD_TIME_NONE)
		sqlite3_bind_int64(st, 2, c->departure_utc);
	if (c->tz_inferred)
		sqlite3_bind_int(st, 3, c->tz_offset_min);
	sqlite3_bind_int64(st, 4, c->id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
fd_load(struct fd_context *ctx)
{
	struct fd_custodian *unassigned = g_new0(struct fd_custodian, 1);

	ctx->custodians = g_ptr_array_new_with_free_func(custodian_free);
	ctx->sent_by_id = g_hash_table_new(g_int64_hash, g_int64_equal);
	if (find_repeated_images(ctx) < 0 || find_deleted_copies(ctx) < 0 ||
	    load_custodian_rows(ctx) < 0 ||
	    apply_options(ctx) < 0) {
		g_free(unassigned);
		return -1;
	}
	unassigned->addresses = g_ptr_array_new_with_free_func(g_free);
	unassigned->names = g_ptr_array_new_with_free_func(g_free);
	unassigned->departure_utc = FD_TIME_NONE;
	g_ptr_array_add(ctx->custodians, unassigned);
	for (guint i = 0; i < ctx->custodians->len; i++) {
		struct fd_custodian *c = ctx->custodians->pdata[i];

		if (load_custodian(ctx, c) < 0)
			return -1;
		if (c->id && store_custodian_facts(ctx, c) < 0)
			return -1;
	}
	return 0;
}

void
fd_load_clear(struct fd_context *ctx)
{
	if (ctx->sent_by_id)
		g_hash_table_destroy(ctx->sent_by_id);
	if (ctx->custodians)
		g_ptr_array_free(ctx->custodians, TRUE);
	ctx->sent_by_id = NULL;
	ctx->custodians = NULL;
}
