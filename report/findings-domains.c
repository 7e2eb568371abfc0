/* SPDX-License-Identifier: MIT
 *
 * findings-domains.c - how random a domain label or mailbox handle looks
 * (character entropy, consonant runs, digit and vowel ratios, length),
 * the built-in freemail and disposable-mail lists, and edit distance for
 * lookalike domains.  The scores are heuristics: they rank names for an
 * examiner to read and do not prove that a name was generated.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/findings-private.h"

/* Big freemail providers and well-known disposable-address services,
 * as of 2024.  Subdomains match too. */
static const struct {
	const char *domain;
	const char *list;
} builtin_domains[] = {
	{ "gmail.com", "freemail" }, { "googlemail.com", "freemail" },
	{ "yahoo.com", "freemail" }, { "yahoo.co.uk", "freemail" },
	{ "yahoo.fr", "freemail" }, { "yahoo.de", "freemail" },
	{ "yahoo.co.jp", "freemail" }, { "ymail.com", "freemail" },
	{ "rocketmail.com", "freemail" }, { "outlook.com", "freemail" },
	{ "hotmail.com", "freemail" }, { "hotmail.co.uk", "freemail" },
	{ "hotmail.fr", "freemail" }, { "hotmail.de", "freemail" },
	{ "hotmail.it", "freemail" }, { "live.com", "freemail" },
	{ "msn.com", "freemail" }, { "aol.com", "freemail" },
	{ "icloud.com", "freemail" }, { "me.com", "freemail" },
	{ "mac.com", "freemail" }, { "proton.me", "freemail" },
	{ "protonmail.com", "freemail" }, { "protonmail.ch", "freemail" },
	{ "pm.me", "freemail" }, { "tutanota.com", "freemail" },
	{ "tutanota.de", "freemail" }, { "tuta.io", "freemail" },
	{ "gmx.com", "freemail" }, { "gmx.de", "freemail" },
	{ "gmx.net", "freemail" }, { "gmx.at", "freemail" },
	{ "web.de", "freemail" }, { "t-online.de", "freemail" },
	{ "mail.com", "freemail" }, { "yandex.com", "freemail" },
	{ "yandex.ru", "freemail" }, { "mail.ru", "freemail" },
	{ "zoho.com", "freemail" }, { "fastmail.com", "freemail" },
	{ "hushmail.com", "freemail" }, { "qq.com", "freemail" },
	{ "163.com", "freemail" }, { "126.com", "freemail" },
	{ "sina.com", "freemail" }, { "naver.com", "freemail" },
	{ "laposte.net", "freemail" }, { "orange.fr", "freemail" },
	{ "free.fr", "freemail" }, { "libero.it", "freemail" },
	{ "seznam.cz", "freemail" }, { "wp.pl", "freemail" },
	{ "o2.pl", "freemail" }, { "interia.pl", "freemail" },
	{ "rediffmail.com", "freemail" }, { "mailfence.com", "freemail" },
	{ "posteo.de", "freemail" }, { "mailbox.org", "freemail" },
	{ "disroot.org", "freemail" }, { "cock.li", "freemail" },
	{ "guerrillamail.com", "disposable" },
	{ "mailinator.com", "disposable" },
	{ "10minutemail.com", "disposable" },
	{ "temp-mail.org", "disposable" }, { "yopmail.com", "disposable" },
	{ "sharklasers.com", "disposable" },
	{ "trashmail.com", "disposable" },
	{ "maildrop.cc", "disposable" },
};

/* Second-level labels under which organisations register names. */
static const char *const second_levels[] = {
	"co", "com", "org", "net", "ac", "gov", "edu", "ne", "or", NULL
};

const char *
fd_domain_builtin_list(const char *domain)
{
	size_t len = domain ? strlen(domain) : 0;

	for (size_t i = 0; i < G_N_ELEMENTS(builtin_domains); i++) {
		const char *d = builtin_domains[i].domain;
		size_t n = strlen(d);

		if (len == n && strcmp(domain, d) == 0)
			return builtin_domains[i].list;
		if (len > n && domain[len - n - 1] == '.' &&
		    strcmp(domain + len - n, d) == 0)
			return builtin_domains[i].list;
	}
	return NULL;
}

