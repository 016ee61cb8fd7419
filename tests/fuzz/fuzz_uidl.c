/*
 * fuzz_uidl.c: mpop's state file, its Maildir journal and its mbox
 * journal parsers under a fuzzer (the files are on disk, where anything
 * may have changed them).  A state file that parses must format and
 * parse again to the same set.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "uidl.h"

int	fuzz_uidl(const uint8_t *, size_t);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
fuzz_uidl(const uint8_t *data, size_t size)
{
	struct uidl_set		 s, s2;
	struct uidl_pend	*v = NULL;
	struct uidl_mboxj	 j;
	struct mk_buf		 b;
	struct mk_err		 e;
	size_t			 n, i;
	const char		*d = (const char *)data;

	uidl_init(&s);
	uidl_init(&s2);
	buf_init(&b, 0);
	if (uidl_parse(d, size, "fuzz", &s, &e) == 0) {
		if (uidl_format(&s, &b) == -1 ||
		    uidl_parse((const char *)b.p, b.len, "again", &s2,
		    &e) == -1)
			abort();
		(void)uidl_has(&s2, "x");
		if (s2.n != s.n)
			abort();
		for (i = 0; i < s.n; i++)
			if (strcmp(s.v[i], s2.v[i]) != 0)
				abort();
	}
	uidl_free(&s);
	uidl_free(&s2);
	buf_free(&b);
	if (uidl_journal_parse(d, size, "fuzz", &v, &n, &e) == 0)
		for (i = 0; i < n; i++)
			if (strchr(v[i].name, '/') != NULL ||
			    strlen(v[i].uid) == 0 || v[i].name[0] == '\0')
				abort();
	free(v);
	uidl_mboxj_init(&j);
	if (uidl_mboxj_parse(d, size, "fuzz", &j, &e) == 0 &&
	    (j.size < 0 || j.mbox == NULL || j.mbox[0] != '/'))
		abort();
	uidl_mboxj_free(&j);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_uidl(data, size);
}
