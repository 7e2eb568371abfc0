/* SPDX-License-Identifier: MIT
 *
 * test-report.c - table-driven tests of the report helpers: CSV quoting
 * and formula neutralisation, local time with odd offsets, the deleted
 * statuses, mailbox formatting and escaped chart labels.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report-private.h"
#include "report/html-private.h"

static int failures;

static void
check_str(const char *name, const char *got, const char *want)
{
	gboolean ok = g_strcmp0(got, want) == 0;

	printf("%s - %s\n", ok ? "ok" : "not ok", name);
	if (!ok) {
		fprintf(stderr, "%s: expected '%s', got '%s'\n", name,
			want ? want : "(null)", got ? got : "(null)");
		failures++;
	}
}

static void
check_bool(const char *name, gboolean got, gboolean want)
{
	printf("%s - %s\n", got == want ? "ok" : "not ok", name);
	if (got != want)
		failures++;
}

static const struct {
	const char *name;
	const char *input;
	const char *expected;
} csv_cases[] = {
	{ "csv plain text is quoted", "hello", "\"hello\"" },
	{ "csv empty cell", "", "\"\"" },
	{ "csv null cell", NULL, "\"\"" },
	{ "csv quotes are doubled", "say \"hi\"", "\"say \"\"hi\"\"\"" },
	{ "csv equals sign neutralised", "=1+2", "\"'=1+2\"" },
	{ "csv plus sign neutralised", "+1", "\"'+1\"" },
	{ "csv minus sign neutralised", "-2", "\"'-2\"" },
	{ "csv at sign neutralised", "@SUM(A1)", "\"'@SUM(A1)\"" },
	{ "csv leading tab neutralised", "\t=x", "\"'\t=x\"" },
	{ "csv leading CR neutralised", "\r=x", "\"'\r=x\"" },
	{ "csv formula with quotes", "=HYPERLINK(\"u\")",
	  "\"'=HYPERLINK(\"\"u\"\")\"" },
	{ "csv equals later is kept", "a=b", "\"a=b\"" },
	{ "csv newline stays inside quotes", "a\nb", "\"a\nb\"" },
	{ "csv comma stays inside quotes", "a,b", "\"a,b\"" },
};

static void
test_csv_quote(void)
{
	guint i;

	for (i = 0; i < G_N_ELEMENTS(csv_cases); i++) {
		char *got = report_csv_quote(csv_cases[i].input);

		check_str(csv_cases[i].name, got, csv_cases[i].expected);
		g_free(got);
	}
}

/* 2024-03-05T14:00:00Z */
#define T0 G_GINT64_CONSTANT(1709647200)

static const struct {
	const char *name;
	gint64 utc;
	int offset_min;
	const char *expected;
} local_cases[] = {
	{ "local time east of UTC", T0, 60, "2024-03-05T15:00:00+01:00" },
	{ "local time west of UTC", T0, -300, "2024-03-05T09:00:00-05:00" },
	{ "local time half-hour offset", T0, 330, "2024-03-05T19:30:00+05:30" },
	{ "local time negative half hour", T0, -570,
	  "2024-03-05T04:30:00-09:30" },
	{ "local time crosses midnight", T0, 14 * 60,
	  "2024-03-06T04:00:00+14:00" },
	{ "local time hostile offset kept", T0, 99 * 60 + 59,
	  "2024-03-09T17:59:00+99:59" },
	{ "local time before 1970", -86400, 0, "1969-12-31T00:00:00+00:00" },
};

static void
test_local_time(void)
{
	guint i;

	for (i = 0; i < G_N_ELEMENTS(local_cases); i++) {
		char *got = report_format_local(local_cases[i].utc,
						local_cases[i].offset_min);

		check_str(local_cases[i].name, got, local_cases[i].expected);
		g_free(got);
	}
	check_str("local time unknown is null",
		  report_format_local(MT_TIME_NONE, 0), NULL);
}

static void
test_utc_time(void)
{
	char *got = report_format_utc(T0);

	check_str("utc time iso 8601 with Z", got, "2024-03-05T14:00:00Z");
	g_free(got);
	check_str("utc time unknown is null", report_format_utc(MT_TIME_NONE),
		  NULL);
}

static const struct {
	const char *status;
	gboolean deleted;
} status_cases[] = {
	{ "allocated", FALSE }, { "deleted", TRUE }, { "trashed", TRUE },
	{ "expunged", TRUE }, { "recovered", TRUE }, { "orphan", TRUE },
	{ "tmp", FALSE }, { "", FALSE }, { NULL, FALSE },
};

static void
test_deleted_statuses(void)
{
	guint i;

	for (i = 0; i < G_N_ELEMENTS(status_cases); i++) {
		const char *status = status_cases[i].status;
		gboolean got = report_status_is_deleted(status);
		char *name = g_strdup_printf("status '%s' deleted is %d",
					     status ? status : "(null)",
					     status_cases[i].deleted);

		check_bool(name, got, status_cases[i].deleted);
		g_free(name);
	}
}

static void
test_mailbox_format(void)
{
	char *s;

	s = report_format_mailbox("Alice", "a@x.example");
	check_str("mailbox with name", s, "Alice <a@x.example>");
	g_free(s);
	s = report_format_mailbox(NULL, "a@x.example");
	check_str("mailbox without name", s, "a@x.example");
	g_free(s);
	s = report_format_mailbox("", "a@x.example");
	check_str("mailbox with empty name", s, "a@x.example");
	g_free(s);
	s = report_format_mailbox("Only Name", NULL);
	check_str("mailbox without address", s, "Only Name");
	g_free(s);
	s = report_format_mailbox(NULL, NULL);
	check_str("mailbox with nothing", s, "");
	g_free(s);
}

/* Runs a chart writer into memory and returns what it wrote, to be
 * released with free(). */
static char *
capture_paired_bars(const char *label)
{
	const char *labels[1] = { label };
	int sent[1] = { 3 }, replies[1] = { 1 };
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	svg_paired_bars(out, labels, sent, replies, 1);
	fclose(out);
	return buf;
}

static void
test_svg_labels(void)
{
	/* 38 characters, then '&' and '<': the cut at 40 characters falls
	 * right after the '&', which must still be a whole entity. */
	char *svg = capture_paired_bars("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
					"&<script>x@y.example");

	check_bool("svg label cut keeps whole entity",
		   strstr(svg, ">aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
			  "&amp;&lt;</text>") != NULL, TRUE);
	check_bool("svg label has no raw markup",
		   strstr(svg, "<script>") != NULL, FALSE);
	check_bool("svg title shows the count",
		   strstr(svg, ": 3 sent</title>") != NULL, TRUE);
	free(svg);
}

int
main(void)
{
	test_csv_quote();
	test_local_time();
	test_utc_time();
	test_deleted_statuses();
	test_mailbox_format();
	test_svg_labels();
	return failures > 0 ? 1 : 0;
}
