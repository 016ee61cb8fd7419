/*
 * b64.c: streaming base64.
 *
 * The encoder turns 12 input bits into two characters with one lookup
 * (e12, 8 KiB), so 3 bytes cost 2 lookups and no branches.  The decoder
 * reads 4 characters at a time through four 256-entry tables that hold
 * each character's 6 bits already shifted into place; an OR of the four
 * gives the 24 output bits, and one flag bit set by every byte outside
 * the alphabet sends the group to a byte-at-a-time slow path, which also
 * handles whitespace, padding and errors.  All tables are built by the
 * preprocessor, so they are constant and shared.
 *
 * On x86 the bulk of both directions has SSSE3 and AVX2 versions, chosen
 * at run time (b64_impl_set()), compiled with per-function target
 * attributes so that the rest of the build stays portable.  They follow
 * the published vector base64 techniques (Mula, Lemire, Kurz): bytes are
 * shuffled into place, 6-bit fields split out with multiplies, and
 * characters mapped through 16-entry pshufb tables keyed by a nibble.
 * They only ever do what the scalar fast paths do: encode whole groups,
 * and decode runs of alphabet characters between line breaks; anything
 * else in the input is left to the scalar code, which stays the
 * reference that the unit tests compare them with.
 */
#include <stdlib.h>
#include <string.h>

#include "b64.h"

#if (defined(__x86_64__) || defined(__i386__)) && \
    (defined(__GNUC__) || defined(__clang__))
#define B64_X86	1
#include <immintrin.h>
#endif

/* The character for a 6-bit value (RFC 4648 table 1), as a constant. */
#define B64C(x)	((x) < 26 ? 'A' + (x) : (x) < 52 ? 'a' + (x) - 26 : \
	    (x) < 62 ? '0' + (x) - 52 : (x) == 62 ? '+' : '/')

/* The 6-bit value of a character, 64 for '=', 65 for blanks, 66 else. */
#define V_PAD	64
#define V_WS	65
#define V_BAD	66
#define B64V(c)	((c) >= 'A' && (c) <= 'Z' ? (c) - 'A' :			\
	    (c) >= 'a' && (c) <= 'z' ? (c) - 'a' + 26 :			\
	    (c) >= '0' && (c) <= '9' ? (c) - '0' + 52 :			\
	    (c) == '+' ? 62 : (c) == '/' ? 63 : (c) == '=' ? V_PAD :	\
	    (c) == ' ' || (c) == '\t' || (c) == '\r' || (c) == '\n' ||	\
	    (c) == '\f' || (c) == '\v' ? V_WS : V_BAD)

/* Set in a fast-table entry for anything that is not a data character. */
#define BAD	0x80000000u
#define DT(c, sh)	(B64V(c) < 64 ? (uint32_t)B64V(c) << (sh) : BAD)

#define R4(f, i)	f(i), f((i) + 1), f((i) + 2), f((i) + 3)
#define R16(f, i)	R4(f, i), R4(f, (i) + 4), R4(f, (i) + 8), \
	    R4(f, (i) + 12)
#define R64(f, i)	R16(f, i), R16(f, (i) + 16), R16(f, (i) + 32), \
	    R16(f, (i) + 48)
#define R256(f, i)	R64(f, i), R64(f, (i) + 64), R64(f, (i) + 128), \
	    R64(f, (i) + 192)
#define R1024(f, i)	R256(f, i), R256(f, (i) + 256), R256(f, (i) + 512), \
	    R256(f, (i) + 768)
#define R4096(f, i)	R1024(f, i), R1024(f, (i) + 1024), \
	    R1024(f, (i) + 2048), R1024(f, (i) + 3072)

#define E2(i)	B64C(((i) >> 6) & 63), B64C((i) & 63)
#define D0(c)	DT(c, 18)
#define D1(c)	DT(c, 12)
#define D2(c)	DT(c, 6)
#define D3(c)	DT(c, 0)
#define DV(c)	(uint8_t)B64V(c)

static const char	 e12[8192] = { R4096(E2, 0) };
static const uint32_t	 d0[256] = { R256(D0, 0) };
static const uint32_t	 d1[256] = { R256(D1, 0) };
static const uint32_t	 d2[256] = { R256(D2, 0) };
static const uint32_t	 d3[256] = { R256(D3, 0) };
static const uint8_t	 dv[256] = { R256(DV, 0) };

