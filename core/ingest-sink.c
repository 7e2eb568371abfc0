/* SPDX-License-Identifier: MIT
 *
 * ingest-sink.c - the struct mt_sink that stores what a reader finds.
 *
 * One sink serves one evidence item inside the caller's transaction.
 * Statements are prepared once per evidence.  Anomalies are stored in
 * full and echoed to stderr, at most ECHO_LIMIT per code, then counted;
 * with --quiet only errors are echoed.
 */
#include <stdio.h>
#include <string.h>

#include "core/casedb.h"
#include "core/ingest-private.h"
#include "parse/parse.h"

#define ECHO_LIMIT 10

enum {
	ST_FOLDER, ST_MESSAGE, ST_RECIPIENT, ST_TIME, ST_ATTACHMENT,
	ST_ANOMALY, ST_COUNT
};

static const char *const sink_sql[ST_COUNT] = {
	[ST_FOLDER] =
	"INSERT INTO folder (evidence_id, path, role, declared_count, locator)"
	" VALUES (?1, ?2, ?3, ?4, ?5)",
	[ST_MESSAGE] =
	"INSERT INTO message (evidence_id, folder_id, locator, byte_offset,"
	" pst_nid, status, recovery_note, item_class, message_id, in_reply_to,"
	" references_hdr, subject, from_addr, from_name, sender_addr,"
	" sender_name, date_raw, date_utc, date_offset_min, date_zone_known,"
	" submit_utc, delivery_utc, sent_utc, sent_offset_min, sent_source,"
	" clock_skew_sec, size, sha256, content_key, has_transport_headers,"
	" flag_seen, flag_replied, flag_flagged, flag_draft, flag_passed,"
	" flag_trashed, flag_deleted, body_text, body_text_size,"
	" body_html_size, custodian_id)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
	" ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26,"
	" ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35, ?36, ?37, ?38, ?39,"
	" ?40, ?41)",
	[ST_RECIPIENT] =
	"INSERT INTO recipient (message_id, kind, name, address, domain,"
	" group_name, address_raw) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[ST_TIME] =
	"INSERT INTO message_time (message_id, source, utc, offset_min,"
	" zone_known, raw) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[ST_ATTACHMENT] =
	"INSERT INTO attachment (message_id, parent_id, depth, filename,"
	" short_filename, declared_type, magic_type, magic_desc, size, sha256,"
	" ext_mismatch, encoding, disposition, content_id, is_message,"
	" unix_mode) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
	" ?12, ?13, ?14, ?15, ?16)",
	[ST_ANOMALY] =
	"INSERT INTO anomaly (evidence_id, folder_id, message_id, level, code,"
	" path, byte_offset, locator, detail)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
};

struct folder_counts {
	gint64 declared;    /* -1 when the store does not say */
	gint64 extracted, failed, skipped, unlisted;
};

struct ingest_sink {
	sqlite3 *db;
	gint64 evidence_id;
	gint64 custodian_id;
	const char *path;
	const char *reader;
	sqlite3_stmt *st[ST_COUNT];
	GHashTable *folders;        /* gint64 id -> struct folder_counts */
	GHashTable *echoed;         /* code -> count of echoes */
	gboolean quiet;
	gboolean failed;            /* a database write failed */
	struct ingest_totals totals;
};

static const char *const level_names[] = {
	[MT_LEVEL_NOTE] = "note",
	[MT_LEVEL_WARNING] = "warning",
	[MT_LEVEL_ERROR] = "error",
};

static int
step_done(struct ingest_sink *s, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE) {
		fprintf(stderr, "error: case database write failed: %s\n",
			sqlite3_errmsg(s->db));
		s->failed = TRUE;
		return -1;
	}
	return 0;
}

static struct folder_counts *
folder_counts(struct ingest_sink *s, gint64 folder_id)
{
	struct folder_counts *c;

	c = g_hash_table_lookup(s->folders, &folder_id);
	if (c == NULL) {
		gint64 *key = g_new(gint64, 1);

		*key = folder_id;
		c = g_new0(struct folder_counts, 1);
		c->declared = -1;
		g_hash_table_insert(s->folders, key, c);
	}
	return c;
}

