/* SPDX-License-Identifier: MIT
 *
 * eml.c - single RFC 5322 message files and folders of them.
 *
 * A folder is read recursively in byte order of the names; each
 * directory holding files becomes a folder.  Inside it, a message file is
 * one message, an mbox file (first line a From_ line, as some exporters
 * write even for one message) is split by the mbox reader, and anything
 * else is reported and counted as skipped.  A folder holding a PST or a
 * Maildir is not an EML folder: the caller walks it and ingests each
 * store on its own.  Symbolic links are never followed.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "extract/stores-private.h"

/* Directories nested deeper than this are reported, not read. */
#define EML_MAX_DEPTH 32

static int
eml_probe(const char *path, gboolean is_dir, const unsigned char *head,
	  size_t head_len)
{
	if (is_dir || head == NULL)
		return 0;
	return stores_eml_head_score(head, head_len);
}

/* Reads one message file into folder_id.  locator names it. */
static int
eml_file_read(const char *path, const char *locator, gint64 folder_id,
	      const struct mt_extract_options *opts,
	      const struct mt_sink *sink)
{
	struct mt_message *msg;
	char *data;
	size_t len;
	gint64 full;
	int rc = 0;

	if (stores_file_read(path, stores_max_message(opts), &data, &len,
			     &full) < 0) {
		if (mt_sink_anomalyf(sink, folder_id, MT_LEVEL_ERROR,
				     "unreadable-file", -1, locator,
				     "'%s': cannot read: %s", locator,
				     g_strerror(errno)) < 0 ||
		    sink->skipped(sink->ctx, folder_id, TRUE) < 0)
			return -1;
		return 1;
	}
	msg = mt_message_new();
	msg->locator = g_strdup(locator);
	if (full > (gint64)len) {
		mt_message_add_defect(msg, "warning", "message-truncated",
				      "the file is %" G_GINT64_FORMAT
				      " bytes; only the first %zu were kept "
				      "(maximum message size)", full, len);
		rc = 1;
	}
	if (stores_message_emit(sink, folder_id, data, len, full, msg) < 0)
		rc = -1;
	g_free(data);
	return rc;
}

static int
eml_run(const char *path, const struct mt_extract_options *opts,
	const struct mt_sink *sink)
{
	char *base = g_path_get_basename(path);
	char *shown = stores_name_display(base);
	gint64 folder_id = 0;
	int rc;

	rc = sink->folder(sink->ctx, 0, shown, MT_FOLDER_OTHER, 1, shown,
			  &folder_id);
	if (rc >= 0)
		rc = eml_file_read(path, shown, folder_id, opts, sink);
	g_free(shown);
	g_free(base);
	return rc;
}

const struct mt_extractor mt_extract_eml = {
	.name = "eml",
	.probe = eml_probe,
	.run = eml_run,
};

/* Kinds of file inside an EML folder. */
enum entry_kind {
	ENTRY_MESSAGE,
	ENTRY_MBOX,
	ENTRY_STORE,      /* PST/OST: must be ingested on its own */
	ENTRY_OTHER,
	ENTRY_UNREADABLE
};

static enum entry_kind
entry_classify(const char *path)
{
	unsigned char *head = g_malloc(STORES_HEAD_SIZE);
	ssize_t n = stores_head_read(path, head, STORES_HEAD_SIZE);
	enum entry_kind kind = ENTRY_OTHER;

	if (n < 0)
		kind = ENTRY_UNREADABLE;
	else if (n == 0)
		kind = ENTRY_OTHER;
	else if (mt_extract_pst.probe(path, FALSE, head, (size_t)n) > 0)
		kind = ENTRY_STORE;
	else if (mt_extract_mbox.probe(path, FALSE, head, (size_t)n) > 0)
		kind = ENTRY_MBOX;
	else if (stores_eml_head_score(head, (size_t)n) > 0)
		kind = ENTRY_MESSAGE;
	g_free(head);
	return kind;
}