static inline uint64_t load64(const uint8_t *);
static char	*enc_groups_scalar(const uint8_t *, size_t, const uint8_t *,
		    char *);
static char	*enc_groups(const uint8_t *, size_t, const uint8_t *, char *);
static inline char *enc_eol(const struct b64_enc *, char *);
static char	*enc_put(struct b64_enc *, const char *, size_t, char *);
static char	*enc_lines(struct b64_enc *, const uint8_t *, size_t,
		    const uint8_t *, char *);
static const uint8_t *dec_fast(const uint8_t *, const uint8_t *,
		    uint8_t **);
static int	 dec_slow(struct b64_dec *, uint8_t, uint64_t, uint8_t **);
static int	 dec_fail(struct b64_dec *, const char *, uint64_t);
static int	 impl_now(void);
static int	 impl_best(void);

/* The implementation in use; -1 until the first call decides. */
static int	 b64_impl = -1;

/*
 * Run-time choice of implementation.
 */

/* The best the CPU offers, or scalar when MKIT_B64_SCALAR is set. */
static int
impl_best(void)
{
	const char *s = getenv("MKIT_B64_SCALAR");

	if (s != NULL && *s != '\0' && strcmp(s, "0") != 0)
		return B64_IMPL_SCALAR;
#ifdef B64_X86
	if (__builtin_cpu_supports("avx2"))
		return B64_IMPL_AVX2;
	if (__builtin_cpu_supports("ssse3"))
		return B64_IMPL_SSSE3;
#endif
	return B64_IMPL_SCALAR;
}

/* The implementation in use, deciding on the first call. */
static int
impl_now(void)
{
	int i = __atomic_load_n(&b64_impl, __ATOMIC_RELAXED);

	if (i < 0) {
		i = impl_best();
		__atomic_store_n(&b64_impl, i, __ATOMIC_RELAXED);
	}
	return i;
}

int
b64_impl_set(int want)
{
	int i = B64_IMPL_SCALAR;

	if (want == B64_IMPL_AUTO)
		i = impl_best();
#ifdef B64_X86
	else if (want >= B64_IMPL_AVX2 && __builtin_cpu_supports("avx2"))
		i = B64_IMPL_AVX2;
	else if (want >= B64_IMPL_SSSE3 && __builtin_cpu_supports("ssse3"))
		i = B64_IMPL_SSSE3;
#endif
	__atomic_store_n(&b64_impl, i, __ATOMIC_RELAXED);
	return i;
}

int
b64_impl_get(void)
{
	return impl_now();
}

const char *
b64_impl_name(int impl)
{
	switch (impl) {
	case B64_IMPL_SCALAR:
		return "scalar";
	case B64_IMPL_SSSE3:
		return "ssse3";
	case B64_IMPL_AVX2:
		return "avx2";
	default:
		return "unknown";
	}
}

#ifdef B64_X86
/*
 * Vector code.  Loads and stores are the unaligned intrinsics (loadu,
 * storeu, storel), which carry no alignment or aliasing assumption.
 *
 * Encoding, per 32-bit lane holding one group of input bytes a, b, c
 * (shuffled to the byte order b a c b): the 16-bit halves are then "ab"
 * and "bc" read big-endian; a multiply-high by 2^6 and 2^10 brings the
 * first and third 6-bit fields down to bits 0-5 of each half, a
 * multiply-low by 2^4 and 2^8 lifts the second and fourth to bits 8-13,
 * and the OR of the two is the four indices, one per byte.  An index
 * becomes its character by adding an offset looked up by its range:
 * saturating index - 51 gives 0 for 0-51 and 1-12 for the digits, '+'
 * and '/'; indices below 26 are moved to slot 13.
 *
 * Decoding classifies each character by its high and low nibble: a
 * character is in the alphabet exactly when the AND of two 16-entry
 * bit tables indexed by the nibbles is zero.  The high nibble (minus one
 * for '/', which shares it with '+') then picks the offset to its 6-bit
 * value.  Two multiply-adds pack four 6-bit values into 24 bits per
 * lane, and a shuffle takes out the three bytes big-endian.
 */
#define ENC_SHUF	1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10
#define ENC_OFF		71, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, \
			-19, -16, 65, 0, 0
#define DEC_LO		0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, \
			0x11, 0x11, 0x13, 0x1a, 0x1b, 0x1b, 0x1b, 0x1a
