/*
 * test_json.c: the JSON writer: escaping of every control byte, UTF-8
 * checks with maximal-subpart replacement, nesting, pretty output,
 * misuse detection, sinks.  Every output is also run through a small
 * strict JSON validator written here.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "t.h"

/* A strict RFC 8259 validator (UTF-8 checked too). */
struct jv {
	const uint8_t	*p;
	size_t		 n, i;
	int		 depth;
};

static int	jv_value(struct jv *);

static void
jv_ws(struct jv *v)
{
	while (v->i < v->n && (v->p[v->i] == ' ' || v->p[v->i] == '\t' ||
	    v->p[v->i] == '\n' || v->p[v->i] == '\r'))
		v->i++;
}

static int
jv_lit(struct jv *v, const char *s)
{
	size_t l = strlen(s);

	if (v->n - v->i < l || memcmp(v->p + v->i, s, l) != 0)
		return 0;
	v->i += l;
	return 1;
}

static int
jv_digits(struct jv *v)
{
	size_t s = v->i;

	while (v->i < v->n && v->p[v->i] >= '0' && v->p[v->i] <= '9')
		v->i++;
	return v->i > s;
}

static int
jv_number(struct jv *v)
{
	if (v->i < v->n && v->p[v->i] == '-')
		v->i++;
	if (v->i < v->n && v->p[v->i] == '0')
		v->i++;
	else if (!jv_digits(v))
		return 0;
	if (v->i < v->n && v->p[v->i] == '.') {
		v->i++;
		if (!jv_digits(v))
			return 0;
	}
	if (v->i < v->n && (v->p[v->i] == 'e' || v->p[v->i] == 'E')) {
		v->i++;
		if (v->i < v->n && (v->p[v->i] == '+' || v->p[v->i] == '-'))
			v->i++;
		if (!jv_digits(v))
			return 0;
	}
	return 1;
}

