/* SPDX-License-Identifier: MIT
 *
 * base64.c - lenient base64 as RFC 2045 section 6.8 describes it.  GMime
 * drops the last octet of a quantum that lacks its padding, so parse/
 * decodes base64 parts here from the raw part content instead.
 */
#include "parse/parse-private.h"

/* Sextet value plus one of each byte; 0 marks a byte outside the base64
 * alphabet, so the table needs no range initialiser. */
static const unsigned char base64_table[256] = {
	['A'] = 1, ['B'] = 2, ['C'] = 3, ['D'] = 4, ['E'] = 5, ['F'] = 6,
	['G'] = 7, ['H'] = 8, ['I'] = 9, ['J'] = 10, ['K'] = 11, ['L'] = 12,
	['M'] = 13, ['N'] = 14, ['O'] = 15, ['P'] = 16, ['Q'] = 17,
	['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22,
	['W'] = 23, ['X'] = 24, ['Y'] = 25, ['Z'] = 26, ['a'] = 27,
	['b'] = 28, ['c'] = 29, ['d'] = 30, ['e'] = 31, ['f'] = 32,
	['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36, ['k'] = 37,
	['l'] = 38, ['m'] = 39, ['n'] = 40, ['o'] = 41, ['p'] = 42,
	['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47,
	['v'] = 48, ['w'] = 49, ['x'] = 50, ['y'] = 51, ['z'] = 52,
	['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56, ['4'] = 57,
	['5'] = 58, ['6'] = 59, ['7'] = 60, ['8'] = 61, ['9'] = 62,
	['+'] = 63, ['/'] = 64,
};

static inline int
base64_value(unsigned char c)
{
	return (int)base64_table[c] - 1;
}

static gboolean
base64_is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Counts base64 letters after the padding, a footer a gateway added. */
static size_t
base64_count_trailing(const unsigned char *in, size_t len, size_t from)
{
	size_t count = 0;

	for (size_t i = from; i < len; i++)
		if (base64_value(in[i]) >= 0)
			count++;
	return count;
}

static void
base64_report(struct mt_message *msg, const char *part, size_t invalid,
	      size_t trailing, int leftover)
{
	if (msg == NULL)
		return;
	if (invalid > 0)
		parse_defect(msg, "warning",
			     "invalid-base64-characters",
			     "%s: %zu bytes outside the base64 "
			     "alphabet were ignored", part, invalid);
	if (trailing > 0)
		parse_defect(msg, "note", "base64-data-after-padding",
			     "%s: %zu base64 characters after the "
			     "padding were not decoded", part,
			     trailing);
	if (leftover == 1)
		parse_defect(msg, "warning", "truncated-base64",
			     "%s: a lone final base64 character "
			     "holds no whole octet and was dropped",
			     part);
	else if (leftover > 1)
		parse_defect(msg, "warning", "missing-base64-padding",
			     "%s: the final quantum has no '=' "
			     "padding; its %d octet(s) were kept",
			     part, leftover - 1);
}

GByteArray *
parse_base64_decode(const unsigned char *in, size_t len, const char *part,
		    struct mt_message *msg)
{
	GByteArray *out = g_byte_array_sized_new((guint)(len / 4 * 3 + 3));
	guint8 *dst = out->data;
	guint32 quantum = 0;
	int sextets = 0;
	size_t invalid = 0, i;
	gboolean padded = FALSE;

	/* Decoded bytes are written straight into the array, which has room
	 * for 3 bytes per 4 input bytes. */
	for (i = 0; i < len; i++) {
		int v = base64_value(in[i]);

		if (v < 0) {
			if (in[i] == '=') {
				padded = TRUE;
				break;
			}
			invalid += !base64_is_space(in[i]);
			continue;
		}
		quantum = quantum << 6 | (guint32)v;
		if (++sextets == 4) {
			*dst++ = (guint8)(quantum >> 16);
			*dst++ = (guint8)(quantum >> 8);
			*dst++ = (guint8)quantum;
			quantum = 0;
			sextets = 0;
		}
	}
	/* Two sextets hold one octet and three hold two, padded or not. */
	if (sextets >= 2) {
		quantum <<= 6 * (4 - sextets);
		*dst++ = (guint8)(quantum >> 16);
		if (sextets == 3)
			*dst++ = (guint8)(quantum >> 8);
	}
	g_byte_array_set_size(out, (guint)(dst - out->data));
	base64_report(msg, part, invalid,
		      padded ? base64_count_trailing(in, len, i) : 0,
		      padded && sextets != 1 ? 0 : sextets);
	return out;
}
