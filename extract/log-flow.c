/* SPDX-License-Identifier: MIT
 *
 * log-flow.c - NetFlow/IPFIX records exported by 'nfdump -o csv': the
 * 1.6 header (ts,te,td,sa,da,sp,dp,pr,...,ibyt,...) and the 1.7 one
 * (firstSeen,...,srcAddr,dstAddr,dstPort,...,inBytes).  Records toward an
 * SMTP port add their input bytes (client to server) to the hourly
 * totals; the "Summary" block nfdump appends is skipped as a trailer.
 * nfdump prints times in the local zone of the machine that ran it: they
 * are taken in the zone set for the ingest (default UTC).
 */
#include <string.h>

#include "core/record.h"
#include "extract/logs-private.h"

enum { COL_TIME, COL_SRC, COL_DST, COL_DPORT, COL_PROTO, COL_BYTES,
       COL_COUNT };

static const char *const column_names[COL_COUNT][2] = {
	[COL_TIME] = { "ts", "firstSeen" },
	[COL_SRC] = { "sa", "srcAddr" },
	[COL_DST] = { "da", "dstAddr" },
	[COL_DPORT] = { "dp", "dstPort" },
	[COL_PROTO] = { "pr", "proto" },
	[COL_BYTES] = { "ibyt", "inBytes" },
};

/* Maps the header's columns; returns FALSE when one is missing. */
static gboolean
map_columns(GPtrArray *header, int index_r[COL_COUNT])
{
	for (int c = 0; c < COL_COUNT; c++) {
		index_r[c] = -1;
		for (guint i = 0; i < header->len; i++) {
			const char *h = g_ptr_array_index(header, i);

			if (strcmp(h, column_names[c][0]) == 0 ||
			    strcmp(h, column_names[c][1]) == 0)
				index_r[c] = (int)i;
		}
		if (index_r[c] < 0)
			return FALSE;
	}
	return TRUE;
}

const char *
log_flow_detect(char **lines, guint n)
{
	for (guint i = 0; i < n && i < 5; i++) {
		GPtrArray *h = logs_csv_split(lines[i], ',');
		int idx[COL_COUNT];
		gboolean ok = h->len > 4 && map_columns(h, idx);

		g_ptr_array_unref(h);
		if (ok)
			return "log-nfdump";
	}
	return NULL;
}

/* "2024-03-05 14:02:11.123", or seconds/milliseconds since the epoch. */
static gint64
flow_time(struct logs_ctx *ctx, const char *s)
{
	gint64 utc;
	int off;
	gboolean known;
	char *end;
	double v;

	if (log_time_parse_iso(s, &utc, &off, &known) > 0) {
		if (!known)
			utc -= (gint64)ctx->clock.fixed_offset_min * 60;
		return utc;
	}
	v = g_ascii_strtod(s, &end);
	if (end == s || *end != '\0' || v <= 0)
		return MT_TIME_NONE;
	return (gint64)(v > 1e11 ? v / 1000 : v);
}

static void
handle_record(struct logs_ctx *ctx, GPtrArray *f, const int idx[COL_COUNT],
	      const struct log_line *line)
{
	const char *proto = f->pdata[idx[COL_PROTO]];
	const char *src = f->pdata[idx[COL_SRC]];
	const char *dst = f->pdata[idx[COL_DST]];
	gint64 port = g_ascii_strtoll(f->pdata[idx[COL_DPORT]], NULL, 10);
	gint64 bytes = g_ascii_strtoll(f->pdata[idx[COL_BYTES]], NULL, 10);
	gint64 t = flow_time(ctx, f->pdata[idx[COL_TIME]]);

	if (t == MT_TIME_NONE || !logs_is_address(src) ||
	    !logs_is_address(dst)) {
		ctx->lines_unknown++;
		logs_note_line(ctx, "log-line-unknown", line,
			       "flow record without a valid time or address");
		return;
	}
	ctx->lines_parsed++;
	logs_note_time(ctx, t);
	if ((g_ascii_strcasecmp(proto, "TCP") == 0 || strcmp(proto, "6") == 0)
	    && logs_is_smtp_port((int)port))
		logs_add_flow(ctx, src, dst, (int)port, t,
			      bytes > 0 ? bytes : 0, line->line_no);
}

int
log_flow_read(struct logs_ctx *ctx, struct log_stream *st)
{
	int idx[COL_COUNT];
	gboolean have_header = FALSE, trailer = FALSE;
	struct log_line line;

	while (logs_next_line(ctx, st, &line) == 1) {
		GPtrArray *f;

		if (line.len == 0) {
			ctx->lines_blank++;
			continue;
		}
		if (trailer || line.text[0] == '#' ||
		    strcmp(line.text, "Summary") == 0) {
			trailer |= strcmp(line.text, "Summary") == 0;
			ctx->lines_comment++;
			continue;
		}
		f = logs_csv_split(line.text, ',');
		if (!have_header && map_columns(f, idx)) {
			have_header = TRUE;
			ctx->lines_comment++;
		} else if (!have_header || f->len <= (guint)MAX(
				   MAX(idx[COL_TIME], idx[COL_SRC]),
				   MAX(MAX(idx[COL_DST], idx[COL_DPORT]),
				       MAX(idx[COL_PROTO], idx[COL_BYTES])))) {
			ctx->lines_unknown++;
			logs_note_line(ctx, "log-fields-mismatch", &line,
				       "fewer fields than the header names");
		} else {
			handle_record(ctx, f, idx, &line);
		}
		g_ptr_array_unref(f);
	}
	return 0;
}
