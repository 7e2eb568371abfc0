/* SPDX-License-Identifier: MIT
 *
 * maildir.c - Maildir stores: plain, Maildir++ (".Sent" subfolders with a
 * maildirfolder file) and nested layouts (subfolders that are maildirs).
 *
 * Every entry of cur/, new/ and tmp/ is accounted for: a regular file is
 * a message, a hidden one (name starting with '.') only when its content
 * starts with a header block, and everything else is counted as skipped
 * with an anomaly naming it.  Flags come from the info after the last
 * ':' (or mbsync's ';', offlineimap's '!') that starts with "2,".  tmp/
 * files are deliveries in progress or leftovers and are kept with status
 * 'tmp'.  Message files outside cur/, new/ and tmp/ are read into a
 * folder of loose files.  Symbolic links are never followed.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "extract/stores-private.h"

/* Folders nested deeper than this are reported, not read. */
#define MAILDIR_MAX_DEPTH 32

/* Per-run state. */
struct maildir_run {
	const char *root;
	const struct mt_extract_options *opts;
	const struct mt_sink *sink;
	gint64 max_size;
	GHashTable *folder_ids;   /* folder path -> gint64 id */
	gboolean plus_layout;     /* saw a Maildir++ ".name" folder */
	gboolean nested_layout;   /* saw a nested maildir folder */
	char *keyword_names[26];  /* the current folder's dovecot-keywords:
				     letter 'a' + i names keyword_names[i] */
	int rc;
};

void
maildir_name_parse(const char *name, struct maildir_name *out)
{
	const char *info = NULL;
	const char *size;
	char *end;
	gint64 epoch;

	memset(out, 0, sizeof(*out));
	out->delivered = MT_TIME_NONE;
	out->size_hint = -1;

	/* The unique part starts with the delivery time in seconds. */
	epoch = g_ascii_strtoll(name, &end, 10);
	if (end != name && *end == '.' && epoch > 0 && epoch < (1LL << 34))
		out->delivered = epoch;

	for (const char *p = name; *p != '\0'; p++)
		if ((*p == ':' || *p == ';' || *p == '!') &&
		    (p[1] == '1' || p[1] == '2') && p[2] == ',')
			info = p;
	size = strstr(name, ",S=");
	if (size != NULL && (info == NULL || size < info))
		out->size_hint = g_ascii_strtoll(size + 3, NULL, 10);
	if (info == NULL)
		return;
	out->separator = info[0];
	out->has_info = TRUE;
	if (info[1] != '2')
		return;     /* experimental "1," semantics: no flags */
	for (const char *f = info + 3; *f != '\0'; f++) {
		char c = *f;

		switch (c) {
		case 'P': out->passed = TRUE; break;
		case 'R': out->replied = TRUE; break;
		case 'S': out->seen = TRUE; break;
		case 'T': out->trashed = TRUE; break;
		case 'D': out->draft = TRUE; break;
		case 'F': out->flagged = TRUE; break;
		default:
			if (g_ascii_islower(c) &&
			    strchr(out->keywords, c) == NULL)
				out->keywords[strlen(out->keywords)] = c;
			else if (g_ascii_isupper(c) &&
				 strchr(out->unknown, c) == NULL)
				out->unknown[strlen(out->unknown)] = c;
			break;
		}
	}
}

