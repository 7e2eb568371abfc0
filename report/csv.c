/* SPDX-License-Identifier: MIT
 *
 * csv.c - CSV cells as RFC 4180 writes them, made safe for spreadsheets.
 *
 * A cell whose first character is =, +, -, @, tab or CR would run as a
 * formula in Excel or LibreOffice (CSV injection), so it gets a leading
 * apostrophe.  Every cell is quoted, and quotes inside are doubled.
 */
#include <errno.h>
#include <string.h>

#include "report/report-private.h"

static gboolean
csv_needs_neutralising(const char *value)
{
	return value[0] != '\0' && strchr("=+-@\t\r", value[0]) != NULL;
}

char *
report_csv_quote(const char *value)
{
	GString *s = g_string_new("\"");
	const char *p;

	if (value == NULL)
		value = "";
	if (csv_needs_neutralising(value))
		g_string_append_c(s, '\'');
	for (p = value; *p != '\0'; p++) {
		if (*p == '"')
			g_string_append_c(s, '"');
		g_string_append_c(s, *p);
	}
	g_string_append_c(s, '"');
	return g_string_free(s, FALSE);
}

void
report_csv_cell(FILE *out, const char *value)
{
	char *quoted = report_csv_quote(value);

	fputs(quoted, out);
	g_free(quoted);
}

/* Numbers are written bare: a negative number is data, not a formula,
 * and the tool itself produced it. */
void
report_csv_int(FILE *out, gint64 value)
{
	fprintf(out, "%" G_GINT64_FORMAT, value);
}

void
report_csv_sep(FILE *out)
{
	fputc(',', out);
}

/* RFC 4180 ends records with CRLF. */
void
report_csv_end(FILE *out)
{
	fputs("\r\n", out);
}

void
report_csv_header(FILE *out, const char *const *columns)
{
	int i;

	for (i = 0; columns[i] != NULL; i++) {
		if (i > 0)
			report_csv_sep(out);
		report_csv_cell(out, columns[i]);
	}
	report_csv_end(out);
}

int
report_stream_check(FILE *out, const char *what, char **error_r)
{
	if (fflush(out) != 0 || ferror(out)) {
		*error_r = g_strdup_printf("writing %s failed: %s", what,
					   g_strerror(errno));
		return -1;
	}
	return 0;
}
