/* SPDX-License-Identifier: MIT
 *
 * custodian.c - who a store belongs to, and which of its mail they sent.
 *
 * A message is outbound when its From or Sender is one of the custodian's
 * addresses or when it sits in a Sent or Outbox folder.  Drafts (Drafts
 * folder or draft flag) are 'draft', and everything else is inbound.  A
 * recipient is external when its domain is not an internal domain; when
 * the examiner gave none, the domain of each custodian's first address
 * counts as internal.
 */
#include <stdio.h>
#include <string.h>

#include "core/casedb.h"
#include "core/ingest.h"

/* Generic PST store names, which do not identify the owner. */
static const char *const generic_store_names[] = {
	"personal folders", "outlook data file", "outlook", "mailbox",
	"root - mailbox", "top of personal folders", "top of outlook data file",
};

static gboolean
valid_address(const char *a)
{
	const char *at = strchr(a, '@');

	return at != NULL && at != a && at[1] != '\0' &&
	       strchr(at + 1, '@') == NULL && strpbrk(a, " \t<>,\"") == NULL;
}

static int
add_address(sqlite3 *db, gint64 custodian_id, const char *address)
{
	sqlite3_stmt *st = casedb_prepare(db,
		"INSERT OR IGNORE INTO custodian_address (custodian_id, address)"
		" VALUES (?1, ?2)");
	char *lower = g_ascii_strdown(address, -1);
	int rc;

	if (st == NULL) {
		g_free(lower);
		return -1;
	}
	sqlite3_bind_int64(st, 1, custodian_id);
	casedb_bind_text(st, 2, lower);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	g_free(lower);
	return rc;
}

static gint64
find_or_create(sqlite3 *db, const char *name, const char *inferred_from)
{
	sqlite3_stmt *st = casedb_prepare(db,
		"INSERT INTO custodian (name, inferred_from) VALUES (?1, ?2)"
		" ON CONFLICT (name) DO UPDATE SET name = excluded.name"
		" RETURNING id");
	gint64 id = -1;

	if (st == NULL)
		return -1;
	casedb_bind_text(st, 1, name);
	casedb_bind_text(st, 2, inferred_from);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return id;
}

/* Splits spec at commas outside quotes and angle brackets. */
static GPtrArray *
split_spec(const char *spec)
{
	GPtrArray *parts = g_ptr_array_new_with_free_func(g_free);
	GString *cur = g_string_new(NULL);
	gboolean quoted = FALSE, angle = FALSE;

	for (const char *p = spec;; p++) {
		if (*p == '\0' || (*p == ',' && !quoted && !angle)) {
			char *part = g_strstrip(g_strdup(cur->str));

			if (part[0] != '\0')
				g_ptr_array_add(parts, part);
			else
				g_free(part);
			g_string_truncate(cur, 0);
			if (*p == '\0')
				break;
			continue;
		}
		if (*p == '"')
			quoted = !quoted;
		else if (*p == '<' && !quoted)
			angle = TRUE;
		else if (*p == '>' && !quoted)
			angle = FALSE;
		g_string_append_c(cur, *p);
	}
	g_string_free(cur, TRUE);
	return parts;
}

/* Parses 'Name <addr>' or 'addr' into its parts (both newly allocated;
 * name may be NULL).  Returns FALSE when no valid address is present. */
static gboolean
parse_mailbox(const char *text, char **name_r, char **address_r)
{
	const char *lt = strchr(text, '<');
	const char *gt = lt != NULL ? strchr(lt, '>') : NULL;
	char *address, *name = NULL;

	if (lt != NULL && gt != NULL) {
		address = g_strstrip(g_strndup(lt + 1, gt - lt - 1));
		name = g_strstrip(g_strndup(text, lt - text));
		g_strdelimit(name, "\"", ' ');
		g_strstrip(name);
		if (name[0] == '\0')
			g_clear_pointer(&name, g_free);
	} else {
		address = g_strstrip(g_strdup(text));
	}
	if (!valid_address(address)) {
		g_free(address);
		g_free(name);
		return FALSE;
	}
	*name_r = name;
	*address_r = address;
	return TRUE;
}

