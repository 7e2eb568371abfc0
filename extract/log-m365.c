/* SPDX-License-Identifier: MIT
 *
 * log-m365.c - placeholder while the reader is written.
 */
#include "extract/logs-private.h"

const char *
log_m365_detect(char **lines, guint n)
{
	return NULL;
}

int
log_m365_read(struct logs_ctx *ctx, struct log_stream *st)
{
	/* TODO: this reader is not written yet. */
	return -1;
}