#define DEC_HI		0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, \
			0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10
#define DEC_OFF		0, 16, 19, 4, -65, -65, -71, -71, \
			0, 0, 0, 0, 0, 0, 0, 0
#define DEC_PACK	2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, \
			-1, -1, -1, -1

/* 12 input bytes (16 readable) to 16 characters. */
__attribute__((target("ssse3")))
static inline __m128i
enc_ssse3(const uint8_t *in)
{
	__m128i v, t, u, r;

	v = _mm_loadu_si128((const __m128i *)(const void *)in);
	v = _mm_shuffle_epi8(v, _mm_setr_epi8(ENC_SHUF));
	t = _mm_mulhi_epu16(_mm_and_si128(v, _mm_set1_epi32(0x0fc0fc00)),
	    _mm_set1_epi32(0x04000040));
	u = _mm_mullo_epi16(_mm_and_si128(v, _mm_set1_epi32(0x003f03f0)),
	    _mm_set1_epi32(0x01000010));
	v = _mm_or_si128(t, u);
	r = _mm_subs_epu8(v, _mm_set1_epi8(51));
	r = _mm_or_si128(r, _mm_and_si128(_mm_cmpgt_epi8(_mm_set1_epi8(26),
	    v), _mm_set1_epi8(13)));
	return _mm_add_epi8(v, _mm_shuffle_epi8(_mm_setr_epi8(ENC_OFF), r));
}

/* 24 input bytes (28 readable) to 32 characters. */
__attribute__((target("avx2")))
static inline __m256i
enc_avx2(const uint8_t *in)
{
	__m256i v, t, u, r;

	v = _mm256_inserti128_si256(_mm256_castsi128_si256(
	    _mm_loadu_si128((const __m128i *)(const void *)in)),
	    _mm_loadu_si128((const __m128i *)(const void *)(in + 12)), 1);
	v = _mm256_shuffle_epi8(v, _mm256_setr_epi8(ENC_SHUF, ENC_SHUF));
	t = _mm256_mulhi_epu16(_mm256_and_si256(v,
	    _mm256_set1_epi32(0x0fc0fc00)), _mm256_set1_epi32(0x04000040));
	u = _mm256_mullo_epi16(_mm256_and_si256(v,
	    _mm256_set1_epi32(0x003f03f0)), _mm256_set1_epi32(0x01000010));
	v = _mm256_or_si256(t, u);
	r = _mm256_subs_epu8(v, _mm256_set1_epi8(51));
	r = _mm256_or_si256(r, _mm256_and_si256(_mm256_cmpgt_epi8(
	    _mm256_set1_epi8(26), v), _mm256_set1_epi8(13)));
	return _mm256_add_epi8(v, _mm256_shuffle_epi8(
	    _mm256_setr_epi8(ENC_OFF, ENC_OFF), r));
}

/*
 * Encode whole groups, 4 or 8 at a time, while the input stays readable
 * far enough; returns the number of groups done.
 */
__attribute__((target("ssse3")))
static size_t
enc_groups_ssse3(const uint8_t *in, size_t ng, const uint8_t *end,
    char *o)
{
	size_t k = 0;

	for (; ng - k >= 4 && end - in >= 16; k += 4, in += 12, o += 16)
		_mm_storeu_si128((__m128i *)(void *)o, enc_ssse3(in));
	return k;
}

__attribute__((target("avx2")))
static size_t
enc_groups_avx2(const uint8_t *in, size_t ng, const uint8_t *end, char *o)
{
	size_t k = 0;

	for (; ng - k >= 8 && end - in >= 28; k += 8, in += 24, o += 32)
		_mm256_storeu_si256((__m256i *)(void *)o, enc_avx2(in));
	return k;
}

/*
 * Encode nl lines of g groups each (g >= 8), each followed by eol; the
 * input holds at least one more whole line after them, which the caller
 * encodes next.  A line's last few groups are encoded with one whole
 * vector that ends with the line and overlaps the vector before it, so
 * no scalar tail is needed; that vector reads 4 bytes past the line.
 * The line break is written from two chars held in registers: stores
 * through o could alias eol and make the compiler reload it.
 */
