/*
 * fuzz_imap.c: fuzz entry for the IMAP response parser of lib/imap.c.
 * fuzz_imap() (in the library, beside the parser) splits the input into
 * response lines and runs every one through the tokenizer and the
 * response parsers.
 */
#include <stddef.h>
#include <stdint.h>

#include "imap.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len)
{
	(void)fuzz_imap(buf, len);
	return 0;
}
