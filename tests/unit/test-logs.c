/* SPDX-License-Identifier: MIT
 *
 * test-logs.c - the log readers' building blocks: timestamp parsing, the
 * year a year-less syslog time is put in, CSV splitting and the line
 * stream (gzip, offsets, cut lines).  Table-driven; prints TAP lines.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/record.h"
#include "extract/logs-private.h"

static int failures;

static void
check(gboolean ok, const char *name, const char *detail)
{
	printf("%s - %s\n", ok ? "ok" : "not ok", name);
	if (!ok) {
		failures++;
		if (detail != NULL)
			printf("# %s\n", detail);
	}
}

static void
check_int(gint64 actual, gint64 expected, const char *name)
{
	char *detail = g_strdup_printf("expected %" G_GINT64_FORMAT
				       ", got %" G_GINT64_FORMAT,
				       expected, actual);

	check(actual == expected, name, detail);
	g_free(detail);
}

static const struct {
	const char *text;
	size_t consumed;        /* 0: rejected */
	gint64 utc;
	int offset_min;
	gboolean zone_known;
} iso_cases[] = {
	{ "2024-03-05T14:02:11Z x", 20, 1709647331, 0, TRUE },
	{ "2024-03-05T15:02:11.123456+01:00 host", 32, 1709647331, 60, TRUE },
	{ "2024-03-05 09:02:11-0500", 24, 1709647331, -300, TRUE },
	{ "2024-03-05T14:02:11", 19, 1709647331, 0, FALSE },
	{ "2024-02-30T00:00:00Z", 0, 0, 0, FALSE },
	{ "2024-03-05T24:00:00Z", 0, 0, 0, FALSE },
	{ "1969-12-31T23:59:59Z", 0, 0, 0, FALSE },
	{ "2024-3-05T14:02:11Z", 0, 0, 0, FALSE },
	{ "", 0, 0, 0, FALSE },
};

static void
test_iso(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(iso_cases); i++) {
		gint64 utc = 0;
		int off = 0;
		gboolean known = FALSE;
		size_t n = log_time_parse_iso(iso_cases[i].text, &utc, &off,
					      &known);
		char *name = g_strdup_printf("iso time '%s'",
					     iso_cases[i].text);

		check_int((gint64)n, (gint64)iso_cases[i].consumed, name);
		if (n > 0) {
			check_int(utc, iso_cases[i].utc, name);
			check_int(off, iso_cases[i].offset_min, name);
			check_int(known, iso_cases[i].zone_known, name);
		}
		g_free(name);
	}
}

static const struct {
	const char *text;
	size_t consumed;
	int month, day, seconds;
} rfc3164_cases[] = {
	{ "Mar  7 02:09:33 host", 15, 3, 7, 2 * 3600 + 9 * 60 + 33 },
	{ "Mar 7 02:09:33 host", 14, 3, 7, 2 * 3600 + 9 * 60 + 33 },
	{ "Dec 31 23:59:60 host", 15, 12, 31, 86400 },
	{ "Foo 31 23:59:59 host", 0, 0, 0, 0 },
	{ "Dec 32 23:59:59 host", 0, 0, 0, 0 },
	{ "Dec 31 23:5", 0, 0, 0, 0 },
	{ "Jan", 0, 0, 0, 0 },
};

static void
test_3164(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(rfc3164_cases); i++) {
		int month = 0, day = 0, sod = 0;
		size_t n = log_time_parse_3164(rfc3164_cases[i].text, &month,
					       &day, &sod);
		char *name = g_strdup_printf("rfc 3164 time '%s'",
					     rfc3164_cases[i].text);

		check_int((gint64)n, (gint64)rfc3164_cases[i].consumed, name);
		if (n > 0) {
			check_int(month, rfc3164_cases[i].month, name);
			check_int(day, rfc3164_cases[i].day, name);
			check_int(sod, rfc3164_cases[i].seconds, name);
		}
		g_free(name);
	}
}

