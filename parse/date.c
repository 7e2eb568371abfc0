/* SPDX-License-Identifier: MIT
 *
 * date.c - RFC 5322 date-time, obsolete forms of section 4.3 included,
 * plus asctime ("Thu Jul 10 14:53:31 1997") and ISO 8601 dates that real
 * mailers write.  Times are computed with civil-calendar arithmetic, never
 * in the local zone of the machine.  Anything that cannot be read as a
 * whole date is rejected rather than guessed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse/parse-private.h"

struct date_fields {
	int year, month, day;     /* year -1 until seen */
	int hour, minute, second; /* hour -1 until seen */
	int offset_min;
	gboolean zone_seen, zone_known;
	int year_digits;
};

struct zone_name {
	const char *name;
	int offset_min;
	gboolean known;
};

/* RFC 5322 section 4.3 zones first, then names common in real headers. */
static const struct zone_name zone_names[] = {
	{ "UT", 0, TRUE }, { "UTC", 0, TRUE }, { "GMT", 0, TRUE },
	{ "Z", 0, TRUE },
	{ "EST", -300, TRUE }, { "EDT", -240, TRUE },
	{ "CST", -360, TRUE }, { "CDT", -300, TRUE },
	{ "MST", -420, TRUE }, { "MDT", -360, TRUE },
	{ "PST", -480, TRUE }, { "PDT", -420, TRUE },
	{ "WET", 0, TRUE }, { "WEST", 60, TRUE }, { "BST", 60, TRUE },
	{ "CET", 60, TRUE }, { "CEST", 120, TRUE },
	{ "MET", 60, TRUE }, { "MEST", 120, TRUE },
	{ "EET", 120, TRUE }, { "EEST", 180, TRUE }, { "MSK", 180, TRUE },
	{ "JST", 540, TRUE }, { "KST", 540, TRUE }, { "HKT", 480, TRUE },
	{ "SGT", 480, TRUE }, { "AWST", 480, TRUE }, { "ACST", 570, TRUE },
	{ "AEST", 600, TRUE }, { "AEDT", 660, TRUE },
	{ "NZST", 720, TRUE }, { "NZDT", 780, TRUE },
	{ "HST", -600, TRUE }, { "AKST", -540, TRUE }, { "AKDT", -480, TRUE },
	{ "AST", -240, TRUE }, { "ADT", -180, TRUE },
	{ "NST", -210, TRUE }, { "NDT", -150, TRUE },
};

static const char *const month_names[] = {
	"jan", "feb", "mar", "apr", "may", "jun",
	"jul", "aug", "sep", "oct", "nov", "dec"
};

static const char *const weekday_names[] = {
	"mon", "tue", "wed", "thu", "fri", "sat", "sun"
};

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil). */
static gint64
date_days_from_civil(gint64 y, int m, int d)
{
	gint64 era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
date_days_in_month(int year, int month)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30,
				    31, 31, 30, 31, 30, 31 };
	gboolean leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : days[month - 1];
}

static int
date_find_name(const char *word, const char *const *names, int count)
{
	if (strlen(word) < 3)
		return -1;
	for (int i = 0; i < count; i++)
		if (g_ascii_strncasecmp(word, names[i], 3) == 0)
			return i;
	return -1;
}

/* Reads "hh:mm[:ss]"; returns FALSE unless the whole token is a time. */
static gboolean
date_read_time(const char *token, struct date_fields *f)
{
	int h = -1, m = -1, s = 0, used = 0;

	if (sscanf(token, "%2d:%2d%n", &h, &m, &used) < 2)
		return FALSE;
	if (token[used] == ':') {
		int more = 0;

		if (sscanf(token + used, ":%2d%n", &s, &more) < 1)
			return FALSE;
		used += more;
	}
	if (token[used] != '\0' && token[used] != '.')
		return FALSE;
	if (h < 0 || h > 23 || m < 0 || m > 59 || s < 0 || s > 60)
		return FALSE;
	f->hour = h;
	f->minute = m;
	f->second = s;
	return TRUE;
}

/* Reads "+hhmm", "-hhmm" or "+hh:mm". */
static gboolean
date_read_numeric_zone(const char *token, struct date_fields *f)
{
	int sign = token[0] == '-' ? -1 : 1;
	char digits[5];
	int n = 0;

	for (const char *p = token + 1; *p != '\0'; p++) {
		if (*p == ':' && n == 2)
			continue;
		if (!g_ascii_isdigit(*p) || n == 4)
			return FALSE;
		digits[n++] = *p;
	}
	if (n != 4)
		return FALSE;
	int hh = (digits[0] - '0') * 10 + (digits[1] - '0');
	int mm = (digits[2] - '0') * 10 + (digits[3] - '0');

	if (hh > 23 || mm > 59)
		return FALSE;
	f->offset_min = sign * (hh * 60 + mm);
	/* RFC 5322 section 3.3: -0000 means the local zone is unknown. */
	f->zone_known = !(sign < 0 && hh == 0 && mm == 0);
	f->zone_seen = TRUE;
	return TRUE;
}

