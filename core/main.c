/* SPDX-License-Identifier: MIT
 *
 * main.c - the mailtrail command: git-style subcommands.
 */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "core/ingest.h"
#include "core/info.h"
#include "report/report.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "ingest", ingest_cmd,
	  "extract mail stores and logs into a case database" },
	{ "report", report_cmd_report,
	  "write the HTML case report, findings and CSV files" },
	{ "timeline", report_cmd_timeline,
	  "write the outbound timeline (CSV, JSONL, Timesketch, body file, "
	  "CASE/UCO)" },
	{ "info", info_cmd,
	  "summarise a case database: evidence, custodians, counts" },
};

static void
usage(FILE *out)
{
	fputs("usage: mailtrail COMMAND [options]\n\n"
	      "mailtrail extracts every message of seized mail stores (PST,\n"
	      "OST, mbox, Maildir, EML), deleted ones included, into a SQLite\n"
	      "case database and reports each custodian's outbound mail.\n\n"
	      "commands:\n", out);
	for (guint i = 0; i < G_N_ELEMENTS(commands); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name,
			commands[i].summary);
	fputs("\n'mailtrail COMMAND --help' describes a command's options.\n"
	      "--version prints the version.\n", out);
}

int
main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
	if (argc < 2) {
		usage(stderr);
		return MT_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return MT_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("mailtrail %s\n", MAILTRAIL_VERSION);
		return MT_EXIT_OK;
	}
	for (guint i = 0; i < G_N_ELEMENTS(commands); i++) {
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	}
	fprintf(stderr, "error: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return MT_EXIT_USAGE;
}
