/* SPDX-License-Identifier: MIT
 *
 * test-pst.c - the PST/OST reader against the shared fixtures.
 *
 * Expected counts are those pffexport and pypff (libpff 20180714) report
 * for the same files.  Damaged stores are cut from a fixture at test time.
 * The sink here records what the reader reports.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "extract/extract.h"
#include "extract/pst-private.h"
#include "parse/parse.h"

struct rec_folder {
	gint64 id;
	gint64 parent;
	char *path;
	enum mt_folder_role role;
	gint64 declared;
	int messages;
	int skipped;
	int failed;
};

struct rec {
	GPtrArray *folders;     /* struct rec_folder * */
	GPtrArray *messages;    /* struct mt_message * */
	GArray *message_folder; /* gint64 folder id per message */
	GPtrArray *anomalies;   /* "code offset detail" strings */
	GHashTable *facts;
};

static int failures;

static void
check(gboolean ok, const char *name)
{
	printf("%s - %s\n", ok ? "ok" : "not ok", name);
	if (!ok)
		failures++;
}

static void
check_int(gint64 actual, gint64 expected, const char *name)
{
	if (actual != expected)
		fprintf(stderr, "%s: expected %" G_GINT64_FORMAT ", got %"
			G_GINT64_FORMAT "\n", name, expected, actual);
	check(actual == expected, name);
}

static void
check_str(const char *actual, const char *expected, const char *name)
{
	if (g_strcmp0(actual, expected) != 0)
		fprintf(stderr, "%s: expected '%s', got '%s'\n", name,
			expected ? expected : "(null)",
			actual ? actual : "(null)");
	check(g_strcmp0(actual, expected) == 0, name);
}

static struct rec_folder *
rec_folder_by_id(struct rec *r, gint64 id)
{
	for (guint i = 0; i < r->folders->len; i++) {
		struct rec_folder *f = g_ptr_array_index(r->folders, i);

		if (f->id == id)
			return f;
	}
	return NULL;
}

static struct rec_folder *
rec_folder_by_path(struct rec *r, const char *path)
{
	for (guint i = 0; i < r->folders->len; i++) {
		struct rec_folder *f = g_ptr_array_index(r->folders, i);

		if (strcmp(f->path, path) == 0)
			return f;
	}
	return NULL;
}

static int
rec_folder(void *ctx, gint64 parent_id, const char *path,
	   enum mt_folder_role role, gint64 declared_count,
	   const char *locator, gint64 *folder_id_r)
{
	struct rec *r = ctx;
	struct rec_folder *f = g_new0(struct rec_folder, 1);

	f->id = r->folders->len + 1;
	f->parent = parent_id;
	f->path = g_strdup(path);
	f->role = role;
	f->declared = declared_count;
	g_ptr_array_add(r->folders, f);
	*folder_id_r = f->id;
	return 0;
}

static int
rec_message(void *ctx, gint64 folder_id, struct mt_message *msg)
{
	struct rec *r = ctx;
	struct rec_folder *f = rec_folder_by_id(r, folder_id);

	if (f != NULL)
		f->messages++;
	g_ptr_array_add(r->messages, msg);
	g_array_append_val(r->message_folder, folder_id);
	return 0;
}

static int
rec_skipped(void *ctx, gint64 folder_id, gboolean failed)
{
	struct rec_folder *f = rec_folder_by_id(ctx, folder_id);

	if (f != NULL && failed)
		f->failed++;
	else if (f != NULL)
		f->skipped++;
	return 0;
}

static int
rec_anomaly(void *ctx, gint64 folder_id, enum mt_level level,
	    const char *code, gint64 offset, const char *locator,
	    const char *detail)
{
	struct rec *r = ctx;

	g_ptr_array_add(r->anomalies,
			g_strdup_printf("%s %" G_GINT64_FORMAT " %s", code,
					offset, detail));
	return 0;
}

static int
rec_fact(void *ctx, const char *key, const char *value)
{
	struct rec *r = ctx;

	g_hash_table_replace(r->facts, g_strdup(key), g_strdup(value));
	return 0;
}

static void
rec_folder_free(gpointer p)
{
	struct rec_folder *f = p;

	g_free(f->path);
	g_free(f);
}

