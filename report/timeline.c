/* SPDX-License-Identifier: MIT
 *
 * timeline.c - the outbound timeline, loaded once and shared by every
 * export format and the HTML report.
 *
 * Three queries fill it: the outbound messages, then their recipients and
 * their attachments, joined in memory by message id.  Messages without a
 * sent time are kept and sorted last, so nothing is left out.
 */
#include <string.h>

#include "report/report-private.h"

static const char *const deleted_statuses[] = {
	"deleted", "trashed", "expunged", "recovered", "orphan", NULL
};

gboolean
report_status_is_deleted(const char *status)
{
	int i;

	if (status == NULL)
		return FALSE;
	for (i = 0; deleted_statuses[i] != NULL; i++)
		if (strcmp(status, deleted_statuses[i]) == 0)
			return TRUE;
	return FALSE;
}

static void
address_free(gpointer p)
{
	struct report_address *a = p;

	g_free(a->kind);
	g_free(a->name);
	g_free(a->address);
	g_free(a->raw);
	g_free(a);
}

static void
attachment_free(gpointer p)
{
	struct report_attachment *a = p;

	g_free(a->filename);
	g_free(a->magic_type);
	g_free(a->declared_type);
	g_free(a->sha256);
	g_free(a);
}

static void
row_free(gpointer p)
{
	struct report_row *r = p;

	g_free(r->sent_source);
	g_free(r->custodian);
	g_free(r->from_addr);
	g_free(r->from_name);
	g_free(r->message_id);
	g_free(r->subject);
	g_free(r->sha256);
	g_free(r->status);
	g_free(r->folder);
	g_free(r->locator);
	g_free(r->evidence_path);
	g_free(r->evidence_sha256);
	g_free(r->evidence_format);
	g_ptr_array_free(r->recipients, TRUE);
	g_ptr_array_free(r->attachments, TRUE);
	g_free(r);
}

void
report_timeline_free(struct report_timeline **tl)
{
	if (*tl == NULL)
		return;
	g_ptr_array_free((*tl)->rows, TRUE);
	g_free(*tl);
	*tl = NULL;
}

/* Copies a text column for display and export.  A NUL inside the value
 * becomes U+2400 (the symbol for NUL) so the rest of the value is not
 * lost, and invalid UTF-8 is repaired with U+FFFD, because JSON and
 * HTML writers need valid UTF-8. */
static char *
column_dup(sqlite3_stmt *st, int col)
{
	const char *text = (const char *)sqlite3_column_text(st, col);
	int len = sqlite3_column_bytes(st, col);
	GString *s;
	char *valid;
	int i;

	if (text == NULL)
		return NULL;
	if (memchr(text, '\0', len) == NULL && g_utf8_validate(text, len, NULL))
		return g_strndup(text, len);
	s = g_string_sized_new(len + 8);
	for (i = 0; i < len; i++) {
		if (text[i] == '\0')
			g_string_append(s, "\xe2\x90\x80");
		else
			g_string_append_c(s, text[i]);
	}
	valid = g_utf8_make_valid(s->str, s->len);
	g_string_free(s, TRUE);
	return valid;
}

static gint64
column_time(sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return MT_TIME_NONE;
	return sqlite3_column_int64(st, col);
}

/* The WHERE clause binds ?1 = custodian name, in any letter case, or one
 * of the custodian's addresses (NULL for all) and ?2 = 1 for deleted
 * outbound mail only. */
#define TIMELINE_WHERE \
	" WHERE m.direction = 'outbound'" \
	" AND (?1 IS NULL OR c.name = ?1 COLLATE NOCASE" \
	" OR c.id IN (SELECT custodian_id FROM custodian_address" \
	" WHERE address = lower(?1)))" \
	" AND (?2 = 0 OR m.status IN" \
	" ('deleted','trashed','expunged','recovered','orphan'))"

static const char message_sql[] =
	"SELECT m.id, m.duplicate_of, m.sent_utc, m.sent_offset_min,"
	" m.sent_source, m.delivery_utc, m.custodian_id, c.name,"
	" m.from_addr, m.from_name, m.message_id, m.subject, m.size,"
	" m.external_recipients, m.sha256, m.status, f.path, m.locator,"
	" e.id, e.path, e.sha256_before, e.format"
	" FROM message m"
	" LEFT JOIN custodian c ON c.id = m.custodian_id"
	" LEFT JOIN evidence e ON e.id = m.evidence_id"
	" LEFT JOIN folder f ON f.id = m.folder_id"
	TIMELINE_WHERE
	" ORDER BY m.sent_utc IS NULL, m.sent_utc, m.id";

