/* SPDX-License-Identifier: MIT
 *
 * pst-message.c - one PST message item as a struct mt_message.
 *
 * Fields come from MAPI properties (MS-OXPROPS names in the enum of
 * pst-private.h); the transport headers, when stored, fill in what MAPI
 * lacks.  A property that cannot be read becomes a defect on the message
 * and is named in recovery_note for recovered items.  The message sha256
 * is defined over the property data libpff returns (see docs/pst.md)
 * because libpff does not expose the raw node bytes.
 */
#include <inttypes.h>
#include <string.h>

#include "extract/pst-private.h"
#include "parse/parse.h"
/* NOTE: parse_html_to_text and parse_text_to_utf8 are declared only in
 * parse/'s private header; parse.h does not export them yet. */
#include "parse/parse-private.h"

/* Recipient rows past this count are reported and not read. */
#define PST_MAX_RECIPIENTS 100000

/* MAPI recipient types (PR_RECIPIENT_TYPE, low bits). */
#define PST_MAPI_TO 1
#define PST_MAPI_CC 2
#define PST_MAPI_BCC 3

/* PR_LAST_VERB_EXECUTED values (MS-OXOMSG 2.2.1.33). */
#define PST_VERB_REPLY_TO_SENDER 102
#define PST_VERB_REPLY_TO_ALL 103
#define PST_VERB_FORWARD 104

struct pst_read {
	struct pst_walk *walk;
	libpff_item_t *item;
	struct mt_message *msg;
	libpff_record_set_t *set;
	EVP_MD_CTX *md;     /* message sha256, see pst_message_read */
	GString *lost;      /* names of unreadable parts, for recovery_note */
};

/* Message classes that travel as mail: notes, reports (NDR, receipts),
 * meeting requests and responses, task requests, sharing invitations. */
static const char *const pst_mail_classes[] = {
	"IPM.Note", "REPORT.", "IPM.Schedule.Meeting", "IPM.TaskRequest",
	"IPM.Sharing", "IPM.Conflict.Message", "IPM.Outlook.Recall",
	"IPM.Recall.Report",
};

static gboolean
pst_class_is_mail(const char *class)
{
	for (size_t i = 0; i < G_N_ELEMENTS(pst_mail_classes); i++) {
		const char *prefix = pst_mail_classes[i];
		size_t len = strlen(prefix);
		char next;

		if (g_ascii_strncasecmp(class, prefix, len) != 0)
			continue;
		next = class[len];
		if (prefix[len - 1] == '.' || next == '\0' || next == '.')
			return TRUE;
	}
	return FALSE;
}

/* Returns 1 for mail, 0 for other items (folders, contacts, appointments)
 * and 1 with *error_r set when the class cannot be read: such an item is
 * kept as mail so that nothing is lost unseen. */
int
pst_item_is_mail(libpff_item_t *item, char **class_r, char **error_r)
{
	libpff_error_t *error = NULL;
	uint8_t type = 0;
	int result;

	*class_r = NULL;
	*error_r = NULL;
	if (libpff_item_get_type(item, &type, &error) == 1 &&
	    type == LIBPFF_ITEM_TYPE_FOLDER)
		return 0;
	libpff_error_free(&error);
	result = pst_message_string(item, PST_PR_MESSAGE_CLASS, class_r,
				    error_r);
	if (result == 1 && (*class_r)[0] != '\0')
		return pst_class_is_mail(*class_r) ? 1 : 0;
	if (result != -1)
		*error_r = g_strdup("PR_MESSAGE_CLASS is missing");
	return 1;
}

static void
pst_read_lost(struct pst_read *r, const char *what, const char *detail)
{
	if (r->lost->len > 0)
		g_string_append(r->lost, ", ");
	g_string_append(r->lost, what);
	mt_message_add_defect(r->msg, "warning", "pst-property-unreadable",
			      "%s unreadable: %s", what, detail);
}

static char *
pst_read_string(struct pst_read *r, uint32_t type, const char *what)
{
	char *value = NULL;
	char *detail = NULL;

	if (pst_message_string(r->item, type, &value, &detail) == -1)
		pst_read_lost(r, what, detail);
	g_free(detail);
	if (value != NULL && value[0] == '\0')
		g_clear_pointer(&value, g_free);
	return value;
}

