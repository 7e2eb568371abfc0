/* SPDX-License-Identifier: MIT
 *
 * findings-time.c - when the custodian sent mail.  Spikes per day, per
 * hour and in 10-minute windows are judged against the custodian's own
 * baseline: the median and MAD of comparable periods within
 * BASELINE_DAYS on either side.  Sending in hours of the day that the
 * custodian otherwise never uses is found too.  Automatic replies and
 * receipts are left out, because they follow incoming mail.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/findings-private.h"

#define BASELINE_DAYS 28        /* each side of the period judged */
#define BASELINE_MIN_PERIODS 7  /* fewer comparable days: not judged */
#define SPIKE_MIN_Z 4.0         /* robust z-score of a spike */
#define BURST_SECONDS 600       /* the short window: 10 minutes */
#define MAD_TO_SIGMA 1.4826     /* MAD of a normal distribution */
/* The smallest excess over the median that counts, so that a custodian
 * who sends nearly nothing does not spike on two messages. */
#define DAY_MIN_EXCESS 10
#define HOUR_MIN_EXCESS 10
#define BURST_MIN_EXCESS 5
/* An hour of the day is usual once mail was sent in it on this many
 * different days; judging needs OFF_HOURS_MIN_DAYS days of mail. */
#define USUAL_HOUR_MIN_DAYS 2
#define OFF_HOURS_MIN_DAYS 10
#define OFF_HOURS_GAP (2 * 3600)
/* Dates further apart are judged only in the busiest such span. */
#define SERIES_MAX_DAYS 3660

/* The custodian's dated, non-automatic sent mail in local time. */
struct series {
	struct fd_sent **msgs;  /* by local time */
	guint n;
	gint64 first_day, days;
	int *day_count;         /* [day - first_day] */
	int *hour_count;        /* [(day - first_day) * 24 + hour] */
	int *burst_max;         /* busiest BURST_SECONDS of each day */
};

struct baseline {
	double median, mad, scale, z;
	guint periods;
};