char *
fd_domain_label(const char *domain)
{
	char **labels = g_strsplit(domain ? domain : "", ".", -1);
	guint n = g_strv_length(labels);
	guint pick = n >= 2 ? n - 2 : 0;
	char *label;

	/* 'example.co.uk': the label before 'co' is the registered one. */
	if (n >= 3 && strlen(labels[n - 1]) == 2)
		for (int i = 0; second_levels[i]; i++)
			if (strcmp(labels[n - 2], second_levels[i]) == 0)
				pick = n - 3;
	label = g_strdup(n ? labels[pick] : "");
	g_strfreev(labels);
	return label;
}

static gboolean
is_vowel(char c)
{
	return strchr("aeiouy", g_ascii_tolower(c)) != NULL;
}

static double
entropy_of(const char *text, int len)
{
	int counts[256] = { 0 };
	double h = 0;

	for (int i = 0; i < len; i++)
		counts[(unsigned char)text[i]]++;
	for (int i = 0; i < 256; i++) {
		double p = (double)counts[i] / len;

		if (counts[i])
			h -= p * log2(p);
	}
	return h;
}

void
fd_name_measure(const char *text, struct fd_name_features *out)
{
	GString *kept = g_string_new(NULL);
	int letters = 0, digits = 0, vowels = 0, run = 0;

	memset(out, 0, sizeof(*out));
	/* Separators carry no randomness, and a '+tag' is dropped. */
	for (const char *p = text; p && *p && *p != '+'; p++)
		if (g_ascii_isalnum(*p))
			g_string_append_c(kept, g_ascii_tolower(*p));
	out->length = kept->len;
	for (gsize i = 0; i < kept->len; i++) {
		char c = kept->str[i];

		digits += g_ascii_isdigit(c);
		letters += g_ascii_isalpha(c);
		vowels += g_ascii_isalpha(c) && is_vowel(c);
		run = g_ascii_isalpha(c) && !is_vowel(c) ? run + 1 : 0;
		out->max_consonant_run = MAX(out->max_consonant_run, run);
	}
	if (out->length == 0) {
		g_string_free(kept, TRUE);
		return;
	}
	out->entropy = entropy_of(kept->str, kept->len);
	out->digit_ratio = (double)digits / out->length;
	out->vowel_ratio = letters ? (double)vowels / letters : 0;
	g_string_free(kept, TRUE);

	if (out->length >= 8 && out->entropy > 2.8)
		out->score += 25 * MIN(1.0, (out->entropy - 2.8) / 0.8);
	if (out->max_consonant_run >= 4)
		out->score += MIN(30, 10 * (out->max_consonant_run - 3));
	if (letters && digits && out->digit_ratio >= 0.2)
		out->score += MIN(25.0, 60 * out->digit_ratio);
	if (letters >= 6 && out->vowel_ratio < 0.25)
		out->score += 20;
	if (out->length >= 15)
		out->score += 10;
	out->score = MIN(out->score, 100.0);
}

int
fd_edit_distance(const char *a, const char *b, int cap)
{
	int la = strlen(a), lb = strlen(b);
	int *prev2, *prev, *cur, result;

	if (abs(la - lb) > cap)
		return cap + 1;
	prev2 = g_new0(int, lb + 1);
	prev = g_new0(int, lb + 1);
	cur = g_new0(int, lb + 1);
	for (int j = 0; j <= lb; j++)
		prev[j] = j;
	for (int i = 1; i <= la; i++) {
		int *t;

		cur[0] = i;
		for (int j = 1; j <= lb; j++) {
			int cost = a[i - 1] != b[j - 1];

			cur[j] = MIN(MIN(prev[j] + 1, cur[j - 1] + 1),
				     prev[j - 1] + cost);
			/* A swap of two neighbours counts as one edit. */
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1])
				cur[j] = MIN(cur[j], prev2[j - 2] + 1);
		}
		t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	result = MIN(prev[lb], cap + 1);
	g_free(prev2);
	g_free(prev);
	g_free(cur);
	return result;
}
