/* SPDX-License-Identifier: MIT
 *
 * findings-recipients.c - who the custodian wrote to.  It finds one
 * external address that receives many messages and sends few back, and a
 * new address that suddenly takes a large share of the mail or bytes.
 * It also finds mail to the custodian's own address elsewhere, to a
 * lookalike of the company domain, and to domains that look random or
 * are on a freemail or examiner list.  Only external recipients count,
 * and automatic replies are left out.
 */
#include <stdio.h>
#include <string.h>

#include "report/findings-private.h"

#define ONE_RECIPIENT_MIN_MESSAGES 10
#define ONE_RECIPIENT_MAX_REPLY_RATIO 0.1
/* A recipient first seen this long after the custodian's first sent
 * message is new; its first NEW_WINDOW_DAYS are judged. */
#define NEW_AFTER_DAYS 14
#define NEW_WINDOW_DAYS 7
#define NEW_MIN_MESSAGES 5
#define NEW_MIN_MESSAGE_SHARE 0.2
#define NEW_MIN_BYTE_SHARE 0.3
#define RANDOM_DOMAIN_MIN_SCORE 40.0
#define RANDOM_HANDLE_MIN_SCORE 50.0
#define LOOKALIKE_MAX_EDITS 2

static const struct fd_sent *
sent_of(struct fd_context *ctx, gint64 id)
{
	return g_hash_table_lookup(ctx->sent_by_id, &id);
}

/* Adds the messages in ids, widening the finding's window. */
static void
add_messages(struct fd_context *ctx, struct fd_finding *f, GArray *ids)
{
	for (guint i = 0; i < ids->len; i++) {
		gint64 id = g_array_index(ids, gint64, i);
		const struct fd_sent *s = sent_of(ctx, id);

		fd_finding_add_message(f, id);
		if (!s || s->utc == FD_TIME_NONE)
			continue;
		if (f->window_start == FD_TIME_NONE || s->utc < f->window_start)
			f->window_start = s->utc;
		if (f->window_end == FD_TIME_NONE || s->utc > f->window_end)
			f->window_end = s->utc;
	}
}

static int
one_recipient(struct fd_context *ctx, struct fd_custodian *c,
	      struct fd_recipient *r)
{
	int answers = r->replies ? r->replies : r->received;
	guint n = r->personal->len;
	struct fd_finding *f;

	if (n < ONE_RECIPIENT_MIN_MESSAGES ||
	    answers > ONE_RECIPIENT_MAX_REPLY_RATIO * n)
		return 0;
	f = fd_finding_new("one-recipient-no-replies", c);
	f->subject_value = g_strdup(r->address);
	fd_finding_title(f, "%s sent %u messages to %s and got %d back",
			 c->name, n, r->address, answers);
	fd_finding_add(f, 15, "external address with at least %d messages",
		       ONE_RECIPIENT_MIN_MESSAGES);
	fd_finding_add(f, MIN(35.0, n / 2.0), "%u messages sent", n);
	fd_finding_add(f, 20.0 * n / MAX(c->sent->len, 1u), "%.0f%% of all "
		       "the custodian's sent messages",
		       100.0 * n / MAX(c->sent->len, 1u));
	fd_finding_add(f, 0, "%d replies by In-Reply-To/References, %d "
		       "messages received from it", r->replies, r->received);
	add_messages(ctx, f, r->personal);
	return fd_finding_emit(ctx, f);
}

/* Sums the custodian's messages and bytes sent in [from, to).  Sent
 * mail is ordered by time with undated messages last, so a binary
 * search finds the start. */
static void
window_totals(const struct fd_custodian *c, gint64 from, gint64 to,
	      guint *messages_r, gint64 *bytes_r)
{
	const struct fd_sent *sent = (const struct fd_sent *)c->sent->data;
	guint lo = 0, hi = c->sent->len;

	while (hi > 0 && sent[hi - 1].utc == FD_TIME_NONE)
		hi--;
	while (lo < hi) {
		guint mid = lo + (hi - lo) / 2;

		if (sent[mid].utc < from)
			lo = mid + 1;
		else
			hi = mid;
	}
	*messages_r = 0;
	*bytes_r = 0;
	for (guint i = lo; i < c->sent->len; i++) {
		if (sent[i].utc == FD_TIME_NONE || sent[i].utc >= to)
			break;
		(*messages_r)++;
		*bytes_r += sent[i].size;
	}
}

