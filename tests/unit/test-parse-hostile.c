/* SPDX-License-Identifier: MIT
 *
 * test-parse-hostile.c - parse_message_bytes() on hostile and damaged
 * input built in memory: over-long headers, deep nesting, NUL and path
 * names, markup in headers, broken charsets, addresses and TNEF, plus
 * parse_transport_headers() and the extension-mismatch check.
 */
#include "tests/unit/parse-test.h"

static struct mt_message *
parse_text(const char *text, size_t len, int *rc_r)
{
	struct mt_message *msg = mt_message_new();
	int rc = parse_message_bytes(text, len, msg);

	if (rc_r != NULL)
		*rc_r = rc;
	return msg;
}

static void
test_long_header_field(void)
{
	GString *raw = g_string_new("Subject: ");
	struct mt_message *msg;
	const struct mt_address *from;

	for (int i = 0; i < 3 * 1024 * 1024; i++)
		g_string_append_c(raw, 'A');
	g_string_append(raw, "\nFrom: a@example.com\n\nbody text\n");
	msg = parse_text(raw->str, raw->len, NULL);
	check_true(test_has_defect(msg, "header-field-truncated"),
		   "long field reported as truncated");
	check_true(msg->subject != NULL &&
		   strlen(msg->subject) <= 1024 * 1024,
		   "long field cut to the limit");
	from = test_find_address(msg, MT_ADDR_FROM, 0);
	check_str(from != NULL ? from->address : NULL, "a@example.com",
		  "field after a long field read");
	check_str(msg->body_text, "body text\n", "body after a long field");
	check_int(msg->size, (gint64)raw->len, "size is of the raw bytes");
	mt_message_free(&msg);
	g_string_free(raw, TRUE);
}

static void
test_many_header_fields(void)
{
	GString *raw = g_string_new("From: a@example.com\n");
	struct mt_message *msg;

	for (int i = 0; i < 30000; i++)
		g_string_append_printf(raw, "X-Junk: %d\n", i);
	g_string_append(raw, "\nbody\n");
	msg = parse_text(raw->str, raw->len, NULL);
	check_true(test_has_defect(msg, "header-fields-dropped"),
		   "fields past the limit reported");
	check_true(test_find_address(msg, MT_ADDR_FROM, 0) != NULL,
		   "fields before the limit read");
	check_str(msg->body_text, "body\n", "body after many fields");
	mt_message_free(&msg);
	g_string_free(raw, TRUE);
}

static void
test_deep_nesting(void)
{
	GString *raw = g_string_new("From: a@example.com\nMIME-Version: 1.0\n");
	struct mt_message *msg;
	int rc, levels = 10000;

	g_string_append(raw, "Content-Type: multipart/mixed; boundary=b0\n\n");
	for (int i = 1; i < levels; i++)
		g_string_append_printf(raw, "--b%d\nContent-Type: multipart/"
				       "mixed; boundary=b%d\n\n", i - 1, i);
	g_string_append_printf(raw, "--b%d\nContent-Type: application/"
			       "octet-stream\n\ndeep\n", levels - 1);
	for (int i = levels - 1; i >= 0; i--)
		g_string_append_printf(raw, "--b%d--\n", i);
	msg = parse_text(raw->str, raw->len, &rc);
	check_int(rc, 0, "deep nesting parses");
	check_true(test_has_defect(msg, "mime-nesting-limit") ||
		   test_has_defect(msg, "mime-nesting-overflow"),
		   "deep nesting reported");
	mt_message_free(&msg);
	g_string_free(raw, TRUE);
}

static const char names_message[] =
	"From: a@example.com\n"
	"Subject: <script>alert(1)</script> =cmd|' /C calc'!A0\n"
	"MIME-Version: 1.0\n"
	"Content-Type: multipart/mixed; boundary=x\n\n"
	"--x\nContent-Type: text/plain\n\nhello\n"
	"--x\nContent-Type: application/octet-stream\n"
	"Content-Disposition: attachment; filename=\"../../x\"\n\n"
	"data\n"
	"--x\nContent-Type: application/octet-stream\n"
	"Content-Disposition: attachment; filename=\"evil\0.exe\"\n\n"
	"data\n"
	"--x--\n";