static struct report_row *
row_read(sqlite3_stmt *st)
{
	struct report_row *r = g_new0(struct report_row, 1);

	r->id = sqlite3_column_int64(st, 0);
	r->duplicate_of = sqlite3_column_int64(st, 1);
	r->sent_utc = column_time(st, 2);
	r->sent_offset_known = sqlite3_column_type(st, 3) != SQLITE_NULL;
	r->sent_offset_min = sqlite3_column_int(st, 3);
	r->sent_source = column_dup(st, 4);
	r->delivery_utc = column_time(st, 5);
	r->custodian_id = sqlite3_column_int64(st, 6);
	r->custodian = column_dup(st, 7);
	r->from_addr = column_dup(st, 8);
	r->from_name = column_dup(st, 9);
	r->message_id = column_dup(st, 10);
	r->subject = column_dup(st, 11);
	r->size = sqlite3_column_int64(st, 12);
	r->external_recipients = sqlite3_column_type(st, 13) == SQLITE_NULL ?
		-1 : sqlite3_column_int(st, 13);
	r->sha256 = column_dup(st, 14);
	r->status = column_dup(st, 15);
	r->folder = column_dup(st, 16);
	r->locator = column_dup(st, 17);
	r->evidence_id = sqlite3_column_int64(st, 18);
	r->evidence_path = column_dup(st, 19);
	r->evidence_sha256 = column_dup(st, 20);
	r->evidence_format = column_dup(st, 21);
	r->recipients = g_ptr_array_new_with_free_func(address_free);
	r->attachments = g_ptr_array_new_with_free_func(attachment_free);
	return r;
}

static const char recipient_sql[] =
	"SELECT r.message_id, r.kind, r.name, r.address, r.address_raw,"
	" r.external"
	" FROM recipient r JOIN message m ON m.id = r.message_id"
	" LEFT JOIN custodian c ON c.id = m.custodian_id"
	TIMELINE_WHERE
	" ORDER BY r.message_id, r.id";

static void
recipient_read(sqlite3_stmt *st, struct report_row *row)
{
	struct report_address *a = g_new0(struct report_address, 1);

	a->kind = column_dup(st, 1);
	a->name = column_dup(st, 2);
	a->address = column_dup(st, 3);
	a->raw = column_dup(st, 4);
	a->external = sqlite3_column_type(st, 5) == SQLITE_NULL ?
		-1 : sqlite3_column_int(st, 5);
	g_ptr_array_add(row->recipients, a);
}

static const char attachment_sql[] =
	"SELECT a.message_id, a.id, a.parent_id, a.depth, a.filename,"
	" a.magic_type, a.declared_type, a.size, a.sha256"
	" FROM attachment a JOIN message m ON m.id = a.message_id"
	" LEFT JOIN custodian c ON c.id = m.custodian_id"
	TIMELINE_WHERE
	" ORDER BY a.message_id, a.id";

static void
attachment_read(sqlite3_stmt *st, struct report_row *row)
{
	struct report_attachment *a = g_new0(struct report_attachment, 1);

	a->id = sqlite3_column_int64(st, 1);
	a->parent_id = sqlite3_column_int64(st, 2);
	a->depth = sqlite3_column_int(st, 3);
	a->filename = column_dup(st, 4);
	a->magic_type = column_dup(st, 5);
	a->declared_type = column_dup(st, 6);
	a->size = sqlite3_column_int64(st, 7);
	a->sha256 = column_dup(st, 8);
	g_ptr_array_add(row->attachments, a);
}

static sqlite3_stmt *
timeline_prepare(sqlite3 *db, const char *sql, const struct report_filter *f,
		 char **error_r)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		*error_r = report_db_error(db);
		return NULL;
	}
	if (f->custodian != NULL)
		sqlite3_bind_text(st, 1, f->custodian, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 2, f->deleted_only ? 1 : 0);
	return st;
}

typedef void (*child_reader)(sqlite3_stmt *st, struct report_row *row);

/* Runs a child query (recipients or attachments) and hands each row to
 * read together with the message it belongs to. */