gint64
custodian_from_spec(sqlite3 *db, const char *spec, char **error_r)
{
	GPtrArray *parts = split_spec(spec);
	GPtrArray *addresses = g_ptr_array_new_with_free_func(g_free);
	char *name = NULL;
	gint64 id = -1;

	for (guint i = 0; i < parts->len; i++) {
		char *part_name = NULL, *address = NULL;

		if (!parse_mailbox(parts->pdata[i], &part_name, &address)) {
			*error_r = g_strdup_printf(
				"invalid --custodian '%s': '%s' is not an "
				"address; expected 'Name <addr>[,alias...]'",
				spec, (char *)parts->pdata[i]);
			goto out;
		}
		if (name == NULL && part_name != NULL)
			name = part_name;
		else
			g_free(part_name);
		g_ptr_array_add(addresses, address);
	}
	if (addresses->len == 0) {
		*error_r = g_strdup_printf("invalid --custodian '%s': no "
					   "address given", spec);
		goto out;
	}
	if (name == NULL)
		name = g_strdup(addresses->pdata[0]);

	id = find_or_create(db, name, "command-line");
	for (guint i = 0; id > 0 && i < addresses->len; i++) {
		if (add_address(db, id, addresses->pdata[i]) < 0)
			id = -1;
	}
	if (id < 0)
		*error_r = g_strdup_printf("cannot store custodian '%s': %s",
					   name, sqlite3_errmsg(db));
out:
	g_free(name);
	g_ptr_array_unref(parts);
	g_ptr_array_unref(addresses);
	return id;
}

/* Runs a query returning (text, text) and copies the first row. */
static gboolean
query_pair(sqlite3 *db, const char *sql, gint64 evidence_id, char **a_r,
	   char **b_r)
{
	sqlite3_stmt *st = casedb_prepare(db, sql);
	gboolean found = FALSE;

	if (st == NULL)
		return FALSE;
	sqlite3_bind_int64(st, 1, evidence_id);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_text(st, 0) != NULL) {
		*a_r = g_strdup((const char *)sqlite3_column_text(st, 0));
		*b_r = g_strdup((const char *)sqlite3_column_text(st, 1));
		found = TRUE;
	}
	sqlite3_finalize(st);
	return found;
}

static gboolean
generic_store_name(const char *name)
{
	char *lower = g_ascii_strdown(name, -1);
	gboolean generic = FALSE;

	g_strstrip(lower);
	for (guint i = 0; i < G_N_ELEMENTS(generic_store_names); i++) {
		if (strcmp(lower, generic_store_names[i]) == 0)
			generic = TRUE;
	}
	g_free(lower);
	return generic || name[0] == '\0';
}

