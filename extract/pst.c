/* SPDX-License-Identifier: MIT
 *
 * pst.c - Outlook PST/OST stores (MS-PST) through libpff, opened read-only.
 *
 * Reads the file header itself for the format facts, then walks the folder
 * tree from the root and hands every mail item to the sink.  Other items
 * (contacts, appointments) are counted as skipped.  An item libpff cannot
 * read becomes an anomaly naming its node id, and the walk goes on.
 * Recovered and orphan items follow in pst-recover.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "extract/pst-private.h"

/* MS-PST 2.2.2.6: dwMagic, dwCRCPartial, wMagicClient, wVer. */
#define PST_HEADER_PROBE_LEN 12
#define PST_ANSI_HEADER_LEN 512
#define PST_UNICODE_HEADER_LEN 564
/* The low five bits of a node id give its type (MS-PST 2.2.2.1). */
#define PST_NID_TYPE_MASK 0x1f
#define PST_NID_TYPE_SEARCH_FOLDER 0x03
/* ROOT.ibFileEof: 32-bit at 0xa8 (ANSI), 64-bit at 0xb8 (Unicode). */
#define PST_ANSI_EOF_OFFSET 0xa8
#define PST_UNICODE_EOF_OFFSET 0xb8

struct pst_header {
	char client[3];        /* "SM" PST, "SO" OST, "AB" PAB */
	unsigned version;      /* wVer */
	const char *format;    /* "pst" or "ost" */
	const char *detail;    /* "ansi-32", "unicode-64", "unicode-64-4k" */
};

static gboolean
pst_header_parse(const unsigned char *head, size_t len, struct pst_header *h)
{
	memset(h, 0, sizeof *h);
	if (len < PST_HEADER_PROBE_LEN || memcmp(head, "!BDN", 4) != 0)
		return FALSE;
	memcpy(h->client, head + 8, 2);
	h->version = head[10] | (unsigned)head[11] << 8;
	h->format = strcmp(h->client, "SO") == 0 ? "ost" : "pst";
	if (h->version <= 15)
		h->detail = "ansi-32";
	else if (h->version == 23)
		h->detail = "unicode-64";
	else if (h->version == 36)
		h->detail = "unicode-64-4k";
	return TRUE;
}

static gboolean
pst_header_known(const struct pst_header *h)
{
	gboolean client = strcmp(h->client, "SM") == 0 ||
			  strcmp(h->client, "SO") == 0 ||
			  strcmp(h->client, "AB") == 0;

	return client && h->detail != NULL;
}

static int
pst_probe(const char *path, gboolean is_dir, const unsigned char *head,
	  size_t head_len)
{
	struct pst_header h;

	if (is_dir || head == NULL || head_len < 4 ||
	    memcmp(head, "!BDN", 4) != 0)
		return 0;
	/* A damaged header still goes to this reader, which reports it. */
	if (!pst_header_parse(head, head_len, &h) || !pst_header_known(&h))
		return 60;
	return 100;
}

int
pst_anomaly(struct pst_walk *walk, gint64 folder_id, enum mt_level level,
	    const char *code, gint64 offset, const char *locator,
	    const char *fmt, ...)
{
	va_list ap;
	char *detail;
	int rc;

	va_start(ap, fmt);
	detail = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	rc = walk->sink->anomaly(walk->sink->ctx, folder_id, level, code,
				 offset, locator, detail);
	g_free(detail);
	if (rc != 0)
		walk->sink_failed = TRUE;
	return rc;
}

static int
pst_fact(struct pst_walk *walk, const char *key, const char *value)
{
	if (walk->sink->evidence_fact(walk->sink->ctx, key, value) != 0) {
		walk->sink_failed = TRUE;
		return -1;
	}
	return 0;
}

/* Reports a file shorter than the end of file its header records, the
 * usual sign of an interrupted copy.  Returns TRUE when it did. */
