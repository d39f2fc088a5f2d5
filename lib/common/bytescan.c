#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytescan.h"

#if defined(__x86_64__) && defined(__GNUC__)
#define BYTESCAN_X86 1
#include <immintrin.h>
#endif

enum bytescan_path bytescan_in_use = BYTESCAN_PORTABLE;

static inline int
byte_stops(unsigned char c, enum bytescan_stop kind)
{
	if (kind == BYTESCAN_STOP_NONASCII)
		return c >= 0x80;
	if (kind == BYTESCAN_STOP_UNNAMED)
		return !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'));
	return c < 0x20 || c == '"' || c == '\\' ||
	    (kind != BYTESCAN_STOP_TEXT && c >= 0x80) || (kind == BYTESCAN_STOP_PRINTABLE && c == 0x7f);
}

/* Eight bytes at a time: the high bit of each byte that stops the run, by
   the "has a zero byte" trick (x - 1) & ~x, which flags exactly the bytes
   that are zero as long as no borrow reaches them from a lower byte, and a
   borrow only starts at a byte that is itself flagged. */
static inline uint64_t
word_stops(uint64_t w, enum bytescan_stop kind)
{
	const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
	uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\'), d = w ^ (ones * 0x7f);
	uint64_t m = ((w - ones * 0x20) & ~w) | ((q - ones) & ~q) | ((b - ones) & ~b);

	if (kind == BYTESCAN_STOP_NONASCII)
		return w & high;
	if (kind == BYTESCAN_STOP_TEXT)
		m &= ~w;   /* a byte from 0x80 up is text; its high bit only borrows upwards */
	else
		m |= w;
	if (kind == BYTESCAN_STOP_PRINTABLE)
		m |= (d - ones) & ~d;
	return m & high;
}

static inline size_t
run_portable(const unsigned char *p, size_t n, enum bytescan_stop kind)
{
	const unsigned char *s = p, *e = p + n;
	uint64_t w;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	while (kind != BYTESCAN_STOP_UNNAMED && e - p >= 8) {
		memcpy(&w, p, 8);
		if ((w = word_stops(w, kind)))
			return (size_t)(p - s) + ((size_t)__builtin_ctzll(w) >> 3);
		p += 8;
	}
#else
	(void)w;
#endif
	while (p < e && !byte_stops(*p, kind))
		p++;
	return (size_t)(p - s);
}

/* How many of the n bytes at p are well-formed UTF-8, one sequence at a
   time: n, or where the first sequence that is not begins. */
static size_t
utf8_portable(const unsigned char *s, size_t n)
{
	const unsigned char *p = s, *e = s + n;
	unsigned char c, lo, hi;
	size_t len, i;

	while (p < e) {
		if ((c = *p) < 0x80) {
			p++;
			continue;
		}
		lo = 0x80, hi = 0xbf;
		if (c >= 0xc2 && c <= 0xdf)
			len = 2;
		else if (c >= 0xe0 && c <= 0xef)
			len = 3, lo = c == 0xe0 ? 0xa0 : lo, hi = c == 0xed ? 0x9f : hi;
		else if (c >= 0xf0 && c <= 0xf4)
			len = 4, lo = c == 0xf0 ? 0x90 : lo, hi = c == 0xf4 ? 0x8f : hi;
		else
			break;
		if ((size_t)(e - p) < len || p[1] < lo || p[1] > hi)
			break;
		for (i = 2; i < len; i++)
			if (p[i] < 0x80 || p[i] > 0xbf)
				return (size_t)(p - s);
		p += len;
	}
	return (size_t)(p - s);
}

#ifdef BYTESCAN_X86
/* SSE2, 16 bytes a step (the lanes as bytescan.h finds them). */
static inline size_t
run_sse2(const unsigned char *p, size_t n, enum bytescan_stop kind)
{
	size_t i = 0;
	unsigned m;

	for (; n - i >= 16; i += 16)
		if ((m = bytescan_lanes16(_mm_loadu_si128((const __m128i *)(p + i)), kind)))
			return i + (size_t)__builtin_ctz(m);
	return i + run_portable(p + i, n - i, kind);
}

