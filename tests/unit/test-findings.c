/* SPDX-License-Identifier: MIT
 *
 * test-findings.c - findings_run() on small case databases built here
 * row by row: exact statistics for ten messages with known times,
 * sizes and replies, and the planted behaviours the detectors must find
 * (and the ordinary ones they must leave alone).  Also the name
 * measures and edit distance behind the domain findings.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "parse/parse.h"
#include "report/findings-private.h"

extern const char mt_schema_sql[];

static int failures;

static void
check(gboolean ok, const char *name)
{
	printf("%s - %s\n", ok ? "ok" : "not ok", name);
	failures += !ok;
}

static void
check_num(double actual, double expected, const char *name)
{
	gboolean ok = fabs(actual - expected) < 1e-9;

	check(ok, name);
	if (!ok)
		printf("# expected %.6g, got %.6g\n", expected, actual);
}

static void
exec(sqlite3 *db, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		printf("# SQL failed: %s\n# %s\n", err, sql);
		failures++;
	}
	sqlite3_free(err);
}

static double
query_num(sqlite3 *db, const char *fmt, ...)
{
	va_list ap;
	char *sql;
	sqlite3_stmt *st;
	double v = NAN;

	va_start(ap, fmt);
	sql = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW &&
		    sqlite3_column_type(st, 0) != SQLITE_NULL)
			v = sqlite3_column_double(st, 0);
		sqlite3_finalize(st);
	} else {
		printf("# cannot prepare %s: %s\n", sql, sqlite3_errmsg(db));
	}
	g_free(sql);
	return v;
}

static sqlite3 *
case_new(void)
{
	sqlite3 *db = NULL;

	sqlite3_open(":memory:", &db);
	exec(db, mt_schema_sql);
	exec(db, "INSERT INTO evidence (id, path, size, sha256_before, format,"
	     " tool_version, command_line, ingest_start_utc, status)"
	     " VALUES (1, '/e', 0, 'x', 'mbox', 't', 'c', 0, 'complete');"
	     "INSERT INTO internal_domain VALUES ('example.com');");
	return db;
}

static void
custodian_add(sqlite3 *db, int id, const char *name, const char *address)
{
	char *sql = sqlite3_mprintf(
		"INSERT INTO custodian (id, name, inferred_from) VALUES"
		" (%d, %Q, 'command-line');"
		"INSERT INTO custodian_address VALUES (%d, %Q);",
		id, name, id, address);

	exec(db, sql);
	sqlite3_free(sql);
}

struct msg {
	int id, custodian;
	const char *direction, *status;
	gint64 utc;
	int offset_min;
	gint64 size;
	const char *from, *subject, *in_reply_to;
	int duplicate_of;
};

static void
message_add(sqlite3 *db, const struct msg *m)
{
	char duplicate_of[16] = "NULL";
	char *sql;

	if (m->duplicate_of)
		snprintf(duplicate_of, sizeof(duplicate_of), "%d",
			 m->duplicate_of);
	sql = sqlite3_mprintf(
		"INSERT INTO message (id, evidence_id, locator, status,"
		" message_id, in_reply_to, subject, from_addr, from_name,"
		" date_utc, date_offset_min, date_zone_known, sent_utc,"
		" sent_offset_min, size, duplicate_of, direction, custodian_id)"
		" VALUES (%d, 1, 'l%d', %Q, 'm%d@example.com', %Q, %Q, %Q,"
		" NULL, %lld, %d, 1, %lld, %d, %lld, %s, %Q, %d)",
		m->id, m->id, m->status ? m->status : "allocated", m->id,
		m->in_reply_to, m->subject, m->from, (long long)m->utc,
		m->offset_min, (long long)m->utc, m->offset_min,
		(long long)m->size, duplicate_of, m->direction, m->custodian);
	exec(db, sql);
	sqlite3_free(sql);
}

static void
recipient_add(sqlite3 *db, int message, const char *kind, const char *addr)
{
	const char *domain = strchr(addr, '@') + 1;
	char *sql = sqlite3_mprintf(
		"INSERT INTO recipient (message_id, kind, address, domain,"
		" external) VALUES (%d, %Q, %Q, %Q, %d)", message, kind, addr,
		domain, strcmp(domain, "example.com") != 0);

	exec(db, sql);
	sqlite3_free(sql);
}

static void
attachment_add(sqlite3 *db, int message, const char *name,
	       const char *type, const char *desc, gint64 size,
	       const char *sha)
{
	char *sql = sqlite3_mprintf(
		"INSERT INTO attachment (message_id, filename, magic_type,"
		" magic_desc, size, sha256) VALUES (%d, %Q, %Q, %Q, %lld, %Q)",
		message, name, type, desc, (long long)size, sha);

	exec(db, sql);
	sqlite3_free(sql);
}

/* 2024-03-04 00:00 UTC, a Monday. */
#define MONDAY 1709510400LL
#define H 3600LL