__attribute__((target("ssse3")))
static char *
enc_lines_ssse3(const uint8_t *in, size_t nl, size_t g, const char *eol,
    size_t eollen, char *o)
{
	const char	c0 = eol[0], c1 = eollen > 1 ? eol[1] : '\0';
	size_t		k;

	for (; nl > 0; nl--) {
		for (k = 0; k + 4 <= g; k += 4)
			_mm_storeu_si128((__m128i *)(void *)(o + 4 * k),
			    enc_ssse3(in + 3 * k));
		if (k < g)
			_mm_storeu_si128((__m128i *)(void *)(o + 4 * g - 16),
			    enc_ssse3(in + 3 * g - 12));
		in += 3 * g;
		o += 4 * g;
		*o++ = c0;
		if (eollen > 1)
			*o++ = c1;
	}
	return o;
}

__attribute__((target("avx2")))
static char *
enc_lines_avx2(const uint8_t *in, size_t nl, size_t g, const char *eol,
    size_t eollen, char *o)
{
	const char	c0 = eol[0], c1 = eollen > 1 ? eol[1] : '\0';
	size_t		k;

	for (; nl > 0; nl--) {
		for (k = 0; k + 8 <= g; k += 8)
			_mm256_storeu_si256((__m256i *)(void *)(o + 4 * k),
			    enc_avx2(in + 3 * k));
		if (k < g)
			_mm256_storeu_si256((__m256i *)(void *)(o + 4 * g - 32),
			    enc_avx2(in + 3 * g - 24));
		in += 3 * g;
		o += 4 * g;
		*o++ = c0;
		if (eollen > 1)
			*o++ = c1;
	}
	return o;
}

/*
 * Decode 16 or 32 characters at s into 12 or 24 bytes at o.  Returns 0,
 * or, writing nothing, a mask with bit i set for each s[i] outside the
 * alphabet.
 */
__attribute__((target("ssse3")))
static inline uint32_t
dec_ssse3(const uint8_t *s, uint8_t *o)
{
	__m128i		v, hi, bad;
	uint32_t	m, w;

	v = _mm_loadu_si128((const __m128i *)(const void *)s);
	hi = _mm_and_si128(_mm_srli_epi32(v, 4), _mm_set1_epi8(0x0f));
	bad = _mm_and_si128(_mm_shuffle_epi8(_mm_setr_epi8(DEC_LO),
	    _mm_and_si128(v, _mm_set1_epi8(0x0f))),
	    _mm_shuffle_epi8(_mm_setr_epi8(DEC_HI), hi));
	m = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(bad,
	    _mm_setzero_si128())) ^ 0xffffu;
	if (m != 0)
		return m;
	hi = _mm_add_epi8(hi, _mm_cmpeq_epi8(v, _mm_set1_epi8('/')));
	v = _mm_add_epi8(v, _mm_shuffle_epi8(_mm_setr_epi8(DEC_OFF), hi));
	v = _mm_maddubs_epi16(v, _mm_set1_epi32(0x01400140));
	v = _mm_madd_epi16(v, _mm_set1_epi32(0x00011000));
	v = _mm_shuffle_epi8(v, _mm_setr_epi8(DEC_PACK));
	_mm_storel_epi64((__m128i *)(void *)o, v);
	w = (uint32_t)_mm_cvtsi128_si32(_mm_srli_si128(v, 8));
	memcpy(o + 8, &w, 4);
	return 0;
}

__attribute__((target("avx2")))
static inline uint32_t
dec_avx2(const uint8_t *s, uint8_t *o)
{
	__m256i		v, hi, bad;
	uint32_t	m;

	v = _mm256_loadu_si256((const __m256i *)(const void *)s);
	hi = _mm256_and_si256(_mm256_srli_epi32(v, 4),
	    _mm256_set1_epi8(0x0f));
	bad = _mm256_and_si256(_mm256_shuffle_epi8(
	    _mm256_setr_epi8(DEC_LO, DEC_LO),
	    _mm256_and_si256(v, _mm256_set1_epi8(0x0f))),
	    _mm256_shuffle_epi8(_mm256_setr_epi8(DEC_HI, DEC_HI), hi));
	m = ~(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(bad,
	    _mm256_setzero_si256()));
	if (m != 0)
		return m;
	hi = _mm256_add_epi8(hi, _mm256_cmpeq_epi8(v, _mm256_set1_epi8('/')));
	v = _mm256_add_epi8(v, _mm256_shuffle_epi8(
	    _mm256_setr_epi8(DEC_OFF, DEC_OFF), hi));
	v = _mm256_maddubs_epi16(v, _mm256_set1_epi32(0x01400140));
	v = _mm256_madd_epi16(v, _mm256_set1_epi32(0x00011000));
	v = _mm256_shuffle_epi8(v, _mm256_setr_epi8(DEC_PACK, DEC_PACK));
	v = _mm256_permutevar8x32_epi32(v,
	    _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 7, 7));
	_mm_storeu_si128((__m128i *)(void *)o, _mm256_castsi256_si128(v));
	_mm_storel_epi64((__m128i *)(void *)(o + 16),
	    _mm256_extracti128_si256(v, 1));
	return 0;
}

