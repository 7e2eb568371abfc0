/* SPDX-License-Identifier: MIT
 *
 * export-timesketch.c - the outbound timeline as Timesketch events, CSV
 * or JSON Lines.  Timesketch requires the fields message, datetime (ISO
 * 8601) and timestamp_desc, and takes every other column as an attribute
 * (TIMESKETCH_FIELDS in timesketch/lib/utils.py).  It drops rows with an
 * empty datetime, so a message without a known time gives no event here
 * and a note on stderr counts those messages.
 */
#include <string.h>

#include "report/report-private.h"

/* Timesketch filters on data_type, and reads 'tag' as a list of labels
 * (one label per CSV cell, a JSON array in JSON Lines).  An empty CSV
 * cell gives no tag, because its importer drops empty values. */
#define TS_DATA_TYPE "mailtrail:email:outbound"
#define TS_TAG_DELETED "deleted-outbound"

/* One event: a time that matters for a message. */
struct ts_event {
	const struct report_row *row;
	gint64 utc;
	const char *desc;       /* timestamp_desc */
};

static const char *const ts_columns[] = {
	"message", "datetime", "timestamp", "timestamp_desc", "data_type",
	"tag", "message_db_id", "custodian", "from", "to", "cc", "bcc",
	"external_recipients", "subject", "size", "attachment_count",
	"attachment_names", "attachment_bytes", "attachment_sha256",
	"evidence_file", "evidence_sha256", "locator", "message_sha256",
	"status", "folder", "message_id", NULL
};

/* Writes "+00:00" as Timesketch's own import examples do.  Its importer
 * parses datetime with pandas.to_datetime(), which reads "Z" too. */
static char *
ts_datetime(gint64 utc)
{
	char *z = report_format_utc(utc);
	char *s;

	if (z == NULL)
		return NULL;
	z[strlen(z) - 1] = '\0';
	s = g_strconcat(z, "+00:00", NULL);
	g_free(z);
	return s;
}

static char *
ts_message(const struct report_row *row, const char *desc)
{
	GString *s = g_string_new(NULL);
	guint nrecip = row->recipients->len;
	const char *first = NULL;
	guint i;

	for (i = 0; i < nrecip && first == NULL; i++) {
		const struct report_address *a = row->recipients->pdata[i];

		first = a->address != NULL ? a->address : a->raw;
	}
	g_string_printf(s, "%s: %s to %s", desc,
			row->from_addr != NULL ? row->from_addr : "(no sender)",
			first != NULL ? first : "(no recipient)");
	if (nrecip > 1)
		g_string_append_printf(s, " (+%u more)", nrecip - 1);
	g_string_append_printf(s, ": %s",
			       row->subject != NULL ? row->subject : "");
	if (row->attachments->len > 0)
		g_string_append_printf(s, " [%u attachment(s), %"
				       G_GINT64_FORMAT " bytes]",
				       row->attachments->len,
				       report_row_attachment_bytes(row));
	if (report_status_is_deleted(row->status))
		g_string_append_printf(s, " (%s)", row->status);
	return g_string_free(s, FALSE);
}

static int
ts_event_compare(gconstpointer a, gconstpointer b)
{
	const struct ts_event *x = a, *y = b;

	if (x->utc != y->utc)
		return x->utc < y->utc ? -1 : 1;
	if (x->row->id != y->row->id)
		return x->row->id < y->row->id ? -1 : 1;
	return strcmp(x->desc, y->desc);
}

/* Builds the event list in time order: the sent time, and the delivery
 * time where known.
 * *untimed_r receives the number of messages with neither. */
static GArray *
ts_events_collect(const struct report_timeline *tl, guint *untimed_r)
{
	GArray *events = g_array_new(FALSE, FALSE, sizeof(struct ts_event));
	guint i;

	*untimed_r = 0;
	for (i = 0; i < tl->rows->len; i++) {
		const struct report_row *row = tl->rows->pdata[i];
		struct ts_event ev = { row, 0, NULL };

		if (row->sent_utc != MT_TIME_NONE) {
			ev.utc = row->sent_utc;
			ev.desc = "Email Sent";
			g_array_append_val(events, ev);
		}
		if (row->delivery_utc != MT_TIME_NONE) {
			ev.utc = row->delivery_utc;
			ev.desc = "Email Delivered";
			g_array_append_val(events, ev);
		}
		if (row->sent_utc == MT_TIME_NONE &&
		    row->delivery_utc == MT_TIME_NONE)
			(*untimed_r)++;
	}
	g_array_sort(events, ts_event_compare);
	return events;
}

static void
ts_csv_text(FILE *out, char *value)
{
	report_csv_cell(out, value);
	report_csv_sep(out);
	g_free(value);
}

static char *
ts_attachment_hashes(const struct report_row *row)
{
	GString *s = g_string_new(NULL);
	guint i;

	for (i = 0; i < row->attachments->len; i++) {
		const struct report_attachment *a = row->attachments->pdata[i];

		if (i > 0)
			g_string_append(s, "; ");
		g_string_append(s, a->sha256 != NULL ? a->sha256 : "");
	}
	return g_string_free(s, FALSE);
}

