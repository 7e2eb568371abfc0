/* SPDX-License-Identifier: MIT
 *
 * test-extract-mbox.c - the mbox From_ line validator and the EML head
 * score, table-driven.  Expected times were computed with Python's
 * calendar.timegm from the dates written in each line.
 */
#include <stdio.h>
#include <string.h>

#include "extract/stores-private.h"

static int failures;

static void
check(gboolean ok, const char *name, const char *detail)
{
	printf("%s - %s\n", ok ? "ok" : "not ok", name);
	if (!ok) {
		printf("# %s\n", detail);
		failures++;
	}
}

struct from_case {
	const char *name;
	const char *line;
	enum mbox_from_kind kind;
	gint64 utc;            /* MT_TIME_NONE when no date is expected */
	gboolean zone_known;
	int offset_min;
};

static const struct from_case from_cases[] = {
	{ "rfc 4155 address and asctime",
	  "From bob@example.org Thu Jul  4 10:30:00 2019\n",
	  MBOX_FROM_VALID, 1562236200, FALSE, 0 },
	{ "thunderbird dash sender",
	  "From - Tue Oct 02 00:26:47 2007\n",
	  MBOX_FROM_VALID, 1191284807, FALSE, 0 },
	{ "crlf line end",
	  "From MAILER-DAEMON Fri Jul  8 12:08:34 2011\r\n",
	  MBOX_FROM_VALID, 1310126914, FALSE, 0 },
	{ "long envelope sender",
	  "From core-user-return-14700-apmail-hadoop-core-user-archive="
	  "hadoop.apache.org@hadoop.apache.org Mon Jun 01 04:28:28 2009\n",
	  MBOX_FROM_VALID, 1243830508, FALSE, 0 },
	{ "numeric zone after year",
	  "From a@example.com Thu Jul  4 12:30:00 2019 +0200\n",
	  MBOX_FROM_VALID, 1562236200, TRUE, 120 },
	{ "zone name before year",
	  "From a@example.com Thu Jul  4 03:30:00 PDT 2019\n",
	  MBOX_FROM_VALID, 1562236200, TRUE, -420 },
	{ "no seconds",
	  "From a@example.com Fri Dec 31 23:59 1999\n",
	  MBOX_FROM_VALID, 946684740, FALSE, 0 },
	{ "uucp remote from suffix",
	  "From a Thu Jul  4 10:30:00 2019 remote from uunet\n",
	  MBOX_FROM_VALID, 1562236200, FALSE, 0 },
	{ "rfc 5322 date in from line",
	  "From a@example.com Thu, 04 Jul 2019 10:30:00 +0000\n",
	  MBOX_FROM_VALID, 1562236200, TRUE, 0 },
	{ "bare from of old thunderbird", "From \n",
	  MBOX_FROM_BARE, MT_TIME_NONE, FALSE, 0 },
	{ "body text from my side",
	  "From my side, a few queries and observations:\n",
	  MBOX_FROM_NONE, MT_TIME_NONE, FALSE, 0 },
	{ "body text from a year",
	  "From 2020 onwards the contract changes.\n",
	  MBOX_FROM_NONE, MT_TIME_NONE, FALSE, 0 },
	{ "weekday without date",
	  "From Monday to Friday we work.\n",
	  MBOX_FROM_NONE, MT_TIME_NONE, FALSE, 0 },
	{ "header field is no separator",
	  "From: Alice <alice@example.com>\n",
	  MBOX_FROM_NONE, MT_TIME_NONE, FALSE, 0 },
	{ "quoted from is no separator",
	  ">From a@example.com Thu Jul  4 10:30:00 2019\n",
	  MBOX_FROM_NONE, MT_TIME_NONE, FALSE, 0 },
	{ "impossible day",
	  "From a@example.com Thu Jul 32 10:30:00 2019\n",
	  MBOX_FROM_NONE, MT_TIME_NONE, FALSE, 0 },
	{ "impossible hour",
	  "From a@example.com Thu Jul  4 25:30:00 2019\n",
	  MBOX_FROM_NONE, MT_TIME_NONE, FALSE, 0 },
	{ "two digit year",
	  "From a@example.com Thu Jul  4 10:30:00 19\n",
	  MBOX_FROM_NONE, MT_TIME_NONE, FALSE, 0 },
	{ "lower case from",
	  "from a@example.com Thu Jul  4 10:30:00 2019\n",
	  MBOX_FROM_NONE, MT_TIME_NONE, FALSE, 0 },
};