static gboolean
pst_read_u32(struct pst_read *r, uint32_t type, const char *what,
	     uint32_t *value_r)
{
	char *detail = NULL;
	int result = pst_set_u32(r->set, type, value_r, &detail);

	if (result == -1)
		pst_read_lost(r, what, detail);
	g_free(detail);
	return result == 1;
}

/* PR_SUBJECT may start with U+0001 and one character giving the length
 * of the prefix ("RE: "); both are markers, not text (MS-OXCMSG 2.2.1.46). */
static char *
pst_subject_strip(char *subject)
{
	const char *text = subject;
	char *stripped;

	if (subject == NULL || subject[0] != '\x01')
		return subject;
	text = g_utf8_next_char(text);
	if (*text != '\0')
		text = g_utf8_next_char(text);
	stripped = g_strdup(text);
	g_free(subject);
	return stripped;
}

static char *
pst_strip_brackets(char *id)
{
	char *inner;

	if (id == NULL)
		return NULL;
	g_strstrip(id);
	if (id[0] != '<' || !g_str_has_suffix(id, ">") || strlen(id) < 2)
		return id;
	inner = g_strndup(id + 1, strlen(id) - 2);
	g_free(id);
	return inner;
}

/* An addr-spec as Outlook stores it for SMTP: one '@', no spaces. */
static gboolean
pst_looks_like_addr_spec(const char *text)
{
	const char *at;

	if (text == NULL)
		return FALSE;
	at = strrchr(text, '@');
	if (at == NULL || at == text || at[1] == '\0')
		return FALSE;
	for (const char *p = text; *p != '\0'; p++) {
		if (g_ascii_isspace(*p) || *p == '<' || *p == '>' ||
		    *p == '/' || *p == ',')
			return FALSE;
	}
	return TRUE;
}

/* Adds one address, taking the SMTP property first.  An Exchange legacy
 * DN or other non-SMTP address is kept in raw and never turned into an
 * addr-spec.  Without an SMTP form the address stays NULL with a defect. */
static void
pst_address_add(struct mt_message *msg, enum mt_address_kind kind,
		const char *name, const char *addrtype, const char *email,
		const char *smtp)
{
	gboolean is_smtp = addrtype != NULL &&
			   g_ascii_strcasecmp(addrtype, "SMTP") == 0;
	const char *address = NULL;
	struct mt_address *a;

	if (name == NULL && email == NULL && smtp == NULL)
		return;
	if (pst_looks_like_addr_spec(smtp))
		address = smtp;
	else if ((is_smtp || addrtype == NULL) &&
		 pst_looks_like_addr_spec(email))
		address = email;
	a = mt_message_add_address(msg, kind, name, address, NULL);
	/* raw keeps a stored address that is not the addr-spec itself. */
	if (email != NULL &&
	    (address == NULL || g_ascii_strcasecmp(email, address) != 0))
		a->raw = g_strdup(email);
	if (address == NULL && email != NULL)
		mt_message_add_defect(msg, "warning", "pst-address-unresolved",
				      "%s address '%s' (type %s) has no SMTP "
				      "form; address left empty",
				      mt_address_kind_name(kind), email,
				      addrtype != NULL ? addrtype : "none");
}

