/* SPDX-License-Identifier: MIT
 *
 * export-csv.c - the outbound timeline as CSV (one row per message) and
 * as JSON Lines (one object per message, recipients and attachments as
 * arrays).  Both carry the evidence file, its SHA-256, the locator in
 * the store and the message SHA-256, so each row leads back to its bytes.
 */
#include <json-glib/json-glib.h>

#include "report/report-private.h"

const char *const report_timeline_columns[] = {
	"message_db_id", "sent_utc", "sent_local", "sent_source",
	"custodian", "from", "to", "cc", "bcc", "external_recipients",
	"subject", "size", "attachment_count", "attachment_names",
	"attachment_types", "attachment_bytes", "attachment_sha256",
	"evidence_file", "evidence_sha256", "locator", "message_sha256",
	"status", "folder", "duplicate_of", "message_id", NULL
};

static void
csv_owned(FILE *out, char *value)
{
	report_csv_cell(out, value);
	report_csv_sep(out);
	g_free(value);
}

static char *
attachment_hashes(const struct report_row *row)
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

static char *
row_local_time(const struct report_row *row)
{
	if (!row->sent_offset_known)
		return NULL;
	return report_format_local(row->sent_utc, row->sent_offset_min);
}

void
report_export_csv_row(FILE *out, const struct report_row *row)
{
	report_csv_int(out, row->id);
	report_csv_sep(out);
	csv_owned(out, report_format_utc(row->sent_utc));
	csv_owned(out, row_local_time(row));
	csv_owned(out, g_strdup(row->sent_source));
	csv_owned(out, g_strdup(row->custodian));
	csv_owned(out, report_format_mailbox(row->from_name, row->from_addr));
	csv_owned(out, report_row_join_recipients(row, "to"));
	csv_owned(out, report_row_join_recipients(row, "cc"));
	csv_owned(out, report_row_join_recipients(row, "bcc"));
	if (row->external_recipients >= 0)
		report_csv_int(out, row->external_recipients);
	report_csv_sep(out);
	csv_owned(out, g_strdup(row->subject));
	report_csv_int(out, row->size);
	report_csv_sep(out);
	report_csv_int(out, row->attachments->len);
	report_csv_sep(out);
	csv_owned(out, report_row_join_attachments(row, "filename"));
	csv_owned(out, report_row_join_attachments(row, "magic_type"));
	report_csv_int(out, report_row_attachment_bytes(row));
	report_csv_sep(out);
	csv_owned(out, attachment_hashes(row));
	csv_owned(out, g_strdup(row->evidence_path));
	csv_owned(out, g_strdup(row->evidence_sha256));
	csv_owned(out, g_strdup(row->locator));
	csv_owned(out, g_strdup(row->sha256));
	csv_owned(out, g_strdup(row->status));
	csv_owned(out, g_strdup(row->folder));
	if (row->duplicate_of > 0)
		report_csv_int(out, row->duplicate_of);
	report_csv_sep(out);
	report_csv_cell(out, row->message_id);
	report_csv_end(out);
}

int
report_export_csv(FILE *out, const struct report_timeline *tl,
		  char **error_r)
{
	guint i;

	report_csv_header(out, report_timeline_columns);
	for (i = 0; i < tl->rows->len; i++)
		report_export_csv_row(out, tl->rows->pdata[i]);
	return report_stream_check(out, "the timeline CSV", error_r);
}

static void
json_string_member(JsonBuilder *b, const char *name, const char *value)
{
	json_builder_set_member_name(b, name);
	if (value != NULL)
		json_builder_add_string_value(b, value);
	else
		json_builder_add_null_value(b);
}

static void
json_owned_member(JsonBuilder *b, const char *name, char *value)
{
	json_string_member(b, name, value);
	g_free(value);
}

static void
json_int_member(JsonBuilder *b, const char *name, gint64 value)
{
	json_builder_set_member_name(b, name);
	json_builder_add_int_value(b, value);
}