/*
 * Decode the run of alphabet characters at p, which starts a group, a
 * vector at a time.  Returns where it stopped: at the first byte outside
 * the alphabet when that ends a group, else at the start of a group for
 * the scalar code to go on with.  A run's last groups short of a vector
 * are decoded by one more vector ending with them and overlapping what
 * was decoded before, when the run is long enough for that.
 */
__attribute__((target("ssse3")))
static const uint8_t *
dec_run_ssse3(const uint8_t *p, const uint8_t *end, uint8_t **op)
{
	const uint8_t	*start = p;
	uint8_t		*o = *op;
	uint32_t	 m;
	size_t		 g;

	while (end - p >= 16) {
		if ((m = dec_ssse3(p, o)) == 0) {
			p += 16;
			o += 12;
			continue;
		}
		g = (size_t)__builtin_ctz(m) & ~(size_t)3;
		if (g > 0 && (size_t)(p - start) >= 16 - g) {
			(void)dec_ssse3(p + g - 16, o + g / 4 * 3 - 12);
			p += g;
			o += g / 4 * 3;
		}
		break;
	}
	*op = o;
	return p;
}

__attribute__((target("avx2")))
static const uint8_t *
dec_run_avx2(const uint8_t *p, const uint8_t *end, uint8_t **op)
{
	const uint8_t	*start = p;
	uint8_t		*o = *op;
	uint32_t	 m;
	size_t		 g;

	while (end - p >= 32) {
		if ((m = dec_avx2(p, o)) == 0) {
			p += 32;
			o += 24;
			continue;
		}
		g = (size_t)__builtin_ctz(m) & ~(size_t)3;
		if (g > 0 && (size_t)(p - start) >= 32 - g) {
			(void)dec_avx2(p + g - 32, o + g / 4 * 3 - 24);
			p += g;
			o += g / 4 * 3;
		}
		break;
	}
	*op = o;
	return p;
}
#endif /* B64_X86 */

void
b64_enc_init(struct b64_enc *e, size_t wrap, const char *eol)
{
	memset(e, 0, sizeof(*e));
	e->wrap = wrap;
	e->eol = eol != NULL ? eol : "\n";
	e->eollen = strlen(e->eol);
}

/* Eight bytes as a big-endian number; compilers make this one load. */
static inline uint64_t
load64(const uint8_t *p)
{
	return (uint64_t)p[0] << 56 | (uint64_t)p[1] << 48 |
	    (uint64_t)p[2] << 40 | (uint64_t)p[3] << 32 |
	    (uint64_t)p[4] << 24 | (uint64_t)p[5] << 16 |
	    (uint64_t)p[6] << 8 | p[7];
}

size_t
b64_enc_bound(const struct b64_enc *e, size_t n)
{
	size_t chars;

	/*
	 * Up to two held bytes join n, and _final adds one group.  A
	 * line begun by an earlier call can end within these characters,
	 * and _final ends the last line: two breaks more than chars / wrap.
	 */
	chars = ((n + 2) / 3 + 1) * 4;
	if (e->wrap == 0)
		return chars;
	return chars + (chars / e->wrap + 2) * e->eollen;
}

/*
 * Encode ng whole groups of 3 bytes as one unbroken run.  The loops read
 * 8 bytes at a time as a big-endian number of which the top 48 bits
 * count, so they run only while end, the end of readable input, is at
 * least 8 bytes away.
 */
