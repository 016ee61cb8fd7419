/*
 * stub.h: the shared front end of a tool whose own issue has not landed
 * yet.  It takes the options every tool has (-h/--help, --version,
 * --json, --timeout, --trace), checks them, and then says plainly that
 * the tool is not implemented (exit 69).  Each tool's real front end
 * replaces its use of this file.
 */
#ifndef STUB_H
#define STUB_H

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <sysexits.h>

#include "mk.h"

enum { OPT_JSON = 256, OPT_TIMEOUT, OPT_TRACE, OPT_VERSION };

static const struct option stub_longopts[] = {
	{ "help",	no_argument,		NULL, 'h' },
	{ "json",	no_argument,		NULL, OPT_JSON },
	{ "timeout",	required_argument,	NULL, OPT_TIMEOUT },
	{ "trace",	no_argument,		NULL, OPT_TRACE },
	{ "version",	no_argument,		NULL, OPT_VERSION },
	{ NULL,		0,			NULL, 0 }
};

static const char *stub_usage_text;

static void
stub_usage(FILE *fp)
{
	fputs(stub_usage_text, fp);
}

static int
stub_main(int argc, char *argv[], const char *usage_text)
{
	const char	*errstr;
	int		 ch;

	mk_setprogname(argv[0]);
	stub_usage_text = usage_text;
	opterr = 0;	/* our own "PROG: reason" lines, not getopt's */
	while ((ch = getopt_long(argc, argv, ":h", stub_longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			stub_usage(stdout);
			return 0;
		case OPT_JSON:
		case OPT_TRACE:
			break;
		case OPT_TIMEOUT:
			(void)mk_strtonum(optarg, 1, 86400, &errstr);
			if (errstr != NULL)
				mk_die(EX_USAGE, "--timeout %s: %s", optarg,
				    errstr);
			break;
		case OPT_VERSION:
			printf("%s (mkit) %s\n", mk_getprogname(), MK_VERSION);
			return 0;
		case ':':
			mk_warn("%s: missing argument", argv[optind - 1]);
			stub_usage(stderr);
			return EX_USAGE;
		default:
			mk_warn("%s: unknown option", argv[optind - 1]);
			stub_usage(stderr);
			return EX_USAGE;
		}
	}
	mk_die(EX_UNAVAILABLE, "not implemented");
}

#endif /* STUB_H */
