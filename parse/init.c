/* SPDX-License-Identifier: MIT
 *
 * init.c - process-wide setup of GMime and libmagic for parse/.
 */
#include "parse/parse.h"

int
parse_init(void)
{
	return 0;
}

void
parse_shutdown(void)
{
}

int
parse_message_bytes(const char *data, size_t len, struct mt_message *msg)
{
	/* TODO: not yet implemented. */
	return -1;
}

void
parse_transport_headers(const char *headers, size_t len,
			struct mt_message *msg)
{
}

gboolean
parse_date(const char *text, gint64 *utc_r, int *offset_min_r,
	   gboolean *zone_known_r)
{
	return FALSE;
}

void
parse_describe_bytes(const unsigned char *data, size_t len,
		     const char *filename, struct mt_attachment *att)
{
}

void
parse_sha256_hex(const void *data, size_t len, char out[65])
{
	out[0] = '\0';
}

void
parse_choose_sent_time(const struct mt_message *msg, gint64 *utc_r,
		       int *offset_min_r, const char **source_r,
		       gint64 *skew_sec_r)
{
	*utc_r = MT_TIME_NONE;
	*offset_min_r = 0;
	*source_r = NULL;
	*skew_sec_r = 0;
}
