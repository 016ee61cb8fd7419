/*
 * store.c: the commands that change messages: append, copy, move,
 * flag, unflag and expunge.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include "buf.h"
#include "imap.h"
#include "json.h"
#include "mk.h"

#include "mimap.h"

/* ---- append ---- */

/* Copy stdin to a temporary file, bare LF made CR LF (RFC 5322). */
static int
spool_stdin(FILE **fpp, uint64_t *size)
{
	FILE	*fp;
	char	 buf[65536];
	size_t	 n, i;
	int	 prev = 0;

	if ((fp = tmpfile()) == NULL) {
		mk_warn("temporary file:");
		return EX_CANTCREAT;
	}
	*size = 0;
	while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0) {
		for (i = 0; i < n; i++) {
			if (buf[i] == '\n' && prev != '\r') {
				putc('\r', fp);
				(*size)++;
			}
			putc(buf[i], fp);
			prev = (unsigned char)buf[i];
		}
		*size += n;
	}
	if (ferror(stdin)) {
		mk_warn("read standard input:");
		fclose(fp);
		return EX_IOERR;
	}
	if (fflush(fp) == EOF || fseek(fp, 0, SEEK_SET) == -1) {
		mk_warn("temporary file:");
		fclose(fp);
		return EX_IOERR;
	}
	if (*size == 0) {
		mk_warn("append: empty message on standard input");
		fclose(fp);
		return EX_NOINPUT;
	}
	*fpp = fp;
	return 0;
}

/* "NAME v1 v2" in a response code text: the n-th number after NAME. */
static int
code_num(const char *code, const char *name, int nth, uint64_t *v)
{
	const char	*p;
	size_t		 nl = strlen(name);
	int		 i;

	if (strncasecmp(code, name, nl) != 0 || code[nl] != ' ')
		return -1;
	p = code + nl;
	for (i = 0; i <= nth; i++) {
		if (*p != ' ')
			return -1;
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		*v = 0;
		for (; isdigit((unsigned char)*p); p++)
			*v = *v * 10 + (uint64_t)(*p - '0');
	}
	return 0;
}

int
cmd_append(struct imap *s, struct opts *o, int ac, char **av)
{
	struct mk_buf	 flags, code;
	struct mk_err	 e;
	struct json_w	 w;
	FILE		*fp = NULL;
	uint64_t	 size, uid = 0, uv = 0;
	char		*list, *f;
	int		 ex;

	(void)ac;
	buf_init(&flags, 0);
	buf_init(&code, 0);
	if (o->flags != NULL) {
		list = mk_xstrdup(o->flags);
		for (f = list; f != NULL; ) {
			char *next = strpbrk(f, ", ");
			if (next != NULL)
				*next++ = '\0';
			if (*f != '\0' && flag_word(f, &flags) == -1) {
				mk_warn("append: --flags: bad flag \"%s\"", f);
				free(list);
				buf_free(&flags);
				return EX_USAGE;
			}
			f = next;
		}
		free(list);
	}
	if ((ex = spool_stdin(&fp, &size)) != 0)
		goto out;
	if (imap_append(s, av[0], buf_str(&flags), fileno(fp), size, &code,
	    &e) == -1) {
		ex = fail_e(av[0], &e);
		goto out;
	}
	(void)code_num(buf_str(&code), "APPENDUID", 1, &uid);
	(void)code_num(buf_str(&code), "APPENDUID", 0, &uv);
	if (o->json) {
		json_init_file(&w, stdout, 0);
		json_obj_begin(&w);
		json_kv_str(&w, "folder", av[0]);
		json_key(&w, "uid");
		uid ? json_uint(&w, uid) : json_null(&w);
		json_key(&w, "uidvalidity");
		uv ? json_uint(&w, uv) : json_null(&w);
		json_obj_end(&w);
		json_end_document(&w);
	} else if (uid != 0)
		printf("%llu\n", (unsigned long long)uid);
	ex = out_flush();
out:
	if (fp != NULL)
		fclose(fp);
	buf_free(&flags);
	buf_free(&code);
	return ex;
}

/* ---- copy, move ---- */

struct copier {
	struct mk_buf	code;		/* COPYUID from an untagged OK */
};

static int
copy_cb(void *arg, const struct imap_resp *r, struct mk_err *e)
{
	struct copier		*C = arg;
	const struct imap_item	*c = imap_resp_code(r);
	size_t			 i;

	(void)e;
	if (r->cond != IMAP_C_OK || c == NULL || r->nitems < 3 ||
	    !imap_item_is(&r->items[2], "COPYUID"))
		return 0;
	buf_reset(&C->code);
	for (i = 2; i < c->next; i++)
		buf_printf(&C->code, "%s%s", i > 2 ? " " : "", r->items[i].s);
	return 0;
}

