/* SPDX-License-Identifier: MIT
 *
 * encrypted.c - detects encrypted attachments from their bytes, which
 * libmagic does not report.  It finds zip entries with the encryption
 * flag (PKWARE APPNOTE 4.4.4, general purpose bit 0) or AES method 99,
 * PDF files with an /Encrypt dictionary (ISO 32000-1, 7.6) and Office
 * files in an OLE compound file with an EncryptedPackage stream
 * (MS-OFFCRYPTO 2.3.4).  Only signatures are checked, so a damaged file
 * may go unnoticed.  Nothing is decrypted.
 */
#define _GNU_SOURCE    /* memmem */
#include <string.h>

#include "parse/parse.h"

#define ZIP_LOCAL_SIG "PK\003\004"
#define ZIP_CENTRAL_SIG "PK\001\002"
#define ZIP_AES_METHOD 99

static guint16
le16(const unsigned char *p)
{
	return (guint16)(p[0] | p[1] << 8);
}

/* Checks every local and central zip header in data.  The flags are at
 * offset 6 (local) or 8 (central), the method in the next two bytes. */
static const char *
zip_encryption(const unsigned char *data, size_t len)
{
	for (size_t i = 0; i + 30 <= len; i++) {
		size_t flags_at;

		if (memcmp(data + i, ZIP_LOCAL_SIG, 4) == 0)
			flags_at = i + 6;
		else if (memcmp(data + i, ZIP_CENTRAL_SIG, 4) == 0)
			flags_at = i + 8;
		else
			continue;
		if (le16(data + flags_at + 2) == ZIP_AES_METHOD)
			return "encrypted zip entry (AES, method 99)";
		if (le16(data + flags_at) & 1)
			return "encrypted zip entry (general purpose flag "
			       "bit 0)";
	}
	return NULL;
}

static gboolean
contains(const unsigned char *data, size_t len, const void *needle,
	 size_t needle_len)
{
	return needle_len <= len &&
	       memmem(data, len, needle, needle_len) != NULL;
}

const char *
parse_encryption_note(const unsigned char *data, size_t len)
{
	static const unsigned char ole[] = {
		0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1
	};
	/* "EncryptedPackage" as an OLE directory entry name (UTF-16LE). */
	static const char package[] =
		"E\0n\0c\0r\0y\0p\0t\0e\0d\0P\0a\0c\0k\0a\0g\0e\0";

	if (data == NULL || len < 8)
		return NULL;
	if (memcmp(data, ZIP_LOCAL_SIG, 4) == 0)
		return zip_encryption(data, len);
	if (memcmp(data, "%PDF-", 5) == 0 &&
	    contains(data, len, "/Encrypt", 8))
		return "encrypted PDF (/Encrypt dictionary)";
	if (memcmp(data, ole, sizeof(ole)) == 0 &&
	    contains(data, len, package, sizeof(package) - 1))
		return "encrypted Office document (EncryptedPackage stream)";
	return NULL;
}