static void
echo_anomaly(struct ingest_sink *s, const char *level, const char *code,
	     gint64 offset, const char *locator, const char *detail)
{
	guint n = GPOINTER_TO_UINT(g_hash_table_lookup(s->echoed, code));

	g_hash_table_insert(s->echoed, g_strdup(code),
			    GUINT_TO_POINTER(n + 1));
	if ((s->quiet && strcmp(level, "error") != 0) || n >= ECHO_LIMIT)
		return;
	/* Readers often name the file in the detail already, and an mbox
	 * locator is the offset itself: neither is printed twice. */
	fprintf(stderr, "%s: %s: %s", level, s->reader, detail);
	if (strstr(detail, s->path) == NULL)
		fprintf(stderr, ": '%s'", s->path);
	if (offset >= 0)
		fprintf(stderr, " offset=0x%llx", (unsigned long long)offset);
	if (locator != NULL && !(offset >= 0 &&
				 g_str_has_prefix(locator, "offset=")))
		fprintf(stderr, " at %s", locator);
	fprintf(stderr, " [%s]\n", code);
	if (n + 1 == ECHO_LIMIT)
		fprintf(stderr, "note: %s: further '%s' anomalies are stored "
			"in the case database but not shown\n", s->reader,
			code);
}

static int
store_anomaly(struct ingest_sink *s, gint64 folder_id, gint64 message_id,
	      const char *level, const char *code, gint64 offset,
	      const char *locator, const char *detail)
{
	sqlite3_stmt *st = s->st[ST_ANOMALY];

	sqlite3_bind_int64(st, 1, s->evidence_id);
	if (folder_id > 0)
		sqlite3_bind_int64(st, 2, folder_id);
	if (message_id > 0)
		sqlite3_bind_int64(st, 3, message_id);
	casedb_bind_text(st, 4, level);
	casedb_bind_text(st, 5, code);
	casedb_bind_text(st, 6, s->path);
	if (offset >= 0)
		sqlite3_bind_int64(st, 7, offset);
	casedb_bind_text(st, 8, locator);
	casedb_bind_text(st, 9, detail);
	s->totals.anomalies++;
	if (strcmp(level, "error") == 0)
		s->totals.errors++;
	echo_anomaly(s, level, code, offset, locator, detail);
	return step_done(s, st);
}

static int
sink_folder(void *ctx, gint64 parent_id, const char *path,
	    enum mt_folder_role role, gint64 declared_count,
	    const char *locator, gint64 *folder_id_r)
{
	struct ingest_sink *s = ctx;
	sqlite3_stmt *st = s->st[ST_FOLDER];

	sqlite3_bind_int64(st, 1, s->evidence_id);
	casedb_bind_text(st, 2, path != NULL ? path : "");
	casedb_bind_text(st, 3, mt_folder_role_name(role));
	if (declared_count >= 0)
		sqlite3_bind_int64(st, 4, declared_count);
	casedb_bind_text(st, 5, locator);
	if (step_done(s, st) < 0)
		return -1;
	*folder_id_r = sqlite3_last_insert_rowid(s->db);
	folder_counts(s, *folder_id_r)->declared = declared_count;
	s->totals.folders++;
	return 0;
}

static char *
address_domain(const char *address)
{
	const char *at = address != NULL ? strrchr(address, '@') : NULL;

	return at != NULL && at[1] != '\0' ? g_ascii_strdown(at + 1, -1) : NULL;
}

static const struct mt_address *
first_address(const struct mt_message *msg, enum mt_address_kind kind)
{
	for (guint i = 0; i < msg->addresses->len; i++) {
		const struct mt_address *a =
			g_ptr_array_index(msg->addresses, i);

		if (a->kind == kind)
			return a;
	}
	return NULL;
}