__attribute__((target("avx2"))) static inline unsigned
lanes_stop32(__m256i x, enum bytescan_stop kind)
{
	__m256i m = _mm256_or_si256(
	    _mm256_cmpeq_epi8(_mm256_min_epu8(x, _mm256_set1_epi8(0x1f)), x),
	    _mm256_or_si256(_mm256_cmpeq_epi8(x, _mm256_set1_epi8('"')),
		_mm256_cmpeq_epi8(x, _mm256_set1_epi8('\\'))));

	if (kind == BYTESCAN_STOP_NONASCII)
		return (unsigned)_mm256_movemask_epi8(x);
	if (kind == BYTESCAN_STOP_UNNAMED)  /* AVX2 has no signed "less than": swapped */
		return ~(unsigned)_mm256_movemask_epi8(_mm256_or_si256(
		    _mm256_and_si256(_mm256_cmpgt_epi8(x, _mm256_set1_epi8('a' - 1)),
			_mm256_cmpgt_epi8(_mm256_set1_epi8('z' + 1), x)),
		    _mm256_and_si256(_mm256_cmpgt_epi8(x, _mm256_set1_epi8('0' - 1)),
			_mm256_cmpgt_epi8(_mm256_set1_epi8('9' + 1), x))));
	if (kind != BYTESCAN_STOP_TEXT)
		m = _mm256_or_si256(m, x);
	if (kind == BYTESCAN_STOP_PRINTABLE)
		m = _mm256_or_si256(m, _mm256_cmpeq_epi8(x, _mm256_set1_epi8(0x7f)));
	return (unsigned)_mm256_movemask_epi8(m);
}

__attribute__((target("avx2"))) static size_t
run_avx2(const unsigned char *p, size_t n, enum bytescan_stop kind)
{
	size_t i = 0;
	unsigned m;

	for (; n - i >= 32; i += 32)
		if ((m = lanes_stop32(_mm256_loadu_si256((const __m256i *)(p + i)), kind)))
			return i + (size_t)__builtin_ctz(m);
	return i + run_sse2(p + i, n - i, kind);
}

/* The error classes of a pair of bytes (the one before, this one), as bits;
   a pair is wrong when the classes of its three nibbles share a bit. */
enum {
	TOO_SHORT = 1 << 0,   /* a lead byte not followed by a continuation */
	TOO_LONG = 1 << 1,    /* ASCII followed by a continuation */
	OVERLONG_3 = 1 << 2,  /* E0 80..9F */
	TOO_LARGE = 1 << 3,   /* F4 90..BF, F5..FF and a continuation */
	SURROGATE = 1 << 4,   /* ED A0..BF */
	OVERLONG_2 = 1 << 5,  /* C0 or C1 and a continuation */
	OVERLONG_4 = 1 << 6,  /* F0 80..8F; shared with F5..FF 80..8F */
	TWO_CONTS = 1 << 7,   /* a continuation after a continuation */
	CARRY = TOO_SHORT | TOO_LONG | TWO_CONTS,
};

/* The classes by the high nibble of the byte before, its low nibble, and
   the high nibble of this byte. */
static const unsigned char lead_high[16] = {
	TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG,
	TWO_CONTS, TWO_CONTS, TWO_CONTS, TWO_CONTS,
	TOO_SHORT | OVERLONG_2, TOO_SHORT, TOO_SHORT | OVERLONG_3 | SURROGATE,
	TOO_SHORT | TOO_LARGE | OVERLONG_4,
};
static const unsigned char lead_low[16] = {
	CARRY | OVERLONG_2 | OVERLONG_3 | OVERLONG_4, CARRY | OVERLONG_2, CARRY, CARRY,
	CARRY | TOO_LARGE, CARRY | TOO_LARGE | OVERLONG_4, CARRY | TOO_LARGE | OVERLONG_4,
	CARRY | TOO_LARGE | OVERLONG_4, CARRY | TOO_LARGE | OVERLONG_4,
	CARRY | TOO_LARGE | OVERLONG_4, CARRY | TOO_LARGE | OVERLONG_4,
	CARRY | TOO_LARGE | OVERLONG_4, CARRY | TOO_LARGE | OVERLONG_4,
	CARRY | TOO_LARGE | OVERLONG_4 | SURROGATE, CARRY | TOO_LARGE | OVERLONG_4,
	CARRY | TOO_LARGE | OVERLONG_4,
};
static const unsigned char next_high[16] = {
	TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT,
	TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | OVERLONG_4,
	TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE,
	TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE,
	TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE,
	TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT,
};

/* A 16-byte table in both halves, for a lookup of each lane's nibble. */
#define TABLE32(t) _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(t)))

