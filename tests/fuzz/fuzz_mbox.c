/*
 * fuzz_mbox.c: the mboxrd splitter and writer under a fuzzer.  The
 * input is split as an mbox file (its events checked for order), then
 * written as one message by the stream writer and split again: the
 * message must come back as it went in, less the writer's documented
 * changes (CR LF as LF, a final LF added).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "mbox.h"

int	fuzz_mbox(const uint8_t *, size_t);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* What the events build: the messages' bytes, and a sanity state. */
struct got {
	struct mk_buf	 b;
	int		 open;
	unsigned long	 nbegin, nend;
};

static int
ev(void *arg, enum mbox_ev what, const uint8_t *p, size_t n)
{
	struct got *g = arg;

	switch (what) {
	case MBOX_EV_BEGIN:
		if (g->open || n < 5 || memcmp(p, "From ", 5) != 0)
			abort();
		g->open = 1;
		g->nbegin++;
		return 0;
	case MBOX_EV_DATA:
		if (!g->open || n == 0)
			abort();
		return buf_add(&g->b, p, n) == -1 ? -1 : 0;
	case MBOX_EV_END:
		if (!g->open)
			abort();
		g->open = 0;
		g->nend++;
		return 0;
	}
	abort();
}

/* Split d[0..n) line by line into g; -1 when the splitter refused it. */
static int
split(const uint8_t *d, size_t n, struct got *g)
{
	struct mbox_rd	 r;
	const uint8_t	*nl;
	size_t		 off = 0, k;

	mbox_rd_init(&r);
	while (off < n) {
		nl = memchr(d + off, '\n', n - off);
		k = nl != NULL ? (size_t)(nl - (d + off)) + 1 : n - off;
		if (mbox_rd_line(&r, d + off, k, ev, g) == -1)
			return -1;
		off += k;
	}
	if (mbox_rd_finish(&r, ev, g) == -1)
		return -1;
	if (g->open || g->nbegin != g->nend || g->nbegin != r.nmsg)
		abort();
	return 0;
}

/* The message as the writer stores it: CR LF as LF, ending in LF. */
static void
expect(const uint8_t *d, size_t n, struct mk_buf *w)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (d[i] == '\r' && i + 1 < n && d[i + 1] == '\n')
			continue;
		buf_addc(w, d[i]);
	}
	if (n > 0 && d[n - 1] != '\n')
		buf_addc(w, '\n');
}

int
fuzz_mbox(const uint8_t *data, size_t size)
{
	static FILE	*tmp;
	struct got	 g;
	struct mbox	*mb;
	struct mk_err	 e;
	struct mk_buf	 want, file;
	uint8_t		 chunk[65536];
	ssize_t		 r;
	off_t		 off = 0;

	memset(&g, 0, sizeof(g));
	buf_init(&g.b, 0);
	(void)split(data, size, &g);
	buf_free(&g.b);

	/* The round trip through a file. */
	if (tmp == NULL && (tmp = tmpfile()) == NULL)
		abort();
	if (ftruncate(fileno(tmp), 0) == -1 ||
	    lseek(fileno(tmp), 0, SEEK_SET) == -1 ||
	    (mb = mbox_stream(fileno(tmp), &e)) == NULL)
		abort();
	if (mbox_add_begin(mb, 0, &e) == -1 ||
	    mbox_write(mb, data, size, &e) == -1 ||
	    mbox_add_end(mb, &e) == -1 || mbox_commit(mb, &e) == -1)
		abort();
	mbox_close(mb);
	buf_init(&file, 0);
	while ((r = pread(fileno(tmp), chunk, sizeof(chunk), off)) > 0) {
		buf_add(&file, chunk, (size_t)r);
		off += r;
	}
	memset(&g, 0, sizeof(g));
	buf_init(&g.b, 0);
	buf_init(&want, 0);
	expect(data, size, &want);
	if (split(file.p, file.len, &g) == -1 || g.nbegin != 1 ||
	    g.b.len != want.len ||
	    (want.len > 0 && memcmp(g.b.p, want.p, want.len) != 0))
		abort();
	buf_free(&g.b);
	buf_free(&want);
	buf_free(&file);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_mbox(data, size);
}
