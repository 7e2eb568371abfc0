/* SPDX-License-Identifier: MIT
 *
 * ingest.c - 'mailtrail ingest CASE.db PATH...'.
 *
 * For each path: detect the format from content, hash the evidence, run
 * the reader inside one transaction, hash again, then assign the
 * custodian, classify direction and link duplicate copies.  Evidence
 * already in the case (same SHA-256 and format) is not ingested twice.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/casedb.h"
#include "core/evidence.h"
#include "core/ingest-private.h"
#include "extract/logs.h"
#include "parse/parse.h"

#define HEAD_SIZE 4096

static const char ingest_usage[] =
	"usage: mailtrail ingest CASE.db PATH... [options]\n"
	"\n"
	"Extracts every message of the mail stores at PATH (PST, OST, mbox,\n"
	"Maildir, EML files or folders of them, mail server logs) into the\n"
	"case database CASE.db, created when missing.  The format is detected\n"
	"from content.  Evidence is opened read-only and hashed before and\n"
	"after; evidence already in the case is skipped.\n"
	"\n"
	"options:\n"
	"  -c, --custodian 'Name <addr>[,alias...]'\n"
	"                        person the stores of this run belong to;\n"
	"                        inferred from the stores when absent\n"
	"  -i, --internal-domain D\n"
	"                        mail domain of the organisation (repeatable);\n"
	"                        recipients elsewhere count as external\n"
	"      --no-recover      skip recovery of deleted items (faster)\n"
	"      --log-year YEAR   year in which a syslog without years ends\n"
	"                        (default: $MAILTRAIL_LOG_YEAR, else the\n"
	"                        year of the file's modification time)\n"
	"      --log-timezone ZONE\n"
	"                        zone of log times written without one:\n"
	"                        '+0100', 'UTC' or an IANA name (default:\n"
	"                        $MAILTRAIL_LOG_TZ, else UTC)\n"
	"      --max-message-size BYTES\n"
	"                        larger messages are truncated with an anomaly\n"
	"                        (default 268435456)\n"
	"  -q, --quiet           print only errors and the summary lines\n"
	"  -h, --help            show this help\n"
	"\n"
	"exit status: 0 success, 1 usage error, 2 some input was damaged or\n"
	"not recognised (the rest was extracted; see the anomaly table),\n"
	"3 fatal error (nothing of the failing item was stored).\n";

static int
read_head(const char *path, unsigned char *buf, size_t *len_r)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, buf, HEAD_SIZE);
	close(fd);
	if (n < 0)
		return -1;
	*len_r = (size_t)n;
	return 0;
}

static int
insert_evidence(sqlite3 *db, const char *path, gint64 size,
		const char *sha256, const char *format, gint64 custodian_id,
		const struct ingest_options *opts, gint64 *id_r)
{
	sqlite3_stmt *st = casedb_prepare(db,
		"INSERT INTO evidence (path, size, sha256_before, format,"
		" custodian_id, tool_version, command_line, ingest_start_utc,"
		" status) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'complete')");
	int rc;

	if (st == NULL)
		return -1;
	casedb_bind_text(st, 1, path);
	sqlite3_bind_int64(st, 2, size);
	casedb_bind_text(st, 3, sha256);
	casedb_bind_text(st, 4, format);
	if (custodian_id > 0)
		sqlite3_bind_int64(st, 5, custodian_id);
	casedb_bind_text(st, 6, MAILTRAIL_VERSION);
	casedb_bind_text(st, 7, opts->command_line);
	sqlite3_bind_int64(st, 8, casedb_now());
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		fprintf(stderr, "error: cannot record evidence '%s': %s\n",
			path, sqlite3_errmsg(db));
		return -1;
	}
	*id_r = sqlite3_last_insert_rowid(db);
	return 0;
}

static gint64
find_evidence(sqlite3 *db, const char *sha256, const char *format)
{
	sqlite3_stmt *st = casedb_prepare(db,
		"SELECT id FROM evidence WHERE sha256_before = ?1"
		" AND format = ?2");
	gint64 id = 0;

	if (st == NULL)
		return -1;
	casedb_bind_text(st, 1, sha256);
	casedb_bind_text(st, 2, format);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return id;
}

static int
finish_evidence(sqlite3 *db, gint64 id, const char *sha_after,
		gboolean damaged, gint64 custodian_id)
{
	sqlite3_stmt *st = casedb_prepare(db,
		"UPDATE evidence SET sha256_after = ?1, ingest_end_utc = ?2,"
		" status = ?3, custodian_id = ?4 WHERE id = ?5");
	int rc;

	if (st == NULL)
		return -1;
	casedb_bind_text(st, 1, sha_after);
	sqlite3_bind_int64(st, 2, casedb_now());
	casedb_bind_text(st, 3, damaged ? "damaged" : "complete");
	if (custodian_id > 0)
		sqlite3_bind_int64(st, 4, custodian_id);
	sqlite3_bind_int64(st, 5, id);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return rc;
}

/* Records a path that was not read at all as an anomaly without evidence,
 * so the report shows it, and prints it. */
