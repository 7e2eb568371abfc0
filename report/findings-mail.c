/* SPDX-License-Identifier: MIT
 *
 * findings-mail.c - signs of hiding or automating the flow of mail:
 * outbound mail to external recipients that was deleted, trashed or
 * expunged, messages forwarded outside within seconds of arriving, and
 * Outlook rule objects (IPM.Rule.*, IPM.RuleOrganizer) in a PST.
 */
#include <string.h>

#include "report/findings-private.h"

/* A forward this soon after the original arrived was not typed. */
#define AUTO_FORWARD_SECONDS 120

static const char *const forward_prefixes[] = {
	"fw:", "fwd:", "wg:", "tr:", "rv:", "fs:", "doorst:", NULL
};

static const char *const reply_prefixes[] = {
	"re:", "aw:", "sv:", "antw:", NULL
};

static void
window_extend(struct fd_finding *f, gint64 utc)
{
	if (utc == FD_TIME_NONE)
		return;
	if (f->window_start == FD_TIME_NONE || utc < f->window_start)
		f->window_start = utc;
	if (f->window_end == FD_TIME_NONE || utc > f->window_end)
		f->window_end = utc;
}

int
fd_mail_deleted(struct fd_context *ctx, struct fd_custodian *c)
{
	struct fd_finding *f = NULL;
	guint attached = 0;

	for (guint i = 0; i < c->sent->len; i++) {
		const struct fd_sent *s = &g_array_index(c->sent,
							 struct fd_sent, i);

		if (!s->deleted || s->external_deliveries == 0)
			continue;
		if (!f)
			f = fd_finding_new("deleted-outbound", c);
		fd_finding_add_message(f, s->id);
		window_extend(f, s->utc);
		attached += s->attachments > 0;
	}
	if (!f)
		return 0;
	f->no_deleted_bonus = TRUE;
	fd_finding_title(f, "%s deleted %u message%s sent outside the "
			 "company", c->name, f->messages->len,
			 FD_PLURAL(f->messages->len));
	fd_finding_add(f, 20, "sent mail to external recipients that is "
		       "deleted, trashed or expunged (or has such a copy)");
	fd_finding_add(f, MIN(30.0, f->messages->len), "%u messages",
		       f->messages->len);
	fd_finding_add(f, 15.0 * attached / f->messages->len, "%u of them "
		       "with attachments", attached);
	return fd_finding_emit(ctx, f);
}

/* Strips reply and forward prefixes; returns whether one was a forward
 * prefix.  The result is lower case. */
static char *
subject_base(const char *subject, gboolean *forward_r)
{
	const char *p = subject ? subject : "";
	gboolean stripped = TRUE;

	*forward_r = FALSE;
	while (stripped) {
		stripped = FALSE;
		while (*p == ' ' || *p == '\t')
			p++;
		for (int i = 0; forward_prefixes[i] && !stripped; i++) {
			size_t n = strlen(forward_prefixes[i]);

			if (g_ascii_strncasecmp(p, forward_prefixes[i],
						n) == 0) {
				p += n;
				stripped = *forward_r = TRUE;
			}
		}
		for (int i = 0; reply_prefixes[i] && !stripped; i++) {
			size_t n = strlen(reply_prefixes[i]);

			if (g_ascii_strncasecmp(p, reply_prefixes[i], n) == 0) {
				p += n;
				stripped = TRUE;
			}
		}
	}
	return g_utf8_strdown(p, -1);
}

static void
times_free(gpointer p)
{
	g_array_free(p, TRUE);
}

/* Maps each inbound subject base to the times the custodian got it. */
static GHashTable *
inbound_subjects(struct fd_context *ctx, struct fd_custodian *c)
{
	GHashTable *map = g_hash_table_new_full(g_str_hash, g_str_equal,
						g_free, times_free);
	/* Arrival is the PST delivery time, else the newest Received hop,
	 * else the sender's Date, which can be minutes early. */
	sqlite3_stmt *st = fd_prepare(ctx->db,
		"SELECT subject, arrived FROM (SELECT m.id, m.subject,"
		" COALESCE(m.delivery_utc, (SELECT MAX(t.utc)"
		"  FROM message_time t WHERE t.message_id = m.id"
		"  AND t.source = 'received-last'),"
		"  m.sent_utc) AS arrived FROM message m"
		" WHERE m.custodian_id = ? AND m.direction = 'inbound'"
		" AND m.duplicate_of IS NULL AND m.subject IS NOT NULL)"
		" WHERE arrived IS NOT NULL ORDER BY id");

	if (!st) {
		g_hash_table_destroy(map);
		return NULL;
	}
	sqlite3_bind_int64(st, 1, c->id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		gboolean forward;
		char *base = subject_base((const char *)sqlite3_column_text(st,
						0), &forward);
		gint64 t = sqlite3_column_int64(st, 1);
		GArray *times = g_hash_table_lookup(map, base);

		if (!times) {
			times = g_array_new(FALSE, FALSE, sizeof(gint64));
			g_hash_table_insert(map, base, times);
		} else {
			g_free(base);
		}
		g_array_append_val(times, t);
	}
	sqlite3_finalize(st);
	return map;
}