static void
bind_message(struct ingest_sink *s, sqlite3_stmt *st, gint64 folder_id,
	     const struct mt_message *m)
{
	const struct mt_address *from = first_address(m, MT_ADDR_FROM);
	const struct mt_address *sender = first_address(m, MT_ADDR_SENDER);
	const struct mt_time *date = mt_message_find_time(m, MT_TIME_DATE);
	const struct mt_time *submit =
		mt_message_find_time(m, MT_TIME_CLIENT_SUBMIT);
	const struct mt_time *delivery =
		mt_message_find_time(m, MT_TIME_DELIVERY);
	gint64 sent_utc = MT_TIME_NONE, skew = MT_TIME_NONE;
	int sent_offset = 0;
	const char *sent_source = NULL;

	parse_choose_sent_time(m, &sent_utc, &sent_offset, &sent_source,
			       &skew);

	sqlite3_bind_int64(st, 1, s->evidence_id);
	if (folder_id > 0)
		sqlite3_bind_int64(st, 2, folder_id);
	casedb_bind_text(st, 3, m->locator != NULL ? m->locator : "");
	if (m->byte_offset >= 0)
		sqlite3_bind_int64(st, 4, m->byte_offset);
	if (m->pst_nid >= 0)
		sqlite3_bind_int64(st, 5, m->pst_nid);
	casedb_bind_text(st, 6, mt_status_name(m->status));
	casedb_bind_text(st, 7, m->recovery_note);
	casedb_bind_text(st, 8, m->item_class);
	casedb_bind_text(st, 9, m->message_id);
	casedb_bind_text(st, 10, m->in_reply_to);
	casedb_bind_text(st, 11, m->references);
	casedb_bind_text(st, 12, m->subject);
	casedb_bind_text(st, 13, from != NULL ? from->address : NULL);
	casedb_bind_text(st, 14, from != NULL ? from->name : NULL);
	casedb_bind_text(st, 15, sender != NULL ? sender->address : NULL);
	casedb_bind_text(st, 16, sender != NULL ? sender->name : NULL);
	casedb_bind_text(st, 17, m->date_raw);
	if (date != NULL) {
		sqlite3_bind_int64(st, 18, date->utc);
		sqlite3_bind_int(st, 19, date->offset_min);
		sqlite3_bind_int(st, 20, date->zone_known);
	}
	if (submit != NULL)
		sqlite3_bind_int64(st, 21, submit->utc);
	if (delivery != NULL)
		sqlite3_bind_int64(st, 22, delivery->utc);
	casedb_bind_time(st, 23, sent_utc);
	if (sent_utc != MT_TIME_NONE)
		sqlite3_bind_int(st, 24, sent_offset);
	casedb_bind_text(st, 25, sent_source);
	casedb_bind_time(st, 26, skew);
	sqlite3_bind_int64(st, 27, m->size);
	casedb_bind_text(st, 28, m->sha256[0] != '\0' ? m->sha256 : NULL);
	casedb_bind_text(st, 29, m->content_key[0] != '\0' ?
			 m->content_key : NULL);
	sqlite3_bind_int(st, 30, m->has_transport_headers);
	sqlite3_bind_int(st, 31, m->flag_seen);
	sqlite3_bind_int(st, 32, m->flag_replied);
	sqlite3_bind_int(st, 33, m->flag_flagged);
	sqlite3_bind_int(st, 34, m->flag_draft);
	sqlite3_bind_int(st, 35, m->flag_passed);
	sqlite3_bind_int(st, 36, m->flag_trashed);
	sqlite3_bind_int(st, 37, m->flag_deleted);
	casedb_bind_text(st, 38, m->body_text);
	sqlite3_bind_int64(st, 39, m->body_text_size);
	sqlite3_bind_int64(st, 40, m->body_html_size);
	if (s->custodian_id > 0)
		sqlite3_bind_int64(st, 41, s->custodian_id);
}

static int
store_addresses(struct ingest_sink *s, gint64 id, const struct mt_message *m)
{
	sqlite3_stmt *st = s->st[ST_RECIPIENT];

	for (guint i = 0; i < m->addresses->len; i++) {
		const struct mt_address *a =
			g_ptr_array_index(m->addresses, i);
		char *domain;

		if (a->kind == MT_ADDR_FROM || a->kind == MT_ADDR_SENDER)
			continue;
		domain = address_domain(a->address);
		sqlite3_bind_int64(st, 1, id);
		casedb_bind_text(st, 2, mt_address_kind_name(a->kind));
		casedb_bind_text(st, 3, a->name);
		casedb_bind_text(st, 4, a->address);
		casedb_bind_text(st, 5, domain);
		casedb_bind_text(st, 6, a->group);
		casedb_bind_text(st, 7, a->raw);
		g_free(domain);
		if (step_done(s, st) < 0)
			return -1;
	}
	return 0;
}

