/* SPDX-License-Identifier: MIT
 *
 * parse-private.h - helpers shared by the files of parse/; not for callers
 * outside parse/.  Limits are named here so that every one of them is
 * visible in one place and each hit is reported as a defect.
 */
#ifndef MAILTRAIL_PARSE_PRIVATE_H
#define MAILTRAIL_PARSE_PRIVATE_H

#include <gmime/gmime.h>
#include "parse/parse.h"

/* Maximum bytes of one header field, folded lines included; longer
 * fields are cut. */
#define PARSE_MAX_HEADER_FIELD   (1024 * 1024)
/* Maximum header fields read from one header section; the rest are
 * dropped. */
#define PARSE_MAX_HEADER_FIELDS  20000
/* Maximum nesting of multiparts and attached messages that is walked. */
#define PARSE_MAX_MIME_DEPTH     64
/* Maximum bytes passed to libmagic, which reads only the start of a file. */
#define PARSE_MAGIC_MAX_BYTES    (1024 * 1024)
/* Maximum attachments listed for one message (TNEF and uuencode
 * included). */
#define PARSE_MAX_ATTACHMENTS    10000

/* init.c: adds a defect to msg like mt_message_add_defect(), with the
 * detail made valid UTF-8 on one line and cut to 1000 bytes, because
 * details quote raw header bytes. */
void parse_defect(struct mt_message *msg, const char *level,
		  const char *code, const char *fmt, ...) G_GNUC_PRINTF(4, 5);

/* init.c: libmagic lookups, serialised because cookies are not
 * thread-safe.  sha256_hex is the hash of the whole data when the caller
 * has it (NULL otherwise); it keys a cache of earlier results.  Both
 * results are newly allocated, NULL on failure. */
void parse_magic_lookup(const unsigned char *data, size_t len,
			const char *sha256_hex, char **type_r,
			char **desc_r);

/* date.c: finds the date after the last ';' of a Received header value. */
gboolean parse_received_date(const char *value, gint64 *utc_r,
			     int *offset_min_r, gboolean *zone_known_r);

/* header.c: unfolds a raw header value: drops CR and LF, trims the ends.
 * Returns a new string. */
char *parse_header_unfold(const char *raw);

/* header.c: adds defects for encoded-words whose charset is unknown or
 * whose bytes are invalid in it.  Returns TRUE when one was found. */
gboolean parse_header_check_charsets(const char *raw, const char *field,
				     struct mt_message *msg);

/* header.c: reads one header section into msg (ids, subject, addresses,
 * times); transport_only keeps fields msg already has. */
void parse_header_read(GMimeObject *object, GMimeParserOptions *options,
		       gboolean transport_only, struct mt_message *msg);

/* address.c: adds every mailbox of one address header to msg. */
void parse_address_list(GMimeParserOptions *options, const char *raw,
			enum mt_address_kind kind, struct mt_message *msg);

/* base64.c: decodes base64 leniently as RFC 2045 section 6.8 describes: bytes
 * outside the alphabet are skipped and the first '=' ends the data.  A
 * final quantum without padding keeps the whole octets it holds.  Adds
 * defects to msg (may be NULL) naming part. */
GByteArray *parse_base64_decode(const unsigned char *in, size_t len,
				const char *part, struct mt_message *msg);

/* text.c: converts bytes in charset (may be NULL) to UTF-8 with LF line
 * ends; adds a defect when bytes are invalid in the charset. */
char *parse_text_to_utf8(const unsigned char *data, size_t len,
			 const char *charset, const char *part,
			 struct mt_message *msg);
/* text.c: copies s as valid UTF-8 on one line (CR, LF and tab made
 * spaces), for values stored as single-line text.  NULL stays NULL. */
char *parse_text_one_line(const char *s);
/* text.c: extracts readable text from HTML (tags dropped, entities
 * decoded, script and style skipped). */
char *parse_html_to_text(const char *html, size_t len);
/* text.c: rewrites CRLF and lone CR to LF in place; returns the length. */
size_t parse_text_normalize_eol(char *text, size_t len);

/* attach.c: adds an attachment for decoded bytes, described by libmagic
 * and hashed.  Returns its index in msg->attachments, or -1 when the
 * attachment limit was reached (a defect records it). */
int parse_attach_add(struct mt_message *msg, const unsigned char *data,
		     size_t len, const char *filename, int parent, int depth);
/* attach.c: replaces NUL bytes and invalid UTF-8 in a name so it can be
 * stored as text; adds a defect when anything was replaced. */
char *parse_attach_clean_name(const char *name, size_t len,
			      struct mt_message *msg);

/* uuencode.c: moves 'begin MODE NAME' ... 'end' blocks found in text into
 * attachments and returns the text without them (a new string). */
char *parse_uuencode_extract(const char *text, int parent, int depth,
			     struct mt_message *msg);

/* tnef.c: lists the files inside a TNEF stream (winmail.dat) as children
 * of attachment parent.  Returns the number of files found. */
int parse_tnef_extract(const unsigned char *data, size_t len, int parent,
		       int depth, struct mt_message *msg);

/* message.c: parses data as one message with GMime; options may be NULL.
 * Returns NULL when GMime finds no message at all. */
GMimeMessage *parse_message_construct(const char *data, size_t len,
				      GMimeParserOptions *options);

/* mime.c: walks the MIME tree of a parsed message into msg; data is what
 * GMime parsed, so that header offsets can be read back. */
void parse_mime_walk(GMimeMessage *message, const char *data, size_t len,
		     struct mt_message *msg);

#endif
