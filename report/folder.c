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
		*error_r = g_strdup_printf("'%s/%s' exists and is not a regular "
					   "file; remove it or choose another "
					   "folder", dir->path, name);
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
		name = g_strdup_printf("%s-%" G_GINT64_FORMAT ".csv", s->str, id);
	}
	g_hash_table_add(used, g_strdup(name));
	g_string_free(s, TRUE);
	return name;
}

static int
folder_write_custodian_timelines(const struct folder *dir, sqlite3 *db,
				 const struct report_timeline *tl,
				 char **error_r)
{
	GHashTable *used = g_hash_table_new_full(g_str_hash, g_str_equal,
						 g_free, NULL);
	sqlite3_stmt *st;
	int rc = 0;

	if (sqlite3_prepare_v2(db, "SELECT id, name FROM custodian ORDER BY id",
			       -1, &st, NULL) != SQLITE_OK) {
		*error_r = g_strdup_printf("reading custodians failed: %s",
					   sqlite3_errmsg(db));
		g_hash_table_destroy(used);
		return -1;
	}
	g_hash_table_add(used, g_strdup("timeline.csv"));
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		gint64 id = sqlite3_column_int64(st, 0);
		const char *cname = (const char *)sqlite3_column_text(st, 1);
		char *name = folder_timeline_name(cname ? cname : "", id, used);

		rc = folder_write_timeline(dir, name, tl, id, FALSE, error_r);
		g_free(name);
	}
	sqlite3_finalize(st);
	g_hash_table_destroy(used);
	return rc;
}

static int
folder_write_html(const struct folder *dir, sqlite3 *db,
		  const struct report_timeline *tl, char **error_r)
{
	struct output out;
	int rc;

	if (output_open(dir, "report.html", HTML_SIGNATURE, &out, error_r) < 0)
		return -1;
	fputs(HTML_SIGNATURE "\n", out.f);
	rc = report_html_write(out.f, db, tl, error_r);
	return output_close(dir, &out, rc == 0, error_r);
}

static int
folder_open(struct folder *dir, const char *path, char **error_r)
{
	dir->path = path;
	if (g_mkdir_with_parents(path, 0755) != 0) {
		*error_r = g_strdup_printf("cannot create report folder '%s': %s",
					   path, g_strerror(errno));
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

int
report_write_folder(sqlite3 *db, const char *path, char **error_r)
{
	struct report_filter all = { NULL, FALSE };
	struct report_timeline *tl;
	struct folder dir;
	int rc;

	if (folder_open(&dir, path, error_r) < 0)
		return -1;
	tl = report_timeline_load(db, &all, error_r);
	if (tl == NULL) {
		close(dir.fd);
		return -1;
	}
	rc = folder_write_timeline(&dir, "timeline.csv", tl, 0, TRUE, error_r);
	if (rc == 0)
		rc = folder_write_custodian_timelines(&dir, db, tl, error_r);
	if (rc == 0)
		rc = folder_write_table(&dir, "findings.csv", "finding_id",
					report_tables_findings, db, error_r);
	if (rc == 0)
		rc = folder_write_table(&dir, "statistics.csv", "custodian",
					report_tables_statistics, db, error_r);
	if (rc == 0)
		rc = folder_write_table(&dir, "recipients.csv", "custodian",
					report_tables_recipients, db, error_r);
	if (rc == 0)
		rc = folder_write_table(&dir, "evidence.csv", "evidence_id",
					report_tables_evidence, db, error_r);
	if (rc == 0)
		rc = folder_write_table(&dir, "reconcile.csv", "evidence_file",
					report_tables_reconcile, db, error_r);
	if (rc == 0)
		rc = folder_write_html(&dir, db, tl, error_r);
	report_timeline_free(&tl);
	close(dir.fd);
	return rc;
}