static void
json_add_recipients(JsonBuilder *b, const struct report_row *row)
{
	guint i;

	json_builder_set_member_name(b, "recipients");
	json_builder_begin_array(b);
	for (i = 0; i < row->recipients->len; i++) {
		const struct report_address *a = row->recipients->pdata[i];

		json_builder_begin_object(b);
		json_string_member(b, "kind", a->kind);
		json_string_member(b, "name", a->name);
		json_string_member(b, "address", a->address);
		json_string_member(b, "address_raw", a->raw);
		json_builder_set_member_name(b, "external");
		if (a->external >= 0)
			json_builder_add_boolean_value(b, a->external);
		else
			json_builder_add_null_value(b);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

static void
json_add_attachments(JsonBuilder *b, const struct report_row *row)
{
	guint i;

	json_builder_set_member_name(b, "attachments");
	json_builder_begin_array(b);
	for (i = 0; i < row->attachments->len; i++) {
		const struct report_attachment *a = row->attachments->pdata[i];

		json_builder_begin_object(b);
		json_string_member(b, "filename", a->filename);
		json_string_member(b, "magic_type", a->magic_type);
		json_string_member(b, "declared_type", a->declared_type);
		json_int_member(b, "size", a->size);
		json_string_member(b, "sha256", a->sha256);
		json_int_member(b, "depth", a->depth);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

void
report_json_add_facts(JsonBuilder *b, const struct report_row *row)
{
	json_int_member(b, "message_db_id", row->id);
	json_string_member(b, "custodian", row->custodian);
	json_owned_member(b, "from", report_format_mailbox(row->from_name,
							   row->from_addr));
	json_owned_member(b, "to", report_row_join_recipients(row, "to"));
	json_owned_member(b, "cc", report_row_join_recipients(row, "cc"));
	json_owned_member(b, "bcc", report_row_join_recipients(row, "bcc"));
	json_builder_set_member_name(b, "external_recipients");
	if (row->external_recipients >= 0)
		json_builder_add_int_value(b, row->external_recipients);
	else
		json_builder_add_null_value(b);
	json_string_member(b, "subject", row->subject);
	json_int_member(b, "size", row->size);
	json_int_member(b, "attachment_count", row->attachments->len);
	json_owned_member(b, "attachment_names",
			  report_row_join_attachments(row, "filename"));
	json_int_member(b, "attachment_bytes",
			report_row_attachment_bytes(row));
	json_string_member(b, "evidence_file", row->evidence_path);
	json_string_member(b, "evidence_sha256", row->evidence_sha256);
	json_string_member(b, "locator", row->locator);
	json_string_member(b, "message_sha256", row->sha256);
	json_string_member(b, "status", row->status);
	json_string_member(b, "folder", row->folder);
	json_string_member(b, "message_id", row->message_id);
}

void
report_json_write_line(FILE *out, JsonBuilder *b)
{
	JsonGenerator *gen = json_generator_new();
	JsonNode *root = json_builder_get_root(b);
	char *text;

	json_generator_set_root(gen, root);
	text = json_generator_to_data(gen, NULL);
	fputs(text, out);
	fputc('\n', out);
	g_free(text);
	json_node_unref(root);
	g_object_unref(gen);
}

int
report_export_jsonl(FILE *out, const struct report_timeline *tl,
		    char **error_r)
{
	guint i;

	for (i = 0; i < tl->rows->len; i++) {
		const struct report_row *row = tl->rows->pdata[i];
		JsonBuilder *b = json_builder_new();

		json_builder_begin_object(b);
		json_owned_member(b, "sent_utc",
				  report_format_utc(row->sent_utc));
		json_owned_member(b, "sent_local", row_local_time(row));
		json_string_member(b, "sent_source", row->sent_source);
		report_json_add_facts(b, row);
		json_add_recipients(b, row);
		json_add_attachments(b, row);
		json_builder_set_member_name(b, "duplicate_of");
		if (row->duplicate_of > 0)
			json_builder_add_int_value(b, row->duplicate_of);
		else
			json_builder_add_null_value(b);
		json_builder_end_object(b);
		report_json_write_line(out, b);
		g_object_unref(b);
	}
	return report_stream_check(out, "the timeline JSON Lines", error_r);
}