/* Ten sent messages with Date offset +0100; local[] contains the local
 * times as seconds after Monday 00:00. */
static sqlite3 *
ten_messages(void)
{
	static const gint64 local[10] = {
		9 * H + 300, 9 * H + 2400, 10 * H + 900, 14 * H, 14 * H + 1800,
		24 * H + 9 * H + 600, 24 * H + 16 * H + 2700,
		48 * H + 9 * H + 1200, 6 * 24 * H + 23 * H + 3000,
		7 * 24 * H + 10 * H,
	};
	sqlite3 *db = case_new();

	custodian_add(db, 1, "Alice", "alice@example.com");
	for (int i = 0; i < 10; i++) {
		struct msg m = { .id = i + 1, .custodian = 1,
				 .direction = "outbound",
				 .utc = MONDAY + local[i] - H, .offset_min = 60,
				 .size = (i + 1) * 1000,
				 .from = "alice@example.com", .subject = "s" };

		message_add(db, &m);
	}
	for (int i = 1; i <= 5; i++)
		recipient_add(db, i, "to", "bob@partner.org");
	recipient_add(db, 6, "to", "carol@example.com");
	recipient_add(db, 7, "to", "bob@partner.org");
	recipient_add(db, 7, "cc", "dave@partner.org");
	recipient_add(db, 8, "to", "carol@example.com");
	recipient_add(db, 9, "to", "carol@example.com");
	for (int i = 0; i < 40; i++) {
		char *a = g_strdup_printf("p%d@list.example.net", i);

		recipient_add(db, 10, "bcc", a);
		g_free(a);
	}
	attachment_add(db, 4, "a.pdf", "application/pdf", NULL, 100, "a1");
	attachment_add(db, 4, "b.pdf", "application/pdf", NULL, 300, "a2");
	attachment_add(db, 5, "c.pdf", "application/pdf", NULL, 500, "a3");
	/* A deleted copy of message 1, and two messages back from Bob. */
	message_add(db, &(struct msg){ .id = 11, .custodian = 1,
		.direction = "outbound", .status = "expunged",
		.utc = MONDAY + 9 * H + 300 - H, .offset_min = 60, .size = 1000,
		.from = "alice@example.com", .duplicate_of = 1 });
	message_add(db, &(struct msg){ .id = 12, .custodian = 1,
		.direction = "inbound", .utc = MONDAY + 12 * H,
		.offset_min = 60, .size = 10, .from = "bob@partner.org",
		.in_reply_to = "m1@example.com" });
	message_add(db, &(struct msg){ .id = 13, .custodian = 1,
		.direction = "inbound", .utc = MONDAY + 2 * 24 * H,
		.offset_min = 60, .size = 10, .from = "Bob@Partner.org" });
	return db;
}

static double
metric(sqlite3 *db, const char *custodian, const char *name)
{
	return query_num(db, "SELECT value FROM stat_custodian WHERE"
			 " custodian_id IS %s AND metric = '%s'", custodian,
			 name);
}

static double
bucket(sqlite3 *db, const char *kind, const char *key)
{
	return query_num(db, "SELECT messages FROM stat_bucket WHERE"
			 " custodian_id = 1 AND kind = '%s' AND bucket = '%s'",
			 kind, key);
}