/* Counts message and mbox files below dir; returns -1 when a PST, a
 * Maildir (cur/ or new/ directory) or too deep a tree is found. */
static gint64
tree_count_mail(const char *dir, int depth)
{
	GPtrArray *names;
	gint64 count = 0;
	int err;

	if (depth > EML_MAX_DEPTH)
		return -1;
	names = stores_dir_list(dir, &err);
	for (guint i = 0; count >= 0 && i < names->len; i++) {
		const char *name = names->pdata[i];
		char *child = g_build_filename(dir, name, NULL);
		struct stat sb;

		if (lstat(child, &sb) < 0) {
			g_free(child);
			continue;
		}
		if (S_ISDIR(sb.st_mode)) {
			gint64 sub = -1;

			gboolean maildir_part = strcmp(name, "cur") == 0 ||
						strcmp(name, "new") == 0;

			if (!maildir_part)
				sub = tree_count_mail(child, depth + 1);
			count = sub < 0 ? -1 : count + sub;
		} else if (S_ISREG(sb.st_mode)) {
			switch (entry_classify(child)) {
			case ENTRY_STORE:
				count = -1;
				break;
			case ENTRY_MESSAGE:
			case ENTRY_MBOX:
				count++;
				break;
			default:
				break;
			}
		}
		g_free(child);
	}
	g_ptr_array_unref(names);
	return count;
}

static int
eml_folder_probe(const char *path, gboolean is_dir,
		 const unsigned char *head, size_t head_len)
{
	if (!is_dir)
		return 0;
	return tree_count_mail(path, 0) > 0 ? 60 : 0;
}

/* Per-run state of the folder reader. */
struct eml_walk {
	const char *root;
	const struct mt_extract_options *opts;
	const struct mt_sink *sink;
	int rc;
};

static void
walk_result(struct eml_walk *w, int rc)
{
	if (rc < 0)
		w->rc = -1;
	else if (rc > 0 && w->rc == 0)
		w->rc = 1;
}

/* Reads one regular file of a directory into folder_id. */
static void
walk_file(struct eml_walk *w, gint64 folder_id, const char *rel)
{
	char *path = g_build_filename(w->root, rel, NULL);
	char *shown = stores_name_display(rel);

	switch (entry_classify(path)) {
	case ENTRY_MESSAGE:
		walk_result(w, eml_file_read(path, shown, folder_id, w->opts,
					     w->sink));
		break;
	case ENTRY_MBOX:
		walk_result(w, mbox_read_file(path, shown, folder_id, w->opts,
					      w->sink));
		break;
	case ENTRY_UNREADABLE:
		walk_result(w, mt_sink_anomalyf(
			w->sink, folder_id, MT_LEVEL_ERROR, "unreadable-file",
			-1, shown, "'%s': cannot read: %s", shown,
			g_strerror(errno)));
		walk_result(w, w->sink->skipped(w->sink->ctx, folder_id, TRUE));
		walk_result(w, 1);
		break;
	default:
		walk_result(w, mt_sink_anomalyf(
			w->sink, folder_id, MT_LEVEL_NOTE, "not-a-message", -1,
			shown, "'%s' is neither a message nor an mbox and was "
			"not read", shown));
		walk_result(w, w->sink->skipped(w->sink->ctx, folder_id,
						FALSE));
		break;
	}
	g_free(shown);
	g_free(path);
}

static void walk_dir(struct eml_walk *w, const char *rel, gint64 parent_id,
		     int depth);

/* Splits a directory's entries into regular files and subdirectories;
 * anything else (links, devices) is reported against folder_id later. */
