/* SPDX-License-Identifier: MIT
 *
 * findings-input.c - examiner inputs for the findings: corporate events
 * (CSV), domain lists, the attachment watch-list and the access list.
 * Each file is read whole, hashed with SHA-256 and recorded in
 * examiner_input.  A line that cannot be read fails the run with the
 * file name and line number, because a silently dropped entry would
 * change the findings.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "report/findings-private.h"

static void
sha256_hex(const char *data, size_t len, char out[65])
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	EVP_Digest(data, len, digest, &n, EVP_sha256(), NULL);
	for (unsigned int i = 0; i < n && i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", digest[i]);
	out[64] = '\0';
}

/* Reads path, records it in examiner_input and returns its lines. */
static char **
input_read(struct fd_context *ctx, const char *kind, const char *path)
{
	GError *error = NULL;
	char *data = NULL, hash[65];
	gsize len = 0;
	sqlite3_stmt *st;
	char **lines;
	int rc;

	if (!g_file_get_contents(path, &data, &len, &error)) {
		fprintf(stderr, "error: findings: cannot read the %s file: "
			"%s\n", kind, error->message);
		g_error_free(error);
		return NULL;
	}
	sha256_hex(data, len, hash);
	st = fd_prepare(ctx->db, "INSERT INTO examiner_input (kind, path,"
			" sha256, loaded_utc) VALUES (?,?,?,?)");
	if (!st) {
		g_free(data);
		return NULL;
	}
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, g_get_real_time() / G_USEC_PER_SEC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		fprintf(stderr, "error: findings: cannot record '%s': %s\n",
			path, sqlite3_errmsg(ctx->db));
		g_free(data);
		return NULL;
	}
	if (memchr(data, '\0', len)) {
		fprintf(stderr, "error: findings: %s file '%s' contains a NUL "
			"byte; expected a text file\n", kind, path);
		g_free(data);
		return NULL;
	}
	lines = g_strsplit(data, "\n", -1);
	g_free(data);
	return lines;
}

/* Strips blanks and a CR; a line starting with '#' is a comment.
 * Returns FALSE for a line left empty. */
static gboolean
line_clean(char *line)
{
	g_strstrip(line);
	if (line[0] == '#')
		line[0] = '\0';
	return line[0] != '\0';
}

