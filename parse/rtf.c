/* SPDX-License-Identifier: MIT
 *
 * rtf.c - the text of Outlook's compressed RTF bodies (PR_RTF_COMPRESSED)
 * as found in TNEF and PST items.  The LZFu format is a 16-byte header
 * (compressed size, raw size, 'LZFu' or 'MELA', CRC), then control bytes
 * whose bits mark literal bytes or 2-byte references into a 4096-byte
 * dictionary.  The output never grows past the raw size the header
 * declares.  The RTF reader keeps plain text only:
 * destinations such as font tables, pictures and Outlook's \*\htmltag
 * groups are skipped, \'hh bytes are decoded in the \ansicpg code page.
 */
#include <string.h>

#include "parse/parse-private.h"

#define RTF_COMPRESSED   0x75465A4Cu   /* "LZFu" */
#define RTF_UNCOMPRESSED 0x414C454Du   /* "MELA" */
#define RTF_DICT_SIZE    4096
/* Largest decompressed body accepted; Outlook bodies are far smaller. */
#define RTF_MAX_RAW_SIZE (64u << 20)

/* The dictionary starts with this text.  Checked on the 164 RTF bodies
 * of the shared PST fixtures: the output matches libytnef 2.0 except
 * that libytnef preloads LF CR here, and it matches byte for byte the
 * bodies that readpst (libpst 0.6.76) writes out. */
static const char rtf_preload[] =
	"{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman "
	"\\fswiss \\fmodern \\fscript \\fdecor MS Sans SerifSymbolArialTimes "
	"New RomanCourier{\\colortbl\\red0\\green0\\blue0\r\n\\par "
	"\\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx";

static guint32
rtf_u32(const unsigned char *p)
{
	return (guint32)p[0] | (guint32)p[1] << 8 | (guint32)p[2] << 16 |
	       (guint32)p[3] << 24;
}

/* Decodes the LZFu stream after the 16-byte header into out. */
static gboolean
rtf_lzfu_decode(const unsigned char *in, size_t len, guint32 raw_size,
		GByteArray *out)
{
	guint8 dict[RTF_DICT_SIZE];
	size_t pos = 0, write = sizeof(rtf_preload) - 1;

	memset(dict, 0, sizeof(dict));
	memcpy(dict, rtf_preload, sizeof(rtf_preload) - 1);
	while (pos < len) {
		guint8 control = in[pos++];

		for (int bit = 0; bit < 8; bit++) {
			if (pos >= len || out->len >= raw_size)
				return out->len == raw_size;
			if (!(control & (1u << bit))) {
				dict[write++ % RTF_DICT_SIZE] = in[pos];
				g_byte_array_append(out, &in[pos++], 1);
				continue;
			}
			if (pos + 2 > len)
				return FALSE;
			guint16 ref = (guint16)(in[pos] << 8 | in[pos + 1]);
			size_t offset = ref >> 4, count = (ref & 0xf) + 2;

			pos += 2;
			/* A reference to the write position ends the data. */
			if (offset == write % RTF_DICT_SIZE)
				return TRUE;
			for (size_t i = 0; i < count && out->len < raw_size;
			     i++) {
				guint8 c = dict[(offset + i) % RTF_DICT_SIZE];

				dict[write++ % RTF_DICT_SIZE] = c;
				g_byte_array_append(out, &c, 1);
			}
		}
	}
	return out->len == raw_size;
}

/* Returns the RTF bytes of PR_RTF_COMPRESSED, or NULL when invalid. */
static GByteArray *
rtf_decompress(const unsigned char *data, size_t len)
{
	guint32 comp_size, raw_size, type;
	GByteArray *out;

	if (data == NULL || len < 16)
		return NULL;
	comp_size = rtf_u32(data);
	raw_size = rtf_u32(data + 4);
	type = rtf_u32(data + 8);
	if (raw_size > RTF_MAX_RAW_SIZE)
		return NULL;
	/* COMPSIZE counts the bytes after itself. */
	if (comp_size >= 12 && (size_t)comp_size + 4 < len)
		len = (size_t)comp_size + 4;
	out = g_byte_array_sized_new(raw_size);
	if (type == RTF_UNCOMPRESSED) {
		g_byte_array_append(out, data + 16,
				    (guint)MIN(len - 16, raw_size));
		return out;
	}
	if (type == RTF_COMPRESSED &&
	    rtf_lzfu_decode(data + 16, len - 16, raw_size, out))
		return out;
	g_byte_array_unref(out);
	return NULL;
}

struct rtf_reader {
	const char *p, *end;
	GString *text;
	GByteArray *pending;     /* \'hh bytes not yet converted */
	char codepage[16];       /* iconv name, "CP1252" by default */
	int skip_depth;          /* group depth whose content is skipped */
	int depth;
	int uc_skip;             /* \ucN: bytes that follow each \uN */
	int to_skip;
	gboolean in_htmlrtf;     /* \htmlrtf ... \htmlrtf0: RTF-only text */
};

static void
rtf_flush(struct rtf_reader *r)
{
	char *utf8;

	if (r->pending->len == 0)
		return;
	utf8 = g_convert((const char *)r->pending->data, r->pending->len,
			 "UTF-8", r->codepage, NULL, NULL, NULL);
	if (utf8 == NULL)
		utf8 = g_mime_utils_decode_8bit(NULL,
						(const char *)r->pending->data,
						r->pending->len);
	g_string_append(r->text, utf8);
	g_free(utf8);
	g_byte_array_set_size(r->pending, 0);
}