static gboolean
pst_eof_check(struct pst_walk *walk, const unsigned char *head, size_t len,
	      const struct pst_header *h, int fd)
{
	gboolean ansi = h->version <= 15;
	size_t at = ansi ? PST_ANSI_EOF_OFFSET : PST_UNICODE_EOF_OFFSET;
	guint64 eof = 0;
	struct stat sb;

	if (len < at + (ansi ? 4 : 8) || fstat(fd, &sb) != 0)
		return FALSE;
	for (int i = ansi ? 3 : 7; i >= 0; i--)
		eof = eof << 8 | head[at + i];
	if ((guint64)sb.st_size >= eof)
		return FALSE;
	walk->failed_items++;
	pst_anomaly(walk, 0, MT_LEVEL_ERROR, "pst-truncated", sb.st_size,
		    NULL, "'%s': file ends at offset %" G_GINT64_FORMAT
		    " but its header records the end of the store at %"
		    G_GUINT64_FORMAT "; %" G_GUINT64_FORMAT " bytes are "
		    "missing", walk->path, (gint64)sb.st_size, eof,
		    eof - (guint64)sb.st_size);
	return TRUE;
}

/* Reads the header with plain I/O so that a file libpff rejects is still
 * described.  Returns 0, or -1 when the file is not a readable PST. */
static int
pst_header_check(struct pst_walk *walk)
{
	unsigned char head[PST_UNICODE_HEADER_LEN];
	struct pst_header h;
	gboolean short_file = FALSE;
	ssize_t got;
	int fd;

	fd = open(walk->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		pst_anomaly(walk, 0, MT_LEVEL_ERROR, "pst-open-failed", -1,
			    NULL, "'%s': cannot open: %s", walk->path,
			    g_strerror(errno));
		return -1;
	}
	got = read(fd, head, sizeof head);
	if (got < 0) {
		pst_anomaly(walk, 0, MT_LEVEL_ERROR, "pst-read-failed", 0,
			    NULL, "'%s': cannot read the header: %s",
			    walk->path, g_strerror(errno));
		close(fd);
		return -1;
	}
	if (pst_header_parse(head, (size_t)got, &h) && pst_header_known(&h))
		short_file = pst_eof_check(walk, head, (size_t)got, &h, fd);
	close(fd);
	if (!pst_header_parse(head, (size_t)got, &h)) {
		pst_anomaly(walk, 0, MT_LEVEL_ERROR, "pst-truncated", got,
			    NULL, "'%s': file ends at offset %zd, inside the "
			    "PST header (512 bytes ANSI, 564 Unicode)",
			    walk->path, got);
		return -1;
	}
	if (pst_fact(walk, "format", h.format) != 0)
		return -1;
	if (h.detail != NULL && pst_fact(walk, "format_detail", h.detail) != 0)
		return -1;
	if (!pst_header_known(&h))
		pst_anomaly(walk, 0, MT_LEVEL_WARNING, "pst-unknown-version", 8,
			    NULL, "'%s': unknown client magic 0x%02x%02x or "
			    "wVer %u in the PST header", walk->path,
			    (unsigned char)h.client[0],
			    (unsigned char)h.client[1], h.version);
	if (!short_file && got < (h.version <= 15 ? PST_ANSI_HEADER_LEN :
						     PST_UNICODE_HEADER_LEN))
		pst_anomaly(walk, 0, MT_LEVEL_ERROR, "pst-truncated", got,
			    NULL, "'%s': file ends at offset %zd, inside the "
			    "PST header", walk->path, got);
	return walk->sink_failed ? -1 : 0;
}

/* Registers the folder behind an entry-id property under role. */
static void
pst_known_role_add(struct pst_walk *walk, libpff_record_set_t *set,
		   uint32_t property, enum mt_folder_role role)
{
	GByteArray *entryid = NULL;
	char *error = NULL;
	uint32_t nid;

	if (pst_set_binary(set, property, 4096, &entryid, &error) != 1) {
		g_free(error);
		return;
	}
	nid = pst_entryid_nid(entryid);
	if (nid != 0)
		g_hash_table_insert(walk->known_roles, GUINT_TO_POINTER(nid),
				    GINT_TO_POINTER(role + 1));
	g_byte_array_unref(entryid);
}