static void
record_skipped_path(sqlite3 *db, const char *level, const char *code,
		    const char *path, const char *detail)
{
	sqlite3_stmt *st = casedb_prepare(db,
		"INSERT INTO anomaly (level, code, path, detail)"
		" VALUES (?1, ?2, ?3, ?4)");

	fprintf(stderr, "%s: '%s': %s\n", level, path, detail);
	if (st == NULL)
		return;
	casedb_bind_text(st, 1, level);
	casedb_bind_text(st, 2, code);
	casedb_bind_text(st, 3, path);
	casedb_bind_text(st, 4, detail);
	if (sqlite3_step(st) != SQLITE_DONE)
		fprintf(stderr, "error: cannot record anomaly for '%s': %s\n",
			path, sqlite3_errmsg(db));
	sqlite3_finalize(st);
}

/* Store type of a path, decided from content. */
struct detected {
	const struct mt_extractor *reader;  /* mailbox store, or NULL */
	const char *format;                 /* schema format name */
	gboolean is_log;
	int read_errno;     /* why the content could not be examined, or 0 */
};

static gboolean
detect(const char *path, gboolean is_dir, struct detected *d)
{
	unsigned char head[HEAD_SIZE];
	size_t head_len = 0;

	memset(d, 0, sizeof(*d));
	errno = 0;
	d->reader = mt_extract_detect(path, &d->format);
	if (d->reader != NULL)
		return TRUE;
	d->read_errno = errno;
	if (is_dir || d->read_errno != 0)
		return FALSE;
	if (read_head(path, head, &head_len) < 0) {
		d->read_errno = errno;
		return FALSE;
	}
	d->format = logs_detect(path, head, head_len);
	d->is_log = d->format != NULL;
	return d->is_log;
}

/* Records path as another copy of evidence already in the case.  A copy
 * handed in for a different custodian is worth a warning: the examiner
 * may expect it under that person. */
static int
record_copy(sqlite3 *db, gint64 existing, const char *path,
	    const struct detected *d, const char *sha256,
	    gint64 custodian_id, const struct ingest_options *opts)
{
	sqlite3_stmt *st = casedb_prepare(db,
		"INSERT INTO evidence_copy (evidence_id, path, custodian_id,"
		" command_line, seen_utc) VALUES (?1, ?2, ?3, ?4, ?5)"
		" RETURNING (SELECT coalesce(custodian_id, 0) FROM evidence"
		" WHERE id = ?1)");
	gint64 owner = 0;

	if (st == NULL)
		return MT_EXIT_FATAL;
	sqlite3_bind_int64(st, 1, existing);
	casedb_bind_text(st, 2, path);
	if (custodian_id > 0)
		sqlite3_bind_int64(st, 3, custodian_id);
	casedb_bind_text(st, 4, opts->command_line);
	sqlite3_bind_int64(st, 5, casedb_now());
	if (sqlite3_step(st) == SQLITE_ROW)
		owner = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);

	if (custodian_id > 0 && owner != custodian_id)
		fprintf(stderr, "warning: '%s' (%s, sha256 %s) is already in "
			"the case as evidence %lld of another custodian; "
			"recorded as a copy, not extracted again\n", path,
			d->format, sha256, (long long)existing);
	else
		fprintf(stderr, "note: '%s' (%s, sha256 %s) is already in the "
			"case as evidence %lld; recorded as a copy, not "
			"extracted again\n", path, d->format, sha256,
			(long long)existing);
	return MT_EXIT_OK;
}