static int
new_recipient(struct fd_context *ctx, struct fd_custodian *c,
	      struct fd_recipient *r)
{
	gint64 first = r->first_sent, to, bytes = 0, all_bytes;
	const struct fd_sent *first_of_all;
	guint messages = 0, all_messages;
	double share_messages, share_bytes;
	GArray *ids = g_array_new(FALSE, FALSE, sizeof(gint64));
	struct fd_finding *f;
	char *day;
	int rc = 0;

	if (r->first_received != FD_TIME_NONE && r->first_received < first)
		first = r->first_received;
	first_of_all = c->sent->len ? &g_array_index(c->sent, struct fd_sent,
						     0) : NULL;
	if (first == FD_TIME_NONE || !first_of_all ||
	    first_of_all->utc == FD_TIME_NONE ||
	    first - first_of_all->utc < NEW_AFTER_DAYS * 86400)
		goto out;
	to = first + NEW_WINDOW_DAYS * 86400;
	for (guint i = 0; i < r->personal->len; i++) {
		gint64 id = g_array_index(r->personal, gint64, i);
		const struct fd_sent *s = sent_of(ctx, id);

		if (s && s->utc != FD_TIME_NONE && s->utc < to) {
			messages++;
			bytes += s->size;
			g_array_append_val(ids, id);
		}
	}
	window_totals(c, first, to, &all_messages, &all_bytes);
	share_messages = all_messages ? (double)messages / all_messages : 0;
	share_bytes = all_bytes ? (double)bytes / all_bytes : 0;
	if (messages < NEW_MIN_MESSAGES ||
	    (share_messages < NEW_MIN_MESSAGE_SHARE &&
	     share_bytes < NEW_MIN_BYTE_SHARE))
		goto out;
	f = fd_finding_new("new-recipient-share", c);
	f->subject_value = g_strdup(r->address);
	day = fd_format_utc(first);
	fd_finding_title(f, "New recipient %s took %.0f%% of %s's messages "
			 "and %.0f%% of the bytes in %d days", r->address,
			 100 * share_messages, c->name, 100 * share_bytes,
			 NEW_WINDOW_DAYS);
	fd_finding_add(f, 20, "first contact %s, %.0f days after the "
		       "custodian's first sent message", day,
		       (first - first_of_all->utc) / 86400.0);
	fd_finding_add(f, 40 * MAX(share_messages, share_bytes), "%u of %u "
		       "messages and %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT
		       " bytes in the %d days from first contact", messages,
		       all_messages, bytes, all_bytes, NEW_WINDOW_DAYS);
	g_free(day);
	add_messages(ctx, f, ids);
	rc = fd_finding_emit(ctx, f);
out:
	g_array_free(ids, TRUE);
	return rc;
}

/* Lower-case letters only: 'Jane.Doe1980' -> 'janedoe'. */
static char *
letters_only(const char *text)
{
	GString *out = g_string_new(NULL);

	for (const char *p = text; p && *p && *p != '@' && *p != '+'; p++)
		if (g_ascii_isalpha(*p))
			g_string_append_c(out, g_ascii_tolower(*p));
	return g_string_free(out, FALSE);
}

/* Returns what ties r to the custodian's own identity, or NULL. */
static char *
self_match(const struct fd_custodian *c, const struct fd_recipient *r)
{
	char *handle = letters_only(r->address);
	char *name = letters_only(r->name);
	char *reason = NULL;

	for (guint i = 0; !reason && i < c->addresses->len; i++) {
		char *own = letters_only(c->addresses->pdata[i]);

		if (strlen(own) >= 3 && strcmp(own, handle) == 0)
			reason = g_strdup_printf("same mailbox name as %s",
					      (char *)c->addresses->pdata[i]);
		g_free(own);
	}
	for (guint i = 0; !reason && i <= c->names->len; i++) {
		const char *n = i < c->names->len ? c->names->pdata[i]
						  : c->name;
		char *own = letters_only(n);

		if (strlen(own) >= 3 && (strcmp(own, name) == 0 ||
					 strcmp(own, handle) == 0))
			reason = g_strdup_printf("matches the custodian's name "
					      "'%s'", n);
		g_free(own);
	}
	g_free(handle);
	g_free(name);
	return reason;
}

static int
self_forwarding(struct fd_context *ctx, struct fd_custodian *c,
		struct fd_recipient *r)
{
	char *reason = self_match(c, r);
	const char *list = fd_domain_builtin_list(r->domain);
	struct fd_finding *f;