static void
pst_read_originators(struct pst_read *r)
{
	char *rep_name = pst_read_string(r, PST_PR_SENT_REPRESENTING_NAME,
					 "PR_SENT_REPRESENTING_NAME");
	char *rep_type = pst_read_string(r, PST_PR_SENT_REPRESENTING_ADDRTYPE,
					 "PR_SENT_REPRESENTING_ADDRTYPE");
	char *rep_email = pst_read_string(r, PST_PR_SENT_REPRESENTING_EMAIL,
					  "PR_SENT_REPRESENTING_EMAIL_ADDRESS");
	char *rep_smtp = pst_read_string(r,
					 PST_PR_SENT_REPRESENTING_SMTP_ADDRESS,
					 "PR_SENT_REPRESENTING_SMTP_ADDRESS");
	char *name = pst_read_string(r, PST_PR_SENDER_NAME, "PR_SENDER_NAME");
	char *type = pst_read_string(r, PST_PR_SENDER_ADDRTYPE,
				     "PR_SENDER_ADDRTYPE");
	char *email = pst_read_string(r, PST_PR_SENDER_EMAIL,
				      "PR_SENDER_EMAIL_ADDRESS");
	char *smtp = pst_read_string(r, PST_PR_SENDER_SMTP_ADDRESS,
				     "PR_SENDER_SMTP_ADDRESS");
	gboolean has_rep = rep_name != NULL || rep_email != NULL ||
			   rep_smtp != NULL;

	/* The represented user is the From; the sender is the account that
	 * sent on its behalf, kept only when it differs. */
	if (has_rep) {
		pst_address_add(r->msg, MT_ADDR_FROM, rep_name, rep_type,
				rep_email, rep_smtp);
		if (g_strcmp0(email, rep_email) != 0 ||
		    g_strcmp0(name, rep_name) != 0)
			pst_address_add(r->msg, MT_ADDR_SENDER, name, type,
					email, smtp);
	} else {
		pst_address_add(r->msg, MT_ADDR_FROM, name, type, email, smtp);
	}
	g_free(rep_name);
	g_free(rep_type);
	g_free(rep_email);
	g_free(rep_smtp);
	g_free(name);
	g_free(type);
	g_free(email);
	g_free(smtp);
}

static char *
pst_set_string_or_null(libpff_record_set_t *set, uint32_t type,
		       GString *errors)
{
	char *value = NULL;
	char *detail = NULL;

	if (pst_set_string(set, type, &value, &detail) == -1)
		g_string_append_printf(errors, " 0x%04x: %s;", type, detail);
	g_free(detail);
	if (value != NULL && value[0] == '\0')
		g_clear_pointer(&value, g_free);
	return value;
}

static void
pst_recipient_add(struct mt_message *msg, libpff_record_set_t *set, int i)
{
	GString *errors = g_string_new(NULL);
	char *name = pst_set_string_or_null(set, PST_PR_DISPLAY_NAME, errors);
	char *type = pst_set_string_or_null(set, PST_PR_ADDRTYPE, errors);
	char *email = pst_set_string_or_null(set, PST_PR_EMAIL_ADDRESS,
					     errors);
	char *smtp = pst_set_string_or_null(set, PST_PR_SMTP_ADDRESS, errors);
	enum mt_address_kind kind = MT_ADDR_TO;
	uint32_t rtype = PST_MAPI_TO;
	char *detail = NULL;

	if (pst_set_u32(set, PST_PR_RECIPIENT_TYPE, &rtype, &detail) != 1)
		mt_message_add_defect(msg, "warning", "pst-recipient-type",
				      "recipient %d has no readable "
				      "PR_RECIPIENT_TYPE%s%s; listed as to", i,
				      detail != NULL ? ": " : "",
				      detail != NULL ? detail : "");
	switch (rtype & 0x0f) {
	case PST_MAPI_CC:
		kind = MT_ADDR_CC;
		break;
	case PST_MAPI_BCC:
		kind = MT_ADDR_BCC;
		break;
	case PST_MAPI_TO:
		break;
	default:
		mt_message_add_defect(msg, "warning", "pst-recipient-type",
				      "recipient %d has PR_RECIPIENT_TYPE "
				      "0x%x; listed as to", i, rtype);
	}
	if (errors->len > 0)
		mt_message_add_defect(msg, "warning", "pst-property-unreadable",
				      "recipient %d:%s", i, errors->str);
	pst_address_add(msg, kind, name, type, email, smtp);
	g_string_free(errors, TRUE);
	g_free(detail);
	g_free(name);
	g_free(type);
	g_free(email);
	g_free(smtp);
}

/* Hashes every recipient row into md (when not NULL) and adds the
 * recipients to msg (when not NULL).  Defects go to defects. */