static int run_reader(sqlite3 *db, struct ingest_sink *sink,
		      const struct detected *d, const char *path,
		      gint64 evidence_id, const struct ingest_options *opts);

static gint64
count_for_evidence(sqlite3 *db, const char *sql, gint64 evidence_id)
{
	sqlite3_stmt *st = casedb_prepare(db, sql);
	gint64 n = 0;

	if (st == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, evidence_id);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void
print_summary(sqlite3 *db, const char *path, gint64 evidence_id,
	      const struct detected *d, const struct ingest_totals *totals)
{
	gint64 anomalies = count_for_evidence(db,
		"SELECT count(*) FROM anomaly WHERE evidence_id = ?1",
		evidence_id);

	if (d->is_log) {
		printf("ingested '%s' as evidence %lld: %s, %lld log events, "
		       "%lld logged messages, %lld anomalies\n", path,
		       (long long)evidence_id, d->format,
		       (long long)count_for_evidence(db, "SELECT count(*)"
			" FROM log_event WHERE evidence_id = ?1", evidence_id),
		       (long long)count_for_evidence(db, "SELECT count(*)"
			" FROM log_message WHERE evidence_id = ?1",
			evidence_id),
		       (long long)anomalies);
		return;
	}
	printf("ingested '%s' as evidence %lld: %s, %lld messages "
	       "(%lld deleted, recovered or left in tmp), "
	       "%lld attachments, %lld failed, %lld skipped non-mail items, "
	       "%lld anomalies\n", path, (long long)evidence_id, d->format,
	       (long long)totals->messages, (long long)totals->not_allocated,
	       (long long)totals->attachments, (long long)totals->failed,
	       (long long)totals->skipped, (long long)anomalies);
}

/* Ingests one detected store.  Returns an MT_EXIT_* status. */
static int
ingest_store(sqlite3 *db, const char *path, const struct detected *d,
	     const struct ingest_options *opts, gint64 custodian_id)
{
	char sha_before[65], sha_after[65];
	struct ingest_totals totals;
	struct ingest_sink *sink;
	gint64 size, evidence_id, existing;
	char *error = NULL;
	int rc, status = MT_EXIT_OK;

	if (evidence_hash(path, sha_before, &size, &error) < 0) {
		fprintf(stderr, "error: %s\n", error);
		g_free(error);
		return MT_EXIT_DAMAGED;
	}
	existing = find_evidence(db, sha_before, d->format);
	if (existing < 0)
		return MT_EXIT_FATAL;
	if (existing > 0)
		return record_copy(db, existing, path, d, sha_before,
				   custodian_id, opts);

	if (casedb_exec(db, "BEGIN IMMEDIATE", "begin transaction") < 0)
		return MT_EXIT_FATAL;
	if (insert_evidence(db, path, size, sha_before, d->format,
			    custodian_id, opts, &evidence_id) < 0)
		goto fatal;
	sink = ingest_sink_new(db, evidence_id, custodian_id, path,
			       d->format, opts->quiet);
	if (sink == NULL)
		goto fatal;

	/* A reader that fails on its own (the store cannot be opened or
	 * walked) leaves damaged evidence, recorded with its hash and
	 * anomalies.  Only a failed database write rolls back. */
	rc = run_reader(db, sink, d, path, evidence_id, opts);
	if (rc < 0 && !ingest_sink_db_failed(sink))
		ingest_sink_anomaly(sink, "error", "store-unreadable",
				    "the store could not be opened or walked "
				    "to the end; what was read before is kept");
	if (ingest_sink_finish(sink, &totals) < 0) {
		ingest_sink_free(&sink);
		goto fatal;
	}
	if (rc != 0 || totals.errors > 0)
		status = MT_EXIT_DAMAGED;

	if (evidence_hash(path, sha_after, &size, &error) < 0) {
		ingest_sink_anomaly(sink, "error", "evidence-unreadable-after",
				    error);
		g_free(error);
		sha_after[0] = '\0';
		status = MT_EXIT_DAMAGED;
	} else if (strcmp(sha_before, sha_after) != 0) {
		char *detail = g_strdup_printf(
			"evidence changed during ingest: sha256 %s before, %s "
			"after", sha_before, sha_after);

		ingest_sink_anomaly(sink, "error", "evidence-changed", detail);
		g_free(detail);
		status = MT_EXIT_DAMAGED;
	}
	ingest_sink_free(&sink);

	if (custodian_id <= 0 && !d->is_log)
		custodian_id = custodian_infer(db, evidence_id);
	if (finish_evidence(db, evidence_id, sha_after[0] != '\0' ?
			    sha_after : NULL, status != MT_EXIT_OK,
			    custodian_id) < 0 ||
	    casedb_exec(db, custodian_id > 0 ?
			"UPDATE message SET custodian_id = (SELECT custodian_id"
			" FROM evidence WHERE evidence.id ="
			" message.evidence_id) WHERE custodian_id IS NULL" :
			"SELECT 1", "assign custodian") < 0 ||
	    custodian_classify(db, evidence_id) < 0 ||
	    custodian_link_duplicates(db) < 0)
		goto fatal;
	if (logs_correlate(db) < 0) {
		fprintf(stderr, "error: correlating logs with mailboxes failed: "
			"%s\n", logs_correlate_error() != NULL ?
			logs_correlate_error() : "unknown error");
		goto fatal;
	}
	if (casedb_exec(db, "COMMIT", "commit") < 0)
		goto fatal;

	print_summary(db, path, evidence_id, d, &totals);
	return status;

fatal:
	casedb_exec(db, "ROLLBACK", "roll back");
	fprintf(stderr, "error: ingest of '%s' failed; nothing of it was "
		"stored\n", path);
	return MT_EXIT_FATAL;
}

static int
run_reader(sqlite3 *db, struct ingest_sink *sink, const struct detected *d,
	   const char *path, gint64 evidence_id,
	   const struct ingest_options *opts)
{
	struct mt_sink s;

	ingest_sink_bind(sink, &s);
	if (d->is_log)
		return logs_ingest(db, evidence_id, path, d->format, &s);
	return d->reader->run(path, &opts->extract, &s);
}

static gint
compare_names(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Walks a folder that is not a store itself; each entry is ingested. */
static int
ingest_folder_entries(sqlite3 *db, const char *path,
		      const struct ingest_options *opts, gint64 custodian_id)
{
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	DIR *dir = opendir(path);
	struct dirent *de;
	int worst = MT_EXIT_OK;

	if (dir == NULL) {
		fprintf(stderr, "error: cannot read folder '%s': %s\n", path,
			g_strerror(errno));
		g_ptr_array_unref(names);
		return MT_EXIT_DAMAGED;
	}
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] != '.')
			g_ptr_array_add(names, g_strdup(de->d_name));
	}
	closedir(dir);
	g_ptr_array_sort(names, compare_names);

	for (guint i = 0; i < names->len; i++) {
		char *child = g_build_filename(path, names->pdata[i], NULL);
		struct ingest_options child_opts = *opts;
		int rc;

		child_opts.custodian = NULL;
		rc = ingest_path_with(db, child, &child_opts, custodian_id);
		if (rc > worst)
			worst = rc;
		g_free(child);
	}
	g_ptr_array_unref(names);
	return worst;
}

