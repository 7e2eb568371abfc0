/* SPDX-License-Identifier: MIT
 *
 * gmime-mbox.c - the floor for the mbox benchmark: GMime 3 alone splits an
 * mbox (GMIME_FORMAT_MBOX) and parses every message, with no hashing,
 * typing or database.  Prints the message count.
 *
 * Build: cc -O2 -o gmime-mbox gmime-mbox.c $(pkg-config --cflags --libs
 * gmime-3.0)
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <gmime/gmime.h>

int
main(int argc, char **argv)
{
	GMimeStream *stream;
	GMimeParser *parser;
	long count = 0;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: gmime-mbox FILE\n");
		return 1;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	g_mime_init();
	stream = g_mime_stream_fs_new(fd);
	parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MBOX);
	while (!g_mime_parser_eos(parser)) {
		GMimeMessage *msg = g_mime_parser_construct_message(parser,
								    NULL);

		if (msg == NULL)
			break;
		count++;
		g_object_unref(msg);
	}
	g_object_unref(parser);
	g_object_unref(stream);
	g_mime_shutdown();
	printf("%ld\n", count);
	return 0;
}