static int
compare_local(const void *a, const void *b)
{
	const struct fd_sent *x = *(struct fd_sent *const *)a;
	const struct fd_sent *y = *(struct fd_sent *const *)b;

	if (x->local != y->local)
		return x->local < y->local ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

static int
hour_of(gint64 local)
{
	return (int)((local - fd_local_day(local) * 86400) / 3600);
}

static gboolean
is_weekend(gint64 day)
{
	gint64 weekday = ((day + 3) % 7 + 7) % 7;   /* 0 is Monday */

	return weekday >= 5;
}

static void
series_bursts(struct series *s)
{
	guint lo = 0;

	for (guint hi = 0; hi < s->n; hi++) {
		gint64 day;
		int count;

		while (s->msgs[hi]->local - s->msgs[lo]->local >= BURST_SECONDS)
			lo++;
		/* A window counts on the day of its last message. */
		day = fd_local_day(s->msgs[hi]->local) - s->first_day;
		count = hi - lo + 1;
		if (count > s->burst_max[day])
			s->burst_max[day] = count;
	}
}

/* Keeps the SERIES_MAX_DAYS span with the most messages, because a
 * forged or broken Date (year 9999) would otherwise stretch the daily
 * arrays over millions of days.
 * NOTE: mail outside that span is in no spike or off-hours finding. */
static void
series_narrow(struct series *s)
{
	guint lo = 0, best_lo = 0, best_n = 0;

	for (guint hi = 0; hi < s->n; hi++) {
		while (fd_local_day(s->msgs[hi]->local) -
		       fd_local_day(s->msgs[lo]->local) >= SERIES_MAX_DAYS)
			lo++;
		if (hi - lo + 1 > best_n) {
			best_n = hi - lo + 1;
			best_lo = lo;
		}
	}
	memmove(s->msgs, s->msgs + best_lo, best_n * sizeof(*s->msgs));
	s->n = best_n;
}

static gboolean
series_build(const struct fd_custodian *c, struct series *s)
{
	memset(s, 0, sizeof(*s));
	s->msgs = g_new(struct fd_sent *, c->sent->len + 1);
	for (guint i = 0; i < c->sent->len; i++) {
		struct fd_sent *m = &g_array_index(c->sent, struct fd_sent, i);

		if (m->utc != FD_TIME_NONE && !m->automatic)
			s->msgs[s->n++] = m;
	}
	if (s->n == 0)
		return FALSE;
	qsort(s->msgs, s->n, sizeof(*s->msgs), compare_local);
	series_narrow(s);
	s->first_day = fd_local_day(s->msgs[0]->local);
	s->days = fd_local_day(s->msgs[s->n - 1]->local) - s->first_day + 1;
	s->day_count = g_new0(int, s->days);
	s->hour_count = g_new0(int, s->days * 24);
	s->burst_max = g_new0(int, s->days);
	for (guint i = 0; i < s->n; i++) {
		gint64 d = fd_local_day(s->msgs[i]->local) - s->first_day;

		s->day_count[d]++;
		s->hour_count[d * 24 + hour_of(s->msgs[i]->local)]++;
	}
	series_bursts(s);
	return TRUE;
}

static void
series_free(struct series *s)
{
	g_free(s->msgs);
	g_free(s->day_count);
	g_free(s->hour_count);
	g_free(s->burst_max);
}

/* Computes the baseline of value x on day d from values[] of the days of
 * the same kind (weekday or weekend) within BASELINE_DAYS, stepping
 * through values with stride (24 for one hour of each day). */
static gboolean
baseline_compute(const struct series *s, const int *values, int stride,
		 gint64 d, double x, struct baseline *b)
{
	double v[2 * BASELINE_DAYS];
	guint n = 0;

	for (gint64 o = d - BASELINE_DAYS; o <= d + BASELINE_DAYS; o++) {
		if (o == d || o < 0 || o >= s->days)
			continue;
		if (is_weekend(o + s->first_day) !=
		    is_weekend(d + s->first_day))
			continue;
		v[n++] = values[o * stride];
	}
	b->periods = n;
	if (n < BASELINE_MIN_PERIODS)
		return FALSE;
	b->median = fd_median(v, n);
	b->mad = fd_mad(v, n, b->median);
	b->scale = MAX(MAD_TO_SIGMA * b->mad, sqrt(MAX(b->median, 1.0)));
	b->z = (x - b->median) / b->scale;
	return TRUE;
}

static gboolean
is_spike(const struct baseline *b, double x, double min_excess)
{
	return b->z >= SPIKE_MIN_Z && x - b->median >= min_excess;
}

static int
bucket_update(struct fd_context *ctx, gint64 custodian_id, const char *kind,
	      const char *bucket, const struct baseline *b, gboolean spike)
{
	sqlite3_stmt *st = fd_prepare(ctx->db, "UPDATE stat_bucket SET"
		" baseline_median = ?, baseline_mad = ?, is_spike = ?"
		" WHERE custodian_id = ? AND kind = ? AND bucket = ?");
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_double(st, 1, b->median);
	sqlite3_bind_double(st, 2, b->mad);
	sqlite3_bind_int(st, 3, spike);
	sqlite3_bind_int64(st, 4, custodian_id);
	sqlite3_bind_text(st, 5, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, bucket, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Adds the messages with local time in [from, to) to f. */
static void
spike_messages(struct fd_finding *f, const struct series *s, gint64 from,
	       gint64 to)
{
	for (guint i = 0; i < s->n; i++) {
		const struct fd_sent *m = s->msgs[i];

		if (m->local < from || m->local >= to)
			continue;
		fd_finding_add_message(f, m->id);
		if (f->window_start == FD_TIME_NONE || m->utc < f->window_start)
			f->window_start = m->utc;
		if (f->window_end == FD_TIME_NONE || m->utc > f->window_end)
			f->window_end = m->utc;
	}
}

/* Adds points for how many of the finding's messages went outside the
 * organisation or carried files. */
static void
spike_weigh(struct fd_context *ctx, struct fd_finding *f)
{
	guint n = f->messages->len, external = 0, attached = 0;

	for (guint i = 0; i < n; i++) {
		gint64 id = g_array_index(f->messages, gint64, i);
		const struct fd_sent *m = g_hash_table_lookup(ctx->sent_by_id,
							      &id);

		external += m && m->external_deliveries > 0;
		attached += m && m->attachments > 0;
	}
	if (n == 0)
		return;
	fd_finding_add(f, 20.0 * external / n, "%u of %u messages went to "
		       "external recipients", external, n);
	fd_finding_add(f, 10.0 * attached / n, "%u of %u carry attachments",
		       attached, n);
}

static void
spike_explain(struct fd_context *ctx, struct fd_finding *f, gint64 day)
{
	const struct fd_event *e = fd_event_find(ctx, day, day);

	if (e)
		f->explained_by = g_strdup(e->description);
}

/* Emits a spike of x messages in the unit starting at local time from;
 * the messages behind it are those in [from, to). */
static int
spike_emit(struct fd_context *ctx, struct fd_custodian *c,
	   const struct series *s, const char *unit, gint64 from, gint64 to,
	   double x, const struct baseline *b)
{
	struct fd_finding *f = fd_finding_new("spike", c);
	char *start = fd_format_local(from, "%Y-%m-%d %H:%M");
	char *end = fd_format_local(to - 1, "%H:%M");
	double base = MIN(45.0, 20.0 + 4.0 * (b->z - SPIKE_MIN_Z));

	f->subject_value = g_strdup(unit);
	spike_messages(f, s, from, to);
	if (strcmp(unit, "day") == 0)
		fd_finding_title(f, "%s sent %.0f messages on %.10s, usually "
				 "%.0f", c->name, x, start, b->median);
	else
		fd_finding_title(f, "%s sent %u messages from %s to %s local "
				 "time, up to %.0f in one %s, usually %.0f",
				 c->name, f->messages->len, start, end, x, unit,
				 b->median);
	fd_finding_add(f, base, "%.0f messages in one %s against a baseline "
		       "median of %.1f and MAD %.1f over %u comparable "
		       "periods, robust z-score %.1f (spike from %.0f)", x,
		       unit, b->median, b->mad, b->periods, b->z, SPIKE_MIN_Z);
	spike_weigh(ctx, f);
	spike_explain(ctx, f, fd_local_day(from));
	g_free(start);
	g_free(end);
	return fd_finding_emit(ctx, f);
}

static int
spikes_days(struct fd_context *ctx, struct fd_custodian *c,
	    const struct series *s)
{
	for (gint64 d = 0; d < s->days; d++) {
		double x = s->day_count[d];
		gint64 from = (s->first_day + d) * 86400;
		struct baseline b;
		gboolean spike;
		char *key;
		int rc;

		if (x == 0 || !baseline_compute(s, s->day_count, 1, d, x, &b))
			continue;
		spike = is_spike(&b, x, DAY_MIN_EXCESS);
		key = fd_format_local(from, "%Y-%m-%d");
		rc = bucket_update(ctx, c->id, "day", key, &b, spike);
		g_free(key);
		if (rc == 0 && spike)
			rc = spike_emit(ctx, c, s, "day", from, from + 86400,
					x, &b);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* Judges every hour with mail; consecutive spike hours of one day make
 * one finding. */
static int
spikes_hours(struct fd_context *ctx, struct fd_custodian *c,
	     const struct series *s)
{
	for (gint64 d = 0; d < s->days; d++) {
		gint64 run_from = -1;
		double peak = 0;
		struct baseline b, run_b = { 0 };

		for (int h = 0; h <= 24; h++) {
			double x = h < 24 ? s->hour_count[d * 24 + h] : 0;
			gint64 from = (s->first_day + d) * 86400 + h * 3600;
			gboolean spike = FALSE;

			if (x > 0 && baseline_compute(s, s->hour_count + h, 24,
						      d, x, &b)) {
				char *key = fd_format_local(from,
							    "%Y-%m-%dT%H");

				spike = is_spike(&b, x, HOUR_MIN_EXCESS);
				if (bucket_update(ctx, c->id, "hour", key, &b,
						  spike) < 0) {
					g_free(key);
					return -1;
				}
				g_free(key);
			}
			if (spike) {
				if (run_from < 0 || b.z > run_b.z) {
					run_b = b;
					peak = x;
				}
				if (run_from < 0)
					run_from = from;
				continue;
			}
			if (run_from >= 0 &&
			    spike_emit(ctx, c, s, "hour", run_from, from, peak,
				       &run_b) < 0)
				return -1;
			run_from = -1;
		}
	}
	return 0;
}

/* Days whose busiest short window is a spike; the windows at or above
 * the spike level are merged into bursts, one finding each. */
static int
spikes_bursts(struct fd_context *ctx, struct fd_custodian *c,
	      const struct series *s)
{
	guint lo = 0;
	gint64 burst_from = -1, burst_to = -1;
	struct baseline b, burst_b = { 0 };
	double peak = 0;

	for (guint hi = 0; hi <= s->n; hi++) {
		gboolean in_burst = FALSE;

		if (hi < s->n) {
			gint64 d;
			double x;

			while (s->msgs[hi]->local - s->msgs[lo]->local >=
			       BURST_SECONDS)
				lo++;
			d = fd_local_day(s->msgs[hi]->local) - s->first_day;
			x = hi - lo + 1;
			in_burst = baseline_compute(s, s->burst_max, 1, d, x,
						    &b) &&
				   is_spike(&b, x, BURST_MIN_EXCESS);
			if (in_burst) {
				if (burst_from < 0 ||
				    s->msgs[lo]->local > burst_to) {
					if (burst_from >= 0 &&
					    spike_emit(ctx, c, s,
						       "10-minute window",
						       burst_from, burst_to + 1,
						       peak, &burst_b) < 0)
						return -1;
					burst_from = s->msgs[lo]->local;
					peak = 0;
				}
				burst_to = s->msgs[hi]->local;
				if (x > peak) {
					peak = x;
					burst_b = b;
				}
			}
		}
		if (hi == s->n && burst_from >= 0 &&
		    spike_emit(ctx, c, s, "10-minute window", burst_from,
			       burst_to + 1, peak, &burst_b) < 0)
			return -1;
	}
	return 0;
}

int
fd_time_spikes(struct fd_context *ctx, struct fd_custodian *c)
{
	struct series s;
	int rc = 0;

	if (!series_build(c, &s)) {
		series_free(&s);
		return 0;
	}
	if (spikes_days(ctx, c, &s) < 0 || spikes_hours(ctx, c, &s) < 0 ||
	    spikes_bursts(ctx, c, &s) < 0)
		rc = -1;
	series_free(&s);
	return rc;
}

/* Hours from the nearest usual hour of the day, around the clock. */
static int
hours_from_usual(const gboolean usual[24], int h)
{
	for (int d = 0; d <= 12; d++)
		if (usual[(h + d) % 24] || usual[(h - d + 24) % 24])
			return d;
	return 12;
}

static int
off_hours_emit(struct fd_context *ctx, struct fd_custodian *c,
	       const struct series *s, guint from, guint to,
	       const gboolean usual[24], const int days_in_hour[24])
{
	struct fd_finding *f = fd_finding_new("off-hours", c);
	char *when = fd_format_local(s->msgs[from]->local, "%Y-%m-%d %H:%M");
	int distance = 0, h = hour_of(s->msgs[from]->local);
	guint n = to - from;

	for (guint i = from; i < to; i++) {
		int hour = hour_of(s->msgs[i]->local);

		distance = MAX(distance, hours_from_usual(usual, hour));
	}
	f->subject_value = g_strdup_printf("%02d", h);
	fd_finding_title(f, "%s sent %u message%s from %s local time, in "
			 "hours they otherwise never send in", c->name, n,
			 FD_PLURAL(n), when);
	fd_finding_add(f, MIN(40.0, 10.0 + 3.0 * n), "%u messages in hours "
		       "used on fewer than %d days (hour %02d: %d days)", n,
		       USUAL_HOUR_MIN_DAYS, h, days_in_hour[h]);
	if (distance >= 3)
		fd_finding_add(f, 10, "%d hours from the nearest usual hour",
			       distance);
	spike_messages(f, s, s->msgs[from]->local, s->msgs[to - 1]->local + 1);
	spike_weigh(ctx, f);
	spike_explain(ctx, f, fd_local_day(s->msgs[from]->local));
	g_free(when);
	return fd_finding_emit(ctx, f);
}

int
fd_time_off_hours(struct fd_context *ctx, struct fd_custodian *c)
{
	gboolean usual[24] = { FALSE };
	int days_in_hour[24] = { 0 }, active_days = 0, rc = 0;
	struct series s;

	if (!series_build(c, &s)) {
		series_free(&s);
		return 0;
	}
	for (gint64 d = 0; d < s.days; d++) {
		active_days += s.day_count[d] > 0;
		for (int h = 0; h < 24; h++)
			days_in_hour[h] += s.hour_count[d * 24 + h] > 0;
	}
	for (int h = 0; h < 24; h++)
		usual[h] = days_in_hour[h] >= USUAL_HOUR_MIN_DAYS;
	for (guint i = 0; active_days >= OFF_HOURS_MIN_DAYS && i < s.n;) {
		guint j = i + 1;

		if (usual[hour_of(s.msgs[i]->local)]) {
			i++;
			continue;
		}
		/* One session: off-hours mail with short gaps between. */
		while (j < s.n && !usual[hour_of(s.msgs[j]->local)] &&
		       s.msgs[j]->local - s.msgs[j - 1]->local <= OFF_HOURS_GAP)
			j++;
		if (off_hours_emit(ctx, c, &s, i, j, usual, days_in_hour) < 0) {
			rc = -1;
			break;
		}
		i = j;
	}
	series_free(&s);
	return rc;
}