static void
pst_store_facts(struct pst_walk *walk)
{
	libpff_item_t *store = NULL;
	libpff_record_set_t *set = NULL;
	libpff_error_t *error = NULL;
	char *detail = NULL;
	char *name = NULL;
	uint32_t crc = 0;
	int result;

	result = libpff_file_get_message_store(walk->file, &store, &error);
	if (result != 1) {
		detail = result == -1 ? pst_error_take(&error) :
			g_strdup("no message store node (nid 0x21)");
		pst_anomaly(walk, 0, MT_LEVEL_WARNING, "pst-no-message-store",
			    pst_error_offset(detail), "nid=0x21",
			    "message store unreadable: %s", detail);
		g_free(detail);
		return;
	}
	if (pst_set_get(store, 0, &set, &detail) == 1) {
		if (pst_set_string(set, PST_PR_DISPLAY_NAME, &name,
				   &detail) == 1 && name[0] != '\0')
			pst_fact(walk, "store_name", name);
		g_clear_pointer(&detail, g_free);
		/* pffinfo treats 0 and 0xffffffff as "no password". */
		if (pst_set_u32(set, PST_PR_PST_PASSWORD, &crc, &detail) == 1 &&
		    crc != 0 && crc != 0xffffffffu) {
			char *text = g_strdup_printf("0x%08x", crc);

			pst_fact(walk, "password_crc", text);
			pst_anomaly(walk, 0, MT_LEVEL_NOTE, "pst-password",
				    -1, "nid=0x21", "store is password-"
				    "protected (PR_PST_PASSWORD CRC-32 %s); "
				    "the password only guards Outlook's "
				    "view, and libpff reads the store "
				    "without it", text);
			g_free(text);
		}
		pst_known_role_add(walk, set, PST_PR_IPM_OUTBOX_ENTRYID,
				   MT_FOLDER_OUTBOX);
		pst_known_role_add(walk, set, PST_PR_IPM_WASTEBASKET_ENTRYID,
				   MT_FOLDER_DELETED);
		pst_known_role_add(walk, set, PST_PR_IPM_SENTMAIL_ENTRYID,
				   MT_FOLDER_SENT);
	}
	g_free(detail);
	g_free(name);
	libpff_record_set_free(&set, NULL);
	libpff_item_free(&store, NULL);
}

/* Drafts and Junk are named on the root folder: PR_IPM_DRAFTS_ENTRYID and
 * entry 4 of PR_ADDITIONAL_REN_ENTRYIDS (MS-OXOSFLD 2.2.4). */
static void
pst_root_roles(struct pst_walk *walk, libpff_item_t *root)
{
	libpff_record_set_t *set = NULL;
	libpff_record_entry_t *entry = NULL;
	libpff_multi_value_t *values = NULL;
	libpff_error_t *error = NULL;
	char *detail = NULL;
	GByteArray *junk;
	size_t size = 0;
	int count = 0;

	if (pst_set_get(root, 0, &set, &detail) != 1)
		goto end;
	pst_known_role_add(walk, set, PST_PR_IPM_DRAFTS_ENTRYID,
			   MT_FOLDER_DRAFTS);
	if (pst_set_entry(set, PST_PR_ADDITIONAL_REN_ENTRYIDS, &entry,
			  &detail) != 1 ||
	    libpff_record_entry_get_multi_value(entry, &values, &error) != 1 ||
	    libpff_multi_value_get_number_of_values(values, &count,
						    &error) != 1 ||
	    count < 5 ||
	    libpff_multi_value_get_value_binary_data_size(values, 4, &size,
							  &error) != 1 ||
	    size < 24 || size > 4096)
		goto end;
	junk = g_byte_array_sized_new((guint)size);
	g_byte_array_set_size(junk, (guint)size);
	if (libpff_multi_value_get_value_binary_data(values, 4, junk->data,
						     size, &error) == 1) {
		uint32_t nid = pst_entryid_nid(junk);

		gpointer role = GINT_TO_POINTER(MT_FOLDER_JUNK + 1);

		if (nid != 0)
			g_hash_table_insert(walk->known_roles,
					    GUINT_TO_POINTER(nid), role);
	}
	g_byte_array_unref(junk);
end:
	libpff_error_free(&error);
	g_free(detail);
	libpff_multi_value_free(&values, NULL);
	libpff_record_entry_free(&entry, NULL);
	libpff_record_set_free(&set, NULL);
}

