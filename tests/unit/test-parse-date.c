/* SPDX-License-Identifier: MIT
 *
 * test-parse-date.c - parse_date() on RFC 5322 dates, the obsolete forms
 * of its section 4.3 and forms real mailers write, plus the Date and
 * Received times parse_message_bytes() records and the sent-time rule.
 */
#include <stdlib.h>
#include <json-glib/json-glib.h>

#include "tests/unit/parse-test.h"

struct date_case {
	const char *text;
	const char *utc;        /* NULL when the text must be rejected */
	int offset_min;
	gboolean zone_known;
};

/* Expected values follow RFC 5322 sections 3.3 and 4.3. */
static const struct date_case date_cases[] = {
	{ "Thu, 01 Jan 1970 00:00:00 +0000", "1970-01-01T00:00:00Z", 0, TRUE },
	{ "Fri, 21 Nov 1997 09:55:06 -0600", "1997-11-21T15:55:06Z", -360,
	  TRUE },
	{ "Tue, 1 Jul 2003 10:52:37 +0200", "2003-07-01T08:52:37Z", 120, TRUE },
	{ "1 Jul 2003 10:52 +0200", "2003-07-01T08:52:00Z", 120, TRUE },
	{ "Thu, 13 Feb 1969 23:32:54 -0330", "1969-02-14T03:02:54Z", -210,
	  TRUE },
	{ "Thu, 10 Jul 97 14:53:31 EST", "1997-07-10T19:53:31Z", -300, TRUE },
	{ "Fri, 13 Mar 2020 08:00:00 A", "2020-03-13T08:00:00Z", 0, FALSE },
	{ "Fri, 13 Mar 2020 08:00:00 Z", "2020-03-13T08:00:00Z", 0, TRUE },
	{ "Fri, 13 Mar 2020 08:00:00 -0000", "2020-03-13T08:00:00Z", 0,
	  FALSE },
	{ "Fri, 13 Mar 2020 08:00:00", "2020-03-13T08:00:00Z", 0, FALSE },
	{ "Mon, 1 Jan 101 00:00:00 +0000", "2001-01-01T00:00:00Z", 0, TRUE },
	{ "1 Jan 49 00:00:00 +0000", "2049-01-01T00:00:00Z", 0, TRUE },
	{ "1 Jan 50 00:00:00 +0000", "1950-01-01T00:00:00Z", 0, TRUE },
	{ "Mon, 29 Feb 2016 12:00:00 +0000", "2016-02-29T12:00:00Z", 0, TRUE },
	{ "Mon, 10 Jun 2024 12:00:00 +0200 (CEST)", "2024-06-10T10:00:00Z",
	  120, TRUE },
	{ "Mon, 10 Jun 2024 12:00:00 CEST", "2024-06-10T10:00:00Z", 120,
	  TRUE },
	{ "Mon, 15 Jan 2024 12:00:00 EST5EDT", "2024-01-15T17:00:00Z", -300,
	  FALSE },
	{ "Mon, 15 Jan 2024 12:00:00 EST5", "2024-01-15T17:00:00Z", -300,
	  TRUE },
	{ "Thu Jul 10 14:53:31 1997", "1997-07-10T14:53:31Z", 0, FALSE },
	{ "Mon, 6 Jan 2020 10:00:00 GMT+0100", "2020-01-06T09:00:00Z", 60,
	  TRUE },
	{ "Mon, 6 Jan 2020 10:00:00 UTC-05:00", "2020-01-06T15:00:00Z", -300,
	  TRUE },
	{ "Mon, 6 Jan 2020 10:00:00 GMT+1", "2020-01-06T09:00:00Z", 60, TRUE },
	{ "2019-03-01T09:00:00Z", "2019-03-01T09:00:00Z", 0, TRUE },
	{ "2019-03-01 10:00:00 +01:00", "2019-03-01T09:00:00Z", 60, TRUE },
	{ "Wed, 10-Jul-1997 14:53:31 GMT", "1997-07-10T14:53:31Z", 0, TRUE },
	{ "Wed, 31 Dec 9999 23:59:59 +0000", "9999-12-31T23:59:59Z", 0, TRUE },
	{ "Tue, 29 Feb 2022 12:00:00 +0000", NULL, 0, FALSE },
	{ "Tue, 12 Foo 2020 12:00:00 +0000", NULL, 0, FALSE },
	{ "Tue, 12 May 2020 25:00:00 +0000", NULL, 0, FALSE },
	{ "Tue, 12 May 2020 12:00:00 +9900", NULL, 0, FALSE },
	{ "yesterday", NULL, 0, FALSE },
	{ "", NULL, 0, FALSE },
	{ "12 May", NULL, 0, FALSE },
	{ "99999999999999999999 May 2020 12:00:00 +0000", NULL, 0, FALSE },
	{ "((((((((((", NULL, 0, FALSE },
};

