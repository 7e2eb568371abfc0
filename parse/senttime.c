/* SPDX-License-Identifier: MIT
 *
 * senttime.c - the one sent time of a message, chosen from all the times
 * it carries.  The rule is written out in docs/sent-time.md.
 */
#include "parse/parse-private.h"

/* Sources in order of preference.  The client-submit time is stamped by
 * the sending client when it submits the message, so it comes first.
 * The Date header comes from the same client but shows whatever its clock
 * or software wrote.  The oldest Received hop is the first server's
 * clock.  Delivery and creation times are only near the sending, and an
 * mbox From_ line or a Maildir file name records when a store got the
 * copy. */
static const enum mt_time_source sent_time_order[] = {
	MT_TIME_CLIENT_SUBMIT,
	MT_TIME_DATE,
	MT_TIME_RECEIVED_FIRST,
	MT_TIME_DELIVERY,
	MT_TIME_CREATION,
	MT_TIME_MBOX_FROM_LINE,
	MT_TIME_MAILDIR_NAME,
};

void
parse_choose_sent_time(const struct mt_message *msg, gint64 *utc_r,
		       int *offset_min_r, const char **source_r,
		       gint64 *skew_sec_r)
{
	const struct mt_time *date, *received, *chosen = NULL;

	for (size_t i = 0; chosen == NULL && i < G_N_ELEMENTS(sent_time_order);
	     i++)
		chosen = mt_message_find_time(msg, sent_time_order[i]);
	*utc_r = chosen != NULL ? chosen->utc : MT_TIME_NONE;
	*offset_min_r = chosen != NULL ? chosen->offset_min : 0;
	*source_r = chosen != NULL ? mt_time_source_name(chosen->source)
				   : NULL;

	/* Clock skew: how far the sender's Date is ahead of the first
	 * server that received the message. */
	date = mt_message_find_time(msg, MT_TIME_DATE);
	received = mt_message_find_time(msg, MT_TIME_RECEIVED_FIRST);
	*skew_sec_r = date != NULL && received != NULL
			      ? date->utc - received->utc : MT_TIME_NONE;
}
