/*
 * b64bench.c: lib/b64.c without the tool around it.  Built by
 * bench/b64.sh only.
 *
 *	b64bench [-d] [-l] < in > out	stdin through the codec to stdout,
 *					wrapped at 76 with LF (1 MiB reads)
 *	b64bench -t MB			the codec alone in memory: MB of
 *					random bytes encoded and decoded,
 *					best of 5, for each implementation
 *					the CPU has; prints "IMPL ENC DEC"
 *					in MB/s of binary data
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "b64.h"

#define CHUNK	(57 * 16 * 1024)	/* whole 76-column lines */

static void	usage(void);
static void	writeall(const void *, size_t);
static size_t	readsome(void *, size_t);
static double	now(void);
static int	timed(size_t);
static int	filter(int, int);

static void
usage(void)
{
	fprintf(stderr, "usage: b64bench [-d] [-l] | -t MB\n");
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

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/*
 * Encode and decode mb MB in memory, 1 MiB at a time, with each
 * implementation; best of 5 runs each.  Encoding writes each call's
 * text to one reused buffer, as mmime does before write(2), so that the
 * figure is the codec's and not that of writing 345 MB to memory;
 * decoding reads the whole text, as it has to come from somewhere.
 */
static int
timed(size_t mb)
{
	static const int impls[] = { B64_IMPL_SCALAR, B64_IMPL_SSSE3,
	    B64_IMPL_AVX2 };
	struct b64_enc	 e;
	struct b64_dec	 d;
	uint8_t		*in, *back;
	char		*txt, *one;
	size_t		 n = mb * 1000 * 1000, i, k, len, c, got;
	double		 t, te, td;
	unsigned	 m, r;

	b64_enc_init(&e, B64_WRAP, "\n");
	in = malloc(n);
	back = malloc(B64_DEC_BOUND(b64_enc_bound(&e, n)));
	txt = malloc(b64_enc_bound(&e, n));
	one = malloc(b64_enc_bound(&e, CHUNK));
	if (in == NULL || back == NULL || txt == NULL || one == NULL)
		return 71;
	srand(1);
	for (i = 0; i < n; i++)
		in[i] = (uint8_t)rand();
	for (m = 0; m < sizeof(impls) / sizeof(impls[0]); m++) {
		if (b64_impl_set(impls[m]) != impls[m])
			continue;
		te = td = 1e9;
		for (r = 0; r < 5; r++) {
			/* Into one reused buffer, as mmime writes it out. */
			t = now();
			b64_enc_init(&e, B64_WRAP, "\n");
			for (i = 0, len = 0; i < n; i += c) {
				c = n - i < CHUNK ? n - i : CHUNK;
				len += b64_enc_update(&e, in + i, c, one);
			}
			len += b64_enc_final(&e, one);
			if ((t = now() - t) < te)
				te = t;
			b64_enc_init(&e, B64_WRAP, "\n");
			for (i = 0, len = 0; i < n; i += c) {
				c = n - i < CHUNK ? n - i : CHUNK;
				len += b64_enc_update(&e, in + i, c, txt + len);
			}
			len += b64_enc_final(&e, txt + len);
			t = now();
			b64_dec_init(&d, 0);
			for (i = 0, k = 0; i < len; i += c) {
				c = len - i < CHUNK ? len - i : CHUNK;
				if (b64_dec_update(&d, txt + i, c, back + k,
				    &got) == -1)
					return 70;
				k += got;
			}
			if ((t = now() - t) < td)
				td = t;
			if (k != n || memcmp(back, in, n) != 0)
				return 70;
		}
		printf("%s %.0f %.0f\n", b64_impl_name(impls[m]),
		    (double)n / te / 1e6, (double)n / td / 1e6);
	}
	free(in);
	free(back);
	free(txt);
	free(one);
	return 0;
}

/* Standard input through the codec to standard output. */
static int
filter(int decode, int lenient)
{
	struct b64_enc	 e;
	struct b64_dec	 d;
	static uint8_t	 in[CHUNK];
	static char	 out[2 * CHUNK];
	size_t		 n, k;

	if (!decode) {
		b64_enc_init(&e, B64_WRAP, "\n");
		while ((n = readsome(in, sizeof(in))) > 0)
			writeall(out, b64_enc_update(&e, in, n, out));
		writeall(out, b64_enc_final(&e, out));
		return 0;
	}
	b64_dec_init(&d, lenient);
	while ((n = readsome(in, sizeof(in))) > 0) {
		if (b64_dec_update(&d, (const char *)in, n, (uint8_t *)out,
		    &k) == -1) {
			writeall(out, k);
			goto bad;
		}
		writeall(out, k);
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

int
main(int argc, char *argv[])
{
	long	mb = 0;
	int	c, decode = 0, lenient = 0;

	while ((c = getopt(argc, argv, "dlt:")) != -1) {
		switch (c) {
		case 'd':
			decode = 1;
			break;
		case 'l':
			lenient = 1;
			break;
		case 't':
			mb = strtol(optarg, NULL, 10);
			if (mb <= 0 || mb > 4096)
				usage();
			break;
		default:
			usage();
		}
	}
	if (mb > 0)
		return timed((size_t)mb);
	return filter(decode, lenient);
}
