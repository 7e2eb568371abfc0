/* SPDX-License-Identifier: MIT
 *
 * mbox-private.h - state shared by mbox.c (reading, the ops table),
 * mbox-split.c (splitting lines into messages) and mbox-message.c
 * (finishing messages, carving slack into recovered messages).
 */
#ifndef MAILTRAIL_MBOX_PRIVATE_H
#define MAILTRAIL_MBOX_PRIVATE_H

#include <glib.h>

#include "extract/stores-private.h"

/* Separator candidates longer than this are body text. */
#define MBOX_FROM_LINE_MAX 1024
/* A run of at least this many NUL bytes ends a message; what follows is
 * examined as a fragment.  Block-sized zero runs are what crashes and
 * interrupted compaction leave in mbox files. */
#define MBOX_NUL_RUN_MIN 512

/* Thunderbird X-Mozilla-Status bits, the MSG_FLAG_* constants of
 * Mozilla's mailnews/base/public/nsMsgMessageFlags.h.  X-Mozilla-Status2
 * carries the upper 16 bits. */
#define MOZ_READ        0x0001
#define MOZ_REPLIED     0x0002
#define MOZ_MARKED      0x0004
#define MOZ_EXPUNGED    0x0008
#define MOZ_FORWARDED   0x1000
#define MOZ_IMAP_DELETED 0x00200000

/* A bounded line reader over a file descriptor. */
struct mbox_reader {
	int fd;
	char *buf;
	size_t cap, pos, end;
	gint64 buf_offset;        /* file offset of buf[0] */
	gboolean eof;
	gboolean at_line_start;   /* the next byte starts a line */
	int error;                /* errno of a failed read */
};

/* One line, or one part of a line longer than the read buffer.  data is
 * valid until the next mbox_reader_next(). */
struct mbox_piece {
	const char *data;
	size_t len;
	gint64 offset;            /* file offset of data[0] */
	gboolean line_start;
	gboolean line_end;        /* ends with '\n' */
};

/* The message being read. */
struct mbox_msg {
	gboolean active;
	gint64 offset;            /* file offset of its From_ line */
	gint64 data_offset;       /* file offset of data->data[0] */
	struct mbox_from from;
	GByteArray *data;         /* kept bytes, at most max_size */
	gint64 length;            /* all bytes after the From_ line */
	GArray *unquoted_at;      /* gint64 positions in data where a '>'
				     was removed */
	gboolean in_header;
	gint64 content_length;    /* -1 when none */
	gint64 cl_remaining;      /* bytes left of an honoured
				     Content-Length body, -1 outside one */
	gboolean cl_closed;       /* the Content-Length body is complete */
	gboolean cl_mismatch;     /* Content-Length was given, not honoured */
	size_t body_index;        /* position of the body in data */
	gboolean last_blank;      /* the last complete line was empty */
	size_t last_line_len;

	gboolean seen, replied, flagged, draft, passed, deleted, expunged;
	gboolean have_status, have_xstatus, have_moz, have_moz2;
	char *flag_problem;       /* an unreadable flag header, or NULL */
};

/* A separator candidate waiting for the line after it. */
struct mbox_pending {
	gboolean active;
	char line[MBOX_FROM_LINE_MAX + 1];
	size_t len;
	gint64 offset;
	struct mbox_from from;
};

/* Bytes outside every message, collected until the next separator. */
struct mbox_slack {
	GByteArray *data;         /* kept bytes, at most max_size */
	gint64 offset;
	gint64 length;
	char *reason;             /* where the bytes are, for the report */
};

struct mbox_state {
	const char *path;
	const char *locator_prefix;   /* "" or "<file>#" inside a folder */
	const struct mt_extract_options *opts;
	const struct mt_sink *sink;
	gint64 max_size;
	int fd;
	gint64 file_size;
	gint64 folder_id;
	enum mt_folder_role folder_role;
	struct mbox_reader rd;
	struct mbox_msg cur;
	struct mbox_pending pending;
	struct mbox_slack slack;
	int rc;                   /* 0, 1 when damaged, -1 on a sink error */
	gboolean separator_seen;  /* a message has started */

	gint64 messages, recovered;
	gint64 cl_messages, multi_quoted, crlf_lines, lf_lines;
	gint64 mozilla_headers;
};

/* mbox.c */

/* Returns the next line or piece of a line (at most limit bytes unless
 * limit is -1): 1, 0 at the end of the file, -1 on a read error. */
int mbox_reader_next(struct mbox_reader *r, gint64 limit,
		     struct mbox_piece *p);
/* Returns TRUE for a whole line that is empty ("\n" or "\r\n"). */
gboolean mbox_piece_is_blank(const struct mbox_piece *p);

/* mbox-split.c */
void mbox_state_init(struct mbox_state *st, const char *path,
		     const struct mt_extract_options *opts,
		     const struct mt_sink *sink);
void mbox_state_release(struct mbox_state *st);
void mbox_piece_handle(struct mbox_state *st, const struct mbox_piece *p);
void mbox_finish_file(struct mbox_state *st);
void mbox_read_failed(struct mbox_state *st);
/* Records the result of a sink call: -1 stops the reader. */
void mbox_sink_result(struct mbox_state *st, int rc);
/* Records damage: the run then ends with 1 unless a sink failed. */
void mbox_damaged(struct mbox_state *st);

/* mbox-message.c */

/* Ends the current message: drops the blank line that belongs to the
 * separator, cuts it at a NUL run, and hands it to the sink.  at_eof is
 * TRUE when the file ended inside it. */
void mbox_message_finish(struct mbox_state *st, gboolean at_eof);

/* Examines bytes no message owns: stores a recovered message when they
 * start with a header block naming at least two of From, Date and
 * Message-ID, and reports them as slack otherwise. */
void mbox_fragment_examine(struct mbox_state *st, const char *data,
			   size_t len, gint64 offset, const char *reason);

#endif
