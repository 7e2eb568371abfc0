/* SPDX-License-Identifier: MIT
 *
 * pst-props.c - MAPI property access over libpff record sets.
 *
 * Every reader returns 1 when the property was read, 0 when it is absent
 * and -1 on a libpff error, with *error_r set to the libpff backtrace
 * (caller frees).  Strings come back as valid UTF-8 with embedded NUL
 * characters replaced by U+2400 so that no text is cut short.
 */
#include <stdio.h>
#include <string.h>

#include "extract/pst-private.h"

#define PST_BACKTRACE_MAX 4096
/* Seconds from 1601-01-01 (FILETIME epoch) to 1970-01-01. */
#define PST_FILETIME_EPOCH_DELTA G_GINT64_CONSTANT(11644473600)
/* 9999-12-31T23:59:59Z in Unix seconds. */
#define PST_UNIX_MAX G_GINT64_CONSTANT(253402300799)

/* Takes the libpff error: returns its backtrace as one line (caller
 * frees) and frees the error.  Returns a fixed text when error is NULL. */
char *
pst_error_take(libpff_error_t **error)
{
	char buffer[PST_BACKTRACE_MAX];

	if (error == NULL || *error == NULL)
		return g_strdup("libpff reported no error detail");
	if (libpff_error_backtrace_sprint(*error, buffer, sizeof buffer) < 0)
		g_strlcpy(buffer, "libpff error text unavailable",
			  sizeof buffer);
	libpff_error_free(error);
	g_strstrip(buffer);
	for (char *p = buffer; *p != '\0'; p++) {
		if (*p == '\n' || *p == '\r')
			*p = ';';
	}
	return g_strdup(buffer);
}

/* Returns the file offset of the innermost failure in a libpff backtrace
 * (the first "at offset: N"; libpff lists the innermost failure first),
 * or -1 when it names none.  Other "offset:" values in libpff messages
 * are offsets inside a table or block, not in the file. */
gint64
pst_error_offset(const char *backtrace)
{
	static const char marker[] = "at offset: ";
	const char *p = backtrace;

	while (p != NULL && (p = strstr(p, marker)) != NULL) {
		p += strlen(marker);
		if (g_ascii_isdigit(*p))
			return g_ascii_strtoll(p, NULL, 10);
	}
	return -1;
}

int
pst_set_get(libpff_item_t *item, int index, libpff_record_set_t **set_r,
	    char **error_r)
{
	libpff_error_t *error = NULL;

	*set_r = NULL;
	if (libpff_item_get_record_set_by_index(item, index, set_r,
						&error) != 1) {
		*error_r = pst_error_take(&error);
		return -1;
	}
	return 1;
}

int
pst_set_entry(libpff_record_set_t *set, uint32_t type,
	      libpff_record_entry_t **entry_r, char **error_r)
{
	libpff_error_t *error = NULL;
	int result;

	*entry_r = NULL;
	result = libpff_record_set_get_entry_by_type(
		set, type, 0, entry_r,
		LIBPFF_ENTRY_VALUE_FLAG_MATCH_ANY_VALUE_TYPE, &error);
	if (result == -1)
		*error_r = pst_error_take(&error);
	return result;
}

/* Turns len bytes of libpff UTF-8 into a valid UTF-8 string. */
char *
pst_string_clean(const char *data, size_t len, gboolean *had_nul_r)
{
	GString *text = g_string_sized_new(len + 1);
	char *valid;

	if (had_nul_r != NULL)
		*had_nul_r = FALSE;
	for (size_t i = 0; i < len; i++) {
		if (data[i] != '\0') {
			g_string_append_c(text, data[i]);
			continue;
		}
		g_string_append(text, "\xe2\x90\x80");	/* U+2400 */
		if (had_nul_r != NULL)
			*had_nul_r = TRUE;
	}
	valid = g_utf8_make_valid(text->str, (gssize)text->len);
	g_string_free(text, TRUE);
	return valid;
}

/* Decodes UTF-16LE into valid UTF-8: an unpaired surrogate becomes
 * U+FFFD, an embedded NUL U+2400, and one final NUL terminator is
 * dropped.  libpff's own conversion stops at the first NUL, which would
 * hide what follows it (a file name "x\0.exe"). */