static void
pst_recipients_read(struct mt_message *msg, GString *lost,
		    libpff_item_t *item, EVP_MD_CTX *md,
		    struct mt_message *defects)
{
	libpff_item_t *recipients = NULL;
	libpff_error_t *error = NULL;
	char *detail = NULL;
	int count = 0;
	int result;

	result = libpff_message_get_recipients(item, &recipients, &error);
	if (result == 0)
		return;
	if (result != 1 ||
	    libpff_item_get_number_of_record_sets(recipients, &count,
						  &error) != 1) {
		detail = pst_error_take(&error);
		mt_message_add_defect(defects, "warning",
				      "pst-recipients-unreadable",
				      "recipient table unreadable: %s", detail);
		if (lost != NULL)
			g_string_append(lost, lost->len > 0 ? ", recipients" :
					"recipients");
		g_free(detail);
		libpff_item_free(&recipients, NULL);
		return;
	}
	if (count > PST_MAX_RECIPIENTS) {
		mt_message_add_defect(defects, "warning",
				      "pst-too-many-recipients",
				      "recipient table has %d rows; the first "
				      "%d are read", count, PST_MAX_RECIPIENTS);
		count = PST_MAX_RECIPIENTS;
	}
	for (int i = 0; i < count; i++) {
		libpff_record_set_t *set = NULL;

		if (pst_set_get(recipients, i, &set, &detail) != 1 ||
		    (md != NULL && pst_set_hash(set, md, &detail) != 1)) {
			mt_message_add_defect(defects, "warning",
					      "pst-recipient-unreadable",
					      "recipient %d: %s", i, detail);
			g_clear_pointer(&detail, g_free);
		}
		if (set != NULL && msg != NULL)
			pst_recipient_add(msg, set, i);
		libpff_record_set_free(&set, NULL);
	}
	libpff_item_free(&recipients, NULL);
}

static void
pst_read_time(struct pst_read *r, uint32_t type, const char *what,
	      enum mt_time_source source)
{
	char *detail = NULL;
	uint64_t filetime = 0;
	gint64 utc;
	char raw[40];
	int result = pst_set_filetime(r->set, type, &filetime, &detail);

	if (result == -1)
		pst_read_lost(r, what, detail);
	g_free(detail);
	if (result != 1 || filetime == 0)
		return;
	g_snprintf(raw, sizeof raw, "FILETIME 0x%016" PRIx64, filetime);
	if (!pst_filetime_to_unix(filetime, &utc)) {
		mt_message_add_defect(r->msg, "warning", "pst-time-invalid",
				      "%s is %s, after the year 9999; "
				      "ignored", what, raw);
		return;
	}
	mt_message_add_time(r->msg, source, utc, 0, TRUE, raw);
}

static void
pst_read_flags(struct pst_read *r)
{
	uint32_t value = 0;

	if (pst_read_u32(r, PST_PR_MESSAGE_FLAGS, "PR_MESSAGE_FLAGS",
			 &value)) {
		r->msg->flag_seen = (value & PST_MSGFLAG_READ) != 0;
		r->msg->flag_draft = (value & PST_MSGFLAG_UNSENT) != 0;
	}
	if (pst_read_u32(r, PST_PR_LAST_VERB_EXECUTED,
			 "PR_LAST_VERB_EXECUTED", &value)) {
		r->msg->flag_replied = value == PST_VERB_REPLY_TO_SENDER ||
				       value == PST_VERB_REPLY_TO_ALL;
		r->msg->flag_passed = value == PST_VERB_FORWARD;
	}
	/* PR_FLAG_STATUS 2 is "flagged for follow-up", 1 "completed". */
	if (pst_read_u32(r, PST_PR_FLAG_STATUS, "PR_FLAG_STATUS", &value))
		r->msg->flag_flagged = value == 2;
	if (pst_read_u32(r, PST_PR_MESSAGE_SIZE, "PR_MESSAGE_SIZE", &value))
		r->msg->size = value;
	else
		mt_message_add_defect(r->msg, "note", "pst-no-message-size",
				      "PR_MESSAGE_SIZE is missing; size is 0");
}