static void
test_statistics(void)
{
	sqlite3 *db = ten_messages();
	struct findings_options opts = { 0 };

	check(findings_run(db, &opts) == 0, "statistics run succeeds");
	check_num(metric(db, "1", "messages_sent"), 10, "messages sent once");
	check_num(metric(db, "1", "deliveries"), 50, "deliveries count bcc");
	check_num(metric(db, "1", "external_deliveries"), 47,
		  "external deliveries");
	check_num(metric(db, "1", "bytes_sent"), 55000, "bytes sent");
	check_num(metric(db, "1", "msg_size_mean"), 5500, "size mean");
	check_num(metric(db, "1", "msg_size_median"), 5500, "size median");
	check_num(metric(db, "1", "attachments_sent"), 3, "attachments");
	check_num(metric(db, "1", "attachment_size_mean"), 300,
		  "attachment size mean");
	check_num(metric(db, "1", "attachment_size_median"), 300,
		  "attachment size median");
	check_num(metric(db, "1", "per_day_mean"), 1.25, "per day mean");
	check_num(metric(db, "1", "per_day_median"), 1, "per day median");
	check_num(metric(db, "1", "per_week_mean"), 5, "per week mean");
	check_num(metric(db, "1", "per_week_median"), 5, "per week median");
	check_num(metric(db, "1", "per_hour_mean"), 1.25, "per hour mean");
	check_num(metric(db, "1", "per_hour_median"), 1, "per hour median");
	check_num(metric(db, "1", "tz_offset_min"), 60, "offset inferred");
	check_num(metric(db, "NULL", "messages_sent"), 10, "everyone total");
	check_num(bucket(db, "hour-of-day", "09"), 4, "local hour 09");
	check_num(bucket(db, "hour-of-day", "10"), 2, "local hour 10");
	check_num(bucket(db, "hour-of-day", "23"), 1, "local hour 23");
	check_num(bucket(db, "day-of-week", "1"), 6, "Mondays");
	check_num(bucket(db, "day-of-week", "7"), 1, "Sundays");
	check_num(bucket(db, "day", "2024-03-10"), 1, "local day of 23:50");
	check_num(bucket(db, "iso-week", "2024-W10"), 9, "ISO week 10");
	check_num(bucket(db, "iso-week", "2024-W11"), 1, "ISO week 11");
	check_num(bucket(db, "weekday-hour", "1-14"), 2, "Monday 14h");
	check_num(query_num(db, "SELECT messages_sent FROM stat_recipient"
			    " WHERE address = 'bob@partner.org'"), 6,
		  "messages to bob");
	check_num(query_num(db, "SELECT replies FROM stat_recipient"
			    " WHERE address = 'bob@partner.org'"), 1,
		  "replies from bob");
	check_num(query_num(db, "SELECT messages_received FROM stat_recipient"
			    " WHERE address = 'bob@partner.org'"), 2,
		  "messages from bob");
	check_num(query_num(db, "SELECT first_utc FROM stat_recipient"
			    " WHERE address = 'bob@partner.org'"),
		  MONDAY + 8 * H + 300, "first contact with bob");
	check_num(query_num(db, "SELECT last_utc FROM stat_recipient"
			    " WHERE address = 'bob@partner.org'"),
		  MONDAY + 2 * 24 * H, "last contact with bob");

	/* Running again replaces, never adds. */
	check(findings_run(db, &opts) == 0, "second run succeeds");
	check_num(query_num(db, "SELECT COUNT(*) FROM stat_custodian WHERE"
			    " custodian_id = 1 AND metric = 'messages_sent'"),
		  1, "second run replaces statistics");
	sqlite3_close(db);
}

static void
test_zone_option(void)
{
	sqlite3 *db = ten_messages();
	GPtrArray *zones = g_ptr_array_new();
	struct findings_options opts = { .timezones = zones };

	g_ptr_array_add(zones, "alice=UTC");
	check(findings_run(db, &opts) == 0, "run with UTC zone");
	check_num(bucket(db, "hour-of-day", "08"), 4, "UTC shifts hour");
	g_ptr_array_index(zones, 0) = "Alice=Europe/Berlin";
	check(findings_run(db, &opts) == 0, "run with IANA zone");
	check_num(bucket(db, "hour-of-day", "09"), 4, "Berlin is +0100");
	g_ptr_array_index(zones, 0) = "Alice=Mars/Olympus";
	check(findings_run(db, &opts) < 0, "unknown zone rejected");
	g_ptr_array_index(zones, 0) = "Nobody=+0100";
	check(findings_run(db, &opts) < 0, "unknown custodian rejected");
	g_ptr_array_free(zones, TRUE);
	sqlite3_close(db);
}

/* Custodian 1 sends five internal messages on every weekday 10-14h for
 * six weeks.  On one Wednesday night she sends 40 messages with zip
 * files to a random-looking domain and expunges them.  Custodian 2 sends
 * the same ordinary mail and nothing else. */
