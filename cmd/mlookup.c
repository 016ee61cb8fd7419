/*
 * mlookup: query DNS servers from the shell.
 * Not implemented yet: see stub.h.
 */
#include "stub.h"

int
main(int argc, char *argv[])
{
	return stub_main(argc, argv,
	    "usage: mlookup [-h] [--json] [--timeout secs] [--trace] [--version]\n"
	    "               name [type] [@server]\n");
}
