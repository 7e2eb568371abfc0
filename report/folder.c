/* SPDX-License-Identifier: MIT
 *
 * folder.c - writes the report folder.
 *
 * Every file is created through a descriptor of the folder (openat), as
 * a hidden temporary name with O_EXCL|O_NOFOLLOW, and renamed into place
 * when complete, so nothing is written outside the folder and a crash
 * leaves no half-written report file.  A file already there is replaced
 * only when it begins the way mailtrail writes that file.  Custodian
 * names in file names keep only [A-Za-z0-9._@-]; other bytes become '_'.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report/report-private.h"

#define HTML_SIGNATURE "<!DOCTYPE html>\n<!-- mailtrail case report -->"

struct folder {
	const char *path;
	int fd;
};

struct output {
	FILE *f;
	char *name;
	char *tmp_name;
};

/* Returns TRUE when the existing file starts with signature, i.e. an
 * earlier report run wrote it. */
static gboolean
folder_file_is_ours(int fd, const char *signature)
{
	size_t len = strlen(signature);
	char *buf = g_malloc(len);
	gboolean ours = read(fd, buf, len) == (ssize_t)len &&
		memcmp(buf, signature, len) == 0;

	g_free(buf);
	return ours;
}

static int
folder_check_target(const struct folder *dir, const char *name,
		    const char *signature, char **error_r)
{
	struct stat st;
	int fd;

	if (fstatat(dir->fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISREG(st.st_mode)) {
		*error_r = g_strdup_printf("'%s/%s' exists and is not a "
					   "regular file; remove it or choose "
					   "another folder", dir->path, name);
		return -1;
	}
	fd = openat(dir->fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || !folder_file_is_ours(fd, signature)) {
		*error_r = g_strdup_printf("'%s/%s' exists and was not written "
					   "by mailtrail report; remove it or "
					   "choose another folder", dir->path,
					   name);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static int
output_open(const struct folder *dir, const char *name,
	    const char *signature, struct output *out, char **error_r)
{
	int fd;

	memset(out, 0, sizeof(*out));
	if (folder_check_target(dir, name, signature, error_r) < 0) {
		if (*error_r == NULL)
			*error_r = g_strdup_printf("cannot inspect '%s/%s': %s",
						   dir->path, name,
						   g_strerror(errno));
		return -1;
	}
	out->name = g_strdup(name);
	out->tmp_name = g_strdup_printf(".%s.tmp-%d", name, (int)getpid());
	fd = openat(dir->fd, out->tmp_name, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd >= 0)
		out->f = fdopen(fd, "w");
	if (out->f == NULL) {
		*error_r = g_strdup_printf("cannot create '%s/%s': %s",
					   dir->path, out->tmp_name,
					   g_strerror(errno));
		if (fd >= 0)
			close(fd);
		g_free(out->name);
		g_free(out->tmp_name);
		return -1;
	}
	return 0;
}

/* Closes out and renames it into place when ok, removes it otherwise. */
static int
output_close(const struct folder *dir, struct output *out, gboolean ok,
	     char **error_r)
{
	if (fclose(out->f) != 0 && ok) {
		*error_r = g_strdup_printf("writing '%s/%s' failed: %s",
					   dir->path, out->name,
					   g_strerror(errno));
		ok = FALSE;
	}
	if (ok && renameat(dir->fd, out->tmp_name, dir->fd, out->name) != 0) {
		*error_r = g_strdup_printf("cannot rename '%s/%s' to '%s': %s",
					   dir->path, out->tmp_name, out->name,
					   g_strerror(errno));
		ok = FALSE;
	}
	if (!ok)
		unlinkat(dir->fd, out->tmp_name, 0);
	g_free(out->name);
	g_free(out->tmp_name);
	return ok ? 0 : -1;
}

typedef int (*table_writer)(FILE *out, sqlite3 *db, char **error_r);

static int
folder_write_table(const struct folder *dir, const char *name,
		   const char *first_column, table_writer write, sqlite3 *db,
		   char **error_r)
{
	struct output out;
	char *signature = g_strdup_printf("\"%s\",", first_column);
	int rc;

	rc = output_open(dir, name, signature, &out, error_r);
	g_free(signature);
	if (rc < 0)
		return -1;
	rc = write(out.f, db, error_r);
	return output_close(dir, &out, rc == 0, error_r);
}

static int
folder_write_timeline(const struct folder *dir, const char *name,
		      const struct report_timeline *tl, gint64 custodian_id,
		      gboolean all, char **error_r)
{
	struct output out;
	char *signature = g_strdup_printf("\"%s\",",
					  report_timeline_columns[0]);
	guint i;
	int rc;

	rc = output_open(dir, name, signature, &out, error_r);
	g_free(signature);
	if (rc < 0)
		return -1;
	report_csv_header(out.f, report_timeline_columns);
	for (i = 0; i < tl->rows->len; i++) {
		const struct report_row *row = tl->rows->pdata[i];

		if (all || row->custodian_id == custodian_id)
			report_export_csv_row(out.f, row);
	}
	rc = report_stream_check(out.f, name, error_r);
	return output_close(dir, &out, rc == 0, error_r);
}

/* Returns "timeline-<name>.csv" made safe, unique within used. */
static char *
folder_timeline_name(const char *custodian, gint64 id, GHashTable *used)
{
	GString *s = g_string_new("timeline-");
	const char *p;
	char *name;

	for (p = custodian; *p != '\0' && s->len < 80; p++) {
		gboolean safe = g_ascii_isalnum(*p) || strchr("._@-", *p);

		g_string_append_c(s, safe ? *p : '_');
	}
	if (*custodian == '\0')
		g_string_append(s, "unnamed");
	name = g_strconcat(s->str, ".csv", NULL);
	if (g_hash_table_contains(used, name)) {
		g_free(name);
		name = g_strdup_printf("%s-%" G_GINT64_FORMAT ".csv", s->str,
				       id);
	}
	g_hash_table_add(used, g_strdup(name));
	g_string_free(s, TRUE);
	return name;
}

/* One per-custodian timeline file. */
struct custodian_file {
	gint64 id;
	char *name;
};

static void
custodian_file_free(gpointer p)
{
	struct custodian_file *cf = p;

	g_free(cf->name);
	g_free(cf);
}

/* Returns the per-custodian timeline files to write, or NULL. */
static GPtrArray *
folder_custodian_files(sqlite3 *db, char **error_r)
{
	GHashTable *used = g_hash_table_new_full(g_str_hash, g_str_equal,
						 g_free, NULL);
	GPtrArray *files = g_ptr_array_new_with_free_func(custodian_file_free);
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db, "SELECT id, name FROM custodian ORDER BY id",
			       -1, &st, NULL) != SQLITE_OK) {
		*error_r = g_strdup_printf("reading custodians failed: %s",
					   sqlite3_errmsg(db));
		g_hash_table_destroy(used);
		g_ptr_array_free(files, TRUE);
		return NULL;
	}
	g_hash_table_add(used, g_strdup("timeline.csv"));
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct custodian_file *cf = g_new0(struct custodian_file, 1);
		const char *cname = (const char *)sqlite3_column_text(st, 1);

		cf->id = sqlite3_column_int64(st, 0);
		cf->name = folder_timeline_name(cname ? cname : "", cf->id,
						used);
		g_ptr_array_add(files, cf);
	}
	sqlite3_finalize(st);
	g_hash_table_destroy(used);
	return files;
}