static void
check_date_case(const struct date_case *c)
{
	gint64 utc = 0;
	int offset = 0;
	gboolean known = FALSE;
	gboolean ok = parse_date(c->text, &utc, &offset, &known);
	char *name;

	if (c->utc == NULL) {
		name = g_strdup_printf("date '%s' rejected", c->text);
		check_true(!ok, name);
		g_free(name);
		return;
	}
	name = g_strdup_printf("date '%s' utc", c->text);
	if (ok) {
		char *text = test_format_utc(utc);

		check_str(text, c->utc, name);
		g_free(text);
	} else {
		check_true(FALSE, name);
	}
	g_free(name);
	name = g_strdup_printf("date '%s' offset", c->text);
	check_int(offset, c->offset_min, name);
	g_free(name);
	name = g_strdup_printf("date '%s' zone known", c->text);
	check_int(known, c->zone_known, name);
	g_free(name);
}

/* Splits an mbox on its From_ lines; the case file has no escaping. */
static GPtrArray *
split_mbox(const char *data)
{
	GPtrArray *messages = g_ptr_array_new_with_free_func(g_free);
	char **parts = g_strsplit(data, "\nFrom ", -1);

	for (int i = 0; parts[i] != NULL; i++) {
		const char *nl = strchr(parts[i], '\n');

		if (nl != NULL)
			g_ptr_array_add(messages, g_strdup(nl + 1));
	}
	g_strfreev(parts);
	return messages;
}

static void
check_case09_message(const char *raw, JsonObject *e)
{
	struct mt_message *msg = mt_message_new();
	const struct mt_time *date;
	const char *subject = json_object_get_string_member(e, "subject");
	char *name, *utc;

	parse_message_bytes(raw, strlen(raw), msg);
	date = mt_message_find_time(msg, MT_TIME_DATE);
	name = g_strdup_printf("09 %s date raw", subject);
	check_str(msg->date_raw, json_object_get_string_member(e, "date_raw"),
		  name);
	g_free(name);
	name = g_strdup_printf("09 %s date utc", subject);
	utc = date != NULL ? test_format_utc(date->utc) : NULL;
	check_str(utc, json_object_get_string_member(e, "date_utc"), name);
	g_free(utc);
	g_free(name);
	if (json_object_has_member(e, "zone_known")) {
		name = g_strdup_printf("09 %s zone unknown", subject);
		check_int(date != NULL ? date->zone_known : -1,
			  json_object_get_boolean_member(e, "zone_known"),
			  name);
		g_free(name);
	}
	mt_message_free(&msg);
}

static void
check_case09(void)
{
	const char *folder = "cases/09-date-obsolete-forms";
	char *json_path = test_shared_path("cases/09-date-obsolete-forms/"
					   "expected.json");
	JsonParser *parser = json_parser_new();
	char *data = test_read_shared("cases/09-date-obsolete-forms/"
				      "input.mbox", NULL);
	GPtrArray *messages;
	JsonArray *details;

	if (data == NULL || !json_parser_load_from_file(parser, json_path,
							 NULL)) {
		check_true(FALSE, folder);
		goto out;
	}
	details = json_object_get_array_member(
		json_node_get_object(json_parser_get_root(parser)),
		"messages_detail");
	messages = split_mbox(data);
	check_int(messages->len, json_array_get_length(details),
		  "09 message count");
	for (guint i = 0; i < messages->len &&
	     i < json_array_get_length(details); i++)
		check_case09_message(g_ptr_array_index(messages, i),
				     json_array_get_object_element(details, i));
	g_ptr_array_unref(messages);
out:
	g_object_unref(parser);
	g_free(json_path);
	g_free(data);
}