static sqlite3 *
exfiltration_case(int exfil_day)
{
	sqlite3 *db = case_new();
	int id = 1;

	custodian_add(db, 1, "Mallory", "mallory@example.com");
	custodian_add(db, 2, "Olivia", "olivia@example.com");
	for (int c = 1; c <= 2; c++)
		for (int day = 0; day < 42; day++) {
			if (day % 7 >= 5)
				continue;
			for (int k = 0; k < 5; k++) {
				struct msg m = { .id = id, .custodian = c,
					.direction = "outbound",
					.utc = MONDAY + day * 24 * H +
					       (10 + k) * H,
					.size = 2000,
					.from = c == 1 ? "mallory@example.com"
						       : "olivia@example.com",
					.subject = "work" };

				message_add(db, &m);
				recipient_add(db, id, "to", "team@example.com");
				attachment_add(db, id, "logo.png", "image/png",
					       NULL, 3000, "logo");
				id++;
			}
		}
	for (int k = 0; k < 40; k++) {
		struct msg m = { .id = 1000 + k, .custodian = 1,
			.direction = "outbound", .status = "expunged",
			.utc = MONDAY + exfil_day * 24 * H + 2 * H + k * 60,
			.size = 50000, .from = "mallory@example.com",
			.subject = "part" };

		message_add(db, &m);
		recipient_add(db, m.id, "to", "drop@kxqvz7tp9rwn.net");
		attachment_add(db, m.id, "part.zip", "application/zip",
			       "Zip archive data", 48000, NULL);
	}
	return db;
}

static double
finding_count(sqlite3 *db, int custodian, const char *kind,
	      const char *extra)
{
	return query_num(db, "SELECT COUNT(*) FROM finding WHERE"
			 " custodian_id = %d AND kind = '%s' %s", custodian,
			 kind, extra ? extra : "");
}

/* Whether a finding of kind for Mallory lists all 40 night messages. */
static gboolean
covers_night(sqlite3 *db, const char *kind)
{
	return query_num(db, "SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM"
			 " finding f JOIN finding_message fm ON"
			 " fm.finding_id = f.id WHERE f.custodian_id = 1 AND"
			 " f.kind = '%s' AND fm.message_id >= 1000"
			 " GROUP BY f.id)", kind) == 40;
}

static void
test_exfiltration(void)
{
	sqlite3 *db = exfiltration_case(23);
	struct findings_options opts = { 0 };
	static const char *const kinds[] = {
		"spike", "off-hours", "one-recipient-no-replies",
		"high-entropy-domain", "archive-attachment", "deleted-outbound",
		"new-recipient-share",
	};

	check(findings_run(db, &opts) == 0, "exfiltration run succeeds");
	for (guint i = 0; i < G_N_ELEMENTS(kinds); i++) {
		char *name = g_strdup_printf("night found as %s", kinds[i]);

		check(covers_night(db, kinds[i]), name);
		g_free(name);
	}
	check_num(finding_count(db, 1, "spike", "AND subject_value = 'day'"
				" AND severity = 'high'"), 1,
		  "night day spike is high");
	check_num(finding_count(db, 1, "spike", "AND subject_value = 'hour'"),
		  1, "night hours merge into one");
	check_num(query_num(db, "SELECT COUNT(*) FROM finding WHERE"
			    " custodian_id = 2"), 0,
		  "ordinary custodian clean");
	check_num(query_num(db, "SELECT COUNT(*) FROM finding f JOIN"
			    " finding_message fm ON fm.finding_id = f.id"
			    " WHERE f.custodian_id = 1 AND fm.message_id < 1000"
			    " AND f.kind <> 'spike'"), 0,
		  "ordinary mail in no other finding");
	check_num(query_num(db, "SELECT value FROM stat_custodian WHERE"
			    " custodian_id = 1 AND metric = 'rank'"), 1,
		  "exfiltrating custodian ranked first");
	check_num(query_num(db, "SELECT is_spike FROM stat_bucket WHERE"
			    " custodian_id = 1 AND kind = 'day'"
			    " AND bucket = '2024-03-27'"), 1,
		  "spike day marked in buckets");
	check_num(query_num(db, "SELECT baseline_median FROM stat_bucket"
			    " WHERE custodian_id = 1 AND kind = 'day'"
			    " AND bucket = '2024-03-27'"), 5,
		  "baseline median of weekdays");
	check_num(query_num(db, "SELECT COUNT(*) FROM finding WHERE kind"
			    " LIKE '%%attachment%%'"
			    " AND explanation LIKE '%%logo%%'"), 0,
		  "repeated logo is noise");
	sqlite3_close(db);
}

