/*
 * b64bench.c: a stand-in for "mmime encode -b" / "mmime decode -b" until
 * the front end exists: stdin through lib/b64.c to stdout, wrapped at 76
 * with LF.  Built by bench/b64.sh only.
 *
 *	b64bench [-d] [-l] < in > out
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "b64.h"

#define CHUNK	(3 * 64 * 1024)		/* a multiple of 3 and of 4 */

static void	usage(void);
static void	writeall(const void *, size_t);
static size_t	readsome(void *, size_t);

static void
usage(void)
{
	fprintf(stderr, "usage: b64bench [-d] [-l]\n");
	exit(64);
}

static void
writeall(const void *p, size_t n)
{
	const char	*s = p;
	ssize_t		 w;

	while (n > 0) {
		if ((w = write(1, s, n)) == -1) {
			if (errno == EINTR)
				continue;
			perror("b64bench: write");
			exit(74);
		}
		s += w;
		n -= (size_t)w;
	}
}

static size_t
readsome(void *p, size_t n)
{
	ssize_t r;

	while ((r = read(0, p, n)) == -1)
		if (errno != EINTR) {
			perror("b64bench: read");
			exit(74);
		}
	return (size_t)r;
}

int
main(int argc, char *argv[])
{
	struct b64_enc	 e;
	struct b64_dec	 d;
	static uint8_t	 in[CHUNK];
	static char	 out[2 * CHUNK];
	size_t		 n, k;
	int		 c, decode = 0, lenient = 0;

	while ((c = getopt(argc, argv, "dl")) != -1) {
		switch (c) {
		case 'd':
			decode = 1;
			break;
		case 'l':
			lenient = 1;
			break;
		default:
			usage();
		}
	}
	if (!decode) {
		b64_enc_init(&e, B64_WRAP, "\n");
		while ((n = readsome(in, sizeof(in))) > 0)
			writeall(out, b64_enc_update(&e, in, n, out));
		writeall(out, b64_enc_final(&e, out));
		return 0;
	}
	b64_dec_init(&d, lenient);
	while ((n = readsome(in, sizeof(in))) > 0) {
		c = b64_dec_update(&d, (const char *)in, n, (uint8_t *)out, &k);
		writeall(out, k);
		if (c == -1)
			goto bad;
	}
	if (b64_dec_final(&d, (uint8_t *)out, &k) == -1)
		goto bad;
	writeall(out, k);
	return 0;
bad:
	fprintf(stderr, "b64bench: offset %llu: %s\n",
	    (unsigned long long)d.erroff, d.err);
	return 65;
}
