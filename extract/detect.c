/* SPDX-License-Identifier: MIT
 *
 * detect.c - choosing a store reader from content, folder roles, and the
 * anomaly helper every reader uses.
 *
 * Detection never trusts a file name: a regular file is judged from its
 * first bytes, a directory from its layout.  Each reader's probe returns a
 * confidence and the highest one wins.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "extract/extract.h"
#include "extract/stores-private.h"

int
mt_sink_anomalyf(const struct mt_sink *sink, gint64 folder_id,
		 enum mt_level level, const char *code, gint64 offset,
		 const char *locator, const char *fmt, ...)
{
	va_list ap;
	char *detail;
	int rc;

	va_start(ap, fmt);
	detail = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	rc = sink->anomaly(sink->ctx, folder_id, level, code, offset, locator,
			   detail);
	g_free(detail);
	return rc;
}

const char *
mt_folder_role_name(enum mt_folder_role role)
{
	static const char *const names[] = {
		[MT_FOLDER_OTHER] = "other",
		[MT_FOLDER_INBOX] = "inbox",
		[MT_FOLDER_SENT] = "sent",
		[MT_FOLDER_DELETED] = "deleted",
		[MT_FOLDER_DRAFTS] = "drafts",
		[MT_FOLDER_OUTBOX] = "outbox",
		[MT_FOLDER_JUNK] = "junk",
		[MT_FOLDER_RECOVERABLE] = "recoverable",
		[MT_FOLDER_TMP] = "tmp",
		[MT_FOLDER_RECOVERED] = "recovered",
		[MT_FOLDER_ORPHAN] = "orphan",
	};

	if ((unsigned)role >= G_N_ELEMENTS(names))
		return "other";
	return names[role];
}

struct role_name {
	const char *name;        /* lower-case UTF-8 */
	enum mt_folder_role role;
};

/* Display names of well-known folders as mail clients and servers create
 * them, in English, German, French and Spanish.  They are compared
 * case-insensitively with the last path component, so "[Gmail]/Sent
 * Mail" matches "sent mail"; role_component_fold() removes the rest. */
static const struct role_name role_names[] = {
	{ "inbox", MT_FOLDER_INBOX },
	{ "posteingang", MT_FOLDER_INBOX },
	{ "boîte de réception", MT_FOLDER_INBOX },
	{ "bandeja de entrada", MT_FOLDER_INBOX },
	{ "recibidos", MT_FOLDER_INBOX },

	{ "sent", MT_FOLDER_SENT },
	{ "sent items", MT_FOLDER_SENT },
	{ "sent messages", MT_FOLDER_SENT },
	{ "sent mail", MT_FOLDER_SENT },
	{ "sent-mail", MT_FOLDER_SENT },
	{ "gesendet", MT_FOLDER_SENT },
	{ "gesendete elemente", MT_FOLDER_SENT },
	{ "gesendete objekte", MT_FOLDER_SENT },
	{ "gesendete nachrichten", MT_FOLDER_SENT },
	{ "éléments envoyés", MT_FOLDER_SENT },
	{ "messages envoyés", MT_FOLDER_SENT },
	{ "envoyés", MT_FOLDER_SENT },
	{ "elementos enviados", MT_FOLDER_SENT },
	{ "enviados", MT_FOLDER_SENT },
	{ "mensajes enviados", MT_FOLDER_SENT },

	{ "trash", MT_FOLDER_DELETED },
	{ "deleted", MT_FOLDER_DELETED },
	{ "deleted items", MT_FOLDER_DELETED },
	{ "deleted messages", MT_FOLDER_DELETED },
	{ "bin", MT_FOLDER_DELETED },
	{ "papierkorb", MT_FOLDER_DELETED },
	{ "gelöschte elemente", MT_FOLDER_DELETED },
	{ "gelöschte objekte", MT_FOLDER_DELETED },
	{ "éléments supprimés", MT_FOLDER_DELETED },
	{ "corbeille", MT_FOLDER_DELETED },
	{ "elementos eliminados", MT_FOLDER_DELETED },
	{ "papelera", MT_FOLDER_DELETED },

	{ "drafts", MT_FOLDER_DRAFTS },
	{ "draft", MT_FOLDER_DRAFTS },
	{ "entwürfe", MT_FOLDER_DRAFTS },
	{ "brouillons", MT_FOLDER_DRAFTS },
	{ "borradores", MT_FOLDER_DRAFTS },

	{ "outbox", MT_FOLDER_OUTBOX },
	{ "unsent messages", MT_FOLDER_OUTBOX },
	{ "postausgang", MT_FOLDER_OUTBOX },
	{ "boîte d'envoi", MT_FOLDER_OUTBOX },
	{ "boîte d’envoi", MT_FOLDER_OUTBOX },
	{ "bandeja de salida", MT_FOLDER_OUTBOX },

	{ "junk", MT_FOLDER_JUNK },
	{ "junk e-mail", MT_FOLDER_JUNK },
	{ "junk email", MT_FOLDER_JUNK },
	{ "spam", MT_FOLDER_JUNK },
	{ "junk-e-mail", MT_FOLDER_JUNK },
	{ "courrier indésirable", MT_FOLDER_JUNK },
	{ "correo no deseado", MT_FOLDER_JUNK },

	/* Exchange keeps soft-deleted items under Recoverable Items. */
	{ "recoverable items", MT_FOLDER_RECOVERABLE },
	{ "wiederherstellbare elemente", MT_FOLDER_RECOVERABLE },
	{ "éléments récupérables", MT_FOLDER_RECOVERABLE },
	{ "elementos recuperables", MT_FOLDER_RECOVERABLE },
};