static void
pst_read_plain_body(struct pst_read *r)
{
	libpff_error_t *error = NULL;
	size_t size = 0;
	uint8_t *buffer;
	char *detail;
	int result;

	result = libpff_message_get_plain_text_body_size(r->item, &size,
							 &error);
	if (result == 0 || (result == 1 && size <= 1))
		return;
	if (result == 1 && (gint64)size - 1 > r->walk->max_message_size) {
		r->msg->body_text_size = (gint64)size - 1;
		mt_message_add_defect(r->msg, "warning", "pst-body-too-large",
				      "plain-text body of %zu bytes is over "
				      "the %" G_GINT64_FORMAT "-byte limit; "
				      "not stored", size - 1,
				      r->walk->max_message_size);
		return;
	}
	buffer = result == 1 ? g_malloc(size) : NULL;
	if (buffer != NULL &&
	    libpff_message_get_plain_text_body(r->item, buffer, size,
					       &error) == 1) {
		r->msg->body_text = pst_string_clean((const char *)buffer,
						     strnlen((char *)buffer,
							     size),
						     NULL);
		r->msg->body_text_size = (gint64)strlen(r->msg->body_text);
	} else {
		detail = pst_error_take(&error);
		pst_read_lost(r, "plain-text body", detail);
		g_free(detail);
	}
	g_free(buffer);
}

/* Names the iconv charset of a Windows code page (PR_INTERNET_CPID). */
static char *
pst_cpid_charset(uint32_t cpid)
{
	switch (cpid) {
	case 65001:
		return g_strdup("UTF-8");
	case 20127:
		return g_strdup("US-ASCII");
	case 28591:
		return g_strdup("ISO-8859-1");
	case 50220:
		return g_strdup("ISO-2022-JP");
	case 51932:
		return g_strdup("EUC-JP");
	case 936:
		return g_strdup("GBK");
	case 949:
		return g_strdup("CP949");
	case 950:
		return g_strdup("BIG5");
	default:
		return g_strdup_printf("CP%u", cpid);
	}
}

/* Sets body_text from the HTML body when there is no plain-text body. */
static void
pst_read_html_text(struct pst_read *r, size_t size)
{
	libpff_error_t *error = NULL;
	uint8_t *html = g_malloc(size);
	uint32_t cpid = 0;
	char *charset;
	char *utf8;
	char *text;

	if (libpff_message_get_html_body(r->item, html, size, &error) != 1) {
		char *detail = pst_error_take(&error);

		pst_read_lost(r, "HTML body", detail);
		g_free(detail);
		g_free(html);
		return;
	}
	pst_read_u32(r, PST_PR_INTERNET_CPID, "PR_INTERNET_CPID", &cpid);
	charset = cpid != 0 ? pst_cpid_charset(cpid) : NULL;
	utf8 = parse_text_to_utf8(html, strnlen((char *)html, size), charset,
				  "HTML body", r->msg);
	text = parse_html_to_text(utf8, strlen(utf8));
	r->msg->body_text = pst_string_clean(text, strlen(text), NULL);
	r->msg->body_text_size = (gint64)strlen(r->msg->body_text);
	mt_message_add_defect(r->msg, "note", "pst-html-only",
			      "no plain-text body; body_text is the text of "
			      "the %zu-byte HTML body", size - 1);
	g_free(text);
	g_free(utf8);
	g_free(charset);
	g_free(html);
}

/* Sets body_text from PR_RTF_COMPRESSED when the message has neither a
 * plain-text nor an HTML body, as Outlook RTF mail often has. */
static void
pst_read_rtf_text(struct pst_read *r)
{
	GByteArray *rtf = NULL;
	char *detail = NULL;
	char *text;
	int result;

	result = pst_set_binary(r->set, PST_PR_RTF_COMPRESSED,
				(size_t)r->walk->max_message_size, &rtf,
				&detail);
	if (result == -1)
		pst_read_lost(r, "PR_RTF_COMPRESSED", detail);
	g_free(detail);
	if (result != 1)
		return;
	text = parse_rtf_compressed_to_text(rtf->data, rtf->len);
	if (text == NULL) {
		mt_message_add_defect(r->msg, "warning", "pst-rtf-invalid",
				      "PR_RTF_COMPRESSED of %u bytes is not "
				      "valid compressed RTF", rtf->len);
	} else {
		r->msg->body_text = text;
		r->msg->body_text_size = (gint64)strlen(text);
		mt_message_add_defect(r->msg, "note", "pst-rtf-only",
				      "no plain-text or HTML body; body_text "
				      "is the text of the %u-byte compressed "
				      "RTF body", rtf->len);
	}
	g_byte_array_unref(rtf);
}