	if (!reason)
		return 0;
	f = fd_finding_new("self-forwarding", c);
	f->subject_value = g_strdup(r->address);
	fd_finding_title(f, "%s sent %u message%s to %s, apparently their "
			 "own address outside the company", c->name,
			 r->personal->len, FD_PLURAL(r->personal->len),
			 r->address);
	fd_finding_add(f, 35, "external address that %s", reason);
	fd_finding_add(f, MIN(25.0, 2.0 * r->personal->len), "%u messages sent",
		       r->personal->len);
	if (list)
		fd_finding_add(f, 10, "%s is on the built-in %s list",
			       r->domain, list);
	g_free(reason);
	add_messages(ctx, f, r->personal);
	return fd_finding_emit(ctx, f);
}

static int
nonsense_handle(struct fd_context *ctx, struct fd_custodian *c,
		struct fd_recipient *r)
{
	char *handle = g_strndup(r->address, strcspn(r->address, "@"));
	struct fd_name_features nf;
	struct fd_finding *f;

	fd_name_measure(handle, &nf);
	if (nf.score < RANDOM_HANDLE_MIN_SCORE) {
		g_free(handle);
		return 0;
	}
	f = fd_finding_new("nonsense-handle", c);
	f->subject_value = g_strdup(r->address);
	fd_finding_title(f, "%s wrote to the random-looking mailbox %s",
			 c->name, r->address);
	fd_finding_add(f, 0.5 * nf.score, "handle '%s' name score %.0f: "
		       "entropy %.2f bits/char, length %d, longest consonant "
		       "run %d, digit ratio %.2f, vowel ratio %.2f", handle,
		       nf.score, nf.entropy, nf.length, nf.max_consonant_run,
		       nf.digit_ratio, nf.vowel_ratio);
	fd_finding_add(f, MIN(15.0, r->personal->len), "%u messages sent",
		       r->personal->len);
	g_free(handle);
	add_messages(ctx, f, r->personal);
	return fd_finding_emit(ctx, f);
}

static int
per_recipient(struct fd_context *ctx, struct fd_custodian *c)
{
	for (guint i = 0; i < c->recipients->len; i++) {
		struct fd_recipient *r = c->recipients->pdata[i];

		if (!r->external || r->personal->len == 0)
			continue;
		if (one_recipient(ctx, c, r) < 0 ||
		    new_recipient(ctx, c, r) < 0 ||
		    self_forwarding(ctx, c, r) < 0 ||
		    nonsense_handle(ctx, c, r) < 0)
			return -1;
	}
	return 0;
}

/* The examiner list naming domain or a parent domain, or NULL. */
static const char *
listed_domain(struct fd_context *ctx, const char *domain,
	      const char **matched_r)
{
	for (const char *d = domain; d; d = strchr(d, '.')) {
		const char *list;

		if (*d == '.')
			d++;
		list = g_hash_table_lookup(ctx->listed_domains, d);
		if (list) {
			*matched_r = d;
			return list;
		}
	}
	return NULL;
}

/* Returns the internal domain that domain imitates, or NULL. */
static const char *
lookalike_of(struct fd_context *ctx, const char *domain)
{
	GList *internal = g_list_sort(
		g_hash_table_get_keys(ctx->internal_domains),
		(GCompareFunc)strcmp);
	char *label = fd_domain_label(domain);
	const char *found = NULL;

	for (GList *l = internal; l && !found; l = l->next) {
		char *own = fd_domain_label(l->data);
		int edits = fd_edit_distance(label, own, LOOKALIKE_MAX_EDITS);

		if (strcmp(domain, l->data) != 0 && strlen(own) >= 4 &&
		    (edits <= LOOKALIKE_MAX_EDITS ||
		     (strstr(label, own) && strcmp(label, own) != 0)))
			found = l->data;
		g_free(own);
	}
	g_free(label);
	g_list_free(internal);
	return found;
}

static struct fd_finding *
domain_finding(struct fd_context *ctx, struct fd_custodian *c,
	       const char *kind, const char *domain, GArray *ids)
{
	struct fd_finding *f = fd_finding_new(kind, c);

	f->subject_value = g_strdup(domain);
	add_messages(ctx, f, ids);
	return f;
}