static void
test_hostile_names(void)
{
	struct mt_message *msg = parse_text(names_message,
					    sizeof(names_message) - 1, NULL);
	const struct mt_attachment *nul = NULL;

	check_str(msg->subject, "<script>alert(1)</script> =cmd|' /C "
		  "calc'!A0", "markup in subject stored as is");
	check_true(test_find_attachment(msg, "../../x") != NULL,
		   "path name kept as found");
	for (guint i = 0; i < msg->attachments->len; i++) {
		const struct mt_attachment *a =
			g_ptr_array_index(msg->attachments, i);

		if (a->filename != NULL && g_str_has_prefix(a->filename,
							    "evil"))
			nul = a;
	}
	check_str(nul != NULL ? nul->filename : NULL, "evil\u2400.exe",
		  "NUL in name shown as U+2400");
	check_true(test_has_defect(msg, "nul-in-header"),
		   "NUL in name reported");
	check_int(msg->attachments->len, 2, "two attachments listed");
	mt_message_free(&msg);
}

static void
test_not_a_message(void)
{
	struct mt_message *msg;
	int rc;

	msg = parse_text("", 0, &rc);
	check_int(rc, -1, "empty input rejected");
	check_true(test_has_defect(msg, "no-header"), "empty input defect");
	check_int(strlen(msg->sha256), 64, "empty input still hashed");
	mt_message_free(&msg);
	msg = parse_text("\x01\x02\x03\xff\xfe binary", 12, &rc);
	check_true(rc == -1 || msg->defects->len > 0,
		   "binary input rejected or reported");
	mt_message_free(&msg);
}

static const char crlf_message[] =
	"From: \"Ann\r\n Example\" <ann@example.com>\r\n"
	"Subject: line one\r\n two\r\n"
	"Date: Mon, 6 Jan 2020 10:00:00 +0000\r\n\r\n"
	"first\r\nsecond\rthird\r\n";

static void
test_crlf(void)
{
	struct mt_message *msg = parse_text(crlf_message,
					    sizeof(crlf_message) - 1, NULL);
	const struct mt_address *from = test_find_address(msg, MT_ADDR_FROM,
							  0);

	check_str(msg->subject, "line one two", "CRLF subject unfolded");
	check_str(msg->body_text, "first\nsecond\nthird\n",
		  "CRLF and CR body made LF");
	check_true(from != NULL && from->name != NULL &&
		   strchr(from->name, '\r') == NULL,
		   "CRLF name has no CR");
	mt_message_free(&msg);
}

static const char charset_message[] =
	"From: =?UTF-8?B?/w==?= <bad@example.com>\n"
	"To: Frank Example\n"
	"Cc: Undisclosed recipients:;\n"
	"Subject: =?x-no-such-charset?Q?abc?=\n"
	"Date: Mon, 6 Jan 2020 10:00:00 +0000\n"
	"X-Note: caf\xe9\n\n"
	"body\n";

static void
test_broken_charsets(void)
{
	struct mt_message *msg = parse_text(charset_message,
					    sizeof(charset_message) - 1, NULL);
	const struct mt_address *from = test_find_address(msg, MT_ADDR_FROM,
							  0);
	const struct mt_address *to = test_find_address(msg, MT_ADDR_TO, 0);

	check_true(test_has_defect(msg, "unknown-charset"),
		   "unknown charset reported");
	check_true(msg->subject != NULL &&
		   g_utf8_validate(msg->subject, -1, NULL),
		   "subject with unknown charset is UTF-8");
	check_true(test_has_defect(msg, "invalid-charset-bytes"),
		   "invalid bytes in charset reported");
	check_str(from != NULL ? from->address : NULL, "bad@example.com",
		  "address with broken name kept");
	check_true(from != NULL && from->raw != NULL &&
		   strstr(from->raw, "=?UTF-8?B?/w==?=") != NULL,
		   "raw header kept with broken name");
	check_true(to != NULL && to->address == NULL,
		   "entry without '@' has no address");
	check_true(test_has_defect(msg, "invalid-address"),
		   "entry without '@' reported");
	check_true(test_find_address(msg, MT_ADDR_CC, 0) == NULL,
		   "empty group adds no address");
	mt_message_free(&msg);
}

static void
test_truncated_multipart(void)
{
	static const char raw[] =
		"From: a@example.com\nMIME-Version: 1.0\n"
		"Content-Type: multipart/mixed; boundary=zz\n\n"
		"--zz\nContent-Type: text/plain\n\nhi\n"
		"--zz\nContent-Type: application/pdf; name=a.pdf\n"
		"Content-Transfer-Encoding: base64\n\nJVBERi0xLjQK";
	struct mt_message *msg = parse_text(raw, sizeof(raw) - 1, NULL);
	const struct mt_attachment *a = test_find_attachment(msg, "a.pdf");

	check_true(a != NULL, "attachment of truncated message listed");
	check_int(a != NULL ? a->size : -1, 9, "truncated attachment size");
	mt_message_free(&msg);
}

