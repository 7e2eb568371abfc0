/* SPDX-License-Identifier: MIT
 *
 * test-parse-rtf.c - parse_rtf_compressed_to_text() on compressed RTF:
 * a published compressed example, uncompressed
 * ('MELA') bodies that exercise the RTF reader, and damaged input.
 */
#include "tests/unit/parse-test.h"

/* "{\rtf1 WXYZWXYZWXYZWXYZWXYZ}" compressed, as printed in the xrtf
 * Python package's documentation; its run references bytes written
 * earlier in the same stream. */
static const unsigned char compressed_example[] =
	"\x1a\x00\x00\x00\x1c\x00\x00\x00\x4c\x5a\x46\x75\xe2\xd4\x4b\x51"
	"\x41\x00\x04\x20\x57\x58\x59\x5a\x0d\x6e\x7d\x01\x0e\xb0";

/* Wraps rtf in an uncompressed ('MELA') PR_RTF_COMPRESSED header. */
static GByteArray *
rtf_uncompressed(const char *rtf)
{
	GByteArray *out = g_byte_array_new();
	guint32 raw = (guint32)strlen(rtf), comp = raw + 12;
	guint8 header[16] = { comp, comp >> 8, comp >> 16, comp >> 24,
			      raw, raw >> 8, raw >> 16, raw >> 24,
			      'M', 'E', 'L', 'A', 0, 0, 0, 0 };

	g_byte_array_append(out, header, 16);
	g_byte_array_append(out, (const guint8 *)rtf, raw);
	return out;
}

static void
check_rtf_text(const char *rtf, const char *expected, const char *name)
{
	GByteArray *data = rtf_uncompressed(rtf);
	char *text = parse_rtf_compressed_to_text(data->data, data->len);

	check_str(text, expected, name);
	g_free(text);
	g_byte_array_unref(data);
}

static void
test_compressed_example(void)
{
	char *text = parse_rtf_compressed_to_text(
		compressed_example, sizeof(compressed_example) - 1);

	check_str(text, "WXYZWXYZWXYZWXYZWXYZ", "rtf spec example decoded");
	g_free(text);
}

static void
test_reader(void)
{
	check_rtf_text("{\\rtf1\\ansi\\ansicpg1252 Gr\\'fc\\'dfe\\par next}",
		       "Gr\u00fc\u00dfe\nnext", "rtf code page bytes");
	check_rtf_text("{\\rtf1{\\fonttbl{\\f0 Arial;}}{\\colortbl;\\red0;}"
		       "Body}", "Body", "rtf tables skipped");
	check_rtf_text("{\\rtf1\\uc1 price \\u8364?5}", "price \u20ac5",
		       "rtf unicode with fallback");
	check_rtf_text("{\\rtf1{\\*\\htmltag <p>}\\htmlrtf {x}\\htmlrtf0 "
		       "text\\line two}", "text\ntwo",
		       "rtf encapsulated html");
	check_rtf_text("{\\rtf1 a\\{b\\}c\\\\d\\tab e}", "a{b}c\\d\te",
		       "rtf escaped symbols");
}

static void
test_damaged(void)
{
	unsigned char copy[sizeof(compressed_example)];
	char *text;

	text = parse_rtf_compressed_to_text(compressed_example, 20);
	check_true(text == NULL, "rtf truncated stream rejected");
	g_free(text);
	memcpy(copy, compressed_example, sizeof(copy));
	copy[8] = 'X';
	text = parse_rtf_compressed_to_text(copy, sizeof(copy) - 1);
	check_true(text == NULL, "rtf unknown type rejected");
	g_free(text);
	memcpy(copy, compressed_example, sizeof(copy));
	copy[7] = 0x7f;   /* raw size of about 2 GB */
	text = parse_rtf_compressed_to_text(copy, sizeof(copy) - 1);
	check_true(text == NULL, "rtf huge raw size rejected");
	g_free(text);
	text = parse_rtf_compressed_to_text(compressed_example, 3);
	check_true(text == NULL, "rtf short header rejected");
	g_free(text);
}

int
main(void)
{
	if (parse_init() != 0) {
		printf("not ok - parse_init\n");
		return 1;
	}
	test_compressed_example();
	test_reader();
	test_damaged();
	parse_shutdown();
	return test_failures > 0 ? 1 : 0;
}