/* Folder names may contain '/'; it and '%' are percent-encoded so that
 * the path stays '/'-separated and reversible. */
static char *
pst_folder_name(libpff_item_t *folder, uint32_t nid)
{
	libpff_error_t *error = NULL;
	GString *name = g_string_new(NULL);
	size_t size = 0;
	uint8_t *buffer = NULL;
	char *clean = NULL;

	if (libpff_folder_get_utf8_name_size(folder, &size, &error) == 1 &&
	    size > 1) {
		buffer = g_malloc(size);
		if (libpff_folder_get_utf8_name(folder, buffer, size,
						&error) == 1)
			clean = pst_string_clean((const char *)buffer,
						 size - 1, NULL);
	}
	libpff_error_free(&error);
	g_free(buffer);
	if (clean == NULL || clean[0] == '\0') {
		g_free(clean);
		return g_strdup_printf("(unnamed folder 0x%x)", nid);
	}
	for (const char *p = clean; *p != '\0'; p++) {
		if (*p == '/')
			g_string_append(name, "%2F");
		else if (*p == '%')
			g_string_append(name, "%25");
		else
			g_string_append_c(name, *p);
	}
	g_free(clean);
	return g_string_free(name, FALSE);
}

static enum mt_folder_role
pst_folder_role(struct pst_walk *walk, uint32_t nid, const char *name,
		const char *path, enum mt_folder_role parent_role)
{
	gpointer known = g_hash_table_lookup(walk->known_roles,
					     GUINT_TO_POINTER(nid));
	enum mt_folder_role role;

	if (known != NULL)
		return (enum mt_folder_role)(GPOINTER_TO_INT(known) - 1);
	/* Exchange keeps Deletions, Purges, Versions under it. */
	if (parent_role == MT_FOLDER_RECOVERABLE ||
	    g_ascii_strcasecmp(name, "Recoverable Items") == 0)
		return MT_FOLDER_RECOVERABLE;
	/* The whole path lets the guess see "Recoverable Items/Purges". */
	role = mt_folder_role_guess(path);
	return role;
}

/* Returns PR_CONTENT_COUNT, else the number of sub-messages libpff
 * lists, else -1.  A search folder (NID type 0x03, MS-PST 2.2.2.1)
 * counts items filed elsewhere, so it declares nothing. */
static gint64
pst_folder_declared(libpff_item_t *folder, uint32_t nid)
{
	libpff_record_set_t *set = NULL;
	libpff_error_t *error = NULL;
	char *detail = NULL;
	uint32_t count = 0;
	int messages = 0;
	gint64 declared = -1;

	if ((nid & PST_NID_TYPE_MASK) == PST_NID_TYPE_SEARCH_FOLDER)
		return -1;
	if (pst_set_get(folder, 0, &set, &detail) == 1 &&
	    pst_set_u32(set, PST_PR_CONTENT_COUNT, &count, &detail) == 1)
		declared = count;
	else if (libpff_folder_get_number_of_sub_messages(folder, &messages,
							  &error) == 1)
		declared = messages;
	libpff_error_free(&error);
	g_free(detail);
	libpff_record_set_free(&set, NULL);
	return declared;
}