gint64
custodian_infer(sqlite3 *db, gint64 evidence_id)
{
	char *store = NULL, *unused = NULL, *address = NULL, *display = NULL;
	const char *how = NULL;
	GString *inferred = g_string_new(NULL);
	gint64 id = -1;

	query_pair(db, "SELECT store_name, format FROM evidence WHERE id = ?1",
		   evidence_id, &store, &unused);
	if (query_pair(db,
		"SELECT m.from_addr, max(m.from_name) FROM message m"
		" JOIN folder f ON f.id = m.folder_id"
		" WHERE m.evidence_id = ?1 AND f.role IN ('sent', 'outbox')"
		" AND m.from_addr IS NOT NULL"
		" GROUP BY m.from_addr ORDER BY count(*) DESC, m.from_addr"
		" LIMIT 1", evidence_id, &address, &display))
		how = "sent-folder-sender";
	else if (query_pair(db,
		"SELECT r.address, max(r.name) FROM recipient r"
		" JOIN message m ON m.id = r.message_id"
		" WHERE m.evidence_id = ?1 AND r.address IS NOT NULL"
		" AND r.kind IN ('to', 'cc', 'delivered-to', 'x-original-to')"
		" GROUP BY r.address ORDER BY count(*) DESC, r.address LIMIT 1",
		evidence_id, &address, &display))
		how = "dominant-recipient";

	if (store != NULL && !generic_store_name(store)) {
		g_string_append(inferred, "pst-store-name");
	} else {
		g_free(store);
		store = NULL;
	}
	if (how != NULL)
		g_string_append_printf(inferred, "%s%s",
				       inferred->len > 0 ? "+" : "", how);
	if (inferred->len == 0)
		goto out;

	id = find_or_create(db, store != NULL ? store :
			    display != NULL && display[0] != '\0' ? display :
			    address, inferred->str);
	if (id > 0 && address != NULL)
		add_address(db, id, address);
out:
	if (id < 0)
		fprintf(stderr, "note: no custodian given or inferable for "
			"evidence %lld; use --custodian\n",
			(long long)evidence_id);
	g_free(store);
	g_free(unused);
	g_free(address);
	g_free(display);
	g_string_free(inferred, TRUE);
	return id;
}

static int
exec_for_evidence(sqlite3 *db, const char *sql, gint64 evidence_id)
{
	sqlite3_stmt *st = casedb_prepare(db, sql);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, evidence_id);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	if (rc < 0)
		fprintf(stderr, "error: classifying messages failed: %s\n",
			sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return rc;
}

int
custodian_classify(sqlite3 *db, gint64 evidence_id)
{
	static const char *const steps[] = {
		"UPDATE recipient SET external = CASE"
		" WHEN domain IS NULL THEN NULL"
		" WHEN EXISTS (SELECT 1 FROM internal_domain)"
		"  THEN domain NOT IN (SELECT domain FROM internal_domain)"
		" ELSE domain NOT IN (SELECT substr(a.address,"
		"  instr(a.address, '@') + 1) FROM custodian_address a"
		"  WHERE a.rowid = (SELECT min(b.rowid) FROM custodian_address b"
		"  WHERE b.custodian_id = a.custodian_id)) END"
		" WHERE message_id IN (SELECT id FROM message"
		" WHERE ?1 = 0 OR evidence_id = ?1)",

		"UPDATE message SET direction = CASE"
		" WHEN flag_draft OR folder_id IN (SELECT id FROM folder"
		"  WHERE role = 'drafts') THEN 'draft'"
		" WHEN from_addr IN (SELECT address FROM custodian_address a"
		"  WHERE a.custodian_id = message.custodian_id)"
		"  OR sender_addr IN (SELECT address FROM custodian_address a"
		"  WHERE a.custodian_id = message.custodian_id)"
		"  OR folder_id IN (SELECT id FROM folder"
		"  WHERE role IN ('sent', 'outbox')) THEN 'outbound'"
		" ELSE 'inbound' END"
		" WHERE ?1 = 0 OR evidence_id = ?1",

		"UPDATE message SET external_recipients = (SELECT"
		" count(DISTINCT r.address) FROM recipient r"
		" WHERE r.message_id = message.id AND r.external = 1"
		" AND r.kind IN ('to', 'cc', 'bcc'))"
		" WHERE ?1 = 0 OR evidence_id = ?1",
	};

	for (guint i = 0; i < G_N_ELEMENTS(steps); i++) {
		if (exec_for_evidence(db, steps[i], evidence_id) < 0)
			return -1;
	}
	return 0;
}

/* Copies of one message share their content key.  Some stores keep a copy
 * differently (a recovered PST item without its body, a PST copy next to
 * an mbox copy).  Such a copy is linked through its Message-ID, but only
 * when the sender matches and the sent times are at most LINK_WINDOW_SEC
 * apart.  A Message-ID is chosen by the sender and can be
 * reused or forged, so the same Message-ID on different content from
 * different senders or times is kept apart and noted as an anomaly.
 * The copy that stands for a group is an outbound one when there is one,
 * then an allocated one, then the first stored. */