static char *
pst_utf16_decode(const uint8_t *data, size_t size)
{
	size_t units = size / 2;
	GString *text = g_string_sized_new(units + 1);

	if (units > 0 && data[2 * units - 2] == 0 && data[2 * units - 1] == 0)
		units--;
	for (size_t i = 0; i < units; i++) {
		gunichar c = data[2 * i] | (gunichar)data[2 * i + 1] << 8;

		if (c >= 0xd800 && c <= 0xdbff && i + 1 < units) {
			gunichar low = data[2 * i + 2] |
				       (gunichar)data[2 * i + 3] << 8;

			if (low >= 0xdc00 && low <= 0xdfff) {
				c = 0x10000 + ((c - 0xd800) << 10) +
				    (low - 0xdc00);
				i++;
			}
		}
		if (c >= 0xd800 && c <= 0xdfff)
			c = 0xfffd;
		else if (c == 0)
			c = 0x2400;
		g_string_append_unichar(text, c);
	}
	return g_string_free(text, FALSE);
}

/* Reads a PT_UNICODE value from its raw UTF-16LE bytes. */
static int
entry_unicode(libpff_record_entry_t *entry, char **value_r, char **error_r)
{
	libpff_error_t *error = NULL;
	size_t size = 0;
	uint8_t *buffer;

	if (libpff_record_entry_get_data_size(entry, &size, &error) != 1) {
		*error_r = pst_error_take(&error);
		return -1;
	}
	buffer = g_malloc(size + 1);
	if (size > 0 &&
	    libpff_record_entry_get_data(entry, buffer, size, &error) != 1) {
		g_free(buffer);
		*error_r = pst_error_take(&error);
		return -1;
	}
	*value_r = pst_utf16_decode(buffer, size);
	g_free(buffer);
	return 1;
}

static int
entry_string(libpff_record_entry_t *entry, char **value_r, char **error_r)
{
	libpff_error_t *error = NULL;
	uint32_t value_type = 0;
	size_t size = 0;
	uint8_t *buffer;

	if (libpff_record_entry_get_value_type(entry, &value_type,
					       &error) == 1 &&
	    value_type == LIBPFF_VALUE_TYPE_STRING_UNICODE)
		return entry_unicode(entry, value_r, error_r);
	libpff_error_free(&error);

	if (libpff_record_entry_get_data_as_utf8_string_size(entry, &size,
							     &error) != 1) {
		*error_r = pst_error_take(&error);
		return -1;
	}
	if (size == 0) {
		*value_r = g_strdup("");
		return 1;
	}
	buffer = g_malloc(size);
	if (libpff_record_entry_get_data_as_utf8_string(entry, buffer, size,
							&error) != 1) {
		g_free(buffer);
		*error_r = pst_error_take(&error);
		return -1;
	}
	*value_r = pst_string_clean((const char *)buffer, size - 1, NULL);
	g_free(buffer);
	return 1;
}

int
pst_set_string(libpff_record_set_t *set, uint32_t type, char **value_r,
	       char **error_r)
{
	libpff_record_entry_t *entry = NULL;
	libpff_error_t *error = NULL;
	uint32_t value_type = 0;
	int result;

	*value_r = NULL;
	result = pst_set_entry(set, type, &entry, error_r);
	if (result != 1)
		return result;
	libpff_record_entry_get_value_type(entry, &value_type, &error);
	libpff_error_free(&error);
	if (value_type != LIBPFF_VALUE_TYPE_STRING_ASCII &&
	    value_type != LIBPFF_VALUE_TYPE_STRING_UNICODE) {
		*error_r = g_strdup_printf("property 0x%04x has value type "
					   "0x%04x, expected a string",
					   type, value_type);
		result = -1;
	} else {
		result = entry_string(entry, value_r, error_r);
	}
	libpff_record_entry_free(&entry, NULL);
	return result;
}

static int
entry_u32(libpff_record_entry_t *entry, uint32_t type, uint32_t *value_r,
	  char **error_r)
{
	libpff_error_t *error = NULL;
	uint32_t value_type = 0;
	uint16_t v16 = 0;
	uint8_t v8 = 0;
	int result = -1;

	libpff_record_entry_get_value_type(entry, &value_type, &error);
	libpff_error_free(&error);
	switch (value_type) {
	case LIBPFF_VALUE_TYPE_INTEGER_32BIT_SIGNED:
		result = libpff_record_entry_get_data_as_32bit_integer(
			entry, value_r, &error);
		break;
	case LIBPFF_VALUE_TYPE_INTEGER_16BIT_SIGNED:
		result = libpff_record_entry_get_data_as_16bit_integer(
			entry, &v16, &error);
		*value_r = v16;
		break;
	case LIBPFF_VALUE_TYPE_BOOLEAN:
		result = libpff_record_entry_get_data_as_boolean(entry, &v8,
								 &error);
		*value_r = v8;
		break;
	default:
		*error_r = g_strdup_printf("property 0x%04x has value type "
					   "0x%04x, expected an integer",
					   type, value_type);
		return -1;
	}
	if (result != 1) {
		*error_r = pst_error_take(&error);
		return -1;
	}
	return 1;
}