static void
rec_message_free(gpointer p)
{
	struct mt_message *msg = p;

	mt_message_free(&msg);
}

static int
rec_run(struct rec *r, const char *path, gboolean no_recover)
{
	struct mt_extract_options opts = { .no_recover = no_recover };
	struct mt_sink sink = {
		.ctx = r,
		.folder = rec_folder,
		.message = rec_message,
		.skipped = rec_skipped,
		.anomaly = rec_anomaly,
		.evidence_fact = rec_fact,
	};

	r->folders = g_ptr_array_new_with_free_func(rec_folder_free);
	r->messages = g_ptr_array_new_with_free_func(rec_message_free);
	r->message_folder = g_array_new(FALSE, FALSE, sizeof(gint64));
	r->anomalies = g_ptr_array_new_with_free_func(g_free);
	r->facts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					 g_free);
	return mt_extract_pst.run(path, &opts, &sink);
}

static void
rec_clear(struct rec *r)
{
	g_ptr_array_unref(r->folders);
	g_ptr_array_unref(r->messages);
	g_array_unref(r->message_folder);
	g_ptr_array_unref(r->anomalies);
	g_hash_table_destroy(r->facts);
}

static gboolean
rec_has_anomaly(struct rec *r, const char *prefix)
{
	for (guint i = 0; i < r->anomalies->len; i++) {
		if (g_str_has_prefix(g_ptr_array_index(r->anomalies, i),
				     prefix))
			return TRUE;
	}
	return FALSE;
}

/* Counts depth-0 attachments of the messages filed in folder. */
static int
rec_attachments(struct rec *r, const struct rec_folder *f)
{
	int count = 0;

	for (guint i = 0; i < r->messages->len; i++) {
		struct mt_message *msg = g_ptr_array_index(r->messages, i);

		if (g_array_index(r->message_folder, gint64, i) != f->id)
			continue;
		for (guint j = 0; j < msg->attachments->len; j++) {
			struct mt_attachment *a =
				g_ptr_array_index(msg->attachments, j);

			count += a->depth == 0;
		}
	}
	return count;
}

static char *
fixture(const char *name)
{
	const char *shared = g_getenv("MAILTRAIL_SHARED");

	if (shared != NULL)
		return g_build_filename(shared, "fixtures", "pst", name, NULL);
	return g_build_filename("..", "shared", "fixtures", "pst", name, NULL);
}

/* Attachment counts include those of meeting requests, which pypff
 * (libpff 20180714) lists.  pffexport does not export them, so its counts
 * cover the IPM.Note items only. */
struct folder_expect {
	const char *path;
	enum mt_folder_role role;
	int messages;
	int skipped;
	int attachments;
};

static void
check_folders(struct rec *r, const char *file,
	      const struct folder_expect *table, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct folder_expect *e = &table[i];
		struct rec_folder *f = rec_folder_by_path(r, e->path);
		char *name = g_strdup_printf("%s '%s'", file, e->path);
		char *label;

		check(f != NULL, name);
		if (f == NULL) {
			g_free(name);
			continue;
		}
		label = g_strconcat(name, " role", NULL);
		check_str(mt_folder_role_name(f->role),
			  mt_folder_role_name(e->role), label);
		g_free(label);
		label = g_strconcat(name, " messages", NULL);
		check_int(f->messages, e->messages, label);
		g_free(label);
		label = g_strconcat(name, " skipped", NULL);
		check_int(f->skipped, e->skipped, label);
		g_free(label);
		label = g_strconcat(name, " attachments", NULL);
		check_int(rec_attachments(r, f), e->attachments, label);
		g_free(label);
		g_free(name);
	}
}

static int
rec_count_status(struct rec *r, enum mt_status status)
{
	int count = 0;

	for (guint i = 0; i < r->messages->len; i++) {
		struct mt_message *msg = g_ptr_array_index(r->messages, i);

		count += msg->status == status;
	}
	return count;
}

