/* SPDX-License-Identifier: MIT
 *
 * parse-test.h - small TAP helpers shared by the tests/unit/test-parse-*.c
 * programs: checks that print 'ok - NAME' or 'not ok - NAME' with the
 * expected and actual values, and the path of the shared fixtures.
 */
#ifndef MAILTRAIL_PARSE_TEST_H
#define MAILTRAIL_PARSE_TEST_H

#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>

#include "core/record.h"
#include "parse/parse.h"

static int test_failures;


static inline void
check_true(gboolean ok, const char *name)
{
	printf("%s - %s\n", ok ? "ok" : "not ok", name);
	if (!ok)
		test_failures++;
}

static inline void
check_str(const char *actual, const char *expected, const char *name)
{
	gboolean ok = g_strcmp0(actual, expected) == 0;

	check_true(ok, name);
	if (!ok)
		printf("# expected '%s', got '%s'\n",
		       expected ? expected : "(null)",
		       actual ? actual : "(null)");
}

static inline void
check_int(gint64 actual, gint64 expected, const char *name)
{
	gboolean ok = actual == expected;

	check_true(ok, name);
	if (!ok)
		printf("# expected %" G_GINT64_FORMAT ", got %" G_GINT64_FORMAT
		       "\n", expected, actual);
}

/* Returns the shared fixture folder: $MAILTRAIL_SHARED, else 'shared'
 * beside the repository, found from this binary's path
 * (build/FLAVOUR/tests/NAME). */
static inline char *
test_shared_path(const char *relative)
{
	const char *env = g_getenv("MAILTRAIL_SHARED");
	char *exe, *repo, *path;

	if (env != NULL)
		return g_build_filename(env, relative, NULL);
	exe = g_file_read_link("/proc/self/exe", NULL);
	repo = g_path_get_dirname(exe);
	for (int i = 0; i < 3; i++) {
		char *up = g_path_get_dirname(repo);

		g_free(repo);
		repo = up;
	}
	path = g_build_filename(repo, "..", "shared", relative, NULL);
	g_free(exe);
	g_free(repo);
	return path;
}

/* Reads a shared fixture; a missing file is a failed check, never a
 * skip.  Returns NULL when it is missing. */
static inline char *
test_read_shared(const char *relative, gsize *len_r)
{
	char *path = test_shared_path(relative);
	char *data = NULL;
	GError *error = NULL;

	if (!g_file_get_contents(path, &data, len_r, &error)) {
		printf("not ok - fixture %s readable\n# %s\n", relative,
		       error->message);
		test_failures++;
		g_error_free(error);
	}
	g_free(path);
	return data;
}

/* Parses a shared .eml fixture into a new message, or returns NULL. */
static inline struct mt_message *
test_parse_shared(const char *relative)
{
	gsize len = 0;
	char *data = test_read_shared(relative, &len);
	struct mt_message *msg;

	if (data == NULL)
		return NULL;
	msg = mt_message_new();
	if (parse_message_bytes(data, len, msg) != 0) {
		printf("not ok - %s parses\n", relative);
		test_failures++;
	}
	g_free(data);
	return msg;
}

static inline const struct mt_address *
test_find_address(const struct mt_message *msg, enum mt_address_kind kind,
		  int nth)
{
	for (guint i = 0; i < msg->addresses->len; i++) {
		const struct mt_address *a =
			g_ptr_array_index(msg->addresses, i);

		if (a->kind == kind && nth-- == 0)
			return a;
	}
	return NULL;
}

static inline gboolean
test_has_defect(const struct mt_message *msg, const char *code)
{
	for (guint i = 0; i < msg->defects->len; i++) {
		const struct mt_defect *d = g_ptr_array_index(msg->defects, i);

		if (strcmp(d->code, code) == 0)
			return TRUE;
	}
	return FALSE;
}

static inline const struct mt_attachment *
test_find_attachment(const struct mt_message *msg, const char *filename)
{
	for (guint i = 0; i < msg->attachments->len; i++) {
		const struct mt_attachment *a =
			g_ptr_array_index(msg->attachments, i);

		if (g_strcmp0(a->filename, filename) == 0)
			return a;
	}
	return NULL;
}

/* Formats utc as "YYYY-MM-DDTHH:MM:SSZ" without the local zone. */
static inline char *
test_format_utc(gint64 utc)
{
	GDateTime *dt = g_date_time_new_from_unix_utc(utc);
	char *text = g_date_time_format(dt, "%Y-%m-%dT%H:%M:%SZ");

	g_date_time_unref(dt);
	return text;
}

#endif