/* Reports an item whose properties cannot be read and counts it as
 * failed.  Fragments in the recovered and orphan lists are expected to be
 * unreadable now and then, so they are notes and leave the store
 * undamaged. */
static void
pst_item_failed(struct pst_walk *walk, const struct pst_place *place,
		uint32_t nid, const char *locator, const char *detail)
{
	gboolean fragment = place->recovery_kind != NULL;

	if (!fragment)
		walk->failed_items++;
	pst_anomaly(walk, place->folder_id,
		    fragment ? MT_LEVEL_NOTE : MT_LEVEL_ERROR,
		    "pst-item-unreadable", pst_error_offset(detail), locator,
		    "%s%sdescriptor 0x%x: properties unreadable: %s",
		    fragment ? place->recovery_kind : "",
		    fragment ? " " : "", nid, detail);
	if (walk->sink->skipped(walk->sink->ctx, place->folder_id, TRUE) != 0)
		walk->sink_failed = TRUE;
}

int
pst_item_hand_over(struct pst_walk *walk, libpff_item_t *item,
		   const struct pst_place *place)
{
	const struct mt_sink *sink = walk->sink;
	libpff_error_t *error = NULL;
	char *class_error = NULL;
	char *detail = NULL;
	char *class = NULL;
	char locator[32];
	uint32_t nid = 0;
	struct mt_message *msg;
	int kind;

	if (libpff_item_get_identifier(item, &nid, &error) != 1)
		libpff_error_free(&error);
	g_snprintf(locator, sizeof locator, "nid=0x%x", nid);
	kind = pst_item_is_mail(item, &class, &class_error);
	g_free(class);
	if (kind == 0) {
		g_free(class_error);
		if (sink->skipped(sink->ctx, place->folder_id, FALSE) != 0)
			walk->sink_failed = TRUE;
		return walk->sink_failed ? -1 : 0;
	}
	msg = pst_message_read(walk, item, nid, place, &detail);
	if (msg == NULL) {
		pst_item_failed(walk, place, nid, locator, detail);
	} else {
		if (class_error != NULL)
			mt_message_add_defect(msg, "warning",
					      "pst-item-class-unreadable",
					      "message class unreadable, read "
					      "as mail: %s", class_error);
		if (sink->message(sink->ctx, place->folder_id, msg) != 0)
			walk->sink_failed = TRUE;
	}
	g_free(class_error);
	g_free(detail);
	return walk->sink_failed ? -1 : 0;
}

static int pst_folder_walk(struct pst_walk *walk, libpff_item_t *folder,
			   gint64 parent_id, const char *parent_path,
			   enum mt_folder_role parent_role,
			   gboolean in_deleted, int depth);

static int
pst_folder_messages(struct pst_walk *walk, libpff_item_t *folder,
		    uint32_t folder_nid, const struct pst_place *place,
		    GHashTable *listed)
{
	libpff_error_t *error = NULL;
	uint32_t nid = 0;
	int count = 0;

	if (libpff_folder_get_number_of_sub_messages(folder, &count,
						     &error) != 1) {
		char *detail = pst_error_take(&error);

		walk->failed_items++;
		pst_anomaly(walk, place->folder_id, MT_LEVEL_ERROR,
			    "pst-folder-unreadable", pst_error_offset(detail),
			    NULL, "folder 0x%x: message list unreadable: %s",
			    folder_nid, detail);
		g_free(detail);
		return walk->sink_failed ? -1 : 0;
	}
	for (int i = 0; i < count && !walk->sink_failed; i++) {
		libpff_item_t *item = NULL;

		if (libpff_folder_get_sub_message(folder, i, &item,
						  &error) != 1) {
			char *detail = pst_error_take(&error);

			walk->failed_items++;
			pst_anomaly(walk, place->folder_id, MT_LEVEL_ERROR,
				    "pst-item-unreadable",
				    pst_error_offset(detail), NULL,
				    "folder 0x%x: message %d of %d "
				    "unreadable: %s", folder_nid, i + 1,
				    count, detail);
			g_free(detail);
			if (walk->sink->skipped(walk->sink->ctx,
						place->folder_id, TRUE) != 0)
				walk->sink_failed = TRUE;
			continue;
		}
		if (libpff_item_get_identifier(item, &nid, &error) == 1)
			g_hash_table_add(listed, GUINT_TO_POINTER(nid));
		else
			libpff_error_free(&error);
		pst_item_hand_over(walk, item, place);
		libpff_item_free(&item, NULL);
	}
	return walk->sink_failed ? -1 : 0;
}