static void
test_probe(void)
{
	static const unsigned char pst[] = "!BDN\0\0\0\0SM\x17\0";
	static const unsigned char ost4k[] = "!BDN\0\0\0\0SO\x24\0";
	static const unsigned char odd[] = "!BDN\0\0\0\0XX\x63\0";

	check_int(mt_extract_pst.probe("a.pst", FALSE, pst, 12), 100,
		  "probe unicode pst header");
	check_int(mt_extract_pst.probe("a.ost", FALSE, ost4k, 12), 100,
		  "probe 4k ost header");
	check_int(mt_extract_pst.probe("a.pst", FALSE, odd, 12), 60,
		  "probe unknown client magic");
	check_int(mt_extract_pst.probe("a.pst", FALSE,
				       (const unsigned char *)"!BDN", 4), 60,
		  "probe bare magic");
	check_int(mt_extract_pst.probe("a.mbox", FALSE,
				       (const unsigned char *)"From x", 6), 0,
		  "probe mbox text");
	check_int(mt_extract_pst.probe("dir", TRUE, NULL, 0), 0,
		  "probe directory");
}

static void
test_aspose_pst(void)
{
	static const struct folder_expect table[] = {
		{ "Top of Personal Folders/Inbox", MT_FOLDER_INBOX, 8, 0, 17 },
		{ "Top of Personal Folders/Sent Items", MT_FOLDER_SENT, 6, 0,
		  17 },
		{ "Top of Personal Folders/Calendar", MT_FOLDER_OTHER, 0, 1,
		  0 },
		{ "Top of Personal Folders/Contacts", MT_FOLDER_OTHER, 0, 1,
		  0 },
		{ "Top of Personal Folders/Deleted Items", MT_FOLDER_DELETED, 0,
		  0, 0 },
		{ "Top of Personal Folders/Drafts", MT_FOLDER_DRAFTS, 0, 0, 0 },
		{ "Top of Personal Folders/Junk E-mail", MT_FOLDER_JUNK, 0, 0,
		  0 },
		{ "Top of Personal Folders/Outbox", MT_FOLDER_OUTBOX, 0, 0, 0 },
		{ "(recovered)", MT_FOLDER_RECOVERED, 2, 2, 0 },
	};
	char *path = fixture("aspose_Outlook.pst");
	struct rec r;
	int rc = rec_run(&r, path, FALSE);
	gboolean hashed = TRUE;

	check_int(rc, 0, "aspose pst run status");
	check_str(g_hash_table_lookup(r.facts, "format"), "pst",
		  "aspose pst format");
	check_str(g_hash_table_lookup(r.facts, "format_detail"), "unicode-64",
		  "aspose pst format detail");
	check_str(g_hash_table_lookup(r.facts, "store_name"), "Outlook",
		  "aspose pst store name");
	check(g_hash_table_lookup(r.facts, "password_crc") == NULL,
	      "aspose pst has no password");
	check_folders(&r, "aspose pst", table, G_N_ELEMENTS(table));
	check_int(r.messages->len, 16, "aspose pst message total");
	check_int(rec_count_status(&r, MT_STATUS_RECOVERED), 2,
		  "aspose pst recovered status");
	for (guint i = 0; i < r.messages->len; i++) {
		struct mt_message *msg = g_ptr_array_index(r.messages, i);

		hashed = hashed && strlen(msg->sha256) == 64 &&
			 g_str_has_prefix(msg->locator, "nid=0x") &&
			 msg->pst_nid > 0;
	}
	check(hashed, "aspose pst every message hashed and located");
	rec_clear(&r);
	g_free(path);
}

