/*
 * mpop: fetch POP3 mailboxes without losing a message.
 * Not implemented yet: see stub.h.
 */
#include "stub.h"

int
main(int argc, char *argv[])
{
	return stub_main(argc, argv,
	    "usage: mpop [-h] [--json] [--timeout secs] [--trace] [--version]\n");
}