/* Hands over one child of the folder's node that its contents table does
 * not list, as an orphan filed in the folder itself. */
static void
pst_folder_unlisted_one(struct pst_walk *walk, libpff_item_t *item,
			uint32_t nid, uint32_t folder_nid, const char *path,
			gint64 folder_id)
{
	struct pst_place place = { folder_id, MT_STATUS_ORPHAN, "unlisted",
				   NULL };
	char *note;

	note = g_strdup_printf("orphan item: found in the node B-tree under "
			       "folder '%s' (nid=0x%x) but not in that "
			       "folder's contents table", path, folder_nid);
	place.parent_note = note;
	pst_anomaly(walk, folder_id, MT_LEVEL_NOTE, "pst-unlisted-item", -1,
		    NULL, "descriptor 0x%x: in the node B-tree under folder "
		    "0x%x but not in its contents table", nid, folder_nid);
	pst_item_hand_over(walk, item, &place);
	g_free(note);
}

/* libpff builds its item tree from the parent NIDs of the node B-tree,
 * while sub-messages come from the contents table.  A message node (NID
 * type 0x04) under the folder that the table leaves out is still mail
 * an examiner must see. */
static void
pst_folder_unlisted(struct pst_walk *walk, libpff_item_t *folder,
		    uint32_t folder_nid, const char *path, gint64 folder_id,
		    GHashTable *listed)
{
	libpff_error_t *error = NULL;
	int count = 0;

	if (libpff_item_get_number_of_sub_items(folder, &count,
						&error) != 1) {
		libpff_error_free(&error);
		return;
	}
	for (int i = 0; i < count && !walk->sink_failed; i++) {
		libpff_item_t *item = NULL;
		uint32_t nid = 0;

		if (libpff_item_get_sub_item(folder, i, &item, &error) != 1) {
			libpff_error_free(&error);
			continue;
		}
		if (libpff_item_get_identifier(item, &nid, &error) != 1)
			libpff_error_free(&error);
		else if ((nid & 0x1f) == PST_NID_TYPE_MESSAGE &&
			 !g_hash_table_contains(listed,
						GUINT_TO_POINTER(nid)))
			pst_folder_unlisted_one(walk, item, nid, folder_nid,
						path, folder_id);
		libpff_item_free(&item, NULL);
	}
}

static int
pst_folder_children(struct pst_walk *walk, libpff_item_t *folder,
		    uint32_t folder_nid, gint64 folder_id, const char *path,
		    enum mt_folder_role role, gboolean deleted, int depth)
{
	libpff_error_t *error = NULL;
	int count = 0;

	if (libpff_folder_get_number_of_sub_folders(folder, &count,
						    &error) != 1) {
		char *detail = pst_error_take(&error);

		walk->failed_items++;
		pst_anomaly(walk, folder_id, MT_LEVEL_ERROR,
			    "pst-folder-unreadable", pst_error_offset(detail),
			    NULL, "folder 0x%x: sub-folder list unreadable: "
			    "%s", folder_nid, detail);
		g_free(detail);
		return walk->sink_failed ? -1 : 0;
	}
	for (int i = 0; i < count && !walk->sink_failed; i++) {
		libpff_item_t *child = NULL;

		if (libpff_folder_get_sub_folder(folder, i, &child,
						 &error) != 1) {
			char *detail = pst_error_take(&error);

			walk->failed_items++;
			pst_anomaly(walk, folder_id, MT_LEVEL_ERROR,
				    "pst-folder-unreadable",
				    pst_error_offset(detail), NULL,
				    "folder 0x%x: sub-folder %d of %d "
				    "unreadable: %s", folder_nid, i + 1,
				    count, detail);
			g_free(detail);
			continue;
		}
		pst_folder_walk(walk, child, folder_id, path, role, deleted,
				depth + 1);
		libpff_item_free(&child, NULL);
	}
	return walk->sink_failed ? -1 : 0;
}