/* Children of Recoverable Items; only under it, because a user's own
 * folder may well be called "Versions". */
static const char *const recoverable_children[] = {
	"deletions", "purges", "versions", "audits", "calendar logging",
	"discoveryholds", "substrateholds",
};

/* Returns the last component of a '/'-separated folder path, folded for
 * comparison and without the decorations stores add: Maildir++ leading
 * dots (".Archive.Sent" is Sent), Thunderbird's ".sbd" subfolder
 * directories and a ".mbox" extension. */
static char *
role_component_fold(const char *name)
{
	const char *last = strrchr(name, '/');
	char *trimmed, *folded;
	size_t len;

	last = last != NULL ? last + 1 : name;
	if (last[0] == '.') {
		const char *dot = strrchr(last, '.');

		last = dot + 1;
	}
	trimmed = g_strstrip(g_strdup(last));
	len = strlen(trimmed);
	if (len > 4 && (g_ascii_strcasecmp(trimmed + len - 4, ".sbd") == 0))
		trimmed[len - 4] = '\0';
	else if (len > 5 && g_ascii_strcasecmp(trimmed + len - 5, ".mbox") == 0)
		trimmed[len - 5] = '\0';
	folded = g_utf8_casefold(trimmed, -1);
	g_free(trimmed);
	return folded;
}

/* Returns TRUE when a '/'-separated path has a Recoverable Items
 * component above a known child of it. */
static gboolean
role_is_recoverable_child(const char *path, const char *folded_last)
{
	char *folded_path = g_utf8_casefold(path, -1);
	gboolean under = strstr(folded_path, "recoverable items/") != NULL;
	gboolean child = FALSE;

	g_free(folded_path);
	for (size_t i = 0; i < G_N_ELEMENTS(recoverable_children); i++)
		if (strcmp(folded_last, recoverable_children[i]) == 0)
			child = TRUE;
	return under && child;
}

/* Looks up one folded folder name in role_names. */
static enum mt_folder_role
role_lookup(const char *folded)
{
	for (size_t i = 0; i < G_N_ELEMENTS(role_names); i++) {
		char *known = g_utf8_casefold(role_names[i].name, -1);
		gboolean same = strcmp(folded, known) == 0;

		g_free(known);
		if (same)
			return role_names[i].role;
	}
	return MT_FOLDER_OTHER;
}