static int
store_times(struct ingest_sink *s, gint64 id, const struct mt_message *m)
{
	sqlite3_stmt *st = s->st[ST_TIME];

	for (guint i = 0; i < m->times->len; i++) {
		const struct mt_time *t = g_ptr_array_index(m->times, i);

		if (t->utc == MT_TIME_NONE)
			continue;
		sqlite3_bind_int64(st, 1, id);
		casedb_bind_text(st, 2, mt_time_source_name(t->source));
		sqlite3_bind_int64(st, 3, t->utc);
		sqlite3_bind_int(st, 4, t->offset_min);
		sqlite3_bind_int(st, 5, t->zone_known);
		casedb_bind_text(st, 6, t->raw);
		if (step_done(s, st) < 0)
			return -1;
	}
	return 0;
}

static int
store_attachments(struct ingest_sink *s, gint64 id,
		  const struct mt_message *m)
{
	sqlite3_stmt *st = s->st[ST_ATTACHMENT];
	guint n = m->attachments->len;
	gint64 *row_ids = g_new0(gint64, n + 1);
	int rc = 0;

	for (guint i = 0; i < n && rc == 0; i++) {
		const struct mt_attachment *a =
			g_ptr_array_index(m->attachments, i);

		sqlite3_bind_int64(st, 1, id);
		if (a->parent >= 0 && (guint)a->parent < i)
			sqlite3_bind_int64(st, 2, row_ids[a->parent]);
		sqlite3_bind_int(st, 3, a->depth);
		casedb_bind_text(st, 4, a->filename);
		casedb_bind_text(st, 5, a->short_filename);
		casedb_bind_text(st, 6, a->declared_type);
		casedb_bind_text(st, 7, a->magic_type);
		casedb_bind_text(st, 8, a->magic_desc);
		sqlite3_bind_int64(st, 9, a->size);
		casedb_bind_text(st, 10, a->sha256[0] != '\0' ?
				 a->sha256 : NULL);
		sqlite3_bind_int(st, 11, a->ext_mismatch);
		casedb_bind_text(st, 12, a->encoding);
		casedb_bind_text(st, 13, a->disposition);
		casedb_bind_text(st, 14, a->content_id);
		sqlite3_bind_int(st, 15, a->is_message);
		casedb_bind_text(st, 16, a->unix_mode);
		rc = step_done(s, st);
		row_ids[i] = sqlite3_last_insert_rowid(s->db);
		s->totals.attachments++;
	}
	g_free(row_ids);
	return rc;
}

static int
sink_message(void *ctx, gint64 folder_id, struct mt_message *msg)
{
	struct ingest_sink *s = ctx;
	int rc = 0;
	gint64 id;

	bind_message(s, s->st[ST_MESSAGE], folder_id, msg);
	if (step_done(s, s->st[ST_MESSAGE]) < 0) {
		mt_message_free(&msg);
		return -1;
	}
	id = sqlite3_last_insert_rowid(s->db);
	if (store_addresses(s, id, msg) < 0 || store_times(s, id, msg) < 0 ||
	    store_attachments(s, id, msg) < 0)
		rc = -1;

	for (guint i = 0; rc == 0 && i < msg->defects->len; i++) {
		const struct mt_defect *d = g_ptr_array_index(msg->defects, i);

		rc = store_anomaly(s, folder_id, id, d->level, d->code,
				   msg->byte_offset, msg->locator, d->detail);
	}
	/* An orphan found under a folder that declares its count is not
	 * one of the items the store lists, so it is counted apart. */
	if (folder_id > 0) {
		struct folder_counts *c = folder_counts(s, folder_id);

		if (msg->status == MT_STATUS_ORPHAN && c->declared >= 0)
			c->unlisted++;
		else
			c->extracted++;
	}
	s->totals.messages++;
	if (msg->status != MT_STATUS_ALLOCATED)
		s->totals.not_allocated++;
	mt_message_free(&msg);
	return rc;
}

static int
sink_skipped(void *ctx, gint64 folder_id, gboolean failed)
{
	struct ingest_sink *s = ctx;
	struct folder_counts *c = folder_counts(s, folder_id);

	if (failed) {
		c->failed++;
		s->totals.failed++;
	} else {
		c->skipped++;
		s->totals.skipped++;
	}
	return 0;
}

