/* SPDX-License-Identifier: MIT
 *
 * pst-private.h - shared state of the PST/OST reader (pst*.c).
 *
 * pst.c opens the store and walks the folder tree, pst-props.c reads MAPI
 * properties through libpff record sets, pst-message.c turns one item into
 * a struct mt_message, pst-attach.c reads its attachments and
 * pst-recover.c hands over recovered and orphan items.
 */
#ifndef MAILTRAIL_PST_PRIVATE_H
#define MAILTRAIL_PST_PRIVATE_H

#include <stdint.h>
#include <libpff.h>
#include <openssl/evp.h>

#include "extract/extract.h"

/* MAPI property tags (property id only, the type is matched loosely). */
enum {
	PST_PR_MESSAGE_CLASS = 0x001a,
	PST_PR_SUBJECT = 0x0037,
	PST_PR_CLIENT_SUBMIT_TIME = 0x0039,
	PST_PR_SENT_REPRESENTING_NAME = 0x0042,
	PST_PR_SENT_REPRESENTING_ADDRTYPE = 0x0064,
	PST_PR_SENT_REPRESENTING_EMAIL = 0x0065,
	PST_PR_TRANSPORT_MESSAGE_HEADERS = 0x007d,
	PST_PR_RECIPIENT_TYPE = 0x0c15,
	PST_PR_SENDER_NAME = 0x0c1a,
	PST_PR_SENDER_ADDRTYPE = 0x0c1e,
	PST_PR_SENDER_EMAIL = 0x0c1f,
	PST_PR_MESSAGE_DELIVERY_TIME = 0x0e06,
	PST_PR_MESSAGE_FLAGS = 0x0e07,
	PST_PR_MESSAGE_SIZE = 0x0e08,
	PST_PR_PARENT_ENTRYID = 0x0e09,
	PST_PR_ATTACH_SIZE = 0x0e20,
	PST_PR_RTF_COMPRESSED = 0x1009,
	PST_PR_INTERNET_MESSAGE_ID = 0x1035,
	PST_PR_INTERNET_REFERENCES = 0x1039,
	PST_PR_IN_REPLY_TO_ID = 0x1042,
	PST_PR_LAST_VERB_EXECUTED = 0x1081,
	PST_PR_FLAG_STATUS = 0x1090,
	PST_PR_DISPLAY_NAME = 0x3001,
	PST_PR_ADDRTYPE = 0x3002,
	PST_PR_EMAIL_ADDRESS = 0x3003,
	PST_PR_CREATION_TIME = 0x3007,
	PST_PR_LAST_MODIFICATION_TIME = 0x3008,
	PST_PR_IPM_OUTBOX_ENTRYID = 0x35e2,
	PST_PR_IPM_WASTEBASKET_ENTRYID = 0x35e3,
	PST_PR_IPM_SENTMAIL_ENTRYID = 0x35e4,
	PST_PR_CONTENT_COUNT = 0x3602,
	PST_PR_IPM_DRAFTS_ENTRYID = 0x36d7,
	PST_PR_ADDITIONAL_REN_ENTRYIDS = 0x36d8,
	PST_PR_ATTACH_FILENAME = 0x3704,
	PST_PR_ATTACH_METHOD = 0x3705,
	PST_PR_ATTACH_LONG_FILENAME = 0x3707,
	PST_PR_ATTACH_MIME_TAG = 0x370e,
	PST_PR_ATTACH_CONTENT_ID = 0x3712,
	PST_PR_ATTACH_FLAGS = 0x3714,
	PST_PR_SMTP_ADDRESS = 0x39fe,
	PST_PR_INTERNET_CPID = 0x3fde,
	PST_PR_SENDER_SMTP_ADDRESS = 0x5d01,
	PST_PR_SENT_REPRESENTING_SMTP_ADDRESS = 0x5d02,
	PST_PR_PST_PASSWORD = 0x67ff,
	PST_PR_ATTACHMENT_HIDDEN = 0x7ffe
};

/* PR_MESSAGE_FLAGS bits (MS-OXCMSG 2.2.1.6). */
#define PST_MSGFLAG_READ 0x0001
#define PST_MSGFLAG_UNSENT 0x0008

/* NID_TYPE_NORMAL_MESSAGE, the low 5 bits of a message's NID. */
#define PST_NID_TYPE_MESSAGE 0x04

