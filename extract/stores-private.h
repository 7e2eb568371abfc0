/* SPDX-License-Identifier: MIT
 *
 * stores-private.h - helpers shared by the mbox, Maildir and EML readers
 * (common.c, detect.c, mbox.c, maildir.c, eml.c).  Not for use outside
 * extract/; the unit tests call them directly.
 */
#ifndef MAILTRAIL_STORES_PRIVATE_H
#define MAILTRAIL_STORES_PRIVATE_H

#include <string.h>
#include <sys/types.h>
#include <glib.h>

#include "extract/extract.h"

/* Bytes of a file's start that probes look at: enough to find an mbox
 * separator behind damaged leading bytes, or the end of a long first
 * header line.  Callers allocate it on the heap. */
#define STORES_HEAD_SIZE (64 * 1024)

/* Default for mt_extract_options.max_message_size. */
#define STORES_DEFAULT_MAX_MESSAGE (256 * 1024 * 1024)

/* Returns the length of the line at p, without its '\n', looking no
 * further than end.  *nl_r receives the '\n' or NULL when none. */
static inline size_t
stores_line_length(const char *p, const char *end, const char **nl_r)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));

	*nl_r = nl;
	return nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
}

/* Reads up to len bytes from the start of a regular file without
 * following a symbolic link.  Returns the count read or -1 (errno set). */
ssize_t stores_head_read(const char *path, unsigned char *buf, size_t len);

/* Returns the message size limit opts sets, or the default. */
gint64 stores_max_message(const struct mt_extract_options *opts);

/* Returns TRUE when line (len bytes, line end optional) is an RFC 5322
 * header field: a field name of printable ASCII other than ':' followed
 * by ':'.  Leading whitespace (a folded continuation) does not count. */
gboolean stores_header_line_is_field(const char *line, size_t len);

/* Returns the length of the empty lines ("\n" or "\r\n") at the start
 * of data; *count_r (when not NULL) receives how many there are. */
size_t stores_blank_lines_length(const char *data, size_t len,
				 int *count_r);

/* Returns a confidence 0..100 that head is the start of an RFC 5322
 * message: a block of header fields that names at least one of the
 * fields every mail carries (From, Date, Message-ID, Received, ...). */
int stores_eml_head_score(const unsigned char *head, size_t len);

/* Parses data as one message into msg (which keeps its locator, status
 * and flags) and hands it to the sink.  When the data is not a message at
 * all the record is still stored, with its size and hash and a defect
 * saying so.  full_size is the message's length in the store when only
 * its first len bytes were kept (-1 otherwise); it becomes msg->size so
 * volumes stay right, while sha256 covers the kept bytes.  Takes
 * ownership of msg.  Returns the sink's result. */
int stores_message_emit(const struct mt_sink *sink, gint64 folder_id,
			const char *data, size_t len, gint64 full_size,
			struct mt_message *msg);

/* Returns a printable UTF-8 copy of a file or folder name.  Invalid
 * UTF-8 bytes and control characters become \xNN and a backslash is
 * doubled, so a hostile name stays unambiguous and readable. */
char *stores_name_display(const char *raw);

/* Lists the entries of dir except "." and "..", sorted by name in byte
 * order.  On failure the list is empty and *errno_r is set; else it is 0. */
GPtrArray *stores_dir_list(const char *dir, int *errno_r);

/* Reads a regular file (no symbolic link) into a new NUL-terminated
 * buffer, keeping at most max_size bytes.  full_size_r receives the
 * file's size.  Returns 0, or -1 with errno set. */
int stores_file_read(const char *path, gint64 max_size, char **data_r,
		     size_t *len_r, gint64 *full_size_r);

/* Kinds of mbox separator line. */
enum mbox_from_kind {
	MBOX_FROM_NONE,     /* not a separator: body text */
	MBOX_FROM_BARE,     /* "From " and nothing else (old Thunderbird) */
	MBOX_FROM_VALID     /* "From " [sender] SP asctime-date [...] */
};

/* A parsed separator line. */
struct mbox_from {
	enum mbox_from_kind kind;
	gint64 utc;          /* MT_TIME_NONE when the line has no date */
	int offset_min;      /* minutes east of UTC, 0 when none is written */
	gboolean zone_known; /* FALSE unless a numeric zone follows the time */
	char date_raw[96];   /* the date text as written, "" for none */
};

/* Checks whether line (len bytes, line end optional) is an mbox
 * separator as RFC 4155 describes it: "From ", an optional sender token
 * ("-" for Thunderbird) and an asctime date "Www Mmm dd hh:mm[:ss]
 * [zone] yyyy [zone]", with anything after the year allowed.  Fills
 * from_r and returns from_r->kind. */
enum mbox_from_kind mbox_from_line_parse(const char *line, size_t len,
					 struct mbox_from *from_r);

/* Message flags encoded in a Maildir file name. */
struct maildir_name {
	gint64 delivered;      /* leading epoch seconds, MT_TIME_NONE if none */
	char separator;        /* ':', ';' or '!' before "2,", 0 for none */
	gboolean has_info;     /* the name ends in "<sep>2,<flags>" */
	gboolean passed, replied, seen, trashed, draft, flagged;
	char keywords[27];     /* lower-case IMAP keyword letters, sorted */
	char unknown[27];      /* other upper-case flag letters */
	gint64 size_hint;      /* Dovecot ",S=<n>" or -1 */
};

/* Parses a Maildir file name (no directory part).  The info is the text
 * after the last ':' (or mbsync's ';', offlineimap's '!') when it starts
 * with "2,".  An experimental "1," info gives no flags.  Always succeeds,
 * and a name without info has has_info FALSE. */
void maildir_name_parse(const char *name, struct maildir_name *out);

/* Reads the mbox at path into a new folder named folder_path below
 * parent_id; message locators become "<folder_path>#offset=<n>".  The
 * EML folder reader uses it for mbox files it meets.  Returns as
 * mt_extractor.run does. */
int mbox_read_file(const char *path, const char *folder_path,
		   gint64 parent_id, const struct mt_extract_options *opts,
		   const struct mt_sink *sink);

#endif
