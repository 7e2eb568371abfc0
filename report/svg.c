/* SPDX-License-Identifier: MIT
 *
 * svg.c - the report's charts, drawn as inline SVG by the tool itself:
 * no chart library to inline, nothing fetched, and vector output prints
 * sharply.  Every mark carries a <title> with its exact number, so a
 * reader can check a bar against the tables.
 */
#include <math.h>
#include <string.h>

#include "report/html-private.h"

static const char *const weekday_names[7] = {
	"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"
};

static void
svg_begin(FILE *out, const char *cls, int width, int height,
	  const char *title)
{
	fprintf(out, "<svg class=\"%s\" "
		"width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">"
		"<title>%s</title>\n", cls, width, height, width, height,
		title);
}

/* Fills from white (0) to dark red (1). */
static void
svg_heat_color(double t, char buf[8])
{
	int r = 255 - (int)(t * 75);
	int g = 255 - (int)(t * 225);
	int b = 255 - (int)(t * 225);

	g_snprintf(buf, 8, "#%02x%02x%02x", r, g, b);
}

void
svg_heatmap(FILE *out, const int counts[7][24])
{
	const int cw = 24, ch = 18, left = 34, top = 16;
	int max = 0, d, h;

	for (d = 0; d < 7; d++)
		for (h = 0; h < 24; h++)
			max = MAX(max, counts[d][h]);
	svg_begin(out, "chart-heatmap", left + 24 * cw + 4, top + 7 * ch + 4,
		  "Messages sent by hour of day (columns, custodian local "
		  "time) and day of week (rows)");
	for (h = 0; h < 24; h += 3)
		fprintf(out, "<text x=\"%d\" y=\"11\">%02dh</text>",
			left + h * cw + 2, h);
	for (d = 0; d < 7; d++) {
		fprintf(out, "<text x=\"2\" y=\"%d\">%s</text>",
			top + d * ch + 13, weekday_names[d]);
		for (h = 0; h < 24; h++) {
			char color[8];

			svg_heat_color(max > 0 ? (double)counts[d][h] / max : 0,
				       color);
			fprintf(out, "<rect class=\"cell\" x=\"%d\" y=\"%d\" "
				"width=\"%d\" height=\"%d\" fill=\"%s\" "
				"stroke=\"#ccc\"><title>%s %02dh: %d "
				"message(s)</title></rect>", left + h * cw,
				top + d * ch, cw, ch, color,
				weekday_names[d], h, counts[d][h]);
			if (counts[d][h] > 0)
				fprintf(out, "<text x=\"%d\" y=\"%d\">%d"
					"</text>", left + h * cw + 3,
					top + d * ch + 13, counts[d][h]);
		}
		fputc('\n', out);
	}
	fputs("</svg>\n", out);
}

static double
svg_daily_max(const struct svg_day *days, guint n)
{
	double max = 1;
	guint i;

	for (i = 0; i < n; i++) {
		max = MAX(max, days[i].messages);
		if (days[i].baseline_median >= 0)
			max = MAX(max, days[i].baseline_median +
				  3 * days[i].baseline_mad);
	}
	return max;
}

/* The band is the baseline median plus and minus three MADs. */
static void
svg_daily_band(FILE *out, const struct svg_day *d, double x, double bw,
	       double y0, double scale)
{
	double hi, lo;

	if (d->baseline_median < 0)
		return;
	hi = d->baseline_median + 3 * d->baseline_mad;
	lo = MAX(0, d->baseline_median - 3 * d->baseline_mad);
	fprintf(out, "<rect class=\"band\" x=\"%.1f\" y=\"%.1f\" "
		"width=\"%.1f\" height=\"%.1f\" fill=\"#cfe3f7\"/>",
		x, y0 - hi * scale, bw, MAX(0.5, (hi - lo) * scale));
}

