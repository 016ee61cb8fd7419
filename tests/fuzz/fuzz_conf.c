/*
 * fuzz_conf.c: fuzz entry for conf_parse() (lib/conf.c), the accounts
 * file parser.  Any bytes either parse or give one error line; every
 * account read back holds no control character but tab in any string,
 * and an error message never quotes a password value (a "password ="
 * line's value of 6 or more bytes, with a capital or a byte past
 * ASCII and found nowhere else in the file, must not appear in it).  Breaches
 * abort.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "mk.h"

int	fuzz_conf(const uint8_t *, size_t);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void	clean(const char *);
static void	no_secret_in(const char *, const uint8_t *, size_t);
static int	unlike_prose(const char *);
static size_t	count_in(const uint8_t *, size_t, const char *, size_t);

/*
 * Messages are fixed lower-case text with line numbers and the names
 * from the file: a value with an upper-case letter or a byte past ASCII
 * cannot come from the text itself.
 */
static int
unlike_prose(const char *s)
{
	for (; *s != '\0'; s++)
		if ((*s >= 'A' && *s <= 'Z') || (unsigned char)*s > 0x7f)
			return 1;
	return 0;
}

/* How often s[0..len) occurs in p[0..n). */
static size_t
count_in(const uint8_t *p, size_t n, const char *s, size_t len)
{
	size_t i, k = 0;

	for (i = 0; i + len <= n; i++)
		if (memcmp(p + i, s, len) == 0)
			k++;
	return k;
}

static void
clean(const char *s)
{
	const unsigned char *p;

	if (s == NULL)
		return;
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
			abort();
}

/* Every value of a line "password = VALUE" in the input. */
static void
no_secret_in(const char *msg, const uint8_t *p, size_t n)
{
	const uint8_t	*line, *end, *nl, *v;
	char		 val[CONF_MAX_LINE + 1];
	size_t		 len;

	for (line = p, end = p + n; line < end; line = nl + 1) {
		if ((nl = memchr(line, '\n', (size_t)(end - line))) == NULL)
			nl = end;
		v = line;
		while (v < nl && (*v == ' ' || *v == '\t'))
			v++;
		if ((size_t)(nl - v) < 8 || memcmp(v, "password", 8) != 0)
			continue;
		v += 8;
		while (v < nl && (*v == ' ' || *v == '\t'))
			v++;
		if (v == nl || *v++ != '=')
			continue;
		while (v < nl && (*v == ' ' || *v == '\t'))
			v++;
		len = (size_t)(nl - v);
		while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t' ||
		    v[len - 1] == '\r'))
			len--;
		if (len < 6 || len > CONF_MAX_LINE)
			continue;
		memcpy(val, v, len);
		val[len] = '\0';
		if (memchr(val, '\0', len) != NULL || !unlike_prose(val) ||
		    count_in(p, n, val, len) > 1)
			continue;
		if (strstr(msg, val) != NULL)
			abort();
	}
}

int
fuzz_conf(const uint8_t *data, size_t size)
{
	const struct conf_account	*a;
	struct conf			*c;
	struct mk_err			 e;
	size_t				 i;

	memset(&e, 0, sizeof(e));
	if ((c = conf_parse((const char *)data, size, "fuzz", &e)) == NULL) {
		if (memchr(e.msg, '\0', sizeof(e.msg)) == NULL ||
		    strchr(e.msg, '\n') != NULL)
			abort();
		no_secret_in(e.msg, data, size);
		return 0;
	}
	for (i = 0; i < conf_naccounts(c); i++) {
		a = conf_account_at(c, i);
		clean(a->name);
		clean(a->from);
		clean(a->user);
		clean(a->password);
		clean(a->smtp);
		clean(a->tls);
		if (conf_account(c, a->name, &e) != a)
			abort();
	}
	if (conf_default(c) != NULL &&
	    conf_account(c, conf_default(c), &e) == NULL)
		abort();
	conf_free(c);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_conf(data, size);
}