/* Folder nesting deeper than this is reported and not entered. */
#define PST_MAX_FOLDER_DEPTH 128
/* Attached messages nested deeper than this are not opened. */
#define PST_MAX_EMBED_DEPTH 16
/* Bytes read from libpff per call when streaming a value. */
#define PST_CHUNK_SIZE 65536
/* Leading attachment bytes handed to libmagic through parse/. */
#define PST_MAGIC_HEAD_MAX (1024 * 1024)
/* Default for mt_extract_options.max_message_size. */
#define PST_DEFAULT_MAX_MESSAGE_SIZE ((gint64)256 * 1024 * 1024)

struct pst_crc;

struct pst_walk {
	const char *path;
	const struct mt_sink *sink;
	libpff_file_t *file;
	gint64 max_message_size;
	GHashTable *known_roles;   /* folder nid -> enum mt_folder_role */
	GHashTable *visited;       /* folder nids already walked */
	int failed_items;          /* items that could not be read */
	struct pst_crc *crc;       /* B-tree leaf entries, for CRC checks */
	char *crc_error;           /* why crc is NULL */
	gboolean sink_failed;
};

/* Where an item was found; decides its status and its locator. */
struct pst_place {
	gint64 folder_id;
	enum mt_status status;
	const char *recovery_kind;  /* "recovered", "orphan", "unlisted"
				     * (in its folder's node but not in its
				     * contents table) or NULL */
	const char *parent_note;    /* where a recovered item was filed */
};

/* pst-props.c */
char *pst_error_take(libpff_error_t **error);
gint64 pst_error_offset(const char *backtrace);
int pst_set_get(libpff_item_t *item, int index, libpff_record_set_t **set_r,
		char **error_r);
int pst_set_entry(libpff_record_set_t *set, uint32_t type,
		  libpff_record_entry_t **entry_r, char **error_r);
int pst_set_string(libpff_record_set_t *set, uint32_t type, char **value_r,
		   char **error_r);
int pst_set_u32(libpff_record_set_t *set, uint32_t type, uint32_t *value_r,
		char **error_r);
int pst_set_filetime(libpff_record_set_t *set, uint32_t type,
		     uint64_t *value_r, char **error_r);
int pst_set_binary(libpff_record_set_t *set, uint32_t type, size_t max,
		   GByteArray **value_r, char **error_r);
int pst_set_size(libpff_record_set_t *set, uint32_t type, size_t *size_r,
		 char **error_r);
int pst_set_hash(libpff_record_set_t *set, EVP_MD_CTX *md, char **error_r);
int pst_message_string(libpff_item_t *item, uint32_t type, char **value_r,
		       char **error_r);
char *pst_string_clean(const char *data, size_t len, gboolean *had_nul_r);
gboolean pst_filetime_to_unix(uint64_t filetime, gint64 *utc_r);
uint32_t pst_entryid_nid(const GByteArray *entryid);
void pst_digest_hex(EVP_MD_CTX *md, char out[65]);

/* pst-message.c */
int pst_item_is_mail(libpff_item_t *item, char **class_r, char **error_r);
struct mt_message *pst_message_read(struct pst_walk *walk,
				    libpff_item_t *item, uint32_t nid,
				    const struct pst_place *place,
				    char **error_r);
void pst_item_hash_sets(libpff_item_t *item, EVP_MD_CTX *md,
			struct mt_message *defects);


/* pst-attach.c */
void pst_attachments_read(struct pst_walk *walk, libpff_item_t *item,
			  struct mt_message *msg, int parent, int depth,
			  EVP_MD_CTX *md);

/* pst-crc.c */
/* Location of the first block whose CRC does not match. */
struct pst_crc_fault {
	uint64_t bid;
	uint64_t offset;
	uint32_t sub_nid;   /* outermost subnode containing it, or 0 */
};

struct pst_crc *pst_crc_scan(const char *path, char **error_r);
int pst_crc_check_node(struct pst_crc *crc, uint32_t nid, char **detail_r,
		       struct pst_crc_fault *fault_r);
void pst_crc_free(struct pst_crc *crc);

/* pst-recover.c */
int pst_recover_walk(struct pst_walk *walk);

/* pst.c */
int pst_anomaly(struct pst_walk *walk, gint64 folder_id, enum mt_level level,
		const char *code, gint64 offset, const char *locator,
		const char *fmt, ...) G_GNUC_PRINTF(7, 8);
int pst_item_hand_over(struct pst_walk *walk, libpff_item_t *item,
		       const struct pst_place *place);

#endif