static void
test_aspose_ost(void)
{
	static const struct folder_expect table[] = {
		{ "Root - Mailbox/IPM_SUBTREE/Inbox", MT_FOLDER_INBOX, 12, 0,
		  19 },
		{ "Root - Mailbox/IPM_SUBTREE/Inbox/sub1", MT_FOLDER_OTHER, 25,
		  0, 0 },
		{ "Root - Mailbox/IPM_SUBTREE/Inbox/sub2", MT_FOLDER_OTHER, 29,
		  0, 0 },
		{ "Root - Mailbox/IPM_SUBTREE/Sent Items", MT_FOLDER_SENT, 6, 0,
		  17 },
		{ "Root - Mailbox/IPM_SUBTREE/Deleted Items", MT_FOLDER_DELETED,
		  6, 4, 1 },
		{ "Root - Mailbox/IPM_SUBTREE/Sync Issues", MT_FOLDER_OTHER, 9,
		  0, 0 },
		{ "Root - Mailbox/IPM_SUBTREE/Calendar", MT_FOLDER_OTHER, 0, 1,
		  0 },
		/* pffexport: 7 email and 1 meeting item; 1 appointment and
		 * 3 IPM.Configuration items are skipped. */
		{ "(recovered)", MT_FOLDER_RECOVERED, 8, 4, 0 },
	};
	char *path = fixture("aspose_SampleOstFile.ost");
	struct rec r;
	int rc = rec_run(&r, path, FALSE);

	check(rc == 0 || rc == 1, "aspose ost run status");
	check_str(g_hash_table_lookup(r.facts, "format"), "ost",
		  "aspose ost format");
	check_folders(&r, "aspose ost", table, G_N_ELEMENTS(table));
	check_int(rec_count_status(&r, MT_STATUS_DELETED), 6,
		  "aspose ost deleted status");
	rec_clear(&r);

	rc = rec_run(&r, path, TRUE);
	check(rec_folder_by_path(&r, "(recovered)") == NULL,
	      "aspose ost no recovery when disabled");
	check_int(rec_count_status(&r, MT_STATUS_RECOVERED), 0,
		  "aspose ost no recovered messages when disabled");
	rec_clear(&r);
	g_free(path);
}

static void
test_small_stores(void)
{
	static const struct folder_expect ansi[] = {
		{ "Top of Personal Folders/Calendar", MT_FOLDER_OTHER, 0, 1,
		  0 },
	};
	static const struct folder_expect tika[] = {
		{ "Top of Outlook data file/Inbox/tmp", MT_FOLDER_OTHER, 4, 0,
		  0 },
		{ "(recovered)", MT_FOLDER_RECOVERED, 1, 0, 0 },
	};
	static const struct folder_expect dist[] = {
		{ "Top of Personal Folders/Contacts", MT_FOLDER_OTHER, 0, 2,
		  0 },
		{ "(recovered)", MT_FOLDER_RECOVERED, 0, 3, 0 },
	};
	char *path = fixture("go-pst_32-bit.pst");
	struct rec r;

	check_int(rec_run(&r, path, FALSE), 0, "ansi pst run status");
	check_str(g_hash_table_lookup(r.facts, "format_detail"), "ansi-32",
		  "ansi pst format detail");
	check_folders(&r, "ansi pst", ansi, G_N_ELEMENTS(ansi));
	rec_clear(&r);
	g_free(path);

	path = fixture("java-libpst_passworded.pst");
	rec_run(&r, path, FALSE);
	check_str(g_hash_table_lookup(r.facts, "password_crc"), "0xe61eb50f",
		  "passworded pst password crc");
	rec_clear(&r);
	g_free(path);

	path = fixture("tika_testPST_variousBodyTypes.pst");
	rec_run(&r, path, FALSE);
	check_folders(&r, "tika pst", tika, G_N_ELEMENTS(tika));
	rec_clear(&r);
	g_free(path);

	path = fixture("java-libpst_dist-list.pst");
	rec_run(&r, path, FALSE);
	check_folders(&r, "dist-list pst", dist, G_N_ELEMENTS(dist));
	check_int(r.messages->len, 0, "dist-list pst has no mail");
	rec_clear(&r);
	g_free(path);
}

static void
test_ost_4k(void)
{
	static const struct folder_expect table[] = {
		{ "Root - Mailbox/IPM_SUBTREE/Inbox", MT_FOLDER_INBOX, 10, 0,
		  22 },
		{ "Root - Mailbox/IPM_SUBTREE/Sent Items", MT_FOLDER_SENT, 2, 0,
		  3 },
		{ "Root - Mailbox/IPM_SUBTREE/Deleted Items", MT_FOLDER_DELETED,
		  1, 0, 1 },
		{ "Root - Mailbox/IPM_SUBTREE/Calendar/United States holidays",
		  MT_FOLDER_OTHER, 0, 160, 0 },
	};
	char *path = fixture("pst-extractor_pstextractortest.ost");
	struct rec r;

	rec_run(&r, path, FALSE);
	check_str(g_hash_table_lookup(r.facts, "format"), "ost",
		  "4k ost format");
	check_str(g_hash_table_lookup(r.facts, "format_detail"),
		  "unicode-64-4k", "4k ost format detail");
	check_folders(&r, "4k ost", table, G_N_ELEMENTS(table));
	rec_clear(&r);
	g_free(path);
}

