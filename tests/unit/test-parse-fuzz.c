/* SPDX-License-Identifier: MIT
 *
 * test-parse-fuzz.c - parse_message_bytes() on mutated copies of the
 * shared cases and fixtures.  Mutations come from a fixed seed, so every
 * run checks the same inputs.  Each result must keep the record's
 * invariants: valid UTF-8, no CR or LF in header values, addresses with
 * exactly one '@', attachments after their parent, 64-digit hashes.
 */
#include "tests/unit/parse-test.h"

#define FUZZ_ROUNDS 150

static const char *const fuzz_inputs[] = {
	"cases/01-rfc2047-split-multibyte/input.eml",
	"cases/03-rfc2231-continuation-split-utf8/input.eml",
	"cases/12-base64-with-garbage/input.eml",
	"cases/13-uuencoded-inline-attachment/input.eml",
	"cases/14-tnef-winmail-dat/input.eml",
	"cases/16-address-lists-groups-commas/input.eml",
	"fixtures/eml/mail_attachment_message_rfc822.eml",
	"fixtures/eml/mail_attachment_nonascii_filename.eml",
	"fixtures/eml/tb_10-plaintext+(HTML+embedded-image)+attachment.eml",
	"fixtures/eml/tika_testRFC822_multipart_attachments.eml",
};

/* Fragments that steer mutations into the parsers' special paths. */
static const char *const fuzz_tokens[] = {
	"=?UTF-8?B?", "?=", "=?x-bad?Q?=C3", "\n--", "\r\n", "\n\n", "\0",
	"begin 644 f\n", "\nend\n", "M", "\x78\x9f\x3e\x22\x01\x00",
	"\x02\x02\x90\x06\x00", "Content-Type: multipart/mixed; boundary=",
	"message/rfc822", "base64", ";", ":", "\"", "(", "<", "@", "\xff",
	"filename*0*=UTF-8''%C3", "Date: 1 Jan 99 00:00 A\n",
};

static void
fuzz_mutate(GRand *rand, GByteArray *bytes)
{
	guint pos = bytes->len > 0 ? g_rand_int_range(rand, 0,
						      (gint32)bytes->len) : 0;
	const char *token;

	switch (g_rand_int_range(rand, 0, 4)) {
	case 0:
		if (bytes->len > 0)
			bytes->data[pos] ^= (guint8)g_rand_int_range(rand, 1,
								     256);
		break;
	case 1:
		token = fuzz_tokens[g_rand_int_range(
			rand, 0, G_N_ELEMENTS(fuzz_tokens))];
		g_array_insert_vals((GArray *)bytes, pos, token,
				    MAX(strlen(token), 1));
		break;
	case 2:
		g_byte_array_set_size(bytes, pos);
		break;
	default:
		if (bytes->len > pos + 64)
			g_byte_array_remove_range(bytes, pos, 64);
		break;
	}
}

static gboolean
fuzz_text_ok(const char *s, gboolean single_line)
{
	if (s == NULL)
		return TRUE;
	if (!g_utf8_validate(s, -1, NULL))
		return FALSE;
	return !single_line || strpbrk(s, "\r\n") == NULL;
}

static gboolean
fuzz_address_ok(const struct mt_address *a)
{
	const char *at;

	if (!fuzz_text_ok(a->name, TRUE) || !fuzz_text_ok(a->raw, FALSE) ||
	    !fuzz_text_ok(a->group, TRUE))
		return FALSE;
	if (a->address == NULL)
		return TRUE;
	at = strchr(a->address, '@');
	return at != NULL && at != a->address && at[1] != '\0' &&
	       strchr(at + 1, '@') == NULL && fuzz_text_ok(a->address, TRUE);
}

static const char *
fuzz_check_record(const struct mt_message *msg)
{
	if (!fuzz_text_ok(msg->subject, TRUE))
		return "subject invalid";
	if (!fuzz_text_ok(msg->date_raw, TRUE))
		return "date invalid";
	if (!fuzz_text_ok(msg->message_id, TRUE) ||
	    !fuzz_text_ok(msg->in_reply_to, TRUE) ||
	    !fuzz_text_ok(msg->references, TRUE))
		return "message ids invalid";
	if (!fuzz_text_ok(msg->body_text, FALSE) ||
	    (msg->body_text != NULL && strchr(msg->body_text, '\r') != NULL))
		return "body text invalid";
	if (strlen(msg->sha256) != 64)
		return "message hash missing";
	for (guint i = 0; i < msg->addresses->len; i++)
		if (!fuzz_address_ok(g_ptr_array_index(msg->addresses, i))) {
			const struct mt_address *a =
				g_ptr_array_index(msg->addresses, i);

			printf("# address '%s' name '%s'\n", a->address,
			       a->name);
			return "address invalid";
		}
	for (guint i = 0; i < msg->attachments->len; i++) {
		const struct mt_attachment *a =
			g_ptr_array_index(msg->attachments, i);

		if (a->parent >= (int)i || a->depth < 0)
			return "attachment order invalid";
		if (strlen(a->sha256) != 64)
			return "attachment hash missing";
		if (!fuzz_text_ok(a->filename, FALSE) ||
		    !fuzz_text_ok(a->declared_type, TRUE) ||
		    !fuzz_text_ok(a->content_id, TRUE) ||
		    !fuzz_text_ok(a->disposition, TRUE))
			return "attachment text invalid";
	}
	for (guint i = 0; i < msg->defects->len; i++) {
		const struct mt_defect *d = g_ptr_array_index(msg->defects, i);

		if (!fuzz_text_ok(d->detail, FALSE)) {
			printf("# %s: %s\n", d->code, d->detail);
			return "defect detail invalid";
		}
	}
	return NULL;
}

static void
fuzz_input(const char *relative, GRand *rand)
{
	gsize len = 0;
	char *data = test_read_shared(relative, &len);
	const char *failure = NULL;
	int round;

	if (data == NULL)
		return;
	for (round = 0; round < FUZZ_ROUNDS && failure == NULL; round++) {
		GByteArray *bytes = g_byte_array_new();
		struct mt_message *msg = mt_message_new();
		int mutations = g_rand_int_range(rand, 1, 6);

		g_byte_array_append(bytes, (const guint8 *)data, (guint)len);
		for (int m = 0; m < mutations; m++)
			fuzz_mutate(rand, bytes);
		parse_message_bytes((const char *)bytes->data, bytes->len, msg);
		failure = fuzz_check_record(msg);
		mt_message_free(&msg);
		g_byte_array_unref(bytes);
	}
	char *folder = g_path_get_dirname(relative);
	char *name = g_strdup_printf("fuzz %s keeps invariants",
				     strrchr(relative, '/') + 1);

	/* Case inputs are all input.eml, so the folder names them. */
	if (g_str_has_prefix(relative, "cases/")) {
		g_free(name);
		name = g_strdup_printf("fuzz %s keeps invariants",
				       folder + strlen("cases/"));
	}
	g_free(folder);

	check_true(failure == NULL, name);
	if (failure != NULL)
		printf("# round %d: %s\n", round - 1, failure);
	g_free(name);
	g_free(data);
}

int
main(void)
{
	GRand *rand = g_rand_new_with_seed(20261204);

	if (parse_init() != 0) {
		printf("not ok - parse_init\n");
		return 1;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(fuzz_inputs); i++)
		fuzz_input(fuzz_inputs[i], rand);
	g_rand_free(rand);
	parse_shutdown();
	return test_failures > 0 ? 1 : 0;
}