static char *
enc_groups_scalar(const uint8_t *in, size_t ng, const uint8_t *end, char *o)
{
	uint64_t v, w;
	uint32_t a;

	for (; ng >= 4 && end - in >= 14; ng -= 4, in += 12, o += 16) {
		v = load64(in);
		w = load64(in + 6);
		memcpy(o, e12 + 2 * (v >> 52), 2);
		memcpy(o + 2, e12 + 2 * (v >> 40 & 0xfff), 2);
		memcpy(o + 4, e12 + 2 * (v >> 28 & 0xfff), 2);
		memcpy(o + 6, e12 + 2 * (v >> 16 & 0xfff), 2);
		memcpy(o + 8, e12 + 2 * (w >> 52), 2);
		memcpy(o + 10, e12 + 2 * (w >> 40 & 0xfff), 2);
		memcpy(o + 12, e12 + 2 * (w >> 28 & 0xfff), 2);
		memcpy(o + 14, e12 + 2 * (w >> 16 & 0xfff), 2);
	}
	for (; ng >= 2 && end - in >= 8; ng -= 2, in += 6, o += 8) {
		v = load64(in);
		memcpy(o, e12 + 2 * (v >> 52), 2);
		memcpy(o + 2, e12 + 2 * (v >> 40 & 0xfff), 2);
		memcpy(o + 4, e12 + 2 * (v >> 28 & 0xfff), 2);
		memcpy(o + 6, e12 + 2 * (v >> 16 & 0xfff), 2);
	}
	for (; ng > 0; ng--, in += 3, o += 4) {
		a = (uint32_t)in[0] << 16 | (uint32_t)in[1] << 8 | in[2];
		memcpy(o, e12 + 2 * (a >> 12), 2);
		memcpy(o + 2, e12 + 2 * (a & 0xfff), 2);
	}
	return o;
}

/* Encode ng groups as enc_groups_scalar(), with vectors where there are. */
static char *
enc_groups(const uint8_t *in, size_t ng, const uint8_t *end, char *o)
{
#ifdef B64_X86
	size_t	k = 0;
	int	impl = ng >= 4 ? impl_now() : B64_IMPL_SCALAR;

	if (impl == B64_IMPL_AVX2)
		k = enc_groups_avx2(in, ng, end, o);
	else if (impl == B64_IMPL_SSSE3)
		k = enc_groups_ssse3(in, ng, end, o);
	in += 3 * k;
	o += 4 * k;
	ng -= k;
#endif
	return enc_groups_scalar(in, ng, end, o);
}

/* The line break; a loop, as a memcpy of a variable size is a call. */
static inline char *
enc_eol(const struct b64_enc *e, char *o)
{
	size_t i;

	for (i = 0; i < e->eollen; i++)
		*o++ = e->eol[i];
	return o;
}

/* Write n characters one at a time, breaking lines (any wrap). */
static char *
enc_put(struct b64_enc *e, const char *s, size_t n, char *o)
{
	size_t i;

	for (i = 0; i < n; i++) {
		*o++ = s[i];
		if (e->wrap != 0 && ++e->col == e->wrap) {
			o = enc_eol(e, o);
			e->col = 0;
		}
	}
	return o;
}

/* Encode ng groups of 3 bytes, with line breaks; end as enc_groups(). */
static char *
enc_lines(struct b64_enc *e, const uint8_t *in, size_t ng,
    const uint8_t *end, char *o)
{
	char	tmp[4];
	size_t	k;
#ifdef B64_X86
	size_t	g = e->wrap / 4, nl;
	int	impl = impl_now();
#endif

	if (e->wrap == 0)
		return enc_groups(in, ng, end, o);
	if (e->wrap % 4 == 0) {
		/* col stays a multiple of 4: whole groups fill each line. */
		while (ng > 0) {
#ifdef B64_X86
			/* Whole lines, all but the last one here. */
			if (e->col == 0 && g >= 8 && ng / g >= 2 &&
			    impl != B64_IMPL_SCALAR) {
				nl = ng / g - 1;
				o = impl == B64_IMPL_AVX2 ?
				    enc_lines_avx2(in, nl, g, e->eol,
				    e->eollen, o) :
				    enc_lines_ssse3(in, nl, g, e->eol,
				    e->eollen, o);
				in += 3 * g * nl;
				ng -= g * nl;
			}
#endif
			k = (e->wrap - e->col) / 4;
			if (k > ng)
				k = ng;
			o = enc_groups(in, k, end, o);
			in += 3 * k;
			ng -= k;
			e->col += 4 * k;
			if (e->col == e->wrap) {
				o = enc_eol(e, o);
				e->col = 0;
			}
		}
		return o;
	}
	for (; ng > 0; ng--, in += 3) {
		enc_groups_scalar(in, 1, end, tmp);
		o = enc_put(e, tmp, 4, o);
	}
	return o;
}