int
ingest_path_with(sqlite3 *db, const char *path,
		 const struct ingest_options *opts, gint64 custodian_id)
{
	struct detected d;
	struct stat sb;

	char *detail;

	if (lstat(path, &sb) < 0) {
		detail = g_strdup_printf("cannot open: %s", g_strerror(errno));
		record_skipped_path(db, "error", "path-unreadable", path,
				    detail);
		g_free(detail);
		return MT_EXIT_DAMAGED;
	}
	if (S_ISLNK(sb.st_mode)) {
		record_skipped_path(db, "warning", "symbolic-link-not-followed",
				    path, "symbolic link inside a walked "
				    "folder; not followed (name it on the "
				    "command line to read its target)");
		return MT_EXIT_DAMAGED;
	}
	if (!S_ISDIR(sb.st_mode) && !S_ISREG(sb.st_mode)) {
		record_skipped_path(db, "warning", "not-a-file", path,
				    "neither a regular file nor a folder "
				    "(device, FIFO or socket); not read");
		return MT_EXIT_DAMAGED;
	}
	if (detect(path, S_ISDIR(sb.st_mode), &d))
		return ingest_store(db, path, &d, opts, custodian_id);
	if (d.read_errno != 0) {
		detail = g_strdup_printf("cannot read: %s",
					 g_strerror(d.read_errno));
		record_skipped_path(db, "error", "path-unreadable", path,
				    detail);
		g_free(detail);
		return MT_EXIT_DAMAGED;
	}
	if (S_ISDIR(sb.st_mode))
		return ingest_folder_entries(db, path, opts, custodian_id);
	record_skipped_path(db, "error", "not-a-mail-store", path,
			    "not a mail store or log that mailtrail reads "
			    "(checked PST/OST, mbox, Maildir, EML and mail "
			    "server log signatures); not ingested");
	return MT_EXIT_DAMAGED;
}

