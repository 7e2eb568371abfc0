/* SPDX-License-Identifier: MIT
 *
 * log-time.c - timestamps of mail logs: RFC 3164 syslog ("Mar  7
 * 02:09:33", no year, no zone), RFC 5424 / ISO 8601 with a zone, and the
 * US culture dates PowerShell writes.  Parsed by hand because a log may
 * hold millions of them.
 */
#include <stdio.h>
#include <string.h>

#include "core/record.h"
#include "extract/logs-private.h"

static const char *const month_names[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

/* Days from 1970-01-01 to a civil date (Howard Hinnant's algorithm). */
static gint64
days_from_civil(gint64 y, int m, int d)
{
	gint64 era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

gint64
log_time_civil(int year, int month, int day, int hour, int minute,
	       int second)
{
	return days_from_civil(year, month, day) * 86400 + hour * 3600 +
	       minute * 60 + second;
}

static gboolean
digits(const char *s, int n, int *value_r)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!g_ascii_isdigit(s[i]))
			return FALSE;
		v = v * 10 + (s[i] - '0');
	}
	*value_r = v;
	return TRUE;
}

static int
days_in_month(int year, int month)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30,
				    31, 31, 30, 31, 30, 31 };
	gboolean leap = (year % 4 == 0 && year % 100 != 0) ||
			year % 400 == 0;

	return month == 2 && leap ? 29 : days[month - 1];
}

static gboolean
valid_fields(int year, int mon, int day, int h, int mi, int sec)
{
	return year >= 1970 && year <= 9999 && mon >= 1 && mon <= 12 &&
	       day >= 1 && day <= days_in_month(year, mon) && h <= 23 &&
	       mi <= 59 && sec <= 60;
}

/* Parses "Z", "+HH:MM", "+HHMM" or "+HH"; returns bytes consumed. */
static size_t
parse_zone(const char *s, int *offset_min_r)
{
	int h, m = 0, sign;

	if (*s == 'Z' || *s == 'z') {
		*offset_min_r = 0;
		return 1;
	}
	if (*s != '+' && *s != '-')
		return 0;
	sign = *s == '-' ? -1 : 1;
	if (!digits(s + 1, 2, &h) || h > 23)
		return 0;
	if (s[3] == ':' && digits(s + 4, 2, &m) && m <= 59) {
		*offset_min_r = sign * (h * 60 + m);
		return 6;
	}
	if (digits(s + 3, 2, &m) && m <= 59) {
		*offset_min_r = sign * (h * 60 + m);
		return 5;
	}
	*offset_min_r = sign * h * 60;
	return 3;
}

size_t
log_time_parse_iso(const char *s, gint64 *utc_r, int *offset_min_r,
		   gboolean *zone_known_r)
{
	int y, mo, d, h, mi, sec, off = 0;
	size_t n = 19, z;

	if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
	    s[7] != '-' || !digits(s + 8, 2, &d) ||
	    (s[10] != 'T' && s[10] != ' ') || !digits(s + 11, 2, &h) ||
	    s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' ||
	    !digits(s + 17, 2, &sec))
		return 0;
	if (!valid_fields(y, mo, d, h, mi, sec))
		return 0;
	if (s[n] == '.' || s[n] == ',') {
		n++;
		while (g_ascii_isdigit(s[n]))
			n++;
	}
	z = parse_zone(s + n, &off);
	*zone_known_r = z > 0;
	*offset_min_r = off;
	*utc_r = log_time_civil(y, mo, d, h, mi, sec) - (gint64)off * 60;
	return n + z;
}