static gboolean
is_dir_nofollow(const char *path)
{
	struct stat sb;

	return lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* A maildir has cur/ or new/ (tmp/ is often lost in copies). */
static gboolean
maildir_is_maildir(const char *dir)
{
	char *cur = g_build_filename(dir, "cur", NULL);
	char *new = g_build_filename(dir, "new", NULL);
	gboolean yes = is_dir_nofollow(cur) || is_dir_nofollow(new);

	g_free(cur);
	g_free(new);
	return yes;
}

/* Returns TRUE when dir is the top of a nested layout: a subfolder of
 * it is a maildir named like a mail folder ("INBOX", "Sent", "Trash").
 * A folder of maildirs with other names ("alice", "bob") is more likely
 * one store per person, so it is left to the caller to walk. */
static gboolean
maildir_is_nested_top(const char *dir)
{
	GPtrArray *names;
	gboolean found = FALSE;
	int err;

	names = stores_dir_list(dir, &err);
	for (guint i = 0; !found && i < names->len; i++) {
		const char *name = names->pdata[i];
		char *child = g_build_filename(dir, name, NULL);

		found = is_dir_nofollow(child) && maildir_is_maildir(child) &&
			mt_folder_role_guess(name) != MT_FOLDER_OTHER;
		g_free(child);
	}
	g_ptr_array_unref(names);
	return found;
}

static int
maildir_probe(const char *path, gboolean is_dir, const unsigned char *head,
	      size_t head_len)
{
	char *tmp;
	int score;

	if (!is_dir)
		return 0;
	if (!maildir_is_maildir(path))
		return maildir_is_nested_top(path) ? 60 : 0;
	tmp = g_build_filename(path, "tmp", NULL);
	score = is_dir_nofollow(tmp) ? 95 : 85;
	g_free(tmp);
	return score;
}

static void
run_result(struct maildir_run *run, int rc)
{
	if (rc < 0)
		run->rc = -1;
}

static void
run_damaged(struct maildir_run *run)
{
	if (run->rc == 0)
		run->rc = 1;
}

/* Returns the folder's status for its messages by role. */
static enum mt_status
role_status(enum mt_folder_role role)
{
	if (role == MT_FOLDER_DELETED || role == MT_FOLDER_RECOVERABLE)
		return MT_STATUS_DELETED;
	return MT_STATUS_ALLOCATED;
}

/* Reads the folder's dovecot-keywords file, whose lines "<index> <name>"
 * name the keyword letters ('a' is index 0).  A missing file is normal:
 * the letters then stay unnamed. */
static void
keywords_load(struct maildir_run *run, const char *dir_rel)
{
	char *path = g_build_filename(run->root, dir_rel, "dovecot-keywords",
				      NULL);
	char *data, **lines;
	size_t len;
	gint64 full;

	if (stores_file_read(path, 65536, &data, &len, &full) < 0) {
		g_free(path);
		return;
	}
	lines = g_strsplit(data, "\n", -1);
	for (char **line = lines; *line != NULL; line++) {
		char *end;
		gint64 index = g_ascii_strtoll(*line, &end, 10);

		if (end == *line || *end != ' ' || index < 0 || index >= 26)
			continue;
		g_free(run->keyword_names[index]);
		g_strstrip(end);
		run->keyword_names[index] = stores_name_display(end);
	}
	g_strfreev(lines);
	g_free(data);
	g_free(path);
}

static void
keywords_clear(struct maildir_run *run)
{
	for (int i = 0; i < 26; i++)
		g_clear_pointer(&run->keyword_names[i], g_free);
}

/* Records a message's keyword letters, with their names when the folder
 * has them.  Dovecot's $Forwarded keyword also sets flag_passed. */
static void
keywords_note(struct maildir_run *run, struct mt_message *msg,
	      const char *letters)
{
	GString *names = g_string_new(NULL);

	for (const char *c = letters; *c != '\0'; c++) {
		const char *name = run->keyword_names[*c - 'a'];

		if (name == NULL)
			continue;
		g_string_append_printf(names, "%s%c=%s",
				       names->len > 0 ? ", " : "", *c, name);
		if (g_ascii_strcasecmp(name, "$Forwarded") == 0)
			msg->flag_passed = TRUE;
	}
	if (names->len > 0)
		mt_message_add_defect(msg, "note", "maildir-keywords",
				      "IMAP keyword letters '%s' in the file "
				      "name (not standard flags): %s", letters,
				      names->str);
	else
		mt_message_add_defect(msg, "note", "maildir-keywords",
				      "IMAP keyword letters '%s' in the file "
				      "name (not standard flags)", letters);
	g_string_free(names, TRUE);
}

/* Sets the flags, status, time and notes that the file name and the
 * folder give a message.  full is the file's size. */
static void
message_name_apply(struct maildir_run *run, struct mt_message *msg,
		   const char *name, enum mt_folder_role role,
		   gboolean in_tmp, gint64 full)
{
	struct maildir_name info;

	maildir_name_parse(name, &info);
	msg->flag_seen = info.seen;
	msg->flag_replied = info.replied;
	msg->flag_flagged = info.flagged;
	msg->flag_draft = info.draft;
	msg->flag_passed = info.passed;
	msg->flag_trashed = info.trashed;
	msg->status = role_status(role);
	if (info.trashed)
		msg->status = MT_STATUS_TRASHED;
	if (in_tmp)
		msg->status = MT_STATUS_TMP;
	if (info.delivered != MT_TIME_NONE) {
		char raw[24];

		g_snprintf(raw, sizeof(raw), "%" G_GINT64_FORMAT,
			   info.delivered);
		mt_message_add_time(msg, MT_TIME_MAILDIR_NAME, info.delivered,
				    0, TRUE, raw);
	}
	if (info.keywords[0] != '\0')
		keywords_note(run, msg, info.keywords);
	if (info.unknown[0] != '\0')
		mt_message_add_defect(msg, "note", "maildir-unknown-flags",
				      "unknown flag letters '%s' in the file "
				      "name", info.unknown);
	if (info.size_hint >= 0 && info.size_hint != full)
		mt_message_add_defect(msg, "note", "maildir-size-mismatch",
				      "the name says S=%" G_GINT64_FORMAT
				      " but the file has %" G_GINT64_FORMAT
				      " bytes", info.size_hint, full);
}

/* Where a message file lies, which decides what its name means. */
enum file_place {
	PLACE_CUR_NEW,    /* the name carries delivery time and flags */
	PLACE_TMP,        /* the same, and the status is 'tmp' */
	PLACE_LOOSE       /* outside cur/new/tmp: the name means nothing */
};

/* Builds the record of one message file and hands it over. */
static void
message_read(struct maildir_run *run, gint64 folder_id,
	     enum mt_folder_role role, const char *dir_rel, const char *name,
	     enum file_place place)
{
	char *rel = dir_rel[0] != '\0' ? g_build_filename(dir_rel, name, NULL)
				       : g_strdup(name);
	char *path = g_build_filename(run->root, rel, NULL);
	char *locator = stores_name_display(rel);
	struct mt_message *msg;
	char *data;
	size_t len;
	gint64 full;

	if (stores_file_read(path, run->max_size, &data, &len, &full) < 0) {
		run_result(run, mt_sink_anomalyf(
			run->sink, folder_id, MT_LEVEL_ERROR, "unreadable-file",
			-1, locator, "'%s': cannot read: %s", locator,
			g_strerror(errno)));
		run_result(run, run->sink->skipped(run->sink->ctx, folder_id,
						   TRUE));
		run_damaged(run);
		goto out;
	}
	msg = mt_message_new();
	msg->locator = g_strdup(locator);
	if (place == PLACE_LOOSE)
		msg->status = role_status(role);
	else
		message_name_apply(run, msg, name, role, place == PLACE_TMP,
				   full);
	if (full > (gint64)len) {
		mt_message_add_defect(msg, "warning", "message-truncated",
				      "the file is %" G_GINT64_FORMAT
				      " bytes; only the first %zu were kept "
				      "(maximum message size)", full, len);
		run_damaged(run);
	}
	run_result(run, stores_message_emit(run->sink, folder_id, data, len,
					    full, msg));
	g_free(data);
out:
	g_free(locator);
	g_free(path);
	g_free(rel);
}

/* Returns TRUE when the regular file at path starts with a header
 * block, so a hidden or stray file is read as a message. */
static gboolean
file_looks_like_message(const char *path)
{
	unsigned char *head = g_malloc(STORES_HEAD_SIZE);
	ssize_t n = stores_head_read(path, head, STORES_HEAD_SIZE);
	gboolean yes = n > 0 && stores_eml_head_score(head, (size_t)n) > 0;

	g_free(head);
	return yes;
}

/* The entries of one of cur/, new/, tmp/, sorted by name. */
struct message_dir {
	GPtrArray *files;     /* regular files, names not starting with '.' */
	GPtrArray *hidden;    /* regular files whose names start with '.' */
	GPtrArray *odd;       /* links, directories, devices, FIFOs */
};

static void
message_dir_release(struct message_dir *md)
{
	g_ptr_array_unref(md->files);
	g_ptr_array_unref(md->hidden);
	g_ptr_array_unref(md->odd);
}

/* Returns the number of entries, each of which is extracted, failed or
 * skipped: the folder's declared_count. */
static gint64
message_dir_count(const struct message_dir *md)
{
	return (gint64)md->files->len + md->hidden->len + md->odd->len;
}

/* Lists every entry of one of cur/, new/, tmp/ into md. */
static void
message_names(struct maildir_run *run, const char *dir_rel,
	      const char *sub, struct message_dir *md)
{
	char *dir = g_build_filename(run->root, dir_rel, sub, NULL);
	GPtrArray *all;
	int err;

	md->files = g_ptr_array_new_with_free_func(g_free);
	md->hidden = g_ptr_array_new_with_free_func(g_free);
	md->odd = g_ptr_array_new_with_free_func(g_free);
	all = stores_dir_list(dir, &err);
	if (err != 0 && err != ENOENT) {
		char *rel = g_build_filename(dir_rel, sub, NULL);
		char *shown = stores_name_display(rel);

		/* Reported on the evidence: its folder does not exist yet. */
		run_result(run, mt_sink_anomalyf(
			run->sink, 0, MT_LEVEL_ERROR, "unreadable-folder", -1,
			shown, "cannot list '%s': %s; its messages were not "
			"read", shown, g_strerror(err)));
		run_damaged(run);
		g_free(shown);
		g_free(rel);
	}
	for (guint i = 0; i < all->len; i++) {
		const char *name = all->pdata[i];
		char *path = g_build_filename(dir, name, NULL);
		struct stat sb;

		if (lstat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
			g_ptr_array_add(md->odd, g_strdup(name));
		else if (name[0] == '.')
			g_ptr_array_add(md->hidden, g_strdup(name));
		else
			g_ptr_array_add(md->files, g_strdup(name));
		g_free(path);
	}
	g_ptr_array_unref(all);
	g_free(dir);
}

/* Reads the hidden files of a message directory that start with a header
 * block, with a note that their names hide them from mail clients, and
 * counts the rest (.DS_Store, .keep) as skipped. */
static void
hidden_files_read(struct maildir_run *run, gint64 folder_id,
		  enum mt_folder_role role, const char *dir_rel,
		  const char *sub, GPtrArray *hidden, enum file_place place)
{
	char *sub_rel = g_build_filename(dir_rel, sub, NULL);

	for (guint i = 0; run->rc >= 0 && i < hidden->len; i++) {
		const char *name = hidden->pdata[i];
		char *rel = g_build_filename(sub_rel, name, NULL);
		char *path = g_build_filename(run->root, rel, NULL);
		char *shown = stores_name_display(rel);

		if (file_looks_like_message(path)) {
			run_result(run, mt_sink_anomalyf(
				run->sink, folder_id, MT_LEVEL_NOTE,
				"hidden-message-file", -1, shown, "'%s' is "
				"read as a message although its name starts "
				"with '.', which hides it from mail clients",
				shown));
			message_read(run, folder_id, role, sub_rel, name,
				     place);
		} else {
			run_result(run, mt_sink_anomalyf(
				run->sink, folder_id, MT_LEVEL_NOTE,
				"hidden-file-skipped", -1, shown, "'%s' has a "
				"name starting with '.' and does not start "
				"with a header block, so it was not read as a "
				"message", shown));
			run_result(run, run->sink->skipped(run->sink->ctx,
							   folder_id, FALSE));
		}
		g_free(shown);
		g_free(path);
		g_free(rel);
	}
	g_free(sub_rel);
}

/* Reports entries of a message directory that are not regular files. */
static void
odd_entries_report(struct maildir_run *run, gint64 folder_id,
		   const char *dir_rel, const char *sub, GPtrArray *odd)
{
	for (guint i = 0; i < odd->len; i++) {
		char *rel = g_build_filename(dir_rel, sub, odd->pdata[i], NULL);
		char *shown = stores_name_display(rel);

		run_result(run, mt_sink_anomalyf(
			run->sink, folder_id, MT_LEVEL_WARNING,
			"not-a-regular-file", -1, shown, "'%s' is a symbolic "
			"link, directory or device and was not read (links "
			"are never followed)", shown));
		run_result(run, run->sink->skipped(run->sink->ctx, folder_id,
						   FALSE));
		g_free(shown);
		g_free(rel);
	}
}

/* Turns a folder directory name into its folder path: Maildir++
 * ".Archive.2019" becomes "Archive/2019". */
static char *
folder_path_from(const char *parent_path, const char *name)
{
	char *shown = stores_name_display(name);
	char *path;

	if (shown[0] == '.') {
		char **parts = g_strsplit(shown + 1, ".", -1);
		char *joined = g_strjoinv("/", parts);

		g_strfreev(parts);
		g_free(shown);
		return joined;
	}
	path = parent_path[0] != '\0'
		       ? g_strconcat(parent_path, "/", shown, NULL)
		       : g_strdup(shown);
	g_free(shown);
	return path;
}

static gint64
folder_parent_id(struct maildir_run *run, const char *path)
{
	const char *slash = strrchr(path, '/');
	char *parent;
	gint64 *id;

	if (slash == NULL)
		return 0;
	parent = g_strndup(path, (gsize)(slash - path));
	id = g_hash_table_lookup(run->folder_ids, parent);
	g_free(parent);
	return id != NULL ? *id : 0;
}

static gint64
folder_start(struct maildir_run *run, const char *path,
	     enum mt_folder_role role, gint64 count, const char *locator)
{
	gint64 id = 0;
	gint64 *stored;

	run_result(run, run->sink->folder(run->sink->ctx,
					  folder_parent_id(run, path), path,
					  role, count, locator, &id));
	stored = g_new(gint64, 1);
	*stored = id;
	g_hash_table_replace(run->folder_ids, g_strdup(path), stored);
	return id;
}

/* Reads the tmp/ files of a folder into a child folder of role tmp. */
static void
folder_tmp_read(struct maildir_run *run, const char *dir_rel,
		const char *folder_path)
{
	struct message_dir md;
	char *path, *locator, *sub;
	gint64 id;

	message_names(run, dir_rel, "tmp", &md);
	if (message_dir_count(&md) == 0)
		goto out;
	path = g_strconcat(folder_path, "/tmp", NULL);
	locator = g_build_filename(dir_rel, "tmp", NULL);
	sub = g_build_filename(dir_rel, "tmp", NULL);
	id = folder_start(run, path, MT_FOLDER_TMP, message_dir_count(&md),
			  locator);
	for (guint i = 0; run->rc >= 0 && i < md.files->len; i++)
		message_read(run, id, MT_FOLDER_TMP, sub, md.files->pdata[i],
			     PLACE_TMP);
	hidden_files_read(run, id, MT_FOLDER_TMP, dir_rel, "tmp", md.hidden,
			  PLACE_TMP);
	odd_entries_report(run, id, dir_rel, "tmp", md.odd);
	g_free(sub);
	g_free(locator);
	g_free(path);
out:
	message_dir_release(&md);
}

/* Reads the messages of one maildir folder: cur/ and new/, then tmp/. */
static void
folder_read(struct maildir_run *run, const char *dir_rel,
	    const char *folder_path, enum mt_folder_role role)
{
	static const char *const subs[] = { "cur", "new" };
	struct message_dir md[2];
	gint64 id;
	char *locator = stores_name_display(dir_rel[0] != '\0' ? dir_rel
							      : ".");

	keywords_load(run, dir_rel);
	for (int s = 0; s < 2; s++)
		message_names(run, dir_rel, subs[s], &md[s]);
	id = folder_start(run, folder_path, role,
			  message_dir_count(&md[0]) + message_dir_count(&md[1]),
			  locator);
	for (int s = 0; s < 2; s++) {
		char *sub = g_build_filename(dir_rel, subs[s], NULL);

		for (guint i = 0; run->rc >= 0 && i < md[s].files->len; i++)
			message_read(run, id, role, sub, md[s].files->pdata[i],
				     PLACE_CUR_NEW);
		hidden_files_read(run, id, role, dir_rel, subs[s],
				  md[s].hidden, PLACE_CUR_NEW);
		odd_entries_report(run, id, dir_rel, subs[s], md[s].odd);
		g_free(sub);
		message_dir_release(&md[s]);
	}
	if (run->rc >= 0)
		folder_tmp_read(run, dir_rel, folder_path);
	keywords_clear(run);
	g_free(locator);
}

/* Files a Maildir keeps beside its messages: Dovecot, Courier and
 * mbsync control files, none of them mail. */
static gboolean
control_file_is_known(const char *name)
{
	static const char *const prefixes[] = {
		"dovecot", "courierimap", "maildirfolder", "maildirsize",
		"subscriptions", ".", "mbsync", ".uidvalidity", ".mbsyncstate",
	};

	for (size_t i = 0; i < G_N_ELEMENTS(prefixes); i++)
		if (g_str_has_prefix(name, prefixes[i]))
			return TRUE;
	return FALSE;
}

static void walk_dir(struct maildir_run *run, const char *dir_rel,
		     const char *folder_path, int depth);

/* Names the folder of the root maildir, usually "INBOX".  A root that
 * is itself a Maildir++ subfolder (it has a maildirfolder file) or is
 * named like another mail folder ("Sent", "Trash") keeps its name,
 * because an examiner may point at one folder of a store. */
static char *
root_folder_name(const char *root)
{
	char *marker = g_build_filename(root, "maildirfolder", NULL);
	char *base = g_path_get_basename(root);
	gboolean plus_folder = g_file_test(marker, G_FILE_TEST_IS_REGULAR);
	enum mt_folder_role role = mt_folder_role_guess(base);
	char *name;

	if (plus_folder || (role != MT_FOLDER_OTHER &&
			    role != MT_FOLDER_INBOX))
		name = folder_path_from("", base);
	else
		name = g_strdup("INBOX");
	g_free(base);
	g_free(marker);
	return name;
}

/* Handles one entry of a folder directory other than cur/new/tmp: walks
 * a subdirectory, adds a file that starts with a header block to loose,
 * and reports any other file that is no known control file. */
static void
walk_entry(struct maildir_run *run, const char *dir_rel,
	   const char *folder_path, const char *name, int depth,
	   GPtrArray *loose)
{
	char *rel = dir_rel[0] != '\0' ? g_build_filename(dir_rel, name, NULL)
				       : g_strdup(name);
	char *path = g_build_filename(run->root, rel, NULL);
	char *shown = stores_name_display(rel);
	struct stat sb;
	gboolean found = lstat(path, &sb) == 0;

	if (found && S_ISDIR(sb.st_mode)) {
		char *child_path = folder_path_from(folder_path, name);

		if (name[0] == '.')
			run->plus_layout = TRUE;
		else if (maildir_is_maildir(path))
			run->nested_layout = TRUE;
		walk_dir(run, rel, child_path, depth + 1);
		g_free(child_path);
	} else if (control_file_is_known(name)) {
		/* Dovecot, Courier and mbsync state: no mail. */
	} else if (found && S_ISREG(sb.st_mode) &&
		   file_looks_like_message(path)) {
		g_ptr_array_add(loose, g_strdup(name));
	} else {
		run_result(run, mt_sink_anomalyf(
			run->sink, 0, MT_LEVEL_WARNING, "not-mail-file", -1,
			shown, "'%s' lies outside cur/, new/ and tmp/, does "
			"not start with a header block and was not read",
			shown));
	}
	g_free(shown);
	g_free(path);
	g_free(rel);
}

/* Reads the message files found outside cur/, new/ and tmp/ of one
 * directory into a folder named after it, or after its maildir folder
 * with "/loose files" added when the directory is a maildir. */
static void
loose_files_read(struct maildir_run *run, const char *dir_rel,
		 const char *dir_folder, gboolean is_maildir,
		 GPtrArray *loose)
{
	char *path, *locator;
	enum mt_folder_role role;
	gint64 id;

	if (loose->len == 0)
		return;
	if (is_maildir || dir_folder[0] == '\0')
		path = g_strconcat(dir_folder, dir_folder[0] != '\0' ? "/" : "",
				   "loose files", NULL);
	else
		path = g_strdup(dir_folder);
	locator = stores_name_display(dir_rel[0] != '\0' ? dir_rel : ".");
	role = mt_folder_role_guess(dir_folder);
	id = folder_start(run, path, role, loose->len, locator);
	for (guint i = 0; run->rc >= 0 && i < loose->len; i++) {
		const char *name = loose->pdata[i];
		char *rel = dir_rel[0] != '\0'
				    ? g_build_filename(dir_rel, name, NULL)
				    : g_strdup(name);
		char *shown = stores_name_display(rel);

		run_result(run, mt_sink_anomalyf(
			run->sink, id, MT_LEVEL_NOTE, "loose-message-file", -1,
			shown, "'%s' lies outside cur/, new/ and tmp/ and was "
			"read as a message of folder '%s'", shown, path));
		message_read(run, id, role, dir_rel, name, PLACE_LOOSE);
		g_free(shown);
		g_free(rel);
	}
	g_free(locator);
	g_free(path);
}

static gboolean
name_is_message_dir(const char *name)
{
	return strcmp(name, "cur") == 0 || strcmp(name, "new") == 0 ||
	       strcmp(name, "tmp") == 0;
}

static void
walk_dir(struct maildir_run *run, const char *dir_rel,
	 const char *folder_path, int depth)
{
	char *dir = g_build_filename(run->root, dir_rel, NULL);
	GPtrArray *names, *loose, *subdirs;
	gboolean is_maildir;
	char *name = NULL;
	int err;

	if (depth > MAILDIR_MAX_DEPTH) {
		run_result(run, mt_sink_anomalyf(
			run->sink, 0, MT_LEVEL_WARNING, "folder-too-deep", -1,
			dir_rel, "'%s' is nested more than %d levels deep and "
			"was not read", dir_rel, MAILDIR_MAX_DEPTH));
		run_damaged(run);
		g_free(dir);
		return;
	}
	/* The root maildir is usually the INBOX, with its subfolders as
	 * siblings, as IMAP servers show them. */
	is_maildir = maildir_is_maildir(dir);
	name = depth == 0 && is_maildir ? root_folder_name(run->root)
					: g_strdup(folder_path);
	if (is_maildir)
		folder_read(run, dir_rel, name, mt_folder_role_guess(name));
	names = stores_dir_list(dir, &err);
	if (err != 0) {
		run_result(run, mt_sink_anomalyf(
			run->sink, 0, MT_LEVEL_ERROR, "unreadable-folder", -1,
			dir_rel, "cannot list '%s': %s", dir, g_strerror(err)));
		run_damaged(run);
	}
	/* Files first, so the folder of loose files exists before the
	 * folders below it look up their parent. */
	loose = g_ptr_array_new_with_free_func(g_free);
	subdirs = g_ptr_array_new();
	for (guint i = 0; run->rc >= 0 && i < names->len; i++) {
		const char *entry = names->pdata[i];
		char *path = g_build_filename(dir, entry, NULL);

		if (name_is_message_dir(entry)) {
			/* folder_read() lists cur/, new/ and tmp/. */
		} else if (is_dir_nofollow(path)) {
			g_ptr_array_add(subdirs, names->pdata[i]);
		} else {
			walk_entry(run, dir_rel, folder_path, entry, depth,
				   loose);
		}
		g_free(path);
	}
	if (run->rc >= 0)
		loose_files_read(run, dir_rel, name, is_maildir, loose);
	for (guint i = 0; run->rc >= 0 && i < subdirs->len; i++)
		walk_entry(run, dir_rel, folder_path, subdirs->pdata[i], depth,
			   loose);
	g_ptr_array_unref(subdirs);
	g_ptr_array_unref(loose);
	g_ptr_array_unref(names);
	g_free(name);
	g_free(dir);
}

static int
maildir_run(const char *path, const struct mt_extract_options *opts,
	    const struct mt_sink *sink)
{
	struct maildir_run run = {
		.root = path,
		.opts = opts,
		.sink = sink,
		.max_size = stores_max_message(opts),
	};
	const char *detail;

	if (!is_dir_nofollow(path)) {
		mt_sink_anomalyf(sink, 0, MT_LEVEL_ERROR, "open-failed", -1,
				 NULL, "'%s' is not a directory", path);
		return -1;
	}
	run.folder_ids = g_hash_table_new_full(g_str_hash, g_str_equal,
					       g_free, g_free);
	walk_dir(&run, "", "", 0);
	g_hash_table_unref(run.folder_ids);
	if (run.rc < 0)
		return -1;
	detail = run.plus_layout ? "maildir++"
		 : run.nested_layout ? "maildir, nested folders" : "maildir";
	if (sink->evidence_fact(sink->ctx, "format_detail", detail) < 0)
		return -1;
	return run.rc;
}

const struct mt_extractor mt_extract_maildir = {
	.name = "maildir",
	.probe = maildir_probe,
	.run = maildir_run,
};