int
ingest_path(sqlite3 *db, const char *path, const struct ingest_options *opts)
{
	gint64 custodian_id = 0;
	char *error = NULL;
	char *abs;
	int rc;

	if (opts->custodian != NULL) {
		custodian_id = custodian_from_spec(db, opts->custodian, &error);
		if (custodian_id < 0) {
			fprintf(stderr, "error: %s\n", error);
			g_free(error);
			return MT_EXIT_USAGE;
		}
	}
	/* A path the examiner names is read even when it is a symbolic
	 * link; links met while walking a folder are not followed. */
	abs = realpath(path, NULL);
	if (abs == NULL) {
		fprintf(stderr, "error: evidence path '%s' not found: %s\n",
			path, g_strerror(errno));
		return errno == ENOENT ? MT_EXIT_USAGE : MT_EXIT_DAMAGED;
	}
	rc = ingest_path_with(db, abs, opts, custodian_id);
	free(abs);
	return rc;
}

static int
store_internal_domains(sqlite3 *db, GPtrArray *domains)
{
	sqlite3_stmt *st = casedb_prepare(db,
		"INSERT OR IGNORE INTO internal_domain (domain) VALUES (?1)");
	int rc = 0;

	if (st == NULL)
		return -1;
	for (guint i = 0; i < domains->len && rc == 0; i++) {
		casedb_bind_text(st, 1, domains->pdata[i]);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = -1;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return rc;
}

static int
record_run(sqlite3 *db, const char *command_line, gint64 start,
	   int status)
{
	sqlite3_stmt *st = casedb_prepare(db,
		"INSERT INTO run (command_line, tool_version, start_utc,"
		" end_utc, exit_status) VALUES (?1, ?2, ?3, ?4, ?5)");

	if (st == NULL)
		return -1;
	casedb_bind_text(st, 1, command_line);
	casedb_bind_text(st, 2, MAILTRAIL_VERSION);
	sqlite3_bind_int64(st, 3, start);
	sqlite3_bind_int64(st, 4, casedb_now());
	sqlite3_bind_int(st, 5, status);
	sqlite3_step(st);
	sqlite3_finalize(st);
	return 0;
}

/* Returns TRUE when the case database path is the evidence path or lies
 * below it.  A database that does not exist yet is judged by its folder. */
static gboolean
db_inside_evidence(const char *db_path, const char *evidence)
{
	char *dir = g_path_get_dirname(db_path);
	char *base = g_path_get_basename(db_path);
	char *real_dir = realpath(dir, NULL);
	char *real_ev = realpath(evidence, NULL);
	gboolean inside = FALSE;

	if (real_dir != NULL && real_ev != NULL) {
		char *real_db = g_build_filename(real_dir, base, NULL);
		size_t n = strlen(real_ev);

		inside = strcmp(real_db, real_ev) == 0 ||
			 (strncmp(real_db, real_ev, n) == 0 &&
			  (real_db[n] == '/' || strcmp(real_ev, "/") == 0));
		g_free(real_db);
	}
	free(real_dir);
	free(real_ev);
	g_free(dir);
	g_free(base);
	return inside;
}

int
ingest_cmd(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "custodian", required_argument, NULL, 'c' },
		{ "internal-domain", required_argument, NULL, 'i' },
		{ "no-recover", no_argument, NULL, 'R' },
		{ "max-message-size", required_argument, NULL, 'M' },
		{ "log-year", required_argument, NULL, 'Y' },
		{ "log-timezone", required_argument, NULL, 'Z' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ingest_options opts;
	struct logs_options log_opts = *logs_get_options();
	char *command_line, *error = NULL, *end;
	gint64 start = casedb_now();
	sqlite3 *db;
	int c, worst = MT_EXIT_OK;

	memset(&opts, 0, sizeof(opts));
	opts.internal_domains = g_ptr_array_new_with_free_func(g_free);
	opts.extract.max_message_size = 256LL << 20;
	command_line = casedb_command_line(argc, argv);
	opts.command_line = command_line;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:i:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			opts.custodian = optarg;
			break;
		case 'i':
			g_ptr_array_add(opts.internal_domains,
					g_ascii_strdown(optarg, -1));
			break;
		case 'R':
			opts.extract.no_recover = TRUE;
			break;
		case 'M':
			opts.extract.max_message_size =
				g_ascii_strtoll(optarg, &end, 10);
			if (*end != '\0' || opts.extract.max_message_size <= 0) {
				fprintf(stderr, "error: invalid "
					"--max-message-size '%s': expected a "
					"positive number of bytes\n", optarg);
				return MT_EXIT_USAGE;
			}
			break;
		case 'Y':
			log_opts.year = (int)g_ascii_strtoll(optarg, &end, 10);
			if (*end != '\0' || log_opts.year < 1970 ||
			    log_opts.year > 2200) {
				fprintf(stderr, "error: invalid --log-year "
					"'%s': expected a year such as 2024\n",
					optarg);
				return MT_EXIT_USAGE;
			}
			break;
		case 'Z':
			log_opts.timezone = optarg;
			break;
		case 'q':
			opts.quiet = TRUE;
			break;
		case 'h':
			fputs(ingest_usage, stdout);
			return MT_EXIT_OK;
		default:
			fputs(ingest_usage, stderr);
			return MT_EXIT_USAGE;
		}
	}
	logs_set_options(&log_opts);
	if (argc - optind < 2) {
		fputs("error: ingest needs a case database and at least one "
		      "PATH\n\n", stderr);
		fputs(ingest_usage, stderr);
		return MT_EXIT_USAGE;
	}

	for (int i = optind + 1; i < argc; i++) {
		if (db_inside_evidence(argv[optind], argv[i])) {
			fprintf(stderr, "error: the case database '%s' lies "
				"inside the evidence '%s'; writing it would "
				"change the evidence. Put it elsewhere\n",
				argv[optind], argv[i]);
			return MT_EXIT_USAGE;
		}
	}
	db = casedb_open(argv[optind], TRUE, &error);
	if (db == NULL) {
		fprintf(stderr, "error: %s\n", error);
		g_free(error);
		return MT_EXIT_FATAL;
	}
	if (parse_init() < 0) {
		fprintf(stderr, "error: cannot initialise the MIME parser or "
			"libmagic's database (is libmagic-mgc installed?)\n");
		casedb_close(&db);
		return MT_EXIT_FATAL;
	}
	if (store_internal_domains(db, opts.internal_domains) < 0)
		worst = MT_EXIT_FATAL;

	for (int i = optind + 1; i < argc && worst < MT_EXIT_FATAL; i++) {
		int rc = ingest_path(db, argv[i], &opts);

		if (rc > worst)
			worst = rc;
	}
	record_run(db, command_line, start, worst);
	casedb_close(&db);
	parse_shutdown();
	g_free(command_line);
	g_ptr_array_unref(opts.internal_domains);
	return worst;
}