size_t
b64_enc_update(struct b64_enc *e, const uint8_t *in, size_t n, char *out)
{
	char	*o = out;
	size_t	 ng;

	if (e->ncarry > 0) {
		while (e->ncarry < 3 && n > 0) {
			e->carry[e->ncarry++] = *in++;
			n--;
		}
		if (e->ncarry < 3)
			return 0;
		o = enc_lines(e, e->carry, 1, e->carry + 3, o);
		e->ncarry = 0;
	}
	ng = n / 3;
	o = enc_lines(e, in, ng, in + n, o);
	in += 3 * ng;
	n -= 3 * ng;
	if (n > 0)
		memcpy(e->carry, in, n);
	e->ncarry = n;
	return (size_t)(o - out);
}

size_t
b64_enc_final(struct b64_enc *e, char *out)
{
	char	 tmp[4];
	char	*o = out;

	if (e->ncarry > 0) {
		if (e->ncarry == 1)
			e->carry[1] = 0;
		e->carry[2] = 0;
		enc_groups_scalar(e->carry, 1, e->carry + 3, tmp);
		tmp[3] = '=';
		if (e->ncarry == 1)
			tmp[2] = '=';
		o = enc_put(e, tmp, 4, o);
	}
	if (e->wrap != 0 && e->col > 0)
		o = enc_eol(e, o);
	e->col = 0;
	e->ncarry = 0;
	return (size_t)(o - out);
}

size_t
b64_encode(const uint8_t *in, size_t n, char *out)
{
	struct b64_enc	e;
	size_t		k;

	b64_enc_init(&e, 0, NULL);
	k = b64_enc_update(&e, in, n, out);
	return k + b64_enc_final(&e, out + k);
}

void
b64_dec_init(struct b64_dec *d, int lenient)
{
	memset(d, 0, sizeof(*d));
	d->lenient = lenient;
}

/*
 * Decode whole groups of 4 data characters while there are any, and step
 * over the line breaks between them; stop at the first group holding
 * anything else (other blanks, '=', a bad byte) for dec_slow().
 */
static const uint8_t *
dec_fast(const uint8_t *p, const uint8_t *end, uint8_t **op)
{
	uint8_t		*o = *op;
	uint32_t	 a, b, c, d;
#ifdef B64_X86
	int		 impl = impl_now();
#endif

	for (;;) {
#ifdef B64_X86
		if (impl != B64_IMPL_SCALAR) {
			p = impl == B64_IMPL_AVX2 ? dec_run_avx2(p, end, &o) :
			    dec_run_ssse3(p, end, &o);
			if (end - p >= 1 && p[0] == '\n') {
				p++;
				continue;
			}
			if (end - p >= 2 && p[0] == '\r' && p[1] == '\n') {
				p += 2;
				continue;
			}
		}
#endif
		while (end - p >= 16) {
			a = d0[p[0]] | d1[p[1]] | d2[p[2]] | d3[p[3]];
			b = d0[p[4]] | d1[p[5]] | d2[p[6]] | d3[p[7]];
			c = d0[p[8]] | d1[p[9]] | d2[p[10]] | d3[p[11]];
			d = d0[p[12]] | d1[p[13]] | d2[p[14]] | d3[p[15]];
			if ((a | b | c | d) & BAD)
				break;
			o[0] = (uint8_t)(a >> 16);
			o[1] = (uint8_t)(a >> 8);
			o[2] = (uint8_t)a;
			o[3] = (uint8_t)(b >> 16);
			o[4] = (uint8_t)(b >> 8);
			o[5] = (uint8_t)b;
			o[6] = (uint8_t)(c >> 16);
			o[7] = (uint8_t)(c >> 8);
			o[8] = (uint8_t)c;
			o[9] = (uint8_t)(d >> 16);
			o[10] = (uint8_t)(d >> 8);
			o[11] = (uint8_t)d;
			p += 16;
			o += 12;
		}
		while (end - p >= 4) {
			a = d0[p[0]] | d1[p[1]] | d2[p[2]] | d3[p[3]];
			if (a & BAD)
				break;
			o[0] = (uint8_t)(a >> 16);
			o[1] = (uint8_t)(a >> 8);
			o[2] = (uint8_t)a;
			p += 4;
			o += 3;
		}
		if (end - p >= 1 && p[0] == '\n')
			p++;
		else if (end - p >= 2 && p[0] == '\r' && p[1] == '\n')
			p += 2;
		else
			break;
	}
	*op = o;
	return p;
}

