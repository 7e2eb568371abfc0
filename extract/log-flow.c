/* SPDX-License-Identifier: MIT
 *
 * log-flow.c - placeholder while the reader is written.
 */
#include "extract/logs-private.h"

const char *
log_flow_detect(char **lines, guint n)
{
	return NULL;
}

int
log_flow_read(struct logs_ctx *ctx, struct log_stream *st)
{
	/* TODO: this reader is not written yet. */
	return -1;
}