static void
from_cases_run(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(from_cases); i++) {
		const struct from_case *c = &from_cases[i];
		struct mbox_from from;
		enum mbox_from_kind kind;
		char *name, *detail;

		kind = mbox_from_line_parse(c->line, strlen(c->line), &from);
		name = g_strdup_printf("from line %s: kind", c->name);
		detail = g_strdup_printf("expected kind %d, got %d", c->kind,
					 kind);
		check(kind == c->kind && from.kind == c->kind, name, detail);
		g_free(name);
		g_free(detail);

		name = g_strdup_printf("from line %s: time", c->name);
		detail = g_strdup_printf("expected %" G_GINT64_FORMAT
					 " zone %d/%d, got %" G_GINT64_FORMAT
					 " zone %d/%d", c->utc, c->zone_known,
					 c->offset_min, from.utc,
					 from.zone_known, from.offset_min);
		check(from.utc == c->utc && from.zone_known == c->zone_known &&
		      from.offset_min == c->offset_min, name, detail);
		g_free(name);
		g_free(detail);
	}
}

static void
from_raw_date_kept(void)
{
	struct mbox_from from;
	const char *line = "From x@example.com Thu Jul  4 10:30:00 2019\r\n";

	mbox_from_line_parse(line, strlen(line), &from);
	check(strcmp(from.date_raw, "Thu Jul  4 10:30:00 2019") == 0,
	      "from line raw date without line end", from.date_raw);
}

static void
from_line_without_newline(void)
{
	struct mbox_from from;
	const char *line = "From x Thu Jul  4 10:30:00 2019";

	check(mbox_from_line_parse(line, strlen(line), &from) ==
	      MBOX_FROM_VALID, "from line without newline", line);
}

struct head_case {
	const char *name;
	const char *head;
	gboolean is_mail;
};

static const struct head_case head_cases[] = {
	{ "complete header block",
	  "From: a@example.com\r\nTo: b@example.org\r\nSubject: x\r\n\r\nhi",
	  TRUE },
	{ "received first with folding",
	  "Received: from mx by mx2\n\twith ESMTP; Thu, 4 Jul 2019\n"
	  "Date: Thu, 4 Jul 2019 10:00:00 +0000\n", TRUE },
	{ "byte order mark first",
	  "\xef\xbb\xbfMessage-ID: <x@example.com>\nFrom: a@b\n\n", TRUE },
	{ "mbox from line", "From a Thu Jul  4 10:30:00 2019\nFrom: a\n",
	  FALSE },
	{ "yaml with unknown keys", "name: demo\nversion: 2\n", FALSE },
	{ "prose", "Dear team,\nplease find attached.\n", FALSE },
	{ "continuation first", " folded: x\nFrom: a\n", FALSE },
	{ "png bytes", "\x89PNG\r\n\x1a\n", FALSE },
};

static void
head_cases_run(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(head_cases); i++) {
		const struct head_case *c = &head_cases[i];
		int score = stores_eml_head_score(
			(const unsigned char *)c->head, strlen(c->head));
		char *name = g_strdup_printf("eml head %s", c->name);
		char *detail = g_strdup_printf("score %d", score);

		check((score > 0) == c->is_mail, name, detail);
		g_free(name);
		g_free(detail);
	}
}

int
main(void)
{
	from_cases_run();
	from_raw_date_kept();
	from_line_without_newline();
	head_cases_run();
	return failures == 0 ? 0 : 1;
}
