/* SPDX-License-Identifier: MIT
 *
 * info.h - 'mailtrail info CASE.db': what a case database holds.
 */
#ifndef MAILTRAIL_INFO_H
#define MAILTRAIL_INFO_H

int info_cmd(int argc, char **argv);

#endif