/* Print "OLD<TAB>NEW" pairs from "COPYUID validity src dst". */
static int
print_copyuid(struct opts *o, const char *code)
{
	struct uidlist	 a = { NULL, 0, 0 }, b = { NULL, 0, 0 };
	struct json_w	 w;
	const char	*p1, *p2, *p3;
	size_t		 i;

	if (strncasecmp(code, "COPYUID ", 8) != 0 ||
	    (p1 = strchr(code + 8, ' ')) == NULL ||
	    (p2 = strchr(p1 + 1, ' ')) == NULL)
		return 0;
	p3 = p2 + 1;
	if (imap_set_parse(p1 + 1, (size_t)(p2 - p1 - 1), &a.u, &a.n, &a.cap,
	    UIDMAX) == -1 || imap_set_parse(p3, strlen(p3), &b.u, &b.n,
	    &b.cap, UIDMAX) == -1 || a.n != b.n) {
		free(a.u);
		free(b.u);
		return 0;
	}
	json_init_file(&w, stdout, 0);
	for (i = 0; i < a.n; i++) {
		if (o->json) {
			json_obj_begin(&w);
			json_kv_uint(&w, "uid", a.u[i]);
			json_kv_uint(&w, "new_uid", b.u[i]);
			json_obj_end(&w);
			json_end_document(&w);
		} else
			printf("%u\t%u\n", a.u[i], b.u[i]);
	}
	free(a.u);
	free(b.u);
	return 0;
}

int
cmd_copy(struct imap *s, struct opts *o, int ac, char **av)
{
	struct imap_mbox mb;
	struct copier	 C;
	struct uidlist	 ul = { NULL, 0, 0 };
	struct imap_cmd	 c;
	struct mk_buf	 set, code;
	struct mk_err	 e;
	int		 move = strcmp(cmdname, "move") == 0, ex;
	unsigned	 caps = imap_caps(s);

	if (o->to == NULL) {
		mk_warn("%s: --to FOLDER is required", cmdname);
		usage(stderr);
		return EX_USAGE;
	}
	if ((ex = parse_uids(av + 1, ac - 1, &ul.u, &ul.n)) != 0)
		return ex;
	if (move && !(caps & IMAP_CAP_MOVE) && !(caps & IMAP_CAP_UIDPLUS)) {
		free(ul.u);
		mk_warn("move: the server has neither MOVE nor UIDPLUS: "
		    "cannot expunge only these messages");
		return EX_UNAVAILABLE;
	}
	buf_init(&set, 0);
	buf_init(&code, 0);
	buf_init(&C.code, 0);
	imap_cmd_init(&c);
	if (set_text(ul.u, ul.n, &set) == -1)
		mk_die(EX_SOFTWARE, "out of memory");
	if (imap_select(s, av[0], !move, &mb, &e) == -1) {
		ex = fail_e(av[0], &e);
		goto out;
	}
	imap_cmd_add(&c, "UID %s %s ", move && (caps & IMAP_CAP_MOVE) ?
	    "MOVE" : "COPY", buf_str(&set));
	imap_cmd_mailbox(&c, o->to);
	if (imap_run(s, &c, copy_cb, &C, NULL, &code, &e) == -1)
		goto fail;
	if (C.code.len == 0) {
		buf_reset(&C.code);
		buf_add(&C.code, code.p, code.len);
	}
	if (move && !(caps & IMAP_CAP_MOVE)) {
		/* RFC 6851 3.3: COPY, then \Deleted, then UID EXPUNGE. */
		imap_cmd_free(&c);
		imap_cmd_init(&c);
		imap_cmd_add(&c, "UID STORE %s +FLAGS.SILENT (\\Deleted)",
		    buf_str(&set));
		if (imap_run(s, &c, NULL, NULL, NULL, NULL, &e) == -1)
			goto fail;
		imap_cmd_free(&c);
		imap_cmd_init(&c);
		imap_cmd_add(&c, "UID EXPUNGE %s", buf_str(&set));
		if (imap_run(s, &c, NULL, NULL, NULL, NULL, &e) == -1)
			goto fail;
	}
	print_copyuid(o, buf_str(&C.code));
	ex = out_flush();
	goto out;
fail:
	ex = fail_e(o->to, &e);
out:
	imap_cmd_free(&c);
	buf_free(&set);
	buf_free(&code);
	buf_free(&C.code);
	free(ul.u);
	return ex;
}

/* ---- flag, unflag, expunge ---- */

