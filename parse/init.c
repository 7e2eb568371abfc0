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
	g_mime_shutdown();
}

void
parse_magic_lookup(const unsigned char *data, size_t len, char **type_r,
		   char **desc_r)
{
	const char *type = NULL, *desc = NULL;

	if (len > PARSE_MAGIC_MAX_BYTES)
		len = PARSE_MAGIC_MAX_BYTES;
	g_mutex_lock(&magic_lock);
	if (magic_type_cookie != NULL)
		type = magic_buffer(magic_type_cookie, data, len);
	*type_r = g_strdup(type);
	if (magic_desc_cookie != NULL)
		desc = magic_buffer(magic_desc_cookie, data, len);
	*desc_r = g_strdup(desc);
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
