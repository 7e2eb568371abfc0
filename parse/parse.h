/* SPDX-License-Identifier: MIT
 *
 * parse.h - RFC 5322 / MIME parsing into struct mt_message.
 *
 * Built on GMime 3 for headers and MIME structure, libmagic for the true
 * type of every attachment and libcrypto for SHA-256.  What GMime gets
 * wrong (obsolete dates, missing base64 padding, inline uuencode, TNEF,
 * compressed RTF) is handled here.  Defects found in a message are added to msg->defects.
 * Damaged input never stops parsing; only input without any header makes
 * parse_message_bytes() return -1.
 */
#ifndef MAILTRAIL_PARSE_H
#define MAILTRAIL_PARSE_H

#include <glib.h>
#include "core/record.h"

/* Initialises GMime and libmagic; call once before any other function
 * here.  Returns 0, or -1 when libmagic's database cannot be loaded. */
int parse_init(void);
void parse_shutdown(void);

/* Parses raw message bytes (LF or CRLF) into msg: headers, addresses,
 * times, body text, attachments with hashes and libmagic types, size and
 * sha256 of the raw bytes, content_key.  Existing fields of msg that are
 * set (locator, status, flags) are kept.  Returns 0, or -1 when data is
 * not a message at all because no header could be read.  Size, sha256
 * and a 'no-header' defect are set even then. */
int parse_message_bytes(const char *data, size_t len, struct mt_message *msg);

/* Parses only a transport-header block (PST PR_TRANSPORT_MESSAGE_HEADERS)
 * and adds Message-ID, In-Reply-To, References, Subject, Date and
 * Received times to msg without replacing fields already set from MAPI.
 * Address fields are added only for kinds msg has none of. */
void parse_transport_headers(const char *headers, size_t len,
			     struct mt_message *msg);

/* Parses an RFC 5322 date, obsolete forms included, and the asctime and
 * ISO 8601 forms mailers write.  Returns TRUE and sets the outputs on
 * success.  zone_known_r is FALSE for '-0000', military letters, a
 * missing zone and POSIX names with daylight saving ('EST5EDT').  The
 * offset is then 0 or the standard offset.  Never uses the local zone. */
gboolean parse_date(const char *text, gint64 *utc_r, int *offset_min_r,
		    gboolean *zone_known_r);

/* Describes bytes as an attachment: size, sha256, libmagic type and
 * description (with any encryption note), extension mismatch with
 * filename (may be NULL).  Replaces those fields of att. */
void parse_describe_bytes(const unsigned char *data, size_t len,
			  const char *filename, struct mt_attachment *att);

/* Returns a description when the bytes are an encrypted zip, PDF or
 * Office file ("encrypted zip entry (general purpose flag bit 0)"), else
 * NULL.  The string is static.  libmagic does not report these. */
const char *parse_encryption_note(const unsigned char *data, size_t len);

/* Decompresses an Outlook PR_RTF_COMPRESSED value ([MS-OXRTFCP]) and
 * returns the text of the RTF as new UTF-8 with LF line ends, or NULL
 * when data is not valid compressed RTF. */
char *parse_rtf_compressed_to_text(const unsigned char *data, size_t len);

/* Computes the SHA-256 of data as lower-case hex into out (65 bytes). */
void parse_sha256_hex(const void *data, size_t len, char out[65]);

/* Computes msg->content_key, the store-independent hash that links copies
 * of one message, from the fields already set (the recipe is in
 * parse/key.c).  parse_message_bytes() calls it itself. */
void parse_content_key(struct mt_message *msg);

/* Chooses msg's sent time by the rule in docs/sent-time.md: the first of
 * client-submit, Date, oldest Received, delivery, creation, mbox From_
 * line, Maildir file name.  skew_sec_r is Date minus the oldest Received
 * time, or MT_TIME_NONE unless both exist.  A message without any time
 * gets utc_r MT_TIME_NONE and source_r NULL. */
void parse_choose_sent_time(const struct mt_message *msg, gint64 *utc_r,
			    int *offset_min_r, const char **source_r,
			    gint64 *skew_sec_r);

#endif