static void
test_event_and_access(void)
{
	sqlite3 *db = exfiltration_case(23);
	char *dir = g_dir_make_tmp("mt-findings-XXXXXX", NULL);
	char *events = g_build_filename(dir, "events.csv", NULL);
	char *access = g_build_filename(dir, "access.txt", NULL);
	GPtrArray *departures = g_ptr_array_new();
	struct findings_options opts = { .events_path = events,
					 .access_path = access,
					 .departures = departures };

	g_file_set_contents(events, "date,description\n"
			    "2024-03-27,\"Data migration, all night\"\n", -1,
			    NULL);
	g_file_set_contents(access, "# may read the designs\n"
			    "olivia@example.com\n", -1, NULL);
	g_ptr_array_add(departures, "Mallory=2024-04-05");
	check(findings_run(db, &opts) == 0, "run with examiner inputs");
	check_num(finding_count(db, 1, "spike", "AND explained_by ="
				" 'Data migration, all night'"
				" AND subject_value = 'day'"), 1,
		  "event explains the spike");
	check_num(finding_count(db, 1, "spike", "AND explained_by IS NOT NULL"
				" AND severity = 'high'"), 0,
		  "explained spike not high");
	check_num(finding_count(db, 1, "deleted-outbound",
				"AND explanation LIKE '%%departure%%'"), 1,
		  "departure weighs in");
	check_num(query_num(db, "SELECT value FROM stat_custodian WHERE"
			    " custodian_id = 2 AND metric = 'rank'"), 1,
		  "access list ranks first");
	check_num(query_num(db, "SELECT COUNT(*) FROM examiner_input WHERE"
			    " length(sha256) = 64"), 2, "inputs hashed");
	g_file_set_contents(events, "2024-13-45,broken\n", -1, NULL);
	check(findings_run(db, &opts) < 0, "invalid event date rejected");
	unlink(events);
	unlink(access);
	rmdir(dir);
	g_free(events);
	g_free(access);
	g_free(dir);
	g_ptr_array_free(departures, TRUE);
	sqlite3_close(db);
}

/* Pat sends three internal messages every weekday for four weeks, then
 * one of each behaviour the other detectors look for. */
static sqlite3 *
detector_case(void)
{
	sqlite3 *db = case_new();
	int id = 1;

	custodian_add(db, 1, "Pat Doe", "pat.doe@example.com");
	for (int day = 0; day < 28; day++)
		for (int k = 0; day % 7 < 5 && k < 3; k++) {
			struct msg m = { .id = id, .custodian = 1,
				.direction = "outbound",
				.utc = MONDAY + day * 24 * H + (9 + 2 * k) * H,
				.size = 1500, .from = "pat.doe@example.com",
				.subject = "daily" };

			message_add(db, &m);
			recipient_add(db, id++, "to", "team@example.com");
		}
	/* Day 29: a large file, a watch-listed name, a competitor's
	 * subdomain, a lookalike domain and Pat's own Gmail address. */
	for (int k = 0; k < 5; k++)
		message_add(db, &(struct msg){ .id = 500 + k, .custodian = 1,
			.direction = "outbound",
			.utc = MONDAY + 29 * 24 * H + (10 + k) * H,
			.size = 2000, .from = "pat.doe@example.com",
			.subject = "files" });
	recipient_add(db, 500, "to", "someone@partner.org");
	attachment_add(db, 500, "dump.bin", "application/octet-stream", NULL,
		       12 * 1024 * 1024, "big");
	recipient_add(db, 501, "to", "someone@partner.org");
	attachment_add(db, 501, "Q3-CONFIDENTIAL.docx", "application/"
		       "vnd.openxmlformats-officedocument.wordprocessingml."
		       "document", NULL, 20000, "doc");
	recipient_add(db, 502, "to", "hr@jobs.rival.example");
	attachment_add(db, 502, "../../evil name\n=cmd|' /c calc'!A1.zip",
		       "application/zip", NULL, 900, "zip");
	recipient_add(db, 503, "to", "pat@examp1e.com");
	recipient_add(db, 504, "to", "patdoe1990@gmail.com");
	/* An inbound report dated 10 minutes before it arrived, and its
	 * forward 30 seconds after arrival. */
	message_add(db, &(struct msg){ .id = 600, .custodian = 1,
		.direction = "inbound", .utc = MONDAY + 30 * 24 * H - 600,
		.size = 900, .from = "reports@example.com",
		.subject = "Weekly numbers" });
	exec(db, "INSERT INTO message_time (message_id, source, utc) VALUES"
	     " (600, 'received-last', 1709510400 + 30 * 86400)");
	message_add(db, &(struct msg){ .id = 601, .custodian = 1,
		.direction = "outbound", .utc = MONDAY + 30 * 24 * H + 30,
		.size = 1200, .from = "pat.doe@example.com",
		.subject = "FW: Weekly numbers" });
	recipient_add(db, 601, "to", "patdoe1990@gmail.com");
	exec(db, "INSERT INTO message (id, evidence_id, locator, status,"
	     " item_class, size, custodian_id) VALUES (700, 1, 'nid=0x1',"
	     " 'allocated', 'IPM.Rule.Version2.Message', 300, 1)");
	return db;
}

