/*
 * buf.c: growable buffers with a cap, and the line reader.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"

static int	grow(struct mk_buf *, size_t);
static int	fill(struct mk_lr *, struct mk_err *);

#define LR_CHUNK	65536

void
buf_init(struct mk_buf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
}

void
buf_free(struct mk_buf *b)
{
	size_t max = b->max;

	free(b->p);
	buf_init(b, max);
}

void
buf_reset(struct mk_buf *b)
{
	b->len = 0;
	b->toobig = 0;
	if (b->p != NULL)
		b->p[0] = '\0';
}

/* Make room for n more bytes plus the NUL. */
static int
grow(struct mk_buf *b, size_t n)
{
	size_t	 need, ncap;
	uint8_t	*np;

	if (n > SIZE_MAX - 1 - b->len ||
	    (b->max != 0 && b->len + n > b->max)) {
		b->toobig = 1;
		return -1;
	}
	need = b->len + n + 1;
	if (need <= b->cap)
		return 0;
	ncap = b->cap < 64 ? 64 : b->cap;
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
	if ((np = realloc(b->p, ncap)) == NULL)
		return -1;
	b->p = np;
	b->cap = ncap;
	return 0;
}

int
buf_add_grow(struct mk_buf *b, const void *p, size_t n)
{
	if (grow(b, n) == -1)
		return -1;
	if (n > 0)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

int
buf_addc(struct mk_buf *b, int c)
{
	uint8_t ch = (uint8_t)c;

	return buf_add(b, &ch, 1);
}

int
buf_adds(struct mk_buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

int
buf_printf(struct mk_buf *b, const char *fmt, ...)
{
	va_list	ap;
	int	rc;

	va_start(ap, fmt);
	rc = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

int
buf_vprintf(struct mk_buf *b, const char *fmt, va_list ap)
{
	va_list	aq;
	int	n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0 || grow(b, (size_t)n) == -1)
		return -1;
	n = vsnprintf((char *)b->p + b->len, b->cap - b->len, fmt, ap);
	if (n < 0)
		return -1;
	b->len += (size_t)n;
	return 0;
}

void
buf_consume(struct mk_buf *b, size_t n)
{
	if (n >= b->len) {
		buf_reset(b);
		return;
	}
	memmove(b->p, b->p + n, b->len - n);
	b->len -= n;
	b->p[b->len] = '\0';
}

const char *
buf_str(const struct mk_buf *b)
{
	return b->p != NULL ? (const char *)b->p : "";
}

char *
buf_take(struct mk_buf *b, size_t *lenp)
{
	char *p;

	if (b->p == NULL && buf_add(b, "", 0) == -1)
		return NULL;
	p = (char *)b->p;
	if (lenp != NULL)
		*lenp = b->len;
	buf_init(b, b->max);
	return p;
}

void
lr_init(struct mk_lr *lr, int fd, size_t maxline)
{
	memset(lr, 0, sizeof(*lr));
	lr->fd = fd;
	lr->maxline = maxline;
	buf_init(&lr->in, 0);
}

void
lr_init_mem(struct mk_lr *lr, const void *p, size_t len, size_t maxline)
{
	lr_init(lr, -1, maxline);
	lr->mem = p;
	lr->memlen = len;
}

void
lr_free(struct mk_lr *lr)
{
	buf_free(&lr->in);
}

/* Read more input into lr->in; sets lr->eof at the end. */
static int
fill(struct mk_lr *lr, struct mk_err *e)
{
	uint8_t	tmp[LR_CHUNK];
	ssize_t	n;
	size_t	take;

	if (lr->fd == -1) {
		take = lr->memlen - lr->memoff;
		if (take == 0) {
			lr->eof = 1;
			return 0;
		}
		if (take > LR_CHUNK)
			take = LR_CHUNK;
		if (buf_add(&lr->in, lr->mem + lr->memoff, take) == -1)
			return mk_seterr(e, MK_ESOFTWARE, "out of memory");
		lr->memoff += take;
		return 0;
	}
	do
		n = read(lr->fd, tmp, sizeof(tmp));
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return mk_seterrno(e, MK_EIO, errno, "read");
	if (n == 0) {
		lr->eof = 1;
		return 0;
	}
	if (buf_add(&lr->in, tmp, (size_t)n) == -1)
		return mk_seterr(e, MK_ESOFTWARE, "out of memory");
	return 0;
}

int
lr_next(struct mk_lr *lr, const uint8_t **line, size_t *len, int *flags,
    struct mk_err *e)
{
	uint8_t	*base, *nl;
	size_t	 avail, n;

	/* Drop the last line lazily: one memmove per read, not per line. */
	lr->start += lr->used;
	lr->used = 0;
	for (;;) {
		base = lr->in.p + lr->start;
		avail = lr->in.len - lr->start;
		nl = NULL;
		if (avail > lr->scan)
			nl = memchr(base + lr->scan, '\n', avail - lr->scan);
		if (nl != NULL)
			break;
		lr->scan = avail;
		if (lr->maxline != 0 && avail > lr->maxline + 1)
			return mk_seterr(e, MK_EDATA,
			    "line too long (over %zu bytes)", lr->maxline);
		if (lr->eof) {
			if (avail == 0)
				return 0;
			n = avail;
			*flags = LR_NOEOL;
			lr->used = avail;
			goto found;
		}
		if (lr->start > 0) {
			buf_consume(&lr->in, lr->start);
			lr->start = 0;
		}
		if (fill(lr, e) == -1)
			return -1;
	}
	n = (size_t)(nl - base);
	lr->used = n + 1;
	*flags = LR_LF;
	if (n > 0 && base[n - 1] == '\r') {
		n--;
		*flags = LR_CRLF;
	}
found:
	lr->scan = 0;
	if (lr->maxline != 0 && n > lr->maxline)
		return mk_seterr(e, MK_EDATA, "line too long (over %zu bytes)",
		    lr->maxline);
	if (n > 0 && memchr(base, '\0', n) != NULL)
		*flags |= LR_NUL;
	*line = base;
	*len = n;
	return 1;
}
