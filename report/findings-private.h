/* SPDX-License-Identifier: MIT
 *
 * findings-private.h - what the statistics and the findings detectors
 * share: the custodians with their sent mail loaded once from the case
 * database, the examiner inputs, and the finding builder that scores,
 * explains and stores one finding.
 */
#ifndef MAILTRAIL_FINDINGS_PRIVATE_H
#define MAILTRAIL_FINDINGS_PRIVATE_H

#include <sqlite3.h>
#include <glib.h>

#include "report/report.h"

#define FD_TIME_NONE G_MININT64

/* Rows the tool counts as "sent by the custodian", each copy once. */
#define FD_SENT_WHERE "m.direction = 'outbound' AND m.duplicate_of IS NULL"

/* One sent message, counted once (copies skipped). */
struct fd_sent {
	gint64 id;
	gint64 utc;             /* sent_utc, FD_TIME_NONE when unknown */
	gint64 local;           /* utc shifted to the custodian's zone */
	int offset_min;         /* the offset used for local */
	gint64 size;
	int deliveries;         /* to/cc/bcc addresses, each counted */
	int external_deliveries;
	int attachments;        /* direct attachments (depth 0) */
	gint64 attachment_bytes;
	gboolean deleted;       /* this row or a copy deleted, trashed,
				   expunged, recovered or orphan */
	gboolean automatic;     /* auto-reply, bounce, notification */
	char *message_id;
	char *subject;
};

/* One address the custodian sent to, with what came back from it. */
struct fd_recipient {
	char *address;
	char *domain;
	char *name;             /* a display name seen for it, or NULL */
	gboolean external;
	GArray *sent;           /* gint64 message ids, in sent order */
	GArray *personal;       /* the same without automatic replies */
	gint64 bytes;           /* message bytes sent to it */
	int replies;            /* In-Reply-To/References match */
	int received;           /* any message from it to the custodian */
	gint64 first_sent, last_sent;          /* FD_TIME_NONE when none */
	gint64 first_received, last_received;
};

struct fd_custodian {
	gint64 id;              /* 0 for outbound mail without a custodian */
	char *name;
	GPtrArray *addresses;   /* char *, lower case */
	GPtrArray *names;       /* display names on the custodian's own mail */
	int tz_offset_min;      /* most frequent Date offset of sent mail */
	gboolean tz_inferred;
	int tz_fixed_min;       /* examiner-set '+0100' */
	gboolean tz_fixed;
	GTimeZone *zone;        /* examiner-set IANA zone, or NULL */
	char *zone_name;
	gint64 departure_utc;   /* FD_TIME_NONE when not set */
	gboolean on_access_list;
	GArray *sent;           /* struct fd_sent, by (utc, id); undated last */
	GPtrArray *recipients;  /* struct fd_recipient *, by address */
	double max_score;
};

struct fd_event {
	gint64 start_day;       /* local calendar days since 1970-01-01 */
	gint64 end_day;         /* inclusive */
	char *description;
};

struct fd_context {
	sqlite3 *db;
	const struct findings_options *opts;
	gboolean input_invalid; /* an examiner option or file was invalid */
	GPtrArray *custodians;  /* struct fd_custodian *; unassigned last */
	GHashTable *sent_by_id; /* gint64 * -> struct fd_sent * */
	GHashTable *internal_domains;   /* lower-case domain set */
	GPtrArray *events;      /* struct fd_event * */
	GHashTable *listed_domains;     /* domain -> list name */
	GHashTable *watch_sha256;       /* lower-case hex set */
	GPtrArray *watch_patterns;      /* GPatternSpec *, lower case */
	GPtrArray *watch_pattern_text;  /* char *, for explanations */
	GHashTable *access;     /* lower-case address or custodian name */
	gint64 findings_written;
};

/* A finding under construction; fd_finding_emit() stores and frees it. */
struct fd_finding {
	const char *kind;
	struct fd_custodian *custodian;
	gint64 window_start, window_end;
	double score;
	GString *explanation;   /* how the score was reached */
	char *title;
	char *subject_value;
	char *explained_by;
	gboolean no_deleted_bonus;  /* the kind already scores deletion */
	GArray *messages;       /* gint64 message ids */
};

