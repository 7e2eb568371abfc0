/* SPDX-License-Identifier: MIT
 *
 * export-case.c - the outbound timeline as CASE/UCO JSON-LD, checked
 * against the UCO 1.4.0 ontology (observable.ttl, core.ttl, types.ttl).
 *
 * Each message becomes an observable:EmailMessage with an
 * EmailMessageFacet (from, to, cc, bcc as EmailAddress objects, sentTime,
 * subject, messageID) and a ContentDataFacet (SHA-256 and size of the
 * raw bytes).  Each address gets an EmailAddress and an EmailAccount,
 * each attachment and each evidence file a File with its SHA-256, and an
 * ObservableRelationship "Contained_Within" links an attachment to its
 * message and a message to its evidence file.  Node ids are derived from
 * SHA-256 of stable keys, so two exports of one case give the same ids.
 */
#include <string.h>
#include <openssl/evp.h>

#include "report/report-private.h"

#define UCO "https://ontology.unifiedcyberontology.org/uco/"

struct case_ctx {
	JsonBuilder *b;
	GHashTable *emitted;    /* node ids already in the graph */
};

/* Returns "kb:<prefix>-<uuid>" with the UUID formed from SHA-256 of key
 * (version nibble 5 and the RFC 4122 variant, as a name-based UUID). */
static char *
case_node_id(const char *prefix, const char *key)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	EVP_Digest(key, strlen(key), md, &len, EVP_sha256(), NULL);
	md[6] = (md[6] & 0x0f) | 0x50;
	md[8] = (md[8] & 0x3f) | 0x80;
	return g_strdup_printf("kb:%s-%02x%02x%02x%02x-%02x%02x-%02x%02x-"
			       "%02x%02x-%02x%02x%02x%02x%02x%02x", prefix,
			       md[0], md[1], md[2], md[3], md[4], md[5],
			       md[6], md[7], md[8], md[9], md[10], md[11],
			       md[12], md[13], md[14], md[15]);
}

static void
case_typed(JsonBuilder *b, const char *name, const char *type,
	   const char *value)
{
	json_builder_set_member_name(b, name);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "@type");
	json_builder_add_string_value(b, type);
	json_builder_set_member_name(b, "@value");
	json_builder_add_string_value(b, value);
	json_builder_end_object(b);
}

static void
case_integer(JsonBuilder *b, const char *name, gint64 value)
{
	char *text = g_strdup_printf("%" G_GINT64_FORMAT, value);

	case_typed(b, name, "xsd:integer", text);
	g_free(text);
}

static void
case_string(JsonBuilder *b, const char *name, const char *value)
{
	if (value == NULL)
		return;
	json_builder_set_member_name(b, name);
	json_builder_add_string_value(b, value);
}

static void
case_ref(JsonBuilder *b, const char *id)
{
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "@id");
	json_builder_add_string_value(b, id);
	json_builder_end_object(b);
}

static void
case_node_begin(JsonBuilder *b, const char *id, const char *type)
{
	json_builder_begin_object(b);
	case_string(b, "@id", id);
	case_string(b, "@type", type);
}

/* Opens core:hasFacet; the caller adds facets and ends the array and
 * the node. */
static void
case_facets_begin(JsonBuilder *b)
{
	json_builder_set_member_name(b, "core:hasFacet");
	json_builder_begin_array(b);
}

static void
case_facets_end(JsonBuilder *b)
{
	json_builder_end_array(b);
	json_builder_end_object(b);
}

/* Adds a ContentDataFacet with SHA-256 (when known) and size. */
static void
case_content_facet(JsonBuilder *b, const char *key, const char *sha256,
		   gint64 size, const char *mime_type)
{
	char *id = case_node_id("content-data-facet", key);

	case_node_begin(b, id, "observable:ContentDataFacet");
	case_string(b, "observable:mimeType", mime_type);
	if (size >= 0)
		case_integer(b, "observable:sizeInBytes", size);
	if (sha256 != NULL && *sha256 != '\0') {
		char *hash_id = case_node_id("hash", key);

		json_builder_set_member_name(b, "observable:hash");
		json_builder_begin_array(b);
		case_node_begin(b, hash_id, "types:Hash");
		case_string(b, "types:hashMethod", "SHA256");
		case_typed(b, "types:hashValue", "xsd:hexBinary", sha256);
		json_builder_end_object(b);
		json_builder_end_array(b);
		g_free(hash_id);
	}
	json_builder_end_object(b);
	g_free(id);
}

/* Adds an EmailAddress and an EmailAccount for address once, and returns
 * the EmailAddress node id (owned by ctx->emitted). */