int
cmd_flag(struct imap *s, struct opts *o, int ac, char **av)
{
	struct imap_mbox mb;
	struct uidlist	 ul = { NULL, 0, 0 };
	struct mk_buf	 add, del, set;
	struct imap_cmd	 c;
	struct mk_err	 e;
	struct json_w	 w;
	int		 unflag = strcmp(cmdname, "unflag") == 0, i, nu, ex = 0;
	const char	*a;

	for (nu = 1; nu < ac && isdigit((unsigned char)av[nu][0]); nu++)
		;
	if (nu == 1 || nu == ac) {
		mk_warn("%s: want FOLDER UID... FLAG...", cmdname);
		return EX_USAGE;
	}
	if ((ex = parse_uids(av + 1, nu - 1, &ul.u, &ul.n)) != 0)
		return ex;
	buf_init(&add, 0);
	buf_init(&del, 0);
	buf_init(&set, 0);
	for (i = nu; i < ac; i++) {
		a = av[i];
		if (*a == '-' || unflag) {
			if (flag_word(a + (*a == '-' || *a == '+'), &del) == -1)
				goto bad;
		} else if (flag_word(a + (*a == '+'), &add) == -1)
			goto bad;
	}
	set_text(ul.u, ul.n, &set);
	if (imap_select(s, av[0], 0, &mb, &e) == -1) {
		ex = fail_e(av[0], &e);
		goto out;
	}
	for (i = 0; i < 2; i++) {
		struct mk_buf *b = i ? &del : &add;

		if (b->len == 0)
			continue;
		imap_cmd_init(&c);
		imap_cmd_add(&c, "UID STORE %s %cFLAGS.SILENT (%s)",
		    buf_str(&set), i ? '-' : '+', buf_str(b));
		if (imap_run(s, &c, NULL, NULL, NULL, NULL, &e) == -1) {
			imap_cmd_free(&c);
			ex = fail_e(av[0], &e);
			goto out;
		}
		imap_cmd_free(&c);
	}
	if (o->json) {
		json_init_file(&w, stdout, 0);
		json_obj_begin(&w);
		json_kv_str(&w, "command", cmdname);
		json_kv_str(&w, "folder", av[0]);
		json_kv_str(&w, "uids", buf_str(&set));
		json_kv_str(&w, "added", buf_str(&add));
		json_kv_str(&w, "removed", buf_str(&del));
		json_obj_end(&w);
		json_end_document(&w);
	}
	ex = out_flush();
	goto out;
bad:
	mk_warn("%s: bad flag \"%s\" (seen, flagged, answered, deleted, "
	    "draft or a keyword)", cmdname, a);
	ex = EX_USAGE;
out:
	buf_free(&add);
	buf_free(&del);
	buf_free(&set);
	free(ul.u);
	return ex;
}

static int
expunge_cb(void *arg, const struct imap_resp *r, struct mk_err *e)
{
	const char	*what;
	uint32_t	 n;

	(void)e;
	if (imap_resp_count(r, &what, &n) == 0 &&
	    strcasecmp(what, "EXPUNGE") == 0)
		(*(unsigned long *)arg)++;
	return 0;
}

int
cmd_expunge(struct imap *s, struct opts *o, int ac, char **av)
{
	struct imap_mbox mb;
	struct uidlist	 ul = { NULL, 0, 0 };
	struct mk_buf	 set;
	struct imap_cmd	 c;
	struct mk_err	 e;
	struct json_w	 w;
	unsigned long	 n = 0;
	int		 ex;

	if ((ex = parse_uids(av + 1, ac - 1, &ul.u, &ul.n)) != 0)
		return ex;
	if (ul.n > 0 && !(imap_caps(s) & IMAP_CAP_UIDPLUS)) {
		free(ul.u);
		mk_warn("expunge: the server lacks UIDPLUS: cannot expunge "
		    "only these messages");
		return EX_UNAVAILABLE;
	}
	buf_init(&set, 0);
	set_text(ul.u, ul.n, &set);
	imap_cmd_init(&c);
	if (imap_select(s, av[0], 0, &mb, &e) == -1) {
		ex = fail_e(av[0], &e);
		goto out;
	}
	if (ul.n > 0)
		imap_cmd_add(&c, "UID EXPUNGE %s", buf_str(&set));
	else
		imap_cmd_add(&c, "EXPUNGE");
	if (imap_run(s, &c, expunge_cb, &n, NULL, NULL, &e) == -1) {
		ex = fail_e(av[0], &e);
		goto out;
	}
	if (o->json) {
		json_init_file(&w, stdout, 0);
		json_obj_begin(&w);
		json_kv_str(&w, "folder", av[0]);
		json_kv_uint(&w, "expunged", n);
		json_obj_end(&w);
		json_end_document(&w);
	}
	ex = out_flush();
out:
	imap_cmd_free(&c);
	buf_free(&set);
	free(ul.u);
	return ex;
}

