/* SPDX-License-Identifier: MIT
 *
 * pst-recover.c - items libpff recovers from deleted index entries and
 * unallocated space, and orphan items that no folder references.
 *
 * Recovered mail goes to the pseudo-folder '(recovered)' with status
 * recovered, orphan mail to '(orphan)' with status orphan.  What could
 * not be read is named in recovery_note; PR_PARENT_ENTRYID, where it
 * survives, names the folder the item was filed in.  Recovered folder
 * items hold no mail of their own and are counted in one note.
 */
#include <string.h>

#include "extract/pst-private.h"

typedef int (*pst_count_fn)(libpff_file_t *file, int *count,
			    libpff_error_t **error);
typedef int (*pst_get_fn)(libpff_file_t *file, int index,
			  libpff_item_t **item, libpff_error_t **error);

struct pst_pseudo {
	const char *kind;             /* "recovered" or "orphan" */
	const char *path;             /* pseudo-folder path */
	enum mt_folder_role role;
	enum mt_status status;
	pst_count_fn count;
	pst_get_fn get;
};

static const struct pst_pseudo pst_recovered = {
	"recovered", "(recovered)", MT_FOLDER_RECOVERED, MT_STATUS_RECOVERED,
	libpff_file_get_number_of_recovered_items,
	libpff_file_get_recovered_item_by_index,
};

/* NOTE: no fixture holds orphan items, so this list has been read only
 * when it was empty. */
static const struct pst_pseudo pst_orphans = {
	"orphan", "(orphan)", MT_FOLDER_ORPHAN, MT_STATUS_ORPHAN,
	libpff_file_get_number_of_orphan_items,
	libpff_file_get_orphan_item_by_index,
};

/* Names the folder PR_PARENT_ENTRYID points at, or returns NULL. */
static char *
pst_parent_note(struct pst_walk *walk, libpff_item_t *item)
{
	libpff_record_set_t *set = NULL;
	libpff_item_t *folder = NULL;
	libpff_error_t *error = NULL;
	GByteArray *entryid = NULL;
	char *detail = NULL;
	char *note = NULL;
	uint32_t nid = 0;

	if (pst_set_get(item, 0, &set, &detail) == 1 &&
	    pst_set_binary(set, PST_PR_PARENT_ENTRYID, 4096, &entryid,
			   &detail) == 1)
		nid = pst_entryid_nid(entryid);
	if (nid != 0 &&
	    libpff_file_get_item_by_identifier(walk->file, nid, &folder,
					       &error) == 1) {
		size_t size = 0;
		uint8_t *name = NULL;

		if (libpff_folder_get_utf8_name_size(folder, &size,
						     &error) == 1 &&
		    size > 1 && size < 4096) {
			name = g_malloc(size);
			if (libpff_folder_get_utf8_name(folder, name, size,
							&error) != 1)
				g_clear_pointer(&name, g_free);
		}
		note = g_strdup_printf("PR_PARENT_ENTRYID names folder "
				       "'%s' (nid=0x%x)",
				       name != NULL ? (char *)name : "", nid);
		g_free(name);
	} else if (nid != 0) {
		note = g_strdup_printf("PR_PARENT_ENTRYID names nid=0x%x, "
				       "which is not in the store", nid);
	}
	libpff_error_free(&error);
	libpff_item_free(&folder, NULL);
	libpff_record_set_free(&set, NULL);
	if (entryid != NULL)
		g_byte_array_unref(entryid);
	g_free(detail);
	return note;
}

static gboolean
pst_item_is_folder(libpff_item_t *item)
{
	libpff_error_t *error = NULL;
	uint8_t type = 0;

	if (libpff_item_get_type(item, &type, &error) != 1) {
		libpff_error_free(&error);
		return FALSE;
	}
	return type == LIBPFF_ITEM_TYPE_FOLDER;
}

static void
pst_pseudo_item(struct pst_walk *walk, const struct pst_pseudo *pseudo,
		gint64 folder_id, int index, int count, int *folders)
{
	struct pst_place place = { folder_id, pseudo->status, pseudo->kind,
				   NULL };
	libpff_item_t *item = NULL;
	libpff_error_t *error = NULL;
	char *parent;

	if (pseudo->get(walk->file, index, &item, &error) != 1) {
		char *detail = pst_error_take(&error);

		pst_anomaly(walk, folder_id, MT_LEVEL_NOTE,
			    "pst-item-unreadable", pst_error_offset(detail),
			    NULL, "%s item %d of %d unreadable: %s",
			    pseudo->kind, index + 1, count, detail);
		g_free(detail);
		if (walk->sink->skipped(walk->sink->ctx, folder_id, TRUE) != 0)
			walk->sink_failed = TRUE;
		return;
	}
	if (pst_item_is_folder(item)) {
		(*folders)++;
	} else {
		parent = pst_parent_note(walk, item);
		place.parent_note = parent;
		pst_item_hand_over(walk, item, &place);
		g_free(parent);
	}
	libpff_item_free(&item, NULL);
}

static void
pst_pseudo_walk(struct pst_walk *walk, const struct pst_pseudo *pseudo)
{
	libpff_error_t *error = NULL;
	gint64 folder_id = 0;
	int count = 0;
	int folders = 0;

	if (pseudo->count(walk->file, &count, &error) != 1) {
		char *detail = pst_error_take(&error);

		/* Deleted mail may be lost here, so this is an error and
		 * the ingest ends with the damaged-input status. */
		pst_anomaly(walk, 0, MT_LEVEL_ERROR, "pst-recovery-failed",
			    pst_error_offset(detail), NULL,
			    "%s items cannot be listed, so deleted items "
			    "may be missing: %s", pseudo->kind, detail);
		g_free(detail);
		return;
	}
	if (count <= 0)
		return;
	if (walk->sink->folder(walk->sink->ctx, 0, pseudo->path, pseudo->role,
			       -1, NULL, &folder_id) != 0) {
		walk->sink_failed = TRUE;
		return;
	}
	for (int i = 0; i < count && !walk->sink_failed; i++)
		pst_pseudo_item(walk, pseudo, folder_id, i, count, &folders);
	if (folders > 0 && !walk->sink_failed)
		pst_anomaly(walk, folder_id, MT_LEVEL_NOTE,
			    "pst-recovered-folders", -1, NULL,
			    "%d of the %d %s items are folders; they hold no "
			    "mail of their own and are not listed", folders,
			    count, pseudo->kind);
}

/* Runs libpff's recovery scan, then hands over recovered and orphan
 * items.  Returns 0, or -1 when the sink failed. */
int
pst_recover_walk(struct pst_walk *walk)
{
	libpff_error_t *error = NULL;

	if (libpff_file_recover_items(walk->file, 0, &error) != 1) {
		char *detail = pst_error_take(&error);

		pst_anomaly(walk, 0, MT_LEVEL_ERROR, "pst-recovery-failed",
			    pst_error_offset(detail), NULL,
			    "'%s': recovery scan failed, so deleted items may "
			    "be missing: %s", walk->path, detail);
		g_free(detail);
	} else {
		pst_pseudo_walk(walk, &pst_recovered);
	}
	if (!walk->sink_failed)
		pst_pseudo_walk(walk, &pst_orphans);
	return walk->sink_failed ? -1 : 0;
}