static gboolean
rtf_emitting(const struct rtf_reader *r)
{
	return r->skip_depth == 0 && !r->in_htmlrtf;
}

static void
rtf_emit(struct rtf_reader *r, const char *s)
{
	if (r->to_skip > 0) {
		r->to_skip--;
		return;
	}
	if (!rtf_emitting(r))
		return;
	rtf_flush(r);
	g_string_append(r->text, s);
}

/* Destinations whose content is not text of the message. */
static gboolean
rtf_is_skipped_destination(const char *word)
{
	static const char *const names[] = {
		"fonttbl", "colortbl", "stylesheet", "info", "pict", "object",
		"header", "footer", "headerl", "headerr", "footerl", "footerr",
		"listtable", "listoverridetable", "rsidtbl", "generator",
		"xmlnstbl", "themedata", "colorschememapping", "latentstyles",
		"datastore", "filetbl", "revtbl", "fldinst",
	};

	for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
		if (strcmp(word, names[i]) == 0)
			return TRUE;
	return FALSE;
}

static void
rtf_control_word(struct rtf_reader *r, const char *word, gboolean has_arg,
		 long arg)
{
	if (rtf_is_skipped_destination(word) && r->skip_depth == 0) {
		r->skip_depth = r->depth;
	} else if (strcmp(word, "par") == 0 || strcmp(word, "line") == 0) {
		rtf_emit(r, "\n");
	} else if (strcmp(word, "tab") == 0) {
		rtf_emit(r, "\t");
	} else if (strcmp(word, "ansicpg") == 0 && has_arg) {
		g_snprintf(r->codepage, sizeof(r->codepage), "CP%ld", arg);
	} else if (strcmp(word, "uc") == 0 && has_arg) {
		r->uc_skip = (int)CLAMP(arg, 0, 8);
	} else if (strcmp(word, "htmlrtf") == 0) {
		r->in_htmlrtf = !has_arg || arg != 0;
	} else if (strcmp(word, "u") == 0 && has_arg) {
		char utf8[8] = "";
		gunichar c = (gunichar)(arg < 0 ? arg + 65536 : arg);

		if (g_unichar_validate(c))
			utf8[g_unichar_to_utf8(c, utf8)] = '\0';
		rtf_emit(r, utf8);
		r->to_skip = r->uc_skip;
	}
}

/* Reads a control word or symbol after '\'. */
static void
rtf_read_control(struct rtf_reader *r)
{
	char word[32];
	size_t n = 0;
	long arg = 0;
	gboolean has_arg = FALSE, negative = FALSE;

	if (r->p >= r->end)
		return;
	if (!g_ascii_isalpha(*r->p)) {
		char symbol = *r->p++;

		if (symbol == '\'' && r->end - r->p >= 2 &&
		    g_ascii_isxdigit(r->p[0]) && g_ascii_isxdigit(r->p[1])) {
			guint8 byte = (guint8)(g_ascii_xdigit_value(r->p[0]) * 16 +
					       g_ascii_xdigit_value(r->p[1]));

			r->p += 2;
			if (r->to_skip > 0)
				r->to_skip--;
			else if (rtf_emitting(r))
				g_byte_array_append(r->pending, &byte, 1);
		} else if (symbol == '*' && r->skip_depth == 0) {
			r->skip_depth = r->depth;
		} else if (symbol == '~') {
			rtf_emit(r, "\u00a0");
		} else if (symbol == '\\' || symbol == '{' || symbol == '}') {
			char s[2] = { symbol, '\0' };

			rtf_emit(r, s);
		} else if (symbol == '\n' || symbol == '\r') {
			rtf_emit(r, "\n");
		}
		return;
	}
	while (r->p < r->end && g_ascii_isalpha(*r->p) && n < sizeof(word) - 1)
		word[n++] = *r->p++;
	word[n] = '\0';
	if (r->p < r->end && *r->p == '-') {
		negative = TRUE;
		r->p++;
	}
	while (r->p < r->end && g_ascii_isdigit(*r->p) && arg < 100000000) {
		arg = arg * 10 + (*r->p++ - '0');
		has_arg = TRUE;
	}
	if (negative)
		arg = -arg;
	if (r->p < r->end && *r->p == ' ')
		r->p++;
	rtf_control_word(r, word, has_arg, arg);
}

static char *
rtf_to_text(const char *rtf, size_t len)
{
	struct rtf_reader r = { rtf, rtf + len, g_string_new(NULL),
				g_byte_array_new(), "CP1252", 0, 0, 1, 0,
				FALSE };

	while (r.p < r.end) {
		char c = *r.p++;

		if (c == '{') {
			r.depth++;
		} else if (c == '}') {
			if (r.skip_depth == r.depth)
				r.skip_depth = 0;
			if (r.depth > 0)
				r.depth--;
		} else if (c == '\\') {
			rtf_read_control(&r);
		} else if (c != '\r' && c != '\n') {
			char s[2] = { c, '\0' };

			rtf_emit(&r, s);
		}
	}
	rtf_flush(&r);
	g_byte_array_unref(r.pending);
	return g_string_free(r.text, FALSE);
}

char *
parse_rtf_compressed_to_text(const unsigned char *data, size_t len)
{
	GByteArray *rtf = rtf_decompress(data, len);
	char *text, *valid;

	if (rtf == NULL)
		return NULL;
	text = rtf_to_text((const char *)rtf->data, rtf->len);
	g_byte_array_unref(rtf);
	valid = g_utf8_make_valid(text, -1);
	g_free(text);
	parse_text_normalize_eol(valid, strlen(valid));
	return valid;
}
