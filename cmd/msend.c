/*
 * msend: send mail over SMTP from scripts and cron.
 * Not implemented yet: see stub.h.
 */
#include "stub.h"

int
main(int argc, char *argv[])
{
	return stub_main(argc, argv,
	    "usage: msend [-h] [--json] [--timeout secs] [--trace] [--version]\n"
	    "             [recipient ...] < message\n");
}