size_t
log_time_parse_3164(const char *s, int *month_r, int *day_r,
		    int *seconds_of_day_r)
{
	int mon = -1, day, h, mi, sec;
	size_t n;

	for (int i = 0; i < 12; i++)
		if (strncmp(s, month_names[i], 3) == 0) {
			mon = i + 1;
			break;
		}
	if (mon < 0 || s[3] != ' ')
		return 0;
	n = 4;
	if (s[n] == ' ')
		n++;
	if (digits(s + n, 2, &day))
		n += 2;
	else if (digits(s + n, 1, &day))
		n += 1;
	else
		return 0;
	if (s[n] != ' ' || !digits(s + n + 1, 2, &h) || s[n + 3] != ':' ||
	    !digits(s + n + 4, 2, &mi) || s[n + 6] != ':' ||
	    !digits(s + n + 7, 2, &sec))
		return 0;
	if (day < 1 || day > 31 || h > 23 || mi > 59 || sec > 60)
		return 0;
	*month_r = mon;
	*day_r = day;
	*seconds_of_day_r = h * 3600 + mi * 60 + sec;
	return n + 9;
}

gboolean
log_time_parse_us(const char *s, gint64 *utc_r)
{
	int mo, d, y, h, mi, sec;
	char ampm[3] = "";

	if (sscanf(s, "%d/%d/%d %d:%d:%d %2s", &mo, &d, &y, &h, &mi, &sec,
		   ampm) < 6)
		return FALSE;
	if (g_ascii_strcasecmp(ampm, "PM") == 0 && h < 12)
		h += 12;
	else if (g_ascii_strcasecmp(ampm, "AM") == 0 && h == 12)
		h = 0;
	if (!valid_fields(y, mo, d, h, mi, sec))
		return FALSE;
	*utc_r = log_time_civil(y, mo, d, h, mi, sec);
	return TRUE;
}

/* Local wall-clock seconds to UTC in clock's zone. */
static gint64
clock_to_utc(struct log_clock *clock, gint64 local, int *offset_min_r)
{
	gint64 adjusted = local;
	int interval;

	if (clock->zone == NULL) {
		*offset_min_r = clock->fixed_offset_min;
		return local - (gint64)clock->fixed_offset_min * 60;
	}
	interval = g_time_zone_adjust_time(clock->zone,
					   G_TIME_TYPE_STANDARD, &adjusted);
	*offset_min_r = g_time_zone_get_offset(clock->zone, interval) / 60;
	return local - (gint64)*offset_min_r * 60;
}

/* The latest year that puts the time at or before the reference (with a
 * day of slack for clocks and zones), as rsyslog and fail2ban do. */
static gint64
clock_by_reference(struct log_clock *clock, int month, int day,
		   int seconds_of_day, int *offset_min_r)
{
	int year = clock->year;

	for (int i = 0; i < 8; i++, year--) {
		gint64 t;

		if (day > days_in_month(year, month))
			continue;
		t = log_time_civil(year, month, day, 0, 0, 0) + seconds_of_day;
		if (t <= clock->reference_local + 86400)
			return clock_to_utc(clock, t, offset_min_r);
	}
	return MT_TIME_NONE;
}

gint64
log_clock_resolve(struct log_clock *clock, int month, int day,
		  int seconds_of_day, int *offset_min_r)
{
	int best_year = clock->year;
	gint64 best = 0, best_distance = G_MAXINT64;

	if (clock->reference_local != MT_TIME_NONE)
		return clock_by_reference(clock, month, day, seconds_of_day,
					  offset_min_r);
	if (clock->previous_local != MT_TIME_NONE) {
		/* Years around the previous line's, in local time. */
		int base = clock->year;

		for (int y = base - 1; y <= base + 1; y++) {
			gint64 t, distance;

			if (day > days_in_month(y, month))
				continue;
			t = log_time_civil(y, month, day, 0, 0, 0) +
			    seconds_of_day;
			distance = t - clock->previous_local;
			if (distance < 0)
				distance = -distance;
			if (distance < best_distance) {
				best_distance = distance;
				best_year = y;
				best = t;
			}
		}
	}
	if (best_distance == G_MAXINT64) {
		/* The first line, or Feb 29 in none of the years tried. */
		if (day > days_in_month(best_year, month))
			return MT_TIME_NONE;
		best = log_time_civil(best_year, month, day, 0, 0, 0) +
		       seconds_of_day;
	}
	clock->year = best_year;
	clock->previous_local = best;
	return clock_to_utc(clock, best, offset_min_r);
}