#define LINK_WINDOW_SEC "300"

static const char *const link_steps[] = {
	"UPDATE message SET duplicate_of = NULL"
	" WHERE duplicate_of IS NOT NULL",

	"WITH ranked AS (SELECT id, first_value(id) OVER (PARTITION BY"
	"  content_key ORDER BY direction = 'outbound' DESC,"
	"  status = 'allocated' DESC, id) AS canon"
	"  FROM message WHERE content_key IS NOT NULL)"
	" UPDATE message SET duplicate_of = ranked.canon FROM ranked"
	" WHERE ranked.id = message.id AND ranked.canon <> message.id",

	/* Representatives left after the first pass, linked through a
	 * Message-ID to an earlier-ranked representative of the same sender
	 * and time. */
	"WITH rep AS (SELECT id, lower(message_id) AS mid, from_addr,"
	"  sent_utc, direction, status FROM message"
	"  WHERE duplicate_of IS NULL AND message_id IS NOT NULL"
	"  AND message_id <> ''),"
	" pair AS (SELECT b.id AS id, (SELECT a.id FROM rep a"
	"  WHERE a.mid = b.mid AND a.id <> b.id"
	"  AND coalesce(a.from_addr, '') = coalesce(b.from_addr, '')"
	"  AND (a.sent_utc IS NULL OR b.sent_utc IS NULL"
	"   OR abs(a.sent_utc - b.sent_utc) <= " LINK_WINDOW_SEC ")"
	"  AND ((coalesce(a.direction, '') = 'outbound') * 2 + (a.status = 'allocated')"
	"   > (coalesce(b.direction, '') = 'outbound') * 2 + (b.status = 'allocated')"
	"   OR ((coalesce(a.direction, '') = 'outbound') * 2 + (a.status = 'allocated')"
	"   = (coalesce(b.direction, '') = 'outbound') * 2 + (b.status = 'allocated')"
	"   AND a.id < b.id))"
	"  ORDER BY (coalesce(a.direction, '') = 'outbound') DESC,"
	"  (a.status = 'allocated') DESC, a.id LIMIT 1) AS canon FROM rep b)"
	" UPDATE message SET duplicate_of = pair.canon FROM pair"
	" WHERE pair.id = message.id AND pair.canon IS NOT NULL",

	/* Chains from the second pass point at their final representative. */
	"UPDATE message SET duplicate_of = (SELECT d.duplicate_of FROM"
	" message d WHERE d.id = message.duplicate_of)"
	" WHERE duplicate_of IN (SELECT id FROM message"
	" WHERE duplicate_of IS NOT NULL)",

	"DELETE FROM anomaly WHERE code = 'message-id-reused'",

	"INSERT INTO anomaly (evidence_id, message_id, level, code, locator,"
	" detail) SELECT m.evidence_id, m.id, 'note', 'message-id-reused',"
	" m.locator, 'Message-ID <' || m.message_id || '> is also used by "
	"message ' || (SELECT min(o.id) FROM message o WHERE lower(o.message_id)"
	" = lower(m.message_id) AND o.id <> m.id AND o.duplicate_of IS NULL)"
	" || ' with different content; the two are counted as separate "
	"messages' FROM message m WHERE m.duplicate_of IS NULL"
	" AND m.message_id IS NOT NULL AND m.message_id <> ''"
	" AND EXISTS (SELECT 1 FROM message o WHERE lower(o.message_id) ="
	" lower(m.message_id) AND o.id < m.id AND o.duplicate_of IS NULL)",
};

int
custodian_link_duplicates(sqlite3 *db)
{
	for (guint i = 0; i < G_N_ELEMENTS(link_steps); i++) {
		if (casedb_exec(db, link_steps[i], "linking duplicate copies") < 0)
			return -1;
	}
	return 0;
}