/* findings.c */
struct fd_finding *fd_finding_new(const char *kind,
				  struct fd_custodian *custodian);
void fd_finding_title(struct fd_finding *f, const char *fmt, ...)
	G_GNUC_PRINTF(2, 3);
/* Adds points to the score with the reason, for the explanation. */
void fd_finding_add(struct fd_finding *f, double points, const char *fmt,
		    ...) G_GNUC_PRINTF(3, 4);
/* Adds a message; a repeat of the last one added is dropped, so callers
 * add each message's rows together (attachments of one message). */
void fd_finding_add_message(struct fd_finding *f, gint64 message_id);
/* Applies the common weights (deleted copies, departure window, corporate
 * events), stores the finding and its messages, and frees f.  Returns 0
 * or -1 after printing the SQLite error. */
int fd_finding_emit(struct fd_context *ctx, struct fd_finding *f);
const char *fd_severity(double score);
/* Returns "s" unless n is 1, for "%u message%s". */
#define FD_PLURAL(n) ((n) == 1 ? "" : "s")

/* Returns the local offset in minutes east of UTC for custodian c at utc. */
int fd_custodian_offset(const struct fd_custodian *c, gint64 utc,
			int message_offset_min);
/* Floor division of a local time into days since 1970-01-01. */
gint64 fd_local_day(gint64 local);
/* Formats local seconds with strftime into a new string. */
char *fd_format_local(gint64 local, const char *format);
char *fd_format_utc(gint64 utc);
/* The corporate event covering local day, or NULL. */
const struct fd_event *fd_event_find(const struct fd_context *ctx,
				     gint64 first_day, gint64 last_day);
gboolean fd_is_internal_domain(const struct fd_context *ctx,
			       const char *domain);
sqlite3_stmt *fd_prepare(sqlite3 *db, const char *sql);
int fd_exec(sqlite3 *db, const char *sql);

double fd_median(double *values, size_t n);   /* sorts values */
double fd_mean(const double *values, size_t n);
/* Median absolute deviation around median; sorts a scratch copy. */
double fd_mad(const double *values, size_t n, double median);

/* findings-input.c: examiner inputs */
int fd_input_load(struct fd_context *ctx);
void fd_input_clear(struct fd_context *ctx);

/* findings-load.c: custodians, sent mail and recipients */
int fd_load(struct fd_context *ctx);
void fd_load_clear(struct fd_context *ctx);

/* stats.c */
int stats_write(struct fd_context *ctx);

/* findings-time.c */
int fd_time_spikes(struct fd_context *ctx, struct fd_custodian *c);
int fd_time_off_hours(struct fd_context *ctx, struct fd_custodian *c);

/* findings-recipients.c */
int fd_recipients_find(struct fd_context *ctx, struct fd_custodian *c);

/* findings-domains.c */
struct fd_name_features {
	double entropy;         /* Shannon entropy, bits per character */
	int length;
	int max_consonant_run;
	double digit_ratio;
	double vowel_ratio;
	double score;           /* 0..100 */
};
/* Measures a domain label or a mailbox handle. */
void fd_name_measure(const char *text, struct fd_name_features *out);
/* Returns the label left of the public suffix ('xk2q' for xk2q.co.uk). */
char *fd_domain_label(const char *domain);
/* Returns 'freemail' or 'disposable' for a built-in listed domain (or
 * a subdomain of one), else NULL. */
const char *fd_domain_builtin_list(const char *domain);
/* Returns the Damerau-Levenshtein distance of a and b, capped at cap+1. */
int fd_edit_distance(const char *a, const char *b, int cap);

/* findings-attach.c */
int fd_attachments_find(struct fd_context *ctx, struct fd_custodian *c);

/* findings-mail.c */
int fd_mail_deleted(struct fd_context *ctx, struct fd_custodian *c);
int fd_mail_auto_forward(struct fd_context *ctx, struct fd_custodian *c);
int fd_mail_rules(struct fd_context *ctx);

#endif