/* Writes the first len bytes of src to a new file in dir. */
static char *
cut_copy(const char *src, const char *dir, const char *name, gsize len)
{
	char *data = NULL;
	gsize size = 0;
	char *out = g_build_filename(dir, name, NULL);

	if (!g_file_get_contents(src, &data, &size, NULL))
		size = 0;
	g_file_set_contents(out, data != NULL ? data : "",
			    (gssize)MIN(len, size), NULL);
	g_free(data);
	return out;
}

static void
test_damaged(void)
{
	char *dir = g_dir_make_tmp("mt-pst-XXXXXX", NULL);
	char *src = fixture("aspose_Outlook.pst");
	char *empty = cut_copy(src, dir, "empty.pst", 0);
	char *magic = cut_copy(src, dir, "magic.pst", 4);
	char *cut = cut_copy(src, dir, "cut.pst", 2000000);
	struct rec r;

	check_int(rec_run(&r, empty, FALSE), -1, "empty pst fails");
	check(rec_has_anomaly(&r, "pst-truncated 0 "),
	      "empty pst names offset 0");
	rec_clear(&r);

	check_int(rec_run(&r, magic, FALSE), -1, "bare magic pst fails");
	check(rec_has_anomaly(&r, "pst-truncated 4 "),
	      "bare magic pst names offset 4");
	rec_clear(&r);

	/* Every allocated item of this store lies before 2,000,000, so a
	 * copy cut there still yields all of them, reported as damaged. */
	check_int(rec_run(&r, cut, FALSE), 1, "cut pst run status");
	check(rec_has_anomaly(&r, "pst-truncated 2000000 "),
	      "cut pst names offset 2000000");
	check_int(r.messages->len, 14, "cut pst keeps readable messages");
	rec_clear(&r);

	unlink(empty);
	unlink(magic);
	unlink(cut);
	g_rmdir(dir);
	g_free(empty);
	g_free(magic);
	g_free(cut);
	g_free(src);
	g_free(dir);
}

/* The message store node (nid 0x21) of a healthy store is allocated, so
 * every block behind it must match its CRC. */
static void
test_crc(void)
{
	static const char *const stores[] = { "aspose_Outlook.pst",
					      "go-pst_32-bit.pst" };
	char *path = fixture("pst-extractor_pstextractortest.ost");
	char *error = NULL;
	char *detail = NULL;
	struct pst_crc *crc;

	crc = pst_crc_scan(path, &error);
	check(crc == NULL, "crc scan rejects a 4k-page ost");
	check(error != NULL && strstr(error, "wVer 36") != NULL,
	      "crc scan names wVer 36");
	g_free(error);
	g_free(path);
	for (size_t i = 0; i < G_N_ELEMENTS(stores); i++) {
		char *name = g_strdup_printf("crc of the store node in %s",
					     stores[i]);

		path = fixture(stores[i]);
		error = NULL;
		crc = pst_crc_scan(path, &error);
		check(crc != NULL, "crc scan reads the store");
		if (crc != NULL) {
			check_int(pst_crc_check_node(crc, 0x21, &detail,
						     NULL), 1, name);
			g_free(detail);
			check_int(pst_crc_check_node(crc, 0x7fffffe4,
						     &detail, NULL), -1,
				  "crc check of a node not in the store");
			g_free(detail);
		}
		pst_crc_free(crc);
		g_free(error);
		g_free(path);
		g_free(name);
	}
}

int
main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (parse_init() != 0) {
		printf("not ok - parse_init\n");
		return 1;
	}
	test_probe();
	test_aspose_pst();
	test_aspose_ost();
	test_small_stores();
	test_ost_4k();
	test_damaged();
	test_crc();
	parse_shutdown();
	return failures > 0 ? 1 : 0;
}