static gboolean
received_just_before(GArray *times, gint64 sent)
{
	for (guint i = 0; times && i < times->len; i++) {
		gint64 t = g_array_index(times, gint64, i);

		if (t <= sent && sent - t <= AUTO_FORWARD_SECONDS)
			return TRUE;
	}
	return FALSE;
}

int
fd_mail_auto_forward(struct fd_context *ctx, struct fd_custodian *c)
{
	GHashTable *inbound = inbound_subjects(ctx, c);
	struct fd_finding *f = NULL;
	guint n;

	if (!inbound)
		return -1;
	for (guint i = 0; i < c->sent->len; i++) {
		const struct fd_sent *s = &g_array_index(c->sent,
							 struct fd_sent, i);
		gboolean forward;
		char *base;

		if (s->external_deliveries == 0 || s->utc == FD_TIME_NONE)
			continue;
		base = subject_base(s->subject, &forward);
		if (forward && received_just_before(
				g_hash_table_lookup(inbound, base), s->utc)) {
			if (!f)
				f = fd_finding_new("auto-forward", c);
			fd_finding_add_message(f, s->id);
			window_extend(f, s->utc);
		}
		g_free(base);
	}
	g_hash_table_destroy(inbound);
	if (!f)
		return 0;
	n = f->messages->len;
	fd_finding_title(f, "%s forwarded %u message%s outside the company "
			 "within %d seconds of receiving them", c->name, n,
			 FD_PLURAL(n), AUTO_FORWARD_SECONDS);
	fd_finding_add(f, 30, "forward (FW:/Fwd:) to external recipients at "
		       "most %d seconds after a message with the same subject "
		       "arrived", AUTO_FORWARD_SECONDS);
	fd_finding_add(f, MIN(40.0, 4.0 * n), "%u such forwards", n);
	return fd_finding_emit(ctx, f);
}

static struct fd_custodian *
custodian_by_id(struct fd_context *ctx, gint64 id)
{
	for (guint i = 0; i < ctx->custodians->len; i++) {
		struct fd_custodian *c = ctx->custodians->pdata[i];

		if (c->id == id)
			return c;
	}
	return NULL;
}

/* NOTE: Outlook keeps rules in the Inbox's associated (hidden) contents;
 * they are found only when the PST reader stores those items. */
int
fd_mail_rules(struct fd_context *ctx)
{
	sqlite3_stmt *st = fd_prepare(ctx->db,
		"SELECT m.id, m.custodian_id, m.item_class, f.path"
		" FROM message m LEFT JOIN folder f ON f.id = m.folder_id"
		" WHERE m.item_class LIKE 'IPM.Rule.%'"
		" OR m.item_class LIKE 'IPM.RuleOrganizer%'"
		" ORDER BY m.custodian_id, m.id");
	int rc;

	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct fd_custodian *c = custodian_by_id(
			ctx, sqlite3_column_int64(st, 1));
		const char *cls = (const char *)sqlite3_column_text(st, 2);
		const char *path = (const char *)sqlite3_column_text(st, 3);
		struct fd_finding *f = fd_finding_new("forwarding-rule", c);

		f->subject_value = g_strdup(cls);
		fd_finding_title(f, "Mail rule object %s in folder %s", cls,
				 path ? path : "(none)");
		fd_finding_add(f, 45, "an Outlook rule (%s) is stored in the "
			       "mailbox; rules can forward or redirect mail "
			       "automatically, so its actions need review",
			       cls);
		fd_finding_add_message(f, sqlite3_column_int64(st, 0));
		if (fd_finding_emit(ctx, f) < 0) {
			sqlite3_finalize(st);
			return -1;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}