static int
folder_write_html(const struct folder *dir, sqlite3 *db,
		  const struct report_timeline *tl, guint max_rows,
		  char **error_r)
{
	struct output out;
	int rc;

	if (output_open(dir, "report.html", HTML_SIGNATURE, &out, error_r) < 0)
		return -1;
	fputs(HTML_SIGNATURE "\n", out.f);
	rc = report_html_write(out.f, db, tl, max_rows, error_r);
	return output_close(dir, &out, rc == 0, error_r);
}

static int
folder_open(struct folder *dir, const char *path, char **error_r)
{
	dir->path = path;
	if (g_mkdir_with_parents(path, 0755) != 0) {
		*error_r = g_strdup_printf("cannot create report folder "
					   "'%s': %s", path, g_strerror(errno));
		return -1;
	}
	dir->fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir->fd < 0) {
		*error_r = g_strdup_printf("cannot open report folder '%s': %s",
					   path, g_strerror(errno));
		return -1;
	}
	return 0;
}

static const struct {
	const char *name;
	const char *first_column;
	table_writer write;
} folder_tables[] = {
	{ "findings.csv", "finding_id", report_tables_findings },
	{ "statistics.csv", "custodian", report_tables_statistics },
	{ "recipients.csv", "custodian", report_tables_recipients },
	{ "evidence.csv", "evidence_id", report_tables_evidence },
	{ "reconcile.csv", "evidence_file", report_tables_reconcile },
};