static void
test_ext_mismatch(void)
{
	/* A zip with one stored file, written by Python's zipfile. */
	static const unsigned char zip[] =
		"\x50\x4b\x03\x04\x14\x00\x00\x00\x00\x00\x1d\x7c\x84\x5d\x20\x30"
		"\x3a\x36\x06\x00\x00\x00\x06\x00\x00\x00\x09\x00\x00\x00\x68\x65"
		"\x6c\x6c\x6f\x2e\x74\x78\x74\x68\x65\x6c\x6c\x6f\x0a\x50\x4b\x01"
		"\x02\x14\x03\x14\x00\x00\x00\x00\x00\x1d\x7c\x84\x5d\x20\x30\x3a"
		"\x36\x06\x00\x00\x00\x06\x00\x00\x00\x09\x00\x00\x00\x00\x00\x00"
		"\x00\x00\x00\x00\x00\xa4\x81\x00\x00\x00\x00\x68\x65\x6c\x6c\x6f"
		"\x2e\x74\x78\x74\x50\x4b\x05\x06\x00\x00\x00\x00\x01\x00\x01\x00"
		"\x37\x00\x00\x00\x2d\x00\x00\x00\x00\x00";
	static const unsigned char pdf[] = "%PDF-1.4\n1 0 obj<<>>endobj\n";
	static const unsigned char text[] = "plain words, nothing else\n";
	struct mt_attachment att = { 0 };

	parse_describe_bytes(zip, sizeof(zip) - 1, "report.pdf", &att);
	check_true(att.ext_mismatch, ".pdf holding a zip is a mismatch");
	check_true(att.magic_desc != NULL &&
		   strstr(att.magic_desc, "encrypted") == NULL,
		   "plain zip not called encrypted");

	unsigned char locked[sizeof(zip)];

	/* General purpose flag bit 0 marks an encrypted entry; it is set in
	 * the local and the central header. */
	memcpy(locked, zip, sizeof(zip));
	locked[6] = 0x01;
	locked[45 + 8] = 0x01;   /* central header at offset 45 */
	parse_describe_bytes(locked, sizeof(locked) - 1, "x.zip", &att);
	check_true(att.magic_desc != NULL &&
		   strstr(att.magic_desc, "encrypted zip") != NULL,
		   "encrypted zip named in description");
	parse_describe_bytes(pdf, sizeof(pdf) - 1, "report.pdf", &att);
	check_str(att.magic_type, "application/pdf", "pdf magic type");
	check_true(!att.ext_mismatch, ".pdf holding a pdf matches");
	parse_describe_bytes(text, sizeof(text) - 1, "notes.csv", &att);
	check_true(!att.ext_mismatch, "text in .csv matches");
	parse_describe_bytes(text, sizeof(text) - 1, "image.png", &att);
	check_true(att.ext_mismatch, "text in .png is a mismatch");
	parse_describe_bytes(text, sizeof(text) - 1, "no-extension", &att);
	check_true(!att.ext_mismatch, "name without extension matches");
	check_int(att.size, sizeof(text) - 1, "describe sets size");
	/* Hash from sha256sum(1) of the same bytes. */
	check_str(att.sha256, "2a58ca0fb09e836c8f8dc6483eb69714a1e0818842a21c70ce38d728f824bc3e",
		  "describe sets sha256");
	g_free(att.magic_type);
	g_free(att.magic_desc);
}

static void
test_transport_headers(void)
{
	static const char headers[] =
		"Received: from a.example.org by b.example.org; "
		"Tue, 7 Jan 2020 09:00:05 +0000\r\n"
		"Message-ID: <abc@example.com>\r\n"
		"In-Reply-To: <parent@example.com>\r\n"
		"References: <root@example.com> <parent@example.com>\r\n"
		"Date: Tue, 7 Jan 2020 10:00:00 +0100\r\n"
		"To: someone@example.org\r\n"
		"Cc: other@example.org\r\n";
	struct mt_message *msg = mt_message_new();
	const struct mt_address *cc;

	mt_message_add_address(msg, MT_ADDR_TO, "Someone", "mapi@example.org",
			       NULL);
	msg->subject = g_strdup("from MAPI");
	parse_transport_headers(headers, sizeof(headers) - 1, msg);
	check_str(msg->message_id, "abc@example.com", "transport message-id");
	check_str(msg->in_reply_to, "parent@example.com",
		  "transport in-reply-to");
	check_str(msg->references, "root@example.com parent@example.com",
		  "transport references");
	check_str(msg->subject, "from MAPI", "transport keeps MAPI subject");
	check_str(test_find_address(msg, MT_ADDR_TO, 1) != NULL
		  ? "added" : "kept", "kept", "transport keeps MAPI To");
	cc = test_find_address(msg, MT_ADDR_CC, 0);
	check_str(cc != NULL ? cc->address : NULL, "other@example.org",
		  "transport adds missing Cc");
	check_true(mt_message_find_time(msg, MT_TIME_DATE) != NULL,
		   "transport adds Date");
	check_true(mt_message_find_time(msg, MT_TIME_RECEIVED_FIRST) != NULL,
		   "transport adds Received");
	check_true(msg->has_transport_headers, "transport flag set");
	mt_message_free(&msg);
}

