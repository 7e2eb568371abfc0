/* SPDX-License-Identifier: MIT
 *
 * test-extract-maildir.c - the Maildir file-name parser, folder role
 * guessing and the display form of hostile names, table-driven.
 */
#include <stdio.h>
#include <string.h>

#include "extract/stores-private.h"

static int failures;

static void
check(gboolean ok, const char *name, const char *detail)
{
	printf("%s - %s\n", ok ? "ok" : "not ok", name);
	if (!ok) {
		printf("# %s\n", detail);
		failures++;
	}
}

struct name_case {
	const char *label;
	const char *file;
	gboolean has_info;
	char separator;
	const char *flags;      /* expected flags as "PRSTDF" letters */
	const char *keywords;
	const char *unknown;
	gint64 delivered;
	gint64 size_hint;
};

static const struct name_case name_cases[] = {
	{ "seen only", "1704067200.M100P1.mx1.example.com:2,S",
	  TRUE, ':', "S", "", "", 1704067200, -1 },
	{ "seen and trashed", "1704067201.M101P1.mx1.example.com:2,ST",
	  TRUE, ':', "ST", "", "", 1704067201, -1 },
	{ "mbsync semicolon", "1704067202.M102P1.mx1.example.com;2,FS",
	  TRUE, ';', "SF", "", "", 1704067202, -1 },
	{ "offlineimap bang", "1704067203.M103P1.mx1.example.com!2,RS",
	  TRUE, '!', "RS", "", "", 1704067203, -1 },
	{ "dovecot size fields", "1704067204.M104P1.mx1.example.com,"
	  "S=412,W=420:2,", TRUE, ':', "", "", "", 1704067204, 412 },
	{ "new without info", "1704067205.M105P1.mx1.example.com",
	  FALSE, 0, "", "", "", 1704067205, -1 },
	{ "all six flags", "1.x:2,DFPRST", TRUE, ':', "PRSTDF", "", "", 1,
	  -1 },
	{ "keywords and unknown", "1220863087.12663_15.mindcrime!2,PSabcZ",
	  TRUE, '!', "PS", "abc", "Z", 1220863087, -1 },
	{ "last colon wins", "123.host:x:2,R", TRUE, ':', "R", "", "",
	  123, -1 },
	{ "colon without info", "123.host:abc", FALSE, 0, "", "", "",
	  123, -1 },
	{ "experimental info one", "123.host:1,S", TRUE, ':', "", "", "",
	  123, -1 },
	{ "no epoch", "special!2,Sabc", TRUE, '!', "S", "abc", "",
	  MT_TIME_NONE, -1 },
};

static void
flags_render(const struct maildir_name *n, char out[8])
{
	char *p = out;

	if (n->passed)
		*p++ = 'P';
	if (n->replied)
		*p++ = 'R';
	if (n->seen)
		*p++ = 'S';
	if (n->trashed)
		*p++ = 'T';
	if (n->draft)
		*p++ = 'D';
	if (n->flagged)
		*p++ = 'F';
	*p = '\0';
}

/* Sorts expected flag letters into the order flags_render uses. */
static void
flags_canonical(const char *letters, char out[8])
{
	static const char order[] = "PRSTDF";
	char *p = out;

	for (const char *o = order; *o != '\0'; o++)
		if (strchr(letters, *o) != NULL)
			*p++ = *o;
	*p = '\0';
}

static void
name_cases_run(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(name_cases); i++) {
		const struct name_case *c = &name_cases[i];
		struct maildir_name n;
		char got[8], want[8];
		char *label, *detail;

		maildir_name_parse(c->file, &n);
		flags_render(&n, got);
		flags_canonical(c->flags, want);

		label = g_strdup_printf("maildir name %s: flags", c->label);
		detail = g_strdup_printf("expected '%s', got '%s'", want, got);
		check(strcmp(got, want) == 0, label, detail);
		g_free(label);
		g_free(detail);

		label = g_strdup_printf("maildir name %s: info", c->label);
		detail = g_strdup_printf("expected info %d separator %d, got "
					 "info %d separator %d",
					 c->has_info, c->separator,
					 n.has_info, n.separator);
		check(n.has_info == c->has_info && n.separator == c->separator,
		      label, detail);
		g_free(label);
		g_free(detail);

		label = g_strdup_printf("maildir name %s: keywords", c->label);
		detail = g_strdup_printf("expected '%s'/'%s', got '%s'/'%s'",
					 c->keywords, c->unknown, n.keywords,
					 n.unknown);
		check(strcmp(n.keywords, c->keywords) == 0 &&
		      strcmp(n.unknown, c->unknown) == 0, label, detail);
		g_free(label);
		g_free(detail);

		label = g_strdup_printf("maildir name %s: numbers", c->label);
		detail = g_strdup_printf("expected %" G_GINT64_FORMAT "/%"
					 G_GINT64_FORMAT ", got %"
					 G_GINT64_FORMAT "/%" G_GINT64_FORMAT,
					 c->delivered, c->size_hint,
					 n.delivered, n.size_hint);
		check(n.delivered == c->delivered &&
		      n.size_hint == c->size_hint, label, detail);
		g_free(label);
		g_free(detail);
	}
}