static const char *
case_address(struct case_ctx *ctx, const char *address, const char *name)
{
	char *key = g_strconcat("address:", address, NULL);
	char *id = case_node_id("EmailAddress", key);
	char *account_id, *facet_id;
	JsonBuilder *b = ctx->b;
	const char *stored = g_hash_table_lookup(ctx->emitted, id);

	if (stored != NULL)
		goto done;
	case_node_begin(b, id, "observable:EmailAddress");
	case_facets_begin(b);
	facet_id = case_node_id("EmailAddressFacet", key);
	case_node_begin(b, facet_id, "observable:EmailAddressFacet");
	case_string(b, "observable:addressValue", address);
	if (name != NULL && *name != '\0')
		case_string(b, "observable:displayName", name);
	json_builder_end_object(b);
	g_free(facet_id);
	case_facets_end(b);

	account_id = case_node_id("EmailAccount", key);
	case_node_begin(b, account_id, "observable:EmailAccount");
	case_facets_begin(b);
	facet_id = case_node_id("EmailAccountFacet", key);
	case_node_begin(b, facet_id, "observable:EmailAccountFacet");
	json_builder_set_member_name(b, "observable:emailAddress");
	case_ref(b, id);
	json_builder_end_object(b);
	case_facets_end(b);
	g_free(facet_id);
	g_free(account_id);

	g_hash_table_insert(ctx->emitted, id, id);
	stored = id;
	id = NULL;
done:
	g_free(id);
	g_free(key);
	return stored;
}

static void
case_relationship(JsonBuilder *b, const char *source, const char *target,
		  const char *key)
{
	char *id = case_node_id("ObservableRelationship", key);

	case_node_begin(b, id, "observable:ObservableRelationship");
	json_builder_set_member_name(b, "core:source");
	case_ref(b, source);
	json_builder_set_member_name(b, "core:target");
	case_ref(b, target);
	case_string(b, "core:kindOfRelationship", "Contained_Within");
	case_typed(b, "core:isDirectional", "xsd:boolean", "true");
	json_builder_end_object(b);
	g_free(id);
}

/* Adds the evidence file once; returns its node id (owned by ctx). */
static const char *
case_evidence(struct case_ctx *ctx, const struct report_row *row)
{
	char *key = g_strdup_printf("evidence:%s", row->evidence_sha256 ?
				    row->evidence_sha256 : row->evidence_path);
	char *id = case_node_id("File", key);
	char *facet_id;
	JsonBuilder *b = ctx->b;
	const char *stored = g_hash_table_lookup(ctx->emitted, id);

	if (stored != NULL) {
		g_free(id);
		g_free(key);
		return stored;
	}
	case_node_begin(b, id, "observable:File");
	case_string(b, "core:description", row->evidence_format);
	case_facets_begin(b);
	facet_id = case_node_id("FileFacet", key);
	case_node_begin(b, facet_id, "observable:FileFacet");
	case_string(b, "observable:filePath", row->evidence_path);
	json_builder_end_object(b);
	case_content_facet(b, key, row->evidence_sha256, -1, NULL);
	case_facets_end(b);
	g_free(facet_id);
	g_free(key);
	g_hash_table_insert(ctx->emitted, id, id);
	return id;
}

static void
case_recipients(struct case_ctx *ctx, const struct report_row *row,
		const char *kind, GPtrArray *ids)
{
	guint i;

	for (i = 0; i < row->recipients->len; i++) {
		const struct report_address *a = row->recipients->pdata[i];
		const char *value = a->address != NULL ? a->address : a->raw;

		if (strcmp(a->kind, kind) == 0 && value != NULL)
			g_ptr_array_add(ids, (gpointer)case_address(ctx, value,
								    a->name));
	}
}

static void
case_ref_list(JsonBuilder *b, const char *name, GPtrArray *ids)
{
	guint i;

	if (ids->len == 0)
		return;
	json_builder_set_member_name(b, name);
	json_builder_begin_array(b);
	for (i = 0; i < ids->len; i++)
		case_ref(b, ids->pdata[i]);
	json_builder_end_array(b);
}

static void
case_message_facet(JsonBuilder *b, const struct report_row *row,
		   const char *key, const char *from_id, GPtrArray **lists)
{
	char *facet_id = case_node_id("EmailMessageFacet", key);
	char *sent = report_format_utc(row->sent_utc);

	case_node_begin(b, facet_id, "observable:EmailMessageFacet");
	if (from_id != NULL) {
		json_builder_set_member_name(b, "observable:from");
		case_ref(b, from_id);
	}
	case_ref_list(b, "observable:to", lists[0]);
	case_ref_list(b, "observable:cc", lists[1]);
	case_ref_list(b, "observable:bcc", lists[2]);
	if (sent != NULL)
		case_typed(b, "observable:sentTime", "xsd:dateTime", sent);
	case_string(b, "observable:subject", row->subject);
	case_string(b, "observable:messageID", row->message_id);
	json_builder_end_object(b);
	g_free(sent);
	g_free(facet_id);
}