static void
test_us_dates(void)
{
	gint64 utc = 0;

	check(log_time_parse_us("3/5/2024 2:02:11 PM", &utc),
	      "us date parsed", NULL);
	check_int(utc, 1709647331, "us date afternoon");
	check(log_time_parse_us("3/5/2024 12:00:00 AM", &utc),
	      "us date midnight parsed", NULL);
	check_int(utc, 1709596800, "us date midnight");
	check(!log_time_parse_us("13/45/2024 2:02:11 PM", &utc),
	      "us date invalid month rejected", NULL);
}

/* Resolves a run of (month, day) pairs starting in year and compares
 * the years assigned. */
static void
check_years(const char *name, int year, const int (*md)[2], size_t n,
	    const int *years)
{
	struct log_clock clock = { .year = year,
				   .previous_local = MT_TIME_NONE,
				   .reference_local = MT_TIME_NONE };

	for (size_t i = 0; i < n; i++) {
		int off;
		gint64 t = log_clock_resolve(&clock, md[i][0], md[i][1], 3600,
					     &off);
		gint64 expected = log_time_civil(years[i], md[i][0], md[i][1],
						 1, 0, 0);
		char *label = g_strdup_printf("%s, line %zu", name, i + 1);

		check_int(t, expected, label);
		g_free(label);
	}
}

static void
test_year_turnover(void)
{
	static const int forward[][2] = { { 12, 30 }, { 12, 31 }, { 1, 1 },
					  { 1, 2 }, { 2, 1 } };
	static const int forward_years[] = { 2023, 2023, 2024, 2024, 2024 };
	/* Lines a few seconds out of order across midnight of New Year. */
	static const int jitter[][2] = { { 1, 1 }, { 12, 31 }, { 1, 1 } };
	static const int jitter_years[] = { 2024, 2023, 2024 };
	static const int leap[][2] = { { 2, 28 }, { 2, 29 } };
	static const int leap_years[] = { 2024, 2024 };

	check_years("year turns over in december", 2023, forward,
		    G_N_ELEMENTS(forward), forward_years);
	check_years("year steps back for a late line", 2024, jitter,
		    G_N_ELEMENTS(jitter), jitter_years);
	check_years("leap day kept", 2024, leap, G_N_ELEMENTS(leap),
		    leap_years);
}

static void
test_year_by_reference(void)
{
	struct log_clock clock = { .year = 2005,
				   .previous_local = MT_TIME_NONE };
	int off;

	clock.reference_local = log_time_civil(2005, 8, 15, 23, 59, 59);
	check_int(log_clock_resolve(&clock, 9, 6, 0, &off),
		  log_time_civil(2004, 9, 6, 0, 0, 0),
		  "reference puts later dates in the year before");
	check_int(log_clock_resolve(&clock, 2, 21, 0, &off),
		  log_time_civil(2005, 2, 21, 0, 0, 0),
		  "reference keeps earlier dates in its year");
}

static void
test_csv_split(void)
{
	GPtrArray *f = logs_csv_split("a,\"b,c\",\"d \"\"q\"\"\",,e", ',');

	check_int(f->len, 5, "csv field count");
	check(strcmp(f->pdata[1], "b,c") == 0, "csv quoted comma", NULL);
	check(strcmp(f->pdata[2], "d \"q\"") == 0, "csv doubled quote", NULL);
	check(strcmp(f->pdata[3], "") == 0, "csv empty field", NULL);
	g_ptr_array_unref(f);
	f = logs_csv_split("\"open,quote", ',');
	check_int(f->len, 1, "csv unterminated quote kept as one field");
	g_ptr_array_unref(f);
	f = logs_csv_split("\xff\xfe,x", ',');
	check(g_utf8_validate(f->pdata[0], -1, NULL),
	      "csv invalid utf-8 made valid", NULL);
	g_ptr_array_unref(f);
}

/* Writes data gzip-compressed (GZlibCompressor) to a temporary file;
 * returns its path. */