static void
pst_read_bodies(struct pst_read *r)
{
	libpff_error_t *error = NULL;
	size_t size = 0;
	int result;

	pst_read_plain_body(r);
	result = libpff_message_get_html_body_size(r->item, &size, &error);
	if (result == 1 && size > 1) {
		r->msg->body_html_size = (gint64)size - 1;
		if (r->msg->body_text == NULL && r->msg->body_text_size == 0 &&
		    r->msg->body_html_size <= r->walk->max_message_size)
			pst_read_html_text(r, size);
	} else if (result == -1) {
		char *detail = pst_error_take(&error);

		/* libpff reports an empty stream as an error; it is absent. */
		if (strstr(detail, "missing value data") == NULL)
			pst_read_lost(r, "HTML body", detail);
		g_free(detail);
	}
	if (r->msg->body_text == NULL && r->msg->body_text_size == 0)
		pst_read_rtf_text(r);
}

static void
pst_read_identity(struct pst_read *r)
{
	char *headers;

	r->msg->item_class = pst_read_string(r, PST_PR_MESSAGE_CLASS,
					     "PR_MESSAGE_CLASS");
	r->msg->subject = pst_subject_strip(
		pst_read_string(r, PST_PR_SUBJECT, "PR_SUBJECT"));
	r->msg->message_id = pst_strip_brackets(
		pst_read_string(r, PST_PR_INTERNET_MESSAGE_ID,
				"PR_INTERNET_MESSAGE_ID"));
	r->msg->in_reply_to = pst_strip_brackets(
		pst_read_string(r, PST_PR_IN_REPLY_TO_ID, "PR_IN_REPLY_TO_ID"));
	r->msg->references = pst_read_string(r, PST_PR_INTERNET_REFERENCES,
					     "PR_INTERNET_REFERENCES");
	pst_read_originators(r);
	/* Before the transport headers, which fill only what MAPI left. */
	pst_recipients_read(r->msg, r->lost, r->item, r->md, r->msg);
	pst_read_time(r, PST_PR_CLIENT_SUBMIT_TIME, "PR_CLIENT_SUBMIT_TIME",
		      MT_TIME_CLIENT_SUBMIT);
	pst_read_time(r, PST_PR_MESSAGE_DELIVERY_TIME,
		      "PR_MESSAGE_DELIVERY_TIME", MT_TIME_DELIVERY);
	pst_read_time(r, PST_PR_CREATION_TIME, "PR_CREATION_TIME",
		      MT_TIME_CREATION);
	pst_read_time(r, PST_PR_LAST_MODIFICATION_TIME,
		      "PR_LAST_MODIFICATION_TIME", MT_TIME_MODIFICATION);
	pst_read_flags(r);
	pst_read_bodies(r);
	headers = pst_read_string(r, PST_PR_TRANSPORT_MESSAGE_HEADERS,
				  "PR_TRANSPORT_MESSAGE_HEADERS");
	if (headers != NULL) {
		r->msg->has_transport_headers = TRUE;
		parse_transport_headers(headers, strlen(headers), r->msg);
	}
	g_free(headers);
}

static void
pst_item_hash_own(libpff_item_t *item, EVP_MD_CTX *md,
		  struct mt_message *defects)
{
	libpff_record_set_t *set = NULL;
	char *detail = NULL;

	if (pst_set_get(item, 0, &set, &detail) != 1 ||
	    pst_set_hash(set, md, &detail) != 1)
		mt_message_add_defect(defects, "warning", "pst-hash-partial",
				      "properties hashed in part: %s", detail);
	g_free(detail);
	libpff_record_set_free(&set, NULL);
}