/* Parses YYYY-MM-DD into days since 1970-01-01. */
static gboolean
parse_day(const char *text, gint64 *day_r)
{
	GDateTime *dt;
	int y, m, d;
	char tail;

	if (sscanf(text, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
		return FALSE;
	dt = g_date_time_new_utc(y, m, d, 0, 0, 0);
	if (!dt)
		return FALSE;
	*day_r = g_date_time_to_unix(dt) / 86400;
	g_date_time_unref(dt);
	return TRUE;
}

/* Splits one CSV line into fields, honouring "quoted, fields". */
static GPtrArray *
csv_split(const char *line)
{
	GPtrArray *fields = g_ptr_array_new_with_free_func(g_free);
	GString *field = g_string_new(NULL);
	gboolean quoted = FALSE;

	for (const char *p = line; *p; p++) {
		if (quoted && *p == '"' && p[1] == '"') {
			g_string_append_c(field, '"');
			p++;
		} else if (*p == '"') {
			quoted = !quoted;
		} else if (*p == ',' && !quoted) {
			char *value = g_strdup(field->str);

			g_ptr_array_add(fields, g_strstrip(value));
			g_string_truncate(field, 0);
		} else {
			g_string_append_c(field, *p);
		}
	}
	g_ptr_array_add(fields, g_strstrip(g_string_free(field, FALSE)));
	return fields;
}

/* Accepts 'DATE,description', 'DATE,DATE,description' and
 * 'DATE..DATE,description' (or DATE/DATE). */
static gboolean
event_parse(const char *line, struct fd_event *e)
{
	GPtrArray *fields = csv_split(line);
	const char *first = fields->pdata[0];
	const char *sep = strstr(first, "..");
	guint next = 1;
	gboolean ok = FALSE;
	char *start;

	if (!sep)
		sep = strchr(first, '/');
	start = sep ? g_strndup(first, sep - first) : g_strdup(first);
	if (!parse_day(g_strstrip(start), &e->start_day))
		goto out;
	e->end_day = e->start_day;
	if (sep && !parse_day(sep + (sep[0] == '/' ? 1 : 2), &e->end_day))
		goto out;
	if (!sep && fields->len > 2 &&
	    parse_day(fields->pdata[1], &e->end_day))
		next = 2;
	if (fields->len <= next || e->end_day < e->start_day)
		goto out;
	g_ptr_array_add(fields, NULL);    /* g_strjoinv needs the NULL */
	e->description = g_strjoinv(", ", (char **)fields->pdata + next);
	ok = TRUE;
out:
	g_free(start);
	g_ptr_array_free(fields, TRUE);
	return ok;
}

static int
load_events(struct fd_context *ctx, const char *path)
{
	char **lines = input_read(ctx, "events", path);

	if (!lines)
		return -1;
	for (int i = 0; lines[i]; i++) {
		struct fd_event e = { 0 };

		if (!line_clean(lines[i]))
			continue;
		if (event_parse(lines[i], &e)) {
			g_ptr_array_add(ctx->events,
					g_memdup2(&e, sizeof(e)));
			continue;
		}
		/* A first line that is not a date is a CSV header. */
		if (i == 0 && !g_ascii_isdigit(lines[i][0]))
			continue;
		fprintf(stderr, "error: findings: events file '%s' line %d: "
			"expected 'YYYY-MM-DD[..YYYY-MM-DD],description', got "
			"'%.80s'\n", path, i + 1, lines[i]);
		g_strfreev(lines);
		return -1;
	}
	g_strfreev(lines);
	return 0;
}

static int
load_domains(struct fd_context *ctx, const char *path)
{
	char **lines = input_read(ctx, "domains", path);

	if (!lines)
		return -1;
	for (int i = 0; lines[i]; i++) {
		char **words;

		if (!line_clean(lines[i]))
			continue;
		words = g_strsplit_set(lines[i], " \t", 2);
		if (!words[1] || !g_strstrip(words[1])[0] ||
		    !strchr(words[0], '.')) {
			fprintf(stderr, "error: findings: domains file '%s' "
				"line %d: expected 'domain list-name', got "
				"'%.80s'\n", path, i + 1, lines[i]);
			g_strfreev(words);
			g_strfreev(lines);
			return -1;
		}
		g_hash_table_replace(ctx->listed_domains,
				     g_ascii_strdown(words[0], -1),
				     g_strdup(words[1]));
		g_strfreev(words);
	}
	g_strfreev(lines);
	return 0;
}

static gboolean
is_sha256_hex(const char *s)
{
	int n = 0;

	for (; s[n]; n++)
		if (!g_ascii_isxdigit(s[n]))
			return FALSE;
	return n == 64;
}

/* A line of 64 hex digits is a SHA-256; anything else is a file-name
 * pattern with * and ?, matched without regard to case. */
static int
load_watchlist(struct fd_context *ctx, const char *path)
{
	char **lines = input_read(ctx, "watchlist", path);

	if (!lines)
		return -1;
	for (int i = 0; lines[i]; i++) {
		char *low;

		if (!line_clean(lines[i]))
			continue;
		low = g_utf8_strdown(lines[i], -1);
		if (is_sha256_hex(low)) {
			g_hash_table_add(ctx->watch_sha256, low);
			continue;
		}
		g_ptr_array_add(ctx->watch_patterns, g_pattern_spec_new(low));
		g_ptr_array_add(ctx->watch_pattern_text, low);
	}
	g_strfreev(lines);
	return 0;
}

static int
load_access(struct fd_context *ctx, const char *path)
{
	char **lines = input_read(ctx, "access", path);

	if (!lines)
		return -1;
	for (int i = 0; lines[i]; i++) {
		if (line_clean(lines[i]))
			g_hash_table_add(ctx->access,
					 g_utf8_strdown(lines[i], -1));
	}
	g_strfreev(lines);
	return 0;
}

static int
load_internal_domains(struct fd_context *ctx)
{
	sqlite3_stmt *st = fd_prepare(ctx->db, "SELECT lower(domain) FROM "
				      "internal_domain ORDER BY 1");
	int rc;

	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		g_hash_table_add(ctx->internal_domains,
				 g_strdup((const char *)
					  sqlite3_column_text(st, 0)));
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static void
event_free(gpointer p)
{
	struct fd_event *e = p;

	g_free(e->description);
	g_free(e);
}

static void
pattern_free(gpointer p)
{
	g_pattern_spec_free(p);
}

int
fd_input_load(struct fd_context *ctx)
{
	const struct findings_options *o = ctx->opts;

	ctx->events = g_ptr_array_new_with_free_func(event_free);
	ctx->listed_domains = g_hash_table_new_full(g_str_hash, g_str_equal,
						    g_free, g_free);
	ctx->watch_sha256 = g_hash_table_new_full(g_str_hash, g_str_equal,
						  g_free, NULL);
	ctx->watch_patterns = g_ptr_array_new_with_free_func(pattern_free);
	ctx->watch_pattern_text = g_ptr_array_new_with_free_func(g_free);
	ctx->access = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					    NULL);
	ctx->internal_domains = g_hash_table_new_full(g_str_hash, g_str_equal,
						      g_free, NULL);
	if (load_internal_domains(ctx) < 0)
		return -1;
	if (o->events_path && load_events(ctx, o->events_path) < 0)
		return -1;
	if (o->domains_path && load_domains(ctx, o->domains_path) < 0)
		return -1;
	if (o->watchlist_path && load_watchlist(ctx, o->watchlist_path) < 0)
		return -1;
	if (o->access_path && load_access(ctx, o->access_path) < 0)
		return -1;
	return 0;
}

void
fd_input_clear(struct fd_context *ctx)
{
	if (ctx->events)
		g_ptr_array_free(ctx->events, TRUE);
	if (ctx->listed_domains)
		g_hash_table_destroy(ctx->listed_domains);
	if (ctx->watch_sha256)
		g_hash_table_destroy(ctx->watch_sha256);
	if (ctx->watch_patterns)
		g_ptr_array_free(ctx->watch_patterns, TRUE);
	if (ctx->watch_pattern_text)
		g_ptr_array_free(ctx->watch_pattern_text, TRUE);
	if (ctx->access)
		g_hash_table_destroy(ctx->access);
	if (ctx->internal_domains)
		g_hash_table_destroy(ctx->internal_domains);
	ctx->events = NULL;
	ctx->listed_domains = ctx->watch_sha256 = NULL;
	ctx->access = ctx->internal_domains = NULL;
	ctx->watch_patterns = ctx->watch_pattern_text = NULL;
}
