/*
 * fuzz_mime.c: fuzz entry for lib/mime.c, the streaming MIME parser,
 * with the header, base64 and quoted-printable code it leans on.
 *
 * The input is parsed whole, then again in chunks whose sizes come from
 * the input's first byte; the event transcripts (part numbers, types,
 * decoded bytes, sizes) must be the same, or the parser depends on
 * where its input was cut: abort.  Each file name also goes through
 * mime_name_sanitize(), whose result must hold no '/', no control
 * character and no leading dot.
 *
 * libFuzzer:	clang -fsanitize=fuzzer,address -Ilib tests/fuzz/fuzz_mime.c
 *		    lib/mime.c lib/hdr.c lib/b64.c lib/qp.c lib/buf.c lib/mk.c
 * Plain:	tests/fuzz/driver.c and the same files with any C17 compiler.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mime.h"

int	fuzz_mime(const uint8_t *, size_t);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct tr {
	struct mk_buf	b;
};

static void
check_name(const char *name, size_t len)
{
	char	out[MIME_NAMEMAX + 1];
	size_t	n, i;

	n = mime_name_sanitize(name, len, out);
	if (n > MIME_NAMEMAX || strlen(out) != n)
		abort();
	if (n > 0 && (out[0] == '.' || out[0] == '-'))
		abort();
	for (i = 0; i < n; i++)
		if (out[i] == '/' || (unsigned char)out[i] < 0x20 ||
		    out[i] == 0x7f)
			abort();
}

static int
ev(void *arg, const struct mime_event *e)
{
	struct tr *t = arg;

	switch (e->type) {
	case MIME_EV_BEGIN:
		buf_printf(&t->b, "[%s %s %s %d]", e->part->number,
		    e->part->type, e->part->encoding, e->part->container);
		if (e->part->filename != NULL)
			check_name(e->part->filename, e->part->filenamelen);
		if (e->part->hdrs == NULL)
			abort();
		break;
	case MIME_EV_DATA:
		buf_add(&t->b, e->data, e->len);
		break;
	case MIME_EV_END:
		buf_printf(&t->b, "<%s:%llu>", e->part->number,
		    (unsigned long long)e->part->size);
		break;
	case MIME_EV_WARN:
		break;
	}
	return 0;
}

/* The transcript of data parsed in chunks of step bytes (0: whole). */
static char *
run(const uint8_t *data, size_t size, size_t step, size_t *len)
{
	struct mime_parser	*p;
	struct tr		 t;
	size_t			 off, k;

	buf_init(&t.b, 0);
	buf_adds(&t.b, "");
	if ((p = mime_parser_new(ev, &t)) == NULL)
		return NULL;
	for (off = 0; off < size; off += k) {
		k = step == 0 ? size - off : size - off < step ? size - off :
		    step;
		if (mime_parser_feed(p, data + off, k) != 0)
			break;
	}
	(void)mime_parser_finish(p);
	mime_parser_free(p);
	return buf_take(&t.b, len);
}

int
fuzz_mime(const uint8_t *data, size_t size)
{
	char	*a, *b;
	size_t	 la = 0, lb = 0, step;

	step = size > 0 ? (size_t)(data[0] % 17) + 1 : 1;
	a = run(data, size, 0, &la);
	b = run(data, size, step, &lb);
	if (a != NULL && b != NULL && (la != lb || memcmp(a, b, la) != 0))
		abort();
	free(a);
	free(b);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_mime(data, size);
}
