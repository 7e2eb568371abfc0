/* SPDX-License-Identifier: MIT
 *
 * cli.c - the 'report' and 'timeline' subcommands.
 *
 * 'report' opens the case database read-write only to run findings_run()
 * and record the run, then read-only to write the report folder.
 * 'timeline' only reads.  Exit statuses are the MT_EXIT_* values.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/casedb.h"
#include "core/ingest.h"
#include "report/report.h"
#include "report/report-private.h"

char *
report_db_error(sqlite3 *db)
{
	return g_strdup_printf("reading the case database failed: %s",
			       sqlite3_errmsg(db));
}

sqlite3 *
report_db_open_readonly(const char *path, char **error_r)
{
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		*error_r = g_strdup_printf("cannot open case database '%s': %s",
					   path, db != NULL ?
					   sqlite3_errmsg(db) :
					   "out of memory");
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 10000);
	if (sqlite3_exec(db, "SELECT 1 FROM message LIMIT 1", NULL, NULL,
			 NULL) != SQLITE_OK) {
		*error_r = g_strdup_printf("'%s' is not a mailtrail case "
					   "database: %s", path,
					   sqlite3_errmsg(db));
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

/* ---- timeline ---------------------------------------------------- */

typedef int (*timeline_writer)(FILE *out, const struct report_timeline *tl,
			       char **error_r);

static const struct {
	const char *name;
	timeline_writer write;
} timeline_formats[] = {
	{ "csv", report_export_csv },
	{ "jsonl", report_export_jsonl },
	{ "timesketch-csv", report_export_timesketch_csv },
	{ "timesketch-jsonl", report_export_timesketch_jsonl },
	{ "bodyfile", report_export_bodyfile },
	{ "case-uco", report_export_case_uco },
};

static void
timeline_usage(FILE *out)
{
	fputs("usage: mailtrail timeline CASE.db [options]\n\n"
	      "Writes every outbound message, ordered by sent time (UTC),\n"
	      "with the evidence file, locator and hashes behind it.\n\n"
	      "  --custodian NAME   only this custodian's mail (name in any\n"
	      "                     letter case, or one of their addresses)\n"
	      "  --format F         csv (default), jsonl, timesketch-csv,\n"
	      "                     timesketch-jsonl, bodyfile (mactime),\n"
	      "                     case-uco (CASE/UCO JSON-LD)\n"
	      "  --deleted-only     only deleted, trashed, expunged,\n"
	      "                     recovered and orphan messages\n"
	      "  -o, --output FILE  write to FILE (must not exist unless\n"
	      "                     --force); standard output by default\n"
	      "  --force            replace an existing FILE\n"
	      "  -h, --help         show this help\n\n"
	      "exit status: 0 success, 1 usage error (unknown option,\n"
	      "format or custodian), 3 the case database could not be read\n"
	      "or the output written.\n", out);
}

static timeline_writer
timeline_writer_find(const char *name)
{
	guint i;

	for (i = 0; i < G_N_ELEMENTS(timeline_formats); i++)
		if (strcmp(timeline_formats[i].name, name) == 0)
			return timeline_formats[i].write;
	return NULL;
}

/* Opens the -o file.  The case database itself is never a valid target,
 * and an existing file is replaced only with --force. */
static FILE *
timeline_output_open(const char *path, const char *db_path, gboolean force,
		     char **error_r)
{
	struct stat out_st, db_st;
	int flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC;
	int fd;
	FILE *f;

	if (stat(path, &out_st) == 0 && stat(db_path, &db_st) == 0 &&
	    out_st.st_dev == db_st.st_dev && out_st.st_ino == db_st.st_ino) {
		*error_r = g_strdup_printf("output '%s' is the case database; "
					   "choose another file", path);
		return NULL;
	}
	flags |= force ? O_TRUNC : O_EXCL;
	fd = open(path, flags, 0644);
	if (fd < 0) {
		*error_r = g_strdup_printf("cannot create '%s': %s%s", path,
					   g_strerror(errno), errno == EEXIST ?
					   " (use --force to replace it)" : "");
		return NULL;
	}
	f = fdopen(fd, "w");
	if (f == NULL) {
		*error_r = g_strdup_printf("cannot open '%s': %s", path,
					   g_strerror(errno));
		close(fd);
	}
	return f;
}