static int
pst_folder_walk(struct pst_walk *walk, libpff_item_t *folder,
		gint64 parent_id, const char *parent_path,
		enum mt_folder_role parent_role, gboolean in_deleted, int depth)
{
	libpff_error_t *error = NULL;
	struct pst_place place = { 0 };
	enum mt_folder_role role;
	GHashTable *listed;
	uint32_t nid = 0;
	char locator[32];
	char *name;
	char *path;
	gboolean deleted;

	if (libpff_item_get_identifier(folder, &nid, &error) != 1)
		libpff_error_free(&error);
	g_snprintf(locator, sizeof locator, "nid=0x%x", nid);
	if (depth > PST_MAX_FOLDER_DEPTH ||
	    g_hash_table_contains(walk->visited, GUINT_TO_POINTER(nid))) {
		walk->failed_items++;
		return pst_anomaly(walk, parent_id, MT_LEVEL_ERROR,
				   "pst-folder-loop", -1, locator,
				   "folder 0x%x is nested %d deep or is its "
				   "own ancestor; not entered", nid, depth);
	}
	g_hash_table_add(walk->visited, GUINT_TO_POINTER(nid));

	name = pst_folder_name(folder, nid);
	if (parent_path == NULL)
		path = g_strdup(depth == 0 && g_str_has_prefix(name,
							       "(unnamed") ?
				"(root)" : name);
	else if (parent_path[0] == '\0')
		path = g_strdup(name);
	else
		path = g_strconcat(parent_path, "/", name, NULL);
	role = pst_folder_role(walk, nid, name, path, parent_role);
	deleted = in_deleted || role == MT_FOLDER_DELETED ||
		  role == MT_FOLDER_RECOVERABLE;

	if (walk->sink->folder(walk->sink->ctx, parent_id, path, role,
			       pst_folder_declared(folder, nid), locator,
			       &place.folder_id) != 0) {
		walk->sink_failed = TRUE;
	} else {
		place.status = deleted ? MT_STATUS_DELETED :
					 MT_STATUS_ALLOCATED;
		listed = g_hash_table_new(NULL, NULL);
		pst_folder_messages(walk, folder, nid, &place, listed);
		if (!walk->sink_failed)
			pst_folder_unlisted(walk, folder, nid, path,
					    place.folder_id, listed);
		g_hash_table_destroy(listed);
		/* Children of the root are paths of their own. */
		pst_folder_children(walk, folder, nid, place.folder_id,
				    depth == 0 ? "" : path, role, deleted,
				    depth);
	}
	g_free(name);
	g_free(path);
	return walk->sink_failed ? -1 : 0;
}

static int
pst_open(struct pst_walk *walk)
{
	libpff_error_t *error = NULL;
	char *detail;

	if (libpff_file_initialize(&walk->file, &error) == 1 &&
	    libpff_file_open(walk->file, walk->path,
			     libpff_get_access_flags_read(), &error) == 1)
		return 0;
	detail = pst_error_take(&error);
	pst_anomaly(walk, 0, MT_LEVEL_ERROR, "pst-open-failed",
		    pst_error_offset(detail), NULL,
		    "'%s': libpff cannot open the store; readpst (pst-utils) "
		    "needs fewer of its structures and may still read it: %s",
		    walk->path, detail);
	g_free(detail);
	libpff_file_free(&walk->file, NULL);
	return -1;
}