static char *
case_message_description(const struct report_row *row)
{
	return g_strdup_printf("status=%s folder=%s locator=%s "
			       "case-db-message-id=%" G_GINT64_FORMAT,
			       row->status ? row->status : "",
			       row->folder ? row->folder : "",
			       row->locator ? row->locator : "", row->id);
}

static void
case_attachment(struct case_ctx *ctx, const struct report_row *row,
		const struct report_attachment *a, const char *key,
		const char *message_id)
{
	char *akey = g_strdup_printf("%s:attachment:%" G_GINT64_FORMAT, key,
				     a->id);
	char *id = case_node_id("File", akey);
	char *facet_id = case_node_id("FileFacet", akey);
	JsonBuilder *b = ctx->b;

	case_node_begin(b, id, "observable:File");
	case_facets_begin(b);
	case_node_begin(b, facet_id, "observable:FileFacet");
	case_string(b, "observable:fileName", a->filename);
	case_integer(b, "observable:sizeInBytes", a->size);
	json_builder_end_object(b);
	case_content_facet(b, akey, a->sha256, a->size, a->magic_type);
	case_facets_end(b);
	case_relationship(b, id, message_id, akey);
	g_free(facet_id);
	g_free(id);
	g_free(akey);
}

static void
case_message(struct case_ctx *ctx, const struct report_row *row)
{
	char *key = g_strdup_printf("message:%s:%s:%" G_GINT64_FORMAT,
				    row->evidence_sha256 ?
				    row->evidence_sha256 : "",
				    row->locator ? row->locator : "", row->id);
	char *id = case_node_id("EmailMessage", key);
	char *rel_key = g_strconcat(key, ":evidence", NULL);
	char *description = case_message_description(row);
	const char *from_id = NULL, *evidence_id;
	GPtrArray *lists[3];
	guint i;

	/* Referenced nodes are written first, as siblings in @graph. */
	if (row->from_addr != NULL)
		from_id = case_address(ctx, row->from_addr, row->from_name);
	for (i = 0; i < 3; i++)
		lists[i] = g_ptr_array_new();
	case_recipients(ctx, row, "to", lists[0]);
	case_recipients(ctx, row, "cc", lists[1]);
	case_recipients(ctx, row, "bcc", lists[2]);
	evidence_id = case_evidence(ctx, row);

	case_node_begin(ctx->b, id, "observable:EmailMessage");
	case_string(ctx->b, "core:description", description);
	case_facets_begin(ctx->b);
	case_message_facet(ctx->b, row, key, from_id, lists);
	case_content_facet(ctx->b, key, row->sha256, row->size, NULL);
	case_facets_end(ctx->b);
	case_relationship(ctx->b, id, evidence_id, rel_key);
	for (i = 0; i < row->attachments->len; i++)
		case_attachment(ctx, row, row->attachments->pdata[i], key, id);

	for (i = 0; i < 3; i++)
		g_ptr_array_free(lists[i], TRUE);
	g_free(description);
	g_free(rel_key);
	g_free(id);
	g_free(key);
}

static void
case_context(JsonBuilder *b)
{
	static const char *const prefixes[][2] = {
		{ "kb", "http://example.org/kb/" },
		{ "core", UCO "core/" },
		{ "observable", UCO "observable/" },
		{ "types", UCO "types/" },
		{ "vocabulary", UCO "vocabulary/" },
		{ "xsd", "http://www.w3.org/2001/XMLSchema#" },
	};
	guint i;

	json_builder_set_member_name(b, "@context");
	json_builder_begin_object(b);
	for (i = 0; i < G_N_ELEMENTS(prefixes); i++)
		case_string(b, prefixes[i][0], prefixes[i][1]);
	json_builder_end_object(b);
}

int
report_export_case_uco(FILE *out, const struct report_timeline *tl,
		       char **error_r)
{
	struct case_ctx ctx;
	JsonGenerator *gen;
	JsonNode *root;
	char *text;
	guint i;

	ctx.b = json_builder_new();
	ctx.emitted = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					    NULL);
	json_builder_begin_object(ctx.b);
	case_context(ctx.b);
	json_builder_set_member_name(ctx.b, "@graph");
	json_builder_begin_array(ctx.b);
	for (i = 0; i < tl->rows->len; i++)
		case_message(&ctx, tl->rows->pdata[i]);
	json_builder_end_array(ctx.b);
	json_builder_end_object(ctx.b);

	root = json_builder_get_root(ctx.b);
	gen = json_generator_new();
	json_generator_set_pretty(gen, TRUE);
	json_generator_set_root(gen, root);
	text = json_generator_to_data(gen, NULL);
	fputs(text, out);
	fputc('\n', out);
	g_free(text);
	json_node_unref(root);
	g_object_unref(gen);
	g_object_unref(ctx.b);
	g_hash_table_destroy(ctx.emitted);
	return report_stream_check(out, "the CASE/UCO export", error_r);
}