void
svg_daily(FILE *out, const struct svg_day *days, guint n)
{
	const int left = 36, top = 8, plot_h = 140, plot_w = 760;
	double bw = n > 0 ? CLAMP((double)plot_w / n, 1.0, 24.0) : 24.0;
	double max = svg_daily_max(days, n), scale = plot_h / max;
	double y0 = top + plot_h;
	guint i, step = MAX(1, n / 8);

	svg_begin(out, "chart-daily", left + (int)(bw * n) + 70,
		  top + plot_h + 30, "Messages sent per day (UTC); shaded "
		  "band: baseline median plus and minus 3 MAD; red: spike");
	fprintf(out, "<text x=\"2\" y=\"%d\">%.0f</text>"
		"<text x=\"2\" y=\"%.0f\">0</text>\n", top + 8, max, y0);
	for (i = 0; i < n; i++)
		svg_daily_band(out, &days[i], left + i * bw, bw, y0, scale);
	for (i = 0; i < n; i++) {
		const struct svg_day *d = &days[i];
		double h = d->messages * scale;

		fprintf(out, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" "
			"width=\"%.1f\" height=\"%.1f\" fill=\"%s\">"
			"<title>%s: %d message(s)%s</title></rect>",
			d->spike ? "bar spike" : "bar",
			left + i * bw + bw * 0.1,
			y0 - h, bw * 0.8, h, d->spike ? "#c00" : "#357",
			d->day, d->messages, d->spike ? ", spike" : "");
		if (d->spike)
			fprintf(out, "<text class=\"spike-mark\" x=\"%.1f\" "
				"y=\"%.1f\" fill=\"#c00\">&#9650;</text>",
				left + i * bw, MAX(top + 8.0, y0 - h - 2));
		if (i % step == 0 || i == n - 1)
			fprintf(out, "<text x=\"%.1f\" y=\"%.0f\">%s</text>",
				left + i * bw, y0 + 14 + (i / step % 2) * 10,
				d->day);
		fputc('\n', out);
	}
	fprintf(out, "<line x1=\"%d\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\" "
		"stroke=\"#444\"/></svg>\n", left, y0, left + bw * n, y0);
}

void
svg_paired_bars(FILE *out, const char *const *labels, const int *sent,
		const int *replies, guint n)
{
	const int left = 230, row_h = 22, plot_w = 420;
	int max = 1;
	guint i;

	for (i = 0; i < n; i++)
		max = MAX(max, MAX(sent[i], replies[i]));
	svg_begin(out, "chart-recipients", left + plot_w + 60,
		  (int)n * row_h + 24, "Messages sent to each recipient (dark) "
		  "and replies received from it (light)");
	for (i = 0; i < n; i++) {
		int y = 4 + i * row_h;
		char *label = g_markup_escape_text(labels[i], -1);
		char *shortened = g_utf8_make_valid(labels[i], -1);
		char *cut = g_utf8_substring(shortened, 0,
					     MIN(40, g_utf8_strlen(shortened,
								   -1)));
		char *short_label = g_markup_escape_text(cut, -1);

		/* The label is cut before escaping so no entity is split. */
		fprintf(out, "<text x=\"2\" y=\"%d\">%s</text>", y + 13,
			short_label);
		g_free(short_label);
		g_free(cut);
		g_free(shortened);
		fprintf(out, "<rect class=\"sent\" x=\"%d\" y=\"%d\" "
			"width=\"%.1f\" height=\"9\" fill=\"#357\"><title>%s: "
			"%d sent</title></rect>", left, y,
			(double)sent[i] * plot_w / max, label, sent[i]);
		fprintf(out, "<rect class=\"replies\" x=\"%d\" y=\"%d\" "
			"width=\"%.1f\" height=\"9\" fill=\"#9bd\"><title>%s: "
			"%d replies</title></rect>", left, y + 10,
			(double)replies[i] * plot_w / max, label, replies[i]);
		fprintf(out, "<text x=\"%.1f\" y=\"%d\">%d / %d</text>\n",
			left + (double)MAX(sent[i], replies[i]) * plot_w / max
			+ 4,
			y + 13, sent[i], replies[i]);
		g_free(label);
	}
	fputs("</svg>\n", out);
}

void
svg_histogram(FILE *out, const char *const *labels, const int *counts,
	      guint n)
{
	const int left = 30, top = 16, plot_h = 120, bw = 56;
	int max = 1;
	guint i;

	for (i = 0; i < n; i++)
		max = MAX(max, counts[i]);
	svg_begin(out, "chart-attachments", left + (int)n * bw + 10,
		  top + plot_h + 24, "Attachments sent by size");
	for (i = 0; i < n; i++) {
		double h = (double)counts[i] * plot_h / max;
		char *label = g_markup_escape_text(labels[i], -1);

		fprintf(out, "<rect class=\"bar\" x=\"%d\" y=\"%.1f\" "
			"width=\"%d\" height=\"%.1f\" fill=\"#357\"><title>%s: "
			"%d attachment(s)</title></rect>",
			left + (int)i * bw + 4,
			top + plot_h - h, bw - 8, h, label, counts[i]);
		fprintf(out, "<text x=\"%d\" y=\"%d\">%s</text>"
			"<text x=\"%d\" y=\"%.1f\">%d</text>\n",
			left + (int)i * bw + 2, top + plot_h + 14, label,
			left + (int)i * bw + 6, top + plot_h - h - 3,
			counts[i]);
		g_free(label);
	}
	fputs("</svg>\n", out);
}