/* Reads POSIX TZ names such as "EST5EDT": the standard offset is used,
 * and a daylight-saving part leaves the zone unknown because the rules
 * that would pick between the two are not in the header. */
static gboolean
date_read_posix_zone(const char *token, struct date_fields *f)
{
	const char *p = token;
	int hours = 0, sign = 1;

	while (g_ascii_isalpha(*p))
		p++;
	if (p - token < 3 || (*p != '-' && *p != '+' && !g_ascii_isdigit(*p)))
		return FALSE;
	if (*p == '-' || *p == '+')
		sign = *p++ == '-' ? -1 : 1;
	if (!g_ascii_isdigit(*p))
		return FALSE;
	while (g_ascii_isdigit(*p) && hours < 100)
		hours = hours * 10 + (*p++ - '0');
	if (hours > 14)
		return FALSE;
	for (const char *q = p; *q != '\0'; q++)
		if (!g_ascii_isalpha(*q))
			return FALSE;
	/* POSIX offsets count hours west of Greenwich. */
	f->offset_min = -sign * hours * 60;
	f->zone_known = *p == '\0';
	f->zone_seen = TRUE;
	return TRUE;
}

/* Reads "GMT+0100", "UTC-05:00" or "GMT+1", which some mailers write;
 * unlike POSIX names the sign means east of Greenwich, as in RFC 5322. */
static gboolean
date_read_gmt_offset(const char *word, struct date_fields *f)
{
	size_t prefix = g_ascii_strncasecmp(word, "GMT", 3) == 0 ||
			g_ascii_strncasecmp(word, "UTC", 3) == 0 ? 3 : 0;
	const char *p = word + prefix;
	char padded[8];
	size_t digits = strspn(p + 1, "0123456789");

	if (prefix == 0 || (*p != '+' && *p != '-'))
		return FALSE;
	if (strchr(p, ':') == NULL && digits >= 1 && digits <= 2 &&
	    p[1 + digits] == '\0') {
		/* Hours only: "+1" or "+01". */
		g_snprintf(padded, sizeof(padded), "%c%02d00", *p,
			   atoi(p + 1));
		return date_read_numeric_zone(padded, f);
	}
	return date_read_numeric_zone(p, f);
}

static gboolean
date_read_zone_word(const char *word, struct date_fields *f)
{
	for (size_t i = 0; i < G_N_ELEMENTS(zone_names); i++) {
		if (g_ascii_strcasecmp(word, zone_names[i].name) == 0) {
			f->offset_min = zone_names[i].offset_min;
			f->zone_known = zone_names[i].known;
			f->zone_seen = TRUE;
			return TRUE;
		}
	}
	/* RFC 822 military zones had their signs reversed, so RFC 5322
	 * section 4.3 reads every letter but Z as -0000. */
	if (word[1] == '\0' && g_ascii_isalpha(word[0]) &&
	    g_ascii_toupper(word[0]) != 'J') {
		f->offset_min = 0;
		f->zone_known = FALSE;
		f->zone_seen = TRUE;
		return TRUE;
	}
	if (date_read_gmt_offset(word, f))
		return TRUE;
	return date_read_posix_zone(word, f);
}

static gboolean
date_read_number(const char *token, struct date_fields *f)
{
	size_t digits = strlen(token);
	int value = 0;

	if (digits > 4)
		return FALSE;
	for (const char *p = token; *p != '\0'; p++)
		value = value * 10 + (*p - '0');
	if (f->day < 0 && f->year < 0 && digits <= 2 && value >= 1 &&
	    value <= 31) {
		f->day = value;
		return TRUE;
	}
	if (f->day < 0 && f->year >= 0 && value >= 1 && value <= 31) {
		f->day = value;
		return TRUE;
	}
	if (f->year >= 0)
		return FALSE;
	f->year = value;
	f->year_digits = (int)digits;
	return TRUE;
}

/* Reads "YYYY-MM-DD", as in ISO 8601 dates some gateways write. */
static gboolean
date_read_iso_date(const char *token, struct date_fields *f)
{
	int y, m, d, used = 0;

	if (sscanf(token, "%4d-%2d-%2d%n", &y, &m, &d, &used) != 3 ||
	    used != 10 || token[used] != '\0')
		return FALSE;
	f->year = y;
	f->year_digits = 4;
	f->month = m;
	f->day = d;
	return TRUE;
}