static void
test_address_salvage(void)
{
	static const char raw[] =
		"Delivered-To: mailing list list@example.org\n"
		"To: bob@example.org; carol@example.org\n"
		"From: a@example.com\n\nbody\n";
	struct mt_message *msg = parse_text(raw, sizeof(raw) - 1, NULL);
	const struct mt_address *delivered =
		test_find_address(msg, MT_ADDR_DELIVERED_TO, 0);
	int to = 0;

	check_str(delivered != NULL ? delivered->address : NULL,
		  "list@example.org", "address taken from prose field");
	check_true(test_find_address(msg, MT_ADDR_DELIVERED_TO, 1) == NULL,
		   "prose words are no addresses");
	for (guint i = 0; i < msg->addresses->len; i++) {
		const struct mt_address *a =
			g_ptr_array_index(msg->addresses, i);

		to += a->kind == MT_ADDR_TO && a->address != NULL;
	}
	check_int(to, 2, "semicolon list gives both addresses");
	mt_message_free(&msg);
}

static void
tnef_append_attribute(GByteArray *out, guint8 level, guint32 id,
		      const void *data, guint32 len)
{
	const guint8 *bytes = data;
	guint16 sum = 0;
	guint8 head[9] = { level, id, id >> 8, id >> 16, id >> 24,
			   len, len >> 8, len >> 16, len >> 24 };
	guint8 checksum[2];

	/* The checksum is the sum of the data bytes modulo 65536. */
	for (guint32 i = 0; i < len; i++)
		sum = (guint16)(sum + bytes[i]);
	checksum[0] = (guint8)sum;
	checksum[1] = (guint8)(sum >> 8);
	g_byte_array_append(out, head, 9);
	g_byte_array_append(out, bytes, len);
	g_byte_array_append(out, checksum, 2);
}

/* A winmail.dat built attribute by attribute: the body in attBody
 * and one attachment with only an 8.3 title, then a stream cut short. */
static void
test_tnef_body_and_truncation(void)
{
	static const guint8 signature[6] = { 0x78, 0x9f, 0x3e, 0x22, 1, 0 };
	static const char body[] = "Body only in TNEF\r\n";
	static const guint8 rend[14] = { 1 };
	GByteArray *tnef = g_byte_array_new();
	char *b64, *raw;
	struct mt_message *msg;
	const struct mt_attachment *a;

	g_byte_array_append(tnef, signature, sizeof(signature));
	tnef_append_attribute(tnef, 1, 0x0002800C, body, sizeof(body) - 1);
	tnef_append_attribute(tnef, 2, 0x00069002, rend, sizeof(rend));
	tnef_append_attribute(tnef, 2, 0x00018010, "A.TXT", 6);
	tnef_append_attribute(tnef, 2, 0x0006800F, "abc", 3);
	tnef_append_attribute(tnef, 2, 0x00069002, rend, sizeof(rend));
	tnef_append_attribute(tnef, 2, 0x00018010, "B.TXT", 6);
	g_byte_array_append(tnef, (const guint8 *)"\x02\x0f\x80\x06\x00"
			    "\xff\xff\x00\x00", 9);
	b64 = g_base64_encode(tnef->data, tnef->len);
	raw = g_strdup_printf("From: a@example.com\nMIME-Version: 1.0\n"
			      "Content-Type: application/ms-tnef; "
			      "name=winmail.dat\n"
			      "Content-Transfer-Encoding: base64\n\n%s\n", b64);
	msg = parse_text(raw, strlen(raw), NULL);
	check_str(msg->body_text, "Body only in TNEF\n", "TNEF body used");
	a = test_find_attachment(msg, "A.TXT");
	check_int(a != NULL ? a->size : -1, 3, "TNEF title-only child");
	check_int(a != NULL ? a->depth : -1, 1, "TNEF child depth");
	check_true(test_find_attachment(msg, "B.TXT") != NULL,
		   "TNEF child before the cut listed");
	check_true(test_has_defect(msg, "truncated-tnef"),
		   "TNEF cut short reported");
	mt_message_free(&msg);
	g_free(raw);
	g_free(b64);
	g_byte_array_unref(tnef);
}