static const char received_message[] =
	"Received: from b.example.org by c.example.org; "
	"Mon, 6 Jan 2020 10:00:09 +0000\n"
	"Received: from a.example.org by b.example.org;\n"
	" Mon, 6 Jan 2020 10:00:05 +0000 (UTC)\n"
	"Received: from laptop by a.example.org; "
	"Mon, 6 Jan 2020 11:00:02 +0100\n"
	"From: a@example.com\n"
	"Date: Mon, 6 Jan 2020 11:02:00 +0100\n"
	"Subject: hops\n\nbody\n";

static void
check_received(void)
{
	struct mt_message *msg = mt_message_new();
	const struct mt_time *first, *last;
	gint64 utc, skew;
	int offset;
	const char *source;

	parse_message_bytes(received_message, strlen(received_message), msg);
	first = mt_message_find_time(msg, MT_TIME_RECEIVED_FIRST);
	last = mt_message_find_time(msg, MT_TIME_RECEIVED_LAST);
	check_int(first != NULL ? first->utc : 0, 1578304802,
		  "received first is the oldest hop");
	check_int(first != NULL ? first->offset_min : 0, 60,
		  "received first keeps its offset");
	check_int(last != NULL ? last->utc : 0, 1578304809,
		  "received last is the newest hop");
	parse_choose_sent_time(msg, &utc, &offset, &source, &skew);
	check_str(source, "date", "sent time from Date");
	check_int(utc, 1578304920, "sent time value");
	check_int(offset, 60, "sent time offset");
	check_int(skew, 118, "clock skew is Date minus first hop");
	mt_message_free(&msg);
}

static void
check_sent_time_order(void)
{
	struct mt_message *msg = mt_message_new();
	gint64 utc, skew;
	int offset;
	const char *source;

	parse_choose_sent_time(msg, &utc, &offset, &source, &skew);
	check_int(utc, MT_TIME_NONE, "sent time none without times");
	check_true(source == NULL, "sent source none without times");
	mt_message_add_time(msg, MT_TIME_MBOX_FROM_LINE, 500, 0, FALSE, NULL);
	mt_message_add_time(msg, MT_TIME_CREATION, 400, 0, TRUE, NULL);
	parse_choose_sent_time(msg, &utc, &offset, &source, &skew);
	check_str(source, "creation", "creation before mbox From_ line");
	mt_message_add_time(msg, MT_TIME_RECEIVED_FIRST, 300, 0, TRUE, NULL);
	parse_choose_sent_time(msg, &utc, &offset, &source, &skew);
	check_str(source, "received-first", "received before creation");
	check_int(skew, MT_TIME_NONE, "no skew without Date");
	mt_message_add_time(msg, MT_TIME_DATE, 310, 0, TRUE, NULL);
	parse_choose_sent_time(msg, &utc, &offset, &source, &skew);
	check_str(source, "date", "Date before received");
	check_int(skew, 10, "skew with Date and received");
	mt_message_add_time(msg, MT_TIME_CLIENT_SUBMIT, 305, 0, TRUE, NULL);
	parse_choose_sent_time(msg, &utc, &offset, &source, &skew);
	check_str(source, "client-submit", "client submit before Date");
	check_int(utc, 305, "client submit value");
	mt_message_free(&msg);
}

int
main(void)
{
	/* Dates must not depend on the zone of the machine running them. */
	setenv("TZ", "Pacific/Chatham", 1);
	if (parse_init() != 0) {
		printf("not ok - parse_init\n");
		return 1;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(date_cases); i++)
		check_date_case(&date_cases[i]);
	check_case09();
	check_received();
	check_sent_time_order();
	parse_shutdown();
	return test_failures > 0 ? 1 : 0;
}
