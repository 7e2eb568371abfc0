/* SPDX-License-Identifier: MIT
 *
 * mbox-from.c - recognising mbox separator ("From_") lines.
 *
 * RFC 4155 describes the line as "From " addr-spec SP date, the date in
 * the asctime(3) layout of the writer's local time.  Real writers add a
 * zone before or after the year, drop the seconds, write "-" as sender
 * (Thunderbird), nothing at all (Thunderbird before 2.0) or an RFC 5322
 * date.  Body text such as "From my side, ..." must not match.
 */
#include <string.h>

#include "extract/stores-private.h"

#define FROM_MAX_TOKENS 32

struct token {
	const char *text;
	size_t len;
};

static const char *const weekdays[] = {
	"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun",
};

static const char *const months[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

/* Splits text at spaces and tabs; returns the token count. */
static int
from_tokenize(const char *text, size_t len, struct token *tokens, int max)
{
	int count = 0;
	size_t i = 0;

	while (i < len && count < max) {
		size_t start;

		while (i < len && (text[i] == ' ' || text[i] == '\t'))
			i++;
		if (i == len)
			break;
		start = i;
		while (i < len && text[i] != ' ' && text[i] != '\t')
			i++;
		tokens[count].text = text + start;
		tokens[count].len = i - start;
		count++;
	}
	return count;
}

/* Returns the index of tok in names (matched case-insensitively on the
 * first three letters, with an optional trailing comma), or -1. */
static int
from_name_index(const struct token *tok, const char *const *names,
		int count)
{
	size_t len = tok->len;

	if (len == 4 && tok->text[3] == ',')
		len = 3;
	if (len != 3)
		return -1;
	for (int i = 0; i < count; i++)
		if (g_ascii_strncasecmp(tok->text, names[i], 3) == 0)
			return i;
	return -1;
}

/* Parses a decimal token of 1..max_digits digits; returns -1 if not. */
static int
from_number(const struct token *tok, size_t max_digits)
{
	int value = 0;

	if (tok->len == 0 || tok->len > max_digits)
		return -1;
	for (size_t i = 0; i < tok->len; i++) {
		if (!g_ascii_isdigit(tok->text[i]))
			return -1;
		value = value * 10 + (tok->text[i] - '0');
	}
	return value;
}

/* Parses "hh:mm" or "hh:mm:ss" with one or two digits per part. */
static gboolean
from_clock(const struct token *tok, int *h, int *m, int *s)
{
	int parts[3] = { 0, 0, 0 };
	int part = 0, digits = 0;

	for (size_t i = 0; i < tok->len; i++) {
		char c = tok->text[i];

		if (c == ':' && digits > 0 && part < 2) {
			part++;
			digits = 0;
		} else if (g_ascii_isdigit(c) && digits < 2) {
			parts[part] = parts[part] * 10 + (c - '0');
			digits++;
		} else {
			return FALSE;
		}
	}
	if (part == 0 || digits == 0)
		return FALSE;
	*h = parts[0];
	*m = parts[1];
	*s = parts[2];
	return *h < 24 && *m < 60 && *s < 61;
}

struct zone_name {
	const char *name;
	int offset_min;
};

/* RFC 5322 4.3 obsolete zone names; others are kept as unknown. */
static const struct zone_name zone_names[] = {
	{ "UT", 0 }, { "UTC", 0 }, { "GMT", 0 },
	{ "EST", -300 }, { "EDT", -240 }, { "CST", -360 }, { "CDT", -300 },
	{ "MST", -420 }, { "MDT", -360 }, { "PST", -480 }, { "PDT", -420 },
};

/* Parses a zone token: "+hhmm", "-hhmm" or a name.  Returns TRUE when
 * the token is a zone; *known_r is FALSE for a name with no fixed
 * offset. */
static gboolean
from_zone(const struct token *tok, int *offset_r, gboolean *known_r)
{
	const char *t = tok->text;

	*offset_r = 0;
	*known_r = FALSE;
	if (tok->len == 5 && (t[0] == '+' || t[0] == '-')) {
		struct token digits = { t + 1, 4 };
		int hhmm = from_number(&digits, 4);

		if (hhmm < 0 || hhmm % 100 >= 60)
			return FALSE;
		*offset_r = hhmm / 100 * 60 + hhmm % 100;
		if (t[0] == '-')
			*offset_r = -*offset_r;
		*known_r = TRUE;
		return TRUE;
	}
	if (tok->len < 2 || tok->len > 5)
		return FALSE;
	for (size_t i = 0; i < tok->len; i++)
		if (!g_ascii_isalpha(t[i]))
			return FALSE;
	for (size_t i = 0; i < G_N_ELEMENTS(zone_names); i++)
		if (strlen(zone_names[i].name) == tok->len &&
		    g_ascii_strncasecmp(t, zone_names[i].name, tok->len) == 0) {
			*offset_r = zone_names[i].offset_min;
			*known_r = TRUE;
		}
	return TRUE;
}

struct from_date {
	int year, month, day, hour, minute, second;
	int offset_min;
	gboolean zone_known;
	int last;             /* index of the last token of the date */
};

/* Parses asctime order starting at tokens[i] (the weekday):
 * Www Mmm dd hh:mm[:ss] [zone] yyyy [zone]. */
static gboolean
from_date_asctime(const struct token *tok, int count, int i,
		  struct from_date *d)
{
	int at = i + 4;
	gboolean is_zone;

	if (i + 4 >= count)
		return FALSE;
	d->month = from_name_index(&tok[i + 1], months, 12);
	d->day = from_number(&tok[i + 2], 2);
	if (d->month < 0 || d->day < 1 || d->day > 31 ||
	    !from_clock(&tok[i + 3], &d->hour, &d->minute, &d->second))
		return FALSE;
	is_zone = from_zone(&tok[at], &d->offset_min, &d->zone_known);
	if (is_zone)
		at++;
	if (at >= count || tok[at].len != 4)
		return FALSE;
	d->year = from_number(&tok[at], 4);
	if (d->year < 1900)
		return FALSE;
	if (!is_zone && at + 1 < count)
		from_zone(&tok[at + 1], &d->offset_min, &d->zone_known);
	d->last = at;
	return TRUE;
}

/* Parses RFC 5322 order starting at tokens[i] (the weekday), which some
 * writers put in From_ lines: Www, dd Mmm yyyy hh:mm[:ss] [zone]. */
static gboolean
from_date_rfc5322(const struct token *tok, int count, int i,
		  struct from_date *d)
{
	if (i + 4 >= count)
		return FALSE;
	d->day = from_number(&tok[i + 1], 2);
	d->month = from_name_index(&tok[i + 2], months, 12);
	d->year = from_number(&tok[i + 3], 4);
	if (d->day < 1 || d->day > 31 || d->month < 0 || d->year < 1900 ||
	    !from_clock(&tok[i + 4], &d->hour, &d->minute, &d->second))
		return FALSE;
	d->last = i + 4;
	if (i + 5 < count)
		from_zone(&tok[i + 5], &d->offset_min, &d->zone_known);
	return TRUE;
}

/* Converts a parsed date to seconds since the epoch, UTC. */
static gint64
from_date_utc(const struct from_date *d)
{
	GDateTime *dt = g_date_time_new_utc(d->year, d->month + 1, d->day,
					    d->hour, d->minute,
					    d->second > 59 ? 59 : d->second);
	gint64 utc;

	if (dt == NULL)
		return MT_TIME_NONE;
	utc = g_date_time_to_unix(dt) - (gint64)d->offset_min * 60;
	g_date_time_unref(dt);
	return utc;
}

static void
from_date_raw_copy(struct mbox_from *from, const struct token *first,
		   const char *line_end)
{
	size_t len = (size_t)(line_end - first->text);

	if (len >= sizeof(from->date_raw))
		len = sizeof(from->date_raw) - 1;
	memcpy(from->date_raw, first->text, len);
	from->date_raw[len] = '\0';
	g_strchomp(from->date_raw);
}

enum mbox_from_kind
mbox_from_line_parse(const char *line, size_t len, struct mbox_from *from)
{
	struct token tok[FROM_MAX_TOKENS];
	int count;

	memset(from, 0, sizeof(*from));
	from->kind = MBOX_FROM_NONE;
	from->utc = MT_TIME_NONE;
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (len < 5 || memcmp(line, "From ", 5) != 0)
		return MBOX_FROM_NONE;
	count = from_tokenize(line + 5, len - 5, tok, FROM_MAX_TOKENS);
	if (count == 0) {
		from->kind = MBOX_FROM_BARE;
		return MBOX_FROM_BARE;
	}

	/* The date starts at the first weekday; the sender comes before it
	 * and may be missing or, quoted, contain spaces. */
	for (int i = 0; i < count; i++) {
		struct from_date d = { 0 };
		gboolean ok;

		if (from_name_index(&tok[i], weekdays, 7) < 0)
			continue;
		ok = from_date_asctime(tok, count, i, &d) ||
		     from_date_rfc5322(tok, count, i, &d);
		if (!ok)
			continue;
		from->utc = from_date_utc(&d);
		if (from->utc == MT_TIME_NONE)
			continue;
		from->offset_min = d.offset_min;
		from->zone_known = d.zone_known;
		from_date_raw_copy(from, &tok[i], line + len);
		from->kind = MBOX_FROM_VALID;
		return MBOX_FROM_VALID;
	}
	return MBOX_FROM_NONE;
}