static char *
write_gzip(const char *data)
{
	char *path = g_build_filename(g_get_tmp_dir(), "test-logs-XXXXXX",
				      NULL);
	int fd = g_mkstemp(path);
	GZlibCompressor *z = g_zlib_compressor_new(
		G_ZLIB_COMPRESSOR_FORMAT_GZIP, -1);
	GFile *gfile = g_file_new_for_path(path);
	GOutputStream *file;
	GOutputStream *out;

	close(fd);
	file = G_OUTPUT_STREAM(g_file_replace(gfile, NULL, FALSE,
					      G_FILE_CREATE_NONE, NULL, NULL));
	out = g_converter_output_stream_new(file, G_CONVERTER(z));

	g_output_stream_write_all(out, data, strlen(data), NULL, NULL, NULL);
	g_output_stream_close(out, NULL, NULL);
	g_object_unref(out);
	g_object_unref(file);
	g_object_unref(gfile);
	g_object_unref(z);
	return path;
}

static void
test_stream(void)
{
	char *path = write_gzip("one\r\ntwo\n\nlast without newline");
	char *error = NULL;
	struct log_stream *st = log_stream_open(path, &error);
	struct log_line line;
	gint64 offsets[] = { 0, 5, 9, 10 };
	int n = 0;

	check(st != NULL && log_stream_is_gzip(st), "stream opens gzip",
	      error);
	while (st != NULL && log_stream_next(st, &line, &error) == 1) {
		if (n < 4)
			check_int(line.offset, offsets[n], "stream offset");
		n++;
	}
	check_int(n, 4, "stream line count");
	check(line.truncated, "stream last line cut", NULL);
	check(strcmp(line.text, "last without newline") == 0,
	      "stream last line text", line.text);
	log_stream_free(&st);
	unlink(path);
	g_free(path);
	g_free(error);
}

static void
test_stream_long_line(void)
{
	GString *s = g_string_new(NULL);
	char *path = g_build_filename(g_get_tmp_dir(), "test-logs-XXXXXX",
				      NULL);
	int fd = g_mkstemp(path);
	char *error = NULL;
	struct log_stream *st;
	struct log_line line;

	for (int i = 0; i < LOGS_LINE_MAX + 100; i++)
		g_string_append_c(s, 'x');
	g_string_append(s, "\nnext\n");
	if (write(fd, s->str, s->len) != (ssize_t)s->len)
		check(FALSE, "long line written", NULL);
	close(fd);
	st = log_stream_open(path, &error);
	check(log_stream_next(st, &line, &error) == 1 && line.truncated &&
	      line.len == LOGS_LINE_MAX, "long line cut at the limit", NULL);
	check(log_stream_next(st, &line, &error) == 1 &&
	      strcmp(line.text, "next") == 0 && line.line_no == 2 &&
	      line.offset == LOGS_LINE_MAX + 101,
	      "line after a long line", NULL);
	log_stream_free(&st);
	unlink(path);
	g_free(path);
	g_string_free(s, TRUE);
}

/* Damaged gzip data: the lines before the damage come out, then -1. */
static void
test_stream_damaged_gzip(void)
{
	GString *text = g_string_new(NULL);
	char *path, *error = NULL, *data = NULL;
	gsize len = 0;
	struct log_stream *st;
	struct log_line line;
	gint64 lines = 0;
	int r;

	for (int i = 0; i < 20000; i++)
		g_string_append_printf(text, "line %d of a long log\n", i);
	path = write_gzip(text->str);
	g_file_get_contents(path, &data, &len, NULL);
	/* Overwrite 100 bytes in the middle of the compressed data. */
	memset(data + len / 2, 0x55, 100);
	g_file_set_contents(path, data, (gssize)len, NULL);
	st = log_stream_open(path, &error);
	while ((r = log_stream_next(st, &line, &error)) == 1)
		lines++;
	check(r == -1, "damaged gzip ends with an error", NULL);
	check(lines > 1000 && lines < 20000,
	      "damaged gzip keeps the lines before the damage", NULL);
	check(error != NULL && strstr(error, "gzip data invalid") != NULL,
	      "damaged gzip error names the cause", error);
	log_stream_free(&st);
	unlink(path);
	g_free(path);
	g_free(data);
	g_free(error);
	g_string_free(text, TRUE);
}

int
main(void)
{
	test_iso();
	test_3164();
	test_us_dates();
	test_year_turnover();
	test_year_by_reference();
	test_csv_split();
	test_stream();
	test_stream_long_line();
	test_stream_damaged_gzip();
	return failures == 0 ? 0 : 1;
}