/* The byte 1, 2 or 3 places before each lane of x, prev being the 32 bytes before x. */
#define BEFORE(x, prev, k) \
	_mm256_alignr_epi8((x), _mm256_permute2x128_si256((prev), (x), 0x21), 16 - (k))

__attribute__((target("avx2"))) static inline __m256i
utf8_errors32(__m256i x, __m256i prev)
{
	const __m256i low = _mm256_set1_epi8(0x0f);
	__m256i b1 = BEFORE(x, prev, 1), b2 = BEFORE(x, prev, 2), b3 = BEFORE(x, prev, 3);
	__m256i pair = _mm256_and_si256(
	    _mm256_and_si256(
		_mm256_shuffle_epi8(TABLE32(lead_high), _mm256_and_si256(_mm256_srli_epi16(b1, 4), low)),
		_mm256_shuffle_epi8(TABLE32(lead_low), _mm256_and_si256(b1, low))),
	    _mm256_shuffle_epi8(TABLE32(next_high), _mm256_and_si256(_mm256_srli_epi16(x, 4), low)));
	/* the third byte of E0..EF and the third and fourth of F0..F4 must be
	   continuations: their high bit, from a saturating subtraction */
	__m256i must = _mm256_and_si256(_mm256_or_si256(
	    _mm256_subs_epu8(b2, _mm256_set1_epi8(0xe0 - 0x80)),
	    _mm256_subs_epu8(b3, _mm256_set1_epi8(0xf0 - 0x80))), _mm256_set1_epi8((char)0x80));

	return _mm256_xor_si256(pair, must);
}

/* 32 bytes a step, then the rest padded with zeros: a zero after a lead
   byte is "too short", so a sequence cut by the end is caught. */
__attribute__((target("avx2"))) static int
utf8_avx2(const unsigned char *p, size_t n)
{
	__m256i prev = _mm256_setzero_si256(), err = prev, x;
	unsigned char tail[32] = { 0 };

	for (; n >= 32; p += 32, n -= 32) {
		x = _mm256_loadu_si256((const __m256i *)p);
		err = _mm256_or_si256(err, utf8_errors32(x, prev));
		prev = x;
	}
	memcpy(tail, p, n);
	x = _mm256_loadu_si256((const __m256i *)tail);
	err = _mm256_or_si256(err, utf8_errors32(x, prev));
	return _mm256_testz_si256(err, err);
}

/* SSE2 has no byte shuffle for the lookup above, so its check compares
   instead: a byte must be a continuation exactly when one of the three
   before it asks for one (C0.. one back, E0.. two, F0.. three), the lead
   bytes C0, C1 and F5..FF are never right, and four leads narrow the
   range of the byte after them (E0 A0.., ED ..9F, F0 90.., F4 ..8F).
   The high bit of each lane of the result marks an error. */
static inline __m128i
utf8_errors16(__m128i x, __m128i prev)
{
	__m128i b1 = _mm_or_si128(_mm_slli_si128(x, 1), _mm_srli_si128(prev, 15));
	__m128i b2 = _mm_or_si128(_mm_slli_si128(x, 2), _mm_srli_si128(prev, 14));
	__m128i b3 = _mm_or_si128(_mm_slli_si128(x, 3), _mm_srli_si128(prev, 13));
	/* 80..BF are the signed bytes below (char)0xC0 */
	__m128i cont = _mm_cmplt_epi8(x, _mm_set1_epi8((char)0xc0));
	/* the high bit of a saturating subtraction: the byte is at least the bound */
	__m128i must = _mm_or_si128(_mm_subs_epu8(b1, _mm_set1_epi8(0xc0 - 0x80)),
	    _mm_or_si128(_mm_subs_epu8(b2, _mm_set1_epi8(0xe0 - 0x80)),
		_mm_subs_epu8(b3, _mm_set1_epi8(0xf0 - 0x80))));
	__m128i lead = _mm_or_si128(
	    _mm_cmpeq_epi8(_mm_and_si128(x, _mm_set1_epi8((char)0xfe)), _mm_set1_epi8((char)0xc0)),
	    _mm_cmpeq_epi8(_mm_max_epu8(x, _mm_set1_epi8((char)0xf5)), x));
	/* compared signed, which orders 80..BF as unsigned does; a byte out
	   of that range after these leads is already wrong above */
	__m128i range = _mm_or_si128(
	    _mm_or_si128(
		_mm_and_si128(_mm_cmpeq_epi8(b1, _mm_set1_epi8((char)0xe0)),
		    _mm_cmplt_epi8(x, _mm_set1_epi8((char)0xa0))),
		_mm_and_si128(_mm_cmpeq_epi8(b1, _mm_set1_epi8((char)0xed)),
		    _mm_cmpgt_epi8(x, _mm_set1_epi8((char)0x9f)))),
	    _mm_or_si128(
		_mm_and_si128(_mm_cmpeq_epi8(b1, _mm_set1_epi8((char)0xf0)),
		    _mm_cmplt_epi8(x, _mm_set1_epi8((char)0x90))),
		_mm_and_si128(_mm_cmpeq_epi8(b1, _mm_set1_epi8((char)0xf4)),
		    _mm_cmpgt_epi8(x, _mm_set1_epi8((char)0x8f)))));

	return _mm_or_si128(_mm_xor_si128(must, cont), _mm_or_si128(lead, range));
}