static double
finding_has(sqlite3 *db, const char *kind, int message_id)
{
	return query_num(db, "SELECT COUNT(*) FROM finding f JOIN"
			 " finding_message fm ON fm.finding_id = f.id"
			 " WHERE f.kind = '%s' AND fm.message_id = %d", kind,
			 message_id);
}

static void
test_detectors(void)
{
	sqlite3 *db = detector_case();
	char *dir = g_dir_make_tmp("mt-detectors-XXXXXX", NULL);
	char *domains = g_build_filename(dir, "domains.txt", NULL);
	char *watch = g_build_filename(dir, "watch.txt", NULL);
	struct findings_options opts = { .domains_path = domains,
					 .watchlist_path = watch };

	g_file_set_contents(domains, "rival.example competitor\n", -1, NULL);
	g_file_set_contents(watch, "*confidential*\n", -1, NULL);
	check(findings_run(db, &opts) == 0, "detector run succeeds");
	check_num(finding_has(db, "large-attachment", 500), 1,
		  "12 MiB file is large");
	check_num(finding_has(db, "large-attachment", 501), 0,
		  "small file is not large");
	check_num(finding_has(db, "watchlist-attachment", 501), 1,
		  "name pattern ignores case");
	check_num(finding_has(db, "listed-domain", 502), 1,
		  "listed parent domain matches");
	check_num(finding_has(db, "lookalike-address", 503), 1,
		  "examp1e.com imitates example.com");
	check_num(finding_has(db, "self-forwarding", 504), 1,
		  "own name at Gmail");
	check_num(finding_has(db, "freemail", 504), 1, "Gmail is freemail");
	check_num(finding_has(db, "auto-forward", 601), 1,
		  "forward after 30 s is automatic");
	check_num(finding_has(db, "forwarding-rule", 700), 1,
		  "rule object found");
	check_num(finding_has(db, "high-entropy-domain", 500), 0,
		  "partner.org is no random domain");
	check_num(query_num(db, "SELECT COUNT(*) FROM finding WHERE"
			    " kind = 'archive-attachment'"
			    " AND explanation NOT LIKE '%%\n%%'"
			    " AND explanation LIKE '%%evil name =cmd%%'"), 1,
		  "hostile file name kept to one line");
	check_num(query_num(db, "SELECT COUNT(*) FROM finding WHERE kind ="
			    " 'spike'"), 0, "steady mail has no spike");
	unlink(domains);
	unlink(watch);
	rmdir(dir);
	g_free(domains);
	g_free(watch);
	g_free(dir);
	sqlite3_close(db);
}

static void
test_empty_case(void)
{
	sqlite3 *db = case_new();
	struct findings_options opts = { 0 };

	custodian_add(db, 1, "Quiet", "quiet@example.com");
	check(findings_run(db, &opts) == 0, "empty case runs");
	check_num(metric(db, "1", "messages_sent"), 0, "nothing sent");
	check_num(metric(db, "1", "per_day_median"), 0, "median of nothing");
	check_num(query_num(db, "SELECT COUNT(*) FROM finding"), 0,
		  "no findings without mail");
	sqlite3_close(db);
}