/* Checks every target before anything is written, so a rejected folder
 * is left exactly as it was. */
static int
folder_check_all(const struct folder *dir, GPtrArray *custodian_files,
		 char **error_r)
{
	char *timeline_sig = g_strdup_printf("\"%s\",",
					     report_timeline_columns[0]);
	int rc = folder_check_target(dir, "report.html", HTML_SIGNATURE,
				     error_r);
	guint i;

	if (rc == 0)
		rc = folder_check_target(dir, "timeline.csv", timeline_sig,
					 error_r);
	for (i = 0; rc == 0 && i < custodian_files->len; i++) {
		const struct custodian_file *cf = custodian_files->pdata[i];

		rc = folder_check_target(dir, cf->name, timeline_sig, error_r);
	}
	for (i = 0; rc == 0 && i < G_N_ELEMENTS(folder_tables); i++) {
		char *sig = g_strdup_printf("\"%s\",",
					    folder_tables[i].first_column);

		rc = folder_check_target(dir, folder_tables[i].name, sig,
					 error_r);
		g_free(sig);
	}
	if (rc < 0 && *error_r == NULL)
		*error_r = g_strdup_printf("cannot inspect the files in "
					   "'%s': %s", dir->path,
					   g_strerror(errno));
	g_free(timeline_sig);
	return rc;
}

static int
folder_write_all(const struct folder *dir, sqlite3 *db,
		 const struct report_timeline *tl, GPtrArray *custodian_files,
		 guint html_max_rows, char **error_r)
{
	guint i;
	int rc;

	rc = folder_write_timeline(dir, "timeline.csv", tl, 0, TRUE, error_r);
	for (i = 0; rc == 0 && i < custodian_files->len; i++) {
		const struct custodian_file *cf = custodian_files->pdata[i];

		rc = folder_write_timeline(dir, cf->name, tl, cf->id, FALSE,
					   error_r);
	}
	for (i = 0; rc == 0 && i < G_N_ELEMENTS(folder_tables); i++)
		rc = folder_write_table(dir, folder_tables[i].name,
					folder_tables[i].first_column,
					folder_tables[i].write, db, error_r);
	if (rc == 0)
		rc = folder_write_html(dir, db, tl, html_max_rows, error_r);
	return rc;
}

int
report_write_folder(sqlite3 *db, const char *path, guint html_max_rows,
		    char **error_r)
{
	struct report_filter all = { NULL, FALSE };
	struct report_timeline *tl = NULL;
	GPtrArray *custodian_files = NULL;
	struct folder dir;
	int rc = -1;

	if (folder_open(&dir, path, error_r) < 0)
		return -1;
	custodian_files = folder_custodian_files(db, error_r);
	if (custodian_files == NULL ||
	    folder_check_all(&dir, custodian_files, error_r) < 0)
		goto done;
	tl = report_timeline_load(db, &all, error_r);
	if (tl != NULL)
		rc = folder_write_all(&dir, db, tl, custodian_files,
				      html_max_rows, error_r);
done:
	if (custodian_files != NULL)
		g_ptr_array_free(custodian_files, TRUE);
	report_timeline_free(&tl);
	close(dir.fd);
	return rc;
}