int
pst_set_u32(libpff_record_set_t *set, uint32_t type, uint32_t *value_r,
	    char **error_r)
{
	libpff_record_entry_t *entry = NULL;
	int result;

	*value_r = 0;
	result = pst_set_entry(set, type, &entry, error_r);
	if (result != 1)
		return result;
	result = entry_u32(entry, type, value_r, error_r);
	libpff_record_entry_free(&entry, NULL);
	return result;
}

int
pst_set_filetime(libpff_record_set_t *set, uint32_t type, uint64_t *value_r,
		 char **error_r)
{
	libpff_record_entry_t *entry = NULL;
	libpff_error_t *error = NULL;
	int result;

	*value_r = 0;
	result = pst_set_entry(set, type, &entry, error_r);
	if (result != 1)
		return result;
	if (libpff_record_entry_get_data_as_filetime(entry, value_r,
						     &error) != 1) {
		*error_r = pst_error_take(&error);
		result = -1;
	}
	libpff_record_entry_free(&entry, NULL);
	return result;
}

int
pst_set_size(libpff_record_set_t *set, uint32_t type, size_t *size_r,
	     char **error_r)
{
	libpff_record_entry_t *entry = NULL;
	libpff_error_t *error = NULL;
	int result;

	*size_r = 0;
	result = pst_set_entry(set, type, &entry, error_r);
	if (result != 1)
		return result;
	if (libpff_record_entry_get_data_size(entry, size_r, &error) != 1) {
		*error_r = pst_error_take(&error);
		result = -1;
	}
	libpff_record_entry_free(&entry, NULL);
	return result;
}

/* Reads a binary property of at most max bytes into *value_r. */
int
pst_set_binary(libpff_record_set_t *set, uint32_t type, size_t max,
	       GByteArray **value_r, char **error_r)
{
	libpff_record_entry_t *entry = NULL;
	libpff_error_t *error = NULL;
	size_t size = 0;
	int result;

	*value_r = NULL;
	result = pst_set_entry(set, type, &entry, error_r);
	if (result != 1)
		return result;
	result = -1;
	if (libpff_record_entry_get_data_size(entry, &size, &error) != 1) {
		*error_r = pst_error_take(&error);
	} else if (size > max) {
		*error_r = g_strdup_printf("property 0x%04x is %zu bytes, "
					   "more than the limit of %zu",
					   type, size, max);
	} else {
		*value_r = g_byte_array_sized_new((guint)size);
		g_byte_array_set_size(*value_r, (guint)size);
		if (size == 0 ||
		    libpff_record_entry_get_data(entry, (*value_r)->data, size,
						 &error) == 1) {
			result = 1;
		} else {
			*error_r = pst_error_take(&error);
			g_byte_array_unref(*value_r);
			*value_r = NULL;
		}
	}
	libpff_record_entry_free(&entry, NULL);
	return result;
}

static void
digest_u64(EVP_MD_CTX *md, guint64 value)
{
	guint64 le = GUINT64_TO_LE(value);

	EVP_DigestUpdate(md, &le, sizeof le);
}

/* Streams one entry's value data into md in bounded chunks. */
static int
entry_hash_data(libpff_record_entry_t *entry, size_t size, EVP_MD_CTX *md,
		char **error_r)
{
	libpff_error_t *error = NULL;
	uint8_t *buffer;
	size_t done = 0;

	if (size == 0)
		return 1;
	buffer = g_malloc(MIN(size, (size_t)PST_CHUNK_SIZE));
	if (size <= PST_CHUNK_SIZE) {
		if (libpff_record_entry_get_data(entry, buffer, size,
						 &error) == 1) {
			EVP_DigestUpdate(md, buffer, size);
			done = size;
		}
	} else if (libpff_record_entry_seek_offset(entry, 0, SEEK_SET,
						   &error) == 0) {
		while (done < size) {
			size_t want = MIN(size - done, (size_t)PST_CHUNK_SIZE);
			ssize_t got = libpff_record_entry_read_buffer(
				entry, buffer, want, &error);

			if (got <= 0)
				break;
			EVP_DigestUpdate(md, buffer, (size_t)got);
			done += (size_t)got;
		}
	}
	g_free(buffer);
	if (done != size) {
		*error_r = error != NULL ? pst_error_take(&error) :
			g_strdup_printf("value data ended after %zu of %zu "
					"bytes", done, size);
		return -1;
	}
	return 1;
}

/* Feeds every entry of set into md as: entry type, value type, data size
 * (little-endian 64-bit each) and the data bytes, in record set order.
 * Returns 1, or -1 when an entry could not be read (it is then hashed as
 * far as it was read and the walk goes on to the next entry). */
