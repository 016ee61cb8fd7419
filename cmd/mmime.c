/*
 * mmime: build, inspect, extract and encode MIME messages.
 * Not implemented yet: see stub.h.
 */
#include "stub.h"

int
main(int argc, char *argv[])
{
	return stub_main(argc, argv,
	    "usage: mmime [-h] [--json] [--timeout secs] [--trace] [--version]\n"
	    "             command [options] [file | -]\n");
}