static void
pst_walk_root(struct pst_walk *walk)
{
	libpff_item_t *root = NULL;
	libpff_error_t *error = NULL;
	char *detail;
	int result;

	result = libpff_file_get_root_folder(walk->file, &root, &error);
	if (result == 1) {
		pst_root_roles(walk, root);
		pst_folder_walk(walk, root, 0, NULL, MT_FOLDER_OTHER, FALSE, 0);
		libpff_item_free(&root, NULL);
		return;
	}
	detail = result == -1 ? pst_error_take(&error) :
		g_strdup("the store has no root folder (nid 0x122)");
	walk->failed_items++;
	pst_anomaly(walk, 0, MT_LEVEL_ERROR, "pst-no-root-folder",
		    pst_error_offset(detail), "nid=0x122",
		    "'%s': folder tree unreadable: %s", walk->path, detail);
	g_free(detail);
}

static void
pst_encryption_note(struct pst_walk *walk)
{
	libpff_error_t *error = NULL;
	uint8_t type = 0;

	if (libpff_file_get_encryption_type(walk->file, &type, &error) != 1) {
		libpff_error_free(&error);
		return;
	}
	if (type == LIBPFF_ENCRYPTION_TYPE_HIGH)
		pst_anomaly(walk, 0, MT_LEVEL_NOTE, "pst-encryption", 513,
			    NULL, "store uses high (cyclic) encryption; "
			    "libpff decodes it");
}

static void
pst_corruption_note(struct pst_walk *walk)
{
	libpff_error_t *error = NULL;

	if (libpff_file_is_corrupted(walk->file, &error) == 1)
		pst_anomaly(walk, 0, MT_LEVEL_WARNING, "pst-corrupted", -1,
			    NULL, "'%s': libpff marks the store as corrupted; "
			    "some items may be missing", walk->path);
	libpff_error_free(&error);
}

/* Indexes the B-tree leaf pages for the block CRC checks of every item,
 * or reports once why this store's blocks stay unverified. */
static void
pst_crc_open(struct pst_walk *walk)
{
	walk->crc = pst_crc_scan(walk->path, &walk->crc_error);
	if (walk->crc == NULL)
		pst_anomaly(walk, 0, MT_LEVEL_NOTE, "pst-block-crc-unverified",
			    -1, NULL, "'%s': block CRCs are not checked (%s), "
			    "so a damaged block reads as intact data",
			    walk->path, walk->crc_error);
}

static int
pst_run(const char *path, const struct mt_extract_options *opts,
	const struct mt_sink *sink)
{
	struct pst_walk walk = { 0 };
	int rc = -1;

	walk.path = path;
	walk.sink = sink;
	walk.max_message_size = opts != NULL && opts->max_message_size > 0 ?
		opts->max_message_size : PST_DEFAULT_MAX_MESSAGE_SIZE;
	walk.known_roles = g_hash_table_new(g_direct_hash, g_direct_equal);
	walk.visited = g_hash_table_new(g_direct_hash, g_direct_equal);

	if (pst_header_check(&walk) == 0 && pst_open(&walk) == 0) {
		pst_store_facts(&walk);
		pst_encryption_note(&walk);
		pst_crc_open(&walk);
		pst_walk_root(&walk);
		if (!walk.sink_failed && (opts == NULL || !opts->no_recover))
			pst_recover_walk(&walk);
		if (!walk.sink_failed)
			pst_corruption_note(&walk);
		pst_crc_free(walk.crc);
		g_free(walk.crc_error);
		libpff_file_close(walk.file, NULL);
		libpff_file_free(&walk.file, NULL);
		rc = walk.failed_items > 0 ? 1 : 0;
	}
	if (walk.sink_failed)
		rc = -1;
	g_hash_table_destroy(walk.known_roles);
	g_hash_table_destroy(walk.visited);
	return rc;
}

const struct mt_extractor mt_extract_pst = {
	.name = "pst",
	.probe = pst_probe,
	.run = pst_run,
};
