/*
 * fuzz_name.c: fuzz entry for mime_name_sanitize() (lib/mime.c), the
 * last word on a file name that came in a message before mmime extract
 * creates it.  Whatever the input, the name that comes out must be safe
 * to create inside the target directory; any breach aborts:
 *   - no '/' or '\\' (no directory component), no NUL;
 *   - no control byte (C0 or DEL; C1 as UTF-8 is U+0080-U+009F);
 *   - does not start with '.', '-' or a blank, so never "." or "..";
 *   - at most MIME_NAMEMAX bytes, and 0 only for an unusable name;
 *   - valid UTF-8 in, valid UTF-8 out (a cut never splits a character);
 *   - sanitising the result again changes nothing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"

int	fuzz_name(const uint8_t *, size_t);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int	utf8_ok(const uint8_t *, size_t);

/* Strict UTF-8: no overlongs, surrogates or code points past U+10FFFF. */
static int
utf8_ok(const uint8_t *p, size_t n)
{
	size_t		i = 0, k, len;
	uint32_t	cp, min;

	while (i < n) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if ((p[i] & 0xe0) == 0xc0) {
			len = 2;
			cp = p[i] & 0x1f;
			min = 0x80;
		} else if ((p[i] & 0xf0) == 0xe0) {
			len = 3;
			cp = p[i] & 0x0f;
			min = 0x800;
		} else if ((p[i] & 0xf8) == 0xf0) {
			len = 4;
			cp = p[i] & 0x07;
			min = 0x10000;
		} else
			return 0;
		if (n - i < len)
			return 0;
		for (k = 1; k < len; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000))
			return 0;
		i += len;
	}
	return 1;
}

int
fuzz_name(const uint8_t *data, size_t size)
{
	char		out[MIME_NAMEMAX + 1], again[MIME_NAMEMAX + 1];
	const uint8_t	*u = (const uint8_t *)out;
	size_t		n, m, i;

	memset(out, 0x55, sizeof(out));
	n = mime_name_sanitize((const char *)data, size, out);
	if (n > MIME_NAMEMAX)
		abort();
	if (n == 0)
		return 0;
	if (memchr(out, '\0', n) != NULL || memchr(out, '/', n) != NULL ||
	    memchr(out, '\\', n) != NULL)
		abort();
	if (out[0] == '.' || out[0] == '-' || out[0] == ' ' || out[0] == '\t')
		abort();
	for (i = 0; i < n; i++) {
		if (u[i] < 0x20 || u[i] == 0x7f)
			abort();
		if (u[i] == 0xc2 && i + 1 < n && u[i + 1] >= 0x80 &&
		    u[i + 1] <= 0x9f)
			abort();
	}
	if (utf8_ok(data, size) && !utf8_ok(u, n))
		abort();
	m = mime_name_sanitize(out, n, again);
	if (m != n || memcmp(out, again, n) != 0)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_name(data, size);
}
