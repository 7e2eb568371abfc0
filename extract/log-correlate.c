/* SPDX-License-Identifier: MIT
 *
 * log-correlate.c - placeholder while correlation is written.
 */
#include "extract/logs-private.h"

int
logs_correlate(sqlite3 *db)
{
	/* TODO: log deliveries are not linked to mailbox messages yet. */
	return 0;
}
