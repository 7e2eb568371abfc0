/* SPDX-License-Identifier: MIT
 *
 * address.c - RFC 5322 address lists into mt_address entries.  GMime
 * splits the list before it decodes encoded-words, so commas in quoted
 * names, comments and encoded-words are no separators.  Group members
 * are flattened with the group name kept, and an empty group adds
 * nothing.  An entry without exactly one '@' is kept with address NULL,
 * its text in raw and a defect, so it is never counted as an address.
 * From a field GMime cannot read as a list at all, the words that are
 * valid addr-specs are taken, with a defect.
 */
#include <string.h>

#include "parse/parse-private.h"

/* Checks for "local@domain" with exactly one '@' and a dotless-allowed,
 * non-empty domain. */
static gboolean
address_is_valid(const char *addr)
{
	const char *at;

	if (addr == NULL)
		return FALSE;
	at = strchr(addr, '@');
	if (at == NULL || at == addr || at[1] == '\0')
		return FALSE;
	if (strchr(at + 1, '@') != NULL)
		return FALSE;
	for (const char *p = addr; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ')
			return FALSE;
	return g_utf8_validate(addr, -1, NULL);
}

static char *
address_clean(const char *text)
{
	char *clean;

	if (text == NULL || *text == '\0')
		return NULL;
	clean = g_utf8_validate(text, -1, NULL) ? g_strdup(text)
						 : g_utf8_make_valid(text, -1);
	for (char *p = clean; *p != '\0'; p++)
		if (*p == '\r' || *p == '\n')
			*p = ' ';
	return g_strstrip(clean);
}

/* Adds one mailbox; returns FALSE when it has no valid addr-spec. */
static gboolean
address_add_mailbox(InternetAddressMailbox *mailbox, const char *group,
		    enum mt_address_kind kind, const char *raw_header,
		    gboolean charset_defect, struct mt_message *msg)
{
	gboolean valid;
	const char *addr = internet_address_mailbox_get_addr(mailbox);
	char *name = address_clean(
		internet_address_get_name(INTERNET_ADDRESS(mailbox)));
	char *decoded = NULL;
	struct mt_address *a;

	/* Raw 8-bit bytes that are not UTF-8 (RFC 6532 allows only UTF-8)
	 * are read through GMime's fallback charsets. */
	if (addr != NULL && !g_utf8_validate(addr, -1, NULL)) {
		decoded = g_mime_utils_decode_8bit(NULL, addr, strlen(addr));
		parse_defect(msg, "warning", "invalid-utf8-header",
			     "%s: address bytes are not UTF-8: %s",
			     mt_address_kind_name(kind), decoded);
		addr = decoded;
	}

	valid = address_is_valid(addr);
	if (valid) {
		a = mt_message_add_address(msg, kind, name, addr, group);
		if (charset_defect)
			a->raw = address_clean(raw_header);
	} else {
		a = mt_message_add_address(msg, kind, name, NULL, group);
		a->raw = address_clean(addr != NULL && *addr != '\0'
					       ? addr : raw_header);
	}
	g_free(name);
	g_free(decoded);
	return valid;
}

/* Adds every mailbox of list; returns how many had no valid addr-spec. */
static int
address_add_list(InternetAddressList *list, const char *group,
		 enum mt_address_kind kind, const char *raw_header,
		 gboolean charset_defect, int depth, struct mt_message *msg)
{
	int invalid = 0;

	for (int i = 0; list != NULL && i < internet_address_list_length(list);
	     i++) {
		InternetAddress *ia = internet_address_list_get_address(list, i);

		if (INTERNET_ADDRESS_IS_MAILBOX(ia)) {
			invalid += !address_add_mailbox(
				INTERNET_ADDRESS_MAILBOX(ia), group, kind,
				raw_header, charset_defect, msg);
		} else if (INTERNET_ADDRESS_IS_GROUP(ia) && depth < 4) {
			char *name = address_clean(internet_address_get_name(ia));

			/* Groups do not nest in RFC 5322; an inner group's
			 * members are listed under the outer name. */
			invalid += address_add_list(
				internet_address_group_get_members(
					INTERNET_ADDRESS_GROUP(ia)),
				group != NULL ? group : name, kind, raw_header,
				charset_defect, depth + 1, msg);
			g_free(name);
		}
	}
	return invalid;
}

/* Rewrites Outlook's ';' list separators as ',' in a list that has no
 * group (no ':' outside quotes, comments and angle brackets). */
static void
address_fix_semicolons(char *value)
{
	gboolean group = FALSE;

	/* Pass 0 looks for a group, pass 1 rewrites the separators. */
	for (int pass = 0; pass < 2; pass++) {
		gboolean quoted = FALSE;
		int comment = 0, angle = 0;

		for (char *p = value; *p != '\0'; p++) {
			if (*p == '\\' && p[1] != '\0') {
				p++;
			} else if (*p == '"' && comment == 0) {
				quoted = !quoted;
			} else if (quoted) {
				continue;
			} else if (*p == '(') {
				comment++;
			} else if (*p == ')' && comment > 0) {
				comment--;
			} else if (comment > 0) {
				continue;
			} else if (*p == '<') {
				angle++;
			} else if (*p == '>' && angle > 0) {
				angle--;
			} else if (*p == ':' && angle == 0) {
				group = TRUE;
			} else if (*p == ';' && angle == 0 && pass == 1) {
				*p = ',';
			}
		}
		if (group)
			return;
	}
}

/* Takes every word of unparsable text that is a valid addr-spec, as in
 * "Delivered-To: mailing list list@example.org".  Text without one is
 * kept as a single entry with address NULL and the text in raw. */
static int
address_salvage(const char *value, enum mt_address_kind kind,
		struct mt_message *msg)
{
	char *text = g_utf8_validate(value, -1, NULL)
		? g_strdup(value)
		: g_mime_utils_decode_8bit(NULL, value, strlen(value));
	char **words = g_strsplit_set(text, " \t,;<>()\"", -1);
	struct mt_address *a;
	int found = 0;

	for (int i = 0; words[i] != NULL && found < 1000; i++) {
		if (!address_is_valid(words[i]))
			continue;
		a = mt_message_add_address(msg, kind, NULL, words[i], NULL);
		a->raw = address_clean(value);
		found++;
	}
	g_strfreev(words);
	g_free(text);
	if (found == 0) {
		a = mt_message_add_address(msg, kind, NULL, NULL, NULL);
		a->raw = address_clean(value);
	}
	return found;
}

void
parse_address_list(GMimeParserOptions *options, const char *raw,
		   enum mt_address_kind kind, struct mt_message *msg)
{
	char *value = parse_header_unfold(raw);
	gboolean charset_defect = FALSE;
	InternetAddressList *list;
	int invalid;

	if (*value == '\0') {
		g_free(value);
		return;
	}
	if (strstr(value, "=?") != NULL)
		charset_defect = parse_header_check_charsets(
			value, mt_address_kind_name(kind), msg);
	if (strchr(value, ';') != NULL)
		address_fix_semicolons(value);
	list = internet_address_list_parse(options, value);
	if (list == NULL || internet_address_list_length(list) == 0) {
		/* "undisclosed-recipients:;" parses to one empty group, so
		 * only text with no list at all gets here. */
		int found = address_salvage(value, kind, msg);

		parse_defect(msg, "warning", "invalid-address",
			     "%s: not an address list, %d address(es) "
			     "taken from its words: '%.200s'",
			     mt_address_kind_name(kind), found, value);
	}
	invalid = address_add_list(list, NULL, kind, value, charset_defect, 0,
				   msg);
	if (invalid > 0)
		parse_defect(msg, "warning", "invalid-address",
			     "%s: %d entr%s without a valid addr-spec, kept "
			     "without address: '%.200s'",
			     mt_address_kind_name(kind), invalid,
			     invalid == 1 ? "y" : "ies", value);
	if (list != NULL)
		g_object_unref(list);
	g_free(value);
}
