/* SPDX-License-Identifier: MIT
 *
 * pst.c - Outlook PST/OST stores through libpff.
 */
#include <string.h>

#include "extract/extract.h"

static int
pst_probe(const char *path, gboolean is_dir, const unsigned char *head,
	  size_t head_len)
{
	if (is_dir || head == NULL || head_len < 4)
		return 0;
	return memcmp(head, "!BDN", 4) == 0 ? 100 : 0;
}

static int
pst_run(const char *path, const struct mt_extract_options *opts,
	const struct mt_sink *sink)
{
	/* TODO: the folder walk is not written yet. */
	mt_sink_anomalyf(sink, 0, MT_LEVEL_ERROR, "pst-unsupported", -1, NULL,
			 "'%s': PST reading is not implemented yet", path);
	return -1;
}

const struct mt_extractor mt_extract_pst = {
	.name = "pst",
	.probe = pst_probe,
	.run = pst_run,
};
