/*
 * buf.h: growable byte buffers with a cap, and a line reader that keeps
 * CRLF/LF apart, passes NUL bytes through and never cuts a line silently.
 */
#ifndef BUF_H
#define BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "mk.h"

/*
 * A byte buffer.  p[len] is always a NUL once anything was added, so
 * text can be used as a C string (binary data may hold NULs inside).
 * max caps len (0: only SIZE_MAX); growing past it fails and sets toobig.
 */
struct mk_buf {
	uint8_t	*p;		/* owned; NULL until the first add */
	size_t	 len;		/* bytes in use, not counting the NUL */
	size_t	 cap;		/* bytes allocated */
	size_t	 max;		/* cap on len, 0 for none */
	int	 toobig;	/* set when an add hit max */
};

void	 buf_init(struct mk_buf *b, size_t max);
void	 buf_free(struct mk_buf *b);		/* back to empty; keeps max */
void	 buf_reset(struct mk_buf *b);		/* len = 0, keeps memory */

/* Append; -1 on out of memory or when len would pass max (nothing added). */
int	 buf_add_grow(struct mk_buf *b, const void *p, size_t n);

/* The common case, room already there, inline; else buf_add_grow(). */
static inline int
buf_add(struct mk_buf *b, const void *p, size_t n)
{
	if (b->cap - b->len > n && (b->max == 0 || n <= b->max - b->len)) {
		if (n > 0)
			__builtin_memcpy(b->p + b->len, p, n);
		b->len += n;
		b->p[b->len] = '\0';
		return 0;
	}
	return buf_add_grow(b, p, n);
}

int	 buf_addc(struct mk_buf *b, int c);
int	 buf_adds(struct mk_buf *b, const char *s);
int	 buf_printf(struct mk_buf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
int	 buf_vprintf(struct mk_buf *b, const char *fmt, va_list ap)
	    __attribute__((format(printf, 2, 0)));

/* Remove the first n bytes (all of them if n >= len). */
void	 buf_consume(struct mk_buf *b, size_t n);

/* The contents as a C string ("" when empty); borrowed. */
const char *buf_str(const struct mk_buf *b);

/* Hand the memory to the caller (never NULL unless out of memory). */
char	*buf_take(struct mk_buf *b, size_t *lenp);

/*
 * Line reader.  Reads from an fd, or from memory with lr_init_mem().
 * Each line is handed back without its terminator; flags say which one
 * it had.  maxline caps one line (0: no cap); a longer line is an error
 * (MK_EDATA, "line too long"), never cut short.
 */
enum {
	LR_CRLF		= 1 << 0,	/* ended in CR LF */
	LR_LF		= 1 << 1,	/* ended in a bare LF */
	LR_NOEOL	= 1 << 2,	/* last line, no terminator */
	LR_NUL		= 1 << 3	/* holds at least one NUL byte */
};

struct mk_lr {
	int		 fd;		/* borrowed; -1 for memory */
	struct mk_buf	 in;		/* unread bytes */
	size_t		 maxline;
	size_t		 scan;		/* unread bytes already searched */
	size_t		 start;		/* offset of unread bytes in in */
	size_t		 used;		/* bytes of the last line, dropped next */
	int		 eof;
	const uint8_t	*mem;		/* lr_init_mem: borrowed */
	size_t		 memlen, memoff;
};

void	lr_init(struct mk_lr *lr, int fd, size_t maxline);
void	lr_init_mem(struct mk_lr *lr, const void *p, size_t len,
	    size_t maxline);
void	lr_free(struct mk_lr *lr);

/*
 * The next line: 1 with line, len and flags set (valid until the next call),
 * 0 at end of input, -1 on error with e filled (MK_EIO, MK_EDATA,
 * MK_ESOFTWARE).
 */
int	lr_next(struct mk_lr *lr, const uint8_t **line, size_t *len,
	    int *flags, struct mk_err *e);

#endif /* BUF_H */
