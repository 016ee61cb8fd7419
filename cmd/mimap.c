/*
 * mimap: IMAP from scripts.
 * Not implemented yet: see stub.h.
 */
#include "stub.h"

int
main(int argc, char *argv[])
{
	return stub_main(argc, argv,
	    "usage: mimap [-h] [--json] [--timeout secs] [--trace] [--version]\n"
	    "             command [args]\n");
}