struct timeline_args {
	const char *db_path;
	const char *output;
	const char *format;
	gboolean force;
	struct report_filter filter;
};

/* Returns -1 to go on, or the exit status to return. */
static int
timeline_parse(int argc, char **argv, struct timeline_args *a)
{
	static const struct option options[] = {
		{ "custodian", required_argument, NULL, 'c' },
		{ "format", required_argument, NULL, 'f' },
		{ "deleted-only", no_argument, NULL, 'd' },
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	memset(a, 0, sizeof(*a));
	a->format = "csv";
	optind = 0;
	while ((c = getopt_long(argc, argv, "o:h", options, NULL)) != -1) {
		switch (c) {
		case 'c': a->filter.custodian = optarg; break;
		case 'f': a->format = optarg; break;
		case 'd': a->filter.deleted_only = TRUE; break;
		case 'o': a->output = optarg; break;
		case 'F': a->force = TRUE; break;
		case 'h': timeline_usage(stdout); return MT_EXIT_OK;
		default: timeline_usage(stderr); return MT_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		fputs("error: timeline: expected exactly one case database\n",
		      stderr);
		timeline_usage(stderr);
		return MT_EXIT_USAGE;
	}
	a->db_path = argv[optind];
	if (timeline_writer_find(a->format) == NULL) {
		fprintf(stderr, "error: timeline: unknown format '%s'; use "
			"csv, jsonl, timesketch-csv, timesketch-jsonl, "
			"bodyfile or case-uco\n", a->format);
		return MT_EXIT_USAGE;
	}
	return -1;
}

static int
custodian_exists(sqlite3 *db, const char *name)
{
	sqlite3_stmt *st;
	int found;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM custodian WHERE name = ?1"
			       " COLLATE NOCASE OR id IN (SELECT custodian_id"
			       " FROM custodian_address WHERE address ="
			       " lower(?1))", -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

int
report_cmd_timeline(int argc, char **argv)
{
	struct timeline_args a;
	struct report_timeline *tl = NULL;
	char *error = NULL;
	sqlite3 *db;
	FILE *out = stdout;
	int status = timeline_parse(argc, argv, &a);

	if (status >= 0)
		return status;
	db = report_db_open_readonly(a.db_path, &error);
	if (db == NULL)
		goto fail;
	if (a.filter.custodian != NULL &&
	    !custodian_exists(db, a.filter.custodian)) {
		fprintf(stderr, "error: timeline: custodian '%s' not found "
			"in '%s'; 'mailtrail info' lists names and "
			"addresses\n", a.filter.custodian, a.db_path);
		sqlite3_close(db);
		return MT_EXIT_USAGE;
	}
	tl = report_timeline_load(db, &a.filter, &error);
	if (tl == NULL)
		goto fail;
	if (a.output != NULL) {
		out = timeline_output_open(a.output, a.db_path, a.force,
					   &error);
		if (out == NULL)
			goto fail;
	}
	if (timeline_writer_find(a.format)(out, tl, &error) < 0)
		goto fail;
	if (out != stdout && fclose(out) != 0) {
		out = stdout;
		error = g_strdup_printf("writing '%s' failed: %s", a.output,
					g_strerror(errno));
		goto fail;
	}
	report_timeline_free(&tl);
	sqlite3_close(db);
	return MT_EXIT_OK;

fail:
	fprintf(stderr, "error: timeline: %s\n", error);
	g_free(error);
	if (out != NULL && out != stdout)
		fclose(out);
	report_timeline_free(&tl);
	sqlite3_close(db);
	return MT_EXIT_FATAL;
}

/* ---- report ------------------------------------------------------ */

static void
report_usage(FILE *out)
{
	fputs("usage: mailtrail report CASE.db -o DIR [options]\n\n"
	      "Computes statistics and findings into the case database, then\n"
	      "writes DIR/report.html and the CSV files beside it.  DIR is\n"
	      "created when missing; files in it that mailtrail did not write\n"
	      "are never replaced.\n\n"
	      "  -o, --output DIR          report folder (required)\n"
	      "  --events FILE             CSV of corporate events: date or\n"
	      "                            date range, description\n"
	      "  --domains FILE            'domain list-name' per line\n"
	      "  --watchlist FILE          SHA-256 values or file-name\n"
	      "                            patterns, one per line\n"
	      "  --access FILE             addresses with access to the data\n"
	      "  --timezone CUSTODIAN=ZONE IANA zone or +HHMM (repeatable)\n"
	      "  --departure CUSTODIAN=YYYY-MM-DD\n"
	      "                            departure date (repeatable)\n"
	      "  --html-max-rows N         rows per timeline table in\n"
	      "                            report.html (default 20000, 0 for\n"
	      "                            all); the CSV files have every\n"
	      "                            row\n"
	      "  -h, --help                show this help\n\n"
	      "exit status: 0 success, 1 usage error or invalid examiner\n"
	      "input (the message names the file, line or option), 3 the\n"
	      "case database could not be read or the report written.\n",
	      out);
}

struct report_args {
	const char *db_path;
	const char *output;
	guint html_max_rows;
	struct findings_options fopts;
};

static gboolean
parse_row_count(const char *text, guint *value_r)
{
	guint64 value;

	if (!g_ascii_string_to_unsigned(text, 10, 0, G_MAXUINT, &value, NULL))
		return FALSE;
	*value_r = (guint)value;
	return TRUE;
}

/* Returns -1 to go on, or the exit status to return. */
static int
report_parse(int argc, char **argv, struct report_args *a)
{
	static const struct option options[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "events", required_argument, NULL, 'E' },
		{ "domains", required_argument, NULL, 'D' },
		{ "watchlist", required_argument, NULL, 'W' },
		{ "access", required_argument, NULL, 'A' },
		{ "timezone", required_argument, NULL, 'T' },
		{ "departure", required_argument, NULL, 'P' },
		{ "html-max-rows", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "o:h", options, NULL)) != -1) {
		switch (c) {
		case 'o': a->output = optarg; break;
		case 'E': a->fopts.events_path = optarg; break;
		case 'D': a->fopts.domains_path = optarg; break;
		case 'W': a->fopts.watchlist_path = optarg; break;
		case 'A': a->fopts.access_path = optarg; break;
		case 'T': g_ptr_array_add(a->fopts.timezones, optarg); break;
		case 'P': g_ptr_array_add(a->fopts.departures, optarg); break;
		case 'R':
			if (!parse_row_count(optarg, &a->html_max_rows)) {
				fprintf(stderr, "error: report: invalid "
					"--html-max-rows '%s'; expected a "
					"number of rows, 0 for all\n", optarg);
				return MT_EXIT_USAGE;
			}
			break;
		case 'h': report_usage(stdout); return MT_EXIT_OK;
		default: report_usage(stderr); return MT_EXIT_USAGE;
		}
	}
	if (optind != argc - 1 || a->output == NULL) {
		fputs("error: report: expected one case database and "
		      "-o DIR\n", stderr);
		report_usage(stderr);
		return MT_EXIT_USAGE;
	}
	a->db_path = argv[optind];
	return -1;
}

/* Records the run and runs findings_run(); the only writes 'report'
 * makes to the case database.  Returns the run id, or -1 when the run
 * could not be recorded.  *findings_rc_r receives findings_run()'s
 * return value. */
static gint64
report_update_db(const struct report_args *a, const char *command_line,
		 gint64 start, int *findings_rc_r)
{
	sqlite3_stmt *st;
	char *error = NULL;
	gint64 run_id = -1;
	sqlite3 *db = casedb_open(a->db_path, FALSE, &error);

	if (db == NULL) {
		fprintf(stderr, "error: report: %s\n", error);
		g_free(error);
		return -1;
	}
	st = casedb_prepare(db, "INSERT INTO run (command_line, tool_version,"
			    " start_utc) VALUES (?, ?, ?)");
	if (st != NULL) {
		casedb_bind_text(st, 1, command_line);
		casedb_bind_text(st, 2, MAILTRAIL_VERSION);
		sqlite3_bind_int64(st, 3, start);
		if (sqlite3_step(st) == SQLITE_DONE)
			run_id = sqlite3_last_insert_rowid(db);
		sqlite3_finalize(st);
	}
	if (run_id < 0)
		fprintf(stderr, "error: report: recording the run in '%s' "
			"failed: %s\n", a->db_path, sqlite3_errmsg(db));
	else
		*findings_rc_r = findings_run(db, &a->fopts);
	casedb_close(&db);
	return run_id;
}

static void
report_finish_run(const char *db_path, gint64 run_id, int status)
{
	char *error = NULL;
	sqlite3 *db = casedb_open(db_path, FALSE, &error);
	sqlite3_stmt *st;

	if (db == NULL) {
		fprintf(stderr, "warning: report: %s\n", error);
		g_free(error);
		return;
	}
	st = casedb_prepare(db, "UPDATE run SET end_utc = ?, exit_status = ?"
			    " WHERE id = ?");
	if (st != NULL) {
		sqlite3_bind_int64(st, 1, casedb_now());
		sqlite3_bind_int(st, 2, status);
		sqlite3_bind_int64(st, 3, run_id);
		sqlite3_step(st);
		sqlite3_finalize(st);
	}
	casedb_close(&db);
}

int
report_cmd_report(int argc, char **argv)
{
	struct report_args a = { 0 };
	char *command_line, *error = NULL;
	int findings_rc = -1;
	gint64 run_id;
	int status;
	sqlite3 *db;

	a.html_max_rows = REPORT_HTML_MAX_ROWS;
	a.fopts.timezones = g_ptr_array_new();
	a.fopts.departures = g_ptr_array_new();
	status = report_parse(argc, argv, &a);
	if (status >= 0)
		goto done;
	if (access(a.db_path, R_OK) != 0) {
		fprintf(stderr, "error: report: cannot read case database "
			"'%s': %s\n", a.db_path, g_strerror(errno));
		status = MT_EXIT_FATAL;
		goto done;
	}
	command_line = casedb_command_line(argc, argv);
	run_id = report_update_db(&a, command_line, casedb_now(),
				  &findings_rc);
	g_free(command_line);
	status = MT_EXIT_FATAL;
	if (run_id < 0)
		goto done;
	if (findings_rc != 0) {
		fputs("error: report: computing the findings failed; no "
		      "report was written\n", stderr);
		if (findings_rc == -2)
			status = MT_EXIT_USAGE;
		report_finish_run(a.db_path, run_id, status);
		goto done;
	}

	db = report_db_open_readonly(a.db_path, &error);
	if (db == NULL) {
		fprintf(stderr, "error: report: %s\n", error);
		g_free(error);
	} else {
		status = report_write_folder(db, a.output, a.html_max_rows,
					     &error) < 0 ?
			MT_EXIT_FATAL : MT_EXIT_OK;
		if (status != MT_EXIT_OK) {
			fprintf(stderr, "error: report: %s\n", error);
			g_free(error);
		}
		sqlite3_close(db);
	}
	report_finish_run(a.db_path, run_id, status);
done:
	g_ptr_array_free(a.fopts.timezones, TRUE);
	g_ptr_array_free(a.fopts.departures, TRUE);
	return status;
}
