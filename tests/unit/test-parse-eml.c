/* SPDX-License-Identifier: MIT
 *
 * test-parse-eml.c - parse_message_bytes() on the shared real-world EML
 * fixtures.  Names, From and Subject are the values the fixtures' notes
 * record from Python 3.11's email package; sizes and hashes of base64
 * attachments were computed with the same package (get_payload with
 * decode=True), and the message/rfc822 counts from its walk().
 */
#include "tests/unit/parse-test.h"

struct expected_attachment {
	const char *filename;
	gint64 size;
	const char *sha256;    /* NULL when not checked */
	int depth;
};

struct eml_case {
	const char *file;
	const char *from;
	const char *subject;
	int rfc822_parts;
	struct expected_attachment attachments[3];
};

static const struct eml_case eml_cases[] = {
	{ "fixtures/eml/mail_attachment_message_rfc822.eml",
	  "foo@example.com", "testing", 1,
	  /* The raw part between its blank line and the next boundary,
	   * cut out with Python: the attached message as transmitted. */
	  { { "ForwardedMessage.eml", 3781, "0f2620525dd3aea09d699a09749a7e00"
					    "b1df49a99c70d2a42711742007a8f2fd",
	      0 },
	    { "broken.pdf", 1026, "c7d1b9b20df8a2bf2f1e0d00d84bcb56d05e56a0"
				  "44be7f3616f6e99f4a18bd0d", 1 } } },
	/* Python reads the CRLF text as 10 bytes; the part contains 11. */
	{ "fixtures/eml/mail_attachment_nonascii_filename.eml",
	  "foo@example.com", "testing", 0,
	  { { "ci\u00eble.txt", 11, NULL, 0 } } },
	{ "fixtures/eml/mail_attachment_pdf.eml", "xxxx@xxxx.com",
	  "Another PDF with \U0001F389 Unicode chars in it \U0001F37F", 0,
	  { { "broken.pdf", 1026, "c7d1b9b20df8a2bf2f1e0d00d84bcb56d05e56a0"
				  "44be7f3616f6e99f4a18bd0d", 0 } } },
	{ "fixtures/eml/tb_10-plaintext+(HTML+embedded-image)+attachment.eml",
	  "test@example.com",
	  "10 plaintext + (HTML + embedded image) + attachment", 0,
	  { { "kigaaldcbanejcbi.png", 242, "fe2ad3fd311e72a96df7ca8c6158b2b8"
					   "e15518d73665b921d4e8e71a793c82ea",
	      0 },
	    { "attach2.png", 158, "e9ad657b559d8a6b273593cc7d08b6e2e46495fd"
				  "c341345fb6eb5ba7ec96d80f", 0 } } },
	{ "fixtures/eml/tb_mime-torture.eml", "mrc@cac.washington.edu",
	  "Multi-media mail demonstration ", 10,
	  { { "Alices_PDP-10", 13448, "ccec8fb1a29891b1f72978f3b142a0d37957"
				      "1448c20f743ea02ebeaee21b6b20", 1 } } },
	{ "fixtures/eml/tika_testRFC822_multipart_attachments.eml",
	  "bugs.bunny@acme.com", "EML 1", 0,
	  { { "Test TxtA.txt", 33, "710b0ea810c12c93cae9982b60ca333e5302e72b"
				   "8948b194f611513d4737c97d", 0 },
	    { "Test TxtB.txt", 33, "41b47f8d34c25c3321a842944692ede16784b17e"
				   "404531b97ade8ac19fcaa478", 0 } } },
};

static void
check_expected_attachment(const struct mt_message *msg, const char *base,
			  const struct expected_attachment *e)
{
	const struct mt_attachment *a = test_find_attachment(msg, e->filename);
	char *name = g_strdup_printf("%s has '%s'", base, e->filename);

	check_true(a != NULL, name);
	g_free(name);
	if (a == NULL)
		return;
	if (e->size >= 0) {
		name = g_strdup_printf("%s '%s' size", base, e->filename);
		check_int(a->size, e->size, name);
		g_free(name);
	}
	if (e->sha256 != NULL) {
		name = g_strdup_printf("%s '%s' sha256", base, e->filename);
		check_str(a->sha256, e->sha256, name);
		g_free(name);
	}
	name = g_strdup_printf("%s '%s' depth", base, e->filename);
	check_int(a->depth, e->depth, name);
	g_free(name);
}

static void
check_eml_case(const struct eml_case *c)
{
	struct mt_message *msg = test_parse_shared(c->file);
	const char *base = strrchr(c->file, '/') + 1;
	const struct mt_address *from;
	int rfc822 = 0;
	char *name;

	if (msg == NULL)
		return;
	from = test_find_address(msg, MT_ADDR_FROM, 0);
	name = g_strdup_printf("%s from", base);
	check_str(from != NULL ? from->address : NULL, c->from, name);
	g_free(name);
	name = g_strdup_printf("%s subject", base);
	check_str(msg->subject, c->subject, name);
	g_free(name);
	for (size_t i = 0; i < G_N_ELEMENTS(c->attachments) &&
	     c->attachments[i].filename != NULL; i++)
		check_expected_attachment(msg, base, &c->attachments[i]);
	for (guint i = 0; i < msg->attachments->len; i++) {
		const struct mt_attachment *a =
			g_ptr_array_index(msg->attachments, i);

		rfc822 += a->is_message;
		name = g_strdup_printf("%s attachment %u parent precedes it",
				       base, i);
		check_true(a->parent < (int)i, name);
		g_free(name);
	}
	name = g_strdup_printf("%s message/rfc822 parts", base);
	check_int(rfc822, c->rfc822_parts, name);
	g_free(name);
	name = g_strdup_printf("%s sha256 of raw bytes set", base);
	check_int(strlen(msg->sha256), 64, name);
	g_free(name);
	name = g_strdup_printf("%s content key set", base);
	check_int(strlen(msg->content_key), 64, name);
	g_free(name);
	mt_message_free(&msg);
}

/* tb_10: the text/plain part is the body, the HTML only counted. */
static void
check_tb10_body(void)
{
	struct mt_message *msg = test_parse_shared(
		"fixtures/eml/tb_10-plaintext+(HTML+embedded-image)+"
		"attachment.eml");

	if (msg == NULL)
		return;
	check_true(msg->body_text != NULL && strchr(msg->body_text, '<') ==
		   NULL, "tb_10 body is the plain text");
	check_true(msg->body_html_size > 0, "tb_10 html size counted");
	check_true(msg->body_text != NULL && strchr(msg->body_text, '\r') ==
		   NULL, "tb_10 body has LF line ends only");
	mt_message_free(&msg);
}

int
main(void)
{
	if (parse_init() != 0) {
		printf("not ok - parse_init\n");
		return 1;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(eml_cases); i++)
		check_eml_case(&eml_cases[i]);
	check_tb10_body();
	parse_shutdown();
	return test_failures > 0 ? 1 : 0;
}