static int
count_defects(const struct mt_message *msg, const char *code)
{
	int n = 0;

	for (guint i = 0; i < msg->defects->len; i++) {
		const struct mt_defect *d = g_ptr_array_index(msg->defects, i);

		n += strcmp(d->code, code) == 0;
	}
	return n;
}

/* Repeated damage gives one defect per header, not one per entry. */
static void
test_defects_summarised(void)
{
	GString *raw = g_string_new("From: a@example.com\nTo: ");
	struct mt_message *msg;

	for (int i = 0; i < 500; i++)
		g_string_append_printf(raw, "%snobody%d", i ? ", " : "", i);
	g_string_append(raw, "\n");
	for (int i = 0; i < 500; i++)
		g_string_append(raw, "Received: from x by y; not a date\n");
	g_string_append(raw, "\nbody\n");
	msg = parse_text(raw->str, raw->len, NULL);
	check_int(count_defects(msg, "invalid-received-date"), 1,
		  "unreadable Received dates summarised");
	check_true(count_defects(msg, "invalid-address") <= 1,
		   "invalid entries summarised");
	check_true(test_find_address(msg, MT_ADDR_TO, 0) != NULL,
		   "invalid entries kept");
	mt_message_free(&msg);
	g_string_free(raw, TRUE);
}

static void
test_blank_plain_beside_html(void)
{
	static const char raw[] =
		"From: a@example.com\nMIME-Version: 1.0\n"
		"Content-Type: multipart/alternative; boundary=q\n\n"
		"--q\nContent-Type: text/plain\n\n \n"
		"--q\nContent-Type: text/html\n\n"
		"<p>Real &amp; visible</p><script>hidden()</script>\n"
		"--q--\n";
	struct mt_message *msg = parse_text(raw, sizeof(raw) - 1, NULL);

	check_str(msg->body_text, "\nReal & visible\n",
		  "blank text part gives way to html");
	check_true(msg->body_html_size > 0, "html size counted");
	mt_message_free(&msg);
}

/* An attached message in base64 (RFC 2046 forbids it, mailers do it)
 * and a .eml sent as application/octet-stream. */
static void
test_encoded_messages(void)
{
	static const char inner[] =
		"From: inner@example.com\nSubject: inner\nMIME-Version: 1.0\n"
		"Content-Type: multipart/mixed; boundary=in\n\n"
		"--in\nContent-Type: text/plain\n\nhi\n"
		"--in\nContent-Type: application/octet-stream; name=deep.bin\n"
		"Content-Disposition: attachment; filename=deep.bin\n\n"
		"deep data\n--in--\n";
	char *b64 = g_base64_encode((const guchar *)inner, strlen(inner));
	char *raw = g_strdup_printf(
		"From: a@example.com\nMIME-Version: 1.0\n"
		"Content-Type: multipart/mixed; boundary=x\n\n"
		"--x\nContent-Type: message/rfc822\n"
		"Content-Transfer-Encoding: base64\n\n%s\n"
		"--x\nContent-Type: application/octet-stream; name=fwd.eml\n"
		"Content-Transfer-Encoding: base64\n\n%s\n--x--\n", b64, b64);
	struct mt_message *msg = parse_text(raw, strlen(raw), NULL);
	int messages = 0, children = 0;

	for (guint i = 0; i < msg->attachments->len; i++) {
		const struct mt_attachment *a =
			g_ptr_array_index(msg->attachments, i);

		if (a->is_message && a->depth == 0 &&
		    a->size == (gint64)strlen(inner))
			messages++;
		if (g_strcmp0(a->filename, "deep.bin") == 0 && a->depth == 1 &&
		    a->parent >= 0)
			children++;
	}
	check_int(messages, 2, "encoded messages marked as messages");
	check_int(children, 2, "encoded messages' attachments listed");
	mt_message_free(&msg);
	g_free(raw);
	g_free(b64);
}

int
main(void)
{
	if (parse_init() != 0) {
		printf("not ok - parse_init\n");
		return 1;
	}
	test_long_header_field();
	test_many_header_fields();
	test_deep_nesting();
	test_hostile_names();
	test_not_a_message();
	test_crlf();
	test_broken_charsets();
	test_truncated_multipart();
	test_ext_mismatch();
	test_transport_headers();
	test_encoded_messages();
	test_address_salvage();
	test_tnef_body_and_truncation();
	test_defects_summarised();
	test_blank_plain_beside_html();
	parse_shutdown();
	return test_failures > 0 ? 1 : 0;
}