struct role_case {
	const char *folder;
	enum mt_folder_role role;
};

static const struct role_case role_cases[] = {
	{ "INBOX", MT_FOLDER_INBOX },
	{ "Sent", MT_FOLDER_SENT },
	{ ".Sent", MT_FOLDER_SENT },
	{ ".INBOX.Sent Items", MT_FOLDER_SENT },
	{ "[Gmail]/Sent Mail", MT_FOLDER_SENT },
	{ "Sent Messages", MT_FOLDER_SENT },
	{ "Gesendete Elemente", MT_FOLDER_SENT },
	{ "Éléments envoyés", MT_FOLDER_SENT },
	{ "ÉLÉMENTS ENVOYÉS", MT_FOLDER_SENT },
	{ "Elementos enviados", MT_FOLDER_SENT },
	{ "Trash", MT_FOLDER_DELETED },
	{ ".Trash", MT_FOLDER_DELETED },
	{ "Deleted Messages", MT_FOLDER_DELETED },
	{ "Deleted Items", MT_FOLDER_DELETED },
	{ "Gelöschte Elemente", MT_FOLDER_DELETED },
	{ "[Gmail]/Bin", MT_FOLDER_DELETED },
	{ "Junk E-mail", MT_FOLDER_JUNK },
	{ "Drafts", MT_FOLDER_DRAFTS },
	{ "Outbox", MT_FOLDER_OUTBOX },
	{ "Recoverable Items", MT_FOLDER_RECOVERABLE },
	{ "Recoverable Items/Deletions", MT_FOLDER_RECOVERABLE },
	{ "Recoverable Items/Purges", MT_FOLDER_RECOVERABLE },
	{ "Recoverable Items/Versions", MT_FOLDER_RECOVERABLE },
	{ "Projects/Versions", MT_FOLDER_OTHER },
	{ "Deleted Items/Project X", MT_FOLDER_DELETED },
	{ "Trash/Sent", MT_FOLDER_DELETED },
	{ "Trash.Old", MT_FOLDER_OTHER },
	{ "Archive/Sent", MT_FOLDER_SENT },
	{ "Top of Personal Folders/Sent Items", MT_FOLDER_SENT },
	{ "Unsent Messages", MT_FOLDER_OUTBOX },
	{ "Sent.mbox", MT_FOLDER_SENT },
	{ "Trash.sbd/Old", MT_FOLDER_DELETED },
	{ "Local Folders/Inbox.sbd/Sent", MT_FOLDER_SENT },
	{ "Boîte d’envoi", MT_FOLDER_OUTBOX },
	{ "Sent.old", MT_FOLDER_OTHER },
	{ "Invoices", MT_FOLDER_OTHER },
	{ "\xff\xfe", MT_FOLDER_OTHER },
};

static void
role_cases_run(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(role_cases); i++) {
		const struct role_case *c = &role_cases[i];
		enum mt_folder_role role = mt_folder_role_guess(c->folder);
		char *shown = stores_name_display(c->folder);
		char *label = g_strdup_printf("folder role of '%s'", shown);
		char *detail = g_strdup_printf(
			"expected %s, got %s", mt_folder_role_name(c->role),
			mt_folder_role_name(role));

		check(role == c->role, label, detail);
		g_free(label);
		g_free(detail);
		g_free(shown);
	}
}

static void
name_display_cases(void)
{
	char *shown = stores_name_display("a\nb\\c\xff.eml");

	check(strcmp(shown, "a\\x0ab\\\\c\\xff.eml") == 0,
	      "display name escapes control and invalid bytes", shown);
	g_free(shown);
	shown = stores_name_display("Gelöschte Elemente");
	check(strcmp(shown, "Gelöschte Elemente") == 0,
	      "display name keeps valid utf-8", shown);
	g_free(shown);
}

int
main(void)
{
	name_cases_run();
	role_cases_run();
	name_display_cases();
	return failures == 0 ? 0 : 1;
}