static gboolean
date_read_token(char *token, struct date_fields *f)
{
	int index;

	if (token[0] == '\0')
		return TRUE;
	if ((token[0] == '+' || token[0] == '-') && f->hour >= 0 &&
	    !f->zone_seen)
		return date_read_numeric_zone(token, f);
	if (strchr(token, ':') != NULL && f->hour < 0)
		return date_read_time(token, f);
	if (g_ascii_isdigit(token[0]) && strchr(token, '-') != NULL)
		return date_read_iso_date(token, f);
	if (g_ascii_isdigit(token[0])) {
		for (const char *p = token; *p != '\0'; p++)
			if (!g_ascii_isdigit(*p))
				return FALSE;
		return date_read_number(token, f);
	}
	if (!g_ascii_isalpha(token[0]))
		return FALSE;
	if (f->month < 0 &&
	    (index = date_find_name(token, month_names, 12)) >= 0 &&
	    strlen(token) <= 9) {
		f->month = index + 1;
		return TRUE;
	}
	if (f->hour < 0 && f->month < 0 &&
	    date_find_name(token, weekday_names, 7) >= 0)
		return TRUE;
	if (f->hour >= 0 && !f->zone_seen)
		return date_read_zone_word(token, f);
	/* A word after the zone ("+0000 GMT") adds nothing. */
	return f->zone_seen;
}

/* Copies text without comments, with ',' and '-'/'T' between date parts
 * turned into spaces, so that tokens split on white space. */
static char *
date_strip(const char *text)
{
	GString *out = g_string_sized_new(64);
	int depth = 0;

	for (const char *p = text; *p != '\0' && out->len < 256; p++) {
		char c = *p;

		if (c == '(' ) {
			depth++;
			continue;
		}
		if (c == ')' && depth > 0) {
			depth--;
			continue;
		}
		if (depth > 0)
			continue;
		if (c == ',' || c == '\t' || c == '\r' || c == '\n')
			c = ' ';
		/* "10-Jul-1997": a dash after a month name separates parts,
		 * but the one in "UTC-05:00" is the sign of the offset. */
		if (c == '-' && out->len >= 3 &&
		    date_find_name(out->str + out->len - 3, month_names,
				   12) >= 0)
			c = ' ';
		if (c == '-' && g_ascii_isalpha(p[1]) && out->len > 0 &&
		    g_ascii_isdigit(out->str[out->len - 1]))
			c = ' ';
		/* "2019-03-01T09:00:00": T separates the date and the time. */
		if ((c == 'T' || c == 't') && out->len >= 10 &&
		    g_ascii_isdigit(out->str[out->len - 1]) &&
		    g_ascii_isdigit(p[1]))
			c = ' ';
		g_string_append_c(out, c);
	}
	return g_string_free(out, FALSE);
}

/* "09:00:00Z" and "09:00:00+01:00" carry the zone in the time token. */
static void
date_split_zone_suffix(char *token, char **zone_r)
{
	char *p = strchr(token, ':');

	*zone_r = NULL;
	if (p == NULL)
		return;
	for (; *p != '\0'; p++) {
		if (*p == '+' || *p == '-' || *p == 'Z' || *p == 'z') {
			*zone_r = g_strdup(p);
			*p = '\0';
			return;
		}
	}
}

static gint64
date_fields_to_utc(struct date_fields *f)
{
	gint64 days = date_days_from_civil(f->year, f->month, f->day);

	return days * 86400 + f->hour * 3600 + f->minute * 60 + f->second -
	       (gint64)f->offset_min * 60;
}

static gboolean
date_fields_finish(struct date_fields *f)
{
	if (f->year < 0 || f->month < 0 || f->day < 0 || f->hour < 0)
		return FALSE;
	/* RFC 5322 section 4.3: two-digit years 00-49 are 2000-2049 and
	 * 50-99 are 1950-1999; three-digit years are added to 1900. */
	if (f->year_digits <= 2)
		f->year += f->year < 50 ? 2000 : 1900;
	else if (f->year_digits == 3)
		f->year += 1900;
	if (f->year < 1 || f->year > 9999)
		return FALSE;
	if (f->day > date_days_in_month(f->year, f->month))
		return FALSE;
	return TRUE;
}

gboolean
parse_date(const char *text, gint64 *utc_r, int *offset_min_r,
	   gboolean *zone_known_r)
{
	struct date_fields f = { -1, -1, -1, -1, 0, 0, 0, FALSE, FALSE, 0 };
	gboolean ok = TRUE;
	char *clean, **tokens;

	if (text == NULL)
		return FALSE;
	clean = date_strip(text);
	tokens = g_strsplit_set(clean, " ", -1);
	for (int i = 0; ok && tokens[i] != NULL; i++) {
		char *zone = NULL;

		date_split_zone_suffix(tokens[i], &zone);
		ok = date_read_token(tokens[i], &f);
		if (ok && zone != NULL)
			ok = date_read_token(zone, &f);
		g_free(zone);
	}
	g_strfreev(tokens);
	g_free(clean);
	if (!ok || !date_fields_finish(&f))
		return FALSE;
	*utc_r = date_fields_to_utc(&f);
	*offset_min_r = f.offset_min;
	*zone_known_r = f.zone_seen && f.zone_known;
	return TRUE;
}

gboolean
parse_received_date(const char *value, gint64 *utc_r, int *offset_min_r,
		    gboolean *zone_known_r)
{
	const char *semicolon = strrchr(value, ';');

	if (semicolon == NULL)
		return FALSE;
	return parse_date(semicolon + 1, utc_r, offset_min_r, zone_known_r);
}