int
pst_set_hash(libpff_record_set_t *set, EVP_MD_CTX *md, char **error_r)
{
	libpff_error_t *error = NULL;
	int count = 0;
	int result = 1;

	if (libpff_record_set_get_number_of_entries(set, &count,
						    &error) != 1) {
		*error_r = pst_error_take(&error);
		return -1;
	}
	digest_u64(md, (guint64)count);
	for (int i = 0; i < count; i++) {
		libpff_record_entry_t *entry = NULL;
		uint32_t entry_type = 0;
		uint32_t value_type = 0;
		size_t size = 0;
		char *detail = NULL;

		if (libpff_record_set_get_entry_by_index(set, i, &entry,
							 &error) != 1 ||
		    libpff_record_entry_get_entry_type(entry, &entry_type,
						       &error) == -1 ||
		    libpff_record_entry_get_value_type(entry, &value_type,
						       &error) == -1 ||
		    libpff_record_entry_get_data_size(entry, &size,
						      &error) != 1) {
			detail = pst_error_take(&error);
		} else {
			digest_u64(md, entry_type);
			digest_u64(md, value_type);
			digest_u64(md, size);
			entry_hash_data(entry, size, md, &detail);
		}
		libpff_record_entry_free(&entry, NULL);
		if (detail != NULL && result == 1) {
			*error_r = g_strdup_printf("entry %d: %s", i, detail);
			result = -1;
		}
		g_free(detail);
	}
	return result;
}

/* Reads a message-level string.  Unicode values are decoded from their
 * raw bytes; for 8-bit strings libpff applies the message code page
 * (PidTagMessageCodepage). */
int
pst_message_string(libpff_item_t *item, uint32_t type, char **value_r,
		   char **error_r)
{
	libpff_record_set_t *set = NULL;
	libpff_record_entry_t *entry = NULL;
	libpff_error_t *error = NULL;
	uint32_t value_type = 0;
	size_t size = 0;
	uint8_t *buffer;
	int result;

	*value_r = NULL;
	result = pst_set_get(item, 0, &set, error_r);
	if (result == 1)
		result = pst_set_entry(set, type, &entry, error_r);
	if (result == 1 &&
	    libpff_record_entry_get_value_type(entry, &value_type,
					       &error) == 1 &&
	    value_type == LIBPFF_VALUE_TYPE_STRING_UNICODE)
		result = entry_unicode(entry, value_r, error_r);
	else if (result == 1)
		result = 2;	/* 8-bit or other: libpff converts below */
	libpff_error_free(&error);
	libpff_record_entry_free(&entry, NULL);
	libpff_record_set_free(&set, NULL);
	if (result != 2)
		return result;
	result = libpff_message_get_entry_value_utf8_string_size(item, type,
								 &size,
								 &error);
	if (result != 1) {
		if (result == -1)
			*error_r = pst_error_take(&error);
		return result;
	}
	if (size == 0) {
		*value_r = g_strdup("");
		return 1;
	}
	buffer = g_malloc(size);
	result = libpff_message_get_entry_value_utf8_string(item, type, buffer,
							    size, &error);
	if (result == 1)
		*value_r = pst_string_clean((const char *)buffer, size - 1,
					    NULL);
	else if (result == -1)
		*error_r = pst_error_take(&error);
	g_free(buffer);
	return result;
}

/* Converts a FILETIME (100 ns ticks since 1601) to Unix seconds, rounding
 * down.  Returns FALSE for 0, which MAPI uses for "not set", and for
 * values after 9999-12-31, which only damaged data holds. */
gboolean
pst_filetime_to_unix(uint64_t filetime, gint64 *utc_r)
{
	gint64 utc;

	if (filetime == 0)
		return FALSE;
	utc = (gint64)(filetime / 10000000) - PST_FILETIME_EPOCH_DELTA;
	if (utc > PST_UNIX_MAX)
		return FALSE;
	*utc_r = utc;
	return TRUE;
}

/* Returns the node id inside a PST entry id (flags, provider UID, then a
 * 32-bit little-endian NID, MS-PST 2.2.2.2), or 0 when it is too short. */
uint32_t
pst_entryid_nid(const GByteArray *entryid)
{
	const guint8 *p;

	if (entryid == NULL || entryid->len < 24)
		return 0;
	p = entryid->data + 20;
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

void
pst_digest_hex(EVP_MD_CTX *md, char out[65])
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	EVP_DigestFinal_ex(md, digest, &len);
	for (unsigned int i = 0; i < len && i < 32; i++)
		g_snprintf(out + 2 * i, 3, "%02x", digest[i]);
	out[64] = '\0';
}