static void
ts_csv_event(FILE *out, const struct ts_event *ev)
{
	const struct report_row *row = ev->row;

	ts_csv_text(out, ts_message(row, ev->desc));
	ts_csv_text(out, ts_datetime(ev->utc));
	report_csv_int(out, ev->utc * 1000000);
	report_csv_sep(out);
	ts_csv_text(out, g_strdup(ev->desc));
	ts_csv_text(out, g_strdup(TS_DATA_TYPE));
	ts_csv_text(out, g_strdup(report_status_is_deleted(row->status) ?
				  TS_TAG_DELETED : NULL));
	report_csv_int(out, row->id);
	report_csv_sep(out);
	ts_csv_text(out, g_strdup(row->custodian));
	ts_csv_text(out, report_format_mailbox(row->from_name, row->from_addr));
	ts_csv_text(out, report_row_join_recipients(row, "to"));
	ts_csv_text(out, report_row_join_recipients(row, "cc"));
	ts_csv_text(out, report_row_join_recipients(row, "bcc"));
	if (row->external_recipients >= 0)
		report_csv_int(out, row->external_recipients);
	report_csv_sep(out);
	ts_csv_text(out, g_strdup(row->subject));
	report_csv_int(out, row->size);
	report_csv_sep(out);
	report_csv_int(out, row->attachments->len);
	report_csv_sep(out);
	ts_csv_text(out, report_row_join_attachments(row, "filename"));
	report_csv_int(out, report_row_attachment_bytes(row));
	report_csv_sep(out);
	ts_csv_text(out, ts_attachment_hashes(row));
	ts_csv_text(out, g_strdup(row->evidence_path));
	ts_csv_text(out, g_strdup(row->evidence_sha256));
	ts_csv_text(out, g_strdup(row->locator));
	ts_csv_text(out, g_strdup(row->sha256));
	ts_csv_text(out, g_strdup(row->status));
	ts_csv_text(out, g_strdup(row->folder));
	report_csv_cell(out, row->message_id);
	report_csv_end(out);
}

static void
ts_note_untimed(guint untimed)
{
	if (untimed > 0)
		g_printerr("note: timeline: %u outbound message(s) have no "
			   "sent or delivery time and give no Timesketch "
			   "event; the CSV timeline lists them\n", untimed);
}

int
report_export_timesketch_csv(FILE *out, const struct report_timeline *tl,
			     char **error_r)
{
	guint untimed, i;
	GArray *events = ts_events_collect(tl, &untimed);

	report_csv_header(out, ts_columns);
	for (i = 0; i < events->len; i++)
		ts_csv_event(out, &g_array_index(events, struct ts_event, i));
	g_array_free(events, TRUE);
	ts_note_untimed(untimed);
	return report_stream_check(out, "the Timesketch CSV", error_r);
}

static void
ts_json_attachment_hashes(JsonBuilder *b, const struct report_row *row)
{
	guint i;

	json_builder_set_member_name(b, "attachment_sha256");
	json_builder_begin_array(b);
	for (i = 0; i < row->attachments->len; i++) {
		const struct report_attachment *a = row->attachments->pdata[i];

		if (a->sha256 != NULL)
			json_builder_add_string_value(b, a->sha256);
		else
			json_builder_add_null_value(b);
	}
	json_builder_end_array(b);
}

static void
ts_json_event(FILE *out, const struct ts_event *ev)
{
	JsonBuilder *b = json_builder_new();
	char *text;

	json_builder_begin_object(b);
	text = ts_message(ev->row, ev->desc);
	json_builder_set_member_name(b, "message");
	json_builder_add_string_value(b, text);
	g_free(text);
	text = ts_datetime(ev->utc);
	json_builder_set_member_name(b, "datetime");
	json_builder_add_string_value(b, text);
	g_free(text);
	json_builder_set_member_name(b, "timestamp");
	json_builder_add_int_value(b, ev->utc * 1000000);
	json_builder_set_member_name(b, "timestamp_desc");
	json_builder_add_string_value(b, ev->desc);
	json_builder_set_member_name(b, "data_type");
	json_builder_add_string_value(b, TS_DATA_TYPE);
	if (report_status_is_deleted(ev->row->status)) {
		json_builder_set_member_name(b, "tag");
		json_builder_begin_array(b);
		json_builder_add_string_value(b, TS_TAG_DELETED);
		json_builder_end_array(b);
	}
	report_json_add_facts(b, ev->row);
	ts_json_attachment_hashes(b, ev->row);
	json_builder_end_object(b);
	report_json_write_line(out, b);
	g_object_unref(b);
}

int
report_export_timesketch_jsonl(FILE *out, const struct report_timeline *tl,
			       char **error_r)
{
	guint untimed, i;
	GArray *events = ts_events_collect(tl, &untimed);

	for (i = 0; i < events->len; i++)
		ts_json_event(out, &g_array_index(events, struct ts_event, i));
	g_array_free(events, TRUE);
	ts_note_untimed(untimed);
	return report_stream_check(out, "the Timesketch JSON Lines", error_r);
}
