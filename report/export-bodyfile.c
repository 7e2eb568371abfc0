/* SPDX-License-Identifier: MIT
 *
 * export-bodyfile.c - the outbound timeline as a Sleuth Kit body file
 * for mactime (TSK 3.x layout:
 * MD5|name|inode|mode_as_string|UID|GID|size|atime|mtime|ctime|crtime).
 *
 * Each time that matters gives one line with that time in all four MACB
 * fields: the sent time, and the delivery time where known.  A 0 field
 * would show up in mactime as a row dated 0000-00-00.  The name field
 * names the event, the mail and where it was found.  mactime splits on
 * '|' and then decodes %XX, so '|' and '%' are written as %7C and %25.
 * It drops a line whose decoded name contains a line break, so control
 * characters are written as \xHH instead.  The MD5 field is 0 because
 * mailtrail hashes with SHA-256, which the name field carries.  Times
 * before 1970 cannot be written (mactime reads 0 as "no time"), so such
 * messages are left out and counted in a note on stderr.
 */
#include <string.h>

#include "report/report-private.h"

static void
body_append_escaped(GString *s, const char *value)
{
	const char *p;

	if (value == NULL)
		return;
	for (p = value; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '|' || c == '%')
			g_string_append_printf(s, "%%%02X", c);
		else if (c < 0x20 || c == 0x7f)
			g_string_append_printf(s, "\\x%02X", c);
		else
			g_string_append_c(s, *p);
	}
}

static char *
body_name(const struct report_row *row, const char *event)
{
	GString *s = g_string_new(NULL);
	char *to = report_row_join_recipients(row, "to");

	g_string_append_printf(s, "mail %s: ", event);
	body_append_escaped(s, row->from_addr);
	g_string_append(s, " -> ");
	body_append_escaped(s, to);
	g_string_append(s, ": ");
	body_append_escaped(s, row->subject);
	g_string_append_printf(s, " [attachments=%u status=",
			       row->attachments->len);
	body_append_escaped(s, row->status);
	g_string_append(s, " evidence=");
	body_append_escaped(s, row->evidence_path);
	g_string_append(s, " evidence_sha256=");
	body_append_escaped(s, row->evidence_sha256);
	g_string_append(s, " locator=");
	body_append_escaped(s, row->locator);
	g_string_append(s, " sha256=");
	body_append_escaped(s, row->sha256);
	g_string_append(s, "]");
	g_free(to);
	return g_string_free(s, FALSE);
}

/* Writes one line; the inode field carries the message's id in the case
 * database so mactime output leads back to it. */
static void
body_line(FILE *out, const struct report_row *row, const char *event,
	  gint64 utc)
{
	char *name = body_name(row, event);

	fprintf(out, "0|%s|%" G_GINT64_FORMAT "|r/rrw-------|0|0|%"
		G_GINT64_FORMAT "|%" G_GINT64_FORMAT "|%" G_GINT64_FORMAT "|%"
		G_GINT64_FORMAT "|%" G_GINT64_FORMAT "\n", name, row->id,
		row->size, utc, utc, utc, utc);
	g_free(name);
}

int
report_export_bodyfile(FILE *out, const struct report_timeline *tl,
		       char **error_r)
{
	guint i, untimed = 0;

	for (i = 0; i < tl->rows->len; i++) {
		const struct report_row *row = tl->rows->pdata[i];
		gboolean written = FALSE;

		if (row->sent_utc != MT_TIME_NONE && row->sent_utc > 0) {
			body_line(out, row, "sent", row->sent_utc);
			written = TRUE;
		}
		if (row->delivery_utc != MT_TIME_NONE &&
		    row->delivery_utc > 0) {
			body_line(out, row, "delivered", row->delivery_utc);
			written = TRUE;
		}
		if (!written)
			untimed++;
	}
	if (untimed > 0)
		g_printerr("note: timeline: %u outbound message(s) have no "
			   "sent or delivery time after 1970 and are not in "
			   "the body file; the CSV timeline lists them\n",
			   untimed);
	return report_stream_check(out, "the body file", error_r);
}