/* Dates from a forged or broken header: 1901, 2024 and 9999. */
static void
test_hostile_dates(void)
{
	static const gint64 utc[] = { -2145916800LL, MONDAY,
				      253402300799LL };
	sqlite3 *db = case_new();
	struct findings_options opts = { 0 };
	/* 1902-01-01 is day -24837 and 9999-12-31 day 2932896. */
	double days = 2932896 - (-24837) + 1;

	custodian_add(db, 1, "Alice", "alice@example.com");
	for (int i = 0; i < 3; i++) {
		struct msg m = { .id = i + 1, .custodian = 1,
				 .direction = "outbound", .utc = utc[i],
				 .size = 100, .from = "alice@example.com" };

		message_add(db, &m);
	}
	check(findings_run(db, &opts) == 0, "far-apart dates run");
	check_num(round(3 / metric(db, "1", "per_day_mean")), days,
		  "empty days counted over the span");
	check_num(metric(db, "1", "per_day_median"), 0,
		  "median of mostly empty days");
	check_num(bucket(db, "day", "9999-12-31"), 1, "year 9999 bucket");
	check_num(bucket(db, "day", "1902-01-01"), 1, "year 1902 bucket");
	sqlite3_close(db);
}

static void
test_names(void)
{
	struct fd_name_features nf;
	char *label;

	fd_name_measure("kxqvz7tp9rwn", &nf);
	check(nf.score >= 40, "random label scores high");
	check(nf.max_consonant_run == 5, "consonant run measured");
	fd_name_measure("example", &nf);
	check(nf.score < 20, "word label scores low");
	fd_name_measure("microsoft", &nf);
	check(nf.score < 20, "brand label scores low");
	fd_name_measure("jane.doe", &nf);
	check(nf.score < 20, "plain handle scores low");
	label = fd_domain_label("mail.kxq.co.uk");
	check(strcmp(label, "kxq") == 0, "label under co.uk");
	g_free(label);
	check(fd_edit_distance("example", "examlpe", 2) == 1,
	      "swap is one edit");
	check(fd_edit_distance("example", "exannple", 2) == 2,
	      "two edits counted");
	check(fd_edit_distance("example", "different", 2) == 3,
	      "distance capped");
	check(g_strcmp0(fd_domain_builtin_list("mail.gmail.com"),
			"freemail") == 0, "freemail subdomain listed");
	check(fd_domain_builtin_list("notgmail.com") == NULL,
	      "suffix without dot not listed");
}

static void
test_encryption_note(void)
{
	/* Local zip header: signature, version 20, flags, method 0. */
	unsigned char zip[64] = { 'P', 'K', 3, 4, 20, 0, 1, 0, 0, 0 };
	unsigned char ole[64] = { 0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a,
				  0xe1 };
	static const char pdf[] = "%PDF-1.7\n1 0 obj << /Encrypt 2 0 R >>";
	static const char plain_pdf[] = "%PDF-1.7\n1 0 obj << >> endobj";

	check(parse_encryption_note(zip, sizeof(zip)) != NULL,
	      "zip flag bit 0 is encrypted");
	zip[6] = 0;
	check(parse_encryption_note(zip, sizeof(zip)) == NULL,
	      "plain zip is not encrypted");
	zip[8] = 99;
	check(parse_encryption_note(zip, sizeof(zip)) != NULL,
	      "zip AES method is encrypted");
	check(parse_encryption_note((const unsigned char *)pdf,
				    sizeof(pdf) - 1) != NULL,
	      "PDF with /Encrypt is encrypted");
	check(parse_encryption_note((const unsigned char *)plain_pdf,
				    sizeof(plain_pdf) - 1) == NULL,
	      "plain PDF is not encrypted");
	memcpy(ole + 20, "E\0n\0c\0r\0y\0p\0t\0e\0d\0P\0a\0c\0k\0a\0g\0e\0",
	       32);
	check(parse_encryption_note(ole, sizeof(ole)) != NULL,
	      "EncryptedPackage is encrypted");
	check(parse_encryption_note(zip, 4) == NULL, "short input is safe");
}

int
main(void)
{
	test_statistics();
	test_zone_option();
	test_exfiltration();
	test_event_and_access();
	test_detectors();
	test_hostile_dates();
	test_empty_case();
	test_names();
	test_encryption_note();
	return failures ? 1 : 0;
}