/* 16 bytes a step, the rest padded with zeros as utf8_avx2 does. */
static int
utf8_sse2(const unsigned char *p, size_t n)
{
	__m128i prev = _mm_setzero_si128(), err = prev, x;
	unsigned char tail[16] = { 0 };

	for (; n >= 16; p += 16, n -= 16) {
		x = _mm_loadu_si128((const __m128i *)p);
		err = _mm_or_si128(err, utf8_errors16(x, prev));
		prev = x;
	}
	memcpy(tail, p, n);
	x = _mm_loadu_si128((const __m128i *)tail);
	err = _mm_or_si128(err, utf8_errors16(x, prev));
	return _mm_movemask_epi8(err) == 0;
}
#endif

enum bytescan_path
bytescan_path_named(const char *name)
{
	enum bytescan_path path;

	for (path = 0; path < BYTESCAN_PATHS; path++)
		if (strcmp(name, bytescan_path_name(path)) == 0)
			break;
	return path;
}

/* The best path this CPU has, unless FLOW_SIMD names another: read once,
   before main, so that no scan ever sees the path change under it. */
__attribute__((constructor)) static void
choose_path(void)
{
	const char *want = getenv("FLOW_SIMD");
	enum bytescan_path best = BYTESCAN_PORTABLE;

#ifdef BYTESCAN_X86
	__builtin_cpu_init();
	best = __builtin_cpu_supports("avx2") ? BYTESCAN_AVX2 : BYTESCAN_SSE2;
#endif
	bytescan_in_use = best;
	if (want && *want && bytescan_use(bytescan_path_named(want)) < 0)
		fprintf(stderr, "%s: FLOW_SIMD: %s: not a path this CPU has (portable, sse2, avx2); using %s\n",
		    program_invocation_short_name, want, bytescan_path_name(best));
}

size_t
bytescan_run(const char *p, size_t n, enum bytescan_stop stop)
{
	enum bytescan_stop kind = (enum bytescan_stop)stop;
	const unsigned char *u = (const unsigned char *)p;

#ifdef BYTESCAN_X86
	if (bytescan_in_use == BYTESCAN_AVX2)
		return run_avx2(u, n, kind);
	if (bytescan_in_use == BYTESCAN_SSE2)
		return run_sse2(u, n, kind);
#endif
	return run_portable(u, n, kind);
}

size_t
bytescan_utf8(const char *p, size_t n)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t ascii = bytescan_first32(p, n, BYTESCAN_STOP_NONASCII);  /* most text is ASCII */

#ifdef BYTESCAN_X86
	/* the vector check says only whether; the first error is then looked for */
	if (bytescan_in_use == BYTESCAN_AVX2 && utf8_avx2(u + ascii, n - ascii))
		return n;
	if (bytescan_in_use == BYTESCAN_SSE2 && utf8_sse2(u + ascii, n - ascii))
		return n;
#endif
	return ascii + utf8_portable(u + ascii, n - ascii);
}

int
bytescan_use(enum bytescan_path path)
{
#ifdef BYTESCAN_X86
	if (path == BYTESCAN_AVX2 && !__builtin_cpu_supports("avx2"))
		return -1;
#else
	if (path != BYTESCAN_PORTABLE)
		return -1;
#endif
	if (path >= BYTESCAN_PATHS)
		return -1;
	bytescan_in_use = path;
	return 0;
}

enum bytescan_path
bytescan_path(void)
{
	return bytescan_in_use;
}

const char *
bytescan_path_name(enum bytescan_path path)
{
	static const char *const names[] = { "portable", "sse2", "avx2" };

	return path < BYTESCAN_PATHS ? names[path] : "?";
}