static int
timeline_load_children(sqlite3 *db, const char *sql,
		       const struct report_filter *f, GHashTable *by_id,
		       child_reader read, char **error_r)
{
	sqlite3_stmt *st = timeline_prepare(db, sql, f, error_r);
	int rc;

	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		gint64 id = sqlite3_column_int64(st, 0);
		struct report_row *row = g_hash_table_lookup(by_id, &id);

		if (row != NULL)
			read(st, row);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		*error_r = report_db_error(db);
		return -1;
	}
	return 0;
}

struct report_timeline *
report_timeline_load(sqlite3 *db, const struct report_filter *f,
		     char **error_r)
{
	struct report_timeline *tl = g_new0(struct report_timeline, 1);
	GHashTable *by_id = g_hash_table_new(g_int64_hash, g_int64_equal);
	sqlite3_stmt *st;
	int rc;

	tl->rows = g_ptr_array_new_with_free_func(row_free);
	st = timeline_prepare(db, message_sql, f, error_r);
	if (st == NULL)
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct report_row *row = row_read(st);

		g_ptr_array_add(tl->rows, row);
		g_hash_table_insert(by_id, &row->id, row);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		*error_r = report_db_error(db);
		goto fail;
	}
	if (timeline_load_children(db, recipient_sql, f, by_id,
				   recipient_read, error_r) < 0 ||
	    timeline_load_children(db, attachment_sql, f, by_id,
				   attachment_read, error_r) < 0)
		goto fail;
	g_hash_table_destroy(by_id);
	return tl;

fail:
	g_hash_table_destroy(by_id);
	report_timeline_free(&tl);
	return NULL;
}

char *
report_format_mailbox(const char *name, const char *address)
{
	if (name != NULL && *name != '\0' && address != NULL)
		return g_strdup_printf("%s <%s>", name, address);
	if (address != NULL)
		return g_strdup(address);
	return g_strdup(name != NULL ? name : "");
}

char *
report_row_join_recipients(const struct report_row *row, const char *kind)
{
	GString *s = g_string_new(NULL);
	guint i;

	for (i = 0; i < row->recipients->len; i++) {
		const struct report_address *a = row->recipients->pdata[i];
		char *one;

		if (strcmp(a->kind, kind) != 0)
			continue;
		one = report_format_mailbox(a->name,
					    a->address ? a->address : a->raw);
		if (s->len > 0)
			g_string_append(s, "; ");
		g_string_append(s, one);
		g_free(one);
	}
	return g_string_free(s, FALSE);
}

char *
report_row_join_attachments(const struct report_row *row, const char *field)
{
	GString *s = g_string_new(NULL);
	gboolean by_type = strcmp(field, "magic_type") == 0;
	guint i;

	for (i = 0; i < row->attachments->len; i++) {
		const struct report_attachment *a = row->attachments->pdata[i];
		const char *v = by_type ? a->magic_type : a->filename;

		if (i > 0)
			g_string_append(s, "; ");
		g_string_append(s, v != NULL ? v : "");
	}
	return g_string_free(s, FALSE);
}

/* Sums the direct attachments only, so a file inside an attached
 * archive or message is not counted twice. */
gint64
report_row_attachment_bytes(const struct report_row *row)
{
	gint64 total = 0;
	guint i;

	for (i = 0; i < row->attachments->len; i++) {
		const struct report_attachment *a = row->attachments->pdata[i];

		if (a->depth == 0)
			total += a->size;
	}
	return total;
}

char *
report_format_utc(gint64 utc)
{
	GDateTime *dt;
	char *s;

	if (utc == MT_TIME_NONE)
		return NULL;
	dt = g_date_time_new_from_unix_utc(utc);
	if (dt == NULL)
		return NULL;
	s = g_date_time_format(dt, "%Y-%m-%dT%H:%M:%SZ");
	g_date_time_unref(dt);
	return s;
}

/* Shifts the clock by hand rather than through GTimeZone, because a
 * hostile Date header can carry an offset GTimeZone would turn into UTC
 * without saying so. */
char *
report_format_local(gint64 utc, int offset_min)
{
	GDateTime *dt;
	char *clock, *s;
	int abs_min = ABS(offset_min);

	if (utc == MT_TIME_NONE)
		return NULL;
	dt = g_date_time_new_from_unix_utc(utc + (gint64)offset_min * 60);
	if (dt == NULL)
		return NULL;
	clock = g_date_time_format(dt, "%Y-%m-%dT%H:%M:%S");
	s = g_strdup_printf("%s%c%02d:%02d", clock, offset_min < 0 ? '-' : '+',
			    abs_min / 60, abs_min % 60);
	g_free(clock);
	g_date_time_unref(dt);
	return s;
}
