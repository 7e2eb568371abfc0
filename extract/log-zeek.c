/* SPDX-License-Identifier: MIT
 *
 * log-zeek.c - placeholder while the reader is written.
 */
#include "extract/logs-private.h"

const char *
log_zeek_detect(char **lines, guint n)
{
	return NULL;
}

int
log_zeek_read(struct logs_ctx *ctx, struct log_stream *st)
{
	/* TODO: this reader is not written yet. */
	return -1;
}
