/* SPDX-License-Identifier: MIT
 *
 * test-extract-detect.c - mt_extract_detect() on small files and folders
 * written to a temporary directory: the format picked from content
 * whatever the name, and errno telling "unreadable" from "not mail".
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "extract/stores-private.h"

static int failures;

static void
check(gboolean ok, const char *name, const char *detail)
{
	printf("%s - %s\n", ok ? "ok" : "not ok", name);
	if (!ok) {
		printf("# %s\n", detail);
		failures++;
	}
}

static char *
file_write(const char *dir, const char *name, const char *data)
{
	char *path = g_build_filename(dir, name, NULL);

	g_file_set_contents(path, data, -1, NULL);
	return path;
}

struct detect_case {
	const char *label;
	const char *name;        /* names lie on purpose */
	const char *data;        /* NULL: a maildir folder */
	const char *format;      /* NULL when no reader fits */
};

static const struct detect_case cases[] = {
	{ "mbox named pst", "archive.pst",
	  "From a@example.com Mon Jan  6 10:00:00 2020\nFrom: a\n\nx\n",
	  "mbox" },
	{ "eml named txt", "note.txt",
	  "From: a@example.com\nDate: Mon, 6 Jan 2020 10:00:00 +0000\n\nx\n",
	  "eml" },
	{ "pst signature named eml", "x.eml",
	  "!BDN\x01\x02\x03\x04SM\x17\x00", "pst" },
	{ "ost client magic", "x.pst", "!BDN\x01\x02\x03\x04SO\x24\x00",
	  "ost" },
	{ "prose named mbox", "x.mbox", "Dear Bob,\nFrom Monday on.\n",
	  NULL },
	{ "empty file", "empty.eml", "", NULL },
	{ "mbox after blank line", "x.txt",
	  "\nFrom a@example.com Mon Jan  6 10:00:00 2020\n"
	  "From: a@example.com\nDate: Mon, 6 Jan 2020 10:00:00 +0000\n\nx\n",
	  "mbox" },
	{ "mbox after garbage", "x.bin",
	  "\x01\x02 junk\nmore junk\n"
	  "From a@example.com Mon Jan  6 10:00:00 2020\n"
	  "From: a@example.com\nDate: Mon, 6 Jan 2020 10:00:00 +0000\n\nx\n",
	  "mbox" },
	{ "garbage then lone header line", "x.bin",
	  "junk\nFrom a@example.com Mon Jan  6 10:00:00 2020\nSubject: x\n",
	  NULL },
	{ "eml quoting one From_ line", "x.eml",
	  "From: a@example.com\nDate: Mon, 6 Jan 2020 10:00:00 +0000\n\n"
	  "From b@example.com Mon Jan  6 09:00:00 2020\n"
	  "From: b@example.com\nDate: Mon, 6 Jan 2020 09:00:00 +0000\n\ny\n",
	  "eml" },
	{ "eml after blank lines", "x.txt",
	  "\r\n\nFrom: a@example.com\nDate: Mon, 6 Jan 2020 10:00:00 +0000\n"
	  "\nx\n", "eml" },
	{ "maildir folder", "anything", NULL, "maildir" },
};

static void
case_run(const char *dir, const struct detect_case *c)
{
	char *path;
	const char *format = NULL;
	const struct mt_extractor *reader;
	char *label, *detail;

	if (c->data != NULL) {
		path = file_write(dir, c->name, c->data);
	} else {
		path = g_build_filename(dir, c->name, NULL);
		for (int i = 0; i < 3; i++) {
			static const char *const subs[] = { "cur", "new", "tmp" };
			char *sub = g_build_filename(path, subs[i], NULL);

			g_mkdir_with_parents(sub, 0755);
			g_free(sub);
		}
	}
	errno = EINVAL;
	reader = mt_extract_detect(path, &format);
	label = g_strdup_printf("detect %s", c->label);
	detail = g_strdup_printf("expected %s, got %s (errno %d)",
				 c->format ? c->format : "none",
				 format ? format : "none", errno);
	check(g_strcmp0(format, c->format) == 0 &&
	      (reader != NULL) == (c->format != NULL) && errno == 0,
	      label, detail);
	g_free(label);
	g_free(detail);
	g_free(path);
}

static void
missing_path_sets_errno(const char *dir)
{
	char *path = g_build_filename(dir, "no-such-file", NULL);
	const char *format = "x";
	const struct mt_extractor *reader;
	int saved;
	char detail[64];

	reader = mt_extract_detect(path, &format);
	saved = errno;
	g_snprintf(detail, sizeof(detail), "errno %d", saved);
	check(reader == NULL && format == NULL && saved == ENOENT,
	      "detect missing path sets errno", detail);
	g_free(path);
}

/* Removes a directory tree the test made (no links are made in it). */
static void
tree_remove(const char *path)
{
	GDir *dir = g_dir_open(path, 0, NULL);
	const char *name;

	if (dir != NULL) {
		while ((name = g_dir_read_name(dir)) != NULL) {
			char *child = g_build_filename(path, name, NULL);

			tree_remove(child);
			g_free(child);
		}
		g_dir_close(dir);
	}
	g_remove(path);
}

int
main(void)
{
	char *dir = g_dir_make_tmp("mt-detect-XXXXXX", NULL);

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
		case_run(dir, &cases[i]);
	missing_path_sets_errno(dir);
	tree_remove(dir);
	g_free(dir);
	return failures == 0 ? 0 : 1;
}