static int
sink_anomaly(void *ctx, gint64 folder_id, enum mt_level level,
	     const char *code, gint64 offset, const char *locator,
	     const char *detail)
{
	struct ingest_sink *s = ctx;

	if ((unsigned)level > MT_LEVEL_ERROR)
		level = MT_LEVEL_ERROR;
	return store_anomaly(s, folder_id, 0, level_names[level], code,
			     offset, locator, detail);
}

static int
sink_evidence_fact(void *ctx, const char *key, const char *value)
{
	static const char *const allowed[] = {
		"format_detail", "store_name", "password_crc", "format",
	};
	struct ingest_sink *s = ctx;
	sqlite3_stmt *st;
	char *sql;
	int rc = -1;

	for (guint i = 0; i < G_N_ELEMENTS(allowed); i++) {
		if (strcmp(key, allowed[i]) == 0)
			rc = 0;
	}
	if (rc < 0) {
		fprintf(stderr, "error: %s: unknown evidence fact '%s'\n",
			s->reader, key);
		return 0;
	}
	sql = g_strdup_printf("UPDATE evidence SET %s = ?1 WHERE id = ?2",
			      key);
	st = casedb_prepare(s->db, sql);
	g_free(sql);
	if (st == NULL)
		return -1;
	casedb_bind_text(st, 1, value);
	sqlite3_bind_int64(st, 2, s->evidence_id);
	rc = step_done(s, st);
	sqlite3_finalize(st);
	return rc;
}

struct ingest_sink *
ingest_sink_new(sqlite3 *db, gint64 evidence_id, gint64 custodian_id,
		const char *path, const char *reader, gboolean quiet)
{
	struct ingest_sink *s = g_new0(struct ingest_sink, 1);

	s->db = db;
	s->evidence_id = evidence_id;
	s->custodian_id = custodian_id;
	s->path = path;
	s->reader = reader;
	s->quiet = quiet;
	s->folders = g_hash_table_new_full(g_int64_hash, g_int64_equal,
					   g_free, g_free);
	s->echoed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					  NULL);
	for (int i = 0; i < ST_COUNT; i++) {
		s->st[i] = casedb_prepare(db, sink_sql[i]);
		if (s->st[i] == NULL) {
			ingest_sink_free(&s);
			return NULL;
		}
	}
	return s;
}

void
ingest_sink_bind(struct ingest_sink *s, struct mt_sink *sink)
{
	memset(sink, 0, sizeof(*sink));
	sink->ctx = s;
	sink->folder = sink_folder;
	sink->message = sink_message;
	sink->skipped = sink_skipped;
	sink->anomaly = sink_anomaly;
	sink->evidence_fact = sink_evidence_fact;
}

int
ingest_sink_finish(struct ingest_sink *s, struct ingest_totals *totals_r)
{
	sqlite3_stmt *st;
	GHashTableIter iter;
	gpointer key, value;
	int rc = 0;

	st = casedb_prepare(s->db,
		"UPDATE folder SET extracted_count = ?1, failed_count = ?2,"
		" skipped_count = ?3, unlisted_count = ?5 WHERE id = ?4");
	if (st == NULL)
		return -1;
	g_hash_table_iter_init(&iter, s->folders);
	while (rc == 0 && g_hash_table_iter_next(&iter, &key, &value)) {
		const struct folder_counts *c = value;

		sqlite3_bind_int64(st, 1, c->extracted);
		sqlite3_bind_int64(st, 2, c->failed);
		sqlite3_bind_int64(st, 3, c->skipped);
		sqlite3_bind_int64(st, 4, *(gint64 *)key);
		sqlite3_bind_int64(st, 5, c->unlisted);
		rc = step_done(s, st);
	}
	sqlite3_finalize(st);
	*totals_r = s->totals;
	return rc < 0 || s->failed ? -1 : 0;
}

int
ingest_sink_anomaly(struct ingest_sink *s, const char *level,
		    const char *code, const char *detail)
{
	return store_anomaly(s, 0, 0, level, code, -1, NULL, detail);
}

gboolean
ingest_sink_db_failed(const struct ingest_sink *s)
{
	return s->failed;
}

void
ingest_sink_free(struct ingest_sink **sp)
{
	struct ingest_sink *s = *sp;

	if (s == NULL)
		return;
	*sp = NULL;
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	g_hash_table_unref(s->folders);
	g_hash_table_unref(s->echoed);
	g_free(s);
}