static int
dec_fail(struct b64_dec *d, const char *why, uint64_t off)
{
	d->err = why;
	d->erroff = off;
	return -1;
}

/* One byte c at input offset off, with all the rules. */
static int
dec_slow(struct b64_dec *d, uint8_t c, uint64_t off, uint8_t **op)
{
	uint8_t v = dv[c];

	if (v == V_WS)
		return 0;
	if (d->ended) {
		if (!d->lenient)
			return dec_fail(d, "data after padding", off);
		if (v >= 64)
			return 0;
		d->ended = 0;
	}
	if (d->npad) {
		/* "xx=" must be followed by the second '='. */
		*(*op)++ = (uint8_t)(d->acc >> 4);
		d->acc = 0;
		d->nq = 0;
		d->npad = 0;
		if (v == V_PAD) {
			d->ended = 1;
			return 0;
		}
		if (!d->lenient)
			return dec_fail(d, "bad padding", off);
		if (v >= 64)
			return 0;
	}
	if (v == V_PAD) {
		if (d->nq == 2) {
			d->npad = 1;
			return 0;
		}
		if (d->nq == 3) {
			*(*op)++ = (uint8_t)(d->acc >> 10);
			*(*op)++ = (uint8_t)(d->acc >> 2);
			d->acc = 0;
			d->nq = 0;
			d->ended = 1;
			return 0;
		}
		if (!d->lenient)
			return dec_fail(d, "bad padding", off);
		return 0;
	}
	if (v == V_BAD) {
		if (!d->lenient)
			return dec_fail(d, "invalid character", off);
		return 0;
	}
	if (d->nq == 0)
		d->qoff = off;
	d->acc = d->acc << 6 | v;
	if (++d->nq == 4) {
		*(*op)++ = (uint8_t)(d->acc >> 16);
		*(*op)++ = (uint8_t)(d->acc >> 8);
		*(*op)++ = (uint8_t)d->acc;
		d->acc = 0;
		d->nq = 0;
	}
	return 0;
}

int
b64_dec_update(struct b64_dec *d, const char *in, size_t n, uint8_t *out,
    size_t *outlen)
{
	const uint8_t	*base = (const uint8_t *)in;
	const uint8_t	*p = base, *end = base + n;
	uint8_t		*o = out;

	*outlen = 0;
	if (d->err != NULL)
		return -1;
	while (p < end) {
		if (d->nq == 0 && d->npad == 0 && !d->ended) {
			p = dec_fast(p, end, &o);
			if (p == end)
				break;
		}
		if (dec_slow(d, *p, d->off + (uint64_t)(p - base), &o) == -1) {
			d->off += (uint64_t)(p - base);
			*outlen = (size_t)(o - out);
			return -1;
		}
		p++;
	}
	d->off += n;
	*outlen = (size_t)(o - out);
	return 0;
}

int
b64_dec_final(struct b64_dec *d, uint8_t *out, size_t *outlen)
{
	size_t k = 0;

	*outlen = 0;
	if (d->err != NULL)
		return -1;
	if (d->nq > 0) {
		if (!d->lenient)
			return dec_fail(d, "truncated final quantum", d->qoff);
		if (d->nq == 2)
			out[k++] = (uint8_t)(d->acc >> 4);
		else if (d->nq == 3) {
			out[k++] = (uint8_t)(d->acc >> 10);
			out[k++] = (uint8_t)(d->acc >> 2);
		}
	}
	d->acc = 0;
	d->nq = d->npad = d->ended = 0;
	*outlen = k;
	return 0;
}

int
b64_decode(const char *in, size_t n, uint8_t *out, size_t *outlen,
    int lenient, const char **errp, size_t *erroffp)
{
	struct b64_dec	d;
	size_t		k1, k2 = 0;
	int		rc;

	b64_dec_init(&d, lenient);
	rc = b64_dec_update(&d, in, n, out, &k1);
	if (rc == 0)
		rc = b64_dec_final(&d, out + k1, &k2);
	*outlen = k1 + k2;
	if (rc == -1) {
		if (errp != NULL)
			*errp = d.err;
		if (erroffp != NULL)
			*erroffp = (size_t)d.erroff;
	}
	return rc;
}
