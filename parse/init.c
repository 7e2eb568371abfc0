/* SPDX-License-Identifier: MIT
 *
 * init.c - process-wide setup of GMime and libmagic, and the two hashing
 * and typing primitives every other file of parse/ uses.  libmagic cookies
 * are not thread-safe, so every lookup holds one mutex.
 */
#include <stdarg.h>
#include <string.h>
#include <magic.h>
#include <openssl/evp.h>

#include "parse/parse-private.h"

static magic_t magic_type_cookie;   /* MAGIC_MIME_TYPE: "application/pdf" */
static magic_t magic_desc_cookie;   /* description: "PDF document, ..." */
static GMutex magic_lock;

/* libmagic results by the SHA-256 of the bytes looked at.  Mail repeats
 * the same files (logos, signature images, forwarded attachments), and
 * each libmagic call costs 60-470 us, so a repeat is served from here.
 * The table is emptied when it reaches MAGIC_CACHE_MAX entries. */
#define MAGIC_CACHE_MAX 8192

struct magic_result {
	char *type;
	char *desc;
};

static GHashTable *magic_cache;   /* sha256 hex -> struct magic_result */

static void
magic_result_free(gpointer p)
{
	struct magic_result *r = p;

	g_free(r->type);
	g_free(r->desc);
	g_free(r);
}

static magic_t
magic_cookie_open(int flags)
{
	magic_t cookie = magic_open(flags | MAGIC_NO_CHECK_COMPRESS |
				    MAGIC_ERROR);

	if (cookie == NULL)
		return NULL;
	if (magic_load(cookie, NULL) != 0) {
		magic_close(cookie);
		return NULL;
	}
	return cookie;
}

int
parse_init(void)
{
	g_mime_init();
	magic_type_cookie = magic_cookie_open(MAGIC_MIME_TYPE);
	magic_desc_cookie = magic_cookie_open(MAGIC_NONE);
	if (magic_type_cookie == NULL || magic_desc_cookie == NULL) {
		parse_shutdown();
		return -1;
	}
	return 0;
}

void
parse_shutdown(void)
{
	if (magic_type_cookie != NULL)
		magic_close(magic_type_cookie);
	if (magic_desc_cookie != NULL)
		magic_close(magic_desc_cookie);
	magic_type_cookie = NULL;
	magic_desc_cookie = NULL;
	if (magic_cache != NULL)
		g_hash_table_destroy(magic_cache);
	magic_cache = NULL;
	g_mime_shutdown();
}

void
parse_magic_lookup(const unsigned char *data, size_t len,
		   const char *sha256_hex, char **type_r, char **desc_r)
{
	const char *type = NULL, *desc = NULL;
	struct magic_result *hit;
	char key[65];

	/* libmagic sees at most PARSE_MAGIC_MAX_BYTES, so the key is the
	 * hash of those bytes; the caller's hash serves when it covers
	 * exactly them. */
	if (len > PARSE_MAGIC_MAX_BYTES) {
		len = PARSE_MAGIC_MAX_BYTES;
		sha256_hex = NULL;
	}
	if (sha256_hex != NULL)
		g_strlcpy(key, sha256_hex, sizeof(key));
	else
		parse_sha256_hex(data, len, key);
	g_mutex_lock(&magic_lock);
	if (magic_cache == NULL)
		magic_cache = g_hash_table_new_full(g_str_hash, g_str_equal,
						    g_free, magic_result_free);
	hit = g_hash_table_lookup(magic_cache, key);
	if (hit != NULL) {
		*type_r = g_strdup(hit->type);
		*desc_r = g_strdup(hit->desc);
		g_mutex_unlock(&magic_lock);
		return;
	}
	if (magic_type_cookie != NULL)
		type = magic_buffer(magic_type_cookie, data, len);
	*type_r = g_strdup(type);
	if (magic_desc_cookie != NULL)
		desc = magic_buffer(magic_desc_cookie, data, len);
	*desc_r = g_strdup(desc);

	if (g_hash_table_size(magic_cache) >= MAGIC_CACHE_MAX)
		g_hash_table_remove_all(magic_cache);
	hit = g_new(struct magic_result, 1);
	hit->type = g_strdup(*type_r);
	hit->desc = g_strdup(*desc_r);
	g_hash_table_insert(magic_cache, g_strdup(key), hit);
	g_mutex_unlock(&magic_lock);
}

void
parse_defect(struct mt_message *msg, const char *level, const char *code,
	     const char *fmt, ...)
{
	va_list ap;
	char *detail, *clean;
	size_t len;

	va_start(ap, fmt);
	detail = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	len = strlen(detail);
	clean = g_utf8_make_valid(detail, (gssize)MIN(len, 1000));
	for (char *p = clean; *p != '\0'; p++)
		if (*p == '\r' || *p == '\n')
			*p = ' ';
	mt_message_add_defect(msg, level, code, "%s", clean);
	g_free(clean);
	g_free(detail);
}

void
parse_sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int digest_len = 0;

	out[0] = '\0';
	if (EVP_Digest(data, len, digest, &digest_len, EVP_sha256(),
		       NULL) != 1 || digest_len != 32)
		return;
	for (unsigned int i = 0; i < digest_len; i++)
		g_snprintf(out + 2 * i, 3, "%02x", digest[i]);
}