static int
judge_domain(struct fd_context *ctx, struct fd_custodian *c,
	     const char *domain, GArray *ids)
{
	char *label = fd_domain_label(domain);
	const char *list = fd_domain_builtin_list(domain), *matched = NULL;
	const char *examiner = listed_domain(ctx, domain, &matched);
	const char *imitated = lookalike_of(ctx, domain);
	struct fd_name_features nf;
	struct fd_finding *f;
	int rc = 0;

	fd_name_measure(label, &nf);
	if (!list && nf.score >= RANDOM_DOMAIN_MIN_SCORE) {
		f = domain_finding(ctx, c, "high-entropy-domain", domain, ids);
		fd_finding_title(f, "%s wrote to the random-looking domain %s",
				 c->name, domain);
		fd_finding_add(f, 0.6 * nf.score, "label '%s' name score %.0f: "
			       "entropy %.2f bits/char, length %d, longest "
			       "consonant run %d, digit ratio %.2f, vowel "
			       "ratio %.2f", label, nf.score, nf.entropy,
			       nf.length, nf.max_consonant_run, nf.digit_ratio,
			       nf.vowel_ratio);
		fd_finding_add(f, MIN(20.0, ids->len), "%u messages sent",
			       ids->len);
		rc = fd_finding_emit(ctx, f);
	}
	if (rc == 0 && examiner) {
		f = domain_finding(ctx, c, "listed-domain", domain, ids);
		fd_finding_title(f, "%s wrote to %s, on the examiner's list "
				 "'%s'", c->name, domain, examiner);
		fd_finding_add(f, 50, "%s is listed as '%s' in the domains "
			       "file", matched, examiner);
		fd_finding_add(f, MIN(20.0, ids->len), "%u messages sent",
			       ids->len);
		rc = fd_finding_emit(ctx, f);
	}
	if (rc == 0 && list) {
		f = domain_finding(ctx, c, "freemail", domain, ids);
		fd_finding_title(f, "%s sent %u message%s to %s addresses "
				 "at %s", c->name, ids->len,
				 FD_PLURAL(ids->len), list, domain);
		fd_finding_add(f, strcmp(list, "disposable") ? 5 : 30,
			       "%s is on the built-in %s list", domain, list);
		fd_finding_add(f, MIN(10.0, ids->len / 2.0), "%u messages sent",
			       ids->len);
		rc = fd_finding_emit(ctx, f);
	}
	if (rc == 0 && imitated) {
		f = domain_finding(ctx, c, "lookalike-address", domain, ids);
		fd_finding_title(f, "%s wrote to %s, which imitates the "
				 "company domain %s", c->name, domain,
				 imitated);
		fd_finding_add(f, 55, "domain label within %d edits of, or "
			       "containing, '%s'", LOOKALIKE_MAX_EDITS,
			       imitated);
		fd_finding_add(f, MIN(15.0, ids->len), "%u messages sent",
			       ids->len);
		rc = fd_finding_emit(ctx, f);
	}
	g_free(label);
	return rc;
}

static void
ids_free(gpointer p)
{
	g_array_free(p, TRUE);
}

static int
compare_id(const void *a, const void *b)
{
	gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;

	return (x > y) - (x < y);
}

/* Sorts ids and drops repeats: one message to two addresses at a
 * domain is one message to that domain. */
static void
ids_unique(GArray *ids)
{
	guint kept = 0;

	g_array_sort(ids, compare_id);
	for (guint i = 0; i < ids->len; i++)
		if (kept == 0 || g_array_index(ids, gint64, i) !=
				 g_array_index(ids, gint64, kept - 1))
			g_array_index(ids, gint64, kept++) =
				g_array_index(ids, gint64, i);
	g_array_set_size(ids, kept);
}

static int
per_domain(struct fd_context *ctx, struct fd_custodian *c)
{
	GHashTable *by_domain = g_hash_table_new_full(g_str_hash, g_str_equal,
						      NULL, ids_free);
	GList *domains;
	int rc = 0;

	for (guint i = 0; i < c->recipients->len; i++) {
		struct fd_recipient *r = c->recipients->pdata[i];
		GArray *ids;

		if (!r->external || !r->domain)
			continue;
		ids = g_hash_table_lookup(by_domain, r->domain);
		if (!ids) {
			ids = g_array_new(FALSE, FALSE, sizeof(gint64));
			g_hash_table_insert(by_domain, r->domain, ids);
		}
		g_array_append_vals(ids, r->personal->data, r->personal->len);
	}
	domains = g_list_sort(g_hash_table_get_keys(by_domain),
			      (GCompareFunc)strcmp);
	for (GList *l = domains; l && rc == 0; l = l->next) {
		GArray *ids = g_hash_table_lookup(by_domain, l->data);

		ids_unique(ids);
		rc = judge_domain(ctx, c, l->data, ids);
	}
	g_list_free(domains);
	g_hash_table_destroy(by_domain);
	return rc;
}

int
fd_recipients_find(struct fd_context *ctx, struct fd_custodian *c)
{
	if (per_recipient(ctx, c) < 0 || per_domain(ctx, c) < 0)
		return -1;
	return 0;
}