/* Hashes an attached message's own properties and its recipient rows
 * into md; its defects go to the outer message. */
void
pst_item_hash_sets(libpff_item_t *item, EVP_MD_CTX *md,
		   struct mt_message *defects)
{
	pst_item_hash_own(item, md, defects);
	pst_recipients_read(NULL, NULL, item, md, defects);
}

static void
pst_read_recovery_note(struct pst_read *r, const struct pst_place *place)
{
	GString *note = g_string_new(NULL);

	if (g_strcmp0(place->recovery_kind, "orphan") == 0)
		g_string_append(note, "orphan item: in the descriptor index "
				"but in no folder");
	else if (g_strcmp0(place->recovery_kind, "recovered") == 0)
		g_string_append(note, "recovered by libpff from deleted "
				"index entries and unallocated space");
	if (place->parent_note != NULL)
		g_string_append_printf(note, "%s%s", note->len > 0 ? "; " : "",
				       place->parent_note);
	if (r->lost->len > 0)
		g_string_append_printf(note, "; unreadable: %s",
				       r->lost->str);
	r->msg->recovery_note = g_string_free(note, FALSE);
}

/* Adds a warning for the message and for each attachment of a recovered
 * item whose block CRCs do not match or could not be checked.  why names
 * the bad block or the reason. */
static void
pst_recovered_mark(struct mt_message *msg, gboolean mismatch,
		   const char *why)
{
	const char *code = mismatch ? "recovered-data-crc-mismatch" :
				      "recovered-data-unverified";
	const char *what = mismatch ? "block CRC mismatch" :
				      "block CRCs not checked";
	char *note;

	mt_message_add_defect(msg, "warning", code, "recovered item: %s "
			      "(%s); properties and body may hold "
			      "overwritten bytes", what, why);
	for (guint i = 0; i < msg->attachments->len; i++) {
		struct mt_attachment *a = g_ptr_array_index(msg->attachments,
							    i);

		if (a->is_message)
			continue;
		mt_message_add_defect(msg, "warning", code,
				      "recovered attachment %u '%s': %s, "
				      "sha256 %s may be of overwritten bytes",
				      i + 1,
				      a->filename != NULL ? a->filename : "",
				      what, a->sha256[0] != '\0' ?
				      a->sha256 : "(none)");
	}
	note = g_strdup_printf("%s; integrity %s: %s (%s), so the message "
			       "and its %u attachment(s) may hold "
			       "overwritten bytes",
			       msg->recovery_note != NULL ?
			       msg->recovery_note : "recovered",
			       mismatch ? "damaged" : "unverified", what, why,
			       msg->attachments->len);
	g_free(msg->recovery_note);
	msg->recovery_note = note;
}

/* Checks the block CRCs of a recovered item through pst-crc.c, because
 * libpff returns overwritten recovered data as if it were intact. */
static void
pst_recovered_check(struct pst_walk *walk, struct mt_message *msg,
		    uint32_t nid)
{
	char *detail = NULL;
	char *note;
	int ok = -1;

	if (walk->crc != NULL)
		ok = pst_crc_check_node(walk->crc, nid, &detail, NULL);
	if (ok == 1) {
		note = g_strdup_printf("%s; block CRCs checked: all match",
				       msg->recovery_note);
		g_free(msg->recovery_note);
		msg->recovery_note = note;
	} else {
		pst_recovered_mark(msg, ok == 0, detail != NULL ? detail :
				   walk->crc_error != NULL ? walk->crc_error :
				   "no block index was read");
	}
	g_free(detail);
}

/* Returns the top-level attachment index whose subnode is sub_nid, or
 * -1.  Top-level rows come first in libpff order, embedded ones after. */
static int
pst_attachment_by_nid(libpff_item_t *item, uint32_t sub_nid)
{
	int count = 0;

	if (sub_nid == 0 ||
	    libpff_message_get_number_of_attachments(item, &count, NULL) != 1)
		return -1;
	for (int i = 0; i < count; i++) {
		libpff_item_t *att = NULL;
		uint32_t id = 0;
		int got;

		if (libpff_message_get_attachment(item, i, &att, NULL) != 1)
			continue;
		got = libpff_item_get_identifier(att, &id, NULL);
		libpff_item_free(&att, NULL);
		if (got == 1 && id == sub_nid)
			return i;
	}
	return -1;
}