/* A UTF-8 sequence, decoded the long way and checked by value. */
static int
jv_utf8(struct jv *v)
{
	uint8_t		c = v->p[v->i];
	uint32_t	cp;
	size_t		k, j;

	if (c >= 0xf0 && c < 0xf8) {
		k = 3;
		cp = c & 0x07;
	} else if (c >= 0xe0) {
		k = 2;
		cp = c & 0x0f;
	} else if (c >= 0xc0) {
		k = 1;
		cp = c & 0x1f;
	} else
		return 0;
	if (c >= 0xf8 || v->n - v->i <= k)
		return 0;
	for (j = 1; j <= k; j++) {
		if ((v->p[v->i + j] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (v->p[v->i + j] & 0x3f);
	}
	if ((k == 1 && cp < 0x80) || (k == 2 && cp < 0x800) ||
	    (k == 3 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	/* What the writer promises to escape must not come raw. */
	if ((cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029)
		return 0;
	v->i += k + 1;
	return 1;
}

static int
jv_string(struct jv *v)
{
	uint8_t c;
	int	k;

	if (!jv_lit(v, "\""))
		return 0;
	while (v->i < v->n) {
		c = v->p[v->i];
		if (c == '"') {
			v->i++;
			return 1;
		}
		if (c < 0x20 || c == 0x7f)
			return 0;
		if (c >= 0x80) {
			if (!jv_utf8(v))
				return 0;
			continue;
		}
		v->i++;
		if (c != '\\')
			continue;
		if (v->i >= v->n)
			return 0;
		c = v->p[v->i++];
		if (strchr("\"\\/bfnrt", c) != NULL && c != '\0')
			continue;
		if (c != 'u')
			return 0;
		for (k = 0; k < 4; k++, v->i++)
			if (v->i >= v->n || strchr("0123456789abcdefABCDEF",
			    v->p[v->i]) == NULL || v->p[v->i] == '\0')
				return 0;
	}
	return 0;
}

static int
jv_members(struct jv *v, char close, int obj)
{
	jv_ws(v);
	if (v->i < v->n && v->p[v->i] == close) {
		v->i++;
		return 1;
	}
	for (;;) {
		jv_ws(v);
		if (obj) {
			if (!jv_string(v))
				return 0;
			jv_ws(v);
			if (!jv_lit(v, ":"))
				return 0;
		}
		if (!jv_value(v))
			return 0;
		jv_ws(v);
		if (v->i < v->n && v->p[v->i] == close) {
			v->i++;
			return 1;
		}
		if (!jv_lit(v, ","))
			return 0;
	}
}

static int
jv_value(struct jv *v)
{
	int ok;

	jv_ws(v);
	if (v->i >= v->n)
		return 0;
	switch (v->p[v->i]) {
	case '{':
	case '[':
		if (++v->depth > 100)
			return 0;
		v->i++;
		ok = jv_members(v, v->p[v->i - 1] == '{' ? '}' : ']',
		    v->p[v->i - 1] == '{');
		v->depth--;
		return ok;
	case '"':
		return jv_string(v);
	case 't':
		return jv_lit(v, "true");
	case 'f':
		return jv_lit(v, "false");
	case 'n':
		return jv_lit(v, "null");
	default:
		return jv_number(v);
	}
}

/* Whether p[0..n) is exactly one JSON text. */
static int
valid(const void *p, size_t n)
{
	struct jv v = { p, n, 0, 0 };

	if (!jv_value(&v))
		return 0;
	jv_ws(&v);
	return v.i == n;
}

/* Whether every line of p[0..n) is a JSON text and the last ends in LF. */
static int
valid_lines(const char *p, size_t n)
{
	const char *lf;

	if (n == 0 || p[n - 1] != '\n')
		return 0;
	while (n > 0) {
		lf = memchr(p, '\n', n);
		if (!valid(p, (size_t)(lf - p)))
			return 0;
		n -= (size_t)(lf - p) + 1;
		p = lf + 1;
	}
	return 1;
}

/* json_quote() of p[0..n), as a C string in a static buffer. */
static const char *
quote(const void *p, size_t n)
{
	static char	s[1024];
	struct mk_buf	b;

	buf_init(&b, 0);
	if (json_quote(&b, p, n) == -1 || b.len >= sizeof(s))
		s[0] = '\0';
	else
		memcpy(s, b.p, b.len + 1);
	if (!valid(b.p, b.len))
		printf("#   not valid JSON: %s\n", s);
	buf_free(&b);
	return s;
}

#define Q(lit)	quote(lit, sizeof(lit) - 1)

static void
test_validator(void)
{
	T_CHECK(valid("{\"a\":[1,-2.5e3,true,false,null,\"x\"]}", 36));
	T_CHECK(!valid("{\"a\":1,}", 8));
	T_CHECK(!valid("[1 2]", 5));
	T_CHECK(!valid("\"a\x01\"", 4));
	T_CHECK(!valid("\"\xc0\xaf\"", 4));
	T_CHECK(!valid("\"\\x\"", 4));
	T_CHECK(!valid("01", 2));
	T_CHECK(!valid("{} {}", 5));
}

static void
test_controls(void)
{
	static const char *const want[32] = {
		"\"\\u0000\"", "\"\\u0001\"", "\"\\u0002\"", "\"\\u0003\"",
		"\"\\u0004\"", "\"\\u0005\"", "\"\\u0006\"", "\"\\u0007\"",
		"\"\\b\"", "\"\\t\"", "\"\\n\"", "\"\\u000b\"",
		"\"\\f\"", "\"\\r\"", "\"\\u000e\"", "\"\\u000f\"",
		"\"\\u0010\"", "\"\\u0011\"", "\"\\u0012\"", "\"\\u0013\"",
		"\"\\u0014\"", "\"\\u0015\"", "\"\\u0016\"", "\"\\u0017\"",
		"\"\\u0018\"", "\"\\u0019\"", "\"\\u001a\"", "\"\\u001b\"",
		"\"\\u001c\"", "\"\\u001d\"", "\"\\u001e\"", "\"\\u001f\""
	};
	char	c;
	int	i;

	for (i = 0; i < 32; i++) {
		c = (char)i;
		T_EQ_STR(quote(&c, 1), want[i]);
	}
	T_EQ_STR(Q("\x7f"), "\"\\u007f\"");
	T_EQ_STR(Q(" ~"), "\" ~\"");
}

static void
test_quote_backslash(void)
{
	T_EQ_STR(Q("a\"b\\c/d"), "\"a\\\"b\\\\c/d\"");
	T_EQ_STR(Q(""), "\"\"");
	T_EQ_STR(Q("\\\\\"\""), "\"\\\\\\\\\\\"\\\"\"");
}

static void
test_nul(void)
{
	T_EQ_STR(Q("a\0b"), "\"a\\u0000b\"");
	T_EQ_STR(Q("\0\0"), "\"\\u0000\\u0000\"");
}

static void
test_utf8_valid(void)
{
	T_EQ_STR(Q("caf\xc3\xa9"), "\"caf\xc3\xa9\"");		/* é */
	T_EQ_STR(Q("\xc2\xa0"), "\"\xc2\xa0\"");		/* NBSP */
	T_EQ_STR(Q("\xe2\x82\xac"), "\"\xe2\x82\xac\"");	/* € */
	T_EQ_STR(Q("\xed\x9f\xbf"), "\"\xed\x9f\xbf\"");	/* U+D7FF */
	T_EQ_STR(Q("\xee\x80\x80"), "\"\xee\x80\x80\"");	/* U+E000 */
	T_EQ_STR(Q("\xef\xbf\xbf"), "\"\xef\xbf\xbf\"");	/* U+FFFF */
	T_EQ_STR(Q("\xf0\x9f\x98\x80"), "\"\xf0\x9f\x98\x80\"");
	T_EQ_STR(Q("\xf4\x8f\xbf\xbf"), "\"\xf4\x8f\xbf\xbf\"");
	T_EQ_STR(Q("\xe0\xa0\x80"), "\"\xe0\xa0\x80\"");	/* U+0800 */
	T_EQ_STR(Q("\xf0\x90\x80\x80"), "\"\xf0\x90\x80\x80\"");
}

static void
test_escaped_code_points(void)
{
	T_EQ_STR(Q("\xc2\x80"), "\"\\u0080\"");
	T_EQ_STR(Q("\xc2\x9b"), "\"\\u009b\"");		/* CSI */
	T_EQ_STR(Q("\xc2\x9f"), "\"\\u009f\"");
	T_EQ_STR(Q("a\xe2\x80\xa8z"), "\"a\\u2028z\"");
	T_EQ_STR(Q("\xe2\x80\xa9"), "\"\\u2029\"");
	T_EQ_STR(Q("\xe2\x80\xa7"), "\"\xe2\x80\xa7\"");	/* U+2027 */
}

#define R	"\xef\xbf\xbd"

static void
test_utf8_invalid(void)
{
	/* Stray continuation bytes and bytes that never start anything. */
	T_EQ_STR(Q("\x80"), "\"" R "\"");
	T_EQ_STR(Q("\xbf\x80"), "\"" R R "\"");
	T_EQ_STR(Q("\xc0"), "\"" R "\"");
	T_EQ_STR(Q("\xff"), "\"" R "\"");
	T_EQ_STR(Q("\xfe\xff"), "\"" R R "\"");
	/* Overlongs. */
	T_EQ_STR(Q("\xc0\xaf"), "\"" R R "\"");
	T_EQ_STR(Q("\xc1\xbf"), "\"" R R "\"");
	T_EQ_STR(Q("\xe0\x80\xaf"), "\"" R R R "\"");
	T_EQ_STR(Q("\xe0\x9f\xbf"), "\"" R R R "\"");
	T_EQ_STR(Q("\xf0\x80\x80\xaf"), "\"" R R R R "\"");
	T_EQ_STR(Q("\xf0\x8f\xbf\xbf"), "\"" R R R R "\"");
	/* Surrogates encoded in UTF-8 (CESU-8 halves). */
	T_EQ_STR(Q("\xed\xa0\x80"), "\"" R R R "\"");
	T_EQ_STR(Q("\xed\xbf\xbf"), "\"" R R R "\"");
	T_EQ_STR(Q("\xed\xa0\xbd\xed\xb8\x80"), "\"" R R R R R R "\"");
	/* Past U+10FFFF, and the old 5- and 6-byte forms. */
	T_EQ_STR(Q("\xf4\x90\x80\x80"), "\"" R R R R "\"");
	T_EQ_STR(Q("\xf5\x80\x80\x80"), "\"" R R R R "\"");
	T_EQ_STR(Q("\xf8\x88\x80\x80\x80"), "\"" R R R R R "\"");
	T_EQ_STR(Q("\xfc\x84\x80\x80\x80\x80"), "\"" R R R R R R "\"");
	/* Truncated sequences: one U+FFFD for the maximal subpart. */
	T_EQ_STR(Q("\xc3"), "\"" R "\"");
	T_EQ_STR(Q("\xe2\x82"), "\"" R "\"");
	T_EQ_STR(Q("\xe2\x82" "A"), "\"" R "A\"");
	T_EQ_STR(Q("\xf0\x9f\x98"), "\"" R "\"");
	T_EQ_STR(Q("\xf0\x9f\x98" "A"), "\"" R "A\"");
	T_EQ_STR(Q("\xf0\x9f" "\xc3\xa9"), "\"" R "\xc3\xa9\"");
	T_EQ_STR(Q("\xe2\x82\"x"), "\"" R "\\\"x\"");
	T_EQ_STR(Q("\xc3\x0a"), "\"" R "\\n\"");
}

/* Unicode 15, Table 3-8 and the examples around it. */
static void
test_unicode_example(void)
{
	T_EQ_STR(Q("\x61\xf1\x80\x80\xe1\x80\xc2\x62\x80\x63\x80\xbf\x64"),
	    "\"a" R R R "b" R "c" R R "d\"");
}

/* Every byte alone and every pair: always valid JSON. */
static void
test_all_bytes(void)
{
	struct mk_buf	b;
	uint8_t		s[2];
	int		i, j, bad = 0;

	buf_init(&b, 0);
	for (i = 0; i < 256; i++) {
		s[0] = (uint8_t)i;
		buf_reset(&b);
		if (json_quote(&b, s, 1) == -1 || !valid(b.p, b.len))
			bad++;
		if (i >= 0x80)
			T_EQ_STR(buf_str(&b), "\"" R "\"");
		for (j = 0; j < 256; j++) {
			s[1] = (uint8_t)j;
			buf_reset(&b);
			if (json_quote(&b, s, 2) == -1 || !valid(b.p, b.len))
				bad++;
		}
	}
	T_EQ_INT(bad, 0);
	buf_free(&b);
}

/* Random byte strings from a fixed seed: always valid JSON. */
static void
test_random_bytes(void)
{
	struct mk_buf	b;
	uint8_t		s[24];
	uint32_t	x = 12345;
	size_t		n, k;
	int		i, bad = 0;

	buf_init(&b, 0);
	for (i = 0; i < 50000; i++) {
		x = x * 1103515245u + 12345u;
		n = (x >> 16) % sizeof(s);
		for (k = 0; k < n; k++) {
			x = x * 1103515245u + 12345u;
			/* Lean to the interesting bytes. */
			s[k] = (uint8_t)((x >> 16) & 1 ? 0x80 | (x >> 20) :
			    (x >> 20));
		}
		buf_reset(&b);
		if (json_quote(&b, s, n) == -1 || !valid(b.p, b.len))
			bad++;
	}
	T_EQ_INT(bad, 0);
	buf_free(&b);
}

/* A small document written with every kind of value. */
static int
write_doc(struct json_w *w)
{
	int rc = 0;

	rc |= json_obj_begin(w);
	rc |= json_kv_int(w, "a", 1);
	rc |= json_key(w, "b");
	rc |= json_arr_begin(w);
	rc |= json_bool(w, 1);
	rc |= json_bool(w, 0);
	rc |= json_null(w);
	rc |= json_str(w, "x");
	rc |= json_arr_end(w);
	rc |= json_key(w, "c");
	rc |= json_obj_begin(w);
	rc |= json_obj_end(w);
	rc |= json_key(w, "d");
	rc |= json_arr_begin(w);
	rc |= json_arr_end(w);
	rc |= json_kv_int(w, "e", LLONG_MIN);
	rc |= json_kv_uint(w, "f", ULLONG_MAX);
	rc |= json_kv_str(w, "g", NULL);
	rc |= json_kv_strn(w, "h\n", "\0", 1);
	rc |= json_kv_bool(w, "i", 7);
	rc |= json_obj_end(w);
	rc |= json_end_document(w);
	return rc;
}

static void
test_compact(void)
{
	struct json_w	w;
	struct mk_buf	b;

	buf_init(&b, 0);
	json_init_buf(&w, &b, 0);
	T_EQ_INT(write_doc(&w), 0);
	T_EQ_STR(buf_str(&b), "{\"a\":1,\"b\":[true,false,null,\"x\"],"
	    "\"c\":{},\"d\":[],\"e\":-9223372036854775808,"
	    "\"f\":18446744073709551615,\"g\":null,\"h\\n\":\"\\u0000\","
	    "\"i\":true}\n");
	T_CHECK(valid_lines((char *)b.p, b.len));
	T_EQ_INT(json_error(&w, NULL), 0);
	buf_free(&b);
}

static void
test_pretty(void)
{
	struct json_w	w;
	struct mk_buf	b;

	buf_init(&b, 0);
	json_init_buf(&w, &b, JSON_PRETTY);
	T_EQ_INT(write_doc(&w), 0);
	T_EQ_STR(buf_str(&b),
	    "{\n"
	    "  \"a\": 1,\n"
	    "  \"b\": [\n"
	    "    true,\n"
	    "    false,\n"
	    "    null,\n"
	    "    \"x\"\n"
	    "  ],\n"
	    "  \"c\": {},\n"
	    "  \"d\": [],\n"
	    "  \"e\": -9223372036854775808,\n"
	    "  \"f\": 18446744073709551615,\n"
	    "  \"g\": null,\n"
	    "  \"h\\n\": \"\\u0000\",\n"
	    "  \"i\": true\n"
	    "}\n");
	T_CHECK(valid(b.p, b.len));
	buf_free(&b);
}

static void
test_ndjson_and_array(void)
{
	struct json_w	w;
	struct mk_buf	b;
	int		i;

	buf_init(&b, 0);
	json_init_buf(&w, &b, 0);
	for (i = 1; i <= 3; i++) {
		T_EQ_INT(json_obj_begin(&w), 0);
		T_EQ_INT(json_kv_int(&w, "n", i), 0);
		T_EQ_INT(json_obj_end(&w), 0);
		T_EQ_INT(json_end_document(&w), 0);
	}
	T_EQ_INT(json_str(&w, "scalar"), 0);
	T_EQ_INT(json_end_document(&w), 0);
	T_EQ_STR(buf_str(&b), "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n\"scalar\"\n");
	T_CHECK(valid_lines((char *)b.p, b.len));

	buf_reset(&b);
	json_init_buf(&w, &b, 0);
	T_EQ_INT(json_arr_begin(&w), 0);
	for (i = 1; i <= 2; i++) {
		T_EQ_INT(json_obj_begin(&w), 0);
		T_EQ_INT(json_kv_int(&w, "n", i), 0);
		T_EQ_INT(json_obj_end(&w), 0);
	}
	T_EQ_INT(json_arr_end(&w), 0);
	T_EQ_INT(json_end_document(&w), 0);
	T_EQ_STR(buf_str(&b), "[{\"n\":1},{\"n\":2}]\n");
	buf_free(&b);
}

/* Run one misuse: setup calls succeed, the last call must fail. */
static void
check_misuse(int (*f)(struct json_w *), const char *want_out,
    const char *label)
{
	struct json_w	w;
	struct mk_buf	b;
	struct mk_err	e;
	size_t		len;

	buf_init(&b, 0);
	json_init_buf(&w, &b, 0);
	if (f(&w) != -1) {
		printf("#   %s: misuse not caught\n", label);
		t_cur_failed = 1;
	}
	T_EQ_INT(json_error(&w, &e), -1);
	T_EQ_INT(e.st, MK_ESOFTWARE);
	T_CHECK(strncmp(e.msg, "json: ", 6) == 0);
	/* Sticky: nothing more is written. */
	len = b.len;
	T_EQ_INT(json_null(&w), -1);
	T_EQ_INT(json_obj_end(&w), -1);
	T_EQ_INT(json_end_document(&w), -1);
	T_EQ_INT(b.len, len);
	if (strcmp(buf_str(&b), want_out) != 0) {
		printf("#   %s: output \"%s\", expected \"%s\"\n", label,
		    buf_str(&b), want_out);
		t_cur_failed = 1;
	}
	buf_free(&b);
}

static int
mu_key_top(struct json_w *w)
{
	return json_key(w, "a");
}

static int
mu_key_in_array(struct json_w *w)
{
	json_arr_begin(w);
	return json_key(w, "a");
}

static int
mu_value_no_key(struct json_w *w)
{
	json_obj_begin(w);
	return json_int(w, 1);
}

static int
mu_key_key(struct json_w *w)
{
	json_obj_begin(w);
	json_key(w, "a");
	return json_key(w, "b");
}

static int
mu_end_pending_key(struct json_w *w)
{
	json_obj_begin(w);
	json_key(w, "a");
	return json_obj_end(w);
}

static int
mu_end_mismatch(struct json_w *w)
{
	json_obj_begin(w);
	return json_arr_end(w);
}

static int
mu_end_none(struct json_w *w)
{
	return json_arr_end(w);
}

static int
mu_two_values(struct json_w *w)
{
	json_int(w, 1);
	return json_int(w, 2);
}

static int
mu_doc_open(struct json_w *w)
{
	json_arr_begin(w);
	return json_end_document(w);
}

static int
mu_doc_empty(struct json_w *w)
{
	return json_end_document(w);
}

static int
mu_too_deep(struct json_w *w)
{
	int i;

	for (i = 0; i < JSON_MAXDEPTH; i++)
		if (json_arr_begin(w) == -1)
			return 0;	/* too early: reported as not caught */
	return json_arr_begin(w);
}

static int
mu_null_key(struct json_w *w)
{
	json_obj_begin(w);
	return json_key(w, NULL);
}

static void
test_misuse(void)
{
	char deep[JSON_MAXDEPTH + 1];

	check_misuse(mu_key_top, "", "key at top level");
	check_misuse(mu_key_in_array, "[", "key in array");
	check_misuse(mu_value_no_key, "{", "value without key");
	check_misuse(mu_key_key, "{\"a\":", "key after key");
	check_misuse(mu_end_pending_key, "{\"a\":", "end after key");
	check_misuse(mu_end_mismatch, "{", "mismatched end");
	check_misuse(mu_end_none, "", "end without begin");
	check_misuse(mu_two_values, "1", "two top-level values");
	check_misuse(mu_doc_open, "[", "document still open");
	check_misuse(mu_doc_empty, "", "empty document");
	memset(deep, '[', JSON_MAXDEPTH);
	deep[JSON_MAXDEPTH] = '\0';
	check_misuse(mu_too_deep, deep, "nesting too deep");
	check_misuse(mu_null_key, "{", "NULL key");
}

static void
test_file_sink(void)
{
	struct json_w	 w;
	struct mk_err	 e;
	FILE		*fp;
	char		*s = NULL;
	size_t		 n = 0;

	if ((fp = open_memstream(&s, &n)) == NULL) {
		T_CHECK(fp != NULL);
		return;
	}
	json_init_file(&w, fp, 0);
	T_EQ_INT(json_obj_begin(&w), 0);
	T_EQ_INT(json_kv_strn(&w, "k", "v\xff", 2), 0);
	T_EQ_INT(json_obj_end(&w), 0);
	T_EQ_INT(json_end_document(&w), 0);
	T_EQ_STR(s, "{\"k\":\"v" R "\"}\n");
	fclose(fp);
	free(s);

	/* /dev/full: the flush at the end of the document fails. */
	if ((fp = fopen("/dev/full", "w")) == NULL)
		return;
	json_init_file(&w, fp, 0);
	T_EQ_INT(json_str(&w, "x"), 0);
	T_EQ_INT(json_end_document(&w), -1);
	T_EQ_INT(json_error(&w, &e), -1);
	T_EQ_INT(e.st, MK_EIO);
	T_CHECK(strstr(e.msg, "write error") != NULL);
	T_CHECK(strstr(e.msg, strerror(ENOSPC)) != NULL);
	fclose(fp);
}

static void
test_buf_cap(void)
{
	struct json_w	w;
	struct mk_buf	b;
	struct mk_err	e;

	buf_init(&b, 8);
	json_init_buf(&w, &b, 0);
	T_EQ_INT(json_arr_begin(&w), 0);
	T_EQ_INT(json_str(&w, "this is too long"), -1);
	T_EQ_INT(json_error(&w, &e), -1);
	T_EQ_INT(e.st, MK_ESOFTWARE);
	T_EQ_STR(e.msg, "json: output buffer full");
	buf_free(&b);
}

/* A caller's own sink; a big string reaches it in chunks. */
static int
plain_sink(void *arg, const char *p, size_t n)
{
	return buf_add(arg, p, n);
}

static void
test_custom_sink(void)
{
	struct json_w	 w;
	struct mk_buf	 b;
	char		*big;
	size_t		 n = 100000;

	if ((big = malloc(n)) == NULL)
		return;
	memset(big, '\n', n);
	buf_init(&b, 0);
	json_init_sink(&w, plain_sink, &b, 0);
	T_EQ_INT(json_strn(&w, big, n), 0);
	T_EQ_INT(json_end_document(&w), 0);
	T_EQ_INT(b.len, 2 * n + 3);
	T_CHECK(valid_lines((char *)b.p, b.len));
	buf_free(&b);
	free(big);
}

/* A pre-rendered value takes its place among members and elements. */
static void
test_raw(void)
{
	struct json_w	w;
	struct mk_buf	b;

	buf_init(&b, 0);
	json_init_buf(&w, &b, 0);
	json_obj_begin(&w);
	json_kv_int(&w, "a", 1);
	json_key(&w, "r");
	T_EQ_INT(json_raw(&w, "[{\"x\":2}]", 9), 0);
	json_key(&w, "l");
	json_arr_begin(&w);
	json_raw(&w, "3", 1);
	json_raw(&w, "{}", 2);
	json_arr_end(&w);
	json_obj_end(&w);
	T_EQ_INT(json_end_document(&w), 0);
	T_EQ_STR(buf_str(&b), "{\"a\":1,\"r\":[{\"x\":2}],\"l\":[3,{}]}\n");
	buf_free(&b);
	/* Outside an object it is misuse, as any value after a key is. */
	buf_init(&b, 0);
	json_init_buf(&w, &b, 0);
	json_obj_begin(&w);
	T_EQ_INT(json_raw(&w, "1", 1), -1);
	buf_free(&b);
}

int
main(void)
{
	T_RUN(test_validator);
	T_RUN(test_controls);
	T_RUN(test_quote_backslash);
	T_RUN(test_nul);
	T_RUN(test_utf8_valid);
	T_RUN(test_escaped_code_points);
	T_RUN(test_utf8_invalid);
	T_RUN(test_unicode_example);
	T_RUN(test_all_bytes);
	T_RUN(test_random_bytes);
	T_RUN(test_compact);
	T_RUN(test_pretty);
	T_RUN(test_ndjson_and_array);
	T_RUN(test_misuse);
	T_RUN(test_file_sink);
	T_RUN(test_buf_cap);
	T_RUN(test_custom_sink);
	T_RUN(test_raw);
	T_DONE();
}