/* Returns the deleted or recoverable role of the nearest ancestor of a
 * '/'-separated path, because a folder inside Trash or Deleted Items is
 * deleted too.  Returns MT_FOLDER_OTHER when no ancestor has one. */
static enum mt_folder_role
role_of_ancestors(const char *path)
{
	char **parts = g_strsplit(path, "/", -1);
	guint count = g_strv_length(parts);
	enum mt_folder_role role = MT_FOLDER_OTHER;

	for (guint i = 0; count > 0 && i + 1 < count; i++) {
		char *folded = role_component_fold(parts[i]);
		enum mt_folder_role r = role_lookup(folded);

		g_free(folded);
		if (r == MT_FOLDER_DELETED || r == MT_FOLDER_RECOVERABLE)
			role = r;
	}
	g_strfreev(parts);
	return role;
}

enum mt_folder_role
mt_folder_role_guess(const char *name)
{
	enum mt_folder_role role;
	char *folded;

	if (name == NULL || !g_utf8_validate(name, -1, NULL))
		return MT_FOLDER_OTHER;
	folded = role_component_fold(name);
	if (role_is_recoverable_child(name, folded))
		role = MT_FOLDER_RECOVERABLE;
	else
		role = role_lookup(folded);
	g_free(folded);
	if (role != MT_FOLDER_DELETED && role != MT_FOLDER_RECOVERABLE) {
		enum mt_folder_role above = role_of_ancestors(name);

		if (above != MT_FOLDER_OTHER)
			role = above;
	}
	return role;
}

/* Reads up to len bytes from the start of a regular file without
 * following a symbolic link.  Returns the count read or -1. */
ssize_t
stores_head_read(const char *path, unsigned char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	size_t got = 0;

	if (fd < 0)
		return -1;
	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	return (ssize_t)got;
}

/* Names the PST flavour from the header's client magic at offset 8:
 * "SM" is a PST, "SO" an OST (MS-PST 2.2.2.6). */
static const char *
detect_pst_flavour(const unsigned char *head, size_t len)
{
	if (len >= 10 && head[8] == 'S' && head[9] == 'O')
		return "ost";
	return "pst";
}

static const struct mt_extractor *const file_readers[] = {
	&mt_extract_pst, &mt_extract_mbox, &mt_extract_eml,
};

static const struct mt_extractor *const dir_readers[] = {
	&mt_extract_maildir, &mt_extract_eml_folder,
};

static const struct mt_extractor *
detect_best(const struct mt_extractor *const *readers, size_t count,
	    const char *path, gboolean is_dir, const unsigned char *head,
	    size_t head_len)
{
	const struct mt_extractor *best = NULL;
	int best_score = 0;

	for (size_t i = 0; i < count; i++) {
		int score = readers[i]->probe(path, is_dir, head, head_len);

		if (score > best_score) {
			best = readers[i];
			best_score = score;
		}
	}
	return best;
}

const struct mt_extractor *
mt_extract_detect(const char *path, const char **format_r)
{
	unsigned char *head;
	const struct mt_extractor *reader;
	struct stat st;
	ssize_t n;

	*format_r = NULL;
	if (lstat(path, &st) < 0)
		return NULL;
	if (S_ISDIR(st.st_mode)) {
		reader = detect_best(dir_readers, G_N_ELEMENTS(dir_readers),
				     path, TRUE, NULL, 0);
		if (reader != NULL)
			*format_r = reader->name;
		errno = 0;
		return reader;
	}
	if (!S_ISREG(st.st_mode)) {
		errno = 0;
		return NULL;
	}
	head = g_malloc(STORES_HEAD_SIZE);
	n = stores_head_read(path, head, STORES_HEAD_SIZE);
	if (n < 0) {
		int saved = errno;

		g_free(head);
		errno = saved;
		return NULL;
	}
	reader = detect_best(file_readers, G_N_ELEMENTS(file_readers), path,
			     FALSE, head, (size_t)n);
	if (reader == &mt_extract_pst)
		*format_r = detect_pst_flavour(head, (size_t)n);
	else if (reader != NULL)
		*format_r = reader->name;
	g_free(head);
	errno = 0;
	return reader;
}