/* Names top-level attachment index (from 0) of msg, or "". */
static char *
pst_attachment_label(struct mt_message *msg, int index)
{
	int seen = -1;

	for (guint i = 0; index >= 0 && i < msg->attachments->len; i++) {
		struct mt_attachment *a = g_ptr_array_index(msg->attachments,
							    i);

		if (a->depth != 0 || ++seen != index)
			continue;
		return g_strdup_printf("; it holds attachment %d '%s', whose "
				       "sha256 %s is of damaged bytes",
				       index + 1, a->filename != NULL ?
				       a->filename : "", a->sha256[0] != '\0' ?
				       a->sha256 : "(none)");
	}
	return g_strdup("");
}

/* Checks the block CRCs of an item libpff found in the live index: a
 * mismatch is an error defect, as the stored bytes are not the sent
 * ones.  Blocks missing from the index leave the item unchecked. */
static void
pst_live_check(struct pst_walk *walk, libpff_item_t *item,
	       struct mt_message *msg, uint32_t nid)
{
	struct pst_crc_fault fault = { 0 };
	char *detail = NULL;
	char *label;

	if (walk->crc == NULL ||
	    pst_crc_check_node(walk->crc, nid, &detail, &fault) != 0) {
		g_free(detail);
		return;
	}
	label = pst_attachment_label(msg, pst_attachment_by_nid(item,
							fault.sub_nid));
	mt_message_add_defect(msg, "error", "pst-block-crc-mismatch",
			      "block CRC mismatch in %s, so the message or "
			      "an attachment holds damaged bytes%s", detail,
			      label);
	g_free(label);
	g_free(detail);
}

/* Lowers error defects of a recovered item to warnings: unreadable parts
 * are expected in deleted data and do not make the store damaged. */
static void
pst_defects_soften(struct mt_message *msg)
{
	for (guint i = 0; i < msg->defects->len; i++) {
		struct mt_defect *d = g_ptr_array_index(msg->defects, i);

		if (strcmp(d->level, "error") == 0) {
			g_free(d->level);
			d->level = g_strdup("warning");
		}
	}
}

/* Returns the message, or NULL with *error_r set when the item's property
 * context cannot be read at all. */
struct mt_message *
pst_message_read(struct pst_walk *walk, libpff_item_t *item, uint32_t nid,
		 const struct pst_place *place, char **error_r)
{
	struct pst_read r = { .walk = walk, .item = item };
	EVP_MD_CTX *md;

	if (pst_set_get(item, 0, &r.set, error_r) != 1)
		return NULL;
	r.msg = mt_message_new();
	r.lost = g_string_new(NULL);
	r.msg->locator = g_strdup_printf("nid=0x%x", nid);
	r.msg->pst_nid = nid;
	r.msg->status = place->status;

	/* sha256 covers the properties, the recipient rows and then the
	 * attachment hashes, in that order (docs/pst.md). */
	md = EVP_MD_CTX_new();
	r.md = md;
	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	EVP_DigestUpdate(md, "mailtrail-pst-sha256-v1", 23);
	pst_item_hash_own(item, md, r.msg);
	pst_read_identity(&r);
	pst_attachments_read(walk, item, r.msg, -1, 0, md);
	pst_digest_hex(md, r.msg->sha256);
	EVP_MD_CTX_free(md);
	parse_content_key(r.msg);

	if (place->recovery_kind != NULL) {
		pst_read_recovery_note(&r, place);
		pst_defects_soften(r.msg);
	}
	if (g_strcmp0(place->recovery_kind, "recovered") == 0)
		pst_recovered_check(walk, r.msg, nid);
	else
		pst_live_check(walk, item, r.msg, nid);
	libpff_record_set_free(&r.set, NULL);
	g_string_free(r.lost, TRUE);
	return r.msg;
}