static void
entries_sort(struct eml_walk *w, const char *rel, GPtrArray *names,
	     GPtrArray *files, GPtrArray *dirs, GPtrArray *odd)
{
	for (guint i = 0; i < names->len; i++) {
		const char *name = names->pdata[i];
		char *child_rel = rel[0] != '\0'
					  ? g_build_filename(rel, name, NULL)
					  : g_strdup(name);
		char *path = g_build_filename(w->root, child_rel, NULL);
		struct stat sb;

		if (lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
			g_ptr_array_add(dirs, child_rel);
		else if (lstat(path, &sb) == 0 && S_ISREG(sb.st_mode))
			g_ptr_array_add(files, child_rel);
		else
			g_ptr_array_add(odd, child_rel);
		g_free(path);
	}
}

static void
walk_odd_report(struct eml_walk *w, gint64 folder_id, GPtrArray *odd)
{
	for (guint i = 0; i < odd->len; i++) {
		char *shown = stores_name_display(odd->pdata[i]);

		walk_result(w, mt_sink_anomalyf(
			w->sink, folder_id, MT_LEVEL_WARNING,
			"not-a-regular-file", -1, shown, "'%s' is a symbolic "
			"link or device and was not read (links are never "
			"followed)", shown));
		walk_result(w, w->sink->skipped(w->sink->ctx, folder_id,
						FALSE));
		g_free(shown);
	}
}

static void
walk_dir(struct eml_walk *w, const char *rel, gint64 parent_id, int depth)
{
	char *dir = g_build_filename(w->root, rel, NULL);
	char *base = g_path_get_basename(rel[0] != '\0' ? rel : w->root);
	char *shown = stores_name_display(rel[0] != '\0' ? rel : base);
	GPtrArray *names, *files, *dirs, *odd;
	gint64 folder_id = parent_id;
	int err;

	names = stores_dir_list(dir, &err);
	files = g_ptr_array_new_with_free_func(g_free);
	dirs = g_ptr_array_new_with_free_func(g_free);
	odd = g_ptr_array_new_with_free_func(g_free);
	entries_sort(w, rel, names, files, dirs, odd);
	if (err != 0 || files->len > 0 || odd->len > 0 || depth == 0)
		walk_result(w, w->sink->folder(w->sink->ctx, parent_id, shown,
					       mt_folder_role_guess(base),
					       files->len, shown, &folder_id));
	if (err != 0) {
		walk_result(w, mt_sink_anomalyf(
			w->sink, folder_id, MT_LEVEL_ERROR, "unreadable-folder",
			-1, shown, "cannot list '%s': %s", shown,
			g_strerror(err)));
		walk_result(w, 1);
	}
	for (guint i = 0; w->rc >= 0 && i < files->len; i++)
		walk_file(w, folder_id, files->pdata[i]);
	walk_odd_report(w, folder_id, odd);
	for (guint i = 0; w->rc >= 0 && i < dirs->len; i++) {
		if (depth + 1 > EML_MAX_DEPTH) {
			walk_result(w, mt_sink_anomalyf(
				w->sink, folder_id, MT_LEVEL_WARNING,
				"folder-too-deep", -1, shown, "'%s' is nested "
				"more than %d levels deep; its subfolders were "
				"not read", shown, EML_MAX_DEPTH));
			walk_result(w, 1);
			break;
		}
		walk_dir(w, dirs->pdata[i], folder_id, depth + 1);
	}
	g_ptr_array_unref(names);
	g_ptr_array_unref(files);
	g_ptr_array_unref(dirs);
	g_ptr_array_unref(odd);
	g_free(shown);
	g_free(base);
	g_free(dir);
}

static int
eml_folder_run(const char *path, const struct mt_extract_options *opts,
	       const struct mt_sink *sink)
{
	struct eml_walk w = { .root = path, .opts = opts, .sink = sink };
	struct stat sb;

	if (lstat(path, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
		mt_sink_anomalyf(sink, 0, MT_LEVEL_ERROR, "open-failed", -1,
				 NULL, "'%s' is not a directory", path);
		return -1;
	}
	walk_dir(&w, "", 0, 0);
	return w.rc;
}

const struct mt_extractor mt_extract_eml_folder = {
	.name = "eml-folder",
	.probe = eml_folder_probe,
	.run = eml_folder_run,
};
